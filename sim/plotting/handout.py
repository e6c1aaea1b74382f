"""A lecture handout: every gallery figure on its own PDF page, with caption, notes and questions.

:func:`write_handout` lays out one A4 landscape page per figure – the figure's
title, the PNG as drawn by the gallery, its caption, "what to notice" and the
questions for students – after a cover page that lists the figures; the
educational-only statement is printed on every page and stored in the PDF's
metadata.  The file is written atomically and is byte-identical from one run to
the next (no creation date is stored).

Examples
--------
>>> import tempfile, pathlib, numpy as np
>>> from PIL import Image
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> Image.fromarray(np.full((90, 160, 3), 200, dtype=np.uint8)).save(folder / "a.png")
>>> page = HandoutPage(title="A figure", image=folder / "a.png", caption="What it shows.",
...                    notice=("One thing.",), questions=("Why?",))
>>> path = write_handout([page], folder / "handout.pdf")
>>> page_count(path)
2
"""

from __future__ import annotations

import dataclasses
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from ..fileio import EDUCATIONAL_STATEMENT, atomic_path

__all__ = ["HandoutPage", "handout_figures", "write_handout", "page_count"]

_A4_LANDSCAPE_IN = (11.69, 8.27)
_WRAP = 175  # characters per line of body text at ≤ 9 pt on A4 landscape
_TEXT_TOP, _TEXT_BOTTOM = 0.385, 0.06  # figure fractions available for the text below the image


@dataclasses.dataclass(frozen=True)
class HandoutPage:
    """One handout page: a figure (PNG) with its title, caption, what to notice and questions."""

    title: str
    image: Path
    caption: str = ""
    notice: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()


def _wrapped(lines: Sequence[str], bullet: str) -> str:
    out = []
    for line in lines:
        out.extend(textwrap.wrap(line, _WRAP, initial_indent=bullet, subsequent_indent=" " * len(bullet)))
    return "\n".join(out)


def _footer(fig: Any, number: int, total: int) -> None:
    fig.text(0.03, 0.02, EDUCATIONAL_STATEMENT, fontsize=7.5, color="#444444", ha="left", va="bottom",
             wrap=True)
    fig.text(0.97, 0.02, f"{number} / {total}", fontsize=8, color="#444444", ha="right", va="bottom")


def handout_figures(pages: Sequence[HandoutPage], *, title: str = "spinal-reflex-sim – lecture handout"
                    ) -> Iterator[Any]:
    """Yield the handout's matplotlib figures: a cover, then one per page (for saving or checking)."""
    import matplotlib.image as mpimg
    from matplotlib.figure import Figure

    total = len(pages) + 1
    cover = Figure(figsize=_A4_LANDSCAPE_IN)
    cover.text(0.5, 0.86, title, fontsize=22, weight="bold", ha="center")
    cover.text(0.5, 0.79, "Educational illustration – not for clinical use", fontsize=14, ha="center",
               color="#b00020")
    contents = "\n".join(f"{i}.  {page.title}" for i, page in enumerate(pages, 2))
    cover.text(0.08, 0.72, contents, fontsize=11, ha="left", va="top", linespacing=1.6)
    _footer(cover, 1, total)
    yield cover
    for number, page in enumerate(pages, 2):
        if not Path(page.image).is_file():
            raise ParameterError(f"handout: figure image {str(page.image)!r} does not exist (build the gallery "
                                 "with 'png' among the formats first)")
        fig = Figure(figsize=_A4_LANDSCAPE_IN)
        image = mpimg.imread(str(page.image))
        ax = fig.add_axes((0.03, 0.40, 0.94, 0.58))  # the figure carries its own title
        ax.imshow(image, interpolation="antialiased")
        ax.set_axis_off()
        body = []
        if page.caption:
            body.append(_wrapped([page.caption], ""))
        if page.notice:
            body.append("What to notice\n" + _wrapped(page.notice, "•  "))
        if page.questions:
            body.append("Questions\n" + _wrapped(page.questions, "–  "))
        text = "\n\n".join(body)
        # Shrink the text (9 pt at most) until it fits between the image and the footer.
        available_pt = (_TEXT_TOP - _TEXT_BOTTOM) * _A4_LANDSCAPE_IN[1] * 72.0
        size = min(9.0, available_pt / (1.3 * max(1, text.count("\n") + 1)))
        fig.text(0.03, _TEXT_TOP, text, fontsize=size, ha="left", va="top", linespacing=1.3)
        _footer(fig, number, total)
        yield fig


def write_handout(pages: Sequence[HandoutPage], path: str | Path, *,
                  title: str = "spinal-reflex-sim – lecture handout") -> Path:
    """Write the handout PDF (cover + one page per figure) atomically; return its path.

    Raises
    ------
    ParameterError
        If there are no pages, the path does not end in ``.pdf`` or an image is missing.
    """
    from matplotlib.backends.backend_pdf import PdfPages

    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise ParameterError(f"handout = {str(path)!r} must end in .pdf")
    if not pages:
        raise ParameterError("handout: no figures to put in it")
    metadata = {"Title": title, "Subject": EDUCATIONAL_STATEMENT, "Creator": "spinal-reflex-sim",
                "CreationDate": None, "ModDate": None}
    with atomic_path(path) as tmp, PdfPages(tmp, metadata=metadata) as pdf:
        for fig in handout_figures(pages, title=title):
            pdf.savefig(fig)
    return path


def page_count(path: str | Path) -> int:
    """Number of pages of a PDF written by :func:`write_handout` (counts its page objects)."""
    data = Path(path).read_bytes()
    return data.count(b"/Type /Page") - data.count(b"/Type /Pages")
