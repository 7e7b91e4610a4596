"""Rasa component: cleans each message before tokenisation.

Unicode NFC, control and zero-width characters removed, whitespace collapsed, Uzbek
apostrophe variants unified (so that WhitespaceTokenizer does not split o'zbek into two
tokens, the apostrophe is dropped in the token view), overlong messages cut.  The text the
user wrote stays untouched in the tracker; the normalised form is stored beside it.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from helpline_nlu.normalise import clean, fold

NORMALISED = "normalised_text"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class TextNormaliser(GraphComponent):
    """Stores `normalised_text` (cleaned) and `folded_text` on every message."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextNormaliser:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get("text")
            if text is None:
                continue
            message.set(NORMALISED, clean(text))
            message.set("folded_text", fold(text))
        return messages
