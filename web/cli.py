"""The ``shuangyu`` command line: build the index, search it, serve it."""

from __future__ import annotations

import ctypes
import ipaddress
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from html import unescape
from pathlib import Path

import click
from shuangyu.index.build import BuildError, NoReports, build_index, embed_vectors
from shuangyu.index.engines.store import IndexUnavailable, current_build, current_manifest
from shuangyu.index.english.dictionary import Dictionary
from shuangyu.index.english.memory import TranslationMemory, TranslationMemoryError
from shuangyu.index.english.models import ModelError, remove_abandoned_unpacks
from shuangyu.index.english.models import install as install_model
from shuangyu.index.english.models import installed as installed_models
from shuangyu.index.english.models import remove as remove_model
from shuangyu.index.english.translate import CHOICES, TranslationError, select_engine, translate_all
from shuangyu.index.semantic.embedding import EmbedderError, load_embedder
from shuangyu.index.semantic.vector_cache import VectorCache, VectorCacheError
from shuangyu.index.semantic.vectors import is_current as vectors_are_current
from shuangyu.index.sources.corpus import KINDS, CorpusError, read_corpus, visible
from shuangyu.index.sources.extracted import ExtractionCache
from shuangyu.index.sources.passages import split_report
from shuangyu.index.text.language import Language
from shuangyu.search.query import LANGUAGES, QueryError
from shuangyu.search.searcher import MAX_LIMIT, MAX_OFFSET, MODES, SORTS, Searcher
from shuangyu.web.settings import SETTINGS, SettingError, Settings, load_settings

# A build lists its reports one by one up to this many.
MAX_REPORTS_LISTED = 20


class CommandError(click.ClickException):
    """A failure the user can act on: one line on stderr, exit status 2."""

    exit_code = 2


def setting_options(serve_only: bool):
    """The options of the settings (``web.settings.SETTINGS``) of every command, or of ``serve``
    only: each also read from its environment variable."""

    def decorate(command):
        for setting in reversed(
            [setting for setting in SETTINGS if setting.serve_only == serve_only]
        ):
            command = click.option(
                setting.option,
                setting.name,
                metavar=setting.metavar,
                envvar=setting.env,
                show_envvar=True,
                default=setting.default,
                show_default=bool(setting.default),
                help=setting.help,
            )(command)
        return command

    return decorate


def folder_options(command):
    """The options of ``shuangyu`` itself, accepted after a command too (``shuangyu build
    --corpus-dir X``), where they win over the ones before it."""
    for setting in reversed([setting for setting in SETTINGS if not setting.serve_only]):
        command = click.option(
            setting.option,
            setting.name,
            metavar=setting.metavar,
            default=None,
            help=f"As `shuangyu {setting.option}`.",
        )(command)
    return command


