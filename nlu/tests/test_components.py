"""Our Rasa components trained, saved, loaded and run through Rasa's own model storage."""

from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from helpline_nlu.classifier import NgramIntentClassifier
from helpline_nlu.language import LanguageIdentifier
from helpline_nlu.normaliser import TextNormaliser

EXAMPLES = [
    ("мне не платят зарплату", "wages", "ru"), ("зарплату не дают", "wages", "ru"),
    ("ish haqi bermayapti", "wages", "uz"), ("maosh namedihand", "wages", "tg"),
    ("маош намедиҳанд", "wages", "tg"), ("they do not pay wages", "wages", "en"),
    ("забрали паспорт", "passport", "ru"), ("паспорт не отдают", "passport", "ru"),
    ("pasportimni olib qoydi", "passport", "uz"), ("шиносномаро гирифтанд", "passport", "tg"),
    ("pasport girift", "passport", "tg"), ("boss took my passport", "passport", "en"),
]


def _data() -> TrainingData:
    return TrainingData([Message.build(t, intent, None, {"lang": lang}, None)
                         for t, intent, lang in EXAMPLES])


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def test_components_train_persist_load_and_predict(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    TextNormaliser.create({}, storage, Resource("norm"), _context()).process_training_data(_data())
    config = {**NgramIntentClassifier.get_default_config()}
    trained = NgramIntentClassifier.create(config, storage, Resource("topics"), _context())
    resource = trained.train(_data())
    loaded = NgramIntentClassifier.load(config, storage, resource, _context())
    lang_config = {**LanguageIdentifier.get_default_config()}
    lang_resource = LanguageIdentifier.create(
        lang_config, storage, Resource("lang"), _context()).train(_data())
    identifier = LanguageIdentifier.load(lang_config, storage, lang_resource, _context())

    message = Message.build("zarplatu ne platyat")
    loaded.process([message])
    identifier.process([message])
    assert message.get("intent")["name"] == "wages"
    assert [r["name"] for r in message.get("intent_ranking")] == ["wages", "passport"]
    assert message.get("language")["code"] == "ru"
    assert "language" in message.output_properties


def test_emoji_only_message_gets_no_intent_and_no_language(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    config = NgramIntentClassifier.get_default_config()
    resource = NgramIntentClassifier.create(config, storage, Resource("t"), _context()).train(_data())
    classifier = NgramIntentClassifier.load(config, storage, resource, _context())
    message = Message.build("😀😀😀")
    classifier.process([message])
    assert message.get("intent") == {"name": None, "confidence": 0.0}


def test_untrained_model_loads_as_empty(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    config = LanguageIdentifier.get_default_config()
    component = LanguageIdentifier.load(config, storage, Resource("missing"), _context())
    assert component.identify("salom")["code"] is None
