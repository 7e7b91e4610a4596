"""The studio's versions and jobs in the console (bot/console/studio_pages.py): who sees the
versions and who may publish, restore or start them; the live one marked; what a version
changed; a publish of approved drafts run as a job to its end; a refused one leaving the live
version. A real gateway on loopback, SQLite and PostgreSQL; fake training and replicas
(tests/studio_steps.py) in `app.state.studio_steps`."""

from __future__ import annotations

import contextlib
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from bot.db.engine import make_engine, make_sessions
from bot.db.models import Account, ContentDraft, DraftState, JobState, Role
from bot.gateway.app import create_app
from bot.settings import Settings
from bot.studio import drafts, live, publish, versions
from bot.studio.cli import repository_of
from tests.conftest import make_settings
from tests.console_client import CSRF, Console, add_caseworker, serving
from tests.console_site import PASSWORD, Site
from tests.studio_content import ORGANISER, TOPIC
from tests.studio_steps import FakeSteps, job_ended, served_studio

PEOPLE = {"cw": ("cw@union-a.example", "union_a", Role.caseworker),
          "organiser": ("organiser@union-a.example", "union_a", Role.organiser),
          "reviewer": ("reviewer@union-a.example", "union_a", Role.reviewer),
          "admin": ("admin@union-a.example", "union_a", Role.admin),
          "root": ("root@helpline.example", "helpline", Role.global_admin)}
JOB = re.compile(r"/console/studio/jobs/(\d+)$")
LIVE = re.compile(r'<tr data-version="([0-9a-f]{40})" data-live="yes">')
ROW = re.compile(r'<tr data-version="([0-9a-f]{40})"')


@contextlib.contextmanager
def studio_site(database_url: str, settings: Settings, fakes: FakeSteps) -> Iterator[Site]:
    """tests/console_site.py's site, its gateway given fake training and replicas."""
    for email, organisation, role in PEOPLE.values():
        add_caseworker(database_url, email, organisation=organisation, role=role, password=PASSWORD)
    engine = make_engine(database_url)
    with make_sessions(engine).begin() as session:
        session.execute(update(Account).where(Account.role == Role.reviewer).values(review_languages="ru,tg"))
    app = create_app(settings)
    app.state.studio_steps = fakes.for_settings
    try:
        with serving(app, settings.gateway_port):
            yield Site(f"http://127.0.0.1:{settings.gateway_port}", database_url, make_sessions(engine), PEOPLE)
    finally:
        engine.dispose()


@pytest.fixture
def fakes() -> FakeSteps:
    return FakeSteps()


@pytest.fixture
def studio(tmp_path: Path, seed: Path, database_url: str) -> Settings:
    return served_studio(tmp_path / "var", seed, database_url=database_url)


@pytest.fixture
def site(database_url: str, studio: Settings, fakes: FakeSteps) -> Iterator[Site]:
    with studio_site(database_url, studio, fakes) as running:
        yield running


def post(console: Console, url: str) -> httpx.Response:
    """POST with the session's CSRF token (a reviewer's /console is its drafts page: read it here)."""
    if not console.csrf:
        found = CSRF.search(console.http.get("/console/studio/versions").text)
        console.csrf = found.group(1) if found else ""
    return console.http.post(url, data={"csrf": console.csrf})


def job_id(response: httpx.Response) -> int:
    found = JOB.search(response.headers.get("location", ""))
    assert response.status_code == 303 and found is not None, response.text
    return int(found.group(1))


def retitle(settings: Settings, title: str) -> str:
    """A new version (not through the console) whose topic has `title`; its id."""
    repository = repository_of(settings)
    base = versions.head(repository)
    assert base is not None
    text = versions.read(repository, base, TOPIC).decode()
    line = next(line for line in text.splitlines() if line.strip().startswith("title:"))
    files: dict[str, bytes | None] = {TOPIC: text.replace(line, line.split("title:")[0] + f"title: {title}", 1)
                                      .encode()}
    return publish.publish(repository, settings.studio_dir, base, files, author=ORGANISER, message="Retitled",
                           steps=FakeSteps().steps()).id


