"""The studio in real headless Chromium on the real parts (issue 17's test): an organiser edits
the Tajik answer of a topic, a reviewer of Tajik approves it, an admin publishes; a new
conversation gets the new text while a conversation that was running in the web chat goes on
without an error; a restore brings the old text back. Training, the roll-out to Rasa with
PUT /model and the processes following the live link are the real ones (bot/studio/)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select

from bot.db.engine import make_engine, make_sessions
from bot.db.models import Account, Role
from bot.processes import Stack, running_stack
from bot.settings import Settings
from bot.studio import cli as studio
from bot.studio import live, publish, versions
from bot.studio.versions import Author
from tests.conftest import make_settings
from tests.console_client import SECRETS, Console, add_caseworker, code_now
from tests.web_user import gateway_url, web_session

pytestmark = [pytest.mark.rasa, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "correct horse battery"
PEOPLE = {"organiser": ("organiser@union-a.example", Role.organiser),
          "reviewer": ("tajik-reviewer@union-a.example", Role.reviewer),
          "admin": ("admin@union-a.example", Role.admin)}
TOPIC = "wages_unpaid"
NEW_TG = "Матни нави иттифоқ: аввал нависед."   # no longer than the line it replaces (700 characters)
JOB_SECONDS = 600        # a publish trains a model (about two minutes on two cores)


@pytest.fixture(scope="module")
def helpline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """content/ as the studio's first version, served from its live link."""
    folder = tmp_path_factory.mktemp("studio_browser")
    content = folder / "content"
    shutil.copytree(Settings().content_dir, content)
    settings = make_settings(folder / "var", content_dir=content)
    first = studio.init(settings, Author("Setup", "setup@helpline.example"), say=lambda line: None)
    serving = settings.model_copy(update={"content_dir": live.live_path(settings.studio_dir),
                                          "content_watch_seconds": 0.2})
    with running_stack(serving, publish.model_of(settings.studio_dir, first.id)) as stack:
        for email, role in PEOPLE.values():
            add_caseworker(serving.database, email, organisation="union_a", role=role, password=PASSWORD)
        engine = make_engine(serving.database)
        with make_sessions(engine).begin() as session:
            reviewer = session.scalars(select(Account).where(Account.email == PEOPLE["reviewer"][0])).one()
            reviewer.review_languages = "tg"
        engine.dispose()
        assert Console(gateway_url(stack)).login(PEOPLE["admin"][0], PASSWORD).status_code == 303   # enrols TOTP
        yield stack


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def turn(api: httpx.Client, session_id: str, payload: str) -> list[dict[str, Any]]:
    response = api.post("/api/chat", json={"session_id": session_id, "payload": payload})
    response.raise_for_status()
    return list(response.json()["messages"])


def tajik_answer(api: httpx.Client) -> str:
    """What a new conversation in Tajik is told about unpaid wages, for a worker in Russia."""
    session_id = web_session(f"studio-browser-{time.monotonic_ns()}")
    turn(api, session_id, '/choose_language{"language":"tg"}')
    said = turn(api, session_id, f"/{TOPIC}")
    countries = [b for m in said for b in m.get("buttons") or [] if '"RU"' in str(b.get("payload"))]
    if countries:
        said += turn(api, session_id, str(countries[0]["payload"]))
    return "\n".join(str(m.get("text") or "") for m in said)


def answered_within(api: httpx.Client, wanted: str, present: bool, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        text = tajik_answer(api)
        if (wanted in text) is present or time.monotonic() > deadline:
            return text
        time.sleep(0.5)


def signed_in(browser: Browser, base: str, who: str) -> Page:
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(f"{base}/console/login")
    email = PEOPLE[who][0]
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if who == "admin":
        page.wait_for_url(f"{base}/console/login/code")
        page.get_by_label("Code from your authenticator app").fill(code_now(SECRETS[email]))
        page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/console{'/studio/drafts' if who == 'reviewer' else ''}")
    return page


def finished(page: Page) -> str:
    """Wait on a job's page (it reloads itself) until the job ends; its state."""
    expect(page.locator("#job[data-state='done'], #job[data-state='refused'], #job[data-state='failed']")) \
        .to_have_count(1, timeout=JOB_SECONDS * 1000)
    return str(page.locator("#job").get_attribute("data-state"))


def test_organiser_edits_tajik_reviewer_approves_admin_publishes_and_restores(
        helpline: Stack, browser: Browser) -> None:
    base = gateway_url(helpline)
    repository, root = studio.repository_of(helpline.settings), helpline.settings.studio_dir
    first = live.served(root)
    assert first is not None
    with httpx.Client(base_url=base, timeout=120) as api:
        old = answered_within(api, NEW_TG, False)
        assert NEW_TG not in old and "Маош" in old

        worker = browser.new_context(viewport={"width": 360, "height": 740}).new_page()   # a conversation running
        worker.goto(f"{base}/")
        worker.get_by_role("button", name="Тоҷикӣ").click()
        expect(worker.get_by_text("Хуб, ман бо забони тоҷикӣ ҷавоб медиҳам.")).to_be_visible()

        organiser = signed_in(browser, base, "organiser")
        organiser.goto(f"{base}/console/studio/topics/{TOPIC}?language=tg")
        answer = organiser.locator("#answer")
        before = answer.input_value()
        first_line = before.split("\n", 1)[0]
        answer.fill(before.replace(first_line, NEW_TG, 1))
        organiser.locator("#save").click()
        expect(organiser.locator("#said")).to_be_visible()
        errors = organiser.locator(".problems li.error")
        assert errors.count() == 0, errors.all_inner_texts()

        reviewer = signed_in(browser, base, "reviewer")
        row = reviewer.locator("#drafts tr[data-state='open']").filter(has_text=TOPIC)
        expect(row).to_have_count(1)
        reviewer.on("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Approve").click()
        expect(reviewer.locator("#drafts tr[data-state='approved']").filter(has_text=TOPIC)).to_have_count(1)

        admin = signed_in(browser, base, "admin")
        admin.goto(f"{base}/console/studio/versions")
        admin.on("dialog", lambda dialog: dialog.accept())
        admin.locator("#publish").click()
        assert finished(admin) == "done", admin.locator("#job-lines").inner_text()
        published = live.served(root)
        assert published not in (None, first)
        text = versions.read(repository, str(published), f"topics/{TOPIC}.yml").decode()
        assert NEW_TG in text and "reviewed_by: tajik-reviewer@union-a.example" in text

        assert NEW_TG in answered_within(api, NEW_TG, True)              # a new conversation: the new text
        worker.locator("#text").fill("маош намедиҳанд")                  # the running one goes on
        worker.locator("#send").click()
        expect(worker.locator(".bot").filter(has_text="Маош намедиҳанд").last).to_be_visible(timeout=60_000)

        admin.goto(f"{base}/console/studio/versions")
        admin.locator(f"tr[data-version='{first}']").get_by_role("button", name="Restore this version").click()
        assert finished(admin) == "done", admin.locator("#job-lines").inner_text()
        assert live.served(root) not in (None, first, published)
        restored = answered_within(api, NEW_TG, False)
        assert NEW_TG not in restored and first_line in restored
