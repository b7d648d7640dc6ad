"""Machine translation with a tiny but real Argos model, offline, through the real code path:
`shuangyu models install`, `shuangyu build --translator argos`, the translation memory."""

from __future__ import annotations

import json
import zipfile

import pytest
from shuangyu.index.english.translate import TranslationError, select_engine, translate_all
from shuangyu.web.cli import main

from tests.paths import CORPUS_DIR, SEED_LANGUAGE, SEED_PASSAGES, instance_with_dictionary
from tests.tiny_argos import PACKAGE_NAME, TINY_OUTPUT, build_tiny_package

pytestmark = pytest.mark.translation


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """The .argosmodel file of a tiny zh→en model, built in the test session."""
    return build_tiny_package(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An empty instance folder (models, translation memory) and index for the real corpus."""
    monkeypatch.setenv("SHUANGYU_CORPUS_DIR", str(CORPUS_DIR))
    monkeypatch.setenv(
        "SHUANGYU_INSTANCE_DIR", str(instance_with_dictionary(tmp_path / "instance"))
    )
    monkeypatch.setenv("SHUANGYU_INDEX_DIR", str(tmp_path / "instance" / "index"))
    return tmp_path / "instance"


@pytest.fixture
def cli():
    from click.testing import CliRunner

    runner = CliRunner()

    def run(*arguments):
        result = runner.invoke(main, list(arguments))
        assert "Traceback" not in result.output
        return result

    return run


@pytest.fixture
def model_calls(monkeypatch):
    """Counts the passages sent to the Argos model."""
    from shuangyu.index.english.translate import ArgosEngine

    calls = []
    original = ArgosEngine.translate

    def counting(self, texts):
        calls.extend(texts)
        return original(self, texts)

    monkeypatch.setattr(ArgosEngine, "translate", counting)
    return calls


def test_install_list_and_remove_a_model(cli, instance, tiny_model):
    result = cli("models", "install", str(tiny_model))
    assert result.exit_code == 0 and f"{PACKAGE_NAME}@0.1" in result.output
    assert (instance / "models" / PACKAGE_NAME / "model" / "model.bin").is_file()
    assert PACKAGE_NAME in cli("models", "list").output
    assert cli("models", "remove", PACKAGE_NAME).exit_code == 0
    assert "No model installed" in cli("models", "list").output
    result = cli("models", "remove", PACKAGE_NAME)
    assert result.exit_code == 2 and "no installed model" in result.output


def test_build_with_argos_then_rebuild_from_the_memory(cli, instance, tiny_model, model_calls):
    cli("models", "install", str(tiny_model))
    result = cli("build", "--quiet", "--translator", "argos")
    assert result.exit_code == 0, result.output
    assert "machine translation by Argos Translate" in result.output
    unique_passages = len(set(model_calls))
    assert unique_passages == len(model_calls) > 100

    response = json.loads(cli("search", "物流枢纽", "--json").output)
    first = response["results"][0]
    assert first["translation_engine"] == "argos"
    assert TINY_OUTPUT in first["text_en"]
    assert "logistics" in first["gloss_en"]

    model_calls.clear()
    result = cli("build", "--quiet", "--force", "--translator", "argos")
    assert result.exit_code == 0
    assert model_calls == []
    assert f"{SEED_PASSAGES} hits, 0 passages translated" in result.output


def test_an_interrupted_translation_resumes_where_it_stopped(
    instance, tiny_model, model_calls, monkeypatch
):
    from shuangyu.index.english.models import install
    from shuangyu.index.english.translate import ArgosEngine
    from shuangyu.index.sources.corpus import read_corpus
    from shuangyu.index.sources.passages import split_report

    install(tiny_model, instance / "models", max_bytes=10**9)
    engine, _ = select_engine("argos", instance / "models", instance, SEED_LANGUAGE)
    texts = list(
        dict.fromkeys(
            p.text for r in read_corpus(CORPUS_DIR).reports for p in split_report(r.id, r.text)
        )
    )
    original = ArgosEngine.translate

    def interrupted(self, batch):
        if len(model_calls) >= 32:
            raise KeyboardInterrupt
        return original(self, batch)

    monkeypatch.setattr(ArgosEngine, "translate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        translate_all(engine, texts, instance / "translations.sqlite", progress=False)
    done = list(model_calls)
    assert len(done) == 32
    monkeypatch.setattr(ArgosEngine, "translate", original)
    counted = []
    monkeypatch.setattr(
        ArgosEngine, "translate", lambda self, batch: counted.extend(batch) or original(self, batch)
    )
    run = translate_all(engine, texts, instance / "translations.sqlite", progress=False)
    assert run.hits == 32 and run.translated == len(texts) - 32
    assert not set(done) & set(counted)
    assert all(TINY_OUTPUT in english for english in run.translations)


def test_translate_command_fills_the_memory_and_exports_it(
    cli, instance, tiny_model, tmp_path, monkeypatch
):
    cli("models", "install", str(tiny_model))
    result = cli("translate", "--quiet")
    assert result.exit_code == 0 and "passages/s" in result.output
    assert "0 already in the translation memory" in result.output
    assert "already in the translation memory, 0 translated" in cli("translate", "--quiet").output
    export = tmp_path / "memory.jsonl"
    assert cli("translate", "--export", str(export)).exit_code == 0

    # On a machine without the model, the imported translations are used, the rest is glossed.
    monkeypatch.setenv("SHUANGYU_INSTANCE_DIR", str(instance_with_dictionary(tmp_path / "other")))
    monkeypatch.setenv("SHUANGYU_INDEX_DIR", str(tmp_path / "other" / "index"))
    assert "Imported" in cli("translate", "--import", str(export)).output
    assert "dictionary gloss" in cli("build", "--quiet").output
    response = json.loads(cli("search", "物流枢纽", "--json").output)
    assert response["results"][0]["translation_engine"] == "argos"


@pytest.mark.parametrize(
    "breakage, message",
    [
        ("not-a-zip", "not a zip archive"),
        ("wrong-pair", "Shuangyu needs zh→en"),
        ("no-model", "no CTranslate2 model"),
        ("no-splitter", "no minisbd"),
    ],
)
def test_a_broken_model_file_is_refused_and_the_index_still_answers(
    cli, instance, tiny_model, tmp_path, breakage, message
):
    assert cli("build", "--quiet", "--translator", "gloss").exit_code == 0
    broken = tmp_path / "broken.argosmodel"
    if breakage == "not-a-zip":
        broken.write_bytes(b"this is not a model")
    else:
        with zipfile.ZipFile(tiny_model) as source, zipfile.ZipFile(broken, "w") as target:
            for item in source.infolist():
                data = source.read(item)
                if breakage == "wrong-pair" and item.filename.endswith("metadata.json"):
                    data = data.replace(b'"from_code": "zh"', b'"from_code": "en"').replace(
                        b'"to_code": "en"', b'"to_code": "zh"'
                    )
                if breakage == "no-model" and "/model/model.bin" in item.filename:
                    continue
                if breakage == "no-splitter" and "/minisbd/" in item.filename:
                    continue
                target.writestr(item, data)
    result = cli("models", "install", str(broken))
    assert result.exit_code == 2 and message in result.output
    assert not (instance / "models").exists() or not any((instance / "models").iterdir())
    result = cli("build", "--quiet", "--force", "--translator", "argos")
    assert result.exit_code == 2 and "no zh→en model installed" in result.output
    assert json.loads(cli("search", "物流", "--json").output)["total"] > 0


def test_auto_without_a_model_uses_the_gloss_and_says_so(instance):
    engine, note = select_engine("auto", instance / "models", instance, SEED_LANGUAGE)
    assert engine.name == "gloss" and "no zh→en model installed" in note
    with pytest.raises(TranslationError):
        select_engine("argos", instance / "models", instance, SEED_LANGUAGE)
