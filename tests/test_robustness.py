"""Robustness and security (issue 7): hostile inputs, limits, exit codes, round trips, safe defaults.

The corpus ``tests/hostile/`` holds broken and hostile inputs; ``tests/hostile/expected.tsv``
says for each file what reading it must give. Huge inputs are generated here, in tmp.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import socket
import stat
import threading
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic

import kg.extract
from kg import cli
from kg.errors import QueryError
from kg.export import StagedFiles, TMP_MARK, remove_stale_temporaries
from kg.ingest import MAX_BYTES, MAX_CHARS, MAX_LINE, break_long_lines, read
from kg.model import Article, Skipped

HERE = Path(__file__).parent
HOSTILE = HERE / "hostile"
STORY = "Chinese President Xi Jinping met Russian President Vladimir Putin in Moscow on Monday."
EXPORTS = ("graph.ttl", "graph.nt", "graph.jsonld", "graph.trig")
FORMATS = {"graph.ttl": "turtle", "graph.nt": "nt", "graph.jsonld": "json-ld", "graph.trig": "trig"}

# ------------------------------------------------------------------------------ helpers

_EXTRACTOR = []


def shared_extractor():
    """One loaded Extractor for the whole test session (loading takes seconds)."""
    if not _EXTRACTOR:
        _EXTRACTOR.append(kg.extract.Extractor())
    return _EXTRACTOR[0]


@contextlib.contextmanager
def using_shared_extractor():
    """Builds inside this block use the shared Extractor instead of loading the model again."""
    ex = shared_extractor()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kg.extract, "Extractor", lambda *args, **kwargs: ex)
        yield ex


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Run ``kg`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def expected_rows() -> list[dict]:
    rows = []
    for line in (HOSTILE / "expected.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("file\t"):
            continue
        file, outcome, where, detail = line.split("\t")
        rows.append({"file": file, "outcome": outcome, "line": int(where) if where else None, "detail": detail})
    return rows


def check_against_expected(skipped: list[dict], read_ids: set[str], prefix: str) -> None:
    """Skipped items (path, line, reason) and read ids match expected.tsv exactly."""
    rows = expected_rows()
    want_skips = sorted((prefix + r["file"], r["line"] or 0) for r in rows if r["outcome"] == "skipped")
    got_skips = sorted((s["path"], s["line"] or 0) for s in skipped)
    assert got_skips == want_skips
    for r in rows:
        if r["outcome"] == "skipped":
            [s] = [s for s in skipped if s["path"] == prefix + r["file"] and (s["line"] or None) == r["line"]]
            assert r["detail"] in s["reason"], (r, s)
            assert "\n" not in s["reason"] and len(s["reason"]) <= 300
        else:
            assert r["detail"] in read_ids, r
    assert read_ids == {r["detail"] for r in rows if r["outcome"] == "read"}


def listener():
    """A local TCP server that records connections: proves that nothing was fetched."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    hits: list[bytes] = []

    def accept():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            hits.append(conn.recv(200))
            conn.close()
    threading.Thread(target=accept, daemon=True).start()
    return server, server.getsockname()[1], hits


# ------------------------------------------------------------------------------ the hostile corpus, read


def test_robustness_expected_lists_every_hostile_file():
    files = {p.name for p in HOSTILE.iterdir() if p.name != "expected.tsv"}
    assert files == {r["file"] for r in expected_rows()}


