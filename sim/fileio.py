"""Atomic file output and the educational-only statement.

Every file the package writes goes through :func:`atomic_path`: the content is
written to a temporary file in the destination folder and moved into place
with :func:`os.replace`, so an interrupted run never leaves a half-written
figure or CSV behind and never destroys the previous good copy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "EDUCATIONAL_LABEL",
    "EDUCATIONAL_STATEMENT",
    "SIGNIFICANT_DIGITS",
    "atomic_path",
    "atomic_write_text",
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
