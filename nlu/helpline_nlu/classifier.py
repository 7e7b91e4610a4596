"""Rasa component: topic (intent) classifier over character and word n-grams.

Language-agnostic by construction: character n-grams of a romanised skeleton make
"зарплата", "zarplata" and "zarplatu" neighbours, and Tajik/Kyrgyz/Uzbek letters typed on
a Russian keyboard fold onto the same features.  A linear SVM with softmax over margins gives
softmax confidences for the FallbackClassifier that follows it.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from helpline_nlu.features import topic_model
from helpline_nlu.normalise import has_letters
from helpline_nlu.persisted import PersistedModelComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class NgramIntentClassifier(PersistedModelComponent, IntentClassifier):
    """Predicts `intent` and `intent_ranking` from n-gram features."""

    MODEL_FILE = "topics.joblib"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 1.0, "scale": 5.0, "ranking_length": 10}

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        texts = [m.get(TEXT) for m in examples]
        labels = [m.get(INTENT) for m in examples]
        if len(set(labels)) >= 2:
            self._model = topic_model(self._config["C"], self._config["scale"]).fit(texts, labels)
        return self._persist()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if self._model is None or not has_letters(text):
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            ranking = self.scorer.ranked(text, self._config["ranking_length"])
            name, confidence = ranking[0]
            message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [{"name": n, "confidence": c} for n, c in ranking],
                add_to_output=True,
            )
        return messages
