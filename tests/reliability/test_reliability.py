"""Reliability through the real commands: rebuild under load, killed and concurrent builds, a
damaged index, faulty corpus files, and a short load run. Everything runs on loopback."""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from testbed.generate import generate
from tests.paths import (
    CLUSTER,
    CORPUS_DIR,
    REPOSITORY_ROOT,
    SEED_PASSAGES,
    instance_with_dictionary,
)
from tests.serving import serving

pytestmark = pytest.mark.every_engine

MARKER = "zqxjv7"  # a word that occurs nowhere else, in any field


def shuangyu(*arguments, env, check=False, **options):
    """Run the `shuangyu` command as a user does, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "shuangyu.web.cli", *arguments],
        cwd=REPOSITORY_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=check,
        **options,
    )


@pytest.fixture
def site(tmp_path):
    """Environment of a corpus copy, an index and an instance folder of this test's own."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    return {
        **os.environ,
        "SHUANGYU_CORPUS_DIR": str(corpus),
        "SHUANGYU_INDEX_DIR": str(tmp_path / "index"),
        "SHUANGYU_INSTANCE_DIR": str(instance_with_dictionary(tmp_path / "instance")),
    }


@pytest.fixture
def big_site(tmp_path):
    """Like ``site``, with 1,500 synthetic passages, so that a build takes seconds."""
    corpus = tmp_path / "corpus"
    generate(corpus, 1500)
    return {
        **os.environ,
        "SHUANGYU_CORPUS_DIR": str(corpus),
        "SHUANGYU_INDEX_DIR": str(tmp_path / "index"),
        "SHUANGYU_INSTANCE_DIR": str(instance_with_dictionary(tmp_path / "instance")),
    }


@pytest.fixture
def server(site):
    """`shuangyu serve` over the site (it builds the index first, there being none)."""
    with serving(site) as base:
        yield base


