"""The three languages wenhai speaks — 简体, 繁體 (Taiwan usage) and English — and its
gettext catalogs, shared by the web pages and the terminal.

Each package keeps the messages it says in `<package>/translations/*.po` (kept with
Babel's `pybabel extract` and `update`, see README). A catalog is compiled into memory
the first time a language is asked for (Babel's `write_mo`), so a clean checkout and an
installed wheel translate alike with no build step to forget.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import shutil
import tempfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

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
#: Language code → the folder names the stdlib's `gettext.find` looks a catalog up under
#: for it: it tries the locale's name, then without its encoding, then the bare language
#: (zh_TW.UTF-8 → zh_TW, zh; zh_Hant_TW → zh), so these are the names that end where
#: `from_environment` reads one of ours, and a library asking gettext (click) agrees.
GETTEXT_NAMES = {
    "zh_Hans": ("zh", "zh_CN", "zh_SG", "zh_MY", "zh_Hans"),
    "zh_Hant": ("zh_TW", "zh_HK", "zh_MO", "zh_Hant", "zh_Hant_TW", "zh_Hant_HK",
                "zh_Hant_MO", "yue"),
    "en": ("en",),
}


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "marked, translated later"
    """`message`, marked for `pybabel extract`, to be translated where it is said."""
    return message


def _catalog(packages: tuple[str, ...], lang: str) -> Catalog:
    """The messages of `packages` in `lang`, from each one's `translations/<lang>.po`,
    the first package's translation of a message first (a package's own messages, then
    the store's it says too); empty when no package has that file (they are written in
    `lang`: their messages are said as they are)."""
    merged = Catalog(locale=lang)
    for package in reversed(packages):
        po = resources.files(package) / "translations" / f"{lang}.po"
        if po.is_file():
            with po.open("rb") as f:
                for message in read_po(f, locale=lang):
                    if message.id:
                        merged[message.id] = message
    return merged


def _compiled(catalog: Catalog) -> bytes:
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    return compiled.getvalue()


@functools.cache
def translations(packages: tuple[str, ...], lang: str) -> NullTranslations:
    """The messages of `packages` in `lang` (`_catalog`), compiled in memory."""
    catalog = _catalog(packages, lang)
    return Translations(io.BytesIO(_compiled(catalog))) if len(catalog) else NullTranslations()


def gettext_folder(packages: tuple[str, ...], domain: str, cache: Path) -> Path | None:
    """A folder under `cache` for `gettext.bindtextdomain(domain, …)`: the messages of
    `packages` in each language as `<name>/LC_MESSAGES/<domain>.mo`, for every name
    `gettext.find` may look for (`GETTEXT_NAMES`). It is named by the catalogs' contents, so an
    upgrade writes a new one, and appears whole (written aside, then renamed) for
    processes that start together. None when it cannot be written."""
    digest = hashlib.sha256(repr(GETTEXT_NAMES).encode())
    for package in packages:
        for po in sorted((resources.files(package) / "translations").iterdir(),
                         key=lambda f: f.name):
            if po.name.endswith(".po"):
                digest.update(f"{package}/{po.name}:".encode() + po.read_bytes())
    folder = cache / f"{domain}-{digest.hexdigest()[:16]}"
    if folder.is_dir():
        return folder
    catalogs = {lang: _catalog(packages, lang) for lang in LANGUAGES}
    for catalog in catalogs.values():
        # gettext falls back to the next language of LANGUAGE for a message a catalog
        # lacks: a language's own messages are in its catalog too, said as they are
        for other in catalogs.values():
            for m in other:
                if m.id and m.id not in catalog:
                    catalog.add(m.id, m.id)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=cache))
        try:
            for lang, catalog in catalogs.items():
                mo = _compiled(catalog)
                for name in GETTEXT_NAMES[lang]:
                    (aside / name / "LC_MESSAGES").mkdir(parents=True)
                    (aside / name / "LC_MESSAGES" / f"{domain}.mo").write_bytes(mo)
            os.rename(aside, folder)
        finally:
            shutil.rmtree(aside, ignore_errors=True)  # another process's came first
    except OSError:
        pass
    return folder if folder.is_dir() else None


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
