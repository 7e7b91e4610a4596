"""Accuracy figures from predictions, in the JSON shape other checks rely on."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from bot.evaluation.dataset import Example


@dataclass(frozen=True)
class Prediction:
    text: str
    lang: str
    topic: str
    predicted_topic: str | None
    predicted_lang: str | None
    confidence: float


def predicted(example: Example, topic: str | None, lang: str | None, confidence: float) -> Prediction:
    return Prediction(example.text, example.lang, example.topic, topic, lang, confidence)


def _accuracy(items: list[Prediction]) -> tuple[float, float]:
    n = len(items) or 1
    return (sum(p.predicted_topic == p.topic for p in items) / n,
            sum(p.predicted_lang == p.lang for p in items) / n)


def summarise(predictions: list[Prediction]) -> dict[str, Any]:
    by_lang: dict[str, list[Prediction]] = defaultdict(list)
    for p in predictions:
        by_lang[p.lang].append(p)
    topic, language = _accuracy(predictions)
    return {
        "n": len(predictions),
        "topic_accuracy": round(topic, 4),
        "language_accuracy": round(language, 4),
        "per_language": {
            lang: dict(zip(("n", "topic_accuracy", "language_accuracy"),
                           (len(items), *(round(v, 4) for v in _accuracy(items))), strict=True))
            for lang, items in sorted(by_lang.items())
        },
        "predictions": [asdict(p) for p in predictions],
    }


def table(summary: dict[str, Any]) -> str:
    lines = [f"{'lang':<6}{'n':>6}{'topic acc':>11}{'lang acc':>10}"]
    for lang, row in summary["per_language"].items():
        lines.append(f"{lang:<6}{row['n']:>6}{row['topic_accuracy']:>11.3f}"
                     f"{row['language_accuracy']:>10.3f}")
    lines.append(f"{'all':<6}{summary['n']:>6}{summary['topic_accuracy']:>11.3f}"
                 f"{summary['language_accuracy']:>10.3f}")
    return "\n".join(lines)
