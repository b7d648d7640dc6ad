"""The common Chinese surnames, by which a line of names is told apart from a line of short
words ("王彩艳 杨敏" against "新起点 新气象"). Defined once for the passage splitter's bylines
(``index.sources.line_kinds``) and the speakers of a report's head
(``index.sources.inferred_metadata``)."""

from __future__ import annotations

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# A speaker's name alone under a report's title: the common surnames and those of leaders who
# gave the reports (the splitter's bylines keep to the common ones).
SPEAKER_SURNAMES = SURNAMES + "习温"
