"""The analysers: offsets back to the source, word positions, Latin tokens, bigrams."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from shuangyu.index.text.analysis import (
    bigram_analyzer,
    chinese_analyzer,
    english_spans_of,
    normalise,
    stem,
)

from tests.paths import SEED_LANGUAGE


def tokens(text, mode="index"):
    return [
        (t.text, t.position, t.start, t.end)
        for t in chinese_analyzer(SEED_LANGUAGE)(text, mode=mode)
    ]


def test_offsets_point_at_the_source_characters_even_after_normalisation():
    text = "“開放”打造成了沙坪坝区經濟，建成５Ｇ基站"
    for word, _, start, end in tokens(text):
        assert normalise(text[start:end]).text == word


def test_positions_count_words_and_subwords_share_their_word_position():
    found = tokens("沙坪坝区经济高质量增长")
    positions = {word: pos for word, pos, _, _ in found}
    assert positions["沙坪坝区"] == positions["沙坪坝"] == 0
    assert positions["高质量"] == positions["质量"]
    assert positions["增长"] == positions["高质量"] + 1
    query = [word for word, *_ in tokens("高质量增长", mode="query")]
    assert query == ["高质量", "增长"]


def test_latin_words_and_numbers_stay_whole_and_lower_case():
    words = [
        word
        for word, *_ in tokens("建成5G基站，风光ix5智能轿跑SUV，总额2757.4亿元，TOD综合体，3D打印")
    ]
    for expected in ("5g", "ix5", "suv", "2757.4", "tod", "3d"):
        assert expected in words


def test_stopwords_take_no_position_so_phrases_match_across_them():
    with_stop = [pos for word, pos, *_ in tokens("物流的枢纽", mode="query")]
    assert [word for word, *_ in tokens("物流的枢纽", mode="query")] == ["物流", "枢纽"]
    assert with_stop == [0, 1]


def test_corpus_names_are_kept_whole():
    words = [
        word for word, *_ in tokens("歌乐山磁器口红岩精神陆海新通道中欧班列渝新欧", mode="query")
    ]
    assert words == ["歌乐山", "磁器口", "红岩精神", "陆海新通道", "中欧班列", "渝新欧"]


def test_bigrams_cover_part_of_a_word_with_source_offsets():
    text = "沙坪壩區"
    grams = [(t.text, text[t.start : t.end]) for t in bigram_analyzer()(text)]
    assert grams == [("沙坪", "沙坪"), ("坪坝", "坪壩"), ("坝区", "壩區")]


def test_the_dictionary_file_is_made_once_in_the_instance_folder_and_read_per_word(
    tmp_path, monkeypatch
):
    from shuangyu.index.english.dictionary import Dictionary

    dictionary = Dictionary(tmp_path / "instance")
    path = dictionary.ensure()
    assert path.parent == tmp_path / "instance" and path.stat().st_size > 1_000_000
    assert [file.name for file in path.parent.iterdir()] == [path.name]  # no temporary file left
    made = path.stat().st_mtime_ns
    assert dictionary.ensure() == path and path.stat().st_mtime_ns == made
    [entry] = [entry for entry in dictionary.lookup("枢纽") if entry.pinyin == "shu1 niu3"]
    assert "hub" in entry.sense_line
    assert dictionary.headwords_for("hub")[0] == "枢纽" and "物流" in dictionary.headwords_for(
        "logist"
    )
    assert ("logistics", "物流") in list(dictionary.senses_from("logis", first=3))
    # Irregular English forms of the senses' words, to their base; not the forms the English
    # analyser brings to their base itself (cities and city both stem to "citi").
    assert dictionary.base_words("fought") == ("fight",)
    assert dictionary.base_words("children") == ("child",)
    assert dictionary.base_words("told") == ("tell",)
    assert dictionary.base_words("cities") == dictionary.base_words("fight") == ()
    # Forms that are words of their own are searched as typed: feed is no "fee", wound no
    # "wind", better no "good", data no "datum"; nor "does", which the analyser drops.
    for own in ("feed", "wound", "found", "better", "data", "left", "does"):
        assert dictionary.base_words(own) == (), own


ENGLISH_PIECES = [
    "logistics",
    "Logistic",
    "hubs",
    "hub",
    "U.S.",
    "exports",
    "exporting",
    "relational",
    "ability",
    "happy",
    "happiness",
    "ties",
    "5G",
    "2020",
    "high-quality",
    "it's",
    "a.b",
    "..",
    "*",
    "Ｈub",
    "İs",
]


@given(
    st.lists(st.sampled_from(ENGLISH_PIECES), max_size=12),
    st.lists(st.sampled_from([" ", ".", "-", ", ", "", "'"]), min_size=1),
    st.lists(st.sampled_from(ENGLISH_PIECES), min_size=1, max_size=3),
)
@settings(max_examples=300, deadline=None)
def test_english_spans_are_those_of_stemming_every_word(pieces, separators, searched):
    """The fast path (cut out only the words that can have a searched stem) finds exactly the
    words that stemming every word of the text finds."""
    text = "".join(
        piece + separators[index % len(separators)] for index, piece in enumerate(pieces)
    )
    stems = frozenset(stem(word.lower()) for word in re.findall(r"[\w*]+", " ".join(searched))) - {
        ""
    }
    every_word = [
        (match.start(), match.end())
        for match in re.finditer(r"[\w*]+(?:\.?[\w*]+)*", text)
        if stem(match.group().lower()) in stems
    ]
    assert english_spans_of(text, stems) == every_word


@given(
    st.text(
        st.sampled_from("沙坪壩區ΣσςİIiẞßﬁＡａ５\u200b\u00adé\u0301ㄱㅏ①Ⅻ㍻ΑΩ ,.")
        | st.characters(exclude_categories=("Cs",)),
        max_size=40,
    )
)
@settings(max_examples=500, deadline=None)
def test_every_normalised_character_maps_back_to_the_character_it_came_from(text):
    from shuangyu.index.text.normalising import _fold

    normalised = normalise(text)
    assert len(normalised.offsets) == len(normalised.text) == sum(len(_fold(char)) for char in text)
    expected = [index for index, char in enumerate(text) for _ in _fold(char)]
    assert list(normalised.offsets) == expected


@given(
    st.lists(
        st.sampled_from(ENGLISH_PIECES + ["the", "what", "s", "xi'an", "shapingbaqu"])
        | st.text(max_size=8),
        max_size=12,
    ),
    st.lists(
        st.sampled_from([" ", "\u3000", "\u00a0", "\t", "/", "", "\u200b", "\u1680"]), min_size=1
    ),
)
@settings(max_examples=300, deadline=None)
def test_the_english_and_pinyin_words_joined_by_spaces_are_their_tokens(pieces, separators):
    """The tantivy engine indexes these fields as their words joined by spaces, split again on
    whitespace: that gives back the tokens only when each is one word at the next position."""
    from shuangyu.index.text.analysis import english_analyzer, pinyin_analyzer

    text = "".join(
        piece + separators[index % len(separators)] for index, piece in enumerate(pieces)
    )
    for analyser in (english_analyzer(), pinyin_analyzer()):
        tokens = list(analyser(text, mode="index"))
        words = analyser.words(text)
        assert words == [token.text for token in tokens]
        assert [token.position for token in tokens] == list(range(len(tokens)))
        assert " ".join(words).split() == words  # no word is empty or holds whitespace
