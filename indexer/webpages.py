"""A saved web page → a draft: main text, headline, writer, editor, source and date.

trafilatura finds the main text and guesses metadata; then `teasers` cuts what follows
the article, `jsonld` reads its schema.org object, `credits` judges every name the
markup gives, and `metadata.headline` cuts the `<title>` to the headline. What the text
itself says (bylines, datelines) is read later, in `articles.build`, and wins.
"""

from __future__ import annotations

import re

from store import normalize

from . import credits, jsonld, metadata, teasers
from .drafts import Draft, Result
from .errors import IngestError
from .language import Reason

_URL = re.compile(r"(?i)\s*(https?://|www\.)")
_COPYRIGHT = re.compile(r"(?i)版权所有.*$|版權所有.*$|^.*(copyright|©|all rights reserved).*$")


def read_page(text: str, original: bytes, path: str) -> Result:
    """The article of a saved page: its main text without what follows it, its headline,
    and its author, editor, source and date in the order of trust `credits` gives."""
    import trafilatura
    from lxml import html as lxml_html

    markdown = trafilatura.extract(
        text, output_format="markdown", include_formatting=True, include_comments=False,
        include_tables=True, include_images=False,
    )
    fields: dict[str, tuple[str, str]] = {}
    meta = trafilatura.extract_metadata(text)
    if not markdown or not markdown.strip():
        if meta is None or not (meta.title and meta.description):
            return [IngestError(path, Reason(
                "has no article text that could be extracted from its HTML, nor a title and "
                "description to store it by"))]
        markdown = meta.description  # a video or picture page: stored by what it says it is
        fields["page_note"] = (NO_TEXT, "html description")
    if meta is not None:
        for name, attr in (("title", "title"), ("source", "sitename"), ("published", "date"),
                           ("url", "url")):
            value = getattr(meta, attr, None)
            if value:
                fields[name] = (str(value), "html metadata")
    try:
        tree = lxml_html.fromstring(text)
    except Exception:  # noqa: BLE001 - lxml raises several types on broken markup
        tree = None
    headings: list[str] = []
    sites: list[str] = []
    names: list[tuple[str, str]] = []  # author values, most trusted first
    page_title = ""
    page = credits.PageCredits()
    if tree is not None:
        ld = jsonld.metadata(tree)
        page = credits.page_credits(tree)
        kept = teasers.cut(markdown.split("\n"), teasers.zones(tree))
        markdown = "\n".join(kept)
        if teasers.is_list(kept, tree):
            if teasers.chars(kept) < teasers.LIST_MIN and meta is not None and meta.description:
                markdown = meta.description  # a video page's menu is not its text
                fields.setdefault("page_note", (NO_TEXT, "html description"))
            fields.setdefault("page_note", (NOT_AN_ARTICLE, "html links"))
        page_title = " ".join((tree.findtext(".//title") or "").split())
        names += [(w, "html byline") for w in page.writers]
        names += [(ld.pop("author"), "json-ld")] if "author" in ld else []
        names += [(v, "html meta author") for v in tree.xpath('//meta[@name="author"]/@content')]
        for name, value in ld.items():
            fields.setdefault(name, (value, "json-ld"))
        tags = [v.strip() for v in tree.xpath('//meta[@property="article:tag"]/@content')
                if v.strip()] or [v.strip() for v in tree.xpath(
                    '//meta[@name="news_keywords" or @name="keywords"]/@content') if v.strip()]
        if tags:
            fields["tags"] = (", ".join(tags), "html meta tags")
        headings = [h.text_content() for h in tree.xpath("//h1")[:5]]
        sites = [v.strip() for v in tree.xpath(
            '//meta[@property="og:site_name" or @name="application-name"]/@content') if v.strip()]
        if sites:  # the name the site gives itself, over trafilatura's guess from the <title>
            fields["source"] = (sites[0], "html metadata")
        sites += [ld["source"]] if "source" in ld else []
    if meta is not None and meta.author:
        names.append((str(meta.author), "html metadata"))
    if "source" in fields:  # `人民网版权所有`, `Copyright © 2017 Sohu.com Inc. …`: a footer
        fields["source"] = (_COPYRIGHT.sub("", fields["source"][0]).strip(), fields["source"][1])
    if "source" in fields and (_URL.match(fields["source"][0]) or not fields["source"][0]):
        del fields["source"]  # a Facebook page given as the site's name
    if "source" in fields:
        sites.append(fields["source"][0])
    _credit(fields, names, page, [*sites, *metadata.SITE_NAMES])
    if "title" in fields:
        title, how = fields["title"]
        fields["title"] = (metadata.headline(title, headings, sites), how)
        page_title = page_title or " ".join(title.split())
        if page_title != fields["title"][0]:  # with its site's name: still searchable
            fields["page_title"] = (page_title, "html title")
    return [Draft(markdown, "html", original, fields, markdown=True)]


NOT_AN_ARTICLE = ("not an article: nearly all its text is links to other pages (a list, "
                  "search or front page); kept as saved")


NO_TEXT = ("not an article: the page has no text of its own (a video, picture or app "
           "page); stored by its title and description")


def _credit(fields: dict[str, tuple[str, str]], names: list[tuple[str, str]],
            page: credits.PageCredits, sites: list[str]) -> None:
    """Author, editor and source from the names a page's markup gives (`credits.judge`):
    the most trusted person is the author; other people it names as authors stay
    searchable as `listed_author`; editors go to `editor`, outlets to `source`."""
    if page.editors:
        fields["editor"] = ("、".join(page.editors), "html editor line")
    listed: list[str] = []
    for value, how in names:
        for name, v in credits.judge(value, sites, page.editors).items():
            if name == "author" and "author" in fields:
                if normalize(v) != normalize(fields["author"][0]):
                    listed.append(v)
            else:
                fields.setdefault(name, (v, how))
    if listed:
        fields["listed_author"] = ("、".join(dict.fromkeys(listed)), "html metadata")
