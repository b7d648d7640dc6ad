"""Citations as reference managers read them (issue 28, point 5): the permalink pages as Zotero's
Embedded Metadata translator reads their <meta> tags, and every export (BibTeX, RIS, CSL-JSON) as
pybtex, rispy, biber and Zotero's own importers read it back, on the seed corpus and the real
collection.

Zotero's translator runs inside Zotero's translation framework (a DOM, its RDF store, Zotero's
utilities), which no registry ships, so ``zotero_reads`` applies its rules to the page's tags
instead, from the translator's source (zotero/translators, "Embedded Metadata.js" and the "RDF.js"
it hands Dublin Core, Open Graph and Zotero statements to; Zotero's ``cleanAuthor`` in
zotero/utilities). The rules followed, each where the translator has it:

- ``init``: a tag is read from ``name`` (else ``property``) with its ``content``. Its name is split at
  ``.``, ``:`` and ``_``; when the second part (of three or more) or else the first is a known
  prefix (dc, dcterms, og, z, prism, eprints, bib, bibo, foaf, article, book, ...), the tag is an
  RDF statement with the rest of the name as the property, its first letter in lower case
  (``DC.description`` → dc:description, ``og:site_name`` → og:site_name, ``z:itemType`` → z:itemType);
  any other name is Highwire: ``citation_journal_title`` makes a journal article,
  ``citation_technical_report_institution`` a report (``hwType``), ``citation_title`` only guesses a
  journal article (``hwTypeGuess``, the RDF reader's default for an unknown type).
- The item type is ``hwType`` when there is one; else the RDF reader's ``detectType``: a Zotero type
  in z:itemType first, ..., then og:type, then a dc:type that is a Zotero type, then the default.
- ``importItem`` (RDF.js): a dc:type is also copied into reportType, websiteType and the other type
  fields; with a z:itemType (a "Zotero RDF" item) dc:description becomes Extra; og:site_name is the
  publication of a web page, blog post or newspaper article without one.
- ``addHighwireMetadata``: the HIGHWIRE_MAPPINGS fields, each the first tag whose name ends with the
  key (citation_date → date, citation_technical_report_institution → institution,
  citation_publisher → publisher, citation_language, citation_public_url → url); creators from the
  ``citation_author`` tags, each split at ";", each cleaned by ``cleanAuthor`` (a name with a comma is
  "last, first"; without, the last word is the last name and the rest the first name, so a name
  with no space has an empty first name); pages from citation_firstpage and citation_lastpage;
  citation_pdf_url becomes a "Full Text PDF" attachment, else a snapshot of the page.
- ``addLowQualityMetadata``: an abstract from <meta name="description">, the URL from the canonical link.
- Zotero keeps the fields valid for the item type only (a web page has no publisher or pages).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rispy
from pybtex.database import parse_string
from shuangyu.index.build import build_index
from shuangyu.search.citation.bibtex import bibtex_key
from shuangyu.search.citation.meta_tags import meta_tags
from shuangyu.web.app import create_app

from tests.paths import CLUSTER, CORPUS_DIR, SHARED_INSTANCE
from tests.tools import under_ci

HOST = {"Host": "127.0.0.1:8000"}

# Embedded Metadata.js's _prefixes (the ones a page's tags can use without declaring them).
_RDF_PREFIXES = {
    "bib",
    "bibo",
    "dc",
    "dcterms",
    "prism",
    "foaf",
    "vcard",
    "link",
    "z",
    "eprint",
    "eprints",
    "og",
    "article",
    "book",
    "music",
    "video",
    "so",
    "codemeta",
    "rdf",
}
_HIGHWIRE_TYPES = {
    "citation_journal_title": "journalArticle",
    "citation_technical_report_institution": "report",
    "citation_conference_title": "conferencePaper",
    "citation_conference": "conferencePaper",
    "citation_book_title": "bookSection",
    "citation_inbook_title": "bookSection",
    "citation_dissertation_institution": "thesis",
}
_HIGHWIRE_FIELDS = {
    "citation_title": "title",
    "citation_publication_date": "date",
    "citation_date": "date",
    "citation_journal_title": "publicationTitle",
    "citation_technical_report_institution": "institution",
    "citation_publisher": "publisher",
    "citation_public_url": "url",
    "citation_language": "language",
}
# The types the product makes, and the fields of each that Zotero's schema has (of those read here).
_FIELDS = {
    "report": {
        "title",
        "date",
        "institution",
        "reportType",
        "pages",
        "url",
        "language",
        "extra",
        "abstractNote",
    },
    "webpage": {
        "title",
        "date",
        "websiteTitle",
        "websiteType",
        "url",
        "language",
        "extra",
        "abstractNote",
    },
    "newspaperArticle": {
        "title",
        "date",
        "publicationTitle",
        "pages",
        "url",
        "language",
        "extra",
        "abstractNote",
    },
    "journalArticle": {
        "title",
        "date",
        "publicationTitle",
        "pages",
        "url",
        "language",
        "extra",
        "abstractNote",
    },
}
# Zotero's base fields: publicationTitle is a web page's websiteTitle, publisher a report's institution.
_BASE_FIELDS = {
    ("webpage", "publicationTitle"): "websiteTitle",
    ("report", "publisher"): "institution",
}
_TYPE_FIELDS = ("reportType", "websiteType")


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
    assert response.status_code == 200, path
    head = _Head()
    head.feed(response.get_data(as_text=True))
    return head


def clean_author(name: str, use_comma: bool) -> dict:
    """Zotero's cleanAuthor (zotero/utilities): "last, first" with a comma; else the last word is
    the last name, the words before it the first name."""
    name = re.sub(r"[\s\u00a0.,/\[\]:]+$", "", re.sub(r"^[\s\u00a0.,/\[\]:]+", "", name))
    if use_comma:
        parts = re.split(r"[,،] ?", name)
        last, first = parts[0], parts[1] if len(parts) > 1 else ""
    else:
        first, _, last = name.rpartition(" ")
    return {"firstName": first.strip(), "lastName": last, "creatorType": "author"}


def _tag_kind(name: str) -> tuple[str, str] | None:
    """(prefix, property) when Embedded Metadata hands the tag to its RDF reader, else None."""
    parts = re.split(r"[.:_]", name)
    if len(parts) > 2 and parts[1].lower() in _RDF_PREFIXES:
        prefix, length = parts[1].lower(), len(parts[0]) + len(parts[1]) + 1
    elif parts[0].lower() in _RDF_PREFIXES:
        prefix, length = parts[0].lower(), len(parts[0])
    else:
        return None
    rest = name[length + 1 :]
    return prefix, rest[:1].lower() + rest[1:]


def zotero_reads(client, path: str) -> dict:
    """The item Zotero's Embedded Metadata translator saves from the page at ``path`` (the rules
    in this module's docstring)."""
    head = read_head(client, path)
    rdf: dict[str, str] = {}
    highwire: dict[str, list[str]] = {}
    hw_type = hw_guess = None
    for tag in head.meta:
        names, content = tag.get("name") or tag.get("property"), tag.get("content")
        if not names or not content:
            continue
        for name in names.split():
            kind = _tag_kind(name)
            if kind:
                rdf.setdefault(":".join(kind), content)
                continue
            short = name[name.rfind("citation_") :]
            highwire.setdefault(short, []).append(content)
            hw_type = _HIGHWIRE_TYPES.get(short, hw_type)
            if short in ("citation_title", "citation_series_title"):
                hw_guess = hw_guess or "journalArticle"
    zotero_type = rdf.get("z:itemType") if rdf.get("z:itemType") in _FIELDS else None
    dc_type = rdf.get("dc:type") if rdf.get("dc:type") in _FIELDS else None
    item_type = (
        hw_type
        or zotero_type
        or dc_type
        or (hw_guess if rdf else None)
        or ("webpage" if rdf else hw_guess)
    )
    item: dict = {"itemType": item_type, "title": rdf.get("dc:title") or rdf.get("og:title")}
    if rdf.get("dc:type"):
        item.update({field: rdf["dc:type"] for field in _TYPE_FIELDS})
    if zotero_type:
        item["extra"] = rdf.get("dc:description")
    elif rdf.get("dc:description"):
        item["abstractNote"] = rdf["dc:description"]
    item["publicationTitle"] = rdf.get("dc:source")
    if not item["publicationTitle"] and item_type in ("blogPost", "webpage", "newspaperArticle"):
        item["publicationTitle"] = rdf.get("og:site_name")
    for key, field in _HIGHWIRE_FIELDS.items():
        # getContentText: the first tag whose name ends with the key.
        value = next((values[0] for name, values in highwire.items() if name.endswith(key)), None)
        if value and value.strip():
            item[field] = " ".join(value.split())
    authors = highwire.get("citation_author", [])
    names = [name.strip() for value in authors for name in value.split(";")]
    if len(authors) == 1 and len(names) == 1:
        by_comma = re.split(r"\s*,\s*", names[0])
        if len(by_comma) > 1 and " " in by_comma[0] and " " in by_comma[1]:
            names = by_comma
    item["creators"] = [
        clean_author(name, "," in name) for name in names if re.search(r"[^\s,\-.;]", name)
    ]
    first, last = (
        highwire.get(key, [""])[0] for key in ("citation_firstpage", "citation_lastpage")
    )
    if first:
        item["pages"] = first + (f"-{last}" if last else "")
    pdf = highwire.get("citation_pdf_url")
    item["attachments"] = (
        [{"title": "Full Text PDF", "url": pdf[0], "mimeType": "application/pdf"}]
        if pdf
        else [{"title": "Snapshot"}]
    )
    if not item.get("abstractNote"):
        item["abstractNote"] = next(
            (
                tag["content"]
                for tag in head.meta
                if (tag.get("name") or "").lower() == "description"
            ),
            "",
        )
    if not item.get("url"):
        item["url"] = next(
            (link["href"] for link in head.links if link.get("rel") == "canonical"), None
        )
    item["links"] = head.links
    # Zotero keeps only the fields of the item's type (through its base fields).
    for (kind, field), mapped in _BASE_FIELDS.items():
        if item_type == kind and item.get(field):
            item[mapped] = item.pop(field)
    valid = _FIELDS.get(item_type, set())
    dropped = {
        field
        for field in list(item)
        if field not in valid | {"itemType", "creators", "attachments", "links"}
    }
    item["dropped"] = {field: item.pop(field) for field in dropped if item.get(field)}
    return item


