"""The scikit-learn models behind the Rasa components, on small data made here."""

import pickle
from typing import Any

import numpy as np

from helpline_nlu.features import language_model, ranked, topic_model

TOPICS = {
    "wages": ["мне не платят зарплату", "zarplatu ne platyat", "ish haqi bermayapti",
              "маош намедиҳанд", "айлык бербей жатат", "they do not pay my wages"],
    "passport": ["забрали паспорт", "pasport zabrali", "pasportimni olib qoʻydi",
                 "шиносномаамро гирифтанд", "паспортумду алып коюшту", "boss took my passport"],
}


def _data() -> tuple[list[str], list[str]]:
    texts = [t for items in TOPICS.values() for t in items]
    labels = [label for label, items in TOPICS.items() for _ in items]
    return texts, labels


def test_topic_model_generalises_across_scripts_and_keyboards() -> None:
    model = topic_model().fit(*_data())
    assert model.predict(["зарплату не плотят", "pasportimni olib qoydi"]).tolist() == [
        "wages", "passport"]


def test_topic_confidences_are_probabilities_and_ranked() -> None:
    model = topic_model().fit(*_data())
    ranking = ranked(model, ["ne platyat"], top=2)[0]
    assert [label for label, _ in ranking] == ["wages", "passport"]
    assert np.isclose(sum(p for _, p in ranking), 1.0)


def test_language_model_tells_languages_apart_and_survives_pickling() -> None:
    texts = ["мне не платят", "не платят зарплату", "ish haqi bermayapti", "pul bermayapti",
             "маош намедиҳанд", "пул намедиҳанд"]
    langs = ["ru", "ru", "uz", "uz", "tg", "tg"]
    model = pickle.loads(pickle.dumps(language_model().fit(texts, langs)))
    assert model.predict(["ish haqi yoʻq", "маош надоданд"]).tolist() == ["uz", "tg"]


# --- the one-text scorer used at run time gives the pipeline's own answer ---------------------

import csv  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from helpline_nlu.features import LinearScorer  # noqa: E402

EVAL = Path(__file__).resolve().parents[2] / "tests" / "data" / "eval"


def _eval_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted(EVAL.glob("*.tsv")):
        with path.open(encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle, delimiter="\t"))
    return rows


ROWS = _eval_rows()
TRAIN, HELD_OUT = ROWS[::2], ROWS[1::2]
TOPICS_MODEL = topic_model().fit([r["text"] for r in TRAIN], [r["topic"] for r in TRAIN])
LANGUAGE_MODEL = language_model().fit([r["text"] for r in TRAIN], [r["lang"].split("_")[0] for r in TRAIN])
TWO_CLASS_MODEL = topic_model().fit(*_data())


def _same(model: Any, text: str) -> str:
    expected = dict(ranked(model, [text], top=100)[0])
    got = LinearScorer(model).ranked(text, top=100)
    assert set(dict(got)) == set(expected)
    for label, probability in got:
        assert abs(probability - expected[label]) < 1e-6, (text, label)
    probabilities = [p for _, p in got]
    assert probabilities == sorted(probabilities, reverse=True)
    return got[0][0]


def test_the_scorer_matches_the_pipeline_on_held_out_messages() -> None:
    assert len(HELD_OUT) > 100
    for row in HELD_OUT:
        assert _same(TOPICS_MODEL, row["text"]) == TOPICS_MODEL.predict([row["text"]])[0]
        assert _same(LANGUAGE_MODEL, row["text"]) == LANGUAGE_MODEL.predict([row["text"]])[0]
        _same(TWO_CLASS_MODEL, row["text"])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_the_scorer_matches_the_pipeline_on_any_text(text: str) -> None:
    for model in (TOPICS_MODEL, LANGUAGE_MODEL, TWO_CLASS_MODEL):
        _same(model, text)
