"""The unanswered-question inbox assigns through the studio (issue 17, item 1): once the studio
has versions, texts assigned to a topic join the organisation's draft of that topic in their
language (started from the live examples), for a reviewer and the next publish; the topic
choice shows titles. A real gateway on loopback, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.models import ContentDraft, DraftState, Role, Unanswered
from bot.studio import topic_edit, versions
from tests.console_site import Site, site_with
from tests.studio_content import ORGANISER

PEOPLE = {"organiser": ("organiser@union-a.example", "union_a", Role.organiser)}


@pytest.fixture
def site(database_url: str, tmp_path: Path, seed: Path) -> Iterator[Site]:
    versions.create(tmp_path / "var" / "studio" / "content.git", seed, author=ORGANISER, message="first")
    with site_with(PEOPLE, database_url, tmp_path / "var") as running:
        yield running


def test_assigned_questions_join_a_draft_of_their_language(site: Site, tmp_path: Path) -> None:
    with site.sessions.begin() as session:
        for text, language in (("ish haqini 4 oy bermadi", "uz"), ("иш ҳақини 4 ой бермади", "uz_Cyrl"),
                               ("хозяин не отдаёт деньги за ноябрь", "ru")):
            session.add(Unanswered(conversation="web:x", language=language, channel="web", text=text,
                                   guess="wages_unpaid", confidence=0.2, state="open",
                                   organisation_id="union_a"))
    organiser = site.signed_in("organiser")
    page = organiser.http.get("/console/organiser/unanswered").text
    assert '<option value="wages_unpaid" selected>Не платят зарплату</option>' in page      # titles, not ids
    with site.sessions() as session:
        ids = ",".join(str(i) for i in session.scalars(select(Unanswered.id)))
    review = organiser.http.get("/console/organiser/unanswered/assign", params={"topic": "wages_unpaid", "ids": ids})
    assert review.status_code == 200 and "Не платят зарплату" in review.text
    form = {"csrf": organiser.csrf, "action": "assign", "topic": "wages_unpaid", "ids": ids, "checked": "yes"}
    with site.sessions() as session:
        rows = {f"text-{r.id}": r.text for r in session.scalars(select(Unanswered))}
    done = organiser.http.post("/console/organiser/unanswered", data={**form, **rows})
    assert done.status_code == 303 and done.headers["location"].endswith("done=drafted")
    repository = tmp_path / "var" / "studio" / "content.git"
    head = versions.head(repository)
    assert head is not None
    live = versions.read(repository, head, "topics/wages_unpaid.yml").decode()
    with site.sessions() as session:
        found = {d.language: d for d in session.scalars(select(ContentDraft))}
    assert set(found) == {"uz", "ru"} and all(d.state is DraftState.open for d in found.values())
    live_uz = topic_edit.language_part(live, "uz")["examples"]
    assert found["uz"].body["examples"] == [*live_uz, "ish haqini 4 oy bermadi", "иш ҳақини 4 ой бермади"]
    assert found["ru"].body["examples"][-1] == "хозяин не отдаёт деньги за ноябрь"
    assert versions.head(repository) == head                 # nothing published by assigning
    followed = organiser.http.get(done.headers["location"]).text
    assert "wait in a draft of the topic" in followed
