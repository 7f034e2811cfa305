"""Named queries that look actors up by name: kgo:nameKey, the same answers with or without it
on rdflib and Oxigraph, neighbours, and actors taking part without role nodes."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, SKOS

from kg.namespace import KGO, SEM
from kg.pipeline import build
from kg.rdf import name_keys
from kg.store import OxigraphStore, RdflibStore

DATA = Path(__file__).parent / "data"
ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
BY_NAME = ("actor-timeline", "events-between", "neighbours")


def with_keys(graph: Graph) -> Graph:
    """A copy of ``graph`` with the kgo:nameKey triples kg exports carry."""
    out = Graph()
    for t in graph:
        out.add(t)
    for actor in graph.subjects(RDF.type, SEM.Actor):
        names = [*graph.objects(actor, RDFS.label), *graph.objects(actor, SKOS.altLabel)]
        for key in name_keys(names):
            out.add((actor, KGO.nameKey, Literal(key)))
    return out


def engines(graph: Graph):
    import pyoxigraph as ox
    store = ox.Store()
    store.bulk_load(graph.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return RdflibStore(graph), OxigraphStore(store)


def rows(result):
    """Rows with GROUP_CONCAT cells as sets (their order is not defined); rdflib's lone
    all-unbound row for an aggregate over no solutions left out."""
    def cell(c):
        if isinstance(c, dict) and " " in c.get("value", ""):
            return {**c, "value": " ".join(sorted(c["value"].split(" ")))}
        return c
    return [[cell(c) for c in r] for r in result.rows if any(c is not None for c in r)]


def names_of(graph: Graph) -> list[str]:
    names = {str(n) for a in graph.subjects(RDF.type, SEM.Actor)
             for n in [*graph.objects(a, RDFS.label), *graph.objects(a, SKOS.altLabel)]}
    return sorted(names) + [n.upper() for n in sorted(names)[:3]] + ["nobody at all"]


@pytest.mark.parametrize("path", [DATA / "sample.ttl", DATA / "graph-small.ttl"], ids=lambda p: p.stem)
def test_name_queries_same_answers_with_or_without_keys_on_both_engines(path):
    plain = Graph().parse(path)
    keyed = with_keys(plain)
    assert not list(plain.subjects(KGO.nameKey, None)) and list(keyed.subjects(KGO.nameKey, None))
    (r0, o0), (r1, o1) = engines(plain), engines(keyed)
    names = names_of(plain)
    pairs = [(a, b) for a in names[:8] for b in names[:8] if a != b]
    found = 0
    for query in BY_NAME:
        params = ([{"a": a, "b": b} for a, b in pairs] if query == "events-between"
                  else [{"name": n} for n in names])
        for p in params:
            want = rows(o0.query(query, params=p))
            assert rows(r0.query(query, params=p)) == want, (query, p)
            assert rows(r1.query(query, params=p)) == want, (query, p)
            assert rows(o1.query(query, params=p)) == want, (query, p)
            found += bool(want)
    assert found > 10


def test_name_lookup_ignores_case_through_the_key_only():
    """With keys, a name is found by its key: an actor whose key is missing is not found."""
    keyed = with_keys(Graph().parse(DATA / "graph-small.ttl"))
    for store in engines(keyed):
        assert len(store.query("actor-timeline", params={"name": "vLaDiMiR pUtIn"}).rows) == 5
    putin = next(keyed.subjects(RDFS.label, Literal("Vladimir Putin")))
    keyed.remove((putin, KGO.nameKey, Literal("vladimir putin")))
    for store in engines(keyed):
        assert rows(store.query("actor-timeline", params={"name": "Vladimir Putin"})) == []
        assert len(store.query("actor-timeline", params={"name": "putin"}).rows) == 5


@pytest.mark.parametrize("kind", ["rdflib", "oxigraph"])
def test_actor_timeline_with_direct_participants(kind):
    """e5 names its participants with plain sem:hasActor: no role, on both engines."""
    plain = Graph().parse(DATA / "graph-small.ttl")
    store = dict(zip(("rdflib", "oxigraph"), engines(plain)))[kind]
    res = store.query("actor-timeline", params={"name": "Kim Jong Un"})
    (row,) = res.rows
    cells = {v: (c or {}).get("value") for v, c in zip(res.vars, row)}
    assert cells["role"] == "" and cells["code"] == "040" and cells["date"] == "2023-09-13"
    res = store.query("events-between", params={"a": "Putin", "b": "Kim Jong Un"})
    (row,) = res.rows
    cells = {v: (c or {}).get("value") for v, c in zip(res.vars, row)}
    assert (cells["roleA"], cells["roleB"]) == ("", "")


@pytest.mark.parametrize("kind", ["rdflib", "oxigraph"])
def test_neighbours_matches_kg_graph_neighbors(kind):
    from kg.graph import neighbors, to_networkx
    plain = Graph().parse(DATA / "graph-small.ttl")
    store = dict(zip(("rdflib", "oxigraph"), engines(plain)))[kind]
    res = store.query("neighbours", params={"name": "putin"})
    assert res.vars == ["label", "events", "first", "last", "neighbour", "actor"]
    got = [[c["value"] for c in r[:4]] for r in res.rows]
    want = [[r["label"], str(r["count"]), r["first"], r["last"]]
            for r in neighbors(to_networkx(plain), "putin")]
    assert got == want


def test_shapes_check_name_keys_cover_every_name():
    shapes = Graph().parse(ONTOLOGY / "shapes.ttl")
    keyed = with_keys(Graph().parse(DATA / "sample.ttl"))
    assert pyshacl.validate(keyed, shacl_graph=shapes, inference="none", advanced=True)[0]
    actor = next(keyed.subjects(RDFS.label, Literal("Wang Yi")))
    keyed.remove((actor, KGO.nameKey, Literal("wang yi")))
    conforms, _, text = pyshacl.validate(keyed, shacl_graph=shapes, inference="none", advanced=True)
    assert not conforms and "Wang Yi has none" in text


def test_build_emits_a_name_key_for_every_actor_name(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(
        "---\nid: a\npublished: 2023-03-21\n---\nChinese President Xi Jinping met Russian "
        "President Vladimir Putin in Moscow on Tuesday. Xi said the talks were candid.\n",
        encoding="utf-8")
    g = build([tmp_path / "in"], tmp_path / "out", view=False).graph
    actors = list(g.subjects(RDF.type, SEM.Actor))
    assert actors
    for actor in actors:
        names = [*g.objects(actor, RDFS.label), *g.objects(actor, SKOS.altLabel)]
        assert sorted(str(k) for k in g.objects(actor, KGO.nameKey)) == name_keys(names)
    assert any(str(k) == "xi" for k in g.objects(None, KGO.nameKey))
