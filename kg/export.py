r"""Write graphs to files: Turtle, N-Triples, JSON-LD and TriG, deterministic and atomic.

Every file is written to a temporary file in the same folder and renamed into place, so a build
that is interrupted leaves the previous export intact; :class:`StagedFiles` does that for a set
of files at once (nothing changes until all are written). The same graph always gives the same
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
import re
import tempfile
from pathlib import Path
from typing import Iterable

from rdflib import BNode, Dataset, Graph, Literal, URIRef

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


TMP_MARK = ".kgtmp-"     # in the name of every temporary file we write (with our process id)


def _temporary(target: Path) -> Path:
    """A new empty hidden file beside ``target``, named after it and this process."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}{TMP_MARK}{os.getpid()}-", suffix=".tmp",
                               dir=target.parent)
    os.close(fd)
    return Path(tmp)


def _write_synced(tmp: Path, data: bytes) -> None:
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o644)      # mkstemp makes 0600; exports are meant to be read


def write_staged(tmp: str | os.PathLike, data: bytes) -> None:
    """Write (and sync) the temporary of :meth:`StagedFiles.path_for` (another process may do it)."""
    _write_synced(Path(tmp), data)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str | os.PathLike, data: bytes, *, sync: bool = True) -> int:
    """Write bytes to ``path`` through a temporary file and a rename; returns the size.

    ``sync=False`` skips flushing to disk (after a crash the file may be empty or missing, but
    never half-written): for files that are only a cache.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path)
    try:
        if sync:
            _write_synced(tmp, data)
        else:
            tmp.write_bytes(data)
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    if sync:
        _sync_folder(path.parent)
    return len(data)


class StagedFiles:
    """Files written to hidden temporaries beside their targets, renamed into place together.

    Nothing visible changes until :meth:`commit`: a process killed before it (even by SIGKILL)
    leaves every previous file byte for byte as it was. Used as a context manager, it commits
    when the block ends normally and discards the temporaries on any exception (Ctrl-C too).
    Temporaries left by a killed process are removed by :func:`remove_stale_temporaries`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with StagedFiles() as staged:
    ...     _ = staged.write(d / "a.txt", b"A")
    ...     sorted(p.name for p in d.iterdir() if not p.name.startswith("."))
    []
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt']
    """

    def __init__(self):
        self.pending: list[tuple[Path, Path]] = []

    def path_for(self, target: str | os.PathLike) -> Path:
        """A temporary path that will become ``target`` on commit (for code that writes files)."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temporary(target)
        self.pending.append((tmp, target))
        return tmp

    def write(self, target: str | os.PathLike, data: bytes) -> int:
        """Stage ``data`` for ``target``; returns the size."""
        write_staged(self.path_for(target), data)
        return len(data)

    def forget(self, target: str | os.PathLike) -> None:
        """Drop what was staged for ``target`` (the previous file stays)."""
        target = Path(target)
        for tmp, t in [p for p in self.pending if p[1] == target]:
            self.pending.remove((tmp, t))
            _unlink(tmp)

    def commit(self) -> None:
        """Rename every staged file into place (signals held back meanwhile)."""
        import signal
        held = {signal.SIGINT, signal.SIGTERM}
        blocked = None
        if hasattr(signal, "pthread_sigmask"):
            try:
                blocked = signal.pthread_sigmask(signal.SIG_BLOCK, held)
            except (OSError, ValueError):
                blocked = None
        try:
            for tmp, target in self.pending:
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
            for folder in {t.parent for _, t in self.pending}:
                _sync_folder(folder)
            self.pending.clear()
        finally:
            if blocked is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def discard(self) -> None:
        """Remove every staged temporary; the previous files stay."""
        for tmp, _ in self.pending:
            _unlink(tmp)
        self.pending.clear()

    def __enter__(self) -> "StagedFiles":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def remove_stale_temporaries(folder: str | os.PathLike) -> list[str]:
    """Remove the temporaries that processes which no longer run left in ``folder``.

    Returns the names removed. A temporary of a live process (another build) is kept.
    """
    import re
    removed = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    for f in folder.iterdir():
        m = re.search(re.escape(TMP_MARK) + r"(\d+)-", f.name)
        if not f.name.startswith(".") or not m or not f.is_file():
            continue
        pid = int(m.group(1))
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
            continue            # still running (or not ours to signal): leave it
        except ProcessLookupError:
            pass
        except (PermissionError, OSError):
            continue
        _unlink(f)
        removed.append(f.name)
    return sorted(removed)


