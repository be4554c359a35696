"""The evaluation harness and `otklik model eval`."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from otklik.classify.evaluation import evaluate, few_shot_indices, read_labelled
from otklik.cli import main
from otklik.errors import ConfigError, InputFileError

DATA = Path(__file__).parents[1] / "data"
TRAIN = DATA / "classify_train.csv"
TEST = DATA / "classify_test.csv"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
KEYS = {"accuracy", "macro_f1", "n_train", "n_test", "fit_seconds", "predict_per_second"}


def test_evaluate_scores_and_writes_predictions(tmp_path: Path) -> None:
    out = tmp_path / "out" / "predictions.csv"
    result = evaluate(
        TRAIN, TEST, text_column="text", label_column="topic", method="tfidf", predictions=out
    )
    assert KEYS | {"method"} == set(result)
    assert result["n_train"] == 60 and result["n_test"] == 30 and result["method"] == "tfidf"
    assert result["accuracy"] >= 0.8 and result["macro_f1"] >= 0.8
    assert result["fit_seconds"] > 0 and result["predict_per_second"] > 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["text", "label", "predicted"]
    assert len(rows) == 30 and rows[0]["text"] == "Курьер так и не приехал"
    hits = sum(row["label"] == row["predicted"] for row in rows)
    assert hits / len(rows) == pytest.approx(result["accuracy"], abs=1e-4)


def test_few_shot_takes_exactly_k_per_label_with_a_seed() -> None:
    labels = ["a"] * 10 + ["b"] * 7 + ["c"] * 2
    chosen = few_shot_indices(labels, 3, seed=5)
    assert Counter(labels[i] for i in chosen) == {"a": 3, "b": 3, "c": 2}  # c has only 2
    assert chosen == sorted(chosen) and len(set(chosen)) == len(chosen)
    assert chosen == few_shot_indices(labels, 3, seed=5)
    seeds = {tuple(few_shot_indices(labels, 3, seed=s)) for s in range(5)}
    assert len(seeds) > 1
    with pytest.raises(ConfigError, match="at least 1"):
        few_shot_indices(labels, 0)


def test_evaluate_few_shot_trains_on_k_per_label() -> None:
    result = evaluate(
        TRAIN, TEST, text_column="text", label_column="topic", few_shot=2, seed=1, method="tfidf"
    )
    assert result["n_train"] == 6 and result["n_test"] == 30


def test_reading_errors_are_one_liners(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no column 'label'; the columns are text, topic"):
        read_labelled(TRAIN, text_column="text", label_column="label")
    with pytest.raises(InputFileError, match="no such file"):
        read_labelled(tmp_path / "none.csv", text_column="text", label_column="topic")
    empty = tmp_path / "empty.csv"
    empty.write_text("text,topic\nhello,\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="no labelled rows"):
        read_labelled(empty, text_column="text", label_column="topic")


def test_reads_tsv_and_json_lines(tmp_path: Path) -> None:
    tsv = tmp_path / "t.tsv"
    tsv.write_text("text\tlabel\nхорошо, спасибо\tpos\nплохо\tneg\n", encoding="utf-8")
    assert read_labelled(tsv, text_column="text", label_column="label") == (
        ["хорошо, спасибо", "плохо"],
        ["pos", "neg"],
    )
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text('{"t": "bagus", "y": "pos"}\n{"t": "jelek", "y": "neg"}\n', encoding="utf-8")
    assert read_labelled(jsonl, text_column="t", label_column="y") == (
        ["bagus", "jelek"],
        ["pos", "neg"],
    )


def _cli(*extra: str) -> list[str]:
    return [
        "model",
        "eval",
        "--train",
        str(TRAIN),
        "--test",
        str(TEST),
        "--text-column",
        "text",
        "--label-column",
        "topic",
        "--method",
        "tfidf",
        *extra,
    ]


def test_cli_prints_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    assert main(_cli("--format", "json", "--predictions", str(out))) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) >= KEYS and result["n_test"] == 30
    assert out.read_text(encoding="utf-8").startswith("text,label,predicted")


def test_cli_few_shot_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_cli("--few-shot", "3", "--seed", "2")) == 0
    assert "n_train" in capsys.readouterr().out


def test_cli_missing_column_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    argv = _cli()
    argv[argv.index("topic")] = "nope"
    assert main(argv) == ConfigError.exit_code
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "no column 'nope'" in err and "\n" not in err


@pytest.mark.skipif(not (SHARED / "banking77").is_dir(), reason="shared/data/banking77 missing")
def test_harness_on_a_banking77_subset(tmp_path: Path) -> None:
    """20 of the 77 intents, real queries: far above the 1-in-20 majority baseline."""
    files = {}
    for split in ("train", "test"):
        with (SHARED / "banking77" / f"{split}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        keep = sorted({row["category"] for row in rows})[:20]
        files[split] = tmp_path / f"{split}.csv"
        with files[split].open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["text", "category"])
            writer.writeheader()
            writer.writerows(row for row in rows if row["category"] in keep)
    result = evaluate(
        files["train"], files["test"], text_column="text", label_column="category", method="tfidf"
    )
    assert result["n_test"] == 800
    majority = 40 / 800
    assert result["accuracy"] >= 0.85 > 10 * majority
    assert result["macro_f1"] >= 0.85
