"""Retrieval quality on the evaluation set: success@5, MRR@10 and nDCG@10 per kind of query.

    python bench/eval.py                    # the seed corpus: the table, then the queries that miss
    python bench/eval.py --real             # also the real collection (../shared/realcorpus)
    python bench/eval.py --real --index DIR # the real part against an index already built
    python bench/eval.py --json             # the same figures as JSON
    python bench/eval.py --real --index DIR --compare   # lexical, hybrid and semantic side by side

The queries of tests/eval/queries.tsv were written by hand over the seed corpus (its frozen copy, tests/fixtures/corpus), each with the passages
that must come back. Those of tests/eval/real_queries.tsv were written over the real collection
(``../shared/realcorpus/reports`` built together with the seed corpus): their answers are named by what
a right passage says, not by passage id (``gwr-2010:最低生活保障``: a passage of that report
containing those words; ``*:`` any report), so that they hold when the splitting improves; ``-``
marks a query that must find nothing (kind ``real_none``, scored by ``empty``). Indexes are built
with the dictionary gloss, so the figures do not depend on an installed translation model.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from testbed.judging import (  # noqa: E402
    METRICS,
    Scores,
    evaluate,
    evaluate_real,
    load_queries,
    load_real_queries,
)
from testbed.paths import shared_dictionary  # noqa: E402
from testbed.real_index import build_eval_index, build_real_index  # noqa: E402


def table(results: dict[str, Scores]) -> str:
    """The results as a Markdown table, kinds in a stable order, overall last."""
    kinds = sorted(kind for kind in results if kind not in ("overall", "real_overall"))
    kinds += [kind for kind in ("overall", "real_overall") if kind in results]
    lines = ["| kind | queries | success@5 | MRR@10 | nDCG@10 |", "|---|---|---|---|---|"]
    for kind in kinds:
        scores = results[kind]
        if "empty" in scores.values:
            lines.append(
                f"| {kind} (found nothing) | {len(scores.values['empty'])} | {scores.mean('empty'):.3f} | | |"
            )
            continue
        lines.append(
            f"| {kind} | {scores.count} | "
            + " | ".join(f"{scores.mean(metric):.3f}" for metric in METRICS)
            + " |"
        )
    return "\n".join(lines)


def comparison(by_mode: dict[str, dict[str, Scores]]) -> str:
    """Markdown: each kind's success@5 / MRR@10 / nDCG@10 (or empty) in each mode."""
    modes = list(by_mode)
    first = by_mode[modes[0]]
    kinds = sorted(kind for kind in first if kind != "real_overall") + ["real_overall"]
    lines = [
        "| kind | queries | " + " | ".join(f"{mode} s@5 / MRR / nDCG" for mode in modes) + " |",
        "|---|---|" + "---|" * len(modes),
    ]
    for kind in kinds:
        cells = []
        for mode in modes:
            scores = by_mode[mode][kind]
            if "empty" in scores.values:
                cells.append(f"empty {scores.mean('empty'):.3f}")
            else:
                cells.append(" / ".join(f"{scores.mean(metric):.3f}" for metric in METRICS))
        lines.append(
            f"| {kind} | {len(next(iter(first[kind].values.values())))} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


@contextlib.contextmanager
def scratch_folder(settings):
    """A temporary folder for the evaluation's indexes, removed after, and with it (for the
    opensearch engine) the indexes its builds wrote in the cluster."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            yield Path(folder)
        finally:
            if settings.engine == "opensearch":
                from shuangyu.index.engines.opensearch_index import (
                    ClusterUnavailable,
                    remove_indices_of,
                )

                try:
                    remove_indices_of(Path(folder), settings.cluster)
                except ClusterUnavailable as error:  # said, not raised over the first error
                    print(f"eval: the indexes built in the cluster stay: {error}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--real",
        action="store_true",
        help="also evaluate on the real collection (builds it: about a minute)",
    )
    parser.add_argument(
        "--index", type=Path, help="with --real: an index of the real collection already built"
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="with --real: the real collection searched lexical, hybrid and semantic, side by side",
    )
    arguments = parser.parse_args()
    from shuangyu.index.semantic.embedding import E5Small
    from shuangyu.search.searcher import Searcher
    from shuangyu.web.settings import load_settings

    # The engine and (for opensearch) the cluster of the settings' variables, as the builds
    # of build_real_index (`shuangyu build`) read them.
    settings = load_settings(os.environ)
    cluster = settings.cluster

    if arguments.compare:
        index = arguments.index
        with scratch_folder(settings) as folder:
            index = index or build_real_index(folder / "real-corpus", folder / "real-index")
            searcher = Searcher(index, shared_dictionary(), embedder=E5Small(), cluster=cluster)
            compared = {
                mode: evaluate_real(searcher, load_real_queries(), mode)
                for mode in ("lexical", "hybrid", "semantic")
            }
        print(comparison(compared))
        return 0

    with scratch_folder(settings) as folder:
        seed = build_eval_index(folder / "seed", settings.engine or None, cluster)
        results = evaluate(Searcher(seed, shared_dictionary(), cluster=cluster), load_queries())
        if arguments.real:
            index = arguments.index or build_real_index(
                folder / "real-corpus", folder / "real-index"
            )
            results.update(
                evaluate_real(
                    Searcher(index, shared_dictionary(), cluster=cluster), load_real_queries()
                )
            )
    if arguments.json:
        print(
            json.dumps(
                {
                    kind: {metric: round(scores.mean(metric), 4) for metric in scores.values}
                    for kind, scores in results.items()
                },
                indent=2,
            )
        )
        return 0
    print(table(results))
    misses = [
        miss
        for kind in ("overall", "real_overall", "real_none")
        if kind in results
        for miss in results[kind].misses
    ]
    print(
        f"\n{len(misses)} queries without a relevant passage in the top 5 (or, with no answer, not empty):"
    )
    for text, ranked in misses:
        print(f"  {text}  →  {', '.join(ranked) or 'no result'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
