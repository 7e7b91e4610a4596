"""Base for our trainable Rasa components that keep one scikit-learn model on disk."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from helpline_nlu.features import LinearScorer, without_pruned_terms

Self = TypeVar("Self", bound="PersistedModelComponent")


class PersistedModelComponent(GraphComponent):
    """Holds `self._model` (None until trained) and saves or loads it as MODEL_FILE."""

    MODEL_FILE: ClassVar[str]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Any = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._model = model
        self._scorer: tuple[Any, LinearScorer] | None = None

    @property
    def scorer(self) -> LinearScorer:
        """The model's LinearScorer, made once for each trained or loaded model."""
        if self._scorer is None or self._scorer[0] is not self._model:
            self._scorer = (self._model, LinearScorer(self._model))
        return self._scorer[1]

    @classmethod
    def create(
        cls: type[Self],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls: type[Self],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Self:
        try:
            with model_storage.read_from(resource) as directory:
                model = without_pruned_terms(joblib.load(directory / cls.MODEL_FILE))
        except (ValueError, FileNotFoundError):
            model = None
        return cls(config, model_storage, resource, model)

    def _persist(self) -> Resource:
        """The model saved without the n-grams its vectorisers pruned (`without_pruned_terms`)."""
        without_pruned_terms(self._model)
        with self._storage.write_to(self._resource) as directory:
            joblib.dump(self._model, directory / self.MODEL_FILE)
        return self._resource
