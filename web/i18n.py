"""The reader's language: 简体 (the default, and the language the messages are written in),
繁體 (Taiwan usage) and English.

Messages are gettext catalogs (`translations/*.po`, and the store's for its errors),
compiled in memory at first use by `store.language`.

The language is, in order: `?lang=` in the address (remembered in a cookie), the cookie,
the browser's Accept-Language, then 简体.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from babel.dates import format_date
from babel.support import NullTranslations
from flask import Flask, g, request
from markupsafe import Markup

from store import error_messages, language
from store.language import FORMAT_LOCALE, LANGUAGES, from_tag

DEFAULT = "zh_Hans"
#: Language code → the BCP 47 tag for <html lang>.
HTML_LANG = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}
COOKIE = "lang"
COOKIE_DAYS = 365


def translations(lang: str) -> NullTranslations:
    """The web's catalog in `lang`, then the store's (its errors); 简体 is the messages
    themselves."""
    return language.translations(("web", "store"), lang)


def negotiate(asked: str | None, cookie: str | None, accept: list[str]) -> str:
    for choice in (asked, cookie):
        if choice in LANGUAGES:
            return choice
    for tag in accept:  # in the browser's order of preference
        if found := from_tag(tag):
            return found
    return DEFAULT


def asked() -> bool:
    """Whether the request names a language of ours (`?lang=` or Accept-Language): the
    API answers in English, its messages' own language, unless it does."""
    tags = [request.args.get("lang", "")] + [tag for tag, _ in request.accept_languages]
    return any(t in LANGUAGES or from_tag(t) for t in tags if t)


def current() -> str:
    if "lang" not in g:
        accept = [tag for tag, _ in request.accept_languages]
        g.lang = negotiate(request.args.get("lang"), request.cookies.get(COOKIE), accept)
    return g.lang


def gettext(message: str, **values) -> str:
    """`message` in the reader's language, with `%(name)s` placeholders filled."""
    translated = translations(current()).gettext(message)
    return translated % values if values else translated


def number(n: int | float) -> str:
    return language.number(n, current())


def long_date(d: date | None) -> str:
    return format_date(d, "long", locale=FORMAT_LOCALE[current()]) if d else ""


def time_tag(d: date | None) -> Markup | None:
    """`d` as the reader writes it, machine-readable in `datetime`."""
    if d is None:
        return None
    return Markup('<time datetime="{}">{}</time>').format(d.isoformat(), long_date(d))


def switch_url(lang: str) -> str:
    """This page in `lang`: its address with `lang=` set."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return f"{request.path}?{urlencode([*args, ('lang', lang)])}"


def _remember(response):
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_DAYS * 86400, samesite="Lax",
                            httponly=True)
    response.headers.add("Vary", "Accept-Language, Cookie")
    return response


def init_app(app: Flask) -> None:
    env = app.jinja_env
    env.add_extension("jinja2.ext.i18n")
    # newstyle: _("…%(n)s", n=…) fills and escapes the values, as the rest of a template
    env.install_gettext_callables(lambda m: translations(current()).gettext(m),
                                  lambda s, p, n: translations(current()).ngettext(s, p, n),
                                  newstyle=True)
    env.filters["number"] = number
    env.filters["long_date"] = long_date
    env.filters["time_tag"] = time_tag
    # a store's notice (why results are partial), said from its code
    env.filters["said"] = lambda notice: error_messages.say(notice, translations(current()))
    env.globals.update(languages=LANGUAGES, switch_url=switch_url,
                       current_lang=current, html_lang=lambda: HTML_LANG[current()])
    app.after_request(_remember)
