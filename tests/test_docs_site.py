"""The documentation site, read in a real browser: every page loads clean, renders its math, shows its images.

Headless Chromium (Debian's ``chromium``, driven by Playwright for Python through
``executable_path`` — no browser download) visits EVERY page of the built site and fails on:

* a console error, an uncaught page error, a failed request or an HTTP error status;
* math left unrendered: a Sphinx math node that MathJax did not turn into ``mjx-container``, raw
  ``$$``, ``\\(`` or ``\\[`` in the text outside code, or a MathJax / KaTeX error node;
* an image that does not load (``naturalWidth == 0``);
* a broken internal link: a target page that is not in the build, or a ``#fragment`` with no such id.

It also checks that the search page finds ``correlate`` and that the API page documents every name
of ``symconv.__all__``, and writes screenshots of the landing page, a notes chapter with equations
and figures, and an API page to ``docs/_build/screenshots/`` so anyone can look at what a reader sees.

The site: ``SYMCONV_DOCS_HTML`` names a site already built (CI builds it with ``make docs`` first);
otherwise it is built once per session, strictly (``-W --keep-going -n``), into a temporary folder.
Without Sphinx, Playwright or chromium the tests skip, like every peer test (``tests/peers.py``);
under ``SYMCONV_REQUIRE_PEERS`` naming ``site`` (or ``all``) they fail instead.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import peers
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SCREENSHOTS = DOCS / "_build" / "screenshots"
CHROMIUM = os.environ.get("SYMCONV_CHROMIUM", "/usr/bin/chromium")
PEER = "site"

#: Text outside code that means math was left for the reader to decode.
RAW_MATH = ("$$", "\\(", "\\)", "\\[", "\\]", "\\begin{")

#: Runs in the page once it has loaded: what the page shows, as data.
INSPECT_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  if (window.MathJax && MathJax.typesetPromise) { await MathJax.typesetPromise(); }
  const outside = document.body.cloneNode(true);
  outside.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight').forEach(e => e.remove());
  const mathNodes = [...document.querySelectorAll('.math')];
  return {
    text: outside.textContent,
    mathNodes: mathNodes.length,
    unrendered: mathNodes.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80)),
    errors: [...document.querySelectorAll('mjx-merror, [data-mjx-error], .katex-error')]
      .map(e => e.getAttribute('data-mjx-error') || e.textContent.slice(0, 80)),
    images: [...document.images].map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  };
}
"""


def _need(module: str) -> Any:
    return peers.module(module, PEER)


