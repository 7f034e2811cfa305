"""Benchmark kg at scale, in one run: extraction throughput, memory, exports, SPARQL, networkx.

    python benchmarks/bench.py --articles 300 --jobs 2 --triples 1000000 --json benchmarks/results.json

What it does, each measured step in a fresh process (so peak memory is per step):

1. Assembles a corpus of ``--articles`` articles from real article text (``../shared/eval/dev``,
   ``../shared/eval/timex``, ``seeds/``; repeated with new ids) as one JSON Lines file.
2. ``pipe``: the bare spaCy pipeline of the model kg uses, ``nlp.pipe(texts, n_process=N,
   batch_size=16)`` over the same texts: words/s and articles/s, with the model loaded (the
   strict reference, "ratio") and as a whole process (start-up and model load included, as a
   ``kg build`` is measured: "vs process").
3. ``kg build --clean --jobs N`` over the same file (the default build: every export and the
   view), then with ``--validate`` (SHACL) and with ``--no-view``: words/s, articles/s, the
   ratios, CPU seconds, peak memory, the exports' sizes. Steps 2 and 3 run ``--rounds`` times;
   ratios are taken within a round and the medians reported.
4. Replicates the built graph with new IRIs (and numbered labels, so that a selective query
   stays selective) to about ``--triples`` triples and times each named query
   (``ontology/queries/*.rq``) on pyoxigraph and on rdflib's default store (through
   :func:`kg.store.open_store`), plus the networkx load (:func:`kg.graph.to_networkx`).

Times are wall-clock seconds; CPU seconds (user+sys of a step and its workers) are reported
too, because on a shared machine wall time also measures the neighbours. Not part of the test
run.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import subprocess
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT.parent / "shared" / "eval" / "dev", ROOT.parent / "shared" / "eval" / "timex", ROOT / "seeds"]
KGR = "https://w3id.org/kg-news/id/"
# names get the copy's number, so that looking one up stays selective (kgo:nameKey: the lower-cased names)
LABELS = ("<http://www.w3.org/2000/01/rdf-schema#label>", "<http://www.w3.org/2004/02/skos/core#altLabel>",
          "<https://w3id.org/kg-news/ontology#nameKey>")


# ------------------------------------------------------------------------------ helpers
def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    import spacy
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": mem, "python": platform.python_version(),
            "spacy": spacy.__version__, "platform": platform.platform(), "loadavg_start": os.getloadavg()}


WRAPPER = ("import json, resource, subprocess, sys\n"
           "rc = subprocess.call(sys.argv[1:])\n"
           "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
           "sys.stderr.write('\\nBENCH-RUSAGE ' + json.dumps({'rc': rc, 'cpu': ru.ru_utime + ru.ru_stime, "
           "'maxrss_mb': ru.ru_maxrss / 1024}) + '\\n')\n"
           "sys.exit(rc)\n")


def run_step(argv: list[str], *, timeout: float | None = None) -> dict:
    """Run a command in a fresh process; return wall and CPU seconds (with its workers), peak RSS, output."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", WRAPPER] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, err = proc.communicate()
        timed_out = True
    wall = time.perf_counter() - t0
    usage = {"rc": proc.returncode, "cpu": None, "maxrss_mb": None}
    for line in err.splitlines():
        if line.startswith("BENCH-RUSAGE "):
            usage = json.loads(line.split(" ", 1)[1])
    return {"wall": wall, "cpu": usage["cpu"], "peak_rss_mb": usage["maxrss_mb"], "rc": usage["rc"],
            "stdout": out, "stderr": err[-2000:], "timed_out": timed_out}


def step_json(stdout: str) -> list[dict]:
    return [json.loads(ln) for ln in stdout.splitlines() if ln.startswith("{")]


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# ------------------------------------------------------------------------------ corpus
def assemble(n: int, path: Path) -> dict:
    """Write ``n`` articles of real text (repeated with new ids) to ``path`` as JSON Lines."""
    sys.path.insert(0, str(ROOT))
    from kg.ingest import read
    from kg.model import Article
    base, seen = [], set()
    for a in read([s for s in SOURCES if s.exists()]):
        if isinstance(a, Article) and a.text not in seen:
            seen.add(a.text)
            base.append(a)
    if not base:
        raise SystemExit("no source articles found (expected ../shared/eval/dev or seeds/)")
    words = 0
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            a = base[i % len(base)]
            words += len(a.text.split())
            fh.write(json.dumps({"id": f"{a.id}-r{i // len(base)}", "text": a.text, "title": a.title,
                                 "published": a.published.isoformat() if a.published else None,
                                 "source": a.source}, ensure_ascii=False) + "\n")
    return {"articles": n, "distinct_texts": len(base), "words": words, "bytes": path.stat().st_size}


