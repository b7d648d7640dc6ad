"""Where a build's time goes per passage, and what the engine receives, for comparing two versions.

    python bench/build_profile.py profile CORPUS [--passages 3000] [--warm 50] [--cprofile OUT.prof]
    python bench/build_profile.py dump CORPUS OUT.jsonl [--engine tantivy]
    python bench/build_profile.py compare A.jsonl B.jsonl

``profile`` works out every word's English and pinyin as a parallel build does before it forks
(``index.build_words``), then times, in this process, the steps a build's worker runs for each
passage (making the document: gloss, search gloss, pinyin, alignment, word bounds; the engine's
``analyse``) and the writer's ``add``, over the first passages of CORPUS (a folder of reports, such as
``testbed/generate.py`` makes) with the gloss as the English. ``dump`` runs the build's own
``add_reports`` (worker processes included) with a writer that records every analysed passage it
is given, all fields and all tokens with positions and offsets, one JSON line each: run it with
one version's code on the path and then the other's, and ``compare`` the two files.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from shuangyu.index.build_passages import English, add_reports
from shuangyu.index.build_words import prepare_words
from shuangyu.index.documents import Source, document
from shuangyu.index.engines.seam import engine_module
from shuangyu.index.english.dictionary import Dictionary
from shuangyu.index.english.translate import select_engine
from shuangyu.index.sources.corpus import read_corpus
from shuangyu.index.sources.extracted import ExtractionCache
from shuangyu.index.sources.passages import split_report
from shuangyu.index.text.language import Language
from shuangyu.index.workers import usable_cores

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def _language_and_corpus(corpus_dir: Path):
    extracted = ExtractionCache(Path(tempfile.mkdtemp()) / "extracted")
    corpus = read_corpus(corpus_dir, extracted)
    language = Language(corpus.vocabulary, Dictionary(INSTANCE))
    translator, _ = select_engine("gloss", INSTANCE / "models", INSTANCE, language)
    return corpus, language, English(translator, None)


class _Recorder:
    """A writer that writes each analysed passage it is given as one JSON line."""

    def __init__(self, out):
        self.out = out
        self.count = 0

    def delete_report(self, report_id: str) -> None:
        pass

    def add(self, analysed) -> None:
        # tantivy's analysis sends the fields only stored in the stored JSON alone.
        document, tokens, *stored = analysed
        if stored:
            document = {**json.loads(stored[0]), **document}
        self.out.write(
            json.dumps({"document": document, "tokens": tokens}, ensure_ascii=False, sort_keys=True)
            + "\n"
        )
        self.count += 1

    def commit(self, merge: bool = True) -> None:
        pass

    def cancel(self) -> None:
        pass


def dump(corpus_dir: Path, out_path: Path, engine: str) -> None:
    corpus, language, english = _language_and_corpus(corpus_dir)
    started = time.perf_counter()
    with out_path.open("w", encoding="utf-8") as out:
        recorder = _Recorder(out)
        add_reports(corpus.reports, language, english, False, engine, lambda n, r: recorder)
    seconds = time.perf_counter() - started
    print(f"{recorder.count} passages in {seconds:.1f} s ({recorder.count / seconds:.0f}/s)")


def compare(first: Path, second: Path) -> int:
    differing = 0
    count = 0
    with first.open(encoding="utf-8") as a, second.open(encoding="utf-8") as b:
        for count, (line_a, line_b) in enumerate(zip(a, b, strict=True), 1):
            if line_a != line_b:
                differing += 1
                if differing <= 3:
                    one, other = json.loads(line_a), json.loads(line_b)
                    for part in ("document", "tokens"):
                        for key in sorted(set(one[part]) | set(other[part])):
                            if one[part].get(key) != other[part].get(key):
                                print(f"passage {count}, {part}.{key} differs:")
                                print("  ", str(one[part].get(key))[:300])
                                print("  ", str(other[part].get(key))[:300])
    print(f"{count} passages, {differing} differ")
    return 1 if differing else 0


def profile(corpus_dir: Path, passages: int, warm: int, engine: str, cprofile: Path | None) -> None:
    corpus, language, english = _language_and_corpus(corpus_dir)
    sources = []
    for report in corpus.reports:
        for passage in split_report(report.id, report.text, report.layout):
            sources.append(Source(report, passage, None, "gloss"))
        if len(sources) >= passages + warm:
            break
    module = engine_module(engine)
    language.warm()
    # Warm-up passes over the first passages, as a worker's caches are warm after its first
    # passages of a large build (the first uses of pypinyin, the dictionary).
    for source in sources[:warm]:
        module.analyse(document(source, language), language)
    sources = sources[warm : warm + passages]
    # As a parallel build does before it forks its document workers: every word's English and
    # pinyin worked out once, in worker processes (their CPU time is the children's).
    workers = max(2, usable_cores())
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    prepare_words([source.passage.text for source in sources], language, workers, False)
    words_wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    words_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    profiler = cProfile.Profile() if cprofile else None
    if profiler:
        profiler.enable()
    # One passage after the other, as a worker makes them: its analysis finds the passage's
    # normalised and segmented text in the caches its document filled.
    making = analysing = 0.0
    analysed = []
    clock = time.process_time  # CPU time: the machine may be shared
    for source in sources:
        started = clock()
        made = document(source, language)
        middle = clock()
        analysed.append(module.analyse(made, language))
        making += middle - started
        analysing += clock() - middle
    if profiler:
        profiler.disable()
        profiler.dump_stats(str(cprofile))
    with tempfile.TemporaryDirectory() as folder:
        writer = module.create(Path(folder), language, len(analysed))
        added = time.process_time()
        for one in analysed:
            writer.add(one)
        handed = time.process_time()
        writer.commit()
        committed = time.process_time()
    n = len(sources)
    print(f"{n} passages, per passage:")
    print(
        f"  words     {words_cpu / n * 1000:.3f} ms (CPU, once per build, {workers} processes:"
        f" {words_wall / n * 1000:.3f} ms wall)"
    )
    print(f"  document  {making / n * 1000:.3f} ms")
    print(f"  analyse   {analysing / n * 1000:.3f} ms")
    print(f"  add       {(handed - added) / n * 1000:.3f} ms (CPU, tantivy's threads too)")
    print(f"  commit    {(committed - handed) / n * 1000:.3f} ms (CPU)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("profile")
    one.add_argument("corpus", type=Path)
    one.add_argument("--passages", type=int, default=3000)
    one.add_argument("--warm", type=int, default=50, help="passages made first, untimed")
    one.add_argument("--engine", default="tantivy")
    one.add_argument("--cprofile", type=Path)
    two = commands.add_parser("dump")
    two.add_argument("corpus", type=Path)
    two.add_argument("out", type=Path)
    two.add_argument("--engine", default="tantivy")
    three = commands.add_parser("compare")
    three.add_argument("first", type=Path)
    three.add_argument("second", type=Path)
    arguments = parser.parse_args()
    if arguments.command == "profile":
        profile(
            arguments.corpus,
            arguments.passages,
            arguments.warm,
            arguments.engine,
            arguments.cprofile,
        )
    elif arguments.command == "dump":
        dump(arguments.corpus, arguments.out, arguments.engine)
    else:
        return compare(arguments.first, arguments.second)
    return 0


if __name__ == "__main__":
    sys.exit(main())