def serialize(graph: Graph | Dataset, fmt: str) -> bytes:
    """Serialise deterministically in one of ``turtle``, ``nt``, ``json-ld``, ``trig``, ``nquads``.

    Written here in one pass over the triples, sorted (rdflib's Turtle writer spends most of its
    time looking up prefixes: 10x slower). Turtle, TriG and JSON-LD use our prefixes and
    ``rdf:type`` as ``a`` (``@type`` in JSON-LD). TriG and N-Quads of a Dataset have one block
    or one fourth term per named graph.
    """
    if isinstance(graph, Dataset):
        quads = {g.identifier: list(g.triples((None, None, None))) for g in graph.graphs() if len(g)}
        if fmt in ("trig", "nquads"):
            return serialize_quads(quads, fmt)
        triples: Iterable = {t for ts in quads.values() for t in ts}
    else:
        triples = graph.triples((None, None, None))
    return serialize_triples(triples, fmt)


def serialize_triples(triples: Iterable, fmt: str) -> bytes:
    """Triples (``(s, p, o)`` of rdflib terms, no repeats) as ``turtle``, ``nt``, ``json-ld``,
    ``trig`` (all in the default graph) or ``nquads`` (the same)."""
    if fmt in ("nt", "nquads"):
        return _lines(f"{_nt(s)} {_nt(p)} {_nt(o)} ." for s, p, o in triples)
    terms = _Terms()
    idx = _index(triples)
    if fmt == "json-ld":
        return _jsonld(idx, terms).encode("utf-8")
    if fmt in ("turtle", "trig"):
        lines = terms.header() + _turtle_subjects(idx, terms, "")
        return ("\n".join(lines).rstrip() + "\n").encode("utf-8")
    raise BuildError(f"cannot write {fmt!r}; expected one of: turtle, nt, json-ld, trig, nquads")


def serialize_quads(quads: dict, fmt: str) -> bytes:
    """Named graphs (graph name -> triples) as ``trig`` or ``nquads``, sorted; a default graph
    (a name starting ``urn:x-rdflib:default``) is written without a name."""
    def named(name) -> bool:
        return not str(name).startswith("urn:x-rdflib:default")
    if fmt == "nquads":
        return _lines(f"{_nt(s)} {_nt(p)} {_nt(o)}" + (f" {_nt(name)} ." if named(name) else " .")
                      for name, triples in quads.items() for s, p, o in triples)
    if fmt != "trig":
        return serialize_triples({t for ts in quads.values() for t in ts}, fmt)
    terms = _Terms()
    out = terms.header()
    for name in sorted(quads, key=lambda n: (named(n), str(n))):
        body = _turtle_subjects(_index(quads[name]), terms, "    " if named(name) else "")
        if not body:
            continue
        if named(name):
            out += [f"{terms.ttl(name)} {{"] + body[:-1] + ["}", ""]   # no blank line before "}"
        else:
            out += body
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")


def _lines(lines: Iterable[str]) -> bytes:
    ordered = sorted(set(lines))
    return ("\n".join(ordered) + ("\n" if ordered else "")).encode("utf-8")


_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _nt(t) -> str:
    """A term in N-Triples (UTF-8; in literals only quote, backslash, LF and CR are escaped)."""
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, BNode):
        return f"_:{t}"
    text = '"' + str(t).translate(_NT_ESCAPES) + '"'
    if t.language:
        return f"{text}@{t.language}"
    if t.datatype is not None:
        return f"{text}^^<{t.datatype}>"
    return text


_LOCAL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


