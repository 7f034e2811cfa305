"""The offline HTML view in a real browser: Debian's headless Chromium driven by Playwright.

Marked ``browser``. Skipped, with the reason, only when ``/usr/bin/chromium`` or the
``playwright`` package is missing (``apt-get install chromium``; ``pip install playwright``;
never ``playwright install``: no downloaded browser). Set ``KG_SEED_SCREENSHOT=docs/seed-graph.png``
to also save a screenshot of the seed graph.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, Literal, Namespace, URIRef

from kg.graph import load, to_networkx
from kg.view import render

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).parent.parent
SMALL = Path(__file__).parent / "data" / "graph-small.ttl"
XSS = "<img src=x onerror=alert(1)>"
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SCHEMA = Namespace("https://schema.org/")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
        "--disable-gpu"]


def _sync_playwright():
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is missing (pip install playwright; "
                    "never 'playwright install')")
    return sync_playwright


@pytest.fixture(scope="module")
def browser():
    sync_playwright = _sync_playwright()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


class Watched:
    """A page with every request, console error, page error and dialog recorded."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1200, "height": 800})
        self.page = self.context.new_page()
        self.requests, self.errors, self.dialogs = [], [], []
        self.context.route("**/*", self._route)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path):
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("window.kg && window.kg.drawn && window.kg.stable",
                                    timeout=60_000)
        return self.page

    def check_offline_and_clean(self):
        remote = [u for u in self.requests if not u.startswith(("file://", "data:", "blob:"))]
        assert remote == [], f"requests left the machine: {remote}"
        assert self.errors == [], f"script errors: {self.errors}"
        assert self.dialogs == [], f"dialogs fired: {self.dialogs}"

    def close(self):
        self.context.close()


def drawn_counts(page) -> dict:
    return page.evaluate("""() => {
      const net = window.kg.network, body = net.body;
      const canvas = document.querySelector('#kg-network canvas');
      const ctx = canvas.getContext('2d');
      const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      for (let i = 3; i < px.length; i += 4 * 97) { if (px[i] > 0) inked++; }
      return {view: window.kg.view, nodes: body.data.nodes.length, edges: body.data.edges.length,
              drawnNodes: body.nodeIndices.length, drawnEdges: body.edgeIndices.length,
              positions: Object.keys(net.getPositions()).length, inked: inked,
              bodyView: document.body.getAttribute('data-view')};
    }""")


def check_view(page, stats, name):
    counts = drawn_counts(page)
    expected = stats["views"][name]
    assert counts["view"] == name == counts["bodyView"]
    assert counts["nodes"] == counts["drawnNodes"] == counts["positions"] == expected["nodes"]
    assert counts["edges"] == counts["drawnEdges"] == expected["edges"]
    assert counts["inked"] > 50, "the canvas is blank"


def toggle_and_check(page, stats):
    first = stats["mode"]
    other = "actors" if first == "events" else "events"
    check_view(page, stats, first)
    page.click(f"button[data-view={other}]")
    page.wait_for_function("window.kg.drawn && window.kg.stable", timeout=60_000)
    check_view(page, stats, other)
    assert page.get_attribute(f"button[data-view={other}]", "aria-pressed") == "true"
    assert page.get_attribute(f"button[data-view={first}]", "aria-pressed") == "false"
    page.click(f"button[data-view={first}]")
    page.wait_for_function("window.kg.drawn && window.kg.stable", timeout=60_000)
    check_view(page, stats, first)


def xss_graph(tmp_path) -> Path:
    """graph-small.ttl plus an actor and an article headline that are HTML."""
    g = rdflib.Graph().parse(SMALL)
    actor = URIRef("https://w3id.org/kg-news/id/actor/xss")
    g.add((actor, RDF.type, SEM.Actor))
    g.add((actor, RDF.type, SCHEMA.Person))
    g.add((actor, RDFS.label, Literal(XSS)))
    event = URIRef("https://w3id.org/kg-news/id/event/e1")
    g.add((event, SEM.hasActor, actor))
    for doc in set(g.objects(event, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))):
        g.set((doc, SCHEMA.headline, Literal(XSS + ' <a href="javascript:alert(2)">x</a>')))
    target = tmp_path / "xss.ttl"
    g.serialize(target, format="turtle")
    return target


