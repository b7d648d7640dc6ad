"""Metadata read from a report's own text (issue 28, point 1): the title the report gives itself,
the date it prints, its speaker and the body it is given for, on excerpts of each family of the
real collection (national work reports of each era, party congress reports, provincial reports
saved from web pages), then over the whole collection through the API, and the build's warnings
summarised one line per kind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import CLUSTER, CORPUS_DIR, REPOSITORY_ROOT, instance_with_dictionary

# The opening lines of real reports (../shared/realcorpus/reports), as received: traditional
# characters, full-width digits, zero-width lines, a web page's chrome and all.
EXCERPTS = {
    "gwr-1954": (
        "各位代表：\n"
        "\n"
        "我們第一届全國人民代表大會第一次會議，在聽了劉少奇同志\n"
        "關於憲法草案的報告\n"
        "並進行了三天的討論以後，已經光榮地完成了一件歷史性的工作，通過了我們國家的根本法——\n"
        "中華人民共和國憲法\n"
        "，接着，又通過了幾個重要的法律。現在，我代表中央人民政府作工作報告。\n"
        "\n"
        "我國偉大的人民革命的根本目的，是在於從帝國主義、封建主義和官僚資本主義的壓迫下面，最後也從資本主義的束縛和小生産的限制下面，解放我國的生産力，使我國國民經濟能够沿着社會主義的道路而得到有計劃的迅速的發展，以便提高人民的物質生活和文化生活的水平，並且鞏固我們國家的獨立和安全。我國的經濟原來是很落後的；如果我們不建設起强大\n"
        "中國人民政治協商會議共同綱領\n"
        "的規定，先後完成了全國大陸的統一，完成了土地制度的改革，進行了廣泛的和深入的鎮壓反革命運動和各種民主改革運動，恢復了遭受長期戰爭破壞的國民經濟，着重地發展了社會主義的國營經濟和各種類型的合作社經濟，初步地調整了公私營工商業之間的關係，這一切都爲有計劃地進行經濟建設和逐步過渡到社會主義社會準備了必要的條件。隨後，從一九五\n"
    ),
    "gwr-1957": (
        "\u200b\n"
        "\n"
        "\n"
        "政府工作报告\n"
        "\n"
        "\n"
        "1957年6月26日在第一届全国人民代表大会第四次会議上\n"
        "\n"
        "\n"
        "\n"
        "周恩来\n"
        "\n"
        "\n"
        "各位代表：\n"
        "\n"
        "从第一届全国人民代表大会第三次会議閉幕以来，已經整整一年了。这是偉大的轉变的一年。在这期間，我国的社会主义革命已經取得了基本胜利，使我国社会生活發生了历史性的深刻变化；社会主义建設也获得了巨大成績，使我們有可能在今年完成和超额完成發展我国国民經济的第一个五年計划。而在社会主义革命和社会主义建設的实踐中，我們取得了許多宝\n"
    ),
    "gwr-1980": (
        "各位代表：\n"
        "\n"
        "\u3000\u3000我受国务院的委托，现在向大会提出关于1980、1981年国民经济计划安排的报告，请予审议。\n"
        "\n"
        "\u3000\u3000关于1980年国民经济计划的安排，国务院委托国家计委副主任李人俊同志，于今年4月8日向人大常委会第十四次会议作了报告。1980年计划正在顺利执行，预计工农业总产值可以超额完成。这个报告已经印发大会，请审议，我在这里不再说明了。鉴于过去年度计划制定得比较晚，不利于各地区、各部门早日安排工作，国务院确定，今年提前制定1\n"
    ),
    "gwr-1989": (
        "\n"
        "1989年政府工作报告\n"
        "\n"
        "坚决贯彻治理整顿和深化改革的方针\n"
        "\n"
        "——１９８９年３月２０日在第七届全国人民代表大会第二次会议上\n"
        "\n"
        "                                                  国务院总理李鹏\n"
        "\n"
        "\u3000\u3000各位代表：\n"
        "\n"
        "\u3000\u3000治理经济环境和整顿经济秩序，是今明两年我国建设和改革的重点，也是政府工作的重点。因此，我代表国务院，主要就这个问题向大会作政府工作报告，请予审议。\n"
    ),
    "gwr-1998": (
        "各位代表：\n"
        "\n"
        "\u3000\u3000本届政府从1 9 9 3 年3 月就职，到现在已经五年了，任期即将结束。我代表国务院向大会报告过去五年的工作，对今年的工作提出建议，请予审议，并请全国政协各位委员提出意见。\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "一、关于过去五年的政府工作\n"
        "\n"
        "\n"
        "\u3000\u3000第八届全国人民代表大会第一次会议以来的五年，我国各族人民在中国共产党领导下，解放思想，开拓进取，社会主义现代化事业取得了举世瞩目的伟大成就。经济体制改革迈出决定性步伐，对外开放提高到新的水平。社会生产力、综合国力、人民生活又上了一个新的台阶。香港顺利回归祖国。民族团结和社会稳定的局面进一步巩固。五年来，我国政通人和\n"
        "\n"
        "\u3000\u3000\n"
        "过去的五年，经济发展保持良好势头，国家经济实力显著增强。\n"
        "1 9 9 7 年国内生产总值达到7 4 7 7 2 亿元，按可比价格计算，平均每年增长1 1 ％。顺利完成了“八五”计划，提前实现了本世纪末国民生产总值比1 9 8 0 年翻两番的目标。制定和实施“九五”计划和2 0 1 0 年远景目标纲要，开局良好。在经济发展过程中，一度出现某些领域过热、物价涨幅过高的问题。通过深\n"
        "\n"
        "\u3000\u3000\n"
        "以建立社会主义市场经济体制为目标的改革取得重大突破，新的宏观调控体系框架初步建立，市场在资源配置中的基础性作用显著增强。\n"
    ),
    "gwr-2017": (
        "\u200b\n"
        "\n"
        "\n"
        "政府工作报\n"
        "告\n"
        "\n"
        "\n"
        "——2017年3月5日在第十二届全国人民代表大会第五次会议上\n"
        "\n"
        "\n"
        "\n"
        "国务院总理\n"
        "\u3000李克强\n"
        "\n"
        "\n"
        "各位代表：\n"
        "\n"
        "\n"
        "现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协各位委员提出意见。\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "一、2016年工作回顾\n"
        "\n"
        "\n"
        "过去一年，我国发展面临国内外诸多矛盾叠加、风险隐患交汇的严峻挑战。在以习近平同志为核心的党中央坚强领导下，全国各族人民迎难而上，砥砺前行，推动经济社会持续健康发展。\n"
    ),
    "gwr-2022": (
        "政府工作报告\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "——2022年3月5日在第十三届全国人民代表大会第五次会议上\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "国务院总理\u3000\n"
        "李克强\n"
        "\n"
        "\n"
        "各位代表：\n"
        "\n"
        "现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。\n"
    ),
    "cpc09_04": (
        "同志们！\n"
        "\n"
        "中国共产党第九次全国代表大会，将是一次在我党历史上有深远影响的代表大会。\n"
        "\n"
        "我们这次代表大会，是在毛主席亲自发动和领导的无产阶级文化大革命取得了伟大胜利的时刻召开的。这个伟大的革命风暴，摧毁了以叛徒、内奸、工贼\n"
    ),
    "cpc13_08": (
        "同志们：\n"
        "\n"
        "我受十二届中央委员会委托，向大会作报告。\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "一、历史性成就和这次大会的任务\n"
    ),
    "cpc20_15": (
        "高举中国特色社会主义伟大旗帜\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "为全面建设社会主义现代化国家而团结奋斗\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "——在中国共产党第二十次全国代表大会上的报告\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "（2022年10月16日）\n"
        "\n"
        "\n"
        "\n"
        "\n"
        "习\u3000近\u3000平\n"
        "\n"
        "\n"
        "同志们：\n"
        "\n"
        "现在，我代表第十九届中央委员会向大会作报告。\n"
        "\n"
        "中国共产党第二十次全国代表大会，是在全党全国各族人民迈上全面建设社会主义现代化国家新征程、向第二个百年奋斗目标进军的关键时刻召开的一次十分重要的大会。\n"
    ),
    "prov2026-上海市": (
        "下载\n"
        "打印\n"
        "全屏\n"
        "收藏\n"
        "【字号：\n"
        "加大\n"
        "还原\n"
        "减小\n"
        "】\n"
        "2026年上海市政府工作报告\n"
        "——2026年2月3日在上海市第十六届人民代表大会第四次会议上\n"
        "来源：解放日报\n"
        "时间：2026-02-09\n"
        "上海市市长 龚 正\n"
        "各位代表：\n"
        "现在，我代表上海市人民政府，向大会报告工作，请予审议。请各位政协委员和其他列席人员提出意见。\n"
    ),
    "prov2026-甘肃省": (
        "下载\n"
        "打印\n"
        "全屏\n"
        "收藏\n"
        "【字号：\n"
        "加大\n"
        "还原\n"
        "减小\n"
        "】\n"
        "2026年甘肃省政府工作报告\n"
        "——二〇二六年一月二十七日在甘肃省十四届人民代表大会第四次会议上\n"
        "来源：甘肃日报\n"
        "时间：2026-02-10\n"
        "甘肃省省长 任振鹤\n"
        "任振鹤作政府工作报告。新甘肃·甘肃日报记者 盛学卿\n"
        "各位代表：\n"
        "我代表省人民政府，向大会报告工作，请与《甘肃省国民经济和社会发展第十五个五年规划纲要（草案）》一并审议，并请省政协委员和其他列席人员提出意见。\n"
        "“十四五”时期工作回顾\n"
    ),
    "prov2026-四川省": (
        "2026年四川省人民政府工作报告\n"
        "2026年02月10日 07时41分\n"
        "来源:\n"
        "四川日报\n"
        "【字体：\n"
        "大\n"
        "中\n"
        "小\n"
        "】\n"
        "分享：\n"
        "2026年2月3日在四川省第十四届人民代表大会第五次会议上\n"
        "四川省人民政府省长 施小琳\n"
        "各位代表：\n"
        "现在，我代表省人民政府，向大会报告工作，请予审议，并请省政协委员提出意见。\n"
        "一、2025年工作回顾和“十四五”发展主要成绩\n"
        "过去一年，面对复杂严峻形势和多重超预期因素冲击，在以习近平同志为核心的党中央坚强领导下，省委团结带领全省各族人民，迎难而上、拼搏实干，全力以赴拼经济搞建设，扎实推动高质量发展，经济运行稳中有进，民生事业持续改善，社会大局保持稳定，较好完成全年主要目标任务。实现地区生产总值67665亿元，增长5.5%，总量和增速均居全国\n"
    ),
    "prov2026-贵州省": (
        "政府工作报告。 贵州日报天眼新闻记者 李森 摄\n"
        "政府工作报告\n"
        "（2026年1月27日在贵州省第十四届人民代表大会第四次会议上）\n"
        "省长 李炳军\n"
        "各位代表：\n"
        "现在，我代表省人民政府向大会报告工作，请予审议，并请省政协委员和其他列席人员提出意见。\n"
    ),
    "prov2026-吉林省": (
        "下载\n"
        "打印\n"
        "全屏\n"
        "收藏\n"
        "【字号：\n"
        "加大\n"
        "还原\n"
        "减小\n"
        "】\n"
        "2026年吉林省政府工作报告\n"
        "——2026年1月27日在吉林省第十四届人民代表大会第五次会议上\n"
        "来源：吉林日报\n"
        "时间：2026-02-01\n"
        "省长 胡玉亭\n"
        "各位代表：\n"
        "现在，我代表省政府，向大会报告工作，请予审议，并请省政协委员提出意见。\n"
        "一、工作回顾\n"
    ),
}


# (report, title, subtitle, date, authors, publisher), each as the text prints it.
EXPECTED = [
    # 1954, in traditional characters: a salutation first, a link's text on a line of its own
    # (關於憲法草案的報告) that is another report's title, and 我代表中央人民政府作工作報告.
    ("gwr-1954", "1954年政府工作报告", "", "1954", (), "中央人民政府"),
    # A head with its date line and the speaker alone on a line, under a zero-width line.
    ("gwr-1957", "1957年政府工作报告", "", "1957-06-26", ("周恩来",), ""),
    # No head: "提出关于…的报告" in the first sentence.
    ("gwr-1980", "关于1980、1981年国民经济计划安排的报告", "", "1980", (), "国务院"),
    # A head with a subtitle, a full-width date and "国务院总理李鹏" on one line.
    (
        "gwr-1989",
        "1989年政府工作报告",
        "坚决贯彻治理整顿和深化改革的方针",
        "1989-03-20",
        ("李鹏",),
        "国务院",
    ),
    # It names the party congress in its opening, but it is the State Council's report.
    ("gwr-1998", "1998年政府工作报告", "", "1998", (), "国务院"),
    # The title broken where a link was (政府工作报 / 告).
    ("gwr-2017", "2017年政府工作报告", "", "2017-03-05", ("李克强",), "国务院"),
    # The office and the name on lines of their own.
    ("gwr-2022", "2022年政府工作报告", "", "2022-03-05", ("李克强",), "国务院"),
    # A congress report that opens with the congress itself.
    ("cpc09_04", "中国共产党第九次全国代表大会报告", "", "", (), ""),
    # "我受十二届中央委员会委托，向大会作报告": the report to the thirteenth congress.
    ("cpc13_08", "中国共产党第十三次全国代表大会报告", "", "", (), "中国共产党第十二届中央委员会"),
    # A title in two lines, "——在…上的报告", the date in brackets, the name spaced out.
    (
        "cpc20_15",
        "高举中国特色社会主义伟大旗帜 为全面建设社会主义现代化国家而团结奋斗",
        "在中国共产党第二十次全国代表大会上的报告",
        "2022-10-16",
        ("习近平",),
        "中国共产党第十九届中央委员会",
    ),
    # Provincial reports under a web page's buttons, breadcrumbs, source and time lines.
    ("prov2026-上海市", "2026年上海市政府工作报告", "", "2026-02-03", ("龚正",), "上海市人民政府"),
    # The date in Chinese numerals (二〇二六年一月二十七日在…).
    (
        "prov2026-甘肃省",
        "2026年甘肃省政府工作报告",
        "",
        "2026-01-27",
        ("任振鹤",),
        "甘肃省人民政府",
    ),
    # The newspaper's name under "来源:" is no subtitle; the page's own date is not the report's.
    (
        "prov2026-四川省",
        "2026年四川省人民政府工作报告",
        "",
        "2026-02-03",
        ("施小琳",),
        "四川省人民政府",
    ),
    # The date line in brackets; "省长 李炳军".
    (
        "prov2026-贵州省",
        "2026年贵州省政府工作报告",
        "",
        "2026-01-27",
        ("李炳军",),
        "贵州省人民政府",
    ),
    # "我代表省政府": the province's people's government.
    (
        "prov2026-吉林省",
        "2026年吉林省政府工作报告",
        "",
        "2026-01-27",
        ("胡玉亭",),
        "吉林省人民政府",
    ),
]


@pytest.mark.parametrize(
    "name, title, subtitle, date, authors, publisher", EXPECTED, ids=[row[0] for row in EXPECTED]
)
def test_a_report_s_own_text_gives_its_title_date_speaker_and_issuing_body(
    name, title, subtitle, date, authors, publisher
):
    from shuangyu.index.sources.metadata import infer_metadata

    metadata = infer_metadata(Path(f"{name}.txt"), EXCERPTS[name])
    assert (
        metadata.title,
        metadata.subtitle,
        metadata.date,
        metadata.authors,
        metadata.publisher,
    ) == (title, subtitle, date, authors, publisher)
    # Each field read from the text is marked so; a date from the file name says so.
    assert set(metadata.inferred) == {
        field
        for field, value in (
            ("title", title),
            ("subtitle", subtitle),
            ("date", date),
            ("authors", authors),
            ("publisher", publisher),
        )
        if value
    }
    if date and len(date) == 4:
        assert "file name" in metadata.date_basis
    elif date:
        assert "opening line" in metadata.date_basis


def test_a_report_that_prints_nothing_of_itself_is_titled_by_its_file_name_and_marked_so():
    from shuangyu.index.sources.metadata import infer_metadata

    metadata = infer_metadata(
        Path("gwr-1964.txt"),
        "五年来，我国各族人民在中国共产党的英明领导下，坚持总路线，取得了伟大的胜利。\n",
    )
    assert metadata.title == "gwr-1964" and "title" not in metadata.inferred
    assert metadata.authors == () and metadata.publisher == ""


def test_the_real_collection_is_served_with_the_facts_its_reports_print(real_collection_index):
    from shuangyu.web.app import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": real_collection_index}).test_client()
    reports = {report["id"]: report for report in client.get("/api/reports").get_json()["reports"]}
    national = {id: report for id, report in reports.items() if id.startswith("gwr-")}
    congress = {id: report for id, report in reports.items() if id.startswith("cpc")}
    # Every congress report is titled as the report to its congress; no national or congress
    # report but the one that prints nothing of itself (1964) is titled by its file name.
    assert all(
        "全国代表大会" in report["title"] or report["subtitle"].endswith("全国代表大会上的报告")
        for report in congress.values()
    )
    assert [id for id, report in {**national, **congress}.items() if report["title"] == id] == [
        "gwr-1964"
    ]
    assert reports["gwr-1998"]["title"] == "1998年政府工作报告"
    assert reports["cpc20_15"]["date"] == "2022-10-16" and reports["cpc20_15"]["authors"] == [
        "习近平"
    ]
    assert (
        reports["gwr-2023"]["authors"] == ["李克强"]
        and reports["gwr-2023"]["publisher"] == "国务院"
    )
    # Every provincial report has its date, speaker and government, read from its text.
    provincial = [report for id, report in reports.items() if id.startswith("prov2026-")]
    assert len(provincial) == 31
    assert all(
        report["publisher"].endswith("人民政府") and report["date"].startswith("2026-")
        for report in provincial
    )
    assert sum(bool(report["authors"]) for report in provincial) >= 29
    assert all({"title", "date", "publisher"} <= set(report["inferred"]) for report in provincial)


def test_the_build_says_each_kind_of_warning_once_and_nothing_when_nothing_changed(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    for year in range(2001, 2007):  # six reports without a metadata file
        (corpus / f"gwr-{year}.txt").write_text(
            f"各位代表：\n现在，我代表国务院，向大会作政府工作报告。{year}年的工作。\n",
            encoding="utf-8",
        )
    env = {
        **os.environ,
        "SHUANGYU_CORPUS_DIR": str(corpus),
        "SHUANGYU_INDEX_DIR": str(tmp_path / "index"),
        "SHUANGYU_INSTANCE_DIR": str(instance_with_dictionary(tmp_path / "instance")),
        "SHUANGYU_EMBEDDER": "none",
    }

    def build(*options):
        result = subprocess.run(
            [sys.executable, "-m", "shuangyu.web.cli", "build", "--quiet", *options],
            cwd=REPOSITORY_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return [line for line in result.stderr.splitlines() if line.startswith("warning: ")]

    (summary,) = build()
    assert (
        summary.startswith("warning: 6 reports without a metadata file") and "--details" in summary
    )
    assert build() == []  # up to date: said when it was built
    detailed = build("--details")
    assert len(detailed) == 6 and all(
        "no metadata file" in line and "publisher 国务院" in line for line in detailed
    )


@pytest.mark.parametrize(
    "ui, said",
    [
        ("zh", "标题、作者、发布机关取自报告正文中印出的内容"),
        ("en", "The title, speaker, publisher as the report&#39;s own text prints them"),
    ],
)
def test_the_permalink_and_report_pages_say_which_facts_were_read_from_the_text(tmp_path, ui, said):
    from shuangyu.index.build import build_index
    from shuangyu.web.app import create_app

    from tests.paths import SHARED_INSTANCE

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    (corpus / "gwr-2022.txt").write_text(EXCERPTS["gwr-2022"], encoding="utf-8")
    build_index(
        corpus,
        tmp_path / "index",
        SHARED_INSTANCE,
        progress=False,
        translator="gloss",
        cluster=CLUSTER,
    )
    client = create_app({"TESTING": True, "INDEX_DIR": tmp_path / "index"}).test_client()
    permalink = client.get("/p/gwr-2022:p001", query_string={"ui": ui}).get_data(as_text=True)
    assert said in permalink and "李克强" in permalink and "国务院" in permalink
    assert said in client.get("/r/gwr-2022", query_string={"ui": ui}).get_data(as_text=True)
    # A report with a metadata file says nothing of the kind.
    seed = client.get("/r/shapingba-four-zones", query_string={"ui": ui}).get_data(as_text=True)
    assert 'id="metadata-basis"' not in seed
