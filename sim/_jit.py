"""Lazy numba compilation for the reflex kernel (no numba import until a probe runs).

The right-hand side of the reflex circuit is written **once**, as plain Python
functions in the stage modules (:mod:`sim.spindle`, :mod:`sim.synapse`,
:mod:`sim.motoneuron`, :mod:`sim.muscle`, :mod:`sim.protocols`) and
:mod:`sim.circuit`.  They use only arithmetic and numpy ufuncs, so the same
function

* runs as ordinary numpy code on arrays (the stage modules' public functions
  call it, and :func:`sim.solvers.reference_probe` drives it through
  :func:`scipy.integrate.solve_ivp`), and
* is compiled by numba into the fixed-step kernel of :mod:`sim.solvers`.

Every marked function is compiled with numpy's error model (a division by zero gives
``inf``/``nan``, which the drivers check for, instead of raising): Python's model puts a
zero test before every division, and that branch alone kept LLVM from vectorising the
unit loop (measured: a right-hand side 1.6–1.8× slower).

:func:`kernel_function` only *marks* such a function; nothing is imported.
:func:`compile_kernel` imports numba, registers every marked function with
:func:`numba.extending.register_jitable` (which keeps the Python function as
it is and teaches numba to compile calls to it), and returns the compiled
kernel.  Compiled code is cached on disk, in a folder named after a hash of
the source of every module involved (and of the install location), so editing
any stage equation gives a fresh compilation instead of a stale cache (numba's
own cache check only looks at the kernel's file).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["kernel_function", "inlined_kernel_function", "kernel_body", "compile_kernel", "cache_folder",
           "is_cached", "prune_stale_caches", "STALE_CACHE_DAYS"]

F = TypeVar("F", bound=Callable[..., Any])
_MARKED: list[Callable[..., Any]] = []
_ANNOUNCED: list[bool] = []
_REGISTERED: set[Callable[..., Any]] = set()
_INLINED: set[Callable[..., Any]] = set()
_BODIES: list[Callable[..., Any]] = []


def kernel_function(function: F) -> F:
    """Mark *function* as part of the compiled reflex kernel (returns it unchanged)."""
    _MARKED.append(function)
    return function


def inlined_kernel_function(function: F) -> F:
    """:func:`kernel_function`, inlined into its callers by numba (for small loops in hot paths).

    A marked function is otherwise compiled on its own; for a short loop over arrays that
    costs several times the loop (measured: a 100-state cubic interpolation 280–500 ns on its
    own, 40–50 ns inlined).  Inlining everything would make compiling take many minutes.
    """
    _INLINED.add(function)
    return kernel_function(function)


def kernel_body(function: F) -> F:
    """:func:`kernel_function`, compiled as a numba function of its own: the body of a parallel loop.

    numba's parallel lowering types a ``prange`` loop's body a second time, in the
    function it builds for the threads, and there a registered helper is compiled once
    more (measured: the probe body 19 s, then 10 s again, of a 46 s first compilation).
    A compiled function (dispatcher) keeps its compiled code, so the second typing finds
    it – if the arguments have the same types: the loop passes its index as
    ``np.int64(i)`` (numba types it uint64 there).  :func:`compile_kernel` rebinds the
    module's name to that compiled function; the body has no pure-Python callers.
    """
    _BODIES.append(function)
    return kernel_function(function)


def _source_hash() -> str:
    modules = {inspect.getmodule(f) for f in _MARKED}
    modules |= {sys.modules[__name__], sys.modules.get("sim.solvers"), sys.modules.get("sim.circuit")}
    digest = hashlib.sha256()
    # The install location too: numba keys its cache files by source path, so a second copy of the
    # same sources (a wheel beside a checkout) compiles once more, and is announced as such.
    digest.update(str(Path(__file__).resolve().parent).encode())
    # The pool size is a compile-time constant that can be changed for convergence checks.
    units = os.environ.get("SPINAL_REFLEX_SIM_UNITS", "32").strip()
    digest.update(b"" if units == "32" else units.encode())
    for module in sorted((m for m in modules if m is not None), key=lambda m: m.__name__):
        try:
            digest.update(Path(inspect.getfile(module)).read_bytes())
        except (OSError, TypeError):
            digest.update(module.__name__.encode())
    return digest.hexdigest()[:16]


def cache_folder() -> Path:
    """Where compiled kernels are cached: ``$XDG_CACHE_HOME`` (or ``~/.cache``)/spinal-reflex-sim/numba-<hash>."""
    from . import __version__

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "spinal-reflex-sim" / f"numba-{__version__}-{_source_hash()}"


def _chosen_cache_folder() -> Path:
    """The folder numba caches in: NUMBA_CACHE_DIR if the user (or :func:`_use_cache_folder`) set it, else :func:`cache_folder`."""
    return Path(os.environ["NUMBA_CACHE_DIR"]) if os.environ.get("NUMBA_CACHE_DIR") else cache_folder()


#: A cache folder of another version (or install location) that no process has used for this
#: many days is removed when a new folder is made: each gets its own folder, 2–4 MB, and
#: upgrading or reinstalling would otherwise leave the old ones behind for good.
STALE_CACHE_DAYS = 30


def prune_stale_caches(keep: Path, *, now: float | None = None) -> list[Path]:
    """Remove the sibling ``numba-*`` folders of *keep* unused for :data:`STALE_CACHE_DAYS` days.

    "Used" is the folder's modification time, which :func:`_use_cache_folder` renews in
    every process that runs a kernel.  Only folders named like the package's own are
    touched; what cannot be removed is left.  Returns the folders removed.
    """
    import shutil
    import time

    oldest = (time.time() if now is None else now) - STALE_CACHE_DAYS * 86400.0
    removed = []
    for sibling in sorted(keep.parent.glob("numba-*")):
        try:
            stale = sibling != keep and sibling.is_dir() and not sibling.is_symlink() \
                and sibling.stat().st_mtime < oldest
        except OSError:
            continue
        if stale:
            shutil.rmtree(sibling, ignore_errors=True)
            if not sibling.exists():
                removed.append(sibling)
    return removed


def _use_cache_folder() -> Path | None:
    """Point numba's cache at :func:`cache_folder` unless the user chose one (NUMBA_CACHE_DIR).

    Marks the folder as used (its modification time) and, when it is new, removes stale
    folders of other versions (:func:`prune_stale_caches`).  A folder the user chose is
    neither marked nor pruned around.
    """
    folder = _chosen_cache_folder()
    if os.environ.get("NUMBA_CACHE_DIR"):
        return folder
    new = not folder.is_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)
    except OSError:
        return None  # read-only home: numba falls back to its own locations (or compiles each time)
    if new:
        prune_stale_caches(folder)
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    if "numba" in sys.modules:
        sys.modules["numba"].config.CACHE_DIR = str(folder)
    return folder


def is_cached(function: Callable[..., Any]) -> bool:
    """Whether a compiled build of *function* is on disk (a quick look for numba's index file; no numba import).

    A build for another signature or processor still counts: this only tells whether the
    first call will most likely compile.
    """
    folder = _chosen_cache_folder()
    return folder.is_dir() and any(folder.rglob(f"*{function.__name__}*.nbi"))


@functools.lru_cache(maxsize=None)
def compile_kernel(function: Callable[..., Any], parallel: bool = False) -> Callable[..., Any]:
    """Compile *function* (and every marked function it calls) with numba, cached on disk.

    If no cached build exists, one line on stderr says that compiling takes a while,
    once per installation; later processes load the cache in well under a second.
    """
    folder = _use_cache_folder()
    fresh = folder is None or not is_cached(function)
    from .fileio import _interrupts_deferred

    with _interrupts_deferred():  # Ctrl-C inside llvmlite's initialisation would leave it half-made
        import numba
        from numba.extending import register_jitable

    # numba's inliner trips its own pedantic scope check on the partial sums of an inlined
    # reduction (the compiled code is right: the kernel is checked against solve_ivp and the
    # committed outputs bit for bit); silence that one message for our functions only.
    warnings.filterwarnings("ignore", message=r"variable '_share_sum_\S*' is not in scope",
                            category=numba.errors.NumbaIRAssumptionWarning)

    for marked in _MARKED:
        if marked not in _REGISTERED:  # once each: numba keeps every registration
            if marked in _BODIES:
                setattr(sys.modules[marked.__module__], marked.__name__,
                        numba.njit(cache=True, fastmath=False, error_model="numpy")(marked))
            elif marked in _INLINED:
                register_jitable(error_model="numpy", inline="always")(marked)
            else:
                register_jitable(error_model="numpy")(marked)
            _REGISTERED.add(marked)
    compiled = numba.njit(cache=True, parallel=parallel, fastmath=False, error_model="numpy")(function)
    if fresh and not _ANNOUNCED:
        _ANNOUNCED.append(True)
        print("spinal-reflex-sim: compiling the simulation kernels, once per installation "
              "(about a minute) …", file=sys.stderr, flush=True)
    return compiled
