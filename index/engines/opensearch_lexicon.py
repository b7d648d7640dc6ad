"""Our words as the values of an OpenSearch text field, and the lexicon kept beside a build of the
opensearch engine (each field's words and how many passages have them), which suggestions and
completions read many of a request.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from shuangyu.index.engines.opensearch_index import write_json
from shuangyu.index.engines.store import IndexUnavailable

LEXICON_FILE = "lexicon.json"
FILLER = "_"  # a word no analyser makes: it holds a gap of more than one position

# --- Analysis ------------------------------------------------------------------------------


def field_values(tokens: list[tuple[str, int]]) -> list[str]:
    """Words with positions as the values of a field whose values the whitespace analyzer
    splits again (see the module docstring)."""
    values: list[list[str]] = [[]]
    stacked: list[str] = []
    last = None
    for word, position in tokens:
        if last is not None and position == last:
            stacked.append(word)
            continue
        if last is not None and position > last + 1:
            values.append([FILLER] * (position - last - 2))
        values[-1].append(word)
        last = position
    if stacked:
        values.append(stacked)
    return [" ".join(words) for words in values if words]


def words_of(values: list[str]) -> set[str]:
    return {word for value in values for word in value.split()} - {FILLER}


# --- The lexicon ---------------------------------------------------------------------------


@dataclass
class Lexicon:
    """The words of each text field with the number of passages that have them, how many
    passages have each field, the passages of each content hash and of each report: what a
    reader asks of many words at once, kept beside the build."""

    words: dict[str, Counter] = field(default_factory=dict)
    fields: Counter = field(default_factory=Counter)
    contents: Counter = field(default_factory=Counter)
    reports: Counter = field(default_factory=Counter)

    def count(self, document: dict, values: dict[str, list[str]], sign: int = 1) -> None:
        for name, field_values in values.items():
            words = words_of(field_values)
            if words:
                self.fields[name] += sign
                counter = self.words.setdefault(name, Counter())
                for word in words:
                    counter[word] += sign
        self.contents[document["content_hash"]] += sign
        self.reports[document["report_id"]] += sign

    def passages(self) -> int:
        return sum(self.reports.values())

    def write(self, build_dir: Path) -> None:
        for counter in (*self.words.values(), self.fields, self.contents, self.reports):
            for key in [key for key, value in counter.items() if value <= 0]:
                del counter[key]
        write_json(
            Path(build_dir) / LEXICON_FILE,
            {
                "words": {name: dict(counter) for name, counter in self.words.items()},
                "fields": dict(self.fields),
                "contents": dict(self.contents),
                "reports": dict(self.reports),
            },
        )

    @classmethod
    def read(cls, build_dir: Path) -> Lexicon:
        try:
            data = json.loads((Path(build_dir) / LEXICON_FILE).read_text(encoding="utf-8"))
            return cls(
                {name: Counter(words) for name, words in data["words"].items()},
                Counter(data["fields"]),
                Counter(data["contents"]),
                Counter(data["reports"]),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise IndexUnavailable(
                f"index in {build_dir} is damaged ({type(error).__name__}: {error}): "
                "run `shuangyu build`"
            ) from None
