from __future__ import annotations

import pytest

from tests.bank_log import bank_rows
from tests.kpi.helpers import load_demo_store, write_store


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo bank (20,000 rows, seed 42) with its planted gaming agent."""
    return load_demo_store(tmp_path_factory.mktemp("demo") / "demo.db")


@pytest.fixture(scope="session")
def bank_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The real Anonymous Bank call-centre log, February 1999."""
    path = tmp_path_factory.mktemp("bank") / "bank.db"
    return write_store(f"sqlite:///{path}", bank_rows(), source="anonymous-bank")
