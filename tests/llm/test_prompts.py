"""Prompt files and the settings' documentation: every shipped prompt parses and fills in,
every ``OTKLIK_LLM_*`` setting is in docs/llm.md, an edit changes the version."""

from __future__ import annotations

from pathlib import Path

import pytest

from otklik.classify import default_rules
from otklik.errors import ConfigError
from otklik.llm import PROMPT_LANGUAGES, TASKS, LlmSettings, TextToClassify, load_prompt
from otklik.llm.labelling import classify_job

DOC = (Path(__file__).resolve().parents[2] / "docs" / "llm.md").read_text(encoding="utf-8")
VALUES = {
    "types": "",
    "sentiments": "",
    "topics": "",
    "kind": "",
    "score": "",
    "text": "",
    "topic": "",
    "period": "",
    "n": 0,
    "max_problems": 5,
    "comments": "",
    "language": "ru",
    "history": "",
}


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("language", PROMPT_LANGUAGES)
def test_every_shipped_prompt_fills_in(task: str, language: str) -> None:
    prompt = load_prompt(task, language)
    assert prompt.source == "shipped" and prompt.number == 1
    system, user = prompt.messages(**VALUES)
    assert system["role"] == "system" and user["role"] == "user"
    assert "JSON" in system["content"] and "$" not in system["content"] + user["content"]


def test_the_classify_prompt_lists_the_taxonomy() -> None:
    taxonomy = default_rules().taxonomy
    job = classify_job(taxonomy, TextToClassify("Курьер не приехал", "ru"))
    system = job.prompt.messages(**job.values)[0]["content"]
    for topic in taxonomy.topic_ids():
        assert f"- {topic}:" in system
    assert job.prompt.language == "ru"
    assert (
        classify_job(taxonomy, TextToClassify("Kurir tidak datang", "id")).prompt.language == "en"
    )


def test_an_edit_changes_the_version_and_a_broken_file_is_refused(tmp_path: Path) -> None:
    shipped = load_prompt("classify", "en")
    text = f"version: 1\n## system\n{shipped.system} Be brief.\n## user\n{shipped.user}\n"
    (tmp_path / "classify.en.txt").write_text(text, encoding="utf-8")
    edited = load_prompt("classify", "en", directory=tmp_path)
    assert edited.number == shipped.number and edited.version != shipped.version
    (tmp_path / "reply.en.txt").write_text("## system\nno version\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="version: N"):
        load_prompt("reply", "en", directory=tmp_path)
    # "²" passes str.isdigit() and fails int(): refused in one line, no traceback
    (tmp_path / "reply.en.txt").write_text("version: ²\n## system\ns\n## user\nu\n", "utf-8")
    with pytest.raises(ConfigError, match="version: N"):
        load_prompt("reply", "en", directory=tmp_path)
    with pytest.raises(ConfigError, match="unknown prompt"):
        load_prompt("poem", "en")


def test_every_llm_setting_is_documented() -> None:
    for name in LlmSettings.model_fields:
        assert f"`OTKLIK_LLM_{name.upper()}`" in DOC, name
