"""Benchmark the named queries over HTTP on ``kg serve --store oxigraph`` at a million triples (not a test).

What it does:

1. Generates the graph of ``benchmarks/graph_bench.generate`` (by default 10,000 actors and
   50,000 events: about a million triples, shaped like a kg export, ``kgo:nameKey`` included),
   or reuses ``--graph FILE``.
2. Starts ``kg serve --graph FILE --store oxigraph --port 0`` as a subprocess on 127.0.0.1 (a
   free port), waits until it has loaded the graph, and times every named query
   (``ontology/queries/*.rq``) over HTTP: a POST of the query text with its parameters bound
   (:func:`kg.query.bind_params`, as a client does), answer read in full (SPARQL JSON). Each
   query runs ``--runs`` times; the table gives the median (and the fastest and slowest) in
   milliseconds, wall time at the client, plus the server's own time (``X-KG-Time-Ms``).
   Queries that take a name run for a *typical* actor (``label_of(actors // 2)``: a handful
   of events) and for the biggest *hub* (``label_of(0)``); ``events-between`` for a typical
   actor and one it met, a hub and a typical actor, and two hubs.
3. Unless ``--no-rdflib``, loads the same file into rdflib's default in-memory store
   (:func:`kg.store.open_store` with ``kind="rdflib"``: a few minutes for a million triples)
   in a child process and times the same queries in process (fewer runs, ``--rdflib-limit``
   seconds at most per query), for the ratio. rdflib stays slow on the name queries: its
   evaluator passes bindings into the right side of a join only when neither side holds a
   nested join (``rdflib.plugins.sparql.algebra.analyse``), so the actor found by the lookup
   subquery does not narrow the events part, which is evaluated over the whole graph.

Prints a table and writes JSON (``--json``, default ``benchmarks/serve_results.json``).

Usage::

    python benchmarks/serve_bench.py                              # generate, both engines
    python benchmarks/serve_bench.py --no-rdflib --runs 9         # Oxigraph over HTTP only
    python benchmarks/serve_bench.py --graph /tmp/big.ttl --keep /tmp/sb

The machine may be shared: the medians of several runs are what to read. Times are wall-clock.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SELECTIVE = ("actor-timeline", "events-between", "neighbours")


def cases(actors: int, partner: str | None) -> list[tuple[str, str, dict | None]]:
    """(query, case, params) for every named query: typical and hub actors where there is a name."""
    from graph_bench import label_of
    from kg.query import named_queries
    typical, hub, hub2 = label_of(actors // 2), label_of(0), label_of(1)
    out = []
    for name in named_queries():
        if name in ("actor-timeline", "neighbours"):
            out.append((name, "typical", {"name": typical}))
            out.append((name, "hub", {"name": hub}))
        elif name == "events-between":
            out.append((name, "typical", {"a": typical, "b": partner or hub}))
            out.append((name, "hub+typical", {"a": hub, "b": typical}))
            out.append((name, "hub+hub", {"a": hub, "b": hub2}))
        else:
            out.append((name, "whole graph", None))
    return out


def text_of(query: str, params: dict | None) -> str:
    from kg.query import bind_params, resolve_query
    return bind_params(resolve_query(query), params)


def post(url: str, text: str, timeout: float) -> tuple[float, int, float | None]:
    """POST one query; return (client seconds, rows, server milliseconds)."""
    body = urllib.parse.urlencode({"query": text}).encode("utf-8")
    request = urllib.request.Request(url, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data = response.read()
        server = response.headers.get("X-KG-Time-Ms")
    elapsed = time.perf_counter() - started
    rows = len(json.loads(data)["results"]["bindings"])
    return elapsed, rows, float(server) if server else None


def start_server(graph: Path, timeout: float) -> tuple[subprocess.Popen, str, float]:
    cmd = [sys.executable, "-u", "-c", "import sys; from kg.cli import main; sys.exit(main(sys.argv[1:]))",
           "serve", "--graph", str(graph), "--store", "oxigraph", "--port", "0",
           "--timeout", str(timeout), "--max-rows", "10000000"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = proc.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/sparql)", line)
    if not match:
        proc.kill()
        raise SystemExit(f"kg serve did not start: {line}{proc.stdout.read()}")
    return proc, match.group(1), time.perf_counter() - started


def neighbour_of(url: str, name: str) -> str | None:
    """A counterpart of ``name`` (so that events-between has something to find)."""
    from kg.query import bind_params, resolve_query
    body = urllib.parse.urlencode({"query": bind_params(resolve_query("neighbours"), {"name": name})})
    with urllib.request.urlopen(urllib.request.Request(url, data=body.encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded"}), timeout=600) as response:
        rows = json.load(response)["results"]["bindings"]
    return rows[0]["label"]["value"] if rows else None


def bench_http(graph: Path, args) -> dict:
    from graph_bench import label_of
    proc, url, load_s = start_server(graph, args.server_timeout)
    try:
        partner = neighbour_of(url, label_of(args.actors // 2))
        results = []
        for query, case, params in cases(args.actors, partner):
            text = text_of(query, params)
            runs = args.runs if query in SELECTIVE else args.whole_runs
            times, server, rows, error = [], [], None, None
            try:
                post(url, text, args.server_timeout + 5)  # warm-up, not counted
                for _ in range(runs):
                    t, rows, s = post(url, text, args.server_timeout + 5)
                    times.append(t)
                    server.append(s)
            except Exception as exc:  # noqa: BLE001 - report and go on
                error = str(exc)[:200]
            results.append({"query": query, "case": case, "params": params, "rows": rows,
                            "runs_ms": [round(t * 1000, 2) for t in times],
                            "median_ms": round(statistics.median(times) * 1000, 2) if times else None,
                            "server_median_ms": (round(statistics.median([s for s in server if s is not None]), 2)
                                                 if any(s is not None for s in server) else None),
                            "error": error})
            r = results[-1]
            print(f"  http {query:24} {case:12} median {r['median_ms']} ms, rows {rows}"
                  + (f"  ERROR {error}" if error else ""), flush=True)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return {"url": url, "startup_and_load_s": round(load_s, 2), "queries": results}


def stage_rdflib(graph: Path, args) -> dict:
    """In a child process: load into rdflib's default store and time each query in process."""
    from graph_bench import label_of
    from kg.store import open_store

    class Late(BaseException):  # not an Exception: kg.query turns those into QueryError
        pass

    def alarm(*_):
        raise Late()

    signal.signal(signal.SIGALRM, alarm)
    started = time.perf_counter()
    store = open_store(graph, kind="rdflib")
    load_s = time.perf_counter() - started
    partner = None
    try:
        signal.alarm(int(args.rdflib_limit))
        rows = store.query("neighbours", params={"name": label_of(args.actors // 2)}).rows
        partner = rows[0][0]["value"] if rows else None
    except Late:
        pass
    finally:
        signal.alarm(0)
    results = []
    for query, case, params in cases(args.actors, partner):
        times, rows, error = [], None, None
        for _ in range(args.rdflib_runs):
            try:
                signal.alarm(int(args.rdflib_limit))
                t0 = time.perf_counter()
                rows = len(store.query(query, params=params).rows)
                times.append(time.perf_counter() - t0)
            except Late:
                error = f"over {args.rdflib_limit:g} s"
                break
            finally:
                signal.alarm(0)
        results.append({"query": query, "case": case, "params": params, "rows": rows,
                        "runs_ms": [round(t * 1000, 2) for t in times],
                        "median_ms": round(statistics.median(times) * 1000, 2) if times else None,
                        "error": error})
        print(f"  rdflib {query:24} {case:12} median {results[-1]['median_ms']} ms, rows {rows}"
              + (f"  {error}" if error else ""), file=sys.stderr, flush=True)
    return {"load_s": round(load_s, 2), "triples": store.triples_count, "queries": results}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="Example: python benchmarks/serve_bench.py --no-rdflib --runs 9")
    p.add_argument("--actors", type=int, default=10_000)
    p.add_argument("--events", type=int, default=50_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--graph", type=Path, help="reuse this graph file (made by graph_bench.generate "
                   "with the same --actors) instead of generating one")
    p.add_argument("--keep", metavar="DIR", help="keep the generated graph in DIR")
    p.add_argument("--runs", type=int, default=7, help="timed runs of each selective query (default 7)")
    p.add_argument("--whole-runs", type=int, default=3,
                   help="timed runs of each whole-graph query (default 3)")
    p.add_argument("--server-timeout", type=float, default=300.0,
                   help="kg serve --timeout: seconds a query may run (default 300)")
    p.add_argument("--no-rdflib", action="store_true", help="skip rdflib (its load takes minutes)")
    p.add_argument("--rdflib-runs", type=int, default=3)
    p.add_argument("--rdflib-limit", type=float, default=120.0,
                   help="seconds each rdflib query may take before it is given up (default 120)")
    p.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "serve_results.json")
    p.add_argument("--stage", choices=("rdflib",), help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.stage == "rdflib":
        print(json.dumps(stage_rdflib(args.graph, args)))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        graph = args.graph
        if graph is None:
            from graph_bench import generate
            graph = folder / "big.ttl"
            t0 = time.perf_counter()
            generate(graph, actors=args.actors, events=args.events, seed=args.seed)
            print(f"generated {graph} in {time.perf_counter() - t0:.1f} s", flush=True)
        import pyoxigraph as ox
        triples = len(list(ox.parse(path=str(graph), format=ox.RdfFormat.TURTLE
                                    if graph.suffix == ".ttl" else ox.RdfFormat.N_TRIPLES)))
        out = {"graph": {"file": str(graph), "triples": triples, "bytes": graph.stat().st_size,
                         "actors": args.actors, "events": args.events, "seed": args.seed},
               "command": " ".join(["python", "benchmarks/serve_bench.py", *(argv or sys.argv[1:])])}
        print(f"{triples:,} triples; kg serve --store oxigraph ...", flush=True)
        out["oxigraph_http"] = bench_http(graph, args)
        if not args.no_rdflib:
            print("rdflib (default store), in process ...", flush=True)
            child = subprocess.run([sys.executable, __file__, "--stage", "rdflib", "--graph", str(graph),
                                    "--actors", str(args.actors), "--rdflib-runs", str(args.rdflib_runs),
                                    "--rdflib-limit", str(args.rdflib_limit)],
                                   cwd=ROOT, stdout=subprocess.PIPE, text=True)
            out["rdflib"] = (json.loads(child.stdout.strip().splitlines()[-1]) if child.returncode == 0
                             else {"error": f"exit {child.returncode}"})

    rdf = {(r["query"], r["case"]): r for r in out.get("rdflib", {}).get("queries", [])}
    header = ["query", "case", "rows", "oxigraph HTTP median ms", "(min-max)", "server ms",
              "rdflib ms", "rdflib/ox"]
    lines = []
    for r in out["oxigraph_http"]["queries"]:
        o = rdf.get((r["query"], r["case"]), {})
        ratio = (f"{o['median_ms'] / r['median_ms']:.0f}x" if o.get("median_ms") and r["median_ms"]
                 else "")
        lines.append([r["query"], r["case"], str(r["rows"]),
                      f"{r['median_ms']}" if r["median_ms"] is not None else f"error: {r['error']}",
                      f"{min(r['runs_ms']):.1f}-{max(r['runs_ms']):.1f}" if r["runs_ms"] else "",
                      f"{r['server_median_ms']}" if r.get("server_median_ms") is not None else "",
                      (f"{o['median_ms']}" if o.get("median_ms") is not None else (o.get("error") or ""))
                      if o else "", ratio])
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(header)]
    print(f"\n{out['graph']['triples']:,} triples; oxigraph: kg serve started and loaded in "
          f"{out['oxigraph_http']['startup_and_load_s']} s"
          + (f"; rdflib load {out['rdflib'].get('load_s')} s" if "rdflib" in out else ""))
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)))
    args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
