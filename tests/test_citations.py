"""Citations (issue 17, points 1 and 2): each style against its manual's examples, one item
type and one honest date in every format, and the <head> of the passage and report pages read
the way Zotero's Embedded Metadata translator reads it."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser

import pytest
import rispy
from pybtex.database import parse_string

from shuangyu.index.build import build_index
from shuangyu.index.corpus import infer_metadata
from shuangyu.search.cite import apa, apa_english, gb_t_7714_2015, gb_t_7714_2025, html, mla, mla_english, plain
from shuangyu.search.romanise import person_name, romanised
from shuangyu.web.app import create_app
from tests.paths import CORPUS_DIR, SHARED_INSTANCE

PASSAGE = "shapingba-2020-four-highs:p022"
HOST = {"Host": "127.0.0.1:8000"}
URL = f"http://127.0.0.1:8000/p/{PASSAGE}"


# 1. Each style against its manual's examples, with the examples' own metadata.

def _date(*parts: int, circa: bool = False) -> dict:
    return {"date-parts": [list(parts)], **({"circa": True} if circa else {})}


# GB/T 7714: examples of the standard (2025, appendix B; the same items in 2015's form), as the
# zotero-chinese/styles project transcribes them (lib/data/items/gbt7714-data.json).
NEWSPAPER = {"id": "B.4:6", "type": "article-newspaper", "language": "zh-CN", "title": "探索微观世界的无穷奥秘（科技大观）",
             "author": [{"literal": "陈缮真"}], "container-title": "人民日报", "page": "17", "issued": _date(2022, 8, 16),
             "accessed": _date(2015, 2, 28),
             "URL": "http://paper.people.com.cn/rmrb/html/2022-08/16/nw.D110000renmrb_20220816_3-17.htm"}
REPORT = {"id": "B.7:1", "type": "report", "language": "zh-CN", "title": "第29次中国互联网络发展状况统计报告",
          "author": [{"literal": "中国互联网络信息中心"}], "issued": _date(2012, 1, 16), "accessed": _date(2013, 3, 26),
          "URL": "https://www.cnnic.net.cn/NMediaFile/old_attach/P020120612484958777344.pdf"}
PAGE = {"id": "B.10:2", "type": "webpage", "language": "zh-CN", "title": "北京鲁迅博物馆志愿服务章程",
        "author": [{"literal": "北京鲁迅博物馆"}], "issued": _date(2021, 4, 21), "accessed": _date(2023, 5, 2),
        "URL": "http://www.luxunmuseum.com.cn/html/202104/a11310.htm"}
# An estimated year, printed in square brackets (B.7:6; 2015 §8.4.2, 2025 §7.5.4.3: "[1936]").
ESTIMATED = {"id": "B.7:6", "type": "report", "language": "en-US",
             "title": "United Nations e-government survey 2024: accelerating digital transformation for sustainable development",
             "author": [{"literal": "United Nations Department of Economic and Social Affairs"}],
             "issued": _date(2025, circa=True), "accessed": _date(2025, 2, 28),
             "URL": "https://publicadministration.un.org/egovkb/en-us/Reports/UN-E-Government-Survey-2024"}


@pytest.mark.parametrize("record, expected", [
    (NEWSPAPER, "陈缮真. 探索微观世界的无穷奥秘（科技大观）[N/OL]. 人民日报, 2022-08-16(17)[2015-02-28]. "
                "http://paper.people.com.cn/rmrb/html/2022-08/16/nw.D110000renmrb_20220816_3-17.htm."),
    (REPORT, "中国互联网络信息中心. 第29次中国互联网络发展状况统计报告[R/OL]. (2012-01-16)[2013-03-26]. "
             "https://www.cnnic.net.cn/NMediaFile/old_attach/P020120612484958777344.pdf."),
    (PAGE, "北京鲁迅博物馆. 北京鲁迅博物馆志愿服务章程[EB/OL]. (2021-04-21)[2023-05-02]. "
           "http://www.luxunmuseum.com.cn/html/202104/a11310.htm."),
])
def test_gb_t_7714_2015_prints_the_standards_examples(record, expected):
    assert plain(gb_t_7714_2015(record)) == expected


@pytest.mark.parametrize("record, expected", [
    (NEWSPAPER, "陈缮真. 探索微观世界的无穷奥秘（科技大观）[N/OL]. 人民日报，2022-08-16（17）. "
                "http://paper.people.com.cn/rmrb/html/2022-08/16/nw.D110000renmrb_20220816_3-17.htm."),
    (REPORT, "中国互联网络信息中心. 第29次中国互联网络发展状况统计报告[R/OL]. 2012-01-16. "
             "https://www.cnnic.net.cn/NMediaFile/old_attach/P020120612484958777344.pdf."),
    (PAGE, "北京鲁迅博物馆. 北京鲁迅博物馆志愿服务章程[EB/OL]. （2021-04-21）[2023-05-02]. "
           "http://www.luxunmuseum.com.cn/html/202104/a11310.htm."),
    (ESTIMATED, "United Nations Department of Economic and Social Affairs. United Nations e-government survey 2024: "
                "accelerating digital transformation for sustainable development[R/OL]. [2025]. "
                "https://publicadministration.un.org/egovkb/en-us/Reports/UN-E-Government-Survey-2024."),
])
def test_gb_t_7714_2025_prints_the_standards_examples(record, expected):
    assert plain(gb_t_7714_2025(record)) == expected


def test_gb_t_7714_gives_three_authors_then_deng():
    record = dict(REPORT, author=[{"literal": name} for name in ("印森林", "吴胜和", "李俊飞", "冯文杰")])
    assert plain(gb_t_7714_2015(record)).startswith("印森林, 吴胜和, 李俊飞, 等. ")
    assert plain(gb_t_7714_2025(record)).startswith("印森林，吴胜和，李俊飞，等. ")


# APA 7: examples of the Publication Manual, 7th edition, chapter 10 (newspaper article, reports
# by individual and by group authors, a work with no date).
APA_EXAMPLES = [
    ({"type": "article-newspaper", "title": "Can we get better at forgetting?", "author": [{"family": "Carey", "given": "Benedict"}],
      "issued": _date(2019, 3, 22), "container-title": "The New York Times",
      "URL": "https://www.nytimes.com/2019/03/22/health/memory-forgetting-psychology.html"},
     "Carey, B. (2019, March 22). Can we get better at forgetting? <i>The New York Times</i>. "
     "https://www.nytimes.com/2019/03/22/health/memory-forgetting-psychology.html"),
    ({"type": "report", "title": "Democratic defense against disinformation",
      "author": [{"family": "Fried", "given": "Daniel"}, {"family": "Polyakova", "given": "Alina"}], "issued": _date(2018),
      "publisher": "Atlantic Council",
      "URL": "https://www.atlanticcouncil.org/wp-content/uploads/2018/03/Democratic_Defense_Against_Disinformation_FINAL.pdf"},
     "Fried, D., &amp; Polyakova, A. (2018). <i>Democratic defense against disinformation</i>. Atlantic Council. "
     "https://www.atlanticcouncil.org/wp-content/uploads/2018/03/Democratic_Defense_Against_Disinformation_FINAL.pdf"),
    ({"type": "report", "title": "Managing epidemics: Key facts about major deadly diseases",
      "author": [{"literal": "World Health Organization"}], "issued": _date(2018), "publisher": "World Health Organization",
      "URL": "https://www.who.int/emergencies/diseases/managing-epidemics-interactive.pdf"},
     "World Health Organization. (2018). <i>Managing epidemics: Key facts about major deadly diseases</i>. "
     "https://www.who.int/emergencies/diseases/managing-epidemics-interactive.pdf"),
    ({"type": "webpage", "title": "What employers should do to protect nurses from Zika",
      "author": [{"literal": "National Nurses United"}],
      "URL": "https://www.nationalnursesunited.org/what-employers-should-do-to-protect-rns-from-zika"},
     "National Nurses United. (n.d.). <i>What employers should do to protect nurses from Zika</i>. "
     "https://www.nationalnursesunited.org/what-employers-should-do-to-protect-rns-from-zika"),
]


@pytest.mark.parametrize("record, expected_html", APA_EXAMPLES)
def test_apa_7_prints_the_manuals_examples(record, expected_html):
    assert html(apa(record)) == expected_html
    assert plain(apa(record)) == re.sub(r"</?i>", "", expected_html).replace("&amp;", "&")


# MLA 9: examples of the MLA Handbook, 9th edition (two authors, three or more, a newspaper article online).
MLA_EXAMPLES = [
    ({"type": "book", "title": "The Crown of Columbus", "issued": _date(1999), "publisher": "HarperCollins Publishers",
      "author": [{"family": "Dorris", "given": "Michael"}, {"family": "Erdrich", "given": "Louise"}]},
     "Dorris, Michael, and Louise Erdrich. <i>The Crown of Columbus</i>. HarperCollins Publishers, 1999."),
    ({"type": "book", "title": "Digital_Humanities", "issued": _date(2012), "publisher": "MIT Press",
      "author": [{"family": "Burdick", "given": "Anne"}, {"family": "Drucker", "given": "Johanna"},
                 {"family": "Lunenfeld", "given": "Peter"}]},
     "Burdick, Anne, et al. <i>Digital_Humanities</i>. MIT Press, 2012."),
    ({"type": "article-newspaper", "title": "Thermostats, Locks and Lights: Digital Tools of Domestic Abuse",
      "author": [{"family": "Bowles", "given": "Nellie"}], "issued": _date(2018, 6, 23), "container-title": "The New York Times",
      "URL": "https://www.nytimes.com/2018/06/23/technology/smart-home-devices-domestic-abuse.html"},
     "Bowles, Nellie. \u201cThermostats, Locks and Lights: Digital Tools of Domestic Abuse.\u201d <i>The New York Times</i>, "
     "23 June 2018, www.nytimes.com/2018/06/23/technology/smart-home-devices-domestic-abuse.html."),
]


@pytest.mark.parametrize("record, expected_html", MLA_EXAMPLES)
def test_mla_9_prints_the_handbooks_examples(record, expected_html):
    assert html(mla(record)) == expected_html


def test_names_in_characters_take_no_comma_meant_for_initials():
    record = {"type": "article-newspaper", "title": "标题", "author": [{"literal": "王彩艳"}, {"literal": "肖亚平"}],
              "issued": _date(2020, 12)}
    assert plain(apa(record)) == "王彩艳 & 肖亚平. (2020, December). 标题."
    assert plain(mla(record)) == "王彩艳 and 肖亚平. \u201c标题.\u201d Dec. 2020."


# The English-language form: APA 7 §9.38 and MLA 9 cite a work in Chinese romanised (Hanyu
# Pinyin as GB/T 16159 writes it), here with the Chinese kept in brackets.

@pytest.mark.parametrize("name, expected", [
    ("王彩艳", ("Wang", "Caiyan")), ("欧阳修", ("Ouyang", "Xiu")), ("曾国藩", ("Zeng", "Guofan")),
    ("单田芳", ("Shan", "Tianfang")), ("吕思勉", ("Lu", "Simian")), ("新华社", None), ("重庆市人民政府", None), ("Li Wei", None),
])
def test_a_person_s_name_is_read_as_family_and_given_name(name, expected):
    assert person_name(name) == expected


@pytest.mark.parametrize("text, expected", [
    ("中华人民共和国宪法", "Zhonghua Renmin Gongheguo xianfa"),
    ("西安的天安门", "Xi'an de Tian'anmen"),
    ("沙坪坝区：建设西部（重庆）科学城", "Shapingba Qu: jianshe xibu (Chongqing) kexuecheng"),
    ("2017年政府工作报告", "2017 nian zhengfu gongzuo baogao"),
])
def test_titles_are_romanised_word_by_word_with_names_capitalised(text, expected):
    assert romanised(text) == expected


def test_the_english_language_forms_romanise_and_keep_the_chinese_in_brackets():
    record = {"type": "article-newspaper", "title": "重庆物流", "author": [{"literal": "王彩艳"}, {"literal": "肖亚平"}],
              "container-title": "重庆日报", "issued": _date(2020, 12, 1), "URL": "http://x/p/1"}
    assert html(apa_english(record)) == ("Wang, C. [王彩艳], &amp; Xiao, Y. [肖亚平]. (2020, December 1). Chongqing wuliu [重庆物流]. "
                                         "<i>Chongqing Ribao</i> [重庆日报]. http://x/p/1")
    assert html(mla_english(record)) == ("Wang Caiyan [王彩艳] and Xiao Yaping [肖亚平]. \u201cChongqing wuliu\u201d [重庆物流]. "
                                         "<i>Chongqing Ribao</i> [重庆日报], 1 Dec. 2020, x/p/1.")
    report = {**REPORT, "id": "r", "title": "第29次中国互联网络发展状况统计报告"}
    cited = plain(apa_english(report))
    assert cited.startswith("Zhongguo Hulian Wangluo Xinxi Zhongxin [中国互联网络信息中心]. (2012, January 16). ")
    assert "[第29次中国互联网络发展状况统计报告]" in cited
    # MLA makes the quotation marks inside a quoted title single, romanised too.
    quoted = {**record, "title": "“四高”沙坪坝"}
    assert "\u201c\u2018Sigao\u2019 Shapingba\u201d [“四高”沙坪坝]." in plain(mla_english(quoted)), plain(mla_english(quoted))
    # The record itself is not changed: the files keep the Chinese.
    assert record["title"] == "重庆物流" and "original-title" not in record


# 2. Through the API and the pages: one item type and one honest date in every format.

@pytest.fixture
def passage_body(client):
    return client.get(f"/api/passages/{PASSAGE}", headers=HOST).get_json()


def test_an_inferred_date_is_never_printed_as_fact(client, passage_body):
    citations = passage_body["citations"]
    assert passage_body["report"]["date_basis"].startswith("Inferred, not printed")
    assert citations["gb_t_7714"].startswith("王彩艳, 肖亚平. 2020 沙坪坝走向了“四高”[N/OL]. [2020-12][")
    assert citations["gb_t_7714_2025"] == f"王彩艳，肖亚平. 2020 沙坪坝走向了“四高”[N/OL]. [2020-12]. {URL}."
    assert citations["apa"] == f"王彩艳 & 肖亚平. (ca. 2020). 2020 沙坪坝走向了“四高”. {URL}"
    assert " c. 2020, " in citations["mla"] and "Accessed" in citations["mla"] and "Dec." not in citations["mla"].split("Accessed")[0]
    (entry,) = parse_string(citations["bibtex"], "bibtex").entries.values()
    assert entry.fields["year"] == "ca. 2020" and entry.fields["date"] == "2020-12~" and "month" not in entry.fields
    (ris_record,) = rispy.loads(citations["ris"])
    assert "year" not in ris_record and ris_record["date"] == "2020/12//circa"
    assert json.loads(citations["csl_json"])[0]["issued"] == {"date-parts": [[2020, 12]], "circa": True}
    assert passage_body["citation_record"]["issued"]["circa"] is True
    for text in (citations["gb_t_7714"], citations["apa"], citations["mla"]):
        assert "(2020-12)" not in text and "December" not in text


def test_every_format_gives_the_one_item_type(client, passage_body):
    assert passage_body["citation_record"]["type"] == "article-newspaper"
    assert json.loads(client.get(f"/p/{PASSAGE}/cite.json").get_data(as_text=True))[0]["type"] == "article-newspaper"
    (entry,) = parse_string(client.get(f"/p/{PASSAGE}/cite.bib").get_data(as_text=True), "bibtex").entries.values()
    assert entry.type == "article" and entry.fields["entrysubtype"] == "newspaper"
    assert rispy.loads(client.get(f"/p/{PASSAGE}/cite.ris").get_data(as_text=True))[0]["type_of_reference"] == "NEWS"
    assert "[N/OL]" in passage_body["citations"]["gb_t_7714"] and "[N/OL]" in passage_body["citations"]["gb_t_7714_2025"]
    assert zotero_reads(client, f"/p/{PASSAGE}")["itemType"] == "newspaperArticle"


def test_the_passage_page_shows_each_style_with_its_italics_escaped(client, passage_body):
    page = client.get(f"/p/{PASSAGE}", headers=HOST).get_data(as_text=True)
    for label in ("GB/T 7714-2015", "GB/T 7714-2025", "APA 7", "MLA 9"):
        assert f"<h3>{label}</h3>" in page
    assert passage_body["citations_html"]["apa"] == f"王彩艳 &amp; 肖亚平. (ca. 2020). 2020 沙坪坝走向了“四高”. {URL}"
    assert f'id="citation-apa">{passage_body["citations_html"]["apa"]}</p>' in page


def test_the_english_interface_offers_the_english_language_form_first(client, passage_body):
    page = client.get(f"/p/{PASSAGE}?ui=en", headers=HOST).get_data(as_text=True)
    headings = re.findall(r"<h3>([^<]+)</h3>", page)
    assert headings[:2] == ["APA 7, for a paper in English (pinyin)", "MLA 9, for a paper in English (pinyin)"]
    english = passage_body["citations"]["apa_en"]
    assert english == f"Wang, C. [王彩艳], & Xiao, Y. [肖亚平]. (ca. 2020). 2020 Shapingba zouxiang le \u201csigao\u201d [2020 沙坪坝走向了“四高”]. {URL}"
    assert f'lang="en" id="citation-apa_en">{passage_body["citations_html"]["apa_en"]}</p>' in page
    # A result's copy button copies the English-language APA unless the reader picks another.
    results = client.get("/?q=沙坪坝&ui=en", headers=HOST).get_data(as_text=True)
    assert '<option value="apa_en" selected>' in results and "data-cite-apa-en=" in results
    # The Chinese interface keeps GB/T first; the English forms come after the others.
    chinese = re.findall(r"<h3>([^<]+)</h3>", client.get(f"/p/{PASSAGE}?ui=zh", headers=HOST).get_data(as_text=True))
    assert chinese[0] == "GB/T 7714-2015" and chinese[-2:] == ["APA 7（英文论文用，拼音）", "MLA 9（英文论文用，拼音）"]


# The translator's rules (zotero/translators, "Embedded Metadata.js" and the RDF translator's
# detectType it calls): meta tags are read by name or property; a name with a known prefix before
# its first ".", ":" or "_" (dc, og, ...) is an RDF statement, any other is Highwire. The item
# type is the first of: an og:type Zotero knows (website is a web page), a DC.type that is a
# Zotero item type, then Highwire's (citation_journal_title: journal article,
# citation_technical_report_institution: report, ...), then a guess (citation_title: journal
# article). Highwire fields overwrite RDF ones; one citation_author is one creator unless it
# holds ";"; og:site_name (or DC.source) is the publication's title.
_RDF_PREFIXES = {"dc", "dcterms", "og", "prism", "eprints", "bib", "bibo", "foaf", "z", "article", "book"}
_ZOTERO_TYPES = {"newspaperArticle", "report", "webpage", "journalArticle", "magazineArticle", "book", "document", "thesis"}
_OG_TYPES = {"website": "webpage", "book": "book", "video.movie": "videoRecording", "video.other": "videoRecording"}
_HIGHWIRE_TYPES = {"citation_journal_title": "journalArticle", "citation_technical_report_institution": "report",
                   "citation_conference_title": "conferencePaper", "citation_book_title": "bookSection",
                   "citation_dissertation_institution": "thesis"}
_HIGHWIRE_FIELDS = {"citation_title": "title", "citation_publication_date": "date", "citation_date": "date",
                    "citation_journal_title": "publicationTitle", "citation_technical_report_institution": "institution",
                    "citation_publisher": "publisher", "citation_public_url": "url", "citation_language": "language"}


class _Head(HTMLParser):
    """The <meta> and <link> elements of a page's <head>."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: list[dict] = []
        self.links: list[dict] = []
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self._in_head = True
        elif self._in_head and tag in ("meta", "link"):
            (self.meta if tag == "meta" else self.links).append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False


