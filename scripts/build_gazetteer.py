"""Regenerate the gazetteer data files in ``kg/data/gazetteer/`` from their sources.

Sources: pycountry (countries, ISO codes, official names), the Phoenix actor dictionaries in
``/work/shared/data/phoenix`` (MIT licence; country name variants and dated political
actors), and the hand-curated files in ``kg/data/gazetteer/curated/`` (demonyms, combining
forms, capitals, seats of government, organisations, recent office holders, Wikidata ids).

Usage::

    /work/venv/bin/python scripts/build_gazetteer.py [--phoenix DIR] [--out DIR]

Outputs (overwritten): ``countries.tsv``, ``cities.tsv``, ``organizations.tsv``,
``persons.jsonl``. The runtime (``kg.gazetteer``) reads only these and pycountry is not needed
at run time for them.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import difflib
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "kg" / "data" / "gazetteer"
CURATED = DATA / "curated"
PHOENIX = Path("/work/shared/data/phoenix")

sys.path.insert(0, str(ROOT))
from kg.gazetteer import slug  # noqa: E402  (one slug rule for build and runtime)

# Territories pycountry lacks but news mentions as countries: iso3 -> (iso2, name).
EXTRA_COUNTRIES = {"XKX": ("XK", "Kosovo")}
# Phoenix country codes that are not ISO alpha-3.
PHOENIX_CODE_TO_ISO = {"KSV": "XKX", "ROM": "ROU", "ZAR": "COD", "TMP": "TLS"}


# --------------------------------------------------------------------------- Phoenix parsing

@dataclass
class Code:
    code: str
    start: str | None
    end: str | None
    comment: str


@dataclass
class Record:
    primary: str
    synonyms: list[str] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    comment: str = ""
    line: int = 0


_CODE = re.compile(r"\[([^\]]*)\]")


def _date(text: str) -> str | None:
    """Phoenix date (YYYYMMDD, or YYMMDD with 00-14 meaning 20xx) as ISO, or None if invalid."""
    if len(text) == 6 and text.isdigit():
        yy = int(text[:2])
        text = ("20" if yy <= 14 else "19") + text
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return None


def _codes(text: str, comment: str) -> list[Code]:
    out = []
    for body in _CODE.findall(text):
        parts = body.split()
        if not parts or parts[0] == "---":
            continue
        code, start, end = parts[0], None, None
        if len(parts) > 1:
            restriction = "".join(parts[1:])
            if restriction.startswith(">"):
                start = _date(restriction[1:])
                if start is None:
                    continue
            elif restriction.startswith("<"):
                end = _date(restriction[1:])
                if end is None:
                    continue
            elif "-" in restriction:
                a, _, b = restriction.partition("-")
                start, end = _date(a), _date(b)
                if start is None or end is None:
                    continue
            else:
                continue
        out.append(Code(code, start, end, comment))
    return out


def parse_actor_file(path: Path) -> list[Record]:
    """Parse a PETRARCH actor dictionary into records (primary phrase, synonyms, dated codes)."""
    records: list[Record] = []
    current: Record | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        text, _, comment = raw.partition("#")
        comment = comment.strip().strip("#").strip()
        if raw[0] in " \t" and text.strip().startswith("["):
            if current is not None:
                current.codes.extend(_codes(text, comment))
            continue
        if raw.startswith("+"):
            if current is not None:
                phrase = _CODE.sub("", text[1:]).split(";")[0].strip()
                if phrase:
                    current.synonyms.append(phrase)
                current.codes.extend(_codes(text, comment))
            continue
        phrase = _CODE.sub("", text).split(";")[0].strip()
        current = Record(phrase, comment=comment, line=number)
        current.codes.extend(_codes(text, comment))
        records.append(current)
    return records


# --------------------------------------------------------------------------- helpers

def read_tsv(path: Path) -> list[dict]:
    lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def split(value: str | None) -> list[str]:
    return [x.strip() for x in (value or "").split("|") if x.strip()]


def unique(items) -> list[str]:
    seen, out = set(), []
    for item in items:
        folded = fold(item)
        if item and folded not in seen:
            seen.add(folded)
            out.append(item)
    return out


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"(?<![a-z])([a-z])\.", r"\1", text.replace("-", " "))
    text = re.sub(r"^the\s+", "", text)
    return re.sub(r"\s+", " ", text).strip(" .")


_LOWER_PARTICLES = {"al", "el", "bin", "bint", "ibn", "van", "von", "de", "da", "di", "du", "der",
                    "den", "la", "le", "dos", "das", "del", "ul", "ud", "y", "e", "and", "of", "the"}


def proper(phrase: str) -> str:
    """Phoenix phrase (``SERGEY_V._LAVROV_``) in proper case (``Sergey V. Lavrov``)."""
    words = [w for w in phrase.replace("_", " ").split() if w]
    out = []
    for i, word in enumerate(words):
        parts = re.split(r"([-'])", word.lower())
        cased = []
        for j, part in enumerate(parts):
            if part in "-'":
                cased.append(part)
            elif part in _LOWER_PARTICLES and (i > 0 or j > 0) and not (j == 0 and i == len(words) - 1):
                cased.append(part)
            elif part in ("ii", "iii", "iv") and i > 0:
                cased.append(part.upper())
            elif part.startswith("mc") and len(part) > 2:
                cased.append("Mc" + part[2:].capitalize())
            elif j > 0 and parts[j - 1] == "'" and len(part) <= 1:
                cased.append(part)           # O'Neill keeps capitals; Mu'ammar -> Mu'ammar? ('s stays lower)
            else:
                cased.append(part.capitalize())
        out.append("".join(cased))
    text = " ".join(out)
    # "al-" prefix stays lower-case inside names: "Bashar Al-Assad" -> "Bashar al-Assad"
    return re.sub(r"\b(Al|El)-", lambda m: m.group(1).lower() + "-", text) if len(out) > 1 else text


# --------------------------------------------------------------------------- countries

OFFICIAL_WORDS = {"republic", "kingdom", "state", "states", "federation", "emirate", "emirates",
                  "sultanate", "principality", "commonwealth", "union", "democratic", "islamic",
                  "federal", "people's", "peoples", "socialist", "arab", "grand", "duchy"}
DEMONYM_END = re.compile(r"(an|ian|ese|ish|i|ic|ean|ese)$", re.IGNORECASE)


def phoenix_country_variants(records: list[Record]) -> dict[str, list[str]]:
    """iso3 -> proper-cased name variants from Phoenix country records."""
    alpha3 = {c.alpha_3 for c in pycountry.countries} | set(EXTRA_COUNTRIES)
    out: dict[str, list[str]] = defaultdict(list)
    for record in records:
        iso = None
        for code in record.codes:
            c = PHOENIX_CODE_TO_ISO.get(code.code, code.code)
            if len(c) == 3 and c in alpha3 and code.end is None:
                iso = c
            elif len(c) == 6 and c[3:] in alpha3 and not code.end and record.primary.endswith("_"):
                iso = iso or c[3:]
        if iso:
            out[iso].extend(proper(p) for p in [record.primary, *record.synonyms])
    return out


def keep_variant(variant: str, names: list[str], taken: set[str]) -> bool:
    """A Phoenix country variant worth keeping: a spelling of a known name, or an official name."""
    f = fold(variant)
    if f in taken or len(f) < 4 or any(ch.isdigit() for ch in f):
        return False
    words = set(f.split())
    for name in names:
        n = fold(name)
        if difflib.SequenceMatcher(None, f, n).ratio() >= 0.85 and not (
                DEMONYM_END.search(f) and not DEMONYM_END.search(n)):
            return True
        if words & OFFICIAL_WORDS and set(n.split()) <= words:
            return True
    return False


def build_countries(records: list[Record]) -> tuple[list[dict], list[dict]]:
    curated = {row["iso3"]: row for row in read_tsv(CURATED / "countries.tsv")}
    capitals = {row["iso3"]: row for row in read_tsv(CURATED / "capitals.tsv")}
    seats: dict[str, list[str]] = defaultdict(list)
    for row in read_tsv(CURATED / "seats.tsv"):
        seats[row["iso3"]].append(row["surface"])
    variants = phoenix_country_variants(records)
    countries = [(c.alpha_2, c.alpha_3, c.name, getattr(c, "common_name", None),
                  getattr(c, "official_name", None)) for c in pycountry.countries]
    countries += [(a2, a3, name, None, None) for a3, (a2, name) in EXTRA_COUNTRIES.items()]
    rows, cities = [], []
    for a2, a3, iso_name, common, official in countries:
        cur = curated.get(a3, {})
        name = cur.get("name") or common or iso_name
        aliases = [iso_name, common or "", official or ""] + split(cur.get("aliases"))
        aliases = [a for a in aliases if a and "Province of China" not in a
                   and not a.endswith(" part)") and "," not in a]
        aliases = [re.sub(r"^the ", "", a) for a in aliases]
        demonyms = split(cur.get("demonyms"))
        demonyms += [plural(d) for d in demonyms if plural(d)]
        taken = {fold(x) for x in [name, *aliases, *demonyms]}
        for variant in variants.get(a3, []):
            if keep_variant(variant, [name, *aliases], taken):
                aliases.append(variant)
                taken.add(fold(variant))
        capital = capitals.get(a3)
        capital_key = slug(capital["capital"]) if capital else ""
        rows.append({"key": slug(name), "name": name, "iso2": a2, "iso3": a3,
                     "wikidata": cur.get("wikidata", ""),
                     "aliases": unique(a for a in aliases if fold(a) != fold(name)),
                     "demonyms": unique(demonyms), "combining": split(cur.get("combining")),
                     "capital": capital_key, "seats": seats.get(a3, [])})
        if capital:
            cities.append({"key": capital_key, "name": capital["capital"], "country": slug(name),
                           "wikidata": capital.get("wikidata", ""),
                           "aliases": split(capital.get("aliases"))})
    keys = Counter(r["key"] for r in rows) + Counter(c["key"] for c in cities)
    clash = [k for k, n in keys.items() if n > 1]
    if clash:
        raise SystemExit(f"duplicate keys: {clash}")
    return rows, cities


_NO_PLURAL = re.compile(r"(ese|sh|ch|ss|s|x|z|men|Congolese)$")


def plural(demonym: str) -> str | None:
    """Regular plural of a demonym noun ("American" -> "Americans"); None for "Chinese", "British"."""
    if " " in demonym or _NO_PLURAL.search(demonym) or demonym.endswith(("ic", "ish")):
        return None
    return demonym[:-3] + "men" if demonym.endswith("man") else demonym + "s"


# --------------------------------------------------------------------------- organisations

def build_organizations() -> list[dict]:
    rows = []
    for row in read_tsv(CURATED / "organizations.tsv"):
        rows.append({"key": row["key"], "name": row["name"], "wikidata": row.get("wikidata", ""),
                     "country": row.get("country", ""), "aliases": split(row.get("aliases"))})
    return rows


# --------------------------------------------------------------------------- persons

TITLE_WORDS = {
    "president", "prime", "minister", "foreign", "ambassador", "amb", "general", "gen", "king",
    "queen", "prince", "princess", "sheikh", "sheik", "shaikh", "emir", "amir", "sultan", "mr",
    "mrs", "ms", "dr", "secretary", "chancellor", "senator", "sen", "rep", "governor", "gov",
    "mayor", "colonel", "col", "major", "maj", "lt", "lieutenant", "captain", "capt", "admiral",
    "adm", "marshal", "premier", "vice", "deputy", "acting", "chairman", "chairwoman", "speaker",
    "leader", "defense", "defence", "interior", "finance", "justice", "commander", "chief",
    "director", "spokesman", "spokeswoman", "former", "ex", "late", "new", "top", "envoy",
    "russian", "american", "chinese", "british", "french", "german", "us", "u.s", "un", "u.n",
    "mullah", "ayatollah", "grand", "his", "her", "excellency", "lord", "sir", "dame", "baron",
    "brigadier", "sergeant", "pope", "cardinal", "archbishop", "bishop", "rabbi", "imam",
    "crown", "minister's", "state", "party", "army", "council", "ministry", "government",
    "committee", "assembly", "movement", "front", "forces", "force", "union", "republic",
    "organization", "organisation", "brigade", "brigades", "national", "office", "court",
    "parliament", "congress", "senate", "agency", "department", "commission", "league",
    "coalition", "alliance", "group", "militia", "police", "bank", "fund", "of", "the",
    "elect", "administration", "regime", "government's", "supporters", "loyalists", "camp",
    "family", "wife", "widow", "son", "daughter", "brother", "spokesperson", "aide", "aides",
    "kanzler", "bundeskanzler", "jaish", "troops", "soldiers", "officials", "official", "office", "cabinet", "ministers", "presidency",
}
SECTOR = {"GOV": "government official", "MIL": "military officer", "REB": "rebel leader",
          "OPP": "opposition figure", "PTY": "party official", "JUD": "judicial official",
          "LEG": "legislator", "SPY": "intelligence official", "COP": "police official",
          "MED": "media figure", "BUS": "business figure", "EDU": "education figure",
          "UAF": "armed group leader", "INS": "insurgent leader", "SEP": "separatist leader",
          "CVL": "civil society figure", "HRI": "human rights figure", "LAB": "labour figure",
          "REL": "religious figure"}
PORTFOLIO = {"MIL": "defence", "AGR": "agriculture", "JUD": "justice", "EDU": "education",
             "BUS": "economy", "MED": "information", "REF": "refugees", "DEV": "development",
             "HRI": "human rights", "LAB": "labour", "MUS": "religious affairs", "COP": "interior",
             "ENV": "environment", "HLH": "health", "LEG": "legislature", "SPY": "intelligence",
             "PTY": "party", "ELI": None}
# Phoenix code-line comments that name a title (others are editors' notes and are ignored).
COMMENT_TITLES = {
    "Foreign Minister": "Foreign Minister", "Amb. to UN": "Ambassador to the United Nations",
    "Secretary of State": "Secretary of State", "Sec State": "Secretary of State",
    "Sec Def": "Secretary of Defense", "Prime Minister": "Prime Minister", "PM": "Prime Minister",
    "PM pt. 1": "Prime Minister", "PM pt. 2": "Prime Minister", "Acting PM": "Acting Prime Minister",
    "Dep. PM": "Deputy Prime Minister", "Supreme Leader": "Supreme Leader",
    "President of Germany": "President", "Chancellor of Germany": "Chancellor",
    "President of the Bundesrat": "President of the Bundesrat",
    "Prime Minister of Lower Saxony": "Minister-President of Lower Saxony",
    "National security advisor": "National Security Advisor",
    "Dep NatSecAd": "Deputy National Security Advisor", "DCI": "Director of Central Intelligence",
    "Dep DCI": "Deputy Director of Central Intelligence", "Dep Sec State": "Deputy Secretary of State",
    "Dep Sec Def": "Deputy Secretary of Defense",
    "Under Secretary of State for Political Affairs": "Under Secretary of State for Political Affairs",
    "Sec of Army": "Secretary of the Army", "General council to DOD": "General Counsel of the Department of Defense",
    "Min. of Water Resources": "Minister of Water Resources", "Min. of Fin.": "Finance Minister",
    "Min of Civil Aviation": "Minister of Civil Aviation", "CMDR Air Force": "Air Force Commander",
    "Senator from Nebraska": "Senator from Nebraska", "brief acting Sec State": "Acting Secretary of State",
    "Amb. to Japan (need dates)": "Ambassador to Japan",
    "Amb to Philippines (need dates)": "Ambassador to the Philippines",
    "Assembly of Experts": "Member of the Assembly of Experts",
}


def clean_person_name(phrase: str) -> str | None:
    """Proper-cased full name, or None if the phrase has a title word or is a single word."""
    words = [w for w in re.split(r"[_\s]+", phrase.strip("_ ")) if w]
    parts = [p.lower().strip(".,") for w in words for p in w.split("-")]
    if len(words) < 2 or any(p in TITLE_WORDS for p in parts):
        return None
    if any(not re.fullmatch(r"[A-Za-z][A-Za-z.'\-]*", w) for w in words):
        return None
    return proper("_".join(words))


def person_title(code: Code) -> tuple[str, str] | None:
    """(title, sector) of a dated Phoenix code, or None for elites (ELI) and unknown sectors."""
    sector, portfolio = code.code[3:6], code.code[6:9]
    if sector == "ELI" or sector not in SECTOR:
        return None
    title = COMMENT_TITLES.get(code.comment.strip())
    if title is None:
        title = SECTOR[sector]
        extra = PORTFOLIO.get(portfolio) if portfolio else None
        if extra and portfolio != sector:
            title += f" ({extra})"
    return title, code.code[3:]


def phoenix_persons(records: list[Record]) -> list[dict]:
    alpha3 = {c.alpha_3 for c in pycountry.countries} | set(EXTRA_COUNTRIES)
    people: dict[tuple[str, str], dict] = {}
    for record in records:
        codes = [c for c in record.codes if len(c.code) >= 6]
        if not codes or not ("CountryInfo" in record.comment or any(c.start or c.end for c in codes)):
            continue
        isos = [PHOENIX_CODE_TO_ISO.get(c.code[:3], c.code[:3]) for c in codes]
        if any(len(c.code) == 6 and c.code[3:] in alpha3 for c in codes):
            continue                                     # a territory, not a person
        names = [n for n in (clean_person_name(p) for p in [record.primary, *record.synonyms]) if n]
        if not names:
            continue
        valid = Counter(i for i in isos if i in alpha3)
        if not valid:
            continue
        country = valid.most_common(1)[0][0]
        dated = [c for c in codes if c.start or c.end]
        titles = []
        for code, iso in zip(codes, isos):
            if dated and not (code.start or code.end):
                continue                                 # undated default code: not a title
            title = person_title(code)
            if title is None or iso not in alpha3:
                continue
            titles.append({"title": title[0], "of": iso, "start": code.start, "end": code.end,
                           "sector": title[1]})
        name = names[0]
        person = people.setdefault((slug(name), country), {"name": name, "aliases": [],
                                                           "country": country, "titles": []})
        person["aliases"] = unique(person["aliases"] + [n for n in names if fold(n) != fold(person["name"])])
        for t in titles:
            if t not in person["titles"]:
                person["titles"].append(t)
    return list(people.values())


def merge_extra(people: list[dict], extra: list[dict]) -> list[dict]:
    """Curated persons replace the Phoenix ones they share a name with (same country)."""
    by_surface: dict[tuple[str, str], dict] = {}
    for p in people:
        for n in [p["name"], *p["aliases"]]:
            by_surface.setdefault((fold(n), p["country"]), p)
    for e in extra:
        e = {**e, "aliases": list(e.get("aliases") or [])}
        matched = [by_surface.get((fold(n), e["country"])) for n in [e["name"], *e["aliases"]]]
        matched = [m for i, m in enumerate(matched) if m is not None and m not in matched[:i]]
        for old in matched:
            people.remove(old)
            e["aliases"] = unique(e["aliases"] + [n for n in [old["name"], *old["aliases"]]
                                                  if fold(n) != fold(e["name"])])
            spans = [(t.get("start") or "0000", t.get("end") or "9999") for t in e["titles"]]
            for t in old["titles"]:
                s, f = t["start"] or "0000", t["end"] or "9999"
                if not any(s <= b and a <= f for a, b in spans):
                    e["titles"].append(t)
        e["titles"].sort(key=lambda t: t.get("start") or "")
        people.append(e)
    return people


def build_persons(records: list[Record]) -> list[dict]:
    people = phoenix_persons(records)
    extra = [json.loads(line) for line in (CURATED / "persons-extra.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    people = merge_extra(people, extra)
    # keys: slug of the name; same name in two countries -> suffix the country code
    counts = Counter(slug(p["name"]) for p in people)
    out = []
    for p in sorted(people, key=lambda p: (slug(p["name"]), p["country"])):
        key = slug(p["name"]) if counts[slug(p["name"])] == 1 else f"{slug(p['name'])}-{p['country'].lower()}"
        row = {"key": key, "name": p["name"], "aliases": p["aliases"], "country": p["country"]}
        if p.get("wikidata"):
            row["wikidata"] = p["wikidata"]
        row["titles"] = p["titles"]
        out.append(row)
    return out


# --------------------------------------------------------------------------- output

def write_tsv(path: Path, columns: list[str], rows: list[dict], header: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(header)
        f.write("\t".join(columns) + "\n")
        for row in rows:
            cells = ["|".join(v) if isinstance(v := row.get(c, ""), list) else str(v or "") for c in columns]
            assert not any("\t" in c or "\n" in c for c in cells), row
            f.write("\t".join(cells) + "\n")


def main(argv: list[str] | None = None) -> int:
    global PHOENIX
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phoenix", type=Path, default=PHOENIX, help="directory of the Phoenix dictionaries")
    parser.add_argument("--out", type=Path, default=DATA, help="output directory (default: kg/data/gazetteer)")
    args = parser.parse_args(argv)
    records = parse_actor_file(args.phoenix / "Phoenix.Countries.actors.txt")
    countries, cities = build_countries(records)
    iso_to_key = {c["iso3"]: c["key"] for c in countries}
    orgs = build_organizations()
    for org in orgs:
        org["country"] = iso_to_key.get(org["country"], org["country"])
    persons = build_persons(records)
    generated = "# Generated by scripts/build_gazetteer.py; edit the sources (see README.md), not this file.\n"
    write_tsv(args.out / "countries.tsv", ["key", "name", "iso2", "iso3", "wikidata", "aliases", "demonyms",
                                           "combining", "capital", "seats"], countries, generated)
    write_tsv(args.out / "cities.tsv", ["key", "name", "country", "wikidata", "aliases"], cities, generated)
    write_tsv(args.out / "organizations.tsv", ["key", "name", "wikidata", "country", "aliases"], orgs, generated)
    with (args.out / "persons.jsonl").open("w", encoding="utf-8") as f:
        for p in persons:
            f.write(json.dumps(p, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"countries {len(countries)}, cities {len(cities)}, organizations {len(orgs)}, persons {len(persons)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
