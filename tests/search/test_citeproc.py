"""The product's citations against citeproc-js, the CSL processor inside Zotero and Mendeley
(issue 28, point 5).

citeproc-js (npm ``citeproc``, installed by ``npm ci`` in tests/citeproc) renders the product's own
CSL-JSON (``citation_record`` of GET /api/passages/<id>) with the official CSL styles of
citation-style-language/styles: APA 7, MLA 9 and the numeric GB/T 7714-2015 and -2025 styles, with
the en-US and zh-CN locales (tests/fixtures/csl, CC BY-SA 3.0). Each citation the product prints
must equal citeproc's, once both are normalised (the numeric label, tags other than <i>,
entities, runs of white space), or differ only as an entry of ``KNOWN_DIFFERENCES`` says: a rule
of the style's own manual or standard that the product follows where the CSL style or citeproc-js
does not. Each entry turns the product's text into the style's, and each must still be needed by
some item, so that an entry that is no longer needed is noticed and removed.

The items: the examples of the standards and manuals that the product's item types cover
(tests/search/test_citations.py), every report of the seed corpus and of the real collection (a passage
of each, and for a report the same with a cited page, as a PDF's passages have), in all six styles: the four
Chinese-language ones, and APA and MLA for a paper in English, whose record is the romanised one
with the title's English in brackets."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from shuangyu.index.text.analysis import has_han
from shuangyu.search.citation.csl import ITEM_TYPES, NEWSPAPER_ARTICLE, REPORT, WEBPAGE
from shuangyu.search.citation.romanised import romanised_record
from shuangyu.search.citation.runs import html as runs_html
from shuangyu.search.citation.styles import STYLES
from shuangyu.web.app import create_app

from tests.paths import DICTIONARY
from tests.search.test_citations import APA_EXAMPLES, ESTIMATED, NEWSPAPER, PAGE
from tests.search.test_citations import REPORT as REPORT_EXAMPLE
from tests.tools import under_ci

HERE = Path(__file__).parent.parent  # tests/
CITEPROC = HERE / "citeproc"
CSL = HERE / "fixtures" / "csl"
# The style files by the product's style name (the English-language forms use APA's and MLA's).
STYLE_FILES = {
    "apa": "apa.csl",
    "mla": "modern-language-association.csl",
    "gb_t_7714": "china-national-standard-gb-t-7714-2015-numeric.csl",
    "gb_t_7714_2025": "china-national-standard-gb-t-7714-2025-numeric.csl",
}
ENGLISH = {"apa_en": "apa", "mla_en": "mla"}
HOST = {"Host": "127.0.0.1:8000"}


def _missing() -> str:
    if shutil.which("node") is None:
        return "node is not installed (Debian's nodejs; .ci/run installs it)"
    if not (CITEPROC / "node_modules" / "citeproc").is_dir():
        return "citeproc-js is not installed: run `npm ci` in tests/citeproc (.ci/run does)"
    return ""


@pytest.fixture(scope="module", autouse=True)
def citeproc_installed():
    """Skip without node and citeproc-js on a developer's machine; fail under CI (tests/tools.py)."""
    missing = _missing()
    if missing and under_ci():
        pytest.fail(
            f"{missing}; CI=true, so a missing tool fails the test instead of skipping it",
            pytrace=False,
        )
    if missing:
        pytest.skip(missing)


