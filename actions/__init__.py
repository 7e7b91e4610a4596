"""Rasa custom actions: thin adapters over plain functions in bot/."""
