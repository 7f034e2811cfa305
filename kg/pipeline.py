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


def extract_articles(articles: Iterable[Article], *, model: str | None = None, jobs: int = 1,
                     on_done: Callable[[Extraction | Skipped], None] | None = None,
                     skipped: list[Skipped] | None = None) -> list[Extraction]:
    """Run extraction over articles; an article that fails is recorded in ``skipped``."""
    from .extract import Extractor
    ex = Extractor(model)
    out: list[Extraction] = []
    skipped = skipped if skipped is not None else []
    batch = list(articles)
    try:
        for x in ex.extract_many(batch, n_process=max(1, jobs)):
            out.append(x)
            if on_done:
                on_done(x)
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
                s = Skipped(art.path or art.id, f"extraction failed: {type(exc).__name__}: {exc}")
                skipped.append(s)
                if on_done:
                    on_done(s)
    return out


def build(paths: Iterable[str | os.PathLike] = ("seeds",), out: str | os.PathLike | None = "exports", *,
          model: str | None = None, jobs: int = 1, min_confidence: float = 0.0, validate: bool = True,
          view: bool = True, progress: bool = False) -> BuildResult:
    """Build the knowledge graph of the articles under ``paths``; write exports to ``out``.

    ``out=None`` builds in memory only. Returns a :class:`BuildResult`.
    """
    from .build import build_dataset, union
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
            print(f"skipped {item}", file=sys.stderr)
        bar.step(isinstance(item, Skipped))

    extractions = extract_articles(articles, model=model, jobs=jobs, on_done=done, skipped=skipped)
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
    """Write every export and the build report into ``out`` (each file atomically)."""
    from .export import write_atomic, write_graph
    sizes = {}
    out.mkdir(parents=True, exist_ok=True)
    for name in EXPORTS:
        target = result.dataset if name.endswith(".trig") else result.graph
        sizes[name] = write_graph(target, out / name)
    if view:
        try:
            from .graph import to_networkx
            from .view import render
            stats = render(to_networkx(result.graph), out / "graph.html", title="kg")
            sizes["graph.html"] = stats.get("bytes", (out / "graph.html").stat().st_size)
        except Exception as exc:  # noqa: BLE001 - the view never costs the graph
            result.report["view_error"] = f"{type(exc).__name__}: {exc}"
    result.report["exports"] = sizes
    data = json.dumps(result.report, indent=2, sort_keys=True, default=str) + "\n"
    write_atomic(out / "report.json", data.encode("utf-8"))
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
