"""Tests of ontology/: kg.ttl, event-types.ttl, shapes.ttl, the named queries, kg.namespace."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import graph_diff, isomorphic
from rdflib.namespace import RDF, SH, XSD
from rdflib.plugins.sparql import prepareQuery

from kg.namespace import (
    CAMEO,
    KGO,
    KGR,
    NIF,
    PLOVER,
    PREFIXES,
    SCHEMA,
    SEM,
    SKOS,
    SPARQL_PREFIXES,
)

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY = REPO / "ontology"
QUERIES = sorted((ONTOLOGY / "queries").glob("*.rq"))
SAMPLE = Path(__file__).resolve().parent / "data" / "sample.ttl"
CROSSWALK = Path("/work/shared/data/CAMEO2PLOVER-2021.txt")

ROOT_CODES = [f"{n:02d}" for n in range(1, 21)]

# rows each named query returns on tests/data/sample.ttl with its default parameters
EXPECTED_ROWS = {
    "actor-timeline": 2,
    "actors": 3,
    "events-between": 2,
    "events-by-type-and-date": 1,
    "titles": 1,
    "who-met-whom": 1,
    "neighbours": 1,
}


@pytest.fixture(scope="module")
def kg_ttl() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY / "kg.ttl")


@pytest.fixture(scope="module")
def event_types() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY / "event-types.ttl")


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY / "shapes.ttl")


@pytest.fixture()
def sample() -> rdflib.Graph:
    return rdflib.Graph().parse(SAMPLE)


def cameo_concepts(graph: rdflib.Graph) -> dict[str, URIRef]:
    """Notation -> concept of every concept in kgo:CAMEOScheme."""
    return {
        str(graph.value(c, SKOS.notation)): c
        for c in graph.subjects(SKOS.inScheme, KGO.CAMEOScheme)
    }


def with_params(query: str, **values: str) -> str:
    """Replace the default of each ``VALUES ?name { ... }`` line (the named-query convention)."""
    for name, value in values.items():
        pattern = re.compile(r"VALUES \?" + name + r" \{[^}]*\}")
        assert pattern.search(query), f"no VALUES ?{name} line"
        query = pattern.sub(lambda _: f"VALUES ?{name} {{ {Literal(value).n3()} }}", query)
    return query


def rows_rdflib(graph: rdflib.Graph, query: str) -> list[tuple]:
    return [tuple(None if v is None else str(v) for v in row) for row in graph.query(query)]


def rows_oxigraph(path: Path, query: str) -> list[tuple]:
    pyoxigraph = pytest.importorskip("pyoxigraph")
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    solutions = store.query(query)
    names = [v.value for v in solutions.variables]
    return [
        tuple(None if s[n] is None else s[n].value for n in names) for s in solutions
    ]


def normalised(rows: list[tuple]) -> list[tuple]:
    """Rows with GROUP_CONCAT lists sorted (engines may concatenate in any order)."""
    def norm(value):
        if value is None:
            return None
        sep = "; " if "; " in value else " "
        return sep.join(sorted(value.split(sep)))
    return sorted(tuple(norm(v) for v in row) for row in rows)


def validate(graph: rdflib.Graph, shapes: rdflib.Graph) -> tuple[bool, list[URIRef]]:
    """Validate as kg does (no inference, SHACL-AF on); return conformance and each result's component."""
    pyshacl = pytest.importorskip("pyshacl")
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    components = [
        report.value(result, SH.sourceConstraintComponent)
        for result in report.objects(None, SH.result)
    ]
    return conforms, components


# --- files and namespace -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["kg.ttl", "event-types.ttl", "shapes.ttl"])
def test_ontology_file_parses(name):
    graph = rdflib.Graph().parse(ONTOLOGY / name)
    assert len(graph) > 0


def test_ontology_namespace_declares_exactly_kg_ttl_terms(kg_ttl):
    in_ttl = {
        str(s)[len(str(KGO)):]
        for s in kg_ttl.subjects()
        if isinstance(s, URIRef) and str(s).startswith(str(KGO))
    }
    in_python = set(KGO.__annotations__)
    assert in_ttl == in_python


