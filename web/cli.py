"""The ``shuangyu`` command line: build the index, search it, serve it."""

from __future__ import annotations

import json
import re
import signal
import sys
from html import unescape
from pathlib import Path

import click

from index.build import BuildError, build_index
from index.corpus import CorpusError, read_corpus
from index.memory import TranslationMemory, TranslationMemoryError
from index.models import ModelError
from index.models import install as install_model
from index.models import installed as installed_models
from index.models import remove as remove_model
from index.models import remove_abandoned_unpacks
from index.passages import split_report
from index.settings import (CORPUS_DIR, INDEX_DIR, INSTANCE_DIR, MODEL_MAX_BYTES, SETTINGS, SettingError, models_dir,
                            translation_memory_path)
from index.translate import CHOICES, TranslationError, select_engine, translate_all
from index.store import IndexUnavailable, current_manifest
from search.warm import warm_up
from search.query import LANGUAGES, QueryError
from search.searcher import MAX_LIMIT, MAX_OFFSET, Searcher

# A build lists its reports one by one up to this many.
MAX_REPORTS_LISTED = 20
ENVIRONMENT_HELP = "\b\nEnvironment:\n" + "\n".join(f"  {s.env:<22} {s.help} Default: {s.default}" for s in SETTINGS)


class CommandError(click.ClickException):
    """A failure the user can act on: one line on stderr, exit status 2."""

    exit_code = 2


@click.group(epilog=ENVIRONMENT_HELP)
@click.version_option(package_name="shuangyu")
def main() -> None:
    """Shuangyu (双语): bilingual search of Chinese reports, with citable passages."""


@main.command(epilog=ENVIRONMENT_HELP)
@click.option("--force", is_flag=True, help="Rebuild even when the corpus has not changed.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--translator", type=click.Choice(CHOICES), default="auto", show_default=True,
              help="English by Argos machine translation (argos), the dictionary gloss (gloss), or argos when a model is installed (auto).")
def build(force: bool, quiet: bool, translator: str) -> None:
    """Build the search index from the corpus folder (atomically: the old index keeps
    answering until the new one is complete)."""
    _stop_on_sigterm()
    try:
        result = build_index(CORPUS_DIR.value(), INDEX_DIR.value(), force=force, progress=not quiet, translator=translator)
    except BuildError as error:
        raise CommandError(str(error)) from None
    click.echo(result.translator_note)
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    manifest = result.manifest
    if result.up_to_date:
        click.echo(f"Index is up to date ({manifest['passages']} passages, built {manifest['built_at']}); use --force to rebuild.")
        return
    update = manifest["last_update"]
    if update["mode"] == "incremental":
        click.echo(f"Updated the index in place in {update['seconds']:.1f} s: re-indexed {', '.join(update['reports'])}; "
                   f"{manifest['passages']} passages in all.")
    else:
        reports = manifest["reports"]
        for report in reports if len(reports) <= MAX_REPORTS_LISTED else []:
            kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(report["passages_by_kind"].items()))
            click.echo(f"{report['id']}: {report['passages']} passages ({kinds})")
        engines = ", ".join(f"{engine} {count}" for engine, count in manifest["engines"].items())
        click.echo(
            f"Indexed {manifest['passages']} passages from {len(reports)} reports in "
            f"{manifest['build_seconds']:.1f} s; index {manifest['index_bytes'] / 1e6:.1f} MB; English by {engines}."
        )
    translation = manifest["translation"]
    if manifest["translator"]["engine"] != "gloss":
        click.echo(f"Translation memory: {translation['memory_hits']} hits, {translation['translated']} passages translated "
                   f"({translation['passages_per_second']:.1f} passages/s).")


@main.command(epilog=ENVIRONMENT_HELP)
@click.option("--translator", type=click.Choice(("auto", "argos")), default="auto", show_default=True,
              help="The machine translation engine.")
