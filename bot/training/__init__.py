"""Turning content/ into Rasa training data, and training the model."""
