"""Drafts and the two-person rule (bot/studio/drafts.py): who may edit, who may approve, what
an approval records, what a publish takes; on SQLite and PostgreSQL, over a real content
repository (tests/studio_content.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.content.loader import read_library
from bot.content_cache import replies_for
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Account, AuditEvent, ContentDraft, DraftState, Organisation, Role
from bot.settings import Settings
from bot.studio import drafts, versions
from bot.studio.drafts import Refused

NOW = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
PATH = "topics/wages_unpaid.yml"


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    try:
        with make_sessions(engine).begin() as session:
            for org in ("union_a", "union_b"):
                session.add(Organisation(id=org, name=org, kind="union", country="RU"))
            session.flush()
            yield session
    finally:
        engine.dispose()


def person(session: Session, email: str, role: Role, organisation: str = "union_a", languages: str = "") -> Account:
    account = Account(email=email, organisation_id=organisation, role=role, password_hash="x",
                      review_languages=languages)
    session.add(account)
    session.flush()
    return account


def tajik_edit(session: Session, who: Account, repository: Path, answer: str = "Матни нав") -> ContentDraft:
    return drafts.save(session, who, path=PATH, topic="wages_unpaid", language="tg", body={"answer": answer},
                       base_version=versions.head(repository), now=NOW)


def test_an_organiser_edits_and_only_a_reviewer_of_that_language_who_did_not_edit_approves(
        session: Session, repository: Path) -> None:
    organiser = person(session, "o@a.example", Role.organiser)
    admin = person(session, "admin@a.example", Role.admin)
    uzbek = person(session, "uz@a.example", Role.reviewer, languages="uz,uz_Cyrl")
    tajik = person(session, "tg@b.example", Role.reviewer, "union_b", languages="tg")
    draft = tajik_edit(session, organiser, repository)
    for who, why in ((organiser, "role"), (admin, "role"), (uzbek, "language")):
        with pytest.raises(Refused) as refused:
            drafts.approve(session, who, draft, "ru", NOW)
        assert refused.value.why == why
    drafts.approve(session, tajik, draft, "ru", NOW)
    assert (draft.state, draft.reviewed_by, draft.reviewed_on) == (DraftState.approved, tajik.id, NOW)
    with pytest.raises(Refused, match="state"):
        drafts.approve(session, tajik, draft, "ru", NOW)


def test_a_reviewer_cannot_approve_their_own_edit(session: Session, repository: Path) -> None:
    tajik = person(session, "tg@a.example", Role.reviewer, languages="tg")
    draft = tajik_edit(session, tajik, repository)
    with pytest.raises(Refused, match="own"):
        drafts.approve(session, tajik, draft, "ru", NOW)


def test_another_unions_organiser_cannot_edit_or_withdraw(session: Session, repository: Path) -> None:
    mine = person(session, "o@a.example", Role.organiser)
    theirs = person(session, "o@b.example", Role.organiser, "union_b")
    root = person(session, "root@a.example", Role.global_admin)
    caseworker = person(session, "cw@a.example", Role.caseworker)
    draft = tajik_edit(session, mine, repository)
    assert not drafts.may_edit(theirs, draft) and drafts.get(session, theirs, draft.id) is None
    assert drafts.may_edit(root, draft) and not drafts.may_edit(caseworker)
    with pytest.raises(Refused, match="reach"):
        drafts.withdraw(session, theirs, draft)
    with pytest.raises(Refused, match="role"):
        tajik_edit(session, caseworker, repository)
    # their own edit of the same answer is a draft of their own, not a change of ours
    other = tajik_edit(session, theirs, repository, "Дигар")
    assert other.id != draft.id and draft.body == {"answer": "Матни нав"}
    assert drafts.visible(session, theirs) == [other] and len(drafts.visible(session, root)) == 2


def test_a_change_after_approval_needs_a_new_approval(session: Session, repository: Path) -> None:
    organiser = person(session, "o@a.example", Role.organiser)
    tajik = person(session, "tg@a.example", Role.reviewer, languages="tg")
    draft = tajik_edit(session, organiser, repository)
    drafts.approve(session, tajik, draft, "ru", NOW)
    again = tajik_edit(session, organiser, repository, "Боз нав")
    assert again.id == draft.id and draft.state is DraftState.open and draft.reviewed_by is None
    assert draft.body == {"answer": "Боз нав"}
    assert drafts.awaiting(session) == {("wages_unpaid", "tg")}


def test_topic_lines_need_a_reviewer_of_the_default_language(session: Session, repository: Path) -> None:
    organiser = person(session, "o@a.example", Role.organiser)
    tajik = person(session, "tg@a.example", Role.reviewer, languages="tg")
    russian = person(session, "ru@a.example", Role.reviewer, languages="ru")
    draft = drafts.save(session, organiser, path=PATH, topic="wages_unpaid", language="ru",
                        body={"review_by": "2027-03-01"}, base_version=versions.head(repository), now=NOW)
    with pytest.raises(Refused, match="language"):
        drafts.approve(session, tajik, draft, "ru", NOW)
    drafts.approve(session, russian, draft, "ru", NOW)


def test_publishable_writes_approved_drafts_only_with_who_and_when(session: Session, repository: Path) -> None:
    organiser = person(session, "o@a.example", Role.organiser)
    tajik = person(session, "tg@a.example", Role.reviewer, languages="tg")
    kyrgyz = person(session, "ky@a.example", Role.reviewer, languages="ky")
    head = versions.head(repository)
    assert head is not None
    assert drafts.publishable(session, repository, head) is None
    approved = tajik_edit(session, organiser, repository)
    drafts.save(session, organiser, path=PATH, topic="wages_unpaid", language="uz", body={"title": "Yangi"},
                base_version=head, now=NOW)                  # open: not published
    drafts.approve(session, tajik, approved, "ru", NOW)
    signed = drafts.approve_as_it_stands(session, kyrgyz, topic="wages_unpaid", language="ky", base_version=head,
                                         now=NOW)
    found = drafts.publishable(session, repository, head)
    assert found is not None and set(found.ids) == {approved.id, signed.id} and list(found.files) == [PATH]
    data = yaml.safe_load(found.files[PATH].decode())["languages"]
    assert data["tg"]["answer"] == "Матни нав" and data["tg"]["reviewed_by"] == "tg@a.example"
    assert data["tg"]["reviewed_on"] == NOW.date() and data["tg"]["status"] == "reviewed"
    assert data["ky"]["status"] == "reviewed" and data["ky"]["reviewed_by"] == "ky@a.example"
    assert data["uz"]["title"] != "Yangi" and data["uz"]["status"] == "draft"
    assert found.message.startswith("2 approved changes: wages_unpaid (ky), wages_unpaid (tg)")
    assert "edited by o@a.example, approved by tg@a.example" in found.message
    drafts.mark_published(session, found, "a" * 40)
    assert approved.state is DraftState.published and approved.published_version == "a" * 40
    assert drafts.publishable(session, repository, head) is None
    actions = [a for (a,) in session.execute(select(AuditEvent.action))]
    assert actions.count("draft_approve") == 2 and "draft_publish" in actions and "draft_start" in actions
    details = " ".join(d for (d,) in session.execute(select(AuditEvent.detail)))
    assert "Матни" not in details and "@" not in details


def test_a_draft_changed_while_a_version_is_made_stays_for_the_next(session: Session, repository: Path) -> None:
    organiser = person(session, "o@a.example", Role.organiser)
    tajik = person(session, "tg@a.example", Role.reviewer, languages="tg")
    other = person(session, "tg2@a.example", Role.reviewer, languages="tg")
    head = versions.head(repository)
    assert head is not None
    draft = tajik_edit(session, organiser, repository)
    drafts.approve(session, tajik, draft, "ru", NOW)
    taken = drafts.publishable(session, repository, head)
    assert taken is not None
    tajik_edit(session, organiser, repository, "Боз нав")               # edited and approved again meanwhile
    drafts.approve(session, other, draft, "ru", NOW + dt.timedelta(minutes=1))
    drafts.mark_published(session, taken, "b" * 40)
    assert draft.state is DraftState.approved and draft.published_version is None
    again = drafts.publishable(session, repository, head)
    assert again is not None and "Боз нав" in again.files[PATH].decode()


def test_a_data_file_draft_over_a_changed_file_is_left_out(session: Session, repository: Path) -> None:
    organiser = person(session, "o@a.example", Role.organiser)
    russian = person(session, "ru@a.example", Role.reviewer, languages="ru")
    base = versions.head(repository)
    assert base is not None
    text = versions.read(repository, base, "emergency.yml").decode()
    draft = drafts.save(session, organiser, path="emergency.yml", topic=None, language=None,
                        body={"text": text + "\n# checked again\n"}, base_version=base, now=NOW)
    drafts.approve(session, russian, draft, "ru", NOW)
    newer = versions.change(repository, base, {"emergency.yml": (text + "\n# someone else\n").encode()},
                            author=versions.Author("x", "x@example.org"), message="other")
    found = drafts.publishable(session, repository, newer.id)
    assert found is None
    found = drafts.publishable(session, repository, base)
    assert found is not None and found.files["emergency.yml"].decode().endswith("# checked again\n")


def test_an_organiser_changes_only_its_own_contacts() -> None:
    before = yaml.safe_dump({"organisations": [{"id": "a"}, {"id": "b"}],
                             "contacts": [{"id": "a1", "organisation": "a"}, {"id": "b1", "organisation": "b"}]})
    mine = before.replace("id: a1", "id: a1\n  note: new")
    assert drafts.foreign_contacts(before, mine, "a") == []
    theirs = yaml.safe_dump({"organisations": [{"id": "a"}, {"id": "b"}],
                             "contacts": [{"id": "a1", "organisation": "a"}]})
    assert drafts.foreign_contacts(before, theirs, "a") == ["b1"]
    assert drafts.foreign_contacts(before, theirs, None) == []
    assert drafts.foreign_contacts(before, before.replace("id: b\n", "id: c\n"), "a") == ["organisations"]


def test_a_published_approval_clears_the_draft_note_under_that_answer_only(session: Session, repository: Path,
                                                                           tmp_path: Path) -> None:
    reviewer = person(session, "tg@a.example", Role.reviewer, languages="tg")
    head = versions.head(repository)
    assert head is not None
    drafts.approve_as_it_stands(session, reviewer, topic="wages_unpaid", language="tg", base_version=head, now=NOW)
    found = drafts.publishable(session, repository, head)
    assert found is not None
    newer = versions.change(repository, head, found.files, author=versions.Author("a", "a@example.org"),
                            message=found.message)
    folder = versions.export(repository, newer.id, tmp_path / "published")
    library, problems = read_library(folder)
    assert library is not None, problems
    responder = replies_for(library, Settings().locales_dir)

    def shown(language: str) -> str:
        return "\n".join(r.text for r in responder.topic_answer(language, "wages_unpaid", "RU"))
    assert "ⓘ" not in shown("tg")
    assert "ⓘ" in shown("uz") and "ⓘ" in shown("ky")          # not approved: still marked a draft
