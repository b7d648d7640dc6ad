"""Citations (issue 17, points 1 and 2; issue 28, point 5): each style against its manual's
examples, one true item type and one honest date in every format, names in two fields, reports
dated by their year. The same citations against citeproc-js and the official CSL styles are in
tests/search/test_citeproc.py; the pages and files as Zotero and the other reference managers read them
in tests/search/test_reference_managers.py."""

from __future__ import annotations

import json
import re
import shutil

import pytest
import rispy
from pybtex.database import parse_string
from shuangyu.index.build import build_index
from shuangyu.index.sources.metadata import infer_metadata
from shuangyu.search.citation.apa import apa
from shuangyu.search.citation.csl import csl_name
from shuangyu.search.citation.gb_t import gb_t_7714_2015, gb_t_7714_2025
from shuangyu.search.citation.mla import mla
from shuangyu.search.citation.romanised import apa_english, mla_english
from shuangyu.search.citation.runs import html, plain
from shuangyu.search.romanise import person_name, romanised
from shuangyu.web.app import create_app

from tests.paths import CLUSTER, CORPUS_DIR, DICTIONARY, SHARED_INSTANCE
from tests.search.test_reference_managers import zotero_reads

PASSAGE = "shapingba-2020-four-highs:p022"
HOST = {"Host": "127.0.0.1:8000"}
URL = f"http://127.0.0.1:8000/p/{PASSAGE}"


# 1. Each style against its manual's examples, with the examples' own metadata.


def _date(*parts: int, circa: bool = False) -> dict:
    return {"date-parts": [list(parts)], **({"circa": True} if circa else {})}


# GB/T 7714: examples of the standard (2025, appendix B; the same items in 2015's form), as the
# zotero-chinese/styles project transcribes them (lib/data/items/gbt7714-data.json).
NEWSPAPER = {
    "id": "B.4:6",
    "type": "article-newspaper",
    "language": "zh-CN",
    "title": "探索微观世界的无穷奥秘（科技大观）",
    "author": [{"literal": "陈缮真"}],
    "container-title": "人民日报",
    "page": "17",
    "issued": _date(2022, 8, 16),
    "accessed": _date(2015, 2, 28),
    "URL": "http://paper.people.com.cn/rmrb/html/2022-08/16/nw.D110000renmrb_20220816_3-17.htm",
}
REPORT = {
    "id": "B.7:1",
    "type": "report",
    "language": "zh-CN",
    "title": "第29次中国互联网络发展状况统计报告",
    "author": [{"literal": "中国互联网络信息中心"}],
    "issued": _date(2012, 1, 16),
    "accessed": _date(2013, 3, 26),
    "URL": "https://www.cnnic.net.cn/NMediaFile/old_attach/P020120612484958777344.pdf",
}
PAGE = {
    "id": "B.10:2",
    "type": "webpage",
    "language": "zh-CN",
    "title": "北京鲁迅博物馆志愿服务章程",
    "author": [{"literal": "北京鲁迅博物馆"}],
    "issued": _date(2021, 4, 21),
    "accessed": _date(2023, 5, 2),
    "URL": "http://www.luxunmuseum.com.cn/html/202104/a11310.htm",
}
# An estimated year, printed in square brackets (B.7:6; 2015 §8.4.2, 2025 §7.5.4.3: "[1936]").
ESTIMATED = {
    "id": "B.7:6",
    "type": "report",
    "language": "en-US",
    "title": "United Nations e-government survey 2024: accelerating digital transformation for sustainable development",
    "author": [{"literal": "United Nations Department of Economic and Social Affairs"}],
    "issued": _date(2025, circa=True),
    "accessed": _date(2025, 2, 28),
    "URL": "https://publicadministration.un.org/egovkb/en-us/Reports/UN-E-Government-Survey-2024",
}


