"""wenhai's index answers every question as a stock Whoosh index of the same documents does.

The stock mirror is Whoosh's own: its writer, its default codec (W3Codec), the same
schema and analyzers. Both get the same documents in the same order, the same
`update_document` and `delete_by_term` calls and the same merges, each merge in a
commit of its own so that the merged segment lands last on both sides and every
document keeps the same number. They are compared in three states — two segments;
about six with deletions and a merge; everything merged into one — on their readers'
statistics, lexicons and postings, on Whoosh searches of every query shape (ranked,
limited, sorted, grouped, collapsed, paged: document numbers and scores exactly), and
the array path (`store.search.matches`) against the truth worked out from the mirror.

Where the two cannot be equal, it says so: the array path adds scores in another order
than Whoosh's matchers (`same_window`: equal to 1e-12), and scores ranges otherwise than
Whoosh does (`scored_range`, an expected failure).
"""

from __future__ import annotations

import itertools
import json
import math
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from whoosh import query as wq
from whoosh import sorting
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

import store.search.matches
from store.engine import folder as index_folder
from store.engine import merging, occurrences, schema
from store.engine import writer as segment_writer
from store.errors import QueryError
from store.search.evaluate import Unsupported
from store.search.filters import FACETS, Filters
from store.search.query import Continued, parse
from store.search.similar import key_terms, like_query
from store.text import analysis

# -- a corpus of real-shaped articles ---------------------------------------------------

SENTENCES = [
    "经济发展稳中向好，市场信心持续恢复。",
    "国民经济运行总体平稳，居民消费价格温和上涨2.1%。",
    "改革开放以来，城市面貌发生了巨大变化。",
    "全国人民代表大会常务委员会今天召开会议。",
    "最高人民法院公开审理了这起合同纠纷案件。",
    "中国国际广播电台播出了这条消息。",
    "港口吞吐量创下新高，茶叶出口继续增加。",
    "图书馆延长了开放时间，市民读书热情高涨。",
    "北京记者报道，稻田里的机器人开始插秧。",
    "电池回收市场的规模正在扩大，2024年预计超过300亿元。",
    "碳纤维机盖让这款汽车轻了不少。",
    "小米SU7上市首月交付超过一万台，订单排到了8月。",
    "雷军在发布会上说，SU7 Ultra的圈速成绩还会刷新。",
    "ＡＩ芯片與GPT-4o同台竞技，推理速度提升３倍。",
    "OpenAI发布GPT-4o之后，国内大模型厂商纷纷降价。",
    "iPhone 15的销量在第3季度回升。",
    "記者在臺北捷運站採訪了通勤的市民。",
    "臺北捷運環狀線北段今日正式通車，首日吸引大批民眾搭乘。",
    "新路線採用無人駕駛系統，列車間隔最短三分鐘。",
    "交通專家認為，環狀線可分擔市中心的轉乘壓力。",
    "經濟部表示，半導體出口連續第５個月成長。",
    "本报北京１月２０日讯　江城地铁三号线正式开通运营。",
    "三号线全长二十四公里，设站十八座。",
    "截至2023年12月30日，各地铁路部门共增开夜间列车四百余列。",
    "新华社北京12月31日电（记者 王芳）今年全国铁路发送旅客再创新高。",
    "周末带孩子去了郊外的湿地公园，看到了成群的白鹭。",
    "公园里的木栈道修得很好，推着婴儿车也能走完全程。",
    "专家建议，雨水花园应当选用耐涝的本地植物。",
    "这道红烧肉的关键在于小火慢炖两个小时。",
    "COVID-19疫情之后，远程办公成为常态。",
    "世界卫生组织WHO发布了新的指南。",
    "国务院常务会议部署稳就业工作，提出15项措施。",
    "江城大桥主跨合龙，预计2025年6月通车。",
    "茶农说，今年明前茶的价格比去年高了两成。",
    "数据显示，一季度GDP同比增长5.3%，好于预期。",
    "外卖骑手在暴雨中坚持送餐，引发网友热议。",
    "人工智能写作工具ChatGPT在高校引起争论。",
    "香港特區政府公布新一份《施政報告》。",
    "國際貨幣基金組織上調了全球經濟增長預測。",
    "上海迪士尼乐园推出夜间烟花表演，门票399元起。",
]
TOPICS = ["经济", "交通", "科技", "汽车", "民生", "法治", "國際", "文化", "AI", "5G"]
AUTHORS = ["张逸", "李明", "王芳", "林舟", "陳清", "Alice Wang", "周敏", None]
SOURCES = ["人民日报", "新华社", "澎湃新闻", "聯合報", "BBC中文", "iFeng", "江城晚报", None]
EDITORS = ["邵莉媛", "劉曉明", "Chen Li"]


