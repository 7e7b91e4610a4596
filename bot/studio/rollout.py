"""Every Rasa replica serves a new model: `PUT /model` on each, in turn (issue 17, item 4).

Why `PUT /model` and not Rasa's model server (replicas polling a URL by ETag): publishing
knows when the model is ready and can say when every replica has it, or which one refused,
and put the ones already switched back; with polling each replica switches on its own clock
and nothing can tell the organiser "live" or undo a half-done roll-out. Rasa loads the model
inside the request and swaps its processor between turns, so a turn is answered by the old
model or the new one, never by neither (tests/test_studio_rollout.py drives turns through a
roll-out). The model file must be readable by every replica at the same path (one machine,
or a shared volume in docker-compose.yml).

Rasa 3.6 builds a new agent for `PUT /model`, with new tracker and lock stores from
endpoints.yml (it then keeps the old lock store, so conversations stay serialised); turns
already running finish on the old agent. The old tracker store's cache empties on its own
timer; its engine and sweep thread stay until the process ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import httpx

LOAD_SECONDS = 300.0             # a replica loads the model inside the request


class RolloutError(RuntimeError):
    """A replica did not take the model; the ones already switched were put back."""


def load(client: httpx.Client, replica: str, token: str, model: str) -> None:
    response = client.put(f"{replica}/model", params={"token": token}, json={"model_file": model},
                          timeout=LOAD_SECONDS)
    if response.status_code != 204:
        raise RolloutError(f"{replica} refused the model: HTTP {response.status_code}")


def roll_out(client: httpx.Client, replicas: Sequence[str], token: str, model: Path,
             previous: Path | None) -> None:
    """Each replica in turn loads `model`. If one fails, every replica already switched loads
    `previous` (the model served before; Rasa's /status names only its file, not where it is),
    and RolloutError says which replica failed."""
    switched: list[str] = []
    try:
        for replica in replicas:
            load(client, replica, token, str(model.resolve()))
            switched.append(replica)
    except (httpx.HTTPError, RolloutError) as error:
        kept = []
        for replica in reversed(switched):
            try:
                if previous is None:
                    raise RolloutError("no previous model to put back")
                load(client, replica, token, str(previous.resolve()))
            except (httpx.HTTPError, RolloutError):
                kept.append(replica)
        failed = replicas[len(switched)]
        still = f"; still on the new model: {', '.join(kept)}" if kept else ""
        why = str(error) if isinstance(error, RolloutError) else f"{failed}: {type(error).__name__}"
        raise RolloutError(f"the model was not rolled out: {why}; "
                           f"{len(switched) - len(kept)} replica(s) put back{still}") from error