def test_ontology_every_term_has_english_label_and_comment(kg_ttl):
    for term in KGO.__annotations__:
        iri = KGO[term]
        assert (iri, rdflib.RDFS.label, None) in kg_ttl, term
        assert any(c.language == "en" for c in kg_ttl.objects(iri, rdflib.RDFS.comment)), term


def test_ontology_no_imports(kg_ttl):
    assert not list(kg_ttl.objects(None, rdflib.OWL.imports))


def test_ontology_alignments(kg_ttl):
    sub = rdflib.RDFS.subClassOf
    assert (KGO.Event, sub, SEM.Event) in kg_ttl
    assert (KGO.Event, sub, SCHEMA.Event) in kg_ttl
    assert (KGO.Actor, sub, SEM.Actor) in kg_ttl
    assert (KGO.Mention, sub, NIF.String) in kg_ttl
    for role in ["Agent", "Patient", "Host", "Guest", "Inviter", "Invitee", "Speaker",
                 "Source", "Target", "Mediator", "Participant"]:
        assert (KGO[role], RDF.type, SEM.RoleType) in kg_ttl


def test_namespace_is_closed():
    with pytest.raises(AttributeError):
        KGO.Gest  # noqa: B018
    with pytest.raises(AttributeError):
        SEM.hasActors  # noqa: B018
    assert CAMEO["042"] == URIRef("https://w3id.org/kg-news/cameo/042")
    assert KGR["actor/x"] == URIRef("https://w3id.org/kg-news/id/actor/x")


def test_namespace_sparql_prefixes_cover_prefixes():
    for prefix, namespace in PREFIXES.items():
        assert f"PREFIX {prefix}: <{namespace}>" in SPARQL_PREFIXES
    assert str(PREFIXES["schema"]) == "https://schema.org/"
    prepareQuery(SPARQL_PREFIXES + "SELECT * WHERE { ?e a sem:Event ; kgo:status kgo:Planned }")


# --- event types ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", ROOT_CODES)
def test_event_types_root_exists(event_types, code):
    concept = CAMEO[code]
    assert (concept, SKOS.notation, Literal(code)) in event_types
    assert (concept, SKOS.topConceptOf, KGO.CAMEOScheme) in event_types
    assert (KGO.CAMEOScheme, SKOS.hasTopConcept, concept) in event_types
    assert event_types.value(concept, SKOS.prefLabel).language == "en"
    assert event_types.value(concept, KGO.family) is not None


def test_event_types_broader_chains_follow_codes(event_types):
    concepts = cameo_concepts(event_types)
    assert len(concepts) > 300
    for notation, concept in concepts.items():
        assert re.fullmatch(r"[0-9]{2,4}", notation), notation
        assert event_types.value(concept, SKOS.notation).datatype is None  # plain string
        labels = list(event_types.objects(concept, SKOS.prefLabel))
        assert len(labels) == 1 and labels[0].language == "en", notation
        broader = list(event_types.objects(concept, SKOS.broader))
        if len(notation) == 2:
            assert broader == []
            continue
        assert len(broader) == 1, notation
        parent = str(event_types.value(broader[0], SKOS.notation))
        assert notation.startswith(parent) and len(parent) == len(notation) - 1
        assert event_types.value(concept, KGO.family) == event_types.value(
            concepts[notation[:2]], KGO.family)


def test_event_types_three_digit_children_of_every_root(event_types):
    concepts = cameo_concepts(event_types)
    for root in ROOT_CODES:
        assert root + "0" in concepts, root  # the "not specified below" code of each root
    for code in ["010", "019", "020", "028", "036", "039", "041", "042", "043", "044", "045",
                 "046", "051", "057", "112", "138", "173", "176", "190", "191", "195", "204"]:
        assert code in concepts, code