def article(i: int, rng: random.Random, version: int = 0) -> dict:
    """An archive row (what `schema.document` takes) for article `i`."""
    body = [rng.choice(SENTENCES) for _ in range(rng.randint(3, 9))]
    body.insert(rng.randrange(len(body) + 1), f"这是第{i}号稿件，{rng.randint(2, 90)}位市民受访。")
    if version:
        body.append(f"更正：第{version}次修订，补充了{rng.choice(TOPICS)}相关内容。")
    title = f"{rng.choice(TOPICS)}｜{rng.choice(SENTENCES)[: rng.randint(5, 14)]}"
    dated = rng.random() < 0.85
    return {
        "id": i,
        "content_hash": f"h{i}v{version}",
        # Every fifth article is a repost of one of the five before it.
        "group_id": (i - 1 - i % 5) if i % 5 == 4 and i > 4 else None,
        "title": title,
        "body": "\n".join(body),
        "author": rng.choice(AUTHORS),
        "source": rng.choice(SOURCES),
        "published": (f"{rng.randint(2019, 2024)}-{rng.randint(1, 12):02d}-"
                      f"{rng.randint(1, 28):02d}") if dated else None,
        # Values the file gave besides the text, the file's name and a copy's title (no
        # draws from `rng`: the articles stay those the counts below were chosen for).
        "extra": json.dumps({"editor": EDITORS[i % len(EDITORS)]} if i % 3 == 0 else {}),
        "paths": json.dumps([f"/稿件/第{i:04d}号.txt"]),
        "titles": json.dumps([f"转载｜{title}"] if i % 7 == 0 else []),
        # Tags people gave it: every article one, every third a second, and every fifth
        # 电话回访, which holds 回访 but is another tag.
        "tags": json.dumps([f"专题{i % 4}", *(["回访"] if i % 3 == 0 else []),
                            *(["电话回访"] if i % 5 == 1 else [])]),
    }


def doc(row: dict) -> dict:
    return schema.document(row)


# -- the two indexes, changed in step -------------------------------------------------


class Pair:
    """wenhai's index and the stock mirror, written in step."""

    def __init__(self, root: Path):
        self.root = root
        self.ours = index_folder.create(root / "wenhai")
        (root / "stock").mkdir(parents=True)
        self.stock = FileStorage(str(root / "stock")).create_index(schema.schema())

    def commit(self, *, delete=(), update=(), add=()) -> None:
        for writer in (segment_writer.Writer(self.ours), self.stock.writer()):
            for doc_id in delete:
                writer.delete_by_term("id", str(doc_id))
            for row in update:
                writer.update_document(**doc(row))
            for row in add:
                writer.add_document(**doc(row))
            writer.commit(merge=False)

    def merge(self, positions) -> None:
        """Merge the segments at `positions` into one, which lands last (no documents
        are added in the same commit)."""

        def ours(writer, segs):
            chosen = [segs[p] for p in positions]
            kept = [s for s in segs if s not in chosen]
            return kept + [merging.merge(writer, chosen)]

        def stock(writer, segs):
            chosen = [segs[p] for p in positions]
            for seg in chosen:
                reader = SegmentReader(writer.storage, writer.schema, seg)
                writer.add_reader(reader)
                reader.close()
            return [s for s in segs if s not in chosen]

        segment_writer.Writer(self.ours).commit(mergetype=ours)
        self.stock.writer().commit(mergetype=stock)

    def snapshot(self, name: str) -> Path:
        target = self.root.parent / name
        shutil.copytree(self.root, target)
        return target


@dataclass
class State:
    """Both indexes of one state, open."""

    name: str
    ours: object  # searchers
    stock: object
    rows: dict  # id -> row of the live articles


def build(root: Path, size: int, seed: int) -> dict[str, tuple[Path, dict]]:
    """States A, B and C of `size` articles: (folder, live rows) for each."""
    rng = random.Random(seed)
    rows = {i: article(i, rng) for i in range(size)}
    pair = Pair(root / "work")
    first, second = size * 2 // 5, size * 7 // 10
    pair.commit(add=[rows[i] for i in range(first)])
    pair.commit(add=[rows[i] for i in range(first, second)])
    live = {i: rows[i] for i in range(second)}
    states = {"A": (pair.snapshot("A"), dict(live))}

    step = (size - second) // 5
    batches = [range(second + k * step, second + (k + 1) * step) for k in range(4)]
    batches.append(range(second + 4 * step, size))

    def updated(ids, version):
        for i in ids:
            live[i] = article(i, rng, version)
        return [live[i] for i in ids]

    def deleted(ids):
        for i in ids:
            del live[i]
        return list(ids)

    def added(ids):
        live.update((i, rows[i]) for i in ids)
        return [rows[i] for i in ids]

    # Keyword arguments are evaluated in order: what changes is picked before a batch is
    # live, and each writer deletes, then updates, then adds.
    pair.commit(update=updated(rng.sample(range(first), 6), 1), add=added(batches[0]))
    pair.commit(delete=deleted(rng.sample(sorted(live), 8)), add=added(batches[1]))
    pair.merge([1, 2])  # the second and third segments, both with deletions
    changed = rng.sample(sorted(live), 9)
    pair.commit(delete=deleted(changed[:4]), update=updated(changed[4:], 2),
                add=added(batches[2]))
    pair.commit(update=updated(rng.sample(range(first), 3), 3), add=added(batches[3]))
    pair.commit(delete=deleted(rng.sample(sorted(live), 3)), add=added(batches[4]))
    states["B"] = (pair.snapshot("B"), dict(live))

    pair.merge(list(range(len(pair.ours._segments()))))
    states["C"] = (pair.snapshot("C"), dict(live))
    return states


def open_state(name: str, folder: Path, rows: dict) -> State:
    ours = index_folder.open_index(folder / "wenhai")
    stock = FileStorage(str(folder / "stock")).open_index(schema=schema.schema())
    return State(name, ours.searcher(), stock.searcher(), rows)


