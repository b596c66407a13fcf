"""Reference tables built from the code when the docs build, so they cannot drift from it.

- ``{rix-error-codes}``: every ``AuthErrorCode`` and ``HttpErrorCode`` with its status and message.
- ``{rix-command-help}`` ``name``: a management command's ``--help``, as ``manage.py`` prints it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.management import load_command_class
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import ExtensionMetadata

from rix_auth.error import DEFAULT_MESSAGES, AuthErrorCode
from rix_auth.http import HTTP_STATUS, STATUS, HttpErrorCode

HTTP_LAYER = "(none: each refusal says what was wrong)"


def cell(text: str, *, code: bool = False) -> nodes.entry:
    return nodes.entry("", nodes.paragraph("", "", nodes.literal(text, text) if code else nodes.Text(text)))


def table(headers: Sequence[tuple[str, int]], rows: Sequence[Sequence[nodes.entry]]) -> nodes.table:
    """A docutils table: one header row of ``(title, relative width)``, then ``rows``."""
    group = nodes.tgroup(cols=len(headers))
    group += [nodes.colspec(colwidth=width) for _, width in headers]
    group += nodes.thead("", nodes.row("", *(cell(header) for header, _ in headers)))
    group += nodes.tbody("", *(nodes.row("", *row) for row in rows))
    return nodes.table("", group)


class ErrorCodes(SphinxDirective):
    """Every error code rix_auth answers, in the order the enums declare them."""

    def run(self) -> list[nodes.Node]:
        auth = [(code, STATUS[code], DEFAULT_MESSAGES[code]) for code in AuthErrorCode]
        layer = [(code, HTTP_STATUS[code], HTTP_LAYER) for code in HttpErrorCode]
        rows = [
            [cell(code.value, code=True), cell(type(code).__name__, code=True), cell(str(status)), cell(message)]
            for code, status, message in [*auth, *layer]
        ]
        return [table([("Code", 25), ("Enum", 15), ("Status", 6), ("Default message", 50)], rows)]


class CommandHelp(SphinxDirective):
    """The ``--help`` text of the management command named in the argument."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        parser = load_command_class("rix_auth", name).create_parser("manage.py", name)
        text = parser.format_help()
        return [nodes.literal_block(text, text, language="text")]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_directive("rix-error-codes", ErrorCodes)
    app.add_directive("rix-command-help", CommandHelp)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
