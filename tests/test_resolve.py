"""Cross-article resolution of actors and events, on extractions built by hand (no model)."""
from __future__ import annotations

import datetime as dt
import random

import pytest
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.rdf import build_dataset, union
from kg.export import serialize
from kg.model import ActorInfo, Article, Event, Extraction, Membership, Participant, TimeValue
from kg.namespace import KGO, PROV
from kg.resolve import ActorTable, EventMention, merge_actors, resolve, resolve_events, same_event, why_same

PERSONS = {"xi-jinping": "Xi Jinping", "vladimir-putin": "Vladimir Putin", "kim-jong-un": "Kim Jong Un",
           "kim-yo-jong": "Kim Yo Jong", "kim": "Kim", "xi": "Xi"}
COUNTRIES = {"china": "China", "russia": "Russia", "north-korea": "North Korea"}


def actor(key: str) -> ActorInfo:
    if key in COUNTRIES:
        return ActorInfo(key, COUNTRIES[key], "Country")
    return ActorInfo(key, PERSONS[key], "Person")


def day(value: str | None = None, earliest: str | None = None, latest: str | None = None) -> TimeValue:
    return TimeValue(value or f"{earliest}/{latest}", 0, 5, value=value, earliest=earliest, latest=latest)


def event(code: str, keys: list[str], time: TimeValue | None, *, status: str = "occurred", start: int = 0,
          place: str | None = None, confidence: float = 0.8) -> Event:
    sentence = f"sentence about {' and '.join(keys)}"
    return Event(code, "met", "", [Participant(k, "participant") for k in keys], sentence, start,
                 start + len(sentence), start + 3, status=status, time=time, place=place, confidence=confidence)


def extraction(doc: str, published: str, events: list[Event], *, extra: tuple[str, ...] = (),
               memberships: list[Membership] = ()) -> Extraction:
    keys = {p.key for e in events for p in e.participants} | set(extra)
    x = Extraction(Article(doc, f"text of {doc}", title=doc, published=dt.date.fromisoformat(published)))
    x.actors = {k: actor(k) for k in sorted(keys)}
    x.events = events
    x.memberships = list(memberships)
    return x


def same_meeting_three_ways() -> list[Extraction]:
    return [
        extraction("meet-a", "2023-03-21", [event("040", ["xi-jinping", "vladimir-putin"], day("2023-03-20"))]),
        extraction("meet-b", "2023-03-21", [event("043", ["vladimir-putin", "xi-jinping", "russia"],
                                                  day("2023-03-20"), start=40)]),
        extraction("meet-c", "2023-03-22", [event("040", ["xi-jinping", "vladimir-putin"],
                                                  day(earliest="2023-03-20", latest="2023-03-22"), start=7)]),
    ]


def test_resolve_same_meeting_three_ways_is_one_event_with_three_sources():
    xs = same_meeting_three_ways()
    g = union(build_dataset(xs))
    events = set(g.subjects(KGO.sourceCount, None))
    assert len(events) == 1
    ev = events.pop()
    assert int(g.value(ev, KGO.sourceCount)) == 3
    assert {str(d).rsplit("/", 1)[1] for d in g.objects(ev, PROV.wasDerivedFrom)} == {"meet-a", "meet-b", "meet-c"}
    mentions = list(g.objects(ev, KGO.mention))
    assert len(mentions) == 3
    assert all(g.value(m, KGO.confidence) is not None for m in mentions)


def test_resolve_trig_keeps_one_graph_per_article_with_its_own_mention():
    ds = build_dataset(same_meeting_three_ways())
    per_article = [g for g in ds.graphs() if "/graph/meet-" in str(g.identifier)]
    assert len(per_article) == 3
    for g in per_article:
        assert len(set(g.objects(None, PROV.wasDerivedFrom))) == 1
        assert len(set(g.objects(None, KGO.mention))) == 1
        assert len(set(g.objects(None, KGO.sourceCount))) == 1


@pytest.mark.parametrize("change, why", [
    (dict(time=None), "unknown time"),
    (dict(time=day("2023-04-02")), "other day"),
    (dict(time=day("2023")), "vague time"),
    (dict(code="057"), "other type"),
    (dict(status="planned"), "other status"),
    (dict(keys=["xi-jinping", "kim-jong-un"]), "one shared person of two"),
    (dict(keys=["china", "russia"]), "countries only where persons take part"),
])
def test_resolve_events_stay_apart_without_evidence(change, why):
    base = dict(code="040", keys=["xi-jinping", "vladimir-putin"], time=day("2023-03-20"), status="occurred")
    other = {**base, **change}
    a = EventMention(Article("a", ""), 0, event(base["code"], base["keys"], base["time"], status=base["status"]))
    b = EventMention(Article("b", ""), 0, event(other["code"], other["keys"], other["time"], status=other["status"]))
    table, _ = merge_actors([{k: actor(k) for k in PERSONS} | {k: actor(k) for k in COUNTRIES}])
    assert same_event(a, b, table)[0] is False, why


