"""Plain data passed between the pipeline stages (no logic here).

ingest -> :class:`Article`; extract -> :class:`Extraction` (mentions, times, events, memberships
of one article); resolve -> actors and events with stable keys; build -> RDF.

Examples
--------
>>> from kg.model import Article
>>> Article(id="a1", text="Xi met Putin.").title is None
True
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Article:
    """One news article: its body text and what its source says about it."""

    id: str
    text: str
    title: str | None = None
    published: dt.date | None = None
    url: str | None = None
    source: str | None = None
    path: str | None = None          # where it was read from (relative, for reports only)
    published_inferred: bool = False


@dataclass
class Skipped:
    """An input that could not be read, with a one-line reason."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass
class Mention:
    """A span of the article body that names an actor or a place."""

    start: int
    end: int
    text: str
    type: str                  # Person | Country | Organization | City | Place
    key: str | None = None     # resolved actor/place key, set by extraction
    kind: str = "name"         # name | alias | demonym | capital | seat | title | pronoun


@dataclass
class TimeValue:
    """A normalised time: exact (value) or a range (earliest/latest), with its text."""

    text: str
    start: int
    end: int
    value: str | None = None
    earliest: str | None = None
    latest: str | None = None

    @property
    def resolved(self) -> bool:
        return bool(self.value or (self.earliest and self.latest))


@dataclass
class Participant:
    key: str
    role: str                  # agent, patient, host, guest, inviter, invitee, speaker, ...


@dataclass
class Event:
    """An event found in one sentence of one article."""

    code: str                  # CAMEO code, e.g. "042"
    trigger: str
    label: str
    participants: list[Participant]
    sentence: str
    start: int                 # sentence offsets in the article body
    end: int
    trigger_start: int
    status: str = "occurred"   # occurred | planned
    time: TimeValue | None = None
    place: str | None = None   # place or country key
    confidence: float = 0.7
    quote: str | None = None
    proposes: int | None = None   # index of the event an invitation proposes
    extra_mentions: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class Membership:
    """A title held by a person: (person, title, organisation or country)."""

    person: str
    title: str
    organization: str
    sentence: str
    start: int
    end: int
    confidence: float = 0.8


@dataclass
class ActorInfo:
    """What one article says about an actor: its canonical name, type and surface forms."""

    key: str
    name: str
    type: str                  # Person | Country | Organization
    aliases: set[str] = field(default_factory=set)
    wikidata: str | None = None
    iso: str | None = None


@dataclass
class PlaceInfo:
    key: str
    name: str
    type: str                  # City | Place
    country: str | None = None
    aliases: set[str] = field(default_factory=set)


@dataclass
class Extraction:
    """Everything extracted from one article."""

    article: Article
    actors: dict[str, ActorInfo] = field(default_factory=dict)
    places: dict[str, PlaceInfo] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    times: list[TimeValue] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