@click.option("--export", "export_to", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the translation memory to FILE (JSON Lines) instead of translating.")
@click.option("--import", "import_from", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Add the translations of FILE (JSON Lines, from --export) to the memory instead of translating.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def translate(translator: str, export_to: Path | None, import_from: Path | None, quiet: bool) -> None:
    """Fill the translation memory with machine translations of every passage, ahead of a build.
    Interrupted, it keeps what it translated and resumes there next time."""
    memory_path = translation_memory_path()
    if export_to or import_from:
        try:
            with TranslationMemory(memory_path) as memory:
                if export_to:
                    lines = 0
                    with export_to.open("w", encoding="utf-8") as out:
                        for line in memory.export_lines():
                            out.write(line + "\n")
                            lines += 1
                    click.echo(f"Exported {lines} translations to {export_to}.")
                if import_from:
                    added = memory.import_file(import_from)
                    click.echo(f"Imported {added} translations from {import_from}; the memory holds {memory.count()}.")
        except TranslationMemoryError as error:
            raise CommandError(str(error)) from None
        return
    try:
        engine, note = select_engine(translator, models_dir(), INSTANCE_DIR.value())
        if not engine.machine:
            raise TranslationError(f"{note} Nothing to translate: install a model with `shuangyu models install FILE.argosmodel`.")
        corpus = read_corpus(CORPUS_DIR.value())
        TranslationMemory(memory_path).close()  # a damaged memory is told before the model loads
    except (TranslationError, CorpusError, TranslationMemoryError) as error:
        raise CommandError(str(error)) from None
    click.echo(note)
    texts = [passage.text for report in corpus.reports for passage in split_report(report.id, report.text)]
    run = translate_all(engine, texts, memory_path, progress=not quiet)
    click.echo(f"{len(texts)} passages: {run.hits} already in the translation memory, {run.translated} translated "
               f"in {run.seconds:.1f} s ({run.rate:.1f} passages/s).")


@main.group()
def models() -> None:
    """Install, list and remove Argos Translate zh→en models (kept in the instance folder)."""


@models.command("install")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def models_install(archive: Path) -> None:
    """Install a model from an .argosmodel FILE (offline; get it from the Argos package index)."""
    try:
        package = install_model(archive, models_dir(), MODEL_MAX_BYTES.value())
    except (ModelError, SettingError) as error:
        raise CommandError(str(error)) from None
    click.echo(f"Installed {package.identity} ({package.from_code}→{package.to_code}) in {package.path}.")


@models.command("list")
def models_list() -> None:
    """List the installed models."""
    remove_abandoned_unpacks(models_dir())
    packages = installed_models(models_dir())
    if not packages:
        click.echo(f"No model installed in {models_dir()}.")
    for package in packages:
        click.echo(f"{package.name}\t{package.version}\t{package.from_code}→{package.to_code}\t{package.path}")


@models.command("remove")
@click.argument("name")
def models_remove(name: str) -> None:
    """Remove the installed model NAME (as `shuangyu models list` shows it)."""
    try:
        remove_model(name, models_dir())
    except ModelError as error:
        raise CommandError(str(error)) from None
    click.echo(f"Removed {name}.")


# Unknown options are query words, so that `shuangyu search 物流 -枢纽` excludes a word.
@main.command(epilog=ENVIRONMENT_HELP, context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON response of the search API.")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=10, show_default=True, help="Results to show.")
@click.option("--offset", type=click.IntRange(0, MAX_OFFSET), default=0, show_default=True, help="Results to skip.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="auto", show_default=True, help="Language of the query.")
@click.option("--report", help="Search only this report (its id).")
def search(query: tuple[str, ...], as_json: bool, limit: int, offset: int, lang: str, report: str | None) -> None:
    """Search the index for QUERY. Words in Chinese must all match; English words rank by how
    many match. Syntax: "quoted phrase", a OR b, -word or NOT word, report:<id>."""
    query = " ".join(query)
    try:
        response = Searcher(INDEX_DIR.value()).search(query, limit=limit, offset=offset, lang=lang, report=report)
    except (QueryError, IndexUnavailable) as error:
        raise CommandError(str(error)) from None
    if as_json:
        click.echo(_json_for_terminal(response))
        return
    total = response["total"]
    click.echo(f"{total} passage{'s' if total != 1 else ''} ({response['took_ms']:.0f} ms)")
    for number, result in enumerate(response["results"], start=offset + 1):
        click.echo("")
        click.echo(click.style(f"{number}. {_printable(result['id'])}", bold=True)
                   + _printable(f"  {result['report_title']} › {result['section']}"))
        click.echo("   " + _terminal(result["snippet"]))
        label = "machine translation" if result["translation_engine"] != "gloss" else "dictionary gloss"
        click.echo("   " + _terminal(result["snippet_en"]) + click.style(f"  [{label}]", dim=True))


# How often waitress closes connections idle past --channel-timeout (at most this much later).
CLEANUP_INTERVAL_SECONDS = 5


def _site_settings_help() -> str:
    from web.app import SITE_SETTINGS

    return ENVIRONMENT_HELP + "\n" + "\n".join(f"  {s.env:<22} {s.help} Default: {s.default or '(empty)'}" for s in SITE_SETTINGS)


@main.command(epilog=_site_settings_help())
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Worker threads of the WSGI server (waitress), sharing one index searcher.")
@click.option("--connection-limit", type=click.IntRange(10, 10000), default=500, show_default=True,
              help="Open connections served at once; more wait in the listen queue.")
@click.option("--channel-timeout", type=click.IntRange(1, 3600), default=30, show_default=True,
              help="Seconds after which a connection that sends and receives nothing is closed.")
@click.option("--max-request-body", type=click.IntRange(0, 100 * 2**20), default=2**20, show_default=True,
              help="Largest request body in bytes (the API is GET only); a larger one is refused with 413 unread.")
@click.option("--trusted-proxy", metavar="ADDRESS", default=None,
              help="Address of a reverse proxy whose X-Forwarded-For and X-Forwarded-Proto are believed "
                   "(the client address then counts for SHUANGYU_RATE_LIMIT); '*' trusts any.")
def serve(host: str, port: int, threads: int, connection_limit: int, channel_timeout: int, max_request_body: int,
          trusted_proxy: str | None) -> None:
    """Serve the search site and JSON API with a production WSGI server (waitress).
    Builds the index first when there is none."""
    from waitress import create_server

    from web.app import create_app
    from web.searching import searcher_of as get_app_searcher

    try:
        app = create_app()
    except SettingError as error:
        raise CommandError(str(error)) from None
    index_dir = INDEX_DIR.value()
    if current_manifest(index_dir) is None:
        click.echo(f"No usable index in {index_dir}: building it first.")
        try:
            build_index(CORPUS_DIR.value(), index_dir, force=True)
        except BuildError as error:
            raise CommandError(str(error)) from None
    warm_up()
    get_app_searcher(app).warm()
    proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
             "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}} if trusted_proxy else {}
    server = create_server(app, host=host, port=port, threads=threads, ident="shuangyu",
                           connection_limit=connection_limit, channel_timeout=channel_timeout,
                           cleanup_interval=min(CLEANUP_INTERVAL_SECONDS, channel_timeout),
                           max_request_body_size=max_request_body, asyncore_use_poll=True, **proxy)
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"Shuangyu is serving on http://{shown_host}:{server.effective_port}/ (waitress, {threads} threads); Ctrl+C stops it.")
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("Stopped.")


def _stop_on_sigterm() -> None:
    """Make SIGTERM stop this command as Ctrl+C does, so that a build cleans up after itself
    (its temporary folder removed, its workers ended) instead of dying where it stands."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _terminal(snippet: str) -> str:
    """A snippet's HTML for a terminal: marks in colour, entities unescaped, and no control
    character of the text (see ``_printable``)."""
    pieces = [_printable(unescape(piece)) for piece in re.split(r"<mark>(.*?)</mark>", snippet)]
    # re.split puts the marked pieces at the odd positions.
    return "".join(click.style(piece, fg="yellow", bold=True) if position % 2 else piece
                   for position, piece in enumerate(pieces))


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


if __name__ == "__main__":
    sys.exit(main())
