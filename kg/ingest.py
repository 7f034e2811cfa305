"""Read news articles from files and folders: the first stage of the pipeline.

Accepted inputs: ``.txt`` and ``.md`` with an optional YAML front matter block (``title``,
``published``, ``url``, ``source``, ``id``), ``.html``/``.htm`` pages, ``.json`` (one object or
a list of objects) and ``.jsonl`` (one object a line), where objects need ``text`` and may carry
the same keys.

Every input is untrusted. Unreadable inputs are reported as :class:`~kg.model.Skipped` with a
one-line reason (and the line, for JSON), never raised, so one broken article never stops a
build. What is read is cleaned into the *body* that every later stage sees:

- bytes are decoded as UTF-8 (BOM or not), UTF-16/UTF-32 with a BOM; stray bytes that are not
  UTF-8 are read as Windows-1252 (Latin-1) one by one, so mixed files keep both; NUL bytes and
  control characters (over a tenth of the text) mean a binary file, which is skipped;
- newlines are normalised (``\\r\\n``, ``\\r``, U+0085, U+2028, U+2029 become ``\\n``), the
  text is NFC-normalised, and control characters, terminal escape sequences, bidirectional
  controls (RTL/LTR marks, embeddings, overrides, isolates), zero-width spaces and lone
  surrogates are removed;
- HTML markup (``.html`` files, or a body with common HTML tags) is turned into text: scripts,
  styles and navigation dropped, block elements on their own lines, entities decoded (a page's
  ``<title>`` and publication date are used when the input has none); Markdown markup (``.md``,
  or a JSON record with ``"format": "markdown"``) is reduced to its text (headings, emphasis,
  links, lists; code blocks and images dropped);
- a line longer than :data:`MAX_LINE` characters is broken at spaces, preferably after a
  sentence end, by turning that space into a line break (same length), so no sentence handed
  to the parser is longer than that.

**Offsets** (of mentions, times, events) are always into this cleaned body (``Article.text``),
never into the raw file.

Limits: files over :data:`MAX_BYTES` bytes and articles over :data:`MAX_CHARS` characters are
skipped with a reason; ids longer than :data:`MAX_ID` characters too. Two ids that would give
the same article IRI (see :func:`id_key`) are duplicates: the second is skipped. Paths in
reasons are relative (to the working folder, else to the folder given), never absolute.

Examples
--------
>>> from kg.ingest import parse_text
>>> art = parse_text("---\\nid: a1\\npublished: 2023-03-13\\n---\\nXi met Putin.", name="a1.txt")
>>> art.id, art.published.isoformat(), art.text
('a1', '2023-03-13', 'Xi met Putin.')
>>> parse_text("<p>Xi <b>met</b> Putin &amp; Lula.</p><script>x()</script>", name="b.txt").text
'Xi met Putin & Lula.'
"""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Iterable, Iterator

from .errors import IngestError
from .model import Article, Skipped

SUFFIXES = {".txt", ".md", ".json", ".jsonl", ".html", ".htm"}
MAX_BYTES = 20_000_000          # larger files are skipped with a reason
MAX_CHARS = 300_000             # one article's cleaned body (longer ones are skipped)
MAX_LINE = 2_000                # longer lines are broken at spaces (same length)
MAX_ID = 200                    # an article id
MAX_FRONT = 65_536              # a front matter block
_REASON = 300                   # a skip reason is cut to this many characters

_FRONT_OPEN = re.compile(r"\A---[ \t]*\n")
_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n?^---[ \t]*(?:\n|\Z)", re.S | re.M)
# removed from bodies: C0/C1 controls (not tab or newline), DEL, bidi controls and marks,
# zero-width space, word joiner, BOM, noncharacters U+FFFE/U+FFFF, lone surrogates
_DROP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e"
                   "\u2060\u2066-\u2069\ufeff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_NEWLINES = re.compile("\r\n?|[\x85\u2028\u2029]")
_UNSAFE_SHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_HTML_TAG = re.compile(
    r"<(?:!doctype\s+html|/?(?:html|head|body|p|br|div|span|a|b|i|u|em|strong|h[1-6]|ul|ol|li|"
    r"table|tr|td|th|script|style|img|figure|figcaption|blockquote|article|section|header|"
    r"footer|nav|aside|main|iframe|meta|link|title|pre|code|hr|sup|sub|small|time|font)\b[^<>]*)>",
    re.I)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*[ \t]")