@pytest.mark.parametrize(
    "record, expected",
    [
        (
            NEWSPAPER,
            "陈缮真. 探索微观世界的无穷奥秘（科技大观）[N/OL]. 人民日报, 2022-08-16(17)[2015-02-28]. "
            "http://paper.people.com.cn/rmrb/html/2022-08/16/nw.D110000renmrb_20220816_3-17.htm.",
        ),
        (
            REPORT,
            "中国互联网络信息中心. 第29次中国互联网络发展状况统计报告[R/OL]. (2012-01-16)[2013-03-26]. "
            "https://www.cnnic.net.cn/NMediaFile/old_attach/P020120612484958777344.pdf.",
        ),
        (
            PAGE,
            "北京鲁迅博物馆. 北京鲁迅博物馆志愿服务章程[EB/OL]. (2021-04-21)[2023-05-02]. "
            "http://www.luxunmuseum.com.cn/html/202104/a11310.htm.",
        ),
    ],
)
def test_gb_t_7714_2015_prints_the_standards_examples(record, expected):
    assert plain(gb_t_7714_2015(record)) == expected


@pytest.mark.parametrize(
    "record, expected",
    [
        (
            NEWSPAPER,
            "陈缮真. 探索微观世界的无穷奥秘（科技大观）[N/OL]. 人民日报，2022-08-16（17）. "
            "http://paper.people.com.cn/rmrb/html/2022-08/16/nw.D110000renmrb_20220816_3-17.htm.",
        ),
        (
            REPORT,
            "中国互联网络信息中心. 第29次中国互联网络发展状况统计报告[R/OL]. 2012-01-16. "
            "https://www.cnnic.net.cn/NMediaFile/old_attach/P020120612484958777344.pdf.",
        ),
        (
            PAGE,
            "北京鲁迅博物馆. 北京鲁迅博物馆志愿服务章程[EB/OL]. （2021-04-21）[2023-05-02]. "
            "http://www.luxunmuseum.com.cn/html/202104/a11310.htm.",
        ),
        (
            ESTIMATED,
            "United Nations Department of Economic and Social Affairs. United Nations e-government survey 2024: "
            "accelerating digital transformation for sustainable development[R/OL]. [2025]. "
            "https://publicadministration.un.org/egovkb/en-us/Reports/UN-E-Government-Survey-2024.",
        ),
    ],
)
def test_gb_t_7714_2025_prints_the_standards_examples(record, expected):
    assert plain(gb_t_7714_2025(record)) == expected


# A report with a publisher takes the standard's publication statement, the year in its place and
# the cited page after it (GB/T 7714-2015 §4.1: 出版者, 出版年: 引文页码).
def test_gb_t_7714_dates_a_published_report_by_its_year_and_page():
    record = dict(
        REPORT,
        author=[{"family": "李", "given": "克强"}],
        publisher="国务院",
        issued=_date(2023, 6, 15),
        page="1-2",
    )
    assert plain(gb_t_7714_2015(record)).startswith(
        "李克强. 第29次中国互联网络发展状况统计报告[R/OL]. 国务院, 2023: 1-2[2013-03-26]. "
    )
    assert plain(gb_t_7714_2025(record)).startswith(
        "李克强. 第29次中国互联网络发展状况统计报告[R/OL]. 国务院，2023：1-2. "
    )
    estimated = dict(record, issued=_date(2023, circa=True))
    assert "国务院, [2023]: 1-2[" in plain(
        gb_t_7714_2015(estimated)
    ) and "国务院，[2023]：1-2. " in plain(gb_t_7714_2025(estimated))
    undated = {key: value for key, value in record.items() if key != "issued"}
    assert "[R/OL]. 国务院: 1-2[2013-03-26]. " in plain(gb_t_7714_2015(undated))


def test_gb_t_7714_gives_three_authors_then_deng():
    record = dict(
        REPORT, author=[{"literal": name} for name in ("印森林", "吴胜和", "李俊飞", "冯文杰")]
    )
    assert plain(gb_t_7714_2015(record)).startswith("印森林, 吴胜和, 李俊飞, 等. ")
    assert plain(gb_t_7714_2025(record)).startswith("印森林，吴胜和，李俊飞，等. ")


