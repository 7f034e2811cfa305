"""Extraction rules, each pinned on short sentences written for these tests.

These need the spaCy model (marked ``model``); CI installs it.
"""
import datetime as dt

import pytest

from kg.extract import Extractor, layout, quote_spans
from kg.model import Article

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def ex():
    return Extractor()


def run(ex, text, published="2024-05-15"):
    pub = dt.date.fromisoformat(published) if published else None
    x = ex.extract(Article(id="t", text=text, published=pub))
    names = {k: a.name for k, a in x.actors.items()}
    events = [(e.code, e.status, sorted(names.get(p.key, p.key) for p in e.participants), e)
              for e in x.events if e.code != "010"]
    return x, names, events


def one(events, prefix):
    found = [e for e in events if e[0].startswith(prefix)]
    assert len(found) == 1, events
    return found[0]


# -------------------------------------------------------------------- actors
def test_extract_person_name_coreference(ex):
    x, names, _ = run(ex, "Finnish President Sauli Niinisto arrived on Monday. Niinisto later spoke to reporters.")
    persons = [a for a in x.actors.values() if a.type == "Person"]
    assert [p.name for p in persons] == ["Sauli Niinisto"]
    assert "Niinisto" in persons[0].aliases


def test_extract_demonyms_and_combining_forms_are_countries(ex):
    x, names, _ = run(ex, "Norwegian officials praised the Sino-Indian border deal.")
    assert {"Norway", "China", "India"} <= {a.name for a in x.actors.values() if a.type == "Country"}


def test_extract_city_is_a_place_not_an_actor(ex):
    x, names, _ = run(ex, "The delegates gathered in Oslo for the conference.")
    assert "Oslo" not in names.values()
    assert any(p.name == "Oslo" for p in x.places.values())


def test_extract_capital_standing_for_government_is_the_country(ex):
    _, _, events = run(ex, "Ottawa accused Canberra of spying on its diplomats.")
    code, _, parts, _ = one(events, "112")
    assert parts == ["Australia", "Canada"]


def test_extract_seat_of_government_is_an_organisation(ex):
    x, _, _ = run(ex, "The Kremlin denied the report on Tuesday.")
    assert any(a.name == "Kremlin" and a.type == "Organization" for a in x.actors.values())


def test_extract_surname_alone_needs_gazetteer_evidence(ex):
    # the only Lavrov in office in 2015 is Russia's foreign minister, and Russia is named
    x, _, _ = run(ex, "Russia sent a delegation. Lavrov said the talks were useful.", published="2015-06-01")
    assert "Sergei Lavrov" in {a.name for a in x.actors.values()}
    # without the country named, a lone surname stays as written
    x, _, _ = run(ex, "Lavrov said the talks were useful.", published="2015-06-01")
    assert "Sergei Lavrov" not in {a.name for a in x.actors.values()}


# -------------------------------------------------------------------- titles
@pytest.mark.parametrize("text,expected", [
    ("Peru's Foreign Minister Ana Gomez met the press.", ("Ana Gomez", "Foreign Minister", "Peru")),
    ("Ana Gomez, Peru's foreign minister, met the press.", ("Ana Gomez", "Foreign Minister", "Peru")),
    ("Peruvian President Ana Gomez met the press.", ("Ana Gomez", "President", "Peru")),
])
def test_extract_titles_give_memberships(ex, text, expected):
    x, names, _ = run(ex, text)
    got = {(names[m.person], m.title, names[m.organization]) for m in x.memberships}
    assert expected in got


def test_extract_title_without_country_read_from_dated_gazetteer(ex):
    x, names, _ = run(ex, "President Obama spoke about the budget.", published="2013-09-27")
    assert ("Barack Obama", "President", "United States") in {
        (names[m.person], m.title, names[m.organization]) for m in x.memberships}


