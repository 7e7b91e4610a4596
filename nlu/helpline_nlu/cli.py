"""`helpline-rasa`: Rasa's own command line (`helpline-rasa run ...`, `helpline-rasa train ...`)
after our patches are installed, refusing any Rasa but the pinned one (helpline_nlu/patches.py).
bot/processes.py starts the Rasa server with it, and so does the image (nlu/Dockerfile)."""

from __future__ import annotations

import sys

from helpline_nlu import patches


def main() -> None:
    try:
        patches.install()
    except patches.RasaVersionError as error:
        sys.exit(f"helpline-rasa: {error}")
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
