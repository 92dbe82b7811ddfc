"""A corpus of any size made of real text: real paragraphs recombined under real titles
(`scale_corpus`), and long articles of real text joined in runs (`long_corpus`).

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


def inews_articles() -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of every iNews article, platform trailers left out."""
    articles = []
    for f in sorted(corpus.inews().glob("*.txt")):
        head, _, body = f.read_text(encoding="utf-8").partition("\n\n")
        articles.append((head.split("\n", 1)[0].removeprefix("Title: "),
                         [p for p in body.split("\n") if p and not _is_trailer(p)]))
    return articles


def real_pool() -> Pool:
    """Titles and paragraphs from iNews and People's Daily (downloaded on first use)."""
    titles: list[tuple[str, str]] = []
    paragraphs: list[str] = []
    for title, body in inews_articles():
        titles.append((title, "iNews"))
        paragraphs.extend(p for p in body if len(p) <= MAX_PARAGRAPH)
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


#: Long articles' lengths in characters: most a little over LONG_MIN, one in a hundred
#: between LONG_TAIL and LONG_MAX (under wenhai's 500,000-character cut, so none is cut).
LONG_MIN, LONG_TAIL, LONG_MAX = 20_000, 200_000, 480_000


def _long_length(rng: random.Random) -> int:
    if rng.random() < 0.01:
        return rng.randint(LONG_TAIL, LONG_MAX)
    return min(LONG_MIN + int(rng.expovariate(1 / 8_000)), LONG_TAIL)


def _peoples_daily_issues(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """Up to `n` (title, date, body): People's Daily paragraphs joined in their order into
    runs of drawn lengths, one pass over the month. This copy marks no days or articles,
    so a run stands for a day's paper; its title is its first headline-like line, its
    date follows its place in the month."""
    lines = corpus.peoples_daily().read_text(encoding="utf-8").splitlines()
    issues, at = [], 0
    while len(issues) < n and at < len(lines):
        want, run = _long_length(rng), []
        while at < len(lines) and sum(map(len, run)) < want:
            run.append(lines[at])
            at += 1
        if sum(map(len, run)) < LONG_MIN:  # the month's last lines
            break
        title = next((line for line in run if TITLE_LIKE.match(line)), run[0][:30])
        day = 1 + (at - 1) * 31 // len(lines)
        issues.append((title, f"1998-01-{day:02d}", "\n".join(run)))
    return issues


def _inews_runs(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """`n` (title, date, body): iNews articles, each under its title line, joined in runs
    of drawn lengths through a shuffled order, reshuffled when it runs out (so two runs
    rarely share an article); titled by their first article."""
    articles = [(t, "\n".join([t, *body])) for t, body in inews_articles() if body]
    runs: list[tuple[str, str, str]] = []
    order: list[tuple[str, str]] = []
    while len(runs) < n:
        want, title, body = _long_length(rng), None, []
        while sum(map(len, body)) < want:
            if not order:
                order = rng.sample(articles, len(articles))
            t, text = order.pop()
            if sum(map(len, body)) + len(text) <= LONG_MAX:
                title = title or t
                body.append(text)
        date = f"{rng.randint(2015, 2019)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        runs.append((title, date, "\n".join(body)))
    return runs


def long_corpus(n: int, seed: int = 1998, out: Path | None = None) -> Path:
    """`n` long articles (LONG_MIN-LONG_MAX characters) of real text, built once per size:
    People's Daily in runs (its share of the real text, at most one pass over it) and
    the rest iNews articles joined in runs."""
    out = out or corpus.DATA / f"long-{n}"
    if (out / ".complete").exists():
        return out
    rng = random.Random(f"long-{seed}-{n}")
    daily = _peoples_daily_issues(rng, round(n * 0.125))  # ~its share of the characters
    articles = [(t, "人民日报", d, b) for t, d, b in daily]
    articles += [(t, "iNews", d, b) for t, d, b in _inews_runs(rng, n - len(daily))]
    out.mkdir(parents=True, exist_ok=True)
    for i, (title, source, date, body) in enumerate(rng.sample(articles, len(articles))):
        path = out / f"{i // 1000:03d}" / f"l{i:06d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"Title: {title}\nSource: {source}\nDate: {date}\n\n{body}\n",
                        encoding="utf-8")
    (out / ".complete").write_text("ok")
    return out


def text_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.txt"))
