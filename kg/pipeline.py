"""The whole job: articles in, a validated knowledge graph and its exports out.

This is the only module that calls several stages (ingest -> extract -> resolve -> build ->
export/view). One broken article never stops a build: it is skipped and reported.

Examples
--------
>>> import kg                                                  # doctest: +SKIP
>>> result = kg.build(["seeds/"], out="exports")               # doctest: +SKIP
>>> result.report["counts"]["events"] > 0                      # doctest: +SKIP
True
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from rdflib import Dataset, Graph

from .model import Article, Extraction, Skipped

EXPORTS = ("graph.ttl", "graph.nt", "graph.jsonld", "graph.trig")


@dataclass
class BuildResult:
    """What a build made: the dataset, the union graph, extractions, skipped inputs, the report."""

    dataset: Dataset
    graph: Graph
    extractions: list[Extraction]
    skipped: list[Skipped]
    report: dict = field(default_factory=dict)


def memory_mb() -> float:
    """This process's resident memory in MB (Linux ``/proc``; peak RSS elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def default_memory_limit_mb() -> int:
    """80% of the machine's memory: the default ``--max-memory``."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20 * 0.8)
    except (ValueError, OSError):
        return 8192


def extract_articles(articles: Iterable[Article], *, model: str | None = None, jobs: int = 1,
                     on_done: Callable[[Extraction | Skipped], None] | None = None,
                     skipped: list[Skipped] | None = None, dask=None,
                     max_memory_mb: int | None = None) -> list[Extraction]:
    """Run extraction over articles; an article that fails is recorded in ``skipped``.

    ``jobs > 1`` extracts in that many worker processes, ``dask`` (a ``Client`` or a scheduler
    address) on a Dask cluster; both stream the articles in small chunks (:mod:`kg.distributed`).
    When the build's memory passes ``max_memory_mb``, the articles not yet extracted are
    skipped with that reason instead of letting the machine run out.
    """
    out: list[Extraction] = []
    skipped = skipped if skipped is not None else []
    batch = list(articles)
    limit = max_memory_mb or default_memory_limit_mb()

    def over_limit() -> bool:
        if memory_mb() <= limit:
            return False
        seen = {x.article.id for x in out} | {s.path for s in skipped}
        for art in batch:
            if art.id not in seen and (art.path or art.id) not in seen:
                s = Skipped(art.path or art.id, f"memory limit reached ({limit:,} MB): not extracted")
                skipped.append(s)
                if on_done:
                    on_done(s)
        return True

    from .distributed import CHUNK, extract_dask, extract_parallel
    if dask is not None or (jobs > 1 and len(batch) > CHUNK):
        stream = extract_dask(batch, dask, model=model) if dask is not None else \
            extract_parallel(batch, model=model, jobs=jobs)
        for x in stream:
            (skipped if isinstance(x, Skipped) else out).append(x)
            if on_done:
                on_done(x)
            if over_limit():
                break
        return out
    from .extract import Extractor
    ex = Extractor(model)
    try:
        for x in ex.extract_many(batch):
            out.append(x)
            if on_done:
                on_done(x)
            if over_limit():
                return out
    except Exception:   # one article broke the batch: redo one by one to isolate it
        done = {x.article.id for x in out}
        for art in batch:
            if art.id in done:
                continue
            try:
                x = ex.extract(art)
                out.append(x)
                if on_done:
                    on_done(x)
            except Exception as exc:  # noqa: BLE001 - reported, never fatal
                from .ingest import one_line
                s = Skipped(art.path or art.id, one_line(f"extraction failed: {type(exc).__name__}: {exc}"))
                skipped.append(s)
                if on_done:
                    on_done(s)
    return out


def build(paths: Iterable[str | os.PathLike] = ("seeds",), out: str | os.PathLike | None = "exports", *,
          model: str | None = None, jobs: int = 1, min_confidence: float = 0.0, validate: bool = True,
          view: bool = True, progress: bool = False, clean: bool = False, dask=None,
          max_memory_mb: int | None = None) -> BuildResult:
    """Build the knowledge graph of the articles under ``paths``; write exports to ``out``.

    ``out=None`` builds in memory only. Returns a :class:`BuildResult`. Extractions are cached
    in ``<out>/.cache/`` (see :mod:`kg.cache`): only new or changed articles are extracted, and
    the graph is always rebuilt from the current articles. ``clean=True`` ignores the cache.
    """
    from .rdf import build_dataset, union
    from .ingest import read
    from .resolve import resolve

    t0 = time.perf_counter()
    articles: list[Article] = []
    skipped: list[Skipped] = []
    for item in read(paths):
        if isinstance(item, Skipped):
            skipped.append(item)
            print(f"skipped {item}", file=sys.stderr)
        else:
            articles.append(item)
    bar = _Progress(len(articles), enabled=progress)

    def done(item):
        if isinstance(item, Skipped):
            from .ingest import one_line
            item.reason = one_line(item.reason)      # one line in the report and on stderr
            print(f"skipped {item}", file=sys.stderr)
        bar.step(isinstance(item, Skipped))

    # cache: extract only the articles not extracted before by this pipeline version
    from .resolve import infer_published
    for art in articles:
        infer_published(art)
    cache = None
    if out is not None:
        from .cache import ExtractionCache
        cache = ExtractionCache(Path(out) / ".cache", model=model)
    cached: list[Extraction] = []
    todo: list[Article] = []
    for art in articles:
        hit = cache.get(art) if cache is not None and not clean else None
        if hit is not None:
            cached.append(hit)
            bar.step()
        else:
            todo.append(art)
    extractions = extract_articles(todo, model=model, jobs=jobs, on_done=done, skipped=skipped,
                                   dask=dask, max_memory_mb=max_memory_mb) if todo else []
    if cache is not None:
        for x in extractions:
            cache.put(x)
        cache.prune()
    extractions = cached + extractions
    bar.close()
    t1 = time.perf_counter()
    table, merges = resolve(extractions)
    ds = build_dataset(extractions, min_confidence=min_confidence, table=table)
    g = union(ds)
    t2 = time.perf_counter()
    report = {
        "articles_read": len(extractions),
        "skipped": [{"path": s.path, "line": s.line, "reason": s.reason} for s in skipped],
        "counts": _counts(g),
        "merges": [{"from": a, "to": b, "why": why} for a, b, why in merges],
        "kept_apart": [{"key": k, "candidates": c, "why": why} for k, c, why in table.kept_apart],
        "cache": {"hits": len(cached), "misses": len(todo), "clean": clean,
                  "dir": ".cache" if cache is not None else None},   # relative to out: no absolute paths
        "seconds": {"extract": round(t1 - t0, 2), "build": round(t2 - t1, 2)},
    }
    if validate:
        from .export import validate as shacl
        conforms, text, n = shacl(g)
        report["shacl"] = {"conforms": conforms, "violations": n}
        if not conforms:
            report["shacl"]["report"] = text[:5000]
    result = BuildResult(ds, g, extractions, skipped, report)
    if out is not None:
        write_exports(result, Path(out), view=view)
    return result


def _counts(g: Graph) -> dict:
    from rdflib.namespace import ORG, RDF
    from .namespace import SCHEMA, SEM
    return {"actors": len(set(g.subjects(RDF.type, SEM.Actor))),
            "events": len(set(g.subjects(RDF.type, SEM.Event))),
            "memberships": len(set(g.subjects(RDF.type, ORG.Membership))),
            "articles": len(set(g.subjects(RDF.type, SCHEMA.NewsArticle))),
            "triples": len(g)}


def write_exports(result: BuildResult, out: Path, *, view: bool = True) -> dict:
    """Write every export and the build report into ``out``, all or nothing.

    Every file is first written to a hidden temporary beside it; only when all are written are
    they renamed into place, so a build killed at any moment before (SIGKILL, Ctrl-C) leaves the
    previous exports byte for byte intact. Temporaries of killed builds are removed here.
    """
    from .export import StagedFiles, remove_stale_temporaries, write_graph
    sizes = {}
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out)
    with StagedFiles() as staged:
        for name in EXPORTS:
            target = result.dataset if name.endswith(".trig") else result.graph
            sizes[name] = write_graph(target, out / name, staged=staged)
        if view:
            try:
                from .graph import to_networkx
                from .view import render
                html = staged.path_for(out / "graph.html")
                stats = render(to_networkx(result.graph), html, title="kg")
                sizes["graph.html"] = stats.get("bytes", html.stat().st_size)
            except Exception as exc:  # noqa: BLE001 - the view never costs the graph
                staged.forget(out / "graph.html")
                result.report["view_error"] = f"{type(exc).__name__}: {exc}"
        result.report["exports"] = sizes
        data = json.dumps(result.report, indent=2, sort_keys=True, default=str) + "\n"
        staged.write(out / "report.json", data.encode("utf-8"))
    return sizes


class _Progress:
    """A one-line progress bar on a terminal; silent otherwise."""

    def __init__(self, total: int, *, enabled: bool):
        self.total, self.done, self.skipped = total, 0, 0
        self.enabled = enabled and sys.stderr.isatty()
        self.t0 = time.perf_counter()

    def step(self, skipped: bool = False) -> None:
        self.done += 1
        self.skipped += skipped
        if self.enabled:
            rate = self.done / max(1e-6, time.perf_counter() - self.t0)
            width = 30
            fill = int(width * self.done / max(1, self.total))
            sys.stderr.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total} articles"
                             f"  {rate:.1f}/s  skipped {self.skipped}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
