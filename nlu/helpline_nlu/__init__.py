"""Custom Rasa NLU components for the helpline."""
