"""Headings that are headings (issue 28, point 2): each rule of ``passages._classify`` on an
excerpt of the real reports (../shared/realcorpus, quoted as they are), then the whole real
collection. A numbered heading is a heading; a short line stands for a heading only on its own:
not a piece of a sentence that a web page's link cut out, not a signature, not the page's
furniture, not punctuation; and a heading broken over two lines is one heading."""

from __future__ import annotations

import re

import pytest
from shuangyu.index.sources.corpus import read_corpus
from shuangyu.index.sources.passages import BODY, CREDIT, HEADING, PATH_SEPARATOR, split_report

from testbed.paths import REAL_COLLECTION

KICKER = " · "


def split(excerpt: str):
    return split_report("excerpt", excerpt)


def headings(passages) -> list[str]:
    return [passage.text for passage in passages if passage.kind == HEADING]


def section_of(passages, fragment: str) -> str:
    [passage] = [passage for passage in passages if fragment in passage.text]
    return passage.section


def test_numbered_headings_are_headings_with_a_comma_in_them():
    # prov2026-福建省: every heading of the report has a comma; all 132 passages were under the byline.
    excerpt = (
        "各位代表：\n现在，我代表省人民政府，向大会报告工作，请予审议，并请省政协委员和列席同志提出意见。\n"
        "一、一年接着一年干，新福建建设持续取得新进展新成效\n"
        "2025年是“十四五”收官之年。一年来，我们坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党的二十大和二十届历次全会精神，"
        "深入学习贯彻习近平总书记在福建考察时的重要讲话精神，在省委领导下，扎实开展深入贯彻中央八项规定精神学习教育，持续深化拓展“三争”行动，"
        "推动各项工作奋勇争先、再上台阶，中国式现代化福建实践迈出新的坚实步伐。\n"
        "（一）着力推进向新向优发展，产业转型升级步伐加快\n"
    )
    passages = split(excerpt)
    assert headings(passages) == [
        "一、一年接着一年干，新福建建设持续取得新进展新成效",
        "（一）着力推进向新向优发展，产业转型升级步伐加快",
    ]
    assert (
        section_of(passages, "2025年是“十四五”收官之年")
        == "一、一年接着一年干，新福建建设持续取得新进展新成效"
    )
    assert section_of(passages, "现在，我代表省人民政府") == ""


