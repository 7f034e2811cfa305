"""Work in other processes: extraction in a local pool of workers (``kg build --jobs N``) or on a
Dask cluster, and :class:`Forked`, one function run in a forked child (the build's exports, view and
SHACL validation run beside each other that way).

Both extraction paths run the same unit of work, :func:`extract_chunk`: a worker process loads the spaCy
model once (a cached :class:`~kg.extract.Extractor` per process and model name; a local pool
loads it in the main process and forks its workers from it, so they share it), runs a small
chunk of articles through ``nlp.pipe`` and the rules, and sends back the
:class:`~kg.model.Extraction` objects, never spaCy ``Doc`` objects (those are large and stay in
the worker). The main process only resolves, builds the RDF and writes the exports, through the
same functions as a local build, so a distributed build gives the same graph.

Input is streamed: at most a few chunks per worker are in flight, so memory is bounded by the
extractions (what the graph is built from), not by the parses of the corpus.

Examples
--------
>>> from kg.distributed import chunks
>>> [len(c) for c in chunks(range(10), 4)]
[4, 4, 2]
>>> import kg.distributed as d                                               # doctest: +SKIP
>>> result = d.build_dask(["seeds/"], "tcp://127.0.0.1:8786", out="exports")  # doctest: +SKIP
"""
from __future__ import annotations

import os
import pickle
import sys
import time
from collections import deque
from typing import Iterable, Iterator

from .model import Article, Extraction, Skipped

CHUNK = 4          # articles per task: small, so both workers stay busy to the end
IN_FLIGHT = 3      # chunks queued per worker

_EXTRACTORS: dict = {}


def chunks(items: Iterable, size: int) -> Iterator[list]:
    """Cut an iterable into lists of ``size`` items (the last may be shorter)."""
    buf: list = []
    for it in items:
        buf.append(it)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