@pytest.mark.parametrize(("code", "label", "plover", "mode", "family"), [
    ("042", "Make a visit", "CONSULT", "visit", "consult"),
    ("041", "Discuss by telephone", "CONSULT", "phone", "consult"),
    ("036", "Express intent to meet or negotiate", "AGREE", None, "intent"),
    ("057", "Sign formal agreement", "SUPPORT", None, "cooperate"),
    ("191", "Impose blockade, restrict movement", "COERCE", "restrict", "assault"),
    ("010", "Make statement", None, None, "statement"),
])
def test_event_types_known_codes(event_types, code, label, plover, mode, family):
    concept = CAMEO[code]
    assert event_types.value(concept, SKOS.prefLabel) == Literal(label, lang="en")
    assert event_types.value(concept, SKOS.closeMatch) == (PLOVER[plover] if plover else None)
    assert event_types.value(concept, KGO.ploverMode) == (Literal(mode) if mode else None)
    assert event_types.value(concept, KGO.family) == Literal(family)


def test_event_types_plover_scheme(event_types):
    plover = set(event_types.subjects(SKOS.inScheme, KGO.PLOVERScheme))
    assert len(plover) == 16
    for target in event_types.objects(None, SKOS.closeMatch):
        assert target in plover


@pytest.mark.skipif(not CROSSWALK.exists(), reason="crosswalk not available")
def test_event_types_file_is_generated_from_crosswalk(event_types):
    spec = importlib.util.spec_from_file_location(
        "build_event_types", REPO / "scripts" / "build_event_types.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    built = rdflib.Graph().parse(
        data=module.to_turtle(module.read_crosswalk(CROSSWALK)), format="turtle")
    if not isomorphic(built, event_types):
        _, only_built, only_file = graph_diff(built, event_types)
        pytest.fail("event-types.ttl is stale; run scripts/build_event_types.py\n"
                    f"only in build:\n{only_built.serialize(format='nt')}\n"
                    f"only in file:\n{only_file.serialize(format='nt')}")


# --- named queries -------------------------------------------------------------------------


def test_queries_all_present():
    assert {q.stem for q in QUERIES} == set(EXPECTED_ROWS)


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_header_documents_name_and_params(path):
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith(f"# {path.stem}: ")
    documented = set(re.findall(r"^# param: (\w+)", text, flags=re.M)) - {"none"}
    values = re.findall(r"^\s*VALUES \?(\w+) \{[^}]*\}", text, flags=re.M)
    assert documented == set(values)
    # a parameter may have several VALUES lines (one per subquery that needs it); the header
    # says so, since a caller replaces them all
    for name in set(values):
        if values.count(name) > 1:
            assert re.search(r"both lines `VALUES \?%s|\(two each\)" % name, text), name
    if not documented:
        assert "# param: none" in text


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_runs_on_rdflib_and_oxigraph(path, sample):
    text = path.read_text(encoding="utf-8")
    prepareQuery(text)
    rows = rows_rdflib(sample, text)
    assert len(rows) == EXPECTED_ROWS[path.stem]
    assert normalised(rows) == normalised(rows_oxigraph(SAMPLE, text))


@pytest.mark.parametrize(("name", "params", "expected"), [
    ("actor-timeline", {"name": "putin"}, 2),
    ("actor-timeline", {"name": "Russia"}, 0),
    ("events-between", {"a": "Putin", "b": "WANG"}, 2),
    ("events-between", {"a": "Russia", "b": "Wang Yi"}, 0),
    ("events-by-type-and-date", {"prefix": "", "from": "2023-02-10", "to": "2023-02-21"}, 1),
    ("events-by-type-and-date", {"prefix": "", "from": "2023-02-22", "to": ""}, 2),
    ("events-by-type-and-date", {"prefix": "043", "from": "", "to": ""}, 0),
    ("events-by-type-and-date", {"prefix": "04", "from": "2024-01-01", "to": ""}, 0),
    ("titles", {"who": "Russian President Vladimir Putin"}, 1),
    ("titles", {"who": "Wang Yi"}, 0),
])
def test_query_params(sample, name, params, expected):
    text = with_params((ONTOLOGY / "queries" / f"{name}.rq").read_text(encoding="utf-8"),
                       **params)
    rows = rows_rdflib(sample, text)
    assert len(rows) == expected
    assert normalised(rows) == normalised(rows_oxigraph(SAMPLE, text))