def test_resolve_planned_visit_and_report_are_two_events_linked_by_fulfils():
    xs = [extraction("plan", "2023-03-14", [event("042", ["xi-jinping", "russia"],
                                                  day(earliest="2023-03-20", latest="2023-03-26"),
                                                  status="planned", place="russia")]),
          extraction("held", "2023-03-21", [event("040", ["xi-jinping", "vladimir-putin"], day("2023-03-20"))])]
    g = union(build_dataset(xs))
    events = set(g.subjects(KGO.sourceCount, None))
    assert len(events) == 2
    held = next(e for e in events if g.value(e, KGO.status) == KGO.Occurred)
    planned = next(e for e in events if g.value(e, KGO.status) == KGO.Planned)
    assert list(g.objects(held, KGO.fulfils)) == [planned]


def test_resolve_two_people_named_kim_stay_two_actors():
    xs = [extraction("kim-a", "2023-03-10", [event("040", ["kim-jong-un", "vladimir-putin"], day("2023-03-08"))]),
          extraction("kim-b", "2023-03-12", [event("111", ["kim-yo-jong"], day("2023-03-11"))]),
          extraction("kim-c", "2023-03-13", [event("010", ["kim"], day("2023-03-13"))])]
    table, merges = resolve(xs)
    assert {"kim-jong-un", "kim-yo-jong", "kim"} <= set(table.actors)
    assert merges == []
    assert [k for k, _, _ in table.kept_apart] == ["kim"]


def test_resolve_short_name_joins_the_full_name_of_its_article():
    xs = [extraction("a", "2023-03-10", [], extra=("kim-jong-un", "kim")),
          extraction("b", "2023-03-12", [], extra=("kim-yo-jong",))]
    table, merges = resolve(xs)
    assert table.canonical("kim") == "kim-jong-un"
    assert "same article" in merges[0][2]


def test_resolve_short_name_joins_the_candidate_holding_its_title():
    nk = Membership("kim", "Chairman", "north-korea", "", 0, 1)
    xs = [extraction("a", "2023-03-10", [], extra=("kim", "north-korea"), memberships=[nk]),
          extraction("b", "2023-03-11", [], extra=("kim-jong-un", "north-korea"),
                     memberships=[Membership("kim-jong-un", "Chairman", "north-korea", "", 0, 1)]),
          extraction("c", "2023-03-12", [], extra=("kim-yo-jong", "china"))]
    table, merges = resolve(xs)
    assert table.canonical("kim") == "kim-jong-un", merges


def test_resolve_same_wikidata_is_one_actor():
    a = {"xi": ActorInfo("xi", "Xi", "Person", wikidata="Q15031")}
    b = {"xi-jinping": ActorInfo("xi-jinping", "Xi Jinping", "Person", wikidata="Q15031")}
    table, merges = merge_actors([a, b])
    assert list(table.actors) == ["xi-jinping"] and "Wikidata" in merges[0][2]


def test_resolve_acronym_introduced_in_the_text():
    x = Extraction(Article("a", "The Kurdistan Workers Party (PKK) said so. The PKK denied it."))
    x.actors = {"pkk": ActorInfo("pkk", "PKK", "Organization"),
                "kurdistan-workers-party": ActorInfo("kurdistan-workers-party", "Kurdistan Workers Party",
                                                     "Organization")}
    table, merges = resolve([x])
    assert table.canonical("pkk") == "kurdistan-workers-party"
    assert "acronym" in merges[0][2]


def test_resolve_different_wikidata_never_merge():
    a = {"kim": ActorInfo("kim", "Kim", "Person", wikidata="Q1")}
    b = {"kim-jong-un": ActorInfo("kim-jong-un", "Kim Jong Un", "Person", wikidata="Q2")}
    table, merges = merge_actors([a, b])
    assert merges == [] and len(table.actors) == 2


def test_resolve_order_independent_exports():
    xs = same_meeting_three_ways() + [
        extraction("kim-a", "2023-03-10", [event("040", ["kim-jong-un", "vladimir-putin"], day("2023-03-08"))]),
        extraction("plan", "2023-03-14", [event("042", ["xi-jinping", "russia"],
                                                day(earliest="2023-03-20", latest="2023-03-26"), status="planned")])]
    ref = serialize(build_dataset(xs), "trig")
    for seed in range(4):
        shuffled = list(xs)
        random.Random(seed).shuffle(shuffled)
        assert serialize(build_dataset(shuffled), "trig") == ref
    assert serialize(build_dataset(list(reversed(xs))), "nt") == serialize(build_dataset(xs), "nt")


