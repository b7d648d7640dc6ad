"""What the service keeps in its instance folder, outside git: installed translation models, the
translation memory, the vector cache (and the dictionary file, ``index.english.cedict``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InstanceFolder:
    """The instance folder and the places in it."""

    path: Path

    @property
    def models(self) -> Path:
        """Where translation model packages are installed."""
        return self.path / "models"

    @property
    def extracted(self) -> Path:
        """The text taken out of PDF, Word and web page reports (``index.sources.extracted``)."""
        return self.path / "extracted"

    @property
    def vector_cache(self) -> Path:
        """The passage vectors made so far, by embedder and text (SQLite; ``index.semantic.vector_cache``)."""
        return self.path / "vectors.sqlite"

    @property
    def translation_memory(self) -> Path:
        """The translation memory (SQLite)."""
        return self.path / "translations.sqlite"