# -------------------------------------------------------------------- events
def test_extract_meeting_with_participants_place_and_time(ex):
    _, _, events = run(ex, "Chilean President Ana Soto met Peruvian President Luis Vega in Lima on Monday.")
    code, status, parts, e = one(events, "04")
    assert parts == ["Ana Soto", "Luis Vega"] and status == "occurred"
    assert e.time.value == "2024-05-13" and e.place == "lima"


def test_extract_light_verb_noun(ex):
    _, _, events = run(ex, "Chile's foreign minister, Ana Soto, held talks with Luis Vega of Peru.")
    code, _, parts, _ = one(events, "04")
    assert parts == ["Ana Soto", "Luis Vega"]


def test_extract_phone_call_not_naming(ex):
    _, _, events = run(ex, "Ana Soto spoke by telephone with Luis Vega on Sunday.")
    assert one(events, "041")[2] == ["Ana Soto", "Luis Vega"]
    _, _, events = run(ex, "Ana Soto called Luis Vega a liar.")
    assert not [e for e in events if e[0].startswith("04")]


def test_extract_planned_visit_status_and_range(ex):
    _, _, events = run(ex, "Ana Soto is planning to travel to Peru to meet Luis Vega next week.")
    code, status, parts, e = one(events, "04")
    assert status == "planned" and "Ana Soto" in parts and "Luis Vega" in parts
    assert (e.time.earliest, e.time.latest) == ("2024-05-20", "2024-05-26")


def test_extract_invitation_and_proposed_visit_linked(ex):
    x, _, events = run(ex, "On May 2, Ana Soto invited Luis Vega to visit Santiago next month.")
    inv = one(events, "036")[3]
    visit = x.events[inv.proposes]
    assert visit.code.startswith("04") and visit.status == "planned"
    assert inv.time.value == "2024-05-02" and visit.time.value == "2024-06"


@pytest.mark.parametrize("text", [
    "Ana Soto did not meet Luis Vega.",
    "Nobody has talked with Luis Vega about Ana Soto.",
    "If Ana Soto meets Luis Vega, the deal may happen.",
])
def test_extract_negations_and_hypotheticals_are_not_events(ex, text):
    _, _, events = run(ex, text)
    assert not [e for e in events if e[0].startswith("04")]


@pytest.mark.parametrize("text,prefix,agent,target", [
    ("Chile accused Peru of violating the treaty.", "112", "Chile", "Peru"),
    ("Chile condemned Peru for the raid.", "111", "Chile", "Peru"),
    ("Chile threatened Peru with sanctions.", "13", "Chile", "Peru"),
    ("Chile imposed sanctions on Peru.", "163", "Chile", "Peru"),
    ("Chilean troops shelled Peruvian positions.", "19", "Chile", "Peru"),
    ("Chile urged Peru to release the prisoners.", "02", "Chile", "Peru"),
    ("Chile praised Peru for its restraint.", "051", "Chile", "Peru"),
])
def test_extract_conflict_and_cooperation_roles(ex, text, prefix, agent, target):
    _, names, events = run(ex, text)
    code, _, parts, e = one(events, prefix)
    roles = {names.get(p.key): p.role for p in e.participants}
    assert roles[agent] in ("agent", "participant") and target in roles


def test_extract_reciprocal_each_other(ex):
    _, _, events = run(ex, "Chile and Peru accused each other of breaking the truce.")
    assert one(events, "112")[2] == ["Chile", "Peru"]


def test_extract_mediation_offer_is_intent(ex):
    _, _, events = run(ex, "Norway has been offering to mediate between Chile and Peru.")
    code, _, parts, _ = one(events, "039")
    assert "Norway" in parts


def test_extract_one_event_per_real_event(ex):
    text = ("Ana Soto met Luis Vega in Lima on Monday.\n\n"
            "The meeting between Ana Soto and Luis Vega lasted two hours.")
    _, _, events = run(ex, text)
    assert len([e for e in events if e[0].startswith("04")]) == 1


def test_extract_time_inside_quote_not_attached(ex):
    text = '"We will meet again next spring," Ana Soto told Luis Vega during the phone call.'
    _, _, events = run(ex, text)
    code, status, _, e = one(events, "041")
    assert status == "occurred" and e.time is None


