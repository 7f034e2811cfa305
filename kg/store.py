"""Where SPARQL runs: rdflib's in-memory graph, or an Oxigraph store (pyoxigraph) for big graphs.

:func:`open_store` reads graph files (``.ttl .nt .jsonld .json .trig .nq``; TriG and N-Quads
give the union of their graphs, as :func:`kg.graph.load` does) into one of two engines and
returns a :class:`Store` whose :meth:`Store.query` answers SPARQL with engine-neutral
:class:`Results` (SPARQL 1.1 JSON, XML, CSV, TSV or a text table). Both engines share
:mod:`kg.query`: named queries, ``VALUES`` parameters and the refusal of ``SERVICE``.

Engines (``kind``):

- ``"rdflib"``: :func:`kg.graph.load` into an :class:`rdflib.Graph`; fine for small graphs.
- ``"oxigraph"``: a :class:`pyoxigraph.Store`, in memory, or on disk under ``store_path``.
  10 to 40 times faster than rdflib on the named queries at a million triples.
- ``"auto"`` (default): Oxigraph when ``store_path`` is given or the files add up to more than
  :data:`AUTO_OXIGRAPH_BYTES`, else rdflib.

An on-disk store is a folder ``DIR`` holding ``DIR/oxigraph/`` (the RocksDB files) and
``DIR/kg-store.json`` (a manifest: the absolute path, size and modification time of every file
loaded, and the number of triples). When the manifest matches the files asked for (or no files
are asked for), the store is reused as it is, opened read-only, without reloading, so several
processes can query it at once. When the files differ, the store is cleared and reloaded (the
manifest is removed first, so an interrupted load is never mistaken for a complete one). A
non-empty folder without a manifest is refused rather than overwritten.

Examples
--------
>>> store = open_store("tests/data/sample.ttl", kind="oxigraph")
>>> store.kind, store.triples_count > 100
('oxigraph', True)
>>> res = store.query("actors")
>>> res.vars[:3], res.rows[0][0]["value"]
(['label', 'kind', 'events'], 'Vladimir Putin')
>>> print(store.query("SELECT ?l WHERE { ?a a sem:Actor ; rdfs:label ?l } ORDER BY ?l LIMIT 2").format("tsv"))
?l
"Russia"
"Vladimir Putin"
<BLANKLINE>
>>> store.query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
kg.store.ServiceRefused: SERVICE is refused: queries over kg exports never reach the network (pass --allow-service to opt in)
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr as _xml_attr

from .errors import QueryError

__all__ = ["AUTO_OXIGRAPH_BYTES", "KINDS", "Results", "ServiceRefused", "Store", "has_service",
           "is_update", "open_store"]

#: ``kind="auto"`` picks Oxigraph when the graph files add up to more than this many bytes.
AUTO_OXIGRAPH_BYTES = 20_000_000
KINDS = ("auto", "rdflib", "oxigraph")
MANIFEST = "kg-store.json"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld",
             ".trig": "trig", ".nq": "nquads"}


class ServiceRefused(QueryError):
    """Raised when a query uses ``SERVICE`` (it would reach the network) and that is not allowed."""


# --------------------------------------------------------------------------- query text checks

# comments, string literals (long ones first) and IRIs: the parts of a query where a keyword
# is not a keyword
_NOT_KEYWORDS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r'|<[^<>"{}|^`\\\s]*>|#[^\n]*', re.S)
_SERVICE = re.compile(r"(?<![\w:?$-])SERVICE(?![\w:.-])", re.I)
_UPDATE = re.compile(r"(?<![\w:?$-])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)"
                     r"(?![\w:.-])", re.I)
_QUERY_FORM = re.compile(r"(?<![\w:?$-])(SELECT|CONSTRUCT|ASK|DESCRIBE)(?![\w:.-])", re.I)


def _keywords_only(text: str) -> str:
    return _NOT_KEYWORDS.sub(" ", text)


def has_service(text: str) -> bool:
    """Whether a SPARQL text uses the ``SERVICE`` keyword (outside strings, IRIs, comments).

    A lexical check, engine-independent and conservative: it never misses a ``SERVICE``.

    Examples
    --------
    >>> has_service('SELECT * { SERVICE <http://x/> { ?s ?p ?o } }')
    True
    >>> has_service('SELECT * { ?s <http://x/SERVICE> "SERVICE" } # SERVICE')
    False
    """
    return bool(_SERVICE.search(_keywords_only(text)))


def is_update(text: str) -> bool:
    """Whether a SPARQL text is an update (INSERT, DELETE, LOAD, CLEAR, DROP, ...), not a query.

    Examples
    --------
    >>> is_update("PREFIX ex: <http://x/> INSERT DATA { ex:a ex:b ex:c }")
    True
    >>> is_update("SELECT ?insert WHERE { ?s ?p ?insert }")
    False
    """
    words = _keywords_only(text)
    update, query = _UPDATE.search(words), _QUERY_FORM.search(words)
    return bool(update) and (query is None or update.start() < query.start())


# --------------------------------------------------------------------------- results


@dataclass
class Results:
    """The answer to a query, the same whichever engine computed it.

    ``kind`` is "SELECT", "ASK" or "CONSTRUCT" (also DESCRIBE). SELECT answers have ``vars``
    and ``rows`` (one list per solution; each cell None or a SPARQL JSON term dict:
    ``{"type": "uri"|"bnode"|"literal", "value": ..., "datatype"?: ..., "xml:lang"?: ...}``,
    xsd:string literals carry no datatype). ASK answers have ``boolean``; CONSTRUCT answers
    have ``triples`` (3-tuples of term dicts). ``truncated`` is True when ``max_rows`` cut
    the rows or triples.
    """

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple] = field(default_factory=list)
    truncated: bool = False
    engine: str = ""

    #: format name -> media type
    MEDIA_TYPES = {
        "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
        "csv": "text/csv", "tsv": "text/tab-separated-values", "table": "text/plain",
        "nt": "application/n-triples", "ttl": "text/turtle",
    }

    def format(self, fmt: str = "table") -> str:
        """Render as ``json``, ``xml``, ``csv``, ``tsv``, ``table``; CONSTRUCT as ``nt``/``ttl``.

        A CONSTRUCT answer asked for a results format is written as N-Triples (valid Turtle).
        """
        if fmt not in self.MEDIA_TYPES:
            raise QueryError(f"unknown result format {fmt!r}; expected one of: "
                             + ", ".join(self.MEDIA_TYPES))
        if self.kind == "CONSTRUCT":
            return "".join(" ".join(_nt(t) for t in triple) + " .\n" for triple in self.triples)
        return getattr(self, "_" + fmt)()

    def _json(self) -> str:
        if self.kind == "ASK":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)})
        bindings = [{v: cell for v, cell in zip(self.vars, row) if cell is not None}
                    for row in self.rows]
        return json.dumps({"head": {"vars": self.vars}, "results": {"bindings": bindings}},
                          ensure_ascii=False)

    def _xml(self) -> str:
        out = ['<?xml version="1.0"?>',
               '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
        out += [f"<variable name={_xml_attr(v)}/>" for v in self.vars]
        out.append("</head>")
        if self.kind == "ASK":
            out.append(f"<boolean>{'true' if self.boolean else 'false'}</boolean>")
        else:
            out.append("<results>")
            for row in self.rows:
                out.append("<result>")
                for v, cell in zip(self.vars, row):
                    if cell is not None:
                        out.append(f"<binding name={_xml_attr(v)}>{_xml_term(cell)}</binding>")
                out.append("</result>")
            out.append("</results>")
        out.append("</sparql>")
        return "\n".join(out) + "\n"

    def _csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        if self.kind == "ASK":
            writer.writerow(["boolean"])
            writer.writerow(["true" if self.boolean else "false"])
        else:
            writer.writerow(self.vars)
            writer.writerows([["" if c is None else _plain(c) for c in row] for row in self.rows])
        return buf.getvalue()

    def _tsv(self) -> str:
        if self.kind == "ASK":
            return "?boolean\n" + ("true" if self.boolean else "false") + "\n"
        lines = ["\t".join("?" + v for v in self.vars)]
        lines += ["\t".join("" if c is None else _nt(c) for c in row) for row in self.rows]
        return "\n".join(lines) + "\n"

    def _table(self) -> str:
        from .query import table
        if self.kind == "ASK":
            return str(bool(self.boolean))
        text = table(self.vars, [["" if c is None else _plain(c) for c in row] for row in self.rows])
        return text + ("\n(truncated)" if self.truncated else "")


def _plain(term: dict) -> str:
    return term["value"]


def _escape_string(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


def _nt(term: dict) -> str:
    """A term in N-Triples syntax (also what SPARQL TSV results use)."""
    kind = term["type"]
    if kind == "uri":
        return f"<{term['value']}>"
    if kind == "bnode":
        return f"_:{term['value']}"
    if kind == "triple":
        s, p, o = (term["value"][k] for k in ("subject", "predicate", "object"))
        return f"<< {_nt(s)} {_nt(p)} {_nt(o)} >>"
    text = f'"{_escape_string(term["value"])}"'
    if "xml:lang" in term:
        return f"{text}@{term['xml:lang']}"
    if "datatype" in term:
        return f"{text}^^<{term['datatype']}>"
    return text


def _xml_term(term: dict) -> str:
    kind = term["type"]
    if kind == "uri":
        return f"<uri>{_xml_escape(term['value'])}</uri>"
    if kind == "bnode":
        return f"<bnode>{_xml_escape(term['value'])}</bnode>"
    if kind == "triple":
        parts = "".join(f"<{k}>{_xml_term(term['value'][k])}</{k}>"
                        for k in ("subject", "predicate", "object"))
        return f"<triple>{parts}</triple>"
    attrs = ""
    if "xml:lang" in term:
        attrs = f" xml:lang={_xml_attr(term['xml:lang'])}"
    elif "datatype" in term:
        attrs = f" datatype={_xml_attr(term['datatype'])}"
    return f"<literal{attrs}>{_xml_escape(term['value'])}</literal>"


def _rdflib_term(term) -> dict | None:
    from rdflib import BNode, Literal, URIRef
    if term is None:
        return None
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None and str(term.datatype) != _XSD_STRING:
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "literal", "value": str(term)}


def _oxigraph_term(term) -> dict | None:
    import pyoxigraph as ox
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        datatype = term.datatype.value
        if term.language:
            out["xml:lang"] = term.language
        elif datatype not in (_XSD_STRING, _RDF_LANG_STRING):
            out["datatype"] = datatype
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _oxigraph_term(term.subject),
                                            "predicate": _oxigraph_term(term.predicate),
                                            "object": _oxigraph_term(term.object)}}
    return {"type": "literal", "value": str(term)}


# --------------------------------------------------------------------------- stores


class Store:
    """A loaded graph that answers SPARQL. Made by :func:`open_store`; see its engines."""

    kind = ""

    def __init__(self):
        self.triples_count = 0
        self.sources: list[str] = []
        self.reused = False

    def query(self, query: str, *, params: dict[str, str] | None = None,
              allow_service: bool = False, max_rows: int | None = None,
              resolve: bool = True) -> Results:
        """Run a query (text, ``.rq`` file or named query) and return its :class:`Results`.

        ``params`` fill the query's ``VALUES ?name { ... }`` lines; ``SERVICE`` raises
        :class:`ServiceRefused` unless ``allow_service``; ``max_rows`` keeps the first rows
        (or triples) and sets ``truncated``. With ``resolve=False`` the text is only ever
        taken as SPARQL (never as a name or a file to read): use it for untrusted input.
        Raises :class:`kg.errors.QueryError` for a bad query or an update.
        """
        from .query import bind_params, resolve_query
        text = bind_params(resolve_query(query) if resolve else query, params)
        if not allow_service and has_service(text):
            raise ServiceRefused("SERVICE is refused: queries over kg exports never reach the "
                                 "network (pass --allow-service to opt in)")
        if is_update(text):
            raise QueryError("SPARQL Update is refused: this is a read-only store")
        if max_rows is not None and max_rows < 0:
            raise QueryError(f"bad max_rows {max_rows!r}; expected a whole number, 0 or more")
        return self._run(text, params=None, allow_service=allow_service, max_rows=max_rows)

    def _run(self, text, *, params, allow_service, max_rows) -> Results:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:
        """Release the store (closes an on-disk Oxigraph store)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<{type(self).__name__} {self.kind}, {self.triples_count} triples>"