# APA 7: examples of the Publication Manual, 7th edition, chapter 10 (newspaper article, reports
# by individual and by group authors, a work with no date).
APA_EXAMPLES = [
    (
        {
            "type": "article-newspaper",
            "title": "Can we get better at forgetting?",
            "author": [{"family": "Carey", "given": "Benedict"}],
            "issued": _date(2019, 3, 22),
            "container-title": "The New York Times",
            "URL": "https://www.nytimes.com/2019/03/22/health/memory-forgetting-psychology.html",
        },
        "Carey, B. (2019, March 22). Can we get better at forgetting? <i>The New York Times</i>. "
        "https://www.nytimes.com/2019/03/22/health/memory-forgetting-psychology.html",
    ),
    (
        {
            "type": "report",
            "title": "Democratic defense against disinformation",
            "author": [
                {"family": "Fried", "given": "Daniel"},
                {"family": "Polyakova", "given": "Alina"},
            ],
            "issued": _date(2018),
            "publisher": "Atlantic Council",
            "URL": "https://www.atlanticcouncil.org/wp-content/uploads/2018/03/Democratic_Defense_Against_Disinformation_FINAL.pdf",
        },
        "Fried, D., &amp; Polyakova, A. (2018). <i>Democratic defense against disinformation</i>. Atlantic Council. "
        "https://www.atlanticcouncil.org/wp-content/uploads/2018/03/Democratic_Defense_Against_Disinformation_FINAL.pdf",
    ),
    (
        {
            "type": "report",
            "title": "Managing epidemics: Key facts about major deadly diseases",
            "author": [{"literal": "World Health Organization"}],
            "issued": _date(2018),
            "publisher": "World Health Organization",
            "URL": "https://www.who.int/emergencies/diseases/managing-epidemics-interactive.pdf",
        },
        "World Health Organization. (2018). <i>Managing epidemics: Key facts about major deadly diseases</i>. "
        "https://www.who.int/emergencies/diseases/managing-epidemics-interactive.pdf",
    ),
    (
        {
            "type": "webpage",
            "title": "What employers should do to protect nurses from Zika",
            "author": [{"literal": "National Nurses United"}],
            "URL": "https://www.nationalnursesunited.org/what-employers-should-do-to-protect-rns-from-zika",
        },
        "National Nurses United. (n.d.). <i>What employers should do to protect nurses from Zika</i>. "
        "https://www.nationalnursesunited.org/what-employers-should-do-to-protect-rns-from-zika",
    ),
]


@pytest.mark.parametrize("record, expected_html", APA_EXAMPLES)
def test_apa_7_prints_the_manuals_examples(record, expected_html):
    assert html(apa(record)) == expected_html
    assert plain(apa(record)) == re.sub(r"</?i>", "", expected_html).replace("&amp;", "&")


# MLA 9: examples of the MLA Handbook, 9th edition (two authors, three or more, a newspaper article online).
MLA_EXAMPLES = [
    (
        {
            "type": "book",
            "title": "The Crown of Columbus",
            "issued": _date(1999),
            "publisher": "HarperCollins Publishers",
            "author": [
                {"family": "Dorris", "given": "Michael"},
                {"family": "Erdrich", "given": "Louise"},
            ],
        },
        "Dorris, Michael, and Louise Erdrich. <i>The Crown of Columbus</i>. HarperCollins Publishers, 1999.",
    ),
    (
        {
            "type": "book",
            "title": "Digital_Humanities",
            "issued": _date(2012),
            "publisher": "MIT Press",
            "author": [
                {"family": "Burdick", "given": "Anne"},
                {"family": "Drucker", "given": "Johanna"},
                {"family": "Lunenfeld", "given": "Peter"},
            ],
        },
        "Burdick, Anne, et al. <i>Digital_Humanities</i>. MIT Press, 2012.",
    ),
    (
        {
            "type": "article-newspaper",
            "title": "Thermostats, Locks and Lights: Digital Tools of Domestic Abuse",
            "author": [{"family": "Bowles", "given": "Nellie"}],
            "issued": _date(2018, 6, 23),
            "container-title": "The New York Times",
            "URL": "https://www.nytimes.com/2018/06/23/technology/smart-home-devices-domestic-abuse.html",
        },
        "Bowles, Nellie. \u201cThermostats, Locks and Lights: Digital Tools of Domestic Abuse.\u201d <i>The New York Times</i>, "
        "23 June 2018, www.nytimes.com/2018/06/23/technology/smart-home-devices-domestic-abuse.html.",
    ),
]


