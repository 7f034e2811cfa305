"""Tests of kg.gazetteer: lookups, acronym case rule, dated titles, user extension files."""

import datetime
import doctest
import json

import pytest

import kg.gazetteer
from kg.errors import KGError
from kg.gazetteer import Gazetteer, slug


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer.default()


@pytest.mark.parametrize("surface, key, kind", [
    ("China", "china", "name"),
    ("People's Republic of China", "china", "alias"),
    ("Russia", "russia", "name"),
    ("Russian Federation", "russia", "alias"),
    ("South Korea", "south-korea", "name"),
    ("ROK", "south-korea", "alias"),
    ("DPRK", "north-korea", "alias"),
    ("Iran", "iran", "name"),
    ("Syria", "syria", "name"),
    ("Turkey", "turkey", "name"),
    ("Türkiye", "turkey", "alias"),
    ("Vietnam", "vietnam", "name"),
    ("Taiwan", "taiwan", "name"),
    ("United States", "united-states", "name"),
    ("U.S.", "united-states", "alias"),
    ("US", "united-states", "alias"),
    ("USA", "united-states", "alias"),
    ("America", "united-states", "alias"),
    ("the United States", "united-states", "name"),
    ("America\u2019s", "united-states", "alias"),
    ("Britain", "united-kingdom", "alias"),
    ("U.K.", "united-kingdom", "alias"),
    ("Chinese", "china", "demonym"),
    ("Americans", "united-states", "demonym"),
    ("British", "united-kingdom", "demonym"),
    ("Turkish", "turkey", "demonym"),
    ("Ukrainian", "ukraine", "demonym"),
    ("Sino", "china", "combining"),
    ("Russo", "russia", "combining"),
    ("Indo", "india", "combining"),
    ("Anglo", "united-kingdom", "combining"),
    ("Franco", "france", "combining"),
    ("Turco", "turkey", "combining"),
    ("Moscow", "moscow", "capital"),
    ("Kiev", "kyiv", "capital"),
    ("Beijing", "beijing", "capital"),
    ("Kremlin", "russia", "seat"),
    ("the White House", "united-states", "seat"),
])
def test_gazetteer_lookup_countries(gaz, surface, key, kind):
    match = gaz.lookup(surface)
    assert match is not None, surface
    assert (match.entry.key, match.kind) == (key, kind)


@pytest.mark.parametrize("surface, found", [
    ("US", True), ("us", False), ("Us", False), ("U.S.", True),
    ("UN", True), ("un", False), ("WHO", True), ("who", False), ("Who", False),
    ("IS", True), ("is", False), ("LeT", True), ("let", False),
    ("NATO", True), ("Nato", True), ("CHINA", True), ("china", True),
])
def test_gazetteer_acronym_case(gaz, surface, found):
    assert (gaz.lookup(surface) is not None) is found


@pytest.mark.parametrize("surface, key", [
    ("United Nations", "united-nations"), ("U.N.", "united-nations"), ("NATO", "nato"),
    ("European Union", "european-union"), ("EU", "european-union"), ("OPEC", "opec"),
    ("ASEAN", "asean"), ("African Union", "african-union"), ("IAEA", "iaea"), ("IMF", "imf"),
    ("World Bank", "world-bank"), ("Arab League", "arab-league"), ("OSCE", "osce"),
    ("Security Council", "un-security-council"), ("ICC", "icc"), ("Red Cross", "icrc"),
    ("Amnesty International", "amnesty-international"), ("Human Rights Watch", "human-rights-watch"),
    ("Hamas", "hamas"), ("Hezbollah", "hezbollah"), ("the Taliban", "taliban"),
    ("ISIS", "islamic-state"), ("ISIL", "islamic-state"), ("Islamic State", "islamic-state"),
    ("al-Qaida", "al-qaeda"), ("al Qaeda", "al-qaeda"), ("YPG", "ypg"), ("PKK", "pkk"),
])
def test_gazetteer_lookup_organizations(gaz, surface, key):
    match = gaz.lookup(surface)
    assert match is not None and match.entry.key == key
    assert match.entry.type == "Organization"


def test_gazetteer_wikidata_ids(gaz):
    assert gaz.get("china").wikidata == "Q148"
    assert gaz.get("united-states").wikidata == "Q30"
    assert gaz.get("nato").wikidata == "Q7184"
    assert gaz.get("vladimir-putin").wikidata == "Q7747"


@pytest.mark.parametrize("surface, key", [
    ("Sergei Lavrov", "sergei-lavrov"), ("Sergey Lavrov", "sergei-lavrov"),
    ("Xi Jinping", "xi-jinping"), ("Vladimir Putin", "vladimir-putin"),
    ("Recep Tayyip Erdogan", "recep-tayyip-erdogan"), ("Volodymyr Zelenskyy", "volodymyr-zelensky"),
    ("Kim Jong-un", "kim-jong-un"), ("Bashar al-Assad", "bashar-al-assad"),
])
def test_gazetteer_lookup_persons(gaz, surface, key):
    match = gaz.lookup(surface)
    assert match is not None and match.entry.key == key and match.entry.type == "Person"


