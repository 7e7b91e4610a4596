"""CVE-2024-5206: scikit-learn < 1.5 keeps every n-gram that `max_features` pruned in the
vectoriser's `stop_words_`, so a saved model would carry training text it never uses. Our
components save and load their models without it, and predict the same."""

from pathlib import Path
from typing import Any

import joblib
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import CountVectorizer

from helpline_nlu import classifier, features
from helpline_nlu.classifier import NgramIntentClassifier
from helpline_nlu.language import LanguageIdentifier

EXAMPLES = [
    ("мне не платят зарплату второй месяц", "wages", "ru"), ("зарплату не дают на стройке", "wages", "ru"),
    ("ish haqi bermayapti", "wages", "uz"), ("маош намедиҳанд", "wages", "tg"),
    ("they do not pay wages", "wages", "en"), ("забрали паспорт на складе", "passport", "ru"),
    ("паспорт не отдают", "passport", "ru"), ("pasportimni olib qoydi", "passport", "uz"),
    ("шиносномаро гирифтанд", "passport", "tg"), ("boss took my passport", "passport", "en"),
]
QUESTIONS = ["zarplatu ne platyat", "паспорт забрал начальник", "maosh", "pasport", "wages"]
PRUNED_TO = 40      # far fewer character n-grams than these examples have


def _data() -> TrainingData:
    return TrainingData([Message.build(t, intent, None, {"lang": lang}, None) for t, intent, lang in EXAMPLES])


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _vectorisers(model: Any) -> list[CountVectorizer]:
    return [part for part in model.get_params(deep=True).values() if isinstance(part, CountVectorizer)]


def _ranked(component: NgramIntentClassifier) -> list[Any]:
    messages = [Message.build(text) for text in QUESTIONS]
    component.process(messages)
    return [message.get("intent_ranking") for message in messages]


def _small_topic_model(c: float = 1.0, scale: float = 5.0) -> Any:
    """The topic model with its character n-grams cut to PRUNED_TO."""
    return features.topic_model(c, scale).set_params(features__chars__max_features=PRUNED_TO)


def test_a_saved_topic_model_has_no_pruned_terms_and_predicts_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classifier, "topic_model", _small_topic_model)
    same = _small_topic_model().fit([t for t, _, _ in EXAMPLES], [i for _, i, _ in EXAMPLES])
    pruned = set().union(*(v.stop_words_ for v in _vectorisers(same)))    # what training prunes
    assert pruned, "the test needs a model that pruned n-grams"
    storage = LocalModelStorage(tmp_path)
    config = NgramIntentClassifier.get_default_config()
    trained = NgramIntentClassifier.create(config, storage, Resource("topics"), _context())

    resource = trained.train(_data())
    loaded = NgramIntentClassifier.load(config, storage, resource, _context())
    with storage.read_from(resource) as directory:
        on_disk = joblib.load(directory / NgramIntentClassifier.MODEL_FILE)
        raw = (directory / NgramIntentClassifier.MODEL_FILE).read_bytes()

    for model in (trained._model, on_disk, loaded._model):
        assert all(not hasattr(v, "stop_words_") for v in _vectorisers(model))
    assert len(on_disk.named_steps["features"].transformer_list[0][1].vocabulary_) == PRUNED_TO
    kept = set().union(*(v.vocabulary_ for v in _vectorisers(on_disk)))
    # pruned n-grams that are no part of a kept one: before the fix, the file held them all
    gone = [term for term in pruned - kept if len(term) >= 4 and not any(term in k for k in kept)]
    assert gone and not any(term.encode() in raw for term in gone)
    ranked = _ranked(loaded)
    assert ranked == _ranked(trained)
    assert [r[0]["name"] for r in ranked[:2]] == ["wages", "passport"]


def test_pruned_terms_are_dropped_without_changing_predictions() -> None:
    texts, labels = [t for t, _, _ in EXAMPLES], [i for _, i, _ in EXAMPLES]
    model = features.topic_model().set_params(features__chars__max_features=PRUNED_TO).fit(texts, labels)
    assert any(v.stop_words_ for v in _vectorisers(model))
    expected = model.predict_proba(QUESTIONS)
    assert features.without_pruned_terms(model) is model
    assert all(not hasattr(v, "stop_words_") for v in _vectorisers(model))
    assert (model.predict_proba(QUESTIONS) == expected).all()
    assert features.without_pruned_terms(None) is None            # an untrained component saves None


def test_a_model_saved_before_the_fix_loads_without_pruned_terms(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    texts, labels = [t for t, _, _ in EXAMPLES], [lang for _, _, lang in EXAMPLES]
    old = features.language_model().set_params(features__chars__max_features=PRUNED_TO).fit(texts, labels)
    assert any(v.stop_words_ for v in _vectorisers(old))
    resource = Resource("lang")
    with storage.write_to(resource) as directory:
        joblib.dump(old, directory / LanguageIdentifier.MODEL_FILE)
    loaded = LanguageIdentifier.load(LanguageIdentifier.get_default_config(), storage, resource, _context())
    assert all(not hasattr(v, "stop_words_") for v in _vectorisers(loaded._model))
    assert loaded.identify("маош намедиҳанд")["code"] == "tg"
