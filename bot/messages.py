"""Interface strings (msgids) of the helpline. Translations live in locales/*.po.

Only markers live here: `N_` does nothing at run time; `NP_` pairs a singular with its plural
for a text with a count (translated with ngettext: `Responder.plural`); scripts/translations
collects both into locales/messages.pot. Rights content lives in content/, not here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plural:
    """A text with a count: English singular and plural msgids; other languages have their own forms."""

    singular: str
    plural: str


def N_(message: str) -> str:
    return message


def NP_(singular: str, plural: str) -> Plural:
    return Plural(singular, plural)


CHOOSE_LANGUAGE = N_("Please choose your language.")
LANGUAGE_SET = N_("Good, I will answer in English.")
MENU_PROMPT = N_(
    "What is your question about? Choose a topic below, or write your question in your "
    "own words."
)
CATEGORY_PROMPT = N_("Choose the topic closest to your situation:")
DID_YOU_MEAN = N_("I am not sure I understood. Did you mean one of these?")
NOT_UNDERSTOOD = N_(
    "Sorry, I could not understand this message. Please write your question in a few words, "
    "or choose a topic from the menu."
)
TOO_LONG = N_(
    "Your message is very long, so I read only its beginning. If I missed something, "
    "write it in a few short sentences."
)
TOO_LONG_REFUSED = N_(
    "Your message is too long for me. Please write it in a few shorter messages."
)
UNAVAILABLE = N_(
    "Sorry, something went wrong on our side and I cannot answer right now. Please try again "
    "in a few minutes."
)
ONLY_TEXT = N_(
    "I can only read text messages. Please write your question in words or use the buttons. "
    "To reach a person, write /human."
)
VOICE_NOT_SUPPORTED = N_(
    "I cannot listen to voice or video messages yet. Please type your question, even in a few "
    "words with mistakes, or use the buttons. To reach a person, write /human."
)
PICTURE_NOT_SEEN = N_(
    "I cannot look at pictures or files, so I read only the words you wrote under it."
)
LOCATION_KEPT = N_(
    "Thank you. I keep only the approximate area (about 10 km), to suggest a union near you. "
    "You do not have to share your location to get help."
)
CONTACT_NOT_KEPT = N_(
    "Thank you, but I do not need a phone number, and I have not kept it. Please write your "
    "question in words or use the buttons."
)
GROUP_PRIVATE_ONLY = N_(
    "I answer only in private chats, so that your questions stay private. Press the button to "
    "write to me."
)
BTN_PRIVATE_CHAT = N_("Write to the helpline privately")
# Handing over to a person (a case).
BTN_CASE_SHARE = N_("Yes, and show them what I wrote")
BTN_CASE_PRIVATE = N_("Yes, but do not show my earlier messages")
BTN_END = N_("End the conversation with the person")
CASE_QUEUED = N_(
    "I have passed your request to a caseworker. A person will answer you here. Meanwhile you "
    "can write what happened; they will read it. To go back to the bot, press the button or write /end."
)
CASE_OFF_HOURS = N_("Nobody is on duty right now. Caseworkers will be back on {when}.")
CASE_JOINED = N_("A caseworker has joined. You are now talking to a person.")
CASE_RELEASED = N_("Your request is waiting for a caseworker again.")
CASE_STILL_OPEN = N_(
    "You are talking to a person now, so the bot is quiet. Write your message, or press the "
    "button to end the conversation with the person."
)
CASE_ENDED = N_("The conversation with the caseworker has ended. You are back with the helpline bot.")
CASE_IDLE_ENDED = N_(
    "The conversation with the caseworker has ended because nobody wrote for a long time. You are "
    "back with the helpline bot; press \"Talk to a person\" to start again."
)
CASE_URGENT_UNCLAIMED = N_(
    "Nobody has picked up your request yet. We have not forgotten you. If you are in danger, do not wait:"
)
# Floods: a new case refused (followed by the emergency numbers), a message into a case refused.
CASE_LIMIT_CONVERSATION = N_(
    "You have already asked for a person several times today, so I cannot pass on a new request now. "
    "Please try again tomorrow; meanwhile the bot can still answer your questions. If you are in danger, "
    "do not wait:"
)
CASE_LIMIT_BUSY = N_(
    "Very many requests for a person are arriving right now, so I cannot pass on yours at this moment. "
    "Please try again in an hour; meanwhile the bot can still answer your questions. If you are in danger, "
    "do not wait:"
)
CASE_SLOW_DOWN = N_(
    "You are writing very fast. Your caseworker has your earlier messages, but this one was not "
    "delivered: «{text}». Please wait a minute, then send it again."
)
CASE_EDITED = N_("(edited) {text}")
# Finding a union or another contact (routing).
ROUTE_ASK_PLACE = N_("Where do you work? Choose a city or write its name.")
ROUTE_OTHER_PLACE = N_("Another place / skip")
ROUTE_PLACE_UNKNOWN = N_("I do not know this place yet. Choose a city below, or skip.")
ROUTE_ASK_SECTOR = N_("What kind of work do you do?")
ROUTE_SKIP = N_("Skip")
ROUTE_RESULTS = N_("Who can help you:")
ROUTE_FALLBACK = N_("I have no contact near you yet. National services:")
ROUTE_NOTHING = N_("I do not have a checked contact for this yet. A person from the helpline can help you.")
ROUTE_EXAMPLE = N_("sample entry, not verified")
ROUTE_OPEN_NOW = N_("open now")
ROUTE_OPENS = N_("opens {when}")
SECTOR_CONSTRUCTION = N_("Construction")
SECTOR_DELIVERY = N_("Delivery, couriers, taxi")
SECTOR_RETAIL = N_("Shops, markets, warehouses")
SECTOR_CLEANING = N_("Cleaning, housing services")
SECTOR_AGRICULTURE = N_("Farms, greenhouses")
SECTOR_MANUFACTURING = N_("Factories")
SECTOR_HOSPITALITY = N_("Cafes, restaurants, hotels")
SECTOR_DOMESTIC = N_("Work in a family home")
SECTOR_TRANSPORT = N_("Drivers, transport")
SECTOR_OTHER = N_("Other work")
# The late-wage compensation calculator.
CALC_ASK_AMOUNT = N_("Let us count it. How much does the employer owe you? Write the amount in roubles, e.g. 45000.")
CALC_AMOUNT_AGAIN = N_("I could not read an amount. Write it in digits, e.g. 45000 or 45 000.")
CALC_ASK_DUE = N_("On what date should it have been paid? For example 15.03.2026 or 15 March.")
CALC_ASK_PAID = N_(
    "On what date was it paid? If it is still not paid, or it was paid in several parts, press a button."
)
CALC_DATE_AGAIN = N_("I could not read a date in the past. Write it like 15.03.2026.")
CALC_NOT_PAID = N_("Not paid yet")
CALC_CURRENCY = N_(
    "This looks like an amount in another currency, not in roubles. For work in Russia this money is counted "
    "in roubles. Write the amount in roubles, e.g. 45000."
)
CALC_IN_PARTS = N_("It was paid in several parts")
CALC_ASK_PARTS = N_(
    "Write each part that was paid: the date and the amount in roubles, one part per line, like this:\n"
    "20.03.2026 10000\n"
    "05.04.2026 15000\n"
    "At most {most} parts. When you have written them all, press \"Done\"."
)
CALC_PARTS_DONE = N_("Done")
CALC_PARTS_NOTED = N_(
    "Noted. Paid so far: {paid} of {owed}. Write the next part, or press \"Done\" if there are no more."
)
CALC_PARTS_AGAIN = N_(
    "I could not read a date and an amount. Write each part on its own line, like this: 20.03.2026 10000"
)
CALC_PART_BEFORE_DUE = N_(
    "The part paid on {date} is before the pay day, {due}. Write only the parts paid on the pay day or later."
)
CALC_PARTS_OVER_DEBT = N_(
    "With these parts, {paid} would be paid: more than the debt of {owed}. I did not note them. Check the "
    "amounts and write them again."
)
CALC_PARTS_TOO_MANY = N_("I can count at most {most} parts. For more parts, a person can help you count.")
CALC_RESULT = N_(
    "Compensation for late pay (TK RF Art. 236): at least 1/150 of the Bank of Russia key rate for each day "
    "of delay."
)
CALC_DUE_MOVED = N_(
    "The pay day, {agreed}, was a day off (a weekend or a public holiday). Then the pay is due on the working "
    "day before it, {due} (TK RF Art. 136 part 8), and the delay counts from the next day."
)
CALC_PARTS_PAID = N_("Paid in parts: {parts}.")
CALC_PARTS_REST = N_("Still not paid: {rest}. It is counted up to today, {date}.")
CALC_PERIOD = NP_("{first} – {last}: {days} day × {amount} × {rate}% ÷ 150 = {sum}",
                  "{first} – {last}: {days} days × {amount} × {rate}% ÷ 150 = {sum}")
CALC_TOTAL = NP_("Total: {total} for {days} day of delay.", "Total: {total} for {days} days of delay.")
CALC_NO_DELAY = N_("It was paid on time, so there is no compensation.")
CALC_TABLE = N_("Key rates as checked on {date}. Check the current rate at cbr.ru.")
CALC_COUNTED = NP_("Counted: {first} – {last}, {days} day: {total}.",
                   "Counted: {first} – {last}, {days} days: {total}.")
CALC_NOT_COUNTED_EARLY = NP_(
    "Not counted: {first} – {last}, {days} day. My rate table starts on {date}, so I have no rate for this day.",
    "Not counted: {first} – {last}, {days} days. My rate table starts on {date}, so I have no rate for these days.",
)
CALC_NOT_COUNTED_LATE = NP_(
    "Not counted: {first} – {last}, {days} day. The rates were last checked on {date}, so the rate for this "
    "day is not known yet.",
    "Not counted: {first} – {last}, {days} days. The rates were last checked on {date}, so the rate for these "
    "days is not known yet.",
)
CALC_ONLY_COUNTED = N_(
    "This sum is only for the counted days, not for the whole delay. A person can help you count the rest."
)
CALC_NOTHING_COUNTED = N_("So I cannot give a sum for this delay. A person can help you count it.")
BTN_SEVERANCE = N_("Count what I am owed")
SEVERANCE_ASK_PAY = N_(
    "Let us count it. About how much did you earn a month over the last year, in roubles? "
    "For example 60000. The employer counts the exact average from your pay for the last 12 months."
)
SEVERANCE_ASK_NOTICE = N_(
    "On what date were you warned in writing about the redundancy? If nobody warned you in writing, press the button."
)
SEVERANCE_NO_NOTICE = N_("I was not warned in writing")
SEVERANCE_ASK_DISMISSAL = N_("What is the date of dismissal? It may be a date still to come, e.g. 31.01.2027.")
SEVERANCE_DATE_AGAIN = N_("I could not read the date. Write it like 31.01.2027.")
SEVERANCE_RESULT = N_(
    "Severance pay: one month's average earnings, about {amount}. It is due on the day of dismissal, "
    "{dismissal}, together with unpaid wages and holiday pay (TK RF Arts. 178, 140)."
)
SEVERANCE_SECOND = N_(
    "If you still have no new job a month after dismissal, you keep your average earnings for the second "
    "month too, about {amount} (less if you start work during that month). Ask the former employer for it "
    "in writing when that month ends, on {date}; by one secondary source, within 15 working days after it "
    "(TK RF Art. 178)."
)
SEVERANCE_THIRD = N_(
    "A third month is paid only in exceptional cases, by decision of the employment service, if you "
    "registered with it within 14 working days after dismissal. To be safe, by {date} (TK RF Art. 178). "
    "A person can tell you whether this applies to you."
)
SEVERANCE_FOREIGN = N_(
    "Whether a foreign worker can register with the employment service has not been checked. Ask a person "
    "before you count on the third month."
)
SEVERANCE_ORDER = N_(
    "The dismissal date, {dismissal}, is before the warning date, {notice}. Please check it and write the "
    "date of dismissal again."
)
SEVERANCE_SCOPE = N_(
    "These sums follow Russian law. If you work in Kazakhstan, other rules apply and they are not counted "
    "here: talk to a person."
)
SEVERANCE_NOTICE_OK = N_("The 2 months' notice ran from {notice} to {earliest} (TK RF Art. 180).")
SEVERANCE_EARLY = NP_(
    "You were warned on {notice}, so without your written consent you cannot be dismissed before {earliest} "
    "(2 months' notice, TK RF Art. 180). If you agreed in writing to leave earlier, the employer also owes "
    "average earnings for the {days} day left of the notice (TK RF Art. 180 part 3).",
    "You were warned on {notice}, so without your written consent you cannot be dismissed before {earliest} "
    "(2 months' notice, TK RF Art. 180). If you agreed in writing to leave earlier, the employer also owes "
    "average earnings for the {days} days left of the notice (TK RF Art. 180 part 3).",
)
SEVERANCE_NOT_WARNED = N_(
    "You had to be warned personally and in writing at least 2 months before dismissal (TK RF Art. 180). "
    "If you were not, the dismissal can be challenged in court within 1 month of getting the dismissal "
    "order or work record book (TK RF Art. 392). Talk to a person soon."
)
SEVERANCE_ESTIMATE = N_("These sums are estimates from the pay you gave.")
SEVERANCE_KZ = N_(
    "This calculator follows Russian law. For redundancy in Kazakhstan, a person can help you count what "
    "you are owed."
)
CALC_KZ = N_(
    "In Kazakhstan the employer must pay the debt plus a penalty for each day of delay, based on the "
    "National Bank's rate (TK RK Art. 113 para. 3). I cannot count it exactly yet: a person can help you."
)
# The deadline to go to court (TK RF Art. 392).
BTN_DEADLINE = N_("Count my deadline for court")
DEADLINE_ASK_KIND = N_("What is the dispute about?")
DEADLINE_KIND_DISMISSAL = N_("Dismissal")
DEADLINE_KIND_WAGES = N_("Unpaid wages or other money")
DEADLINE_KIND_GENERAL = N_("Something else")
DEADLINE_ASK_DISMISSAL = N_("On what date did you get the dismissal order or your work book? For example 15.03.2026.")
DEADLINE_ASK_WAGES = N_("On what date should the money have been paid? For example 15.03.2026.")
DEADLINE_ASK_GENERAL = N_("On what date did you learn about the violation? For example 15.03.2026.")
DEADLINE_RESULT = N_(
    "In Russia (TK RF Art. 392), the last day to go to court is {date}: {term} from {start}. Workers pay no "
    "court fees."
)
DEADLINE_MOVED = N_(
    "The term ends on {end}, a day off (a weekend or a public holiday), so the last day moves to the next "
    "working day (TK RF Art. 14 part 4)."
)
DEADLINE_KZ_UNCHECKED = N_(
    "If you work in Kazakhstan: the deadline to go to court there has not been checked yet, so it is not "
    "counted here. A person can help you."
)
DEADLINE_KZ = N_(
    "I cannot count the deadline to go to court in Kazakhstan yet: it has not been checked. Do not wait: a "
    "person can help you find out."
)
DEADLINE_TERM_MONTHS = NP_("{count} month", "{count} months")
DEADLINE_TERM_YEARS = NP_("{count} year", "{count} years")
DEADLINE_NEAR = NP_("Only {days} day is left. Do not wait: file your claim or talk to a person now.",
                    "Only {days} days are left. Do not wait: file your claim or talk to a person now.")
DEADLINE_PASSED = NP_(
    "This deadline passed {days} day ago. A court may restore it if you had a good reason: talk to a person.",
    "This deadline passed {days} days ago. A court may restore it if you had a good reason: talk to a person.",
)
# The complaint letter.
LETTER_ASK_KIND = N_("What do you want to write?")
BTN_LETTER_EMPLOYER = N_("A claim to the employer")
BTN_LETTER_INSPECTORATE = N_("A complaint to the labour inspectorate")
LETTER_PRIVACY = N_(
    "I will ask a few questions; skip any you do not want to answer. Do not write your name or passport "
    "number: you write your name by hand on the printout. I do not keep your answers once the letter is made."
)
LETTER_ASK_EMPLOYER = N_("What is the employer's name (the company or the person)?")
LETTER_ASK_CITY = N_("In which city do you work?")
LETTER_ASK_ADDRESS = N_("What is the address of the workplace?")
LETTER_ASK_JOB = N_("What is your job?")
LETTER_ASK_START = N_("Since what date have you worked there? For example 01.02.2026.")
LETTER_ASK_END = N_("If you were dismissed: on what date? If not, press Skip.")
LETTER_ASK_AMOUNT = N_("How much does the employer owe you, in roubles?")
LETTER_ASK_AMOUNT_KZ = N_("How much does the employer owe you, in tenge?")
LETTER_ASK_PERIOD = N_("For which period? For example: March and April 2026.")
LETTER_ASK_STORY = N_("In a few sentences: what happened?")
LETTER_READY = N_(
    "Here is your letter: the Russian text to print and sign, and a copy in your language so you know what "
    "it says. Print two copies and keep the one with the employer's or the inspector's mark."
)
LETTER_KZ = N_("Letters for Kazakhstan are not ready yet. A person can help you write one.")
# The collective signal, asked once after the letter (only a Yes counts the employer).
SIGNAL_ASK = N_(
    "One more question; you can say no. May we count this employer: {employer}? We keep only the "
    "employer's name, the kind of problem and the city, not your name and nothing else about you. When "
    "several workers name the same employer, the union sees how many and can help everyone together. "
    "/forget deletes it."
)
BTN_SIGNAL_YES = N_("Yes, count it")
BTN_SIGNAL_NO = N_("No, thank you")
SIGNAL_COUNTED = N_("Thank you. The employer is counted; nothing about you is kept.")
SIGNAL_NOT_COUNTED = N_("That is fine. Nothing is counted.")
EMERGENCY_HEADER = N_("If you are in danger now, call:")
SERVICE_EMERGENCY = N_("emergency services, free, works without credit or SIM card")
SERVICE_EMERGENCY_KZ = N_("emergency services, free from any phone, even with a blocked SIM card")
SERVICE_POLICE = N_("police")
COUNTRY_RU = N_("Russia")
COUNTRY_KZ = N_("Kazakhstan")
BTN_WORK_RU = N_("I work in Russia")
BTN_WORK_KZ = N_("I work in Kazakhstan")
COUNTRY_ASK = N_(
    "The rules differ between Russia and Kazakhstan. Where do you work? Then I show only what applies to you."
)
COUNTRY_SET_RU = N_("Understood: from now on I answer for Russia.")
COUNTRY_SET_KZ = N_("Understood: from now on I answer for Kazakhstan.")
NO_RULES_RU = N_("We have not yet checked the rules for Russia on this question. A person can help with your case.")
NO_RULES_KZ = N_(
    "We have not yet checked the rules for Kazakhstan on this question. A person can help with your case."
)
URGENT_OFFER = N_("You can talk to a person now: press the button below.")
DRAFT_NOTE = N_("This translation is a draft and has not yet been checked by a lawyer.")
NOT_TRANSLATED = N_("This answer is not yet translated into your language.")
LAW = N_("Law:")
BTN_MORE = N_("More")
BTN_MENU = N_("Menu")
BTN_BACK = N_("Back")
BTN_HUMAN = N_("Talk to a person")
BTN_LANGUAGE = N_("Language")
BTN_FORGET_ALL = N_("Delete everything now")
SLOW_DOWN = N_("You are sending messages very fast. Please wait a minute, then write again: I will answer.")
PRIVACY_NOTICE = NP_(
    "🔒 Privacy: please do not write your name, passport number or address here. What you write is used only "
    "to answer you and is deleted after {days} day. If the bot does not understand a question, an organiser may "
    "keep it without names or numbers to teach the bot. A caseworker sees it only if you ask for a person and "
    "agree. To delete everything now, send /forget.",
    "🔒 Privacy: please do not write your name, passport number or address here. What you write is used only "
    "to answer you and is deleted after {days} days. If the bot does not understand a question, an organiser may "
    "keep it without names or numbers to teach the bot. A caseworker sees it only if you ask for a person and "
    "agree. To delete everything now, send /forget.",
)
FORGOTTEN = N_(
    "Done. I deleted this conversation: what you wrote, your answers and choices, and the text of any case "
    "with a caseworker. If you write again, we start from the beginning. To remove the messages from your "
    "phone too, delete this chat."
)
FORGET_FAILED = N_("I could not delete everything just now. Please press the button again in a few minutes.")

# Telegram command descriptions (setMyCommands), per language.
CMD_START = N_("Start again")
CMD_MENU = N_("Topics menu")
CMD_LANGUAGE = N_("Change language")
CMD_HUMAN = N_("Talk to a person")
CMD_FORGET = N_("Privacy of this chat")
CMD_HELP = N_("How to use this bot")
