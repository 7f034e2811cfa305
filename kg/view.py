"""Write a self-contained, offline HTML view of the actor-event graph.

The page inlines vis-network (``kg/data/view/vis-network.min.js``), so it opens with no
network, and uses its own small template instead of pyvis's (which links Bootstrap from a CDN
and switches tooltips to ``innerHTML`` when a title contains "href"). Text from articles only
ever reaches the page as JSON data inside ``<script type="application/json">`` (with ``<``,
``>`` and ``&`` escaped) or as HTML-escaped text; vis-network draws labels on a canvas and
shows string tooltips as plain text.

The page holds two views of the same selection and a button to switch between them: the
bipartite view (actors and event nodes, edges labelled with roles) and the actor view (actors
linked by the number of events they share).

Examples
--------
>>> import tempfile, os
>>> from kg.graph import load, to_networkx
>>> G = to_networkx(load("tests/data/graph-small.ttl"))
>>> with tempfile.TemporaryDirectory() as tmp:
...     stats = render(G, os.path.join(tmp, "graph.html"), title="Small graph")
>>> stats["nodes"], stats["edges"], stats["dropped_nodes"]
(16, 16, 0)
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import tempfile
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from kg.errors import GraphError
from kg.graph import _event_filter, _span, _when, find_actor, to_networkx

__all__ = ["render"]

DATA_DIR = Path(__file__).parent / "data" / "view"
#: Above this many nodes a view is laid out in Python and drawn with physics off.
STATIC_LAYOUT_ABOVE = 300
_MODES = ("events", "actors")
_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")
_TOOLTIP_SOURCES = 5
_TOOLTIP_EVENTS = 8


@lru_cache(maxsize=1)
def _style() -> dict:
    style = json.loads((DATA_DIR / "style.json").read_text(encoding="utf-8"))
    colours = [v["color"] for v in style["actors"].values()]
    colours += [v["color"] for v in style["families"].values()]
    colours += [style["edges"]["color"], style["edges"]["highlight"]]
    bad = [c for c in colours if not _COLOUR.fullmatch(c)]
    if bad:
        raise GraphError(f"bad colour {bad[0]!r} in {DATA_DIR / 'style.json'}; expected #rgb or #rrggbb")
    return style


@lru_cache(maxsize=1)
def _vis_network_js() -> str:
    script = (DATA_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    if "</script" in script.lower():  # would end the inline <script> early
        raise GraphError("vis-network.min.js contains '</script' and cannot be inlined")
    return script


def render(G, path, *, focus=None, depth=2, since=None, until=None, families=None,
           max_nodes=500, mode="events", title="kg") -> dict:
    """Write an offline HTML view of ``G`` to ``path`` and return statistics.

    ``G`` is the graph of :func:`kg.graph.to_networkx` (an :class:`rdflib.Graph` is converted).
    ``focus`` (an actor name or IRI) keeps the actors within ``depth`` interactions of it;
    ``since``, ``until`` and ``families`` keep some events, as in :func:`kg.graph.neighbors`.
    Each view keeps at most ``max_nodes`` nodes, the most connected first, and the page says
    how many were left out. ``mode`` ("events" or "actors") is the view shown first. The file
    is written atomically. The returned dict has ``nodes``, ``edges``, ``dropped_nodes`` and
    ``dropped_edges`` of the view shown first, ``bytes`` of the file, and ``views`` with the
    counts of both views.
    """
    import rdflib

    if isinstance(G, rdflib.Graph):
        G = to_networkx(G)
    if mode not in _MODES:
        raise GraphError(f"unknown view mode {mode!r}; expected one of: {', '.join(_MODES)}")
    if not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1:
        raise GraphError(f"bad max_nodes {max_nodes!r}; expected a positive whole number")
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 0:
        raise GraphError(f"bad depth {depth!r}; expected a whole number, 0 or more")

    keep = _event_filter(G, families, since, until)
    centre = find_actor(G, focus) if focus is not None else None
    actors, events = _select(G, keep, centre, depth,
                             filtered=families is not None or since is not None or until is not None)
    views = {
        "events": _events_view(G, actors, events, max_nodes, centre),
        "actors": _actors_view(G, actors, events, max_nodes, centre),
    }
    filters = _describe_filters(G, centre, depth, since, until, families)
    page = _page(G, views, mode=mode, title=str(title), filters=filters, max_nodes=max_nodes)
    data = page.encode("utf-8")
    _write_atomically(Path(path), data)
    shown = views[mode]
    return {
        "nodes": len(shown["nodes"]), "edges": len(shown["edges"]),
        "dropped_nodes": shown["dropped_nodes"], "dropped_edges": shown["dropped_edges"],
        "bytes": len(data), "mode": mode,
        "views": {name: {"nodes": len(v["nodes"]), "edges": len(v["edges"]),
                         "dropped_nodes": v["dropped_nodes"], "dropped_edges": v["dropped_edges"],
                         "layout": "static" if not v["physics"] else "physics"}
                  for name, v in views.items()},
    }


# --------------------------------------------------------------------------- selection


def _select(G, keep, centre, depth, *, filtered):
    """The actors and events to draw: the whole (filtered) graph, or a focus's neighbourhood."""
    if centre is None:
        events = {n for n, d in G.nodes(data=True) if d.get("kind") == "event" and keep(n)}
        actors = {a for e in events for a in G.successors(e)}
        if not filtered:  # actors without events belong to the unfiltered picture too
            actors.update(n for n, d in G.nodes(data=True) if d.get("kind") == "actor")
        return actors, events
    # bounded breadth-first search from the focus, stepping through kept events
    seen, frontier, events = {centre}, [centre], set()
    for _ in range(depth):
        following = []
        for x in sorted(frontier):
            for e in sorted(set(G.predecessors(x))):
                if not keep(e):
                    continue
                events.add(e)
                for y in sorted(set(G.successors(e))):
                    if y not in seen:
                        seen.add(y)
                        following.append(y)
        frontier = following
    return seen, events


