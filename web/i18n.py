"""Interface text in Chinese and English. The language comes from ``?ui=``, then the ``ui``
cookie, then the browser's ``Accept-Language``."""

from __future__ import annotations

from flask import request, url_for
from shuangyu.web.interface_text import STRINGS, UI_LANGUAGES


def ui_language() -> str:
    """The interface language of the current request."""
    asked = request.args.get("ui") or request.cookies.get("ui")
    if asked in UI_LANGUAGES:
        return asked
    return request.accept_languages.best_match(UI_LANGUAGES, default="zh") or "zh"


def translate(key: str, **values) -> str:
    """The interface text ``key`` in the request's language, with ``values`` filled in."""
    text = STRINGS[key][UI_LANGUAGES.index(ui_language())]
    return text.format(**values) if values else text


def translate_count(key: str, n: int, **values) -> str:
    """The interface text ``key`` for a count of ``n``: its ``<key>_one`` form when ``n`` is 1
    and the language has one ("1 passage", "2 passages"; Chinese has one form)."""
    singular = f"{key}_one"
    return translate(singular if n == 1 and singular in STRINGS else key, n=n, **values)


def results_summary(response: dict) -> str:
    """How many passages a search lists and how long it took ("12 passages in 5 ms"); "10,000+
    passages" where it counted that many and stopped (``total_relation`` "gte")."""
    took = duration(response["took_ms"])
    if response.get("total_relation") == "gte":
        return translate("results_at_least", n=f"{response['total']:,}", took=took)
    return translate_count("results", response["total"], took=took)


def duration(ms: float) -> str:
    """How long a search took, in whole milliseconds; under one, as under one ("< 1 ms", not "0 ms")."""
    return translate("took_under_1ms") if ms < 1 else translate("took_ms", ms=f"{ms:.0f}")


def other_language() -> str:
    """The interface language the switch link leads to."""
    return UI_LANGUAGES[1 - UI_LANGUAGES.index(ui_language())]


# The query parameters a page is made of; nothing else of the query string is carried over.
PAGE_PARAMETERS = ("q", "lang", "report", "page", "limit", "sort", "order", "mode")


def switch_language_url() -> str:
    """The current page in the other interface language: its path and its known parameters
    (``PAGE_PARAMETERS``) with ``ui`` switched; the search page when the request matched no route."""
    kept = {name: request.args[name] for name in PAGE_PARAMETERS if request.args.get(name)}
    return url_for(
        request.endpoint or "pages.search", **(request.view_args or {}), **kept, ui=other_language()
    )


# Accessibility and embedding (issue 17, points 8 and 9).
STRINGS.update(
    {
        "skip_to_content": ("跳到主要内容", "Skip to the main content"),
        "results_heading": ("“{q}”的检索结果", "Results for “{q}”"),
        "search_language": ("检索语言", "Language to search in"),
        "embed_error": (
            "这次检索无法进行，请换个说法再试。",
            "This search could not be run: try other words.",
        ),
    }
)

# How a report's date is known, in the interface's language (issue 28, point 6): the bases the
# build writes for a report without metadata, and where an editor's reasoning (in English) is.
STRINGS.update(
    {
        "basis_opening_line": (
            "依据：报告开头印的日期（无元数据文件）。",
            "From the report's opening line (no metadata file).",
        ),
        "basis_file_name": (
            "依据：文件名中的年份（无元数据文件）。",
            "From the year in the file name (no metadata file).",
        ),
        "basis_web_copy": (
            "依据：网页版的发布日期，可能晚于报告日期（无元数据文件）。",
            "From the date its web copy was published, which may be after the report (no metadata file).",
        ),
        "basis_file_made": (
            "依据：文件属性中的日期，可能是文件的制作日期（无元数据文件）。",
            "From the file's properties, which may give when the file was made (no metadata file).",
        ),
        "basis_file_properties": (
            "依据：文件属性（无元数据文件）。",
            "From the file's properties (no metadata file).",
        ),
        "basis_editor": (
            "依据：编者根据报告内容推定（说明只有英文）。",
            "Inferred by the editor from the report's content.",
        ),
        "basis_metadata": ("依据：元数据文件中的说明（只有英文）。", "As the metadata file says."),
        "basis_in_english": ("查看英文说明", "Read it in English"),
    }
)