def _build(out: Path) -> Path:
    """Build the site strictly into ``out``; fail with Sphinx's log on any warning."""
    _need("sphinx")
    _need("myst_nb")
    _need("furo")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n", "-q", str(DOCS), str(out)]
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        log = f"{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
        pytest.fail(f"the strict site build failed (exit {run.returncode}):\n{log}")
    return out


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("SYMCONV_DOCS_HTML")
    if given:
        path = Path(given)
        if not (path / "index.html").is_file():
            pytest.fail(f"SYMCONV_DOCS_HTML={given!r} holds no built site (no index.html): run `make docs`")
        return path
    return _build(tmp_path_factory.mktemp("site") / "html")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """The built site over HTTP on the loopback interface (as a reader's browser gets it)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_api = _need("playwright.sync_api")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        peers.missing(PEER, f"no chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield b
        finally:
            b.close()


def _pages(site: Path) -> list[str]:
    skip = {"_static", "_sources", "_images", "jupyter_execute", "screenshots"}
    return sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*.html") if not skip & set(p.relative_to(site).parts)
    )


@contextlib.contextmanager
def _page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A fresh page whose console errors, page errors and failed requests are collected."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text} at {m.location}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    try:
        yield page, problems
    finally:
        page.close()


def _visit(page: Any, url: str) -> dict[str, Any]:
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page.evaluate(INSPECT_JS)


def _problems_of(rel: str, seen: dict[str, Any], problems: list[str]) -> list[str]:
    out = [f"{rel}: {p}" for p in problems]
    out += [f"{rel}: math not rendered: {t!r}" for t in seen["unrendered"]]
    out += [f"{rel}: math error: {t!r}" for t in seen["errors"]]
    out += [f"{rel}: raw {raw!r} in the text" for raw in RAW_MATH if raw in seen["text"]]
    out += [f"{rel}: image does not load: {i['src']}" for i in seen["images"] if not i["ok"]]
    return out


def _broken_links(site: Path, base: str, links: dict[str, list[str]], ids: dict[str, set[str]]) -> list[str]:
    bad = []
    for rel, hrefs in links.items():
        for href in hrefs:
            if not href.startswith(base):
                continue  # an outside link (intersphinx, the theme's credits): not followed offline
            target, fragment = urldefrag(href)
            path = unquote(urlparse(target).path).lstrip("/") or "index.html"
            if path.endswith("/"):
                path += "index.html"
            if not (site / path).is_file():
                bad.append(f"{rel}: link to a missing page: {href}")
            elif fragment and path in ids and unquote(fragment) not in ids[path]:
                bad.append(f"{rel}: link to a missing anchor: {href}")
    return bad


def test_every_page_loads_clean_renders_math_and_images_and_links_resolve(browser: Any, site: Path, server: str):
    pages = _pages(site)
    assert len(pages) >= 25, pages
    assert {"index.html", "api/symconv.html", "notes/ch1_definitions.html", "example.html"} <= set(pages)
    found: list[str] = []
    links: dict[str, list[str]] = {}
    ids: dict[str, set[str]] = {}
    math_pages = 0
    for rel in pages:
        with _page(browser) as (page, problems):
            seen = _visit(page, urljoin(server, rel))
            found += _problems_of(rel, seen, problems)
            links[rel], ids[rel] = seen["links"], set(seen["ids"])
            math_pages += seen["mathNodes"] > 0
    found += _broken_links(site, server, links, ids)
    assert not found, f"{len(found)} problem(s) in the site:\n" + "\n".join(found[:60])
    assert math_pages >= 8, f"only {math_pages} pages have rendered math"


def test_search_finds_correlate(browser: Any, site: Path, server: str):
    with _page(browser) as (page, problems):
        page.goto(urljoin(server, "search.html?q=correlate"), wait_until="load")
        page.wait_for_selector("ul.search li", timeout=60_000)
        hits = page.eval_on_selector_all("ul.search li a", "els => els.map(e => e.textContent)")
        assert problems == []
    assert any("correlate" in h for h in hits), hits


def test_api_page_documents_every_public_name(browser: Any, site: Path, server: str):
    import symconv

    with _page(browser) as (page, problems):
        page.goto(urljoin(server, "api/symconv.html"), wait_until="load")
        ids = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        assert problems == []
    missing = [n for n in symconv.__all__ if f"symconv.{n}" not in ids]
    assert not missing, f"api/symconv.html does not document {missing}"


@pytest.mark.parametrize(
    ("page", "module"),
    [
        ("api/compat.html", "symconv.compat.numpy"),
        ("api/compat.html", "symconv.compat.scipy"),
        ("api/compat.html", "symconv.compat.torch"),
        ("api/proofs.html", "symconv.proofs"),
        ("api/testing.html", "symconv.testing"),
        ("api/identification.html", "symconv.identification"),
        ("api/display.html", "symconv.display"),
    ],
)
def test_api_pages_document_every_public_name_of_the_public_modules(site: Path, page: str, module: str):
    """Each name of the module's __all__ has its entry (or, if it is also ``symconv.NAME``, a link there)."""
    import importlib

    import symconv

    html = (site / page).read_text(encoding="utf-8")
    mod = importlib.import_module(module)
    missing = [
        n
        for n in mod.__all__
        if f'id="{module}.{n}"' not in html
        and not (n in symconv.__all__ and f'href="symconv.html#symconv.{n}"' in html)
    ]
    assert not missing, f"{page} does not document {missing} of {module}"


def test_cli_reference_shows_every_subcommand_help(site: Path):
    """The command-line page is generated from the parsers: every sub-command's usage line is on it."""
    import argparse
    import html as html_lib

    from symconv.cli import build_parser

    text = html_lib.unescape((site / "cli-reference.html").read_text(encoding="utf-8"))
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = [name for name in sub.choices if f"usage: symconv {name}" not in text]
    assert not missing, f"cli-reference.html lacks the --help of {missing}"


def test_screenshots_of_what_a_reader_sees(browser: Any, site: Path, server: str):
    """The landing page, a notes chapter at its first figure (with equations), an API entry."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = {
        "landing.png": ("index.html", None),
        "notes_chapter.png": ("notes/ch1_definitions.html", "img"),
        "api.png": ("api/symconv.html", "[id='symconv.correlate']"),
    }
    for name, (rel, selector) in shots.items():
        with _page(browser) as (page, problems):
            _visit(page, urljoin(server, rel))
            if selector:
                page.locator(selector).first.evaluate("e => e.scrollIntoView({block: 'start', behavior: 'instant'})")
                page.evaluate("window.scrollBy({top: -120, behavior: 'instant'})")  # furo scrolls smoothly
            page.screenshot(path=str(SCREENSHOTS / name))
            assert problems == [], problems
        assert (SCREENSHOTS / name).stat().st_size > 10_000, name
