"""Atomic file output and the educational-only statement.

Every file the package writes goes through :func:`atomic_path`: the content is
written to a temporary file in the destination folder and moved into place
with :func:`os.replace`, so an interrupted run never leaves a half-written
figure or CSV behind and never destroys the previous good copy.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["EDUCATIONAL_LABEL", "EDUCATIONAL_STATEMENT", "atomic_path", "atomic_write_text"]

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
