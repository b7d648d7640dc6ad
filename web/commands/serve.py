"""``shuangyu serve``: the site and the API with a production WSGI server (gunicorn's processes or
waitress in one), the index built first when there is none and its vectors made in the background."""

from __future__ import annotations

import ctypes
import ipaddress
import signal
import subprocess
import sys

import click
from shuangyu.index.build import BuildError, NoReports, build_index
from shuangyu.index.engines.store import current_build, current_manifest
from shuangyu.index.english.dictionary import Dictionary
from shuangyu.index.semantic.vectors import is_current as vectors_are_current
from shuangyu.web.app import create_app
from shuangyu.web.commands.common import (
    CommandError,
    chosen_embedder,
    folder_options,
    made_or_stop,
    setting_options,
    settings,
    usable_cores,
)
from shuangyu.web.searching import searcher_of
from shuangyu.web.settings import Settings
from shuangyu.web.settings_declared import SETTINGS
from shuangyu.web.waitress_server import create_server

# How often waitress closes connections idle past --channel-timeout (at most this much later).
CLEANUP_INTERVAL_SECONDS = 5


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


@click.command()
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
    default=usable_cores,
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
        # Here, not at the top: gunicorn is installed on Linux alone.
        from shuangyu.web.server import serve_prefork

        if current_manifest(chosen.index_dir, chosen.cluster) is not None:
            # Made here once, not by every worker at once as it warms (about ten seconds).
            made_or_stop(Dictionary(chosen.instance_dir).ensure)
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
    if current_manifest(chosen.index_dir, chosen.cluster) is not None:
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
            cluster=chosen.cluster,
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
    embedder = chosen_embedder(chosen.embedder)
    manifest = current_manifest(chosen.index_dir, chosen.cluster)
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
    app = create_app({"MAX_CONTENT_LENGTH": max_request_body}, settings=chosen)
    if searcher_of(app).has_index():
        made_or_stop(searcher_of(app).warm)
    return app
