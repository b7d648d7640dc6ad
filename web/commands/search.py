"""``shuangyu search``: the index searched from the terminal, the results printed so that no text of
a report can drive the terminal."""

from __future__ import annotations

import json
import re
from html import unescape

import click
from shuangyu.index.engines.store import IndexUnavailable
from shuangyu.index.english.dictionary import Dictionary
from shuangyu.search.query import LANGUAGES, QueryError
from shuangyu.search.searcher import MAX_LIMIT, MAX_OFFSET, MODES, SORTS, Searcher
from shuangyu.web.commands.common import CommandError, chosen_embedder, folder_options, settings


# Unknown options are query words, so that `shuangyu search 物流 -枢纽` excludes a word.
@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON response of the search API.")
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_LIMIT),
    default=10,
    show_default=True,
    help="Results to show.",
)
@click.option(
    "--offset",
    type=click.IntRange(0, MAX_OFFSET),
    default=0,
    show_default=True,
    help="Results to skip.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="auto",
    show_default=True,
    help="Language of the query.",
)
@click.option("--report", help="Search only this report (its id).")
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="Order: relevance, date (the newest report first) or oldest (the oldest first).",
)
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="hybrid",
    show_default=True,
    help="What finds the results: words and meaning (hybrid), words alone (lexical), meaning alone (semantic).",
)
@folder_options
def search(
    query: tuple[str, ...],
    as_json: bool,
    limit: int,
    offset: int,
    lang: str,
    report: str | None,
    sort: str,
    mode: str,
    **given,
) -> None:
    """Search the index for QUERY. Words in Chinese must all match; English words rank by how
    many match, and a passage must have two of them (both of two) unless the query has Chinese
    words. Syntax: "quoted phrase", a OR b, -word or NOT word, report:<id>."""
    query = " ".join(query)
    chosen = settings(**given)
    try:
        response = Searcher(
            chosen.index_dir,
            Dictionary(chosen.instance_dir),
            embedder=chosen_embedder(chosen.embedder),
            cluster=chosen.cluster,
            exact_up_to=chosen.exact_counts or None,
        ).search(query, limit=limit, offset=offset, lang=lang, report=report, sort=sort, mode=mode)
    except (QueryError, IndexUnavailable) as error:
        raise CommandError(str(error)) from None
    if as_json:
        click.echo(_json_for_terminal(response))
        return
    total = response["total"]
    by_meaning = response["total_by"]["meaning"]
    found = (
        f"; {total - by_meaning} match the words, {by_meaning} related in meaning"
        if by_meaning
        else ""
    )
    every_word = response["total_by"]["every_word"]
    if every_word is not None and every_word < total - by_meaning:
        found += f"; {every_word} with every word"
    at_least = response["total_relation"] == "gte"
    listed = f"{total:,}+ passages" if at_least else f"{total} passage{'s' if total != 1 else ''}"
    click.echo(f"{listed} ({response['took_ms']:.0f} ms{found})")
    if at_least:
        click.echo(
            f"note: too many matches to count each one: at least {total:,}; the counts by report "
            "are estimated (--exact-counts sets where counting stops)",
            err=True,
        )
    if response["unknown_words"]:
        click.echo(
            "No passage has these words in any form: "
            + _printable(", ".join(response["unknown_words"]))
        )
    if response["searched_instead"]:
        click.echo(
            f"Showing results for the words spelt right: {_printable(response['searched_instead'])}"
        )
    if response["did_you_mean"]:
        click.echo(f"Did you mean: {_printable(response['did_you_mean'])}")
    semantic = response["semantic"]
    if semantic["state"] == "unavailable" and mode != "lexical":
        click.echo(f"note: search by meaning is unavailable: {semantic['note']}", err=True)
    if offset and offset >= total > 0 and not (at_least and response["results"]):
        last = (total - 1) // limit * limit
        click.echo(
            f"Only {total} passage{'s' if total != 1 else ''}: --offset {offset} is past the end "
            f"(the last page is --offset {last})."
        )
    for number, result in enumerate(response["results"], start=offset + 1):
        click.echo("")
        click.echo(
            click.style(f"{number}. {_printable(result['id'])}", bold=True)
            + _printable(f"  {result['report_title']} › {result['section']}")
        )
        click.echo("   " + _terminal(result["snippet"]))
        label = (
            "machine translation" if result["translation_engine"] != "gloss" else "dictionary gloss"
        )
        click.echo("   " + _terminal(result["snippet_en"]) + click.style(f"  [{label}]", dim=True))
        if result["found_by"] == "meaning":
            click.echo(
                click.style(
                    "   [related in meaning: found by its meaning, not by having the words]",
                    dim=True,
                )
            )
    if response["some_words"]:
        click.echo("")
        click.echo(
            f"{response['total_by']['some_words']} passages have only some of the words (not matches, not counted):"
        )
        for result in response["some_words"]:
            click.echo(
                f"  {_printable(result['id'])}  [matches {result['matched_words']} of {result['query_words']} words]  "
                f"{_terminal(result['snippet'])[:100]}"
            )
    if response["related"]:
        click.echo("")
        click.echo("No passage has these words. Related in meaning (not matches):")
        for result in response["related"]:
            click.echo(f"  {_printable(result['id'])}  {_terminal(result['snippet'])[:120]}")


def _terminal(snippet: str) -> str:
    """A snippet's HTML for a terminal: marks in colour, entities unescaped, and no control
    character of the text (see ``_printable``)."""
    pieces = [_printable(unescape(piece)) for piece in re.split(r"<mark>(.*?)</mark>", snippet)]
    # re.split puts the marked pieces at the odd positions.
    return "".join(
        click.style(piece, fg="yellow", bold=True) if position % 2 else piece
        for position, piece in enumerate(pieces)
    )


# Characters a terminal acts on rather than shows: C0 and C1 controls (ESC starts ANSI and OSC
# sequences that recolour, retitle or rewrite the screen), DEL, and bidirectional overrides.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Of those, the ones JSON leaves raw in a string (it escapes C0 itself).
_CONTROL_IN_JSON = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _printable(text: str) -> str:
    """``text`` with every control character a report may hold turned into a space, so that
    printing it cannot drive the terminal."""
    return _CONTROL.sub(" ", text)


def _json_for_terminal(response: dict) -> str:
    """The response as JSON, with the controls that JSON leaves raw (DEL, C1, bidi overrides)
    written as ``\\u`` escapes: the same JSON, harmless in a terminal."""
    text = json.dumps(response, ensure_ascii=False, indent=2)
    return _CONTROL_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