def guided_chunks(items: list, workers: int, *, smallest: int = CHUNK, largest: int = 16) -> Iterator[list]:
    """Cut a list into chunks that shrink towards the end: large ones while there is much left
    (spaCy parses a batch of 16 a few percent faster than four of 4), small ones at the end so that
    the workers finish together.

    >>> [len(c) for c in guided_chunks(list(range(100)), 2)]
    [13, 11, 10, 9, 8, 7, 6, 5, 4, 4, 4, 4, 4, 4, 4, 3]
    """
    i, n = 0, len(items)
    while i < n:
        size = max(smallest, min(largest, -(-(n - i) // (workers * 4))))
        yield list(items[i:i + size])
        i += size


def worker_extractor(model: str | None = None):
    """The :class:`~kg.extract.Extractor` of this process for ``model``, loaded on first use."""
    ex = _EXTRACTORS.get(model)
    if ex is None:
        from .extract import Extractor
        ex = _EXTRACTORS[model] = Extractor(model)
        ex._phrase_matcher()          # build the gazetteer matcher now, not in the first task
    return ex


def extract_chunk(articles: list[Article], model: str | None = None, batch_size: int = 8,
                  cache=None) -> list[Extraction | Skipped]:
    """Extract a chunk of articles in this process; an article that fails becomes :class:`Skipped`.

    The results come in the order of ``articles``. With ``cache`` (a
    :class:`~kg.cache.ExtractionCache` on a disk this process can write), each extraction is
    also stored there, here rather than in the main process.
    """
    ex = worker_extractor(model)
    try:
        out = list(ex.extract_many(articles, batch_size=batch_size))
    except Exception:   # noqa: BLE001 - one article broke the batch: redo one by one to isolate it
        out = []
        for art in articles:
            try:
                out.append(ex.extract(art))
            except Exception as exc:  # noqa: BLE001 - reported, never fatal
                out.append(Skipped(art.path or art.id, f"extraction failed: {type(exc).__name__}: {exc}"))
    if cache is not None:
        for x in out:
            if isinstance(x, Extraction):
                try:
                    cache.put(x)
                except OSError:
                    pass        # a cache that cannot be written is only slower
    return out


def _init_worker(model: str | None) -> None:
    # Ctrl-C reaches the whole process group: the main process stops the build and the pool;
    # workers ignore it so they do not print tracebacks of their own
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    worker_extractor(model)


def extract_parallel(articles: Iterable[Article], *, model: str | None = None, jobs: int | None = None,
                     chunk: int = CHUNK, cache=None) -> Iterator[Extraction | Skipped]:
    """Extract articles in ``jobs`` worker processes; yields results in input order.

    At most ``jobs * IN_FLIGHT`` chunks are pending at once, so the input can be a stream.
    If a worker process dies, the articles still pending are extracted in this process.
    With ``cache``, the workers store each extraction in it (:func:`extract_chunk`).
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    jobs = max(1, jobs or os.cpu_count() or 1)
    fork = "fork" in mp.get_all_start_methods()
    ctx = mp.get_context("fork" if fork else "spawn")
    if fork:
        # load the model and the gazetteer once, here: forked workers share them (copy on
        # write) instead of each spending a second or two loading its own
        worker_extractor(model)
    pending: deque = deque()
    source = guided_chunks(articles, jobs, smallest=chunk) if isinstance(articles, (list, tuple)) \
        else chunks(articles, chunk)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                             initargs=(model,)) as pool:
        broken = False
        while True:
            while not broken and len(pending) < jobs * IN_FLIGHT:
                batch = next(source, None)
                if batch is None:
                    break
                pending.append((batch, pool.submit(extract_chunk, batch, model, 16, cache)))
            if not pending:
                break
            batch, fut = pending.popleft()
            try:
                yield from fut.result()
            except BrokenProcessPool:
                broken = True
                yield from extract_chunk(batch, model, cache=cache)
        if broken:   # the pool is gone: finish here
            for batch in source:
                yield from extract_chunk(batch, model, cache=cache)


# ------------------------------------------------------------------------------ forked helpers
class Forked:
    """Run ``fn(*args)`` in a forked child process (inline where fork is not available).

    The child shares this process's memory as it was at the fork (copy on write), so big
    arguments cost nothing to pass; only the return value travels back, pickled. The child
    ignores Ctrl-C (the build's process handles it) and is a daemon: it ends with the build.
    """

    def __init__(self, fn, *args):
        import multiprocessing as mp
        self.proc = None
        if "fork" not in mp.get_all_start_methods():
            try:
                self.outcome = (True, fn(*args))
            except Exception as exc:  # noqa: BLE001 - raised again by result()
                self.outcome = (False, exc)
            return
        ctx = mp.get_context("fork")
        self.recv, send = ctx.Pipe(duplex=False)

        def run():
            import signal
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                outcome = (True, fn(*args))
            except Exception as exc:  # noqa: BLE001 - raised again by result()
                outcome = (False, exc)
            try:
                try:
                    send.send(outcome)
                except (TypeError, AttributeError, pickle.PicklingError):   # an exception that cannot travel
                    send.send((False, RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}")))
            except OSError:
                pass        # the build is gone

        self.proc = ctx.Process(target=run, daemon=True)
        self.proc.start()
        send.close()

    def result(self):
        """The return value; raises what ``fn`` raised, or :class:`RuntimeError` if the child died."""
        if self.proc is not None:
            try:
                self.outcome = self.recv.recv()
            except EOFError:
                self.proc.join()
                self.outcome = (False, RuntimeError(f"a worker process died (exit code {self.proc.exitcode})"))
            self.proc.join()
            self.recv.close()
            self.proc = None
        ok, value = self.outcome
        if not ok:
            raise value
        return value


# ------------------------------------------------------------------------------ Dask
def _dask_client(client_or_address, *, timeout: float = 30.0):
    """A connected client and whether we opened it (and so must close it)."""
    from .errors import ExtractError
    try:
        from dask.distributed import Client
    except ImportError:
        raise ExtractError("Dask is not installed; install it with: pip install 'kg[dask]'") from None
    if isinstance(client_or_address, Client):
        return client_or_address, False
    try:
        return Client(client_or_address, timeout=timeout), True
    except (OSError, TimeoutError, ValueError) as exc:
        raise ExtractError(f"cannot reach the Dask scheduler {client_or_address!r}: {exc}") from None


def extract_dask(articles: Iterable[Article], client_or_address, *, model: str | None = None,
                 chunk: int = CHUNK, in_flight: int | None = None) -> Iterator[Extraction | Skipped]:
    """Extract articles on a Dask cluster; yields results in input order.

    Each worker process keeps one model per name (:func:`worker_extractor`); chunks are
    submitted as the previous ones finish, at most ``in_flight`` at once (default: 3 per
    worker thread), so a long stream of articles never sits in the scheduler's memory.
    """
    client, own = _dask_client(client_or_address)
    try:
        if in_flight is None:
            threads = sum(client.nthreads().values()) or 1
            in_flight = max(2, IN_FLIGHT * threads)
        pending: deque = deque()
        source = chunks(articles, chunk)
        n = 0
        while True:
            while len(pending) < in_flight:
                batch = next(source, None)
                if batch is None:
                    break
                n += 1
                # pure=False: the same text under two ids is two tasks
                pending.append(client.submit(extract_chunk, batch, model, pure=False, key=f"kg-extract-{n}-{id(batch)}"))
            if not pending:
                break
            fut = pending.popleft()
            yield from fut.result()
            fut.release()
    finally:
        if own:
            client.close()


def build_dask(paths: Iterable[str | os.PathLike], client_or_address, *, out: str | os.PathLike | None = "exports",
               model: str | None = None, min_confidence: float = 0.0, validate: bool = False,
               view: bool = True, progress: bool = False, clean: bool = False):
    """Build the knowledge graph of ``paths`` with extraction on a Dask cluster.

    ``client_or_address`` is a ``dask.distributed.Client`` or a scheduler address
    (``tcp://host:8786``). Reading, the extraction cache, resolution, the RDF build and the
    exports run here, through :func:`kg.pipeline.build`, so the graph is the one a local build of
    the same articles gives. Returns a :class:`~kg.pipeline.BuildResult`.
    """
    from .pipeline import build

    client, own = _dask_client(client_or_address)
    try:
        return build(paths, out, model=model, min_confidence=min_confidence, validate=validate, view=view,
                     progress=progress, clean=clean, dask=client)
    finally:
        if own:
            client.close()


__all__ = ["Forked", "chunks", "worker_extractor", "extract_chunk", "extract_parallel", "extract_dask", "build_dask"]

if __name__ == "__main__":   # pragma: no cover
    sys.exit("use kg build --jobs N or kg build --dask ADDRESS")
