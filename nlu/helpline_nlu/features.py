"""scikit-learn text models shared by the custom components (no Rasa imports)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from helpline_nlu.normalise import fold, for_language_id, romanise

STEM_CHARS = 5


def stems(text: str) -> str:
    """Each folded word cut to its first letters: a crude stemmer for inflected and
    agglutinative languages (зарплату/зарплаты, ishlayman/ishlaydi, маошамро/маошам)."""
    return " ".join(word[:STEM_CHARS] for word in fold(text).split())


class SoftmaxSVC(BaseEstimator, ClassifierMixin):
    """A linear SVM (fast to train on many sparse features) with softmax confidences.

    `scale` sharpens the softmax over SVM margins; FallbackClassifier thresholds apply to
    these confidences.
    """

    def __init__(self, c: float = 1.0, scale: float = 5.0) -> None:
        self.c = c
        self.scale = scale

    def fit(self, x: Any, y: Sequence[str]) -> SoftmaxSVC:
        self.svm_ = LinearSVC(C=self.c).fit(x, y)
        self.classes_ = self.svm_.classes_
        return self

    def predict_proba(self, x: Any) -> Any:
        margins = self.svm_.decision_function(x) * self.scale
        if margins.ndim == 1:  # two classes: one margin, positive for classes_[1]
            margins = np.column_stack([-margins / 2, margins / 2])
        exp = np.exp(margins - margins.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, x: Any) -> Any:
        return self.classes_[np.argmax(self.predict_proba(x), axis=1)]


def topic_model(c: float = 1.0, scale: float = 5.0) -> Pipeline:
    """Character n-grams of the romanised text, word and stem n-grams of the folded text."""
    features = FeatureUnion(
        [
            ("chars", TfidfVectorizer(
                preprocessor=romanise, analyzer="char_wb", ngram_range=(2, 5),
                sublinear_tf=True, min_df=1, max_features=250_000, dtype=np.float32,
            )),
            ("words", TfidfVectorizer(
                preprocessor=fold, analyzer="word", ngram_range=(1, 2), token_pattern=r"\w+",
                sublinear_tf=True, min_df=1, dtype=np.float32,
            )),
            ("stems", TfidfVectorizer(
                preprocessor=stems, analyzer="word", ngram_range=(1, 2), token_pattern=r"\w+",
                sublinear_tf=True, min_df=1, dtype=np.float32,
            )),
        ]
    )
    return Pipeline([("features", features), ("classifier", SoftmaxSVC(c, scale))])


def language_model(c: float = 1.0, scale: float = 5.0) -> Pipeline:
    """Character n-grams that keep language-specific letters, plus whole words."""
    features = FeatureUnion(
        [
            ("chars", TfidfVectorizer(
                preprocessor=for_language_id, analyzer="char_wb", ngram_range=(1, 4),
                sublinear_tf=True, min_df=1, dtype=np.float32,
            )),
            ("words", TfidfVectorizer(
                preprocessor=for_language_id, analyzer="word", token_pattern=r"\w+",
                sublinear_tf=True, min_df=1, dtype=np.float32,
            )),
        ]
    )
    return Pipeline([("features", features), ("classifier", SoftmaxSVC(c, scale))])


def without_pruned_terms(model: Any) -> Any:
    """`model` with every vectoriser's `stop_words_` removed, in place. scikit-learn < 1.5 keeps
    there every n-gram that `max_features` pruned, which is training text the model does not
    need and should not carry in the saved file (CVE-2024-5206); nothing reads it after fit."""
    parts = model.get_params(deep=True).values() if hasattr(model, "get_params") else ()
    for part in (model, *parts):
        if isinstance(part, CountVectorizer) and hasattr(part, "stop_words_"):
            del part.stop_words_
    return model


def ranked(model: Pipeline, texts: Sequence[str], top: int) -> list[list[tuple[str, float]]]:
    """For each text, the `top` labels with their probabilities, best first, through the
    pipeline itself: the reference LinearScorer is tested against (the components use that)."""
    probabilities = model.predict_proba(list(texts))
    labels: Any = model.classes_
    result = []
    for row in probabilities:
        order = np.argsort(row)[::-1][:top]
        result.append([(str(labels[i]), float(row[i])) for i in order])
    return result


class LinearScorer:
    """`ranked(model, [text], top)[0]` for one text, computed directly from the fitted model.

    For a single message scikit-learn spends most of its time on checks and on building sparse
    matrices (about 2 ms a call for each of our two models, a quarter of Rasa's CPU per message
    under load). The arithmetic is the same: each vectoriser's counts of known n-grams,
    1 + log(tf), times idf, divided by their L2 norm, then the SVM's margins and the softmax.
    `tests/test_features.py` checks it against the pipeline.
    """

    def __init__(self, model: Pipeline) -> None:
        union: FeatureUnion = model.named_steps["features"]
        classifier: SoftmaxSVC = model.named_steps["classifier"]
        if union.transformer_weights:
            raise ValueError("transformer weights are not supported")
        self.blocks: list[tuple[Any, dict[str, int], Any, bool, Any, int]] = []
        offset = 0
        for _, vectoriser in union.transformer_list:
            if not isinstance(vectoriser, TfidfVectorizer) or vectoriser.norm not in ("l2", None):
                raise ValueError(f"unsupported features: {vectoriser!r}")
            self.blocks.append((vectoriser.build_analyzer(), vectoriser.vocabulary_,
                                vectoriser.idf_.astype(vectoriser.dtype), vectoriser.sublinear_tf,
                                vectoriser.norm, offset))
            offset += len(vectoriser.vocabulary_)
        self.coef = classifier.svm_.coef_
        self.intercept = classifier.svm_.intercept_
        self.scale = classifier.scale
        self.labels = [str(label) for label in classifier.classes_]

    def probabilities(self, text: str) -> Any:
        columns, values = [], []
        for analyse, vocabulary, idf, sublinear, norm, offset in self.blocks:
            counts: dict[int, int] = {}
            for term in analyse(text):
                column = vocabulary.get(term)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            found = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=idf.dtype, count=len(counts))
            if sublinear:
                tf = np.log(tf) + idf.dtype.type(1)
            weights = tf * idf[found]
            if norm == "l2":
                length = np.sqrt(np.dot(weights, weights))
                if length > 0:
                    weights = weights / length
            columns.append(found + offset)
            values.append(weights)
        margins = self.intercept.astype(np.float64)
        if columns:
            margins = margins + self.coef[:, np.concatenate(columns)] @ np.concatenate(values).astype(np.float64)
        margins = margins * self.scale
        if margins.shape[0] == 1:            # two classes: one margin, positive for the second
            margins = np.array([-margins[0] / 2, margins[0] / 2])
        exp = np.exp(margins - margins.max())
        return exp / exp.sum()

    def ranked(self, text: str, top: int) -> list[tuple[str, float]]:
        row = self.probabilities(text)
        order = np.argsort(row)[::-1][:top]
        return [(self.labels[i], float(row[i])) for i in order]
