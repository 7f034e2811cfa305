"""kg: news articles in, a knowledge graph of actors and events out.

The public API is small; each function is one job::

    import kg
    result = kg.build(["seeds/"], out="exports")     # articles -> exports/ (returns a BuildResult)
    g = kg.load("exports/graph.ttl")                 # any export -> rdflib graph
    G = kg.to_networkx(g)                            # -> networkx graph
    rows = kg.sparql(g, "who-met-whom")              # named query or SPARQL text

Nothing heavy happens at import time; the spaCy model loads on first use.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import BuildError, ExtractError, GraphError, IngestError, KGError, QueryError


def build(paths=("seeds",), out="exports", **options):
    """Build the knowledge graph of the articles under ``paths``; see :func:`kg.pipeline.build`."""
    from .pipeline import build as _build
    return _build(paths, out, **options)


def load(*paths, format=None):
    """Read one or more exported graph files into one rdflib graph; see :func:`kg.graph.load`."""
    from .graph import load as _load
    return _load(*paths, format=format)


def to_networkx(graph):
    """The bipartite actor-event networkx graph of an RDF graph; see :func:`kg.graph.to_networkx`."""
    from .graph import to_networkx as _to_nx
    return _to_nx(graph)


def sparql(graph, query, **options):
    """Run SPARQL (text, ``.rq`` file or named query) over a graph; see :func:`kg.query.sparql`."""
    from .query import sparql as _sparql
    return _sparql(graph, query, **options)


def extract(article, *, model=None):
    """Extract one :class:`kg.model.Article` (or text) into a :class:`kg.model.Extraction`."""
    from .extract import Extractor
    from .model import Article
    if isinstance(article, str):
        from .ingest import text_id
        article = Article(id=text_id(article), text=article)
    return Extractor(model).extract(article)


__all__ = ["build", "load", "to_networkx", "sparql", "extract", "KGError", "IngestError",
           "ExtractError", "BuildError", "QueryError", "GraphError", "__version__"]
