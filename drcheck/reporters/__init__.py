"""Reporters: each turns a finished Report into text in one format, and decides nothing."""
from __future__ import annotations

from importlib import import_module
from typing import Callable

from ..report import Report

FORMATS = ("table", "json", "markdown", "sarif", "junit", "github", "gitlab")


def renderer(fmt: str) -> Callable[[Report], str]:
    return import_module(f"{__name__}.{fmt}").render
