"""The studio's editing pages (bot/console/studio_edit.py, studio_files.py, studio_drafts.py,
bot/studio/staging.py, topic_form.py, draft_preview.py): an organiser edits an answer in the
browser and the draft keeps what was typed, the checks show each problem at its field in the
console's language, a reviewer of that language approves (nobody else), another union's
organiser cannot reach the draft, data files are edited whole with their lines named, contacts
of another organisation are refused, and the preview shows the draft as each channel will. A
real gateway on loopback over a studio repository made from the shipped content; SQLite and
PostgreSQL."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import select, update

from bot.db.models import Account, ContentDraft, DraftState, Role
from bot.studio import topic_form, versions
from bot.studio.cli import REPOSITORY
from bot.studio.versions import Author
from tests.console_client import CSRF, Console
from tests.console_site import Site, site_with
from tests.studio_content import seed  # noqa: F401  (a fixture)

TOPIC, PATH = "wages_unpaid", "topics/wages_unpaid.yml"
PEOPLE = {"organiser": ("organiser@union-a.example", "example_union", Role.organiser),
          "tajik": ("tajik@union-a.example", "example_union", Role.reviewer),
          "uzbek": ("uzbek@union-a.example", "example_union", Role.reviewer),
          "russian": ("russian@union-b.example", "union_b", Role.reviewer),
          "colleague": ("colleague@union-a.example", "example_union", Role.organiser),
          "other": ("organiser@union-b.example", "union_b", Role.organiser),
          "caseworker": ("cw@union-a.example", "example_union", Role.caseworker)}
LANGUAGES = {"tajik": "tg", "uzbek": "uz,uz_Cyrl", "russian": "ru"}
LIVE_TAJIK = yaml.safe_load((Path(__file__).resolve().parents[1] / "content" / PATH).read_text(
    encoding="utf-8"))["languages"]["tg"]["answer"]


def new_answer() -> str:
    """The live Tajik answer with its Russian and Kazakh lines changed, marks and lines kept (as
    the check wants them: the same countries on the same lines as in Russian)."""
    lines = LIVE_TAJIK.rstrip("\n").split("\n")
    changed = {i for i, line in enumerate(lines) if line.startswith(("Русия:", "Қазоқистон:"))}
    assert len(changed) == 2
    return "\n".join(line.split(":", 1)[0] + (": САТРИ НАВИ РУСИЯ (моддаи 136 КМ ФР)." if line.startswith("Р")
                                               else ": САТРИ НАВИ ҚАЗОҚИСТОН (моддаи 113 КМ ҶҚ).")
                     if i in changed else line for i, line in enumerate(lines))


NEW_ANSWER = new_answer()


@pytest.fixture
def site(database_url: str, tmp_path: Path, seed: Path) -> Iterator[Site]:  # noqa: F811
    data = tmp_path / "var"
    versions.create(data / "studio" / REPOSITORY, seed, author=Author("Studio", "studio@helpline.example"),
                    message="Content as shipped")
    with site_with(PEOPLE, database_url, data) as running:
        with running.sessions.begin() as session:
            for who, languages in LANGUAGES.items():
                session.execute(update(Account).where(Account.email == PEOPLE[who][0])
                                .values(review_languages=languages))
        yield running


def signed_in(site: Site, who: str) -> Console:
    """Signed in, with the CSRF token of a studio page (a reviewer's /console goes there)."""
    console = site.signed_in(who)
    found = CSRF.search(console.http.get("/console/studio/drafts").text)
    assert found is not None
    console.csrf = found.group(1)
    return console


def page(response: httpx.Response) -> str:
    return html.unescape(response.text)


def field(text: str, name: str) -> str:
    """The part of the edit form around one field (its problems are listed inside)."""
    start = text.index(f'id="field-{name}"')
    ends = [i for i in (text.find('<div class="field', start + 1), text.find("</form>", start)) if i > 0]
    return text[start:min(ends)]


def opened(console: Console, language: str) -> dict[str, str]:
    """The topic's form in `language` as the browser holds it: its fields and hidden values."""
    form = console.http.get(f"/console/studio/topics/{TOPIC}", params={"language": language}).text
    values = dict(re.findall(r'<input id="(\w+)" name="\w+" value="([^"]*)"', form))
    values |= dict(re.findall(r'<textarea id="(\w+)" name="\w+"[^>]*>\n?([^<]*)</textarea>', form))
    values |= dict(re.findall(r'<input type="hidden" name="(was-\w+)" value="(\w+)">', form))
    return {name: html.unescape(value) for name, value in values.items()}


def save(console: Console, language: str, values: dict[str, str], **fields: str) -> httpx.Response:
    return console.http.post(f"/console/studio/topics/{TOPIC}", params={"language": language},
                             data={"csrf": console.csrf, **values, **fields})


def edit(console: Console, language: str, **fields: str) -> httpx.Response:
    """Open the topic's form in `language`, change `fields`, save, and follow to the page."""
    saved = save(console, language, opened(console, language), **fields)
    assert saved.status_code == 303, saved.text
    return console.http.get(saved.headers["location"])


def draft_of(site: Site, organisation: str = "example_union", path: str = PATH) -> ContentDraft | None:
    with site.sessions() as session:
        return session.scalars(select(ContentDraft).where(ContentDraft.organisation_id == organisation,
                                                          ContentDraft.path == path)).first()


def test_an_organiser_edits_the_tajik_answer_and_the_draft_keeps_its_fields(site: Site) -> None:
    organiser = signed_in(site, "organiser")
    topics = page(organiser.http.get("/console/studio/topics"))
    assert "Не платят зарплату" in topics and f"/console/studio/topics/{TOPIC}?language=tg" in topics
    form = page(organiser.http.get(f"/console/studio/topics/{TOPIC}", params={"language": "tg"}))
    assert 'value="Маош намедиҳанд"' in form and 'id="original"' in form     # the Russian original beside it
    assert 'class="mark-KZ"><span class="mark">Kazakhstan</span>' in form and "Russia</span>" in form
    shown = page(edit(organiser, "tg", title="Маош намедиҳанд!", answer=NEW_ANSWER,
                      examples="маош нест\nпул намедиҳанд"))
    assert "Saved as a draft" in shown and 'id="summary"' in shown and "САТРИ НАВИ РУСИЯ" in shown
    draft = draft_of(site)
    assert draft is not None and (draft.language, draft.state, draft.topic) == ("tg", DraftState.open, TOPIC)
    assert draft.body == {"title": "Маош намедиҳанд!", "answer": NEW_ANSWER,
                          "examples": ["маош нест", "пул намедиҳанд"]}
    assert site.account("organiser").id == draft.created_by == draft.updated_by
    cell = re.search(rf'<tr data-topic="{TOPIC}">.*?data-language="tg" data-state="(\w+)"',
                     organiser.http.get("/console/studio/topics").text, re.S)
    assert cell is not None and cell.group(1) == "awaiting"
    derived = organiser.http.get(f"/console/studio/topics/{TOPIC}", params={"language": "uz_Cyrl"})
    assert 'id="derived"' in derived.text and 'id="edit"' not in derived.text
    assert save(organiser, "uz_Cyrl", {}, title="x").status_code == 403
    listed = page(organiser.http.get("/console/studio/drafts"))
    assert f'data-draft="{draft.id}"' in listed and "organiser@union-a.example" in listed
    assert site.audit("draft_start") == [(draft.created_by, f"draft={draft.id}")]


def test_a_broken_edit_is_saved_and_each_problem_is_shown_at_its_field_in_russian(site: Site) -> None:
    organiser = signed_in(site, "organiser")
    organiser.http.headers["accept-language"] = "ru"
    unmarked = "Музд дар 15 рӯз дода мешавад (моддаи 136 КМ ФР)."
    shown = page(edit(organiser, "tg", answer=unmarked))
    draft = draft_of(site)
    assert draft is not None and draft.body["answer"] == unmarked                   # saved all the same
    answer = field(shown, "answer")
    assert 'id="problems-answer"' in answer and "topics/wages_unpaid.yml:" in answer and "ошибка" in answer
    assert "ФР" in answer.split('id="problems-answer"')[1]
    assert 'id="problems-title"' not in shown and 'class="error" id="summary"' in shown
    tajik = signed_in(site, "tajik")
    assert "This draft has errors" in tajik.http.get(f"/console/studio/topics/{TOPIC}?language=tg").text
    refused = tajik.http.post(f"/console/studio/drafts/{draft.id}/approve", data={"csrf": tajik.csrf})
    assert refused.status_code == 409 and draft_of(site).state is DraftState.open  # type: ignore[union-attr]
    shown = page(edit(organiser, "tg", title=""))
    assert "в части на языке tg нет title" in field(shown, "title")
    draft = draft_of(site)
    assert draft is not None and draft.body["title"] == "" and draft.body["answer"] == unmarked   # nothing lost
    again = page(organiser.http.get(f"/console/studio/topics/{TOPIC}", params={"language": "tg"}))
    assert 'value=""' in field(again, "title") and unmarked in field(again, "answer")   # the draft, not the live text


def test_only_a_reviewer_of_tajik_approves_the_tajik_draft(site: Site) -> None:
    organiser = signed_in(site, "organiser")
    edit(organiser, "tg", answer=NEW_ANSWER)
    draft = draft_of(site)
    assert draft is not None
    refused = organiser.http.post(f"/console/studio/drafts/{draft.id}/approve", data={"csrf": organiser.csrf})
    assert refused.status_code == 403 and "only a reviewer may approve" in page(refused)
    uzbek = signed_in(site, "uzbek")
    assert 'class="approve"' not in uzbek.http.get(f"/console/studio/topics/{TOPIC}?language=tg").text
    assert uzbek.http.get(f"/console/studio/drafts/{draft.id}/preview").status_code == 403
    assert f'data-draft="{draft.id}"' not in uzbek.http.get("/console/studio/drafts").text
    refused = uzbek.http.post(f"/console/studio/drafts/{draft.id}/approve", data={"csrf": uzbek.csrf})
    assert refused.status_code == 403 and "you do not review this language" in page(refused)
    assert draft_of(site).state is DraftState.open  # type: ignore[union-attr]
    tajik = signed_in(site, "tajik")
    topic_page = tajik.http.get(f"/console/studio/topics/{TOPIC}?language=tg").text
    assert f'class="approve" data-draft="{draft.id}"' in topic_page
    done = tajik.http.post(f"/console/studio/drafts/{draft.id}/approve",
                           data={"csrf": tajik.csrf, "back": f"/console/studio/topics/{TOPIC}?language=tg"})
    assert done.status_code == 303 and done.headers["location"].startswith(f"/console/studio/topics/{TOPIC}")
    approved = draft_of(site)
    assert approved is not None and approved.state is DraftState.approved
    assert approved.reviewed_by == site.account("tajik").id and approved.reviewed_on is not None
    assert "approved, to publish" in tajik.http.get("/console/studio/drafts").text


def test_a_reviewer_approves_a_text_as_it_stands_only_in_their_language(site: Site) -> None:
    tajik = signed_in(site, "tajik")
    assert 'id="approve-as-it-stands"' in tajik.http.get(f"/console/studio/topics/{TOPIC}?language=tg").text
    refused = tajik.http.post(f"/console/studio/topics/{TOPIC}/approve", params={"language": "ky"},
                              data={"csrf": tajik.csrf})
    assert refused.status_code == 403 and "you do not review this language" in page(refused)
    done = tajik.http.post(f"/console/studio/topics/{TOPIC}/approve", params={"language": "tg"},
                           data={"csrf": tajik.csrf})
    assert done.status_code == 303
    draft = draft_of(site)
    assert draft is not None and (draft.state, draft.body) == (DraftState.approved, {})


def test_another_unions_organiser_gets_404_on_the_draft_and_cannot_change_it(site: Site) -> None:
    organiser = signed_in(site, "organiser")
    edit(organiser, "tg", answer=NEW_ANSWER)
    ours = draft_of(site)
    assert ours is not None
    other = signed_in(site, "other")
    assert other.http.get(f"/console/studio/drafts/{ours.id}/preview").status_code == 404
    for action in ("withdraw", "approve"):
        assert other.http.post(f"/console/studio/drafts/{ours.id}/{action}",
                               data={"csrf": other.csrf}).status_code == 404
    assert f'data-draft="{ours.id}"' not in other.http.get("/console/studio/drafts").text
    theirs_page = page(other.http.get(f"/console/studio/topics/{TOPIC}?language=tg"))
    assert "САТРИ НАВИ" not in theirs_page                      # they start from the live text
    edit(other, "tg", answer="Матни дигар")
    assert draft_of(site).body == ours.body  # type: ignore[union-attr]
    assert draft_of(site, "union_b") is not None
    caseworker = site.signed_in("caseworker")
    assert caseworker.http.get("/console/studio/topics").status_code == 403
    withdrawn = organiser.http.post(f"/console/studio/drafts/{ours.id}/withdraw", data={"csrf": organiser.csrf})
    assert withdrawn.status_code == 303 and draft_of(site).state is DraftState.withdrawn  # type: ignore[union-attr]


def test_a_data_file_with_a_yaml_error_names_its_line(site: Site) -> None:
    organiser = signed_in(site, "organiser")
    live = page(organiser.http.get("/console/studio/files/places.yml"))
    text = re.search(r'<textarea id="text" name="text"[^>]*>\n(.*?)</textarea>', live, re.S)
    assert text is not None
    lines = text.group(1).split("\n")
    broken_at = next(i for i, line in enumerate(lines) if line.startswith("  - ")) + 1
    lines[broken_at - 1] = lines[broken_at - 1] + ": ["
    saved = organiser.http.post("/console/studio/files/places.yml", data={"csrf": organiser.csrf,
                                                                          "text": "\n".join(lines)})
    assert saved.status_code == 303
    shown = organiser.http.get(saved.headers["location"]).text
    rows = re.findall(r'data-line="(\d+)"', shown)
    assert rows and abs(int(rows[0]) - broken_at) <= 1, (rows, broken_at)
    draft = draft_of(site, path="places.yml")
    assert draft is not None and draft.language is None and ": [" in draft.body["text"]
    was = re.search(r'name="was" value="(\w+)"', shown)
    colleague = signed_in(site, "colleague")
    assert was is not None and colleague.http.post("/console/studio/files/places.yml", data={
        "csrf": colleague.csrf, "text": text.group(1)}).status_code == 303           # they put it right meanwhile
    clash = organiser.http.post("/console/studio/files/places.yml", data={
        "csrf": organiser.csrf, "was": was.group(1), "text": "\n".join(lines) + "\n# mine\n"})
    assert clash.status_code == 409 and "# mine" in page(clash)                       # not saved, not lost
    assert "# mine" not in draft_of(site, path="places.yml").body["text"]  # type: ignore[union-attr]
    assert organiser.http.get("/console/studio/files/secrets.yml").status_code == 404


def test_contacts_of_another_organisation_are_refused_and_the_typed_text_kept(site: Site) -> None:
    organiser = signed_in(site, "organiser")
    live = page(organiser.http.get("/console/studio/files/contacts.yml"))
    text = re.search(r'<textarea id="text" name="text"[^>]*>\n(.*?)</textarea>', live, re.S)
    assert text is not None
    data = yaml.safe_load(text.group(1))
    rostrud = next(c for c in data["contacts"] if c["organisation"] == "rostrud")
    ours = next(c for c in data["contacts"] if c["organisation"] == "example_union")
    changed = text.group(1).replace(f"id: {rostrud['id']}", f"id: {rostrud['id']}_moved", 1)
    refused = organiser.http.post("/console/studio/files/contacts.yml", data={"csrf": organiser.csrf,
                                                                              "text": changed})
    assert refused.status_code == 403 and rostrud["id"] in page(refused) and "_moved" in page(refused)
    assert draft_of(site, path="contacts.yml") is None
    own = text.group(1).replace(f"id: {ours['id']}", f"id: {ours['id']}_renamed", 1)
    saved = organiser.http.post("/console/studio/files/contacts.yml", data={"csrf": organiser.csrf, "text": own})
    assert saved.status_code == 303 and draft_of(site, path="contacts.yml") is not None


def test_the_preview_shows_the_drafts_text_for_russia_kazakhstan_and_not_yet_known(site: Site) -> None:
    organiser = signed_in(site, "organiser")
    edit(organiser, "tg", title="САРЛАВҲАИ НАВ", answer=NEW_ANSWER, more="Маълумоти иловагӣ: МАТНИ НАВ.")
    draft = draft_of(site)
    assert draft is not None
    url = f"/console/studio/drafts/{draft.id}/preview"

    def sides(country: str) -> tuple[str, str]:
        shown = page(organiser.http.get(url, params={"country": country}))
        draft_side = shown[shown.index('id="draft-answer"'):shown.index('id="live-answer"')]
        more_side = shown[shown.index('id="draft-more"'):shown.index('id="live-more"')]
        return draft_side, more_side
    russia, _ = sides("RU")
    assert "САТРИ НАВИ РУСИЯ" in russia and "ҚАЗОҚИСТОН" not in russia and "Telegram" in russia
    kazakhstan, _ = sides("KZ")
    assert "САТРИ НАВИ ҚАЗОҚИСТОН" in kazakhstan and "РУСИЯ" not in kazakhstan
    unknown, more = sides("")
    assert "САРЛАВҲАИ НАВ" in unknown and "МАТНИ НАВ" in more      # asked where they work first
    whole = page(organiser.http.get(url, params={"country": "RU"}))
    assert "Маош намедиҳанд" in whole[whole.index('id="live-answer"'):]       # beside the live text
    assert re.search(r"\n\+\s+Русия: САТРИ НАВИ РУСИЯ", whole)                      # the changed lines


def test_two_people_saving_one_draft_keep_each_others_fields_and_a_clash_loses_nothing(site: Site) -> None:
    organiser, colleague = signed_in(site, "organiser"), signed_in(site, "colleague")
    mine, theirs = opened(organiser, "tg"), opened(colleague, "tg")
    assert save(colleague, "tg", theirs, examples="маош нест").status_code == 303
    assert save(organiser, "tg", mine, answer=NEW_ANSWER).status_code == 303       # opened before their save
    draft = draft_of(site)
    assert draft is not None and draft.body == {"examples": ["маош нест"], "answer": NEW_ANSWER}
    mine, theirs = opened(organiser, "tg"), opened(colleague, "tg")
    assert save(colleague, "tg", theirs, title="Сарлавҳаи ҳамкор").status_code == 303
    clash = save(organiser, "tg", mine, title="Сарлавҳаи ман", more="Матни иловагии нав.")
    assert clash.status_code == 409 and "Сарлавҳаи ман" in page(clash).split('id="unsaved-title"')[1]
    assert 'value="Сарлавҳаи ҳамкор"' in page(clash)                                # the draft's, to compare
    draft = draft_of(site)
    assert draft is not None and draft.body["title"] == "Сарлавҳаи ҳамкор"
    assert draft.body["more"] == "Матни иловагии нав."                               # the rest was saved
    unchanged = save(organiser, "tg", opened(organiser, "tg"))
    assert "said=unchanged" in unchanged.headers["location"]


def test_the_form_sends_only_what_changed() -> None:
    live = (Path(__file__).resolve().parents[1] / "content" / PATH).read_text(encoding="utf-8")
    form = topic_form.form_of(live, "ru")
    started = topic_form.fingerprints(form, True)
    assert topic_form.edit_of(form, started, form, own_lines=True) == topic_form.Edit({}, ())
    assert topic_form.parsed_sources(form.sources)[0] == {
        "law": "TK RF Art. 136 part 6", "jurisdiction": "RU",
        "url": "https://lawyery.ru/sroki-vyplaty-zarabotnoj-platy-sudeb.html", "confidence": "high"}
    typed = topic_form.typed({**form.__dict__, "review_by": "2027-03-01", "answer": form.answer.replace("\n", "\r\n")})
    assert topic_form.edit_of(typed, started, form, own_lines=True).body == {"review_by": "2027-03-01"}
    assert "sources" not in topic_form.fingerprints(form, False)          # the topic's own lines: default only


def test_pages_say_plainly_when_the_studio_has_not_started(database_url: str, tmp_path: Path) -> None:
    with site_with({"organiser": PEOPLE["organiser"]}, database_url, tmp_path / "var") as running:
        organiser = running.signed_in("organiser")
        for url in ("/console/studio/topics", f"/console/studio/topics/{TOPIC}", "/console/studio/drafts",
                    "/console/studio/files/contacts.yml"):
            shown = page(organiser.http.get(url))
            assert "The studio has not started yet: an admin starts it on the Versions page." in shown
            assert 'href="/console/studio/versions"' in shown


def test_refusals_are_worded_as_drafts_words_them() -> None:
    """The console's words of each refusal (marked for its catalogue) are those of bot/studio/drafts.py."""
    from bot.console.studio_base import WHY
    from bot.studio.drafts import WHY as DRAFTS_WHY
    assert WHY == DRAFTS_WHY


def test_a_save_after_the_session_ended_shows_back_what_was_typed_and_saves_nothing(site: Site) -> None:
    organiser = signed_in(site, "organiser")
    values = opened(organiser, "tg")
    typed = "Матни дароз <b>бо</b>\nсатри дуюм"
    organiser.http.post("/console/logout", data={"csrf": organiser.csrf})
    ended = save(organiser, "tg", values, answer=typed)
    assert ended.status_code == 401 and "Your session has ended." in ended.text
    assert html.escape(typed, quote=False) in ended.text and "<b>бо</b>" not in ended.text   # shown, escaped
    assert 'name="csrf"' not in ended.text and "was-" not in ended.text
    again = signed_in(site, "organiser")
    stale = again.http.post(f"/console/studio/topics/{TOPIC}", params={"language": "tg"},
                            data={"csrf": "an-old-token", **values, "answer": typed})
    assert stale.status_code == 403 and "out of date" in stale.text and "сатри дуюм" in stale.text
    russian = site.console(language="ru").http.post(f"/console/studio/topics/{TOPIC}", params={"language": "tg"},
                                                     data={"answer": typed})
    assert russian.status_code == 401 and "сатри дуюм" in russian.text
    assert draft_of(site) is None
    assert signed_in(site, "organiser").http.post("/console/cases/close", data={"csrf": "x"}).status_code == 403
