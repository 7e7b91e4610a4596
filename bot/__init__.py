"""Gateway, command line and shared logic of the helpline (runs on the current Python)."""
