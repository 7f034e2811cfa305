"""SPARQL over kg graphs: named queries, parameters, safe defaults, tables.

Named queries live as ``ontology/queries/*.rq``; a query's parameters are ``VALUES ?x { ... }``
lines that :func:`sparql` fills in. Our prefixes are predeclared. Queries never reach the
network: ``SERVICE``, and ``FROM`` graphs that would be loaded from a URL, are refused unless
``allow_service=True``; SPARQL Update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``...) is not
accepted at all.

Examples
--------
>>> from rdflib import Graph
>>> g = Graph().parse(data='''@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... <urn:x> a sem:Actor ; rdfs:label "Xi Jinping" .''', format="turtle")
>>> rows = sparql(g, "SELECT ?l WHERE { ?a a sem:Actor ; rdfs:label ?l }")
>>> [str(r[0]) for r in rows]
['Xi Jinping']
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.query import Result

from .errors import QueryError


def queries_dir() -> Path:
    from .rdf import ontology_dir
    return ontology_dir() / "queries"


def named_queries() -> dict[str, Path]:
    """The named queries: ``{name: path}`` for every ``ontology/queries/*.rq``."""
    return {p.stem: p for p in sorted(queries_dir().glob("*.rq"))}


def describe(path: Path) -> str:
    """The first comment line of a named query (what it answers)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").split(":", 1)[-1].strip()
    return ""


def resolve_query(text_or_name: str) -> str:
    """A query's text from a name (``who-met-whom``), a ``.rq`` file, or the text itself."""
    named = named_queries()
    if text_or_name in named:
        return named[text_or_name].read_text(encoding="utf-8")
    p = Path(text_or_name)
    if p.suffix == ".rq" or (len(text_or_name) < 300 and "\n" not in text_or_name and p.is_file()):
        try:
            return p.read_text(encoding="utf-8")
        except OSError as exc:
            raise QueryError(f"cannot read query file {text_or_name}: {exc}") from None
    if re.fullmatch(r"[\w-]+", text_or_name):
        raise QueryError(f"unknown named query {text_or_name!r}; expected one of: {', '.join(named)}")
    return text_or_name


def bind_params(query: str, params: dict[str, str] | None) -> str:
    """Fill ``VALUES ?name { ... }`` lines with the given values (as string literals)."""
    for name, value in (params or {}).items():
        lit = Literal(value).n3()
        pattern = re.compile(r"VALUES\s+\?" + re.escape(name) + r"\s*\{[^}]*\}")
        if not pattern.search(query):
            raise QueryError(f"the query has no parameter {name!r} (no 'VALUES ?{name} {{ ... }}' line)")
        query = pattern.sub(lambda _: f"VALUES ?{name} {{ {lit} }}", query)
    return query


def _has_service(algebra) -> bool:
    stack = [algebra]
    while stack:
        node = stack.pop()
        if getattr(node, "name", None) == "ServiceGraphPattern":
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return False


def sparql(graph: Graph, query: str, *, params: dict[str, str] | None = None,
           allow_service: bool = False) -> Result:
    """Run a SPARQL query (text, ``.rq`` path or named query) over ``graph``; prefixes predeclared."""
    from rdflib.plugins.sparql import prepareQuery
    from .namespace import PREFIXES
    text = bind_params(resolve_query(query), params)
    try:
        prepared = prepareQuery(text, initNs={k: v for k, v in PREFIXES.items()})
    except Exception as exc:  # noqa: BLE001 - pyparsing raises many kinds
        raise QueryError(f"bad SPARQL query: {exc}") from None
    if not allow_service and _has_service(prepared.algebra):
        raise QueryError("SERVICE is refused: queries over kg exports never reach the network "
                         "(pass --allow-service to opt in)")
    if not allow_service:
        _refuse_loading(graph, prepared.algebra)
    try:
        result = graph.query(prepared)
        if result.type == "SELECT":
            result.bindings       # evaluate now, so that errors surface here as QueryError
        return result
    except Exception as exc:  # noqa: BLE001
        raise QueryError(f"query failed: {' '.join(str(exc).split())}") from None


def _refuse_loading(graph: Graph, algebra) -> None:
    """Refuse ``FROM``/``FROM NAMED`` graphs that rdflib would load from a URL or a file.

    Over a dataset, rdflib fetches a ``FROM`` graph it does not hold; over a plain graph it
    ignores the clause.
    """
    from rdflib import Dataset
    from rdflib.graph import ConjunctiveGraph
    clauses = algebra.get("datasetClause") if hasattr(algebra, "get") else None
    if not clauses or not isinstance(graph, (Dataset, ConjunctiveGraph)):
        return
    held = {c.identifier for c in (graph.graphs() if isinstance(graph, Dataset) else graph.contexts())}
    for clause in clauses:
        iri = dict.get(clause, "default") or dict.get(clause, "named")
        if iri is not None and iri not in held:
            raise QueryError(f"FROM <{iri}> is refused: it names no graph of the data, and graphs "
                             "are never loaded from elsewhere (pass --allow-service to opt in)")


def format_result(result: Result, fmt: str = "table") -> str:
    """Render a result as ``table``, ``csv`` or ``json`` (SPARQL 1.1 JSON results)."""
    if result.type == "ASK":
        return json.dumps({"boolean": bool(result.askAnswer)}) if fmt == "json" else str(bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph.serialize(format="turtle")
    if fmt == "json":
        return result.serialize(format="json").decode("utf-8")
    vars_ = [str(v) for v in result.vars]
    rows = [["" if v is None else str(v) for v in row] for row in result]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(vars_)
        w.writerows(rows)
        return buf.getvalue()
    return table(vars_, rows)


def table(header: list[str], rows: list[list[str]], *, max_width: int = 60) -> str:
    """A plain-text table with aligned columns."""
    def cut(s: str) -> str:
        s = s.replace("\n", " ")
        return s if len(s) <= max_width else s[: max_width - 1] + "…"
    rows = [[cut(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)
