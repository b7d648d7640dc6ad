"""Grid search of the query weights on the evaluation set (MRR@10, then success@5, then nDCG@10).

    python bench/tune.py          # the seed corpus's queries
    python bench/tune.py --real   # ties on the seed corpus broken on the real collection
                                  # (builds it: about a minute, then a minute per tie)

Prints each setting tried, the best one and the current one (search/query.py's WEIGHTS, set
from the best). Each setting is tried by its own Searcher (``Searcher(weights=...)``), whose
result cache holds only rankings made with those weights.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shuangyu.search import query  # noqa: E402
from shuangyu.search.searcher import Searcher  # noqa: E402

from testbed.judging import evaluate, evaluate_real, load_queries, load_real_queries  # noqa: E402
from testbed.paths import shared_dictionary  # noqa: E402
from testbed.real_index import build_eval_index, build_real_index  # noqa: E402

GRID = {
    "translated": (0.5, 0.8, 1.2),
    "proximity": (0.25, 0.5, 1.0),
    "section": (0.2, 0.4, 0.8),
    "text_bigrams": (0.2, 0.35, 0.6),
}
METRICS = ("mrr@10", "success@5", "ndcg@10")


def figures(scores) -> tuple[float, ...]:
    return tuple(round(scores.mean(metric), 4) for metric in METRICS)


def shown(label: str, row: tuple) -> str:
    return (
        f"{label}"
        + "  ".join(f"{metric} {figure:.4f}" for metric, figure in zip(METRICS, row))
        + "  "
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", action="store_true", help="break ties on the real collection")
    arguments = parser.parse_args()
    original = dict(query.WEIGHTS)
    dictionary = shared_dictionary()
    settings = [dict(zip(GRID, values)) for values in itertools.product(*GRID.values())]
    current = next(
        setting
        for setting in settings
        if all(original[name] == value for name, value in setting.items())
    )
    with tempfile.TemporaryDirectory() as folder:
        seed_index = build_eval_index(Path(folder) / "seed")
        seed = {}
        for setting in settings:
            seed[str(setting)] = figures(
                evaluate(
                    Searcher(seed_index, dictionary, weights={**original, **setting}),
                    load_queries(),
                )["overall"]
            )
            print(shown("", seed[str(setting)]) + str(setting), flush=True)
        top = max(seed.values())
        tied = [setting for setting in settings if seed[str(setting)] == top]
        real = {}
        if arguments.real:
            real_index = build_real_index(Path(folder) / "real-corpus", Path(folder) / "real-index")
            print(
                f"\n{len(tied)} settings tie on the seed corpus; on the real collection (current setting too):"
            )
            for setting in [*tied, *([current] if current not in tied else [])]:
                searcher = Searcher(real_index, dictionary, weights={**original, **setting})
                real[str(setting)] = figures(
                    evaluate_real(searcher, load_real_queries())["real_overall"]
                )
                print(shown("real ", real[str(setting)]) + str(setting), flush=True)
    best = max(tied, key=lambda setting: real.get(str(setting), ()))
    for label, setting in (("best", best), ("current", current)):
        print(
            shown(f"\n{label}: seed ", seed[str(setting)])
            + (shown("real ", real[str(setting)]) if real else "")
            + str(setting)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
