"""Resolve actors and events across articles: one node per real actor and per real event.

The third stage. Each article's extraction names its actors by key (a gazetteer key, else a
slug of the name) and lists the events of its sentences. Here the articles meet:

Actors
    The same key is one actor. Keys with the same Wikidata id (or ISO code) are one actor. A
    shorter person name ("Obama", "Cristina Fernandez", "Assad") joins the fuller name of the
    corpus it fits ("Barack Obama", "Cristina Fernandez de Kirchner", "Bashar al-Assad") when
    exactly one fits, or when the evidence picks one: the full name named in the same article,
    else the only candidate linked to the same country by a title or by the countries named
    around it. An acronym joins the organisation it is introduced for ("Kurdistan Workers'
    Party (PKK)") or whose initials it is, when only one organisation of the corpus has them.
    Different people who share a surname ("Kim Jong Un", "Kim Yo Jong") stay apart, and a lone
    "Kim" that fits both joins neither. Every merge is recorded with its reason; every name that
    was kept apart although it fits several names is recorded too (:class:`ActorTable`).
Events
    Events of different articles are one event when they are the same real event
    (:func:`same_event`): compatible CAMEO codes (04x with 04x, else the same two-digit root),
    the same status, both times known and overlapping (a time of more than a month, such as
    "this year", is too vague to identify an event), no conflicting places, and shared
    participants: where persons take part, countries do not count, and when both events name
    two or more participants, two must be shared. An event that happened ``fulfils`` the
    planned event it carries out; the two are never merged. Clustering visits the events in a
    canonical order (publication date, article id, offset), so the result does not depend on the
    order the articles were read in, and a cluster's key is the key of its earliest mention.
Document dates
    :func:`infer_published` dates an undated article from a dateline that names a full date;
    :func:`published_not_before` gives the latest past date it mentions as a lower bound.

Examples
--------
>>> from kg.model import ActorInfo
>>> from kg.resolve import merge_actors
>>> table, why = merge_actors([{"obama": ActorInfo("obama", "Obama", "Person")},
...                            {"barack-obama": ActorInfo("barack-obama", "Barack Obama", "Person")}])
>>> table.alias["obama"], table.actors["barack-obama"].name, sorted(table.actors["barack-obama"].aliases)
('barack-obama', 'Barack Obama', ['Obama'])
>>> table, why = merge_actors([{"kim": ActorInfo("kim", "Kim", "Person")},
...                            {"kim-jong-un": ActorInfo("kim-jong-un", "Kim Jong Un", "Person")},
...                            {"kim-yo-jong": ActorInfo("kim-yo-jong", "Kim Yo Jong", "Person")}])
>>> why, sorted(table.actors)
([], ['kim', 'kim-jong-un', 'kim-yo-jong'])
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Iterable

from .model import ActorInfo, Article, Event, Extraction, Participant, PlaceInfo, TimeValue
from .timex import interval  # noqa: F401 - part of this module's API

TYPE_ORDER = ("Person", "Country", "Organization")
NAME_PARTICLES = ("al-", "el-", "ad-", "as-", "bin-")   # "al-Assad" is also "Assad"
MAX_EVENT_DAYS = 31     # a time wider than this ("this year") does not identify an event


# ------------------------------------------------------------------------------ actors
@dataclass
class ActorTable:
    """The corpus-wide actors: ``actors`` by canonical key, ``alias`` maps every merged key to it.

    ``merges`` lists ``(from, to, why)`` and ``kept_apart`` lists ``(key, candidates, why)`` for
    names that fit several actors and joined none.
    """

    actors: dict[str, ActorInfo] = field(default_factory=dict)
    places: dict[str, PlaceInfo] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)
    merges: list[tuple[str, str, str]] = field(default_factory=list)
    kept_apart: list[tuple[str, list[str], str]] = field(default_factory=list)
    rdf_cache: dict = field(default_factory=dict, repr=False, compare=False)   # kg.rdf: triples of each actor

    def canonical(self, key: str) -> str:
        return self.alias.get(key, key)


@dataclass
class _Context:
    """What the articles say around the actors: evidence for merges."""

    articles: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))   # key -> article ids
    titled: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))     # person -> orgs of titles
    around: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))     # key -> countries named with it
    texts: dict[str, str] = field(default_factory=dict)                                # article id -> text
    named: dict[str, set[str]] = field(default_factory=dict)                           # article id -> keys
    offices: dict[str, set[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(set))  # person ->
    #   (title, organisation, publication date) of the titles the articles give


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9\- ]+", "", s.replace("'s ", " ")).strip()


def _tokens(name: str) -> list[str]:
    return [t for t in _fold(name).split() if t]


def _bare(tok: str) -> str:
    for p in NAME_PARTICLES:
        if tok.startswith(p) and len(tok) > len(p) + 1:
            return tok[len(p):]
    return tok


def _fits(short: list[str], full: list[str]) -> bool:
    """Whether a shorter name is the first or last word(s) of a fuller one."""
    if not short or len(short) >= len(full):
        return False
    s = [_bare(t) for t in short]
    f = [_bare(t) for t in full]
    return f[:len(s)] == s or f[-len(s):] == s


def _initials(name: str, *, all_words: bool) -> str:
    words = re.findall(r"[A-Za-z][\w'-]*", name)
    if not all_words:
        words = [w for w in words if w[0].isupper()]
    return "".join(w[0] for w in words).upper()


class _Groups:
    """Union-find over actor keys; the root is always the merge target."""

    def __init__(self, keys: Iterable[str]):
        self.parent = {k: k for k in keys}
        self.members = {k: [k] for k in self.parent}

    def find(self, k: str) -> str:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def join(self, child: str, target: str) -> None:
        a, b = self.find(child), self.find(target)
        if a != b:
            self.parent[a] = b
            self.members[b] += self.members.pop(a)

    def group(self, k: str) -> list[str]:
        return self.members[self.find(k)]


def merge_actors(per_article: list[dict[str, ActorInfo]], *, context: _Context | None = None
                 ) -> tuple[ActorTable, list[tuple[str, str, str]]]:
    """Merge per-article actor dictionaries; returns the table and the merges ``(from, to, why)``.

    ``context`` (built by :func:`resolve`) carries the evidence of the articles: which article
    names which actor, titles and the countries named around an actor.
    """
    ctx = context or _Context()
    names: dict[str, Counter] = defaultdict(Counter)
    types: dict[str, Counter] = defaultdict(Counter)
    aliases: dict[str, set[str]] = defaultdict(set)
    wikidata: dict[str, set[str]] = defaultdict(set)
    iso: dict[str, set[str]] = defaultdict(set)
    for actors in per_article:
        for key, a in actors.items():
            names[key][a.name] += 1
            types[key][a.type] += 1
            aliases[key] |= a.aliases
            if a.wikidata:
                wikidata[key].add(a.wikidata)
            if a.iso:
                iso[key].add(a.iso)
    keys = sorted(names)
    name = {k: sorted(names[k].items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0] for k in keys}
    typ = {k: sorted(types[k].items(), key=lambda kv: (-kv[1], TYPE_ORDER.index(kv[0])
                                                       if kv[0] in TYPE_ORDER else 9))[0][0] for k in keys}
    wd = {k: min(wikidata[k]) if wikidata[k] else None for k in keys}
    groups = _Groups(keys)
    merges: list[tuple[str, str, str]] = []
    kept: list[tuple[str, list[str], str]] = []

    def merge(child: str, target: str, why: str) -> None:
        groups.join(child, target)
        merges.append((child, target, why))

    # 1. gazetteer identity: the same Wikidata id or ISO code is one actor
    for ids, label in ((wikidata, "Wikidata id"), (iso, "ISO code")):
        by_id: dict[str, list[str]] = defaultdict(list)
        for k in keys:
            for i in ids[k]:
                by_id[i].append(k)
        for i, ks in sorted(by_id.items()):
            ks = [k for k in ks if typ[k] == typ[ks[0]]]
            if len(ks) < 2:
                continue
            target = sorted(ks, key=lambda k: (-len(_tokens(name[k])), -sum(names[k].values()), k))[0]
            for k in sorted(ks):
                if groups.find(k) != groups.find(target):
                    merge(k, target, f"'{name[k]}' and '{name[target]}' have the same {label} {i}")

    # 1b. the same name written two ways ("Worker’s" and "Workers'") of the same type
    by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
    for k in keys:
        folded = re.sub(r"[^a-z0-9]", "", _fold(name[k]))
        if folded:
            by_name[(typ[k], folded)].append(k)
    for ks in by_name.values():
        known = {wd[k] for k in ks if wd[k]}
        if len(ks) < 2 or len(known) > 1:
            continue
        # a gazetteer key (with a Wikidata id, or not a slug of its name) is the better target
        target = sorted(ks, key=lambda k: (not wd[k], k == re.sub(r"[^a-z0-9]+", "-", _fold(name[k])).strip("-"),
                                           -sum(names[k].values()), k))[0]
        for k in sorted(ks):
            if groups.find(k) != groups.find(target):
                merge(k, target, f"'{name[k]}' and '{name[target]}' are the same name written two ways")

    # 2. acronyms of organisations
    orgs = [k for k in keys if typ[k] == "Organization"]
    acronyms = [k for k in orgs if re.fullmatch(r"[A-Z]{2,6}", name[k])]
    fulls = [k for k in orgs if len(name[k].split()) >= 2]
    initials: dict[str, set[str]] = defaultdict(set)
    for f in fulls:
        for acr in {_initials(name[f], all_words=True), _initials(name[f], all_words=False)}:
            initials[acr].add(f)
    for a in acronyms:
        acr = name[a]
        introduced = []
        nearby = set().union(*(ctx.named.get(doc, set()) for doc in ctx.articles[a]))
        for f in [f for f in fulls if f in nearby]:
            common = sorted(ctx.articles[a] & ctx.articles[f])
            pat = re.compile(rf"{re.escape(name[f])}\s*\(\s*{acr}\s*\)|\b{acr}\s*\(\s*{re.escape(name[f])}\s*\)")
            if any(pat.search(ctx.texts.get(doc, "")) for doc in common):
                introduced.append(f)
        if len(introduced) == 1:
            merge(a, introduced[0], f"'{acr}' is introduced as the acronym of '{name[introduced[0]]}' in the text")
            continue
        by_initials = sorted({groups.find(f) for f in initials.get(acr, ())})
        if len(by_initials) == 1:
            merge(a, by_initials[0], f"'{acr}' are the initials of '{name[by_initials[0]]}', "
                                     "the only organisation of the corpus with them")
        elif len(by_initials) > 1:
            kept.append((a, by_initials, f"'{acr}' are the initials of {len(by_initials)} organisations"))

    # 3. shorter person names join the fuller name they fit, longest short names first
    persons = [k for k in keys if typ[k] == "Person"]
    forms = {k: [_tokens(n) for n in {name[k], *names[k], *(x for x in aliases[k] if len(x.split()) >= 2)}]
             for k in persons}

    def countries(k: str) -> set[str]:
        return set().union(*(ctx.titled[m] for m in groups.group(k)))

    # index full names by their first and last words: a shorter name fits through one of them
    by_first: dict[str, set[str]] = defaultdict(set)
    by_last: dict[str, set[str]] = defaultdict(set)
    for f in persons:
        for form in forms[f]:
            if len(form) >= 2:
                by_first[_bare(form[0])].add(f)
                by_last[_bare(form[-1])].add(f)

    for k in sorted(persons, key=lambda k: (-len(_tokens(name[k])), k)):
        short = _tokens(name[k])
        if not short:
            continue
        pool = by_first.get(_bare(short[0]), set()) | by_last.get(_bare(short[-1]), set())
        fits = sorted({groups.find(f) for f in pool if groups.find(f) != groups.find(k)
                       and len(_tokens(name[f])) > len(short)
                       and any(_fits(short, form) for form in forms[f])
                       and not (wd[k] and wd[f] and wd[k] != wd[f])})
        if not fits:
            continue
        mine = countries(k)
        # a title of another country is evidence against
        fits = [f for f in fits if not (mine and countries(f) and not mine & countries(f))]
        if len(fits) == 1:
            merge(k, fits[0], f"'{name[k]}' is a name of '{name[fits[0]]}', the only fuller name in the corpus it fits")
            continue
        if not fits:
            continue
        docs = set().union(*(ctx.articles[m] for m in groups.group(k)))
        same_doc = [f for f in fits if any(ctx.articles[m] & docs for m in groups.group(f))]
        if len(same_doc) == 1:
            merge(k, same_doc[0], f"'{name[k]}' fits {len(fits)} names; '{name[same_doc[0]]}' is the one "
                                  "named in the same article")
            continue
        near = mine or set().union(*(ctx.around[m] for m in groups.group(k)))
        by_country = [f for f in fits if countries(f) & near]
        if len(by_country) == 1:
            shared = ", ".join(sorted(countries(by_country[0]) & near))
            merge(k, by_country[0], f"'{name[k]}' fits {len(fits)} names; only '{name[by_country[0]]}' holds a "
                                    f"title of {shared}, {'its title too' if mine else 'named in its articles'}")
            continue
        kept.append((k, fits, f"'{name[k]}' fits {len(fits)} names ({', '.join(name[f] for f in fits)}) "
                              "and nothing tells which: kept apart"))

    # 4. one office, one holder: two full names with the same surname that hold the same
    #    single-holder office of the same country within a year are one person, whatever the
    #    spelling of the rest ("Mevlut Cavusoglu", misspelt "Melvin Cavusoglu")
    by_surname: dict[str, list[str]] = defaultdict(list)
    for k in persons:
        toks = _tokens(name[k])
        if len(toks) >= 2 and groups.find(k) == k:
            by_surname[_bare(toks[-1])].append(k)
    for surname, ks in sorted(by_surname.items()):
        for i, a in enumerate(ks):
            for b in ks[i + 1:]:
                if groups.find(a) == groups.find(b) or (wd[a] and wd[b] and wd[a] != wd[b]):
                    continue
                shared = sorted(
                    (ta, oa) for ta, oa, da in ctx.offices.get(a, ()) for tb, ob, db in ctx.offices.get(b, ())
                    if ta == tb and oa == ob and _single_office(ta)
                    and abs((dt.date.fromisoformat(da) - dt.date.fromisoformat(db)).days) <= 366)
                if shared:
                    target, child = sorted((a, b), key=lambda k: (-sum(names[k].values()), k))
                    merge(child, target, f"'{name[child]}' and '{name[target]}' share the surname and both hold "
                                         f"the office of {shared[0][0]} of '{name.get(shared[0][1], shared[0][1])}' "
                                         "within a year: one office, one holder")

    table = ActorTable()
    for k in keys:
        root = groups.find(k)
        if root != k:
            table.alias[k] = root
    for k in keys:
        if groups.find(k) != k:
            continue
        members = sorted(groups.group(k))
        info = ActorInfo(k, name[k], typ[k], set(), wd[k] or next((wd[m] for m in members if wd[m]), None),
                         min(set().union(*(iso[m] for m in members)), default=None))
        for m in members:
            info.aliases |= aliases[m] | set(names[m])
        info.aliases.discard(info.name)
        table.actors[k] = info
    table.merges = sorted((a, groups.find(b), why) for a, b, why in merges)
    table.kept_apart = sorted(kept)
    return table, table.merges


SINGLE_OFFICES = ("president", "prime minister", "foreign minister", "chancellor", "premier",
                  "secretary of state", "secretary general", "secretary-general", "king", "queen",
                  "supreme leader", "defense minister", "defence minister", "finance minister")


def _single_office(title: str) -> bool:
    """Offices that one person holds at a time ("Foreign Minister"), unlike "spokesman"."""
    t = title.lower()
    return not t.startswith(("vice ", "deputy ", "former ", "acting ")) and t in SINGLE_OFFICES


def _context(extractions: list[Extraction]) -> _Context:
    ctx = _Context()
    for x in extractions:
        doc = x.article.id
        ctx.texts[doc] = x.article.text
        ctx.named[doc] = set(x.actors)
        named_countries = {k for k, a in x.actors.items() if a.type == "Country"}
        for k in x.actors:
            ctx.articles[k].add(doc)
            ctx.around[k] |= named_countries
        for m in x.memberships:
            if m.organization in x.actors and x.actors[m.organization].type == "Country":
                ctx.titled[m.person].add(m.organization)
            if x.article.published:
                ctx.offices[m.person].add((m.title.lower(), m.organization, x.article.published.isoformat()))
    return ctx


def resolve(extractions: list[Extraction]) -> tuple[ActorTable, list[tuple[str, str, str]]]:
    """Build the corpus-wide actor table for a list of extractions (in any order)."""
    extractions = sorted(extractions, key=lambda x: x.article.id)
    table, merges = merge_actors([x.actors for x in extractions], context=_context(extractions))
    for x in extractions:
        for key, p in x.places.items():
            if key not in table.places:
                table.places[key] = p
    return table, merges


# ------------------------------------------------------------------------------ events
@dataclass
class EventMention:
    """One event as one article reports it."""

    article: Article
    index: int                 # position in the article's extraction.events
    event: Event

    @property
    def order(self) -> tuple:
        pub = self.article.published.isoformat() if self.article.published else "9999-12-31"
        return (pub, self.article.id, self.event.trigger_start, self.event.start, self.event.code, self.index)


@dataclass
class EventCluster:
    """One real event: its key (for the IRI), its mentions in canonical order, the merged event."""

    key: str
    mentions: list[EventMention]
    event: Event               # the merged view: chosen code, all participants, best time and place
    fulfils: list[str] = field(default_factory=list)     # keys of planned clusters it carries out

    @property
    def articles(self) -> list[str]:
        return sorted({m.article.id for m in self.mentions})


def _h(*parts: object, n: int = 16) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:n]


def event_key(article_id: str, e: Event) -> str:
    """The key of an event mention; a cluster takes the key of its earliest mention."""
    return _h(article_id, e.code, e.trigger_start, sorted(p.key for p in e.participants))


def _codes_compatible(a: str, b: str) -> bool:
    return (a.startswith("04") and b.startswith("04")) or a[:2] == b[:2]


def _plan_compatible(planned: str, held: str) -> bool:
    return _codes_compatible(planned, held) or (planned.startswith("036") and held.startswith("04"))


class _Facts:
    """An event's canonical participants, time and place, computed once."""

    def __init__(self, m: EventMention, table: ActorTable):
        e = m.event
        self.keys = {table.canonical(p.key) for p in e.participants if table.canonical(p.key) in table.actors}
        types = {k: table.actors[k].type for k in self.keys}
        self.persons = {k for k, t in types.items() if t == "Person"}
        self.core = self.keys - ({k for k, t in types.items() if t == "Country"} if self.persons else set())
        self.span = interval(e.time)
        self.place = e.place
        self.country = None
        if e.place:
            p = table.canonical(e.place)
            self.country = p if p in table.actors else (table.places[e.place].country
                                                        if e.place in table.places else None)