def replicate(nt: Path, target: int, out: Path) -> dict:
    """Copies of an N-Triples graph with new IRIs (and numbered labels) up to ``target`` triples."""
    lines = [ln for ln in nt.read_text(encoding="utf-8").splitlines() if ln.strip()]
    copies = max(1, math.ceil(target / max(1, len(lines))))
    label_re = re.compile(r'^(\S+ (?:%s) )"(.*)"(.*)$' % "|".join(re.escape(p) for p in LABELS))
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for k in range(copies):
            for ln in lines:
                if k:
                    ln = ln.replace(f"<{KGR}", f"<{KGR}c{k}/")
                    m = label_re.match(ln)
                    if m:
                        ln = f'{m.group(1)}"{m.group(2)} {k}"{m.group(3)}'
                fh.write(ln + "\n")
                n += 1
    return {"copies": copies, "triples": n, "bytes": out.stat().st_size}


# ------------------------------------------------------------------------------ steps (child side)
def _model_name(name: str | None) -> str:
    import spacy
    from kg.extract import DEFAULT_MODEL, FALLBACK_MODELS
    for n in ([name] if name else []) + [DEFAULT_MODEL, *FALLBACK_MODELS]:
        if spacy.util.is_package(n):
            return n
    return name or DEFAULT_MODEL


def stage_pipe(args) -> None:
    import spacy
    from kg.ingest import read
    from kg.model import Article
    texts = [a.text for a in read([args.corpus]) if isinstance(a, Article)]
    t0 = time.perf_counter()
    nlp = spacy.load(_model_name(args.model))
    t1 = time.perf_counter()
    n = 0
    for _ in nlp.pipe(texts, batch_size=16, n_process=args.jobs):
        n += 1
    t2 = time.perf_counter()
    print(json.dumps({"model": nlp.meta["name"], "pipeline": nlp.pipe_names, "docs": n,
                      "words": sum(len(t.split()) for t in texts), "load_s": t1 - t0, "pipe_s": t2 - t1}))