def read_head(client, path: str) -> _Head:
    response = client.get(path, headers=HOST)
    assert response.status_code == 200
    head = _Head()
    head.feed(response.get_data(as_text=True))
    return head


def zotero_reads(client, path: str) -> dict:
    """The item Zotero's Embedded Metadata translator would save from the page at ``path``."""
    head = read_head(client, path)
    rdf: dict[str, str] = {}
    highwire: dict[str, list[str]] = {}
    for tag in head.meta:
        key, content = tag.get("name") or tag.get("property"), tag.get("content")
        if not key or not content:
            continue
        delimiter = re.search(r"[.:_]", key)
        prefix = key[:delimiter.start()].lower() if delimiter else ""
        if prefix in _RDF_PREFIXES:
            rdf.setdefault(f"{prefix}:{key[delimiter.end()].lower()}{key[delimiter.end() + 1:]}", content)
        else:
            highwire.setdefault(key[key.rfind("citation_"):], []).append(content)
    highwire_type = next((kind for name, kind in _HIGHWIRE_TYPES.items() if name in highwire), None)
    dc_type = rdf.get("dc:type") if rdf.get("dc:type") in _ZOTERO_TYPES else None
    item: dict = {"itemType": _OG_TYPES.get(rdf.get("og:type", "")) or dc_type or highwire_type
                  or ("journalArticle" if "citation_title" in highwire else None) or ("webpage" if rdf else None)}
    item["publicationTitle"] = rdf.get("og:site_name") or rdf.get("dc:source")
    item["title"] = rdf.get("dc:title") or rdf.get("og:title")
    for name, field in _HIGHWIRE_FIELDS.items():
        if name in highwire:
            item[field] = ", ".join(highwire[name])  # the translator's XPath joins repeated tags
    item["creators"] = [author.strip() for value in highwire.get("citation_author", []) for author in value.split(";")
                        if author.strip()]
    item["links"] = head.links
    item["description"] = next((tag["content"] for tag in head.meta if tag.get("name") == "description"), "")
    return item