def _shared_enough(a: _Facts, b: _Facts) -> bool:
    """Shared participants: countries do not count where persons take part; two when both name two."""
    with_persons = bool(a.persons or b.persons)
    pa = a.core if with_persons else a.keys
    pb = b.core if with_persons else b.keys
    shared = pa & pb
    return bool(shared) and len(shared) >= min(2, len(pa), len(pb))


def _places_agree(a: _Facts, b: _Facts) -> bool:
    if not a.place or not b.place or a.place == b.place:
        return True
    return a.place in (b.country,) or b.place in (a.country,)


def _times_agree(a: _Facts, b: _Facts) -> bool:
    if a.span is None or b.span is None:
        return False
    if any((s[1] - s[0]).days >= MAX_EVENT_DAYS for s in (a.span, b.span)):
        return False
    return a.span[0] <= b.span[1] and b.span[0] <= a.span[1]


def same_event(a: EventMention, b: EventMention, table: ActorTable, *, _facts=None) -> tuple[bool, str]:
    """Whether two mentions from different articles report the same real event, and why (not).

    Examples
    --------
    >>> from kg.model import Article, Event, Participant, TimeValue
    >>> table = ActorTable(actors={k: ActorInfo(k, k.title(), "Person") for k in ("xi", "putin")})
    >>> day = TimeValue("Monday", 0, 6, value="2023-03-20")
    >>> e = lambda code: Event(code, "met", "", [Participant("xi", "participant"),
    ...                        Participant("putin", "participant")], "", 0, 10, 0, time=day)
    >>> same_event(EventMention(Article("a", ""), 0, e("040")), EventMention(Article("b", ""), 0, e("042")), table)
    (True, 'compatible types, same status, overlapping times, shared participants')
    >>> same_event(EventMention(Article("a", ""), 0, e("040")), EventMention(Article("b", ""), 0, e("057")), table)[0]
    False
    """
    fa, fb = _facts(a) if _facts else _Facts(a, table), _facts(b) if _facts else _Facts(b, table)
    if a.article.id == b.article.id:
        return False, "same article"
    if a.event.status != b.event.status:
        return False, "different status (planned and happened stay apart)"
    if not _codes_compatible(a.event.code, b.event.code):
        return False, f"incompatible types {a.event.code} and {b.event.code}"
    if not _times_agree(fa, fb):
        return False, "times unknown, too vague or not overlapping"
    if not _places_agree(fa, fb):
        return False, "different places"
    if not _shared_enough(fa, fb):
        return False, "not enough shared participants"
    return True, "compatible types, same status, overlapping times, shared participants"


