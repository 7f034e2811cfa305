"""The whole job: articles in, a knowledge graph and its exports out (validated on request).

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
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable

from rdflib import Dataset, Graph

from .distributed import Forked
from .export import guess_format
from .model import Article, Extraction, Skipped

EXPORTS = ("graph.ttl", "graph.nt", "graph.jsonld", "graph.trig")


class BuildResult:
    """What a build made: its named graphs, extractions, skipped inputs and report.

    ``quads`` maps each named graph (one per article, plus the event types) to its triples.
    ``graph`` (their union, an :class:`rdflib.Graph`) and ``dataset`` (an :class:`rdflib.Dataset`)
    are made from them on first use, so a build that only writes its exports never pays for them.
    """

    def __init__(self, quads: dict, extractions: list[Extraction], skipped: list[Skipped],
                 report: dict | None = None):
        self.quads = quads
        self.extractions, self.skipped = extractions, skipped
        self.report = report if report is not None else {}

    @cached_property
    def triples(self) -> set:
        """Every triple of the build, once (the union of ``quads``)."""
        from .rdf import union_triples
        return union_triples(self.quads)

    @cached_property
    def graph(self) -> Graph:
        """The whole knowledge graph as an rdflib Graph (made on first use; may be replaced)."""
        from .rdf import to_graph
        return to_graph(self.triples)

    @cached_property
    def dataset(self) -> Dataset:
        """One named graph per article, as an rdflib Dataset (made on first use; may be replaced)."""
        from .rdf import to_dataset
        return to_dataset(self.quads)

    def rdflib_made(self) -> bool:
        """Whether ``graph`` or ``dataset`` was made (or set), and so may differ from ``quads``."""
        return "graph" in vars(self) or "dataset" in vars(self)


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
                     max_memory_mb: int | None = None, cache=None) -> list[Extraction]:
    """Run extraction over articles; an article that fails is recorded in ``skipped``.

    With ``cache`` (a :class:`~kg.cache.ExtractionCache`), every extraction is stored in it (by
    the local worker processes themselves, where there are some).

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
            extract_parallel(batch, model=model, jobs=jobs, cache=cache)
        for x in stream:
            (skipped if isinstance(x, Skipped) else out).append(x)
            if dask is not None and cache is not None and not isinstance(x, Skipped):
                cache.put(x)
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
            if cache is not None:
                cache.put(x)
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
                if cache is not None:
                    cache.put(x)
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
          model: str | None = None, jobs: int = 1, min_confidence: float = 0.0, validate: bool = False,
          view: bool = True, progress: bool = False, clean: bool = False, dask=None,
          max_memory_mb: int | None = None) -> BuildResult:
    """Build the knowledge graph of the articles under ``paths``; write exports to ``out``.

    ``out=None`` builds in memory only. Returns a :class:`BuildResult`. Extractions are cached
    in ``<out>/.cache/`` (see :mod:`kg.cache`): only new or changed articles are extracted, and
    the graph is always rebuilt from the current articles. ``clean=True`` ignores the cache.
    ``validate=True`` checks the graph against the SHACL shapes (in forked processes, while the
    exports are written); the result is ``report["shacl"]``.
    """
    from .rdf import build_quads
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
                                   dask=dask, max_memory_mb=max_memory_mb, cache=cache) if todo else []
    if cache is not None:
        cache.prune()
    extractions = cached + extractions
    bar.close()
    t1 = time.perf_counter()
    table, merges = resolve(extractions)
    result = BuildResult(build_quads(extractions, min_confidence=min_confidence, table=table),
                         extractions, skipped)
    t2 = time.perf_counter()
    result.report.update({
        "articles_read": len(extractions),
        "skipped": [{"path": s.path, "line": s.line, "reason": s.reason} for s in skipped],
        "counts": _counts(result.triples),
        "merges": [{"from": a, "to": b, "why": why} for a, b, why in merges],
        "kept_apart": [{"key": k, "candidates": c, "why": why} for k, c, why in table.kept_apart],
        "cache": {"hits": len(cached), "misses": len(todo), "clean": clean,
                  "dir": ".cache" if cache is not None else None},   # relative to out: no absolute paths
        "seconds": {"extract": round(t1 - t0, 2), "build": round(t2 - t1, 2)},
    })
    # SHACL validation and the view run in their own processes while this one writes the
    # exports: on a machine with more than one core they cost (almost) no wall time
    shacl = _Validation(result.triples) if validate else None
    if out is not None:
        write_exports(result, Path(out), view=view, shacl=shacl)
    elif shacl is not None:
        result.report["shacl"] = shacl.result()
    return result