@pytest.mark.parametrize("record, expected_html", MLA_EXAMPLES)
def test_mla_9_prints_the_handbooks_examples(record, expected_html):
    assert html(mla(record)) == expected_html


def test_names_in_characters_take_no_comma_meant_for_initials():
    for names in (
        [{"literal": "王彩艳"}, {"literal": "肖亚平"}],
        [csl_name("王彩艳"), csl_name("肖亚平")],
    ):
        record = {
            "type": "article-newspaper",
            "title": "标题",
            "author": names,
            "issued": _date(2020, 12),
        }
        assert plain(apa(record)) == "王彩艳 & 肖亚平. (2020, December). 标题."
        assert plain(mla(record)) == "王彩艳 and 肖亚平. \u201c标题.\u201d Dec. 2020."
        assert plain(gb_t_7714_2015(record)).startswith("王彩艳, 肖亚平. 标题[N/OL].")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("王彩艳", {"family": "王", "given": "彩艳"}),
        ("欧阳修", {"family": "欧阳", "given": "修"}),
        ("李克强", {"family": "李", "given": "克强"}),
        ("国务院", {"literal": "国务院"}),
        ("重庆市人民政府", {"literal": "重庆市人民政府"}),
        ("Li Wei", {"literal": "Li Wei"}),
    ],
)
def test_a_person_s_name_is_held_in_two_fields_and_an_institution_s_in_one(name, expected):
    assert csl_name(name) == expected


def test_apa_dates_a_report_by_its_year():
    # APA 7 §10.4: a report's date is its year; a newspaper article's and a web page's the full date.
    report = {
        "type": "report",
        "title": "2017年政府工作报告",
        "author": [csl_name("李克强")],
        "publisher": "国务院",
        "issued": _date(2017, 3, 5),
        "URL": "http://x/r",
    }
    assert plain(apa(report)) == "李克强. (2017). 2017年政府工作报告. 国务院. http://x/r"
    assert "(2017, March 5)" in plain(apa(dict(report, type="webpage")))


# The English-language form: APA 7 §9.38 and MLA 9 cite a work in Chinese romanised (Hanyu
# Pinyin as GB/T 16159 writes it), here with the Chinese kept in brackets.


@pytest.mark.parametrize(
    "name, expected",
    [
        ("王彩艳", ("Wang", "Caiyan")),
        ("欧阳修", ("Ouyang", "Xiu")),
        ("曾国藩", ("Zeng", "Guofan")),
        ("单田芳", ("Shan", "Tianfang")),
        ("吕思勉", ("Lu", "Simian")),
        ("新华社", None),
        ("重庆市人民政府", None),
        ("Li Wei", None),
    ],
)
def test_a_person_s_name_is_read_as_family_and_given_name(name, expected):
    assert person_name(name) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("中华人民共和国宪法", "Zhonghua Renmin Gongheguo xianfa"),
        ("西安的天安门", "Xi'an de Tian'anmen"),
        ("沙坪坝区：建设西部（重庆）科学城", "Shapingba Qu: jianshe xibu (Chongqing) kexuecheng"),
        ("2017年政府工作报告", "2017 nian zhengfu gongzuo baogao"),
    ],
)
def test_titles_are_romanised_word_by_word_with_names_capitalised(text, expected):
    assert romanised(text, DICTIONARY) == expected