# The reports page and the API page (issue 28, points 4 and 6).
STRINGS.update(
    {
        "undated": ("日期不详", "Undated"),
        "reports_page": ("报告列表", "Reports"),
        "site_links": ("网站导航", "Site"),
        "reports_heading": ("收录的报告", "The reports"),
        "reports_summary": ("共 {n} 份报告，{passages}。", "{n} reports, {passages}."),
        "reports_summary_one": ("共 {n} 份报告，{passages}。", "{n} report, {passages}."),
        "title": ("标题", "Title"),
        "passages_column": ("段落数", "Passages"),
        "sort_reports_by": ("按{column}排序", "Sort by {column}"),
        "api_title": ("接口文档（API）", "API documentation"),
        "api_intro": (
            "JSON 接口，只接受 GET 请求，允许任何来源跨域访问（CORS）。下面的说明由 OpenAPI 文档生成；各项说明为英文原文。",
            "A JSON API: GET only, open to every origin (CORS). This page is made from the OpenAPI document.",
        ),
        "api_openapi": ("OpenAPI 文档（JSON）", "The OpenAPI document (JSON)"),
        "api_operations": ("接口", "Operations"),
        "api_parameters": ("参数", "Parameters"),
        "api_responses": ("响应", "Responses"),
        "api_schemas": ("数据结构", "Schemas"),
        "api_name": ("名称", "Name"),
        "api_in": ("位置", "In"),
        "api_type": ("类型", "Type"),
        "api_description": ("说明", "Description"),
        "api_required": ("必填", "required"),
        "api_status": ("状态码", "Status"),
        "api_example": ("示例：", "Example:"),
        "api_field": ("字段", "Field"),
    }
)

# The report filter above the results (issue 28, point 4).
STRINGS.update(
    {
        "report_filter": ("按报告筛选", "Filter by report"),
        "more_reports": ("全部 {n} 份报告（按年份）", "All {n} reports, by year"),
        "more_reports_one": ("全部 {n} 份报告（按年份）", "The {n} report, by year"),
        "matches_by_year": (
            "各年份报告中匹配段落的比例",
            "Share of each year's passages that match",
        ),
        "year_share": (
            "{year} 年：{n} 段匹配，占该年 {passages} 段的 {percent}%",
            "{year}: {percent}% of its passages match ({n} of {passages})",
        ),
        "year_no_reports": ("{year} 年：没有收录报告", "{year}: no report in the collection"),
        "list_matching_reports": ("按年份列出全部 {n} 份报告", "List the {n} reports by year"),
        "list_matching_reports_one": ("按年份列出这 {n} 份报告", "List the {n} report by year"),
        # The page of every report that matches (/reports?q=…).
        "matching_reports_heading": ("含“{q}”的报告", "Reports that match “{q}”"),
        "matching_reports_summary": (
            "{n} 份报告有匹配的段落。",
            "{n} reports have passages that match.",
        ),
        "matching_reports_summary_one": (
            "{n} 份报告有匹配的段落。",
            "{n} report has passages that match.",
        ),
        "back_to_results": ("返回搜索结果", "Back to the results"),
        # When the counts per report are estimated, a report with few matches may be missing.
        "more_reports_at_least": ("至少 {n} 份报告（按年份）", "At least {n} reports, by year"),
        "list_matching_reports_at_least": (
            "按年份列出至少 {n} 份报告",
            "List at least {n} reports by year",
        ),
        "matching_reports_summary_at_least": (
            "至少 {n} 份报告有匹配的段落。",
            "At least {n} reports have passages that match.",
        ),
    }
)
