"""Tests of kg.graph: RDF -> networkx, and the graph questions, on tests/data/graph-small.ttl."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import networkx as nx
import pytest
import rdflib

from kg.errors import GraphError, QueryError
from kg.graph import (
    actor_projection,
    central,
    family_of_code,
    find_actor,
    load,
    neighbors,
    path,
    timeline,
    to_networkx,
)

DATA = Path(__file__).parent / "data"
SMALL = DATA / "graph-small.ttl"
ACTOR = "https://w3id.org/kg-news/id/actor/"
EVENT = "https://w3id.org/kg-news/id/event/"

# A graph with only the standard profile: no role nodes, no kgo: terms, http://schema.org/.
PLAIN = """
@prefix sem:    <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix schema: <http://schema.org/> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix ex:     <http://example.org/> .

ex:merkel a sem:Actor, schema:Person ; rdfs:label "Angela Merkel" ; skos:altLabel "Merkel" .
ex:obama a sem:Actor, schema:Person ; rdfs:label "Barack Obama" .
ex:germany a sem:Actor, sem:Place, schema:Country ; rdfs:label "Germany" .
ex:t043 a skos:Concept ; skos:notation "043" ; skos:prefLabel "Host a visit" .
ex:t12 a skos:Concept ; skos:notation "12" ; skos:prefLabel "Reject" .
ex:doc a schema:NewsArticle ; schema:identifier "doc-1" ; schema:headline "Obama in Berlin" .
ex:visit a sem:Event ; rdfs:label "Merkel hosts Obama" ; sem:eventType ex:t043 ;
    sem:hasActor ex:merkel, ex:obama ; sem:hasPlace ex:germany ;
    sem:hasTimeStamp "2016-11-17"^^xsd:date ; prov:wasDerivedFrom ex:doc .
ex:talks a sem:Event ; rdfs:label "Merkel rejects a proposal" ; sem:eventType ex:t12 ;
    sem:hasActor ex:merkel, ex:germany ;
    schema:eventStatus schema:EventScheduled ; prov:wasDerivedFrom ex:doc .