def test_the_english_language_forms_romanise_and_keep_the_chinese_in_brackets():
    record = {
        "type": "article-newspaper",
        "title": "重庆物流",
        "author": [csl_name("王彩艳"), csl_name("肖亚平")],
        "container-title": "重庆日报",
        "issued": _date(2020, 12, 1),
        "URL": "http://x/p/1",
    }
    assert html(apa_english(record, DICTIONARY)) == (
        "Wang, C. [王彩艳], &amp; Xiao, Y. [肖亚平]. (2020, December 1). Chongqing wuliu [重庆物流]. "
        "<i>Chongqing Ribao</i> [重庆日报]. http://x/p/1"
    )
    assert html(mla_english(record, DICTIONARY)) == (
        "Wang Caiyan [王彩艳] and Xiao Yaping [肖亚平]. \u201cChongqing wuliu\u201d [重庆物流]. "
        "<i>Chongqing Ribao</i> [重庆日报], 1 Dec. 2020, x/p/1."
    )
    report = {**REPORT, "id": "r", "title": "第29次中国互联网络发展状况统计报告"}
    cited = plain(apa_english(report, DICTIONARY))
    assert cited.startswith(
        "Zhongguo Hulian Wangluo Xinxi Zhongxin [中国互联网络信息中心]. (2012). "
    )
    assert "[第29次中国互联网络发展状况统计报告]" in cited
    # MLA makes the quotation marks inside a quoted title single, romanised too.
    quoted = {**record, "title": "“四高”沙坪坝"}
    assert "\u201c\u2018Sigao\u2019 Shapingba\u201d [“四高”沙坪坝]." in plain(
        mla_english(quoted, DICTIONARY)
    ), plain(mla_english(quoted, DICTIONARY))
    # The record itself is not changed: the files keep the Chinese.
    assert record["title"] == "重庆物流" and "original-title" not in record


def test_the_english_language_forms_give_the_english_of_the_title_and_say_what_made_it():
    # APA 7 §9.38: a title in another language, then its English in brackets (not in italics); the
    # English here is a dictionary gloss or a machine translation, and says which.
    report = {
        "type": "report",
        "title": "2017年政府工作报告",
        "author": [csl_name("李克强")],
        "publisher": "国务院",
        "issued": _date(2017, 3, 5),
        "URL": "http://x/r",
    }
    assert html(apa_english(report, DICTIONARY, "2017 government work report", "gloss")) == (
        "Li, K. [李克强]. (2017). <i>2017 nian zhengfu gongzuo baogao</i> [gloss: 2017 government work report]. "
        "Guowuyuan [国务院]. http://x/r"
    )
    assert "[machine translation: Report on the Work of the Government, 2017]" in plain(
        apa_english(report, DICTIONARY, "Report on the Work of the Government, 2017", "argos")
    )
    assert (
        "<i>2017 nian zhengfu gongzuo baogao</i> [gloss: 2017 government work report]. Guowuyuan [国务院], 5 Mar. 2017"
        in html(mla_english(report, DICTIONARY, "2017 government work report", "gloss"))
    )


# 2. Through the API and the pages: one item type and one honest date in every format.


@pytest.fixture
def passage_body(client):
    return client.get(f"/api/passages/{PASSAGE}", headers=HOST).get_json()


def test_an_inferred_date_is_never_printed_as_fact(client, passage_body):
    citations = passage_body["citations"]
    assert passage_body["report"]["date_basis"].startswith("Inferred, not printed")
    assert citations["gb_t_7714"].startswith(
        "王彩艳, 肖亚平. 2020 沙坪坝走向了“四高”[EB/OL]. [2020-12]["
    )
    assert citations["gb_t_7714_2025"].startswith(
        "王彩艳，肖亚平. 2020 沙坪坝走向了“四高”[EB/OL]. [2020-12]["
    )
    assert citations["apa"] == f"王彩艳 & 肖亚平. (ca. 2020). 2020 沙坪坝走向了“四高”. {URL}"
    assert (
        " c. 2020, " in citations["mla"]
        and "Accessed" in citations["mla"]
        and "Dec." not in citations["mla"].split("Accessed")[0]
    )
    # The files: a clean year every reader sorts by, and the estimate where the format can hold it.
    (entry,) = parse_string(citations["bibtex"], "bibtex").entries.values()
    assert (
        entry.fields["year"] == "2020"
        and entry.fields["date"] == "2020-12~"
        and "month" not in entry.fields
    )
    assert "Date estimated (ca. 2020-12)" in entry.fields["note"]
    (ris_record,) = rispy.loads(citations["ris"])
    assert ris_record["year"] == "2020" and ris_record["date"] == "2020/12//circa"
    assert "Date estimated (ca. 2020-12), not printed in the report" in ris_record["notes"]
    assert json.loads(citations["csl_json"])[0]["issued"] == {
        "date-parts": [[2020, 12]],
        "circa": True,
    }
    assert passage_body["citation_record"]["issued"]["circa"] is True
    for text in (citations["gb_t_7714"], citations["apa"], citations["mla"]):
        assert "(2020-12)" not in text and "December" not in text