def test_robustness_hostile_corpus_is_read_as_expected(monkeypatch):
    monkeypatch.chdir(HERE)
    items = list(read(["hostile"]))
    skipped = [{"path": s.path, "line": s.line, "reason": s.reason} for s in items if isinstance(s, Skipped)]
    arts = {a.id: a for a in items if isinstance(a, Article)}
    check_against_expected(skipped, set(arts), "hostile/")
    # read correctly, not just read
    assert "François Hollande" in arts["latin1"].text and "café" in arts["latin1"].text
    assert arts["utf16"].text.endswith("Ça va.")
    assert "René left." in arts["invalid-utf8"].text
    assert arts["crlf"].title == "Windows lines" and "\r" not in arts["crlf"].text
    page = arts["page"]
    assert page.title == "Summit in Moscow & more" and page.published.isoformat() == "2023-03-20"
    assert "Vladimir Putin in Moscow" in page.text and "trade <and> energy" in page.text
    assert "Injected" not in page.text and "color" not in page.text and "Home" not in page.text
    md = arts["markdown"]
    assert md.title == "Xi and Putin meet"
    assert "Chinese President Xi Jinping met Vladimir Putin in Moscow on Monday." in md.text
    assert not re.search(r"[*\[\]()#`!]|https?:|code that", md.text)
    assert "<" not in arts["markup-in-text"].text and "The talks were long." in arts["markup-in-text"].text
    control = arts["control-chars"].text
    assert control == ("Chinese President Xi Jinping met Russian President Vladimir Putin in Moscow "
                       "on Monday.\nThe talks ended.")
    assert arts["rtl-override"].text == STORY and arts["rtl-override"].title == "Talks evil x"
    assert not re.search("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", arts["arabic"].text)
    assert arts["jl-surrogate"].text == "Xi Jinping \ufffd met Vladimir Putin in Moscow."
    assert arts["jl-line-separator"].text.split("\n") == ["Xi Jinping met", "Vladimir Putin in Moscow.",
                                                          "Then they left."]
    assert arts["jl-good"].title == "Quotes \"double\" 'single' \\ back"


@pytest.mark.parametrize("name,data,reason", [
    ("fm.txt", "---\nid: x\ntitle: &a [1]\nsource: *a\n---\nText.", "must be a single value"),
    ("fm2.txt", "---\npublished: 2023-13-45\n---\nText.", "malformed front matter"),
    ("fm3.txt", "---\nid: x\n" + "a: b\n" * 20000 + "---\nText.", "malformed front matter: longer than"),
    ("ws-id.txt", "---\nid: '   '\n---\nText.", None),
    ("weird\u202ename\nhere.txt", "", "empty text"),
])
def test_robustness_more_bad_inputs(tmp_path, monkeypatch, name, data, reason):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(data, encoding="utf-8")
    [item] = list(read([name]))
    if reason is None:
        assert isinstance(item, Article) and item.id == "ws-id"
    else:
        assert isinstance(item, Skipped) and reason in item.reason
        assert "\n" not in str(item) and "\u202e" not in str(item)


