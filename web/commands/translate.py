"""``shuangyu translate`` and ``shuangyu models``: the translation memory filled ahead of a build,
and the Argos models that make its English."""

from __future__ import annotations

from pathlib import Path

import click
from shuangyu.index.english.dictionary import Dictionary
from shuangyu.index.english.memory import TranslationMemory, TranslationMemoryError
from shuangyu.index.english.models import ModelError, remove_abandoned_unpacks
from shuangyu.index.english.models import install as install_model
from shuangyu.index.english.models import installed as installed_models
from shuangyu.index.english.models import remove as remove_model
from shuangyu.index.english.translate import TranslationError, select_engine, translate_all
from shuangyu.index.sources.corpus import CorpusError, read_corpus
from shuangyu.index.sources.extracted import ExtractionCache
from shuangyu.index.sources.passages import split_report
from shuangyu.index.text.language import Language
from shuangyu.web.commands.common import CommandError, folder_options, settings


@click.command()
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
        machine_translator, note = select_engine(
            translator,
            chosen.instance.models,
            chosen.instance_dir,
            Language(corpus.vocabulary, Dictionary(chosen.instance_dir)),
        )
        if not machine_translator.machine:
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
    run = translate_all(machine_translator, texts, memory_path, progress=not quiet)
    click.echo(
        f"{len(texts)} passages: {run.hits} already in the translation memory, {run.translated} translated "
        f"in {run.seconds:.1f} s ({run.rate:.1f} passages/s)."
    )


@click.group()
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
