"""Cells a spreadsheet must not evaluate: every CSV/XLSX we write (admin exports, page exports) passes here.

A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is a formula to Excel,
LibreOffice and Google Sheets (OWASP "CSV injection"); a scraped caption such as
``=HYPERLINK("http://evil.example","click")`` would run in the analyst's spreadsheet. Such cells get a
leading apostrophe; plain numbers written as text (``-5``, ``+1.5``) stay as they are.
"""

from __future__ import annotations

import re

import tablib

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def escape_formula(cell):
    """Text that starts like a formula gets a leading apostrophe; numbers and other values are kept."""
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def escaped(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of ``dataset`` with every cell through ``escape_formula``."""
    result = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        result.append([escape_formula(cell) for cell in row])
    return result
