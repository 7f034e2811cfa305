"""Tests of kg.view: the offline HTML view (no browser here; a browser test drives Chromium)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest

from kg.errors import GraphError
from kg.graph import load, to_networkx
from kg.view import render

SMALL = Path(__file__).parent / "data" / "graph-small.ttl"
XSS = "<img src=x onerror=alert(1)>"
SCRIPT_END = "</script><script>alert(2)</script>"
HREF = '<a href="javascript:alert(3)">click</a>'


@pytest.fixture(scope="module")
def G():
    return to_networkx(load(SMALL))


def page_data(text: str) -> dict:
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', text, re.S)
    return json.loads(match.group(1))


def outside_data(text: str) -> str:
    """The page without the JSON data block."""
    return re.sub(r'(<script type="application/json" id="kg-data">).*?(</script>)', r"\1\2",
                  text, flags=re.S)


def synthetic(actors: int, events: int) -> nx.MultiDiGraph:
    """A bipartite graph shaped like to_networkx's, each event linking two or three actors."""
    H = nx.MultiDiGraph()
    for i in range(actors):
        H.add_node(f"a{i:04d}", kind="actor", label=f"Actor {i}", aliases=[],
                   actor_type=("Person", "Country", "Organization")[i % 3], titles=[])
    for j in range(events):
        H.add_node(f"e{j:04d}", kind="event", label=f"Event {j}", codes=["042"],
                   type_label="Make a visit", family="consult", date=f"2020-01-{j % 28 + 1:02d}",
                   earliest=None, latest=None, status="occurred", places=[], sources=[])
        for k in range(2 + j % 2):
            H.add_edge(f"e{j:04d}", f"a{(j * 7 + k * (j % 11 + 1)) % actors:04d}", key="participant",
                       role="participant")
    return H


def test_view_small_graph_stats(G, tmp_path):
    out = tmp_path / "view.html"
    stats = render(G, out, title="Small graph")
    assert (stats["nodes"], stats["edges"], stats["dropped_nodes"], stats["dropped_edges"]) == (
        16, 16, 0, 0)
    assert stats["views"]["actors"]["nodes"] == 8 and stats["views"]["actors"]["edges"] == 7
    assert stats["bytes"] == out.stat().st_size
    data = page_data(out.read_text(encoding="utf-8"))
    assert len(data["views"]["events"]["nodes"]) == 16
    assert len(data["views"]["events"]["edges"]) == 16
    assert data["mode"] == "events"


def test_view_mode_actors(G, tmp_path):
    stats = render(G, tmp_path / "actors.html", mode="actors")
    assert (stats["mode"], stats["nodes"], stats["edges"]) == ("actors", 8, 7)
    assert page_data((tmp_path / "actors.html").read_text(encoding="utf-8"))["mode"] == "actors"


def test_view_is_offline(G, tmp_path):
    out = tmp_path / "view.html"
    render(G, out)
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.I)
    assert not re.search(r"<link\b", text, re.I)
    assert "@version 9.1.2" in text and "vis-network" in text  # inlined, not linked
    assert "bootstrap" not in text.lower()


def test_view_toggle_and_legend(G, tmp_path):
    out = tmp_path / "view.html"
    render(G, out)
    text = out.read_text(encoding="utf-8")
    assert 'data-view="events"' in text and 'data-view="actors"' in text
    data = page_data(text)
    assert set(data["views"]) == {"events", "actors"}
    for words in ("person", "country", "organisation", "consult (04)", "planned event",
                  "role in the event"):
        assert words in outside_data(text).replace("&#x27;", "'")


