#!/usr/bin/env python3
"""Run kg.timex.find_times over the timex gold articles and score the result.

Reads every ``*.txt`` article in the eval folder (YAML front matter with ``published``,
offsets counted in the body after it), writes one JSON object per article
(``{"doc", "times"}``) and, unless ``--no-score``, runs the shared scorer on it.

Example::

    /work/venv/bin/python scripts/timex_eval.py --show 50
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kg.timex import find_times  # noqa: E402

EVAL = Path("/work/shared/eval")


def split_front_matter(raw: str) -> tuple[dict, str]:
    """Return (front matter, body) for an article that starts with a ``---`` block."""
    if raw.startswith("---\n"):
        close = raw.find("\n---\n", 4)
        if close != -1:
            block = raw[4:close]
            try:
                meta = yaml.safe_load(block) or {}
            except yaml.YAMLError:  # e.g. an unquoted title with a colon: read "key: value" lines
                meta = dict(line.split(":", 1) for line in block.splitlines() if ":" in line)
                meta = {k.strip(): v.strip() for k, v in meta.items()}
            return meta, raw[close + 5:]
    return {}, raw


def as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        return dt.date.fromisoformat(value[:10])
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=Path, default=EVAL / "timex", help="folder of *.txt articles")
    ap.add_argument("--gold", type=Path, default=EVAL / "timex" / "gold.tsv")
    ap.add_argument("--scorer", type=Path, default=EVAL / "timex_score.py")
    ap.add_argument("--out", type=Path, default=Path("/tmp/timex_pred.jsonl"), help="predictions (JSONL)")
    ap.add_argument("--show", type=int, default=0, help="print this many wrong items")
    ap.add_argument("--no-score", action="store_true", help="only write the predictions")
    a = ap.parse_args(argv)
    with open(a.out, "w", encoding="utf-8") as out:
        for path in sorted(a.articles.glob("*.txt")):
            meta, body = split_front_matter(path.read_text(encoding="utf-8"))
            times = find_times(body, as_date(meta.get("published")))
            out.write(json.dumps({"doc": path.stem, "times": [t.to_json() for t in times]}) + "\n")
    if a.no_score:
        return 0
    cmd = [sys.executable, str(a.scorer), "--gold", str(a.gold), "--pred", str(a.out), "--show", str(a.show)]
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
