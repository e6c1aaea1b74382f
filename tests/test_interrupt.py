"""Ctrl-C (SIGINT) stops `run` and `figures` promptly and leaves no incomplete result set.

The command runs in a subprocess; once it is computing (and, for `figures`, once its worker
processes exist and its first figure is done) it gets SIGINT.  Then: exit status 130, one line on stderr, the output
folder exactly as before (no staging folder, no partial set), and every worker process gone.
The time limits below are generous hang guards, not performance assertions.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")

HANG_GUARD_S = 60.0


def _children(pid: int) -> set[int]:
    """Every live descendant of *pid* (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _sigint_at_default() -> None:
    # A test run started in the background by a non-interactive shell inherits SIGINT ignored, and
    # so would the command (Python then installs no KeyboardInterrupt handler): give it the default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(arguments: list[str], cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "sim", *arguments], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_sigint_at_default)


def _wait_for_line(process: subprocess.Popen, prefix: str) -> None:
    deadline = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith(prefix):
            return
        if not line and process.poll() is not None:
            pytest.fail(f"the command ended before printing {prefix!r}: {process.stderr.read()}")
    pytest.fail(f"no line starting with {prefix!r}")


def _interrupt(process: subprocess.Popen) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=HANG_GUARD_S)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the command did not stop after SIGINT")
    return process.returncode, err


def _snapshot(folder: Path) -> list[tuple[str, bytes]]:
    return sorted((str(p.relative_to(folder)), p.read_bytes() if p.is_file() else b"")
                  for p in folder.rglob("*"))


def test_sigint_during_run_leaves_no_partial_set(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("an earlier result", encoding="utf-8")
    before = _snapshot(out)
    process = _start(["run", "routes", "--out", str(out), "--format", "png"], tmp_path)
    _wait_for_line(process, "running routes")
    time.sleep(1.5)
    status, err = _interrupt(process)
    if status == 0:  # finished before the signal arrived: then the set must be whole
        assert (out / "routes-provenance.json").exists() and (out / "routes.png").exists()
        return
    assert status == 130, err
    assert err.count("\n") == 1 and "interrupted" in err and "Traceback" not in err
    assert _snapshot(out) == before  # no CSV without its figure, no staging folder


def test_sigint_during_figures_stops_the_workers(tmp_path):
    out = tmp_path / "gallery"
    process = _start(["figures", "--out", str(out), "--jobs", "2", "--format", "png"], tmp_path)
    _wait_for_line(process, "building the figure gallery")
    deadline = time.monotonic() + HANG_GUARD_S
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:
        workers = _children(process.pid)
        time.sleep(0.2)
    assert workers, "no worker processes appeared"
    # Interrupt once the first figure is done: the command is then waiting on its workers,
    # which are computing the next ones (not still starting up).
    _wait_for_line(process, "[1/")
    workers |= _children(process.pid)
    status, err = _interrupt(process)
    assert status == 130, err
    assert err.count("\n") == 1 and "interrupted" in err and "Traceback" not in err
    deadline = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    assert not [pid for pid in workers if _alive(pid)], "worker processes outlived the interrupt"
    # The folder the command created is gone again: no partial gallery, no staging folder.
    assert not out.exists() or list(out.iterdir()) == []


def test_after_an_interrupt_the_shutdown_reports_nothing_more():
    """Exit status 130 keeps its one-line message: an exception ignored while the interpreter
    shuts down (as a worker pool's queue thread writing to a stopped worker raises) prints nothing."""
    code = ("import sys, threading, sim.__main__ as cli\n"
            "class Late:\n"
            "    def __del__(self):\n"
            "        raise OSError(9, 'Bad file descriptor')\n"
            "keep = Late()\n"
            "def fail():\n"
            "    raise OSError(9, 'Bad file descriptor')\n"
            "cli.main = lambda: (print('interrupted; one line', file=sys.stderr), 130)[1]\n"
            "threading.Thread(target=lambda: (threading.Event().wait(0.5), fail())).start()\n"
            "cli.console()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 130
    assert done.stderr == "interrupted; one line\n"
