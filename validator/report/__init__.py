"""Reporters: one module per output format, registered by name.

Each module has `write(context, out)`; the formats that can be written as findings come
(text, json, github) do so, so a report of any size is written without being held in memory.
A format's module is imported only when it is asked for.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable
from functools import partial
from typing import TextIO

from validator.report.base import ReportContext

Reporter = Callable[[ReportContext], str]
Writer = Callable[[ReportContext, TextIO], None]

_MODULES = {
    "text": "text",
    "json": "json_",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
}
FORMATS = tuple(_MODULES)


def writer(output_format: str) -> Writer:
    module = importlib.import_module(f"validator.report.{_MODULES[output_format]}")
    write: Writer = module.write
    return write


def render(output_format: str, context: ReportContext) -> str:
    out = io.StringIO()
    writer(output_format)(context, out)
    return out.getvalue()


REPORTERS: dict[str, Reporter] = {name: partial(render, name) for name in FORMATS}

__all__ = ["FORMATS", "REPORTERS", "ReportContext", "Reporter", "Writer", "render", "writer"]
