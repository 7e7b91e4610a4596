"""What the bot says: plain functions from content and interface strings to replies.

Channel adapters and Rasa actions only translate these `Reply` values; nothing here knows
about Telegram, the web or Rasa.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot import messages as m
from bot.content.jurisdiction import countries_in, scope
from bot.content.model import Answer, Library, Topic
from bot.i18n import Catalogues


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Document:
    """A file for the user (a letter as PDF, say), sent by the channel as a download."""

    filename: str
    media_type: str
    data: bytes

    def to_json(self) -> dict[str, str]:
        return {"filename": self.filename, "media_type": self.media_type,
                "base64": base64.b64encode(self.data).decode()}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Document:
        name = str(value["filename"]).replace("/", "_").replace("\\", "_")[:100]
        return cls(name, str(value["media_type"]), base64.b64decode(str(value["base64"]), validate=True))


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    document: Document | None = None


def payload(intent: str, **entities: str) -> str:
    """A Rasa button payload that skips NLU: /intent{"key":"value"}."""
    return f"/{intent}" + (json.dumps(entities, separators=(",", ":")) if entities else "")


# Payloads the gateway handles itself (a case with a person), never sent to Rasa.
CASE_OPEN_SHARED = payload("case_open", transcript="yes")
CASE_OPEN_PRIVATE = payload("case_open", transcript="no")
CASE_END = "/case_end"
FORGET_ALL = "/forget_all"        # + {"language": …}: the gateway deletes the conversation
FORGET_TOPIC = "privacy_forget"
HANDOFF_TOPIC = "handoff_human"


@dataclass(frozen=True)
class Offer:
    """A flow's button under the answers whose topic lists the flow in `offers:`."""

    title: str             # an interface string (bot/messages.py)
    payload: str
    law: str | None = None   # the country whose law it counts: not offered to a worker elsewhere


