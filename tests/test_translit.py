import pytest

from bot.content.translit import uz_latn_to_cyrl


@pytest.mark.parametrize(("latin", "cyrillic"), [
    ("Oʻzbekiston", "Ўзбекистон"),
    ("ish haqi toʻlanmayapti", "иш ҳақи тўланмаяпти"),
    ("o'g'il ma'lumot", "ўғил маълумот"),
    ("yoʻq yoʻl", "йўқ йўл"),
    ("yangi ega", "янги эга"),
    ("SHOSHILINCH Shahar", "ШОШИЛИНЧ Шаҳар"),
    ("qog‘oz", "қоғоз"),
    ("TK RF 136-modda", "ТК РФ 136-модда"),
    ("politsiya", "полиция"), ("Kompensatsiya", "Компенсация"), ("operatsion", "операцион"), ("ketsa", "кетса"),
])
def test_words(latin: str, cyrillic: str) -> None:
    assert uz_latn_to_cyrl(latin) == cyrillic


def test_links_commands_and_placeholders_are_kept() -> None:
    text = "cbr.ru saytida {amount} /forget https://example.org/a?b=1"
    assert uz_latn_to_cyrl(text) == "cbr.ru сайтида {amount} /forget https://example.org/a?b=1"