def _take(items, max_rows, convert):
    """Convert at most ``max_rows`` items lazily; return (list, truncated)."""
    out = []
    for item in items:
        if max_rows is not None and len(out) >= max_rows:
            return out, True
        out.append(convert(item))
    return out, False


class RdflibStore(Store):
    """rdflib's in-memory graph (:func:`kg.graph.load`), queried through :func:`kg.query.sparql`."""

    kind = "rdflib"

    def __init__(self, graph):
        super().__init__()
        self.graph = graph
        self.triples_count = len(graph)

    def _run(self, text, *, params, allow_service, max_rows) -> Results:
        from .query import sparql
        # the text is resolved already; the trailing newline keeps kg.query from taking a
        # one-line text for a query name or a file to read
        result = sparql(self.graph, text + "\n", allow_service=allow_service)
        try:
            if result.type == "ASK":
                return Results("ASK", boolean=bool(result.askAnswer), engine=self.kind)
            if result.type in ("CONSTRUCT", "DESCRIBE"):
                triples, cut = _take(iter(result.graph), max_rows,
                                     lambda t: tuple(_rdflib_term(x) for x in t))
                return Results("CONSTRUCT", triples=triples, truncated=cut, engine=self.kind)
            names = [str(v) for v in result.vars]
            # rdflib computes bindings lazily in _genbindings; reading it directly (rather than
            # result.bindings, which materialises every row) keeps a capped answer cheap
            solutions = getattr(result, "_genbindings", None)
            if solutions is None:
                solutions = result.bindings
            variables = list(result.vars)
            rows, cut = _take(solutions, max_rows,
                              lambda b: [_rdflib_term(b.get(v)) for v in variables])
            return Results("SELECT", vars=names, rows=rows, truncated=cut, engine=self.kind)
        except QueryError:
            raise
        except Exception as exc:  # noqa: BLE001 - rdflib evaluates lazily and raises many kinds
            raise QueryError(f"query failed: {exc}") from None