@dataclass(frozen=True)
class Responder:
    library: Library
    catalogues: Catalogues
    retention_days: int = 30       # said in the privacy notice (settings.retention_days)
    offers: Mapping[str, Offer] = field(default_factory=dict)   # by flow name (bot.flows.offers)

    def _(self, language: str, message: str) -> str:
        return self.catalogues.gettext(language, message)

    def text(self, language: str, message: str) -> str:
        """An interface string in `language` (for the flows outside this class)."""
        return self.catalogues.gettext(language, message)

    def plural(self, language: str, message: m.Plural, n: int) -> str:
        """An interface string with a count: its form for `n` in `language` (still to be filled in)."""
        return self.catalogues.ngettext(language, message, n)

    def privacy_notice(self, language: str) -> Reply:
        """At first contact: what is kept, for how long, who sees it, how to delete it."""
        return Reply(self.plural(language, m.PRIVACY_NOTICE, self.retention_days).format(days=self.retention_days))

    def language_menu(self, language: str) -> list[Reply]:
        buttons = tuple(Button(lang.name, payload("choose_language", language=code))
                        for code, lang in self.library.languages.items())
        return [Reply(self._(language, m.CHOOSE_LANGUAGE), buttons)]

    def language_set(self, language: str) -> list[Reply]:
        return [Reply(self._(language, m.LANGUAGE_SET)), *self.main_menu(language)]

    def main_menu(self, language: str) -> list[Reply]:
        buttons = [
            Button(c.titles.get(language) or c.titles.get(self._fallback(language), c.id),
                   payload("show_category", category=c.id))
            for c in self.library.categories
        ]
        buttons.append(Button(self._(language, m.BTN_LANGUAGE), payload("change_language")))
        return [Reply(self._(language, m.MENU_PROMPT), tuple(buttons))]

    def category_menu(self, language: str, category_id: str) -> list[Reply]:
        category = next((c for c in self.library.categories if c.id == category_id), None)
        if category is None:
            return self.main_menu(language)
        buttons = [self._topic_button(language, t) for t in category.topics if t in self.library.topics]
        buttons.append(Button(self._(language, m.BTN_BACK), payload("menu")))
        return [Reply(self._(language, m.CATEGORY_PROMPT), tuple(buttons))]

    def intro(self, language: str, topic_id: str, country: str | None = None) -> list[Reply]:
        """A topic's answer as the opening of a flow: the text only, the flow's buttons follow."""
        return [Reply(r.text) for r in self.topic_answer(language, topic_id, country, ask_country=False)
                if r.text][:1]

    def topic_answer(self, language: str, topic_id: str, country: str | None = None, *,
                     ask_country: bool = True) -> list[Reply]:
        topic = self.library.topic(topic_id)
        if topic is None:
            return self.not_understood(language)
        answer, shown_in = self._answer(topic, language)
        if answer is None or answer.text is None:
            return self.main_menu(language)
        if ask_country and country is None and self._country_specific(answer, shown_in):
            return [self._ask_country(language, topic, answer)]
        parts = [self._scoped(answer.text, shown_in, language, country)]
        if shown_in != language:
            parts.insert(0, self._(language, m.NOT_TRANSLATED))
        if topic.kind != "meta" and answer.status == "draft":
            parts.append("ⓘ " + self._(language, m.DRAFT_NOTE))
        if topic.urgent:
            parts.append(self.emergency_text(language, country))
            parts.append(self._(language, m.URGENT_OFFER))
        return [Reply("\n\n".join(parts), self._answer_buttons(language, topic, answer, country))]

    def _ask_country(self, language: str, topic: Topic, answer: Answer) -> Reply:
        """Before an answer whose rules differ by country: one tap, then only that country's
        rules. An urgent topic keeps the emergency numbers and a person first."""
        if topic.urgent:
            human = Button(self._(language, m.BTN_HUMAN), payload("handoff_human"))
            text = "\n\n".join([answer.title, self.emergency_text(language, None),
                                 self._(language, m.URGENT_OFFER), self._(language, m.COUNTRY_ASK)])
            return Reply(text, (human, *self.country_buttons(language, topic.id)))
        return self.country_question(language, answer.title, self.country_buttons(language, topic.id))

    def country_question(self, language: str, title: str, countries: tuple[Button, ...]) -> Reply:
        """"<topic> — the rules differ: where do you work?", the countries' buttons, a person, the menu."""
        return Reply(f"{title}\n\n{self._(language, m.COUNTRY_ASK)}",
                     (*countries, Button(self._(language, m.BTN_HUMAN), payload("handoff_human")),
                      Button(self._(language, m.BTN_MENU), payload("menu"))))

    def more(self, language: str, topic_id: str, country: str | None = None) -> list[Reply]:
        topic = self.library.topic(topic_id)
        answer, shown_in = self._answer(topic, language) if topic else (None, language)
        if topic is None or answer is None or not answer.more:
            return self.main_menu(language)
        buttons = (Button(self._(language, m.BTN_HUMAN), payload("handoff_human")),
                   Button(self._(language, m.BTN_MENU), payload("menu")))
        return [Reply(self._scoped(answer.more, shown_in, language, country), buttons)]

    def country_buttons(self, language: str, topic_id: str | None = None) -> tuple[Button, ...]:
        """"I work in Russia / Kazakhstan": the answer to `topic_id` again, for that country."""
        about = {"topic": topic_id} if topic_id else {}
        return (Button(self._(language, m.BTN_WORK_RU), payload("country", country="RU", **about)),
                Button(self._(language, m.BTN_WORK_KZ), payload("country", country="KZ", **about)))

    def country_set(self, language: str, country: str, topic_id: str | None) -> list[Reply]:
        said = Reply(self._(language, m.COUNTRY_SET_KZ if country == "KZ" else m.COUNTRY_SET_RU))
        if topic_id and self.library.topic(topic_id) is not None:
            return [said, *self.topic_answer(language, topic_id, country)]
        return [said, *self.main_menu(language)]

    def _scoped(self, text: str, shown_in: str, language: str, country: str | None) -> str:
        """`text` (written in `shown_in`) with only the lines for `country`; a note when it has
        none for that country but had some for the other."""
        shown = self.library.languages.get(shown_in)
        found = scope(text, shown.countries if shown else {}, country)
        if found.other_dropped and not found.own_found:
            return found.text + "\n\n" + self._(language, m.NO_RULES_KZ if country == "KZ" else m.NO_RULES_RU)
        return found.text

    def _country_specific(self, answer: Answer, shown_in: str) -> bool:
        shown = self.library.languages.get(shown_in)
        labels = shown.countries if shown else {}
        return bool(countries_in((answer.text or "") + "\n" + (answer.more or ""), labels))

    def did_you_mean(self, language: str, ranking: list[str]) -> list[Reply]:
        topics = self.library.topics
        candidates = [t for t in ranking if t in topics and topics[t].kind != "meta"][:3]
        buttons = [self._topic_button(language, t) for t in candidates]
        buttons += [Button(self._(language, m.BTN_HUMAN), payload("handoff_human")),
                    Button(self._(language, m.BTN_MENU), payload("menu"))]
        return [Reply(self._(language, m.DID_YOU_MEAN), tuple(buttons))]

    def forgotten(self, language: str) -> list[Reply]:
        return [Reply(self._(language, m.FORGOTTEN)), *self.main_menu(language)]

    def not_forgotten(self, language: str) -> list[Reply]:
        return [Reply(self._(language, m.FORGET_FAILED), (self._forget_button(language),))]

    def _forget_button(self, language: str) -> Button:
        return Button(self._(language, m.BTN_FORGET_ALL), payload(FORGET_ALL.lstrip("/"), language=language))

    def not_understood(self, language: str) -> list[Reply]:
        return [Reply(self._(language, m.NOT_UNDERSTOOD), self.main_menu(language)[0].buttons)]

    def too_long(self, language: str) -> Reply:
        return Reply(self._(language, m.TOO_LONG))

    def unavailable(self, language: str) -> list[Reply]:
        text = "\n\n".join([self._(language, m.UNAVAILABLE), self.emergency_text(language, None)])
        return [Reply(text)]

    def emergency_text(self, language: str, country: str | None) -> str:
        # what 112 does differs by country (legal-facts.md sections 11 and 13)
        services = {"emergency": m.SERVICE_EMERGENCY, "police": m.SERVICE_POLICE}
        by_country = {"KZ": {"emergency": m.SERVICE_EMERGENCY_KZ}}
        names = {"RU": m.COUNTRY_RU, "KZ": m.COUNTRY_KZ}
        lines = [self._(language, m.EMERGENCY_HEADER)]
        for code, numbers in self.library.emergency.items():
            if country and code != country:
                continue
            names_here = {**services, **by_country.get(code, {})}
            listed = ", ".join(f"{n.number} ({self._(language, names_here.get(n.service, n.service))})"
                               for n in numbers if n.verified)
            lines.append(f"{self._(language, names.get(code, code))}: {listed}")
        return "\n".join(lines)

    def _answer(self, topic: Topic, language: str) -> tuple[Answer | None, str]:
        answer = topic.answer(language)
        if answer is not None and answer.text:
            return answer, language
        fallback = self._fallback(language)
        return topic.answer(fallback), fallback

    def _fallback(self, language: str) -> str:
        lang = self.library.languages.get(language)
        return (lang.fallback if lang and lang.fallback else None) or self.library.default_language

    def _topic_button(self, language: str, topic_id: str) -> Button:
        return Button(self.topic_title(language, topic_id), payload(topic_id))

    def topic_title(self, language: str, topic_id: str) -> str:
        topic = self.library.topics[topic_id]
        answer = topic.answer(language) or topic.answer(self._fallback(language))
        return answer.title if answer else topic_id

    def _answer_buttons(self, language: str, topic: Topic, answer: Answer,
                        country: str | None = None) -> tuple[Button, ...]:
        human = Button(self._(language, m.BTN_HUMAN), payload("handoff_human"))
        menu = Button(self._(language, m.BTN_MENU), payload("menu"))
        if topic.id == HANDOFF_TOPIC:      # consent first: the buttons open a case
            return (Button(self._(language, m.BTN_CASE_SHARE), CASE_OPEN_SHARED),
                    Button(self._(language, m.BTN_CASE_PRIVATE), CASE_OPEN_PRIVATE), menu)
        if topic.id == FORGET_TOPIC:       # deleting is a second, explicit press
            return (self._forget_button(language), menu)
        if topic.kind == "meta":
            return (menu,)
        more: tuple[Button, ...] = (
            (Button(self._(language, m.BTN_MORE), payload("more", topic=topic.id)),) if answer.more else ())
        for name in topic.offers:   # a calculator counting one country's law is not offered for the other
            offer = self.offers.get(name)
            if offer is not None and (offer.law is None or country in (None, offer.law)):
                more += (Button(self._(language, offer.title), offer.payload),)
        if topic.urgent:
            return (human, *more, menu)
        return (*more, human, menu)
