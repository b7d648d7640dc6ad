"""Text taken out of PDF, Word and web page reports, kept between builds in the instance folder.

Reading a PDF costs seconds (about 3 s for 50 pages), and every build reads the whole corpus to
see what changed: without this, an up-to-date check of a folder of PDFs would read them all
again. An entry is keyed by the file's bytes and by the code and libraries that read it, so a
changed file or a new reader is read afresh; a damaged or unreadable entry is read afresh too.
The cache is derived data: deleting the folder loses nothing.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pickle
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from shuangyu.index.sources.formats import Extracted

# The modules whose code decides what a reader returns, and the libraries they read with.
_READER_MODULES = ("formats", "pdf_reader", "docx_reader", "html_reader", "passages")
_READER_LIBRARIES = (
    "pdfplumber",
    "pdfminer.six",
    "pypdfium2",
    "python-docx",
    "trafilatura",
    "lxml",
)


@lru_cache(maxsize=1)
def _readers_version() -> bytes:
    """A digest of the readers' own code and their libraries' versions."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for module in _READER_MODULES:
        digest.update((here / f"{module}.py").read_bytes())
    for library in _READER_LIBRARIES:
        try:
            digest.update(f"{library}={importlib.metadata.version(library)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{library}=none".encode())
    return digest.digest()


class ExtractionCache:
    """Extracted texts in ``folder`` (none kept when ``folder`` is ``None``)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.used: set[str] = set()

    def extract(self, raw: bytes, suffix: str, reader: Callable[[bytes], Extracted]) -> Extracted:
        """``reader(raw)``, from the cache when this file was read before by the same code.
        ``UnreadableFile`` from the reader goes on up (a faulty file is read, and named, again)."""
        if self.folder is None:
            return reader(raw)
        name = (
            hashlib.sha256(_readers_version() + suffix.encode() + b"\0" + raw).hexdigest()
            + ".pickle"
        )
        self.used.add(name)
        entry = self.folder / name
        try:
            found = pickle.loads(entry.read_bytes())
            if isinstance(found, Extracted):
                return found
        except Exception:  # noqa: BLE001 - missing, damaged, from an older Python: read the file again
            pass
        extracted = reader(raw)
        self._keep(entry, extracted)
        return extracted

    def _keep(self, entry: Path, extracted: Extracted) -> None:
        """Write ``entry`` whole or not at all; a folder that cannot be written only costs time."""
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=entry.parent, prefix=".tmp-", delete=False) as out:
                out.write(pickle.dumps(extracted, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(out.name, entry)
        except OSError:
            try:
                os.unlink(out.name)
            except (OSError, UnboundLocalError):
                pass

    def prune(self) -> None:
        """Remove the entries of files that were not read this time (removed or changed reports)."""
        if self.folder is None or not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.name not in self.used:
                try:
                    entry.unlink()
                except OSError:
                    pass
