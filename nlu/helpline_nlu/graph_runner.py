"""Rasa 3.6 runs its prediction graph through dask on every call: three or more times a message
(parse, then each next-action prediction). Each run it walks the schema again for the nodes
the targets need (recursively, without memo), builds a dask graph, formats its inputs (the
whole tracker) into a debug f-string whether or not debug logging is on, and has dask's
synchronous scheduler order and execute the tasks: about 7 % of Rasa's CPU under `helpline
bench load` (py-spy), for some ten nodes that always run in the same order.

`install()` makes `DaskGraphRunner.run` execute the same nodes itself: the order for a set of
targets is worked out once per runner (parents before children, as dask does), each node is
called with its parents' `(name, output)` pairs exactly as dask passes them, and the result is
the same mapping of target names to outputs. Errors are Rasa's: an input named like a node is
refused with the same GraphRunError, a need that is neither a node nor an input reaches the
node as its bare name (the node then raises Rasa's "Missing input"), a RuntimeError raised
while running becomes GraphRunError as in Rasa's run, and anything else (a node's failure
arrives as Rasa's GraphComponentException) passes through unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

INSTALLED = "_helpline_dask_run"
PLANS = "_helpline_plans"

Step = tuple[str, tuple[str, ...]]
Plan = tuple[list[Step], set[str]]     # the steps, and the names of their nodes


def plan(nodes: dict[str, Any], targets: Sequence[str]) -> list[Step]:
    """The nodes `targets` need, each after the nodes it needs: `(name, needed names)`.

    `nodes` maps a node name to its SchemaNode; a target or need that is not a node (an input
    placeholder) is not a step."""
    order: list[Step] = []
    done: set[str] = set()
    for target in targets:
        stack: list[tuple[str, bool]] = [(target, False)]
        while stack:
            name, expanded = stack.pop()
            if name in done or name not in nodes:
                continue
            needs = tuple(nodes[name].needs.values())
            if expanded:
                done.add(name)
                order.append((name, needs))
                continue
            stack.append((name, True))
            stack.extend((need, False) for need in reversed(needs) if need not in done)
    return order


def run_in_order(self: Any, inputs: dict[str, Any] | None = None,
                 targets: list[str] | None = None) -> dict[str, Any]:
    """`DaskGraphRunner.run` without dask (see the module docstring)."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = list(targets) if targets else list(self._graph_schema.target_names)
    plans: dict[tuple[str, ...], Plan] = self.__dict__.setdefault(PLANS, {})
    planned = plans.get(tuple(run_targets))
    if planned is None:
        steps = plan(self._graph_schema.nodes, run_targets)
        planned = plans[tuple(run_targets)] = (steps, {name for name, _ in steps})
    steps, names = planned
    values: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and (value in names or value in values):
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the "
                f"input names passed to the `run` method are the same as node names in the "
                f"graph schema.")
        values[name] = (name, value)
    nodes = self._instantiated_nodes
    try:
        for name, needs in steps:
            values[name] = nodes[name](*(values.get(need, need) for need in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(values[target] for target in run_targets)   # KeyError for an unknown target, as dask


def install() -> None:
    """Idempotent (helpline_nlu/patches.py); `run` is looked up on the class at each call, so
    runners made before it are patched too."""
    from rasa.engine.runner.dask import DaskGraphRunner

    if getattr(DaskGraphRunner, INSTALLED, None) is not None:
        return
    setattr(DaskGraphRunner, INSTALLED, DaskGraphRunner.run)
    DaskGraphRunner.run = run_in_order
