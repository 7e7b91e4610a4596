"""The organisers' workbench: what the bot records for organisers (aggregate counts,
scrubbed unanswered questions, consented employer reports) and the pages that show it."""