def test_view_nodes_styles_and_tooltips(G, tmp_path):
    out = tmp_path / "view.html"
    render(G, out)
    view = page_data(out.read_text(encoding="utf-8"))["views"]["events"]
    nodes = {n["id"]: n for n in view["nodes"]}
    xi = nodes["https://w3id.org/kg-news/id/actor/xi-jinping"]
    china = nodes["https://w3id.org/kg-news/id/actor/china"]
    visit = nodes["https://w3id.org/kg-news/id/event/e1"]
    planned = nodes["https://w3id.org/kg-news/id/event/e4"]
    assert xi["shape"] != china["shape"] and xi["color"] != china["color"]
    assert "President, China" in xi["title"] and "Chinese President Xi Jinping" in xi["title"]
    assert "2023-03-20" in visit["title"] and "Xi heads to Moscow" in visit["title"]
    assert "Moscow" in visit["title"]
    assert planned["shapeProperties"]["borderDashes"]
    putin = nodes["https://w3id.org/kg-news/id/actor/vladimir-putin"]
    assert putin["size"] > nodes["https://w3id.org/kg-news/id/actor/wang-yi"]["size"]
    roles = {(e["from"].rsplit("/", 1)[1], e["to"].rsplit("/", 1)[1]): e["label"]
             for e in view["edges"]}
    assert roles[("xi-jinping", "e1")] == "guest" and roles[("vladimir-putin", "e1")] == "host"
    assert roles[("kim-jong-un", "e5")] == "participant"
    pairs = page_data(out.read_text(encoding="utf-8"))["views"]["actors"]["edges"]
    xi_putin = next(e for e in pairs if {e["from"], e["to"]} == {
        "https://w3id.org/kg-news/id/actor/xi-jinping",
        "https://w3id.org/kg-news/id/actor/vladimir-putin"})
    assert xi_putin["label"] == "2" and "2 shared events" in xi_putin["title"]


def test_view_article_text_is_data_not_markup(G, tmp_path):
    H = G.copy()
    H.nodes["https://w3id.org/kg-news/id/actor/wang-yi"]["label"] = XSS
    H.nodes["https://w3id.org/kg-news/id/actor/wang-yi"]["aliases"] = [HREF]
    H.nodes["https://w3id.org/kg-news/id/event/e3"]["label"] = SCRIPT_END
    H.nodes["https://w3id.org/kg-news/id/event/e3"]["sources"] = [
        {"id": "x", "headline": f"{XSS} & {HREF}", "url": None, "published": None}]
    out = tmp_path / "xss.html"
    render(H, out, title=f"{XSS} title", focus=XSS)  # the focus line echoes the label too
    text = out.read_text(encoding="utf-8")
    assert "<img" not in text
    assert SCRIPT_END not in text and "alert(2)</script>" not in text
    assert "<a href" not in text
    assert "&lt;img src=x onerror=alert(1)&gt; title" in text  # the heading, escaped
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in text   # the data, JSON-escaped
    nodes = {n["id"]: n for n in page_data(text)["views"]["events"]["nodes"]}
    wang = nodes["https://w3id.org/kg-news/id/actor/wang-yi"]
    assert wang["label"] == XSS and HREF in wang["title"]       # shown as text by vis-network
    assert SCRIPT_END in nodes["https://w3id.org/kg-news/id/event/e3"]["title"]
    # exactly three scripts: vis-network, the JSON data, the page's own code
    assert len(re.findall(r"^<script\b", outside_data(text), re.M)) == 3


def test_view_max_nodes_drops_and_says_so(G, tmp_path):
    out = tmp_path / "small.html"
    stats = render(G, out, max_nodes=5)
    assert stats["nodes"] <= 5 and stats["dropped_nodes"] == 16 - stats["nodes"]
    assert stats["dropped_edges"] > 0 and stats["edges"] > 0
    text = out.read_text(encoding="utf-8")
    assert f"Left out {stats['dropped_nodes']} nodes and {stats['dropped_edges']} edges" in text
    assert "max_nodes=5" in text
    view = page_data(text)["views"]["events"]
    ids = {n["id"] for n in view["nodes"]}
    assert "https://w3id.org/kg-news/id/actor/vladimir-putin" in ids  # the most connected
    assert all(e["from"] in ids and e["to"] in ids for e in view["edges"])


def test_view_focus_and_depth(G, tmp_path):
    one = render(G, tmp_path / "one.html", focus="Wang Yi", depth=1)
    assert (one["nodes"], one["edges"]) == (3, 2)  # Wang Yi, e3, Putin
    two = render(G, tmp_path / "two.html", focus="Wang Yi", depth=2)
    assert two["nodes"] == 3 + 4 + 3 and two["edges"] == 2 + 8  # Putin's events and partners
    text = (tmp_path / "two.html").read_text(encoding="utf-8")
    assert "around Wang Yi (depth 2)" in text
    with pytest.raises(GraphError, match="ambiguous"):
        render(G, tmp_path / "kim.html", focus="Kim")
    assert not (tmp_path / "kim.html").exists()


