"""Read news articles from files and folders: the first stage of the pipeline.

Accepted inputs: ``.txt``/``.md`` with an optional YAML front matter block (``title``,
``published``, ``url``, ``source``, ``id``), ``.json`` (one object or a list of objects) and
``.jsonl`` (one object a line), where objects need ``text`` and may carry the same keys.
Unreadable inputs are reported as :class:`~kg.model.Skipped`, never raised, so one broken
article never stops a build.

Examples
--------
>>> from kg.ingest import parse_text
>>> art = parse_text("---\\nid: a1\\npublished: 2023-03-13\\n---\\nXi met Putin.", name="a1.txt")
>>> art.id, art.published.isoformat(), art.text
('a1', '2023-03-13', 'Xi met Putin.')
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Iterable, Iterator

from .errors import IngestError
from .model import Article, Skipped

SUFFIXES = {".txt", ".md", ".json", ".jsonl"}
MAX_BYTES = 20_000_000          # larger files are skipped with a reason
MAX_CHARS = 2_000_000           # one article's text
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_id(text: str) -> str:
    """A stable id for an article that has none: a hash of its text."""
    return "doc-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def parse_date(value) -> dt.date | None:
    """Parse ``published``: an ISO date or datetime (string or YAML date); raises on junk."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    try:
        return dt.date.fromisoformat(s[:10]) if len(s) >= 10 else dt.date.fromisoformat(s)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).date()
    except ValueError:
        raise IngestError(f"invalid published date {s!r}; expected an ISO date like 2023-03-13") from None


def decode(raw: bytes) -> str:
    """Decode bytes as UTF-8 (with or without BOM) or UTF-16 with BOM, else Latin-1.

    Raises :class:`IngestError` for binary data.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise IngestError("binary file (NUL bytes); expected text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def clean(text: str) -> str:
    """Normalise newlines and drop control characters (keeping tabs and newlines)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def _article(meta: dict, text: str, *, default_id: str | None, path: str | None) -> Article:
    if not isinstance(text, str) or not text.strip():
        raise IngestError("no text" if text is None else "empty text")
    if len(text) > MAX_CHARS:
        raise IngestError(f"text too long ({len(text):,} characters; limit {MAX_CHARS:,})")
    ident = meta.get("id")
    ident = str(ident).strip() if ident not in (None, "") else (default_id or text_id(text))
    title = meta.get("title") or meta.get("headline")
    return Article(id=ident, text=text, title=str(title).strip() if title else None,
                   published=parse_date(meta.get("published") or meta.get("date")),
                   url=str(meta["url"]) if meta.get("url") else None,
                   source=str(meta["source"]) if meta.get("source") else None, path=path)


def split_front_matter(text: str) -> tuple[dict, str]:
    """Split a YAML front matter block from the body: ``(meta, body)``."""
    m = _FRONT.match(text)
    if not m:
        return {}, text.lstrip("\ufeff")
    import yaml
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise IngestError(f"malformed front matter: {str(exc).splitlines()[0]}") from None
    if not isinstance(meta, dict):
        raise IngestError("malformed front matter: expected key: value lines")
    return meta, text[m.end():]


def parse_text(text: str, *, name: str | None = None, path: str | None = None) -> Article:
    """Parse a ``.txt``/``.md`` article; the id defaults to the file name without extension."""
    meta, body = split_front_matter(clean(text))
    stem = Path(name).stem if name else None
    return _article(meta, body, default_id=stem, path=path)


def _records(path: Path, text: str) -> Iterator[tuple[int | None, object]]:
    if path.suffix == ".jsonl":
        for i, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    yield i, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield i, IngestError(f"malformed JSON line: {exc.msg}")
    else:
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield exc.lineno, IngestError(f"malformed JSON: {exc.msg}")
            return
        if isinstance(obj, list):
            for i, o in enumerate(obj):
                yield i + 1, o
        else:
            yield None, obj


def read_file(path: str | os.PathLike, *, base: Path | None = None) -> Iterator[Article | Skipped]:
    """Yield the articles of one file, or :class:`Skipped` items for what cannot be read."""
    path = Path(path)
    shown = _shown(path, base)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            yield Skipped(shown, f"file too large ({size:,} bytes; limit {MAX_BYTES:,})")
            return
        text = decode(path.read_bytes())
    except (OSError, IngestError, UnicodeDecodeError) as exc:
        yield Skipped(shown, str(exc) if isinstance(exc, IngestError) else f"cannot read: {exc}")
        return
    if path.suffix in (".json", ".jsonl"):
        records = list(_records(path, clean(text)))
        single = len(records) == 1 and path.suffix == ".json"
        for line, obj in records:
            if isinstance(obj, IngestError):
                yield Skipped(shown, str(obj), line)
                continue
            if not isinstance(obj, dict):
                yield Skipped(shown, "expected a JSON object with 'text'", line)
                continue
            try:
                yield _article(obj, clean(obj.get("text") or "") if isinstance(obj.get("text"), str)
                               else obj.get("text"), default_id=path.stem if single else None, path=shown)
            except IngestError as exc:
                yield Skipped(shown, str(exc), line)
    else:
        try:
            yield parse_text(text, name=path.name, path=shown)
        except IngestError as exc:
            yield Skipped(shown, str(exc))


def _shown(path: Path, base: Path | None) -> str:
    try:
        return str(path.resolve().relative_to((base or Path.cwd()).resolve()))
    except ValueError:
        return path.name


def iter_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Expand files and folders (recursively) into input files, in sorted order."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in SUFFIXES
                              and not any(part.startswith(".") for part in f.relative_to(p).parts))
        else:
            yield p


def read(paths: Iterable[str | os.PathLike]) -> Iterator[Article | Skipped]:
    """Read articles from files and folders; duplicate ids are skipped with a reason.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("Xi met Putin.")
    >>> [a.id for a in read([d])]
    ['a']
    """
    seen: dict[str, str] = {}
    for f in iter_files(paths):
        if not f.exists():
            yield Skipped(str(f), "no such file or folder")
            continue
        for item in read_file(f):
            if isinstance(item, Article):
                if item.id in seen:
                    yield Skipped(item.path or str(f), f"duplicate id {item.id!r} (first in {seen[item.id]})")
                    continue
                seen[item.id] = item.path or str(f)
            yield item
