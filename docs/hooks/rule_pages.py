"""MkDocs hook: one page per built-in rule, generated at build time from the rule itself (its docstring,
examples, parameters and references, as `drcheck explain RULE --format markdown` prints them), and the
table of rules on rules/index.md from the same registry, so that the rule pages cannot drift from the rules.
"""
from __future__ import annotations

from mkdocs.structure.files import File

from drcheck.audit.engine import discover
from drcheck.commands.explain import markdown_cell, rule_markdown, shown_value

TABLE_MARKER = "<!-- the table of rules, generated from the rules -->"


def _builtin():
    return {rule_id: source for rule_id, source in sorted(discover().items()) if source.origin == "builtin"}


def on_files(files, config):
    for rule_id, source in _builtin().items():
        files.append(File.generated(config, f"rules/{rule_id}.md", content=rule_markdown(source)))
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != "rules/index.md":
        return markdown
    rows = ["| Rule | Default severity | What it does | Parameters (default) |", "|---|---|---|---|"]
    for rule_id, source in _builtin().items():
        rule = source.rule
        params = ", ".join(f"`{name}` {shown_value(param.default)}" for name, param in rule.params.items()) or "–"
        rows.append(f"| [`{rule_id}`]({rule_id}.md) | {rule.severity} | {markdown_cell(rule.doc().what)} | {markdown_cell(params)} |")
    return markdown.replace(TABLE_MARKER, "\n".join(rows))


def on_nav(nav, config, files):
    """The rule pages in the sidebar, under the rules page, which becomes their section's index."""
    from mkdocs.structure.nav import Section

    index = next(page for page in nav.pages if page.file.src_uri == "rules/index.md")
    pages = [files.get_file_from_path(f"rules/{rule_id}.md").page for rule_id in _builtin()]
    section = Section(index.title, [index, *pages])
    siblings = index.parent.children if index.parent else nav.items
    siblings[siblings.index(index)] = section
    section.parent = index.parent
    for child in section.children:
        child.parent = section
    return nav
