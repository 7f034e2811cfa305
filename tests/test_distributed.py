"""Extraction in other processes (a local pool and a Dask cluster) gives the graph of a local build."""
from __future__ import annotations

import pytest
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.distributed import chunks
from kg.model import Article

ARTICLES = {
    "summit.txt": "---\npublished: 2023-03-21\n---\nChinese President Xi Jinping met Russian President "
                  "Vladimir Putin in Moscow on Tuesday.\n\nThe two leaders signed an agreement on economic "
                  "cooperation, Xi said.\n",
    "call.txt": "---\npublished: 2016-07-19\n---\nU.S. Secretary of State John Kerry spoke by telephone with "
                "Russian Foreign Minister Sergei Lavrov on Monday about Syria.\n",
    "visit.txt": "---\npublished: 2017-01-30\n---\nJapanese Prime Minister Shinzo Abe will visit Washington next "
                 "month to meet President Donald Trump, officials said on Monday.\n",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    for name, text in ARTICLES.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def local_build(corpus):
    from kg.pipeline import build
    return build([corpus], None, jobs=1, validate=False, view=False)


def _assert_same(a, b):
    if not isomorphic(a, b):
        _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
        pytest.fail("graphs differ\nonly in the first:\n" + only_a.serialize(format="nt")
                    + "\nonly in the second:\n" + only_b.serialize(format="nt"))


def _graph_names(result):
    return sorted(str(g.identifier) for g in result.dataset.graphs() if len(g))


@pytest.mark.parametrize("n, size, expected", [(0, 3, []), (5, 2, [2, 2, 1]), (4, 4, [4])])
def test_distributed_chunks_cut_a_stream(n, size, expected):
    assert [len(c) for c in chunks(iter(range(n)), size)] == expected


@pytest.mark.model
def test_distributed_local_pool_gives_the_local_graph(corpus, local_build):
    from kg.distributed import extract_parallel
    from kg.pipeline import extract_articles
    from kg.ingest import read
    arts = [a for a in read([corpus]) if isinstance(a, Article)]
    # chunks of one article, so that both workers take part
    got = list(extract_parallel(arts, jobs=2, chunk=1))
    assert [x.article.id for x in got] == [a.id for a in arts]          # input order kept
    local = {x.article.id: x for x in local_build.extractions}
    for x in got:
        assert [(e.code, e.trigger_start) for e in x.events] == \
            [(e.code, e.trigger_start) for e in local[x.article.id].events]
        assert sorted(x.actors) == sorted(local[x.article.id].actors)
    assert extract_articles([], jobs=2) == []


@pytest.mark.model
def test_distributed_dask_build_gives_the_local_graph(corpus, local_build, tmp_path):
    distributed = pytest.importorskip("dask.distributed", reason="dask[distributed] is not installed")
    from kg.distributed import build_dask
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster, distributed.Client(cluster) as client:
        result = build_dask([corpus], client, out=tmp_path / "out", validate=False, view=False)
    assert result.report["counts"]["events"] > 0
    assert not result.skipped
    _assert_same(local_build.graph, result.graph)
    assert _graph_names(result) == _graph_names(local_build)
    assert (tmp_path / "out" / "graph.trig").stat().st_size > 0