@pytest.mark.parametrize("surface", ["Lavrov", "Wang", "Putin", "President Putin", "Foreign Minister Lavrov"])
def test_gazetteer_no_surname_or_title_forms(gaz, surface):
    assert gaz.lookup(surface) is None


def test_gazetteer_titles_on_date(gaz):
    on = datetime.date(2015, 1, 1)
    assert ("Foreign Minister", "russia", "2004-03-09", None) in gaz.titles("sergei-lavrov", on)
    assert gaz.titles("sergei-lavrov", datetime.date(2000, 1, 1))[0][0] == "Ambassador to the United Nations"
    # Wang Yi stopped being foreign minister at the end of 2022, and became it again in July 2023
    assert [t[0] for t in gaz.titles("wang-yi", datetime.date(2023, 3, 1))] == [
        "Director of the Office of the Central Foreign Affairs Commission"]
    assert "Foreign Minister" in [t[0] for t in gaz.titles("wang-yi", datetime.date(2016, 1, 1))]
    assert gaz.titles("barack-obama", datetime.date(2018, 1, 1)) == []
    assert len(gaz.titles("vladimir-putin")) == 4
    assert gaz.titles("no-such-person") == []


def test_gazetteer_person_country_and_phoenix_titles(gaz):
    entry = gaz.lookup("Mohamed Morsi").entry
    assert entry.country == "egypt"
    assert gaz.titles(entry.key, datetime.date(2013, 1, 1))[0][1] == "egypt"


def test_gazetteer_city(gaz):
    moscow = gaz.lookup("Moscow").entry
    assert (moscow.type, moscow.country, moscow.key) == ("City", "russia", "moscow")
    assert gaz.get("russia").type == "Country" and gaz.get("russia").iso == "RUS"


def test_gazetteer_country_of_demonym(gaz):
    assert gaz.country_of_demonym("Chinese").key == "china"
    assert gaz.country_of_demonym("Iranian").key == "iran"
    assert [gaz.country_of_demonym(p).key for p in "Sino-Russian".split("-")] == ["china", "russia"]
    assert gaz.country_of_demonym("China") is None
    assert gaz.country_of_demonym("banana") is None


def test_gazetteer_every_pycountry_country(gaz):
    import pycountry
    isos = {e.iso for e in gaz if e.type == "Country"}
    assert {c.alpha_3 for c in pycountry.countries} <= isos


def test_gazetteer_phrases(gaz):
    phrases = gaz.phrases()
    assert ("Chinese", "china") in phrases and ("Moscow", "moscow") in phrases
    keys = {e.key for e in gaz}
    assert all(key in keys for _, key in phrases)
    assert not any(surface == "Lavrov" for surface, _ in phrases)


def test_gazetteer_user_files_add_and_override(tmp_path):
    people = tmp_path / "persons.jsonl"
    people.write_text(json.dumps({
        "name": "Jane Roe", "aliases": ["Jane Q. Roe"], "country": "FR",
        "titles": [{"title": "Mayor", "of": "FRA", "start": "2020-01-01", "end": "2021-01-01"}]}) + "\n"
        + json.dumps({"key": "sergei-lavrov", "name": "Sergei Lavrov", "wikidata": "Q1"}) + "\n",
        encoding="utf-8")
    orgs = tmp_path / "my-orgs.tsv"
    orgs.write_text("type\tkey\tname\taliases\tcountry\n"
                    "Organization\tacme\tAcme Corporation\tACME|Acme\tUSA\n"
                    "Organization\tnato\tNorth Atlantic Treaty Organization\t\t\n", encoding="utf-8")
    gaz = Gazetteer.load(people, orgs)
    roe = gaz.lookup("Jane Q Roe").entry
    assert (roe.key, roe.country) == ("jane-roe", "france")
    assert gaz.titles("jane-roe", datetime.date(2020, 6, 1)) == [("Mayor", "france", "2020-01-01", "2021-01-01")]
    assert gaz.titles("jane-roe", datetime.date(2022, 1, 1)) == []
    assert gaz.lookup("ACME").entry.country == "united-states"
    lavrov = gaz.get("sergei-lavrov")
    assert lavrov.wikidata == "Q1" and "Sergey Lavrov" in lavrov.aliases   # override keeps aliases
    assert gaz.get("nato").name == "North Atlantic Treaty Organization"
    assert gaz.lookup("NATO").entry.key == "nato"
    assert Gazetteer.default().get("acme") is None


def test_gazetteer_user_file_bad_type(tmp_path):
    path = tmp_path / "extra.tsv"
    path.write_text("name\nSomething\n", encoding="utf-8")
    with pytest.raises(KGError, match="expected one of"):
        Gazetteer.load(path)


def test_gazetteer_slug():
    assert slug("United States") == "united-states"
    assert slug("Côte d'Ivoire") == "cote-d-ivoire"


def test_gazetteer_doctests():
    result = doctest.testmod(kg.gazetteer, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 10
