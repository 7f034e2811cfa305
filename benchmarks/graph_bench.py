"""Benchmark the graph questions and the view on a generated graph (not a test).

Generates (seeded random) a graph that follows ``ontology/MODEL.md``: by default 10,000 actors
(persons, countries, organisations; a few are hubs, as in the news) and 50,000 events, each
with 2 or 3 participants through role nodes, a CAMEO type, a date (exact, a range, or none),
often a place, and a source article. Then it reports:

- load-from-RDF time (:func:`kg.graph.load`) and the networkx build (:func:`kg.graph.to_networkx`);
- each graph question's time: neighbors, path, timeline, central by each measure;
- the view's HTML size (:func:`kg.view.render`) and the time to write it;
- the time until the network is drawn in headless Chromium (``/usr/bin/chromium`` through
  Playwright; the first ``afterDrawing`` event, and the end of stabilisation when physics runs).

Usage::

    python benchmarks/graph_bench.py                       # 10,000 actors, 50,000 events
    python benchmarks/graph_bench.py --actors 1000 --events 5000 --keep /tmp/bench

Times are wall-clock seconds of one run on this machine.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from pathlib import Path

CODES = [  # (code, label, broader)
    ("010", "Make statement", "01"), ("020", "Appeal", "02"), ("036", "Express intent to meet", "03"),
    ("040", "Consult", "04"), ("041", "Discuss by telephone", "04"), ("042", "Make a visit", "04"),
    ("043", "Host a visit", "04"), ("046", "Engage in negotiation", "04"),
    ("051", "Praise or endorse", "05"), ("057", "Sign formal agreement", "05"),
    ("070", "Provide aid", "07"), ("111", "Criticize or denounce", "11"), ("120", "Reject", "12"),
    ("130", "Threaten", "13"), ("140", "Protest", "14"), ("172", "Impose sanctions", "17"),
    ("190", "Use conventional military force", "19"),
]
CODE_WEIGHTS = [10, 3, 4, 12, 4, 8, 6, 4, 3, 3, 2, 6, 3, 2, 2, 2, 2]
ROLES = {"04": ("Host", "Guest"), "03": ("Agent", "Patient")}
PREFIXES = """@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix kgo: <https://w3id.org/kg-news/ontology#> .
@prefix cameo: <https://w3id.org/kg-news/cameo/> .
@base <https://w3id.org/kg-news/id/> .
"""


def generate(path: Path, *, actors: int, events: int, seed: int = 7) -> int:
    """Write a Turtle graph of ``actors`` actors and ``events`` events; return its line count."""
    rng = random.Random(seed)
    lines = [PREFIXES]
    for code, label, broader in CODES:
        lines.append(f'cameo:{code} a skos:Concept ; skos:notation "{code}" ; '
                     f'skos:prefLabel "{label}"@en ; skos:broader cameo:{broader} .')
        lines.append(f'cameo:{broader} a skos:Concept ; skos:notation "{broader}" .')
    for i in range(actors):
        kind = kind_of(i)
        extra = ", sem:Place" if kind == "Country" else ""
        label, alias = f"{kind} {i}", f"{kind[0]}{i}"
        # kgo:nameKey: the names lower-cased, as kg.rdf.name_keys writes them
        keys = ", ".join(f'"{k}"' for k in sorted({label.lower(), alias.lower()}))
        lines.append(f'<actor/a{i}> a sem:Actor, kgo:Actor, schema:{kind}{extra} ; '
                     f'rdfs:label "{label}" ; skos:altLabel "{alias}" ; kgo:nameKey {keys} .')
    places = max(10, actors // 20)
    for p in range(places):
        lines.append(f'<place/p{p}> a sem:Place, schema:City ; rdfs:label "City {p}" .')
    articles = max(1, events // 3)
    for d in range(articles):
        day = 1 + d % 28
        lines.append(f'<article/d{d}> a schema:NewsArticle ; schema:identifier "d{d}" ; '
                     f'schema:headline "Headline of article {d}" ; '
                     f'schema:datePublished "20{15 + d % 10}-{1 + d % 12:02d}-{day:02d}"^^xsd:date .')
    # hubs: actor i is picked with weight 1 / (i + 1) ** 0.8
    weights = [1.0 / (i + 1) ** 0.8 for i in range(actors)]
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    for e in range(events):
        code, label, broader = rng.choices(CODES, weights=CODE_WEIGHTS)[0]
        size = 2 if rng.random() < 0.8 else 3
        members = set()
        while len(members) < size:
            members.add(_pick(cumulative, rng.random() * total))
        members = sorted(members)
        roles = ROLES.get(broader, ("Participant", "Participant"))
        parts = [f'<event/e{e}> a sem:Event, kgo:Event ; rdfs:label "{label} {e}" ; '
                 f"sem:eventType cameo:{code}, cameo:{broader}"]
        for k, a in enumerate(members):
            parts.append(f"sem:hasActor <event/e{e}/role/{k}>")
        when = rng.random()
        year, month, day = 2015 + rng.randrange(10), 1 + rng.randrange(12), 1 + rng.randrange(28)
        if when < 0.8:
            parts.append(f'sem:hasTimeStamp "{year}-{month:02d}-{day:02d}"^^xsd:date')
        elif when < 0.9:
            parts.append(f'sem:hasEarliestBeginTimeStamp "{year}-{month:02d}-01"^^xsd:date ; '
                         f'sem:hasLatestEndTimeStamp "{year}-{month:02d}-28"^^xsd:date')
        if rng.random() < 0.5:
            parts.append(f"sem:hasPlace <place/p{rng.randrange(places)}>")
        if rng.random() < 0.1:
            parts.append("kgo:status kgo:Planned ; schema:eventStatus schema:EventScheduled")
        else:
            parts.append("kgo:status kgo:Occurred")
        parts.append(f"prov:wasDerivedFrom <article/d{rng.randrange(articles)}>")
        lines.append(" ;\n    ".join(parts) + " .")
        for k, a in enumerate(members):
            role = roles[min(k, 1)]
            lines.append(f"<event/e{e}/role/{k}> a sem:Role ; rdf:value <actor/a{a}> ; "
                         f"sem:roleType kgo:{role} .")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def kind_of(i: int) -> str:
    """The schema.org type of generated actor ``i``: 3 persons, 1 country, 1 organisation in 5."""
    return ("Person", "Country", "Person", "Organization", "Person")[i % 5]


def label_of(i: int) -> str:
    return f"{kind_of(i)} {i}"


def _pick(cumulative, x) -> int:
    lo, hi = 0, len(cumulative) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cumulative[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


def chromium_draw_time(html: Path) -> dict:
    """Seconds from navigation to the first drawing, and to the end of stabilisation."""
    if not Path("/usr/bin/chromium").is_file():
        return {"error": "no /usr/bin/chromium"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"error": "no playwright"}
    args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
            "--disable-gpu"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                   else r.abort())
        started = time.perf_counter()
        page.goto(html.resolve().as_uri())
        page.wait_for_function("window.kg && window.kg.drawn", timeout=600_000, polling=50)
        drawn_wall = time.perf_counter() - started
        page.wait_for_function("window.kg.stable", timeout=600_000, polling=100)
        stable_wall = time.perf_counter() - started
        marks = page.evaluate("() => ({drawn: window.kg.drawnAt, stable: window.kg.stableAt || null,"
                              " nodes: window.kg.network.body.nodeIndices.length,"
                              " edges: window.kg.network.body.edgeIndices.length})")
        browser.close()
    return {"drawn": marks["drawn"] / 1000, "stable": (marks["stable"] or marks["drawn"]) / 1000,
            "drawn_wall": drawn_wall, "stable_wall": stable_wall, "nodes": marks["nodes"],
            "edges": marks["edges"]}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="Example: python benchmarks/graph_bench.py --actors 10000 --events 50000")
    p.add_argument("--actors", type=int, default=10_000)
    p.add_argument("--events", type=int, default=50_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--keep", metavar="DIR", help="keep the generated graph and view in DIR")
    p.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    args = p.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from kg.graph import central, load, neighbors, path, timeline, to_networkx
    from kg.view import render

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        ttl = folder / "bench.ttl"
        rows = []
        _, t = timed(generate, ttl, actors=args.actors, events=args.events, seed=args.seed)
        rows.append(("generate Turtle", t, f"{ttl.stat().st_size / 1e6:.1f} MB"))
        g, t = timed(load, ttl)
        rows.append(("load from RDF (kg.graph.load)", t, f"{len(g):,} triples"))
        G, t = timed(to_networkx, g)
        rows.append(("build networkx (to_networkx)", t, f"{G.number_of_nodes():,} nodes, "
                     f"{G.number_of_edges():,} edges"))
        del g
        hub, mid, leaf = label_of(0), label_of(args.actors // 2), label_of(args.actors - 1)
        r, t = timed(neighbors, G, hub)
        rows.append((f"neighbors({hub})", t, f"{len(r)} counterparts"))
        r, t = timed(neighbors, G, hub, families="consult", since="2020", until="2021")
        rows.append((f"neighbors({hub}, consult, 2020-2021)", t, f"{len(r)} counterparts"))
        try:
            r, t = timed(path, G, leaf, mid)
            rows.append((f"path({leaf}, {mid})", t, f"{len(r)} hops"))
        except Exception as exc:  # noqa: BLE001 - report, do not stop
            rows.append((f"path({leaf}, {mid})", float("nan"), str(exc)[:40]))
        r, t = timed(timeline, G, hub)
        rows.append((f"timeline({hub})", t, f"{len(r)} events"))
        r, t = timed(timeline, G, mid)
        rows.append((f"timeline({mid})", t, f"{len(r)} events"))
        for by in ("degree", "weighted", "betweenness", "pagerank"):
            r, t = timed(central, G, by=by, top=10)
            rows.append((f"central(by={by})", t, f"top: {r[0]['label']}"))
        html = folder / "bench.html"
        stats, t = timed(render, G, html, title="benchmark")
        rows.append(("view: render (max_nodes=500)", t,
                     f"{stats['bytes'] / 1e6:.2f} MB HTML; {stats['nodes']} nodes, {stats['edges']} edges, "
                     f"{stats['views']['events']['layout']} layout"))
        if not args.no_browser:
            draw = chromium_draw_time(html)
            if "error" in draw:
                rows.append(("Chromium: drawn", float("nan"), draw["error"]))
            else:
                rows.append(("Chromium: first afterDrawing", draw["drawn"],
                             f"{draw['nodes']} nodes, {draw['edges']} edges drawn "
                             f"(wall {draw['drawn_wall']:.2f} s incl. navigation)"))
                rows.append(("Chromium: stabilised", draw["stable"],
                             f"(wall {draw['stable_wall']:.2f} s)"))
        width = max(len(name) for name, _, _ in rows)
        print(f"graph of {args.actors:,} actors and {args.events:,} events (seed {args.seed})")
        print(f"{'step'.ljust(width)}  {'seconds':>8}  notes")
        print(f"{'-' * width}  {'-' * 8}  -----")
        for name, seconds, note in rows:
            shown = "n/a" if math.isnan(seconds) else f"{seconds:.3f}"
            print(f"{name.ljust(width)}  {shown:>8}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
