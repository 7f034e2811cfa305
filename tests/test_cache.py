"""The per-article extraction cache: keys, round trips, corrupt entries, pipeline versions."""
from __future__ import annotations

import datetime as dt

from kg.cache import ExtractionCache, article_hash, from_json, pipeline_fingerprint, to_json
from kg.model import (ActorInfo, Article, Event, Extraction, Membership, Mention, Participant, PlaceInfo,
                      TimeValue)


def sample() -> Extraction:
    art = Article("a1", "Xi met Putin in Moscow on Monday.", title="T", published=dt.date(2023, 3, 21),
                  url="https://example.org/a1", source="Test")
    t = TimeValue("Monday", 27, 33, value="2023-03-20")
    x = Extraction(art)
    x.actors = {"xi-jinping": ActorInfo("xi-jinping", "Xi Jinping", "Person", {"Xi"}, "Q15031"),
                "russia": ActorInfo("russia", "Russia", "Country", set(), "Q159", "RUS")}
    x.places = {"moscow": PlaceInfo("moscow", "Moscow", "City", "russia")}
    x.places["moscow"].aliases = {"Moskva"}
    x.mentions = [Mention(0, 2, "Xi", "Person", "xi-jinping", "name")]
    x.times = [t]
    x.events = [Event("040", "met", "Xi: consult", [Participant("xi-jinping", "participant")], art.text, 0,
                      len(art.text), 3, time=t, place="moscow", confidence=0.85, proposes=None,
                      extra_mentions=[(0, 10, "Xi met")])]
    x.memberships = [Membership("xi-jinping", "President", "china", "s", 0, 1, 0.9)]
    return x


def test_cache_json_round_trip_is_exact():
    x = sample()
    assert from_json(to_json(x)) == x


def test_cache_hit_and_miss_counts(tmp_path):
    cache = ExtractionCache(tmp_path, fingerprint="v1")
    x = sample()
    assert cache.get(x.article) is None
    cache.put(x)
    assert cache.get(x.article) == x
    changed = Article(**{**x.article.__dict__, "text": x.article.text + " Later."})
    assert cache.get(changed) is None
    assert (cache.hits, cache.misses) == (1, 2)


def test_cache_key_covers_text_and_metadata():
    a = sample().article
    assert article_hash(a) != article_hash(Article(**{**a.__dict__, "published": dt.date(2023, 3, 22)}))
    assert article_hash(a) != article_hash(Article(**{**a.__dict__, "title": "Other"}))
    assert article_hash(a) == article_hash(Article(**{**a.__dict__, "path": "elsewhere/a1.txt"}))


def test_cache_corrupt_entry_is_ignored_and_rebuilt(tmp_path):
    cache = ExtractionCache(tmp_path, fingerprint="v1")
    x = sample()
    cache.put(x)
    cache.path(x.article).write_text("{not json", encoding="utf-8")
    assert cache.get(x.article) is None and cache.errors == 1
    cache.put(x)
    assert cache.get(x.article) == x


def test_cache_new_pipeline_version_misses_and_prunes_the_old(tmp_path):
    x = sample()
    ExtractionCache(tmp_path, fingerprint="v1").put(x)
    v2 = ExtractionCache(tmp_path, fingerprint="v2")
    assert v2.get(x.article) is None
    v2.put(x)
    assert v2.prune() == 1
    assert [d.name for d in tmp_path.iterdir()] == ["v2"]


def test_cache_fingerprint_depends_on_model_name():
    assert pipeline_fingerprint(None) == pipeline_fingerprint(None)
    assert pipeline_fingerprint("en_core_web_sm") != pipeline_fingerprint("en_core_web_trf")