class OxigraphStore(Store):
    """A :class:`pyoxigraph.Store`, in memory or on disk; the default graph holds everything."""

    kind = "oxigraph"

    def __init__(self, store, *, path: Path | None = None):
        super().__init__()
        self.store = store
        self.path = path

    def _run(self, text, *, params, allow_service, max_rows) -> Results:
        import pyoxigraph as ox
        from .namespace import PREFIXES
        prefixes = {k: str(v) for k, v in PREFIXES.items()}
        try:
            result = self.store.query(text, prefixes=prefixes)
            if isinstance(result, ox.QueryBoolean):
                return Results("ASK", boolean=bool(result), engine=self.kind)
            if isinstance(result, ox.QueryTriples):
                triples, cut = _take(result, max_rows,
                                     lambda t: (_oxigraph_term(t.subject), _oxigraph_term(t.predicate),
                                                _oxigraph_term(t.object)))
                return Results("CONSTRUCT", triples=triples, truncated=cut, engine=self.kind)
            names = [v.value for v in result.variables]
            rows, cut = _take(result, max_rows,
                              lambda s: [_oxigraph_term(s[i]) for i in range(len(names))])
            return Results("SELECT", vars=names, rows=rows, truncated=cut, engine=self.kind)
        except SyntaxError as exc:
            raise QueryError(f"bad SPARQL query: {exc}") from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def close(self) -> None:
        self.store = None


