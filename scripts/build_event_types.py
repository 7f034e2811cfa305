"""Build ``ontology/event-types.ttl`` (the CAMEO and PLOVER SKOS schemes) from the crosswalk.

The input is the CAMEO to PLOVER conversion table of the PLOVER project
(``CAMEO2PLOVER-2021.txt``, CC BY-SA 4.0). Its lines look like::

    04: CONSULT
    042: CONSULT, visit,   # Make a visit

that is ``code: PLOVER_TYPE, mode, context # label``. The table has no lines for the CAMEO
roots 01 (make public statement) and 02 (appeal) and their children, and no labels for the
root codes; those come from the CAMEO codebook (``STANDARD_LABELS`` below). Every concept is
placed under its parent by its code (``0421`` under ``042`` under ``04``), not by the section
of the table it is listed in (the table lists 191 and 192 under 17 because PLOVER maps them to
COERCE).

Usage::

    python scripts/build_event_types.py [CROSSWALK] [-o ontology/event-types.ttl]

Examples
--------
>>> parse_line("042: CONSULT, visit,   # Make a visit")
('042', 'CONSULT', 'visit', 'Make a visit')
>>> parse_line("04: CONSULT")
('04', 'CONSULT', '', '')
>>> parse_line("# a comment") is None
True
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = Path("/work/shared/data/CAMEO2PLOVER-2021.txt")
DEFAULT_OUTPUT = REPO / "ontology" / "event-types.ttl"

# The twenty CAMEO root categories (CAMEO codebook 1.1b3).
ROOT_LABELS = {
    "01": "Make public statement",
    "02": "Appeal",
    "03": "Express intent to cooperate",
    "04": "Consult",
    "05": "Engage in diplomatic cooperation",
    "06": "Engage in material cooperation",
    "07": "Provide aid",
    "08": "Yield",
    "09": "Investigate",
    "10": "Demand",
    "11": "Disapprove",
    "12": "Reject",
    "13": "Threaten",
    "14": "Protest",
    "15": "Exhibit force posture",
    "16": "Reduce relations",
    "17": "Coerce",
    "18": "Assault",
    "19": "Fight",
    "20": "Use unconventional mass violence",
}

# CAMEO codes the crosswalk does not list (codebook 1.1b3 labels, "not specified below"
# dropped as in the crosswalk). 176 is used by the PETRARCH2 verb dictionary (HACK).
STANDARD_LABELS = {
    "010": "Make statement",
    "011": "Decline comment",
    "012": "Make pessimistic comment",
    "013": "Make optimistic comment",
    "014": "Consider policy option",
    "015": "Acknowledge or claim responsibility",
    "016": "Deny responsibility",
    "017": "Engage in symbolic act",
    "018": "Make empathetic comment",
    "019": "Express accord",
    "020": "Make an appeal or request",
    "021": "Appeal for material cooperation",
    "0211": "Appeal for economic cooperation",
    "0212": "Appeal for military cooperation",
    "0213": "Appeal for judicial cooperation",
    "0214": "Appeal for intelligence",
    "022": "Appeal for diplomatic cooperation (such as policy support)",
    "023": "Appeal for aid",
    "0231": "Appeal for economic aid",
    "0232": "Appeal for military aid",
    "0233": "Appeal for humanitarian aid",
    "0234": "Appeal for military protection or peacekeeping",
    "024": "Appeal for political reform",
    "0241": "Appeal for change in leadership",
    "0242": "Appeal for policy change",
    "0243": "Appeal for rights",
    "0244": "Appeal for change in institutions, regime",
    "025": "Appeal to yield",
    "0251": "Appeal for easing of administrative sanctions",
    "0252": "Appeal for easing of popular dissent",
    "0253": "Appeal for release of persons or property",
    "0254": "Appeal for easing of economic sanctions, boycott, or embargo",
    "0255": "Appeal for target to allow international involvement (non-mediation)",
    "0256": "Appeal for de-escalation of military engagement",
    "026": "Appeal to others to meet or negotiate",
    "027": "Appeal to others to settle dispute",
    "028": "Appeal to others to engage in or accept mediation",
    "176": "Attack cybernetically",
}

# Corrections of the crosswalk's comments (typos, a placeholder, a duplicated code).
LABEL_FIXES = {
    "055": "Apologize",
    "100": "Demand",
    "1051": "Demand easing of administrative sanctions",
    "1444": "Obstruct passage to demand change in institutions, regime",
    "175": "Use tactics of violent repression",
}

# kgo:family of each root (ontology/MODEL.md).
FAMILIES = {
    "01": "statement", "02": "appeal", "03": "intent", "04": "consult", "05": "cooperate",
    "06": "cooperate", "07": "aid", "08": "yield", "09": "investigate", "10": "demand",
    "11": "disapprove", "12": "reject", "13": "threaten", "14": "protest", "15": "posture",
    "16": "reduce", "17": "coerce", "18": "assault", "19": "assault", "20": "assault",
}

# The 16 PLOVER event types, in the order of the PLOVER manual.
PLOVER_TYPES = [
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
]

# Context words of the crosswalk's third column; one line (175) has one in the mode column.
CONTEXTS = {"pro_autocracy"}

LINE = re.compile(r"^(?P<code>\d{2,4})\s*:\s*(?P<rest>[^#]*?)\s*(?:#\s*(?P<label>.*?))?\s*$")
EDITORIAL_NOTE = re.compile(r"\s{2,}\d{2}\.\d{2}\.\d{2}:.*$")  # "Ease curfew  21.09.17: ..."

HEADER = """\
# CAMEO and PLOVER event types of kg, as SKOS concept schemes.
#
# GENERATED by scripts/build_event_types.py; do not edit by hand.
#
# Derived from "CAMEO to PLOVER conversion table" (CAMEO2PLOVER-2021.txt, PLOVER manual
# draft 0.8, 17 September 2021, edited by Philip Schrodt), Open Event Data Alliance,
# https://github.com/openeventdata/PLOVER (commit 5e0c24fba623f2d8df5ae3c7de7a94dba90d5b6f),
# licensed under CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/).
# Changes: converted to SKOS; labels of the root codes, of 01x and 02x and of 176 added from
# the CAMEO codebook (Schrodt 2012, version 1.1b3); typos in five labels corrected; broader
# links derived from the codes. This file is therefore distributed under CC BY-SA 4.0.
"""

PREFIXES = """\
@prefix cameo: <https://w3id.org/kg-news/cameo/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix kgo: <https://w3id.org/kg-news/ontology#> .
@prefix plover: <https://w3id.org/kg-news/plover/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


