"""The layout the newcomer's issue (29) left, kept: small modules with one job each."""

from __future__ import annotations

from tests.paths import REPOSITORY_ROOT

# The most lines a module of the service's packages may have: past it, a module does more than
# one thing and is split (the counting of the engines' readers, the marks through English).
MOST_LINES = 300


def test_no_module_of_the_service_is_longer_than_most_lines():
    modules = [
        path
        for package in ("index", "search", "web")
        for path in (REPOSITORY_ROOT / package).rglob("*.py")
    ]
    assert len(modules) > 100  # the packages were found
    long = {
        str(path.relative_to(REPOSITORY_ROOT)): lines
        for path in modules
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert not long, f"split these modules (lines): {long}"
