"""The gloss's sample of official translation: sentences of China's Government Work Reports with
their official English (tests/fixtures/gloss_parallel/), and BLEU and chrF of the gloss against them."""

from __future__ import annotations

from pathlib import Path

from testbed.paths import ROOT, SEED_CORPUS, shared_dictionary

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

    language = Language(Vocabulary.read(SEED_CORPUS), shared_dictionary())
    pairs = pairs if pairs is not None else read_sample()
    references = [[english for _, english in pairs]]
    result = {}
    for name, glossing in (("every sense", search_gloss), ("shown", gloss)):
        hypotheses = [glossing(chinese, language) for chinese, _ in pairs]
        result[name] = {
            "bleu": round(sacrebleu.corpus_bleu(hypotheses, references).score, 2),
            "chrf": round(sacrebleu.corpus_chrf(hypotheses, references).score, 2),
        }
    return result
