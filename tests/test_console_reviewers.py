"""The role reviewer in the console (issue 17, item 2): an admin gives it and chooses its
languages (audited), and a reviewer sees content only — no queue, case or organisers' page,
since those hold what workers wrote. A real gateway on loopback, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db.models import Role
from tests.console_client import CSRF
from tests.console_site import Site, site_with

PEOPLE = {"admin": ("admin@union-a.example", "union_a", Role.admin),
          "reviewer": ("tg@union-a.example", "union_a", Role.reviewer),
          "organiser": ("organiser@union-a.example", "union_a", Role.organiser),
          "admin_b": ("admin@union-b.example", "union_b", Role.admin)}


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    with site_with(PEOPLE, database_url, tmp_path / "var") as running:
        yield running


def test_an_admin_chooses_a_reviewers_languages_and_it_is_audited(site: Site) -> None:
    admin = site.signed_in("admin")
    page = admin.http.get("/console/accounts")
    assert page.status_code == 200 and '<option value="reviewer">Reviewer</option>' in page.text
    reviewer = site.account("reviewer")
    assert f'action="/console/accounts/{reviewer.id}/languages"' in page.text
    done = admin.http.post(f"/console/accounts/{reviewer.id}/languages",
                           data={"csrf": admin.csrf, "languages": ["tg", "ky"]})
    assert done.status_code == 200 and "now reviews the languages chosen" in done.text
    assert site.account("reviewer").review_languages == "ky,tg"
    assert site.audit("account.review_languages") == [(site.account("admin").id,
                                                       f"account={reviewer.id}; languages=ky,tg")]
    unknown = admin.http.post(f"/console/accounts/{reviewer.id}/languages",
                              data={"csrf": admin.csrf, "languages": ["tg", "xx"]})
    derived = admin.http.post(f"/console/accounts/{reviewer.id}/languages",
                              data={"csrf": admin.csrf, "languages": ["uz_Cyrl"]})
    assert unknown.status_code == derived.status_code == 400
    assert site.account("reviewer").review_languages == "ky,tg"
    organiser = site.account("organiser")
    not_a_reviewer = admin.http.post(f"/console/accounts/{organiser.id}/languages",
                                     data={"csrf": admin.csrf, "languages": ["tg"]})
    assert not_a_reviewer.status_code == 403 and site.account("organiser").review_languages == ""
    other = site.signed_in("admin_b")
    assert other.http.post(f"/console/accounts/{reviewer.id}/languages",
                           data={"csrf": other.csrf, "languages": ["uz"]}).status_code == 404


def test_a_reviewer_sees_content_only(site: Site) -> None:
    reviewer = site.signed_in("reviewer")
    landing = reviewer.http.get("/console")
    assert landing.status_code == 303 and landing.headers["location"] == "/console/studio/drafts"
    for path in ("/console/cases/1", "/console/cases/1/messages", "/console/organiser/coverage",
                 "/console/organiser/unanswered", "/console/organiser/insight", "/console/accounts"):
        refused = reviewer.http.get(path)
        assert refused.status_code == 403 and "Reviewers see content only" in refused.text, path
    closed = reviewer.http.post("/console/cases/close", data={"csrf": reviewer.csrf, "ids": "1"})
    assert closed.status_code == 403
    assert reviewer.http.get("/console/account").status_code == 200
    token = CSRF.search(reviewer.http.get("/console/account").text)
    assert token is not None
    assert reviewer.http.post("/console/logout", data={"csrf": token.group(1)}).status_code in (200, 303)
