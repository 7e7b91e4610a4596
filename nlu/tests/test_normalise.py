from helpline_nlu.normalise import clean, fold, has_letters, romanise, script_of


def test_clean_removes_control_and_zero_width_characters_and_collapses_space() -> None:
    assert clean("  salom\u200b\x00  aka\n\n") == "salom aka"


def test_clean_cuts_overlong_text() -> None:
    assert len(clean("a" * 10_000)) == 2000


def test_uzbek_apostrophe_variants_fold_to_one_form() -> None:
    forms = ["oʻzbek", "o'zbek", "o`zbek", "o‘zbek", "o’zbek", "ozbek"]
    assert {fold(f) for f in forms} == {"ozbek"}


def test_tajik_and_kyrgyz_letters_fold_to_russian_keyboard() -> None:
    assert fold("ҳаққи ҷавоб") == fold("хакки чавоб")
    assert fold("көңүл") == fold("конул")


def test_romanise_makes_cyrillic_and_latin_russian_neighbours() -> None:
    assert romanise("Зарплату не платят") == romanise("zarplatu ne platyat")
    assert romanise("уволили без предупреждения") == "uvolili bez preduprejdeniya"


def test_romanise_folds_uzbek_latin_and_cyrillic_spellings() -> None:
    assert romanise("ish haqi") == romanise("иш ҳақи")


def test_romanise_uses_the_one_latin_folding() -> None:
    assert romanise("Ўзбекистонда ёрдам") == romanise("O'zbekistonda yordam") == "ozbekistonda yordam"
    assert romanise("ҷавоб") == romanise("javob")


def test_fold_keeps_cyrillic_as_typed_on_a_russian_keyboard() -> None:
    assert fold("ўзбек ёрдам") == fold("узбек ердам") == "узбек ердам"


def test_script_of() -> None:
    assert script_of("иш ҳақи") == "Cyrl"
    assert script_of("ish haqi") == "Latn"
    assert script_of("123 😀") is None


def test_has_letters() -> None:
    assert not has_letters("😀😀 !!!")
    assert has_letters("😀 ok")


def test_latinise_writes_cyrillic_the_way_people_type_it_in_latin() -> None:
    from helpline_nlu.normalise import latinise

    assert latinise("Уволили без предупреждения", "ru") == "uvolili bez preduprezhdeniya"
    assert latinise("маош намедиҳанд", "tg") == "maosh namedihand"
    assert latinise("айлык бербей жатат", "ky") == "aylyk berbey jatat"
    assert latinise("already latin", "ru") is None
    assert latinise("ish haqi", "uz") is None


def test_word_joiner_added_by_channels_is_removed() -> None:
    assert clean("\u2060/start") == "/start"
