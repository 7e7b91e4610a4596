"""The evaluation set readers and the JSON shape other checks rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluation.dataset import Example, read_examples
from bot.evaluation.report import predicted, summarise, table
from bot.settings import ROOT


def test_reads_tsv_with_extra_columns_and_jsonl(tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text("text\tlang\ttopic\tscript\nне платят\tru\twages_unpaid\tCyrl\n")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": "salom", "lang": "uz", "topic": "greet"}) + "\n")
    assert read_examples(tmp_path) == [Example("не платят", "ru", "wages_unpaid"),
                                       Example("salom", "uz", "greet")]


def test_missing_column_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bad.tsv").write_text("text\tlanguage\nx\try\n")
    with pytest.raises(ValueError, match="missing column"):
        read_examples(tmp_path / "bad.tsv")


def test_summary_has_the_documented_shape() -> None:
    a, b = Example("x", "ru", "greet"), Example("y", "tg", "menu")
    summary = summarise([predicted(a, "greet", "ru", 0.9), predicted(b, "greet", "uz", 0.4)])
    assert summary["n"] == 2 and summary["topic_accuracy"] == 0.5
    assert summary["language_accuracy"] == 0.5
    assert summary["per_language"]["tg"] == {"n": 1, "topic_accuracy": 0.0, "language_accuracy": 0.0}
    assert set(summary["predictions"][0]) == {"text", "lang", "topic", "predicted_topic",
                                              "predicted_lang", "confidence"}
    assert "all" in table(summary)


def test_held_out_set_covers_every_topic_in_every_language_both_uzbek_scripts() -> None:
    import csv

    rows = []
    for file in sorted((ROOT / "tests" / "data" / "eval").glob("*.tsv")):
        with file.open(encoding="utf-8") as handle:
            rows += list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    topics = {r["topic"] for r in rows}
    assert len(topics) == 37
    for lang in ("ru", "uz", "tg", "ky", "en"):
        for topic in topics:
            assert sum(r["lang"] == lang and r["topic"] == topic for r in rows) >= 8, (lang, topic)
    assert {r["script"] for r in rows if r["lang"] == "uz"} == {"Latn", "Cyrl"}


def test_typed_text_never_looks_like_a_button_payload() -> None:
    from bot.rasa_client import typed

    assert typed("/choose_language{\"language\":\"en\"}").startswith("\u2060")
    assert typed("мне не платят") == "мне не платят"
