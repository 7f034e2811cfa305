"""Many articles, one graph: end-to-end builds of small corpora written for these tests."""
from __future__ import annotations

import json
import random

import pytest
from rdflib.namespace import RDF, RDFS

from kg.cli import main
from kg.namespace import KGO, NIF, PROV, SEM
from kg.pipeline import EXPORTS, build

pytestmark = pytest.mark.model

CORPUS = {
    "meet-a": ("2023-03-21", "Chinese President Xi Jinping met Russian President Vladimir Putin in Moscow on "
                             "Monday. The two leaders held talks at the Kremlin."),
    "meet-b": ("2023-03-21", "Vladimir Putin welcomed Xi Jinping to Moscow on Monday, March 20, for talks on "
                             "Ukraine."),
    "meet-c": ("2023-03-22", "Xi Jinping and Vladimir Putin met in Moscow on March 20, state media said."),
    "plan": ("2023-03-14", "Chinese President Xi Jinping will visit Russia next week, the Kremlin said on "
                           "Tuesday."),
    "kim-a": ("2023-03-10", "North Korean leader Kim Jong Un met Russian President Vladimir Putin in "
                            "Vladivostok on Wednesday."),
    "kim-b": ("2023-03-12", "Kim Yo Jong, the sister of the North Korean leader, criticized South Korea on "
                            "Saturday."),
}
NEW = {
    "new-a": ("2023-03-23", "Japanese Prime Minister Fumio Kishida visited Kyiv on Tuesday and met "
                            "Ukrainian President Volodymyr Zelenskyy."),
}


def write(folder, docs):
    folder.mkdir(parents=True, exist_ok=True)
    for doc, (published, text) in docs.items():
        (folder / f"{doc}.txt").write_text(f"---\nid: {doc}\npublished: {published}\n---\n{text}\n",
                                           encoding="utf-8")
    return folder


def exports(out):
    return {name: (out / name).read_bytes() for name in EXPORTS}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write(tmp_path_factory.mktemp("corpus"), CORPUS)


@pytest.fixture(scope="module")
def built(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return build([corpus], out, view=False), out


def test_multidoc_same_meeting_three_ways_is_one_event(built):
    g = built[0].graph
    three = [e for e in g.subjects(KGO.sourceCount, None) if int(g.value(e, KGO.sourceCount)) == 3]
    assert len(three) == 1
    ev = three[0]
    assert {str(d).rsplit("/", 1)[1] for d in g.objects(ev, PROV.wasDerivedFrom)} == {"meet-a", "meet-b", "meet-c"}
    contexts = {str(g.value(m, NIF.referenceContext)).rsplit("/", 1)[1] for m in g.objects(ev, KGO.mention)}
    assert contexts == {"meet-a", "meet-b", "meet-c"}


def test_multidoc_planned_visit_is_fulfilled_not_merged(built):
    g = built[0].graph
    planned = [e for e in g.subjects(KGO.status, KGO.Planned)
               if any(str(d).endswith("/plan") for d in g.objects(e, PROV.wasDerivedFrom))]
    assert planned
    held = [e for e in g.subjects(KGO.fulfils, planned[0])]
    assert held and g.value(held[0], KGO.status) == KGO.Occurred
    assert not any(str(d).endswith("/plan") for d in g.objects(held[0], PROV.wasDerivedFrom))


def test_multidoc_two_people_named_kim_are_two_actors(built):
    g = built[0].graph
    kims = {str(g.value(a, RDFS.label)) for a in g.subjects(RDF.type, SEM.Actor)
            if str(g.value(a, RDFS.label)).startswith("Kim")}
    assert {"Kim Jong Un", "Kim Yo Jong"} <= kims


def test_multidoc_incremental_equals_clean_byte_for_byte(corpus, tmp_path):
    out = tmp_path / "inc"
    first = build([corpus], out, view=False)
    assert first.report["cache"]["hits"] == 0 and first.report["cache"]["misses"] == len(CORPUS)
    more = write(tmp_path / "more", NEW)
    second = build([corpus, more], out, view=False)
    assert (second.report["cache"]["hits"], second.report["cache"]["misses"]) == (len(CORPUS), len(NEW))
    clean = tmp_path / "clean"
    build([corpus, more], clean, view=False, clean=True)
    assert exports(out) == exports(clean)
    # removing an article removes what it said
    third = build([corpus], out, view=False)
    assert third.report["cache"]["misses"] == 0
    first_out = tmp_path / "again"
    build([corpus], first_out, view=False, clean=True)
    assert exports(out) == exports(first_out)
    assert b"new-a" not in (out / "graph.nt").read_bytes()


def test_multidoc_order_independent(tmp_path):
    files = write(tmp_path / "files", {**CORPUS, **NEW})
    paths = sorted(files.glob("*.txt"))
    ref = tmp_path / "ref"
    build(paths, ref, view=False)
    shuffled = list(paths)
    random.Random(7).shuffle(shuffled)
    out = tmp_path / "shuffled"
    build(shuffled, out, view=False)
    assert exports(out) == exports(ref)
    # the same articles as JSON Lines, reversed
    lines = [json.dumps({"id": d, "published": p, "text": t + "\n"}) for d, (p, t) in {**CORPUS, **NEW}.items()]
    (tmp_path / "rev").mkdir()
    (tmp_path / "rev" / "news.jsonl").write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")
    (tmp_path / "fwd").mkdir()
    (tmp_path / "fwd" / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build([tmp_path / "rev"], tmp_path / "out-rev", view=False)
    build([tmp_path / "fwd"], tmp_path / "out-fwd", view=False)
    assert exports(tmp_path / "out-rev") == exports(tmp_path / "out-fwd")


def test_multidoc_cli_clean_and_why_same(corpus, tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["build", str(corpus), "-o", str(out), "--no-view"]) == 0
    assert main(["build", str(corpus), "-o", str(out), "--no-view", "--clean"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["cache"]["hits"] == 0 and report["cache"]["clean"] is True
    capsys.readouterr()
    assert main(["why-same", "Kim Jong Un", "Kim Yo Jong", "--graph", str(out / "graph.ttl")]) == 1
    assert capsys.readouterr().out.startswith("not the same")
    # a surname alone in one article joins the one full name of the corpus it fits
    more = write(tmp_path / "envoy", {
        "envoy-a": ("2023-03-20", "Ukrainian envoy Oleksandr Brenko met Polish officials in Warsaw on Monday."),
        "envoy-b": ("2023-03-21", "Brenko said on Tuesday that the talks with Poland went well.")})
    assert main(["build", str(more), "-o", str(tmp_path / "envoy-out"), "--no-view"]) == 0
    capsys.readouterr()
    assert main(["why-same", "Brenko", "Oleksandr Brenko", "--graph", str(tmp_path / "envoy-out" / "graph.ttl")]) == 0
    text = capsys.readouterr().out
    assert text.startswith("same") and "only fuller name" in text