def _most_connected(degree: dict, limit: int, first=None) -> list:
    """The ``limit`` nodes of highest degree (ties by id); ``first`` is always kept."""
    return sorted(degree, key=lambda n: (n != first, -degree[n], n))[:limit]


def _keep_events_view(members: dict, degree: dict, limit: int, first=None) -> set:
    """Choose at most ``limit`` actors and events, the most connected actors first.

    Actors are taken in order of degree (``first`` before all); an event comes in with the
    actor that makes it visible as an interaction (its second kept actor, or its only actor).
    An actor that would bring more events than there is room for is passed over, so what is
    drawn is a dense core, not a cloud of hubs without their events. Actors and events without
    links fill what room is left.
    """
    events_of = defaultdict(list)
    for e, group in members.items():
        for a in group:
            events_of[a].append(e)
    need = {e: min(2, len(group)) for e, group in members.items()}
    seen = dict.fromkeys(members, 0)
    kept: set = set()
    for a in sorted(degree, key=lambda n: (n != first, -degree[n], n)):
        if len(kept) >= limit or (not degree[a] and a != first):
            break
        fresh = [e for e in events_of[a] if seen[e] + 1 == need[e]]
        if len(kept) + 1 + len(fresh) > limit:
            if a == first:  # the focus is always drawn, with as many events as fit
                kept.add(a)
                kept.update(sorted(fresh)[:limit - len(kept)])
            continue
        kept.add(a)
        kept.update(fresh)
        for e in events_of[a]:
            seen[e] += 1
    spare = sorted(a for a in degree if not degree[a] and a not in kept)
    spare += sorted(e for e in members if not need[e])
    kept.update(spare[:max(0, limit - len(kept))])
    return kept


def _events_view(G, actors, events, max_nodes, centre) -> dict:
    edges = sorted((e, a, role) for e in events for _, a, role in G.out_edges(e, keys=True)
                   if a in actors)
    members = {e: set() for e in events}
    degree = dict.fromkeys(actors, 0)
    for e, a, _ in edges:
        if a not in members[e]:
            members[e].add(a)
            degree[a] += 1
    kept = _keep_events_view(members, degree, max_nodes, centre)
    kept_edges = [t for t in edges if t[0] in kept and t[1] in kept]
    kept_degree = defaultdict(int)
    for e, a, _ in kept_edges:
        kept_degree[e] += 1
        kept_degree[a] += 1
    nodes = [_actor_node(G, n, kept_degree[n]) if n in actors else _event_node(G, n, kept_degree[n])
             for n in sorted(kept)]
    edge_rows = [{"id": f"r{i}", "from": a, "to": e, "label": role,
                  "title": f"{G.nodes[a].get('label')}: {role} in\n{G.nodes[e].get('label')}"}
                 for i, (e, a, role) in enumerate(kept_edges)]
    return _finish(nodes, edge_rows, len(actors) + len(events) - len(kept),
                   len(edges) - len(kept_edges), [(a, e) for e, a, _ in kept_edges])