@pytest.mark.parametrize(
    "excerpt, sentence",
    [
        # The line before the link ends mid-sentence ("推动"); it starts with a dash, as many do.
        pytest.param(
            "——改革开放持续深化。全面深化改革开放推动构建新发展格局，供给侧结构性改革深入实施，简政放权、放管结合、优化服务改革不断深化，"
            "营商环境明显改善。共建“一带一路”扎实推进。推动\n区域全面经济伙伴关系协定\n（RCEP）生效实施，建成全球最大自由贸易区。"
            "货物进出口总额年均增长8.6%，突破40万亿元并连续多年居世界首位，吸引外资和对外投资居世界前列。\n",
            "推动区域全面经济伙伴关系协定（RCEP）生效实施",
            id="gwr-2023",
        ),
        pytest.param(
            "——基础设施支撑能力持续提升。新建\n高速铁路\n投产里程超过1900公里，新建改建\n高速公路\n6700多公里、农村公路29万公里。\n",
            "新建高速铁路投产里程超过1900公里",
            id="gwr-2017",
        ),
        # "2.5" is a number, not a heading numbered 2.
        pytest.param(
            "——三大攻坚战开局良好。防范化解重大风险，宏观杠杆率趋于稳定，金融运行总体平稳。精准脱贫有力推进，农村贫困人口减少1386万，"
            "易地扶贫搬迁280万人。污染防治得到加强，细颗粒物（PM\n2.5\n）浓度继续下降，生态文明建设成效显著。\n",
            "细颗粒物（PM2.5）浓度继续下降",
            id="gwr-2019",
        ),
        # An opening mark ends the line before the link, a closing one starts the line after it.
        pytest.param(
            "毛主席亲自主持制定的一九六六年五月十六日的《\n通知\n》，为这场无产阶级文化大革命确定了理论、路线、方针和政策，成为整个运动的伟大纲领。",
            "一九六六年五月十六日的《通知》，为这场无产阶级文化大革命",
            id="cpc09_04-title",
        ),
        pytest.param(
            "列宁还指出了“\n新的资产阶级\n”正在“\n从我们苏维埃的职员中间产生出来\n”。（《列宁全集》中文版，第二十九卷，第一百六十二页）",
            "列宁还指出了“新的资产阶级”正在“从我们苏维埃的职员中间产生出来”。",
            id="cpc09_04-quotation",
        ),
        # A preposition or a particle ends the line before the link, a copula starts the one after it.
        pytest.param(
            "\u3000\u3000关于\n价格体系的改革，\n经过多方面的权衡比较和认真测算，考虑到当前国家财政负担能力、企业消化能力和群众的承受能力，"
            "１９８５年决定采取放调结合、小步前进的方针。",
            "关于价格体系的改革，经过多方面的权衡比较",
            id="gwr-1985",
        ),
        pytest.param(
            "“十五五”时期经济社会发展的\n主要目标\n是：地区生产总值年均增长5%左右，高质量发展取得显著成效，科技自立自强水平大幅提高，"
            "城乡区域发展更加协调，进一步全面深化改革取得新突破，社会文明程度明显提升，人民生活品质不断提高，绿美广东生态建设成效彰显，"
            "发展的安全基础更加坚实。",
            "“十五五”时期经济社会发展的主要目标是：地区生产总值",
            id="prov2026-广东省",
        ),
        # Where blank lines separate paragraphs, a short line with no blank line between it and
        # prose is a piece of that paragraph ("今年是我国与" / "印度" / "、缅甸…").
        pytest.param(
            "\n\u3000\u3000我们真诚希望实现中苏关系正常化，愿意同苏联发展经济、技术、文化交流。大家知道，中苏两国曾经在革命和建设中长期合作。"
            "中苏两个大国和睦相处，不但符合两国人民的根本利益和共同愿望，而且有利于亚洲和世界和平。最近中苏之间的贸易和人员往来有所增加。但是，"
            "苏联至今仍在中苏边境和蒙古派驻重兵，支持越南侵略柬埔寨和对中国挑衅，武装侵占中国的邻邦阿富汗。上述情况严重地威胁着中国的安全，"
            "这是一个客观存在的不可否认的事实。苏联方面既然表示愿意改善中苏关系，就应当采取实际行动来排除上述障碍。\n\n"
            "\u3000\u3000我们处理对美、对苏关系，是有原则的。我们不会因为反对它们的霸权主义，就不同它们改善关系；不会因为要同它们改善关系，"
            "就放弃反对霸权主义的立场；也不会因为要同它们之中的某一国改善关系，就损害另一国的利益。\n\n"
            "\u3000\u3000今年是我国与\n印度\n、缅甸共同倡议和平共处五项原则三十周年。",
            "今年是我国与印度、缅甸共同倡议和平共处五项原则三十周年。",
            id="gwr-1984",
        ),
    ],
)
def test_a_line_a_link_cut_out_of_a_sentence_is_the_sentence(excerpt, sentence):
    passages = split(excerpt)
    assert headings(passages) == []
    assert {passage.section for passage in passages} == {""}
    assert any(sentence in passage.text for passage in passages if passage.kind == BODY), [
        p.text for p in passages
    ]


@pytest.mark.parametrize(
    "excerpt, signature, title",
    [
        pytest.param(
            "2026年福建省政府工作报告\n——2026年1月27日在福建省第十四届人民代表大会第四次会议上\n来源：福建日报\n时间：2026-02-06\n"
            "福建省人民政府省长 赵龙\n各位代表：\n",
            ["——2026年1月27日在福建省第十四届人民代表大会第四次会议上", "福建省人民政府省长 赵龙"],
            "2026年福建省政府工作报告",
            id="prov2026-福建省",
        ),
        pytest.param(
            "2026年新疆维吾尔自治区政府工作报告\n——2026年1月27日在新疆维吾尔自治区第十四届人民代表大会第四次会议上\n"
            "来源：新疆日报\n时间：2026-02-12\n自治区主席 艾尔肯·吐尼亚孜\n各位代表：\n",
            [
                "——2026年1月27日在新疆维吾尔自治区第十四届人民代表大会第四次会议上",
                "自治区主席 艾尔肯·吐尼亚孜",
            ],
            "2026年新疆维吾尔自治区政府工作报告",
            id="prov2026-新疆维吾尔自治区",
        ),
        # The occasion without a dash is no subtitle either.
        pytest.param(
            "2026年浙江省政府工作报告\n2026年1月14日在浙江省第十四届人民代表大会第四次会议上\n来源：浙江日报\n时间：2026-01-22\n"
            "浙江省省长 刘捷\n各位代表：",
            ["2026年1月14日在浙江省第十四届人民代表大会第四次会议上", "浙江省省长 刘捷"],
            "2026年浙江省政府工作报告",
            id="prov2026-浙江省",
        ),
        pytest.param(
            "1989年政府工作报告\n\n坚决贯彻治理整顿和深化改革的方针\n\n——１９８９年３月２０日在第七届全国人民代表大会第二次会议上\n\n"
            "                                                  国务院总理李鹏\n\n\u3000\u3000各位代表：",
            ["——１９８９年３月２０日在第七届全国人民代表大会第二次会议上", "国务院总理李鹏"],
            "1989年政府工作报告 · 坚决贯彻治理整顿和深化改革的方针",
            id="gwr-1989",
        ),
        # The office on one line, the name (spaced to the width of three characters) on the next.
        pytest.param(
            "政府工作报告\n\n\n\n\n\n\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n\n\n\n\n国务院总理\u3000\n李\u3000强\n\n\n各位代表：",
            ["——2024年3月5日在第十四届全国人民代表大会第二次会议上", "国务院总理", "李\u3000强"],
            "政府工作报告",
            id="gwr-2024",
        ),
    ],
)
def test_a_signature_or_the_occasion_of_a_speech_is_a_credit_not_a_heading(
    excerpt, signature, title
):
    passages = split(excerpt)
    assert [passage.text for passage in passages if passage.kind == CREDIT] == signature
    assert section_of(passages, "各位代表") == title