def test_resolve_removing_an_article_removes_its_contributions():
    xs = same_meeting_three_ways()
    two = union(build_dataset(xs[:2]))
    again = union(build_dataset(xs))
    again_minus = union(build_dataset([x for x in xs if x.article.id != "meet-c"]))
    assert isomorphic(two, again_minus), graph_diff(to_isomorphic(two), to_isomorphic(again_minus))
    assert not isomorphic(two, again)
    assert all("meet-c" not in str(t) for triple in two for t in triple)


def test_resolve_why_same_explains_merge_and_apart():
    xs = [extraction("a", "2023-03-10", [], extra=("xi",)), extraction("b", "2023-03-12", [], extra=("xi-jinping",)),
          extraction("c", "2023-03-12", [], extra=("kim-jong-un",)), extraction("d", "2023-03-12", [], extra=("kim-yo-jong", "kim"))]
    table, merges = resolve(xs)
    report = {"merges": [{"from": a, "to": b, "why": w} for a, b, w in merges],
              "kept_apart": [{"key": k, "candidates": c, "why": w} for k, c, w in table.kept_apart]}
    g = union(build_dataset(xs, table=table))
    yes = why_same("Xi", "Xi Jinping", graph=g, report=report)
    assert yes["same"] and any("only fuller name" in w for w in yes["why"])
    no = why_same("Kim Jong Un", "Kim Yo Jong", graph=g, report=report)
    assert not no["same"]


def test_resolve_events_ignore_input_order():
    xs = same_meeting_three_ways()
    table, _ = resolve(xs)
    keys = [c.key for c in resolve_events(xs, table)]
    assert keys == [c.key for c in resolve_events(list(reversed(xs)), table)]


def test_resolve_actor_table_defaults():
    assert ActorTable().canonical("x") == "x"


@pytest.mark.parametrize("text, expected", [
    ("WASHINGTON, March 13, 2023 - Xi met Putin on Monday.", "2023-03-13"),
    ("March 13, 2023\nXi met Putin on Monday.", "2023-03-13"),
    ("Xi met Putin on Monday.", None),
    ("Xi met Putin on Monday. They first met on June 5, 2013.", None),
])
def test_resolve_infer_published_only_when_determined(text, expected):
    from kg.resolve import infer_published
    art = infer_published(Article("a", text))
    assert (art.published.isoformat() if art.published else None) == expected
    assert art.published_inferred is (expected is not None)


def test_resolve_undated_article_records_inference_and_bound():
    from kg.namespace import SCHEMA
    from kg.resolve import infer_published
    dated = Extraction(infer_published(Article("d", "MOSCOW, March 13, 2023 - Talks went on.")))
    undated = Extraction(Article("u", "They met on June 5, 2013. They will meet again on May 1, 2030."))
    undated.times = [TimeValue("June 5, 2013", 12, 24, value="2013-06-05"),
                     TimeValue("May 1, 2030", 50, 61, value="2030-05-01")]
    g = union(build_dataset([dated, undated]))
    docs = {str(s).rsplit("/", 1)[1]: s for s in g.subjects(SCHEMA.identifier, None)}
    assert g.value(docs["d"], KGO.publishedInferred).toPython() is True
    assert str(g.value(docs["u"], KGO.publishedNotBefore)) == "2013-06-05"
    assert g.value(docs["u"], SCHEMA.datePublished) is None


def test_resolve_one_office_one_holder_joins_misspelt_full_names():
    import datetime as _dt
    from kg.model import ActorInfo, Article, Extraction, Membership
    from kg.resolve import resolve as _resolve

    def article(aid, day, person, name):
        x = Extraction(Article(id=aid, text=".", published=_dt.date.fromisoformat(day)))
        x.actors = {person: ActorInfo(person, name, "Person"), "peru": ActorInfo("peru", "Peru", "Country")}
        x.memberships = [Membership(person, "Foreign Minister", "peru", ".", 0, 1)]
        return x

    table, merges = _resolve([article("a", "2016-02-14", "ana-soto", "Ana Soto"),
                              article("b", "2016-07-19", "anna-soto", "Anna Soto")])
    assert table.canonical("ana-soto") == table.canonical("anna-soto")
    assert any("one office, one holder" in why for _, _, why in merges)
    # a spokesman is not a single office: two spokesmen named Soto stay apart
    a, b = article("a", "2016-02-14", "ana-soto", "Ana Soto"), article("b", "2016-07-19", "luis-soto", "Luis Soto")
    for x in (a, b):
        x.memberships[0].title = "Spokesman"
    table, _ = _resolve([a, b])
    assert table.canonical("ana-soto") != table.canonical("luis-soto")
