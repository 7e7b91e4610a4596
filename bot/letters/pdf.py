"""A rendered letter as an A4 PDF: the Russian document, then the copy in the worker's language.

Only the shipped DejaVu fonts are used (no network, no system fonts). The PDF's metadata holds
the template's title, the language and the date, never anything the worker told us.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import cast

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

from bot.letters.model import Paragraph, RenderedLetter, Style

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONTS = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}
FAMILY = "DejaVu"
MARGIN = 20.0        # mm on every side
HEADER_SHARE = 0.4   # the addressee block starts this far across the text width


class _LetterPdf(FPDF):
    """FPDF with a footer numbering pages within each section (the document, then the copy)."""

    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.section_start = 1
        self.footer_label = ""
        self._next_label: str | None = None

    def begin_section(self, footer_label: str) -> None:
        """A new page that is page 1 of a new section."""
        self._next_label = footer_label
        self.add_page()

    def header(self) -> None:  # runs on each new page, after the previous page's footer
        if self._next_label is not None:
            self.section_start, self.footer_label = self.page_no(), self._next_label
            self._next_label = None

    def footer(self) -> None:
        self.set_y(-MARGIN + 6)
        self.set_font(FAMILY, size=8)
        self.set_text_color(110)
        self.cell(0, 4, f"{self.footer_label}{self.page_no() - self.section_start + 1}", align=Align.C)
        self.set_text_color(0)


def make_pdf(letter: RenderedLetter, *, today: dt.date) -> bytes:
    """The document to sign (Russian) first; the copy starts on a new page under its note."""
    pdf = _new_pdf(letter.title, today)
    pdf.add_page()
    for paragraph in letter.paragraphs_ru:
        _paragraph(pdf, paragraph)
    pdf.begin_section(f"{today:%d.%m.%Y} · ")
    _note(pdf, letter.copy_title, letter.copy_note)
    for paragraph in letter.paragraphs_copy:
        _paragraph(pdf, paragraph)
    if letter.copy_advice:
        _advice(pdf, letter.copy_advice)
    return bytes(pdf.output())


def _new_pdf(title: str, today: dt.date) -> _LetterPdf:
    pdf = _LetterPdf()
    for style, file in FONTS.items():
        pdf.add_font(FAMILY, style=style, fname=str(file))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_title(_printable(title))
    pdf.set_lang("ru")
    pdf.set_creation_date(dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC))
    return pdf


# style -> (font style, size pt, line height mm, alignment, space after mm)
_LOOK: dict[Style, tuple[str, float, float, Align, float]] = {
    "header": ("", 10.5, 5.3, Align.L, 7),
    "title": ("B", 13, 6.5, Align.C, 5),
    "body": ("", 10.5, 5.3, Align.J, 2.4),
    "lines": ("", 10.5, 7.5, Align.L, 2.5),
}


def _paragraph(pdf: _LetterPdf, paragraph: Paragraph) -> None:
    font_style, size, line, align, after = _LOOK[paragraph.style]
    pdf.set_font(FAMILY, style=font_style, size=size)
    text = _printable(paragraph.text)
    x, width = pdf.l_margin, pdf.epw
    if paragraph.style == "header":
        x, width = pdf.l_margin + pdf.epw * HEADER_SHARE, pdf.epw * (1 - HEADER_SHARE)
    if paragraph.style != "body":  # keep address blocks, titles and lines to fill in on one page
        height = pdf.multi_cell(width, line, text, align=align, dry_run=True, output=MethodReturnValue.HEIGHT)
        if pdf.will_page_break(cast(float, height)):
            pdf.add_page()
    pdf.set_x(x)
    pdf.multi_cell(width, line, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(after)


def _note(pdf: _LetterPdf, title: str, note: str) -> None:
    pdf.set_fill_color(235, 235, 235)
    pdf.set_font(FAMILY, style="B", size=12)
    pdf.multi_cell(0, 6.5, _printable(title), fill=True, padding=(3, 3, 1, 3),
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=10.5)
    pdf.multi_cell(0, 5.4, _printable(note), fill=True, padding=(1, 3, 3, 3),
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)


def _advice(pdf: _LetterPdf, advice: str) -> None:
    pdf.ln(4)
    if pdf.will_page_break(20):
        pdf.add_page()
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(4)
    pdf.set_font(FAMILY, size=10)
    pdf.multi_cell(0, 5.2, _printable(advice), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _printable(text: str) -> str:
    """Drop what the fonts cannot draw (emoji, say) instead of printing empty boxes."""
    glyphs = _glyphs()
    return "".join(ch for ch in text if ch == "\n" or ord(ch) in glyphs)


@cache
def _glyphs() -> frozenset[int]:
    maps = []
    for file in FONTS.values():
        with TTFont(str(file), lazy=True) as font:
            maps.append(frozenset(font.getBestCmap()))
    return frozenset.intersection(*maps)
