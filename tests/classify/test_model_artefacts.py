"""Saving and loading trained models: round trip, metadata, refusal across versions."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import sklearn

import otklik
from otklik.classify.artefacts import load_model, read_metadata, save_model, training_hash
from otklik.classify.model import TextClassifier
from otklik.errors import ConfigError, InputFileError

TEXTS = [
    "курьер опоздал",
    "доставка задержалась",
    "посылка не пришла",
    "списали деньги дважды",
    "оплата не проходит",
    "верните платёж",
]
LABELS = ["delivery", "delivery", "delivery", "payment", "payment", "payment"]


@pytest.fixture(scope="module")
def fitted() -> TextClassifier:
    return TextClassifier(method="tfidf").fit(TEXTS, LABELS)


def _rewrite_metadata(path: Path, **changes: object) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    metadata = json.loads(members["metadata.json"])
    metadata.update(changes)
    members["metadata.json"] = json.dumps(metadata).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_round_trip_keeps_predictions_and_metadata(fitted: TextClassifier, tmp_path: Path) -> None:
    path = tmp_path / "models" / "topic"
    digest = training_hash(TEXTS, LABELS)
    save_model(fitted, path, scores={"accuracy": 0.9}, training_hash=digest)
    model, metadata = load_model(path)
    probe = ["курьер не приехал", "деньги списали"]
    np.testing.assert_allclose(model.predict_proba(probe), fitted.predict_proba(probe))
    assert list(model.classes_) == list(fitted.classes_)
    assert metadata["otklik_version"] == otklik.__version__
    assert metadata["sklearn_version"] == sklearn.__version__
    assert metadata["labels"] == ["delivery", "payment"]
    assert metadata["training_hash"] == digest
    assert metadata["scores"] == {"accuracy": 0.9}
    assert metadata["method"] == "tfidf"
    assert metadata["created_at"].endswith("+00:00")
    assert read_metadata(path) == metadata
    assert not list(path.parent.glob("*.partial"))


@pytest.mark.parametrize(
    ("field", "value"), [("sklearn_version", "0.24.2"), ("otklik_version", "0.0.1")]
)
def test_other_versions_are_refused_unless_forced(
    fitted: TextClassifier, tmp_path: Path, field: str, value: str
) -> None:
    path = tmp_path / "model.otk"
    save_model(fitted, path)
    _rewrite_metadata(path, **{field: value})
    with pytest.raises(ConfigError, match="retrain it") as caught:
        load_model(path)
    assert "\n" not in str(caught.value) and value in str(caught.value)
    model, metadata = load_model(path, force=True)
    assert metadata[field] == value
    assert model.predict(["курьер опоздал"])[0] == "delivery"


def test_unreadable_files_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such model file"):
        load_model(tmp_path / "missing")
    junk = tmp_path / "junk"
    junk.write_text("not a zip")
    with pytest.raises(InputFileError, match="not an otklik model file"):
        load_model(junk)
    foreign = tmp_path / "foreign.zip"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"format": "else"}))
    with pytest.raises(InputFileError, match="not an otklik model file"):
        load_model(foreign)


def test_an_unfitted_model_is_not_saved(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not fitted"):
        save_model(TextClassifier(), tmp_path / "m")


def test_training_hash_ignores_order_but_not_content() -> None:
    digest = training_hash(TEXTS, LABELS)
    assert digest == training_hash(list(reversed(TEXTS)), list(reversed(LABELS)))
    assert digest != training_hash(TEXTS, [*LABELS[:-1], "delivery"])
    assert len(digest) == 64
    with pytest.raises(ValueError):
        training_hash(TEXTS, LABELS[:-1])
