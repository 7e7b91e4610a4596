"""`helpline bench publish`: how long from "publish" to the new answer in a new conversation,
and whether any turn fails meanwhile (issue 17, item 4).

On a copy of content/ under a temporary data folder: `helpline studio init`, then Rasa and the
action server serve the published link (watching it every HELPLINE_CONTENT_WATCH_SECONDS, 2 s
by default) while a few conversations keep talking to Rasa. One Russian answer is changed and
published (check, training, save, roll-out, live); the clock stops when a new conversation is
given the new text. Then the first version is restored (its model was kept: no training).
Reported: each step's seconds, the total, the turns made during it and how many failed (an
HTTP error or no answer).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bot.evaluation.load import calibration_ms
from bot.processes import running_stack
from bot.settings import Settings
from bot.studio import cli as studio
from bot.studio import publish, versions
from bot.studio.publish import Progress, Steps
from bot.studio.versions import Author, Version

AUTHOR = Author("helpline bench publish", "bench@localhost")
TOPIC = "topics/wages_unpaid.yml"
NEW_ANSWER = "Новый ответ организаторов для проверки публикации."
TALKERS = 4


def _turn(http: httpx.Client, settings: Settings, sender: str, message: str) -> list[dict[str, Any]]:
    reply = http.post(f"{settings.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message})
    reply.raise_for_status()
    answer: list[dict[str, Any]] = reply.json()
    return answer


def _wages(http: httpx.Client, settings: Settings, sender: str) -> str:
    _turn(http, settings, sender, '/choose_language{"language":"ru"}')
    said = _turn(http, settings, sender, "/wages_unpaid")
    ru = [b for m in said for b in m.get("buttons") or [] if '"RU"' in str(b.get("payload"))]
    if ru:
        said += _turn(http, settings, sender, str(ru[0]["payload"]))
    return "\n".join(str(m.get("text") or "") for m in said)


class Talkers:
    """A few conversations talking to Rasa all along: every turn counted, failures too."""

    def __init__(self, settings: Settings) -> None:
        self.settings, self.turns, self.failed = settings, 0, 0
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._talk, args=(n,)) for n in range(TALKERS)]

    def _talk(self, number: int) -> None:
        with httpx.Client(timeout=120) as http:
            while not self.stop.is_set():
                try:
                    answered = _turn(http, self.settings, f"talker-{number}", "/menu")
                except httpx.HTTPError:
                    answered = []
                self.turns += 1
                self.failed += not answered
                time.sleep(0.2)

    def __enter__(self) -> Talkers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def _steps_timed(marks: list[tuple[str, float]], began: float) -> dict[str, float]:
    """Seconds each step took ("== step" lines and when they came), and until live."""
    steps = [(line[3:], at) for line, at in marks if line.startswith("== ")]
    ends = [at for _, at in steps[1:]] + [time.monotonic()]
    return {step: round(end - at, 1) for (step, at), end in zip(steps, ends, strict=True)} | \
        {"until_live": round(ends[-1] - began, 1)}


def _seen(http: httpx.Client, settings: Settings, wanted: str, began: float, limit: float = 600) -> float | None:
    while time.monotonic() - began < limit:
        if wanted in _wages(http, settings, f"new-{time.monotonic_ns()}"):
            return round(time.monotonic() - began, 1)
        time.sleep(0.2)
    return None


def measure(settings: Settings) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder) / "content"
        shutil.copytree(settings.content_dir, content)
        local = settings.model_copy(update={"data_dir": Path(folder) / "var", "content_dir": content})
        first = studio.init(local, AUTHOR, say=lambda line: None)
        root, repository = local.studio_dir, studio.repository_of(local)
        serving = local.model_copy(update={"content_dir": root / "live"})
        text = versions.read(repository, first.id, TOPIC).decode()
        block = text[text.index("\n  ru:"):].splitlines()
        line = next(line for line in block if line.strip().startswith("answer:"))
        old = block[block.index(line) + 1].strip() if line.rstrip().endswith(("|", ">", "|-", ">-")) \
            else line.split("answer:", 1)[1].strip().strip("'\"")
        changed = {TOPIC: text.replace(old, NEW_ANSWER, 1).encode()}
        result: dict[str, Any] = {}
        with running_stack(serving, publish.model_of(root, first.id)), httpx.Client(timeout=120) as http, \
                Talkers(serving) as talkers:
            def published(steps: Steps, progress: Progress) -> Version:
                return publish.publish(repository, root, first.id, changed, author=AUTHOR, message="bench",
                                       steps=steps, progress=progress)

            def restored(steps: Steps, progress: Progress) -> Version:
                return publish.restore(repository, root, first.id, author=AUTHOR, steps=steps, progress=progress)

            for kind, act, wanted in (("publish", published, NEW_ANSWER), ("restore", restored, old)):
                marks: list[tuple[str, float]] = []

                def mark(line: str, marks: list[tuple[str, float]] = marks) -> None:
                    marks.append((line, time.monotonic()))

                turns, failed = talkers.turns, talkers.failed
                began = time.monotonic()
                with httpx.Client() as client:
                    act(studio.steps(serving, client), Progress(echo=mark))
                result[kind] = {**_steps_timed(marks, began),
                                "until_new_conversation_sees_it": _seen(http, serving, wanted, began),
                                "turns_meanwhile": talkers.turns - turns, "failed_turns": talkers.failed - failed}
    return result


def run_publish_bench(settings: Settings, json_out: Path | None) -> int:
    before = calibration_ms()
    result = measure(settings)
    result["calibration_ms"] = [before, calibration_ms()]
    result["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(json.dumps(result, indent=1, ensure_ascii=False))
    if json_out:
        json_out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0
