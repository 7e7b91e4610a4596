"""The complaint letter as a conversation: which letter, then the facts one by one (each can
be skipped), then the PDF. The answers live in one slot until the letter is made, then the
slot is cleared; no name, passport or phone number is ever asked.

When the user named the employer, one question follows the letter: may the helpline count
this employer (the collective signal)? Until the answer the slot keeps only the employer, the
city, the kind of letter and the country; only Yes returns an `EmployerMention` note, and
either answer clears the slot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from bot import messages as m
from bot.calc.amounts import parse_amount
from bot.calc.dates import parse_date
from bot.dialogue import Outcome, Turn, reply_language, waiting
from bot.flows.base import Context
from bot.letters.model import LetterFacts, LetterTemplate
from bot.letters.templates import render
from bot.notes import EmployerMention
from bot.replies import Button, Document, Reply, Responder, payload
from bot.routing.places import Place, Places, match_place
from bot.signal.employers import display_name, employer_key

TOPIC = "complaint_letter"
NAME = "letter"
KINDS = {"employer_claim": m.BTN_LETTER_EMPLOYER, "inspectorate_complaint": m.BTN_LETTER_INSPECTORATE}
FILENAMES = {"employer_claim": "pretenziya-rabotodatelyu.pdf", "inspectorate_complaint": "zhaloba-v-git.pdf"}
QUESTIONS = {
    "employer": m.LETTER_ASK_EMPLOYER, "city": m.LETTER_ASK_CITY, "address": m.LETTER_ASK_ADDRESS,
    "job": m.LETTER_ASK_JOB, "start_date": m.LETTER_ASK_START, "end_date": m.LETTER_ASK_END,
    "amount_owed": m.LETTER_ASK_AMOUNT, "period": m.LETTER_ASK_PERIOD, "what_happened": m.LETTER_ASK_STORY,
}
FIELDS = {
    "employer_claim": ("employer", "address", "job", "start_date", "end_date", "amount_owed", "period",
                       "what_happened"),
    "inspectorate_complaint": ("employer", "city", "address", "job", "start_date", "end_date", "amount_owed",
                               "period", "what_happened"),
}
LIMITS = {"what_happened": 1500}
SKIP = payload("letter", skip="yes")
SHARE = "share"                                          # the question after the letter
SHARE_YES, SHARE_NO = payload("letter", share="yes"), payload("letter", share="no")
KEPT_FOR_SHARE = ("kind", "country", "employer", "city")  # all the slot keeps until the answer


def _(responder: Responder, language: str, message: str) -> str:
    return responder.text(language, message)


Templates = dict[tuple[str, str], LetterTemplate]      # by (kind, country)


def start(responder: Responder, templates: Templates, turn: Turn) -> Outcome:
    """Which letter (the kinds there are templates for in the country of work), then the first
    question. Without a known country the letter is for Russia, where most users work."""
    language = reply_language(responder, turn)
    menu = Button(_(responder, language, m.BTN_MENU), payload("menu"))
    country = turn.country if turn.country in ("RU", "KZ") else "RU"
    kinds = {code: label for code, label in KINDS.items() if (code, country) in templates}
    if not kinds:
        human = Button(_(responder, language, m.BTN_HUMAN), payload("handoff_human"))
        return Outcome([Reply(_(responder, language, m.LETTER_KZ), (human, menu))],
                       {"language": language, "flow": None})
    kind = turn.entities.get("kind")
    if kind in kinds:
        return _ask(responder, language, {"kind": kind, "country": country}, FIELDS[kind][0])
    buttons = tuple(Button(_(responder, language, label), payload("letter", kind=code))
                    for code, label in kinds.items())
    intro = responder.intro(language, TOPIC, country)
    return Outcome([*intro, Reply(_(responder, language, m.LETTER_ASK_KIND), (*buttons, menu))],
                   {"language": language, "flow": None, "topic": TOPIC})


def _ask(responder: Responder, language: str, answers: dict[str, str], field: str) -> Outcome:
    skip = Button(_(responder, language, m.ROUTE_SKIP), SKIP)
    menu = Button(_(responder, language, m.BTN_MENU), payload("menu"))
    question = m.LETTER_ASK_AMOUNT_KZ if field == "amount_owed" and answers.get("country") == "KZ" \
        else QUESTIONS[field]
    replies = [Reply(_(responder, language, question), (skip, menu))]
    if field == FIELDS[answers["kind"]][0]:   # the first question: say what happens with the answers
        replies.insert(0, Reply(_(responder, language, m.LETTER_PRIVACY)))
    return Outcome(replies, {"language": language, "flow": waiting(NAME, field, answers)})


def answered(responder: Responder, templates: Templates, turn: Turn, today: dt.date, *,
             strict: bool) -> Outcome | None:
    """A typed answer (or the Skip button) to the current question."""
    state = turn.state(NAME)
    if state is None:
        return None
    field = state.step
    kind = str(state.answers.get("kind"))
    if kind not in FIELDS or field not in FIELDS[kind]:
        return None
    language = reply_language(responder, turn)
    answers = dict(state.answers)
    skipped = turn.is_button and turn.entities.get("skip") == "yes"
    if not skipped:
        if turn.is_button:
            return None
        value = _value(field, turn.text, today, language)
        if value is None:
            if strict:
                return None
            again = m.CALC_AMOUNT_AGAIN if field == "amount_owed" else m.CALC_DATE_AGAIN
            skip = Button(_(responder, language, m.ROUTE_SKIP), SKIP)
            return Outcome([Reply(_(responder, language, again), (skip,))],
                           {"language": language, "flow": state.slot()})
        answers[field] = value
    fields = FIELDS[kind]
    following = fields[fields.index(field) + 1:]
    if following:
        return _ask(responder, language, answers, following[0])
    return _finish(responder, templates, answers, language, today)


def _value(field: str, text: str, today: dt.date, language: str) -> str | None:
    text = " ".join(text.split())
    readers: dict[str, Callable[[], Any]] = {
        "start_date": lambda: parse_date(text, today=today, language=language),
        "end_date": lambda: parse_date(text, today=today, language=language),
        "amount_owed": lambda: parse_amount(text),
    }
    if field in readers:
        found = readers[field]()
        return None if found is None else str(found)
    return text[:LIMITS.get(field, 200)] or None


def _finish(responder: Responder, templates: Templates, answers: dict[str, str], language: str,
            today: dt.date) -> Outcome:
    kind = answers["kind"]
    country = answers.get("country", "RU")
    fields: dict[str, Any] = {
        "employer": answers.get("employer"), "address": answers.get("address"), "job": answers.get("job"),
        "city": answers.get("city"), "period": answers.get("period"), "what_happened": answers.get("what_happened"),
        "start_date": _date(answers.get("start_date")), "end_date": _date(answers.get("end_date")),
        "amount_owed": Decimal(answers["amount_owed"]) if answers.get("amount_owed") else None}
    try:
        facts = LetterFacts(kind=kind, country=country, **fields)  # type: ignore[arg-type]
    except ValueError:          # e.g. a dismissal date before the start date: leave both to write by hand
        facts = LetterFacts(kind=kind, country=country,  # type: ignore[arg-type]
                            **{**fields, "start_date": None, "end_date": None})
    from bot.letters.pdf import make_pdf  # fpdf takes 1.6 s and 45 MiB to import: only where a PDF is made

    letter = render(templates[(kind, country)], facts, language)
    pdf = make_pdf(letter, today=today)
    ready = Reply(_(responder, language, m.LETTER_READY), _onwards(responder, language),
                  Document(FILENAMES[kind], "application/pdf", pdf))
    employer = answers.get("employer") or ""
    if employer_key(employer) is None:
        return Outcome([ready], {"language": language, "flow": None})
    kept = {name: answers[name] for name in KEPT_FOR_SHARE if answers.get(name)}
    yes = Button(_(responder, language, m.BTN_SIGNAL_YES), SHARE_YES)
    no = Button(_(responder, language, m.BTN_SIGNAL_NO), SHARE_NO)
    ask = _(responder, language, m.SIGNAL_ASK).format(employer=display_name(employer))
    return Outcome([ready, Reply(ask, (yes, no))], {"language": language, "flow": waiting(NAME, SHARE, kept)})


def _onwards(responder: Responder, language: str) -> tuple[Button, Button]:
    human = Button(_(responder, language, m.BTN_HUMAN), payload("handoff_human"))
    return human, Button(_(responder, language, m.BTN_MENU), payload("menu"))


def shared(responder: Responder, turn: Turn, places: Places | None = None) -> Outcome:
    """The Yes or No after the letter. Only Yes, pressed while the question is open, counts
    the employer; a button pressed later counts nothing."""
    language = reply_language(responder, turn)
    cleared = {"language": language, "flow": None}
    state = turn.state(NAME)
    answers = state.answers if state is not None and state.step == SHARE else {}
    employer = answers.get("employer")
    if not employer:
        return Outcome(responder.main_menu(language), cleared)
    if turn.entities.get(SHARE) != "yes":
        return Outcome([Reply(_(responder, language, m.SIGNAL_NOT_COUNTED), _onwards(responder, language))],
                       cleared)
    country, city = _where(answers, turn.city, places)
    mention = EmployerMention(employer, topic=answers.get("kind"), country=country, city=city)
    return Outcome([Reply(_(responder, language, m.SIGNAL_COUNTED), _onwards(responder, language))],
                   cleared, notes=[mention])


def _where(answers: Mapping[str, str], routed: str | None, places: Places | None) -> tuple[str | None, str | None]:
    """The country and the place id (content/places.yml) of the work: the city typed for the
    letter, else the one chosen when looking for a union; a city that is not known is not kept."""
    country = answers.get("country")
    if places is None:
        return country, None
    typed = answers.get("city")
    place: Place | None = match_place(typed, places) if typed else None
    chosen = places.by_id.get(routed or "")
    if place is None and chosen is not None and chosen.country == country:
        place = chosen
    return (place.country, place.id) if place is not None else (country, None)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class Letter:
    """The Flow (bot/flows/base.py) over the functions above. Its buttons: /letter{"kind": …}
    starts the questions; /letter{"skip": "yes"} skips one; /letter{"share": "yes" or "no"}
    answers whether the employer may be counted."""

    name, topic, offer, entities, forgets = NAME, TOPIC, None, ("kind", "skip", "share"), True

    def start(self, context: Context, turn: Turn) -> Outcome:
        return start(context.responder, context.content.templates, turn)

    def answer(self, context: Context, turn: Turn, *, strict: bool) -> Outcome | None:
        if turn.is_button and turn.intent == NAME and turn.entities.get(SHARE):
            return shared(context.responder, turn, context.content.places)
        if turn.is_button and turn.intent != NAME:
            return None
        return answered(context.responder, context.content.templates, turn, context.today, strict=strict)


FLOW = Letter()
