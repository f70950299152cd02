"""The demo site read the way people read it: in a real browser (headless Chromium), in each of
five themes, on a desktop (1280 px) and a phone (375 px), in light and dark mode.

One page load per theme x width x mode (20 in all); every check on that page runs against it.
Dark mode is the browser's `prefers-color-scheme: dark` *and*, where the theme has one, its own
dark switch; themes without a dark mode must stay legible when the reader's system is dark.
Screenshots go to $PARAMS_TEST_ARTIFACTS (or a tmp dir); the README's goes to demo_docs.
"""

from __future__ import annotations

import base64
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.demo_site import README_SCREENSHOTS, THEMES

PROBES = (Path(__file__).with_name("probes.js")).read_text()

WIDTHS = (1280, 375)
MODES = ("light", "dark")
HEIGHT = 900

# The page every combination opens: a summary table with derivations, `params` roles quoting
# its numbers, and a table wide enough to need scrolling on a phone.
PAGE = "index.html"

# The theme's own dark switch (what its toggle button sets), applied on top of the media query.
DARK_SWITCH = {
    "furo": "document.body.dataset.theme = 'dark';",
    "pydata_sphinx_theme": "document.documentElement.dataset.theme = 'dark';"
                           "document.documentElement.dataset.mode = 'dark';",
    "sphinx_book_theme": "document.documentElement.dataset.theme = 'dark';"
                         "document.documentElement.dataset.mode = 'dark';",
}

MIN_CONTRAST = 4.5  # WCAG 2 AA for body text

# The summary tables: tables whose header has the "Param #" column.
TABLES_JS = """
return [...document.querySelectorAll('table')].filter(
    (t) => [...t.querySelectorAll('thead th, thead td')].some((h) => /Param\\s*#/.test(h.textContent)));
"""


@dataclass
class Page:
    """The demo page in one theme x width x mode, in the shared browser."""

    browser: object
    theme: str
    width: int
    mode: str
    url: str
    # What checks have changed on the loaded page ("open" derivations, the "dark switch"):
    # the next check reloads unless it can work on the page as it is.
    changes: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return f"{self.theme}-{self.width}-{self.mode}"

    def js(self, script: str, *args):
        return self.browser.execute_script(PROBES + script, *args)

    def load(self) -> None:
        b = self.browser
        b.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": self.width, "height": HEIGHT, "deviceScaleFactor": 1,
                           "mobile": False})
        b.execute_cdp_cmd("Emulation.setEmulatedMedia",
                          {"features": [{"name": "prefers-color-scheme", "value": self.mode}]})
        b.get(self.url)
        self.changes = set()
        state = b.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const settle = () => document.fonts.ready.then(() => done('ok'));
            if (!document.querySelector('span.math, div.math')) return settle();
            let tries = 0;
            (function wait() {
              if (window.MathJax && MathJax.startup && MathJax.startup.promise)
                MathJax.startup.promise.then(settle, (e) => done('MathJax failed: ' + e));
              else if (++tries > 150) done('MathJax did not load (script missing or blocked)');
              else setTimeout(wait, 100);
            })();
        """)
        assert state == "ok", f"{self.key}: {state}"
        assert b.execute_script("return innerWidth") == self.width

    def open_derivations(self) -> None:
        self.browser.execute_script(
            "document.querySelectorAll('details').forEach((d) => d.open = true);")
        self.changes.add("open")

    def tables(self):
        return self.browser.execute_script(TABLES_JS)

    def scroll_to(self, element) -> None:
        """Bring `element` near the top of the window, clear of a theme's fixed header."""
        self.browser.execute_script(
            "arguments[0].scrollIntoView({block: 'start', behavior: 'instant'});"
            "scrollBy({top: -120, behavior: 'instant'});", element)

    def dark_switch(self) -> str | None:
        return DARK_SWITCH.get(self.theme) if self.mode == "dark" else None

    def screenshot(self, path: Path, element=None, margin: int = 0) -> None:
        """The viewport, or one element (and `margin` px around it) in full even where it is
        taller than the viewport."""
        params = {"format": "png", "captureBeyondViewport": element is not None}
        if element is not None:
            box = self.browser.execute_script(
                "const r = arguments[0].getBoundingClientRect(), m = arguments[1];"
                "return {x: Math.max(0, r.left + scrollX - m), y: Math.max(0, r.top + scrollY - m),"
                "        width: r.width + 2 * m, height: r.height + 2 * m};",
                element, margin)
            params["clip"] = {**box, "scale": 1}
        data = self.browser.execute_cdp_cmd("Page.captureScreenshot", params)["data"]
        path.write_bytes(base64.b64decode(data))


