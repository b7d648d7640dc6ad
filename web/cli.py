"""The ``shuangyu`` command line: build the index, search it, serve it."""

from __future__ import annotations

import json
import re
import sys
from html import unescape

import click

from index.build import BuildError, build_index
from index.settings import CORPUS_DIR, INDEX_DIR, SETTINGS
from index.store import IndexUnavailable, current_manifest
from search.warm import warm_up
from search.query import LANGUAGES, QueryError
from search.searcher import MAX_LIMIT, MAX_OFFSET, Searcher

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
def build(force: bool, quiet: bool) -> None:
    """Build the search index from the corpus folder (atomically: the old index keeps
    answering until the new one is complete)."""
    try:
        result = build_index(CORPUS_DIR.value(), INDEX_DIR.value(), force=force, progress=not quiet)
    except BuildError as error:
        raise CommandError(str(error)) from None
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    manifest = result.manifest
    if result.up_to_date:
        click.echo(f"Index is up to date ({manifest['passages']} passages, built {manifest['built_at']}); use --force to rebuild.")
        return
    for report in manifest["reports"]:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(report["passages_by_kind"].items()))
        click.echo(f"{report['id']}: {report['passages']} passages ({kinds})")
    engines = ", ".join(f"{engine} {count}" for engine, count in manifest["engines"].items())
    click.echo(
        f"Indexed {manifest['passages']} passages from {len(manifest['reports'])} reports in "
        f"{manifest['build_seconds']:.1f} s; index {manifest['index_bytes'] / 1e6:.1f} MB; English by {engines}."
    )


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
        click.echo(json.dumps(response, ensure_ascii=False, indent=2))
        return
    total = response["total"]
    click.echo(f"{total} passage{'s' if total != 1 else ''} ({response['took_ms']:.0f} ms)")
    for number, result in enumerate(response["results"], start=offset + 1):
        click.echo("")
        click.echo(click.style(f"{number}. {result['id']}", bold=True) + f"  {result['report_title']} › {result['section']}")
        click.echo("   " + _terminal(result["snippet"]))
        label = "machine translation" if result["translation_engine"] != "gloss" else "dictionary gloss"
        click.echo("   " + _terminal(result["snippet_en"]) + click.style(f"  [{label}]", dim=True))


@main.command(epilog=ENVIRONMENT_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Worker threads of the WSGI server (waitress), sharing one index searcher.")
def serve(host: str, port: int, threads: int) -> None:
    """Serve the search site and JSON API with a production WSGI server (waitress).
    Builds the index first when there is none."""
    from waitress import create_server

    from web.app import create_app

    index_dir = INDEX_DIR.value()
    if current_manifest(index_dir) is None:
        click.echo(f"No usable index in {index_dir}: building it first.")
        try:
            build_index(CORPUS_DIR.value(), index_dir, force=True)
        except BuildError as error:
            raise CommandError(str(error)) from None
    app = create_app()
    warm_up()
    server = create_server(app, host=host, port=port, threads=threads, ident="shuangyu")
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"Shuangyu is serving on http://{shown_host}:{server.effective_port}/ (waitress, {threads} threads); Ctrl+C stops it.")
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("Stopped.")


def _terminal(snippet: str) -> str:
    """A snippet's HTML for a terminal: marks in colour, entities unescaped."""
    marked = re.sub(r"<mark>(.*?)</mark>", lambda m: click.style(m.group(1), fg="yellow", bold=True), snippet)
    return unescape(marked)


if __name__ == "__main__":
    sys.exit(main())
