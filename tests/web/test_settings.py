"""The settings are declared once (web/settings_declared.py): the table of docs/settings.md and the
command's help are made from that table, and nothing below web/ reads the environment."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from shuangyu.index.sources.passages import KINDS
from shuangyu.web.cli import main
from shuangyu.web.interface_text import STRINGS
from shuangyu.web.settings import SettingError, load_settings
from shuangyu.web.settings_declared import SETTINGS, settings_table

from tests.paths import REPOSITORY_ROOT


def test_the_settings_page_table_is_the_one_the_settings_make():
    page = (REPOSITORY_ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    table = re.search(
        r"<!-- settings table:[^\n]*-->\n(.*?)\n<!-- end of settings table -->", page, re.S
    )
    assert table, "docs/settings.md lost its settings table markers"
    assert table.group(1) == settings_table(), (
        "docs/settings.md's settings table drifted: paste settings_table()'s output"
    )


@pytest.mark.parametrize("command", [[], ["serve"]], ids=["shuangyu", "shuangyu serve"])
def test_help_lists_every_setting_with_its_option_variable_and_default(command):
    output = re.sub(
        r"\s+", " ", CliRunner().invoke(main, [*command, "--help"], terminal_width=200).output
    )
    for setting in SETTINGS:
        if setting.serve_only == bool(command):
            assert setting.option in output and f"env var: {setting.env}" in output
            assert setting.help.split(".")[0] in output


def test_help_says_where_the_folders_are_from_the_current_folder(tmp_path, monkeypatch):
    for setting in SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)
    monkeypatch.chdir(tmp_path)
    output = CliRunner().invoke(main, ["--help"], terminal_width=300).output
    assert str(tmp_path / "corpus") in output and str(tmp_path / "instance" / "index") in output


def test_a_setting_from_an_option_wins_over_the_environment_and_a_bad_one_is_named(tmp_path):
    chosen = load_settings({"SHUANGYU_CORPUS_DIR": "/elsewhere"}, {"corpus_dir": str(tmp_path)})
    assert chosen.corpus_dir == tmp_path
    with pytest.raises(
        SettingError, match=r"^SHUANGYU_RATE_LIMIT \(--rate-limit\) must be a rate such as"
    ):
        load_settings({"SHUANGYU_RATE_LIMIT": "often"})


def _reads_of_the_environment(tree: ast.AST) -> list[int]:
    """Lines that read os.environ or call os.getenv (setting a variable for a library is not a read)."""
    stores = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)
    }
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("environ", "getenv", "environb")
            and id(node) not in stores
        ):
            lines.append(node.lineno)
    return lines


def test_nothing_in_index_or_search_reads_the_environment():
    readers = {
        f"{path.relative_to(REPOSITORY_ROOT)}:{line}"
        for folder in ("index", "search")
        for path in (REPOSITORY_ROOT / folder).rglob("*.py")
        for line in _reads_of_the_environment(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert not readers


def test_no_setting_is_kept_in_a_module_global():
    """Settings are passed down, not handed to a module once per process (as the OpenSearch
    cluster once was): no module of the product rebinds a module global, except the jobs that
    a build's forked workers inherit (index/documents.py, index/build_words.py)."""
    rebinding = {
        f"{path.relative_to(REPOSITORY_ROOT)}:{node.lineno}"
        for folder in ("index", "search", "web")
        for path in (REPOSITORY_ROOT / folder).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Global)
    }
    assert {place.split(":")[0] for place in rebinding} == {
        "index/documents.py",
        "index/build_words.py",
    }, rebinding


def test_the_environment_check_sees_a_read():
    assert _reads_of_the_environment(
        ast.parse("import os\nx = os.environ.get('A')\nos.environ['B'] = 'c'\n")
    ) == [2]


def test_no_document_points_outside_the_repository():
    sources = [
        REPOSITORY_ROOT / "README.md",
        *(REPOSITORY_ROOT / "docs").glob("*.md"),
        *(
            path
            for folder in ("index", "search", "web")
            for path in (REPOSITORY_ROOT / folder).rglob("*.py")
        ),
    ]
    assert not [path.name for path in sources if "DESIGN.md" in path.read_text(encoding="utf-8")]


def test_every_passage_kind_has_a_label_in_both_languages():
    assert all(all(STRINGS[f"kind_{kind}"]) for kind in KINDS)


def test_no_test_or_benchmark_reads_the_repository_corpus_folder():
    """Tests and benchmarks read the frozen copy (tests/fixtures/corpus), so that corpus/ can grow."""
    live = re.compile(
        r"""(?:ROOT|REPOSITORY_ROOT)\s*/\s*["']corpus["']|joinpath\(\s*["']corpus["']\s*\)"""
    )
    offenders = [
        path.name
        for folder in ("tests", "bench")
        for path in (REPOSITORY_ROOT / folder).rglob("*.py")
        if live.search(path.read_text(encoding="utf-8")) and path.name != "test_settings.py"
    ]
    assert not offenders


def test_the_index_folder_follows_the_instance_folder_unless_it_is_set(tmp_path):
    assert load_settings({"SHUANGYU_INSTANCE_DIR": str(tmp_path)}).index_dir == tmp_path / "index"
    assert load_settings(
        {"SHUANGYU_INSTANCE_DIR": str(tmp_path), "SHUANGYU_INDEX_DIR": "/srv/index"}
    ).index_dir == Path("/srv/index")


def test_a_vocabulary_made_in_code_is_not_mistaken_for_another():
    from shuangyu.index.text.analysis import query_words
    from shuangyu.index.text.vocabulary import Name, Vocabulary

    from tests.paths import language

    assert query_words("特钢厂", language()) != ["特钢厂"]
    assert query_words(
        "特钢厂", language(Vocabulary(names={"特钢厂": Name("特钢厂", "place")}))
    ) == ["特钢厂"]


def test_a_folder_option_after_the_command_wins_over_one_before_it(real_index, tmp_path):
    arguments = [
        "--index-dir",
        str(tmp_path / "nowhere"),
        "search",
        "物流枢纽",
        "--json",
        "--index-dir",
        str(real_index),
    ]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    assert '"total"' in result.output and '"物流枢纽"' in result.output
    missing = CliRunner().invoke(
        main, ["search", "物流枢纽", "--index-dir", str(tmp_path / "nowhere")]
    )
    assert missing.exit_code == 2 and "shuangyu build" in missing.output
