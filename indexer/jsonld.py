"""Article metadata from a page's JSON-LD (`<script type="application/ld+json">`).

Chinese news sites often print no byline in the HTML but describe the article for
search engines as a schema.org NewsArticle. trafilatura reads some of it; this fills
in what it left out: headline, author names, datePublished, publisher name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from lxml.html import HtmlElement

#: schema.org types that describe one article.
ARTICLE_TYPES = {"NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle",
                 "AnalysisNewsArticle", "OpinionNewsArticle"}


def _objects(data: object) -> Iterator[dict]:
    """Every JSON object in a JSON-LD document, `@graph` lists included."""
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph"))


def _names(value: object) -> list[str]:
    """`"王芳"`, `{"name": "王芳"}` or a list of either → names."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _is_article(obj: dict) -> bool:
    kinds = obj.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(k in ARTICLE_TYPES for k in kinds if isinstance(k, str))


def metadata(tree: HtmlElement) -> dict[str, str]:
    """title, author, published and source from the page's first article object.

    Broken JSON-LD (common: trailing commas, HTML comments; or nested past the parser's
    depth) is skipped, never fatal: it is a hint, and the page's text is still there to
    read.
    """
    try:
        return _metadata(tree)
    except RecursionError:
        return {}


def _metadata(tree: HtmlElement) -> dict[str, str]:
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except (ValueError, RecursionError):
            continue
        for obj in _objects(data):
            if not _is_article(obj):
                continue
            found = {
                "title": " ".join(_names(obj.get("headline") or obj.get("name"))),
                "author": "、".join(_names(obj.get("author"))),
                "published": str(obj.get("datePublished") or "").strip(),
                "source": "、".join(_names(obj.get("publisher"))),
            }
            return {k: v for k, v in found.items() if v}
    return {}
