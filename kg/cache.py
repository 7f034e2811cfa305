"""A cache of per-article extractions, so a build re-reads only new or changed articles.

An entry is the JSON of one :class:`~kg.model.Extraction`, stored under ``<out>/.cache/`` and
keyed by the article's content hash (its text and metadata) within a folder named by the
pipeline's fingerprint: ``kg.extract.PIPELINE_VERSION``, a hash of the data files in
``kg/data/``, a hash of the extraction code and the spaCy model's name and version. Any change
to those gives a new folder (older folders are pruned), so a stale extraction is never reused.
Entries are written atomically; an entry that cannot be read is ignored and rebuilt.

Examples
--------
>>> import tempfile
>>> from kg.model import Article, Extraction
>>> cache = ExtractionCache(tempfile.mkdtemp(), fingerprint="test")
>>> art = Article(id="a1", text="Xi met Putin.")
>>> cache.get(art) is None
True
>>> cache.put(Extraction(art))
>>> cache.get(art).article.id, cache.hits, cache.misses
('a1', 1, 1)
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
from functools import lru_cache
from pathlib import Path

from .model import (ActorInfo, Article, Event, Extraction, Membership, Mention, Participant,
                    PlaceInfo, TimeValue)

FORMAT = 1                       # bump when the JSON layout below changes
PACKAGE = Path(__file__).resolve().parent
CODE = ("extract.py", "timex.py", "gazetteer.py", "model.py", "cache.py")


def _hash_files(paths) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(PACKAGE)).encode("utf-8") + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=8)
def pipeline_fingerprint(model: str | None = None) -> str:
    """The pipeline's version: what, besides an article, decides its extraction."""
    from .extract import DEFAULT_MODEL, PIPELINE_VERSION
    name = model or DEFAULT_MODEL
    try:
        from importlib.metadata import version
        model_version = version(name.replace("_", "-"))
    except Exception:  # noqa: BLE001 - a model given as a path or not a package
        model_version = "?"
    try:
        from importlib.metadata import version
        spacy_version = version("spacy")
    except Exception:  # noqa: BLE001
        spacy_version = "?"
    data = [p for p in (PACKAGE / "data").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    code = [PACKAGE / c for c in CODE if (PACKAGE / c).exists()]
    from .gazetteer import user_files
    user = hashlib.sha256(b"".join(p.read_bytes() + b"\0" for p in user_files())).hexdigest()
    parts = [f"format={FORMAT}", f"pipeline={PIPELINE_VERSION}", f"model={name}={model_version}",
             f"spacy={spacy_version}", f"data={_hash_files(data)}", f"code={_hash_files(code)}",
             f"user-gazetteer={user}"]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:20]


def article_hash(article: Article) -> str:
    """A hash of what an extraction depends on in an article: its text and metadata."""
    meta = {"id": article.id, "title": article.title, "url": article.url, "source": article.source,
            "published": article.published.isoformat() if article.published else None,
            "published_inferred": article.published_inferred, "text": article.text}
    return hashlib.sha256(json.dumps(meta, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------ JSON
def to_json(x: Extraction) -> dict:
    """A JSON-ready dict of an extraction (sets become sorted lists)."""
    def plain(obj):
        if dataclasses.is_dataclass(obj):
            return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        if isinstance(obj, dict):
            return {k: plain(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [plain(v) for v in obj]
        if isinstance(obj, (set, frozenset)):
            return sorted(plain(v) for v in obj)
        if isinstance(obj, dt.date):
            return obj.isoformat()
        return obj
    return plain(x)


def _make(cls, d: dict):
    """A dataclass from its JSON dict: lists go back to sets where the field is a set."""
    d = dict(d)
    for f in dataclasses.fields(cls):
        if f.name in d and str(f.type).startswith(("set", "frozenset")) and d[f.name] is not None:
            d[f.name] = set(d[f.name])
    return cls(**d)


def from_json(d: dict) -> Extraction:
    """The extraction of :func:`to_json`; raises ``KeyError``/``TypeError``/``ValueError`` on junk."""
    def time(t):
        return _make(TimeValue, t) if t is not None else None

    a = dict(d["article"])
    a["published"] = dt.date.fromisoformat(a["published"]) if a.get("published") else None
    events = []
    for e in d["events"]:
        e = dict(e)
        e["participants"] = [_make(Participant, p) for p in e["participants"]]
        e["time"] = time(e["time"])
        e["extra_mentions"] = [tuple(m) for m in e["extra_mentions"]]
        events.append(_make(Event, e))
    return Extraction(
        article=_make(Article, a),
        actors={k: _make(ActorInfo, v) for k, v in d["actors"].items()},
        places={k: _make(PlaceInfo, v) for k, v in d["places"].items()},
        mentions=[_make(Mention, m) for m in d["mentions"]],
        times=[time(t) for t in d["times"]],
        events=events,
        memberships=[_make(Membership, m) for m in d["memberships"]])


# ------------------------------------------------------------------------------ the cache
class ExtractionCache:
    """Per-article extractions on disk: ``get`` an article's, ``put`` a new one.

    ``hits`` and ``misses`` count the look-ups; ``errors`` the entries that could not be read.
    """

    def __init__(self, root: str | os.PathLike, *, model: str | None = None, fingerprint: str | None = None):
        self.root = Path(root)
        self.fingerprint = fingerprint or pipeline_fingerprint(model)
        self.dir = self.root / self.fingerprint
        self.hits = self.misses = self.errors = 0

    def path(self, article: Article) -> Path:
        h = article_hash(article)
        return self.dir / h[:2] / f"{h}.json"

    def get(self, article: Article) -> Extraction | None:
        """The cached extraction of an article, or None (a corrupt entry counts as missing)."""
        p = self.path(article)
        try:
            x = from_json(json.loads(p.read_text(encoding="utf-8")))
            if x.article.id != article.id or x.article.text != article.text:
                raise ValueError("entry is for another article")
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:  # noqa: BLE001 - any unreadable entry is rebuilt
            self.misses += 1
            self.errors += 1
            return None
        self.hits += 1
        x.article = article          # the article as read now (its path may have changed)
        return x

    def put(self, x: Extraction) -> None:
        """Store an extraction (atomically: a temporary file renamed into place).

        Not synced to disk: after a crash an entry may be empty or missing, and is then rebuilt.
        """
        from .export import write_atomic
        data = json.dumps(to_json(x), ensure_ascii=False, sort_keys=True).encode("utf-8")
        write_atomic(self.path(x.article), data, sync=False)

    def prune(self) -> int:
        """Remove the folders of other pipeline versions; returns how many were removed."""
        n = 0
        if self.root.is_dir():
            for d in self.root.iterdir():
                if d.is_dir() and d.name != self.fingerprint:
                    shutil.rmtree(d, ignore_errors=True)
                    n += 1
        return n

    def stats(self) -> dict:
        return {"hits": self.hits, "misses": self.misses, "errors": self.errors, "dir": str(self.dir)}