def _fulfils(held: _Facts, planned: _Facts, h: EventMention, p: EventMention) -> bool:
    return (h.event.status == "occurred" and p.event.status == "planned"
            and _plan_compatible(p.event.code, h.event.code) and _times_agree(held, planned)
            and _places_agree(held, planned) and _shared_enough(held, planned))


def resolve_events(extractions: list[Extraction], table: ActorTable, *, min_confidence: float = 0.0
                   ) -> list[EventCluster]:
    """Group the events of all articles into real events; order of the input does not matter.

    Events below ``min_confidence`` are left out. Returns the clusters sorted by key; each
    cluster's ``fulfils`` lists the keys of the planned clusters it carries out.
    """
    mentions = [EventMention(x.article, i, e) for x in extractions for i, e in enumerate(x.events)
                if e.confidence >= min_confidence]
    mentions.sort(key=lambda m: m.order)
    facts = {id(m): _Facts(m, table) for m in mentions}
    get = lambda m: facts[id(m)]  # noqa: E731
    clusters: list[list[EventMention]] = []
    index: dict[tuple[str, int], set[int]] = defaultdict(set)   # (participant, month) -> clusters

    def buckets(f: _Facts) -> list[tuple[str, int]]:
        if f.span is None or (f.span[1] - f.span[0]).days >= MAX_EVENT_DAYS:
            return []      # such an event joins no other
        months = range(f.span[0].year * 12 + f.span[0].month, f.span[1].year * 12 + f.span[1].month + 1)
        return [(k, mo) for k in sorted(f.keys) for mo in months]

    for m in mentions:
        f = get(m)
        target = None
        mine = buckets(f)
        if mine:
            cands = sorted(set().union(*(index[b] for b in mine)))
            for ci in cands:
                members = clusters[ci]
                if any(o.article.id == m.article.id for o in members):
                    continue
                if all(same_event(o, m, table, _facts=get)[0] for o in members):
                    target = ci
                    break
        if target is None:
            clusters.append([m])
            target = len(clusters) - 1
        else:
            clusters[target].append(m)
        for b in mine:
            index[b].add(target)
    out = [EventCluster(event_key(ms[0].article.id, ms[0].event), ms, _merged(ms, table)) for ms in clusters]
    # planned events carried out by events that happened
    by_key = {c.key: c for c in out}
    planned_by: dict[str, list[EventCluster]] = defaultdict(list)
    for c in out:
        if c.event.status == "planned":
            for k in sorted(set().union(*(get(m).keys for m in c.mentions))):
                planned_by[k].append(c)
    for c in out:
        if c.event.status != "occurred":
            continue
        keys = set().union(*(get(m).keys for m in c.mentions))
        near = {p.key: p for k in sorted(keys) for p in planned_by.get(k, ())}
        for p in (near[k] for k in sorted(near)):
            if any(_fulfils(get(h), get(q), h, q) for h in c.mentions for q in p.mentions):
                c.fulfils.append(p.key)
        c.fulfils.sort()
    return [by_key[k] for k in sorted(by_key)]


