"""Fixtures for the browser and PDF tests: the demo site built once per theme, a local web
server, and one headless Chromium driven by Selenium.

Nothing here downloads anything: Chromium and chromedriver are Debian's packages (.ci/run
installs them), MathJax comes from the `django-static-mathjax` wheel in the `test` extra, and
Selenium Manager is never asked for a driver because the Service names one. Where Chromium
cannot be started the tests FAIL with a message saying so -- they never skip silently.
"""

from __future__ import annotations

import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.browser.demo_site import (
    CHROMEDRIVER,
    CHROMIUM,
    CHROMIUM_FLAGS,
    THEMES,
    build_theme,
    fail_loudly,
    mathjax_es5,
)


@pytest.fixture(scope="session")
def site_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("sites")


@pytest.fixture(scope="session")
def theme_builds(site_root):
    """Every theme's build of the demo, made at most once a session, two at a time."""
    mathjax_es5()  # say so before building five sites if it is missing
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {theme: pool.submit(build_theme, theme, site_root) for theme in THEMES}
        return {theme: future.result() for theme, future in futures.items()}


@pytest.fixture(scope="session")
def artifact_dir(tmp_path_factory) -> Path:
    """Where screenshots other than the README's go: $PARAMS_TEST_ARTIFACTS or a tmp dir."""
    chosen = os.environ.get("PARAMS_TEST_ARTIFACTS")
    path = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture(scope="session")
def server(site_root):
    """http://127.0.0.1:<ephemeral port>/<theme>/... serving every theme's build."""
    handler = functools.partial(QuietHandler, directory=str(site_root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """One headless Chromium for the session (Debian's, through Debian's chromedriver)."""
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        fail_loudly("BROWSER TESTS CANNOT RUN: selenium is not installed. "
                    "Run: python -m pip install -e '.[test]'")
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not Path(path).is_file():
            fail_loudly(f"BROWSER TESTS CANNOT RUN: {path} does not exist.\n"
                        f"Install Debian's Chromium: apt-get install chromium chromium-driver "
                        f"(missing: {package}); .ci/run does this in CI.")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    try:
        # An explicit driver path: Selenium Manager (which would download one) is not consulted.
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    except WebDriverException as error:
        fail_loudly(f"BROWSER TESTS CANNOT RUN: Chromium ({CHROMIUM}) did not start through "
                    f"{CHROMEDRIVER}:\n{error.msg or error}")
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()

