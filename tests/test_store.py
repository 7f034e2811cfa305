"""Tests of kg.store: rdflib and Oxigraph give the same answers; on-disk stores are reused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import QueryError
from kg.query import named_queries
from kg.store import ServiceRefused, has_service, is_update, open_store

DATA = Path(__file__).parent / "data"
EXPORTS = Path(__file__).parent.parent / "exports" / "graph.ttl"
# events-between is left out on the exports: rdflib's evaluation of its property paths takes
# minutes on the seed graph (Oxigraph: under a second)
SLOW_ON_RDFLIB: set[str] = set()


def graphs():
    yield pytest.param(DATA / "sample.ttl", set(), id="sample")
    yield pytest.param(DATA / "graph-small.ttl", set(), id="graph-small")
    yield pytest.param(EXPORTS, SLOW_ON_RDFLIB, id="exports", marks=pytest.mark.skipif(
        not EXPORTS.is_file(), reason="exports/graph.ttl not built (run kg build)"))


@pytest.mark.parametrize("path, skip", graphs())
def test_store_engines_agree_on_named_queries(path, skip):
    a, b = open_store(path, kind="rdflib"), open_store(path, kind="oxigraph")
    assert a.triples_count == b.triples_count
    for name in named_queries():
        if name in skip:
            continue
        ra, rb = a.query(name), b.query(name)
        assert ra.vars == rb.vars, name
        assert _unordered(ra.rows) == _unordered(rb.rows), name


def _unordered(rows):
    """GROUP_CONCAT has no defined order in SPARQL: compare concatenated cells as sets."""
    def cell(c):
        if isinstance(c, dict) and isinstance(c.get("value"), str):
            for sep in ("; ", " "):
                if sep in c["value"]:
                    return {**c, "value": sep.join(sorted(c["value"].split(sep)))}
        return c
    return [[cell(c) for c in row] for row in rows]


@pytest.mark.parametrize("kind", ["rdflib", "oxigraph"])
def test_store_params_and_formats(kind):
    store = open_store(DATA / "sample.ttl", kind=kind)
    res = store.query("actor-timeline", params={"name": "wang yi"})
    assert res.kind == "SELECT" and len(res.rows) == 2
    assert json.loads(res.format("json"))["head"]["vars"] == res.vars
    assert res.format("csv").startswith(",".join(res.vars))
    assert res.format("tsv").startswith("\t".join("?" + v for v in res.vars))
    assert res.format("xml").startswith('<?xml version="1.0"?>')
    assert store.query("ASK { ?s a sem:Actor }").boolean is True


@pytest.mark.parametrize("kind", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { service silent <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE?x{ ?s ?p ?o } VALUES ?x { <http://127.0.0.1:1/> } }",
])
def test_store_refuses_service_on_both_engines(kind, query):
    store = open_store(DATA / "sample.ttl", kind=kind)
    with pytest.raises(ServiceRefused):
        store.query(query)


@pytest.mark.parametrize("kind", ["rdflib", "oxigraph"])
def test_store_cap(kind):
    res = open_store(DATA / "sample.ttl", kind=kind).query("SELECT * { ?s ?p ?o }", max_rows=7)
    assert len(res.rows) == 7 and res.truncated


def test_store_lexical_checks():
    assert not has_service('SELECT ?service WHERE { ?s <urn:SERVICE> "SERVICE" }')
    assert is_update("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert not is_update('SELECT * WHERE { ?s ?p "DELETE" }')


@pytest.mark.parametrize("suffix", ["nt", "trig", "jsonld"])
def test_store_formats_load_the_same(tmp_path, suffix):
    import rdflib
    g = rdflib.Dataset()
    g.parse(DATA / "sample.ttl", format="turtle")
    target = tmp_path / f"sample.{suffix}"
    g.serialize(target, format={"nt": "nt", "trig": "trig", "jsonld": "json-ld"}[suffix])
    a, b = open_store(target, kind="rdflib"), open_store(target, kind="oxigraph")
    assert a.triples_count == b.triples_count == 131
    assert a.query("actors").rows == b.query("actors").rows


def test_store_on_disk_is_reused(tmp_path):
    folder = tmp_path / "store"
    graph = tmp_path / "g.ttl"
    shutil.copy(DATA / "sample.ttl", graph)
    first = open_store(graph, store_path=folder)
    assert first.kind == "oxigraph" and not first.reused and first.triples_count == 131
    first.close()
    second = open_store(graph, store_path=folder)
    assert second.reused and second.triples_count == 131
    assert open_store([], store_path=folder).reused  # no files: use what is there
    shutil.copy(DATA / "graph-small.ttl", graph)      # the file changed: reload
    third = open_store(graph, store_path=folder)
    assert not third.reused and third.triples_count == 189


def test_store_refuses_foreign_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(QueryError, match="not a kg store"):
        open_store(DATA / "sample.ttl", store_path=tmp_path)


def test_store_auto_and_errors():
    assert open_store(DATA / "sample.ttl").kind == "rdflib"
    with pytest.raises(QueryError, match="unknown store"):
        open_store(DATA / "sample.ttl", kind="virtuoso")
    with pytest.raises(QueryError, match="no such file"):
        open_store(DATA / "missing.ttl")


def test_store_cli_sparql_options(capsys, tmp_path):
    graph = str(DATA / "sample.ttl")
    assert main(["sparql", "who-met-whom", "--graph", graph, "--store", "oxigraph", "--format", "csv"]) == 0
    oxi = capsys.readouterr().out
    assert main(["sparql", "who-met-whom", "--graph", graph, "--store", "rdflib", "--format", "csv"]) == 0
    assert capsys.readouterr().out == oxi and "Wang Yi" in oxi
    assert main(["sparql", "actors", "--graph", graph, "--store-path", str(tmp_path / "s")]) == 0
    assert "Vladimir Putin" in capsys.readouterr().out