def text_id(text: str) -> str:
    """A stable id for an article that has none: a hash of its text."""
    return "doc-" + hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:12]


def id_key(article_id: str) -> str:
    """The form of an id that article IRIs are made from; two ids with the same key clash.

    Mirrors ``kg.rdf._safe``: ASCII outside ``[A-Za-z0-9._~-]`` is %-escaped, anything else
    becomes ``-``, so ``"café"`` and ``"cafè"`` name the same IRI.

    >>> id_key("a b/é")
    'a%20b%2F-'
    """
    return re.sub(r"[^A-Za-z0-9._~-]",
                  lambda m: "%%%02X" % ord(m.group(0)) if ord(m.group(0)) < 128 else "-", article_id)


def one_line(text: str, limit: int = _REASON) -> str:
    """Text made safe for a one-line report: whitespace collapsed, controls escaped, cut.

    >>> one_line("bad\\nthing\\u202e here")
    'bad thing\\\\u202e here'
    """
    text = " ".join(str(text).split())
    text = _UNSAFE_SHOWN.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)
    text = _SURROGATE.sub("\ufffd", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_date(value) -> dt.date | None:
    """Parse ``published``: an ISO date or datetime (string or YAML date); raises on junk."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    if len(s) > 64 or isinstance(value, (bool, list, dict)):
        raise IngestError(f"invalid published date {one_line(s, 40)!r}; expected an ISO date like 2023-03-13")
    try:
        return dt.date.fromisoformat(s[:10]) if len(s) >= 10 else dt.date.fromisoformat(s)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).date()
    except ValueError:
        raise IngestError(f"invalid published date {one_line(s, 40)!r}; "
                          "expected an ISO date like 2023-03-13") from None


# ------------------------------------------------------------------------------ decoding


def _cp1252_bytes(exc: UnicodeDecodeError):
    """Decode error handler: bytes that are not UTF-8 are read as Windows-1252, one by one."""
    bad = exc.object[exc.start:exc.end]
    return bad.decode("cp1252", errors="replace"), exc.end


def decode(raw: bytes) -> str:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 or UTF-32 with BOM.

    Bytes that are not valid UTF-8 are read as Windows-1252 (a superset of Latin-1's printable
    characters), each on its own, so a Latin-1 file and a UTF-8 file with a few Latin-1 bytes
    both come out right. Raises :class:`IngestError` for binary data (over 10% NUL or control
    characters).

    >>> decode("Café".encode("latin-1")), decode("Café ".encode() + "Café".encode("latin-1"))
    ('Café', 'Café Café')
    """
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError as exc:
                raise IngestError(f"invalid {codec.upper()} at byte {exc.start}: {exc.reason}") from None
    try:
        codecs.lookup_error("kg-cp1252")
    except LookupError:
        codecs.register_error("kg-cp1252", _cp1252_bytes)
    text = raw.decode("utf-8-sig", errors="kg-cp1252")
    sample = text[:65536]
    if sample:
        odd = sum(1 for c in sample if (c < " " and c not in "\t\n\r") or "\x7f" <= c <= "\x9f" or c == "\ufffd")
        if odd >= 2 and odd * 10 > len(sample):     # a stray control character is text; many are not
            raise IngestError(f"binary file ({100 * odd // len(sample)}% NUL or control characters); "
                              "expected text")
    return text


def clean(text: str) -> str:
    """Normalise newlines and Unicode (NFC); drop control, bidi and zero-width characters.

    >>> clean("a\\r\\nb\\u2028c\\u200fd\\x07e")
    'a\\nb\\ncde'
    """
    text = _SURROGATE.sub("\ufffd", text)
    text = _NEWLINES.sub("\n", text)
    text = unicodedata.normalize("NFC", text)
    if "\x1b" in text:                  # terminal escape sequences go whole
        text = _ANSI.sub("", text)
    return _DROP.sub("", text)


def break_long_lines(text: str, limit: int = MAX_LINE) -> str:
    """Break lines longer than ``limit`` by turning a space into a line break (same length).

    A break goes after the last sentence end in the second half of each ``limit``-long window,
    else at the last space there; a stretch with no space at all is left alone.

    >>> break_long_lines("One. Two. Three.", limit=8)
    'One.\\nTwo.\\nThree.'
    """
    if len(text) <= limit or all(len(line) <= limit for line in text.split("\n")):
        return text
    chars = list(text)
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        lo = start
        while end - lo > limit:
            window = text[lo + limit // 2: lo + limit + 1]
            ends = [m.end() - 1 for m in _SENTENCE_END.finditer(window)]
            cut = ends[-1] if ends else max(window.rfind(" "), window.rfind("\t"))
            if cut < 0:
                lo += limit // 2
                continue
            cut += lo + limit // 2
            chars[cut] = "\n"
            lo = cut + 1
    return "".join(chars)


# ------------------------------------------------------------------------------ markup


def looks_like_html(text: str) -> bool:
    """True when the text carries HTML markup (a doctype or common tags), not just a ``<``.

    >>> looks_like_html("<p>Xi met Putin</p>"), looks_like_html("if a < b and b > c")
    (True, False)
    """
    return _HTML_TAG.search(text, 0, 200_000) is not None


def html_to_text(markup: str) -> tuple[str, dict]:
    """The text of an HTML page or fragment, and what its head says (``title``, ``published``).

    Scripts, styles and other non-text elements are dropped, block elements start new lines,
    entities are decoded and runs of spaces collapsed. Never raises on malformed markup.

    >>> html_to_text("<h1>Talks</h1><p>Xi&nbsp;met <i>Putin</i>.<br>Then left.</p>")[0]
    'Talks\\n\\nXi met Putin.\\nThen left.'
    """
    from html.parser import HTMLParser

    skip_tags = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object",
                 "canvas", "select", "button", "textarea", "head", "nav", "form", "aside"}
    blocks = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article",
              "header", "footer", "blockquote", "pre", "table", "ul", "ol", "figure", "figcaption",
              "hr", "dd", "dt", "aside", "nav", "main", "address", "caption", "dl", "details", "summary"}
    void = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"}

    class _Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skipping: list[str] = []
            self.meta: dict = {}
            self.in_title = False
            self.h1: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "title" and not self.meta.get("title"):
                self.in_title = True
                self.meta["title"] = ""
            if tag == "meta":
                a = {k.lower(): (v or "") for k, v in attrs}
                key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
                if key in ("article:published_time", "date", "datepublished", "pubdate") and a.get("content"):
                    self.meta.setdefault("published", a["content"])
                elif key in ("og:title", "headline") and a.get("content"):
                    self.meta.setdefault("og_title", a["content"])
            if tag in skip_tags and tag not in void:
                self.skipping.append(tag)
            if tag == "h1" and self.h1 is None and not self.skipping:
                self.h1 = []
            if tag in blocks:
                self.parts.append("\n")
            elif tag in ("td", "th"):
                self.parts.append(" ")

        def handle_startendtag(self, tag, attrs):
            self.handle_starttag(tag, attrs)
            if tag in skip_tags and tag not in void and self.skipping and self.skipping[-1] == tag:
                self.skipping.pop()

        def handle_endtag(self, tag):
            if tag == "title":
                self.in_title = False
            if tag in self.skipping:
                while self.skipping and self.skipping.pop() != tag:
                    pass
            if tag == "h1" and isinstance(self.h1, list):
                self.meta.setdefault("h1", "".join(self.h1))
                self.h1 = False
            if tag in blocks:
                self.parts.append("\n")

        def handle_data(self, data):
            if self.in_title:
                self.meta["title"] += data
                return
            if self.skipping:
                return
            if isinstance(self.h1, list):
                self.h1.append(data)
            self.parts.append(data)

    parser = _Text()
    try:
        parser.feed(markup)
        parser.close()
        text = "".join(parser.parts)
    except Exception:  # noqa: BLE001 - malformed markup: fall back to dropping tags
        import html
        text = html.unescape(re.sub(r"<[^>]*>", " ", re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", markup)))
    lines = (" ".join(line.replace("\xa0", " ").split()) for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    meta = {k: " ".join(str(v).split()) for k, v in parser.meta.items() if v and str(v).strip()}
    if "title" not in meta:
        for alt in ("og_title", "h1"):
            if alt in meta:
                meta["title"] = meta[alt]
                break
    return text, {k: meta[k] for k in ("title", "published") if k in meta}


_MD_RULES = [   # spans are bounded ({1,500}) so that no line can make a rule slow
    (re.compile(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)"), ""),                       # images
    (re.compile(r"\[([^\]\n]{1,500})\]\((?:[^()\n]|\([^)\n]{0,500}\)){0,2000}\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]\n]{1,500})\]\[[^\]\n]{0,500}\]"), r"\1"),                   # [text][ref]
    (re.compile(r"<((?:https?|mailto):[^>\s]{1,2000})>"), r"\1"),                     # <autolinks>
    (re.compile(r"`([^`\n]{1,500})`"), r"\1"),                                        # `code`
    (re.compile(r"(\*\*|__)(?=\S)(.{1,500}?)(?<=\S)\1"), r"\2"),                      # **strong**
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]{1,500}?)(?<=\S)\*(?![\w*])"), r"\1"),      # *em*
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]{1,500}?)(?<=\S)_(?![\w_])"), r"\1"),        # _em_
    (re.compile(r"~~(?=\S)(.{1,500}?)(?<=\S)~~"), r"\1"),                             # ~~strike~~
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])"), r"\1"),                              # \* escapes
]


