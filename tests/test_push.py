"""``kg push`` into a real SPARQL 1.1 store: Debian's Virtuoso, started on 127.0.0.1 for the tests."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.namespace import SEM
from kg.push import PushError, named_graphs, push, update_requests

VIRTUOSO = shutil.which("virtuoso-t")
VSP = "/var/lib/virtuoso-opensource-7/vsp"
KGR_GRAPHS = "https://w3id.org/kg-news/id/graph/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A fresh Virtuoso (user dba/dba) on free ports of 127.0.0.1; stopped after the module."""
    if VIRTUOSO is None:
        pytest.skip("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource; .ci/run does it)")
    d = tmp_path_factory.mktemp("virtuoso")
    sql, http = _free_port(), _free_port()
    (d / "virtuoso.ini").write_text(f"""[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {VSP}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 600
MaxQueryCostEstimationTime = 600
""")
    log = open(d / "stdout.log", "wb")
    proc = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(d / "virtuoso.ini")], cwd=d,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http}"
    try:
        deadline = time.monotonic() + 45
        while True:
            if proc.poll() is not None:
                pytest.skip(f"Virtuoso exited at start ({proc.returncode}): "
                            + (d / "stdout.log").read_text(errors="replace")[-500:])
            try:
                _select(base, "ASK {}")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.skip("Virtuoso did not answer on 127.0.0.1 within 45 s")
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _select(base: str, query: str) -> list[dict]:
    url = f"{base}/sparql?" + urllib.parse.urlencode({"query": query, "format": "application/sparql-results+json"})
    with urllib.request.urlopen(url, timeout=30) as resp:
        data = json.load(resp)
    if "boolean" in data:
        return [{"boolean": data["boolean"]}]
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]