def _merged(ms: list[EventMention], table: ActorTable) -> Event:
    """One event from the mentions of a cluster: the commonest code, every participant once."""
    first = ms[0].event
    if len(ms) == 1:
        return first
    codes = Counter(m.event.code for m in ms)
    code = sorted(codes, key=lambda c: (-codes[c], next(i for i, m in enumerate(ms) if m.event.code == c)))[0]
    rep = next(m.event for m in ms if m.event.code == code)
    parts: list[Participant] = []
    seen: set[str] = set()
    for e in [rep] + [m.event for m in ms if m.event is not rep]:
        for p in e.participants:
            k = table.canonical(p.key)
            if k not in seen:
                seen.add(k)
                parts.append(Participant(k, p.role))
    timed = [m.event.time for m in ms if interval(m.event.time) is not None]
    time = min(timed, key=lambda t: (interval(t)[1] - interval(t)[0]).days) if timed else rep.time
    places = [m.event.place for m in ms if m.event.place]
    city = [p for p in places if table.canonical(p) not in table.actors]
    place = (city or places or [None])[0]
    return replace(rep, code=code, participants=parts, time=time, place=place,
                   confidence=max(m.event.confidence for m in ms), extra_mentions=list(rep.extra_mentions))


# ------------------------------------------------------------------------------ document dates
_FUTURE = re.compile(r"\b(will|would|to be held|scheduled|plans?|planned|next|upcoming|expected|due)\b", re.I)