def facet_counts() -> sorting.Facets:
    """Whoosh's `groupedby` counting matches per facet."""
    facets = sorting.Facets()
    for name in FACETS:
        facets.add_field(name, maptype=sorting.Count)
    return facets


CI_SIZE, CI_SEED = 240, 31


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    built = build(tmp_path_factory.mktemp("differential"), CI_SIZE, CI_SEED)
    opened = {name: open_state(name, folder, rows) for name, (folder, rows) in built.items()}
    yield opened
    for state in opened.values():
        state.ours.close()
        state.stock.close()


@pytest.fixture(params="ABC")
def state(request, states) -> State:
    return states[request.param]


# -- what is compared -------------------------------------------------------------------

SCORABLE = schema.WORD_FIELDS + schema.GRAM_FIELDS
#: Postings per block in Whoosh 3's posting files (`W3Codec`'s blocklimit).
WHOOSH_BLOCK = 128


def leaves(searcher) -> list:
    reader = searcher.reader()
    return [r for r, _ in reader.leaf_readers()] if not reader.is_atomic() else [reader]


def check_structure(s: State) -> None:
    ours, stock = s.ours.reader(), s.stock.reader()
    shape = [(r.doc_count_all(), r.doc_count()) for r in leaves(s.ours)]
    assert shape == [(r.doc_count_all(), r.doc_count()) for r in leaves(s.stock)]
    n = ours.doc_count_all()
    assert [ours.is_deleted(d) for d in range(n)] == [stock.is_deleted(d) for d in range(n)]
    assert ([ours.stored_fields(d) for d in range(n)]
            == [stock.stored_fields(d) for d in range(n)])
    assert sorted(int(f["id"]) for f in ours.all_stored_fields()) == sorted(s.rows)


def check_statistics(s: State) -> None:
    ours, stock = s.ours.reader(), s.stock.reader()
    assert (ours.doc_count(), ours.doc_count_all()) == (stock.doc_count(), stock.doc_count_all())
    docs = range(ours.doc_count_all())
    for f in SCORABLE:
        assert ours.field_length(f) == stock.field_length(f), f
        assert ours.max_field_length(f) == stock.max_field_length(f), f
        assert s.ours.avg_field_length(f) == s.stock.avg_field_length(f), f
        assert ([ours.doc_field_length(d, f) for d in docs]
                == [stock.doc_field_length(d, f) for d in docs]), f
    for leaf, mirror in zip(leaves(s.ours), leaves(s.stock), strict=True):
        for f in SCORABLE:
            assert leaf.field_length(f) == mirror.field_length(f), f
            assert leaf.min_field_length(f) == mirror.min_field_length(f), f
            assert leaf.max_field_length(f) == mirror.max_field_length(f), f


def stats(info) -> tuple:
    """A TermInfo's statistics. (Whoosh keeps weights as 32-bit floats and lengths as a
    byte; the codec's are the same values.)"""
    return (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
            info.max_weight(), info.min_id(), info.max_id())


#: Terms no index has: bigrams spelled otherwise than `analysis` spells them, unnormalized
#: text, words and grams mixed up, bytes that are not UTF-8.
ABSENT = [("body_g", "中 国"), ("body_g", "经 济"), ("title_g", "國"), ("body_g", "su7"),
          ("body_g", "GPT"), ("body_g", "2024"), ("body_g", "s u"), ("body_g", "中~"),
          ("body_g", "~"), ("body_g", ""), ("body_g", "中国人"), ("body", "不存在的词"),
          ("title", "經濟"), ("body_g", "gpt 4"), ("body_g", "4 o"), ("body_g", "ａ"),
          ("source", "人民"), ("id", "99999"), ("date", "2030-01-01"), ("body_g", "经  济"),
          ("body_g", "中a"), ("body_g", "a中"), ("body_g", "年2"), ("body_g", "2年"),
          ("body_g", "2 年 "), ("body_g", b"\xff\xfe"), ("body", b"\xe4\xb8"), ("id", b"\xff")]
PREFIXES = ("", "经", "國", "s", "su", "2", "gpt", "中国", "人民", "\uffff")


def check_lexicons(s: State) -> None:
    ours, stock = s.ours.reader(), s.stock.reader()
    terms = list(stock.all_terms())
    assert list(ours.all_terms()) == terms
    assert [(t, stats(i)) for t, i in ours] == [(t, stats(i)) for t, i in stock]
    for leaf, mirror in zip(leaves(s.ours), leaves(s.stock), strict=True):
        assert list(leaf.all_terms()) == list(mirror.all_terms())
        assert [(t, stats(i)) for t, i in leaf] == [(t, stats(i)) for t, i in mirror]
        for f in ("body_g", "title", "id", "date", "year"):  # from inside one field on
            for start in PREFIXES:
                assert (list(itertools.islice(leaf.terms_from(f, start), 40))
                        == list(itertools.islice(mirror.terms_from(f, start), 40))), (f, start)
                assert ([(t, stats(i)) for t, i in itertools.islice(leaf.iter_from(f, start), 40)]
                        == [(t, stats(i)) for t, i in
                            itertools.islice(mirror.iter_from(f, start), 40)]), (f, start)
    for f in schema.schema().names():
        if not schema.schema()[f].indexed:
            continue
        assert list(ours.lexicon(f)) == list(stock.lexicon(f)), f
        for prefix in PREFIXES:
            assert list(ours.expand_prefix(f, prefix)) == list(stock.expand_prefix(f, prefix))
            assert (list(itertools.islice(ours.terms_from(f, prefix), 60))
                    == list(itertools.islice(stock.terms_from(f, prefix), 60))), (f, prefix)
    assert all(t in ours for t in terms)
    for f, text in ABSENT:
        assert ((f, text) in ours) == ((f, text) in stock), (f, text)
        assert ours.frequency(f, text) == stock.frequency(f, text), (f, text)
        assert ours.doc_frequency(f, text) == stock.doc_frequency(f, text), (f, text)
    for f, t in terms:
        assert stats(ours.term_info(f, t)) == stats(stock.term_info(f, t)), (f, t)
        assert ours.frequency(f, t) == stock.frequency(f, t), (f, t)
        assert ours.doc_frequency(f, t) == stock.doc_frequency(f, t), (f, t)


