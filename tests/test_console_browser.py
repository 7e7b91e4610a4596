"""The caseworkers' console in real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright): log in, take a case from the queue, answer the user, and see the user's next
message arrive on the open page through its live polling. The user talks to the real gateway's
JSON API; Rasa and the action server are the session's."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from bot import messages
from bot.processes import Stack
from bot.replies import CASE_OPEN_SHARED, Responder
from bot.settings import ROOT
from tests.conftest import gateway_beside
from tests.console_client import add_caseworker
from tests.web_user import web_session

pytestmark = [pytest.mark.rasa, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS = ROOT / "tests" / "artefacts"
CASEWORKER, PASSWORD = "browser@helpline.example", "correct horse battery"
LIVE = 10_000          # ms: console.js polls every 3 s


@pytest.fixture(scope="module")
def base(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A gateway of its own (own data dir and database) on the session's Rasa and action server."""
    with gateway_beside(stack, tmp_path_factory.mktemp("console_browser")) as own:
        settings = own.settings
        add_caseworker(settings.database, CASEWORKER, password=PASSWORD)
        yield f"http://{settings.gateway_host}:{settings.gateway_port}"


@pytest.fixture
def api(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30) as http:
        yield http


def say(api: httpx.Client, session_id: str, **body: str) -> dict[str, Any]:
    response = api.post("/api/chat", json={"session_id": session_id, **body})
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def wait_updates(api: httpx.Client, session_id: str, until: str, timeout: float = 20) -> list[str]:
    """Everything delivered to the user until `until` arrives (or the timeout)."""
    got: list[str] = []
    deadline = time.monotonic() + timeout
    while until not in got and time.monotonic() < deadline:
        response = api.get("/api/chat/updates", params={"session_id": session_id})
        response.raise_for_status()
        got += [m["text"] for m in response.json()["messages"]]
        time.sleep(0.2)
    return got


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/console")
    page.wait_for_url(f"{base}/console/login")
    page.get_by_label("E-mail").fill(CASEWORKER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/console")


def test_caseworker_answers_a_user_in_chromium(base: str, api: httpx.Client, responder: Responder) -> None:
    session_id, first = web_session("consolebrowser01"), "ish haqimni ikki oydan beri bermayapti"
    say(api, session_id, payload='/choose_language{"language":"uz"}')
    say(api, session_id, text=first)
    assert say(api, session_id, payload=CASE_OPEN_SHARED)["case"] == "queued"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(locale="en-US", viewport={"width": 1024, "height": 900})
            page = context.new_page()
            log_in(page, base)
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.get_by_role("heading", name="Open cases")).to_be_visible()
            case_link = page.locator("#queue li").filter(has_text="uz").get_by_role("link")
            expect(case_link).to_have_count(1)
            case_link.click()
            page.wait_for_url(f"{base}/console/cases/*")
            expect(page.locator("#messages")).to_contain_text(first)          # the shared transcript
            expect(page.locator("#state")).to_have_text("Waiting")

            page.get_by_role("button", name="Claim").click()
            expect(page.locator("#state")).to_have_text("With a caseworker")
            reply = "Assalomu alaykum! Ish beruvchingiz bilan shartnomangiz bormi?"
            page.get_by_label("Reply to the user").fill(reply)
            page.get_by_role("button", name="Send", exact=True).click()
            expect(page.locator("#messages li.caseworker").last).to_contain_text(reply)
            delivered = wait_updates(api, session_id, until=reply)
            assert delivered == [responder.catalogues.gettext("uz", messages.CASE_JOINED), reply]

            page.evaluate("window.stillTheSamePage = true")
            answer = "Ha, shartnoma bor, lekin nusxasini bermadi"
            assert say(api, session_id, text=answer)["messages"] == []          # the bot stays quiet
            expect(page.locator("#messages li.user").last).to_contain_text(answer, timeout=LIVE)
            expect(page.locator("#messages li.user").last.locator(".who")).to_have_text("User")
            assert page.evaluate("window.stillTheSamePage") is True             # polled, not reloaded
            ARTEFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTEFACTS / "console_case.png"), full_page=True)
            context.close()
        finally:
            browser.close()
    assert (ARTEFACTS / "console_case.png").stat().st_size > 10_000