def test_every_format_gives_the_one_item_type(client, passage_body):
    # The seed articles name no newspaper: each is the web page it is read on, in every format.
    assert passage_body["citation_record"]["type"] == "webpage"
    assert (
        json.loads(client.get(f"/p/{PASSAGE}/cite.json").get_data(as_text=True))[0]["type"]
        == "webpage"
    )
    (entry,) = parse_string(
        client.get(f"/p/{PASSAGE}/cite.bib").get_data(as_text=True), "bibtex"
    ).entries.values()
    assert (
        entry.type == "online"
        and "entrysubtype" not in entry.fields
        and "journal" not in entry.fields
    )
    assert (
        rispy.loads(client.get(f"/p/{PASSAGE}/cite.ris").get_data(as_text=True))[0][
            "type_of_reference"
        ]
        == "ELEC"
    )
    assert (
        "[EB/OL]" in passage_body["citations"]["gb_t_7714"]
        and "[EB/OL]" in passage_body["citations"]["gb_t_7714_2025"]
    )
    assert zotero_reads(client, f"/p/{PASSAGE}")["itemType"] == "webpage"


def test_the_names_go_out_in_two_fields(passage_body):
    citations = passage_body["citations"]
    assert passage_body["citation_record"]["author"] == [
        {"family": "王", "given": "彩艳"},
        {"family": "肖", "given": "亚平"},
    ]
    (entry,) = parse_string(citations["bibtex"], "bibtex").entries.values()
    assert [(person.last_names, person.first_names) for person in entry.persons["author"]] == [
        (["王"], ["彩艳"]),
        (["肖"], ["亚平"]),
    ]
    assert rispy.loads(citations["ris"])[0]["authors"] == ["王, 彩艳", "肖, 亚平"]


def test_the_passage_page_shows_each_style_with_its_italics_escaped(client, passage_body):
    page = client.get(f"/p/{PASSAGE}", headers=HOST).get_data(as_text=True)
    for label in ("GB/T 7714-2015", "GB/T 7714-2025", "APA 7", "MLA 9"):
        assert f"<h3>{label}</h3>" in page
    assert (
        passage_body["citations_html"]["apa"]
        == f"王彩艳 &amp; 肖亚平. (ca. 2020). <i>2020 沙坪坝走向了“四高”</i>. {URL}"
    )
    assert f'id="citation-apa">{passage_body["citations_html"]["apa"]}</p>' in page


def test_the_english_interface_offers_the_english_language_form_first(client, passage_body):
    page = client.get(f"/p/{PASSAGE}?ui=en", headers=HOST).get_data(as_text=True)
    headings = re.findall(r"<h3>([^<]+)</h3>", page)
    assert headings[:2] == [
        "APA 7, for a paper in English (pinyin)",
        "MLA 9, for a paper in English (pinyin)",
    ]
    english = passage_body["citations"]["apa_en"]
    title_en = passage_body["report"]["title_en"]
    assert english == (
        f"Wang, C. [王彩艳], & Xiao, Y. [肖亚平]. (ca. 2020). 2020 Shapingba zouxiang le \u201csigao\u201d "
        f"[gloss: {title_en}]. {URL}"
    )
    assert f'lang="en" id="citation-apa_en">{passage_body["citations_html"]["apa_en"]}</p>' in page
    # A result's copy button copies the English-language APA unless the reader picks another.
    results = client.get("/?q=沙坪坝&ui=en", headers=HOST).get_data(as_text=True)
    assert '<option value="apa_en" selected>' in results and "data-cite-apa-en=" in results
    # The Chinese interface keeps GB/T first; the English forms come after the others.
    chinese = re.findall(
        r"<h3>([^<]+)</h3>", client.get(f"/p/{PASSAGE}?ui=zh", headers=HOST).get_data(as_text=True)
    )
    assert chinese[0] == "GB/T 7714-2015" and chinese[-2:] == [
        "APA 7（英文论文用，拼音）",
        "MLA 9（英文论文用，拼音）",
    ]