class _Validation:
    """SHACL validation of a build's triples, started in forked processes (one per core)."""

    def __init__(self, triples):
        from .export import start_validation
        self._wait = start_validation(triples, jobs=os.cpu_count() or 1)

    def result(self) -> dict:
        conforms, text, n = self._wait()
        report = {"conforms": conforms, "violations": n}
        if not conforms:
            report["report"] = text[:5000]
        return report


def _counts(triples) -> dict:
    from rdflib.namespace import ORG, RDF
    from .namespace import SCHEMA, SEM
    kinds = {SEM.Actor: "actors", SEM.Event: "events", ORG.Membership: "memberships",
             SCHEMA.NewsArticle: "articles"}
    found: dict[str, set] = {k: set() for k in kinds.values()}
    for s, p, o in triples:
        if p == RDF.type and o in kinds:
            found[kinds[o]].add(s)
    counts = {k: len(v) for k, v in found.items()}
    counts["triples"] = len(triples)
    return counts


def write_exports(result: BuildResult, out: Path, *, view: bool = True, shacl: "_Validation | None" = None) -> dict:
    """Write every export and the build report into ``out``, all or nothing.

    Every file is first written to a hidden temporary beside it; only when all are written are
    they renamed into place, so a build killed at any moment before (SIGKILL, Ctrl-C) leaves the
    previous exports byte for byte intact. Temporaries of killed builds are removed here.
    The view is drawn in a child process meanwhile; ``shacl``, a validation running in another,
    is waited for before the report is written.
    """
    from .export import StagedFiles, remove_stale_temporaries, serialize, serialize_quads, serialize_triples
    from .export import write_staged as write_file
    sizes = {}
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out)
    # a result whose rdflib graph or dataset was made (and maybe changed) is written from them
    rdflib_made = result.rdflib_made()
    with StagedFiles() as staged:
        drawing = None
        if view:
            html = staged.path_for(out / "graph.html")
            drawing = Forked(_draw, result.graph if rdflib_made else result.triples, html)

        def write(names: list[str], paths: list[Path]) -> dict:
            done = {}
            for name, path in zip(names, paths):
                fmt = guess_format(name)
                if rdflib_made:
                    data = serialize(result.dataset if fmt == "trig" else result.graph, fmt)
                elif fmt == "trig":
                    data = serialize_quads(result.quads, fmt)
                else:
                    data = serialize_triples(result.triples, fmt)
                write_file(path, data)
                done[name] = len(data)
            return done

        # half of the exports are written by a child process, half here
        theirs, ours = list(EXPORTS[::2]), list(EXPORTS[1::2])
        writer = Forked(write, theirs, [staged.path_for(out / name) for name in theirs])
        sizes.update(write(ours, [staged.path_for(out / name) for name in ours]))
        sizes.update(writer.result())
        if drawing is not None:
            try:
                sizes["graph.html"] = drawing.result()
            except Exception as exc:  # noqa: BLE001 - the view never costs the graph
                staged.forget(out / "graph.html")
                result.report["view_error"] = f"{type(exc).__name__}: {exc}"
        if shacl is not None:
            result.report["shacl"] = shacl.result()
        result.report["exports"] = sizes
        data = json.dumps(result.report, indent=2, sort_keys=True, default=str) + "\n"
        staged.write(out / "report.json", data.encode("utf-8"))
    return sizes


def _draw(graph_or_triples, html: Path) -> int:
    from .graph import to_networkx
    from .view import render
    g = graph_or_triples if isinstance(graph_or_triples, Graph) else _TripleIndex(graph_or_triples)
    stats = render(to_networkx(g), html, title="kg")
    return stats.get("bytes", html.stat().st_size)


class _TripleIndex:
    """The part of rdflib's Graph API that :func:`kg.graph.to_networkx` reads, over a set of
    triples: making an rdflib Graph of a build's triples would cost more than drawing it."""

    def __init__(self, triples):
        self.by_predicate: dict = {}
        self.by_subject_predicate: dict = {}
        for s, p, o in triples:
            self.by_predicate.setdefault(p, []).append((s, o))
            self.by_subject_predicate.setdefault((s, p), []).append(o)

    def subject_objects(self, predicate):
        return iter(self.by_predicate.get(predicate, ()))

    def subjects(self, predicate, object):
        return (s for s, o in self.by_predicate.get(predicate, ()) if o == object)

    def objects(self, subject, predicate):
        return iter(self.by_subject_predicate.get((subject, predicate), ()))


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