def _count(base: str, where: str) -> int:
    return int(_select(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"])


def _our_quads(base: str) -> int:
    return _count(base, f"GRAPH ?g {{ ?s ?p ?o }} FILTER STRSTARTS(STR(?g), '{KGR_GRAPHS}')")


@pytest.fixture(scope="module")
def seeds():
    """The seed graph, built in memory from seeds/."""
    from kg.pipeline import build
    return build(["seeds"], None, jobs=1, validate=False, view=False)


def _quads(ds: Dataset) -> int:
    return sum(len(g) for _, g in named_graphs(ds))


# ------------------------------------------------------------------------------ without a server
def test_push_update_requests_drop_then_insert_in_chunks():
    g = Graph()
    for i in range(5):
        g.add((URIRef(f"urn:s{i}"), RDFS.label, Literal(f"name {i} \"quoted\"")))
    reqs = update_requests("urn:g", g, chunk=2)
    assert len(reqs) == 3
    assert reqs[0].startswith("DROP SILENT GRAPH <urn:g> ;\nINSERT DATA { GRAPH <urn:g> {")
    assert all(r.startswith("INSERT DATA") for r in reqs[1:])
    assert sum(r.count(" .\n") for r in reqs) == 5
    assert update_requests("urn:g", Graph()) == ["DROP SILENT GRAPH <urn:g>"]


@pytest.mark.parametrize("kwargs, message", [({"protocol": "ftp"}, "unknown protocol"),
                                             ({"endpoint": "localhost:8890"}, "bad endpoint")])
def test_push_refuses_bad_options(kwargs, message):
    args = {"endpoint": "http://127.0.0.1:9/x", **kwargs}
    with pytest.raises(PushError, match=message):
        push(Graph(), args.pop("endpoint"), **args)


def test_push_unreachable_store_is_a_clean_error():
    g = Graph().add((URIRef("urn:a"), RDFS.label, Literal("a")))
    with pytest.raises(PushError, match="cannot reach"):
        push(g, f"http://127.0.0.1:{_free_port()}/store", timeout=5)


def test_push_graph_uri_puts_everything_in_one_graph():
    ds = Dataset()
    ds.graph(URIRef("urn:g1")).add((URIRef("urn:a"), RDFS.label, Literal("a")))
    ds.graph(URIRef("urn:g2")).add((URIRef("urn:b"), RDFS.label, Literal("b")))
    assert [str(i) for i, _ in named_graphs(ds)] == ["urn:g1", "urn:g2"]
    [(iri, g)] = list(named_graphs(ds, graph_uri="urn:all"))
    assert str(iri) == "urn:all" and len(g) == 2


# ------------------------------------------------------------------------------ with Virtuoso
@pytest.mark.model
@pytest.mark.parametrize("protocol, path", [("gsp", "/sparql-graph-crud-auth"), ("update", "/sparql-auth")])
def test_push_seed_graph_into_virtuoso_and_query_it_back(virtuoso, seeds, protocol, path):
    res = push(seeds.dataset, virtuoso + path, user="dba", password="dba", protocol=protocol, chunk=1000)
    assert res["graphs"] == len(list(named_graphs(seeds.dataset))) and res["triples"] == _quads(seeds.dataset)
    assert _our_quads(virtuoso) == _quads(seeds.dataset)
    events = _count(virtuoso, f"SELECT DISTINCT ?e WHERE {{ GRAPH ?g {{ ?e a <{SEM.Event}> }} }}")
    assert events == seeds.report["counts"]["events"] > 0
    actor = next(iter(sorted(seeds.graph.subjects(RDF.type, SEM.Actor))))
    label = str(seeds.graph.value(actor, RDFS.label))
    rows = _select(virtuoso, f"SELECT DISTINCT ?l WHERE {{ GRAPH ?g {{ <{actor}> <{RDFS.label}> ?l }} }}")
    assert [r["l"] for r in rows] == [label]
    # pushing the same graph again replaces it: nothing is duplicated
    push(seeds.dataset, virtuoso + path, user="dba", password="dba", protocol=protocol)
    assert _our_quads(virtuoso) == _quads(seeds.dataset)


@pytest.mark.model
@pytest.mark.parametrize("protocol, path", [("gsp", "/sparql-graph-crud-auth"), ("update", "/sparql-auth")])
def test_push_re_extracted_article_replaces_its_graph(virtuoso, seeds, protocol, path):
    push(seeds.dataset, virtuoso + path, user="dba", password="dba", protocol=protocol)
    before = _our_quads(virtuoso)
    iri, old = next((i, g) for i, g in named_graphs(seeds.dataset) if "/graph/event-types" not in str(i))
    # the article "re-extracted": one statement fewer, one new
    new = Dataset()
    g = new.graph(iri)
    dropped = sorted(old)[0]
    for t in old:
        if t != dropped:
            g.add(t)
    g.add((URIRef(str(iri) + "#re-extracted"), RDFS.label, Literal("re-extracted")))
    res = push(new, virtuoso + path, user="dba", password="dba", protocol=protocol)
    assert res["graphs"] == 1
    assert _count(virtuoso, f"GRAPH <{iri}> {{ ?s ?p ?o }}") == len(old)
    assert _count(virtuoso, f"GRAPH <{iri}> {{ <{dropped[0].n3()[1:-1]}> ?p ?o }}") \
        == len(list(old.predicate_objects(dropped[0]))) - 1
    assert _our_quads(virtuoso) == before
    # the other articles' graphs are untouched; pushing the build again restores everything
    push(seeds.dataset, virtuoso + path, user="dba", password="dba", protocol=protocol)
    assert _count(virtuoso, f"GRAPH <{iri}> {{ ?s <{RDFS.label}> 're-extracted' }}") == 0


@pytest.mark.model
def test_push_cli_and_wrong_password(virtuoso, seeds, tmp_path, capsys):
    from kg.cli import main
    from kg.pipeline import write_exports
    write_exports(seeds, tmp_path, view=False)
    endpoint = virtuoso + "/sparql-graph-crud-auth"
    assert main(["push", str(tmp_path), "--endpoint", endpoint, "--user", "dba", "--password", "dba"]) == 0
    assert "pushed" in capsys.readouterr().out
    assert _our_quads(virtuoso) == _quads(seeds.dataset)
    assert main(["push", str(tmp_path), "--endpoint", endpoint, "--user", "dba", "--password", "wrong"]) == 1
    assert "401" in capsys.readouterr().err