def _actors_view(G, actors, events, max_nodes, centre) -> dict:
    pairs = defaultdict(list)
    for e in sorted(events):
        members = sorted({a for a in G.successors(e) if a in actors})
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pairs[a, b].append(e)
    degree = dict.fromkeys(actors, 0)
    for a, b in pairs:
        degree[a] += 1
        degree[b] += 1
    kept = set(_most_connected(degree, max_nodes, centre))
    kept_pairs = sorted(p for p in pairs if p[0] in kept and p[1] in kept)
    kept_degree = defaultdict(int)
    for a, b in kept_pairs:
        kept_degree[a] += 1
        kept_degree[b] += 1
    nodes = [_actor_node(G, n, kept_degree[n]) for n in sorted(kept)]
    edge_rows = []
    for i, (a, b) in enumerate(kept_pairs):
        evs = sorted(pairs[a, b], key=lambda e: (_span(G.nodes[e])[0] is None,
                                                 _span(G.nodes[e])[0] or "", e))
        edge_rows.append({"id": f"p{i}", "from": a, "to": b, "label": str(len(evs)),
                          "value": len(evs), "title": _pair_title(G, a, b, evs)})
    return _finish(nodes, edge_rows, len(degree) - len(kept), len(pairs) - len(kept_pairs),
                   kept_pairs)


def _finish(nodes, edges, dropped_nodes, dropped_edges, links) -> dict:
    physics = len(nodes) <= STATIC_LAYOUT_ABOVE
    if not physics:
        positions = _layout([n["id"] for n in nodes], links)
        for node in nodes:
            node["x"], node["y"] = positions[node["id"]]
    return {"nodes": nodes, "edges": edges, "dropped_nodes": dropped_nodes,
            "dropped_edges": dropped_edges, "physics": physics}


# --------------------------------------------------------------------------- nodes and text


def _size(degree: int) -> float:
    size = _style()["size"]
    return round(min(size["max"], size["min"] + size["step"] * math.sqrt(degree)), 1)


def _actor_node(G, n, degree) -> dict:
    attrs = G.nodes[n]
    look = _style()["actors"].get(attrs.get("actor_type") or "other", _style()["actors"]["other"])
    lines = [attrs.get("label") or n, f"{look['legend']}"]
    if attrs.get("aliases"):
        lines.append("also: " + ", ".join(attrs["aliases"]))
    for title in attrs.get("titles", ()):
        lines.append("title: " + title)
    events = len(set(G.predecessors(n)))
    lines.append(f"{events} event{'s' if events != 1 else ''}")
    lines.append(n)
    return {"id": n, "label": attrs.get("label") or n, "kind": "actor", "shape": look["shape"],
            "color": look["color"], "size": _size(degree), "title": "\n".join(lines)}


def _event_node(G, n, degree) -> dict:
    attrs = G.nodes[n]
    style = _style()
    family = attrs.get("family") or "other"
    colour = style["families"].get(family, style["families"]["other"])["color"]
    when = _when(attrs)
    kind = attrs.get("type_label") or family
    lines = [attrs.get("label") or n]
    codes = ", ".join(attrs.get("codes", ()))
    lines.append((f"{kind} ({codes})" if codes else kind) + f", family: {family}")
    lines.append(f"{when or 'date unknown'}, {attrs.get('status')}")
    if attrs.get("places"):
        lines.append("place: " + ", ".join(attrs["places"]))
    sources = attrs.get("sources", ())
    for source in sources[:_TOOLTIP_SOURCES]:
        text = source.get("headline") or source.get("id")
        if source.get("published"):
            text += f" ({source['published']})"
        lines.append("source: " + text)
    if len(sources) > _TOOLTIP_SOURCES:
        lines.append(f"... and {len(sources) - _TOOLTIP_SOURCES} more sources")
    node = {"id": n, "label": f"{kind}\n{when}" if when else kind, "kind": "event",
            "shape": style["event"]["shape"], "color": colour, "size": _size(degree),
            "title": "\n".join(lines)}
    if attrs.get("status") == "planned":
        node["shapeProperties"] = {"borderDashes": style["event"]["planned_border_dashes"]}
        node["borderWidth"] = 2
    return node


