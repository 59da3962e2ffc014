"""Make user-supplied names inert in each output medium while keeping them readable.

Names in an inventory are any Unicode text; a name holding escape sequences,
bidi overrides or markup must not restyle a terminal, break a Markdown table
or inject HTML.  Each medium gets its own escaping; the text stays verbatim
where the medium can carry it (JSON).
"""
from __future__ import annotations

import json
import re

import orjson

# C0 and C1 controls, DEL, line/paragraph separators, bidi embedding/override/isolate marks, and lone
# surrogates (a file name that is not UTF-8, as Python carries its bytes: UTF-8 output cannot hold them)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_AFTER_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")
# what XML 1.0 cannot carry at all, beyond what `terminal` already makes visible
_NOT_XML = re.compile("[\ufffe\uffff]")


def terminal(text: str) -> str:
    """Control characters become visible escapes such as \\x1b."""
    if text.isprintable():  # no control, separator or format character: most text, checked in C
        return text
    return _UNSAFE.sub(lambda m: _escape(m.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def markdown(text: str) -> str:
    """Safe inside Markdown text and table cells: no markup, no HTML, no line breaks."""
    return _MARKDOWN_SPECIAL.sub(_backslashed, html(text))


def _backslashed(match: re.Match) -> str:
    return "\\" + match.group()  # (a function: a template is expanded in Python for each match)


def xml(text: str) -> str:
    """Only characters XML 1.0 allows (the XML writer escapes markup); the rest become visible escapes."""
    if text.isprintable():  # nor a surrogate or a noncharacter
        return text
    return _NOT_XML.sub(lambda m: _escape(m.group()), terminal(text))


def html(text: str) -> str:
    """Safe inside an HTML element such as <summary>, where Markdown escapes would show literally."""
    return _markup(terminal(text))


def html_lines(text: str) -> str:
    """Safe inside an HTML element that shows line breaks, such as <pre>: each line as `html` makes it."""
    if text.replace("\n", " ").isprintable():  # nothing but markup to escape, in one pass over the whole
        return _markup(text)
    return "\n".join(map(html, text.split("\n")))


def _markup(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_attribute(text: str) -> str:
    """Safe inside an HTML (or SVG) element and inside a quoted attribute value."""
    return html(text).replace('"', "&quot;").replace("'", "&#39;")


def json_text(text: str) -> str:
    """JSON already escapes C0 controls; escape the rest that terminals act on, losslessly."""
    if text.isascii() and "\x7f" not in text:  # most of a report, and isascii() is free on Python's str
        return text
    if text.isprintable():  # a piece without line breaks, checked in C
        return text
    return _UNSAFE_AFTER_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_line(value: object) -> str:
    """`value` as one line of compact JSON, made safe by `json_text`.  orjson writes a large report several
    times faster than the json module; what it refuses (an integer beyond 64 bits, a key that is not text,
    nesting over 254 deep) the json module writes as it always has."""
    try:
        text = orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        text = _json_module_line(value)
    return json_text(text)


_json_module_line = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dot(*lines: str) -> str:
    """A double-quoted Graphviz string, for an ID or a label: shows each of `lines` literally, one per line."""
    return '"' + "\\n".join(terminal(line).replace("\\", "\\\\").replace('"', '\\"') for line in lines) + '"'


_MERMAID_PLAIN = re.compile(r"[\w \-.,:/+=@!?']")
_MERMAID_NAMED = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}


def mermaid(text: str) -> str:
    """Text for a double-quoted Mermaid label: letters, digits and plain punctuation stay, every other
    character (quotes, brackets, markup, backticks, #, ;) becomes an entity code such as #quot; or #35;."""
    return "".join(c if _MERMAID_PLAIN.fullmatch(c) else _MERMAID_NAMED.get(c, f"#{ord(c)};") for c in terminal(text))
