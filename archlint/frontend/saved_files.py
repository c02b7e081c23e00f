"""Saved Keras model files opened and their model config read, never their weights.

Two files hold a model's architecture:

- ``model.keras``: the zip that ``model.save()`` writes (Keras 3 and tf-keras alike), with
  ``config.json`` (the architecture), ``metadata.json`` (the Keras version) and the weights,
  which are never read; an extracted archive (a directory) is read the same way;
- ``model.json``: the text of ``model.to_json()``.

A legacy HDF5 file, a TensorFlow SavedModel directory, a corrupt zip or a config too large to
be a model's are refused with a SavedModelError saying why, in one line. Turning the config
into a layer graph is ``saved_graph.py``'s job.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any, BinaryIO

from archlint.files import open_regular

CONFIG_ENTRY = "config.json"
METADATA_ENTRY = "metadata.json"
# Keras versions whose formats are read: tf-keras (2.x) and Keras 3.
SUPPORTED_MAJORS = (2, 3)
# config.json of a large model is a few MB; more than this is not a Keras config.
MAX_CONFIG_BYTES = 64 * 1024 * 1024
READ_CHUNK = 1024 * 1024
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")


class SavedModelError(Exception):
    """The file is not a saved Keras model archlint can read; the message says why, in one
    line."""


def load_config(path: str | Path) -> dict[str, Any]:
    """The model config of a ``.keras`` archive (its ``config.json``) or of a ``.json``
    file written by ``model.to_json()``. The Keras version that saved it, when known, is
    under ``"keras_version"``.

    Only ``config.json`` and ``metadata.json`` are read from an archive, never the weights.
    Raises SavedModelError for a file that cannot be read, an empty file, a corrupt zip, an
    archive without ``config.json``, a text that is not JSON, JSON that is not a Keras
    model config, or a model saved by an unsupported Keras version.
    """
    path = Path(path)
    if path.is_dir():
        return _load_directory(path)
    try:
        with open_regular(path) as stream:
            head = stream.read(8)
            if not head:
                raise SavedModelError(f"{path} is empty, not a saved Keras model")
            if head.startswith(HDF5_SIGNATURE):
                raise SavedModelError(
                    f"{path} is a legacy HDF5 (.h5) model; archlint reads the .keras and "
                    ".json formats (re-save it with model.save('model.keras'))")
            stream.seek(0)
            if head.startswith(ZIP_SIGNATURES):
                config = _load_archive(stream, str(path))
            else:
                config = _parse_json(_read_limited(stream, str(path)), str(path))
    except OSError as error:
        raise SavedModelError(f"cannot read {path}: {error.strerror or error}") from None
    check_model_config(config, str(path))
    return config


def _read_limited(stream: IO[bytes], where: str) -> bytes:
    """All of ``stream``, read in chunks and refused past MAX_CONFIG_BYTES: a zip member
    whose header understates its size, or a huge file, never fills the memory."""
    limit = MAX_CONFIG_BYTES
    chunks, size = [], 0
    while chunk := stream.read(min(READ_CHUNK, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise SavedModelError(f"{where} holds more than {limit // (1024 * 1024)} MiB, "
                                  "too much to be a Keras model config")
    return b"".join(chunks)


def _load_directory(path: Path) -> dict[str, Any]:
    """An extracted ``.keras`` archive; a TensorFlow SavedModel gets a clear refusal."""
    config_file = path / CONFIG_ENTRY
    if config_file.is_file():
        try:
            with open_regular(config_file) as stream:
                config = _parse_json(_read_limited(stream, str(config_file)), str(config_file))
            metadata_file = path / METADATA_ENTRY
            if metadata_file.is_file():
                with open_regular(metadata_file) as stream:
                    _merge_metadata(config, _read_limited(stream, str(metadata_file)))
        except OSError as error:
            raise SavedModelError(f"cannot read {path}: {error.strerror or error}") from None
        check_model_config(config, str(path))
        return config
    if (path / "saved_model.pb").is_file():
        raise SavedModelError(
            f"{path} is a TensorFlow SavedModel directory, which holds a traced graph and no "
            "Keras config archlint can read; save the model with model.save('model.keras')")
    raise SavedModelError(f"{path} is a directory, not a saved Keras model")


def _load_archive(stream: BinaryIO, where: str) -> dict[str, Any]:
    """``config.json`` (and ``metadata.json``) of a ``.keras`` zip, each inflated as a
    stream with a size limit whatever its header declares."""
    try:
        with zipfile.ZipFile(stream) as archive:
            try:
                info = archive.getinfo(CONFIG_ENTRY)
            except KeyError:
                names = archive.namelist()
                listed = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
                raise SavedModelError(
                    f"{where} is a zip archive without {CONFIG_ENTRY} (it holds "
                    f"{listed or 'nothing'}): not a Keras .keras model") from None
            if info.file_size > MAX_CONFIG_BYTES:
                raise SavedModelError(f"{where}: {CONFIG_ENTRY} is too large "
                                      f"({info.file_size:,} bytes) to be a Keras model config")
            with archive.open(info) as member:
                raw = _read_limited(member, f"{where} ({CONFIG_ENTRY})")
            metadata = None
            if METADATA_ENTRY in archive.namelist():
                meta_info = archive.getinfo(METADATA_ENTRY)
                if meta_info.file_size <= MAX_CONFIG_BYTES:
                    with archive.open(meta_info) as member:
                        metadata = _read_limited(member, f"{where} ({METADATA_ENTRY})")
    except SavedModelError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
            NotImplementedError, ValueError) as error:
        raise SavedModelError(f"{where} is not a readable .keras archive (corrupt zip: "
                              f"{one_line(error)})") from None
    config = _parse_json(raw, f"{where} ({CONFIG_ENTRY})")
    if metadata is not None:
        _merge_metadata(config, metadata)
    return config


def _merge_metadata(config: Any, raw: bytes) -> None:
    """The Keras version of ``metadata.json``, under ``config["keras_version"]``."""
    try:
        metadata = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return  # the architecture is in config.json; a damaged metadata.json is not needed
    if isinstance(config, dict) and isinstance(metadata, dict) and \
            isinstance(metadata.get("keras_version"), str):
        config["keras_version"] = metadata["keras_version"]


def _parse_json(data: bytes, where: str) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SavedModelError(f"{where} is neither a .keras archive nor JSON text (it is "
                              "not UTF-8)") from None
    if not text.strip():
        raise SavedModelError(f"{where} is empty, not a saved Keras model")
    try:
        return json.loads(text)
    except ValueError as error:
        raise SavedModelError(f"{where} is not valid JSON ({one_line(error)})") from None
    except RecursionError:
        raise SavedModelError(f"{where} is JSON nested too deeply to be a Keras "
                              "model config") from None


def check_model_config(config: Any, where: str) -> None:
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str) \
            or "config" not in config:
        kind = type(config).__name__ if not isinstance(config, dict) else "an object"
        raise SavedModelError(
            f"{where} is JSON but not a Keras model config ({kind} without \"class_name\" "
            "and \"config\"; expected the output of model.to_json() or a .keras archive)")
    version = config.get("keras_version")
    if isinstance(version, str):
        major = version.split(".", 1)[0]
        if not major.isdigit() or int(major) not in SUPPORTED_MAJORS:
            raise SavedModelError(
                f"{where} was saved by Keras {version}; archlint reads models saved by "
                "tf-keras (Keras 2) and Keras 3")


def one_line(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return " ".join(text.split())