def markdown_to_text(text: str) -> tuple[str, str | None]:
    """The text of a Markdown document and its first level-1 heading (a title), if any.

    >>> markdown_to_text("# Talks\\n\\n**Xi** met [Putin](http://x.org/p).\\n\\n- one\\n```\\ncode\\n```")
    ('Talks\\n\\nXi met Putin.\\n\\none', 'Talks')
    """
    out: list[str] = []
    title = None
    fence = None
    for line in text.split("\n"):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = None
            continue
        m = re.match(r"(`{3,}|~{3,})", stripped)
        if m:
            fence = m.group(1)
            continue
        if re.fullmatch(r"(?:[-*_][ \t]*){3,}|=+", stripped):           # rules, setext underlines
            out.append("")
            continue
        if re.match(r"\[[^\]]+\]:\s*\S", stripped):                       # link definitions
            continue
        if re.fullmatch(r"\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?", stripped) and "-" in stripped:
            continue                                                       # table rules
        m = re.match(r"#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", stripped)
        if m:
            line = m.group(1)
            if title is None and stripped.startswith("# "):
                title = line
        else:
            line = re.sub(r"^[ \t]*(?:>[ \t]?)+", "", line)
            line = re.sub(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?", "", line)
            if stripped.startswith("|") and stripped.endswith("|"):
                line = " ".join(c.strip() for c in stripped.strip("|").split("|"))
        for pattern, repl in _MD_RULES:
            line = pattern.sub(repl, line)
        out.append(line.strip())
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
    if looks_like_html(body):
        body = html_to_text(body)[0]
    if title:
        for pattern, repl in _MD_RULES:
            title = pattern.sub(repl, title)
    return body, title


# ------------------------------------------------------------------------------ articles


def _scalar(meta: dict, *keys: str):
    """The first of ``keys`` present in ``meta``, checked to be a single value."""
    for key in keys:
        value = meta.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, (dict, list, tuple, set)):
            raise IngestError(f"{key!r} must be a single value, not a {type(value).__name__}")
        return value
    return None


