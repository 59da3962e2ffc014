"""Reporters: each turns a finished Report into text in one format, and decides nothing.

A reporter returns its text whole, or as an iterable of pieces when the
text can be large (JSON), so that it is written without being held at once."""
from __future__ import annotations

from importlib import import_module
from typing import Callable, Iterable

from ..report import Report

FORMATS = ("table", "json", "markdown", "sarif", "junit", "github", "gitlab")


def renderer(fmt: str) -> Callable[[Report], str | Iterable[str]]:
    return import_module(f"{__name__}.{fmt}").render