def approved_draft(site: Site, settings: Settings, title: str = "Новый заголовок о зарплате") -> int:
    """An organiser's Russian title for TOPIC, approved by the reviewer; the draft's id."""
    with site.sessions.begin() as session:
        organiser, reviewer = (session.scalars(select(Account).where(Account.email == PEOPLE[who][0])).one()
                               for who in ("organiser", "reviewer"))
        draft = drafts.save(session, organiser, path=TOPIC, topic="wages_unpaid", language="ru",
                            body={"title": title}, base_version=versions.head(repository_of(settings)))
        drafts.approve(session, reviewer, draft, "ru")
        return draft.id


def test_the_versions_page_lists_the_versions_newest_first_and_marks_the_live_one(
        site: Site, studio: Settings) -> None:
    first = versions.head(repository_of(studio))
    second = retitle(studio, "Зарплата & долги")
    for who in ("organiser", "reviewer", "admin", "root"):
        page = site.signed_in(who).http.get("/console/studio/versions")
        assert page.status_code == 200, who
        assert ROW.findall(page.text) == [second, first] and LIVE.findall(page.text) == [second]
        assert 'href="/console/studio/versions"' in page.text and 'href="/console/studio/topics"' in page.text
        assert "Retitled" in page.text and "Content as shipped" in page.text
        admin = who in ("admin", "root")
        assert ('action="/console/studio/publish"' in page.text) is admin
        assert (f'action="/console/studio/versions/{first}/restore"' in page.text) is admin
        assert f'action="/console/studio/versions/{second}/restore"' not in page.text     # the live one
    changes = site.signed_in("organiser").http.get(f"/console/studio/versions?changes={second}")
    diff = re.search(r'<pre class="summary diff" id="diff">(.*?)</pre>', changes.text, re.S)
    assert diff is not None and f"+++ b/content/{TOPIC}" not in diff.group(1)
    assert f"+++ b/{TOPIC}" in diff.group(1) and "title: Зарплата &amp; долги" in diff.group(1)
    oldest = site.signed_in("organiser").http.get(f"/console/studio/versions?changes={first}")
    assert "The first version: there is no earlier one" in oldest.text
    cw = site.signed_in("cw")
    refused = cw.http.get("/console/studio/versions")
    assert refused.status_code == 403 and refused.text == "For organisers, reviewers and admins only."
    assert 'href="/console/studio/versions"' not in cw.http.get("/console").text


def test_only_admins_may_publish_restore_or_start(site: Site, studio: Settings) -> None:
    first = versions.head(repository_of(studio))
    retitle(studio, "Второе")
    for who in ("organiser", "reviewer", "cw"):
        console = site.signed_in(who)
        for url in ("/console/studio/publish", f"/console/studio/versions/{first}/restore", "/console/studio/init"):
            refused = post(console, url)
            assert refused.status_code == 403 and refused.text == "For admins only.", (who, url)
    admin = site.signed_in("admin")
    assert admin.http.post(f"/console/studio/versions/{first}/restore").status_code == 403     # no CSRF token
    assert post(admin, f"/console/studio/versions/{'0' * 40}/restore").status_code == 404
    assert site.audit("studio.restore") == []
    started = job_id(post(admin, f"/console/studio/versions/{first}/restore"))
    row = job_ended(site.sessions, started)
    assert (row.state, row.target) == (JobState.done, first)
    assert live.served(studio.studio_dir) == row.version == versions.head(repository_of(studio))
    assert versions.changed_files(repository_of(studio), first, row.version) == []
    page = admin.http.get(f"/console/studio/jobs/{started}")
    assert page.status_code == 200 and 'data-state="done"' in page.text and "http-equiv=\"refresh\"" not in page.text
    assert "== roll out" in page.text and "is live" in page.text
    assert site.signed_in("organiser").http.get(f"/console/studio/jobs/{started}").status_code == 200
    assert site.audit("studio.restore") == [(site.account("admin").id, f"job={started}; version={first}")]
    assert site.audit("studio.restore.done") == [(site.account("admin").id, f"job={started}; version={row.version}")]
    already = post(admin, "/console/studio/init")
    assert already.status_code == 409 and "The studio has versions already." in already.text


