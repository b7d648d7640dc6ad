"""The styles as a paper in English cites a Chinese work: the record romanised, the title's
English in brackets (APA 7 §9.38, MLA 9 §1.8)."""

from __future__ import annotations

from shuangyu.index.english.dictionary import Dictionary
from shuangyu.index.text.analysis import has_han
from shuangyu.search.citation.apa import apa
from shuangyu.search.citation.csl import whole_name
from shuangyu.search.citation.mla import mla
from shuangyu.search.citation.runs import Runs
from shuangyu.search.romanise import person_name, romanised


def _english_title(title_en: str, translator: str) -> str:
    """The English of a title as the brackets after its pinyin give it, saying what made it: the
    word-by-word dictionary gloss, or a machine translation (APA 7 §9.38 asks for a translation;
    a gloss is not one, and the reader is told which it is)."""
    if not title_en.strip():
        return ""
    label = {"gloss": "gloss", "": ""}.get(translator, "machine translation")
    return f"{label}: {title_en.strip()}" if label else title_en.strip()


def romanised_record(
    record: dict, dictionary: Dictionary, title_en: str = "", title_en_translator: str = ""
) -> dict:
    """The record as a paper in English cites a Chinese work (APA 7 §9.38, MLA 9 §1.8): the
    authors, the title, the newspaper and the publisher in Hanyu Pinyin (``search.romanise``).
    The title is followed in brackets by its English (``title_en``, labelled with what made it,
    ``title_en_translator``), or by its Chinese when it has no English; names, the newspaper and the
    publisher by their Chinese. ``original-title`` holds the Chinese title as in CSL;
    ``title-bracket`` and the other ``original`` keys are this module's own. Text with no
    Chinese in it is kept as it is. This record feeds the styles only: the files (BibTeX, RIS,
    CSL-JSON) keep the Chinese record."""
    english = dict(record)
    authors = []
    for name in record.get("author", []):
        whole = whole_name(name)
        person = person_name(whole) if "literal" not in name or has_han(whole) else None
        if person:
            authors.append({"family": person[0], "given": person[1], "original": whole})
        elif has_han(whole):
            authors.append(
                {"literal": romanised(whole, dictionary, capitalise_all=True), "original": whole}
            )
        else:
            authors.append(name)
    english["author"] = authors
    if has_han(record.get("title", "")):
        english["title"] = romanised(record["title"], dictionary)
        english["original-title"] = record["title"]
        english["title-bracket"] = _english_title(title_en, title_en_translator) or record["title"]
    for key in ("container-title", "publisher"):
        if has_han(record.get(key, "")):
            english[key], english[f"original-{key}"] = (
                romanised(record[key], dictionary, capitalise_all=True),
                record[key],
            )
    return english


def apa_english(
    record: dict, dictionary: Dictionary, title_en: str = "", title_en_translator: str = ""
) -> Runs:
    """APA 7 as a paper in English writes it: romanised, the title's English in brackets."""
    return apa(romanised_record(record, dictionary, title_en, title_en_translator))


def mla_english(
    record: dict, dictionary: Dictionary, title_en: str = "", title_en_translator: str = ""
) -> Runs:
    """MLA 9 as a paper in English writes it: romanised, the title's English in brackets."""
    return mla(romanised_record(record, dictionary, title_en, title_en_translator))
