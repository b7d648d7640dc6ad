"""The ``shuangyu`` command line: build the index, search it, serve it. One module per command
group in ``web/commands/``; this one is the group itself (``python -m shuangyu.web.cli`` runs it)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from shuangyu.web.commands.build import build, embed
from shuangyu.web.commands.common import setting_options
from shuangyu.web.commands.search import search
from shuangyu.web.commands.serve import serve
from shuangyu.web.commands.translate import models, translate
from shuangyu.web.settings import SettingError, load_settings
from shuangyu.web.settings_declared import SETTINGS


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


for command in (build, embed, translate, models, search, serve):
    main.add_command(command)


if __name__ == "__main__":
    sys.exit(main())
