"""scikit-learn text models shared by the custom components (no Rasa imports)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from helpline_nlu.normalise import fold, for_language_id, romanise

STEM_CHARS = 5


def stems(text: str) -> str:
    """Each folded word cut to its first letters: a crude stemmer for inflected and
    agglutinative languages (зарплату/зарплаты, ishlayman/ishlaydi, маошамро/маошам)."""
    return " ".join(word[:STEM_CHARS] for word in fold(text).split())


class SoftmaxSVC(BaseEstimator, ClassifierMixin):  # type: ignore[misc]
    """A linear SVM (fast to train on many sparse features) with softmax confidences.

    `scale` sharpens the softmax over SVM margins; FallbackClassifier thresholds apply to
    these confidences.
    """

    def __init__(self, c: float = 1.0, scale: float = 5.0) -> None:
        self.c = c
        self.scale = scale

    def fit(self, x: Any, y: Sequence[str]) -> "SoftmaxSVC":
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


def ranked(model: Pipeline, texts: Sequence[str], top: int) -> list[list[tuple[str, float]]]:
    """For each text, the `top` labels with their probabilities, best first."""
    probabilities = model.predict_proba(list(texts))
    labels: Any = model.classes_
    result = []
    for row in probabilities:
        order = np.argsort(row)[::-1][:top]
        result.append([(str(labels[i]), float(row[i])) for i in order])
    return result
