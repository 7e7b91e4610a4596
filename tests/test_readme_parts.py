"""README's "The parts" names every package and top-level module of bot/ and actions/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parts_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## The parts")
    return text[start:text.index("\n## ", start + 1)]


def modules() -> list[str]:
    found = [f"`bot/{p.name}/`" for p in sorted((ROOT / "bot").iterdir()) if (p / "__init__.py").exists()]
    found += [f"`{folder}/{p.name}`" for folder in ("bot", "actions")
              for p in sorted((ROOT / folder).glob("*.py")) if p.name != "__init__.py"]
    return found


def test_the_parts_name_every_package_and_module() -> None:
    section = parts_section()
    assert len(modules()) > 30
    assert [name for name in modules() if name not in section] == []
