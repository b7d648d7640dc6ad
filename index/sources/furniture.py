"""The lines of a web page's chrome that a report saved from it carries: buttons, font-size
switches, breadcrumbs, the source and time lines, the "scan to open on a phone" and
related-links boxes. Defined once for the passage splitter (``index.sources.passages``), which
leaves them out of the passages, and for the reading of a report's head
(``index.sources.report_head``), which leaves them out of its title and speaker lines.
"""

from __future__ import annotations

import re

# What both read as chrome: a whole line of one of these and nothing else.
_BUTTONS = r"下载|打印|全屏|收藏|打印本页|关闭窗口|【?字[号体][:：]?|[大中小]|加大|还原|减小|首页|当前位置[:：]?"

# A line of furniture, left out of the passages. Beside the buttons: the words a web editor's
# buttons insert in place of the text to format ("粗体文字" is its "bold text", left in a
# Wikisource page of 2007), and a source or time line short enough to be no sentence.
FURNITURE = re.compile(
    rf"^(?:{_BUTTONS}|分享[:：]?|分享到[:：]?.*|[】【×>|]|"
    r"您的位置[:：]?|相关文档[:：]?|相关(?:附件|链接)[>》]*|来源[:：].{0,30}|来源[:：]?|时间[:：].{0,30}|"
    r"(?:发表|发布)时间[:：]?|阅读(?:量|数|次数)[:：]?\d*|扫一扫在手机(?:上)?打开(?:当前页|本页)|[》>]*点击图片进入专题[《<]*|"
    r"粗体文字|斜体文字|删除线文字|链接文字|链接标题|标题文字|"
    r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?|\d{4}年\d{2}月\d{2}日(?: ?\d{2}时\d{2}分)?)$"
)
# A breadcrumb's separator and a field's name alone ("来源：") have their item or value on the next
# line: a short line there is furniture too ("政务信息", "宁夏日报客户端").
FURNITURE_WITH_VALUE_NEXT = re.compile(r"^(?:>|(?:来源|时间|发表时间|发布时间)[:：])$")
MAX_FURNITURE_VALUE_CHARS = 30

# A line of chrome above a report's head, where its title and speaker are looked for: the
# buttons, any source, time or reading line whatever its length, the navigation labels of a
# breadcrumb (…要闻, …信息) and a line of digits and date words.
CHROME = re.compile(
    rf"^(?:{_BUTTONS}|分享.*|[】×>]|[您当]前?的?位置[:：]?|来源[:：]?.*|发表时间[:：]?.*|时间[:：].*|"
    r"阅读量?[:：]?.*|\S{2,6}(?:要闻|信息|新闻|动态)|\d[\d\s:：\-年月日时分]*)$"
)
