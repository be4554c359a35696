"""Saving and loading trained models with what they were trained on.

A model file is a zip archive with two members:

``metadata.json``
    otklik and scikit-learn versions, the method, the label set, the training-data hash,
    scores and when it was made — readable without unpickling anything;
``model.joblib``
    the fitted :class:`~otklik.classify.model.TextClassifier` (joblib pickle).

Pickles are tied to the library versions that wrote them, so :func:`load_model` refuses a file
written by another otklik or scikit-learn version unless ``force=True``. A pickle runs code when
it is loaded: load only model files you made or trust.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import sklearn

import otklik
from otklik.classify.model import TextClassifier
from otklik.errors import ConfigError, InputFileError

__all__ = ["FORMAT", "load_model", "read_metadata", "save_model", "training_hash"]

FORMAT = "otklik-model/1"
_META = "metadata.json"
_MODEL = "model.joblib"


def training_hash(texts: Iterable[Any], labels: Iterable[Any]) -> str:
    """SHA-256 of the (text, label) pairs, independent of their order."""
    pairs = sorted(f"{text}\x1f{label}" for text, label in zip(texts, labels, strict=True))
    digest = hashlib.sha256()
    for pair in pairs:
        digest.update(pair.encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


def save_model(
    model: TextClassifier,
    path: Path,
    *,
    scores: dict[str, float] | None = None,
    training_hash: str | None = None,
) -> None:
    """Write a fitted ``model`` and its metadata to ``path`` (a file; parents are created)."""
    if not hasattr(model, "classes_"):
        raise ConfigError("the model is not fitted; call fit() before saving it")
    metadata = {
        "format": FORMAT,
        "otklik_version": otklik.__version__,
        "sklearn_version": sklearn.__version__,
        "method": getattr(model, "method_", None),
        "embedding_model": getattr(model, "embedding_model_", None),
        "calibrated": getattr(model, "calibrated_", None),
        "labels": [_plain(label) for label in model.classes_],
        "n_train": getattr(model, "n_train_", None),
        "training_hash": training_hash,
        "scores": dict(scores or {}),
        "params": {key: _plain(value) for key, value in model.get_params().items()},
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(_META, json.dumps(metadata, ensure_ascii=False, indent=2))
        archive.writestr(_MODEL, buffer.getvalue())
    partial.replace(path)


def read_metadata(path: Path) -> dict[str, Any]:
    """The metadata of a model file, without loading the model."""
    with _open(path) as archive:
        try:
            metadata = json.loads(archive.read(_META))
        except (KeyError, ValueError) as exc:
            raise InputFileError(f"{path}: not an otklik model file (no metadata)") from exc
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise InputFileError(f"{path}: not an otklik model file ({FORMAT})")
    return metadata


def load_model(path: Path, *, force: bool = False) -> tuple[TextClassifier, dict[str, Any]]:
    """The model at ``path`` and its metadata; refuses other library versions unless forced."""
    metadata = read_metadata(path)
    saved = (metadata.get("otklik_version"), metadata.get("sklearn_version"))
    here = (otklik.__version__, sklearn.__version__)
    if saved != here and not force:
        raise ConfigError(
            f"{path} was trained with otklik {saved[0]} and scikit-learn {saved[1]}, "
            f"this is otklik {here[0]} and scikit-learn {here[1]}: retrain it "
            "(`otklik model train`) or load it with force=True (--force)"
        )
    with _open(path) as archive:
        try:
            model = joblib.load(io.BytesIO(archive.read(_MODEL)))
        except Exception as exc:  # a broken or foreign pickle: say so in one line
            raise InputFileError(f"{path}: the model cannot be loaded ({exc})") from exc
    if not isinstance(model, TextClassifier):
        raise InputFileError(f"{path}: holds {type(model).__name__}, not a TextClassifier")
    return model, metadata


def _open(path: Path) -> zipfile.ZipFile:
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such model file")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InputFileError(f"{path}: not an otklik model file") from exc


def _plain(value: Any) -> Any:
    """A JSON-friendly copy of a parameter or label (numpy scalars, tuples)."""
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return value