# Reports without metadata (the real collection's kind): a government work report is a report; a
# date read from its opening line is printed in it and cited as fact, a year taken from the file
# name is not.
OPENING = "政府工作报告\n——2017年3月5日在第十二届全国人民代表大会第五次会议上\n国务院总理 李克强\n\n各位代表：\n\n现在，我代表国务院，向大会报告政府工作。\n"
UNDATED = "政府工作报告\n\n各位代表：\n\n现在，我代表国务院，向大会报告政府工作，请予审议。\n"


@pytest.fixture(scope="module")
def reports_client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports-corpus")
    shutil.copy(CORPUS_DIR / "names.tsv", folder / "names.tsv")
    (folder / "gwr-2017.txt").write_text(OPENING, encoding="utf-8")
    (folder / "gwr-1990.txt").write_text(UNDATED, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("reports-index")
    build_index(
        folder, index_dir, SHARED_INSTANCE, progress=False, translator="gloss", cluster=CLUSTER
    )
    return create_app({"TESTING": True, "INDEX_DIR": index_dir}).test_client()


def test_the_corpus_date_bases_are_read_as_printed_or_inferred(tmp_path):
    assert "opening line" in infer_metadata(tmp_path / "gwr-2017.txt", OPENING).date_basis
    assert "file name" in infer_metadata(tmp_path / "gwr-1990.txt", UNDATED).date_basis


def test_a_government_work_report_is_a_report_in_every_format(reports_client):
    body = reports_client.get("/api/passages/gwr-2017:p001", headers=HOST).get_json()
    assert (
        body["citation_record"]["type"] == "report"
        and "circa" not in body["citation_record"]["issued"]
    )
    # The speaker and the issuing body the report prints (index.sources.inferred_metadata), carried into every format.
    assert body["citation_record"]["author"] == [{"family": "李", "given": "克强"}]
    assert body["citation_record"]["publisher"] == "国务院"
    citations = body["citations"]
    assert citations["gb_t_7714"].startswith("李克强. 2017年政府工作报告[R/OL]. 国务院, 2017[")
    assert citations["gb_t_7714_2025"].startswith(
        "李克强. 2017年政府工作报告[R/OL]. 国务院，2017. "
    )
    assert (
        citations["apa"].startswith("李克强. (2017). 2017年政府工作报告. 国务院. ")
        and "5 Mar. 2017" in citations["mla"]
    )
    assert (
        citations["bibtex"].startswith("@techreport{gwr-2017:p001,")
        and "institution = {国务院}" in citations["bibtex"]
    )
    assert "TY  - RPRT" in citations["ris"] and "PB  - 国务院" in citations["ris"]
    assert "<i>2017年政府工作报告</i>." in body["citations_html"]["apa"]
    item = zotero_reads(reports_client, "/p/gwr-2017:p001")
    assert (
        item["itemType"] == "report"
        and item["date"] == "2017/03/05"
        and item["institution"] == "国务院"
    )


def test_a_year_from_the_file_name_is_cited_as_an_estimate(reports_client):
    citations = reports_client.get("/api/passages/gwr-1990:p001", headers=HOST).get_json()[
        "citations"
    ]
    assert (
        "[R/OL]. 国务院, [1990][" in citations["gb_t_7714"]
        and "[R/OL]. 国务院，[1990]. " in citations["gb_t_7714_2025"]
    )
    assert "(ca. 1990)" in citations["apa"] and "c. 1990" in citations["mla"]
    assert "PY  - 1990" in citations["ris"] and "DA  - 1990///circa" in citations["ris"]
    item = zotero_reads(reports_client, "/r/gwr-1990")
    assert (
        item["date"] == "1990"
        and item["extra"] == "Date estimated (ca. 1990), not printed in the report"
    )


@pytest.mark.parametrize(
    "path", ["/r/gwr-1990?page=999", "/r/no-such-report", "/p/gwr-1990:p999", "/r/gwr-1990?page=x"]
)
def test_bad_citation_pages_are_not_errors(reports_client, path):
    assert reports_client.get(path).status_code in (400, 404)
