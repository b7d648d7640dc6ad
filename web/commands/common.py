"""What the commands of ``shuangyu`` share: their settings and folder options, the settings of one
command, and how a command stops with one line instead of a traceback."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

import click
from shuangyu.index.semantic.embedding import EmbedderError, load_embedder
from shuangyu.web.settings import SettingError, Settings, load_settings
from shuangyu.web.settings_declared import SETTINGS


class CommandError(click.ClickException):
    """A failure the user can act on: one line on stderr, exit status 2."""

    exit_code = 2


def setting_options(serve_only: bool):
    """The options of the settings (``web.settings_declared.SETTINGS``) of every command, or of ``serve``
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


def settings(**given) -> Settings:
    """The settings of this command: the options given to ``shuangyu`` and ``given`` (the
    command's own)."""
    given = {name: value for name, value in given.items() if value is not None}
    try:
        result = load_settings({}, {**click.get_current_context().find_root().obj, **given})
    except SettingError as error:
        raise CommandError(str(error)) from None
    return result


def chosen_embedder(name: str):
    """The embedder of the settings (``None`` for ``none``)."""
    try:
        return load_embedder(name, threads=usable_cores())
    except EmbedderError as error:
        raise CommandError(str(error)) from None


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system has one), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def made_or_stop(make: Callable[[], object]) -> None:
    """``make()``; a folder that cannot be written (full, read-only) stops the command with
    one line instead of a traceback."""
    try:
        make()
    except OSError as error:
        where = f" in {error.filename}" if error.filename else ""
        raise CommandError(
            f"cannot start: {error.strerror or error}{where}; free space there (or make it writable) and start again"
        ) from None


def stop_on_sigterm() -> None:
    """Make SIGTERM stop this command as Ctrl+C does, so that a build cleans up after itself
    (its temporary folder removed, its workers ended) instead of dying where it stands."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
