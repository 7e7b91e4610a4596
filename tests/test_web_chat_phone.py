"""The web chat on a cheap phone (360×740 in Debian's Chromium): replies in view and focused,
nothing typed lost on a bad connection, tappable links and numbers, the conversation's
language, the whole screen, no polling in a hidden tab, a reload that keeps the chat, and
axe-core finding nothing to fix in any language."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import BrowserContext, Page, Route, ViewportSize, async_playwright, expect

from bot.processes import Stack
from bot.replies import Responder

pytestmark = [pytest.mark.rasa, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE: ViewportSize = {"width": 360, "height": 740}
GREETING_TG = "Хуб, ман бо забони тоҷикӣ ҷавоб медиҳам."


@pytest.fixture
async def phone(stack: Stack) -> AsyncIterator[tuple[BrowserContext, Page, str]]:
    settings = stack.settings
    base = f"http://{settings.gateway_host}:{settings.gateway_port}"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = await browser.new_context(viewport=PHONE)
        page = await context.new_page()
        yield context, page, base
        await browser.close()


def fake_reply(*, text: str, case: str | None = None) -> dict[str, Any]:
    return {"session_id": "s.fake", "case": case, "messages": [{"text": text, "buttons": []}]}


async def answer_with(page: Page, reply: dict[str, Any]) -> None:
    async def fulfil(route: Route) -> None:
        await route.fulfill(status=200, content_type="application/json", body=json.dumps(reply))

    await page.route("**/api/chat", fulfil)


async def choose_tajik(page: Page, base: str) -> None:
    await page.goto(f"{base}/")
    await page.get_by_role("button", name="Тоҷикӣ").click()
    await expect(page.get_by_text(GREETING_TG)).to_be_visible()


async def test_new_buttons_are_in_view_focus_moves_and_used_buttons_are_disabled(
        phone: tuple[BrowserContext, Page, str]) -> None:
    _, page, base = phone
    await choose_tajik(page, base)
    assert await page.get_by_role("button", name="Тоҷикӣ").is_disabled()
    assert await page.get_by_role("button", name="Русский").is_disabled()
    last = page.locator("#log .buttons button").last
    await expect(last).to_be_enabled()
    button = await last.bounding_box()
    form = await page.locator("#ask").bounding_box()
    assert button is not None and form is not None
    assert button["y"] >= 0 and button["y"] + button["height"] <= form["y"]   # not under the input bar
    focused = await page.evaluate("document.activeElement.textContent")
    assert GREETING_TG in focused


async def test_offline_keeps_the_text_says_so_and_retry_sends_it(
        phone: tuple[BrowserContext, Page, str]) -> None:
    context, page, base = phone
    await choose_tajik(page, base)
    question = "корфармо маоши маро намедиҳад"
    await context.set_offline(True)
    await page.get_by_label("Саволи шумо").fill(question)
    await page.get_by_role("button", name="Фиристодан").click()
    await expect(page.get_by_role("alert")).to_contain_text("Интернет нест")
    await expect(page.get_by_label("Саволи шумо")).to_have_value(question)
    await expect(page.locator(".user.unsent")).to_have_text(question)
    bots = await page.locator(".bot:not(.error)").count()
    await context.set_offline(False)
    await page.get_by_role("button", name="Боз кӯшиш").click()
    await expect(page.locator(".bot:not(.error)")).not_to_have_count(bots)
    await expect(page.get_by_role("alert")).to_have_count(0)
    await expect(page.get_by_label("Саволи шумо")).to_have_value("")
    assert await page.locator(".user.unsent").count() == 0


async def test_a_server_error_keeps_the_text_and_retry_works(phone: tuple[BrowserContext, Page, str]) -> None:
    _, page, base = phone
    await page.goto(f"{base}/")
    await expect(page.get_by_role("button", name="Русский")).to_be_visible()

    async def broken(route: Route) -> None:
        await route.fulfill(status=502, body="Bad Gateway")

    await page.route("**/api/chat", broken)
    await page.get_by_label("Ваш вопрос").fill("не платят зарплату")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text("Не удалось отправить")
    await expect(page.get_by_label("Ваш вопрос")).to_have_value("не платят зарплату")
    await page.unroute("**/api/chat")
    await answer_with(page, fake_reply(text="Ответ про зарплату"))
    await page.get_by_role("button", name="Повторить").click()
    await expect(page.get_by_text("Ответ про зарплату")).to_be_visible()
    await expect(page.get_by_label("Ваш вопрос")).to_have_value("")


async def test_links_and_numbers_are_tappable_and_markup_stays_text(
        phone: tuple[BrowserContext, Page, str]) -> None:
    _, page, base = phone
    text = ("Звоните 112 или 102, горячая линия +7 495 123-45-67. Жалоба: онлайнинспекция.рф, "
            "закон: https://example.org/law?a=1&b=2. Долг 100 000 рублей за 3 месяца. "
            '<img src=x onerror="document.title=1"> <a href="javascript:alert(1)">x</a> javascript:alert(1)')
    await answer_with(page, fake_reply(text=text))
    await page.goto(f"{base}/")
    message = page.locator(".bot").first
    await expect(message).to_contain_text("онлайнинспекция.рф")
    hrefs = await message.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["tel:112", "tel:102", "tel:+74951234567",
                     "https://xn--80akibcicpdbetz7e2g.xn--p1ai/", "https://example.org/law?a=1&b=2"]
    assert await message.locator("a").nth(3).text_content() == "онлайнинспекция.рф"
    assert await message.locator("a").nth(4).get_attribute("rel") == "noopener noreferrer"
    assert await page.locator("#log img").count() == 0
    assert await page.title() != "1"
    await expect(message).to_contain_text('<img src=x onerror="document.title=1">')


async def test_the_conversation_language_is_on_the_page_and_its_labels(
        phone: tuple[BrowserContext, Page, str]) -> None:
    _, page, base = phone
    await page.goto(f"{base}/")
    await expect(page.get_by_role("button", name="Тоҷикӣ")).to_be_visible()
    assert await page.evaluate("document.documentElement.lang") == "ru"
    await page.get_by_role("button", name="Тоҷикӣ").click()
    await expect(page.get_by_text(GREETING_TG)).to_be_visible()
    assert await page.evaluate("document.documentElement.lang") == "tg"
    assert await page.get_by_text(GREETING_TG).get_attribute("lang") == "tg"
    await expect(page.get_by_role("log")).to_have_attribute("aria-label", "Суҳбат")
    await expect(page.get_by_label("Саволи шумо")).to_have_attribute("placeholder", "Саволатонро нависед…")
    await expect(page.get_by_role("button", name="Фиристодан")).to_be_visible()
    await expect(page.get_by_role("button", name="Зуд баромадан: тоза кардани саҳифа")).to_have_text("✕ Зуд баромадан")


async def test_the_page_fills_the_screen_and_a_hidden_tab_does_not_poll(
        phone: tuple[BrowserContext, Page, str]) -> None:
    _, page, base = phone
    polls: list[str] = []

    async def updates(route: Route) -> None:
        polls.append(route.request.url)
        await route.fulfill(status=200, content_type="application/json",
                            body=json.dumps({"session_id": "s.fake", "case": "waiting", "messages": []}))

    await page.route("**/api/chat/updates*", updates)
    await page.add_init_script("""
        Object.defineProperty(document, "visibilityState", {get: () => window.__visibility || "visible"});
    """)
    await answer_with(page, fake_reply(text="Сейчас ответит человек", case="waiting"))
    await page.goto(f"{base}/")
    await expect(page.get_by_text("Сейчас ответит человек")).to_be_visible()
    assert await page.evaluate("getComputedStyle(document.body).height") == "740px"
    styles = await page.evaluate("[...document.styleSheets[0].cssRules].map(r => r.cssText).join(' ')")
    assert "100dvh" in styles
    await page.evaluate("window.__visibility = 'hidden'; document.dispatchEvent(new Event('visibilitychange'))")
    polls.clear()
    await page.wait_for_timeout(7_000)          # two polling periods and more
    assert polls == []
    await page.evaluate("window.__visibility = 'visible'; document.dispatchEvent(new Event('visibilitychange'))")
    for _ in range(20):
        if polls:
            break
        await page.wait_for_timeout(100)
    assert polls, "a poll as soon as the tab is visible again"


async def test_a_reload_keeps_the_conversation_and_leave_quickly_wipes_it(
        phone: tuple[BrowserContext, Page, str]) -> None:
    _, page, base = phone
    await choose_tajik(page, base)
    assert await page.evaluate("localStorage.length") == 0 and await page.evaluate("document.cookie") == ""
    await page.reload()
    await expect(page.get_by_text(GREETING_TG)).to_be_visible()
    assert await page.evaluate("document.documentElement.lang") == "tg"
    assert await page.get_by_role("button", name="Тоҷикӣ").is_disabled()
    await expect(page.locator("#log .buttons button").last).to_be_enabled()
    await page.get_by_role("button", name="Зуд баромадан: тоза кардани саҳифа").click()
    await page.wait_for_url("about:blank")
    await page.goto(f"{base}/")
    await expect(page.get_by_role("button", name="Тоҷикӣ")).to_be_visible()
    assert await page.get_by_text(GREETING_TG).count() == 0
    kept = await page.evaluate("sessionStorage.getItem('helpline-log')")
    assert GREETING_TG not in kept and "Тоҷикӣ" in kept          # only the new greeting
    assert await page.evaluate("document.documentElement.lang") == "ru"


@pytest.mark.parametrize("code", ["ru", "uz", "uz_Cyrl", "tg", "ky", "en"])
async def test_axe_finds_no_violations_in_any_language(
        phone: tuple[BrowserContext, Page, str], responder: Responder, code: str) -> None:
    context, page, base = phone
    await page.goto(f"{base}/")
    await page.get_by_role("button", name=responder.library.languages[code].name, exact=True).click()
    await expect(page.locator("html")).to_have_attribute("lang", code.replace("_", "-"))
    await expect(page.locator("#log .buttons button").last).to_be_enabled()
    await context.set_offline(True)                  # the error and its Retry button checked too
    await page.locator("#text").fill("112 онлайнинспекция.рф")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("alert")).to_be_visible()
    results = await Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
