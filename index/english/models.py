"""Argos Translate model packages (``.argosmodel`` files) in the project's instance folder.

Installing, listing and removing packages does not import argostranslate (2 s, 300 MB): a
package is a zip archive of one folder with ``metadata.json``, a CTranslate2 ``model/``, a
``sentencepiece.model`` and, for offline sentence splitting, ``minisbd/*.onnx``.
"""

from __future__ import annotations

import json
import lzma
import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SOURCE_LANGUAGE, TARGET_LANGUAGE = "zh", "en"
# The temporary folder an install unpacks into: ``.unpack-<pid>-<random>`` (the pid says
# whether the install that made it still runs).
UNPACK_PREFIX = ".unpack-"
_SUPPORTED_COMPRESSION = {
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
}
# What a damaged member raises while it is read (a bad CRC is a BadZipFile).
_DAMAGED = (zipfile.BadZipFile, EOFError, zlib.error, lzma.LZMAError, OSError)
_CHUNK = 1 << 20


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
    except OSError as error:  # a folder named metadata.json, unreadable
        raise ModelError(f"cannot read metadata.json ({error.strerror})") from None
    except ValueError as error:
        raise ModelError(f"metadata.json is not valid JSON ({error})") from None
    except RecursionError:
        raise ModelError("metadata.json is nested too deeply") from None
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
    return ModelPackage(
        folder.name,
        folder,
        SOURCE_LANGUAGE,
        TARGET_LANGUAGE,
        str(metadata.get("package_version", "0")),
        splitter,
    )


def install(archive: Path, models_dir: Path, max_bytes: int) -> ModelPackage:
    """Check and unpack an ``.argosmodel`` file into ``models_dir``; replace a package of the
    same name. The archive may unpack to at most ``max_bytes``. Nothing is left behind when
    the file is refused, and what a killed install left is removed first."""
    archive = Path(archive)
    if not archive.is_file():
        raise ModelError(f"{archive}: no such file")
    if not zipfile.is_zipfile(archive):
        raise ModelError(f"{archive.name}: not an Argos model (not a zip archive)")
    remove_abandoned_unpacks(models_dir)
    try:
        with zipfile.ZipFile(archive) as bundle:
            top = _check_members(bundle, max_bytes)
            models_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(
                dir=models_dir, prefix=f"{UNPACK_PREFIX}{os.getpid()}-"
            ) as staging:
                _unpack(bundle, Path(staging), max_bytes)
                folder = Path(staging) / top
                package = read_package(folder)
                if not package.has_sentence_splitter:
                    raise ModelError(
                        "no minisbd/*.onnx sentence splitter; without it Argos tries to "
                        "download one, which cannot work offline"
                    )
                target = models_dir / folder.name
                if target.exists():
                    shutil.rmtree(target)
                folder.rename(target)
    except ModelError as error:
        raise ModelError(f"{archive.name}: {error}") from None
    except zipfile.BadZipFile as error:
        raise ModelError(f"{archive.name}: damaged archive ({error})") from None
    return read_package(target)


def _check_members(bundle: zipfile.ZipFile, max_bytes: int) -> str:
    """The archive's one top folder, after checking from its directory that every member is
    safe to unpack (no absolute or ``..`` paths, no encryption, a compression zipfile reads)
    and that the declared sizes stay within ``max_bytes``."""
    members = bundle.infolist()
    names = [PurePosixPath(member.filename) for member in members]
    if any(name.is_absolute() or ".." in name.parts for name in names):
        raise ModelError("unsafe paths in the archive")
    tops = {name.parts[0] for name in names if name.parts}
    if len(tops) != 1:
        raise ModelError(f"an Argos model holds exactly one top folder, not {len(tops)}")
    if any(member.flag_bits & 0x1 for member in members):
        raise ModelError("the archive is encrypted")
    if any(member.compress_type not in _SUPPORTED_COMPRESSION for member in members):
        raise ModelError("the archive uses a compression method that cannot be read")
    declared = sum(member.file_size for member in members)
    if declared > max_bytes:
        raise ModelError(_too_big(max_bytes))
    return tops.pop()


def _unpack(bundle: zipfile.ZipFile, staging: Path, max_bytes: int) -> None:
    """Unpack every member into ``staging``, counting the bytes as they come: the declared
    sizes are the archive's word, not a fact."""
    written = 0
    for member in bundle.infolist():
        target = staging / member.filename
        try:
            # A file and a folder of the same name (FileExistsError) are damage like any other.
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(member) as source, open(target, "wb") as out:
                while chunk := source.read(_CHUNK):
                    written += len(chunk)
                    if written > max_bytes:
                        raise ModelError(_too_big(max_bytes))
                    out.write(chunk)
        except _DAMAGED as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            raise ModelError(f"cannot unpack {member.filename} ({reason})") from None


def _too_big(max_bytes: int) -> str:
    return (
        f"unpacks to more than {max_bytes:,} bytes, the limit "
        "(raise it with SHUANGYU_MODEL_MAX_BYTES if the model is genuine)"
    )


def remove_abandoned_unpacks(models_dir: Path) -> None:
    """Remove the temporary folders of installs that no longer run (killed part way)."""
    if not models_dir.is_dir():
        return
    for folder in models_dir.glob(f"{UNPACK_PREFIX}*"):
        pid = folder.name.removeprefix(UNPACK_PREFIX).partition("-")[0]
        if not (pid.isdigit() and _running(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


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
