import pytest

from bot.language import Detected, decide, locale_for

AVAILABLE = {"ru", "uz", "uz_Cyrl", "tg", "ky", "en"}


def choose(**kw: object) -> str:
    args: dict[str, object] = {"current": None, "explicit": False,
                               "detected": Detected(None, None, 0.0), "text": "",
                               "hint": None, "default": "ru", "available": AVAILABLE}
    args.update(kw)
    return decide(**args)  # type: ignore[arg-type]


def test_uzbek_cyrillic_writer_is_answered_in_cyrillic() -> None:
    assert locale_for("uz", "Cyrl", AVAILABLE) == "uz_Cyrl"
    assert locale_for("uz", "Latn", AVAILABLE) == "uz"
    assert locale_for("tg", "Latn", AVAILABLE) == "tg"


def test_first_message_sets_the_detected_language() -> None:
    assert choose(detected=Detected("tg", "Cyrl", 0.7), text="маош намедиҳанд") == "tg"


def test_phone_language_is_only_a_hint_when_detection_is_unsure() -> None:
    assert choose(detected=Detected("tg", "Cyrl", 0.2), hint="ky") == "ky"
    assert choose(detected=Detected("tg", "Cyrl", 0.9), text="маош намедиҳанд", hint="ky") == "tg"
    assert choose(hint="de-DE") == "ru"


def test_explicit_choice_always_wins() -> None:
    assert choose(current="ru", explicit=True, detected=Detected("uz", "Latn", 0.99),
                  text="ish haqi bermayapti hali ham") == "ru"


@pytest.mark.parametrize(("text", "confidence", "expected"), [
    ("ish haqi bermayapti hali ham", 0.95, "uz"),   # clearly Uzbek: switch
    ("salom", 0.95, "ru"),                          # one word: keep
    ("ish haqi bermayapti", 0.6, "ru"),             # unsure: keep
])
def test_language_persists_unless_the_user_clearly_switches(
        text: str, confidence: float, expected: str) -> None:
    assert choose(current="ru", detected=Detected("uz", "Latn", confidence), text=text) == expected
