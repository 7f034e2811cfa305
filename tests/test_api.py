"""The public API: the functions of ``kg`` stay functions whatever was imported before."""
import importlib

import kg


def test_api_build_is_the_function_after_every_stage_is_imported():
    for name in ("ingest", "extract", "resolve", "rdf", "export", "pipeline", "query", "graph", "view"):
        importlib.import_module(f"kg.{name}")
    assert callable(kg.build) and kg.build.__module__ == "kg"
    assert callable(kg.load) and callable(kg.to_networkx) and callable(kg.sparql)
