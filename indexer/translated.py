"""click's commands and options, with their help said in the terminal's language.

click keeps a command's help and an option's from import time; these classes translate
them when the help is written, so the language is the one of the run (`language.current`);
the English texts are given as `help=N_(…)`, where `pybabel extract` finds them (it does
not read docstrings, and Python 3.13 would change their indentation, hence their msgid).
The section headings click writes (Usage, Options, Commands) are translated by the
formatter. click's own messages (parse errors, Aborted!) are said by click through
gettext, bound to our catalog when the program starts (`Group.main`); the `Error:` a
failure begins with stays as it is, like the `failed:` of a file (README).
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence

import click

from . import language
from .language import N_, _

# click's own words in the help, for extraction (the formatter and options say them)
N_("Usage: "), N_("Options"), N_("Commands"), N_("Positional arguments"), N_("default: ")
N_("required"), N_("Show this message and exit."), N_("Show the version and exit.")


#: Where a line may break: at spaces, between Latin words, around each wide character;
#: closing punctuation stays with what it closes.
_PIECES = re.compile(r"[ \t]+|[^\s\u1100-\uffff]+|.[，。、；：！？）」』》,.;:!?)\]]*")


def _cells(text: str) -> int:
    """Columns `text` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wide(text: str) -> bool:
    return _cells(text) != len(text)


def _wrap(text: str, width: int) -> list[str]:
    """`text`'s paragraphs in lines of at most `width` columns, broken between Chinese
    characters too (click's wrapping counts characters and breaks only at spaces); an
    indented paragraph (an example command) is kept as it is."""
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        if lines:
            lines.append("")
        if paragraph.startswith(" "):
            lines += paragraph.splitlines()
            continue
        line = ""
        for piece in _PIECES.findall(" ".join(paragraph.split("\n"))):
            if line and _cells(line + piece) > width:
                lines.append(line.rstrip())
                line = "" if piece.isspace() else piece
            elif line or not piece.isspace():
                line += piece
        lines.append(line.rstrip())
    return lines


def _first_clause(text: str) -> str:
    """A Chinese help's first clause, for the list of commands (click cuts an English one
    at its first full stop): up to the first 。, or ： or ； outside brackets."""
    depth = 0
    for i, c in enumerate(text):
        depth += (c in "（(「[") - (c in "）)」]")
        if c in "。\n" or (c in "：；" and depth == 0):
            return text[:i]
    return text


class Formatter(click.HelpFormatter):
    """click's help formatter, with its headings translated and Chinese text wrapped to
    the terminal's width."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def section(self, name: str):
        return super().section(_(name))

    def write_heading(self, heading: str) -> None:
        # a Chinese heading takes the full-width colon, as 用法： does
        if not _wide(heading):
            return super().write_heading(heading)
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        if not _wide(text):
            return super().write_text(text)
        indent = " " * self.current_indent
        for line in _wrap(text, max(self.width - self.current_indent, 20)):
            self.write(f"{indent}{line}\n" if line else "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        # click's help and version options, whose help is click's own English
        rows = [(term, _(text) if text else text) for term, text in rows]
        if not any(_wide(text) for _term, text in rows):
            return super().write_dl(rows, col_max, col_spacing)
        first = min(max(_cells(term) for term, _text in rows), col_max) + col_spacing
        for term, text in rows:
            self.write(" " * self.current_indent + term)
            if _cells(term) <= first - col_spacing:
                self.write(" " * (first - _cells(term)))
            else:
                self.write("\n" + " " * (first + self.current_indent))
            lines = _wrap(text, max(self.width - first - 2 - self.current_indent, 10)) or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first + self.current_indent) + line + "\n")


class Context(click.Context):
    formatter_class = Formatter


@contextlib.contextmanager
def _said(command: click.Command) -> Iterator[None]:
    """`command`'s help in the terminal's language while click writes it."""
    english = command.help, command.short_help
    command.help, command.short_help = (_(t) if t else t for t in english)
    try:
        yield
    finally:
        command.help, command.short_help = english


class _Translated:
    context_class = Context

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        # click makes it once per command, its help said in that run's language; the
        # formatter says it in this one's (a process may run the CLI in several: tests)
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = N_("Show this message and exit.")
        return option

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _said(self):
            super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _said(self):
            said = self.short_help or self.help or ""
            if not _wide(said):
                return super().get_short_help_str(limit)
        return _first_clause(said.strip())


class Command(_Translated, click.Command):
    pass


class Group(_Translated, click.Group):
    command_class = Command
    group_class = type  # a subgroup (`wenhai dict`) is one of these too

    def main(self, *args, **kwargs):
        language.bind_click()  # before click parses anything it may complain about
        return super().main(*args, **kwargs)


class Option(click.Option):
    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        english = self.help
        self.help = _(english) if english else english
        try:
            record = super().get_help_record(ctx)
        finally:
            self.help = english
        if record is None:
            return None
        term, text = record
        head, bracket, extra = text.rpartition("[")  # click's "[default: 10]"
        if bracket and extra.endswith("]"):
            extra = extra.replace("default: ", _("default: ")).replace("required", _("required"))
            text = head + bracket + extra
        return term, text


#: `click.option` whose help is said in the terminal's language.
option = functools.partial(click.option, cls=Option)


def confirm(question: str) -> None:
    """Ask `question` (already said in the terminal's language) on stderr, and stop with
    click's Aborted! unless the answer is yes. click writes its [y/N] in English whatever
    the language; here the hint is translated (the answers stay y and n, which click reads)."""
    click.confirm(_("%(question)s [y/N]", question=question), abort=True, err=True,
                  show_default=False)
