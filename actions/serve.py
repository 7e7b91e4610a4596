"""The action server: rasa-sdk's app, with the content read before the first request.

`python -m rasa_sdk --actions actions` reads content/ on the first action call (about 1.3 s
on the event loop), so the first messages after a start wait behind it; under
`helpline bench load` the first round of 200 users waited about a second. This reads it
first, then serves rasa-sdk's own app (endpoint.create_app) in this one process.

    python -m actions.serve [-p 5055]        host from SANIC_HOST (0.0.0.0), as rasa-sdk
"""

from __future__ import annotations

import argparse
import logging
import os

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor

from actions.tracker import current_responder
from bot.logs import configure
from bot.settings import Settings

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the helpline's action server")
    parser.add_argument("-p", "--port", type=int, default=5055)
    args = parser.parse_args(argv)
    configure(Settings().log_level)            # one format, scrubbed, as the gateway's
    current_responder()                       # content and catalogues, before any request
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app(executor, cors_origins=None)
    log.info("action server on port %d", args.port)
    app.run(host=os.environ.get("SANIC_HOST", "0.0.0.0"), port=args.port, single_process=True,
            access_log=False, motd=False)


if __name__ == "__main__":
    main()