class ShuangyuGroup(click.Group):
    """The ``shuangyu`` command, whose help ends with where its folders are from here."""

    def format_epilog(self, context: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(context, formatter)
        try:
            current = load_settings(os.environ)
        except SettingError as error:
            rows = [("(not usable)", str(error))]
        else:
            rows = [
                (setting.option, str(getattr(current, setting.name)))
                for setting in SETTINGS
                if isinstance(getattr(current, setting.name), Path)
            ]
        with formatter.section("Folders, from the environment and the current folder"):
            formatter.write_dl(rows)


@click.group(cls=ShuangyuGroup)
@setting_options(serve_only=False)
@click.version_option(package_name="shuangyu")
@click.pass_context
def main(context: click.Context, **given) -> None:
    """Shuangyu (双语): bilingual search of Chinese reports, with citable passages.

    The folders are taken from the options, else from the environment, else the defaults:
    corpus/ and instance/ in the current folder."""
    context.obj = given


def settings(**given) -> Settings:
    """The settings of this command: the options given to ``shuangyu`` and ``given`` (the
    command's own)."""
    given = {name: value for name, value in given.items() if value is not None}
    try:
        result = load_settings({}, {**click.get_current_context().find_root().obj, **given})
    except SettingError as error:
        raise CommandError(str(error)) from None
    return result


@main.command()
@click.option("--force", is_flag=True, help="Rebuild even when the corpus has not changed.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--translator",
    type=click.Choice(CHOICES),
    default="auto",
    show_default=True,
    help="English by Argos machine translation (argos), the dictionary gloss (gloss), or argos when a model is installed (auto).",
)
@click.option(
    "--details",
    is_flag=True,
    help="Every warning about the corpus's files, one line each (else one line per kind).",
)
@folder_options
def build(force: bool, quiet: bool, translator: str, details: bool, **given) -> None:
    """Build the search index from the corpus folder (atomically: the old index keeps
    answering until the new one is complete)."""
    _stop_on_sigterm()
    chosen = settings(**given)
    try:
        result = build_index(
            chosen.corpus_dir,
            chosen.index_dir,
            chosen.instance,
            force=force,
            progress=not quiet,
            translator=translator,
            index_engine=chosen.engine or None,
            embedder=_embedder(chosen.embedder),
            budget=chosen.read_budget,
        )
    except BuildError as error:
        raise CommandError(str(error)) from None
    click.echo(result.translator_note)
    for line in _warning_lines(result, details):
        click.echo(f"warning: {line}", err=True)
    manifest = result.manifest
    if result.up_to_date:
        click.echo(
            f"Index is up to date ({manifest['passages']} passages, built {manifest['built_at']}); use --force to rebuild."
        )
        _report_vectors(result.vectors)
        return
    update = manifest["last_update"]
    if update["mode"] == "incremental":
        click.echo(
            f"Updated the index in place in {update['seconds']:.1f} s: re-indexed {', '.join(update['reports'])}; "
            f"{manifest['passages']} passages in all."
        )
    else:
        reports = manifest["reports"]
        for report in reports if len(reports) <= MAX_REPORTS_LISTED else []:
            kinds = ", ".join(
                f"{count} {kind}" for kind, count in sorted(report["passages_by_kind"].items())
            )
            click.echo(f"{report['id']}: {report['passages']} passages ({kinds})")
        engines = ", ".join(f"{engine} {count}" for engine, count in manifest["engines"].items())
        click.echo(
            f"Indexed {manifest['passages']} passages from {len(reports)} reports in "
            f"{manifest['build_seconds']:.1f} s with {manifest['engine']}; index {manifest['index_bytes'] / 1e6:.1f} MB; "
            f"English by {engines}."
        )
    _report_vectors(result.vectors)
    translation = manifest["translation"]
    if manifest["translator"]["engine"] != "gloss":
        click.echo(
            f"Translation memory: {translation['memory_hits']} hits, {translation['translated']} passages translated "
            f"({translation['passages_per_second']:.1f} passages/s)."
        )


def _embedder(name: str):
    """The embedder of the settings (``None`` for ``none``)."""
    try:
        return load_embedder(name, threads=_usable_cores())
    except EmbedderError as error:
        raise CommandError(str(error)) from None


def _report_vectors(run) -> None:
    """One line on what the embedding step did (nothing when it did not run)."""
    if run is None:
        return
    if run.up_to_date:
        click.echo(f"Vectors are up to date ({run.rows} passages).")
    else:
        click.echo(
            f"Embedded {run.rows} passages for search by meaning in {run.seconds:.1f} s "
            f"({run.embedded} new, the rest from the vector cache)."
        )


@main.command()
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--export",
    "export_to",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the vector cache's vectors of this embedder to FILE (.npz) instead of embedding.",
)
@click.option(
    "--import",
    "import_from",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Add the vectors of FILE (from --export) to the vector cache instead of embedding.",
)
@folder_options
def embed(quiet: bool, export_to: Path | None, import_from: Path | None, **given) -> None:
    """Make the vectors of the current index for search by meaning (`shuangyu build` does it
    after indexing; this resumes an interrupted run). The index answers by words meanwhile.
    With --export or --import, carry the vector cache to or from another machine."""
    _stop_on_sigterm()
    chosen = settings(**given)
    embedder = _embedder(chosen.embedder)
    if embedder is None:
        raise CommandError("the embedder is none (SHUANGYU_EMBEDDER): nothing to embed")
    if export_to or import_from:
        try:
            with VectorCache(chosen.instance.vector_cache, embedder.dimensions) as cache:
                if export_to:
                    click.echo(
                        f"Exported {cache.export(embedder.name, export_to)} vectors of {embedder.name} to {export_to}."
                    )
                if import_from:
                    model, count = cache.import_file(import_from)
                    click.echo(f"Imported {count} vectors of {model} from {import_from}.")
        except VectorCacheError as error:
            raise CommandError(str(error)) from None
        return
    try:
        run, problem = embed_vectors(
            chosen.index_dir, chosen.instance, embedder, progress=not quiet
        )
    except BuildError as error:
        raise CommandError(str(error)) from None
    if run is None:
        raise CommandError(problem)
    if problem:
        click.echo(f"warning: {problem}", err=True)
    _report_vectors(run)