class _Terms:
    """Terms as Turtle and JSON-LD text with our prefixes, memoised: a graph repeats its IRIs."""

    def __init__(self):
        from .namespace import PREFIXES
        self.declared = sorted((p, str(ns)) for p, ns in PREFIXES.items())
        self.longest_first = sorted(self.declared, key=lambda x: -len(x[1]))
        self._ttl: dict = {}
        self._json: dict = {}
        self._curie: dict = {}

    def header(self) -> list[str]:
        return [f"@prefix {p}: <{ns}> ." for p, ns in self.declared] + [""]

    def context(self) -> dict:
        return {p: ns for p, ns in self.declared}

    def curie(self, iri: str, *, turtle: bool) -> str | None:
        """``prefix:local`` for an IRI in one of our namespaces (Turtle: a valid local name)."""
        key = (iri, turtle)
        if key in self._curie:
            return self._curie[key]
        found = None
        for p, ns in self.longest_first:
            if iri.startswith(ns) and len(iri) > len(ns):
                local = iri[len(ns):]
                if (_LOCAL.fullmatch(local) if turtle else not local.startswith("//")):
                    found = f"{p}:{local}"
                break
        self._curie[key] = found
        return found

    def ttl(self, t) -> str:
        """A term in Turtle: a prefixed name where valid, else its N-Triples form."""
        s = self._ttl.get(t)
        if s is None:
            if isinstance(t, URIRef):
                s = self.curie(str(t), turtle=True) or t.n3()
            elif isinstance(t, Literal) and t.datatype is not None and t.language is None:
                s = t.n3()
                tail = f"^^<{t.datatype}>"
                short = self.curie(str(t.datatype), turtle=True)
                if short and s.endswith(tail):
                    s = s[:-len(tail)] + "^^" + short
            else:
                s = t.n3()
            self._ttl[t] = s
        return s

    def jid(self, t) -> str:
        """An IRI (or blank node) as a JSON-LD ``@id``/key: a compact IRI where one fits."""
        if isinstance(t, BNode):
            return f"_:{t}"
        return self.curie(str(t), turtle=False) or str(t)

    def jvalue(self, t) -> tuple[str, object]:
        """A term as a JSON-LD value, with a sort key."""
        v = self._json.get(t)
        if v is None:
            if isinstance(t, Literal):
                if t.language:
                    obj = {"@language": t.language, "@value": str(t)}
                elif t.datatype is not None:
                    obj = {"@type": self.jid(t.datatype), "@value": str(t)}
                else:
                    obj = str(t)
            else:
                obj = {"@id": self.jid(t)}
            v = self._json[t] = (json.dumps(obj, sort_keys=True, ensure_ascii=False), obj)
        return v


def _index(triples) -> dict:
    idx: dict = {}
    for s, p, o in triples:
        idx.setdefault(s, {}).setdefault(p, []).append(o)
    return idx


def _order(t) -> tuple[bool, str]:
    return (not isinstance(t, URIRef), str(t))


def _turtle_subjects(idx: dict, terms: _Terms, indent: str) -> list[str]:
    from rdflib.namespace import RDF
    out = []
    sep_p, sep_o = f" ;\n{indent}    ", f",\n{indent}        "
    for s in sorted(idx, key=_order):
        preds = idx[s]
        parts = []
        for p in sorted(preds, key=lambda p: (p != RDF.type, str(p))):
            objs = sorted(terms.ttl(o) for o in preds[p])
            parts.append(("a" if p == RDF.type else terms.ttl(p)) + " " + sep_o.join(objs))
        out.append(f"{indent}{terms.ttl(s)}\n{indent}    " + sep_p.join(parts) + " .")
        out.append("")
    return out


def _jsonld(idx: dict, terms: _Terms) -> str:
    """Flattened JSON-LD: one node object per subject, our prefixes as the context."""
    from rdflib.namespace import RDF
    nodes = []
    for s in sorted(idx, key=_order):
        node: dict = {"@id": terms.jid(s)}
        for p, objs in idx[s].items():
            if p == RDF.type and all(isinstance(o, URIRef) for o in objs):
                types = sorted(terms.jid(o) for o in objs)
                node["@type"] = types[0] if len(types) == 1 else types
                continue
            if len(objs) == 1:
                node[terms.jid(p)] = terms.jvalue(objs[0])[1]
            else:
                node[terms.jid(p)] = [v for _, v in sorted((terms.jvalue(o) for o in objs), key=lambda kv: kv[0])]
        nodes.append(node)
    doc = {"@context": terms.context(), "@graph": nodes}
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_graph(graph: Graph | Dataset, path: str | os.PathLike, *, format: str | None = None,
                staged: StagedFiles | None = None) -> int:
    """Write a graph (or a dataset, for TriG/N-Quads) atomically; returns the bytes written.

    With ``staged``, the file is only staged: it appears when ``staged`` commits.
    """
    data = serialize(graph, format or guess_format(path))
    return staged.write(path, data) if staged is not None else write_atomic(path, data)


