"""Evaluation sets: TSV (header with text, lang, topic) or JSONL with the same keys."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

LANGS = ("ru", "uz", "tg", "ky", "en")


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    topic: str


def read_examples(path: Path) -> list[Example]:
    """Read one file, or every .tsv/.jsonl file in a folder (sorted by name)."""
    if path.is_dir():
        files = sorted([*path.glob("*.tsv"), *path.glob("*.jsonl")])
        return [e for f in files for e in read_examples(f)]
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    else:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    missing = {"text", "lang", "topic"} - set(rows[0] if rows else {})
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    return [Example(str(r["text"]), str(r["lang"]), str(r["topic"])) for r in rows]
