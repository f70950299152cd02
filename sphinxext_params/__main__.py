"""``python -m sphinxext_params summary FILE``: see :mod:`sphinxext_params.cli`."""

import sys

from .cli import main

sys.exit(main())
