"""How the normalization table is made: run once by a developer, never by the archive.

`normalize` reads its table from `normalization.tsv`, which this module wrote. Built
at start-up instead, from the running Python's Unicode data and the installed OpenCC's
dictionary, the table changed whenever either did (Python 3.11 has Unicode 14.0, 3.12
15.0, 3.13 15.1), and the index's fingerprint with it: every archive then refused to
search until `wenhai reindex` had run, an hour and more at a million articles, after
nothing but a Python or OpenCC upgrade.

    python -m store.text.normalization_rules    # writes normalization.tsv again

Write it again only to change the rules, and bump `normalize.NORMALIZATION_VERSION`
then: every index is rebuilt. The file keeps the Unicode and OpenCC versions it was
built from, so `tests/test_analysis.py` can check, on those versions, that these rules
still give it.

The rules: NFKC, then case folding (lower-casing where folding would change a length),
then OpenCC's traditional→simplified for one character at a time. Mappings that would
change a string's length (NFKC's ㍿ → 株式会社, casefold's ß → ss) are left out: they are
rare in Chinese text and would break the offset guarantee.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

#: Where the table is kept, beside this module (shipped in the wheel as package data).
TABLE = Path(__file__).with_name("normalization.tsv")

#: The ideographs OpenCC's traditional→simplified mapping is asked about; also, for
#: `normalize.is_cjk`, what counts as a Chinese character.
CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FFFF),
)

#: The highest code point the table may map (everything above maps to itself).
LAST = 0x2FFFF


def _single_char(c: str) -> str:
    n = unicodedata.normalize("NFKC", c)
    if len(n) != 1:
        return c
    f = n.casefold()
    if len(f) != 1:
        f = n.lower()
    return f if len(f) == 1 else n


def build() -> dict[int, str]:
    """The table these rules give on this Python, with the installed OpenCC."""
    import opencc  # only to build the table: the archive reads the file

    table: dict[int, str] = {}
    for cp in range(min(sys.maxunicode, LAST) + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if cp < 0x80:
            if "A" <= c <= "Z":
                table[cp] = c.lower()
            continue
        n = _single_char(c)
        if n != c:
            table[cp] = n
    # Traditional → simplified, one character at a time. Characters are converted
    # separated by newlines so that OpenCC's phrase rules never span two of them.
    chars = [
        chr(cp)
        for lo, hi in CJK_RANGES
        for cp in range(lo, hi + 1)
        if unicodedata.category(chr(cp)) == "Lo"
    ]
    converted = opencc.OpenCC("t2s.json").convert("\n".join(chars)).split("\n")
    if len(converted) == len(chars):
        for src, dst in zip(chars, converted, strict=True):
            if len(dst) == 1 and dst != src:
                table[ord(src)] = dst
    # A compatibility ideograph may map to a traditional form: apply t2s after NFKC.
    for cp, dst in list(table.items()):
        if len(dst) == 1 and ord(dst) in table and table[ord(dst)] != dst:
            table[cp] = table[ord(dst)]
    return table


def versions() -> dict[str, str]:
    """What `build` depends on beyond these rules: this Python's Unicode, OpenCC's."""
    from importlib.metadata import version

    return {"unicode": unicodedata.unidata_version, "opencc": version("opencc")}


def write(table: dict[int, str], built_with: dict[str, str], path: Path = TABLE) -> None:
    """Keep `table` at `path`: a header of `# key value` lines, then one mapping a line,
    both code points in hexadecimal, tab between."""
    lines = ["# wenhai's normalization table (store/text/normalization_rules.py wrote it)"]
    lines += [f"# {key} {value}" for key, value in built_with.items()]
    lines += [f"{cp:X}\t{ord(table[cp]):X}" for cp in sorted(table)]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


def read(path: Path = TABLE) -> tuple[dict[int, str], dict[str, str]]:
    """The table kept at `path`, and the versions it was built with."""
    table: dict[int, str] = {}
    built_with: dict[str, str] = {}
    for line in path.read_text(encoding="ascii").splitlines():
        if line.startswith("# "):
            key, _, value = line[2:].partition(" ")
            if key in ("unicode", "opencc"):
                built_with[key] = value
            continue
        src, dst = line.split("\t")
        table[int(src, 16)] = chr(int(dst, 16))
    return table, built_with


if __name__ == "__main__":
    write(build(), versions())
    print(f"wrote {TABLE}", file=sys.stderr)
