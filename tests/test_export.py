"""Exports: every format parses back to the same graph; bytes are deterministic; writes are atomic."""
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.errors import BuildError
from kg.export import guess_format, serialize, write_graph


def _graph():
    g = Graph()
    s = URIRef("https://w3id.org/kg-news/id/actor/x")
    for i, text in enumerate(['quote "inside"', "line\nbreak", "non-ASCII: Şişli 北京", "x" * 20000]):
        g.add((s, URIRef(f"urn:p{i}"), Literal(text)))
    g.add((s, URIRef("urn:date"), Literal("2023-02-22", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))))
    return g


@pytest.mark.parametrize("suffix", ["ttl", "nt", "jsonld"])
def test_export_round_trip(tmp_path, suffix):
    g = _graph()
    path = tmp_path / f"g.{suffix}"
    write_graph(g, path)
    back = Graph().parse(path, format=guess_format(path))
    if not isomorphic(g, back):
        _, a, b = graph_diff(to_isomorphic(g), to_isomorphic(back))
        pytest.fail(f"only in original: {list(a)[:3]} only in export: {list(b)[:3]}")


def test_export_trig_named_graphs(tmp_path):
    ds = Dataset()
    ds.graph(URIRef("urn:g1")).add((URIRef("urn:a"), URIRef("urn:p"), Literal("1")))
    ds.graph(URIRef("urn:g2")).add((URIRef("urn:b"), URIRef("urn:p"), Literal("2")))
    write_graph(ds, tmp_path / "d.trig")
    back = Dataset()
    back.parse(tmp_path / "d.trig", format="trig")
    assert {str(g.identifier) for g in back.graphs() if len(g)} == {"urn:g1", "urn:g2"}


@pytest.mark.parametrize("fmt", ["turtle", "nt", "json-ld"])
def test_export_deterministic(fmt):
    assert serialize(_graph(), fmt) == serialize(_graph(), fmt)


def test_export_unknown_format():
    with pytest.raises(BuildError, match="expected one of"):
        guess_format("g.ttl2")


def test_export_atomic_leaves_no_temp_files(tmp_path):
    write_graph(_graph(), tmp_path / "g.ttl")
    assert [p.name for p in tmp_path.iterdir()] == ["g.ttl"]


def _cli(argv):
    import contextlib
    import io
    from kg import cli
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def _broken_exports(tmp_path) -> Path:
    """The committed exports without the actors' labels (every actor then breaks a shape)."""
    root = Path(__file__).resolve().parent.parent
    lines = (root / "exports" / "graph.nt").read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in lines if not (ln.startswith("<https://w3id.org/kg-news/id/actor/")
                                       and "<http://www.w3.org/2000/01/rdf-schema#label>" in ln)]
    assert len(kept) < len(lines)
    target = tmp_path / "broken.nt"
    target.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


def test_kg_validate_passes_our_exports_and_names_what_breaks(tmp_path):
    root = Path(__file__).resolve().parent.parent
    code, out, _ = _cli(["validate", root / "exports" / "graph.ttl"])
    assert code == 0 and out.startswith("SHACL: conforms")
    code, out, _ = _cli(["validate", _broken_exports(tmp_path), "--jobs", "1"])
    assert code == 1 and "violations" in out
    assert "an actor has exactly one rdfs:label" in out and "/actor/" in out


def test_validate_in_several_processes_finds_the_same_violations(tmp_path):
    from kg.export import validate
    from kg.graph import load
    g = load(_broken_exports(tmp_path))
    one, two = validate(g, jobs=1), validate(g, jobs=2)
    assert one[0] is False and two[0] is False and one[2] == two[2] > 0
    focus = sorted(ln for ln in one[1].splitlines() if "Focus Node:" in ln)
    assert focus == sorted(ln for ln in two[1].splitlines() if "Focus Node:" in ln)