# --------------------------------------------------------------------------- opening


def _files(paths) -> list[Path]:
    if paths is None:
        return []
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files = []
    for item in paths:
        file = Path(item)
        if file.suffix.lower() not in _SUFFIXES:
            raise QueryError(f"cannot guess the format of {str(file)!r}; expected a file ending in "
                             + ", ".join(sorted(_SUFFIXES)))
        if not file.is_file():
            raise QueryError(f"cannot read {str(file)!r}: no such file")
        files.append(file)
    return files


def open_store(paths, *, kind: str = "auto", store_path=None) -> Store:
    """Load graph files into a SPARQL engine and return the :class:`Store`.

    ``paths`` is a file or a list of files. ``kind`` is "auto", "rdflib" or "oxigraph" (see the
    module documentation); ``store_path`` (a folder) keeps an Oxigraph store on disk and reuses
    it, without reloading, when it already holds exactly these files (or when ``paths`` is
    empty). Raises :class:`kg.errors.QueryError` for an unknown kind, a missing or unreadable
    file, or a folder that is not a kg store.

    Examples
    --------
    >>> open_store("tests/data/sample.ttl").kind
    'rdflib'
    >>> open_store("tests/data/sample.ttl", kind="sqlite")
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: unknown store 'sqlite'; expected one of: auto, rdflib, oxigraph
    """
    if kind not in KINDS:
        raise QueryError(f"unknown store {kind!r}; expected one of: {', '.join(KINDS)}")
    files = _files(paths)
    if kind == "rdflib" and store_path is not None:
        raise QueryError("--store-path needs the oxigraph store (rdflib keeps graphs in memory only)")
    if kind == "auto":
        big = sum(f.stat().st_size for f in files) > AUTO_OXIGRAPH_BYTES
        kind = "oxigraph" if big or store_path is not None else "rdflib"
    if not files and store_path is None:
        raise QueryError("no graph file given")
    if kind == "rdflib":
        from .graph import load
        store = RdflibStore(load(*files))
        store.sources = [str(f) for f in files]
        return store
    if store_path is None:
        import pyoxigraph as ox
        store = OxigraphStore(ox.Store())
        _load_oxigraph(store.store, files)
        store.triples_count = len(store.store)
        store.sources = [str(f) for f in files]
        return store
    return _open_on_disk(Path(store_path), files)


