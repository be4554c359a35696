"""Uploads kept between the import's steps: keyed to the session, one per session, size-limited,
swept after an hour (the clock is passed in, no waiting)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from otklik.web.errors import ApiError
from otklik.web.uploads import UPLOAD_TTL_S, UploadStore


def test_uploads_belong_to_their_session_and_expire(tmp_path: Path) -> None:
    store = UploadStore(tmp_path)
    first = store.save(
        "secret-a",
        io.BytesIO(b"a,b\n1,2\n"),
        filename="../../x y.csv",
        kind="survey",
        source="",
        limit_mb=1,
    )
    assert first.path.parent.parent.parent == tmp_path  # the name cannot climb out
    assert first.path.name == "x_y.csv" and first.path.read_bytes() == b"a,b\n1,2\n"
    assert store.get("secret-a", first.id).sha256 == first.sha256
    with pytest.raises(ApiError) as other:
        store.get("secret-b", first.id)
    assert other.value.status == 404
    second = store.save(
        "secret-a", io.BytesIO(b"c\n"), filename="b.csv", kind="review", source="s", limit_mb=1
    )
    assert not first.path.exists()  # a session keeps one pending upload
    with pytest.raises(ApiError) as big:
        store.save(
            "secret-c",
            io.BytesIO(b"x" * (1 << 20) + b"y"),
            filename="big.csv",
            kind="survey",
            source="",
            limit_mb=1,
        )
    assert big.value.status == 413
    assert list((tmp_path).glob("*/*/big.csv")) == []  # a refused file is not kept
    assert store.sweep(now=time.time()) == 0
    assert store.sweep(now=time.time() + UPLOAD_TTL_S + 1) == 1
    assert not second.path.exists()
