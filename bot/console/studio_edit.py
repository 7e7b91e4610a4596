"""The studio's editing pages in the console (issue 17, items 1-3): every topic with the state of
each language, and one topic's edit form in one language beside the Russian original and the
other languages, each answer line with the country it is shown to. Saving makes or changes the
organisation's draft (bot/studio/drafts.py, which audits), always, so nothing typed is lost;
then the page checks the live version with the draft laid over it (bot/studio/staging.py, on a
worker thread) and shows each problem at its field, worded in the console's language. The data
files' page is bot/console/studio_files.py, the drafts and their previews
bot/console/studio_drafts.py; their routes are listed here.

Same login, session and CSRF rules as the rest of the console; organisers, admins, global admins
and reviewers only (403 otherwise)."""

from __future__ import annotations

from typing import Any

import anyio
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console import studio_drafts, studio_files
from bot.console.pages import C_
from bot.console.studio_base import (
    DraftRow,
    Live,
    Said,
    common,
    draft_row,
    editors_only,
    live_of,
    may_preview,
    not_started,
    rendered,
    say,
    scratch,
    title_of,
    why,
)
from bot.console.views import _db, _pages, signed_in
from bot.db.base import utcnow
from bot.db.models import Account, ConsoleSession, DraftState, Role
from bot.studio import drafts, staging, topic_form
from bot.studio.drafts import Refused
from bot.studio.topic_edit import EditError
from bot.workbench import coverage

SAID = {"saved": C_("Saved as a draft. A reviewer of this language approves it; then an admin publishes it."),
        "unchanged": C_("Nothing was changed, so nothing was saved."),
        "clash": C_("Someone else saved the marked fields of this draft while you were editing: the draft keeps "
                    "their text, and yours is shown under each of those fields. Copy what you need into the "
                    "field and save again; your other changes are saved."),
        "approved": C_("Approved. The next publish puts it live."),
        "withdrawn": C_("The draft was withdrawn: the live text stays.")}