def postings(reader, f, t) -> list[tuple]:
    m, out = reader.postings(f, t), []
    positional = reader.schema[f].format.supports("positions")
    while m.is_active():
        out.append((m.id(), m.weight(), m.value_as("positions") if positional else None))
        m.next()
    return out


def check_postings(s: State) -> None:
    ours, stock = s.ours.reader(), s.stock.reader()
    for f, t in stock.all_terms():
        assert postings(ours, f, t) == postings(stock, f, t), (f, t)


def walk(cursor) -> list:
    """Every term a field cursor shows, from the first, with its statistics."""
    out, text = [], cursor.first()
    while cursor.is_valid():
        out.append((text, cursor.text(), stats(cursor.term_info())))
        text = cursor.next()
    return out + [(text, cursor.text(), cursor.term_info())]


def check_cursors(s: State, probes: list[str]) -> None:
    """Term cursors and what Whoosh builds on them: `terms_within`, the automata."""
    for leaf, mirror in zip(leaves(s.ours), leaves(s.stock), strict=True):
        for f in SCORABLE + ("id", "author"):
            ours, stock = leaf.cursor(f), mirror.cursor(f)
            assert walk(ours) == walk(stock), f
            for probe in probes:
                assert ours.find(probe) == stock.find(probe), (f, probe)
                assert ours.text() == stock.text() and ours.is_valid() == stock.is_valid()
                assert ours.next() == stock.next(), (f, probe)
            for probe in probes[:6]:
                for maxdist, prefix in ((1, 0), (1, 1), (2, 1)):
                    assert (sorted(leaf.terms_within(f, probe, maxdist, prefix))
                            == sorted(mirror.terms_within(f, probe, maxdist, prefix))), probe
    ours, stock = s.ours.reader(), s.stock.reader()
    for probe in probes[:12]:  # a reader over segments walks its prefix instead
        assert (sorted(ours.terms_within("body", probe, 1))
                == sorted(stock.terms_within("body", probe, 1))), probe


# -- searches --------------------------------------------------------------------------


def corpus_text(s: State) -> list[str]:
    return [f"{r['title']}\n{r['body']}" for _, r in sorted(s.rows.items())]


def corpus_words(s: State, rng: random.Random, n: int) -> list[str]:
    texts = rng.sample(corpus_text(s), 12)
    found = sorted({w for t in texts for w, *_ in analysis.words(t) if len(w) > 1})
    return rng.sample(found, min(n, len(found)))


