"""``shuangyu build`` and ``shuangyu embed``: the index from the corpus, and its vectors for search by
meaning; what they print."""

from __future__ import annotations

from pathlib import Path

import click
from shuangyu.index.build import BuildError, build_index, embed_vectors
from shuangyu.index.english.translate import CHOICES
from shuangyu.index.semantic.vector_cache import VectorCache, VectorCacheError
from shuangyu.index.sources.corpus import KINDS, visible
from shuangyu.web.commands.common import (
    CommandError,
    chosen_embedder,
    folder_options,
    settings,
    stop_on_sigterm,
)

# A build lists its reports one by one up to this many.
MAX_REPORTS_LISTED = 20


@click.command()
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
    stop_on_sigterm()
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
            embedder=chosen_embedder(chosen.embedder),
            budget=chosen.read_budget,
            cluster=chosen.cluster,
        )
    except BuildError as error:
        raise CommandError(str(error)) from None
    click.echo(result.translator_note)
    for line in _warning_lines(result, details):
        click.echo(f"warning: {line}", err=True)
    manifest = result.manifest
    if result.up_to_date:
        click.echo(
            f"Index is up to date ({manifest.passages} passages, built {manifest.built_at}); use --force to rebuild."
        )
        _report_vectors(result.vectors)
        return
    update = manifest.last_update
    if update.mode == "incremental":
        click.echo(
            f"Updated the index in place in {update.seconds:.1f} s: re-indexed {', '.join(update.reports)}; "
            f"{manifest.passages} passages in all."
        )
    else:
        reports = manifest.reports
        for report in reports if len(reports) <= MAX_REPORTS_LISTED else []:
            kinds = ", ".join(
                f"{count} {kind}" for kind, count in sorted(report["passages_by_kind"].items())
            )
            click.echo(f"{report['id']}: {report['passages']} passages ({kinds})")
        translators = ", ".join(f"{name} {count}" for name, count in manifest.translators.items())
        click.echo(
            f"Indexed {manifest.passages} passages from {len(reports)} reports in "
            f"{manifest.build_seconds:.1f} s with {manifest.engine}; index {manifest.index_bytes / 1e6:.1f} MB; "
            f"English by {translators}."
        )
    _report_vectors(result.vectors)
    translation = manifest.translation
    if manifest.translator.name != "gloss":
        click.echo(
            f"Translation memory: {translation.memory_hits} hits, {translation.translated} passages translated "
            f"({translation.passages_per_second:.1f} passages/s)."
        )


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


@click.command()
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
    stop_on_sigterm()
    chosen = settings(**given)
    embedder = chosen_embedder(chosen.embedder)
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
            chosen.index_dir,
            chosen.instance,
            embedder,
            progress=not quiet,
            cluster=chosen.cluster,
        )
    except BuildError as error:
        raise CommandError(str(error)) from None
    if run is None:
        raise CommandError(problem)
    if problem:
        click.echo(f"warning: {problem}", err=True)
    _report_vectors(run)


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