@dataclass
class Code:
    """One CAMEO code with its label and PLOVER mapping."""

    code: str
    label: str
    plover: str = ""
    mode: str = ""

    @property
    def parent(self) -> str | None:
        """The code one level up (``"0421"`` -> ``"042"`` -> ``"04"``), None for a root."""
        return None if len(self.code) == 2 else self.code[: 2 if len(self.code) == 3 else 3]


def parse_line(line: str) -> tuple[str, str, str, str] | None:
    """Split a crosswalk line into (code, PLOVER type, mode, label); None if not a code line."""
    match = LINE.match(line.strip())
    if not match:
        return None
    fields = [field.strip() for field in match["rest"].split(",")]
    plover = fields[0] if fields else ""
    mode = fields[1] if len(fields) > 1 else ""
    if mode in CONTEXTS:
        mode = ""
    label = EDITORIAL_NOTE.sub("", match["label"] or "").strip()
    return match["code"], plover, mode, label


def read_crosswalk(path: Path) -> dict[str, Code]:
    """Read the crosswalk into codes, completed with the standard CAMEO labels.

    For a code listed twice (``08`` as CONCEDE and as RETREAT, ``175`` twice) the first line
    gives the PLOVER mapping.
    """
    codes: dict[str, Code] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parsed = parse_line(line)
        if parsed is None:
            continue
        code, plover, mode, label = parsed
        if plover and plover not in PLOVER_TYPES:
            raise ValueError(f"unknown PLOVER type {plover!r} for CAMEO {code}")
        if code in codes:
            continue
        codes[code] = Code(code, label, plover, mode)
    for code, label in {**ROOT_LABELS, **STANDARD_LABELS}.items():
        codes.setdefault(code, Code(code, label)).label = label
    for code, label in LABEL_FIXES.items():
        codes[code].label = label
    for entry in codes.values():
        if not entry.label:
            raise ValueError(f"CAMEO {entry.code} has no label")
        if entry.parent is not None and entry.parent not in codes:
            raise ValueError(f"CAMEO {entry.code} has no parent {entry.parent}")
    return dict(sorted(codes.items()))


