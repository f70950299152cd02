extensions = ["sphinxext_params", "myst_parser"]
myst_enable_extensions = ["colon_fence"]
project = "params test root"
copyright = "2025, the sphinxext-params authors"
version = release = "1.0"
numfig = True
