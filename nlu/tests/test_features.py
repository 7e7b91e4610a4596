"""The scikit-learn models behind the Rasa components, on small data made here."""

import pickle

import numpy as np

from helpline_nlu.features import language_model, ranked, topic_model

TOPICS = {
    "wages": ["мне не платят зарплату", "zarplatu ne platyat", "ish haqi bermayapti",
              "маош намедиҳанд", "айлык бербей жатат", "they do not pay my wages"],
    "passport": ["забрали паспорт", "pasport zabrali", "pasportimni olib qoʻydi",
                 "шиносномаамро гирифтанд", "паспортумду алып коюшту", "boss took my passport"],
}


def _data():
    texts = [t for items in TOPICS.values() for t in items]
    labels = [label for label, items in TOPICS.items() for _ in items]
    return texts, labels


def test_topic_model_generalises_across_scripts_and_keyboards():
    model = topic_model().fit(*_data())
    assert model.predict(["зарплату не плотят", "pasportimni olib qoydi"]).tolist() == [
        "wages", "passport"]


def test_topic_confidences_are_probabilities_and_ranked():
    model = topic_model().fit(*_data())
    ranking = ranked(model, ["ne platyat"], top=2)[0]
    assert [label for label, _ in ranking] == ["wages", "passport"]
    assert np.isclose(sum(p for _, p in ranking), 1.0)


def test_language_model_tells_languages_apart_and_survives_pickling():
    texts = ["мне не платят", "не платят зарплату", "ish haqi bermayapti", "pul bermayapti",
             "маош намедиҳанд", "пул намедиҳанд"]
    langs = ["ru", "ru", "uz", "uz", "tg", "tg"]
    model = pickle.loads(pickle.dumps(language_model().fit(texts, langs)))
    assert model.predict(["ish haqi yoʻq", "маош надоданд"]).tolist() == ["uz", "tg"]
