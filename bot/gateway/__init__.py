"""The public gateway: one ASGI app serving the channels, talking to Rasa over HTTP."""
