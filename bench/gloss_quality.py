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
from testbed.gloss_sample import SAMPLE, read_sample, scores  # noqa: E402


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
