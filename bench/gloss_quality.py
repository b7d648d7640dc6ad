"""BLEU and chrF of the English dictionary gloss against an official English translation.

    python bench/gloss_quality.py          # the table: the gloss searched (every sense) and the gloss shown
    python bench/gloss_quality.py --json   # the same figures as JSON

The sample (tests/fixtures/gloss_parallel/, its README says where it comes from and why it may
be used) pairs sentences of China's Government Work Reports with the official English
translation. "every sense" is the gloss as it was shown before issue 17 (every main sense of
every word, "/" between them), which the index still searches; "shown" is the gloss a reader sees
now (``index.english.gloss.gloss``). Scores are sacrebleu's corpus BLEU and chrF with default settings.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.paths import SEED_CORPUS, shared_dictionary  # noqa: E402

SAMPLE = ROOT / "tests" / "fixtures" / "gloss_parallel" / "gwr_zh_en.tsv"


def read_sample(path: Path = SAMPLE) -> list[tuple[str, str]]:
    """The (Chinese, English) pairs of the sample."""
    rows = [
        line.split("\t")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    return [(chinese, english) for _, chinese, english in rows]


def scores(pairs: list[tuple[str, str]] | None = None) -> dict[str, dict[str, float]]:
    """BLEU and chrF of each gloss of the sample's Chinese against its English."""
    import sacrebleu
    from shuangyu.index.english.gloss import gloss, search_gloss
    from shuangyu.index.text.language import Language
    from shuangyu.index.text.vocabulary import Vocabulary

    vocabulary = Language(Vocabulary.read(SEED_CORPUS), shared_dictionary())
    pairs = pairs if pairs is not None else read_sample()
    references = [[english for _, english in pairs]]
    result = {}
    for name, glossing in (("every sense", search_gloss), ("shown", gloss)):
        hypotheses = [glossing(chinese, vocabulary) for chinese, _ in pairs]
        result[name] = {
            "bleu": round(sacrebleu.corpus_bleu(hypotheses, references).score, 2),
            "chrf": round(sacrebleu.corpus_chrf(hypotheses, references).score, 2),
        }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    arguments = parser.parse_args()
    figures = scores()
    if arguments.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{len(read_sample())} sentence pairs ({SAMPLE.relative_to(ROOT)})")
    print(f"{'gloss':<12} {'BLEU':>6} {'chrF':>6}")
    for name, figure in figures.items():
        print(f"{name:<12} {figure['bleu']:>6.2f} {figure['chrf']:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
