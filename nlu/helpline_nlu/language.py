"""Rasa component: identifies the language (and script) of each message.

Trained on our own examples: every training example carries `metadata: {lang: ...}`
written by `helpline train` from content/.  Off-the-shelf detectors confuse short Uzbek,
Tajik and Kyrgyz messages; a character n-gram model trained on how our users write does
not.  The result is added to the parse output under `language`.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from helpline_nlu.features import language_model
from helpline_nlu.normalise import has_letters, latinise, script_of
from helpline_nlu.persisted import PersistedModelComponent

LANGUAGE = "language"


def example_language(message: Message) -> str | None:
    """The `lang` of an example's (or its intent's) metadata, if any."""
    metadata = message.get("metadata") or {}
    for level in ("example", "intent"):
        value = (metadata.get(level) or {}).get("lang")
        if value:
            return str(value)
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LanguageIdentifier(PersistedModelComponent):
    """Predicts `language: {code, script, confidence, ranking}` for each message."""

    MODEL_FILE = "language.joblib"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # latin_variants: languages whose Cyrillic examples are also learnt in Latin
        # letters, as people type them on phones without a Cyrillic keyboard.
        return {"C": 1.0, "scale": 5.0, "ranking_length": 3, "latin_variants": ["ru", "tg", "ky"]}

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        for message in training_data.intent_examples:
            lang = example_language(message)
            if not lang:
                continue
            family = lang.split("_")[0]
            texts.append(message.get("text"))
            labels.append(family)
            latin = (
                latinise(message.get("text"), family)
                if family in self._config["latin_variants"]
                else None
            )
            if latin:
                texts.append(latin)
                labels.append(family)
        if len(set(labels)) >= 2:
            self._model = language_model(self._config["C"], self._config["scale"]).fit(
                texts, labels
            )
        return self._persist()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get("text") or ""
            message.set(LANGUAGE, self.identify(text), add_to_output=True)
        return messages

    def identify(self, text: str) -> dict[str, Any]:
        script = script_of(text)
        if self._model is None or not has_letters(text):
            return {"code": None, "script": script, "confidence": 0.0, "ranking": []}
        ranking = self.scorer.ranked(text, self._config["ranking_length"])
        code, confidence = ranking[0]
        return {
            "code": code,
            "script": script,
            "confidence": round(confidence, 4),
            "ranking": [{"code": c, "confidence": round(p, 4)} for c, p in ranking],
        }
