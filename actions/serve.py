"""The action server: rasa-sdk's app, with the settings and content read once, first.

Settings, content/, the catalogues and the organisers' recorder make one `ActionContext`
(actions/context.py), built here before the first request (reading content/ on the event
loop would hold the first users back) and handed to every action; then rasa-sdk's own app
(endpoint.create_app) serves them in this one process.

    python -m actions.serve [-p 5055]        host from SANIC_HOST (0.0.0.0), as rasa-sdk
"""

from __future__ import annotations

import argparse
import logging
import os

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor

from actions import live_content
from actions.context import ActionContext
from actions.steps import all_actions
from bot import heap
from bot.logs import configure
from bot.settings import Settings

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the helpline's action server")
    parser.add_argument("-p", "--port", type=int, default=5055)
    args = parser.parse_args(argv)
    settings = Settings()
    configure(settings.log_level)             # one format, scrubbed, as the gateway's
    context = ActionContext.build(settings)   # content and catalogues, before any request
    executor = ActionExecutor()
    for action in all_actions(context):
        executor.register_action(action)
    app = create_app(executor, cors_origins=None)
    watch = live_content.watch_for(context)
    if watch is not None:                     # a published version: follow the link as it moves
        app.add_task(live_content.follow(context, watch, settings.content_watch_seconds))
    heap.settle()                             # start-up's objects: out of the cycle collector's way
    log.info("action server on port %d", args.port)
    app.run(host=os.environ.get("SANIC_HOST", "0.0.0.0"), port=args.port, single_process=True,
            access_log=False, motd=False)


if __name__ == "__main__":
    main()
