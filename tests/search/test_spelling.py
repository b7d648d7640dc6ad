"""Misspelt English on the real collection (issue 26, point 4): a misspelt word is a "did you
mean", never silently searched as another word; a query whose words as typed match nothing is
searched spelt right and says so; British spellings are the same words as the dictionary's
American ones. Through the search layer, the API, the page and the CLI."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from shuangyu.index.text.analysis import english_key
from shuangyu.search.spelling import american_spellings

from tests.paths import CLUSTER

pytestmark = [pytest.mark.every_engine, pytest.mark.real_collection]

# Typos of words of the reports' English, written down before any was tried: a letter doubled,
# left out, changed, or two swapped.
TYPOS = {
    "foood": "food",
    "securty": "security",
    "enviroment": "environment",
    "alleviaton": "alleviation",
    "goverment": "government",
    "econmy": "economy",
    "develpment": "development",
    "agriculure": "agriculture",
    "poverity": "poverty",
    "refrom": "reform",
    "educaton": "education",
    "infrastucture": "infrastructure",
    "corruptoin": "corruption",
    "inflaton": "inflation",
    "emplyment": "employment",
    "housng": "housing",
    "pollutoin": "pollution",
    "rurall": "rural",
    "exprot": "export",
    "taxs": "taxes",
}


@pytest.fixture(scope="module")
def real_searcher(real_collection_index):
    from shuangyu.search.searcher import Searcher

    from tests.paths import DICTIONARY

    return Searcher(real_collection_index, dictionary=DICTIONARY, cluster=CLUSTER, cache_size=0)


def test_british_endings_are_written_the_american_way():
    assert american_spellings("organisation") == ["organization"]
    assert american_spellings("defence") == ["defense"]
    assert american_spellings("centre") == ["center"]
    assert american_spellings("labour") == ["labor"]
    assert american_spellings("programme") == ["program"]
    assert american_spellings("travelled") == ["traveled"]
    assert american_spellings("house") == american_spellings("science") == []


def test_typos_are_corrected_to_the_word_meant(real_searcher):
    with real_searcher._current().reading() as reader:
        corrected = {typo: reader.suggester.correction(typo) for typo in TYPOS}
        # Words the collection has, in either spelling, are not typos.
        known = [reader.suggester.correction(word) for word in ("food", "defence", "GDP")]
    # A typo the English analysis already reads as the word meant (rurall, taxs: the stems of
    # rural, taxes) is no typo to correct: it is searched as that word.
    wrong = {
        typo: found
        for typo, found in corrected.items()
        if found != TYPOS[typo]
        and not (found is None and english_key(typo) == english_key(TYPOS[typo]))
    }
    assert len(wrong) <= 1, wrong
    assert known == [None, None, None]


def test_a_misspelt_query_that_matches_nothing_is_searched_spelt_right(real_searcher):
    # The example: searched as "flood", it answered 泛滥.
    response = real_searcher.search("foood securty")
    assert response["searched_instead"] == "food security"
    assert response["unknown_words"] == ["foood", "securty"]
    right = real_searcher.search("food security")
    assert response["total"] == right["total"] > 0
    assert [r["id"] for r in response["results"]] == [r["id"] for r in right["results"]]
    assert "粮食安全" in response["results"][0]["text"]


def test_a_misspelt_word_beside_words_that_match_is_offered_not_searched(real_searcher):
    response = real_searcher.search("food securty")
    assert response["did_you_mean"] == "food security" and response["searched_instead"] is None
    assert response["unknown_words"] == ["securty"]
    assert [t["en"] for t in response["query_translations"]] == ["food"]


def test_a_misspelt_quoted_phrase_is_searched_or_offered_spelt_right(real_searcher):
    # Words are corrected between their quotes: both misspelt match nothing, and the phrase
    # spelt right is searched.
    response = real_searcher.search('"foood securty"')
    assert response["searched_instead"] == '"food security"'
    right = real_searcher.search('"food security"')
    assert response["total"] == right["total"] > 0
    assert [r["id"] for r in response["results"]] == [r["id"] for r in right["results"]]
    # One misspelt word beside a word that matches is offered, as outside quotes.
    offered = real_searcher.search('"food securty"')
    assert offered["did_you_mean"] == '"food security"' and offered["searched_instead"] is None


@pytest.mark.parametrize("phrase", ['"13th Five-Year Plan"', '"food zzqx"'])
def test_one_word_no_passage_has_in_a_phrase_is_named_and_the_rest_searched(real_searcher, phrase):
    # As outside quotes: one such word is often a gap of the dictionary ("th" of 13th is one).
    response = real_searcher.search(phrase)
    assert response["total"] > 0 and len(response["unknown_words"]) == 1


def test_a_misspelt_chinese_phrase_in_quotes_is_offered_spelt_right(real_searcher):
    response = real_searcher.search('"粮食安金"')
    assert response["total"] == 0 and response["did_you_mean"] == '"粮食安全"'


def test_a_british_spelling_is_searched_as_the_same_word(real_searcher):
    british, american = real_searcher.search("defence"), real_searcher.search("defense")
    assert british["total"] == american["total"] > 0
    assert british["did_you_mean"] is None and british["unknown_words"] == []
    assert british["query_translations"][0]["en"] == "defence → defense"


def test_the_page_and_the_cli_say_what_was_searched(real_collection_index, monkeypatch):
    from click.testing import CliRunner
    from shuangyu.web.app import create_app
    from shuangyu.web.cli import main

    client = create_app({"TESTING": True, "INDEX_DIR": real_collection_index}).test_client()
    page = client.get(f"/?q={quote('foood securty')}&ui=en").get_data(as_text=True)
    assert "Showing results for the words spelt right: <strong>food security</strong>" in page
    assert "No passage has these words in any form: foood, securty" in page
    offered = client.get(f"/?q={quote('food securty')}&ui=en").get_data(as_text=True)
    assert 'Did you mean: <a href="/?q=food+security' in offered
    monkeypatch.setenv("SHUANGYU_INDEX_DIR", str(real_collection_index))
    printed = CliRunner().invoke(main, ["search", "food", "securty", "--limit", "1"])
    assert printed.exit_code == 0, printed.output
    assert "Did you mean: food security" in printed.stdout
    assert "No passage has these words in any form: securty" in printed.stdout
    answer = json.loads(CliRunner().invoke(main, ["search", "polution", "--json"]).stdout)
    assert answer["searched_instead"] == "pollution" and answer["total"] > 0


@pytest.mark.parametrize(
    "word, chinese",
    [("four", "四"), ("poet", "诗人"), ("polling", "调查"), ("data", "数据")],
)
def test_a_word_the_collection_has_is_never_respelt_as_another(real_searcher, word, chinese):
    # British respelling rules also fit English words ("four" would be "for", "poet" "pet"):
    # they apply only to a word the collection has in no form as typed.
    response = real_searcher.search(word)
    assert response["query_translations"][0]["en"] == word
    assert chinese in response["query_translations"][0]["zh"]


@pytest.mark.parametrize(
    "british, american",
    [
        ("theatres", "theaters"),
        ("programmes", "programs"),
        ("labourers", "laborers"),
        ("behaviour", "behavior"),
        ("kilometres", "kilometers"),
    ],
)
def test_british_inflections_are_searched_in_american_spelling(real_searcher, british, american):
    response = real_searcher.search(british)
    assert response["query_translations"][0]["en"] == f"{british} → {american}"
    assert response["total"] == real_searcher.search(american)["total"] > 0
    assert response["unknown_words"] == [] and response["searched_instead"] is None


@pytest.mark.parametrize("typed, base", [("fought", "fight"), ("bought", "buy"), ("told", "tell")])
def test_an_irregular_form_is_searched_as_its_base_word(real_searcher, typed, base):
    # The English analyser stems "fights" as "fight" but leaves "fought" as typed, which no
    # passage has: it is searched as "fight", said so, and not misspelt "ought".
    response = real_searcher.search(typed)
    assert response["query_translations"][0]["en"] == f"{typed} → {base}"
    assert response["total"] == real_searcher.search(base)["total"] > 0
    assert response["unknown_words"] == [] and response["did_you_mean"] is None
    assert response["searched_instead"] is None


def test_an_irregular_form_is_read_in_a_phrase_of_the_dictionary(real_searcher):
    # "went back" is the dictionary's "go back" (回, 归, 回去...), not "went" and "back".
    response = real_searcher.search("Hong Kong went back to China")
    translations = {t["en"]: t["zh"] for t in response["query_translations"]}
    assert "回" in translations["went back → go back"] and response["unknown_words"] == []
    assert response["total"] > 0


@pytest.mark.parametrize("word", ["surfers", "astronauts"])
def test_an_english_word_no_passage_has_is_named_not_respelt(real_searcher, word):
    # Plurals of words of the dictionary that the collection lacks (冲浪者, 宇航员): no
    # misspellings of "suffers" or "astronaut", which are not what was asked for.
    response = real_searcher.search(word)
    assert (response["total"], response["searched_instead"], response["did_you_mean"]) == (
        0,
        None,
        None,
    )
    assert response["unknown_words"] == [word]
    # Two words that no passage has: nothing matches, as for a Chinese query.
    assert real_searcher.search(f"shark attacks on {word}")["total"] == 0


def test_only_the_misspelt_words_are_corrected(real_searcher):
    # "subsidies" is no dictionary sense as typed, but the reports' English has it.
    response = real_searcher.search("subsidies foood")
    assert response["did_you_mean"] == "subsidies food" and response["unknown_words"] == ["foood"]


def test_a_correction_past_the_query_limits_is_not_searched(real_searcher):
    # Spelt right, a query at the length limit would be too long: the words as typed are
    # answered (nothing), never a 400 for a query that was valid as typed.
    from shuangyu.search.query import MAX_QUERY_CHARS

    text = "polution " + "x" * (MAX_QUERY_CHARS - len("polution "))
    response = real_searcher.search(text)
    assert response["total"] == 0 and response["searched_instead"] is None