def _absolute_days(text: str) -> list[tuple[dt.date, int, int]]:
    from .timex import find_times
    out = []
    for t in find_times(text, None):
        if t.value and len(t.value) == 10 and ":" not in t.value:
            try:
                out.append((dt.date.fromisoformat(t.value), t.start, t.end))
            except ValueError:
                continue
    return out


def infer_published(article: Article) -> Article:
    """Date an undated article when its opening line (a dateline) names a full date.

    The date is set only when it is determined; the article is marked ``published_inferred``.
    Relative expressions are never used to guess one.

    Examples
    --------
    >>> a = infer_published(Article("a", "WASHINGTON, March 13, 2023 - Xi met Putin on Monday."))
    >>> a.published.isoformat(), a.published_inferred
    ('2023-03-13', True)
    >>> infer_published(Article("b", "Xi met Putin on Monday. They met in 2019 too.")).published is None
    True
    """
    if article.published is not None:
        return article
    first = article.text.lstrip()
    head_end = len(article.text) - len(first)
    line = first.split("\n", 1)[0]
    m = re.search(r"\s[-\u2013\u2014]{1,2}\s|\(\w[\w ]*\)\s*[-\u2013\u2014]?", line)
    # a dateline before a dash or an agency's name, or an opening line that is no sentence
    head = line[:m.start()] if m else (line if len(line) <= 60 and not re.search(r"[.!?]\s*$", line) else "")
    if not head:
        return article
    days = [d for d, s, e in _absolute_days(article.text) if head_end <= s and e <= head_end + len(head)]
    if len(set(days)) == 1:
        article.published = days[0]
        article.published_inferred = True
    return article


