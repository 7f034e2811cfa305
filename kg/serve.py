"""A read-only SPARQL 1.1 Protocol endpoint over a kg graph, and a page to query it.

:func:`make_server` wraps a :class:`kg.store.Store` in a standard-library
:class:`http.server.ThreadingHTTPServer`:

- ``/sparql``: ``GET ?query=...``, ``POST`` as a form (``application/x-www-form-urlencoded``,
  field ``query``) or with the query as the body (``application/sparql-query``). Results by
  content negotiation (``Accept``): ``application/sparql-results+json`` (default),
  ``application/sparql-results+xml``, ``text/csv``, ``text/tab-separated-values``; CONSTRUCT and
  DESCRIBE answer ``text/turtle`` or ``application/n-triples``. A ``format`` (or ``output``)
  parameter of json, xml, csv or tsv overrides ``Accept``; an ``Accept`` that names nothing
  we offer gets the default.
- ``/``: a plain page to type a query (or pick a named one) and see the table. Everything is
  inline (no network); results are put in the page with ``textContent`` only.

Refused: SPARQL Update (``update=`` or ``application/sparql-update``, or an update as the query)
with 403; ``SERVICE`` with 403 (the endpoint never reaches the network); ``default-graph-uri``
and ``named-graph-uri`` with 400; a bad query with 400. The ``query`` text is only ever taken as
SPARQL or as the exact name of a named query (``who-met-whom``), never as a file to read.

Limits: every query runs in its own worker thread and gets ``timeout`` seconds; after that the
client gets 503 and the computation is abandoned. What happens to it: an rdflib query (pure
Python) is stopped within milliseconds by an exception raised in its thread
(``PyThreadState_SetAsyncExc``); an Oxigraph query is stopped at the next solution it hands
back to Python, but a query that computes a large aggregate or sort inside Oxigraph before its
first solution runs on in the background to its end (it holds no lock and its answer is thrown
away). At most ``workers`` queries run at once, abandoned ones included; when all are busy a
new query waits up to a second and then gets 503 with ``Retry-After``. Results are cut at
``max_rows`` rows (or triples); a cut answer carries ``X-KG-Truncated: true`` and
``X-KG-Max-Rows: N``. Every answer carries ``X-KG-Rows`` and ``X-KG-Engine``.

Binds 127.0.0.1 by default; when bound to a loopback address it answers only requests whose
``Host`` is a loopback name (no DNS rebinding), and it sends no CORS headers.

Examples
--------
>>> import json, threading, urllib.parse, urllib.request
>>> from kg.store import open_store
>>> server = make_server(open_store("tests/data/sample.ttl"), port=0)
>>> thread = threading.Thread(target=server.serve_forever, daemon=True); thread.start()
>>> url = server.url + "?" + urllib.parse.urlencode({"query": "ASK { ?s a sem:Event }"})
>>> with urllib.request.urlopen(url) as response:
...     json.load(response)["boolean"]
True
>>> server.shutdown(); server.server_close()
"""

from __future__ import annotations

import base64
import ctypes
import hashlib
import html
import ipaddress
import json
import re
import threading
import time
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .errors import QueryError
from .store import Results, ServiceRefused, is_update

__all__ = ["DEFAULT_MAX_ROWS", "DEFAULT_TIMEOUT", "SparqlServer", "make_server", "serve"]

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 4
MAX_BODY = 1_000_000  # bytes of a POSTed query

_RESULT_TYPES = {  # media type -> format of kg.store.Results
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
_GRAPH_TYPES = {"text/turtle": "ttl", "application/n-triples": "nt", "text/plain": "nt"}
_SHORT_FORMATS = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv",
                  "turtle": "ttl", "ttl": "ttl", "nt": "nt", "ntriples": "nt"}


class QueryCancelled(Exception):
    """Raised inside a worker thread to stop a query that ran out of time."""


