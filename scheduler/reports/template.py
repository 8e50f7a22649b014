"""The bundled Word template of a report (Hướng dẫn 36-HD/VPTW), with docxtpl tags.

The form lives in the template, the data in code: ``documents`` only fills the tags. An
office that wants another look exports this template (``lichct report template``), edits
it in Word and names it in ``[report] template``; the tags below are all it must keep.

Tags: ``superior issuer party number date_line title subject intro closing`` and the
lists ``body`` (each block has ``kind`` in h1, h2, h3, item, text and ``text``),
``recipients``; the signature ``signer_on_behalf signer_title signer_name``.
"""

from __future__ import annotations

import io

FONT = "Times New Roman"
# A4, margins of Hướng dẫn 36-HD/VPTW (top 20-25, bottom 20-25, left 30-35, right 15-20 mm).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
BODY_PT = 14


def build_template() -> bytes:
    """The default report template as .docx bytes (python-docx, no hand-written XML)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])

    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    def paragraph(
        container: object,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        underline: bool = False,
        size: float | None = None,
        align: WD_ALIGN_PARAGRAPH | None = None,
        indent: bool = False,
        after: float = 0,
    ) -> None:
        par = container.add_paragraph()  # type: ignore[attr-defined]
        if text:
            run = par.add_run(text)
            run.bold, run.italic, run.underline = bold, italic, underline
            if size is not None:
                run.font.size = Pt(size)
        par.alignment = align
        if indent:
            par.paragraph_format.first_line_indent = Mm(10)
        par.paragraph_format.space_after = Pt(after)

    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY

    def borderless_table(widths_mm: tuple[int, int], rows: int) -> object:
        table = document.add_table(rows=rows, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for row in table.rows:
            for cell, width in zip(row.cells, widths_mm, strict=True):
                cell.width = Mm(width)
                # A new cell holds one empty paragraph; the template adds its own.
                cell._element.remove(cell.paragraphs[0]._element)
        return table

    # Letterhead: issuing body on the left, the Party and the place and date on the right.
    head = borderless_table((70, 95), 4)
    left = [
        ("{{ superior }}", False, False, False),
        ("{{ issuer }}", True, False, False),
        ("*", False, False, False),
        ("Số {{ number }}", False, False, False),
    ]
    right = [
        ("{{ party }}", True, False, True),
        ("", False, False, False),
        ("", False, False, False),
        ("{{ date_line }}", False, True, False),
    ]
    for row, (l_text, l_bold, _, _), (r_text, r_bold, r_italic, r_under) in zip(
        head.rows,  # type: ignore[attr-defined]
        left,
        right,
        strict=True,
    ):
        paragraph(row.cells[0], l_text, bold=l_bold, align=center)
        paragraph(
            row.cells[1], r_text, bold=r_bold, italic=r_italic, underline=r_under, align=center
        )

    paragraph(document, "")
    paragraph(document, "{{ title }}", bold=True, size=16, align=center)
    paragraph(document, "{{ subject }}", bold=True, align=center)
    paragraph(document, "-----", align=center, after=12)
    paragraph(document, "{{ intro }}", align=justify, indent=True, after=6)

    # The body: one block per paragraph; each kind keeps its own look.
    paragraph(document, "{%p for block in body %}")
    paragraph(document, '{%p if block.kind == "h1" %}')
    paragraph(document, "{{ block.text }}", bold=True, align=justify, indent=True, after=6)
    paragraph(document, '{%p elif block.kind == "h2" %}')
    paragraph(document, "{{ block.text }}", bold=True, align=justify, indent=True, after=6)
    paragraph(document, '{%p elif block.kind == "h3" %}')
    paragraph(document, "{{ block.text }}", italic=True, align=justify, indent=True, after=6)
    paragraph(document, "{%p else %}")
    paragraph(document, "{{ block.text }}", align=justify, indent=True, after=6)
    paragraph(document, "{%p endif %}")
    paragraph(document, "{%p endfor %}")
    paragraph(document, "{{ closing }}", align=justify, indent=True, after=12)

    # Recipients on the left, the signature on the right.
    sign = borderless_table((75, 90), 1)
    cells = sign.rows[0].cells  # type: ignore[attr-defined]
    paragraph(cells[0], "Nơi nhận:", underline=True)
    paragraph(cells[0], "{%p for line in recipients %}")
    paragraph(cells[0], "- {{ line }}", size=12)
    paragraph(cells[0], "{%p endfor %}")
    paragraph(cells[1], "{{ signer_on_behalf }}", bold=True, align=center)
    paragraph(cells[1], "{{ signer_title }}", bold=True, align=center, after=60)
    paragraph(cells[1], "{{ signer_name }}", bold=True, align=center)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