def get_json(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def started_build(env) -> subprocess.Popen:
    """A `shuangyu build --force` in the background, returned once it is writing."""
    process = subprocess.Popen(
        [sys.executable, "-m", "shuangyu.web.cli", "build", "--force", "--quiet"],
        cwd=REPOSITORY_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    builds = Path(env["SHUANGYU_INDEX_DIR"]) / "builds"
    deadline = time.monotonic() + 60
    while not any(builds.glob(".tmp-*")):
        assert process.poll() is None and time.monotonic() < deadline, (
            "the build did not start writing"
        )
        time.sleep(0.05)
    return process


def test_rebuild_under_load_answers_every_request_and_switches_without_restart(server, site):
    (Path(site["SHUANGYU_CORPUS_DIR"]) / "zz_new.txt").write_text(
        f"新报告\n\n{MARKER}出现在磁器口。\n", encoding="utf-8"
    )
    assert get_json(f"{server}/api/search?q={urllib.parse.quote(MARKER)}")[1]["total"] == 0
    answers, stop = [], threading.Event()

    def client():
        deadline = time.monotonic() + 120
        while not stop.is_set() and len(answers) < 2000 and time.monotonic() < deadline:
            answers.append(get_json(f"{server}/api/search?q={urllib.parse.quote('物流枢纽')}"))

    thread = threading.Thread(target=client)
    thread.start()
    try:
        build = shuangyu("build", "--force", "--quiet", env=site)
    finally:
        time.sleep(0.5)
        stop.set()
        thread.join()
    assert build.returncode == 0, build.stderr
    assert len(answers) > 5
    reference = [result["id"] for result in answers[0][1]["results"]]
    assert len(reference) >= 5
    for status, body in answers:
        assert status == 200
        assert [result["id"] for result in body["results"]] == reference
    found = get_json(f"{server}/api/search?q={urllib.parse.quote(MARKER)}")[1]
    assert found["total"] == 1


def test_a_killed_build_leaves_the_previous_index_and_the_next_build_succeeds(big_site):
    assert shuangyu("build", "--quiet", env=big_site).returncode == 0
    index_dir = Path(big_site["SHUANGYU_INDEX_DIR"])
    before = (index_dir / "current").resolve()
    process = started_build(big_site)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert (index_dir / "current").resolve() == before
    answer = shuangyu("search", "沙坪坝", "--json", env=big_site)
    assert answer.returncode == 0 and json.loads(answer.stdout)["total"] > 0
    assert shuangyu("build", "--force", "--quiet", env=big_site).returncode == 0
    assert (index_dir / "current").resolve() != before
    assert not list((index_dir / "builds").glob(".tmp-*"))


@pytest.fixture(scope="module")
def parallel_site_built(tmp_path_factory):
    """A corpus big enough for the parallel (two worker processes) build, and its index."""
    root = tmp_path_factory.mktemp("parallel")
    generate(root / "corpus", 3000)
    env = {
        **os.environ,
        "SHUANGYU_CORPUS_DIR": str(root / "corpus"),
        "SHUANGYU_INDEX_DIR": str(root / "index"),
        "SHUANGYU_INSTANCE_DIR": str(instance_with_dictionary(root / "instance")),
    }
    built = shuangyu("build", "--quiet", "--translator", "gloss", env=env)
    assert built.returncode == 0, built.stderr
    return root, env


@pytest.fixture
def parallel_site(parallel_site_built, tmp_path):
    """A copy of ``parallel_site_built``'s index (and the same corpus) for one test to damage."""
    root, env = parallel_site_built
    shutil.copytree(root / "index", tmp_path / "index", symlinks=True)
    return {**env, "SHUANGYU_INDEX_DIR": str(tmp_path / "index")}


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text() if entry.isdigit() else ""
        except OSError:
            continue
        if stat and int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(entry))
    return found


def is_running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (an orphan that no one has reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2 :].split()[0] != "Z"


@pytest.mark.parametrize(
    "signal_number, after",
    [(signal.SIGKILL, 0.0), (signal.SIGKILL, 3.0), (signal.SIGTERM, 0.0), (signal.SIGTERM, 3.0)],
    ids=["kill-at-start", "kill-later", "term-at-start", "term-later"],
)
def test_a_parallel_build_killed_leaves_no_worker_and_the_next_build_runs(
    parallel_site, tmp_path, signal_number, after
):
    index_dir = Path(parallel_site["SHUANGYU_INDEX_DIR"])
    before = (index_dir / "current").resolve()
    # Output to a file: a pipe would stay open as long as any worker lives.
    with open(tmp_path / "stderr", "w") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "shuangyu.web.cli",
                "build",
                "--force",
                "--quiet",
                "--translator",
                "gloss",
            ],
            cwd=REPOSITORY_ROOT,
            env=parallel_site,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while not children_of(process.pid):
            assert process.poll() is None and time.monotonic() < deadline, (
                "the build started no worker process"
            )
            time.sleep(0.05)
        time.sleep(after)
        workers = children_of(process.pid)
        assert workers, "the workers ended before the signal"
        process.send_signal(signal_number)
        assert process.wait(timeout=60) != 0, "the build went on to the end: the signal was lost"
        deadline = time.monotonic() + 10
        while any(map(is_running, workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(map(is_running, workers)), "a worker process outlived its build"
    finally:
        for pid in filter(is_running, workers):
            os.kill(pid, signal.SIGKILL)
    assert "Traceback" not in (tmp_path / "stderr").read_text()
    if signal_number == signal.SIGTERM:
        assert not list((index_dir / "builds").glob(".tmp-*")), (
            "SIGTERM left the temporary build behind"
        )
    assert (index_dir / "current").resolve() == before
    answer = shuangyu("search", "沙坪坝", "--json", env=parallel_site)
    assert answer.returncode == 0 and json.loads(answer.stdout)["total"] > 0
    again = shuangyu("build", "--quiet", "--translator", "gloss", env=parallel_site)
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout
    assert not list((index_dir / "builds").glob(".tmp-*"))


def test_a_second_build_at_the_same_time_is_refused_and_the_first_completes(big_site):
    assert shuangyu("build", "--quiet", env=big_site).returncode == 0
    first = started_build(big_site)
    second = shuangyu("build", "--force", "--quiet", env=big_site)
    assert second.returncode == 2
    assert "another `shuangyu build` is running" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert json.loads(shuangyu("search", "沙坪坝", "--json", env=big_site).stdout)["total"] > 0


@pytest.mark.parametrize("damage", ["truncate", "delete", "garble-toc", "no-manifest"])
def test_a_damaged_index_gives_one_clear_message_and_build_recovers(site, damage):
    assert shuangyu("build", "--quiet", env=site).returncode == 0
    build = (Path(site["SHUANGYU_INDEX_DIR"]) / "current").resolve()
    # The engine's largest file, and its table of contents (Whoosh's .toc, tantivy's meta.json,
    # the opensearch engine's opensearch.json: which index of the cluster it wrote).
    own_files = [
        path
        for path in build.iterdir()
        if path.is_file() and path.suffix not in (".tsv", ".lock") and path.name != "manifest.json"
    ]
    segment = max(own_files, key=lambda path: path.stat().st_size)
    if damage == "truncate":
        segment.write_bytes(segment.read_bytes()[:1000])
    elif damage == "delete":
        segment.unlink()
    elif damage == "garble-toc":
        toc = next(
            path
            for path in own_files
            if path.name in ("meta.json", "opensearch.json") or path.suffix == ".toc"
        )
        toc.write_bytes(b"garbage" * 10)
    else:
        (build / "manifest.json").unlink()
    answer = shuangyu("search", "物流", env=site)
    assert answer.returncode == 2
    assert "Traceback" not in answer.stderr and len(answer.stderr.strip().splitlines()) == 1
    assert "shuangyu build" in answer.stderr

    from shuangyu.web.app import create_app

    health = (
        create_app({"TESTING": True, "INDEX_DIR": Path(site["SHUANGYU_INDEX_DIR"])})
        .test_client()
        .get("/healthz")
    )
    assert health.status_code == 503
    rebuilt = shuangyu("build", "--quiet", env=site)
    assert rebuilt.returncode == 0 and f"Indexed {SEED_PASSAGES} passages" in rebuilt.stdout
    assert json.loads(shuangyu("search", "物流", "--json", env=site).stdout)["total"] > 0


def test_faulty_corpus_files_are_named_and_the_rest_is_indexed(site):
    corpus = Path(site["SHUANGYU_CORPUS_DIR"])
    source = (corpus / "001_fe30f50336b97a3f.txt").read_text(encoding="utf-8")
    (corpus / "gb.txt").write_bytes(
        f"国标编码报告\n\n{MARKER}在国标编码的报告里。\n".encode("gb18030")
    )
    (corpus / "windows.txt").write_bytes(
        b"\xef\xbb\xbf" + "视窗报告\r\n\r\n视窗换行的段落写在这里。\r\n".encode()
    )
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "copy.txt").write_text(source, encoding="utf-8")
    (corpus / "copy.toml").write_bytes((corpus / "001_fe30f50336b97a3f.toml").read_bytes())
    (corpus / "badmeta.txt").write_text("元数据坏了的报告。\n", encoding="utf-8")
    (corpus / "badmeta.toml").write_text('title = "unclosed\n', encoding="utf-8")
    result = shuangyu("build", "--quiet", "--details", env=site)
    assert result.returncode == 0, result.stderr
    warnings = result.stderr
    assert "empty.txt: empty report" in warnings
    assert "binary.txt: binary file" in warnings
    assert "copy.txt: duplicate report id 'shapingba-2020-four-highs'" in warnings
    assert "badmeta.txt: malformed metadata" in warnings
    windows = json.loads(shuangyu("search", "视窗", "--json", env=site).stdout)["results"]
    assert [result["text"] for result in windows] == ["视窗换行的段落写在这里。", "视窗报告"]
    found = json.loads(shuangyu("search", MARKER, "--json", env=site).stdout)
    assert found["total"] == 1 and found["results"][0]["report_id"] == "gb", found["results"]
    assert "Indexed" in result.stdout and "from 4 reports" in result.stdout


def test_schemathesis_finds_no_server_error_or_schema_violation(server):
    """Every operation of /api/openapi.json, with bounded generated examples. Requests the
    schema allows but the search cannot use (a query of punctuation only) get a 400 problem,
    so the check that all schema-valid requests succeed is left out."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            f"{server}/api/openapi.json",
            "--max-examples",
            "25",
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.load
def test_load_run_has_no_errors(tmp_path, site):
    result = subprocess.run(
        [sys.executable, "bench/load.py", "--seconds", "1", "--json", str(tmp_path / "load.json")],
        cwd=REPOSITORY_ROOT,
        env=site,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads((tmp_path / "load.json").read_text())
    for workload in ("wrk", "wrk_uncached"):
        assert set(figures[workload]) == {"1", "8", "32"}
        assert all(
            load["errors"] == 0 and load["server_running"] for load in figures[workload].values()
        )


def test_concurrent_uncached_searches_give_the_same_answers_as_one_at_a_time(big_site):
    """The serving threads share one searcher: queries that miss the result cache, run from
    eight threads at once, must each give exactly the answer they give alone."""
    from shuangyu.index.build import build_index
    from shuangyu.index.instance import InstanceFolder
    from shuangyu.search.searcher import Searcher

    from tests.paths import DICTIONARY

    index_dir = Path(big_site["SHUANGYU_INDEX_DIR"])
    build_index(
        Path(big_site["SHUANGYU_CORPUS_DIR"]),
        index_dir,
        InstanceFolder(Path(big_site["SHUANGYU_INSTANCE_DIR"])),
        progress=False,
        translator="gloss",
        cluster=CLUSTER,
    )
    searcher = Searcher(index_dir, cache_size=0, dictionary=DICTIONARY, cluster=CLUSTER)
    queries = [
        "沙坪坝",
        "发展",
        "物流",
        "城市",
        "district",
        "develop",
        "city",
        "logistics",
        "road",
        "water",
        "经济 建设",
        "park",
    ]
    alone = {query: searcher.search(query, limit=20) for query in queries}
    failures: list[str] = []

    def worker(seed: int) -> None:
        order = queries[seed:] + queries[:seed]
        for _ in range(3):
            for query in order:
                try:
                    answer = searcher.search(query, limit=20)
                except Exception as error:  # noqa: BLE001 - any exception is the failure reported
                    failures.append(f"{query}: {type(error).__name__}: {error}")
                    continue
                if [r["id"] for r in answer["results"]] != [
                    r["id"] for r in alone[query]["results"]
                ]:
                    failures.append(f"{query}: different results")

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    searcher.close()
    assert not failures, failures[:5]


FAKE_MODEL = "zh_en_fake"


def model_archive(
    path: Path, members: dict[str, bytes] | None = None, compression=zipfile.ZIP_DEFLATED
) -> Path:
    """An .argosmodel file with every part Shuangyu checks (not a working model), with
    ``members`` (relative to its top folder) added or replaced; ``None`` for a folder."""
    parts = {
        "metadata.json": json.dumps(
            {"from_code": "zh", "to_code": "en", "package_version": "1.0"}
        ).encode(),
        "model/model.bin": b"model",
        "sentencepiece.model": b"pieces",
        "minisbd/zh.onnx": b"splitter",
        **(members or {}),
    }
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in parts.items():
            if data is None:
                archive.mkdir(f"{FAKE_MODEL}/{name}")
            else:
                archive.writestr(f"{FAKE_MODEL}/{name}", data)
    return path


def patch_directory(path: Path, offset: int, fmt: str, value) -> None:
    """Overwrite the field at ``offset`` of every central directory record of a zip file (the
    records zipfile goes by)."""
    data = bytearray(path.read_bytes())
    start = data.find(b"PK\x01\x02")
    while start != -1:
        struct.pack_into(fmt, data, start + offset, value)
        start = data.find(b"PK\x01\x02", start + 4)
    path.write_bytes(bytes(data))


def broken_archive(folder: Path, fault: str) -> Path:
    """A model archive with ``fault``."""
    path = folder / f"{fault}.argosmodel"
    if fault == "bad-crc":
        model_archive(path, {"model/model.bin": b"M" * 5000}, compression=zipfile.ZIP_STORED)
        data = path.read_bytes()
        path.write_bytes(data.replace(b"M" * 100, b"N" + b"M" * 99, 1))
    elif fault == "encrypted":
        model_archive(path)
        patch_directory(path, 8, "<H", 0x1)  # general purpose flags: bit 0, encrypted
    elif fault == "unsupported-compression":
        model_archive(path)
        patch_directory(path, 10, "<H", 99)  # compression method 99: AES (WinZip)
    elif fault == "sizes-that-lie":
        model_archive(path, {"model/model.bin": bytes(3_000_000)})
        patch_directory(path, 24, "<I", 1000)  # declared uncompressed size
    elif fault == "too-big":
        model_archive(path, {"model/model.bin": bytes(3_000_000)})
    elif fault == "nested-json":
        model_archive(path, {"metadata.json": b"[" * 100_000 + b"]" * 100_000})
    elif fault == "invalid-json":
        model_archive(path, {"metadata.json": b'{"from_code": \xff}'})
    elif fault == "metadata-folder":
        model_archive(path, {"metadata.json": None, "metadata.json/inside": b"{}"})
    elif fault == "file-and-folder":
        model_archive(path, {"model/part": b"a file", "model/part/inside": b"under a file"})
    return path


@pytest.mark.no_index
@pytest.mark.parametrize(
    "fault, message",
    [
        ("bad-crc", "Bad CRC-32"),
        ("encrypted", "encrypted"),
        ("unsupported-compression", "compression method"),
        ("sizes-that-lie", "cannot unpack"),
        ("too-big", "unpacks to more than 1,000,000 bytes"),
        ("nested-json", "nested too deeply"),
        ("invalid-json", "not valid JSON"),
        ("metadata-folder", "cannot read metadata.json"),
        ("file-and-folder", "cannot unpack"),
    ],
)
def test_a_faulty_model_archive_is_refused_in_one_line_and_leaves_nothing(
    site, tmp_path, fault, message
):
    env = {**site, "SHUANGYU_MODEL_MAX_BYTES": "1000000"}
    result = shuangyu("models", "install", str(broken_archive(tmp_path, fault)), env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, (
        result.stderr
    )
    assert message in result.stderr
    models = Path(site["SHUANGYU_INSTANCE_DIR"]) / "models"
    assert not models.exists() or not list(models.iterdir())


@pytest.mark.no_index
def test_a_model_within_the_cap_installs_and_a_killed_install_is_cleaned_up_at_the_next_one(
    site, tmp_path
):
    models = Path(site["SHUANGYU_INSTANCE_DIR"]) / "models"
    # What an install killed part way leaves: its folder, named for a process that has ended.
    abandoned = models / ".unpack-999999999-k1ll3d"
    (abandoned / FAKE_MODEL).mkdir(parents=True)
    (abandoned / FAKE_MODEL / "model.bin").write_bytes(bytes(1000))
    running = models / f".unpack-{os.getpid()}-running"
    running.mkdir()
    listed = shuangyu("models", "list", env=site)
    assert listed.returncode == 0 and "No model installed" in listed.stdout
    assert not abandoned.exists() and running.exists()
    abandoned.mkdir()
    env = {**site, "SHUANGYU_MODEL_MAX_BYTES": "4000000"}
    result = shuangyu(
        "models",
        "install",
        str(model_archive(tmp_path / "ok.argosmodel", {"model/model.bin": bytes(3_000_000)})),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert f"Installed {FAKE_MODEL}@1.0" in result.stdout
    assert sorted(path.name for path in models.iterdir()) == [running.name, FAKE_MODEL]
    bad = shuangyu(
        "models",
        "install",
        str(tmp_path / "ok.argosmodel"),
        env={**site, "SHUANGYU_MODEL_MAX_BYTES": "lots"},
    )
    assert (
        bad.returncode == 2
        and "SHUANGYU_MODEL_MAX_BYTES (--model-max-bytes) must be a positive whole number"
        in bad.stderr
    )


def memory_record(source: str = "物流枢纽", translation: str = "logistics hub", **fields) -> dict:
    """One line of `shuangyu translate --export`, as a dict."""
    from shuangyu.index.english.memory import source_hash

    return {
        "engine": "argos",
        "model": "zh_en@1.0",
        "source_hash": source_hash(source),
        "source": source,
        "translation": translation,
        "created_at": "2026-01-01T00:00:00+00:00",
        **fields,
    }


@pytest.mark.no_index
@pytest.mark.parametrize(
    "fault, line, message",
    [
        (
            "lone-surrogate",
            json.dumps(memory_record(translation="\ud800 hub")),
            "translation holds a lone surrogate",
        ),
        ("nested", "[" * 100_000 + "]" * 100_000, "JSON nested too deeply"),
        ("number", json.dumps(memory_record(translation=42)), "translation must be text, not int"),
        ("object", json.dumps(memory_record(model={"name": "x"})), "model must be text, not dict"),
        ("list", json.dumps(list(memory_record().values())), "not a translation record"),
        (
            "too-long",
            json.dumps(memory_record(translation="a" * 20_001)),
            "translation is longer than 20,000 characters",
        ),
        (
            "huge-line",
            json.dumps(memory_record(translation="a" * 300_000)),
            "longer than 240,800 characters",
        ),
    ],
)
def test_a_faulty_memory_import_is_refused_in_one_line_and_imports_nothing(
    site, tmp_path, fault, line, message
):
    file = tmp_path / "memory.jsonl"
    file.write_text(
        json.dumps(memory_record(), ensure_ascii=False) + "\n" + line + "\n", encoding="utf-8"
    )
    result = shuangyu("translate", "--import", str(file), env=site)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, (
        result.stderr
    )
    assert f"memory.jsonl, line 2: {message}" in result.stderr
    exported = shuangyu("translate", "--export", str(tmp_path / "out.jsonl"), env=site)
    assert "Exported 0 translations" in exported.stdout


@pytest.mark.no_index
def test_a_memory_import_file_past_the_size_cap_is_refused_unread(site, tmp_path):
    from shuangyu.index.english.memory import MAX_IMPORT_BYTES

    file = tmp_path / "huge.jsonl"
    with file.open("wb") as sparse:  # a hole: no disk space, no time to write
        sparse.truncate(MAX_IMPORT_BYTES + 1)
    result = shuangyu("translate", "--import", str(file), env=site, timeout=60)
    assert (
        result.returncode == 2
        and f"huge.jsonl: larger than {MAX_IMPORT_BYTES:,} bytes" in result.stderr
    )


@pytest.fixture
def damaged_memory(site):
    """The site with a translation memory file that is not a database."""
    memory = Path(site["SHUANGYU_INSTANCE_DIR"]) / "translations.sqlite"
    memory.parent.mkdir(parents=True, exist_ok=True)
    memory.write_bytes(b"this is not an SQLite database" * 100)
    return memory


def test_a_damaged_memory_is_named_and_the_gloss_builds_without_it(site, damaged_memory, tmp_path):
    built = shuangyu("build", "--quiet", "--translator", "gloss", env=site)
    assert built.returncode == 0, built.stderr
    assert (
        f"the translation memory {damaged_memory} is damaged" in built.stderr
        and "move it away" in built.stderr
    )
    assert "Traceback" not in built.stderr and f"Indexed {SEED_PASSAGES} passages" in built.stdout
    exported = shuangyu("translate", "--export", str(tmp_path / "out.jsonl"), env=site)
    assert exported.returncode == 2 and len(exported.stderr.strip().splitlines()) == 1
    assert str(damaged_memory) in exported.stderr and "move it away" in exported.stderr
    damaged_memory.rename(damaged_memory.with_suffix(".moved"))
    assert shuangyu("translate", "--export", str(tmp_path / "out.jsonl"), env=site).returncode == 0


def test_serve_without_an_index_and_with_a_damaged_memory_builds_and_serves(damaged_memory, server):
    status, body = get_json(f"{server}/api/search?q={urllib.parse.quote('物流')}")
    assert status == 200 and body["total"] > 0


def test_a_truncated_dictionary_file_is_named_and_made_again(site):
    assert shuangyu("build", "--quiet", "--translator", "gloss", env=site).returncode == 0
    (dictionary,) = Path(site["SHUANGYU_INSTANCE_DIR"]).glob("cedict-*.sqlite")
    size = dictionary.stat().st_size
    with dictionary.open("r+b") as file:
        file.truncate(size // 2)
    answer = shuangyu("search", "logistics", "--json", env=site)
    assert answer.returncode == 0, answer.stderr
    assert "Traceback" not in answer.stderr
    assert f"the dictionary file {dictionary} is damaged" in answer.stderr
    assert json.loads(answer.stdout)["total"] > 0
    assert dictionary.stat().st_size == size


@contextmanager
def mounted(*commands: list[str], target: Path):
    """Run the ``mount`` commands on ``target`` (the test is skipped when mounting is not
    allowed here), and unmount it afterwards."""
    for command in commands:
        if subprocess.run(["mount", *command, str(target)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(target)], capture_output=True)
            pytest.skip("mount is not allowed here (needs root)")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.mark.skipif(shutil.which("mount") is None, reason="no mount command")
@pytest.mark.parametrize("fault", ["full-disk", "read-only"])
def test_a_full_or_read_only_index_folder_stops_the_build_in_one_line_and_the_index_answers(
    site, tmp_path, fault, engine
):
    """On a real file system: a tmpfs that holds one build but not two (shrunk to half a build more
    than the first one uses), or the index folder bind-mounted read-only."""
    folder = tmp_path / "mounted"
    folder.mkdir()
    env = {**site, "SHUANGYU_INDEX_DIR": str(folder / "index")}
    commands = (
        [["-t", "tmpfs", "-o", "size=16m", "tmpfs"]]
        if fault == "full-disk"
        else [["--bind", str(folder)]]
    )
    with mounted(*commands, target=folder):
        first = shuangyu("build", "--quiet", "--translator", "gloss", env=env)
        assert first.returncode == 0, first.stdout + first.stderr
        if fault == "full-disk":
            used = shutil.disk_usage(folder).used
            build_bytes = sum(
                path.stat().st_size for path in (folder / "index" / "current").resolve().iterdir()
            )
            size_kib = (used + build_bytes // 2) // 1024 + 1
            assert (
                subprocess.run(
                    ["mount", "-o", f"remount,size={size_kib}k", str(folder)], capture_output=True
                ).returncode
                == 0
            )
        if fault == "read-only":
            assert (
                subprocess.run(
                    ["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True
                ).returncode
                == 0
            )
        result = shuangyu("build", "--quiet", "--force", "--translator", "gloss", env=env)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, (
            result.stderr
        )
        expected = "No space left on device" if fault == "full-disk" else "Read-only file system"
        assert (
            f"the build stopped: {expected}" in result.stderr
            and "the index in use still answers" in result.stderr
        )
        answer = shuangyu("search", "物流", "--json", env=env)
        if fault == "read-only" and engine == "tantivy":
            # tantivy writes a lock file to read an index: it says so, in one line.
            assert answer.returncode == 2 and "the file system is read-only" in answer.stderr
            assert len(answer.stderr.strip().splitlines()) == 1
        else:
            assert answer.returncode == 0 and json.loads(answer.stdout)["total"] > 0
        assert not list((folder / "index" / "builds").glob(".tmp-*"))


def test_a_link_to_a_file_outside_the_corpus_is_not_indexed(site, tmp_path):
    corpus = Path(site["SHUANGYU_CORPUS_DIR"])
    secret = tmp_path / "private" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(f"私人文件\n\n{MARKER}不该出现在索引里。\n", encoding="utf-8")
    (corpus / "leak.txt").symlink_to(secret)
    (corpus / "inside.txt").write_text("内部报告\n\n磁器口的正文。\n", encoding="utf-8")
    (corpus / "inside.toml").symlink_to(tmp_path / "private" / "meta.toml")
    (tmp_path / "private" / "meta.toml").write_text('title = "外部的元数据"\n', encoding="utf-8")
    result = shuangyu("build", "--quiet", "--translator", "gloss", env=site)
    assert result.returncode == 0, result.stderr
    assert "leak.txt: links to a file outside the corpus folder (skipped)" in result.stderr
    assert "inside.txt: links to a file outside the corpus folder (skipped)" in result.stderr
    assert json.loads(shuangyu("search", MARKER, "--json", env=site).stdout)["total"] == 0
    assert "from 2 reports" in result.stdout


def test_control_characters_in_a_report_never_reach_the_terminal(site):
    corpus = Path(site["SHUANGYU_CORPUS_DIR"])
    hostile = "\x1b]0;owned\x07\x1b[2J\x1b[31m红色\x9b1m\u202e"
    # Enough ordinary text that the controls are a few in a report, as an attack would have it
    # (a file that is mostly controls is refused as binary).
    ordinary = "磁器口古镇游客很多。" * 100
    (corpus / "hostile.txt").write_text(
        f"控制字符{hostile}报告\n\n{MARKER} {hostile}在磁器口。\n\n{ordinary}\n", encoding="utf-8"
    )
    assert shuangyu("build", "--quiet", "--translator", "gloss", env=site).returncode == 0
    plain = shuangyu("search", MARKER, env=site)
    as_json = shuangyu("search", MARKER, "--json", env=site)
    assert plain.returncode == 0 and as_json.returncode == 0
    assert MARKER in plain.stdout and "红色" in plain.stdout
    for output in (plain.stdout, as_json.stdout):
        assert not set(output) & {"\x1b", "\x07", "\x9b", "\u202e"}, repr(output)
    (result,) = json.loads(as_json.stdout)["results"]
    assert "\x1b" in result["text"]  # the JSON still carries the text as it is