def test_query_who_met_whom_row(sample):
    text = (ONTOLOGY / "queries" / "who-met-whom.rq").read_text(encoding="utf-8")
    (row,) = sample.query(text)
    assert (str(row.code), str(row.type), str(row.name1), str(row.name2)) == (
        "042", "Make a visit", "Vladimir Putin", "Wang Yi")
    assert row.date == Literal("2023-02-22", datatype=XSD.date)
    assert str(row.sources) == "wang-yi-moscow-2023-02"


# --- shapes --------------------------------------------------------------------------------


def test_shapes_sample_conforms(sample, shapes):
    conforms, components = validate(sample, shapes)
    assert conforms, components


def test_shapes_sample_with_event_types_conforms(sample, shapes, event_types):
    conforms, components = validate(sample + event_types, shapes)
    assert conforms, components


def test_shapes_broken_copy_has_three_violations(sample, shapes):
    sample.remove((KGR["event/e1"], SEM.hasActor, None))  # an event without actor
    sample.add((KGR["actor/wang-yi"], RDF.type, SCHEMA.Organization))  # two actor types
    sample.set((KGR["event/e1"], KGO.confidence, Literal("1.5", datatype=XSD.decimal)))
    conforms, components = validate(sample, shapes)
    assert not conforms
    assert sorted(components) == sorted([
        SH.MinCountConstraintComponent, SH.XoneConstraintComponent,
        SH.MaxInclusiveConstraintComponent])


@pytest.mark.parametrize(("breakage", "component"), [
    ("planned-not-scheduled", SH.HasValueConstraintComponent),
    ("occurred-but-scheduled", SH.NotConstraintComponent),
    ("two-branches", SH.SPARQLConstraintComponent),
    ("no-cameo-type", SH.QualifiedMinCountConstraintComponent),
    ("range-reversed", SH.LessThanOrEqualsConstraintComponent),
    ("timestamp-string", SH.NodeConstraintComponent),
    ("offsets-reversed", SH.LessThanOrEqualsConstraintComponent),
    ("role-without-actor", SH.MinCountConstraintComponent),
    ("unknown-role-type", SH.InConstraintComponent),
    ("article-without-id", SH.MinCountConstraintComponent),
    ("membership-role-unlabelled", SH.NodeConstraintComponent),
    ("two-statuses", SH.MaxCountConstraintComponent),
])
def test_shapes_catch_breakage(sample, shapes, breakage, component):
    e0, e1 = KGR["event/e0"], KGR["event/e1"]
    if breakage == "planned-not-scheduled":
        sample.remove((e0, SCHEMA.eventStatus, None))
    elif breakage == "occurred-but-scheduled":
        sample.add((e1, SCHEMA.eventStatus, SCHEMA.EventScheduled))
    elif breakage == "two-branches":
        sample.add((e0, SEM.eventType, CAMEO["04"]))
    elif breakage == "no-cameo-type":
        sample.remove((e0, SEM.eventType, None))
    elif breakage == "range-reversed":
        sample.set((e0, SEM.hasLatestEndTimeStamp, Literal("2023-01-31", datatype=XSD.date)))
    elif breakage == "timestamp-string":
        sample.set((e1, SEM.hasTimeStamp, Literal("February 22")))
    elif breakage == "offsets-reversed":
        mention = KGR["event/e1/mention/1"]
        sample.set((mention, NIF.beginIndex, Literal(5)))
        sample.set((mention, NIF.endIndex, Literal(0)))
    elif breakage == "role-without-actor":
        sample.remove((KGR["event/e1/role/1"], RDF.value, None))
    elif breakage == "unknown-role-type":
        sample.set((KGR["event/e1/role/1"], SEM.roleType, KGO.Planned))
    elif breakage == "article-without-id":
        sample.remove((KGR["article/wang-yi-moscow-2023-02"], SCHEMA.identifier, None))
    elif breakage == "membership-role-unlabelled":
        sample.remove((KGR["role/president"], rdflib.RDFS.label, None))
    elif breakage == "two-statuses":
        sample.add((e1, KGO.status, KGO.Ongoing))
    conforms, components = validate(sample, shapes)
    assert not conforms
    assert component in components, components