def _board(live: Live, pending: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """Per topic (by its Russian title), per language: reviewed, awaiting review, approved (to
    publish), draft, stale or missing."""
    awaiting = {(topic, language) for topic, language, state in pending if state == DraftState.open.value}
    approved = {(topic, language) for topic, language, state in pending if state == DraftState.approved.value}
    languages = live.library.languages
    rows = []
    for row in coverage.board(live.library, utcnow().date(), awaiting).rows:
        cells = {}
        for code, cell in row.cells.items():
            waiting = cell.state != "awaiting" and (row.topic, languages[code].base or code) in approved
            cells[code] = {"state": "approved" if waiting else cell.state, "derived": cell.derived}
        rows.append({"topic": row.topic, "title": title_of(live.library, row.topic), "cells": cells})
    return sorted(rows, key=lambda r: (str(r["title"]).casefold(), r["topic"]))


@signed_in
@editors_only
async def topics_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    live = await live_of(request)
    if live is None:
        return await not_started(request, account, console_session)

    def read(session: Session) -> list[tuple[str, str, str]]:
        return [(d.topic, d.language, d.state.value) for d in drafts.pending(session) if d.topic and d.language]
    pending = await _db(request, read)
    return _pages(request).render(
        request, "studio_topics.html", rows=_board(live, pending), languages=live.library.languages,
        files=drafts.DATA_FILES, **await common(request, account, console_session))


def _found(live: Live, request: Request) -> tuple[str, str] | None:
    topic = str(request.path_params.get("topic", ""))
    language = request.query_params.get("language") or live.library.default_language
    if topic not in live.library.topics or language not in live.library.languages:
        return None
    return topic, language


async def _opened(request: Request, account: Account,
                  console_session: ConsoleSession) -> tuple[Live, str, str] | Response:
    """The live version and the topic and language the address names, or the page to answer
    with instead (the studio not started; a topic or language that does not exist: 404)."""
    live = await live_of(request)
    if live is None:
        return await not_started(request, account, console_session)
    found = _found(live, request)
    if found is None:
        return Response("not found", status_code=404)
    return live, *found


def _others(live: Live, topic: str, language: str) -> list[dict[str, Any]]:
    """The other languages' live text, read-only, each line with its country (not the default
    language's: the page shows it as the original)."""
    library, found = live.library, live.library.topics[topic]
    shown = []
    for code, lang in library.languages.items():
        answer = found.answers.get(code)
        if code in (language, library.default_language) or answer is None:
            continue
        shown.append({"code": code, "name": lang.name, "title": answer.title, "derived": lang.base,
                      "answer": topic_form.marked(answer.text, lang.countries),
                      "more": topic_form.marked(answer.more, lang.countries), "examples": len(answer.examples)})
    return shown


async def _topic_page(request: Request, account: Account, console_session: ConsoleSession, live: Live,
                      topic: str, language: str, *, status: int = 200, said: str | None = None,
                      unsaved: dict[str, str] | None = None) -> Response:
    path = drafts.topic_path(topic)
    library, lang = live.library, live.library.languages[language]

    live_text = await anyio.to_thread.run_sync(staging.file_text, live.repository, live.version, path) or ""

    def read(session: Session) -> tuple[DraftRow | None, list[DraftRow], str]:
        """The organisation's draft (and the file's text with it laid over), and the drafts of
        other organisations this account may see."""
        mine = drafts.current(session, account.organisation_id, path, language)
        others = [d for d in drafts.pending(session) if d.path == path and d.language == language
                  and d.organisation_id != account.organisation_id and drafts.may_see(account, d)
                  and may_preview(account, d)]
        text = drafts.applied(live_text, mine, None) if mine is not None else live_text
        return (draft_row(session, account, mine, library.default_language) if mine else None,
                [draft_row(session, account, d, library.default_language) for d in others], text)
    checked, broken = None, None
    try:
        draft, others, text = await _db(request, read)
    except EditError as error:          # the live file itself does not parse: the check says where
        draft, others, text, broken = None, [], live_text, str(error)
    if draft is not None:
        checked = await anyio.to_thread.run_sync(staging.checked, live.repository, live.version, path, text,
                                                 scratch(request))
    default = language == library.default_language
    form = topic_form.form_of(text, language) if broken is None else topic_form.Form()
    standing = _as_it_stands(account, language, draft, library.topics[topic].answers.get(language))
    return _pages(request).render(
        request, "studio_topic.html", status, topic=topic, title=title_of(library, topic), language=language,
        edited=lang, default=default, form=form, draft=draft, others=others, checked=checked,
        problems=_placed(request, checked, language, default) if checked else {},
        elsewhere=rendered(request, checked.elsewhere, checked.root) if checked else [], broken=broken,
        original=None if default else _original(live, topic),
        draft_lines={part: topic_form.marked(getattr(form, part), lang.countries) for part in ("answer", "more")},
        languages=_others(live, topic, language), all_languages=library.languages, unsaved=unsaved or {},
        fingerprints=topic_form.fingerprints(form, default),
        reviewer=account.role is Role.reviewer, standing=standing,
        refusal=why(request, draft.refusal) if draft and draft.refusal else None,
        said=said or (say(request, SAID[key]) if (key := request.query_params.get("said", "")) in SAID else None),
        moved=draft is not None and draft.base_version not in (None, live.version),
        **await common(request, account, console_session))


def _placed(request: Request, checked: staging.Checked, language: str, default: bool) -> dict[str, list[Said]]:
    """The staged file's problems by the field they concern ("" for the rest), worded."""
    placed = topic_form.placed(checked.problems, checked.text, language, topic_form.fields_of(default))
    return {slot: rendered(request, found, checked.root) for slot, found in placed.items()}


def _original(live: Live, topic: str) -> dict[str, Any] | None:
    """The default language's live text, each line with its country."""
    default = live.library.default_language
    answer, labels = live.library.topics[topic].answers.get(default), live.library.languages[default].countries
    if answer is None:
        return None
    return {"title": answer.title, "answer": topic_form.marked(answer.text, labels),
            "more": topic_form.marked(answer.more, labels)}


def _as_it_stands(account: Account, language: str, draft: DraftRow | None, answer: Any) -> dict[str, str | None] | None:
    """For a reviewer on a part with no draft: may they sign off the live text (None: not shown)."""
    if account.role is not Role.reviewer or draft is not None or answer is None or not answer.text:
        return None
    return {"refusal": None if language in drafts.review_languages(account) else "language"}


@signed_in
@editors_only
async def topic_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    opened = await _opened(request, account, console_session)
    if isinstance(opened, Response):
        return opened
    live, topic, language = opened
    return await _topic_page(request, account, console_session, live, topic, language)


@signed_in
@editors_only
async def save_topic(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    opened = await _opened(request, account, console_session)
    if isinstance(opened, Response):
        return opened
    live, topic, language = opened
    if live.library.languages[language].base:
        return Response(say(request, C_("This language is made from another one: edit that one.")), status_code=403)
    sent = await request.form()
    form = topic_form.typed(sent)
    started = {name: str(sent.get(f"was-{name}", "")) for name in topic_form.FIELDS}
    path = drafts.topic_path(topic)
    live_text = await anyio.to_thread.run_sync(staging.file_text, live.repository, live.version, path) or ""
    own_lines = language == live.library.default_language

    def save(session: Session) -> topic_form.Edit:
        draft = drafts.current(session, account.organisation_id, path, language)
        try:
            now = topic_form.form_of(drafts.applied(live_text, draft, None) if draft else live_text, language)
        except EditError:
            now = topic_form.Form()
        edit = topic_form.edit_of(form, started, now, own_lines=own_lines)
        if edit.body:       # nothing changed: nothing saved (an approved draft stays approved)
            drafts.save(session, account, path=path, topic=topic, language=language, body=edit.body,
                        base_version=live.version)
        return edit
    edit = await _db(request, save)
    if edit.clashes:
        return await _topic_page(request, account, console_session, live, topic, language, status=409,
                                 said=say(request, SAID["clash"]),
                                 unsaved={name: getattr(form, name) for name in edit.clashes})
    said = "saved" if edit.body else "unchanged"
    return RedirectResponse(f"/console/studio/topics/{topic}?language={language}&said={said}#checks",
                            status_code=303)


@signed_in
@editors_only
async def approve_as_it_stands(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    """A reviewer signs off the live text of one answer, unchanged."""
    opened = await _opened(request, account, console_session)
    if isinstance(opened, Response):
        return opened
    live, topic, language = opened
    answer = live.library.topics[topic].answers.get(language)
    if live.library.languages[language].base or answer is None or not answer.text:
        return await _topic_page(request, account, console_session, live, topic, language, status=409,
                                 said=say(request, C_("There is no text of its own in this language to approve.")))

    def approve(session: Session) -> str | None:
        if drafts.current(session, account.organisation_id, drafts.topic_path(topic), language) is not None:
            return "draft"
        try:
            drafts.approve_as_it_stands(session, account, topic=topic, language=language, base_version=live.version)
        except Refused as refused:
            return refused.why
        return None
    refused = await _db(request, approve)
    if refused is None:
        return RedirectResponse(f"/console/studio/topics/{topic}?language={language}&said=approved", status_code=303)
    reason = (say(request, C_("There is a draft of this text: approve the draft, or withdraw it first."))
              if refused == "draft" else why(request, refused))
    return await _topic_page(request, account, console_session, live, topic, language, status=403, said=reason)


def studio_edit_routes() -> list[BaseRoute]:
    return [
        Route("/console/studio/topics", topics_page),
        Route("/console/studio/topics/{topic}", topic_page),
        Route("/console/studio/topics/{topic}", save_topic, methods=["POST"]),
        Route("/console/studio/topics/{topic}/approve", approve_as_it_stands, methods=["POST"]),
        *studio_files.routes(),
        *studio_drafts.routes(),
    ]