def test_publishing_approved_drafts_runs_a_job_that_marks_them_published(site: Site, studio: Settings) -> None:
    admin = site.signed_in("admin")
    nothing = post(admin, "/console/studio/publish")
    assert nothing.status_code == 200 and "Nothing is approved for publishing yet." in nothing.text
    draft = approved_draft(site, studio)
    started = job_id(post(admin, "/console/studio/publish"))
    row = job_ended(site.sessions, started)
    made = versions.head(repository_of(studio))
    assert (row.state, row.kind, row.version) == (JobState.done, "publish", made)
    assert live.served(studio.studio_dir) == made
    assert "Новый заголовок о зарплате" in (live.live_path(studio.studio_dir) / TOPIC).read_text(encoding="utf-8")
    version = versions.version(repository_of(studio), made)
    assert version.author.email == PEOPLE["admin"][0] and version.summary.startswith("1 approved change")
    with site.sessions() as session:
        stored = session.get(ContentDraft, draft)
        assert stored is not None and (stored.state, stored.published_version) == (DraftState.published, made)
    assert site.audit("studio.publish") == [(site.account("admin").id, f"job={started}")]
    assert site.audit("studio.publish.done") == [(site.account("admin").id, f"job={started}; version={made}")]
    page = admin.http.get("/console/studio/versions")
    assert LIVE.findall(page.text) == [made] and f'href="/console/studio/jobs/{started}"' in page.text


def test_a_refused_publish_leaves_the_live_version_and_the_drafts(site: Site, studio: Settings,
                                                                fakes: FakeSteps) -> None:
    before = live.served(studio.studio_dir)
    draft = approved_draft(site, studio)
    fakes.train_fails = True
    admin = site.signed_in("admin")
    started = job_id(post(admin, "/console/studio/publish"))
    row = job_ended(site.sessions, started)
    assert (row.state, row.step) == (JobState.refused, "train")
    assert live.served(studio.studio_dir) == before == versions.head(repository_of(studio))
    with site.sessions() as session:
        stored = session.get(ContentDraft, draft)
        assert stored is not None and stored.state is DraftState.approved
    page = admin.http.get(f"/console/studio/jobs/{started}")
    assert "refused: the live version is unchanged" in page.text and "rasa train exited with 1" in page.text
    assert site.audit("studio.publish.refused") == [(site.account("admin").id, f"job={started}; step=train")]


def test_the_job_page_refreshes_while_running_and_a_second_job_is_refused(site: Site, studio: Settings,
                                                                          fakes: FakeSteps) -> None:
    fakes.hold = threading.Event()
    approved_draft(site, studio)
    admin = site.signed_in("admin")
    started = job_id(post(admin, "/console/studio/publish"))
    assert fakes.training.wait(30)
    page = admin.http.get(f"/console/studio/jobs/{started}")
    assert '<meta http-equiv="refresh" content="3">' in page.text and 'data-step="train"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    first = versions.head(repository_of(studio))
    busy = post(admin, f"/console/studio/versions/{first}/restore")
    assert busy.status_code == 409 and "Another publish or restore is running" in busy.text
    fakes.hold.set()
    assert job_ended(site.sessions, started).state is JobState.done


def test_an_admin_starts_the_versions_from_the_content_folder(database_url: str, tmp_path: Path, seed: Path,
                                                              fakes: FakeSteps) -> None:
    content = tmp_path / "content"
    shutil.copytree(seed, content)
    settings = make_settings(tmp_path / "var", content_dir=content, database_url=database_url)
    with studio_site(database_url, settings, fakes) as site:
        assert "Start versions from the current content" not in site.signed_in("organiser").http.get(
            "/console/studio/versions").text
        admin = site.signed_in("admin")
        page = admin.http.get("/console/studio/versions")
        assert "Start versions from the current content" in page.text and "Publish approved" not in page.text
        assert post(admin, "/console/studio/publish").status_code == 409
        started = job_id(post(admin, "/console/studio/init"))
        row = job_ended(site.sessions, started)
        assert (row.state, row.kind) == (JobState.done, "init")
        listed = admin.http.get("/console/studio/versions").text
        assert LIVE.findall(listed) == [row.version] and "serves the content folder, not the published" in listed
        assert site.audit("studio.init") == [(site.account("admin").id, f"job={started}")]