# ---- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(theme_builds):
    """The five theme builds, or a failure saying which theme's build broke and why."""
    broken = {t: r.stderr[-2000:] for t, (_, r) in theme_builds.items() if r.returncode != 0}
    if broken:
        pytest.fail("demo build failed:\n" + "\n".join(f"[{t}]\n{e}" for t, e in broken.items()),
                    pytrace=False)
    return theme_builds


@pytest.fixture(scope="module", params=[(t, w, m) for t in THEMES for w in WIDTHS for m in MODES],
                ids=lambda p: f"{p[0]}-{p[1]}px-{p[2]}")
def page(request, browser, server, built, artifact_dir):
    theme, width, mode = request.param
    page = Page(browser, theme, width, mode, f"{server}/{theme}/{PAGE}")
    page.load()
    # A look at the first summary as the reader meets it, and at the widest one (the derivation
    # test adds one with a derivation open).
    tables = page.tables()
    widest = max(tables, key=lambda t: browser.execute_script("return arguments[0].scrollWidth", t))
    for table, name in ((tables[0], page.key), (widest, f"{page.key}-wide")):
        page.scroll_to(table)
        page.screenshot(artifact_dir / f"{name}.png")
    if (theme, width, mode) == ("furo", 1280, "light"):
        save_readme_screenshot(page)
    return page


def save_readme_screenshot(page: Page) -> None:
    """demo_docs/_static/screenshots/summary-furo-light.png: the first summary with its
    derivations open, whole, at twice the pixel density (sharp on high-density screens)."""
    README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    block = page.browser.execute_script(
        "const block = arguments[0].closest('.params-model') || arguments[0];"
        "block.querySelectorAll('details').forEach((d) => d.open = true);"
        "return block;", page.tables()[0])
    page.changes.add("open")
    page.browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                 {"width": page.width, "height": HEIGHT, "deviceScaleFactor": 2,
                                  "mobile": False})
    target = README_SCREENSHOTS / "summary-furo-light.png"
    scratch = target.with_suffix(".new.png")
    try:
        page.screenshot(scratch, element=block, margin=16)
    finally:
        page.browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                     {"width": page.width, "height": HEIGHT,
                                      "deviceScaleFactor": 1, "mobile": False})
    if target.exists() and target.read_bytes() == scratch.read_bytes():
        scratch.unlink()  # unchanged: leave the committed file alone
    else:
        scratch.replace(target)


def reload_if_needed(page: Page, allow: frozenset = frozenset()) -> None:
    """The driver is shared: reload unless it shows this page as first loaded, or changed only
    in ways the calling check does not mind (`allow`)."""
    if (page.changes - allow or page.browser.current_url != page.url
            or page.browser.execute_script("return innerWidth") != page.width):
        page.load()


# ---- the checks ------------------------------------------------------------------------------
# In the order they run on each page: first those that only look, then those that open the
# derivations (and keep them open for the next), last the one that flips the theme's switch.
OPEN = frozenset({"open"})


def test_theme_builds_without_warnings(built):
    noisy = {t: r.stderr.strip() for t, (_, r) in built.items() if r.stderr.strip()}
    assert not noisy, "\n".join(f"[{t}]\n{e}" for t, e in noisy.items())


def test_table_is_visible(page):
    reload_if_needed(page)
    tables = page.tables()
    assert tables, f"{page.key}: no summary table (a table with a 'Param #' header) on {PAGE}"
    for table in tables:
        seen = page.js("return paramsProbe.tableVisible(arguments[0]);", table)
        assert seen["shown"] and seen["opacity"] > 0.9, f"{page.key}: table hidden: {seen}"
        assert seen["width"] > 150 and seen["height"] > 40, f"{page.key}: table too small: {seen}"