def _field(meta: dict, *keys: str, limit: int = 2000) -> str | None:
    value = _scalar(meta, *keys)
    if value is None:
        return None
    value = " ".join(clean(str(value)).split())
    return value[:limit] or None


def _article(meta: dict, text, *, default_id: str | None, path: str | None, fmt: str = "text") -> Article:
    if text is None:
        raise IngestError("no text")
    if not isinstance(text, str):
        raise IngestError(f"'text' must be a string, not {type(text).__name__}")
    meta = dict(meta)
    text = clean(text)
    if fmt == "markdown":
        text, heading = markdown_to_text(text)
        if heading and not meta.get("title"):
            meta["title"] = heading
    elif fmt == "html" or looks_like_html(text):
        text, head = html_to_text(text)
        for key, value in head.items():
            if not meta.get(key):
                try:
                    meta[key] = parse_date(value) if key == "published" else value
                except IngestError:     # a page's own date tag is a hint, never a reason to skip
                    pass
    if not text.strip():
        raise IngestError("empty text")
    if len(text) > MAX_CHARS:
        raise IngestError(f"text too long ({len(text):,} characters; limit {MAX_CHARS:,})")
    text = break_long_lines(text)
    ident = _field(meta, "id", limit=10 * MAX_ID)
    if not ident and default_id:
        ident = " ".join(clean(default_id).split())
        ident = ident if len(ident) <= MAX_ID else None
    ident = ident or text_id(text)
    if len(ident) > MAX_ID:
        raise IngestError(f"id too long ({len(ident):,} characters; limit {MAX_ID})")
    return Article(id=ident, text=text, title=_field(meta, "title", "headline"),
                   published=parse_date(_scalar(meta, "published", "date")),
                   url=_field(meta, "url"), source=_field(meta, "source"), path=path)


