"""The committed exports/ is the output of `kg build` on the committed seeds/ (graphs compared as graphs)."""
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

import kg

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    out = tmp_path_factory.mktemp("fresh")
    kg.build([ROOT / "seeds"], out=out, validate=True, view=False)
    return out


@pytest.mark.parametrize("name,fmt", [("graph.nt", "nt"), ("graph.ttl", "turtle"), ("graph.jsonld", "json-ld")])
def test_exports_current(fresh, name, fmt):
    committed = Graph().parse(ROOT / "exports" / name, format=fmt)
    built = Graph().parse(fresh / name, format=fmt)
    if not isomorphic(committed, built):
        _, only_committed, only_built = graph_diff(to_isomorphic(committed), to_isomorphic(built))
        pytest.fail("exports/ is stale; run `kg build`.\nonly in exports/: "
                    f"{sorted(map(str, only_committed))[:5]}\nonly in a fresh build: {sorted(map(str, only_built))[:5]}")


def test_exports_trig_has_one_graph_per_article(fresh):
    ds = Dataset()
    ds.parse(ROOT / "exports" / "graph.trig", format="trig")
    names = {str(g.identifier).rsplit("/", 1)[-1] for g in ds.graphs() if len(g)}
    seeds = {p.stem for p in (ROOT / "seeds").iterdir() if p.suffix in (".txt", ".md", ".json", ".jsonl")}
    assert seeds <= names


def test_exports_report_conforms():
    import json
    report = json.loads((ROOT / "exports" / "report.json").read_text())
    assert report["shacl"]["conforms"] and not report["skipped"]
