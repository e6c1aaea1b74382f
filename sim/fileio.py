"""Safe file output and the educational-only statement.

Three layers keep outputs whole:

* :func:`check_output_dir` / :func:`check_output_file` check a destination
  *before* any computing starts (not a file, not under a file, writable);
* :func:`staged_output` collects a whole result set in a hidden temporary
  folder inside the destination and moves the files into place only when the
  set is complete, so a failed or interrupted run leaves nothing behind;
* :func:`atomic_path` writes each file to a temporary name and moves it into
  place with :func:`os.replace`, so a reader never sees half a file and the
  previous good copy survives a crash.

:func:`check_formats` is the one place that checks figure formats, and
:func:`check_file_stem` the one place that turns a name into a file name.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ParameterError

__all__ = [
    "EDUCATIONAL_LABEL",
    "EDUCATIONAL_STATEMENT",
    "SIGNIFICANT_DIGITS",
    "FORMATS",
    "FILE_STEM_PATTERN",
    "atomic_path",
    "atomic_write_text",
    "check_file_stem",
    "check_formats",
    "check_output_dir",
    "check_output_file",
    "staged_output",
    "build_date",
    "format_number",
    "plain",
    "round_significant",
]

#: Significant digits of every number the package writes (CSV data, CSV headers, JSON).
#: Rounding removes last-bit differences between machines (BLAS kernels, CPU types), so the
#: committed gallery is byte-identical wherever it is regenerated.
SIGNIFICANT_DIGITS = 10
_FORMAT = f"%.{SIGNIFICANT_DIGITS}g"

#: Short label carried by every figure, CSV and command-line output.
EDUCATIONAL_LABEL = "Educational illustration – not for clinical use"

#: Longer statement for file headers, notebooks and ``--help``.
EDUCATIONAL_STATEMENT = (
    "Educational illustration – not for clinical use. spinal-reflex-sim is a simplified "
    "teaching model of baclofen's mechanism; it gives no dosing advice and is not clinical "
    "decision support. Sedation is shown only as qualitative bands, never as a probability."
)


#: Figure formats the package writes (the command line's ``--format`` and :func:`sim.plotting.save_figure`).
FORMATS = ("png", "svg", "pdf")

#: What a scenario name or figure file stem may look like before it becomes part of a file
#: name: lower-case letters, digits, ``-`` and ``_``, at most 64 characters, no leading
#: ``-`` or ``_``.  No ``/``, ``..``, NUL or absolute path can pass, so every output stays
#: inside its output folder.
FILE_STEM_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")

#: Prefix of the hidden folder a result set is collected in (see :func:`staged_output`).
STAGING_PREFIX = ".partial-"


def check_formats(formats: str | Iterable[str], *, option: str | None = None) -> tuple[str, ...]:
    """Check figure formats and return them lower-cased, without repeats, in the order given.

    Parameters
    ----------
    formats : str or iterable of str
        ``"png"``, ``"png,svg"`` (comma-separated) or ``("png", "svg")``; a leading dot is
        dropped (``".pdf"``).
    option : str, optional
        The option the user typed (``"--format"``), quoted with their text in the message.

    Raises
    ------
    ParameterError
        For an empty list or an unknown format.

    Examples
    --------
    >>> check_formats("PNG, svg,png")
    ('png', 'svg')
    >>> check_formats("gif", option="--format")
    Traceback (most recent call last):
    ...
    sim.errors.ParameterError: --format = 'gif': format 'gif' is not supported; allowed formats: 'png', 'svg', 'pdf'
    """
    allowed = ", ".join(repr(f) for f in FORMATS)
    prefix = f"{option} = {formats!r}: " if option else ""
    if isinstance(formats, str):
        items: tuple[object, ...] = tuple(part.strip() for part in formats.split(",") if part.strip())
    else:
        try:
            items = tuple(formats)
        except TypeError:
            raise ParameterError(f"{prefix}formats = {formats!r} is not a list of formats; "
                                 f"allowed: {allowed}") from None
    if not items:
        raise ParameterError(f"{prefix}no format given; allowed: {allowed}" if prefix
                             else f"formats = {formats!r} is empty; allowed: {allowed}")
    checked: list[str] = []
    for item in items:
        fmt = item.lower().lstrip(".") if isinstance(item, str) else item
        if fmt not in FORMATS:
            raise ParameterError(f"{prefix}format {item!r} is not supported; allowed formats: {allowed}")
        if fmt not in checked:
            checked.append(str(fmt))
    return tuple(checked)


def check_file_stem(name: object, *, what: str = "name") -> str:
    """Return *name* if it is safe as (part of) a file name, else raise.

    Parameters
    ----------
    name : object
        A scenario name or figure file stem.
    what : str
        The key quoted in the message (``"name"``, ``"figure.file"``).

    Raises
    ------
    ParameterError
        Naming the key and the value and stating the pattern (:data:`FILE_STEM_PATTERN`).

    Examples
    --------
    >>> check_file_stem("dose-response")
    'dose-response'
    >>> check_file_stem("../escape", what="figure.file")
    Traceback (most recent call last):
    ...
    sim.errors.ParameterError: figure.file = '../escape' cannot be a file name: use 1–64 lower-case letters, digits, '-' or '_', starting with a letter or digit
    """
    if not isinstance(name, str) or not FILE_STEM_PATTERN.fullmatch(name):
        shown = repr(name) if not isinstance(name, str) or len(name) <= 80 else repr(name[:77] + "...")
        raise ParameterError(f"{what} = {shown} cannot be a file name: use 1–64 lower-case letters, "
                             "digits, '-' or '_', starting with a letter or digit")
    return name


def _shown_path(path: object) -> str:
    text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else str(path)
    return repr(text if len(text) <= 120 else text[:117] + "...")


def check_output_dir(folder: str | os.PathLike[str], *, option: str = "out_dir") -> Path:
    """Check, without creating anything, that *folder* can receive output files.

    The folder may exist (then it must be a writable folder) or not (then its nearest
    existing parent must be a writable folder).  Called before any computing starts, so a
    bad destination costs no time.

    Parameters
    ----------
    folder : path-like
        The destination folder.
    option : str
        The option or argument quoted in the message (``"--out"``).

    Raises
    ------
    ParameterError
        If *folder* is an existing file, lies under a file, or cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> base = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_dir(base / "new" / "folder") == base / "new" / "folder"
    True
    >>> (base / "notes.txt").write_text("x")
    1
    >>> check_output_dir(base / "notes.txt" / "sub", option="--out")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ParameterError: --out = '...sub': ...notes.txt' is a file, not a folder
    """
    text = os.fspath(folder)
    shown = _shown_path(folder)
    if not text or "\0" in text:
        raise ParameterError(f"{option} = {shown} is not a usable folder name")
    path = Path(text)
    try:
        if path.exists() and not path.is_dir():
            raise ParameterError(f"{option} = {shown} exists and is not a folder")
        ancestor = path
        while not ancestor.exists():
            if ancestor.parent == ancestor:
                break
            ancestor = ancestor.parent
        if ancestor.exists() and not ancestor.is_dir():
            raise ParameterError(f"{option} = {shown}: {str(ancestor)!r} is a file, not a folder")
    except OSError as error:  # e.g. a name longer than the file system allows
        raise ParameterError(f"{option} = {shown} cannot be used: {error.strerror}") from None
    if not os.access(ancestor, os.W_OK | os.X_OK):
        where = "" if ancestor == path else f" (its parent {str(ancestor)!r} is not)"
        raise ParameterError(f"{option} = {shown} is not a writable folder{where}")
    return path


def check_output_file(file: str | os.PathLike[str], *, option: str = "path") -> Path:
    """Check, without writing, that *file* can be written (not a folder; parent writable).

    Raises
    ------
    ParameterError
        If *file* is an existing folder or its folder cannot be made or written.
    """
    text = os.fspath(file)
    shown = _shown_path(file)
    if not text or "\0" in text:
        raise ParameterError(f"{option} = {shown} is not a usable file name")
    path = Path(text)
    try:
        is_dir = path.is_dir()
    except OSError as error:
        raise ParameterError(f"{option} = {shown} cannot be used: {error.strerror}") from None
    if is_dir:
        raise ParameterError(f"{option} = {shown} is a folder; give a file name (e.g. {str(path / 'model.md')!r})")
    try:
        check_output_dir(path.parent, option=option)
    except ParameterError as error:
        raise ParameterError(f"{option} = {shown}: cannot write there ({str(error).split(': ', 1)[-1]})") from None
    return path


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) for the block, then deliver it; a no-op outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received and previous is signal.default_int_handler:
            raise KeyboardInterrupt
        if received and callable(previous):
            previous(signal.SIGINT, None)


def _commit_order(path: Path) -> tuple[int, str]:
    # The provenance record and the gallery README describe the others: they go last.
    last = path.name.endswith("provenance.json") or path.name == "README.md"
    return (1 if last else 0, path.name)


@contextlib.contextmanager
def staged_output(folder: str | os.PathLike[str], *, option: str = "out_dir") -> Iterator[Path]:
    """Collect a result set in a hidden folder inside *folder*; move it into place when complete.

    The block writes its files into the yielded temporary folder
    (``<folder>/.partial-XXXX``).  When the block ends normally every file is moved into
    *folder* (Ctrl-C is held back during these few renames); when it raises or is
    interrupted, the temporary folder is deleted and *folder* is left exactly as it was
    (a folder created here is removed again if it stayed empty).  So a scenario's outputs
    appear together or not at all.

    Parameters
    ----------
    folder : path-like
        The destination (checked first with :func:`check_output_dir`).
    option : str
        The option or argument quoted in error messages.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with staged_output(out) as stage:
    ...     _ = (stage / "a.csv").write_text("1")
    >>> sorted(p.name for p in out.iterdir())
    ['a.csv']
    """
    final = check_output_dir(folder, option=option)
    missing = []
    ancestor = final
    while not ancestor.exists() and ancestor.parent != ancestor:
        missing.append(ancestor)
        ancestor = ancestor.parent
    shown = _shown_path(folder)
    try:
        final.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=final))
    except OSError as error:
        _remove_empty(missing)
        raise ParameterError(f"{option} = {shown} cannot be written: {error.strerror}") from None
    complete = False
    try:
        yield stage
        with _interrupts_deferred():
            for path in sorted((p for p in stage.iterdir() if p.is_file()), key=_commit_order):
                os.replace(path, final / path.name)
            complete = True
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if not complete:
            _remove_empty(missing)


def _remove_empty(folders: list[Path]) -> None:
    """Remove folders this package created (deepest first) if they are still empty."""
    for path in folders:
        try:
            path.rmdir()
        except OSError:
            return


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path that replaces *path* only if the block succeeds.

    Parameters
    ----------
    path : path-like
        Final destination.  Its folder is created if needed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> target.read_text()
    'hello'
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=final.suffix, dir=final.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp creates 0600 files; give the output the usual permissions (umask applied).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write *text* (UTF-8, ``\\n`` line ends) to *path* atomically and return the path."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    return Path(path)


def format_number(value: float) -> str:
    """The one text form of a number in every output file (10 significant digits).

    Examples
    --------
    >>> format_number(30.142498788318207), format_number(30.1424987883182)
    ('30.14249879', '30.14249879')
    """
    return _FORMAT % value


def round_significant(values: Any) -> np.ndarray:
    """Round a float array to :data:`SIGNIFICANT_DIGITS` (via the text form, so CSV == figure).

    Integer, boolean and string arrays are returned unchanged.

    Examples
    --------
    >>> round_significant([1.0 / 3.0, 2.0]).tolist()
    [0.3333333333, 2.0]
    """
    array = np.asarray(values)
    if array.dtype.kind not in "fc" or array.size == 0:
        return array
    return np.asarray(np.char.mod(_FORMAT, array.astype(float)), dtype=float).reshape(array.shape)


def plain(value: Any) -> Any:
    """A JSON-ready copy of *value*: floats rounded to 10 significant digits, arrays as lists.

    Used for CSV header lines and provenance files, so that metadata are written by the same
    rule as the data.

    Examples
    --------
    >>> plain({"csf_ng_ml": np.float64(30.142498788318207), "doses": np.array([10, 20])})
    {'csf_ng_ml': 30.14249879, 'doses': [10, 20]}
    """
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return float(format_number(value)) if np.isfinite(value) else str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return str(value)


def build_date(*, record: bool = True) -> str | None:
    """The date recorded in provenance files, or None.

    ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) wins when set; otherwise
    the current UTC time if *record*, else None (the committed gallery records no date, so
    regenerating it leaves the repository unchanged).
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        except (ValueError, OverflowError, OSError):
            moment = None
        if moment is not None:
            return moment.isoformat(timespec="seconds")
    if not record:
        return None
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
