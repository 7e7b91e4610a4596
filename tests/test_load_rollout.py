"""`helpline bench load --rollout`: which turns count as during a roll-out, and when it comes
(bot/evaluation/load.py). The roll-out itself is bot/studio/rollout.py, tested on a real Rasa
in tests/test_studio_rollout.py."""

from __future__ import annotations

from bot.evaluation.load import Attempt, around, rollout_delay


def test_turns_that_overlap_the_roll_out_are_during_it_whichever_end_overlaps() -> None:
    turns = [
        Attempt(1.0, 2.0),                 # before: elsewhere
        Attempt(9.0, 10.5),                # began before, ended during
        Attempt(11.0, 12.0, "apology"),    # inside
        Attempt(12.5, 14.0, "lost"),       # began during, ended after
        Attempt(8.0, 16.0),                # spans the whole roll-out
        Attempt(13.5, 14.0),               # began in the settling time after it
        Attempt(20.0, 21.0, "ReadTimeout"),  # long after: elsewhere
    ]
    found = around(turns, began=10.0, ended=13.0, settle=1.0)
    assert found["during"]["turns"] == 4
    assert found["during"]["failed"] == 2
    assert found["during"]["failures"] == {"apology": 1, "lost": 1}
    assert found["after"] == {"turns": 1, "failed": 0, "failures": {}, "p95_ms": 500.0}
    assert found["elsewhere"]["turns"] == 2
    assert found["elsewhere"]["failures"] == {"ReadTimeout": 1}


def test_failed_turns_do_not_count_in_the_latency_and_an_empty_part_has_none() -> None:
    found = around([Attempt(0.0, 30.0, "lost"), Attempt(1.0, 1.1)], began=0.5, ended=2.0, settle=10.0)
    assert found["during"]["p95_ms"] == 100.0
    assert found["after"] == {"turns": 0, "failed": 0, "failures": {}, "p95_ms": None}


def test_the_roll_out_comes_a_third_of_the_way_through_the_schedule() -> None:
    # 200 users, 5 turns each at 50 a second: the last message is sent after 19.98 s
    assert rollout_delay(200, 50.0, 5) == 1 / 3 * 999 / 50
    assert rollout_delay(200, 50.0, 5, share=1.0) == 999 / 50
    assert rollout_delay(1, 10.0, 1) == 0.0
