"""Nothing lost (issue 7): a build killed at any moment leaves the previous exports intact.

SIGKILL cannot be caught, so the atomicity must come from how the exports are written: every
file goes to a hidden temporary first and all are renamed into place at the end. The tests kill
real builds (a forked copy of this process, so the model is loaded once; and ``kg build``
subprocesses) and compare the exports byte for byte with what was there before.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg import cli
from kg.export import TMP_MARK

from test_robustness import STORY, run_cli, using_shared_extractor

SEED = Path(__file__).resolve().parent.parent / "seeds" / "xi-putin-2023-03.txt"
KG = Path(sys.executable).with_name("kg")


def snapshot(out: Path) -> dict[str, bytes]:
    """The visible files of an exports folder, with their bytes."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and not p.name.startswith(".")}


def corpus_of_copies(folder: Path, copies: int) -> Path:
    """``copies`` copies of a seed article with different ids (``<folder name>-<n>``)."""
    folder.mkdir(parents=True, exist_ok=True)
    body = SEED.read_text(encoding="utf-8").split("---\n", 2)[-1]
    for i in range(copies):
        name = f"{folder.name}-{i:02d}"
        (folder / f"{name}.txt").write_text(f"---\nid: {name}\n---\n{body}", encoding="utf-8")
    return folder


def build_in_fork(corpus: Path, out: Path, *, before_exit=None) -> int:
    """Run a build in a forked child (the model is already loaded); returns its pid."""
    pid = os.fork()
    if pid == 0:   # the child: never returns into pytest
        code = 99
        try:
            os.setpgid(0, 0)        # its own process group, so that killing it leaves nothing behind
            if before_exit:
                before_exit()
            code = cli.main(["build", str(corpus), "-o", str(out), "--no-view", "--jobs", "1", "--no-validate"])
        finally:
            os._exit(code)
    return pid


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """A finished build of one article: the exports that must survive."""
    root = tmp_path_factory.mktemp("kill")
    small = root / "small"
    small.mkdir()
    (small / "a.txt").write_text(STORY, encoding="utf-8")
    out = root / "exports"
    with using_shared_extractor():
        code, _, err = run_cli(["build", small, "-o", out, "--no-view", "--jobs", "1", "--no-validate"])
    assert code == 0, err
    return {"root": root, "small": small, "out": out, "before": snapshot(out)}


def restore(out: Path, before: dict[str, bytes]) -> None:
    """Put the previous exports back (a rebuild would differ in the timings of report.json)."""
    for name, data in before.items():
        (out / name).write_bytes(data)


def check_intact(out: Path, before: dict[str, bytes]) -> None:
    assert snapshot(out) == before
    assert not [p.name for p in out.iterdir() if not p.name.startswith(".")
                and (TMP_MARK in p.name or p.name.endswith(".tmp"))]


@pytest.mark.model
def test_kill_sigkill_inside_export_writing(previous):
    """Deterministic: the build kills itself with SIGKILL between two export files."""
    out = previous["out"]
    corpus = corpus_of_copies(previous["root"] / "three", 3)

    def die_on_third_file():
        # every staged file goes through write_staged, some of them in a child process of the
        # build: the one to die is the build
        import kg.export
        write = kg.export.write_staged
        build_pid = os.getpid()
        calls = []

        def write_then_die(tmp, data):
            calls.append(tmp)
            if len(calls) == 3 or os.getpid() != build_pid:
                os.kill(build_pid, signal.SIGKILL)
            return write(tmp, data)
        kg.export.write_staged = write_then_die

    with using_shared_extractor():
        pid = build_in_fork(corpus, out, before_exit=die_on_third_file)
        _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    check_intact(out, previous["before"])
    assert [p for p in out.iterdir() if TMP_MARK in p.name]       # the dead build's temporaries...
    with using_shared_extractor():
        code, _, err = run_cli(["build", corpus, "-o", out, "--no-view", "--jobs", "1", "--no-validate"])   # ...the next build completes
    assert code == 0, err
    assert not [p for p in out.iterdir() if TMP_MARK in p.name]   # and removes them
    assert b"three-02" in (out / "graph.nt").read_bytes()
    restore(out, previous["before"])          # back to the previous state for the other tests