def literal(text: str, lang: str | None = None) -> str:
    """A Turtle string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def to_turtle(codes: dict[str, Code]) -> str:
    """Serialise the two concept schemes, codes in order."""
    roots = [c for c in codes if len(c) == 2]
    out = [HEADER, PREFIXES]
    out.append(
        "kgo:CAMEOScheme a skos:ConceptScheme ;\n"
        '    rdfs:label "CAMEO event types"@en ;\n'
        '    dcterms:source <https://github.com/openeventdata/PLOVER> ;\n'
        "    dcterms:license <https://creativecommons.org/licenses/by-sa/4.0/> ;\n"
        "    skos:hasTopConcept " + ", ".join(f"cameo:{c}" for c in roots) + " .\n"
    )
    out.append(
        "kgo:PLOVERScheme a skos:ConceptScheme ;\n"
        '    rdfs:label "PLOVER event types"@en ;\n'
        '    dcterms:source <https://github.com/openeventdata/PLOVER> ;\n'
        "    dcterms:license <https://creativecommons.org/licenses/by-sa/4.0/> ;\n"
        "    skos:hasTopConcept " + ", ".join(f"plover:{p}" for p in PLOVER_TYPES) + " .\n"
    )
    for plover in PLOVER_TYPES:
        out.append(
            f"plover:{plover} a skos:Concept ;\n"
            "    skos:inScheme kgo:PLOVERScheme ; skos:topConceptOf kgo:PLOVERScheme ;\n"
            f"    skos:notation {literal(plover)} ;\n"
            f"    skos:prefLabel {literal(plover.capitalize(), 'en')} .\n"
        )
    for entry in codes.values():
        lines = [
            f"cameo:{entry.code} a skos:Concept ;",
            "    skos:inScheme kgo:CAMEOScheme ;",
            f"    skos:notation {literal(entry.code)} ;",
            f"    skos:prefLabel {literal(entry.label, 'en')} ;",
        ]
        if entry.parent is None:
            lines.append("    skos:topConceptOf kgo:CAMEOScheme ;")
        else:
            lines.append(f"    skos:broader cameo:{entry.parent} ;")
        if entry.plover:
            lines.append(f"    skos:closeMatch plover:{entry.plover} ;")
        if entry.mode:
            lines.append(f"    kgo:ploverMode {literal(entry.mode)} ;")
        lines.append(f"    kgo:family {literal(FAMILIES[entry.code[:2]])} .")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Write the event-type schemes; print the number of concepts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE,
                        help="the CAMEO2PLOVER crosswalk (default: %(default)s)")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT,
                        help="the Turtle file to write (default: %(default)s)")
    args = parser.parse_args(argv)
    codes = read_crosswalk(args.source)
    args.output.write_text(to_turtle(codes), encoding="utf-8")
    print(f"{len(codes)} CAMEO and {len(PLOVER_TYPES)} PLOVER concepts -> {args.output}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
