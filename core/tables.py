"""Spreadsheets in and out: a CSV or xlsx file read as rows of named cells, and rows written as CSV or
xlsx. Formulas are never evaluated (an xlsx cell gives its stored value); a text that a spreadsheet
would take for a formula (`= + - @`) is written with a leading apostrophe."""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from core.errors import Invalid

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_xlsx(content: bytes, name: str = "", mimetype: str = "") -> bool:
    """An xlsx by its name, its type or its first bytes (a zip)."""
    return name.lower().endswith(".xlsx") or mimetype == XLSX or content[:4] == b"PK\x03\x04"


def read_rows(content: bytes, *, name: str = "", mimetype: str = "", max_rows: int) -> list[dict]:
    """The file's rows as {column: value} (column names from the first row, lowercased), numbered as a
    spreadsheet shows them: `__row__` 2 is the first row under the header. Blank rows are left out."""
    table = _xlsx(content) if is_xlsx(content, name, mimetype) else _csv(content)
    header = [str(cell).strip().lower() if cell is not None else "" for cell in next(table, [])]
    if not any(header):
        raise Invalid("file", "is empty: the first row names the columns")
    rows = []
    for number, cells in enumerate(table, start=2):
        if all(cell in (None, "") for cell in cells):
            continue
        if len(rows) >= max_rows:
            raise Invalid("file", f"has more than {max_rows} rows; split it")
        row = {name: cell for name, cell in zip(header, cells, strict=False) if name}
        rows.append({"__row__": number, **row})
    return rows


def _csv(content: bytes) -> Iterator[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Invalid("file", "must be UTF-8 text (CSV) or an .xlsx workbook") from e
    try:  # Excel writes ';' in many locales
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return iter(csv.reader(io.StringIO(text), dialect))


def _xlsx(content: bytes) -> Iterator[tuple]:
    from openpyxl import load_workbook  # here: only an import needs it (0.3 s to load)
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise Invalid("file", "is not a readable .xlsx workbook") from e
    return book.worksheets[0].iter_rows(values_only=True)


def number_from_text(text: str):
    """A typed number as int or float (a decimal comma too: "1,5"); the text itself when it is none, for
    the schema to refuse by name."""
    cleaned = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    for kind in (int, float):
        try:
            return kind(cleaned)
        except ValueError:
            continue
    return text


def safe_cell(value):
    """A value as written to a spreadsheet: a text that could run as a formula is made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(columns: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """The rows as CSV text, one line at a time (to stream)."""
    out = io.StringIO()
    writer = csv.writer(out)

    def line(cells: list) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(cells)
        return out.getvalue()

    yield line(columns)
    for row in rows:
        yield line([_text(row.get(column)) for column in columns])


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return safe_cell(value)


def xlsx_bytes(columns: list[str], rows: Iterable[dict], *, title: str) -> bytes:
    """The rows as an xlsx workbook of one sheet (written streaming, in constant memory per row)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(columns)
    for row in rows:
        sheet.append([_cell(row.get(column)) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value):
    if isinstance(value, datetime | date) or value is None or isinstance(value, int | float | bool):
        return value
    return safe_cell(str(value))
