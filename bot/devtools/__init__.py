"""Tools for tests and benchmarks (a fake Telegram Bot API); never used in production."""
