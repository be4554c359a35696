"""The LLM commands as a user runs them, against the fake server: ``classify --method llm``,
``llm summarize|reply|offer|mask|prompts|runs`` and ``model eval --method llm``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otklik.cli import main
from tests.conftest import DATA
from tests.llm.fake_openai import COMPLETION_TOKENS, PROMPT_TOKENS, FakeOpenAI

COST_PER_REQUEST = PROMPT_TOKENS * 0.5 / 1000 + COMPLETION_TOKENS * 1.5 / 1000


@pytest.fixture
def llm_env(fake_llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    for name, value in {
        "BASE_URL": fake_llm.url,
        "MODEL": "fake-model",
        "API_KEY": "sk-test",
        "RETRIES": "2",
        "BACKOFF_S": "0",
        "PRICE_PROMPT_PER_1K": "0.5",
        "PRICE_COMPLETION_PER_1K": "1.5",
    }.items():
        monkeypatch.setenv(f"OTKLIK_LLM_{name}", value)
    return fake_llm


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_classify_summarize_reply_offer_runs(
    llm_env: FakeOpenAI, capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    code, _, err = run(
        capsys,
        "import",
        str(DATA / "llm_items.csv"),
        "--kind",
        "contact",
        "--source",
        "t",
        "--db",
        sqlite_url,
    )
    assert code == 0, err
    code, out, err = run(
        capsys, "classify", "--method", "llm", "--format", "json", "--db", sqlite_url
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["by_method"]["llm"] == 7 and report["classified"] == 9
    assert report["llm"]["requests"] == 10 and report["llm"]["failed"] == 1
    assert report["llm"]["cost"] == pytest.approx(10 * COST_PER_REQUEST)
    assert report["llm"]["failures"][0]["reason"].startswith("malformed answer: topic")

    code, out, err = run(
        capsys,
        "llm",
        "summarize",
        "--topic",
        "delivery",
        "--since",
        "2026-03-01",
        "--until",
        "2026-03-31",
        "--format",
        "json",
        "--db",
        sqlite_url,
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["read"] == 2 and summary["answer"]["problems"][0]["count"] == 2
    code, out, _ = run(
        capsys,
        "llm",
        "summarize",
        "--topic",
        "delivery",
        "--since",
        "2026-03-05",
        "--until",
        "2026-03-31",
        "--format",
        "json",
        "--db",
        sqlite_url,
    )
    assert json.loads(out)["read"] == 1  # m3 (4 March) is before the period

    code, out, err = run(capsys, "llm", "reply", "--item", "6", "--db", sqlite_url)
    assert code == 0, err
    assert "[id, Kak]" in out and "Halo Kak" in out
    code, out, err = run(
        capsys, "llm", "offer", "--item", "5", "--format", "json", "--db", sqlite_url
    )
    assert code == 0, err
    assert json.loads(out)["answer"]["suggestions"][1]["needs_approval"] is True

    code, out, _ = run(capsys, "llm", "runs", "--format", "json", "--db", sqlite_url)
    tasks = [row["task"] for row in json.loads(out)]
    assert tasks[:5] == ["offer", "reply", "summarize", "summarize", "classify"]


def test_mask_and_prompts_send_nothing(
    llm_env: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "llm", "mask", "Меня зовут Иван Петров, тел. +7 912 345-67-89")
    assert code == 0 and out.strip() == "Меня зовут [NAME], тел. [PHONE]"
    code, out, _ = run(capsys, "llm", "prompts", "--format", "json")
    prompts = json.loads(out)
    assert {(p["task"], p["language"]) for p in prompts} == {
        (task, language)
        for task in ("classify", "summarize", "reply", "offer")
        for language in ("ru", "en")
    }
    assert all(p["source"] == "shipped" for p in prompts)
    assert llm_env.requests == []


def test_an_edited_prompt_file_overrides_the_shipped_one(
    llm_env: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "reply.ru.txt").write_text(
        "version: 7\n## system\nОтвечайте кратко на $language.\n## user\n$text\n", encoding="utf-8"
    )
    monkeypatch.setenv("OTKLIK_LLM_PROMPTS_DIR", str(tmp_path))
    code, out, _ = run(capsys, "llm", "prompts", "--format", "json")
    assert code == 0
    edited = next(p for p in json.loads(out) if (p["task"], p["language"]) == ("reply", "ru"))
    assert edited["version"].startswith("reply.ru.v7-") and edited["source"].endswith(
        "reply.ru.txt"
    )


def test_local_only_refuses_a_remote_endpoint(
    llm_env: FakeOpenAI,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    sqlite_url: str,
) -> None:
    monkeypatch.setenv("OTKLIK_LLM_BASE_URL", "https://api.example.com/v1")
    monkeypatch.setenv("OTKLIK_LLM_ALLOW_SEND", "false")
    code, _, err = run(capsys, "classify", "--method", "llm", "--db", sqlite_url)
    assert code == 2 and "ALLOW_SEND=false" in err


def test_model_eval_with_the_llm_next_to_the_trained_model(
    llm_env: FakeOpenAI, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(
        capsys,
        "model",
        "eval",
        "--method",
        "llm",
        "--train",
        str(DATA / "llm_eval_train.csv"),
        "--test",
        str(DATA / "llm_eval_test.csv"),
        "--text-column",
        "text",
        "--label-column",
        "type",
        "--predictions",
        str(tmp_path / "p.csv"),
        "--format",
        "json",
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["target"] == "type" and result["n_test"] == 6
    llm = result["llm"]
    # 5 of 6 right («Отличный сервис как всегда» answered complaint). Per class F1: complaint
    # 2/(2+0.5·1) = 0.8, suggestion 1, question 1, praise 1/(1+0.5·1) = 2/3.
    assert llm["accuracy"] == pytest.approx(5 / 6, abs=1e-4)
    assert llm["macro_f1"] == pytest.approx((0.8 + 1 + 1 + 2 / 3) / 4, abs=1e-4)
    assert llm["cost"] == pytest.approx(6 * COST_PER_REQUEST)
    assert llm["latency_s_per_text"] > 0 and llm["failed"] == 0
    trained = result["trained"]
    assert 0 <= trained["accuracy"] <= 1 and trained["n_train"] == 12
    assert trained["latency_s_per_text"] > 0
    assert (tmp_path / "p.csv").read_text(encoding="utf-8").count("\n") == 7
    code, out, err = run(
        capsys,
        "model",
        "eval",
        "--method",
        "llm",
        "--train",
        str(DATA / "llm_eval_train.csv"),
        "--test",
        str(DATA / "llm_eval_test.csv"),
        "--text-column",
        "text",
        "--label-column",
        "type",
    )
    assert code == 0, err
    assert "macro-F1" in out and "latency per text" in out and "0.8333" in out
