"""Benchmark incremental builds: a clean build of N articles, then a build after adding 1% more.

The corpus is assembled from ``../shared/eval/dev`` and ``seeds/``; when more articles are asked
for than exist, copies are made with new ids and a slightly varied text (a changed closing line),
so every copy is a new article for the cache. The incremental build reuses the first build's
cache; a clean build of the same N + 1% articles is made to check both give the same graph
(isomorphic, and the same export bytes).

    python benchmarks/incremental_bench.py --n 100
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT.parent / "shared" / "eval" / "dev", ROOT / "seeds"]


def corpus(n: int, folder: Path, *, start: int = 0) -> list[Path]:
    """Write articles ``start .. start + n - 1`` of the assembled corpus into ``folder``."""
    sys.path.insert(0, str(ROOT))
    from kg.ingest import iter_files, read_file
    base = []
    seen = set()
    for src in SOURCES:
        if src.is_dir():
            for f in iter_files([src]):
                for art in read_file(f):
                    if hasattr(art, "text") and art.id not in seen:
                        seen.add(art.id)
                        base.append(art)
    if not base:
        raise SystemExit("no source articles found in " + ", ".join(map(str, SOURCES)))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        art = base[i % len(base)]
        copy = i // len(base)
        text = art.text if copy == 0 else art.text.rstrip() + f"\n\n(Reported again, edition {copy}.)\n"
        ident = art.id if copy == 0 else f"{art.id}-copy{copy}"
        meta = [f"id: {ident}"]
        if art.published:
            meta.append(f"published: {art.published.isoformat()}")
        if art.title:
            meta.append(f"title: {art.title!r}")
        p = folder / f"{ident}.txt"
        p.write_text("---\n" + "\n".join(meta) + "\n---\n" + text, encoding="utf-8")
        paths.append(p)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="articles in the first build (default 100)")
    ap.add_argument("--more", type=float, default=0.01, help="fraction added (default 0.01, at least one)")
    ap.add_argument("--model", help="spaCy model")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    args = ap.parse_args(argv)

    from rdflib.compare import isomorphic
    from kg.pipeline import EXPORTS, build

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        first = work / "articles"
        corpus(args.n, first)
        extra = max(1, round(args.n * args.more))
        added = work / "added"
        corpus(extra, added, start=args.n)
        opts = dict(model=args.model, jobs=args.jobs, view=False, validate=False)

        t0 = time.perf_counter()
        build([first], work / "out", **opts)
        t_clean = time.perf_counter() - t0

        t0 = time.perf_counter()
        inc = build([first, added], work / "out", **opts)
        t_inc = time.perf_counter() - t0

        t0 = time.perf_counter()
        ref = build([first, added], work / "ref", clean=True, **opts)
        t_ref = time.perf_counter() - t0

        same_graph = isomorphic(inc.graph, ref.graph)
        same_bytes = all((work / "out" / f).read_bytes() == (work / "ref" / f).read_bytes() for f in EXPORTS)
        c = inc.report["cache"]
        print(f"articles: {args.n} + {extra} added")
        print(f"clean build of {args.n}:               {t_clean:8.2f} s")
        print(f"incremental build of {args.n}+{extra}:        {t_inc:8.2f} s  "
              f"(cache hits {c['hits']}, misses {c['misses']})")
        print(f"clean build of {args.n}+{extra} (reference): {t_ref:8.2f} s")
        print(f"incremental graph isomorphic to clean: {same_graph}; exports byte-identical: {same_bytes}")
        print(f"graph: {ref.report['counts']}")
        return 0 if same_graph and same_bytes else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
