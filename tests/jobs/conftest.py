"""The oracle for the jobs tests: the direct path, `otklik classify`, on a SQLite store."""

from __future__ import annotations

import contextlib
import io

import pytest

from otklik.cli import main
from otklik.ledger import make_engine
from tests.jobs.helpers import FEEDBACK, outcome


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[object, ...]]:
    """Per item of the sample file: labels and case after `otklik import` + `otklik classify`."""
    url = f"sqlite:///{tmp_path_factory.mktemp('direct') / 'otklik.db'}"
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(io.StringIO()):
        mp.setenv("OTKLIK_JOBS", "off")
        imported = ["import", str(FEEDBACK), "--kind", "survey", "--source", "sample"]
        assert main([*imported, "--db", url]) == 0
        assert main(["classify", "--db", url]) == 0
    engine = make_engine(url)
    try:
        return outcome(engine)
    finally:
        engine.dispose()
