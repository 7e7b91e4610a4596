"""Organiser-owned content: loading, validating and transliterating content/."""

from bot.content.loader import load_library
from bot.content.model import Answer, Category, Language, Library, Source, Topic

__all__ = ["Answer", "Category", "Language", "Library", "Source", "Topic", "load_library"]