"""


@pytest.fixture(scope="module")
def G():
    return to_networkx(load(SMALL))


def labels(rows, key="label"):
    return [row[key] for row in rows]


# --------------------------------------------------------------------------- building


def test_graph_to_networkx_nodes(G):
    kinds = nx.get_node_attributes(G, "kind")
    assert sum(k == "actor" for k in kinds.values()) == 8
    assert sum(k == "event" for k in kinds.values()) == 8
    xi = G.nodes[ACTOR + "xi-jinping"]
    assert xi["label"] == "Xi Jinping"
    assert xi["aliases"] == ["Chinese President Xi Jinping", "Xi"]
    assert xi["actor_type"] == "Person"
    assert xi["titles"] == ["President, China"]
    assert G.nodes[ACTOR + "china"]["actor_type"] == "Country"
    assert G.nodes[ACTOR + "united-nations"]["actor_type"] == "Organization"


def test_graph_to_networkx_events(G):
    e1 = G.nodes[EVENT + "e1"]
    assert e1["codes"] == ["04", "042"]
    assert e1["type_label"] == "Make a visit"
    assert (e1["family"], e1["date"], e1["status"], e1["places"]) == (
        "consult", "2023-03-20", "occurred", ["Moscow"])
    assert e1["sources"] == [{"id": "xi-putin-2023-03",
                              "headline": "Xi heads to Moscow for talks with Putin",
                              "url": "https://example.org/news/xi-putin-2023-03",
                              "published": "2023-03-13"}]
    e4 = G.nodes[EVENT + "e4"]
    assert (e4["status"], e4["date"], e4["earliest"], e4["latest"]) == (
        "planned", None, "2023-04-03", "2023-04-09")
    assert G.nodes[EVENT + "e6"]["date"] is None
    assert G.nodes[EVENT + "e7"]["date"] == "2023-03"


@pytest.mark.parametrize("event, family", [
    ("e4", "intent"), ("e6", "disapprove"), ("e7", "cooperate"),  # from the CAMEO root
    ("e2", "cooperate"), ("e8", "demand"),                          # from kgo:family
])
def test_graph_family_from_kgo_or_cameo_root(G, event, family):
    assert G.nodes[EVENT + event]["family"] == family


@pytest.mark.parametrize("code, family", [
    ("01", "statement"), ("036", "intent"), ("0431", "consult"), ("061", "cooperate"),
    ("120", "reject"), ("145", "protest"), ("173", "coerce"), ("190", "assault"),
    ("20", "assault"), ("", "other"), (None, "other"), ("99", "other"),
])
def test_graph_family_of_code(code, family):
    assert family_of_code(code) == family


def test_graph_edges_carry_roles(G):
    roles = {(G.nodes[a]["label"], r) for _, a, r in G.out_edges(EVENT + "e1", keys=True)}
    assert roles == {("Xi Jinping", "guest"), ("Vladimir Putin", "host")}
    plain = {(G.nodes[a]["label"], d["role"]) for _, a, d in G.out_edges(EVENT + "e5", data=True)}
    assert plain == {("Kim Jong Un", "participant"), ("Vladimir Putin", "participant")}
    assert all(G.nodes[e]["kind"] == "event" and G.nodes[a]["kind"] == "actor"
               for e, a in G.edges())


def test_graph_loader_without_role_nodes_or_kg_terms(tmp_path):
    file = tmp_path / "plain.ttl"
    file.write_text(PLAIN, encoding="utf-8")
    G = to_networkx(load(file))
    visit = G.nodes["http://example.org/visit"]
    assert (visit["family"], visit["type_label"], visit["places"]) == (
        "consult", "Host a visit", ["Germany"])
    assert G.nodes["http://example.org/talks"]["status"] == "planned"
    assert G.nodes["http://example.org/talks"]["family"] == "reject"
    assert {d["role"] for _, _, d in G.edges(data=True)} == {"participant"}
    rows = neighbors(G, "merkel")
    assert [(r["label"], r["count"]) for r in rows] == [("Barack Obama", 1), ("Germany", 1)]
    assert path(G, "Barack Obama", "Germany")[1]["events"][0]["source"] == "doc-1"
    with pytest.raises(GraphError, match="did you mean: Barack Obama"):
        find_actor(G, "Obama")  # a surname alone is not an alias


def test_graph_to_networkx_is_deterministic():
    first, second = to_networkx(load(SMALL)), to_networkx(load(SMALL))
    assert list(first.nodes(data=True)) == list(second.nodes(data=True))
    assert list(first.edges(keys=True, data=True)) == list(second.edges(keys=True, data=True))


# --------------------------------------------------------------------------- loading


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own dataset serialisers
@pytest.mark.parametrize("suffix, fmt", [(".nt", "nt"), (".jsonld", "json-ld"),
                                         (".trig", "trig"), (".nq", "nquads")])
def test_graph_load_formats_by_suffix(tmp_path, suffix, fmt):
    source = load(SMALL)
    if fmt in ("trig", "nquads"):  # split the triples over two named graphs
        dataset = rdflib.Dataset()
        first = dataset.graph(rdflib.URIRef("http://example.org/g1"))
        second = dataset.graph(rdflib.URIRef("http://example.org/g2"))
        for i, triple in enumerate(sorted(source)):
            (first if i % 2 else second).add(triple)
        text = dataset.serialize(format=fmt)
    else:
        text = source.serialize(format=fmt)
    file = tmp_path / f"graph{suffix}"
    file.write_text(text, encoding="utf-8")
    loaded = load(file)
    assert len(loaded) == len(source)
    assert nx.utils.graphs_equal(to_networkx(loaded), to_networkx(source))


def test_graph_load_several_files_is_a_union(tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(PLAIN, encoding="utf-8")
    G = to_networkx(load(SMALL, extra))
    assert find_actor(G, "Merkel") == "http://example.org/merkel"
    assert find_actor(G, "Putin") == ACTOR + "vladimir-putin"


def test_graph_load_format_argument(tmp_path):
    file = tmp_path / "graph.txt"
    file.write_text(load(SMALL).serialize(format="nt"), encoding="utf-8")
    assert len(load(file, format="nt")) == len(load(SMALL))


@pytest.mark.parametrize("name, text, message", [
    ("missing.ttl", None, "no such file"),
    ("graph.xyz", "", "cannot guess the format"),
    ("broken.ttl", "<a> <b> .", "cannot read"),
    ("broken.jsonld", "{not json", "cannot read"),
])
def test_graph_load_errors(tmp_path, name, text, message):
    file = tmp_path / name
    if text is not None:
        file.write_text(text, encoding="utf-8")
    with pytest.raises(QueryError, match=message):
        load(file)


def test_graph_load_unknown_format_lists_choices():
    with pytest.raises(QueryError, match="unknown format 'ttl2'; expected one of: .*turtle"):
        load(SMALL, format="ttl2")


@pytest.mark.parametrize("context", [
    "https://schema.org/",
    ["http://example.org/context.jsonld", {"name": "http://schema.org/name"}],
    {"@import": "https://example.org/context.jsonld"},
])
def test_graph_load_never_fetches_jsonld_contexts(tmp_path, monkeypatch, context):
    def no_network(*args, **kwargs):
        raise AssertionError("the loader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    file = tmp_path / "remote.jsonld"
    file.write_text(json.dumps({"@context": context, "@id": "http://example.org/x",
                                "name": "x"}), encoding="utf-8")
    with pytest.raises(QueryError, match="never fetched"):
        load(file)


def test_graph_load_jsonld_with_inline_context(tmp_path):
    file = tmp_path / "inline.jsonld"
    file.write_text(json.dumps({
        "@context": {"sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
                     "rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
        "@id": "http://example.org/a", "@type": "sem:Actor", "rdfs:label": "A"}),
        encoding="utf-8")
    G = to_networkx(load(file))
    assert G.nodes["http://example.org/a"]["label"] == "A"


# --------------------------------------------------------------------------- find_actor


@pytest.mark.parametrize("name, iri", [
    ("Xi Jinping", "xi-jinping"), ("xi", "xi-jinping"), ("XI", "xi-jinping"),
    ("chinese president xi jinping", "xi-jinping"), ("  Putin ", "vladimir-putin"),
    ("the U.N.", "united-nations"), ("UN", "united-nations"), ("The United Nations", "united-nations"),
    ("xi-jinping", "xi-jinping"), (ACTOR + "china", "china"), ("chinese", "china"),
])
def test_graph_find_actor_by_label_alias_or_iri(G, name, iri):
    assert find_actor(G, name) == ACTOR + iri


def test_graph_find_actor_ambiguous_lists_candidates(G):
    with pytest.raises(GraphError, match="ambiguous") as caught:
        find_actor(G, "kim")
    message = str(caught.value)
    assert "Kim Jong Un" in message and "Kim Yo Jong" in message
    assert caught.value.candidates == [ACTOR + "kim-jong-un", ACTOR + "kim-yo-jong"]


def test_graph_find_actor_label_beats_alias(G):
    H = G.copy()
    H.add_node("http://example.org/kim", kind="actor", label="Kim", aliases=[],
               actor_type="Person", titles=[])
    assert find_actor(H, "Kim") == "http://example.org/kim"


def test_graph_find_actor_not_found_suggests(G):
    with pytest.raises(GraphError, match="no actor named 'Xi Jinpin'; did you mean: Xi Jinping"):
        find_actor(G, "Xi Jinpin")
    with pytest.raises(GraphError, match="is an event, not an actor"):
        find_actor(G, EVENT + "e1")


# --------------------------------------------------------------------------- neighbors


def test_graph_neighbors_counts_and_dates(G):
    rows = neighbors(G, "Vladimir Putin")
    assert [(r["label"], r["count"]) for r in rows] == [
        ("Xi Jinping", 2), ("China", 1), ("Kim Jong Un", 1), ("Wang Yi", 1)]
    xi, china = rows[0], rows[1]
    assert (xi["first"], xi["last"]) == ("2023-03-20", "2023-03-21")
    assert xi["families"] == {"consult": 1, "cooperate": 1}
    assert xi["events"] == [EVENT + "e1", EVENT + "e2"]
    assert xi["counterpart"] == ACTOR + "xi-jinping"
    assert (china["first"], china["last"]) == ("2023-04-03", "2023-04-09")


def test_graph_neighbors_undated_events_have_no_dates(G):
    (row,) = neighbors(G, "Kim Yo Jong")
    assert (row["label"], row["first"], row["last"]) == ("China", None, None)


@pytest.mark.parametrize("options, expected", [
    ({"families": "consult"}, ["Kim Jong Un", "Wang Yi", "Xi Jinping"]),
    ({"families": ["cooperate", "intent"]}, ["China", "Xi Jinping"]),
    ({"since": "2023-03-21"}, ["China", "Kim Jong Un", "Xi Jinping"]),
    ({"until": "2023-03"}, ["Wang Yi", "Xi Jinping"]),
    ({"since": "2023-04-05", "until": "2023-04-06"}, ["China"]),  # overlaps the range
    ({"since": "2024"}, []),
])
def test_graph_neighbors_filters(G, options, expected):
    assert sorted(labels(neighbors(G, "Putin", **options))) == expected


def test_graph_neighbors_month_precision_event(G):
    # e7 is dated "2023-03": inside March, outside February
    assert labels(neighbors(G, "Russia", since="2023-03-31", until="2023-03-31")) == ["China"]
    assert labels(neighbors(G, "Russia", until="2023-02-28")) == []


@pytest.mark.parametrize("options, message", [
    ({"families": "consultation"}, "unknown event family 'consultation'; expected one of: .*consult"),
    ({"since": "March 2023"}, "bad since date"),
    ({"until": "2023-3-1"}, "bad until date"),
])
def test_graph_neighbors_bad_filters(G, options, message):
    with pytest.raises(GraphError, match=message):
        neighbors(G, "Putin", **options)


# --------------------------------------------------------------------------- path


def test_graph_path_hops(G):
    hops = path(G, "Kim Yo Jong", "Wang Yi")
    assert [(h["from_label"], h["to_label"]) for h in hops] == [
        ("Kim Yo Jong", "China"), ("China", "Vladimir Putin"), ("Vladimir Putin", "Wang Yi")]
    assert hops[0]["from"] == ACTOR + "kim-yo-jong" and hops[-1]["to"] == ACTOR + "wang-yi"
    assert hops[1]["events"] == [{
        "id": EVENT + "e4", "label": "Vladimir Putin plans to visit China",
        "type": "Express intent to meet or negotiate", "family": "intent",
        "date": "2023-04-03/2023-04-09", "status": "planned", "source": "xi-putin-2023-03",
        "headline": "Xi heads to Moscow for talks with Putin"}]


def test_graph_path_lists_every_shared_event_in_time_order(G):
    hops = path(G, "Kim Jong Un", "Xi")
    assert len(hops) == 2
    assert [e["id"] for e in hops[1]["events"]] == [EVENT + "e1", EVENT + "e2"]
    assert hops[0]["events"][0]["source"] == "kim-putin-2023-09"


def test_graph_path_same_actor_is_empty(G):
    assert path(G, "Putin", "Vladimir Putin") == []


def test_graph_path_none_raises(G):
    with pytest.raises(GraphError, match="no chain of events links 'Wang Yi' and 'Xi Jinping'"):
        path(G, "Wang Yi", "Xi Jinping", families="cooperate")
    H = G.copy()
    H.add_node("http://example.org/lonely", kind="actor", label="Lonely", aliases=[],
               actor_type="Person", titles=[])
    with pytest.raises(GraphError, match="no chain"):
        path(H, "Lonely", "Putin")


# --------------------------------------------------------------------------- timeline


def test_graph_timeline_in_date_order(G):
    rows = timeline(G, "Putin")
    assert [r["id"].rsplit("/", 1)[1] for r in rows] == ["e3", "e1", "e2", "e4", "e5"]
    assert rows[1]["roles"] == ["host"]
    assert rows[1]["counterparts"] == [{"id": ACTOR + "xi-jinping", "label": "Xi Jinping",
                                        "role": "guest"}]
    assert rows[3]["status"] == "planned" and rows[3]["date"] == "2023-04-03/2023-04-09"


def test_graph_timeline_undated_last(G):
    rows = timeline(G, "China")
    assert [(r["label"], r["date"]) for r in rows] == [
        ("Russia praises China", "2023-03"),
        ("Vladimir Putin plans to visit China", "2023-04-03/2023-04-09"),
        ("Kim Yo Jong criticizes China", None)]
    assert rows[-1]["roles"] == ["target"]


def test_graph_timeline_filters(G):
    assert labels(timeline(G, "China", since="2023-01-01")) == [
        "Russia praises China", "Vladimir Putin plans to visit China"]  # undated is out
    assert labels(timeline(G, "China", families="disapprove")) == ["Kim Yo Jong criticizes China"]
    assert labels(timeline(G, "Putin", until="2023-03-20", families=["consult"])) == [
        "Wang Yi meets Vladimir Putin", "Xi Jinping visits Vladimir Putin"]


# --------------------------------------------------------------------------- projection, central


def test_graph_actor_projection(G):
    P = actor_projection(G)
    assert P.number_of_nodes() == 8 and P.number_of_edges() == 7
    edge = P.edges[ACTOR + "xi-jinping", ACTOR + "vladimir-putin"]
    assert edge == {"weight": 2, "families": {"consult": 1, "cooperate": 1},
                    "events": [EVENT + "e1", EVENT + "e2"]}
    assert P.nodes[ACTOR + "xi-jinping"]["label"] == "Xi Jinping"
    consult = actor_projection(G, families="consult")
    assert consult.number_of_nodes() == 8 and consult.number_of_edges() == 3


@pytest.mark.parametrize("by, top_label", [
    ("degree", "Vladimir Putin"), ("weighted", "Vladimir Putin"),
    ("betweenness", "Vladimir Putin"), ("pagerank", "Vladimir Putin"),
])
def test_graph_central(G, by, top_label):
    rows = central(G, by=by, top=3)
    assert len(rows) == 3 and rows[0]["label"] == top_label
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert set(rows[0]) == {"actor", "label", "score", "degree", "events"}


def test_graph_central_values(G):
    assert [(r["label"], r["score"]) for r in central(G, top=2)] == [
        ("Vladimir Putin", 4), ("China", 3)]
    weighted = {r["label"]: r["score"] for r in central(G, by="weighted", top=None)}
    assert weighted["Vladimir Putin"] == 5 and weighted["Wang Yi"] == 1
    pagerank = central(G, by="pagerank", top=None)
    assert len(pagerank) == 8
    assert sum(r["score"] for r in pagerank) == pytest.approx(1.0, abs=1e-4)
    putin = next(r for r in central(G, top=None) if r["label"] == "Vladimir Putin")
    assert putin["events"] == 5


@pytest.mark.parametrize("options, message", [
    ({"by": "closeness"}, "unknown centrality 'closeness'; expected one of: degree"),
    ({"top": 0}, "bad top"),
])
def test_graph_central_bad_options(G, options, message):
    with pytest.raises(GraphError, match=message):
        central(G, **options)


# --------------------------------------------------------------------------- timeline plot


@pytest.mark.parametrize("suffix, magic", [("png", b"\x89PNG\r\n\x1a\n"), ("svg", b"<?xml")])
def test_graph_plot_timeline_writes_png_and_svg(G, tmp_path, suffix, magic):
    from kg.graph import plot_timeline
    target = tmp_path / "sub" / f"putin.{suffix}"
    info = plot_timeline(G, "Putin", target)
    data = target.read_bytes()
    assert data.startswith(magic) and len(data) > 10_000
    assert info == {"path": str(target), "events": 5, "dated": 5, "undated": 0, "counterparts": 4}
    if suffix == "svg":
        text = data.decode("utf-8")
        for label in ("Xi Jinping", "Kim Jong Un", "undated", "consult (04)"):
            assert label in text


def test_graph_plot_timeline_undated_strip_and_filters(G, tmp_path):
    from kg.graph import plot_timeline
    rows = timeline(G, "China", families=["disapprove", "cooperate", "intent"])
    info = plot_timeline(G, "China", tmp_path / "china.svg", rows=rows)
    assert info["events"] == len(rows) and info["undated"] == 1 and info["dated"] == len(rows) - 1


def test_graph_plot_timeline_no_events_and_bad_suffix(tmp_path):
    from kg.graph import plot_timeline
    H = nx.MultiDiGraph()
    H.add_node("a", kind="actor", label="Alone", aliases=[], actor_type=None, titles=[])
    info = plot_timeline(H, "Alone", tmp_path / "alone.png")
    assert info["events"] == 0 and (tmp_path / "alone.png").stat().st_size > 1000
    with pytest.raises(GraphError, match="expected a file ending in .png or .svg"):
        plot_timeline(H, "Alone", tmp_path / "alone.pdf")


def test_graph_cli_timeline_plot(tmp_path, capsys):
    from kg.cli import main
    target = tmp_path / "xi.png"
    assert main(["graph", "timeline", "Xi", "--graph", str(SMALL), "--plot", str(target)]) == 0
    assert target.stat().st_size > 10_000 and "Vladimir Putin" in capsys.readouterr().out