def test_view_filters(G, tmp_path):
    stats = render(G, tmp_path / "consult.html", families="consult")
    view = page_data((tmp_path / "consult.html").read_text(encoding="utf-8"))["views"]["events"]
    events = [n for n in view["nodes"] if n["kind"] == "event"]
    assert len(events) == 3 and stats["nodes"] == 3 + 4  # e1, e3, e5 and their four actors
    dated = render(G, tmp_path / "march.html", since="2023-03-01", until="2023-03-31")
    assert dated["views"]["events"]["nodes"] == 4 + 5  # e1, e2, e7, e8; Xi, Putin, Russia, China, UN


def test_view_is_deterministic(G, tmp_path):
    render(G, tmp_path / "a.html")
    render(to_networkx(load(SMALL)), tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_view_large_graph_static_layout(tmp_path):
    H = synthetic(actors=240, events=360)
    first = render(H, tmp_path / "a.html", max_nodes=400)
    assert first["nodes"] <= 400 and first["dropped_nodes"] == 600 - first["nodes"]
    assert first["views"]["events"]["layout"] == "static"
    text = (tmp_path / "a.html").read_text(encoding="utf-8")
    view = page_data(text)["views"]["events"]
    assert view["physics"] is False
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in view["nodes"])
    assert len({(n["x"], n["y"]) for n in view["nodes"]}) == len(view["nodes"])
    render(H, tmp_path / "b.html", max_nodes=400)
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_view_small_graph_uses_physics(G, tmp_path):
    stats = render(G, tmp_path / "view.html")
    assert stats["views"]["events"]["layout"] == "physics"
    nodes = page_data((tmp_path / "view.html").read_text(encoding="utf-8"))["views"]["events"]["nodes"]
    assert not any("x" in n for n in nodes)


def test_view_writes_atomically(G, tmp_path):
    out = tmp_path / "new" / "dir" / "view.html"
    render(G, out)
    out.write_text("old", encoding="utf-8")
    render(G, out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in out.parent.iterdir()) == ["view.html"]  # no temp file left


def test_view_accepts_an_rdflib_graph(tmp_path):
    stats = render(load(SMALL), tmp_path / "view.html")
    assert (stats["nodes"], stats["edges"]) == (16, 16)


@pytest.mark.parametrize("options, message", [
    ({"mode": "table"}, "unknown view mode 'table'; expected one of: events, actors"),
    ({"max_nodes": 0}, "bad max_nodes"),
    ({"depth": -1}, "bad depth"),
    ({"families": "nope"}, "unknown event family"),
])
def test_view_bad_options(G, tmp_path, options, message):
    with pytest.raises(GraphError, match=message):
        render(G, tmp_path / "view.html", **options)
    assert not (tmp_path / "view.html").exists()


def test_view_focus_is_always_drawn(G, tmp_path):
    H = G.copy()
    H.add_node("http://example.org/lonely", kind="actor", label="Lonely", aliases=[],
               actor_type="Person", titles=[])
    assert render(H, tmp_path / "lonely.html", focus="Lonely")["nodes"] == 1
    stats = render(G, tmp_path / "tiny.html", focus="Wang Yi", max_nodes=1)
    view = page_data((tmp_path / "tiny.html").read_text(encoding="utf-8"))["views"]["events"]
    assert stats["nodes"] == 1 and view["nodes"][0]["label"] == "Wang Yi"


def test_build_draws_its_view_from_triples_as_from_an_rdflib_graph():
    """The build's view reads its triples through a small index, not an rdflib Graph: same graph."""
    from kg.pipeline import _TripleIndex
    g = load(Path(__file__).resolve().parent.parent / "exports" / "graph.ttl")
    a, b = to_networkx(g), to_networkx(_TripleIndex(set(g)))
    assert set(a.nodes) == set(b.nodes) and len(a) > 50
    assert all(a.nodes[n] == b.nodes[n] for n in a.nodes)
    assert sorted(a.edges(keys=True)) == sorted(b.edges(keys=True))