def test_zotero_reads_a_passage_page_as_a_newspaper_article(client, passage_body):
    item = zotero_reads(client, f"/p/{PASSAGE}")
    assert item["itemType"] == "newspaperArticle"
    assert item["title"] == "2020 沙坪坝走向了“四高”"
    assert item["creators"] == ["王彩艳", "肖亚平"]
    assert item["date"] == "ca. 2020"  # inferred: Zotero keeps the words as written
    assert item["language"] == "zh-CN"
    assert item["url"] == URL
    assert item["publicationTitle"] is None  # the paper is not known, and never the name of this site
    assert not any(tag.get("name") == "citation_journal_title" for tag in read_head(client, f"/p/{PASSAGE}").meta)
    assert item["description"].startswith(passage_body["text"][:20])
    links = {link["rel"]: link for link in item["links"] if link.get("rel") in ("canonical",)}
    assert links["canonical"]["href"] == URL
    alternates = {link["type"]: link["href"] for link in item["links"] if link.get("rel") == "alternate"}
    assert set(alternates) == {"application/x-research-info-systems", "application/x-bibtex",
                               "application/vnd.citationstyles.csl+json"}
    for mimetype, href in alternates.items():
        download = client.get(href)
        assert download.status_code == 200 and download.mimetype == mimetype


