"""Argos Translate model packages (``.argosmodel`` files) in the project's instance folder.

Installing, listing and removing packages does not import argostranslate (2 s, 300 MB): a
package is a zip archive of one folder with ``metadata.json``, a CTranslate2 ``model/``, a
``sentencepiece.model`` and, for offline sentence splitting, ``minisbd/*.onnx``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SOURCE_LANGUAGE, TARGET_LANGUAGE = "zh", "en"


class ModelError(Exception):
    """A model file or name cannot be used; the message says why."""


@dataclass(frozen=True)
class ModelPackage:
    name: str
    path: Path
    from_code: str
    to_code: str
    version: str
    has_sentence_splitter: bool

    @property
    def identity(self) -> str:
        """Name and version: the translation memory keys translations by it."""
        return f"{self.name}@{self.version}"


def read_package(folder: Path) -> ModelPackage:
    """Describe an unpacked package folder; ``ModelError`` saying what is missing or wrong."""
    try:
        metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError("no metadata.json in the package") from None
    except ValueError as error:
        raise ModelError(f"metadata.json is not valid JSON ({error})") from None
    if not isinstance(metadata, dict):
        raise ModelError("metadata.json must be an object")
    if metadata.get("type", "translate") != "translate":
        raise ModelError(f"not a translation package (type {metadata.get('type')!r})")
    if (metadata.get("from_code"), metadata.get("to_code")) != (SOURCE_LANGUAGE, TARGET_LANGUAGE):
        raise ModelError(
            f"translates {metadata.get('from_code')}→{metadata.get('to_code')}; Shuangyu needs "
            f"{SOURCE_LANGUAGE}→{TARGET_LANGUAGE}"
        )
    if not (folder / "model" / "model.bin").is_file():
        raise ModelError("no CTranslate2 model (model/model.bin) in the package")
    if not (folder / "sentencepiece.model").is_file():
        raise ModelError("no sentencepiece.model in the package")
    splitter = any((folder / "minisbd").glob("*.onnx"))
    return ModelPackage(folder.name, folder, SOURCE_LANGUAGE, TARGET_LANGUAGE,
                        str(metadata.get("package_version", "0")), splitter)


def install(archive: Path, models_dir: Path) -> ModelPackage:
    """Check and unpack an ``.argosmodel`` file into ``models_dir``; replace a package of the
    same name. Nothing is left behind when the file is refused."""
    archive = Path(archive)
    if not archive.is_file():
        raise ModelError(f"{archive}: no such file")
    if not zipfile.is_zipfile(archive):
        raise ModelError(f"{archive.name}: not an Argos model (not a zip archive)")
    with zipfile.ZipFile(archive) as bundle:
        names = [PurePosixPath(name) for name in bundle.namelist()]
        if any(name.is_absolute() or ".." in name.parts for name in names):
            raise ModelError(f"{archive.name}: unsafe paths in the archive")
        tops = {name.parts[0] for name in names if name.parts}
        if len(tops) != 1:
            raise ModelError(f"{archive.name}: an Argos model holds exactly one top folder, not {len(tops)}")
        models_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=models_dir, prefix=".unpack-") as staging:
            bundle.extractall(staging)
            folder = Path(staging) / tops.pop()
            try:
                package = read_package(folder)
            except ModelError as error:
                raise ModelError(f"{archive.name}: {error}") from None
            if not package.has_sentence_splitter:
                raise ModelError(
                    f"{archive.name}: no minisbd/*.onnx sentence splitter; without it Argos tries to "
                    "download one, which cannot work offline"
                )
            target = models_dir / folder.name
            if target.exists():
                shutil.rmtree(target)
            folder.rename(target)
    return read_package(target)


def installed(models_dir: Path) -> list[ModelPackage]:
    """The usable packages in ``models_dir`` (broken folders are left out)."""
    if not models_dir.is_dir():
        return []
    packages = []
    for folder in sorted(models_dir.iterdir()):
        if folder.is_dir() and not folder.name.startswith("."):
            try:
                packages.append(read_package(folder))
            except ModelError:
                continue
    return packages


def remove(name: str, models_dir: Path) -> None:
    """Remove an installed package by name; ``ModelError`` when there is none."""
    match = next((package for package in installed(models_dir) if package.name == name), None)
    if match is None:
        raise ModelError(f"no installed model named {name!r}; see `shuangyu models list`")
    shutil.rmtree(match.path)