def stage_sparql(args) -> None:
    from kg.query import named_queries
    t0 = time.perf_counter()
    try:
        from kg.store import open_store
        store = open_store([args.graph] if args.graph else [], kind=args.engine, store_path=args.store_path)
        run = lambda name: store.query(name)  # noqa: E731
        count = lambda res: len(res.rows) if res.rows is not None else len(res.triples or [])  # noqa: E731
        graph = getattr(store, "graph", None)
    except ImportError:   # no kg.store: the engines directly
        if args.engine == "oxigraph":
            import pyoxigraph as ox
            graph = ox.Store()
            graph.bulk_load(path=args.graph, format=ox.RdfFormat.N_TRIPLES)
            run = lambda name: list(graph.query(named_queries()[name].read_text()))  # noqa: E731
        else:
            from rdflib import Graph
            graph = Graph().parse(args.graph, format="nt")
            run = lambda name: list(graph.query(named_queries()[name].read_text()))  # noqa: E731
        count = len
    load = time.perf_counter() - t0
    print(json.dumps({"engine": args.engine, "load_s": load, "peak_rss_mb": peak_rss_mb()}), flush=True)
    if args.no_queries:
        return
    import signal

    fired = []

    def expired(*_):
        fired.append(True)
        raise TimeoutError

    signal.signal(signal.SIGALRM, expired)
    for name in ([args.query] if args.query else named_queries()):
        times, rows = [], None
        try:
            for _ in range(args.repeat):
                signal.alarm(int(args.query_timeout))
                t = time.perf_counter()
                res = run(name)
                rows = count(res)
                times.append(time.perf_counter() - t)
                signal.alarm(0)
                if times[-1] > 5:      # slow enough that one run is the measurement
                    break
        except Exception:   # noqa: BLE001 - kg.query wraps the TimeoutError in a QueryError
            signal.alarm(0)
            if not fired:
                raise
            fired.clear()
            print(json.dumps({"engine": args.engine, "query": name, "seconds": None, "rows": None,
                              "timeout": args.query_timeout}), flush=True)
            continue
        print(json.dumps({"engine": args.engine, "query": name, "seconds": sorted(times)[len(times) // 2], "runs": len(times),
                          "rows": rows}), flush=True)
    print(json.dumps({"engine": args.engine, "peak_rss_mb": peak_rss_mb()}), flush=True)
    if args.engine == "rdflib":
        from kg.graph import to_networkx
        g = graph if graph is not None and hasattr(graph, "triples") else None
        if g is None:
            from kg.graph import load as load_graph
            g = load_graph(args.graph)
        t = time.perf_counter()
        G = to_networkx(g)
        print(json.dumps({"networkx_s": time.perf_counter() - t, "nodes": G.number_of_nodes(),
                          "edges": G.number_of_edges(), "peak_rss_mb": peak_rss_mb()}), flush=True)


# ------------------------------------------------------------------------------ the run
def fmt_row(cells, widths):
    return "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))


def table(header, rows) -> str:
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    return "\n".join([fmt_row(header, widths), fmt_row(["-" * w for w in widths], widths)]
                     + [fmt_row(r, widths) for r in rows])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="Example: python benchmarks/bench.py --articles 300 --jobs 2 "
                                       "--json benchmarks/results.json")
    p.add_argument("--articles", type=int, default=300, help="corpus size in articles (default 300)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)")
    p.add_argument("--rounds", type=int, default=3, help="rounds of the extraction measurements (default 3; "
                   "medians reported)")
    p.add_argument("--triples", type=int, default=1_000_000, help="size of the SPARQL graph (default 1,000,000)")
    p.add_argument("--model", help="spaCy model (default: kg's)")
    p.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results.json", help="where to write JSON")
    p.add_argument("--no-sparql", action="store_true", help="skip the SPARQL and networkx part")
    p.add_argument("--rdflib-timeout", type=float, default=1800, help="seconds for the whole rdflib step")
    p.add_argument("--query-timeout", type=float, default=300, help="seconds for one query before it is "
                   "abandoned and reported as timed out (default 300)")
    p.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    p.add_argument("--stage", choices=("pipe", "sparql"), help=argparse.SUPPRESS)
    p.add_argument("--corpus", help=argparse.SUPPRESS)
    p.add_argument("--graph", help=argparse.SUPPRESS)
    p.add_argument("--engine", help=argparse.SUPPRESS)
    p.add_argument("--repeat", type=int, default=3, help=argparse.SUPPRESS)
    p.add_argument("--query", help=argparse.SUPPRESS)
    p.add_argument("--store-path", help=argparse.SUPPRESS)
    p.add_argument("--no-queries", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.stage == "pipe":
        stage_pipe(args)
        return 0
    if args.stage == "sparql":
        stage_sparql(args)
        return 0

    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    py, me = sys.executable, str(Path(__file__).resolve())
    kg = [py, "-m", "kg.cli"]
    res: dict = {"machine": machine(), "command": " ".join(["python", "benchmarks/bench.py"] + (argv or sys.argv[1:])),
                 "jobs": args.jobs}
    print(f"machine: {res['machine']['nproc']} cores, {res['machine']['cpu']}, load {res['machine']['loadavg_start']}",
          flush=True)
    corpus = work / "corpus.jsonl"
    res["corpus"] = c = assemble(args.articles, corpus)
    print(f"corpus: {c['articles']} articles ({c['distinct_texts']} distinct texts), {c['words']:,} words", flush=True)

    # --- extraction: bare pipeline, then kg build (default, with SHACL validation, without the view),
    # in rounds; ratios are taken within a round, the reported figures are the medians over rounds
    help_text = subprocess.run(kg + ["build", "--help"], capture_output=True, text=True, cwd=ROOT).stdout
    clean = ["--clean"] if "--clean" in help_text else []
    model = ["--model", args.model] if args.model else []
    variants = (("kg build", []), ("kg build --validate", ["--validate"]), ("kg build --no-view", ["--no-view"]))
    rounds: list[dict] = []
    for k in range(args.rounds):
        rnd: dict = {}
        r = run_step([py, me, "--stage", "pipe", "--corpus", str(corpus), "--jobs", str(args.jobs)] + model)
        if r["rc"] != 0:
            raise SystemExit("bare pipeline failed:\n" + r["stderr"])
        info = step_json(r["stdout"])[0]
        bare = {"words": info["words"], "articles": info["docs"], "pipe_s": info["pipe_s"], "load_s": info["load_s"],
                "process_s": r["wall"], "cpu_s": r["cpu"], "model": info["model"], "pipeline": info["pipeline"],
                "peak_rss_mb": r["peak_rss_mb"]}
        bare["words_per_s"] = bare["words"] / bare["pipe_s"]
        bare["articles_per_s"] = bare["articles"] / bare["pipe_s"]
        bare["words_per_cpu_s"] = bare["words"] / bare["cpu_s"]
        rnd["bare_pipe"] = bare
        rnd["builds"] = {}
        for label, extra in variants:
            out = work / ("out-" + (extra[0].strip("-") if extra else "default"))
            cmd = kg + ["build", str(corpus), "-o", str(out), "--jobs", str(args.jobs)] + clean + extra + model
            r = run_step(cmd)
            if r["rc"] not in (0, 1, 3):
                raise SystemExit(f"{' '.join(cmd)} failed ({r['rc']}):\n{r['stderr']}")
            report = json.loads((out / "report.json").read_text())
            rnd["builds"][label] = {
                "command": " ".join(["kg"] + cmd[3:]), "wall_s": r["wall"], "cpu_s": r["cpu"], "exit": r["rc"],
                "words_per_s": bare["words"] / r["wall"], "articles_per_s": report["articles_read"] / r["wall"],
                "ratio": bare["pipe_s"] / r["wall"], "ratio_process": bare["process_s"] / r["wall"],
                "ratio_cpu": bare["cpu_s"] / r["cpu"],
                "peak_rss_mb": r["peak_rss_mb"], "seconds": report.get("seconds"), "counts": report.get("counts"),
                "exports": report.get("exports"),
                "shacl": {k: v for k, v in (report.get("shacl") or {}).items() if k != "report"}}
        rounds.append(rnd)
        print(f"round {k + 1}/{args.rounds}: bare {bare['pipe_s']:.1f} s; "
              + "; ".join(f"{lab} {b['wall_s']:.1f} s (ratio {b['ratio']:.2f})" for lab, b in rnd["builds"].items()),
              flush=True)
    med = statistics.median

    def median_of(items: list[dict]) -> dict:
        return {key: (med([it[key] for it in items]) if isinstance(items[0][key], (int, float))
                      and not isinstance(items[0][key], bool) else items[len(items) // 2][key]) for key in items[0]}
    bare = median_of([r["bare_pipe"] for r in rounds])
    res["bare_pipe"] = bare
    res["builds"] = {label: median_of([r["builds"][label] for r in rounds]) for label, _ in variants}
    res["rounds"] = rounds
    rows = [["nlp.pipe (bare, model loaded)", f"{bare['pipe_s']:.1f}", f"{bare['words_per_s']:,.0f}",
             f"{bare['articles_per_s']:.2f}", "1.00", "", f"{bare['cpu_s']:.1f}", f"{bare['peak_rss_mb']:.0f}"],
            ["nlp.pipe (bare, whole process)", f"{bare['process_s']:.1f}", f"{bare['words'] / bare['process_s']:,.0f}",
             f"{bare['articles'] / bare['process_s']:.2f}", f"{bare['pipe_s'] / bare['process_s']:.2f}", "1.00", "", ""]]
    for label, b in res["builds"].items():
        rows.append([f"{label} --clean --jobs {args.jobs}", f"{b['wall_s']:.1f}", f"{b['words_per_s']:,.0f}",
                     f"{b['articles_per_s']:.2f}", f"{b['ratio']:.2f}", f"{b['ratio_process']:.2f}",
                     f"{b['cpu_s']:.1f}", f"{b['peak_rss_mb']:.0f}"])
    print(f"\nExtraction (same texts, same processes; medians of {args.rounds} round(s), ratios taken within "
          "a round):\nratio = words/s relative to the bare pipeline with its model loaded; "
          "vs process = relative to the bare pipeline's whole process (start-up and model load included)")
    print(table(["step", "seconds", "words/s", "articles/s", "ratio", "vs process", "CPU s", "peak MB"], rows))
    print("(peak MB: the largest process of the step; CPU s: user+sys of the step and its workers)")
    full = res["builds"]["kg build --validate"]
    print("\nExports of kg build:", ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in sorted((full["exports"] or {}).items())))
    print("counts:", full["counts"], " stages (s):", full["seconds"], " SHACL:", full["shacl"])

    # --- SPARQL at size and networkx
    if not args.no_sparql:
        big = work / "big.nt"
        res["sparql_graph"] = g = replicate(work / "out-default" / "graph.nt", args.triples, big)
        print(f"\nSPARQL graph: {g['triples']:,} triples ({g['copies']} copies of the built graph), "
              f"{g['bytes'] / 1e6:.0f} MB of N-Triples", flush=True)
        engines = {}
        for engine, repeat, timeout in (("oxigraph", 3, 1800), ("rdflib", 1, args.rdflib_timeout)):
            base = [py, me, "--stage", "sparql", "--engine", engine, "--repeat", str(repeat),
                    "--query-timeout", str(args.query_timeout)]
            if engine == "oxigraph":
                # Oxigraph answers in native code that no signal interrupts: load the graph once
                # into an on-disk store, then run each query in its own process with a hard limit
                ox_dir = work / "oxigraph-store"
                r = run_step(base + ["--graph", str(big), "--store-path", str(ox_dir), "--no-queries"], timeout=timeout)
                lines = step_json(r["stdout"])
                from kg.query import named_queries
                for name in named_queries():
                    q = run_step(base + ["--store-path", str(ox_dir), "--query", name], timeout=args.query_timeout + 60)
                    got = [ln for ln in step_json(q["stdout"]) if "query" in ln]
                    lines += got or [{"engine": engine, "query": name, "seconds": None, "rows": None,
                                      "timeout": args.query_timeout}]
                    lines.append({"peak_rss_mb": max(q["peak_rss_mb"] or 0, r["peak_rss_mb"] or 0)})
            else:
                r = run_step(base + ["--graph", str(big)], timeout=timeout)
                lines = step_json(r["stdout"])
            e = {"load_s": None, "queries": {}, "peak_rss_mb": None, "timed_out": r["timed_out"], "rc": r["rc"],
                 "wall_s": r["wall"]}
            for ln in lines:
                if "query" in ln:
                    e["queries"][ln["query"]] = {"seconds": ln["seconds"], "rows": ln["rows"],
                                                 **({"timeout": ln["timeout"]} if "timeout" in ln else {})}
                elif "networkx_s" in ln:
                    res["networkx"] = ln
                elif "load_s" in ln:
                    e["load_s"] = ln["load_s"]
                if "peak_rss_mb" in ln:
                    e["peak_rss_mb"] = max(e["peak_rss_mb"] or 0, ln["peak_rss_mb"])
            if r["rc"] not in (0, None) and not r["timed_out"]:
                e["error"] = r["stderr"][-500:]
            engines[engine] = e
            print(f"  {engine}: load {e['load_s'] or float('nan'):.1f} s, {len(e['queries'])} queries"
                  + (" (timed out)" if r["timed_out"] else ""), flush=True)
        res["sparql"] = engines
        names = sorted(set(engines["oxigraph"]["queries"]) | set(engines["rdflib"]["queries"]))
        qrows = [["load", f"{engines['oxigraph']['load_s'] or 0:.2f}", f"{engines['rdflib']['load_s'] or 0:.2f}", "", ""]]
        for n in names:
            o, rl = engines["oxigraph"]["queries"].get(n), engines["rdflib"]["queries"].get(n)
            def cell(q):
                if not q:
                    return "-"
                return f"> {q['timeout']:.0f} s" if q["seconds"] is None else f"{q['seconds'] * 1000:,.0f} ms"
            qrows.append([n, cell(o), cell(rl),
                          f"{rl['seconds'] / o['seconds']:.0f}x" if o and rl and o["seconds"] and rl["seconds"] else "",
                          f"{o['rows'] if o else '-'} / {rl['rows'] if rl else '-'}"])
        qrows.append(["peak RSS (MB)", f"{engines['oxigraph']['peak_rss_mb'] or 0:.0f}",
                      f"{engines['rdflib']['peak_rss_mb'] or 0:.0f}", "", ""])
        print(f"\nNamed queries on {g['triples']:,} triples (median of up to 3 runs; load in seconds)")
        print(table(["query", "oxigraph", "rdflib", "rdflib/ox", "rows ox / rdflib"], qrows))
        if "networkx" in res:
            nx_ = res["networkx"]
            print(f"\nnetworkx: to_networkx of {g['triples']:,} triples in {nx_['networkx_s']:.1f} s "
                  f"({nx_['nodes']:,} nodes, {nx_['edges']:,} edges)")
    res["machine"]["loadavg_end"] = os.getloadavg()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(res, indent=2, default=str) + "\n")
    print(f"\nwrote {args.json} (work folder {work}); load average at the end {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
