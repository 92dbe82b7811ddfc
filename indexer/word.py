"""Word `.docx` files → a draft with headings, read with python-docx.

A .docx is a zip of XML, not text, so it skips decoding. Heading styles (Heading 1…,
Chinese Word's 标题 1…) become headings and the Title style the title; the document
properties give title and author unless they are a template's placeholders.
"""

from __future__ import annotations

import io
import re
import zipfile

from .drafts import Draft, Result
from .errors import IngestError
from .language import Reason

#: Authors Word and generators write by default: not the article's author.
_PLACEHOLDER_AUTHORS = {"python-docx", "administrator", "admin", "user", "微软用户",
                        "microsoft office user", "microsoft office 用户", "作者"}
_HEADING = re.compile(r"^(heading|标题)\s*[1-6]$", re.I)


def read_docx(data: bytes, path: str) -> Result:
    from lxml.etree import XMLSyntaxError

    try:
        return _read_docx(data, path)
    except XMLSyntaxError as e:
        # lxml refuses entity bombs (billion laughs) and absurd nesting as it parses.
        what = (Reason("its XML defines entities that expand without bound (an XML bomb)")
                if "entity" in str(e).lower()
                else Reason("its XML cannot be parsed (%(error)s)", error=str(e)))
        return [IngestError(path, Reason(
            "is not a readable Word .docx file: %(what)s: open and re-save it in Word or "
            "LibreOffice if you trust it", what=what))]


def _read_docx(data: bytes, path: str) -> Result:
    import docx  # python-docx; imported here so the text formats never pay for it
    from docx.opc.exceptions import OpcError

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OpcError) as e:
        return [IngestError(path, Reason(
            "is not a readable Word .docx file (%(error)s): open and re-save it in Word or "
            "LibreOffice", error=e.__class__.__name__))]
    fields: dict[str, tuple[str, str]] = {}
    props = document.core_properties
    if (props.title or "").strip():
        fields["title"] = (props.title.strip(), "docx properties")
    if (props.author or "").strip() and props.author.strip().lower() not in _PLACEHOLDER_AUTHORS:
        fields["author"] = (props.author.strip(), "docx properties")
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.lower() == "title" or style == "标题":
            # What the document shows wins over its properties, which go stale in templates.
            fields["title"] = (text, "docx title style")
        elif _HEADING.match(style):
            lines.append(f"## {text}")
        else:
            lines.append(text)
    return [Draft("\n".join(lines), "docx", data, fields, markdown=True)]