def test_extract_no_publication_date_no_guessed_time(ex):
    _, _, events = run(ex, "Ana Soto met Luis Vega on Monday.", published=None)
    _, _, _, e = one(events, "04")
    assert e.time is None


def test_extract_title_only_mention_resolves(ex):
    text = ("Chilean President Ana Soto arrived in Lima.\n\n"
            "The Chilean president later held talks with Luis Vega.")
    _, _, events = run(ex, text)
    assert one(events, "04")[2] == ["Ana Soto", "Luis Vega"]


# -------------------------------------------------------------------- layout
def test_extract_layout_headline_dateline_and_caption():
    text = "Leaders Meet in Lima-LIMA, PERU — -Ana Soto met Luis Vega on Monday in the capital.\n\nFILE - Ana Soto waves."
    parse, segs, dateline = layout(text)
    assert len(parse) == len(text)
    assert dateline == "LIMA, PERU"
    assert [s.kind for s in segs] == ["headline", "dateline", "body", "caption"]
    assert "FILE" not in parse


def test_extract_quote_spans():
    text = 'He said "we will go" and left.\n\nShe said “no”.'
    spans = [text[a:b] for a, b in quote_spans(text)]
    assert spans == ['"we will go"', "“no”"]


def test_extract_statement_that_another_actor_must_act_is_a_demand(ex):
    _, _, events = run(ex, "Ana Soto said Peru must release the prisoners.")
    code, _, parts, _ = one(events, "10")
    assert "Peru" in parts


def test_extract_statement_reporting_a_hostile_act_is_an_accusation(ex):
    _, _, events = run(ex, "Russia hosted talks in May. Chile said Moscow sabotaged the talks.")
    code, _, parts, _ = one(events, "112")
    assert parts == ["Chile", "Russia"]


def test_extract_time_of_a_modified_noun_is_not_the_event_time(ex):
    _, _, events = run(ex, "Chile accused Peru of planning the 1994 bombing.")
    code, _, _, e = one(events, "112")
    assert e.time is None


def test_extract_caption_passive_and_their_meeting(ex):
    text = "FILE - Ana Soto, left, is shown the way by Luis Vega after their meeting in Lima."
    _, _, events = run(ex, text)
    assert one(events, "04")[2] == ["Ana Soto", "Luis Vega"]


def test_extract_its_on_an_event_noun_is_the_clause_subject(ex):
    _, _, events = run(ex, "Chile has reiterated its threat against Peru.")
    assert one(events, "13")[2] == ["Chile", "Peru"]


def test_extract_place_name_cut_before_in(ex):
    x, _, _ = run(ex, "Ana Soto met Luis Vega at the Great Hall of the People in Beijing.")
    assert any(p.name == "Great Hall of the People" for p in x.places.values())


def test_extract_name_with_particle_after_title(ex):
    x, _, _ = run(ex, "Saudi Arabia's Foreign Minister Adel al-Jubeir arrived.")
    assert "Adel al-Jubeir" in {a.name for a in x.actors.values()}


def test_extract_photo_caption_parties_are_the_people_pictured(ex):
    text = ("Talks went on all week.\n\n"
            "FILE - Chile's President Ana Soto, right, greets Peru's President Luis Vega before a meeting in Lima, Oct. 15, 2015.")
    _, _, events = run(ex, text)
    code, _, parts, e = one(events, "04")
    assert parts == ["Ana Soto", "Luis Vega"] and e.time.value == "2015-10-15"


def test_extract_subheading_glued_to_sentence():
    parse, segs, _ = layout("Intro sentence here.\n\nGenerous donor -Japan contributes heavily to the bank.\n\n"
                            "Sino-Russian ties grew.")
    assert [s.kind for s in segs] == ["body", "heading", "body", "body"]
    assert "\n Japan contributes" in parse and "Sino-Russian" in parse