def test_param_counts_are_right_aligned(page):
    reload_if_needed(page)
    problems = []
    for table in page.tables():
        column = page.js("return paramsProbe.paramColumn(arguments[0]);", table)
        cells = column["cells"]
        assert cells, f"{page.key}: no counts found under 'Param #'"
        for cell in cells:
            # Right-aligned: the alignment says so and the text hugs the right side of its cell.
            if cell["align"] not in ("right", "end") or cell["rightRoom"] > cell["leftRoom"] + 1:
                problems.append(f"count {cell['text']} not right-aligned (text-align "
                                f"{cell['align']}, {cell['leftRoom']:.0f}px room on the left, "
                                f"{cell['rightRoom']:.0f}px on the right)")
            if cell["lines"] > 1:
                problems.append(f"count {cell['text']} wraps onto {cell['lines']} lines")
        rights = [cell["textRight"] for cell in cells]
        if max(rights) - min(rights) > 1:
            problems.append(f"right edges of the counts differ by {max(rights) - min(rights):.1f}px")
        header = column["header"]
        if header["align"] not in ("right", "end"):
            problems.append(f"the 'Param #' header is {header['align']}-aligned over right-aligned "
                            "numbers")
    assert not problems, f"{page.key}:\n" + "\n".join(problems)


# Every resolved `params` role on the page: its number, and the text of the model block its link
# points at -- on this page, or fetched from the page it names (the demo quotes across pages).
ROLE_JS = """
const blockText = (doc, id) => {
  const target = doc.getElementById(id);
  const block = target && target.closest('.params-model');
  return block ? block.textContent : null;
};
return [...document.querySelectorAll('a[href] > .params-count:not(.params-unresolved)')].map((el) => {
  const url = new URL(el.parentElement.getAttribute('href'), location.href);
  let doc = document;
  if (url.pathname !== location.pathname) {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', url.pathname, false);
    xhr.send();
    doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
  }
  return {text: el.textContent.trim(), href: url.pathname.split('/').pop() + url.hash,
          target: blockText(doc, decodeURIComponent(url.hash.slice(1)))};
});
"""


def test_params_role_numbers_match_the_table(page):
    """Every `params` role on the page shows a number that is in the table its link points at."""
    reload_if_needed(page)
    roles = page.browser.execute_script(ROLE_JS)
    assert roles, f"{page.key}: no `params` role on {PAGE}"
    problems = []
    for role in roles:
        number = re.search(r"\d[\d,]*", role["text"])
        if role["target"] is None:
            problems.append(f"role {role['text']!r} links to {role['href']}: no model block there")
        elif not number or not re.search(rf"(?<![\d,]){re.escape(number.group())}(?![\d,])",
                                         role["target"]):
            problems.append(f"role {role['text']!r} ({role['href']}): number not in that table")
    assert not problems, f"{page.key}:\n" + "\n".join(problems)


def test_derivations_expand_and_collapse(page, artifact_dir):
    """Clicking a derivation's heading opens it (its content shows), clicking again closes it."""
    from selenium.webdriver.common.by import By

    reload_if_needed(page)
    details = page.browser.find_elements(By.CSS_SELECTOR, ".params-model details")
    assert details, f"{page.key}: no collapsible derivations on {PAGE}"
    body_shown = ("return [...arguments[0].children].filter((c) => c.tagName !== 'SUMMARY')"
                  ".some((c) => c.checkVisibility() && c.getBoundingClientRect().height > 0);")
    page.changes.add("clicked")  # cleared by the reload, should a click below fail
    for n, block in enumerate(details):
        heading = block.find_element(By.CSS_SELECTOR, "summary")
        was_open = block.get_attribute("open") is not None
        page.browser.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", heading)
        heading.click()  # a real click: fails if something covers the heading
        assert (block.get_attribute("open") is not None) != was_open, f"{page.key}: click {n}"
        assert page.browser.execute_script(body_shown, block) != was_open, \
            f"{page.key}: derivations {n} toggled but their content did not show/hide"
        if n == 0 and not was_open:
            page.scroll_to(block)
            page.screenshot(artifact_dir / f"{page.key}-derivation.png")
        heading.click()
        assert (block.get_attribute("open") is not None) == was_open, f"{page.key}: click {n}"
        assert page.browser.execute_script(body_shown, block) == was_open
    page.changes.discard("clicked")


