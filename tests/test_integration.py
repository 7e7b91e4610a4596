"""Real Rasa and action servers on loopback, driven over HTTP in every language."""

from __future__ import annotations

import httpx
import pytest

from bot.evaluation.command import evaluate
from bot.evaluation.dataset import read_examples
from bot.processes import Stack
from bot.rasa_client import BotMessage, RasaClient
from tests.conftest import ROOT

pytestmark = pytest.mark.rasa

# (language, greeting, question, a word the answer must contain)
CONVERSATIONS = [
    ("ru", "здравствуйте", "работодатель не платит зарплату уже 2 месяца", "ТК РФ"),
    ("uz", "assalomu alaykum", "ish haqimni 2 oydan beri bermayapti", "ish haqi"),
    ("uz_Cyrl", "ассалому алайкум", "иш ҳақимни 2 ойдан бери бермаяпти", "иш ҳақи"),
    ("tg", "салом алейкум", "корфармо 2 моҳ боз маош намедиҳад", "ТК РФ"),
    ("ky", "саламатсызбы", "жумуш берүүчү 2 айдан бери айлык бербей жатат", "РФ ЭК"),
    ("en", "hello", "my employer has not paid my wages for 2 months", "Art. 136"),
]


@pytest.fixture
async def client(stack: Stack) -> RasaClient:
    http = httpx.AsyncClient(timeout=30)
    settings = stack.settings
    yield RasaClient(http, settings.rasa_url, settings.rasa_token.get_secret_value())
    await http.aclose()


def texts(messages: list[BotMessage]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


@pytest.mark.parametrize(("language", "greeting", "question", "marker"), CONVERSATIONS)
async def test_conversation_in_every_language(
        client: RasaClient, language: str, greeting: str, question: str, marker: str) -> None:
    sender = f"it-{language}"
    greeted = await client.send(sender, greeting)
    assert any(b["payload"] == f'/choose_language{{"language":"{language}"}}'
               for m in greeted for b in m.get("buttons", []))
    await client.send(sender, f'/choose_language{{"language":"{language}"}}')
    asked = await client.send(sender, question)          # the rules differ: the country first, one tap
    russia = '/country{"country":"RU","topic":"wages_unpaid"}'
    assert any(b["payload"] == russia for m in asked for b in m.get("buttons", []))
    assert any(b["payload"] == "/handoff_human" for m in asked for b in m.get("buttons", []))
    tracker = await client.tracker(sender)
    assert tracker["slots"]["language"] == language
    assert tracker["latest_message"]["intent"]["name"] == "wages_unpaid"
    answer = await client.send(sender, russia)
    assert marker.lower() in texts(answer).lower() and "ТК РК" not in texts(answer)
    assert (await client.tracker(sender))["slots"]["country"] == "RU"
    button = await client.send(sender, "/dismissal_unfair")
    assert texts(button).strip()


async def test_language_is_detected_without_a_choice(client: RasaClient) -> None:
    answer = await client.send("it-detect", "корфармо паспорти маро гирифт ва барнамегардонад")
    assert "112" in texts(answer)  # documents_confiscated is urgent: emergency numbers shown
    tracker = await client.tracker("it-detect")
    assert tracker["slots"]["language"] == "tg"
    assert tracker["latest_message"]["language"]["code"] == "tg"


@pytest.mark.parametrize("text", [
    "", "   ", "😀😀😀", "\x00\x01\x02 \x1b[31m", "a" * 10_000, "мне не платят " * 800,
    "ish haqi не платят маош 工资 ☎☎", "\ufffd\ufffd\ufffd", "/", "/nonexistent_intent",
    '/choose_language{"language":"xx"}', '/more{"topic":"nope"}', '/show_category{"category":1}',
])
async def test_bad_input_gets_a_kind_reply_never_a_traceback(client: RasaClient, text: str) -> None:
    reply = await client.send("it-bad", text)
    assert reply, "no reply at all"
    body = texts(reply)
    assert body.strip()
    assert "Traceback" not in body and "Exception" not in body


async def test_held_out_accuracy_floors(client: RasaClient) -> None:
    examples = read_examples(ROOT / "tests" / "data" / "eval")
    assert {e.lang for e in examples} == {"ru", "uz", "tg", "ky", "en"}
    summary = await evaluate(client, examples)
    report = {k: v for k, v in summary.items() if k != "predictions"}
    assert summary["topic_accuracy"] >= 0.92, report
    assert summary["language_accuracy"] >= 0.97, report
    for lang, row in summary["per_language"].items():
        assert row["n"] >= 8 * 37, (lang, row)
        assert row["topic_accuracy"] >= 0.88, (lang, row)


def test_terminal_shell_holds_a_conversation(stack: Stack) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "HELPLINE_GATEWAY_PORT": str(stack.settings.gateway_port)}     # a client of /api/chat
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "shell"], input="6\nmy boss keeps my passport\n",
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "[6] English" in result.stdout           # language buttons shown as numbers
    assert "Good, I will answer in English." in result.stdout
    assert "112" in result.stdout                     # the urgent answer to the passport question