def published_not_before(x: Extraction) -> dt.date | None:
    """A lower bound of an undated article's publication: the latest past day it mentions.

    Days in sentences that speak of the future ("will meet on March 20, 2023") do not count.
    """
    if x.article.published is not None:
        return None
    text = x.article.text
    best = None
    for t in x.times:
        if not (t.value and len(t.value) == 10 and ":" not in t.value):
            continue
        s = max(text.rfind(".", 0, t.start), text.rfind("\n", 0, t.start)) + 1
        e = min([i for i in (text.find(".", t.end), text.find("\n", t.end)) if i >= 0] or [len(text)])
        if _FUTURE.search(text[s:e]):
            continue
        try:
            d = dt.date.fromisoformat(t.value)
        except ValueError:
            continue
        best = d if best is None or d > best else best
    return best


# ------------------------------------------------------------------------------ explanations
def why_same(a: str, b: str, *, graph, report=None) -> dict:
    """Whether two names are one actor node of a built graph, and why (or why not).

    ``graph`` is an rdflib Graph or graph file path(s); ``report`` the build report (a dict or the
    path of ``report.json``) whose ``merges`` and ``kept_apart`` give the reasons. Returns a dict
    with ``same``, ``answer``, ``why`` (lines) and the ``nodes`` each name denotes.

    Examples
    --------
    >>> from rdflib import Graph, Literal
    >>> from rdflib.namespace import RDF, RDFS, SKOS
    >>> from kg.namespace import KGR, SEM
    >>> g = Graph()
    >>> for key, label, alt in (("barack-obama", "Barack Obama", "Obama"), ("kim", "Kim", None)):
    ...     _ = g.add((KGR["actor/" + key], RDF.type, SEM.Actor)).add((KGR["actor/" + key], RDFS.label, Literal(label)))
    ...     _ = alt and g.add((KGR["actor/" + key], SKOS.altLabel, Literal(alt)))
    >>> rep = {"merges": [{"from": "obama", "to": "barack-obama", "why": "'Obama' is a name of 'Barack Obama'"}]}
    >>> r = why_same("Obama", "Barack Obama", graph=g, report=rep)
    >>> r["same"], r["why"][-1]
    (True, "'Obama' is a name of 'Barack Obama'")
    >>> why_same("Kim", "Obama", graph=g, report=rep)["same"]
    False
    """
    import json
    from pathlib import Path

    from rdflib import Graph
    from rdflib.namespace import RDF, RDFS, SKOS

    from .errors import GraphError
    from .namespace import SEM

    if not isinstance(graph, Graph):
        paths = [graph] if isinstance(graph, (str, Path)) else list(graph)
        g = Graph()
        for p in paths:
            if not Path(p).is_file():
                raise GraphError(f"no graph file {str(p)!r}; build one first (kg build ... -o exports)")
            g.parse(str(p))
        graph = g
    if report is None or isinstance(report, (str, Path)):
        try:
            report = json.loads(Path(report).read_text(encoding="utf-8")) if report else {}
        except (OSError, ValueError):
            report = {}
    merges = report.get("merges", [])
    kept = report.get("kept_apart", [])
    nodes: dict[str, dict] = {}
    for node in set(graph.subjects(RDF.type, SEM.Actor)):
        key = str(node).rsplit("/", 1)[-1]
        label = graph.value(node, RDFS.label)
        nodes[key] = {"iri": str(node), "label": str(label) if label is not None else key,
                      "alt": {str(x) for x in graph.objects(node, SKOS.altLabel)}}
    folded = {k: {_fold(n["label"])} | {_fold(x) for x in n["alt"]} for k, n in nodes.items()}
    moved = {m["from"]: m["to"] for m in merges}

    def find(name: str) -> list[str]:
        f = _fold(name)
        if name in nodes:
            return [name]
        if name in moved and moved[name] in nodes:
            return [moved[name]]
        exact = [k for k, n in nodes.items() if _fold(n["label"]) == f]
        return exact or sorted(k for k in nodes if f in folded[k])

    found = {a: find(a), b: find(b)}
    out = {"a": a, "b": b, "same": False, "nodes": {n: [nodes[k]["iri"] for k in ks] for n, ks in found.items()},
           "why": []}
    missing = [n for n, ks in found.items() if not ks]
    if missing:
        out["answer"] = f"not the same: {' and '.join(repr(n) for n in missing)} names no actor of the graph"
        return out
    common = sorted(set(found[a]) & set(found[b]))
    if common:
        k = common[0]
        out["same"] = True
        out["answer"] = f"same: {a!r} and {b!r} are one actor, {nodes[k]['label']!r} <{nodes[k]['iri']}>"
        for name in (a, b):
            role = "its canonical name" if _fold(nodes[k]["label"]) == _fold(name) or name == k else \
                "a name it has in the text"
            out["why"].append(f"{name!r} is {role}")
        into = [m for m in merges if m["to"] == k]
        quoted = [m for m in into if any(f"'{_fold(n)}'" in _fold(m["why"]).replace("’", "'")
                                         or _fold(m["from"]) == _fold(n).replace(" ", "-") for n in (a, b))]
        for m in quoted or into:
            out["why"].append(m["why"])
        if not into:
            out["why"].append("no cross-article merge was needed: the articles resolve both names to the same "
                              "key (the gazetteer, or the full name in the same article)")
        return out
    ka, kb = found[a][0], found[b][0]
    out["answer"] = (f"not the same: {a!r} is {nodes[ka]['label']!r} <{nodes[ka]['iri']}>, "
                     f"{b!r} is {nodes[kb]['label']!r} <{nodes[kb]['iri']}>")
    for rec in kept:
        keys = {rec.get("key"), *rec.get("candidates", [])}
        if {ka, kb} & keys:
            out["why"].append(rec["why"])
    if not out["why"]:
        out["why"].append("no evidence joins them: a merge needs the same gazetteer identity, a shorter name that "
                          "fits one fuller name, or an acronym introduced for the organisation")
    return out
