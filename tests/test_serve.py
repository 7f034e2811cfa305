"""Tests of kg.serve: the SPARQL 1.1 Protocol endpoint, queried over HTTP on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import QueryError
from kg.serve import make_server
from kg.store import open_store

SAMPLE = Path(__file__).parent / "data" / "sample.ttl"
ACTORS = "SELECT ?label WHERE { ?a a sem:Actor ; rdfs:label ?label } ORDER BY ?label"
LABELS = ["Russia", "Vladimir Putin", "Wang Yi"]
# a three-way cross product with a filter nothing passes: seconds of work, no solution
SLOW = ('SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i '
        'FILTER (STR(?c) = CONCAT(STR(?f), STR(?i), "x")) }')


def running(store, **options):
    server = make_server(store, port=0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def stop(server, thread):
    server.shutdown()
    server.server_close()
    thread.join(5)
    assert not thread.is_alive()


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def server(request):
    srv, thread = running(open_store(SAMPLE, kind=request.param), max_rows=50, timeout=20)
    yield srv
    stop(srv, thread)


def get(url, query=None, *, accept=None, method="GET", data=None, content_type=None, **extra):
    if query is not None:
        params = {"query": query, **extra}
        if method == "GET":
            url += "?" + urllib.parse.urlencode(params)
        elif data is None:
            data = urllib.parse.urlencode(params).encode()
            content_type = content_type or "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, method=method)
    if accept:
        request.add_header("Accept", accept)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8")


def test_serve_json_by_default(server):
    status, headers, body = get(server.url, ACTORS)
    assert status == 200
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    data = json.loads(body)
    assert data["head"]["vars"] == ["label"]
    assert [b["label"]["value"] for b in data["results"]["bindings"]] == LABELS
    assert headers["X-KG-Rows"] == "3" and "X-KG-Truncated" not in headers


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_serve_csv_tsv_xml_by_content_negotiation(server, method):
    status, headers, body = get(server.url, ACTORS, accept="text/csv", method=method)
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(body))) == [["label"]] + [[x] for x in LABELS]

    status, headers, body = get(server.url, ACTORS, method=method,
                                accept="text/html;q=0.9, text/tab-separated-values")
    assert headers["Content-Type"].startswith("text/tab-separated-values")
    assert body.splitlines() == ["?label"] + [f'"{x}"' for x in LABELS]

    status, headers, body = get(server.url, ACTORS, accept="application/sparql-results+xml",
                                method=method)
    assert headers["Content-Type"].startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(body)
    assert [e.text for e in root.findall(".//r:literal", ns)] == LABELS


def test_serve_post_sparql_query_body(server):
    status, _, body = get(server.url, method="POST", data="ASK { ?s a sem:Event }".encode(),
                          content_type="application/sparql-query")
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}


def test_serve_named_query_by_name(server):
    status, _, body = get(server.url, "who-met-whom", accept="text/csv")
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["name1"], r["name2"], r["code"]) for r in rows] == [("Vladimir Putin", "Wang Yi", "042")]


def test_serve_construct_as_turtle(server):
    status, headers, body = get(server.url, "CONSTRUCT { ?a rdfs:label ?l } WHERE { ?a a sem:Actor ; "
                                "rdfs:label ?l }", accept="text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    import rdflib
    assert len(rdflib.Graph().parse(data=body, format="turtle")) == 3


def test_serve_sparqlwrapper(server):
    SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
    client = SPARQLWrapper.SPARQLWrapper(server.url)
    client.setQuery("PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> "
                    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " + ACTORS)
    client.setReturnFormat(SPARQLWrapper.JSON)
    data = client.query().convert()
    assert [b["label"]["value"] for b in data["results"]["bindings"]] == LABELS
    client.setReturnFormat(SPARQLWrapper.CSV)
    assert client.query().convert().decode().splitlines()[1:] == LABELS
    client.setMethod(SPARQLWrapper.POST)
    client.setReturnFormat(SPARQLWrapper.XML)
    assert len(client.query().convert().getElementsByTagName("literal")) == 3


@pytest.mark.parametrize("request_", [
    {"query": None, "method": "GET", "update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"},
    {"query": None, "method": "POST", "update": "DELETE WHERE { ?s ?p ?o }"},
    {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "method": "GET"},
    {"query": "PREFIX x: <urn:x> CLEAR ALL", "method": "POST"},
    {"query": None, "method": "POST", "data": b"DROP ALL", "content_type": "application/sparql-update"},
])
def test_serve_refuses_update(server, request_):
    request_ = dict(request_)
    method, update = request_.pop("method"), request_.pop("update", None)
    query = request_.pop("query")
    if update is not None:
        params = urllib.parse.urlencode({"update": update})
        if method == "GET":
            status, _, body = get(server.url + "?" + params)
        else:
            status, _, body = get(server.url, method="POST", data=params.encode(),
                                  content_type="application/x-www-form-urlencoded")
    else:
        status, _, body = get(server.url, query, method=method, **request_)
    assert status == 403 and "Update is refused" in body
    # and nothing changed
    _, _, body = get(server.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", accept="text/csv")
    assert body.split()[1] == str(server.store.triples_count)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_serve_refuses_service(server, method):
    status, _, body = get(server.url, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> "
                          "{ ?s ?p ?o } }", method=method)
    assert status == 403 and "SERVICE is refused" in body


@pytest.mark.parametrize("query, message", [
    ("SELECT WHERE {", "bad SPARQL query"),
    ("", "exactly one query"),
])
def test_serve_bad_query_is_400(server, query, message):
    status, _, body = get(server.url, query)
    assert status == 400 and message in body


def test_serve_never_reads_files_named_in_the_query(server, tmp_path):
    secret = tmp_path / "secret.rq"
    secret.write_text("SELECT ('top-secret' AS ?x) WHERE {}")
    status, _, body = get(server.url, str(secret))
    assert status == 400 and "top-secret" not in body


def test_serve_caps_rows_and_says_so(server):
    status, headers, body = get(server.url, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == 50
    assert headers["X-KG-Truncated"] == "true" and headers["X-KG-Max-Rows"] == "50"


def test_serve_other_methods_and_paths(server):
    assert get(server.url, method="PUT", data=b"x")[0] == 405
    assert get(server.url.replace("/sparql", "/nothing"))[0] == 404


def test_serve_page_is_offline_and_escapes(server):
    status, headers, body = get(server.url.replace("/sparql", "/"))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert 'src="http' not in body and 'href="http' not in body and "url(" not in body
    assert "innerHTML" not in body and "textContent" in body
    assert '<script src=' not in body and '<link' not in body


def test_serve_refuses_foreign_host_header(server):
    request = urllib.request.Request(server.url + "?query=ASK%7B%7D", headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    assert info.value.code == 403


def test_serve_time_limit_rdflib_stops_the_work():
    store = open_store(SAMPLE, kind="rdflib")
    srv, thread = running(store, timeout=0.5, workers=2)
    try:
        started = time.perf_counter()
        status, _, body = get(srv.url, SLOW)
        assert status == 503 and "ran out of time" in body
        assert time.perf_counter() - started < 5
        # the abandoned rdflib computation is stopped: its worker slot comes back quickly
        deadline = time.time() + 5
        while srv.slots._value < 2 and time.time() < deadline:
            time.sleep(0.05)
        assert srv.slots._value == 2
        assert get(srv.url, "ASK { ?s ?p ?o }")[0] == 200
    finally:
        stop(srv, thread)


def test_serve_time_limit_oxigraph_keeps_answering():
    store = open_store(SAMPLE, kind="oxigraph")
    srv, thread = running(store, timeout=0.3, workers=2)
    try:
        status, headers, body = get(srv.url, SLOW)
        assert status == 503 and headers.get("Retry-After")
        # Oxigraph finishes the abandoned aggregate in the background; others still get answers
        status, _, body = get(srv.url, "ASK { ?s ?p ?o }")
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        stop(srv, thread)


def test_serve_stops_cleanly_and_frees_the_port():
    srv, thread = running(open_store(SAMPLE))
    port = srv.server_address[1]
    assert get(srv.url, "ASK {}")[0] == 200
    stop(srv, thread)
    again = make_server(open_store(SAMPLE), port=port)  # the port is free again
    again.server_close()


def test_serve_bad_options():
    with pytest.raises(QueryError, match="bad timeout"):
        make_server(open_store(SAMPLE), port=0, timeout=0)
    with pytest.raises(QueryError, match="bad max rows"):
        make_server(open_store(SAMPLE), port=0, max_rows=0)


def test_serve_cli_help_has_an_example(capsys):
    with pytest.raises(SystemExit) as info:
        main(["serve", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "Example:" in out and "--store-path" in out and "--max-rows" in out
