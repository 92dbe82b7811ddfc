"""Snippets and highlights: the passage that shows the query, marked, in linear time.

The fast code (arrays of code points and sentence ends) must choose and mark exactly
what the plain definition does: the longest needles first, each wherever it overlaps
nothing taken; the sentence with the most distinct needles, then the most matches,
then the first.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.text import snippets
from store.text.normalize import normalize
from store.text.snippets import SNIPPET_CHARS, mark, snippet, spans


@pytest.fixture(params=["python", "arrays"])
def way(request, monkeypatch):
    """Short texts are matched with str methods, long ones with arrays: test both."""
    if request.param == "arrays":
        monkeypatch.setattr(snippets, "SMALL", 0)
    return request.param

ALPHABET = "的经济發展中国国。！？；\n ,ａA市场人民a12\u3000\t\u200b"


def slow_spans(text: str, needles: list[str], loose: list[str] = ()) -> list[tuple[int, int]]:
    """Each needle, longest first, at every place it occurs that nothing taken overlaps;
    spaces in the text and the needles count for nothing (and are marked within). Then
    the loose needles the same way among themselves, counting anything but letters,
    digits and CJK characters for nothing, where they overlap none of the first."""
    first = _taken(text, needles, lambda c: c in " \t\u200b")
    return sorted(first + [(a, b) for a, b in _taken(text, loose, _not_unit)
                           if all(b <= s or a >= e for s, e in first)])


def _not_unit(c: str) -> bool:
    return not re.match("[\u4e00-\u9fff0-9a-z]", c)


def _taken(text: str, needles: list[str], skipped) -> list[tuple[int, int]]:
    whole = normalize(text)
    kept = [i for i, c in enumerate(whole) if not skipped(c)]
    norm, taken = "".join(whole[i] for i in kept), []
    needles = ["".join(c for c in n if not skipped(c)) for n in needles]
    for needle in sorted({n for n in needles if n}, key=lambda n: (-len(n), n)):
        start = norm.find(needle)
        while start != -1:
            end = start + len(needle)
            if (all(end <= s or start >= e for s, e in taken)
                    and _keeps_runs(whole, kept[start], kept[end - 1] + 1, needle)):
                taken.append((start, end))
            start = norm.find(needle, start + 1)
    return [(kept[a], kept[b - 1] + 1) for a, b in taken]


def _keeps_runs(whole: str, a: int, b: int, needle: str) -> bool:
    """数字和拉丁字母的边界：从一串字母或数字的开头起；以数字结尾时，后面不再是数字。"""
    def kind(c: str) -> str:
        return "a" if "a" <= c <= "z" else "0" if "0" <= c <= "9" else ""

    first, last = kind(needle[0]), kind(needle[-1])
    if first and a > 0 and kind(whole[a - 1]) == first:
        return False
    return not (last == "0" and b < len(whole) and kind(whole[b]) == "0")


def slow_snippet(text: str, needles: list[str], length: int = SNIPPET_CHARS,
                 loose: list[str] = ()) -> str:
    """The definition, checking every sentence against every match."""
    norm, found = normalize(text), slow_spans(text, needles, loose)
    loose_spans = set(found) - set(slow_spans(text, needles))
    sentences, start = [], 0
    for m in re.finditer(r"[。！？；!?;\n]", text):
        sentences.append((start, m.end()))
        start = m.end()
    if start < len(text):
        sentences.append((start, len(text)))
    if not sentences:
        return ""

    def score(i):
        s, e = sentences[i]
        # A loose match is a needle of its own.
        inside = [("loose", _stripped(norm[a:b])) if (a, b) in loose_spans
                  else _unspaced(norm[a:b]) for a, b in found if a >= s and b <= e]
        return (len(set(inside)), len(inside))

    best = max(range(len(sentences)), key=lambda i: (score(i), -i)) if found else 0
    start, end = sentences[best]
    j = best + 1
    while end - start < length and j < len(sentences):
        end = sentences[j][1]
        j += 1
    if end - start > length:
        first = next((a for a, b in found if a >= start), start)
        start = max(start, first - length // 3)
        end = min(end, start + length)
    piece = text[start:end].replace("\n", " ").strip()
    offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))
    marked = [(a - offset, b - offset) for a, b in found
              if a >= offset and b <= offset + len(piece)]
    return ("…" if start > 0 else "") + mark(piece, needles, marked) + (
        "…" if end < len(text) else "")


def _unspaced(found: str) -> str:
    return "".join(c for c in found if c not in " \t\u200b")


def _stripped(found: str) -> str:
    return "".join(c for c in found if not _not_unit(c))


#: The `way` fixture holds for every example of a test.
EXAMPLES = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
texts = st.text(alphabet=ALPHABET, max_size=400)
needle_lists = st.lists(st.text(alphabet="的经济发展中国市场人民aa12 ", min_size=1, max_size=4),
                        max_size=5).map(lambda ns: [normalize(n) for n in ns])


@EXAMPLES
@given(text=texts, needles=needle_lists)
def test_spans_are_the_longest_needles_first_without_overlaps(way, text, needles):
    assert spans(text, needles) == slow_spans(text, needles)


@EXAMPLES
@given(text=texts, needles=needle_lists, loose=needle_lists)
def test_loose_needles_match_across_punctuation_where_nothing_else_did(
    way, text, needles, loose
):
    assert spans(text, needles, loose) == slow_spans(text, needles, loose)


@EXAMPLES
@given(text=texts, needles=needle_lists, length=st.sampled_from([10, 40, SNIPPET_CHARS]))
def test_snippets_equal_the_plain_definition(way, text, needles, length):
    assert str(snippet(text, needles, length)) == str(slow_snippet(text, needles, length))
    loose = needles[:1]
    assert str(snippet(text, needles[1:], length, loose=loose)) == str(
        slow_snippet(text, needles[1:], length, loose=loose))


def test_the_longest_needle_wins_where_several_start(way):
    assert spans("碳纤维机盖很轻", ["机盖", "碳纤维机盖", "碳纤维"]) == [(0, 5)]
    assert str(mark("臺北捷運<站>", ["台北捷运"])) == "<mark>臺北捷運</mark>&lt;站&gt;"
    # Private-use characters in the text itself are kept and escaped as they are.
    assert str(mark("\ue000捷运&\ue001", ["捷运"])) == "\ue000<mark>捷运</mark>&amp;\ue001"


def test_stray_spaces_count_for_nothing_and_are_marked_within(way):
    text = "小米 第三季度财报\u3000显示，营收增长。"
    assert str(mark(text, ["小米第三季度财报显示"])) == (
        "<mark>小米 第三季度财报\u3000显示</mark>，营收增长。")
    assert spans(text, ["财报 显示"]) == [(7, 12)]


def test_highlights_keep_the_boundaries_of_numbers_and_words(way):
    text = "12月26日和2月26日都开会，共150人，其中15人请假。usual不算，su7算，iPhoneX也算。"

    def marked(needle):
        return [text[a:b] for a, b in spans(text, [normalize(needle)])]

    assert [text.index("2月26日", 3)] == [a for a, _ in spans(text, ["2月26日"])]
    assert marked("15") == ["15"] and marked("50") == [] and marked("26") == ["26", "26"]
    assert marked("su") == ["su"]  # usual 里的 su 不标
    assert marked("iphone") == ["iPhone"]  # 字母可以往下接：iPhoneX 里标出 iPhone
    assert str(mark("共150人，其中15人", ["15"])) == "共150人，其中<mark>15</mark>人"


def test_a_long_article_with_thousands_of_matches_shows_the_densest_sentence():
    filler = "这是一段关于城市发展的普通文字，" * 3 + "。"
    body = filler * 5000 + "港口吞吐量创新高，港口茶叶出口增加。" + filler * 5000
    assert len(body) > 400_000 and body.count("的") == 10_000 * 3
    shown = str(snippet(body, ["港口", "茶叶", "的"]))
    assert "<mark>港口</mark>吞吐量" in shown and "<mark>茶叶</mark>" in shown
    assert len(re.sub("<[^>]+>", "", shown)) <= SNIPPET_CHARS + 2