# Zotero's RIS and BibTeX importers (zotero/translators RIS.js, BibTeX.js), as far as the
# product's files use them: item types by RIS TY and BibTeX entry type, and names (RIS: a name
# with no comma is a group's, one field; BibTeX: a braced name is one field).
_RIS_TYPES = {"RPRT": "report", "ELEC": "webpage", "NEWS": "newspaperArticle"}
_BIBTEX_TYPES = {
    "techreport": "report",
    "online": "webpage",
    "article": "journalArticle",
    "misc": "document",
}


def zotero_ris_creator(value: str) -> dict:
    last = re.split(r"\s*,\s*", value)[0]
    first = re.sub(r"^\s*,\s*", "", value[len(last) :])
    return {"lastName": last, "firstName": first} if first else {"lastName": last, "fieldMode": 1}


# The pages to read, and the reports of the seed corpus and a small corpus of real report openings.


@pytest.fixture(scope="module")
def seed(app):
    return app.test_client()


OPENING = "政府工作报告\n——2017年3月5日在第十二届全国人民代表大会第五次会议上\n国务院总理 李克强\n\n各位代表：\n\n现在，我代表国务院，向大会报告政府工作。\n"
UNDATED = "政府工作报告\n\n各位代表：\n\n现在，我代表国务院，向大会报告政府工作，请予审议。\n"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Two national work reports without metadata: one that prints its date and speaker, one whose
    year comes from its file name (an estimate)."""
    folder = tmp_path_factory.mktemp("reports-corpus")
    shutil.copy(CORPUS_DIR / "names.tsv", folder / "names.tsv")
    (folder / "gwr-2017.txt").write_text(OPENING, encoding="utf-8")
    (folder / "gwr-1990.txt").write_text(UNDATED, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("reports-index")
    build_index(
        folder, index_dir, SHARED_INSTANCE, progress=False, translator="gloss", cluster=CLUSTER
    )
    return create_app({"TESTING": True, "INDEX_DIR": index_dir}).test_client()


# 1. The permalinks, as Zotero reads them.


def test_zotero_saves_a_seed_article_as_a_web_page_with_two_field_names_and_a_clean_date(seed):
    item = zotero_reads(seed, "/p/shapingba-2020-four-highs:p022")
    assert item["itemType"] == "webpage"  # no newspaper is named: not a newspaper article
    assert item["title"] == "2020 沙坪坝走向了“四高”"
    assert item["creators"] == [
        {"firstName": "彩艳", "lastName": "王", "creatorType": "author"},
        {"firstName": "亚平", "lastName": "肖", "creatorType": "author"},
    ]
    # Inferred: a clean date Zotero parses, the estimate kept in Extra.
    assert item["date"] == "2020/12"
    assert item["extra"] == "Date estimated (ca. 2020-12), not printed in the report"
    assert "websiteType" not in item and "reportType" not in item.get("dropped", {})
    assert item["language"] == "zh-CN"
    assert item["url"] == "http://127.0.0.1:8000/p/shapingba-2020-four-highs:p022"
    assert item.get("websiteTitle") is None  # never the name of this site
    assert item["attachments"] == [{"title": "Snapshot"}]
    assert not item["dropped"]
    head = read_head(seed, "/p/shapingba-2020-four-highs:p022")
    assert not any(tag.get("name") in ("citation_journal_title", "DC.type") for tag in head.meta)
    alternates = {
        link["type"]: link["href"] for link in item["links"] if link.get("rel") == "alternate"
    }
    assert set(alternates) == {
        "application/x-research-info-systems",
        "application/x-bibtex",
        "application/vnd.citationstyles.csl+json",
    }
    for mimetype, href in alternates.items():
        download = seed.get(href)
        assert download.status_code == 200 and download.mimetype == mimetype


def test_zotero_saves_a_report_page_at_the_reports_own_url(seed):
    item = zotero_reads(seed, "/r/shapingba-four-zones")
    assert item["itemType"] == "webpage"
    assert [creator["lastName"] + creator["firstName"] for creator in item["creators"]] == [
        "王彩艳",
        "杨敏",
    ]
    assert item["date"] == "2022" and "ca." not in item["date"]
    assert item["url"] == "http://127.0.0.1:8000/r/shapingba-four-zones"
    canonical = next(link for link in item["links"] if link.get("rel") == "canonical")
    assert canonical["href"] == item["url"]


def test_zotero_saves_a_work_report_as_a_report_with_its_speaker_and_issuing_body(reports):
    item = zotero_reads(reports, "/p/gwr-2017:p001")
    assert item["itemType"] == "report"
    assert item["title"] == "2017年政府工作报告"
    assert item["creators"] == [{"firstName": "克强", "lastName": "李", "creatorType": "author"}]
    assert item["institution"] == "国务院"
    assert item["date"] == "2017/03/05" and not item.get("extra")
    # The item type came from z:itemType and the Highwire institution, not from DC.type, which
    # Zotero would also copy into "Report Type", printed by APA as "[report]".
    assert "reportType" not in item and not item["dropped"]


def test_zotero_keeps_a_years_estimate_out_of_the_date_and_in_extra(reports):
    item = zotero_reads(reports, "/r/gwr-1990")
    assert item["itemType"] == "report"
    assert item["date"] == "1990"
    assert item["extra"] == "Date estimated (ca. 1990), not printed in the report"
    assert item["institution"] == "国务院" and item["creators"] == []


def test_an_institution_as_author_is_one_name_and_a_pdf_is_attached():
    record = {
        "id": "r",
        "type": "report",
        "title": "报告",
        "author": [{"literal": "重庆市人民政府"}],
        "publisher": "重庆市人民政府",
        "issued": {"date-parts": [[2026, 1, 28]]},
        "URL": "http://x/r/r",
        "page": "3-4",
    }
    tags = {
        key: content for _, key, content in meta_tags(record, pdf_url="http://x/r/r/source.pdf")
    }
    assert tags["citation_author"] == "重庆市人民政府"
    assert clean_author(tags["citation_author"], "," in tags["citation_author"]) == {
        "firstName": "",
        "lastName": "重庆市人民政府",
        "creatorType": "author",
    }
    assert tags["citation_pdf_url"] == "http://x/r/r/source.pdf"
    assert tags["citation_firstpage"] == "3" and tags["citation_lastpage"] == "4"
    assert "citation_pdf_url" not in {key for _, key, _ in meta_tags(record)}


# 2. Every export, read back by the real parsers and by biber's data model.


def _biber_missing() -> str:
    return (
        ""
        if shutil.which("biber")
        else "biber is not installed (Debian's biber package; .ci/run installs it)"
    )


@pytest.fixture(scope="module")
def biber():
    missing = _biber_missing()
    if missing and under_ci():
        pytest.fail(
            f"{missing}; CI=true, so a missing tool fails the test instead of skipping it",
            pytrace=False,
        )
    if missing:
        pytest.skip(missing)
    return shutil.which("biber")


def biber_warnings(biber: str, bib: str, folder: Path) -> list[str]:
    """What biber (tool mode, offline) says of ``bib`` when it checks it against biblatex's data model."""
    source = folder / "export.bib"
    source.write_text(bib, encoding="utf-8")
    done = subprocess.run(
        [
            biber,
            "--tool",
            "--validate-datamodel",
            "--nolog",
            "--output-directory",
            str(folder),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.startswith(("WARN", "ERROR"))
    ]


def _export(client, ids: list[str], fmt: str) -> str:
    response = client.get(
        "/api/export", query_string={"ids": ",".join(ids), "format": fmt}, headers=HOST
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def check_exports(client, biber: str, folder: Path) -> None:
    """Export one passage of every report the API serves (at most the export's 100) in each format
    and read each file back."""
    reports = client.get("/api/reports", headers=HOST).get_json()["reports"]
    ids = [f"{report['id']}:p001" for report in reports][:100]
    records = {record["id"]: record for record in json.loads(_export(client, ids, "json"))}
    assert list(records) == ids

    # BibTeX: every entry, each under its own key, every key as stable as its id.
    bib = _export(client, ids, "bib")
    entries = parse_string(bib, "bibtex").entries
    assert list(entries) == [bibtex_key(passage_id) for passage_id in ids]
    for passage_id in ids:
        record, entry = records[passage_id], entries[bibtex_key(passage_id)]
        assert entry.fields["title"] == record["title"]
        assert len(entry.persons.get("author", [])) == len(record["author"])
        parts = (record.get("issued") or {}).get("date-parts", [[]])[0]
        if parts:
            assert entry.fields["year"] == str(parts[0])  # a bare year BibTeX sorts by
            assert entry.fields["date"].endswith("~") == bool(record["issued"].get("circa"))
    # biber: nothing but the mandatory fields the metadata does not know (a report's author or
    # institution, a date), never one the product left out or wrote wrong.
    expected = set()
    for passage_id in ids:
        record, entry = (
            records[passage_id],
            f"Entry '{bibtex_key(passage_id)}' (export.bib): Missing mandatory field",
        )
        if record["type"] == "report":
            expected |= {
                f"{entry} '{field}'"
                for field, key in (("author", "author"), ("institution", "publisher"))
                if not record.get(key)
            }
        if not record.get("issued"):
            expected.add(f"{entry} - one of 'date, year' must be defined")
    warnings = {
        re.sub(
            r"\([^()]*export\.bib\)", "(export.bib)", re.sub(r"^WARN - Datamodel: ", "", warning)
        )
        for warning in biber_warnings(biber, bib, folder)
    }
    assert warnings <= expected, warnings - expected

    # RIS: every record, its type, names as Zotero splits them, a year for every dated record.
    ris = rispy.loads(_export(client, ids, "ris"))
    assert [entry["urls"][0] for entry in ris] == [records[passage_id]["URL"] for passage_id in ids]
    for passage_id, entry in zip(ids, ris):
        record = records[passage_id]
        assert (
            _RIS_TYPES[entry["type_of_reference"]]
            == {"report": "report", "webpage": "webpage", "article-newspaper": "newspaperArticle"}[
                record["type"]
            ]
        )
        creators = [zotero_ris_creator(name) for name in entry.get("authors", [])]
        assert [("fieldMode" in creator) for creator in creators] == [
            "literal" in name for name in record["author"]
        ]
        parts = (record.get("issued") or {}).get("date-parts", [[]])[0]
        assert entry.get("year", "") == (str(parts[0]) if parts else "")
        if (record.get("issued") or {}).get("circa"):
            assert entry["date"].endswith("/circa")
            assert any(note.startswith("Date estimated (ca. ") for note in entry["notes"])


def test_the_seed_corpus_exports_read_back(seed, biber, tmp_path):
    check_exports(seed, biber, tmp_path)


def test_the_real_collection_exports_read_back_with_unique_keys(
    real_collection_index, biber, tmp_path
):
    client = create_app({"TESTING": True, "INDEX_DIR": real_collection_index}).test_client()
    check_exports(client, biber, tmp_path)


def test_reports_whose_names_read_alike_get_different_keys():
    # 山西省 and 陕西省 are both Shanxi Sheng in pinyin without tones.
    keys = {
        bibtex_key(f"prov2026-{province}:p016")
        for province in ("山西省", "陕西省", "重庆市", "上海市")
    }
    assert len(keys) == 4
    assert all(re.fullmatch(r"prov2026-[a-z]+\.[0-9a-f]{6}:p016", key) for key in keys)
    assert bibtex_key("prov2026-重庆市:p016").startswith("prov2026-chongqingshi.")
    assert bibtex_key("gwr-2017:p001") == "gwr-2017:p001"  # an ASCII id is its own key
    assert bibtex_key("prov2026-重庆市:p016") == bibtex_key("prov2026-重庆市:p016")


def test_zotero_imports_the_files_with_the_item_type_and_names_of_the_page(reports):
    body = reports.get("/api/passages/gwr-2017:p001", headers=HOST).get_json()
    (entry,) = parse_string(body["citations"]["bibtex"], "bibtex").entries.values()
    assert _BIBTEX_TYPES[entry.type] == "report"
    (person,) = entry.persons["author"]
    assert (person.last_names, person.first_names) == (["李"], ["克强"])
    (record,) = rispy.loads(body["citations"]["ris"])
    assert _RIS_TYPES[record["type_of_reference"]] == "report"
    assert [zotero_ris_creator(name) for name in record["authors"]] == [
        {"lastName": "李", "firstName": "克强"}
    ]
    assert record["publisher"] == "国务院" and record["year"] == "2017"