def test_robustness_huge_file_is_skipped_by_size_without_reading(tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:             # 100 MB, sparse: nothing is written to disk
        fh.truncate(100 * 1024 * 1024)
    [item] = list(read([big]))
    assert isinstance(item, Skipped) and "file too large" in item.reason and f"{MAX_BYTES:,}" in item.reason


def test_robustness_article_size_limit(tmp_path):
    (tmp_path / "long.txt").write_text("Xi met Putin. " * (MAX_CHARS // 10), encoding="utf-8")
    [item] = list(read([tmp_path / "long.txt"]))
    assert isinstance(item, Skipped) and "text too long" in item.reason and "long.txt" in str(item)


def test_robustness_long_lines_are_broken_at_spaces_only():
    line = ("Xi Jinping met Vladimir Putin in Moscow on Monday and they talked about trade. " * 700)[:50_000]
    broken = break_long_lines(line)
    assert len(broken) == len(line)
    assert all(a == b or (a == " " and b == "\n") for a, b in zip(line, broken))
    assert max(len(x) for x in broken.split("\n")) <= MAX_LINE
    assert all(x.endswith(".") for x in broken.split("\n")[:-1])    # at sentence ends when it can
    nospace = "x" * 5000
    assert break_long_lines(nospace) == nospace


def test_robustness_non_regular_files_do_not_hang(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    [item] = list(read([fifo]))
    assert isinstance(item, Skipped) and "not a regular file" in item.reason
    assert list(read([tmp_path])) == []         # folders list regular files only
    [missing] = list(read([tmp_path / "nope.txt"]))
    assert "no such file" in missing.reason


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_robustness_unreadable_file_reason_has_no_absolute_path(tmp_path):
    f = tmp_path / "secret.txt"
    f.write_text("x")
    f.chmod(0)
    [item] = list(read([f]))
    assert "cannot read" in item.reason and str(tmp_path) not in str(item)


# ------------------------------------------------------------------------------ the hostile corpus, built


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """``kg build`` of the hostile corpus plus generated huge inputs, from another folder."""
    root = tmp_path_factory.mktemp("hostile-build")
    corpus = root / "hostile"
    corpus.mkdir()
    for p in HOSTILE.iterdir():
        if p.name != "expected.tsv":
            (corpus / p.name).write_bytes(p.read_bytes())
    with open(corpus / "huge.txt", "wb") as fh:
        fh.truncate(100 * 1024 * 1024)
    long_line = (STORY + " ") * (50_000 // (len(STORY) + 1) + 1)
    (corpus / "long-line.txt").write_text("---\nid: long-line\n---\n" + long_line[:50_000], encoding="utf-8")
    elsewhere = root / "cwd"
    elsewhere.mkdir()
    out = root / "exports"
    with using_shared_extractor(), pytest.MonkeyPatch.context() as mp:
        mp.chdir(elsewhere)
        code, stdout, stderr = run_cli(["build", corpus.resolve(), "-o", out.resolve(), "--no-view", "--jobs", "1",
                                        "--validate"])
    return {"root": root, "out": out, "code": code, "stdout": stdout, "stderr": stderr,
            "report": json.loads((out / "report.json").read_text(encoding="utf-8"))}


@pytest.mark.model
def test_robustness_hostile_build_reports_every_skip_and_builds_the_rest(hostile_build):
    b = hostile_build
    assert b["code"] == cli.EXIT_SKIPPED, b["stderr"]
    report = b["report"]
    skipped = [s for s in report["skipped"] if s["path"] != "hostile/huge.txt"]
    [huge] = [s for s in report["skipped"] if s["path"] == "hostile/huge.txt"]
    assert "file too large" in huge["reason"]
    g = Graph().parse(b["out"] / "graph.nt", format="nt")
    ids = {str(o) for o in g.objects(None, URIRef("https://schema.org/identifier"))}
    check_against_expected(skipped, ids - {"long-line"}, "hostile/")
    assert "long-line" in ids and report["articles_read"] == len(ids)
    assert report["shacl"]["conforms"] is True
    # every skip is one line on stderr, naming the file (and line)
    lines = [ln for ln in b["stderr"].splitlines() if ln.startswith("skipped ")]
    assert len(lines) == len(report["skipped"])
    for s in report["skipped"]:
        where = f"{s['path']}:{s['line']}" if s["line"] else s["path"]
        assert f"skipped {where}: {s['reason']}" in lines


@pytest.mark.model
def test_robustness_no_build_machine_paths_in_exports(hostile_build):
    secrets = {str(hostile_build["root"]), str(Path(hostile_build["root"]).resolve()), os.getcwd(),
               str(HERE.parent)}
    home = os.environ.get("HOME")
    if home and home != "/":
        secrets.add(home)
    out = hostile_build["out"]
    for f in out.iterdir():
        if f.is_file():
            text = f.read_text(encoding="utf-8")
            for secret in secrets:
                assert secret not in text, (f.name, secret)
    assert not [f for f in out.iterdir() if TMP_MARK in f.name]


@pytest.mark.model
def test_robustness_exit_codes(tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    (good / "a.txt").write_text(STORY, encoding="utf-8")
    (bad / "a.txt").write_text(STORY, encoding="utf-8")
    (bad / "b.txt").write_bytes(b"")
    with using_shared_extractor():
        assert run_cli(["build", good, "-o", tmp_path / "o1", "--no-view", "--jobs", "1"])[0] == cli.EXIT_OK
        code, _, err = run_cli(["build", bad, "-o", tmp_path / "o2", "--no-view", "--jobs", "1"])
        assert code == cli.EXIT_SKIPPED and "skipped bad/b.txt: empty text" in err
        assert run_cli(["build", bad, "-o", tmp_path / "o3", "--no-view", "--jobs", "1", "--strict"])[0] == cli.EXIT_FAIL


def test_robustness_exit_codes_are_documented(capsys):
    for argv in (["--help"], ["build", "--help"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
        text = capsys.readouterr().out
        assert "Exit codes:" in text and re.search(r"\b3 +the build finished", text) and "130" in text


@pytest.mark.model
def test_robustness_one_bad_line_in_a_thousand(tmp_path):
    from kg.pipeline import build
    lines = [json.dumps({"id": f"n{i}", "text": f"Xi Jinping met Vladimir Putin in Moscow, story {i}."})
             for i in range(1000)]
    lines[499] = '{"id": "n499", "text": "broken'
    (tmp_path / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with using_shared_extractor():
        res = build([tmp_path / "news.jsonl"], out=None, validate=False, view=False)
    assert res.report["articles_read"] == 999
    assert res.report["skipped"] == [{"path": "news.jsonl", "line": 500,
                                      "reason": "malformed JSON line: Unterminated string starting at column 24"}]
    assert res.report["counts"]["articles"] == 999


# ------------------------------------------------------------------------------ round trip


@pytest.mark.model
def test_robustness_every_export_parses_back_to_the_same_graph(tmp_path):
    from kg.pipeline import build
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    long_title = "Très long « titre » " * 90
    records = [
        {"id": "quotes", "title": 'He said "no" and \'yes\' \\ then """triple""" and \'\'\'more\'\'\'',
         "text": 'Xi Jinping met Vladimir Putin in Moscow. "We are \'friends\'," Putin said \\ calmly.'},
        {"id": "non-ascii-ñ", "title": "Erdoğan – Zelenskyy 😀 北京",
         "text": "Recep Tayyip Erdoğan met Volodymyr Zelenskyy in Kyiv on Friday. Дружба, 友谊, صداقة."},
        {"id": "long", "title": long_title, "source": "Agence « France »\tPresse",
         "text": ("Angela Merkel visited Paris and met Emmanuel Macron. " * 60)
         + "\n" + ("Then the leaders spoke about trade and energy and many other things " * 40)},
    ]
    (corpus / "news.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records),
                                       encoding="utf-8")
    with using_shared_extractor():
        res = build([corpus], out=None, view=False, validate=True)
    assert res.report["shacl"]["conforms"] and res.report["articles_read"] == 3
    # literals a build cannot make from one-line fields: newlines, control escapes, 100k characters
    extra = res.dataset.graph(URIRef("https://w3id.org/kg-news/id/graph/test-literals"))
    s = URIRef("https://w3id.org/kg-news/id/test/literals")
    for i, text in enumerate(["line one\nline two\r\nthree", "tab\there \"q\" \\ end", "x" * 100_000,
                              "ends with a quote\"", "'''", '"""', "\u2028\u2029\x7f", "😀" * 1000]):
        extra.add((s, URIRef(f"https://w3id.org/kg-news/id/test/p{i}"), Literal(text)))
    extra.add((s, URIRef("https://w3id.org/kg-news/id/test/lang"), Literal("Grüße\n", lang="de")))
    from kg.rdf import union
    res.graph = union(res.dataset)
    from kg.pipeline import write_exports
    write_exports(res, tmp_path / "out", view=False)
    whole = res.graph
    for name, fmt in FORMATS.items():
        if fmt == "trig":
            ds = Dataset()
            ds.parse(tmp_path / "out" / name, format="trig")
            back = Graph()
            for q in ds.quads((None, None, None, None)):
                back.add(q[:3])
            for g in res.dataset.graphs():
                if len(g) and not str(g.identifier).startswith("urn:x-rdflib"):
                    assert isomorphic(g, ds.graph(g.identifier)), g.identifier
        else:
            back = Graph().parse(tmp_path / "out" / name, format=fmt)
        if not isomorphic(back, whole):
            _, only_in_back, only_in_build = graph_diff(back, whole)
            pytest.fail(f"{name} differs:\n+ {sorted(only_in_back)[:5]}\n- {sorted(only_in_build)[:5]}")
    titles = {str(o) for o in whole.objects(None, URIRef("https://schema.org/headline"))}
    assert " ".join(long_title.split()) in titles


# ------------------------------------------------------------------------------ atomic writes


def test_robustness_staged_files_are_all_or_nothing(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"old a")
    with pytest.raises(KeyboardInterrupt):
        with StagedFiles() as staged:
            staged.write(tmp_path / "a.txt", b"new a")
            staged.write(tmp_path / "b.txt", b"new b")
            raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    assert (tmp_path / "a.txt").read_bytes() == b"old a"
    with StagedFiles() as staged:
        staged.write(tmp_path / "a.txt", b"new a")
    assert (tmp_path / "a.txt").read_bytes() == b"new a"
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644


def test_robustness_stale_temporaries_of_dead_processes_are_removed(tmp_path):
    dead = tmp_path / f".graph.ttl{TMP_MARK}999999999-abc.tmp"
    live = tmp_path / f".graph.nt{TMP_MARK}{os.getppid()}-abc.tmp"
    mine = tmp_path / f".graph.nt{TMP_MARK}{os.getpid()}-abc.tmp"
    other = tmp_path / ".notes.tmp"
    for f in (dead, live, mine, other):
        f.write_text("x")
    assert remove_stale_temporaries(tmp_path) == [dead.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, mine.name, other.name])


# ------------------------------------------------------------------------------ safe by default


@pytest.mark.model
def test_robustness_hostile_article_through_the_whole_pipeline_to_the_view(tmp_path):
    from kg.pipeline import build
    xss = "<img src=x onerror=alert(1)>"
    href = '<a href="javascript:alert(3)">click</a>'
    end = "</script><script>alert(2)</script>"
    (tmp_path / "news.jsonl").write_text(json.dumps({
        "id": "evil", "title": f"{xss} {href}", "source": end, "url": "javascript:alert(4)",
        "published": "2023-03-20",
        "text": f"Chinese President Xi Jinping met Russian President Vladimir Putin in Moscow on Monday. "
                f"&lt;script&gt;alert(5)&lt;/script&gt; <p>{STORY}</p>"}), encoding="utf-8")
    with using_shared_extractor():
        build([tmp_path / "news.jsonl"], out=tmp_path / "out", validate=False)
    page = (tmp_path / "out" / "graph.html").read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert m, "the view keeps article text in a JSON data block"
    data, outside = m.group(1), page[:m.start(1)] + page[m.end(1):]
    assert "<" not in data and ">" not in data                 # nothing in the data can close the block
    titles = json.dumps(json.loads(data), ensure_ascii=False)
    assert "onerror=alert(1)" in titles and "alert(5)" not in outside   # there as text, not as markup
    for bad in (xss, href, end, "alert(1)", "alert(2)", "alert(3)", "alert(4)", "alert(5)", "<img"):
        assert bad not in outside
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)  # offline


def test_robustness_sparql_refuses_service_and_update():
    from kg.query import sparql
    g = Graph().parse(HERE / "data" / "sample.ttl", format="turtle")
    n = len(g)
    with pytest.raises(QueryError, match="SERVICE is refused"):
        sparql(g, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    for update in ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "DELETE WHERE { ?s ?p ?o }",
                   "LOAD <http://127.0.0.1:9/x.ttl>", "CLEAR ALL", "DROP ALL", "CREATE GRAPH <urn:g>",
                   "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }"):
        with pytest.raises(QueryError, match="bad SPARQL query"):
            sparql(g, update)
    assert len(g) == n


@pytest.mark.parametrize("query,message", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE is refused"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "Error:"),
    ("CLEAR ALL", "Error:"),
])
def test_robustness_kg_sparql_refuses(query, message):
    code, _, err = run_cli(["sparql", query, "--graph", HERE / "data" / "sample.ttl"])
    assert code == cli.EXIT_FAIL and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_robustness_sparql_never_loads_from_graphs():
    from kg.query import sparql
    server, port, hits = listener()
    try:
        ds = Dataset()
        ds.graph(URIRef("urn:g")).add((URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c")))
        for graph in (Graph(), ds):
            for q in (f"SELECT * FROM <http://127.0.0.1:{port}/x> WHERE {{ ?s ?p ?o }}",
                      f"SELECT * FROM NAMED <http://127.0.0.1:{port}/y> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
                try:
                    list(sparql(graph, q))
                except QueryError:
                    pass
        assert len(sparql(ds, "SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")) == 1   # its own graphs are fine
        with pytest.raises(QueryError, match="FROM <http"):
            sparql(ds, f"SELECT * FROM <http://127.0.0.1:{port}/x> WHERE {{ ?s ?p ?o }}")
    finally:
        server.close()
    assert hits == []


def test_robustness_parsing_never_fetches(tmp_path):
    from kg.graph import load
    server, port, hits = listener()
    try:
        url = f"http://127.0.0.1:{port}/context.jsonld"
        for i, doc in enumerate([
            {"@context": url, "@id": "urn:a", "name": "x"},
            {"@context": [url, {"ex": "urn:ex:"}], "@id": "urn:a", "ex:p": "x"},
            {"@context": {"@import": url}, "@id": "urn:a"},
            {"@context": {"ex": "urn:ex:"}, "@graph": [{"@id": "urn:a", "@context": url, "ex:p": "x"}]},
        ]):
            f = tmp_path / f"remote{i}.jsonld"
            f.write_text(json.dumps(doc), encoding="utf-8")
            with pytest.raises(QueryError, match="never fetched"):
                load(f)
        ttl = tmp_path / "imports.ttl"
        ttl.write_text(f"<urn:o> a <http://www.w3.org/2002/07/owl#Ontology> ; "
                       f"<http://www.w3.org/2002/07/owl#imports> <http://127.0.0.1:{port}/onto.ttl> .",
                       encoding="utf-8")
        assert len(load(ttl)) == 2                                  # owl:imports is not followed
    finally:
        server.close()
    assert hits == []


def test_robustness_kg_sparql_allow_service_is_an_opt_in():
    server, port, hits = listener()
    try:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        code, _, err = run_cli(["sparql", query, "--graph", HERE / "data" / "sample.ttl", "--allow-service"])
    finally:
        server.close()
    assert "SERVICE is refused" not in err and "Traceback" not in err
    assert hits and b"sparql" in hits[0]          # it did go out, to the local listener only


@pytest.mark.model
def test_robustness_unwritable_output_is_one_error_line(tmp_path):
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "out").write_text("a file, not a folder")
    with using_shared_extractor():
        code, _, err = run_cli(["build", tmp_path / "a.txt", "-o", tmp_path / "out", "--no-view", "--jobs", "1"])
    assert code == cli.EXIT_FAIL and err.startswith("Error: ") and "Traceback" not in err
    assert (tmp_path / "out").read_text() == "a file, not a folder"


@pytest.mark.model
def test_robustness_memory_limit_skips_the_rest_with_a_reason(tmp_path):
    from kg.pipeline import build
    for i in range(3):
        (tmp_path / f"a{i}.txt").write_text(f"Chile accused Peru of spying, case {i}.")
    res = build([tmp_path], out=None, validate=False, view=False, jobs=1, max_memory_mb=1)
    assert res.report["articles_read"] <= 1
    reasons = [s["reason"] for s in res.report["skipped"]]
    assert reasons and all("memory limit reached (1 MB)" in r for r in reasons)
