"""The late-wage compensation calculator as a conversation: amount, due date, payment date
(or "not paid yet", or the parts it was paid in), then the formula, the periods and the total.
The numbers live in the conversation's slots only until the result is shown, then they are
cleared."""

from __future__ import annotations

import datetime as dt

from bot import messages as m
from bot.calc.amounts import read_amount
from bot.calc.dates import parse_date
from bot.calc.key_rates import KeyRates
from bot.calc.parts import read_parts, store
from bot.dialogue import Outcome, Turn, reply_language, waiting
from bot.flows import calc_parts as parts_flow
from bot.flows.base import Context
from bot.flows.calc_result import CLEARED, NAME, answers, result
from bot.replies import Button, Reply, Responder, payload

TOPIC = "wages_delay_compensation"
STEPS = ("amount", "due", "paid", parts_flow.AWAITING)
NOT_PAID, IN_PARTS = "none", "parts"      # the buttons: /calc{"paid": …}


def _(responder: Responder, language: str, message: str) -> str:
    return responder.text(language, message)


def start(responder: Responder, turn: Turn) -> Outcome:
    """The rule for the worker's country, then the first question. Art. 236 is Russian law:
    a worker in Kazakhstan gets TK RK Art. 113 and a person; one who has not said where they
    work is asked first (one tap: the same start, with the country)."""
    language = reply_language(responder, turn)
    menu = Button(_(responder, language, m.BTN_MENU), payload("menu"))
    human = Button(_(responder, language, m.BTN_HUMAN), payload("handoff_human"))
    said = turn.entities.get("country")
    country = turn.country or (said if said in ("RU", "KZ") else None)
    chosen = {"country": country} if country and country != turn.country else {}
    if country is None:
        buttons = tuple(Button(b.title, payload(TOPIC, country=code))
                        for b, code in zip(responder.country_buttons(language), ("RU", "KZ"), strict=True))
        title = responder.topic_title(language, TOPIC)
        return Outcome([responder.country_question(language, title, buttons)],
                       {"language": language, **CLEARED, "topic": TOPIC})
    if country == "KZ":
        return Outcome([Reply(_(responder, language, m.CALC_KZ), (human, menu))],
                       {"language": language, **CLEARED, "topic": TOPIC, **chosen})
    intro = responder.intro(language, TOPIC, country)
    ask = Reply(_(responder, language, m.CALC_ASK_AMOUNT), (menu,))
    return Outcome([*intro, ask], {"language": language, "flow": waiting(NAME, "amount"), "topic": TOPIC, **chosen})


def typed(responder: Responder, rates: KeyRates, turn: Turn, today: dt.date, *, strict: bool) -> Outcome | None:
    """The next answer while the calculator waits. With `strict`, text that is no answer is
    left to the bot (the user asked something else); otherwise the question is asked again."""
    step, state = turn.step(NAME), turn.state(NAME)
    if step not in STEPS or state is None or turn.is_button:
        return None
    language = reply_language(responder, turn)
    menu = Button(_(responder, language, m.BTN_MENU), payload("menu"))
    if step == "amount":
        return _amount(responder, turn, language, strict=strict)
    given = answers(turn)                       # None until the due date is given
    if step != "due" and given is None:
        return None if strict else start(responder, turn)
    if given is not None and (step == parts_flow.AWAITING
                              or (step == "paid" and read_parts(turn.text, today=today))):
        return parts_flow.typed(responder, rates, turn, given, language, today, strict=strict)
    day = parse_date(turn.text, today=today, language=language)
    if day is None:
        return None if strict else Outcome([Reply(_(responder, language, m.CALC_DATE_AGAIN), (menu,))],
                                           {"language": language, "flow": state.slot()})
    if step == "due" or given is None:
        noted = {"amount": state.answers.get("amount", ""), "due": store(day, ())}
        return Outcome([ask_paid(responder, language)], {"language": language, "flow": waiting(NAME, "paid", noted)})
    return result(responder, rates, given, language, paid=day)


def _amount(responder: Responder, turn: Turn, language: str, *, strict: bool) -> Outcome | None:
    """The debt, in roubles: an amount in another currency is asked again."""
    menu = Button(_(responder, language, m.BTN_MENU), payload("menu"))
    found = read_amount(turn.text)
    if found is None and strict:
        return None
    if found is None or found.foreign:
        again = m.CALC_AMOUNT_AGAIN if found is None else m.CALC_CURRENCY
        return Outcome([Reply(_(responder, language, again), (menu,))],
                       {"language": language, "flow": waiting(NAME, "amount")})
    return Outcome([Reply(_(responder, language, m.CALC_ASK_DUE), (menu,))],
                   {"language": language, "flow": waiting(NAME, "due", {"amount": str(found.value)})})


def ask_paid(responder: Responder, language: str) -> Reply:
    return Reply(_(responder, language, m.CALC_ASK_PAID), (
        Button(_(responder, language, m.CALC_NOT_PAID), payload("calc", paid=NOT_PAID)),
        Button(_(responder, language, m.CALC_IN_PARTS), payload("calc", paid=IN_PARTS)),
        Button(_(responder, language, m.BTN_MENU), payload("menu"))))


def pressed(responder: Responder, rates: KeyRates, turn: Turn, today: dt.date) -> Outcome:
    """A calculator button: "not paid yet" counts up to today; "in parts" asks for the parts;
    "done" counts with the parts written. Out of turn, the calculator starts again."""
    language = reply_language(responder, turn)
    choice, given, step = turn.entities.get("paid"), answers(turn), turn.step(NAME)
    if given is None:
        return start(responder, turn)
    if choice == NOT_PAID and step == "paid":
        return result(responder, rates, given, language, paid=today)
    if choice == IN_PARTS and step in ("paid", parts_flow.AWAITING):
        return parts_flow.ask(responder, given, language)
    if choice == parts_flow.DONE and step == parts_flow.AWAITING:
        return parts_flow.done(responder, rates, given, language, today)
    return start(responder, turn)


class Calc:
    """The Flow (bot/flows/base.py) over the functions above."""

    name, topic, offer, entities, forgets = NAME, TOPIC, None, ("paid", "country"), True

    def start(self, context: Context, turn: Turn) -> Outcome:
        return start(context.responder, turn)

    def answer(self, context: Context, turn: Turn, *, strict: bool) -> Outcome | None:
        rates = context.content.rates
        if rates is None:                 # content/ without a key-rate table: the action apologises
            raise LookupError("content/ has no usable key-rate table (helpline check)")
        if turn.is_button:
            return pressed(context.responder, rates, turn, context.today) if turn.intent == NAME else None
        return typed(context.responder, rates, turn, context.today, strict=strict)


FLOW = Calc()