def citeproc(items: list[dict]) -> dict[str, dict[str, str]]:
    """Each item's bibliography entry (HTML) in each style, by style name and item id."""
    request = {
        "styles": {name: str(CSL / file) for name, file in STYLE_FILES.items()},
        "locales": str(CSL),
        "items": items,
    }
    done = subprocess.run(
        ["node", str(CITEPROC / "render.js")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def normalised(text: str) -> str:
    """A citation as compared: no numeric label ([1]), no tag but <i>, entities decoded, one space
    for any run of white space, apostrophes straight (citeproc-js curls the pinyin's Xi'an and the
    gloss's people's, as a word processor does: typography, not a rule of a style)."""
    text = re.sub(r'<div class="csl-left-margin">.*?</div>', "", text)
    text = re.sub(r"<(?!/?i>)[^>]*>", "", text)
    return " ".join(html.unescape(text).replace("\u2019", "'").split())


# What the product prints and citeproc does not, each where the manual or the standard is with the product.


def _parts(record: dict) -> tuple[list[int], bool]:
    issued = record.get("issued") or {}
    return list((issued.get("date-parts") or [[]])[0]), bool(issued.get("circa"))


def _iso(parts: list[int]) -> str:
    return "-".join(f"{part:02d}" for part in parts)


def _kind(record: dict):
    return ITEM_TYPES.get(record.get("type", ""), WEBPAGE)


def _gb_t_estimate(style: str, text: str, record: dict) -> str:
    parts, circa = _parts(record)
    if not circa:
        return text
    kind, full, year = _kind(record), _iso(parts), str(parts[0])
    publisher, page = record.get("publisher"), record.get("page")
    if kind is NEWSPAPER_ARTICLE:
        return text.replace(f"[{full}]", full, 1)
    if style == "gb_t_7714":
        # The 2015 style brackets an estimated year in its publication statement, not a date alone.
        return text if publisher or page else text.replace(f"[{full}]", f"({full})", 1)
    if kind is REPORT:
        return (
            text.replace(f"[{year}]", year, 1) if publisher else text.replace(f"[{full}]", full, 1)
        )
    return text.replace(f"[{full}]", f"（{full}）", 1)


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MLA_MONTHS = [
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
]


def _gb_t_undated(style: str, text: str, record: dict) -> str:
    accessed = ((record.get("accessed") or {}).get("date-parts") or [[]])[0]
    kind, publisher, page = _kind(record), record.get("publisher", ""), record.get("page", "")
    if (
        record.get("issued")
        or not accessed
        or kind is not REPORT
        or (style == "gb_t_7714" and not (publisher or page))
    ):
        return text
    comma, colon = (", ", ": ") if style == "gb_t_7714" else ("，", "：")
    ours = colon.join(filter(None, [publisher, page]))
    theirs = colon.join(
        filter(None, [comma.join(filter(None, [publisher, f"[{accessed[0]}]"])), page])
    )
    head, marker, rest = text.partition(f"[{kind.gb_t}/OL]. ")
    if ours:
        return head + marker + theirs + rest[len(ours) :] if rest.startswith(ours) else text
    return head + marker + theirs + ". " + rest


def _apa_estimate(style: str, text: str, record: dict) -> str:
    parts, circa = _parts(record)
    if not circa or len(parts) < 2 or _kind(record) is REPORT:
        return text
    month_day = " ".join([_MONTHS[parts[1] - 1], *map(str, parts[2:])])
    return text.replace(f"(ca. {parts[0]})", f"(ca. {parts[0]}, {month_day})", 1)


def _mla_estimate(style: str, text: str, record: dict) -> str:
    parts, circa = _parts(record)
    if not circa:
        return text
    month = [_MLA_MONTHS[parts[1] - 1]] if len(parts) > 1 else []
    date = " ".join([*map(str, parts[2:3]), *month, str(parts[0])])
    text = text.replace(f"c. {parts[0]}", f"Circa {date}", 1)
    return re.sub(r" Accessed \d{1,2} \S+ \d{4}\.$", "", text)


def _mla_protocol(style: str, text: str, record: dict) -> str:
    url = record.get("URL", "")
    return text.replace(re.sub(r"^https?://", "", url) + ".", url + ".")


def _apa_retrieved(style: str, text: str, record: dict) -> str:
    if record.get("issued") or not record.get("URL"):
        return text
    accessed = ((record.get("accessed") or {}).get("date-parts") or [[]])[0]
    when = (
        f"{_MONTHS[accessed[1] - 1]} {accessed[2]}, {accessed[0]}, from "
        if len(accessed) == 3
        else ""
    )
    return text.replace(f" {record['URL']}", f" Retrieved {when}{record['URL']}")


def _apa_publisher_as_author(style: str, text: str, record: dict) -> str:
    names, publisher = record.get("author", []), record.get("publisher", "")
    if (
        not publisher
        or [name.get("literal") for name in names] != [publisher]
        or not record.get("URL")
    ):
        return text
    return text.replace(f" {record['URL']}", f" {publisher}. {record['URL']}")


def _period_inside_quotes(style: str, text: str, record: dict) -> str:
    return re.sub(r"([\u201d\u2019])(</i>)?\.", r".\1\2", text)


def _han_names(record: dict) -> list[bool]:
    """For each author, whether the product writes the name family name first, uninverted: a
    Chinese name in characters, or romanised with its characters beside it."""
    return [
        "literal" not in name and (has_han(name.get("family", "")) or "original" in name)
        for name in record.get("author", [])
    ]


def _apa_two_names(style: str, text: str, record: dict) -> str:
    names = _han_names(record)
    if len(names) != 2 or not names[0] or style != "apa":
        return text
    return text.replace(" & ", ", & ", 1)


def _mla_names(style: str, text: str, record: dict) -> str:
    names = _han_names(record)
    if len(names) < 2 or not names[0]:
        return text
    return (
        text.replace(" and ", ", and ", 1)
        if len(names) == 2
        else text.replace(" et al.", ", et al.", 1)
    )


def _apa_romanised_names(style: str, text: str, record: dict) -> str:
    for name in record.get("author", []):
        if "original" in name and "literal" not in name:
            initials = " ".join(f"{part[0]}." for part in name["given"].split())
            text = text.replace(f"{name['family']}, {initials}", f"{name['family']} {initials}", 1)
    return text


def _mla_italics_of_chinese(style: str, text: str, record: dict) -> str:
    return re.sub(r"<i>([^<A-Za-z0-9]*)</i>", r"\1", text)


def _bracket_in_italics(style: str, text: str, record: dict) -> str:
    return re.sub(r"</i> (\[[^\]]*\])", r" \1</i>", text, count=1)


@dataclass(frozen=True)
class Difference:
    """Where the product is right and the CSL style or citeproc-js is not: the rule, and what
    turns the product's text into the style's (``style_gives(style, text, record)``)."""

    styles: frozenset[str]
    rule: str
    style_gives: Callable[[str, str, dict], str]


KNOWN_DIFFERENCES = [
    Difference(
        frozenset({"gb_t_7714", "gb_t_7714_2025"}),
        "An estimated date goes in square brackets: GB/T 7714-2015 §8.4.2 and 2025 §7.5.4.3 ([1936]). The 2015 "
        "style brackets an estimated year in a publication statement but not a date alone; the 2025 style never.",
        _gb_t_estimate,
    ),
    Difference(
        frozenset({"gb_t_7714", "gb_t_7714_2025"}),
        "A report whose date is not known gives none: the styles print the year of citation as an estimated year "
        "([2026] for a party congress of 1969), which the standard's estimated year (GB/T 7714 §8.4.2, 2025 "
        "§7.5.4.3: a year judged from the work) is not.",
        _gb_t_undated,
    ),
    Difference(
        frozenset({"apa", "apa_en"}),
        "An estimated date is given at the precision of the estimate, ca. and the year, as APA 7's examples of an "
        "approximate date are; citeproc adds the month of the estimate.",
        _apa_estimate,
    ),
    Difference(
        frozenset({"apa", "apa_en"}),
        "No retrieval date before the URL of an undated item: the permalink is a stable copy, and APA 7 §9.16 "
        "gives a retrieval date only for pages designed to change; the style adds one to every undated item.",
        _apa_retrieved,
    ),
    Difference(
        frozenset({"apa", "apa_en"}),
        "A publisher that is also the author is not repeated (APA 7 §9.24, as the manual's example of a report by "
        "the World Health Organization); the style prints it again.",
        _apa_publisher_as_author,
    ),
    Difference(
        frozenset({"apa", "mla", "apa_en", "mla_en"}),
        "The full stop after a title that ends with a quotation mark of its own (“四高”) stays outside it and "
        "outside the italics: the quotation marks are the title's, not ones the style puts round it; citeproc-js "
        "moves the stop inside them, as American usage does with quotations.",
        _period_inside_quotes,
    ),
    Difference(
        frozenset({"apa"}),
        "Two names in Chinese characters are joined by & alone (王彩艳 & 肖亚平): APA 7 §9.8's comma before & "
        "separates initials from the next name, and a name in characters has none.",
        _apa_two_names,
    ),
    Difference(
        frozenset({"mla", "mla_en"}),
        "A Chinese name, in characters or romanised, is not inverted (MLA 9: a name written family name first is "
        "given as written: 王彩艳, Wang Caiyan), so no comma follows the first name before 'and' or 'et al.', as "
        "the comma of an inverted name (Dorris, Michael, and Louise Erdrich) does.",
        _mla_names,
    ),
    Difference(
        frozenset({"apa_en"}),
        "A romanised Chinese name is inverted with a comma like every author's (APA 7 §9.8: Wang, C.); citeproc-js, "
        "told that the work is in Chinese, writes it family name first without the comma (Wang C.).",
        _apa_romanised_names,
    ),
    Difference(
        frozenset({"mla", "mla_en"}),
        "URLs without http:// or https:// (MLA 9 §2.6: omit the protocol).",
        _mla_protocol,
    ),
    Difference(
        frozenset({"mla", "mla_en"}),
        "An estimated date reads c. and its year (MLA 9 abbreviates circa), and an entry whose date is an "
        "estimate ends with the date of access, as one without a date does; the style writes Circa with the "
        "estimate's month and gives no date of access.",
        _mla_estimate,
    ),
    Difference(
        frozenset({"mla"}),
        "The title of a self-contained work (a report, a web page) and a newspaper's name are in italics (MLA 9); "
        "the style asks for them, but citeproc-js drops the italics when it title-cases text with no Latin "
        "letter or digit in it (中国共产党第十五次全国代表大会报告, 人民日报; 2017年政府工作报告 keeps them).",
        _mla_italics_of_chinese,
    ),
    Difference(
        frozenset({"apa_en", "mla_en"}),
        "The English of a title, in brackets after it, is not in italics (APA 7 §9.38: a title's translation is "
        "not italicised); the style is given the bracket as part of the title and italicises it with the title.",
        _bracket_in_italics,
    ),
]


# The items.


def _english_input(record: dict, title_en: str, engine: str) -> tuple[dict, dict]:
    """The record the English-language forms print (``romanised_record``) and the same as CSL-JSON
    for citeproc: the bracket after the title made part of the title, names and the publisher in
    pinyin without their Chinese (which the product adds in brackets and the style cannot)."""
    english = romanised_record(record, DICTIONARY, title_en, engine)
    item = {
        key: value
        for key, value in english.items()
        if not key.startswith("original") and key != "title-bracket"
    }
    if english.get("title-bracket"):
        item["title"] = f"{english['title']} [{english['title-bracket']}]"
    item["author"] = [
        {key: value for key, value in name.items() if key != "original"}
        for name in english["author"]
    ]
    return english, item


def _without_chinese_brackets(text: str, english: dict) -> str:
    """``text`` without the Chinese the product gives in brackets after names and the publisher
    (and without the full stop that closes a bracket after an initial: "Chen, S. [陈缮真]. (2022")."""
    originals = [name["original"] for name in english["author"] if "original" in name]
    originals += [
        english[key] for key in ("original-publisher", "original-container-title") if key in english
    ]
    for original in originals:
        text = re.sub(
            rf"(\.?) \[{re.escape(original)}\](\.?)",
            lambda match: match.group(1) or match.group(2),
            text,
        )
    return text


@dataclass
class Case:
    """One item in one style: the product's text and what citeproc is given."""

    label: str
    style: str
    record: dict  # the record the known differences read (the romanised one for the English forms)
    product: str
    item: dict  # the CSL-JSON citeproc renders


def cases_of(
    label: str, record: dict, title_en: str = "", engine: str = "", styles=tuple(STYLES)
) -> list[Case]:
    """The product's ``styles`` of ``record`` (printed by ``search.cite``; all six unless said),
    each with the item citeproc renders."""
    cases = []
    for style in styles:
        render = STYLES[style]
        if style in ENGLISH:
            english, item = _english_input(record, title_en, engine)
            product = normalised(runs_html(render(record, DICTIONARY, title_en, engine)))
            cases.append(
                Case(
                    label,
                    style,
                    english,
                    _without_chinese_brackets(product, english),
                    {**item, "id": f"{style}|{label}"},
                )
            )
        else:
            cases.append(
                Case(
                    label,
                    style,
                    record,
                    normalised(runs_html(render(record))),
                    {**record, "id": f"{style}|{label}"},
                )
            )
    return cases


def compare(cases: list[Case]) -> tuple[list[str], set[str]]:
    """Render every case with citeproc; the cases that differ beyond the known differences, and
    the rules of the known differences that some case needed."""
    rendered = citeproc([case.item for case in cases])
    failures, used = [], set()
    for case in cases:
        theirs = normalised(rendered[ENGLISH.get(case.style, case.style)][case.item["id"]])
        ours = case.product
        for difference in KNOWN_DIFFERENCES:
            if case.style in difference.styles:
                adjusted = difference.style_gives(case.style, ours, case.record)
                if adjusted != ours:
                    used.add(difference.rule)
                ours = adjusted
        if ours != theirs:
            failures.append(
                f"{case.label} [{case.style}]\n  product:  {case.product}\n  adjusted: {ours}\n  citeproc: {theirs}"
            )
    return failures, used


# The standard's and the manuals' examples of the item types the product makes (tests/search/test_citations.py),
# each in the styles of its own standard or manual.
GB_T = ("gb_t_7714", "gb_t_7714_2025")
EXAMPLES = [
    *(
        (label, record, GB_T)
        for label, record in (
            ("gb_t_newspaper", NEWSPAPER),
            ("gb_t_report", REPORT_EXAMPLE),
            ("gb_t_page", PAGE),
        )
    ),
    # An English item: in 2015 the style writes its group author in capitals, which the product does not.
    ("gb_t_estimated", ESTIMATED, ("gb_t_7714_2025",)),
    *(
        (f"apa_{index}", {"id": f"apa_{index}", **record}, ("apa",))
        for index, (record, _) in enumerate(APA_EXAMPLES)
    ),
]


def _report_cases(api) -> list[Case]:
    """The cases of one passage of each report the API serves (its first), as the API gives its
    record and citations, and of the same passage with a cited page, as a PDF's passages have."""
    cases = []
    for report in api.get("/api/reports", headers=HOST).get_json()["reports"]:
        body = api.get(f"/api/passages/{report['id']}:p001", headers=HOST).get_json()
        record = body["citation_record"]
        title_en, engine = (
            body["report"].get("title_en", ""),
            body["report"].get("title_en_engine", ""),
        )
        made = cases_of(record["id"], record, title_en, engine)
        # The API prints what the styles print from its record.
        assert {case.style: case.product for case in made if case.style not in ENGLISH} == {
            style: normalised(text)
            for style, text in body["citations_html"].items()
            if style not in ENGLISH
        }
        cases += made
        if record["type"] == "report":
            cases += cases_of(
                f"{record['id']} (pp. 3-4)", {**record, "page": "3-4"}, title_en, engine
            )
    return cases


@dataclass
class Compared:
    cases: int
    failures: list[str]
    used: set[str]

    def assert_agree(self) -> None:
        assert not self.failures, (
            f"{len(self.failures)} of {self.cases} citations differ from citeproc-js:\n"
            + "\n".join(self.failures[:20])
        )


def compared(cases: list[Case]) -> Compared:
    return Compared(len(cases), *compare(cases))


@pytest.fixture(scope="module")
def examples_compared() -> Compared:
    return compared(
        [
            case
            for label, record, styles in EXAMPLES
            for case in cases_of(label, record, styles=styles)
        ]
    )


@pytest.fixture(scope="module")
def seed_compared(app) -> Compared:
    return compared(_report_cases(app.test_client()))


@pytest.fixture(scope="module")
def real_collection_compared(real_collection_index) -> Compared:
    cases = _report_cases(
        create_app({"TESTING": True, "INDEX_DIR": real_collection_index}).test_client()
    )
    assert len({case.label for case in cases}) >= 2 * 99
    return compared(cases)


def test_the_standards_and_manuals_examples_print_as_citeproc_prints_them(examples_compared):
    examples_compared.assert_agree()


def test_every_report_of_the_seed_corpus_is_cited_as_citeproc_cites_it(seed_compared):
    seed_compared.assert_agree()


def test_every_report_of_the_real_collection_is_cited_as_citeproc_cites_it(
    real_collection_compared,
):
    real_collection_compared.assert_agree()


def test_every_known_difference_is_still_needed(
    examples_compared, seed_compared, real_collection_compared
):
    used = examples_compared.used | seed_compared.used | real_collection_compared.used
    assert not [difference.rule for difference in KNOWN_DIFFERENCES if difference.rule not in used]


def test_citeproc_is_the_version_the_differences_were_read_against():
    assert citeproc([])["_version"] == "1.4.61"