def parser_texts(s: State, rng: random.Random, n: int) -> list[str]:
    """User queries of every kind the parser knows, drawn from the corpus."""
    texts = corpus_text(s)
    chars = sorted({u for t in texts for u, *_ in analysis.units(t) if len(u) == 1})
    words = corpus_words(s, rng, 40)
    out = rng.sample(chars, n)
    for _ in range(n):
        text = rng.choice(texts).replace("\n", "")
        size = rng.randint(2, 6)
        at = rng.randrange(len(text) - size)
        out.append(text[at : at + size])
    out += words[:n]
    out += [f"{rng.choice(words)} {rng.choice(words)}" for _ in range(n // 2)]
    out += [f'"{rng.choice(words)}{rng.choice(words)}"' for _ in range(n // 3)]
    out += [f"{rng.choice(words)} -{rng.choice(words)}" for _ in range(n // 2)]
    out += [f"{rng.choice(words)} OR {rng.choice(words)}" for _ in range(n // 3)]
    fixed = [
        "SU7", "su7 ultra", "GPT-4o", "2024年", "ＡＩ芯片", "經濟發展", "臺北捷運",
        "市场 -经济", "经济 发展 -市场 -人民", '"国民经济"', "“人民代表大会”", "小米 OR 雷军",
        "title:经济", "title:SU7", "author:张逸", "author:陳清", "source:人民", "source:bbc",
        "date:2023", "date:2021-03..2022-06", "date:..2020-12-31", "date:2022..",
        "经济 date:2024", "市民 -date:2023", "title:交通 OR title:汽车", "的",
        "最高人民法院", "人民 法院", "经济 OR 交通 OR 科技", "iPhone 15", "covid-19",
    ]
    return out + rng.sample(fixed, min(len(fixed), 2 * n))


def parsed_queries(texts: list[str]) -> list[tuple[wq.Query, wq.Query | None]]:
    """(query, exact form or None) of each text the parser accepts."""
    out = []
    for text in texts:
        try:
            p = parse(text)
        except QueryError:  # a random substring of punctuation, or only an exclusion
            continue
        out.append((p.query, p.exact))
    return out


def hand_built(s: State, rng: random.Random) -> list[wq.Query]:
    words = corpus_words(s, rng, 12)
    grams = analysis.gram_terms("国民经济运行")
    return [
        wq.Term("body_g", "济"),
        wq.Term("title_g", "中", boost=3.0),
        wq.Term("body_g", "su 7", boost=2.5),
        wq.Term("body", words[0]),
        wq.Term("title", "经济"),
        wq.Term("source", "人民日报"),
        wq.Term("author", "Alice Wang", boost=2.0),
        wq.Term("body_g", "经 济"),
        wq.Phrase("body_g", grams),
        wq.Phrase("body_g", grams, boost=2.0),
        wq.Phrase("body_g", ["国", "济"], slop=1),
        wq.Phrase("body_g", ["国", "济"], slop=2),
        wq.Phrase("body_g", ["人民", "会"], slop=4),
        # The word fields keep no positions (Whoosh refuses their phrases too): another
        # positional field's phrases instead.
        wq.Phrase("title_g", ["经济", "济发", "发展"]),
        wq.Phrase("title_g", ["市场", "恢复"], slop=3),
        wq.And([wq.Term("body_g", "市"), wq.Term("body_g", "民")]),
        wq.Or([wq.Term("body_g", "港"), wq.Term("title_g", "港", boost=3.0),
               wq.Term("body", "市场")]),
        wq.Or([wq.Term("body_g", c) for c in "经济发展"], minmatch=3),
        wq.Or([wq.Term("body", w) for w in words[1:6]], minmatch=2),
        wq.Not(wq.Term("body_g", "市")),
        wq.And([wq.Term("body_g", "国"), wq.Not(wq.Term("body_g", "济"))]),
        wq.AndNot(wq.Term("body_g", "市"), wq.Term("body_g", "经")),
        wq.AndNot(wq.Or([wq.Term("body_g", "铁"), wq.Term("body_g", "港")]),
                  wq.Term("source", "新华社")),
        wq.DisjunctionMax([wq.Term("title_g", "经", boost=3.0), wq.Term("body_g", "经")]),
        wq.DisjunctionMax([wq.Term("title", "经济"), wq.Term("body", "经济")], tiebreak=0.3),
        wq.Prefix("body", "经"),
        wq.Prefix("body_g", "su"),
        wq.Prefix("date", "2023"),
        wq.Wildcard("body", "经*"),
        wq.Wildcard("body_g", "?国"),
        wq.Wildcard("source", "*报"),
        wq.Regex("body", "^人民"),
        wq.Regex("body_g", "^s[a-z]* "),
        wq.FuzzyTerm("title", "国民", maxdist=1, prefixlength=1),
        wq.FuzzyTerm("body", "经济", maxdist=1),
        wq.FuzzyTerm("body_g", "gpu", maxdist=1, prefixlength=1),
        wq.FuzzyTerm("title_g", "中国", maxdist=1, prefixlength=0, boost=2.0),
        wq.FuzzyTerm("author", "张一", maxdist=1),
        wq.TermRange("body_g", "中", "丰"),
        wq.TermRange("body", "经济", "经验", startexcl=True),
        wq.TermRange("date", "2021-01", "2022-06~"),
        wq.TermRange("id", "10", "20"),
        wq.TermRange("date", None, "2020~", boost=2.0),
        wq.Every(),
        wq.Every("date"),
        wq.Or([wq.Every("date"), wq.Term("title_g", "经")]),
    ]


def top(results) -> list[tuple]:
    return [(docnum, score) for score, docnum in results.top_n]


def searched(searcher, q: wq.Query) -> list:
    """What Whoosh's searcher answers for `q`, every way the project or a user asks."""
    r = searcher.search(q, limit=None, groupedby=facet_counts())
    out = [("all", len(r), r.scored_length(), top(r), {n: r.groups(n) for n in FACETS})]
    for limit in (1, 3, 8, 10):
        r = searcher.search(q, limit=limit)
        out.append((limit, top(r)))
    out.append(("count", len(r)))  # counted again: a limited search skips what cannot win
    r = searcher.search(q, limit=None, sortedby="date")
    out.append(("date", [(d, key) for key, d in r.top_n]))
    r = searcher.search(q, limit=5, sortedby="date", reverse=True)
    out.append(("-date", [(d, key) for key, d in r.top_n]))
    r = searcher.search(q, limit=10, collapse="group")
    out.append(("collapse", top(r), dict(r.collapsed_counts)))
    r = searcher.search(q, limit=10, filter=wq.Term("source", "人民日报"))
    out.append(("filter", top(r)))
    page = searcher.search_page(q, 2, pagelen=3)
    out.append(("page", page.total, page.pagecount, [(h.docnum, h.score) for h in page]))
    return out


def check_searches(s: State, queries) -> int:
    for q in queries:
        assert searched(s.ours, q) == searched(s.stock, q), q
    return len(queries)


# -- the array path against the truth from the mirror ---------------------------------


def stock_hits(searcher, q: wq.Query) -> dict[int, float]:
    """Every live document matching `q` with its score, by stock Whoosh. AndNot is worked
    out as A minus B: Whoosh's AndNot matcher lets excluded documents through in its
    collectors (test_matches.test_an_excluded_word_excludes_every_article_containing_it)."""
    if type(q) is wq.AndNot:
        assert q.boost == 1.0
        kept, gone = stock_hits(searcher, q.a), stock_hits(searcher, q.b)
        return {d: score for d, score in kept.items() if d not in gone}
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}


def truth(searcher, q, *, exact=None, narrow=None, sort="relevance", collapse=True,
          start=0, stop=10):
    """What `store.search.matches.find` should answer, by its rules (exact matches first, then
    by score, ties in document order; dated first by date; one per repost group; facets
    over every match listed), worked out from the mirror's matches."""
    reader = searcher.reader()
    hits = stock_hits(searcher, q)
    if narrow is not None:
        allowed = stock_hits(searcher, narrow)
        hits = {d: score for d, score in hits.items() if d in allowed}
    exacts = stock_hits(searcher, exact) if exact is not None else hits
    columns = {name: reader.column_reader(name) for name in (*FACETS, "date", "group")}
    value = {name: {d: column[d] for d in hits} for name, column in columns.items()}

    def key(d):
        if sort == "relevance":
            return (d not in exacts, -hits[d], d)
        date = value["date"][d]
        if not date:
            return (1, (), d)
        return (0, tuple(-ord(c) for c in date) if sort == "newest" else date, d)

    ranked = sorted(hits, key=key)
    if collapse:
        seen, listed = set(), []
        for d in ranked:
            if value["group"][d] not in seen:
                seen.add(value["group"][d])
                listed.append(d)
        ranked = listed
    window = [(int(reader.stored_fields(d)["id"]), hits[d] if sort == "relevance" else 0.0)
              for d in ranked[start:stop]]
    facets = {}
    for name in FACETS:
        counts: dict[str, int] = {}
        for d in ranked:  # an article's tags are one column value, joined
            for v in value[name][d].split(schema.TAG_JOIN) if name == "tag" else [value[name][d]]:
                if v:
                    counts[v] = counts.get(v, 0) + 1
        if name == "year":
            facets[name] = sorted(counts.items(), reverse=True)
        else:
            facets[name] = sorted(counts.items(), key=lambda c: (-c[1], c[0]))
    months: dict[str, int] = {}  # the timeline's counts, oldest first
    for d in ranked:
        if date := value["date"][d]:
            months[date[:7]] = months.get(date[:7], 0) + 1
    facets["month"] = sorted(months.items())
    return len(ranked), window, facets


ARRAY_VARIANTS = [
    {}, {"sort": "newest"}, {"sort": "oldest", "start": 3, "stop": 9},
    {"collapse": False}, {"start": 10, "stop": 20},
    {"narrow": Filters(source="人民日报").query()},
    {"narrow": Filters(tag="回访").query(), "collapse": False},
    {"narrow": Filters(year="2023", author="张逸").query(), "collapse": False},
    {"narrow": Filters(date_from="2021-03", date_to="2023-10-05").query(), "sort": "newest"},
]


def same_window(found: list, want: list) -> bool:
    """The same articles in the same order, their scores equal to within rounding.

    The array path adds a query's parts in another order than Whoosh's matchers do:
    Whoosh's Or over a segment of at most 5,000 documents gathers its parts in an array
    (`ArrayUnionMatcher`), adding each part's score times the Or's boost, where
    `evaluate` multiplies the parts' sum by the boost; over larger segments Whoosh's
    tree of unions pairs parts by their estimated size. The sums then differ in their
    last bits (123.22783705322692 against ...689): never by more than 1e-12 of the score.
    """
    return [i for i, _ in found] == [i for i, _ in want] and all(
        math.isclose(a, b, rel_tol=1e-12) for (_, a), (_, b) in zip(found, want, strict=True))


def scored_range(q: wq.Query) -> bool:
    """A range on a text field, or boosted: `evaluate` scores every match as the range's
    boost, Whoosh scores a segment's matches by its terms (a segment with one term in
    the range: that term's BM25 score, boost dropped). The query language makes neither
    (its ranges are unboosted, on dates); see test_the_array_path_scores_ranges_as_whoosh.
    """
    return isinstance(q, wq.TermRange) and (q.fieldname in SCORABLE or q.boost != 1.0)


def check_array_path(s: State, queries) -> tuple[int, int]:
    """(queries compared, queries the array path leaves to Whoosh)."""
    compared = unsupported = 0
    for q, exact in queries:
        assert not scored_range(q), q
        try:
            store.search.matches.find(s.ours, q)
        except Unsupported:
            unsupported += 1
            continue
        for variant in ARRAY_VARIANTS:
            found = store.search.matches.find(s.ours, q, exact=exact, **variant)
            total, window, facets = truth(s.stock, q, exact=exact, **variant)
            assert not found.partial
            assert (found.total, found.facets) == (total, facets), (q, variant)
            assert same_window(found.window, window), (q, variant, found.window, window)
        compared += 1
    return compared, unsupported


# -- the tests --------------------------------------------------------------------------

#: Parsed queries of each kind per state: B, with six segments and deletions, gets most.
PARSED = {"A": 3, "B": 4, "C": 2}


def test_both_sides_have_the_same_segments_and_documents(state):
    check_structure(state)
    assert len(leaves(state.ours)) == {"A": 2, "B": 6, "C": 1}[state.name]
    assert state.ours.reader().has_deletions() == (state.name == "B")


def test_reader_statistics_agree(state):
    check_statistics(state)


def test_lexicons_and_term_statistics_agree(state):
    check_lexicons(state)


def test_postings_with_positions_agree(state):
    check_postings(state)
    if state.name == "C":  # terms over several of Whoosh's blocks of postings
        assert state.ours.reader().doc_frequency("body_g", "稿") > WHOOSH_BLOCK


def test_term_cursors_and_terms_within_agree(state):
    rng = random.Random(f"cursor{state.name}")
    probes = corpus_words(state, rng, 14) + ["国民", "gpt", "su", "2024", "", "\uffff", "經"]
    check_cursors(state, probes)


def test_searches_of_every_parsed_query_agree(state):
    rng = random.Random(f"parsed{state.name}")
    queries = parsed_queries(parser_texts(state, rng, PARSED[state.name]))
    shapes = [q for pq, ex in queries for q in (pq, ex) if q is not None]
    assert check_searches(state, shapes) > 6 * PARSED[state.name]


def test_searches_of_hand_built_queries_agree(state):
    check_searches(state, hand_built(state, random.Random(f"hand{state.name}")))


def test_idf_and_key_terms_agree(state):
    for text in corpus_text(state)[::20]:
        for w, *_ in analysis.words(text):
            assert state.ours.idf("body", w) == state.stock.idf("body", w), w
            assert state.ours.idf("body_g", w[:1]) == state.stock.idf("body_g", w[:1]), w
        assert key_terms(state.ours, text) == key_terms(state.stock, text)


def test_the_array_path_finds_what_the_mirror_says(state):
    rng = random.Random(f"array{state.name}")
    queries = parsed_queries(parser_texts(state, rng, 2))
    like = like_query(key_terms(state.ours, corpus_text(state)[7]))
    queries.append((wq.AndNot(like, wq.Or([wq.Term("id", "7"), wq.Term("id", "8")])), None))
    queries += [(q, None) for q in hand_built(state, rng) if not scored_range(q)]
    compared, unsupported = check_array_path(state, queries)
    assert compared >= 30 and unsupported < 25, (compared, unsupported)


#: 末尾的拉丁字母可以往下接（s 找到 su、sar……）：一个词、词组末尾、字段里、排除时都比一比。
GOING_ON = ["s", "chatg", "o", "工具Chat", "组织W", "title:s", "source:bb", "经济 -co",
            "发布了gpt OR 工具c", "su7 u", "ＡＩ芯", "ai"]


def test_latin_words_going_on_agree_everywhere(state):
    queries = parsed_queries(GOING_ON)
    assert sum(isinstance(q, Continued) for pq, _ in queries for q in pq.leaves()) >= 30
    check_searches(state, [q for pq, ex in queries for q in (pq, ex) if q is not None])
    assert check_array_path(state, queries) == (len(GOING_ON), 0)


@pytest.mark.xfail(strict=True, reason="store.evaluate scores a range as its boost (evaluate.py "
                   "is outside this change: see scored_range)")
@pytest.mark.parametrize("q", [wq.TermRange("body", "经济", "经验", startexcl=True),
                               wq.TermRange("date", None, "2020~", boost=2.0)])
def test_the_array_path_scores_ranges_as_whoosh(states, q):
    s = states["A"]
    found = store.search.matches.find(s.ours, q, collapse=False, stop=1000)
    total, window, _ = truth(s.stock, q, collapse=False, stop=1000)
    assert found.total == total
    assert same_window(found.window, window)


def test_filters_read_from_the_columns_find_what_whoosh_postings_find(state):
    """Filters (and `date:` ranges) are worked out from the segments' columns
    (`evaluate._column_term`, `_range`), not the ID fields' postings: each value the
    index holds, a value it lacks, and date ranges whose bounds are dates it holds, each
    bound inclusive and not, find the same articles as Whoosh's terms."""
    reader = state.stock.reader()
    values = {name: sorted(t.decode() for t in reader.lexicon(name))
              for name in ("source", "author", "year", "tag", "date")}
    assert "回访" in values["tag"] and "电话回访" in values["tag"]
    filters = [wq.Term(name, v) for name in ("source", "author", "year", "tag")
               for v in values[name]]
    filters += [wq.Term("source", "没有这个来源"), wq.Term("tag", "回")]
    dates = values["date"]
    lo, hi = dates[len(dates) // 4], dates[3 * len(dates) // 4]
    filters += [wq.TermRange("date", lo, hi, startexcl=a, endexcl=b)
                for a in (False, True) for b in (False, True)]
    filters += [wq.TermRange("date", None, lo), wq.TermRange("date", hi, None),
                wq.TermRange("date", hi, lo), wq.TermRange("date", dates[0], dates[0])]
    for narrow in filters:
        found = store.search.matches.find(state.ours, wq.Every(), narrow=narrow,
                                          collapse=False, stop=None)
        total, window, facets = truth(state.stock, wq.Every(), narrow=narrow,
                                      collapse=False, stop=None)
        assert (found.total, found.facets) == (total, facets), narrow
        assert [d for d, _ in found.window] == [d for d, _ in window], narrow


# -- the disagreements of issue 31, one test each -------------------------------------


def test_a_boosted_term_with_a_limit_keeps_its_best_hits(states):
    # The codec's matcher dropped itself when its unboosted best score was under the
    # collector's cutoff: 33 of 277 title characters searched this way in A gave a wrong
    # top 8 (52 of 284 in C, one segment).
    for s in states.values():
        chars = [t for t in s.stock.reader().lexicon("title_g") if len(t.decode()) == 1]
        for text in chars:
            q = wq.Term("title_g", text.decode(), boost=3.0)
            best = top(s.stock.search(q, limit=None))[:8]
            assert top(s.ours.search(q, limit=8)) == top(s.stock.search(q, limit=8)) == best


def trace(m) -> list:
    """A scored matcher's walk: each document, its score, its block's quality, and
    whether moving on began a new block (what a limited search's collector looks at)."""
    out = [m.supports_block_quality(), m.max_quality()]
    while m.is_active():
        out.append((m.id(), m.score(), m.block_quality(), m.next()))
    return out


def skipped(m, minquality: float) -> tuple:
    n = m.skip_to_quality(minquality)
    return n, m.is_active(), m.id() if m.is_active() else None


def test_matchers_estimate_quality_as_whoosh_does(states):
    # The codec's matchers estimated a term's best score from bounds (every length 1,
    # the list one block), Whoosh's from its blocks of 128 postings and their shortest
    # documents; Whoosh's Or and And decide by these (`replace`), misjudging boosted
    # parts, so their limited searches differed: e.g. parse("1日").query, limit 1, in A.
    for s in states.values():
        pairs = zip(s.ours.subsearchers or [(s.ours, 0)],
                    s.stock.subsearchers or [(s.stock, 0)], strict=True)
        for (ours, _), (stock, _) in pairs:
            for f in SCORABLE:
                terms = list(stock.reader().lexicon(f))
                sample = [t for t in terms if stock.reader().doc_frequency(f, t) > WHOOSH_BLOCK]
                sample += random.Random(f"{s.name}{f}").sample(terms, min(40, len(terms)))
                for t in sample:
                    assert trace(ours.postings(f, t)) == trace(stock.postings(f, t)), (f, t)
                    best = stock.postings(f, t).max_quality()
                    for cut in (0.5 * best, 0.9 * best, best):
                        assert (skipped(ours.postings(f, t), cut)
                                == skipped(stock.postings(f, t), cut)), (f, t, cut)


def test_fuzzy_terms_read_text_fields(states):
    # Term cursors over text fields raised NotImplementedError.
    q = wq.FuzzyTerm("title", "国民", maxdist=1, prefixlength=1)
    for s in states.values():
        assert searched(s.ours, q) == searched(s.stock, q)
        leaf, mirror = leaves(s.ours)[-1], leaves(s.stock)[-1]
        assert list(leaf.terms_within("body_g", "中国", 1)) == list(
            mirror.terms_within("body_g", "中国", 1))


def test_terms_come_once_in_whoosh_order(states):
    # Text fields' terms came after every other field's, so Whoosh's merge of segments
    # gave them twice and out of order (6,651 terms for 4,127 in A).
    for s in states.values():
        terms = list(s.ours.reader().all_terms())
        assert terms == sorted(set(terms)) == list(s.stock.reader().all_terms())
        assert list(s.ours.reader().terms_from("author", "")) == list(
            s.stock.reader().terms_from("author", ""))


def test_a_bigram_has_one_spelling(states):
    # Two characters with a space between were taken for their bigram: 中 国 for 中国.
    for s in states.values():
        reader = s.ours.reader()
        assert ("body_g", "中国") in reader and ("body_g", "中 国") not in reader
        assert ("body_g", "su 7") in reader and ("body_g", "su7") not in reader
        assert not s.ours.search(wq.Term("body_g", "经 济"), limit=None)
        for f, t in s.stock.reader().all_terms():
            if f in schema.GRAM_FIELDS:
                text = t.decode()
                assert occurrences._parsed(text) is not None, text
                if len(text) == 2 and not text.isascii():
                    assert occurrences._parsed(f"{text[0]} {text[1]}") is None, text
                if " " in text:  # without its space it is another term, or none
                    joined = occurrences._parsed(text.replace(" ", ""))
                    assert joined is None or len(joined) == 1, text  # alice wang: alicewang
                    assert occurrences._parsed(text.replace(" ", "  ")) is None, text


def test_bytes_that_are_no_text_are_no_term(states):
    # The codec decoded a text field's term bytes as UTF-8 and raised on others.
    for s in states.values():
        for f, text in [("body_g", b"\xff\xfe"), ("body", b"\xe4\xb8")]:
            assert (f, text) not in s.ours.reader()
            assert s.ours.reader().doc_frequency(f, text) == 0
            assert not s.ours.search(wq.Term(f, text), limit=None)


# -- a larger run -----------------------------------------------------------------------


@pytest.mark.slow
def test_a_larger_archive_agrees_everywhere(tmp_path):
    for name, (folder, rows) in build(tmp_path, 1200, 4242).items():
        s = open_state(name, folder, rows)
        try:
            check_structure(s)
            check_statistics(s)
            check_lexicons(s)
            check_postings(s)
            rng = random.Random(f"slow{name}")
            check_cursors(s, corpus_words(s, rng, 20) + ["国民", "gpt", ""])
            queries = parsed_queries(parser_texts(s, rng, 15))
            check_searches(s, [q for pq, ex in queries for q in (pq, ex) if q is not None])
            check_searches(s, hand_built(s, rng))
            check_array_path(s, queries + [(q, None) for q in hand_built(s, rng)
                                           if not scored_range(q)])
        finally:
            s.ours.close()
            s.stock.close()