def split_front_matter(text: str) -> tuple[dict, str]:
    """Split a YAML front matter block from the body: ``(meta, body)``.

    Raises :class:`IngestError` for malformed YAML, a block that is not ``key: value`` lines,
    or a block opened with ``---`` and never closed.
    """
    text = text.lstrip("\ufeff")
    if not _FRONT_OPEN.match(text):
        return {}, text
    m = _FRONT.match(text)
    if not m:
        second = text.split("\n", 2)[1] if text.count("\n") >= 1 else ""
        if re.match(r"\s*[\w-]+\s*:", second):
            raise IngestError("malformed front matter: no closing '---' line")
        return {}, text
    if len(m.group(1)) > MAX_FRONT:
        raise IngestError(f"malformed front matter: longer than {MAX_FRONT:,} characters")
    import yaml
    try:
        meta = yaml.safe_load(m.group(1)) if m.group(1).strip() else {}
    except yaml.YAMLError as exc:
        # real-world front matter often has an unquoted colon in a title ("Reports: ..."):
        # read plain "key: value" lines when every line is one, else report the YAML error
        lines = [ln for ln in m.group(1).splitlines() if ln.strip()]
        if lines and all(re.match(r"^[A-Za-z_][\w-]*:\s+[^\s\[{&*|>!%@`]", ln) for ln in lines):
            meta = dict(ln.split(":", 1) for ln in lines)
            meta = {k.strip(): v.strip().strip("'\"") for k, v in meta.items()}
        else:
            raise IngestError(f"malformed front matter: {str(exc).splitlines()[0]}") from None
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:
        raise IngestError(f"malformed front matter: {type(exc).__name__}: {exc}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise IngestError("malformed front matter: expected key: value lines")
    return meta, text[m.end():]


def parse_text(text: str, *, name: str | None = None, path: str | None = None) -> Article:
    """Parse a ``.txt``/``.md``/``.html`` article; the id defaults to the file name without extension."""
    suffix = Path(name).suffix.lower() if name else ""
    meta, body = split_front_matter(clean(text))
    fmt = {".md": "markdown", ".html": "html", ".htm": "html"}.get(suffix, "text")
    stem = Path(name).stem if name else None
    return _article(meta, body, default_id=stem, path=path, fmt=fmt)


def _records(path: Path, text: str) -> Iterator[tuple[int | None, object]]:
    if path.suffix.lower() == ".jsonl":
        for i, line in enumerate(text.split("\n"), 1):    # not splitlines(): U+2028 is not a break
            if line.strip():
                try:
                    yield i, json.loads(line, strict=False)
                except json.JSONDecodeError as exc:
                    yield i, IngestError(f"malformed JSON line: {_json_error(exc)}")
                except (ValueError, RecursionError) as exc:
                    yield i, IngestError(f"malformed JSON line: {_json_problem(exc)}")
    else:
        try:
            obj = json.loads(text, strict=False)
        except json.JSONDecodeError as exc:
            yield exc.lineno, IngestError(f"malformed JSON: {_json_error(exc)}")
            return
        except (ValueError, RecursionError) as exc:
            yield None, IngestError(f"malformed JSON: {_json_problem(exc)}")
            return
        if isinstance(obj, list):
            for i, o in enumerate(obj):
                yield i + 1, o
        else:
            yield None, obj


def _json_error(exc: json.JSONDecodeError) -> str:
    msg = exc.msg[:-3] if exc.msg.endswith(" at") else exc.msg     # "Unterminated string starting at"
    return f"{msg} at column {exc.colno}"


def _json_problem(exc: Exception) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(":")[0]


def _read_file(path: Path, shown: str) -> Iterator[tuple[int | None, Article | Skipped]]:
    """``(line, item)`` for each article or skipped record of one file (line: JSON only)."""
    try:
        if not path.is_file():
            yield None, Skipped(shown, "not a regular file")
            return
        size = path.stat().st_size
        if size > MAX_BYTES:
            yield None, Skipped(shown, f"file too large ({size:,} bytes; limit {MAX_BYTES:,})")
            return
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            yield None, Skipped(shown, f"file too large (over {MAX_BYTES:,} bytes)")
            return
        text = decode(raw)
    except IngestError as exc:
        yield None, Skipped(shown, one_line(str(exc)))
        return
    except OSError as exc:
        yield None, Skipped(shown, one_line(f"cannot read: {exc.strerror or type(exc).__name__}"))
        return
    if path.suffix.lower() in (".json", ".jsonl"):
        records = list(_records(path, text))
        single = len(records) == 1 and path.suffix.lower() == ".json"
        for line, obj in records:
            if isinstance(obj, IngestError):
                yield line, Skipped(shown, one_line(str(obj)), line)
                continue
            if not isinstance(obj, dict):
                yield line, Skipped(shown, "expected a JSON object with 'text'", line)
                continue
            try:
                fmt = "markdown" if str(obj.get("format", "")).lower() in ("md", "markdown") else "text"
                yield line, _article(obj, obj.get("text"), default_id=path.stem if single else None,
                                     path=shown, fmt=fmt)
            except IngestError as exc:
                yield line, Skipped(shown, one_line(str(exc)), line)
    else:
        try:
            yield None, parse_text(text, name=path.name, path=shown)
        except IngestError as exc:
            yield None, Skipped(shown, one_line(str(exc)))


def read_file(path: str | os.PathLike, *, base: Path | None = None) -> Iterator[Article | Skipped]:
    """Yield the articles of one file, or :class:`Skipped` items for what cannot be read."""
    path = Path(path)
    shown = _shown(path, base)
    try:
        for _, item in _read_file(path, shown):
            yield item
    except Exception as exc:  # noqa: BLE001 - an input never stops a build
        yield Skipped(shown, one_line(f"cannot read: {type(exc).__name__}: {exc}"))


def _shown(path: Path, base: Path | None) -> str:
    """The path as shown in reports: relative (to ``base``, else the working folder), never absolute."""
    path = Path(os.path.abspath(path))
    for root in (Path.cwd(), base):
        if root is None:
            continue
        try:
            return one_line(str(path.relative_to(os.path.abspath(root))), 500)
        except ValueError:
            continue
    return one_line(path.name, 500)


def iter_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Expand files and folders (recursively) into input files, in sorted order."""
    for p, _ in _iter_files(paths):
        yield p


def _iter_files(paths) -> Iterator[tuple[Path, Path | None]]:
    for p in paths:
        p = Path(p)
        if p.is_dir():
            base = Path(os.path.abspath(p)).parent
            yield from ((f, base) for f in sorted(
                f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES and f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            yield p, Path(os.path.abspath(p)).parent


def read(paths: Iterable[str | os.PathLike]) -> Iterator[Article | Skipped]:
    """Read articles from files and folders; duplicate ids are skipped with a reason.

    Paths in reports are relative to the working folder, else to the folder given (never
    absolute). Ids clash when they give the same article IRI (see :func:`id_key`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("Xi met Putin.")
    >>> [a.id for a in read([d])]
    ['a']
    """
    seen: dict[str, str] = {}
    for f, base in _iter_files(paths):
        shown = _shown(f, base)
        if not os.path.lexists(f):
            yield Skipped(shown, "no such file or folder")
            continue
        try:
            items = list(_read_file(f, shown))
        except Exception as exc:  # noqa: BLE001 - an input never stops a build
            items = [(None, Skipped(shown, one_line(f"cannot read: {type(exc).__name__}: {exc}")))]
        for line, item in items:
            if isinstance(item, Article):
                key = id_key(item.id)
                where = f"{shown}:{line}" if line else shown
                if key in seen:
                    yield Skipped(shown, one_line(f"duplicate id {item.id!r} (first in {seen[key]})"), line)
                    continue
                seen[key] = where
            yield item
