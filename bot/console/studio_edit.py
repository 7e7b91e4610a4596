"""The studio's editing pages in the console (issue 17, items 1-3): being written."""

from __future__ import annotations

from starlette.routing import BaseRoute


def studio_edit_routes() -> list[BaseRoute]:
    return []
