"""Text for a terminal: a rich console writing into a string, and lines that wrap with a hanging indent."""
from __future__ import annotations

import io

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text


def text_console(color: bool, width: int | None) -> Console:
    """A rich console that writes into a string (`console.file.getvalue()`): colour only when asked, wrapping
    at `width` columns or, with None (a file or a pipe), never; markup, emoji and highlighting off, since
    names are shown verbatim."""
    return Console(file=io.StringIO(), force_terminal=color, no_color=not color, width=width or 1000,
                   soft_wrap=width is None, highlight=False, markup=False, emoji=False)


class Screen:
    """Lines for a terminal `width` columns wide, each wrapping with a hanging indent (so that a wrapped line
    stays under what it belongs to); with no width (a file or a pipe), never wrapped."""

    def __init__(self, color: bool, width: int | None):
        self.console = text_console(color, width)
        self.width = width

    def __call__(self, text: Text | str = "", indent: int = 0, hang: int | None = None) -> None:
        """`text` from column `indent`; where it wraps, the rest from column `hang` (default: `indent`)."""
        text = Text(text) if isinstance(text, str) else text
        hang = indent if hang is None else hang
        if self.width is None or cell_len(text.plain) + indent <= self.width:
            self.console.print(Text(" " * indent) + text)
            return
        first = text.wrap(self.console, max(self.width - indent, 20))[0]
        rest = text[len(first.plain):]
        rest = rest[len(rest.plain) - len(rest.plain.lstrip(" ")):]
        first.rstrip()
        self.console.print(Text(" " * indent) + first)
        for line in rest.wrap(self.console, max(self.width - hang, 20)) if rest.plain else []:
            line.rstrip()
            self.console.print(Text(" " * hang) + line)

    def items(self, items: list[Text], indent: int, hang: int) -> None:
        """Items two spaces apart on one line; on a terminal too narrow for them all, broken between items
        (an item alone too long for a line still wraps inside it)."""
        lines = [items[0].copy()]
        for item in items[1:]:
            start = indent if len(lines) == 1 else hang
            if self.width is not None and start + cell_len(lines[-1].plain) + 2 + cell_len(item.plain) > self.width:
                lines.append(item.copy())
            else:
                lines[-1].append("  ")
                lines[-1].append_text(item)
        for n, line in enumerate(lines):
            self(line, indent if n == 0 else hang, hang)

    def table(self, table: Table) -> None:
        for segments in self.console.render_lines(table, pad=False):
            line = Text.assemble(*((segment.text, segment.style) for segment in segments))
            line.rstrip()
            self.console.print(line)

    def text(self) -> str:
        return self.console.file.getvalue()
