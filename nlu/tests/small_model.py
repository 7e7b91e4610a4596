"""A small model trained with the real pipeline (nlu/config.yml), the real hand-written domain and
rules (nlu/domain.yml, nlu/data/rules.yml) and, as `helpline train` adds them from content/, a few
topics with their rules and examples in three languages: for tests that need Rasa's whole NLU
graph and processor (tests/test_payloads.py)."""

from __future__ import annotations

from pathlib import Path

NLU = Path(__file__).resolve().parents[1]

# as bot/training/compile.py writes them: each topic answered by its kind of action
TOPICS = {"wages_unpaid": "action_answer_topic", "documents_confiscated": "action_answer_topic",
          "crisis_xenophobia": "action_answer_urgent", "contact_union": "action_flow"}
FLOWS = {"calc": ["paid", "skip"], "route": ["city"]}          # a flow's button intent and its entities
EXAMPLES = {
    "greet": {"ru": ["привет", "здравствуйте", "добрый день"], "uz": ["salom", "assalomu alaykum"],
              "en": ["hello", "hi there"]},
    "menu": {"ru": ["меню", "покажи меню", "главное меню"], "uz": ["menyu", "menyuni ko'rsat"],
             "en": ["menu", "show the menu"]},
    "change_language": {"ru": ["сменить язык", "другой язык"], "uz": ["tilni o'zgartirish"],
                        "en": ["change language", "another language"]},
    "wages_unpaid": {"ru": ["не платят зарплату", "зарплату задерживают два месяца"],
                     "uz": ["ish haqi bermayapti", "maosh to'lanmayapti"], "en": ["my wages are not paid"]},
    "documents_confiscated": {"ru": ["забрали паспорт", "работодатель не отдаёт паспорт"],
                              "uz": ["pasportimni olib qo'yishdi"], "en": ["the boss took my passport"]},
    "crisis_xenophobia": {"ru": ["меня оскорбляют из-за национальности"], "uz": ["millatim uchun haqorat"],
                          "en": ["they insult me for my nationality"]},
    "contact_union": {"ru": ["как связаться с профсоюзом", "контакты профсоюза"], "uz": ["kasaba uyushmasi"],
                      "en": ["how to contact the union"]},
}


def write_project(folder: Path) -> dict[str, Path]:
    """config.yml, domain.yml and data/ for `rasa train` in `folder` (the paths by name)."""
    from rasa.shared.utils.io import read_yaml_file, write_yaml

    domain = read_yaml_file(NLU / "domain.yml")
    domain["intents"] = [*domain["intents"], *EXAMPLES, *FLOWS]
    domain["entities"] = list(dict.fromkeys([*domain["entities"], *(e for es in FLOWS.values() for e in es)]))
    nlu = {"version": "3.1", "nlu": [
        {"intent": intent, "metadata": {"lang": lang}, "examples": "".join(f"- {t}\n" for t in texts)}
        for intent, by_language in EXAMPLES.items() for lang, texts in by_language.items()]}
    rules = {"version": "3.1", "rules": [
        *({"rule": f"answer {topic}", "steps": [{"intent": topic}, {"action": action}]}
          for topic, action in TOPICS.items()),
        *({"rule": f"the {flow} flow's buttons", "steps": [{"intent": flow}, {"action": "action_flow"}]}
          for flow in FLOWS)]}
    (folder / "data").mkdir(parents=True, exist_ok=True)
    paths = {"config": folder / "config.yml", "domain": folder / "domain.yml", "data": folder / "data"}
    paths["config"].write_text((NLU / "config.yml").read_text(encoding="utf-8"), encoding="utf-8")
    write_yaml(domain, paths["domain"])
    write_yaml(nlu, folder / "data" / "nlu.yml")
    write_yaml(rules, folder / "data" / "topic_rules.yml")
    (folder / "data" / "rules.yml").write_text((NLU / "data" / "rules.yml").read_text(encoding="utf-8"),
                                               encoding="utf-8")
    return paths


def train_model(folder: Path) -> Path:
    """The trained model's archive."""
    from rasa.model_training import train

    paths = write_project(folder)
    result = train(str(paths["domain"]), str(paths["config"]), [str(paths["data"])], str(folder / "models"),
                   fixed_model_name="small")
    if result.code != 0 or result.model is None:
        raise RuntimeError(f"training failed ({result.code})")
    return Path(result.model)
