"""The outside tools the slow kinds of test need, by their pytest marker. A missing tool skips
its tests with the reason on a developer's machine; under CI (``CI=true``) it fails them, so
that CI can never pass by skipping."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"


def _browser() -> str:
    if not Path(CHROMIUM).exists():
        return f"Chromium is not at {CHROMIUM} (Debian's chromium package; .ci/run installs it)"
    return ""


def _wrk() -> str:
    return (
        ""
        if shutil.which("wrk")
        else "wrk is not installed (Debian's wrk package; .ci/run installs it)"
    )


def _real_collection() -> str:
    from testbed.paths import REAL_COLLECTION

    if not any(REAL_COLLECTION.glob("*.txt")):
        return (
            f"the real collection is not at {REAL_COLLECTION} (a clone without ../shared beside it)"
        )
    return ""


def _argos() -> str:
    if importlib.util.find_spec("argostranslate") is None:
        return "argostranslate is not installed (pip install -e '.[test,mt]')"
    return ""


# marker: (what the tests are, the check that names what is missing, or "" when nothing is)
REQUIREMENTS = {
    "browser": ("drive a real Chromium against `shuangyu serve`", _browser),
    "load": ("drive `shuangyu serve` with wrk", _wrk),
    "benchmark": ("run the bench/ scripts (wrk for their HTTP part)", _wrk),
    "translation": ("translate with a real (tiny) Argos model", _argos),
    "real_collection": ("read the real collection (../shared/realcorpus)", _real_collection),
}


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _opensearch() -> str:
    if not os.environ.get("SHUANGYU_OPENSEARCH_URL", "").strip():
        return (
            "SHUANGYU_OPENSEARCH_URL is not set: the opensearch engine's tests need a cluster "
            "(scripts/opensearch start --nodes 3 prints its URLs; .ci/run starts it)"
        )
    return ""


def require_opensearch() -> None:
    """Skip the running test (or fail it under CI) when no OpenSearch cluster is named."""
    missing = _opensearch()
    if missing and under_ci():
        pytest.fail(
            f"{missing}; CI=true, so a missing tool fails the test instead of skipping it",
            pytrace=False,
        )
    if missing:
        pytest.skip(missing)


def require_tools(item: pytest.Item) -> None:
    """Skip ``item`` (or fail it under CI) when a tool one of its markers needs is missing."""
    for marker in item.iter_markers():
        if marker.name in REQUIREMENTS:
            missing = REQUIREMENTS[marker.name][1]()
            if missing and under_ci():
                pytest.fail(
                    f"{missing}; CI=true, so a missing tool fails the test instead of skipping it",
                    pytrace=False,
                )
            if missing:
                pytest.skip(missing)
