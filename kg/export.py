r"""Write graphs to files: Turtle, N-Triples, JSON-LD and TriG, deterministic and atomic.

Every file is written to a temporary file in the same folder and renamed into place, so a build
that is interrupted leaves the previous export intact. The same graph always gives the same
bytes (sorted statements, no blank nodes in our output).

Examples
--------
>>> import tempfile, pathlib
>>> from rdflib import Graph, URIRef, Literal
>>> from kg.export import write_graph
>>> g = Graph().add((URIRef("urn:a"), URIRef("urn:p"), Literal("x")))
>>> p = pathlib.Path(tempfile.mkdtemp()) / "g.nt"
>>> write_graph(g, p) > 0
True
>>> print(p.read_text(), end="")
<urn:a> <urn:p> "x" .
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph

from .errors import BuildError

FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}


def guess_format(path: str | os.PathLike) -> str:
    """The rdflib format name for a file suffix; raises :class:`BuildError` for unknown ones."""
    suffix = Path(path).suffix.lstrip(".").lower()
    if suffix == "turtle":
        suffix = "ttl"
    if suffix not in FORMATS:
        raise BuildError(f"unknown format {suffix!r}; expected one of: {', '.join(sorted(FORMATS))}")
    return FORMATS[suffix]


def write_atomic(path: str | os.PathLike, data: bytes) -> int:
    """Write bytes to ``path`` through a temporary file and a rename; returns the size."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return len(data)


def _sorted_lines(text: str) -> str:
    lines = sorted({ln for ln in text.splitlines() if ln.strip()})
    return "\n".join(lines) + ("\n" if lines else "")


def serialize(graph: Graph | Dataset, fmt: str) -> bytes:
    """Serialise deterministically in one of ``turtle``, ``nt``, ``json-ld``, ``trig``, ``nquads``."""
    if fmt in ("nt", "nquads"):
        return _sorted_lines(graph.serialize(format="nt" if fmt == "nt" else "nquads")).encode("utf-8")
    if fmt == "json-ld":
        from .namespace import PREFIXES
        context = {k: str(v) for k, v in sorted(PREFIXES.items())}
        g = graph if not isinstance(graph, Dataset) else _union(graph)
        doc = json.loads(g.serialize(format="json-ld", context=context, auto_compact=True))
        if isinstance(doc, dict) and "@graph" in doc:
            doc["@graph"] = sorted((_sort_values(n) for n in doc["@graph"]), key=lambda n: str(n.get("@id")))
        elif isinstance(doc, list):
            doc = sorted((_sort_values(n) for n in doc), key=lambda n: str(n.get("@id")))
        return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    if fmt == "trig" and isinstance(graph, Dataset):
        return _trig(graph).encode("utf-8")
    return graph.serialize(format=fmt).encode("utf-8")


def _sort_values(node):
    if isinstance(node, dict):
        return {k: _sort_values(v) for k, v in node.items()}
    if isinstance(node, list):
        return sorted((_sort_values(v) for v in node), key=lambda v: json.dumps(v, sort_keys=True))
    return node


def _union(ds: Dataset) -> Graph:
    g = Graph()
    for prefix, ns in ds.namespaces():
        g.bind(prefix, ns)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def _term(t, prefixes: list[tuple[str, str]]) -> str:
    """A term in Turtle syntax: a prefixed name where safe, else the N-Triples form."""
    import re
    from rdflib import URIRef
    if isinstance(t, URIRef):
        s = str(t)
        for p, ns in prefixes:
            if s.startswith(ns) and re.fullmatch(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?", s[len(ns):] or "-"):
                return f"{p}:{s[len(ns):]}"
    return t.n3()


def _trig(ds: Dataset) -> str:
    """TriG with one block per named graph; graphs, subjects, predicates and objects sorted."""
    from .namespace import PREFIXES
    prefixes = sorted(((p, str(ns)) for p, ns in PREFIXES.items()), key=lambda x: -len(x[1]))
    out = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(PREFIXES.items())]
    out.append("")
    for g in sorted(ds.graphs(), key=lambda g: str(g.identifier)):
        if len(g) == 0 or str(g.identifier).startswith("urn:x-rdflib:default"):
            continue
        out.append(f"{_term(g.identifier, prefixes)} {{")
        for s in sorted(set(g.subjects())):
            preds = sorted(set(g.predicates(s)))
            parts = []
            for p in preds:
                objs = sorted(_term(o, prefixes) for o in g.objects(s, p))
                parts.append(f"{_term(p, prefixes)} " + " ,\n            ".join(objs))
            out.append(f"    {_term(s, prefixes)}\n        " + " ;\n        ".join(parts) + " .")
        out.append("}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def write_graph(graph: Graph | Dataset, path: str | os.PathLike, *, format: str | None = None) -> int:
    """Write a graph (or a dataset, for TriG/N-Quads) atomically; returns the bytes written."""
    fmt = format or guess_format(path)
    if isinstance(graph, Dataset) and fmt not in ("trig", "nquads"):
        graph = _union(graph)
    return write_atomic(path, serialize(graph, fmt))


def validate(graph: Graph, shapes: str | os.PathLike | None = None) -> tuple[bool, str, int]:
    """Validate against ``ontology/shapes.ttl`` with pySHACL; returns (conforms, report, violations)."""
    import pyshacl
    from .build import ontology_dir
    shapes_graph = Graph().parse(str(shapes or ontology_dir() / "shapes.ttl"), format="turtle")
    conforms, report_graph, text = pyshacl.validate(graph, shacl_graph=shapes_graph, inference="none",
                                                    advanced=True, allow_warnings=True)
    from rdflib.namespace import SH
    n = len(list(report_graph.subjects(predicate=SH.resultSeverity)))
    return bool(conforms), text, n