class _Refusal(Exception):
    def __init__(self, status: HTTPStatus, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class _Worker:
    """One query in its own daemon thread, which can be told to stop (see the module doc)."""

    def __init__(self, fn, release):
        self.fn, self.release = fn, release
        self.result = self.error = None
        self.done = threading.Event()
        self._lock = threading.Lock()
        self._running = False
        self._cancelled = False
        self.thread = threading.Thread(target=self._work, name="kg-sparql-query", daemon=True)

    def _work(self):
        try:
            try:
                with self._lock:
                    self._running = True
                self.result = self.fn()
            finally:
                with self._lock:
                    self._running = False
                    # a stop requested just as the query ended must not fire later
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread.ident), None)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting request thread
            self.error = exc
        finally:
            self.done.set()
            self.release()

    def start(self):
        self.thread.start()

    def cancel(self):
        """Raise :class:`QueryCancelled` in the worker thread (at most once, only while running)."""
        with self._lock:
            if self._running and not self._cancelled:
                self._cancelled = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread.ident),
                                                           ctypes.py_object(QueryCancelled))


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server of :func:`make_server`; ``url`` is its ``/sparql`` address."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, store, *, host, port, timeout, max_rows, workers, allow_service=False):
        self.store = store
        self.query_timeout = float(timeout)
        self.max_rows = max_rows
        self.allow_service = allow_service
        self.slots = threading.BoundedSemaphore(workers)
        super().__init__((host, port), _Handler)
        try:
            self.loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            self.loopback = host == "localhost"

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/sparql"

    def run_query(self, text: str) -> Results:
        """Run ``text`` within the time limit and the row cap; raise _Refusal when it cannot."""
        if not self.slots.acquire(timeout=min(1.0, self.query_timeout)):
            raise _Refusal(HTTPStatus.SERVICE_UNAVAILABLE, "busy: every query worker is taken; "
                           "try again shortly", {"Retry-After": "5"})
        worker = _Worker(lambda: self.store.query(text, resolve=False, max_rows=self.max_rows,
                                                  allow_service=self.allow_service),
                         self.slots.release)
        worker.start()
        if not worker.done.wait(self.query_timeout):
            worker.cancel()
            raise _Refusal(HTTPStatus.SERVICE_UNAVAILABLE,
                           f"the query ran out of time (limit {self.query_timeout:g} s) and was "
                           "abandoned", {"Retry-After": "5"})
        if isinstance(worker.error, ServiceRefused):
            raise _Refusal(HTTPStatus.FORBIDDEN, str(worker.error))
        if isinstance(worker.error, QueryError):
            raise _Refusal(HTTPStatus.BAD_REQUEST, str(worker.error))
        if worker.error is not None:
            raise _Refusal(HTTPStatus.INTERNAL_SERVER_ERROR,
                           f"query failed: {type(worker.error).__name__}: {worker.error}")
        return worker.result


def make_server(store, *, host: str = "127.0.0.1", port: int = 8000,
                timeout: float = DEFAULT_TIMEOUT, max_rows: int | None = DEFAULT_MAX_ROWS,
                workers: int = DEFAULT_WORKERS, allow_service: bool = False) -> SparqlServer:
    """A SPARQL endpoint over ``store`` (a :class:`kg.store.Store`), bound but not yet serving.

    Call ``serve_forever()`` (in a thread, for tests) and ``shutdown()`` then ``server_close()``
    to stop. ``port=0`` picks a free port (see ``server.url``). Raises
    :class:`kg.errors.QueryError` for bad limits or an address that cannot be bound.
    """
    if not timeout or timeout <= 0:
        raise QueryError(f"bad timeout {timeout!r}; expected a number of seconds above 0")
    if max_rows is not None and (not isinstance(max_rows, int) or max_rows < 1):
        raise QueryError(f"bad max rows {max_rows!r}; expected a positive whole number")
    if not isinstance(workers, int) or workers < 1:
        raise QueryError(f"bad workers {workers!r}; expected a positive whole number")
    try:
        return SparqlServer(store, host=host, port=port, timeout=timeout, max_rows=max_rows,
                            workers=workers, allow_service=allow_service)
    except OSError as exc:
        raise QueryError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(paths, *, host: str = "127.0.0.1", port: int = 8000, kind: str = "auto",
          store_path=None, timeout: float = DEFAULT_TIMEOUT,
          max_rows: int | None = DEFAULT_MAX_ROWS, log=print) -> None:
    """Load ``paths`` (see :func:`kg.store.open_store`) and serve them until interrupted."""
    from .store import open_store
    started = time.perf_counter()
    store = open_store(paths, kind=kind, store_path=store_path)
    server = make_server(store, host=host, port=port, timeout=timeout, max_rows=max_rows)
    how = "reused" if store.reused else f"loaded in {time.perf_counter() - started:.1f} s"
    log(f"{store.triples_count} triples ({store.kind}, {how}); SPARQL endpoint at {server.url} "
        f"(page at {server.url[:-len('sparql')]}); Ctrl-C stops")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()


# --------------------------------------------------------------------------- HTTP


def _accepted(header: str | None) -> list[str]:
    """Media types of an Accept header, best first (q, then order); q=0 left out."""
    ranked = []
    for i, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, i, fields[0].lower()))
    return [t for _, _, t in sorted(ranked)]


def _choose(accept: str | None, graph: bool, forced: str | None) -> str:
    offered = _GRAPH_TYPES if graph else _RESULT_TYPES
    if forced:
        fmt = _SHORT_FORMATS.get(forced.lower())
        if fmt in offered.values():
            return fmt
    for media in _accepted(accept):
        if media in offered:
            return offered[media]
        if media.endswith("/*") and media != "*/*":
            for name, fmt in offered.items():
                if name.startswith(media[:-1]):
                    return fmt
    return "ttl" if graph else "json"


