"""A corpus of any size made of real text: real paragraphs recombined under real titles.

The real corpora hold 7,178 (iNews) articles and 19,484 (People's Daily) paragraphs; a
speed test at 100,000 articles needs more articles than exist, but made-up text would
tokenize unlike Chinese news. So each new article is 4–20 real paragraphs drawn with a
seeded RNG, under a real title: the vocabulary, paragraph lengths and word frequencies
stay those of real news, and the same seed gives the same files on every machine.
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import corpus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from indexer.boilerplate import TAIL_RULES  # noqa: E402

#: Longer "paragraphs" are whole articles that lost their line breaks; they would make
#: the mean article size depend on a few outliers.
MAX_PARAGRAPH = 1500
#: A People's Daily line this short without punctuation or figures reads as a headline
#: (lines with figures are tables; 记者 lines are bylines).
TITLE_LIKE = re.compile(r"^(?!.*记者)[^。！？；：，…”」）)0-9０-９．]{6,30}$")


@dataclass
class Pool:
    """What new articles are drawn from, each with the source it came from."""

    titles: list[tuple[str, str]]
    paragraphs: list[str]


def _is_trailer(paragraph: str) -> bool:
    """A platform disclaimer that ends an article: wenhai drops it and all after it, so
    drawn into the middle of a new article it would cut that article short."""
    return any(rule.pattern.search(paragraph) for rule in TAIL_RULES)


def real_pool() -> Pool:
    """Titles and paragraphs from iNews and People's Daily (downloaded on first use)."""
    titles: list[tuple[str, str]] = []
    paragraphs: list[str] = []
    for f in sorted(corpus.inews().glob("*.txt")):
        head, _, body = f.read_text(encoding="utf-8").partition("\n\n")
        titles.append((head.split("\n", 1)[0].removeprefix("Title: "), "iNews"))
        paragraphs.extend(p for p in body.split("\n")
                          if 0 < len(p) <= MAX_PARAGRAPH and not _is_trailer(p))
    for line in corpus.peoples_daily().read_text(encoding="utf-8").splitlines():
        if TITLE_LIKE.match(line):
            titles.append((line, "人民日报"))
        elif len(line) <= MAX_PARAGRAPH:
            paragraphs.append(line)
    return Pool(titles, paragraphs)


def scale_corpus(n: int, seed: int = 1998, out: Path | None = None) -> Path:
    """`n` articles as `Title:`/`Source:`/`Date:` + body `.txt` files, built once per size.

    A date (1998–2024) is drawn too, so the year facet and date filters have work to do.
    """
    out = out or corpus.DATA / f"scale-{n}"
    if (out / ".complete").exists():
        return out
    pool = real_pool()
    rng = random.Random(f"{seed}-{n}")
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        title, source = rng.choice(pool.titles)
        body = "\n".join(rng.choices(pool.paragraphs, k=rng.randint(4, 20)))
        date = f"{rng.randint(1998, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        path = out / f"{i // 1000:03d}" / f"a{i:06d}.txt"  # 1,000 files a folder
        path.parent.mkdir(exist_ok=True)
        path.write_text(
            f"Title: {title}\nSource: {source}\nDate: {date}\n\n{body}\n", encoding="utf-8"
        )
    (out / ".complete").write_text("ok")
    return out


def text_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.txt"))