def test_zotero_reads_a_report_page_at_the_reports_own_url(client):
    item = zotero_reads(client, "/r/shapingba-four-zones")
    assert item["itemType"] == "newspaperArticle"
    assert item["title"] == "沙坪坝 着力“四区”建设 奋力实现图新图变图强"
    assert item["creators"] == ["王彩艳", "杨敏"]
    assert item["date"] == "ca. 2022"
    assert item["url"] == "http://127.0.0.1:8000/r/shapingba-four-zones"
    canonical = next(link for link in item["links"] if link.get("rel") == "canonical")
    assert canonical["href"] == item["url"]
    page = client.get("/r/shapingba-four-zones", headers=HOST).get_data(as_text=True)
    assert "<h3>GB/T 7714-2025</h3>" in page and "(ca. 2022)" in page


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
    build_index(folder, index_dir, SHARED_INSTANCE, progress=False, translator="gloss")
    return create_app({"TESTING": True, "INDEX_DIR": index_dir}).test_client()


def test_the_corpus_date_bases_are_read_as_printed_or_inferred(tmp_path):
    assert "opening line" in infer_metadata(tmp_path / "gwr-2017.txt", OPENING).date_basis
    assert "file name" in infer_metadata(tmp_path / "gwr-1990.txt", UNDATED).date_basis