@main.command()
@click.option(
    "--translator",
    type=click.Choice(("auto", "argos")),
    default="auto",
    show_default=True,
    help="The machine translation engine.",
)
@click.option(
    "--export",
    "export_to",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the translation memory to FILE (JSON Lines) instead of translating.",
)
@click.option(
    "--import",
    "import_from",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Add the translations of FILE (JSON Lines, from --export) to the memory instead of translating.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@folder_options
def translate(
    translator: str, export_to: Path | None, import_from: Path | None, quiet: bool, **given
) -> None:
    """Fill the translation memory with machine translations of every passage, ahead of a build.
    Interrupted, it keeps what it translated and resumes there next time."""
    chosen = settings(**given)
    memory_path = chosen.instance.translation_memory
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
                    click.echo(
                        f"Imported {added} translations from {import_from}; the memory holds {memory.count()}."
                    )
        except TranslationMemoryError as error:
            raise CommandError(str(error)) from None
        return
    try:
        corpus = read_corpus(chosen.corpus_dir, ExtractionCache(chosen.instance.extracted))
        engine, note = select_engine(
            translator,
            chosen.instance.models,
            chosen.instance_dir,
            Language(corpus.vocabulary, Dictionary(chosen.instance_dir)),
        )
        if not engine.machine:
            raise TranslationError(
                f"{note} Nothing to translate: install a model with `shuangyu models install FILE.argosmodel`."
            )
        TranslationMemory(memory_path).close()  # a damaged memory is told before the model loads
    except (TranslationError, CorpusError, TranslationMemoryError) as error:
        raise CommandError(str(error)) from None
    click.echo(note)
    texts = [
        passage.text
        for report in corpus.reports
        for passage in split_report(report.id, report.text, report.layout)
    ]
    run = translate_all(engine, texts, memory_path, progress=not quiet)
    click.echo(
        f"{len(texts)} passages: {run.hits} already in the translation memory, {run.translated} translated "
        f"in {run.seconds:.1f} s ({run.rate:.1f} passages/s)."
    )


@main.group()
def models() -> None:
    """Install, list and remove Argos Translate zh→en models (kept in the instance folder)."""


@models.command("install")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@folder_options
def models_install(archive: Path, **given) -> None:
    """Install a model from an .argosmodel FILE (offline; get it from the Argos package index)."""
    try:
        chosen = settings(**given)
        package = install_model(archive, chosen.instance.models, chosen.model_max_bytes)
    except ModelError as error:
        raise CommandError(str(error)) from None
    click.echo(
        f"Installed {package.identity} ({package.from_code}→{package.to_code}) in {package.path}."
    )


@models.command("list")
@folder_options
def models_list(**given) -> None:
    """List the installed models."""
    models_dir = settings(**given).instance.models
    remove_abandoned_unpacks(models_dir)
    packages = installed_models(models_dir)
    if not packages:
        click.echo(f"No model installed in {models_dir}.")
    for package in packages:
        click.echo(
            f"{package.name}\t{package.version}\t{package.from_code}→{package.to_code}\t{package.path}"
        )


@models.command("remove")
@click.argument("name")
@folder_options
def models_remove(name: str, **given) -> None:
    """Remove the installed model NAME (as `shuangyu models list` shows it)."""
    try:
        remove_model(name, settings(**given).instance.models)
    except ModelError as error:
        raise CommandError(str(error)) from None
    click.echo(f"Removed {name}.")


# Unknown options are query words, so that `shuangyu search 物流 -枢纽` excludes a word.
@main.command(context_settings={"ignore_unknown_options": True})
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
    many match. Syntax: "quoted phrase", a OR b, -word or NOT word, report:<id>."""
    query = " ".join(query)
    chosen = settings(**given)
    try:
        response = Searcher(
            chosen.index_dir,
            Dictionary(chosen.instance_dir),
            embedder=_embedder(chosen.embedder),
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
    click.echo(f"{total} passage{'s' if total != 1 else ''} ({response['took_ms']:.0f} ms{found})")
    semantic = response["semantic"]
    if semantic["state"] == "unavailable" and mode != "lexical":
        click.echo(f"note: search by meaning is unavailable: {semantic['note']}", err=True)
    if offset and offset >= total > 0:
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
            f"{response['total_by']['some_words']} more passages have only some of the words (not matches):"
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


# How often waitress closes connections idle past --channel-timeout (at most this much later).
CLEANUP_INTERVAL_SECONDS = 5


def _usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system has one), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _proxy_address(
    context: click.Context, parameter: click.Parameter, value: str | None
) -> str | None:
    """--trusted-proxy: an IP address (what a request's peer address is compared with), or '*'."""
    if value is None or value == "*":
        return value
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise click.BadParameter(f"must be an IP address or '*', not {value!r}") from None


@main.command()
@setting_options(serve_only=True)
@folder_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: a free one).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=_usable_cores,
    show_default="the usable cores",
    envvar="WEB_CONCURRENCY",
    show_envvar=True,
    help="Server processes, each with its own index searcher (a process answers one search at a time): "
    "above 1, gunicorn with a process per worker (Linux); 1, waitress.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Threads of each server process, sharing its index searcher.",
)
@click.option(
    "--connection-limit",
    type=click.IntRange(10, 10000),
    default=500,
    show_default=True,
    help="Open connections served at once; more wait in the listen queue.",
)
@click.option(
    "--channel-timeout",
    type=click.IntRange(1, 3600),
    default=30,
    show_default=True,
    help="Seconds after which a connection that sends and receives nothing is closed.",
)
@click.option(
    "--max-request-body",
    type=click.IntRange(0, 100 * 2**20),
    default=2**20,
    show_default=True,
    help="Largest request body in bytes (the API is GET only); a larger one is refused with 413 unread.",
)
@click.option(
    "--trusted-proxy",
    metavar="ADDRESS",
    default=None,
    callback=_proxy_address,
    help="IP address of a reverse proxy whose X-Forwarded-For and X-Forwarded-Proto are believed "
    "(the client address then counts for --rate-limit); '*' trusts any.",
)
def serve(
    host: str,
    port: int,
    workers: int,
    threads: int,
    connection_limit: int,
    channel_timeout: int,
    max_request_body: int,
    trusted_proxy: str | None,
    **given,
) -> None:
    """Serve the search site and JSON API with a production WSGI server: gunicorn with
    --workers processes, or waitress in one. Builds the index first when there is none."""
    chosen = settings(**given)
    _build_when_missing(chosen)
    _embed_in_background(chosen)  # ends with this process (PR_SET_PDEATHSIG), however it ends

    def announce(effective_port: int, what: str) -> None:
        shown_host = f"[{host}]" if ":" in host else host
        click.echo(
            f"Shuangyu is serving on http://{shown_host}:{effective_port}/ ({what}); Ctrl+C stops it."
        )
        if chosen.rate_limit and workers > 1:
            click.echo(
                f"The rate limit is counted in each of the {workers} processes: a client may get up to "
                f"{workers} times {chosen.rate_limit!r} (--workers 1 counts it once)."
            )
        sys.stdout.flush()

    if workers > 1 and sys.platform == "linux":
        from shuangyu.web.server import serve_prefork

        if current_manifest(chosen.index_dir) is not None:
            # Made here once, not by every worker at once as it warms (about ten seconds).
            _made_or_stop(Dictionary(chosen.instance_dir).ensure)
        serve_prefork(
            lambda: _serving_app(chosen, max_request_body),
            workers=workers,
            host=host,
            port=port,
            threads=threads,
            connection_limit=connection_limit,
            channel_timeout=channel_timeout,
            max_request_body=max_request_body,
            trusted_proxy=trusted_proxy,
            announce=announce,
            on_stop=lambda: click.echo("Stopped."),
        )
    from shuangyu.web.waitress_server import create_server

    proxy = (
        {
            "trusted_proxy": trusted_proxy,
            "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        }
        if trusted_proxy
        else {}
    )
    server = create_server(
        _serving_app(chosen, max_request_body),
        host=host,
        port=port,
        threads=threads,
        ident="shuangyu",
        connection_limit=connection_limit,
        channel_timeout=channel_timeout,
        cleanup_interval=min(CLEANUP_INTERVAL_SECONDS, channel_timeout),
        # waitress refuses a body of max_request_body_size bytes and more.
        max_request_body_size=max_request_body + 1,
        asyncore_use_poll=True,
        **proxy,
    )
    announce(server.effective_port, f"waitress: 1 process of {threads} threads")
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("Stopped.")


def _build_when_missing(chosen: Settings) -> None:
    """Build the index before serving when there is none. Without reports, say where they go
    and serve without an index: the site says so too, and takes the index that `shuangyu
    build` makes there without a restart."""
    if current_manifest(chosen.index_dir) is not None:
        return
    click.echo(f"No usable index in {chosen.index_dir}: building it first.")
    try:
        build_index(
            chosen.corpus_dir,
            chosen.index_dir,
            chosen.instance,
            force=True,
            index_engine=chosen.engine or None,
            budget=chosen.read_budget,
        )
    except NoReports as error:
        reason = str(error).splitlines()[0]
        click.echo(
            f"{reason[:1].upper()}{reason[1:]}. Serving without an index until `shuangyu build` makes one: "
            f"put the reports (*.txt) in {chosen.corpus_dir} first."
        )
    except BuildError as error:
        raise CommandError(str(error)) from None


def _embed_in_background(chosen: Settings) -> None:
    """Start `shuangyu embed` in a process of its own when the index lacks the vectors of the
    settings' embedder: the site answers by words at once and by meaning too once they are
    made (the page says how far along they are). It is sent SIGTERM (and cleans up) when this
    process ends."""
    embedder = _embedder(chosen.embedder)
    manifest = current_manifest(chosen.index_dir)
    if (
        embedder is None
        or manifest is None
        or vectors_are_current(current_build(chosen.index_dir), manifest, embedder)
    ):
        return
    click.echo(
        "The passages are being embedded for search by meaning, in the background; the site searches by "
        "words meanwhile."
    )
    folders = [
        argument
        for setting in SETTINGS
        if not setting.serve_only
        for argument in (setting.option, str(getattr(chosen, setting.name) or ""))
    ]
    subprocess.Popen(
        [sys.executable, "-m", "shuangyu.web.cli", *folders, "embed", "--quiet"],
        stdin=subprocess.DEVNULL,
        preexec_fn=_ends_with_parent if sys.platform.startswith("linux") else None,
    )


def _ends_with_parent() -> None:
    """Run in a child before it executes: SIGTERM when its parent ends (Linux ``PR_SET_PDEATHSIG``)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)


def _serving_app(chosen: Settings, max_request_body: int):
    """The app of one server process: bodies above ``max_request_body`` refused, and the index
    searcher opened and warmed when there is an index, so that no user's request pays for it."""
    from shuangyu.web.app import create_app
    from shuangyu.web.searching import searcher_of

    app = create_app({"MAX_CONTENT_LENGTH": max_request_body}, settings=chosen)
    if searcher_of(app).has_index():
        _made_or_stop(searcher_of(app).warm)
    return app


# A kind of problem with more files than this is one line (``build --details`` lists them all).
LISTED_UP_TO = 3


def _warning_lines(result, details: bool) -> list[str]:
    """The warnings a build prints: every problem with ``details``; else one line per kind of
    file problem (each file's own line where a kind has few), and only the files left out when
    nothing changed (the rest was said when it was built); other problems (the translation
    memory, the vectors) always."""
    file_lines = {str(problem) for problem in result.file_problems}
    others = [problem for problem in result.problems if problem not in file_lines]
    if details:
        return [str(problem) for problem in result.file_problems] + others
    by_kind: dict[str, list] = {kind: [] for kind in KINDS}
    for problem in result.file_problems:
        by_kind[problem.kind].append(problem)
    lines = []
    for kind, problems in by_kind.items():
        if not problems or (result.up_to_date and kind != "skipped"):
            continue
        if len(problems) <= LISTED_UP_TO:
            lines += [str(problem) for problem in problems]
            continue
        names = sorted({visible(problem.path.name) for problem in problems})
        shown = ", ".join(names[:LISTED_UP_TO]) + (
            f" and {len(names) - LISTED_UP_TO} more" if len(names) > LISTED_UP_TO else ""
        )
        lines.append(
            f"{len(problems)} {KINDS[kind]}: {shown} (`shuangyu build --details` says why)"
        )
    return lines + others


def _made_or_stop(make: Callable[[], object]) -> None:
    """``make()``; a folder that cannot be written (full, read-only) stops the command with
    one line instead of a traceback."""
    try:
        make()
    except OSError as error:
        where = f" in {error.filename}" if error.filename else ""
        raise CommandError(
            f"cannot start: {error.strerror or error}{where}; free space there (or make it writable) and start again"
        ) from None


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


if __name__ == "__main__":
    sys.exit(main())
