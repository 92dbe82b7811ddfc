"""The terminal's language: 简体, 繁體 or English, from the locale (LANGUAGE, LC_ALL,
LC_MESSAGES, LANG — `store.language.from_environment`), English where none is ours.

The terminal's messages are written in English and translated by `translations/*.po`
(zh_Hans, zh_Hant); the store's errors are said from their code by the store's catalog.
The language is read when a message is said, never at import, so `--help` (whose texts
click keeps from import time) and a test's environment are honoured alike.

click's own messages (No such option, Missing argument, Aborted!) are marked for the
standard library's gettext, domain "messages", which reads the locale itself when each
is said; `bind_click` points that domain at our catalog (click's messages are extracted
into it), written as `.mo` files into the user's cache, where gettext can find them.
"""

from __future__ import annotations

import functools
import gettext
import os
from pathlib import Path

from babel.support import NullTranslations

from store import error_messages, language
from store.language import N_  # noqa: F401 - marks a message for extraction, here too


def current() -> str:
    return language.from_environment(os.environ)


def translations() -> NullTranslations:
    return language.translations(("indexer", "store"), current())


def _cache() -> Path:
    """Where compiled catalogs are kept: `$XDG_CACHE_HOME/wenhai/locale`, else
    `~/.cache/wenhai/locale`."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wenhai" / "locale"


@functools.cache
def bind_click() -> None:
    """click's own messages in the terminal's language: gettext's default domain bound to
    the terminal's catalog, once a process. Where no folder can be written (no home, a
    read-only one), click's messages stay English and nothing else changes."""
    try:
        folder = language.gettext_folder(("indexer",), "messages", _cache())
    except RuntimeError:  # no home directory to find the cache in
        return
    if folder is not None:
        gettext.bindtextdomain("messages", str(folder))


def number(n: int | float, format: str | None = None) -> str:
    """`n` as the terminal's language writes it (12,345; `format` as CLDR's "#,##0.0")."""
    return language.number(n, current(), format)


def _values(values: dict) -> dict:
    """Counts written with separators, reasons said in the language (`Reason`);
    everything else as it is."""
    return {k: number(v) if isinstance(v, int) and not isinstance(v, bool)
            else said(v) if isinstance(v, Reason) else v for k, v in values.items()}


def _(message: str, **values) -> str:
    """`message` in the terminal's language, `%(name)s` placeholders filled (counts
    with separators)."""
    text = translations().gettext(message)
    return text % _values(values) if values else text


def ngettext(singular: str, plural: str, n: int, **values) -> str:
    """The form of a message for the count `n` (`%(n)s` in it), in the terminal's language."""
    text = translations().ngettext(singular, plural, n)
    return text % _values({"n": n, **values})


def error(e: Exception) -> str:
    """What a store error says in the terminal's language: its own English message in
    English (the message scripts and logs have always seen), else from its code."""
    lang = current()
    if lang == "en":
        return str(e)
    return error_messages.say(e, translations())


class Reason(str):
    """Why a file failed or was left out: the English text, which keeps its message and
    values, so that the terminal says it in its language (`said`). A str, so that
    whoever reads or pickles a reason (a reading worker's) has the text as before."""

    def __new__(cls, message: str, **values) -> Reason:
        english = message % {k: f"{v:,}" if isinstance(v, int) and not isinstance(v, bool)
                             else v for k, v in values.items()} if values else message
        reason = super().__new__(cls, english)
        reason.message, reason.values = message, values
        return reason


def said(reason: str) -> str:
    """A reason, or a store's notice (`store.Notice`), in the terminal's language (a
    plain str as it is)."""
    if isinstance(reason, Reason):
        return _(reason.message, **reason.values)
    if getattr(reason, "code", None):
        return error(reason)
    return reason