def validate(graph: Graph, shapes: str | os.PathLike | None = None, *, jobs: int = 1) -> tuple[bool, str, int]:
    """Validate against ``ontology/shapes.ttl`` with pySHACL; returns (conforms, report, violations).

    ``jobs > 1`` validates in that many forked processes (where fork is available), each with
    some of the shapes (by their targets, the largest first): the same results, in less time.
    """
    return start_validation(graph, shapes, jobs=jobs)()


def start_validation(graph, shapes: str | os.PathLike | None = None, *, jobs: int = 1):
    """Start :func:`validate` in forked processes; returns a function that waits for the result.

    ``graph`` is an rdflib Graph or a collection of triples (each process then makes its own
    Graph of them, in parallel).
    """
    import pyshacl
    from rdflib.namespace import SH
    from .distributed import Forked
    from .rdf import ontology_dir, to_graph
    import multiprocessing as mp
    shapes_graph = Graph().parse(str(shapes or ontology_dir() / "shapes.ttl"), format="turtle")

    def run(use_shapes=None) -> tuple[bool, str, int]:
        g = graph if isinstance(graph, Graph) else to_graph(graph)
        conforms, report_graph, text = pyshacl.validate(g, shacl_graph=shapes_graph, inference="none",
                                                        advanced=True, allow_warnings=True,
                                                        use_shapes=use_shapes)
        return bool(conforms), text, len(list(report_graph.subjects(predicate=SH.resultSeverity)))

    if jobs < 2 or "fork" not in mp.get_all_start_methods():
        outcome = run()
        return lambda: outcome
    groups = _shape_groups(graph, shapes_graph, jobs)
    running = [Forked(run, [str(s) for s in group]) for group in groups]

    def wait() -> tuple[bool, str, int]:
        outcomes = [job.result() for job in running]
        n = sum(o[2] for o in outcomes)
        if all(o[0] for o in outcomes):
            return True, outcomes[0][1], 0
        # each report starts "Validation Report", "Conforms: False", "Results (n):"; one header for all
        texts = [o[1].split("\n", 3)[3] if o[1].count("\n") >= 3 else o[1] for o in outcomes if not o[0]]
        return False, f"Validation Report\nConforms: False\nResults ({n}):\n" + "".join(texts), n
    return wait


def _shape_groups(triples, shapes_graph: Graph, jobs: int) -> list[list]:
    """The shapes that have targets, in ``jobs`` groups of about equal work: the number of their
    targets in ``triples`` (a Graph or a collection of triples) times their constraints."""
    from collections import Counter
    from rdflib.namespace import RDF, SH
    classes: Counter = Counter()
    predicates: Counter = Counter()
    for _, p, o in (triples.triples((None, None, None)) if isinstance(triples, Graph) else triples):
        predicates[p] += 1
        if p == RDF.type:
            classes[o] += 1
    cost = {}
    for shape in set(shapes_graph.subjects(RDF.type, SH.NodeShape)):
        targets = sum(classes[c] for c in shapes_graph.objects(shape, SH.targetClass))
        targets += sum(predicates[p] for p in shapes_graph.objects(shape, SH.targetObjectsOf))
        targets += sum(predicates[p] for p in shapes_graph.objects(shape, SH.targetSubjectsOf))
        targets += sum(1 for _ in shapes_graph.objects(shape, SH.targetNode))
        targets += 100 * sum(1 for _ in shapes_graph.objects(shape, SH.target))   # a SPARQL target: a query
        if targets:
            cost[shape] = targets * (1 + sum(1 for _ in shapes_graph.objects(shape, SH.property)))
    groups: list[list] = [[] for _ in range(max(1, jobs))]
    load = [0] * len(groups)
    for shape in sorted(cost, key=lambda s: (-cost[s], str(s))):
        i = load.index(min(load))
        groups[i].append(shape)
        load[i] += cost[shape]
    return [g for g in groups if g]
