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


def write_atomic(path: str | os.PathLike, data: bytes) -> int:
    """Write bytes to ``path`` through a temporary file and a rename; returns the size."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path)
    try:
        _write_synced(tmp, data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
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
        _write_synced(self.path_for(target), data)
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


def _sorted_lines(text: str) -> str:
    # split on "\n" only: str.splitlines() would also cut at U+2028, U+0085 and other characters
    # that N-Triples keeps raw inside literals
    lines = sorted({ln for ln in text.split("\n") if ln.strip()})
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
    from .rdf import union
    return union(ds)


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


def write_graph(graph: Graph | Dataset, path: str | os.PathLike, *, format: str | None = None,
                staged: StagedFiles | None = None) -> int:
    """Write a graph (or a dataset, for TriG/N-Quads) atomically; returns the bytes written.

    With ``staged``, the file is only staged: it appears when ``staged`` commits.
    """
    fmt = format or guess_format(path)
    if isinstance(graph, Dataset) and fmt not in ("trig", "nquads"):
        graph = _union(graph)
    data = serialize(graph, fmt)
    return staged.write(path, data) if staged is not None else write_atomic(path, data)


def validate(graph: Graph, shapes: str | os.PathLike | None = None) -> tuple[bool, str, int]:
    """Validate against ``ontology/shapes.ttl`` with pySHACL; returns (conforms, report, violations)."""
    import pyshacl
    from .rdf import ontology_dir
    shapes_graph = Graph().parse(str(shapes or ontology_dir() / "shapes.ttl"), format="turtle")
    conforms, report_graph, text = pyshacl.validate(graph, shacl_graph=shapes_graph, inference="none",
                                                    advanced=True, allow_warnings=True)
    from rdflib.namespace import SH
    n = len(list(report_graph.subjects(predicate=SH.resultSeverity)))
    return bool(conforms), text, n
