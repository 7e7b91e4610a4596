"""Publishing and restoring: the order of the steps, and every refusal leaving live as it was
(bot/studio/publish.py; the real roll-out: tests/test_studio_rollout.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.studio import live, publish, versions
from bot.studio.publish import Progress, Refused, Steps
from bot.studio.rollout import RolloutError
from tests.studio_content import ORGANISER, TOPIC


@dataclass
class Fakes:
    """Training and replicas stood in for; the check is the real `helpline check`."""

    trained: list[bytes] = field(default_factory=list)
    rolled: list[tuple[Path, Path | None]] = field(default_factory=list)
    train_fails: bool = False
    roll_out_fails: bool = False

    def train(self, content: Path, build: Path, say: Callable[[str], None]) -> Path:
        say("3/4 training (rasa train) ...")
        if self.train_fails:
            raise RuntimeError("rasa train exited with 1")
        self.trained.append((content / TOPIC).read_bytes())
        build.mkdir(parents=True, exist_ok=True)
        model = build / "helpline.tar.gz"
        model.write_bytes(b"model of " + (content / TOPIC).read_bytes()[:40])
        return model

    def roll_out(self, model: Path, previous: Path | None) -> None:
        if self.roll_out_fails:
            raise RolloutError("http://127.0.0.1:1 refused the model: HTTP 400")
        self.rolled.append((model, previous))

    def steps(self) -> Steps:
        return Steps(check=publish.checked_errors, train=self.train, roll_out=self.roll_out)


def head(repository: Path) -> str:
    found = versions.head(repository)
    assert found is not None
    return found


def retitled(repository: Path, base: str, title: str) -> dict[str, bytes | None]:
    text = versions.read(repository, base, TOPIC).decode()
    line = next(line for line in text.splitlines() if line.strip().startswith("title:"))
    return {TOPIC: text.replace(line, line.split("title:")[0] + f"title: {title}", 1).encode()}


def test_a_publish_checks_trains_saves_rolls_out_and_goes_live(repository: Path, tmp_path: Path) -> None:
    root, fakes, progress = tmp_path / "served", Fakes(), Progress()
    base = head(repository)
    files = retitled(repository, base, "Зарплату не платят")
    version = publish.publish(repository, root, base, files, author=ORGANISER, message="wages_unpaid: title",
                              steps=fakes.steps(), progress=progress)
    assert [line for line in progress.lines if line.startswith("== ")] == \
        ["== check", "== train", "== save", "== roll out", "== live"]
    assert fakes.trained == [files[TOPIC]]                       # trained on the changed files
    kept = publish.model_of(root, version.id)
    assert fakes.rolled == [(kept, None)] and kept.exists()
    assert versions.head(repository) == version.id and version.author == ORGANISER
    assert live.served(root) == version.id
    assert (live.live_path(root) / TOPIC).read_bytes() == files[TOPIC]
    second = publish.publish(repository, root, version.id, retitled(repository, version.id, "Не платят"),
                             author=ORGANISER, message="again", steps=fakes.steps())
    assert fakes.rolled[-1] == (publish.model_of(root, second.id), kept)   # the model to put back
    assert not any((root / "scratch").iterdir())


def test_content_that_fails_the_check_is_refused_before_training(repository: Path, tmp_path: Path) -> None:
    root, fakes = tmp_path / "served", Fakes()
    base = head(repository)
    live.put_live(repository, base, root)
    with pytest.raises(Refused) as refused:
        publish.publish(repository, root, base, {TOPIC: b"id: wages_unpaid\nanswers: [\n"}, author=ORGANISER,
                        message="broken", steps=fakes.steps())
    assert refused.value.step == "check"
    assert "wages_unpaid.yml" in refused.value.reason and "line" in refused.value.reason
    assert fakes.trained == [] and fakes.rolled == []
    assert versions.head(repository) == base and live.served(root) == base


def test_a_failed_training_is_refused_and_nothing_changes(repository: Path, tmp_path: Path) -> None:
    root, fakes = tmp_path / "served", Fakes(train_fails=True)
    base = head(repository)
    live.put_live(repository, base, root)
    with pytest.raises(Refused) as refused:
        publish.publish(repository, root, base, retitled(repository, base, "X"), author=ORGANISER,
                        message="x", steps=fakes.steps())
    assert refused.value.step == "train" and "rasa train exited with 1" in refused.value.reason
    assert versions.head(repository) == base and live.served(root) == base and fakes.rolled == []


def test_a_publish_from_an_outdated_version_is_refused_before_the_roll_out(repository: Path,
                                                                          tmp_path: Path) -> None:
    root, fakes = tmp_path / "served", Fakes()
    base = head(repository)
    first = publish.publish(repository, root, base, retitled(repository, base, "A"), author=ORGANISER,
                            message="a", steps=fakes.steps())
    with pytest.raises(Refused) as refused:
        publish.publish(repository, root, base, retitled(repository, base, "B"), author=ORGANISER,
                        message="b", steps=fakes.steps())
    assert refused.value.step == "save" and "published meanwhile" in refused.value.reason
    assert len(fakes.rolled) == 1 and live.served(root) == first.id == versions.head(repository)


def test_a_failed_roll_out_keeps_the_live_version(repository: Path, tmp_path: Path) -> None:
    root, fakes = tmp_path / "served", Fakes(roll_out_fails=True)
    base = head(repository)
    live.put_live(repository, base, root)
    with pytest.raises(Refused) as refused:
        publish.publish(repository, root, base, retitled(repository, base, "C"), author=ORGANISER,
                        message="c", steps=fakes.steps())
    assert refused.value.step == "roll out" and "HTTP 400" in refused.value.reason
    assert live.served(root) == base
    assert versions.head(repository) != base          # saved, not live: the next publish builds on it


def test_a_restore_reuses_the_kept_model_and_puts_the_old_files_live(repository: Path, tmp_path: Path) -> None:
    root, fakes = tmp_path / "served", Fakes()
    base = head(repository)
    first = publish.publish(repository, root, base, retitled(repository, base, "First"), author=ORGANISER,
                            message="first", steps=fakes.steps())
    second = publish.publish(repository, root, first.id, retitled(repository, first.id, "Second"),
                             author=ORGANISER, message="second", steps=fakes.steps())
    trained = len(fakes.trained)
    back = publish.restore(repository, root, first.id, author=ORGANISER, steps=fakes.steps())
    assert len(fakes.trained) == trained                 # the first version's model was kept
    assert fakes.rolled[-1] == (publish.model_of(root, back.id), publish.model_of(root, second.id))
    assert live.served(root) == back.id
    assert (live.live_path(root) / TOPIC).read_bytes() == versions.read(repository, first.id, TOPIC)
    never = publish.restore(repository, root, base, author=ORGANISER, steps=fakes.steps())
    assert len(fakes.trained) == trained + 1             # no kept model for the seed: trained
    assert live.served(root) == never.id


def test_an_unknown_version_cannot_be_restored(repository: Path, tmp_path: Path) -> None:
    with pytest.raises(Refused) as refused:
        publish.restore(repository, tmp_path / "served", "0123456789", author=ORGANISER, steps=Fakes().steps())
    assert refused.value.step == "check" and "no version" in refused.value.reason
