"""Load the exports into a SPARQL 1.1 triple store: Virtuoso, Fuseki, GraphDB, Oxigraph server, ...

Two standard protocols, nothing store-specific:

``gsp`` (default)
    The SPARQL 1.1 Graph Store HTTP Protocol: one ``PUT <endpoint>?graph=IRI`` per named graph
    (``POST`` for the further chunks of a large graph), so pushing an article's graph again
    *replaces* it. Virtuoso: ``http://host:8890/sparql-graph-crud-auth``; Fuseki:
    ``http://host:3030/DATASET/data``; Oxigraph: ``http://host:7878/store``.
``update``
    SPARQL 1.1 Update: ``DROP SILENT GRAPH <IRI>`` then ``INSERT DATA`` in chunks. Virtuoso:
    ``http://host:8890/sparql-auth``; Fuseki: ``http://host:3030/DATASET/update``.

A build's TriG export holds one named graph per article (``kgr:graph/<article id>``) and one of
the event types, so re-extracting an article and pushing again replaces exactly its graph.
``graph_uri`` pushes everything into one graph instead (and names the graph of a Turtle or
N-Triples file, which has none: default ``kgr:graph/kg``). User and password go through HTTP
Digest or Basic authentication, whichever the server asks for.

Examples
--------
>>> from kg.push import update_requests
>>> from rdflib import Graph, URIRef, Literal
>>> g = Graph().add((URIRef("urn:a"), URIRef("urn:p"), Literal("x")))
>>> print(update_requests("urn:g", g, chunk=10)[0])
DROP SILENT GRAPH <urn:g> ;
INSERT DATA { GRAPH <urn:g> {
<urn:a> <urn:p> "x" .
} }
>>> push("exports/", "http://127.0.0.1:8890/sparql-graph-crud-auth", user="dba", password="dba")  # doctest: +SKIP
{'graphs': 6, 'triples': 1520, ...}
"""
from __future__ import annotations

import os
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterable, Iterator

from rdflib import Dataset, Graph, URIRef

from .errors import KGError
from .namespace import KGR

PROTOCOLS = ("gsp", "update")
DEFAULT_GRAPH = KGR["graph/kg"]
CHUNK = 20_000          # triples per request


class PushError(KGError):
    """Raised when the store refuses a request, cannot be reached, or the source cannot be read."""


# ------------------------------------------------------------------------------ what to push
def named_graphs(source, *, graph_uri: str | None = None) -> Iterator[tuple[URIRef, Graph]]:
    """The ``(graph IRI, graph)`` pairs to push from a path, a Dataset or a Graph.

    A folder means its ``graph.trig`` (a build's exports); ``.trig``/``.nq`` files and Datasets
    give their named graphs; other files and Graphs give one graph named ``graph_uri`` (default
    ``kgr:graph/kg``). With ``graph_uri`` everything goes into that one graph.
    """
    if isinstance(source, (str, os.PathLike)):
        source = _read(Path(source))
    target = URIRef(graph_uri) if graph_uri else None
    if isinstance(source, Dataset):
        graphs = [g for g in source.graphs() if len(g) and not str(g.identifier).startswith("urn:x-rdflib:default")]
        default = getattr(source, "default_graph", None)
        if target is not None:
            union = Graph()
            for g in graphs + ([default] if default is not None else []):
                for t in g:
                    union.add(t)
            yield target, union
            return
        for g in sorted(graphs, key=lambda g: str(g.identifier)):
            yield URIRef(str(g.identifier)), g
        if default is not None and len(default):
            yield DEFAULT_GRAPH, default
    elif isinstance(source, Graph):
        yield target or DEFAULT_GRAPH, source
    else:
        raise PushError(f"cannot push a {type(source).__name__}; expected a path, a Dataset or a Graph")


def _read(path: Path):
    if path.is_dir():
        for name in ("graph.trig", "graph.nq", "graph.nt", "graph.ttl"):
            if (path / name).is_file():
                return _read(path / name)
        raise PushError(f"no graph.trig, graph.nt or graph.ttl in {str(path)!r}; run kg build first")
    if not path.is_file():
        raise PushError(f"cannot read {str(path)!r}: no such file")
    fmt = {".trig": "trig", ".nq": "nquads", ".nt": "nt", ".ttl": "turtle", ".jsonld": "json-ld"}.get(path.suffix)
    if fmt is None:
        raise PushError(f"cannot push {str(path)!r}; expected a .trig, .nq, .nt, .ttl or .jsonld file")
    try:
        if fmt in ("trig", "nquads"):
            ds = Dataset()
            ds.parse(str(path), format=fmt)
            return ds
        return Graph().parse(str(path), format=fmt)
    except Exception as exc:  # noqa: BLE001 - any parser error is the file's fault
        raise PushError(f"cannot parse {str(path)!r}: {exc}") from None