def _fingerprint(files: list[Path]) -> list[dict]:
    out = []
    for f in files:
        st = f.stat()
        out.append({"path": str(f.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    return sorted(out, key=lambda d: d["path"])


def _open_on_disk(folder: Path, files: list[Path]) -> OxigraphStore:
    import pyoxigraph as ox
    manifest_file, db = folder / MANIFEST, folder / "oxigraph"
    manifest = None
    if manifest_file.is_file():
        try:
            manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = None
    elif folder.exists() and any(folder.iterdir()):
        raise QueryError(f"{str(folder)!r} is not empty and is not a kg store (no {MANIFEST}); "
                         "give an empty or new folder")
    wanted = _fingerprint(files)
    if manifest and db.is_dir() and (not files or manifest.get("sources") == wanted):
        try:
            store = OxigraphStore(ox.Store.read_only(str(db)), path=folder)
        except OSError as exc:
            raise QueryError(f"cannot open the store in {str(folder)!r}: {exc}") from None
        store.triples_count = int(manifest.get("triples", 0))
        store.sources = [d["path"] for d in manifest.get("sources", ())]
        store.reused = True
        return store
    if not files:
        raise QueryError(f"{str(folder)!r} holds no loaded store; give the graph files to load")
    folder.mkdir(parents=True, exist_ok=True)
    manifest_file.unlink(missing_ok=True)
    if db.exists():
        shutil.rmtree(db)
    try:
        oxstore = ox.Store(str(db))
    except OSError as exc:
        raise QueryError(f"cannot create a store in {str(folder)!r}: {exc}") from None
    _load_oxigraph(oxstore, files)
    oxstore.flush()
    store = OxigraphStore(oxstore, path=folder)
    store.triples_count = len(oxstore)
    store.sources = [d["path"] for d in wanted]
    temporary = manifest_file.with_suffix(".tmp")
    temporary.write_text(json.dumps({"version": 1, "sources": wanted,
                                     "triples": store.triples_count}, indent=2), encoding="utf-8")
    os.replace(temporary, manifest_file)
    return store


def _load_oxigraph(oxstore, files: list[Path]) -> None:
    import pyoxigraph as ox
    formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
               "json-ld": ox.RdfFormat.JSON_LD, "trig": ox.RdfFormat.TRIG,
               "nquads": ox.RdfFormat.N_QUADS}
    for file in files:
        name = _SUFFIXES[file.suffix.lower()]
        try:
            if name in ("turtle", "nt"):
                oxstore.bulk_load(path=str(file), format=formats[name])
                continue
            base = None
            if name == "json-ld":
                from .graph import _refuse_remote_contexts
                _refuse_remote_contexts(json.loads(file.read_text(encoding="utf-8")), file)
                base = file.resolve().as_uri()
            # datasets: the union of every graph goes into the default graph, as kg.graph.load does
            quads = ox.parse(path=str(file), format=formats[name], base_iri=base)
            oxstore.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                                for q in quads)
        except QueryError:
            raise
        except (SyntaxError, OSError, ValueError) as exc:
            detail = " ".join(str(exc).split())[:300] or type(exc).__name__
            raise QueryError(f"cannot read {str(file)!r} as {name}: {detail}") from None
