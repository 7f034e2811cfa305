"""Resolve actors across articles: one node per real actor (the third stage).

Each article's extraction names its actors by key (a gazetteer key, else a slug of the name).
Here the keys of all articles are merged: the same key is one actor; a short person name used
alone in one article ("Obama") joins the one full name of the corpus it fits ("Barack Obama")
when exactly one fits; different people who share a surname stay apart. Every merge is recorded
with its reason so it can be explained.

Examples
--------
>>> from kg.model import ActorInfo
>>> from kg.resolve import merge_actors
>>> table, why = merge_actors([{"obama": ActorInfo("obama", "Obama", "Person")},
...                            {"barack-obama": ActorInfo("barack-obama", "Barack Obama", "Person")}])
>>> table.alias["obama"], table.actors["barack-obama"].name, sorted(table.actors["barack-obama"].aliases)
('barack-obama', 'Barack Obama', ['Obama'])
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .model import ActorInfo, Extraction, PlaceInfo


@dataclass
class ActorTable:
    """The corpus-wide actors: ``actors`` by canonical key, ``alias`` maps every key to it."""

    actors: dict[str, ActorInfo] = field(default_factory=dict)
    places: dict[str, PlaceInfo] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)

    def canonical(self, key: str) -> str:
        return self.alias.get(key, key)


def merge_actors(per_article: list[dict[str, ActorInfo]]) -> tuple[ActorTable, list[tuple[str, str, str]]]:
    """Merge per-article actor dictionaries; returns the table and the merges ``(from, to, why)``."""
    names: dict[str, Counter] = defaultdict(Counter)
    infos: dict[str, ActorInfo] = {}
    for actors in per_article:
        for key, a in actors.items():
            names[key][a.name] += 1
            cur = infos.get(key)
            if cur is None:
                infos[key] = ActorInfo(key, a.name, a.type, set(a.aliases), a.wikidata, a.iso)
            else:
                cur.aliases |= a.aliases
                cur.wikidata = cur.wikidata or a.wikidata
                cur.iso = cur.iso or a.iso
    merges: list[tuple[str, str, str]] = []
    alias: dict[str, str] = {}
    # single-word person names join the one multi-word person name of the corpus they fit
    full = [k for k, a in infos.items() if a.type == "Person" and len(a.name.split()) >= 2]
    for key, a in infos.items():
        if a.type != "Person" or len(a.name.split()) != 1:
            continue
        word = a.name.lower()
        fits = [k for k in full if word in (infos[k].name.lower().split()[0], infos[k].name.lower().split()[-1])]
        if len(fits) == 1:
            alias[key] = fits[0]
            merges.append((key, fits[0], f"'{a.name}' is a name of '{infos[fits[0]].name}', the only full name in the corpus it fits"))
    table = ActorTable(alias=alias)
    for key in sorted(infos):
        a = infos[key]
        target = alias.get(key, key)
        if target != key:
            continue
        best = sorted(names[key].items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]
        table.actors[key] = ActorInfo(key, best, a.type, set(a.aliases) | set(names[key]), a.wikidata, a.iso)
    for key, target in alias.items():
        t = table.actors[target]
        t.aliases |= infos[key].aliases | set(names[key])
    for a in table.actors.values():
        a.aliases.discard(a.name)
    return table, merges


def resolve(extractions: list[Extraction]) -> tuple[ActorTable, list[tuple[str, str, str]]]:
    """Build the corpus-wide actor table for a list of extractions."""
    table, merges = merge_actors([x.actors for x in extractions])
    for x in extractions:
        for key, p in x.places.items():
            if key not in table.places:
                table.places[key] = p
    return table, merges