def _overflow(page: Page, when: str) -> list[str]:
    problems = []
    side = page.js("return paramsProbe.sideways();")
    # A theme whose own header is a few px too wide at 375 px is not ours to fix: what must
    # hold is that the summaries make the page no wider than it is without them.
    if side["scrollWidth"] > max(side["innerWidth"] + 1, side["withoutUs"]):
        problems.append(f"{when}: the page scrolls sideways ({side['scrollWidth']}px content in "
                        f"a {side['innerWidth']}px window, {side['withoutUs']}px without the "
                        f"summaries); crossing the edge: {side['crossers']}")
    elif side["withoutUs"] > side["innerWidth"] + 1:
        warnings.warn(f"{page.key}: the theme itself is {side['withoutUs']}px wide in a "
                      f"{side['innerWidth']}px window (not caused by the summaries)")
    for thing in page.js("return paramsProbe.wideThings(document.body, arguments[0]);",
                         "table, mjx-container[display='true']"):
        if thing["width"] > thing["room"] + 1 and not thing.get("scrolled"):
            problems.append(f"{when}: {thing['el']} is {thing['width']}px wide in "
                            f"{thing['room']}px and does not scroll in its own box")
        if thing.get("boxRight", 0) > side["innerWidth"] + 1:
            problems.append(f"{when}: the scroll box of {thing['el']} itself crosses the window")
    return problems


def test_page_does_not_scroll_sideways(page):
    """The page never scrolls sideways; a table or equation wider than the column scrolls in
    its own box -- with the derivations closed and open."""
    reload_if_needed(page)
    problems = _overflow(page, "derivations closed")
    if page.width < 500:
        wide = [t for t in page.js("return paramsProbe.wideThings(document.body, 'table');")
                if t["width"] > t["room"] + 1]
        if not wide:
            problems.append(f"no table on {PAGE} is wider than a phone: the scrolling box "
                            "is not exercised (the demo page should keep one wide table)")
    page.open_derivations()
    problems += _overflow(page, "derivations open")
    assert not problems, f"{page.key}:\n" + "\n".join(problems)


def test_mathjax_rendered_the_equations(page):
    """Every equation typeset by MathJax (derivations opened), no MathJax error, and no raw
    TeX left in the visible text."""
    reload_if_needed(page, allow=OPEN)
    page.open_derivations()
    math = page.js("return paramsProbe.math();")
    assert math["mathElements"], f"{page.key}: no equations on {PAGE}"
    assert math["typeset"] == math["mathElements"], \
        f"{page.key}: MathJax typeset {math['typeset']} of {math['mathElements']} equations"
    assert not math["errors"], f"{page.key}: {math['errors']} MathJax errors"
    assert not math["raw"], f"{page.key}: raw TeX visible: {math['raw']}"


def _illegible(page: Page, when: str) -> list[str]:
    out = []
    for table in page.tables():
        block = page.browser.execute_script(
            "return arguments[0].closest('.params-model') || arguments[0];", table)
        result = page.js("return paramsProbe.legibility(arguments[0]);", block)
        assert result["checked"] > 5, f"{page.key}: found no text to check in the table"
        out += [f"{when}: {w['el']} {w['text']!r} contrast {w['ratio']:.2f} "
                f"(text {w['fg']} on {w['bg']})"
                for w in result["worst"] if w["ratio"] < MIN_CONTRAST]
    return out


def test_table_is_legible(page):
    """Text contrasts with what is behind it (>= 4.5:1) in the table, its footer and the
    derivations (opened), in light mode, the browser's dark mode and the theme's dark switch."""
    reload_if_needed(page, allow=OPEN)
    page.open_derivations()
    problems = _illegible(page, f"prefers-color-scheme: {page.mode}")
    switch = page.dark_switch()
    if switch:
        page.js(switch)
        page.changes.add("dark switch")
        problems += _illegible(page, "the theme's dark switch")
    assert not problems, f"{page.key}:\n" + "\n".join(problems)
