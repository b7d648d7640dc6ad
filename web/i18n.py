"""Interface text in Chinese and English. The language comes from ``?ui=``, then the ``ui``
cookie, then the browser's ``Accept-Language``."""

from __future__ import annotations

from flask import request, url_for

UI_LANGUAGES = ("zh", "en")

STRINGS = {
    "site_name": ("双语 · 报告检索", "Shuangyu · report search"),
    "placeholder": ("搜索报告（中文或英文）", "Search the reports (Chinese or English)"),
    "search": ("搜索", "Search"),
    "lang_auto": ("自动识别语言", "Detect language"),
    "lang_zh": ("只搜中文", "Chinese only"),
    "lang_en": ("只搜英文", "English only"),
    "results": ("共 {n} 段，{took}", "{n} passages {took}"),
    "results_one": ("共 {n} 段，{took}", "{n} passage {took}"),
    "took_ms": ("用时 {ms} 毫秒", "in {ms} ms"),
    "took_under_1ms": ("用时不到 1 毫秒", "in < 1 ms"),
    "partial": (
        "这次搜索到时限就停了：以下是已查过的段落中最相关的，总数只计已查过的。请缩短查询再试。",
        "This search stopped at its time limit: these are the best of the passages it had looked at, "
        "and the count covers only those. A shorter query searches everything.",
    ),
    "all_reports": ("全部报告", "All reports"),
    "machine_translation": ("机器翻译", "Machine translation"),
    "dictionary_gloss": (
        "词典逐词释义（非翻译）",
        "Dictionary gloss (word by word, not a translation)",
    ),
    "cite": ("引用", "Cite"),
    "copy": ("复制", "Copy"),
    "copied": ("已复制", "Copied"),
    "previous": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "no_index_title": ("还没有可检索的报告", "No reports to search yet"),
    "no_index": (
        "把报告（*.txt，可附同名 .toml 元数据）放进 {corpus}，然后运行 shuangyu build；本页无需重启即可检索。",
        "Put the reports (*.txt, each with an optional .toml of metadata) in {corpus}, then run shuangyu build; "
        "this page searches them without a restart.",
    ),
    "empty_title": (
        "用中文或英文检索报告中的段落",
        "Search the passages of the reports in Chinese or English",
    ),
    "examples": ("试试：", "Try:"),
    "no_results": ("没有找到与“{q}”匹配的段落。", "No passage matches “{q}”."),
    "suggestions": (
        "可以减少检索词、换用另一种语言、去掉引号，或试试下面的例子。",
        "Try fewer words, the other language, no quotes, or one of the examples below.",
    ),
    "passage": ("段落", "Passage"),
    "context": ("上下文", "Context"),
    "previous_passage": ("上一段", "Previous passage"),
    "next_passage": ("下一段", "Next passage"),
    "report": ("报告", "Report"),
    "authors": ("作者", "Authors"),
    "date": ("日期", "Date"),
    "date_basis": ("日期依据", "How the date is known"),
    "photo_credit": ("图片", "Photos"),
    "source": ("原文位置", "Source"),
    "source_chars": ("{file} 第 {spans} 字符", "{file}, characters {spans}"),
    "citations": ("引用格式", "Citations"),
    "downloads": ("下载：", "Download:"),
    "in_report": ("在全文中查看", "View in the full report"),
    "text_fragment": ("在全文中定位原句", "Jump to the words in the report"),
    "section": ("章节", "Section"),
    "not_found": ("找不到这个页面", "Page not found"),
    "search_instead": ("试试检索：", "Try a search:"),
    "kind_heading": ("标题", "Heading"),
    "kind_caption": ("图片说明", "Caption"),
    "kind_credit": ("署名", "Credit"),
    "kind_body": ("正文", "Body"),
    "switch_ui": ("English", "中文"),
    "more_results": ("查看全部结果", "See all results"),
    "english": ("英文", "English"),
    "did_you_mean": ("您是不是要找：", "Did you mean:"),
    "searched_for": ("英文词同时按中文检索：", "English words also searched in Chinese:"),
    "chinese": ("中文", "Chinese"),
    "matched_in_heading": ("匹配在章节标题中", "Matched in the section heading"),
    "matched_in_english": ("匹配在英文中", "Matched in the English"),
    "found_by_meaning": ("语义相关", "Related in meaning"),
    "found_by_meaning_note": (
        "这一段是按意思找到的（多语言语义模型），不是因为它含有全部检索词。",
        "This passage was found by its meaning (a multilingual embedding model), not because it "
        "has every word searched for.",
    ),
    "total_by": (
        "（其中 {words} 段按词匹配，{meaning} 段按意思相关）",
        "(matching the words: {words}; related in meaning: {meaning})",
    ),
    "related_heading": ("意思相近的段落", "Passages related in meaning"),
    "related_note": (
        "没有段落含全部检索词；这些段落按意思与查询相近，不算匹配。",
        "No passage has every word searched for; these are near the query in meaning, and are not "
        "counted as matches.",
    ),
    "semantic_embedding": (
        "语义检索正在准备（已处理 {done}/{total} 段）：目前只按词检索。",
        "Search by meaning is being prepared ({done} of {total} passages): for now only the words are "
        "searched.",
    ),
    "semantic_unavailable": (
        "语义检索暂不可用：只按词检索。",
        "Search by meaning is unavailable: only the words are searched.",
    ),
    "unknown_words": (
        "这些词在任何段落中都没有：{words}",
        "No passage has these words in any form: {words}",
    ),
    "some_words_heading": ("有 {n} 段含其余的检索词", "{n} passages have the other words"),
    "some_words_heading_one": ("有 {n} 段含其余的检索词", "{n} passage has the other words"),
    "some_words_note": (
        "没有段落含全部检索词，以下段落不算匹配，也不计入总数；这是其中最相关的几段。",
        "No passage has every word searched for: these are not matches and are not counted. The most "
        "relevant of them:",
    ),
    "matches_some_words": ("含 {n} 个检索词中的 {k} 个", "matches {k} of {n} words"),
    "search_mode": ("检索方式", "Search by"),
    "mode_hybrid": ("词和意思", "Words and meaning"),
    "mode_lexical": ("只按词", "Words only"),
    "mode_semantic": ("只按意思", "Meaning only"),
    "converted_script": (
        "已按简体“{searched}”检索（输入的是“{typed}”）",
        "Searched for {searched} (you typed {typed})",
    ),
    "gloss_short": ("词典释义", "gloss"),
    "footer_english": (
        "英文：除标明“机器翻译”者外，均为 CC-CEDICT 词典逐词释义（CC BY-SA 4.0）",
        "English: CC-CEDICT dictionary gloss (CC BY-SA 4.0) unless marked as machine translation",
    ),
    "api_docs": ("接口文档（API）", "API"),
    "not_found_detail": (
        "没有这个页面：链接可能有误，或报告已不在检索范围内。",
        "There is no such page: the link may be wrong, or the report is no longer searched.",
    ),
    "date_printed": ("报告中印有此日期。", "The report prints this date."),
    # Error pages other than 404: a title in the interface's language; the detail, which names the
    # parameter or the fault, is the service's own (English) message, shown labelled as such.
    "error_400": ("请求有误", "Bad request"),
    "error_405": ("不支持这种请求方式", "Method not allowed"),
    "error_413": ("请求内容太大", "Request too large"),
    "error_429": ("请求过于频繁，请稍后再试", "Too many requests: try again shortly"),
    "error_500": (
        "服务出错了，错误已记录",
        "Something went wrong on our side; the error was logged",
    ),
    "error_503": ("服务暂时不可用", "Service unavailable"),
    "error_other": ("请求无法完成", "The request could not be completed"),
    "error_detail": ("详细信息（英文）：", "Details:"),
    "converted_pinyin": ("拼音 {typed} → {searched}", "Pinyin {typed} → {searched}"),
    # Researchers' tools on the results page (issue 17, points 3 and 4).
    "past_end": (
        "第 {page} 页超出了结果范围：共 {passages}，只有 {pages}。",
        "Page {page} is past the end: {passages}, on {pages}.",
    ),
    "n_passages": ("{n} 段", "{n} passages"),
    "n_passages_one": ("{n} 段", "{n} passage"),
    "n_pages": ("{n} 页", "{n} pages"),
    "n_pages_one": ("{n} 页", "{n} page"),
    "to_last_page": ("回到最后一页（第 {pages} 页）", "Back to the last page (page {pages})"),
    "pages": ("分页", "Pages"),
    "page_n": ("第 {n} 页", "Page {n}"),
    "sort_by": ("排序：", "Sort by:"),
    "sort_relevance": ("相关度", "relevance"),
    "sort_date": ("日期（新的在前）", "date (newest first)"),
    "sort_oldest": ("日期（旧的在前）", "date (oldest first)"),
    "select_all": ("全选本页", "Select all on this page"),
    "select_result": ("选择 {id}", "Select {id}"),
    "selected_count": ("已选 {n} 段", "{n} selected"),
    "export_format": ("格式", "Format"),
    "export_selected": ("导出所选", "Export selected"),
    "export_none": ("请先勾选要导出的结果", "Select the results to export first"),
    "clear_selection": ("清除所选", "Clear selection"),
    "selection_full": ("一次最多导出 {n} 段", "At most {n} passages can be exported at a time"),
    "format_ris": ("RIS（文献管理软件）", "RIS (reference managers)"),
    "format_bib": ("BibTeX", "BibTeX"),
    "format_json": ("CSL-JSON", "CSL-JSON"),
    "format_csv": ("CSV（电子表格）", "CSV (spreadsheets)"),
    "citation_style": ("引用格式", "Citation style"),
    "style_gb_t_7714": ("GB/T 7714-2015", "GB/T 7714-2015"),
    "style_gb_t_7714_2025": ("GB/T 7714-2025", "GB/T 7714-2025"),
    "style_apa": ("APA 7", "APA 7"),
    "style_mla": ("MLA 9", "MLA 9"),
    "style_apa_en": ("APA 7（英文论文用，拼音）", "APA 7, for a paper in English (pinyin)"),
    "style_mla_en": ("MLA 9（英文论文用，拼音）", "MLA 9, for a paper in English (pinyin)"),
    "copy_citation": ("复制引用", "Copy citation"),
    "copy_failed": (
        "无法写入剪贴板：请按 Ctrl+C 复制已选中的引用",
        "The clipboard refused: press Ctrl+C to copy the selected citation",
    ),
    "date_inferred": ("（推定）", " (inferred)"),
    "date_inferred_note": (
        "报告中未印日期，此日期是推定的。",
        "The report does not print this date; it is inferred.",
    ),
    "publisher": ("发布机关", "Publisher"),
    "metadata_basis": ("元数据依据", "How the metadata is known"),
    "inferred_fields": (
        "{fields}取自报告正文中印出的内容（报告没有附带元数据文件）。",
        "The {fields} as the report's own text prints them (it came without a metadata file).",
    ),
    "field_title": ("标题", "title"),
    "field_subtitle": ("副标题", "subtitle"),
    "field_authors": ("作者", "speaker"),
    "field_publisher": ("发布机关", "publisher"),
    "list_separator": ("、", ", "),
    "also_in": ("同一段文字也见于：", "The same text is also in: "),
    "search_report": ("在本报告中搜索", "Search this report"),
    "search_report_placeholder": (
        "在本报告中搜索（中文或英文）",
        "Search within this report (Chinese or English)",
    ),
}

EXAMPLES = ("物流枢纽", "紅岩精神", '"高质量发展"', "logistics hub", "ciqikou", "5G基站")


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


def duration(ms: float) -> str:
    """How long a search took, in whole milliseconds; under one, as under one ("< 1 ms", not "0 ms")."""
    return translate("took_under_1ms") if ms < 1 else translate("took_ms", ms=f"{ms:.0f}")


def other_language() -> str:
    """The interface language the switch link leads to."""
    return UI_LANGUAGES[1 - UI_LANGUAGES.index(ui_language())]


# The query parameters a page is made of; nothing else of the query string is carried over.
PAGE_PARAMETERS = ("q", "lang", "report", "page", "limit", "sort", "order")


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
    }
)
