"""Reading articles: formats, ids, front matter, and bad input reported (never raised)."""
import json

import pytest

from kg.ingest import parse_text, read
from kg.model import Article, Skipped


def _read(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return list(read([p]))


def test_ingest_front_matter_and_id_from_file_name(tmp_path):
    [a] = _read(tmp_path, "story.txt", "---\ntitle: T\npublished: 2023-03-13T10:00:00Z\nurl: http://x\n---\nBody.")
    assert (a.id, a.title, a.published.isoformat(), a.url, a.text) == ("story", "T", "2023-03-13", "http://x", "Body.")


def test_ingest_front_matter_id_wins(tmp_path):
    [a] = _read(tmp_path, "story.md", "---\nid: abc\n---\nBody.")
    assert a.id == "abc"


def test_ingest_json_list_and_jsonl(tmp_path):
    arts = _read(tmp_path, "many.json", json.dumps([{"text": "One."}, {"text": "Two.", "id": "two"}]))
    assert [a.id for a in arts][1] == "two" and arts[0].id.startswith("doc-")
    [single] = _read(tmp_path, "one.json", json.dumps({"text": "One."}))
    assert single.id == "one"
    items = _read(tmp_path, "s.jsonl", '{"text": "A.", "id": "a"}\n{bad json\n{"id": "c"}\n')
    assert isinstance(items[0], Article)
    assert isinstance(items[1], Skipped) and items[1].line == 2 and "malformed JSON" in items[1].reason
    assert isinstance(items[2], Skipped) and "no text" in items[2].reason


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", "", "empty text"),
    ("bin.txt", b"\x00\x01\x02binary", "binary"),
    ("bad.txt", "---\npublished: [unclosed\n---\nText.", "malformed front matter"),
    ("date.txt", "---\npublished: yesterday\n---\nText.", "invalid published date"),
])
def test_ingest_bad_input_is_skipped_with_reason(tmp_path, name, data, reason):
    [item] = _read(tmp_path, name, data)
    assert isinstance(item, Skipped) and reason in item.reason and name in str(item)


def test_ingest_encodings(tmp_path):
    [a] = _read(tmp_path, "u16.txt", "\ufeffCafé talks.".encode("utf-16"))
    assert a.text == "Café talks."
    [b] = _read(tmp_path, "latin.txt", "Café talks.".encode("latin-1"))
    assert b.text == "Café talks."


def test_ingest_duplicate_ids_and_folders(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.txt").write_text("---\nid: same\n---\nA.")
    (tmp_path / "d" / "y.txt").write_text("---\nid: same\n---\nB.")
    (tmp_path / "d" / "ignored.csv").write_text("a,b")
    items = list(read([tmp_path / "d"]))
    assert [type(i).__name__ for i in items] == ["Article", "Skipped"]
    assert "duplicate id 'same'" in items[1].reason


def test_ingest_offsets_are_into_the_body():
    a = parse_text("---\nid: x\n---\nXi met Putin.")
    assert a.text[a.text.index("Putin"):][:5] == "Putin"
