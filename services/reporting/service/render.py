"""Writing a report's table to CSV (UTF-8 with a BOM, which Excel needs for Vietnamese), XLSX (openpyxl's
streaming mode) or PDF (fpdf2, landscape A4, with the font pipeline's quotations use)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Literal

import openpyxl
from fpdf.enums import XPos, YPos

from services.pipeline.service.quotation_pdf import FONT, document, fit, money

Kind = Literal["text", "int", "number", "money", "date", "percent"]


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str
    kind: Kind = "text"
    width: float = 1.0  # relative, on the PDF page


@dataclass(frozen=True)
class Table:
    title: str
    subtitle: str
    columns: Sequence[Column]
    language: str
    currency: str

    def headers(self) -> list[str]:
        return [column.vi if self.language == "vi" else column.en for column in self.columns]


def _plain(value: Any) -> Any:
    """A cell as a spreadsheet keeps it: numbers stay numbers, ids become text."""
    if value is None or isinstance(value, (int, float, str, datetime.date)):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def write_csv(table: Table, rows: Iterable[Sequence[Any]], file: IO[bytes]) -> None:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(table.headers())
    writer.writerows([_plain(value) for value in row] for row in rows)
    text.flush()
    text.detach()  # the caller still owns `file`


def write_xlsx(table: Table, rows: Iterable[Sequence[Any]], file: IO[bytes]) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title[:31])
    sheet.append([table.title])
    sheet.append([table.subtitle])
    sheet.append(table.headers())
    for row in rows:
        sheet.append([_plain(value) for value in row])
    workbook.save(file)  # type: ignore[arg-type]  # a file object is fine: it is handed to zipfile


def _text(value: Any, kind: Kind, currency: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return money(int(value), currency)
    if kind in ("int", "number"):
        number = Decimal(value)
        whole = f"{int(number):,}".replace(",", ".")
        rest = f"{abs(number) % 1:f}"[1:].rstrip("0").rstrip(".").replace(".", ",")
        return whole + rest
    if kind == "percent":
        return f"{value:.2f} %".replace(".", ",")
    if isinstance(value, datetime.datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def write_pdf(table: Table, rows: Iterable[Sequence[Any]], file: IO[bytes]) -> None:
    pdf = document(table.title, orientation="landscape", margin=10)
    page_width = pdf.w - 20
    total = sum(column.width for column in table.columns)
    widths = [page_width * column.width / total for column in table.columns]

    def header() -> None:
        pdf.set_font(FONT, "B", 8)
        for width, title in zip(widths, table.headers(), strict=True):
            pdf.cell(width, 7, fit(pdf, title, width - 1.5), border=1, align="C")
        pdf.ln()
        pdf.set_font(FONT, "", 8)

    pdf.add_page()
    pdf.set_font(FONT, "B", 15)
    pdf.cell(0, 8, table.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 6, table.subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    header()
    for row in rows:
        if pdf.will_page_break(6):
            pdf.add_page()
            header()
        for column, width, value in zip(table.columns, widths, row, strict=True):
            align = "L" if column.kind in ("text", "date") else "R"
            pdf.cell(width, 6, fit(pdf, _text(value, column.kind, table.currency), width - 1.5), border=1,
                     align=align)
        pdf.ln()
    file.write(bytes(pdf.output()))


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "pdf": write_pdf}
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "pdf": "application/pdf"}
