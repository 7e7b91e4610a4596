"""An unanswered question becomes a training example only once an organiser has checked it
(issue 15): the texts are shown scrubbed on a review page, the server refuses a save without the
organiser's confirmation, refuses placeholders left in the text and anything the scrubber still
finds, and saves the text as the organiser left it. The plain rules, then the console (no Rasa)
on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import make_engine, make_sessions
from bot.db.models import AuditEvent, Organisation, Role, Unanswered
from bot.gateway.app import create_app
from bot.settings import ROOT
from bot.workbench.unanswered import scrub_question
from bot.workbench.vetting import PLACEHOLDERS, Refusal, vet
from tests.conftest import make_settings
from tests.console_client import Console, add_caseworker, serving

ORGANISER = "organiser@helpline.example"


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
def test_a_placeholder_left_in_the_text_is_refused(placeholder: str) -> None:
    vetted = vet(f"мне не платят {placeholder} уже два месяца", confirmed=True)
    assert vetted.refusal is Refusal.placeholder and vetted.placeholder == placeholder and not vetted.kept


@pytest.mark.parametrize("text", ["звоните +7 916 123-45-67 не платят", "пишите ivan.p@mail.ru", "паспорт AA1234567",
                                  "меня зовут Дилшод не платят", "Иванов Иван Иванович не платит", "@dilshod_tj ака"])
def test_what_the_scrubber_still_finds_is_refused(text: str) -> None:
    assert scrub_question(text) != text
    assert vet(text, confirmed=True).refusal is Refusal.identifying


def test_every_placeholder_is_named_in_the_order_it_stands() -> None:
    assert vet("[number] и [name] и снова [number]", confirmed=True).placeholder == "[number], [name]"


def test_only_a_confirmed_clean_text_is_kept() -> None:
    assert vet("  не платят\nзарплату  2 месяца ", confirmed=False).refusal is Refusal.unconfirmed
    kept = vet("  не платят\nзарплату  2 месяца ", confirmed=True)
    assert kept.kept and kept.text == "не платят зарплату 2 месяца"      # amounts stay; one line
    assert not vet(" \n ", confirmed=False).kept and vet(" \n ", confirmed=False).refusal is None   # left out
    assert vet("а" * 501, confirmed=True).refusal is Refusal.too_long


# ---------------------------------------------------------------- through the console

@dataclass
class World:
    base: str
    sessions: sessionmaker[Session]
    content: Path
    ids: list[int]

    def organiser(self) -> Console:
        console = Console(self.base)
        assert console.login(ORGANISER).status_code == 303
        return console

    def states(self) -> set[str]:
        with self.sessions() as session:
            return {row.state for row in session.scalars(select(Unanswered).where(Unanswered.id.in_(self.ids)))}


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)            # development writes here, never the repository
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    with sessions.begin() as session:
        session.add(Organisation(id="helpline", name="Helpline", kind="helpline", country="RU"))
        session.flush()
        rows = [Unanswered(conversation="web:v", language=language, channel="web", text=scrub_question(text),
                           guess="wages_unpaid", confidence=0.2, state="open")
                for language, text in (("ru", "меня зовут Дилшод, прораб не платит 3 месяца, звоните +79161234567"),
                                       ("uz", "brigadir 3 oy pul bermayapti"))]
        session.add_all(rows)
        session.flush()
        ids = [row.id for row in rows]
    add_caseworker(database_url, ORGANISER, role=Role.organiser)
    settings = make_settings(tmp_path / "var", database_url=database_url, development=True, content_dir=content)
    try:
        with serving(create_app(settings), settings.gateway_port):
            yield World(f"http://127.0.0.1:{settings.gateway_port}", sessions, content, ids)
    finally:
        engine.dispose()


def save(console: Console, world: World, texts: dict[int, str] | None, checked: bool) -> tuple[int, str]:
    form: dict[str, str] = {"csrf": console.csrf, "action": "assign", "topic": "wages_unpaid",
                            "ids": ",".join(map(str, world.ids))}
    form |= {f"text-{i}": text for i, text in (texts or {}).items()}
    if checked:
        form["checked"] = "yes"
    response = console.http.post("/console/organiser/unanswered", data=form)
    return response.status_code, response.text


def topic_file(world: World) -> str:
    return (world.content / "topics" / "wages_unpaid.yml").read_text(encoding="utf-8")


def test_an_assigned_question_is_shown_scrubbed_and_saved_only_once_checked(world: World) -> None:
    organiser = world.organiser()
    before = topic_file(world)
    listing = organiser.http.get("/console/organiser/unanswered").text
    assert "/console/organiser/unanswered/assign" in listing and 'value="assign"' not in listing
    review = organiser.http.get("/console/organiser/unanswered/assign",
                                params={"topic": "wages_unpaid", "ids": ",".join(map(str, world.ids))})
    assert review.status_code == 200
    assert "[name]" in review.text and "[number]" in review.text and "9161234567" not in review.text
    assert "Дилшод" not in review.text and 'name="checked" value="yes" required' in review.text
    (ru, uz) = world.ids
    shown = re.search(rf'name="text-{ru}"[^>]*>([^<]*)<', review.text)
    assert shown is not None

    # the old form (no texts): refused; nothing saved, nothing marked
    assert save(organiser, world, None, checked=True)[0] == 400
    # unchanged, with its placeholders: refused even when ticked
    status, page = save(organiser, world, {ru: shown.group(1), uz: "brigadir 3 oy pul bermayapti"}, checked=True)
    assert status == 422 and f'id="problem-{ru}"' in page and "Replace or remove [name], [number]:" in page
    assert f'id="problem-{uz}"' not in page
    # edited so that the scrubber still finds a number
    status, page = save(organiser, world, {ru: "прораб не платит, звоните 8 916 123 45 67", uz: ""}, checked=True)
    assert status == 422 and "identifies a person" in page
    # clean but not confirmed: the server refuses it too (the browser's `required` is not enough)
    status, page = save(organiser, world, {ru: "прораб не платит 3 месяца", uz: "brigadir 3 oy pul bermayapti"},
                        checked=False)
    assert status == 422 and "Tick the box" in page
    assert topic_file(world) == before and world.states() == {"open"}

    status, _ = save(organiser, world, {ru: "прораб не платит 3 месяца", uz: "brigadir 3 oy pul bermayapti"},
                     checked=True)
    assert status == 303                                        # written (development)
    after = topic_file(world)
    assert '- "прораб не платит 3 месяца"' in after and '- "brigadir 3 oy pul bermayapti"' in after
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert "Дилшод" not in after and added and not any("[" in line for line in added)
    assert world.states() == {"assigned"}
    with world.sessions() as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "unanswered.assign"))
    assert event.detail == "n=2 topic=wages_unpaid checked=yes"


def test_a_text_left_empty_is_not_an_example(world: World) -> None:
    organiser = world.organiser()
    before = topic_file(world)
    ru, uz = world.ids
    status, _ = save(organiser, world, {ru: "", uz: "brigadir 3 oy pul bermayapti"}, checked=True)
    assert status == 303
    added = [line for line in topic_file(world).splitlines() if line not in before.splitlines()]
    assert added == ['    - "brigadir 3 oy pul bermayapti"']
    assert world.states() == {"assigned"}


def test_the_review_page_is_the_organisers_own(world: World) -> None:
    organiser = world.organiser()
    assert organiser.http.get("/console/organiser/unanswered/assign",
                              params={"topic": "wages_unpaid", "ids": "999999"}).status_code == 404
    assert organiser.http.get("/console/organiser/unanswered/assign",
                              params={"topic": "no_such_topic", "ids": str(world.ids[0])}).status_code == 400
