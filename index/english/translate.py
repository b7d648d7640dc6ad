"""Translation engines behind one small interface, and translation through the memory.

``gloss``: the CC-CEDICT dictionary gloss (always available, not a translation).
``argos``: Argos Translate (OpenNMT/CTranslate2) with a zh→en model package installed in the
instance folder. argostranslate is imported only here, only when a passage is to be translated:
it costs seconds and hundreds of MB, and the web process never needs it.
"""

from __future__ import annotations

import importlib.util
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from shuangyu.index.english import gloss
from shuangyu.index.english.memory import TranslationMemory, source_hash
from shuangyu.index.english.models import ModelPackage, installed
from shuangyu.index.text.language import Language
from tqdm import tqdm

CHOICES = ("auto", "argos", "gloss")
BATCH = 16


class TranslationError(Exception):
    """The chosen engine cannot run here; the message says what to do."""


class Engine(Protocol):
    name: str
    model: str
    machine: bool  # True for machine translation, False for a dictionary gloss

    def translate(self, texts: list[str]) -> list[str]:
        """The English of each text, in order."""


class GlossEngine:
    """The dictionary gloss, with the names of the collection's vocabulary."""

    name = gloss.ENGINE
    # Named anew whenever what the gloss shows changes, so that an index made with the old one
    # is rebuilt rather than mixed (reading-1: one sense per word, figures in English).
    model = "cc-cedict/reading-1"
    machine = False

    def __init__(self, language: Language):
        self.language = language

    def translate(self, texts: list[str]) -> list[str]:
        return [gloss.gloss(text, self.language) for text in texts]