def test_a_government_work_report_is_a_report_in_every_format(reports_client):
    body = reports_client.get("/api/passages/gwr-2017:p001", headers=HOST).get_json()
    assert body["citation_record"]["type"] == "report" and "circa" not in body["citation_record"]["issued"]
    citations = body["citations"]
    assert citations["gb_t_7714_2025"].startswith("2017年政府工作报告[R/OL]. 2017-03-05. ")
    assert "(2017, March 5)" in citations["apa"] and "5 Mar. 2017" in citations["mla"]
    assert citations["bibtex"].startswith("@techreport{") and "TY  - RPRT" in citations["ris"]
    assert "<i>2017年政府工作报告</i>." in body["citations_html"]["apa"]
    item = zotero_reads(reports_client, "/p/gwr-2017:p001")
    assert item["itemType"] == "report" and item["date"] == "2017/03/05"


def test_a_year_from_the_file_name_is_cited_as_an_estimate(reports_client):
    citations = reports_client.get("/api/passages/gwr-1990:p001", headers=HOST).get_json()["citations"]
    assert "[R/OL]. [1990][" in citations["gb_t_7714"] and "[R/OL]. [1990]. " in citations["gb_t_7714_2025"]
    assert "(ca. 1990)" in citations["apa"] and "c. 1990" in citations["mla"]
    assert "PY  -" not in citations["ris"]
    assert zotero_reads(reports_client, "/r/gwr-1990")["date"] == "ca. 1990"


@pytest.mark.parametrize("path", ["/r/gwr-1990?page=999", "/r/no-such-report", "/p/gwr-1990:p999", "/r/gwr-1990?page=x"])
def test_bad_citation_pages_are_not_errors(reports_client, path):
    assert reports_client.get(path).status_code in (400, 404)