def test_web_furniture_and_an_editors_placeholder_are_left_out():
    # gwr-2007: "粗体文字" is what a web editor's bold button puts in place of the text.
    passages = split(
        "——改革开放进一步深化。'\n粗体文字\n重点领域和关键环节改革取得新进展。进出口贸易总额1.76万亿美元，比上年增长23.8%；实际利用外商直接投资695亿美元。"
    )
    assert not [
        passage
        for passage in passages
        if "粗体文字" in passage.text or "粗体文字" in passage.section
    ]
    assert [passage.text[:17] for passage in passages] == [
        "——改革开放进一步深化。'",
        "重点领域和关键环节改革取得新进展。",
    ]
    # prov2026-宁夏回族自治区: a breadcrumb and a source whose items and values are on lines of their own.
    passages = split(
        "当前位置：\n首页\n>\n政务信息\n>\n宁夏要闻\n2026年宁夏回族自治区政府工作报告\n发表时间：\n2026-02-09 09:45:30\n来源：\n"
        "宁夏日报客户端\n阅读量：\n【字体：\n小\n中\n大\n】\n政府工作报告\n"
    )
    assert [passage.text for passage in passages] == [
        "2026年宁夏回族自治区政府工作报告",
        "政府工作报告",
    ]
    # prov2026-云南省: the end of the page.
    passages = split(
        "印把习近平总书记为云南擘画的美好蓝图变为幸福实景！\n》》点击图片进入专题《《\n收藏\n|\n分享到:\n分享到微信\n×\n相关文档：\n"
    )
    assert [passage.text for passage in passages] == [
        "印把习近平总书记为云南擘画的美好蓝图变为幸福实景！"
    ]


@pytest.mark.parametrize(
    "excerpt, sentence",
    [
        # Quotation marks left between two links.
        pytest.param(
            "”毛主席一再说：“\n她并不代表我，她代表她自己。\n”“\n总而言之，她代表她自己。\n”",
            "”“总而言之，她代表她自己。",
            id="cpc11_06",
        ),
        # A numbered lead-in cut after its opening bracket.
        pytest.param(
            "游客、实现旅游总花费分别增长11.8%、11.5%。\n（\n三）改革开放持续深化、互促共进。\n",
            "（三）改革开放持续深化、互促共进。",
            id="prov2026-云南省",
        ),
        # A line of an em space is a blank line.
        pytest.param(
            "建设人与自然和谐共生的美丽中国。\n\n\u2003\n推动生态环境综合治理。深入实施空气质量持续改善行动计划，统筹水资源、水环境、水生态治理，",
            "推动生态环境综合治理。",
            id="gwr-2024",
        ),
    ],
)
def test_punctuation_or_white_space_alone_is_no_heading(excerpt, sentence):
    passages = split(excerpt)
    assert headings(passages) == []
    assert {passage.section for passage in passages} == {""}
    assert any(passage.text.startswith(sentence) for passage in passages)
    assert all(re.search(r"\w", passage.text) or passage.text in "”“" for passage in passages)