class ArgosEngine:
    """Argos Translate with one installed package. ``calls`` counts passages sent to the model."""

    name = "argos"
    machine = True

    def __init__(self, package: ModelPackage, instance_dir: Path):
        self.package = package
        self.model = package.identity
        self.instance_dir = instance_dir
        self.calls = 0
        self._translation = None

    def _load(self):
        # Importing argostranslate creates folders under $HOME (and onnxruntime under
        # ~/.cache): point the XDG folders at the instance folder first.
        for variable, folder in (
            ("XDG_DATA_HOME", "data"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_CACHE_HOME", "cache"),
        ):
            os.environ[variable] = str(self.instance_dir / "argos" / folder)
        os.environ["ARGOS_PACKAGES_DIR"] = str(self.package.path.parent)
        from argostranslate.package import Package
        from argostranslate.translate import PackageTranslation

        # The translation is built from our package directly rather than through argos's
        # process-wide registry of installed languages, which outlives an uninstall.
        return PackageTranslation(None, None, Package(self.package.path))

    def translate(self, texts: list[str]) -> list[str]:
        if self._translation is None:
            self._translation = self._load()
        results = []
        for text in texts:
            results.append(self._translation.translate(text))
            self.calls += 1
        return results


def argos_available() -> bool:
    """True when the ``mt`` extra (argostranslate) is installed."""
    return importlib.util.find_spec("argostranslate") is not None


def select_engine(
    choice: str, models_dir: Path, instance_dir: Path, language: Language
) -> tuple[Engine, str]:
    """The engine for ``choice`` and one line saying which and why.

    ``auto`` takes Argos when a zh→en model is installed and argostranslate is available,
    otherwise the gloss. ``argos`` raises ``TranslationError`` when it cannot run.
    """
    if choice not in CHOICES:
        raise TranslationError(f"translator must be one of {', '.join(CHOICES)}")
    if choice == "gloss":
        return GlossEngine(language), "English: dictionary gloss (CC-CEDICT), as asked."
    packages = installed(models_dir)
    if packages and argos_available():
        package = packages[0]
        return ArgosEngine(
            package, instance_dir
        ), f"English: machine translation by Argos Translate ({package.identity})."
    if choice == "argos":
        if not packages:
            raise TranslationError(
                f"no zh→en model installed in {models_dir}: run `shuangyu models install FILE.argosmodel`"
            )
        raise TranslationError(
            "argostranslate is not installed: pip install torch==2.13.0 -e '.[mt]'"
        )
    reason = "no zh→en model installed" if not packages else "argostranslate is not installed"
    return GlossEngine(language), f"English: dictionary gloss (CC-CEDICT), because {reason}."


@dataclass
class TranslationRun:
    """What translating a set of texts took: memory hits, model calls and time. ``engines``
    says, text by text, which engine made the English."""

    engine: str
    model: str
    translations: list[str | None] = field(default_factory=list)
    engines: list[str] = field(default_factory=list)
    hits: int = 0
    translated: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Passages translated by the model per second."""
        return self.translated / self.seconds if self.seconds else 0.0


def translate_all(
    engine: Engine,
    texts: list[str],
    memory_path: Path | None,
    progress: bool = True,
    defer_gloss: bool = False,
) -> TranslationRun:
    """Translate ``texts`` with ``engine``, through the translation memory for machine engines.

    Only texts the memory lacks go to the model, in batches committed one by one, so an
    interrupted run keeps what it finished and the next run resumes after it. The gloss reads
    remembered machine translations from the memory unless ``memory_path`` is ``None``; with
    ``defer_gloss`` its translations are ``None`` where the gloss is the English (a build makes
    the gloss of every passage anyway, ``index.documents``).
    """
    run = TranslationRun(engine.name, engine.model)
    if not engine.machine:
        return _gloss_or_remembered(engine, texts, memory_path, run, defer_gloss)
    with TranslationMemory(memory_path) as memory:
        known = memory.lookup(engine.name, engine.model, texts)
        missing = list(dict.fromkeys(text for text in texts if source_hash(text) not in known))
        run.hits = len(texts) - sum(1 for text in texts if source_hash(text) not in known)
        started = time.perf_counter()
        with tqdm(
            total=len(missing), desc="Translating", unit="passage", disable=not progress
        ) as bar:
            for start in range(0, len(missing), BATCH):
                batch = missing[start : start + BATCH]
                english = engine.translate(batch)
                memory.store(engine.name, engine.model, zip(batch, english))
                known.update(
                    (source_hash(source), target) for source, target in zip(batch, english)
                )
                run.translated += len(batch)
                bar.update(len(batch))
        run.seconds = time.perf_counter() - started
        run.translations = [known[source_hash(text)] for text in texts]
        run.engines = [engine.name] * len(texts)
    return run


def translator_identity(engine: Engine, memory_path: Path | None) -> str:
    """What the English of a build depends on: the engine's model, and for the gloss the
    remembered machine translations it would use (none without ``memory_path``). A build is up
    to date only if this is unchanged."""
    if engine.machine or memory_path is None or not memory_path.is_file():
        return f"{engine.name}:{engine.model}"
    with TranslationMemory(memory_path) as memory:
        model = memory.best_model(ArgosEngine.name)
        return (
            f"{engine.name}:{engine.model}+memory:{model}:{memory.count()}"
            if model
            else f"{engine.name}:{engine.model}"
        )


def _gloss_or_remembered(
    engine: Engine,
    texts: list[str],
    memory_path: Path | None,
    run: TranslationRun,
    defer_gloss: bool,
) -> TranslationRun:
    """The gloss, except where the memory holds an Argos translation (imported from a machine
    that has the model, with `shuangyu translate --import`). With ``defer_gloss``, the gloss is
    left to be made with the rest of each passage's analysis: ``None`` in its place."""
    remembered: dict[str, str] = {}
    if memory_path is not None and memory_path.is_file():
        with TranslationMemory(memory_path) as memory:
            model = memory.best_model(ArgosEngine.name)
            if model:
                remembered = memory.lookup(ArgosEngine.name, model, texts)
                run.model = f"{engine.model}+memory:{model}"
    to_gloss = [text for text in texts if source_hash(text) not in remembered]
    glossed_iter = iter([None] * len(to_gloss) if defer_gloss else engine.translate(to_gloss))
    for text in texts:
        key = source_hash(text)
        run.translations.append(remembered[key] if key in remembered else next(glossed_iter))
        run.engines.append(ArgosEngine.name if key in remembered else engine.name)
    run.hits = sum(1 for name in run.engines if name == ArgosEngine.name)
    return run
