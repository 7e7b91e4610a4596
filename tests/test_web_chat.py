"""The web chat in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)."""

from __future__ import annotations

import shutil

import pytest
from playwright.async_api import async_playwright, expect

from bot import messages
from bot.processes import Stack
from bot.replies import Responder
from bot.settings import ROOT

pytestmark = pytest.mark.rasa
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTEFACTS = ROOT / "tests" / "artefacts"


@pytest.mark.browser
async def test_tajik_user_chooses_language_presses_topic_and_asks(
        stack: Stack, responder: Responder) -> None:
    settings = stack.settings
    base = f"http://{settings.gateway_host}:{settings.gateway_port}"
    topic_title = responder.library.topics["wages_unpaid"].answers["tg"].title
    category = next(c for c in responder.library.categories if c.id == "wages").titles["tg"]
    weight = 0
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 360, "height": 740})

        async def count(response: object) -> None:
            nonlocal weight
            body = await response.body()  # type: ignore[attr-defined]
            weight += len(body)

        page.on("response", count)
        await page.goto(f"{base}/")
        await page.get_by_role("button", name="Тоҷикӣ").click()
        await expect(page.get_by_text("Хуб, ман бо забони тоҷикӣ ҷавоб медиҳам.")).to_be_visible()
        await page.get_by_role("button", name=category, exact=True).click()
        await page.get_by_role("button", name=topic_title, exact=True).click()
        russia = responder.catalogues.gettext("tg", messages.BTN_WORK_RU)     # the country first, one tap
        await page.get_by_role("button", name=russia, exact=True).click()
        await expect(page.locator(".bot").filter(has_text="КМ ФР").first).to_be_visible()
        await page.get_by_label("Саволи шумо").fill("корфармо паспорти маро гирифт ва намедиҳад")
        await page.get_by_role("button", name="Фиристодан").click()
        await expect(page.locator(".bot").filter(has_text="112").first).to_be_visible()
        await page.get_by_label("Саволи шумо").fill('<img src=x onerror="document.title=1">')
        await page.keyboard.press("Enter")
        await expect(page.locator(".user").last).to_have_text('<img src=x onerror="document.title=1">')
        assert await page.locator("#log img").count() == 0
        ARTEFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTEFACTS / "web_chat_tg.png"), full_page=True)
        await page.get_by_role("button", name="Зуд баромадан: тоза кардани саҳифа").click()
        await page.wait_for_url("about:blank")
        await browser.close()
    assert (ARTEFACTS / "web_chat_tg.png").stat().st_size > 10_000
    page_files = sum(p.stat().st_size for p in (ROOT / "bot" / "gateway" / "web").iterdir())
    assert page_files <= 150_000
    assert weight > 0


def test_page_is_light_and_has_no_external_resources() -> None:
    web = ROOT / "bot" / "gateway" / "web"
    total = sum(p.stat().st_size for p in web.iterdir())
    assert total <= 150_000
    for file in web.iterdir():
        text = file.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, file.name
    assert "innerHTML" not in (web / "chat.js").read_text()