_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
          "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle",
          "nt": "application/n-triples"}


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kg-sparql"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # quiet; kg serve prints one line when it starts

    # ---------------------------------------------------------------- plumbing

    def _send(self, status, body: str | bytes, media: str, headers: dict | None = None):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", f"{media}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _error(self, status, message: str, headers: dict | None = None):
        self._send(status, f"Error: {message}\n", "text/plain", headers)

    def _host_ok(self) -> bool:
        if not self.server.loopback:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        if host.startswith("["):
            name = host[1:].split("]", 1)[0]
        else:
            name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        if name in ("localhost", ""):
            return True
        try:
            return ipaddress.ip_address(name).is_loopback
        except ValueError:
            return False

    # ---------------------------------------------------------------- methods

    def do_GET(self):  # noqa: N802 - http.server's naming
        url = urllib.parse.urlsplit(self.path)
        if not self._host_ok():
            return self._error(HTTPStatus.FORBIDDEN, "this endpoint answers only requests to a "
                               "loopback address")
        if url.path in ("/", "/index.html"):
            return self._page()
        if url.path != "/sparql":
            return self._error(HTTPStatus.NOT_FOUND, f"no such page {url.path!r}; the endpoint is "
                               "/sparql and the query page is /")
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if not params and "text/html" in (self.headers.get("Accept") or ""):
            return self._page()
        self._answer(params)

    def do_HEAD(self):  # noqa: N802
        self.do_GET()

    def do_POST(self):  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        if not self._host_ok():
            return self._error(HTTPStatus.FORBIDDEN, "this endpoint answers only requests to a "
                               "loopback address")
        if url.path != "/sparql":
            return self._error(HTTPStatus.NOT_FOUND, f"no such endpoint {url.path!r}; POST to /sparql")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return self._error(HTTPStatus.BAD_REQUEST, "bad Content-Length")
        if length > MAX_BODY:
            self.close_connection = True
            return self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                               f"the request body is over {MAX_BODY} bytes")
        body = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if media == "application/x-www-form-urlencoded":
            for key, values in urllib.parse.parse_qs(body, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif media == "application/sparql-query":
            params.setdefault("query", []).append(body)
        elif media == "application/sparql-update":
            return self._error(HTTPStatus.FORBIDDEN, "SPARQL Update is refused: this endpoint "
                               "is read-only")
        else:
            return self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                               f"unsupported Content-Type {media!r}; expected "
                               "application/x-www-form-urlencoded or application/sparql-query")
        self._answer(params)

    def _refuse_method(self):
        self._error(HTTPStatus.METHOD_NOT_ALLOWED, "read-only endpoint: use GET or POST",
                    {"Allow": "GET, HEAD, POST"})

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    # ---------------------------------------------------------------- SPARQL

    def _answer(self, params: dict):
        try:
            if "update" in params:
                raise _Refusal(HTTPStatus.FORBIDDEN, "SPARQL Update is refused: this endpoint is "
                               "read-only")
            for name in ("default-graph-uri", "named-graph-uri", "using-graph-uri",
                         "using-named-graph-uri"):
                if name in params:
                    raise _Refusal(HTTPStatus.BAD_REQUEST, f"{name} is not supported: the "
                                   "endpoint serves one default graph")
            queries = params.get("query", [])
            if len(queries) != 1 or not queries[0].strip():
                raise _Refusal(HTTPStatus.BAD_REQUEST,
                               "give exactly one query (GET ?query=..., or POST a form field "
                               "'query' or an application/sparql-query body)")
            text = queries[0]
            from .query import named_queries
            named = named_queries()
            if text.strip() in named:
                text = named[text.strip()].read_text(encoding="utf-8")
            if is_update(text):
                raise _Refusal(HTTPStatus.FORBIDDEN, "SPARQL Update is refused: this endpoint is "
                               "read-only")
            started = time.perf_counter()
            results = self.server.run_query(text)
            elapsed = time.perf_counter() - started
        except _Refusal as refusal:
            return self._error(refusal.status, refusal.message, refusal.headers)
        forced = (params.get("format") or params.get("output") or [None])[0]
        fmt = _choose(self.headers.get("Accept"), results.kind == "CONSTRUCT", forced)
        headers = {"X-KG-Engine": results.engine, "X-KG-Time-Ms": f"{elapsed * 1000:.1f}",
                   "X-KG-Rows": str(len(results.triples if results.kind == "CONSTRUCT"
                                        else results.rows))}
        if results.truncated:
            headers["X-KG-Truncated"] = "true"
            headers["X-KG-Max-Rows"] = str(self.server.max_rows)
        self._send(HTTPStatus.OK, results.format(fmt), _MEDIA[fmt], headers)

    def _page(self):
        from .query import describe, named_queries
        named = {name: {"text": path.read_text(encoding="utf-8"), "about": describe(path)}
                 for name, path in named_queries().items()}
        options = "\n".join(f'<option value="{html.escape(n)}">{html.escape(n)}: '
                            f'{html.escape(d["about"][:90])}</option>' for n, d in named.items())
        data = json.dumps(named, ensure_ascii=False)
        for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            data = data.replace(char, escape)
        store = self.server.store
        info = (f"{store.triples_count} triples, {store.kind}; time limit "
                f"{self.server.query_timeout:g} s; at most {self.server.max_rows} rows")
        values = {"options": options, "info": html.escape(info), "data": data, "css": _CSS,
                  "js": _JS}
        page = re.sub(r"\{(options|info|data|css|js)\}", lambda m: values[m.group(1)], _PAGE)
        csp = (f"default-src 'none'; script-src '{_sha256(_JS)}'; style-src '{_sha256(_CSS)}'; "
               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        self._send(HTTPStatus.OK, page, "text/html",
                   {"Content-Security-Policy": csp, "Referrer-Policy": "no-referrer"})


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 4px; }
.info, #status { color: #555; }
textarea { width: 100%; box-sizing: border-box; font: 13px/1.35 ui-monospace, monospace; }
button, select { font: inherit; margin: 6px 6px 6px 0; }
#status.error { color: #a50f15; white-space: pre-wrap; }
table { border-collapse: collapse; margin-top: 8px; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top;
         font-size: 13px; max-width: 40em; overflow-wrap: anywhere; }