def test_extract_person_name_beats_one_word_place(ex):
    x, _, _ = run(ex, "Secretary of State John Kerry arrived. Kerry told reporters the talks went well.")
    assert "Kerry" not in {p.name for p in x.places.values()}


def test_extract_separate_calls_one_event_per_counterpart(ex):
    text = ("Chilean President Ana Soto and Peruvian President Luis Vega spoke on Friday.\n\n"
            "Norway's Prime Minister Erna Lund made separate telephone calls to the leaders of Chile and Peru.")
    _, _, events = run(ex, text)
    calls = sorted(tuple(e[2]) for e in events if e[0] == "041")
    assert calls == [("Ana Soto", "Erna Lund"), ("Erna Lund", "Luis Vega")]


def test_extract_untimed_call_not_merged_with_a_dated_handshake(ex):
    text = ("FILE - Ana Soto, right, and Luis Vega shake hands after a meeting in Lima, Feb. 10, 2017.\n\n"
            "Ana Soto spoke by telephone with Luis Vega about the border.")
    _, _, events = run(ex, text, published="2017-04-24")
    assert sorted(e[0] for e in events if e[0].startswith("04")) == ["040", "041"]


def test_extract_name_of_a_programme_is_not_an_actor(ex):
    x, _, _ = run(ex, "Ana Soto appeared on NBC's Meet the Press program on Sunday.")
    assert "Meet the Press" not in {a.name for a in x.actors.values()}


def test_extract_user_gazetteer_file_extends_the_packaged_one(tmp_path, monkeypatch):
    import json as _json
    from kg.cli import main
    orgs = tmp_path / "organizations.tsv"
    orgs.write_text("key\tname\taliases\twikidata\nblue-harbor\tBlue Harbor Alliance\tBHA\tQ999999\n")
    art = tmp_path / "a.txt"
    art.write_text("---\npublished: 2024-05-15\n---\nThe BHA accused Peru of spying on Monday.\n")
    out = tmp_path / "out.jsonl"
    import contextlib, io
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["extract", str(art), "--gazetteer", str(orgs)]) == 0
    rec = _json.loads(buf.getvalue().splitlines()[0])
    assert any(e["actor"] == "Blue Harbor Alliance" for e in rec["entities"])
    monkeypatch.delenv("KG_GAZETTEER", raising=False)


def test_phrase_index_splits_letter_words_as_the_tokenizer_does(ex):
    """PhraseIndex's shortcut (split letter-word surfaces at spaces) holds for the whole gazetteer."""
    from kg.extract import _LETTER_WORDS
    rules = ex.nlp.tokenizer.rules
    simple = sorted({s for s, _ in ex.gazetteer.phrases() if len(s) >= 2 and _LETTER_WORDS.fullmatch(s)
                     and not any(w in rules or w.lower() in rules for w in s.split(" "))})
    assert len(simple) > 10_000
    wrong = [s for s, doc in zip(simple, ex.nlp.tokenizer.pipe(simple, batch_size=1000))
             if [t.text for t in doc] != s.split(" ")]
    assert wrong == []


def test_phrase_index_finds_what_a_phrase_matcher_finds(ex):
    from spacy.matcher import PhraseMatcher
    from kg.extract import PhraseIndex
    surfaces = ["Xi Jinping", "U.S.", "Adel al-Jubeir", "G7", "New York", "York", "cannot Corp"]
    pm = PhraseMatcher(ex.nlp.vocab, attr="LOWER")
    pm.add("X", list(ex.nlp.tokenizer.pipe(surfaces)))
    index = PhraseIndex.build(surfaces, ex.nlp.tokenizer)
    doc = ex.nlp.make_doc("XI JINPING and Adel al-Jubeir met in New York; the U.S. and G7 cannot corp. "
                          "Cannot Corp said so.")
    assert [m[1:] for m in index(doc)] == sorted(m[1:] for m in pm(doc))
    assert {doc[s:e].text for _, s, e in index(doc)} >= {"XI JINPING", "Adel al-Jubeir", "New York", "York",
                                                          "U.S.", "G7", "Cannot Corp"}
