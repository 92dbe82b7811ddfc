"""The three languages wenhai speaks — 简体, 繁體 (Taiwan usage) and English — and its
gettext catalogs, shared by the web pages and the terminal.

Each package keeps the messages it says in `<package>/translations/*.po` (kept with
Babel's `pybabel extract` and `update`, see README). A catalog is compiled into memory
the first time a language is asked for (Babel's `write_mo`), so a clean checkout and an
installed wheel translate alike with no build step to forget.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping
from importlib import resources

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

#: Language codes, with the name each is offered under.
LANGUAGES = {"zh_Hans": "简体", "zh_Hant": "繁體", "en": "English"}
#: Language code → the Babel locale dates and numbers are written in ("5 March 2024").
FORMAT_LOCALE = {"zh_Hans": "zh_Hans_CN", "zh_Hant": "zh_Hant_TW", "en": "en_GB"}
#: The variables that name the terminal's language, first found first (gettext's order).
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "marked, translated later"
    """`message`, marked for `pybabel extract`, to be translated where it is said."""
    return message


@functools.cache
def translations(packages: tuple[str, ...], lang: str) -> NullTranslations:
    """The messages of `packages` in `lang`, from each one's `translations/<lang>.po`, the
    first package's translation of a message first (a package's own messages, then the
    store's it says too). A package without that file is written in `lang`: its messages
    are said as they are."""
    merged = Catalog(locale=lang)
    for package in reversed(packages):
        po = resources.files(package) / "translations" / f"{lang}.po"
        if po.is_file():
            with po.open("rb") as f:
                for message in read_po(f, locale=lang):
                    if message.id:
                        merged[message.id] = message
    if not len(merged):
        return NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, merged)
    compiled.seek(0)
    return Translations(compiled)


def from_tag(tag: str) -> str | None:
    """Our language for a language tag or locale name (zh-TW, zh-Hant-HK, en_US.UTF-8,
    zh …), or None when it is none of ours (C, POSIX, fr_FR)."""
    parts = tag.split(".")[0].split("@")[0].replace("_", "-").lower().split("-")
    if parts[0] == "en":
        return "en"
    if parts[0] == "yue":  # Cantonese readers (Hong Kong, Macau) read Traditional
        return "zh_Hant"
    if parts[0] != "zh":
        return None
    if {"hant", "tw", "hk", "mo"} & set(parts[1:]):
        return "zh_Hant"
    return "zh_Hans"


def from_environment(environ: Mapping[str, str], default: str = "en") -> str:
    """The terminal's language, as Python's `gettext.find` picks it: the first of
    LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set, read as a list (`zh_TW:en`) up to
    a C or POSIX; `default` when nothing there is one of ours."""
    said = next((environ[v] for v in LOCALE_VARIABLES if environ.get(v)), "")
    for name in said.split(":"):
        if name.split(".")[0] in ("C", "POSIX"):
            break
        if name and (found := from_tag(name)):
            return found
    return default


def number(n: int | float, lang: str, format: str | None = None) -> str:
    """`n` as `lang` writes it (12,345), in a CLDR decimal `format` if given ("#,##0.0")."""
    return format_decimal(n, format=format, locale=FORMAT_LOCALE[lang])
