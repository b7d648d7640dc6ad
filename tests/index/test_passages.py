"""Passages of the real reports: rejoined paragraphs, kinds, sections, spans and ids."""

from __future__ import annotations

import re

import pytest
from shuangyu.index.sources.passages import (
    BODY,
    CAPTION,
    CREDIT,
    HEADING,
    MAX_PASSAGE_CHARS,
    split_report,
)


@pytest.fixture(scope="module")
def passages(real_corpus):
    return {report.id: split_report(report.id, report.text) for report in real_corpus.reports}


@pytest.fixture(scope="module")
def all_passages(passages):
    return [passage for report_passages in passages.values() for passage in report_passages]


def containing(all_passages, fragment):
    found = [passage for passage in all_passages if fragment in passage.text]
    assert len(found) == 1, f"{fragment!r} is in {len(found)} passages"
    return found[0]


@pytest.mark.parametrize(
    "before, after",
    [
        ("注册人数", "达30万人"),
        ("沙坪坝区经", "济高质量发展的一张王牌"),
        ("深入推", "动黄金湾·智谷的运营。"),
        ("先导产", "业,发展战略性新兴产业"),
        ("持续提升东", "西南北“四向齐发”"),
        ("金碧正街“重庆", "1949”大剧院开工建设"),
        ("行政许可即办", "比例提升至54.8%"),
    ],
)
def test_paragraphs_cut_by_page_breaks_are_rejoined(all_passages, before, after):
    passage = containing(all_passages, before + after)
    assert passage.kind == BODY
    assert len(passage.spans) == 2


def test_the_caption_that_cut_a_paragraph_is_its_own_passage_after_it(passages):
    report = passages["shapingba-four-zones"]
    texts = [passage.text for passage in report]
    joined = next(i for i, text in enumerate(texts) if "深入推动黄金湾" in text)
    assert report[joined + 1].text == "全康动力数字工厂"
    assert report[joined + 1].kind == CAPTION


def test_captions_and_credits_are_typed(all_passages):
    captions = {passage.text for passage in all_passages if passage.kind == CAPTION}
    assert captions == {
        "全康动力数字工厂",
        "俯瞰重庆国际物流枢纽园区",
        "红岩志愿者开展宣讲活动",
        "繁忙的小康集团生产车间",
        "全国首个“商圈高铁TOD综合体”——龙湖光年",
        "沙坪公园",
    }
    credits = {passage.text for passage in all_passages if passage.kind == CREDIT}
    assert {
        "王彩艳 杨敏",
        "王彩艳 肖亚平",
        "图片由沙坪坝区委宣传部提供",
        "——小康集团创始人 张兴海",
    } <= credits
    assert "新起点 新气象 新征程 新担当" not in credits


def test_headings_become_the_section_of_the_passages_under_them(all_passages):
    hub = containing(all_passages, "以重庆国际物流枢纽园区为主战场")
    assert hub.section == "开放引领示范区 · 建设内陆开放高地重要门户 扩大开放发展能级"
    ix5 = containing(all_passages, "风光ix5智能轿跑SUV")
    assert ix5.section == "话说 高质量"
    headings = [passage for passage in all_passages if passage.kind == HEADING]
    assert "经济发展实现高质量" in {passage.text for passage in headings}
    assert all(passage.section.endswith(passage.text) for passage in headings)


def test_body_passages_are_whole_sentences_of_bounded_length(all_passages):
    for passage in all_passages:
        if passage.kind == BODY:
            assert len(passage.text) <= MAX_PASSAGE_CHARS
            assert passage.text == passage.text.strip()
            assert re.search(r"[。！？!?…；;”]$", passage.text), passage.text


def test_long_paragraphs_are_split_at_sentence_ends():
    paragraph = "".join(
        f"这是第{n}句话，内容是关于沙坪坝区的物流枢纽与科技创新发展情况的较长描述。"
        for n in range(12)
    )
    passages = split_report("demo", paragraph + "\n")
    assert len(passages) > 1
    assert "".join(passage.text for passage in passages) == paragraph
    assert all(passage.text.endswith("。") for passage in passages)


def test_spans_reproduce_every_character_of_the_source_once_in_order(real_corpus, passages):
    for report in real_corpus.reports:
        spans = sorted(span for passage in passages[report.id] for span in passage.spans)
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end <= start, "overlapping spans"
        rebuilt = "".join(report.text[start:end] for start, end in spans)
        assert re.sub(r"\s", "", rebuilt) == re.sub(r"\s", "", report.text)
        for passage in passages[report.id]:
            assert passage.text == "".join(report.text[start:end] for start, end in passage.spans)


def test_ids_are_readable_unique_and_stable(real_corpus, passages):
    for report in real_corpus.reports:
        again = split_report(report.id, report.text)
        assert [(p.id, p.content_hash) for p in again] == [
            (p.id, p.content_hash) for p in passages[report.id]
        ]
        ids = [passage.id for passage in again]
        assert len(set(ids)) == len(ids)
        assert ids[0] == f"{report.id}:p001"


def test_content_hash_changes_with_the_text():
    first = split_report("demo", "沙坪坝区发展物流。\n")[0]
    second = split_report("demo", "沙坪坝区发展科技。\n")[0]
    assert first.id == second.id
    assert first.content_hash != second.content_hash