def hover(page, node_id):
    point = page.evaluate("""(id) => {
      const net = window.kg.network;
      const p = net.canvasToDOM(net.getPositions([id])[id]);
      const box = document.getElementById('kg-network').getBoundingClientRect();
      return {x: box.left + p.x, y: box.top + p.y};
    }""", node_id)
    page.mouse.move(point["x"] - 40, point["y"] - 40)
    page.mouse.move(point["x"], point["y"], steps=5)
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=10_000)
    return page.evaluate("""() => {
      const tip = document.querySelector('div.vis-tooltip');
      // vis-network sets innerText: line breaks become <br>, anything else would be markup
      const markup = [...tip.querySelectorAll('*')].filter((e) => e.tagName !== 'BR');
      return {text: tip.textContent, elements: markup.length,
              images: document.querySelectorAll('img').length};
    }""")


def test_browser_small_graph_draws_offline_and_toggles(browser, tmp_path):
    target = tmp_path / "graph.html"
    stats = render(to_networkx(load(SMALL)), target, title="graph-small")
    watched = Watched(browser)
    try:
        page = watched.open(target)
        toggle_and_check(page, stats)
        watched.check_offline_and_clean()
    finally:
        watched.close()


@pytest.mark.parametrize("mode", ["events", "actors"])
def test_browser_xss_label_stays_text(browser, tmp_path, mode):
    target = tmp_path / "xss.html"
    stats = render(to_networkx(load(xss_graph(tmp_path))), target, mode=mode, title=XSS)
    watched = Watched(browser)
    try:
        page = watched.open(target)
        check_view(page, stats, mode)
        assert page.title() == XSS
        tip = hover(page, "https://w3id.org/kg-news/id/actor/xss")
        assert XSS in tip["text"] and tip["elements"] == 0 and tip["images"] == 0
        if mode == "events":  # the event's tooltip carries the HTML headline
            tip = hover(page, "https://w3id.org/kg-news/id/event/e1")
            assert XSS in tip["text"] and "javascript:" in tip["text"] and tip["elements"] == 0
        page.wait_for_timeout(300)
        watched.check_offline_and_clean()
    finally:
        watched.close()


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory):
    import kg
    out = tmp_path_factory.mktemp("seed-exports")
    kg.build([ROOT / "seeds"], out=out, validate=False)
    return out


def test_browser_seed_graph(browser, seed_graph):
    _sync_playwright()
    target = seed_graph / "view.html"
    stats = render(to_networkx(load(seed_graph / "graph.ttl")), target, title="kg: seed articles")
    assert stats["nodes"] > 50
    watched = Watched(browser)
    try:
        page = watched.open(target)
        page.wait_for_timeout(500)
        shot = os.environ.get("KG_SEED_SCREENSHOT")
        if shot:  # zoomed on the busiest actor, so that labels can be read
            page.evaluate("""() => {
              const net = window.kg.network;
              const ids = net.body.data.nodes.getIds();
              const hub = ids.reduce((a, b) =>
                net.getConnectedEdges(a).length >= net.getConnectedEdges(b).length ? a : b);
              net.moveTo({position: net.getPositions([hub])[hub], scale: 1.1});
            }""")
            page.wait_for_timeout(300)
            page.screenshot(path=shot, type="png")
        toggle_and_check(page, stats)
        watched.check_offline_and_clean()
    finally:
        watched.close()
    # the build's own graph.html also draws offline
    if (seed_graph / "graph.html").is_file():
        watched = Watched(browser)
        try:
            page = watched.open(seed_graph / "graph.html")
            assert drawn_counts(page)["drawnNodes"] > 50
            watched.check_offline_and_clean()
        finally:
            watched.close()


def test_browser_skip_reason_is_clear(monkeypatch):
    """Without Chromium the tests skip and say how to get it (and never download a browser)."""
    monkeypatch.setattr(Path, "is_file", lambda self: False if str(self) == CHROMIUM
                        else shutil.os.path.isfile(self))
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        _sync_playwright()
