"""A quotation as a PDF, in Vietnamese, rendered with fpdf2 and the Source Sans Pro font of the
`font-source-sans-pro` package (it has every Vietnamese glyph, and the đồng sign)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import font_source_sans_pro
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.pipeline.schemas import QuotationOut

FONT = "SourceSansPro"
# ISO 4217 minor units; every other currency we quote in has two.
_EXPONENTS = {"VND": 0, "JPY": 0, "KRW": 0}
# Column widths (mm) of the lines table, on an A4 page with 15 mm margins: 180 mm.
_COLUMNS = (("STT", 10, "C"), ("Sản phẩm / Diễn giải", 62, "L"), ("SL", 16, "R"), ("Đơn giá", 26, "R"),
            ("Giảm", 22, "R"), ("Thuế", 18, "R"), ("Thành tiền", 26, "R"))


def money(amount: int, currency: str) -> str:
    """1234567 VND → "1.234.567 ₫"; 123456 USD → "1.234,56 USD" (Vietnamese separators)."""
    exponent = _EXPONENTS.get(currency, 2)
    whole, cents = divmod(abs(amount), 10**exponent)
    text = f"{whole:,}".replace(",", ".")
    if exponent:
        text += f",{cents:0{exponent}d}"
    sign = "-" if amount < 0 else ""
    return f"{sign}{text} ₫" if currency == "VND" else f"{sign}{text} {currency}"


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def fit(pdf: FPDF, text: str, width: float) -> str:
    """`text`, cut with an ellipsis so that it fits a cell `width` mm wide."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def document(title: str, orientation: Literal["portrait", "landscape"] = "portrait", margin: float = 15) -> FPDF:
    """An A4 document with the Vietnamese-capable font loaded (regular `""` and bold `"B"` of `FONT`); reporting's
    printed reports start from it too."""
    pdf = FPDF(orientation=orientation, format="A4")
    pdf.set_margins(margin, margin, margin)
    pdf.add_font(FONT, "", font_source_sans_pro.font_files_ttf["SourceSansPro"])
    pdf.add_font(FONT, "B", font_source_sans_pro.font_files_ttf["SourceSansProBold"])
    pdf.set_title(title)
    return pdf


def render(quotation: QuotationOut) -> bytes:
    pdf = document(f"Báo giá {quotation.number}")
    pdf.add_page()

    def line(text: str, size: int = 10, style: str = "", align: str = "L") -> None:
        pdf.set_font(FONT, style, size)
        pdf.multi_cell(0, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line("BÁO GIÁ", 18, "B", "C")
    line(f"Số: {quotation.number} (phiên bản {quotation.revision})", 11, align="C")
    pdf.ln(4)
    line(f"Kính gửi: {quotation.customer_name}", 12, "B")
    line(f"Ngày báo giá: {quotation.quoted_on:%d/%m/%Y}    Hiệu lực đến: {quotation.valid_until:%d/%m/%Y}")
    pdf.ln(3)

    pdf.set_font(FONT, "B", 9)
    for title, width, _ in _COLUMNS:
        pdf.cell(width, 7, title, border=1, align="C")
    pdf.ln()
    pdf.set_font(FONT, "", 9)
    for index, item in enumerate(quotation.lines, start=1):
        name = " ".join(filter(None, [item.product_code, item.description]))
        discount = item.gross - item.net
        if item.policy:
            name += f" (CS: {item.policy.name})"
        cells = (str(index), name, f"{_number(item.quantity)} {item.unit or ''}".strip(),
                 money(item.unit_price, quotation.currency), money(discount, quotation.currency),
                 f"{_number(item.tax_percent)}%", money(item.total, quotation.currency))
        for (_, width, align), text in zip(_COLUMNS, cells, strict=True):
            pdf.cell(width, 7, fit(pdf, text, width - 2), border=1, align=align)
        pdf.ln()
        for part in item.parts:  # a bundle's parts, under its line: priced as one, listed so the buyer sees them
            pdf.set_font(FONT, "", 8)
            pdf.cell(_COLUMNS[0][1], 6, "", border="LR")
            text = f"  • {_number(part.quantity)} × {part.code} {part.name}"
            rest = sum(width for _, width, _ in _COLUMNS[1:])
            pdf.cell(rest, 6, fit(pdf, text, rest - 2), border="LR", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_font(FONT, "", 9)
    pdf.ln(3)
    for label, amount in (("Cộng tiền hàng", quotation.subtotal), ("Chiết khấu", quotation.discount_total),
                          ("Tiền trước thuế", quotation.untaxed_total), ("Thuế GTGT", quotation.tax_total),
                          ("Tổng thanh toán", quotation.total)):
        pdf.set_font(FONT, "B" if label == "Tổng thanh toán" else "", 10)
        pdf.cell(140, 6, label, align="R")
        pdf.cell(40, 6, money(amount, quotation.currency), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if quotation.notes:
        pdf.ln(4)
        line("Ghi chú:", 10, "B")
        line(quotation.notes)
    return bytes(pdf.output())