def _nt_lines(g: Graph) -> list[str]:
    text = g.serialize(format="nt")
    return sorted(ln for ln in text.splitlines() if ln.strip())


def _chunks(lines: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, max(1, len(lines)), max(1, size)):
        yield lines[i:i + size]


def update_requests(graph_iri: str, g: Graph, *, chunk: int = CHUNK) -> list[str]:
    """The SPARQL Update texts that replace graph ``graph_iri`` by ``g``: DROP, then INSERT DATA chunks."""
    out = []
    for i, part in enumerate(_chunks(_nt_lines(g), chunk)):
        head = f"DROP SILENT GRAPH <{graph_iri}> ;\n" if i == 0 else ""
        body = "\n".join(part)
        out.append(f"{head}INSERT DATA {{ GRAPH <{graph_iri}> {{\n{body}\n}} }}" if part else head.rstrip(" ;\n"))
    return out


# ------------------------------------------------------------------------------ HTTP
def _opener(url: str, user: str | None, password: str | None) -> urllib.request.OpenerDirector:
    handlers: list = []
    if user is not None:
        mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        mgr.add_password(None, url, user, password or "")
        handlers += [urllib.request.HTTPDigestAuthHandler(mgr), urllib.request.HTTPBasicAuthHandler(mgr)]
    return urllib.request.build_opener(*handlers)


def _send(opener, method: str, url: str, body: bytes, content_type: str, timeout: float) -> int:
    req = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
    try:
        with opener.open(req, timeout=timeout) as resp:
            resp.read()
            return resp.status
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace").strip()
        hint = " (wrong user or password?)" if exc.code in (401, 403) else ""
        raise PushError(f"{method} {url} failed: HTTP {exc.code} {exc.reason}{hint}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise PushError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None


def _with_param(endpoint: str, name: str, value: str) -> str:
    sep = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return f"{endpoint}{sep}{name}={urllib.parse.quote(value, safe='')}"


def push(source, endpoint: str, *, graph_uri: str | None = None, user: str | None = None,
         password: str | None = None, protocol: str = "gsp", chunk: int = CHUNK,
         timeout: float = 120.0) -> dict:
    """Push graphs into a SPARQL 1.1 store, replacing each named graph pushed.

    ``source`` is a folder of exports, an RDF file, a Dataset or a Graph (see
    :func:`named_graphs`). Returns what was sent: graphs, triples, requests, seconds.
    Raises :class:`PushError` when the store refuses a request or cannot be reached.
    """
    if protocol not in PROTOCOLS:
        raise PushError(f"unknown protocol {protocol!r}; expected one of: {', '.join(PROTOCOLS)}")
    if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
        raise PushError(f"bad endpoint {endpoint!r}; expected an http:// or https:// URL")
    opener = _opener(endpoint, user, password)
    t0 = time.perf_counter()
    n_graphs = n_triples = n_requests = 0
    for iri, g in named_graphs(source, graph_uri=graph_uri):
        n_graphs += 1
        n_triples += len(g)
        if protocol == "gsp":
            url = _with_param(endpoint, "graph", str(iri))
            for i, part in enumerate(_chunks(_nt_lines(g), chunk)):
                # N-Triples is Turtle: every store reads text/turtle
                body = ("\n".join(part) + "\n").encode("utf-8")
                _send(opener, "PUT" if i == 0 else "POST", url, body, "text/turtle; charset=utf-8", timeout)
                n_requests += 1
        else:
            for text in update_requests(str(iri), g, chunk=chunk):
                body = urllib.parse.urlencode({"update": text}).encode("utf-8")
                _send(opener, "POST", endpoint, body, "application/x-www-form-urlencoded", timeout)
                n_requests += 1
    return {"endpoint": endpoint, "protocol": protocol, "graphs": n_graphs, "triples": n_triples,
            "requests": n_requests, "seconds": round(time.perf_counter() - t0, 2)}


def iter_graph_iris(source, *, graph_uri: str | None = None) -> Iterable[str]:
    """The names of the graphs :func:`push` would write (for reports and dry runs)."""
    return [str(iri) for iri, _ in named_graphs(source, graph_uri=graph_uri)]


__all__ = ["push", "named_graphs", "update_requests", "iter_graph_iris", "PushError", "PROTOCOLS"]