@pytest.mark.model
def test_kill_sigkill_at_random_moments(previous):
    """A build of 8 articles killed at several moments; then a build that completes.

    The moments are fractions of a measured build, so the test does not depend on the machine's
    speed. Whatever the moment, the exports are either the previous ones, intact, or (when the
    build won the race) the complete new ones: never a mix.
    """
    out = previous["out"]
    corpus = corpus_of_copies(previous["root"] / "many", 8)
    rng = random.Random(int(os.environ.get("KG_KILL_SEED", "7")))
    with using_shared_extractor():
        shutil.rmtree(out / ".cache", ignore_errors=True)
        t0 = time.monotonic()
        pid = build_in_fork(corpus, out)
        _, status = os.waitpid(pid, 0)
        full = time.monotonic() - t0
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        restore(out, previous["before"])
        killed = 0
        for frac in sorted(rng.uniform(0.05, 0.9) for _ in range(3)):
            shutil.rmtree(out / ".cache", ignore_errors=True)     # every run extracts everything
            pid = build_in_fork(corpus, out)
            time.sleep(frac * full)
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, status = os.waitpid(pid, 0)
            if os.WIFSIGNALED(status):
                killed += 1
                check_intact(out, previous["before"])
            else:                       # it finished first: the new exports are whole
                assert b"many-07" in (out / "graph.nt").read_bytes()
                restore(out, previous["before"])
        assert killed, "no build was killed before it finished"
        pid = build_in_fork(corpus, out)
        _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert b"many-07" in (out / "graph.nt").read_bytes()
    assert not [p for p in out.iterdir() if TMP_MARK in p.name]
    restore(out, previous["before"])


@pytest.mark.model
def test_kill_ctrl_c_inside_export_writing(previous, monkeypatch):
    import kg.export
    out = previous["out"]
    corpus = corpus_of_copies(previous["root"] / "three-c", 3)
    write = kg.export.write_staged
    me = os.getpid()
    calls = []

    def write_then_interrupt(tmp, data):
        if os.getpid() == me:       # Ctrl-C stops the build; its child processes ignore it
            calls.append(tmp)
            if len(calls) == 2:
                raise KeyboardInterrupt
        return write(tmp, data)
    monkeypatch.setattr(kg.export, "write_staged", write_then_interrupt)
    with using_shared_extractor():
        code, _, err = run_cli(["build", corpus, "-o", out, "--no-view", "--jobs", "1", "--no-validate"])
    assert code == cli.EXIT_INTERRUPTED and "Interrupted: previous exports are intact." in err
    check_intact(out, previous["before"])
    assert not [p for p in out.iterdir() if TMP_MARK in p.name]      # cleaned up on the way out


def start_kg_build(corpus: Path, out: Path) -> subprocess.Popen:
    """``kg build`` in a subprocess, returned once it has read its inputs (a skip is reported)."""
    (corpus / "zz-empty.txt").write_text("")
    proc = subprocess.Popen([str(KG), "build", str(corpus), "-o", str(out), "--no-view", "--jobs", "1", "--no-validate"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    line = proc.stderr.readline()          # printed while reading, before the model loads
    assert "zz-empty.txt: empty text" in line, line
    return proc


def end_group(proc: subprocess.Popen) -> None:
    """Kill whatever is left of the process group of a ``kg build`` this test started."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.mark.model
@pytest.mark.parametrize("sig,code", [(signal.SIGINT, cli.EXIT_INTERRUPTED), (signal.SIGTERM, cli.EXIT_TERMINATED)])
def test_kill_kg_build_interrupted_gives_a_clean_message(previous, sig, code):
    out = previous["out"]
    corpus = corpus_of_copies(previous["root"] / "sub", 5)
    proc = start_kg_build(corpus, out)
    try:
        time.sleep(0.3)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        end_group(proc)
    assert proc.returncode == code, stderr
    assert "Interrupted: previous exports are intact." in stderr and "Traceback" not in stderr
    check_intact(out, previous["before"])


@pytest.mark.model
def test_kill_kg_build_sigkill_subprocess(previous):
    out = previous["out"]
    corpus = corpus_of_copies(previous["root"] / "sub-kill", 5)
    proc = start_kg_build(corpus, out)
    try:
        time.sleep(random.uniform(0.1, 1.0))
        proc.kill()
        proc.communicate(timeout=60)
    finally:
        end_group(proc)
    assert proc.returncode == -signal.SIGKILL
    check_intact(out, previous["before"])


@pytest.mark.model
def test_kill_ctrl_c_with_worker_processes_is_clean(previous):
    """Ctrl-C in a terminal reaches the whole process group: the workers too."""
    out = previous["out"]
    corpus = corpus_of_copies(previous["root"] / "sub-jobs", 8)
    (corpus / "zz-empty.txt").write_text("")
    proc = subprocess.Popen([str(KG), "build", str(corpus), "-o", str(out), "--no-view", "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert "zz-empty.txt: empty text" in proc.stderr.readline()
        time.sleep(2.0)                       # the worker processes are starting
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        end_group(proc)
    check_intact(out, previous["before"])
    assert proc.returncode == cli.EXIT_INTERRUPTED
    assert "Interrupted: previous exports are intact." in stderr and "Traceback" not in stderr
