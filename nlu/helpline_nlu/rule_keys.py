"""RulePolicy's search for the rules that apply, without trying every rule on every prediction.

Rasa 3.6's `RulePolicy._get_possible_keys` starts from every rule it learnt (96 here: each topic's
"intent, then action" and "after that action, listen") and filters them once per past state of
the conversation, newest first, calling `_is_rule_applicable` for each rule left. The first
filter, on the newest state, is nearly all of the work: every rule is unpacked and matched,
for each of the two or three predictions of a message. Yet a rule whose newest state names a
previous action or an intent can only apply to a state with that same action and intent
(`_does_rule_match_state`: a value the rule sets must be equal in the state).

`install()` makes `_get_possible_keys` run that first filter over those rules only: the rules
are indexed once per lookup by the action and intent their newest state requires, and the
candidates for one (action, intent) pair are kept in the order Rasa would visit them. Every
candidate is still judged by Rasa's own `_is_rule_applicable`, and the filters on the older
states are Rasa's, so the set returned holds the same rules, built by adding them in the same
order (Rasa then picks the longest rule; between rules of equal length, the set's order, which
is the same here). A rule is left out only when Rasa's check would refuse it:

- its newest state has a previous action (so it is not a conversation-start rule, which Rasa
  accepts for any state without one), and
- a text it requires there (not Rasa's "should not be set", not a list) for the previous
  action's name or the user's intent differs from the state's.

Once at most one rule is left and no rule left is longer than the states looked at, the
filters that remain cannot remove it (a rule is applicable past its own length), so the walk
over the rest of the history stops. Anything this does not know (a policy class that overrides
the checks, a state whose action or intent is not text) goes to Rasa's own method.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

INSTALLED = "_helpline_rasa_get_possible_keys"
INDEX = "_helpline_rule_index"
MEMO_LIMIT = 4096          # (action, intent) pairs remembered per lookup; the domain bounds them

Pair = tuple[str | None, str | None]


class Index:
    """One lookup's rules in Rasa's visiting order, each with what its newest state requires."""

    def __init__(self, policy: Any, lookup: dict[str, Any]) -> None:
        def required(state: dict[str, Any], part: str, key: str) -> str | None:
            value = (state.get(part) or {}).get(key)
            return value if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET else None

        self.keys = tuple(lookup)
        self.order = list(set(lookup.keys()))           # how Rasa's filter visits them
        self.length = {key: len(policy._rule_key_to_state(key)) for key in self.order}
        self.needs: dict[str, Pair] = {}
        for key in self.order:
            states = policy._rule_key_to_state(key)
            newest = states[-1] if states else {}
            if not states or not newest.get(PREVIOUS_ACTION):
                self.needs[key] = (None, None)             # judged by Rasa's check, always
            else:
                self.needs[key] = (required(newest, PREVIOUS_ACTION, ACTION_NAME), required(newest, USER, INTENT))
        self.candidates: dict[Pair, list[str]] = {}

    def for_state(self, pair: Pair) -> list[str]:
        found = self.candidates.get(pair)
        if found is None:
            if len(self.candidates) >= MEMO_LIMIT:
                self.candidates.clear()
            action, intent = pair
            found = self.candidates[pair] = [
                key for key in self.order
                if self.needs[key][0] in (None, action) and self.needs[key][1] in (None, intent)]
        return found


def index_of(policy: Any, lookup: dict[str, Any]) -> Index:
    indexes: dict[int, tuple[dict[str, Any], Index]] = policy.__dict__.setdefault(INDEX, {})
    kept = indexes.get(id(lookup))
    if kept is not None and kept[0] is lookup and kept[1].keys == tuple(lookup):
        return kept[1]
    index = Index(policy, lookup)
    indexes[id(lookup)] = (lookup, index)           # the lookup is held, so its id is not reused
    return index


def state_pair(state: dict[str, Any]) -> Pair | None:
    """The state's previous action name and intent; None when a part of the state or one of
    these values is not what Rasa makes (a dict; text)."""
    action_part, user_part = state.get(PREVIOUS_ACTION, {}), state.get(USER, {})
    if not isinstance(action_part, dict) or not isinstance(user_part, dict):
        return None
    action, intent = action_part.get(ACTION_NAME), user_part.get(INTENT)
    if not (action is None or isinstance(action, str)) or not (intent is None or isinstance(intent, str)):
        return None
    return action, intent


CHECKS = ("_is_rule_applicable", "_does_rule_match_state", "_rule_key_to_state")
OWN: dict[type, bool] = {}


def own_checks(policy: Any) -> bool:
    """Whether the policy's class judges rules with RulePolicy's own methods."""
    kind = type(policy)
    known = OWN.get(kind)
    if known is None:
        from rasa.core.policies.rule_policy import RulePolicy

        known = OWN[kind] = all(getattr(kind, name) is getattr(RulePolicy, name) for name in CHECKS)
    return known


def rasa_search() -> Any:
    """Rasa's own `_get_possible_keys` when `install()` has not run (called directly)."""
    from rasa.core.policies.rule_policy import RulePolicy

    if RulePolicy._get_possible_keys is get_possible_keys:
        raise RuntimeError("RulePolicy._get_possible_keys was replaced without install()")
    return RulePolicy._get_possible_keys


def get_possible_keys(self: Any, lookup: dict[str, Any], states: list[dict[str, Any]]) -> set[str]:
    """`RulePolicy._get_possible_keys` with the first filter over the candidates only."""
    rasa_own = getattr(type(self), INSTALLED, None) or rasa_search()
    pair = state_pair(states[-1]) if states else None
    if pair is None or not own_checks(self):
        result: set[str] = rasa_own(self, lookup, states)
        return result
    index = index_of(self, lookup)
    newest = states[-1]
    # a set built by adding the same keys in the same order as Rasa's set(filter(...)) adds them
    possible_keys = {key for key in index.for_state(pair) if self._is_rule_applicable(key, 0, newest)}
    for i, state in enumerate(reversed(states)):
        if i == 0:
            continue
        if len(possible_keys) <= 1 and all(index.length[key] <= i for key in possible_keys):
            break                                   # every filter from here on keeps what is left
        possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, i, state)}
    return possible_keys


def install() -> None:
    """Idempotent (helpline_nlu/patches.py)."""
    from rasa.core.policies.rule_policy import RulePolicy

    if getattr(RulePolicy, INSTALLED, None) is not None:
        return
    setattr(RulePolicy, INSTALLED, RulePolicy._get_possible_keys)
    RulePolicy._get_possible_keys = get_possible_keys