def _pair_title(G, a, b, evs) -> str:
    lines = [f"{G.nodes[a].get('label')} and {G.nodes[b].get('label')}: "
             f"{len(evs)} shared event{'s' if len(evs) != 1 else ''}"]
    for e in evs[:_TOOLTIP_EVENTS]:
        when = _when(G.nodes[e])
        lines.append(f"{when or 'undated'}: {G.nodes[e].get('label')}")
    if len(evs) > _TOOLTIP_EVENTS:
        lines.append(f"... and {len(evs) - _TOOLTIP_EVENTS} more")
    return "\n".join(lines)


def _describe_filters(G, centre, depth, since, until, families) -> str:
    parts = []
    if centre is not None:
        parts.append(f"around {G.nodes[centre].get('label')} (depth {depth})")
    if since is not None or until is not None:
        parts.append(f"from {since or 'the start'} to {until or 'the end'}")
    if families is not None:
        wanted = [families] if isinstance(families, str) else sorted(families)
        parts.append("families: " + ", ".join(map(str, wanted)))
    return "; ".join(parts)


# --------------------------------------------------------------------------- layout


def _layout(nodes: list, links: list, *, seed: int = 7) -> dict:
    """Force-directed positions (Fruchterman-Reingold, numpy), fixed seed, in pixels.

    networkx's spring_layout needs SciPy above 500 nodes; this one needs only numpy and
    computes repulsion in blocks, so memory stays linear in the number of nodes.
    """
    import numpy as np

    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    rng = np.random.default_rng(seed)
    pos = (rng.random((n, 2)) - 0.5).astype(np.float32)
    x, y = pos[:, 0].copy(), pos[:, 1].copy()
    src = np.array([index[a] for a, b in links], dtype=np.int64)
    dst = np.array([index[b] for a, b in links], dtype=np.int64)
    k = math.sqrt(1.0 / n)
    k2 = np.float32(k * k)
    iterations = 60 if n <= 2000 else 30
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    block = max(1, min(n, 2_000_000 // max(n, 1)))
    for _ in range(iterations):
        # repulsion between every pair, in blocks of rows (float32: half the memory traffic)
        disp_x = np.empty(n, dtype=np.float32)
        disp_y = np.empty(n, dtype=np.float32)
        for start in range(0, n, block):
            dx = x[start:start + block, None] - x[None, :]
            dy = y[start:start + block, None] - y[None, :]
            force = k2 / np.maximum(dx * dx + dy * dy, np.float32(1e-9))
            disp_x[start:start + block] = (dx * force).sum(axis=1)
            disp_y[start:start + block] = (dy * force).sum(axis=1)
        if len(src):
            dx, dy = x[src] - x[dst], y[src] - y[dst]
            dist = np.sqrt(dx * dx + dy * dy) / np.float32(k)
            np.add.at(disp_x, src, -dx * dist)
            np.add.at(disp_x, dst, dx * dist)
            np.add.at(disp_y, src, -dy * dist)
            np.add.at(disp_y, dst, dy * dist)
        gravity = np.float32(0.5 * k * n ** 0.5)   # keeps components together
        disp_x -= x * gravity
        disp_y -= y * gravity
        length = np.maximum(np.sqrt(disp_x * disp_x + disp_y * disp_y), np.float32(1e-9))
        step = np.minimum(length, np.float32(temperature)) / length
        x += disp_x * step
        y += disp_y * step
        temperature -= cooling
    pos = np.stack([x, y], axis=1).astype(np.float64)
    pos -= pos.mean(axis=0)
    extent = float(np.abs(pos).max()) or 1.0
    scale = 40.0 * math.sqrt(n) / extent
    return {node: (round(float(pos[i, 0] * scale), 1), round(float(pos[i, 1] * scale), 1))
            for node, i in index.items()}


# --------------------------------------------------------------------------- the page


def _json_for_script(value) -> str:
    """JSON that is safe inside a <script> element: no <, >, & or line separators."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _legend(G, views, mode) -> str:
    """The legend as HTML: only the kinds and families present, texts escaped."""
    style = _style()
    esc = html.escape
    types, families, planned = set(), set(), False
    for view in views.values():
        for node in view["nodes"]:
            attrs = G.nodes[node["id"]]
            if attrs.get("kind") == "event":
                family = attrs.get("family")
                families.add(family if family in style["families"] else "other")
                planned = planned or attrs.get("status") == "planned"
            else:
                kind = attrs.get("actor_type")
                types.add(kind if kind in style["actors"] else "other")
    rows = []
    for name, look in style["actors"].items():
        if name in types:
            rows.append(f'<li><span class="sym" style="color:{look["color"]}">'
                        f'{esc(look["symbol"])}</span> {esc(look["legend"])}</li>')
    event = style["event"]
    if families:
        rows.append(f'<li><span class="sym">{esc(event["symbol"])}</span> '
                    f'{esc(event["legend"])}</li>')
    for name, look in style["families"].items():
        if name in families:
            rows.append(f'<li class="fam"><span class="swatch" style="background:{look["color"]}">'
                        f'</span> {esc(look["legend"])}</li>')
    if planned:
        rows.append(f'<li><span class="dashed"></span> {esc(event["planned_legend"])}</li>')
    for name, text in (("events", style["edges"]["role_legend"]),
                       ("actors", style["edges"]["weight_legend"])):
        hidden = "" if name == mode else " hidden"
        rows.append(f'<li class="note" data-view="{name}"{hidden}>{esc(text)}</li>')
    rows.append(f'<li class="note">{esc(style["size"]["legend"])}</li>')
    return "\n".join(rows)


def _notice(view, max_nodes: int) -> str:
    if not view["dropped_nodes"] and not view["dropped_edges"]:
        return ""
    return (f"Left out {view['dropped_nodes']} nodes and {view['dropped_edges']} edges: "
            f"this view shows at most {max_nodes} nodes, the most connected first "
            f"(max_nodes={max_nodes}).")


def _page(G, views, *, mode, title, filters, max_nodes) -> str:
    esc = html.escape
    payload = {"mode": mode, "views": {}}
    for name, view in views.items():
        payload["views"][name] = {
            "nodes": view["nodes"], "edges": view["edges"], "physics": view["physics"],
            "summary": (f"{len(view['nodes'])} nodes, {len(view['edges'])} edges"
                        + ("" if view["physics"] else "; laid out in advance, physics off")),
            "notice": _notice(view, max_nodes),
        }
    notices = "\n".join(
        f'<p class="notice" data-view="{name}"{"" if name == mode else " hidden"}>'
        f"{esc(_notice(view, max_nodes))}</p>"
        for name, view in views.items() if _notice(view, max_nodes))
    return _TEMPLATE.format(
        title=esc(title),
        filters=esc(filters),
        legend=_legend(G, views, mode),
        notices=notices,
        summary=esc(payload["views"][mode]["summary"]),
        events_pressed="true" if mode == "events" else "false",
        actors_pressed="true" if mode == "actors" else "false",
        vis=_vis_network_js(),
        data=_json_for_script(payload),
        app=_APP_JS,
    )


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


_CSS = """
html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, sans-serif; color: #222; }
body { display: flex; flex-direction: column; }
header { padding: 6px 12px; border-bottom: 1px solid #ddd; display: flex; flex-wrap: wrap;
         align-items: baseline; gap: 4px 16px; }
header h1 { font-size: 18px; margin: 0; }
header .filters, header .summary { color: #555; }
header button { font: inherit; padding: 2px 10px; border: 1px solid #888; background: #f4f4f4;
                border-radius: 3px; cursor: pointer; }
header button[aria-pressed="true"] { background: #2171b5; border-color: #2171b5; color: #fff; }
.notice { margin: 0; padding: 4px 12px; background: #fff3cd; border-bottom: 1px solid #e0c97f; }
main { flex: 1; display: flex; min-height: 0; }
#kg-network { flex: 1; position: relative; min-width: 0; }
#kg-legend { width: 230px; overflow: auto; border-left: 1px solid #ddd; padding: 8px 12px;
             font-size: 13px; }
#kg-legend h2 { font-size: 14px; margin: 0 0 6px; }
#kg-legend ul { list-style: none; margin: 0; padding: 0; }
#kg-legend li { margin: 2px 0; }
#kg-legend .sym { display: inline-block; width: 1.2em; text-align: center; }
#kg-legend .swatch { display: inline-block; width: 0.9em; height: 0.9em; margin: 0 0.15em;
                     vertical-align: -0.1em; border: 1px solid #666; }
#kg-legend .dashed { display: inline-block; width: 0.9em; height: 0.9em; margin: 0 0.15em;
                     vertical-align: -0.1em; border: 2px dashed #444; box-sizing: border-box; }
#kg-legend .note { color: #555; margin-top: 6px; }
#kg-message { position: absolute; top: 40%; width: 100%; text-align: center; color: #555; }
div.vis-tooltip { position: absolute; visibility: hidden; z-index: 5; pointer-events: none;
                  padding: 5px 8px; max-width: 420px; white-space: pre-wrap;
                  font: 13px/1.35 system-ui, sans-serif; color: #000; background: #fffdf2;
                  border: 1px solid #808074; border-radius: 3px;
                  box-shadow: 3px 3px 10px rgba(0, 0, 0, 0.2); }
.vis-network:focus { outline: none; }
"""

_APP_JS = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var container = document.getElementById("kg-network");
  var message = document.getElementById("kg-message");
  var summary = document.getElementById("kg-summary");
  var state = { view: null, network: null };
  window.kg = state;
  if (typeof vis === "undefined") {
    message.textContent = "The graph library did not load.";
    return;
  }
  function options(view) {
    return {
      autoResize: true,
      nodes: { borderWidth: 1, font: { size: 14, face: "system-ui, sans-serif", multi: false } },
      edges: { smooth: false, color: { color: "#8c8c8c", highlight: "#222222" },
               font: { size: 10, color: "#555555", strokeWidth: 3, align: "middle" },
               scaling: { min: 1, max: 8 } },
      interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: view.nodes.length > 300 },
      layout: { randomSeed: 7, improvedLayout: view.physics && view.nodes.length <= 150 },
      physics: view.physics
        ? { enabled: true, solver: "barnesHut",
            stabilization: { enabled: true, iterations: 200, fit: true } }
        : { enabled: false }
    };
  }
  function show(name) {
    var view = data.views[name];
    if (state.network) { state.network.destroy(); }
    message.textContent = view.nodes.length ? "" : "Nothing to show.";
    var network = new vis.Network(container, {
      nodes: new vis.DataSet(view.nodes),
      edges: new vis.DataSet(view.edges)
    }, options(view));
    // state.drawn / state.stable tell tests and benchmarks when the network is on screen
    state.drawn = false;
    state.stable = !view.physics;
    network.once("afterDrawing", function () {
      state.drawn = true;
      state.drawnAt = performance.now();
    });
    if (view.physics) {
      network.once("stabilizationIterationsDone", function () {
        network.setOptions({ physics: { enabled: false } });
        state.stable = true;
        state.stableAt = performance.now();
      });
    }
    state.view = name;
    state.network = network;
    document.body.setAttribute("data-view", name);
    summary.textContent = view.summary;
    var buttons = document.querySelectorAll("button[data-view]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", buttons[i].getAttribute("data-view") === name ? "true" : "false");
    }
    var tagged = document.querySelectorAll(".notice[data-view], #kg-legend [data-view]");
    for (var j = 0; j < tagged.length; j++) {
      tagged[j].hidden = tagged[j].getAttribute("data-view") !== name;
    }
  }
  var toggles = document.querySelectorAll("button[data-view]");
  for (var k = 0; k < toggles.length; k++) {
    toggles[k].addEventListener("click", function (event) {
      show(event.currentTarget.getAttribute("data-view"));
    });
  }
  show(data.mode);
})();
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:">
<title>{title}</title>
<style>""" + _CSS.replace("{", "{{").replace("}", "}}") + """</style>
</head>
<body data-view="">
<header>
<h1>{title}</h1>
<span class="filters">{filters}</span>
<span role="group" aria-label="view">
<button type="button" data-view="events" aria-pressed="{events_pressed}">Events</button>
<button type="button" data-view="actors" aria-pressed="{actors_pressed}">Actors</button>
</span>
<span class="summary" id="kg-summary">{summary}</span>
</header>
{notices}
<main>
<div id="kg-network"><div id="kg-message">This view needs JavaScript.</div></div>
<aside id="kg-legend">
<h2>Legend</h2>
<ul>
{legend}
</ul>
</aside>
</main>
<script>
{vis}
</script>
<script type="application/json" id="kg-data">{data}</script>
<script>{app}</script>
</body>
</html>
"""