th { background: #f4f4f4; }
pre { background: #f8f8f8; padding: 8px; overflow: auto; }
"""

_JS = """
(function () {
  "use strict";
  var named = JSON.parse(document.getElementById("named").textContent);
  var form = document.getElementById("form");
  var query = document.getElementById("query");
  var pick = document.getElementById("pick");
  var status = document.getElementById("status");
  var out = document.getElementById("out");
  pick.addEventListener("change", function () {
    if (named[pick.value]) { query.value = named[pick.value].text; }
  });
  function cell(term) {
    if (!term) { return ""; }
    if (term.type === "literal" && term["xml:lang"]) { return term.value + " @" + term["xml:lang"]; }
    if (term.type === "bnode") { return "_:" + term.value; }
    return term.value;
  }
  function show(data, note) {
    out.replaceChildren();
    if (typeof data.boolean === "boolean") {
      var p = document.createElement("p");
      p.textContent = "ASK: " + data.boolean;
      out.appendChild(p);
      return;
    }
    var vars = data.head.vars, rows = data.results.bindings;
    var table = document.createElement("table");
    var head = table.createTHead().insertRow();
    vars.forEach(function (v) {
      var th = document.createElement("th");
      th.textContent = v;
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      vars.forEach(function (v) { tr.insertCell().textContent = cell(row[v]); });
    });
    out.appendChild(table);
    status.textContent = rows.length + " row" + (rows.length === 1 ? "" : "s") + note;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    status.className = "";
    status.textContent = "Running...";
    var started = Date.now();
    fetch("sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
      body: new URLSearchParams({ query: query.value })
    }).then(function (response) {
      var note = " in " + (Date.now() - started) + " ms";
      if (response.headers.get("X-KG-Truncated")) {
        note += "; cut at " + response.headers.get("X-KG-Max-Rows") + " rows";
      }
      var type = response.headers.get("Content-Type") || "";
      return response.text().then(function (text) {
        if (!response.ok) {
          status.className = "error";
          status.textContent = response.status + " " + text;
          out.replaceChildren();
        } else if (type.indexOf("json") >= 0) {
          show(JSON.parse(text), note);
        } else {
          var pre = document.createElement("pre");
          pre.textContent = text;
          out.replaceChildren(pre);
          status.textContent = "graph" + note;
        }
      });
    }).catch(function (error) {
      status.className = "error";
      status.textContent = String(error);
    });
  });
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kg SPARQL</title>
<style>{css}</style>
</head>
<body>
<h1>kg SPARQL endpoint</h1>
<p class="info">{info}. Endpoint: <code>/sparql</code> (SPARQL 1.1 Protocol, read-only).</p>
<form id="form">
<select id="pick" aria-label="named query">
<option value="">a named query...</option>
{options}
</select>
<textarea id="query" name="query" rows="12" aria-label="SPARQL query">SELECT ?actor ?label WHERE {
  ?actor a sem:Actor ; rdfs:label ?label .
}
ORDER BY ?label
LIMIT 50</textarea>
<button type="submit">Run</button>
</form>
<p id="status" role="status"></p>
<div id="out"></div>
<script type="application/json" id="named">{data}</script>
<script>{js}</script>
</body>
</html>
"""
