"""Print, per sentence, the events kg extracts next to nothing else: a debugging aid for the dev loop.

    python scripts/dev_events.py ../shared/eval/dev/some-article.txt [--all]
"""
import sys

from kg.extract import Extractor
from kg.ingest import read

ex = Extractor()
show_all = "--all" in sys.argv
for art in read([a for a in sys.argv[1:] if not a.startswith("--")]):
    x = ex.extract(art)
    names = {k: a.name for k, a in x.actors.items()}
    print("==", art.id, art.published)
    for e in x.events:
        if e.code == "010" and not show_all:
            continue
        t = e.time and (e.time.value or f"{e.time.earliest}..{e.time.latest}")
        parts = ", ".join(f"{names.get(p.key, p.key)}/{p.role}" for p in e.participants)
        print(f"  {e.code:5} {e.status:8} {e.trigger!r:22} [{parts}] t={t} at={e.place} | {e.sentence[:90]!r}")
    print("  memberships:", [(names.get(m.person), m.title, names.get(m.organization)) for m in x.memberships])