def test_a_heading_broken_in_two_is_one_heading():
    # gwr-2017: the title, broken mid-word.
    passages = split(
        "政府工作报\n告\n\n\n——2017年3月5日在第十二届全国人民代表大会第五次会议上\n\n\n\n国务院总理\n\u3000李克强\n\n\n各位代表："
    )
    [title] = [passage for passage in passages if passage.kind == HEADING]
    assert title.text == title.section == "政府工作报告" and len(title.spans) == 2
    assert section_of(passages, "各位代表") == "政府工作报告"
    # gwr-2006: numbered headings broken by the links on the titles they name.
    passages = split(
        "三、关于《\n国民经济和社会发展第十一个五年规划纲要（草案）\n》的说明\n\n\n党的十六届五中全会通过的《\n"
        "中共中央关于制定国民经济和社会发展第十一个五年规划的建议\n》，提出了未来五年国民经济和社会发展的奋斗目标、指导方针和主要任务。"
        "根据《\n建议\n》精神，国务院制定了《\n国民经济和社会发展第十一个五年规划纲要（草案）\n》，已提请大会审议。"
        "下面，我就几个问题作简要说明。\n\n\n\n（一）“十一五”规划《\n纲要（草案）\n》的编制过程和主要特点\n\n\n"
        "党中央、国务院对制定“十一五”规划工作高度重视。"
    )
    assert headings(passages) == [
        "三、关于《国民经济和社会发展第十一个五年规划纲要（草案）》的说明",
        "（一）“十一五”规划《纲要（草案）》的编制过程和主要特点",
    ]
    assert (
        section_of(passages, "提出了未来五年")
        == "三、关于《国民经济和社会发展第十一个五年规划纲要（草案）》的说明"
    )
    assert (
        section_of(passages, "高度重视") == "（一）“十一五”规划《纲要（草案）》的编制过程和主要特点"
    )


def test_a_label_after_a_page_break_that_a_paragraph_follows_is_a_heading_not_a_caption():
    # gwr-1983: "结束语" heads the closing paragraphs (a photo's caption is followed by no text of its own).
    passages = split(
        "人类争取进步，为世界争取和平！\n\n\n\n结束语\n\n\n\u3000\u3000各位代表！\n\n\u3000\u3000国家的统一，全国各族人民的团结，"
        "是我们的祖国走向繁荣富强的根本保证。"
    )
    assert headings(passages) == ["结束语"]
    assert section_of(passages, "国家的统一") == section_of(passages, "各位代表") == "结束语"


# Labels seen on the real collection before these rules (issue 28).
KNOWN_BAD_LABELS = {
    "区域全面经济伙伴关系协定",
    "福建省人民政府省长 赵龙",
    "粗体文字",
    "”“",
    "关于",
    "\u2003",
    "政府工作报 · 告",
    "政府工作报",
    "高速铁路",
    "2.5",
    "云南要闻 · 云南要闻",
    "扫一扫在手机打开当前页",
    "相关附件>>",
}
OFFICE_AND_NAME = re.compile(
    r"(?:总理|主席|省长|市长|主任)(?:[ \u3000]+[\u4e00-\u9fff·]{1,8}|[\u4e00-\u9fff]{2,3})$"
)
NUMBERED_LINE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)[^。！？；]{1,38}(?<![，、])$"
)


@pytest.fixture(scope="module")
def real_collection():
    """Every report of the real collection with its passages. (The ``real_corpus`` fixture is
    the seed corpus, tests/fixtures/corpus.)"""
    if not REAL_COLLECTION.is_dir():
        pytest.skip(f"the real collection is not at {REAL_COLLECTION}")
    return [
        (report, split_report(report.id, report.text))
        for report in read_corpus(REAL_COLLECTION).reports
    ]


def test_no_section_of_the_real_collection_is_a_fragment_a_signature_furniture_or_punctuation(
    real_collection,
):
    sections = {
        (report.id, passage.section)
        for report, passages in real_collection
        for passage in passages
        if passage.section
    }
    parts = {
        (report_id, part)
        for report_id, section in sections
        for part in section.replace(PATH_SEPARATOR, KICKER).split(KICKER)
    }
    assert not {section for _, section in sections} & KNOWN_BAD_LABELS
    assert not {part for _, part in parts} & KNOWN_BAD_LABELS
    assert not [part for part in parts if not re.search(r"\w", part[1])], (
        "punctuation or white space only"
    )
    assert not [
        part
        for part in parts
        if re.match(r"[”’」』）》、，。；：！？]", part[1]) or part[1][-1] in "“‘「『（《"
    ], "pieces of a sentence"
    assert not [
        part
        for part in parts
        if OFFICE_AND_NAME.search(part[1]) or re.search(r"会议上[）)]?$", part[1])
    ], "signatures"


def test_every_numbered_heading_line_of_the_real_collection_is_a_heading(real_collection):
    missed = []
    for report, passages in real_collection:
        found = headings(passages)
        lines = [line.strip() for line in report.text.splitlines() if line.strip()]
        for line, following in zip(lines, lines[1:] + [""]):
            # (Not a line that goes on into the next: "一、两年之内逐步活跃起来，…" / "”。毛主席的指示…".)
            if (
                NUMBERED_LINE.match(line)
                and not following.startswith("”")
                and not any(heading.startswith(line) for heading in found)
            ):
                missed.append((report.id, line))
    assert missed == []
