"""Reading an import file row by row (CSV or XLSX, never the whole file in memory) and checking each row.

A row becomes an `ImportRow` (the clean values of the mapped customer fields) or `RowError`s naming the field
and saying what is wrong in Vietnamese and English. The API's own types and rules apply: phone numbers, tax
code checksums, e-mail form, the lists of kinds, stages and needs.
"""

from __future__ import annotations

import codecs
import csv
import datetime
from collections.abc import Iterator, Mapping
from typing import IO, Annotated, Any, Union, get_args

import msgspec
import openpyxl

from infra.problems import ProblemError, field_error_from_message
from services.contacts.schemas import (
    CustomerKind,
    Email,
    ImportField,
    Industry,
    LifecycleStage,
    Name,
    NeedsStatus,
    Notes,
    Phone,
    TaxCode,
    Website,
)
from services.contacts.service.fields import check_tax_code, normalise_phone

FIELDS: tuple[str, ...] = get_args(ImportField)
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")]
# Each field's type, as the API checks it; a blank cell is no value.
FIELD_TYPES: dict[str, Any] = {
    "code": Code, "name": Name, "kind": CustomerKind, "email": Email, "phone": Phone, "tax_code": TaxCode,
    "website": Website, "industry": Industry, "lifecycle_stage": LifecycleStage, "needs_status": NeedsStatus,
    "notes": Notes,
}


class RowError(msgspec.Struct, frozen=True):
    row: int  # the line in the file; the header is line 1
    field: str
    code: str
    message_vi: str
    message_en: str


class ImportRow(msgspec.Struct, kw_only=True):
    row: int
    values: dict[str, str]  # clean values of the fields the row gives


class FileProblem(ProblemError):
    """The file as a whole cannot be imported (unreadable, no header, a mapped column missing)."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(422, "validation_error", vi, en, errors=[("file", "invalid_file", vi, en)])


def _cell_text(value: Any) -> str:
    """A cell as text: Excel keeps numbers such as tax codes as numbers, and dates as dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def read_rows(file: IO[bytes], file_format: str) -> Iterator[list[str]]:
    """Every row of the file as text cells, the header first. CSV is UTF-8 (a BOM is allowed), any dialect
    the sniffer recognises (comma, semicolon, tab); XLSX is read from its first sheet in read-only mode."""
    if file_format == "xlsx":
        try:
            workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise FileProblem("Tệp không phải bảng tính XLSX.", f"The file is not an XLSX workbook: {exc}") from None
        try:
            sheet = workbook.worksheets[0]
            for cells in sheet.iter_rows(values_only=True):
                yield [_cell_text(cell) for cell in cells]
        finally:
            workbook.close()
        return
    sample = file.read(8192).decode("utf-8-sig", errors="ignore")
    file.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        for record in csv.reader(codecs.iterdecode(file, "utf-8-sig"), dialect):
            yield [cell.strip() for cell in record]
    except UnicodeDecodeError:
        raise FileProblem("Tệp CSV phải được mã hoá UTF-8.", "A CSV file must be encoded in UTF-8.") from None


def column_indexes(header: list[str], mapping: Mapping[str, str]) -> dict[str, int]:
    """Customer field -> column index. Without a mapping, a header that is a field's name maps to it."""
    positions = {name.strip(): index for index, name in enumerate(header) if name.strip()}
    if not mapping:
        mapping = {name: name.lower() for name in positions if name.lower() in FIELDS}
    missing = sorted(set(mapping) - set(positions))
    if missing:
        names = ", ".join(missing)
        raise FileProblem(f"Tệp không có cột: {names}.", f"The file has no column: {names}.")
    fields = list(mapping.values())
    if len(set(fields)) != len(fields):
        raise FileProblem("Hai cột được gán cho cùng một trường.", "Two columns are mapped to the same field.")
    if not fields:
        raise FileProblem("Không cột nào được gán cho trường khách hàng.", "No column is mapped to a customer field.")
    return {field: positions[header_name] for header_name, field in mapping.items()}


def _leading_zero_restored(field: str, raw: str) -> str:
    """Spreadsheets drop the leading zero of numbers: a 9-digit phone (912345678) or a 9- or 12-digit tax code
    (100109106) gets it back."""
    if raw.isdigit() and ((field == "phone" and len(raw) == 9) or (field == "tax_code" and len(raw) in (9, 12))):
        return "0" + raw
    return raw


def _problem_errors(row: int, exc: ProblemError) -> list[RowError]:
    return [RowError(row, field, code, vi, en) for field, code, vi, en in exc.errors]


# All the fields of a row as one type, so a good row is checked in one `msgspec.convert` (the import's hot path).
_ROW_TYPE: Any = msgspec.defstruct("_RowValues", [(name, Union[FIELD_TYPES[name], msgspec.UnsetType],  # noqa: UP007
                                                   msgspec.UNSET) for name in FIELDS], kw_only=True)


def _clean(field: str, value: str) -> str:
    """The canonical form of a value of the right type (raises ProblemError when it is still wrong)."""
    if field == "phone":
        return normalise_phone(value)
    if field == "tax_code":
        return check_tax_code(value)
    if field == "email":
        return value.lower()
    return value


def check_row(row: int, cells: list[str], columns: Mapping[str, int]) -> ImportRow | list[RowError]:
    """The row's clean values, or everything wrong with it."""
    given: dict[str, str] = {}
    for field, index in columns.items():
        raw = _leading_zero_restored(field, cells[index]) if index < len(cells) else ""
        if raw:
            given[field] = raw
    try:
        msgspec.convert(given, _ROW_TYPE)
        return ImportRow(row=row, values={field: _clean(field, value) for field, value in given.items()})
    except (msgspec.ValidationError, ProblemError):
        return _errors_of(row, given)


def _errors_of(row: int, given: dict[str, str]) -> list[RowError]:
    """Everything wrong with a row, field by field."""
    errors: list[RowError] = []
    for field, raw in given.items():
        try:
            _clean(field, msgspec.convert(raw, FIELD_TYPES[field]))
        except msgspec.ValidationError as exc:
            error = field_error_from_message(str(exc), field)
            errors.append(RowError(row, field, error.code, error.message_vi, error.message_en))
        except ProblemError as exc:
            errors += _problem_errors(row, exc)
    return errors
