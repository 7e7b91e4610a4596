"""The organisers' workbench in the console (role organiser, admin or global_admin): the
coverage board, unanswered questions, insight and answer preview. Thin handlers over
bot/workbench; the same login, session and CSRF rules as the rest of the console
(bot/console/views.py), and a 403 for any other role.

Unanswered questions, insight counts and employer alerts are those in the account's reach
(bot/reach.py): its own organisation's, the operator organisation's also those routed
to none, a global admin's all. Acting on a question out of reach is a 404, like a missing one.

Questions assigned to a topic become example questions: once the studio has versions
(bot/studio/), they join the organisation's draft of that topic in their language, for a
reviewer and the next publish; before that, a patch to download (or, in development, the topic
file written)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.pages import C_, console_language
from bot.console.views import _db, _labels, _organisation_name, _pages, _state, signed_in
from bot.content.model import Library
from bot.content.problems import Problem
from bot.db.base import utcnow
from bot.db.models import Account, ConsoleSession
from bot.reach import ORGANISERS, Reach, reach_of
from bot.replies import Responder
from bot.routing.places import read_places
from bot.signal.reports import Alert, alerts
from bot.studio import drafts, topic_edit, versions
from bot.studio.cli import repository_of
from bot.whole_numbers import whole_numbers
from bot.workbench import charts, coverage, examples, insight, preview, questions
from bot.workbench.unanswered import grouped
from bot.workbench.vetting import Refusal, Vetted, vet

ACTIONS = tuple(questions.DONE)
CELL_STATES = {"reviewed": C_("reviewed"), "awaiting": C_("awaiting review"), "draft": C_("draft"),
               "stale": C_("stale"), "missing": C_("missing")}
Page = Callable[[Request, Account, ConsoleSession], Awaitable[Response]]


def organisers_only(handler: Page) -> Page:
    async def wrapped(request: Request, account: Account, console_session: ConsoleSession) -> Response:
        if account.role not in ORGANISERS:
            return Response(_pages(request).gettext(console_language(request), C_("For organisers only.")),
                            status_code=403)
        return await handler(request, account, console_session)
    return wrapped


def _reach(request: Request, account: Account) -> Reach:
    """The rows `account` may see (an organiser's: `organisers_only` came first)."""
    reach = reach_of(account, _state(request).settings.default_organisation)
    assert reach is not None
    return reach


async def _content(request: Request) -> tuple[Responder | None, list[Problem]]:
    """content/ as it is on disk, read on a worker thread (about a second for the shipped
    content; never on the event loop that serves users) and cached until a file changes."""
    settings = _state(request).settings
    return await anyio.to_thread.run_sync(preview.load, settings.content_dir, settings.locales_dir)


def _shown(request: Request, problems: list[Problem]) -> list[str]:
    """Content errors as `helpline check` words them, in the organiser's language."""
    settings = _state(request).settings
    return [p.render(settings.content_dir, console_language(request), locales=settings.locales_dir)
            for p in problems if not p.warning]


async def _common(request: Request, account: Account, console_session: ConsoleSession) -> dict[str, Any]:
    name = await _db(request, lambda s: _organisation_name(s, account))
    return {"account": account, "organisation": name, "csrf": console_session.csrf_token, "organiser": True}


@signed_in
@organisers_only
async def coverage_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    responder, problems = await _content(request)
    awaiting = await _db(request, drafts.awaiting)
    board = coverage.board(responder.library, utcnow().date(), awaiting) if responder is not None else None
    return _pages(request).render(request, "organiser_coverage.html", board=board, cell_states=coverage.STATES,
                                  problems=_shown(request, problems),
                                  states=_labels(request, CELL_STATES), **await _common(request, account,
                                                                                        console_session))


@signed_in
@organisers_only
async def unanswered_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    state = _state(request)
    since = utcnow() - dt.timedelta(days=state.settings.retention_days)
    listed = request.query_params.get("state", "open")
    listed = listed if listed in questions.LISTS else "open"
    reach = _reach(request, account)
    found = await _db(request, lambda s: questions.listed(s, reach, listed, since))
    responder, _ = await _content(request)
    topics = _titled(responder.library) if responder is not None else []
    # on a worker thread, never on the event loop that serves users; the same questions again
    # (a reload) come from grouped's cache
    grouping = await anyio.to_thread.run_sync(grouped, found)
    return _pages(request).render(request, "organiser_unanswered.html", groups=grouping.groups,
                                  more=grouping.more, topics=topics, listed=listed,
                                  development=state.settings.development, done=request.query_params.get("done"),
                                  **await _common(request, account, console_session))


def _titled(library: Library) -> list[tuple[str, str]]:
    """(id, title) of every topic, by title in the default language, for the topic choice."""
    def title(topic_id: str) -> str:
        answer = library.topics[topic_id].answer(library.default_language)
        return answer.title if answer is not None else topic_id
    return sorted(((topic_id, title(topic_id)) for topic_id in library.topics), key=lambda t: t[1].casefold())


def _example_language(language: str, library_languages: dict[str, Any], default: str) -> str:
    """Examples of a derived language (Uzbek Cyrillic) go under its base language."""
    known = library_languages.get(language)
    if known is None:
        return default
    return str(known.base or known.code)


def _ids(value: str) -> list[int]:
    return whole_numbers(value.split(","), 200)


REFUSALS = {
    Refusal.unconfirmed: C_("Tick the box below once you have checked every text."),
    Refusal.placeholder: C_("Replace or remove {placeholder}: an example must read like a question anyone could "
                            "ask, with nothing of this person in it."),
    Refusal.identifying: C_("This text still holds something that identifies a person (a number, an e-mail "
                            "address or a name): remove it."),
    Refusal.too_long: C_("This text is too long for an example: shorten it."),
}


def _refused(request: Request, vetted: Vetted) -> str:
    if vetted.refusal is None:
        return ""
    message = _pages(request).gettext(console_language(request), REFUSALS[vetted.refusal])
    return message.format(placeholder=vetted.placeholder)


def _to_assign(reach: Reach, ids: list[int]) -> Callable[[Session], list[tuple[int, str, str]] | None]:
    def listed(session: Session) -> list[tuple[int, str, str]] | None:
        rows = questions.to_handle(session, reach, ids)
        return None if rows is None else [(r.id, r.language, r.text) for r in rows]
    return listed


@signed_in
@organisers_only
async def assign_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    """The texts of a group as they would be saved as examples of a topic, to edit and check
    (bot/workbench/vetting.py): nothing is saved from this page's GET."""
    topic, ids = request.query_params.get("topic", ""), _ids(request.query_params.get("ids", ""))
    responder, _ = await _content(request)
    if not ids or responder is None or topic not in responder.library.topics:
        return Response("bad request", status_code=400)
    found = await _db(request, _to_assign(_reach(request, account), ids))
    if found is None:
        return Response("not found", status_code=404)
    shown = [(i, language, text, "") for i, language, text in found]
    return await _review(request, account, console_session, topic, shown)


async def _review(request: Request, account: Account, console_session: ConsoleSession, topic: str,
                  shown: list[tuple[int, str, str, str]], status: int = 200) -> Response:
    responder, _ = await _content(request)
    title = dict(_titled(responder.library)).get(topic, topic) if responder is not None else topic
    settings = _state(request).settings
    studio = await anyio.to_thread.run_sync(versions.head, repository_of(settings)) is not None
    return _pages(request).render(request, "organiser_assign.html", status, topic=topic, shown=shown, title=title,
                                  studio=studio, ids=",".join(str(i) for i, _, _, _ in shown),
                                  development=settings.development,
                                  **await _common(request, account, console_session))


@signed_in
@organisers_only
async def unanswered_action(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    form = await request.form()
    action, topic = str(form.get("action", "")), str(form.get("topic", ""))
    ids = _ids(str(form.get("ids", "")))
    responder, _ = await _content(request)
    library = responder.library if responder is not None else None
    if action not in ACTIONS or not ids or (action == "assign" and (library is None or topic not in library.topics)):
        return Response("bad request", status_code=400)
    reach = _reach(request, account)
    found: list[tuple[int, str, str]] | None = await _db(request, _to_assign(reach, ids))
    if found is None:               # another organisation's question, or none: as for cases
        return Response("not found", status_code=404)
    handled = [i for i, _, _ in found]
    if action == "assign" and library is not None and found:
        return await _assign(request, account, console_session, reach, topic, found, form, library)
    await _db(request, lambda s: questions.handle(s, reach, account.id, handled, action, topic, utcnow()))
    return RedirectResponse(f"/console/organiser/unanswered?done={action}", status_code=303)


async def _assign(request: Request, account: Account, console_session: ConsoleSession, reach: Reach, topic: str,
                  found: list[tuple[int, str, str]], form: FormData, library: Library) -> Response:
    """Save the checked texts of `found` as examples of `topic` (a patch, or the topic file in
    development), or show the review page again with what to change; nothing is saved then."""
    if any(f"text-{i}" not in form for i, _, _ in found):
        return Response("review the texts first (GET /console/organiser/unanswered/assign)", status_code=400)
    confirmed = form.get("checked") == "yes"
    vetted = {i: vet(str(form.get(f"text-{i}", "")), confirmed=confirmed) for i, _, _ in found}
    if any(v.refusal is not None for v in vetted.values()):
        shown = [(i, language, vetted[i].text, _refused(request, vetted[i])) for i, language, _ in found]
        return await _review(request, account, console_session, topic, shown, status=422)
    settings = _state(request).settings
    handled = [i for i, _, _ in found]

    def mark(session: Session) -> None:
        questions.handle(session, reach, account.id, handled, "assign", topic, utcnow(), detail="checked=yes")
    known = {(code, example) for t in library.topics.values() for code, a in t.answers.items()
             for example in a.examples}
    items = list(dict.fromkeys((_example_language(language, library.languages, library.default_language),
                                vetted[i].text) for i, language, _ in found if vetted[i].kept))
    items = [item for item in items if item not in known]    # already an example somewhere: not twice
    if not items:
        await _db(request, mark)
        return RedirectResponse("/console/organiser/unanswered?done=known", status_code=303)
    repository = repository_of(settings)
    head = await anyio.to_thread.run_sync(versions.head, repository)
    if head is not None:            # the studio serves the content: the examples join a draft for review
        await _db(request, lambda s: _drafted(s, account, topic, items, repository, head))
        await _db(request, mark)
        return RedirectResponse("/console/organiser/unanswered?done=drafted", status_code=303)
    diff = ""
    try:
        if settings.development:
            examples.write_many(settings.content_dir, topic, items)
        else:
            _, diff = examples.patch_many(settings.content_dir, topic, items)
    except examples.NoPlace:
        text = C_("The topic file has no list of example questions for this language; add one, then try again.")
        return Response(f"{topic}: {_pages(request).gettext(console_language(request), text)}", status_code=409)
    await _db(request, mark)
    if settings.development:
        return RedirectResponse("/console/organiser/unanswered?done=written", status_code=303)
    name = f"examples-{topic}-{utcnow():%Y%m%d-%H%M%S}.patch"
    return Response(diff, media_type="text/x-diff; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _drafted(session: Session, account: Account, topic: str, items: list[tuple[str, str]], repository: Path,
             head: str) -> None:
    """Examples added to the organisation's draft of each language of `topic` (started from
    the live version's examples), to be approved by a reviewer of that language and published."""
    path = drafts.topic_path(topic)
    live_text = versions.read(repository, head, path).decode("utf-8")
    actor = session.get(Account, account.id)
    assert actor is not None
    for language in dict.fromkeys(code for code, _ in items):
        draft = drafts.current(session, actor.organisation_id, path, language)
        before = (draft.body.get("examples") if draft is not None else None)
        if before is None:
            before = topic_edit.language_part(live_text, language).get("examples") or []
        added = [text for code, text in items if code == language]
        drafts.save(session, actor, path=path, topic=topic, language=language,
                    body={"examples": [*before, *added]}, base_version=head)


@signed_in
@organisers_only
async def insight_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    state = _state(request)
    end = utcnow().date()
    days, start = insight.period(request.query_params.get("days"), end)
    reach = _reach(request, account)
    rows = await _db(request, lambda s: insight.read(s, reach, start, end))
    languages = sorted({r.language for r in rows if r.language})
    channels = sorted({r.channel for r in rows if r.channel})
    language_filter, channel_filter = request.query_params.get("language", ""), request.query_params.get("channel", "")
    summary = insight.summarise(rows, start, end, language_filter, channel_filter)
    pages, language = _pages(request), console_language(request)
    t = pages.gettext
    hidden = t(language, C_("hidden"))
    pictures = {
        "topics": charts.lines(summary.days, {k: [v for v in vs] for k, vs in summary.topics.items()},
                               t(language, C_("Answers per topic per day"))),
        "rates": charts.lines(summary.days, {t(language, C_("fallback rate")): summary.fallback_rate,
                                             t(language, C_("handoff rate")): summary.handoff_rate},
                              t(language, C_("Fallback and handoff rates per day")), percent=True),
        "languages": charts.bars(summary.languages, t(language, C_("Answers by language")), hidden=hidden),
        "channels": charts.bars(summary.channels, t(language, C_("Conversations by channel")), hidden=hidden),
        "referrals": charts.bars(summary.referrals, t(language, C_("Referrals by organisation")), hidden=hidden),
        "topic_totals": charts.bars(summary.topic_totals, t(language, C_("Answers by topic")), hidden=hidden),
    }
    places, _ = await anyio.to_thread.run_sync(read_places, state.settings.content_dir / "places.yml")
    regions = {p.id: p.region for p in places} if places is not None else {}
    alerts = await _db(request, lambda s: _alerts(s, reach, state.settings.signal_threshold,
                                                 state.settings.retention_days, regions))
    return _pages(request).render(request, "organiser_insight.html", summary=summary, charts=pictures, days=days,
                                  periods=insight.DAYS, languages=languages, channels=channels,
                                  language_filter=language_filter,
                                  channel_filter=channel_filter,
                                  alerts=alerts, threshold=state.settings.signal_threshold,
                                  **await _common(request, account, console_session))


def _alerts(session: Session, reach: Reach, threshold: int, days: int, regions: dict[str, str]) -> list[Alert]:
    """The collective signal for the places in this organiser's reach (a global admin: all)."""
    return alerts(session, reach, threshold=threshold, days=days, now=utcnow(), regions=regions)


@signed_in
@organisers_only
async def preview_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    responder, problems = await _content(request)
    params = request.query_params
    topic, language = params.get("topic", ""), params.get("language", "")
    country = params.get("country") or None
    shown = None
    if responder is not None:
        library = responder.library
        topic = topic if topic in library.topics else sorted(library.topics)[0]
        language = language if language in library.languages else library.default_language
        country = country if country in ("RU", "KZ") else None
        shown = {part: preview.render(responder, topic, language, country, part) for part in ("answer", "more")}
    return _pages(request).render(
        request, "organiser_preview.html", shown=shown, topic=topic, language=language, country=country or "",
        topics=sorted(responder.library.topics) if responder else [],
        languages=list(responder.library.languages) if responder else [],
        problems=_shown(request, problems),
        **await _common(request, account, console_session))


def organiser_routes() -> list[BaseRoute]:
    return [
        Route("/console/organiser", lambda request: RedirectResponse("/console/organiser/coverage", 303)),
        Route("/console/organiser/coverage", coverage_page),
        Route("/console/organiser/unanswered", unanswered_page),
        Route("/console/organiser/unanswered", unanswered_action, methods=["POST"]),
        Route("/console/organiser/unanswered/assign", assign_page),
        Route("/console/organiser/insight", insight_page),
        Route("/console/organiser/preview", preview_page),
    ]
