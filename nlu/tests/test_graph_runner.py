"""Our ordered graph run against Rasa's dask run of the same graph: the same outputs, each node
run once, the same kind of error; on random graphs, targets and inputs."""

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from helpline_nlu import graph_runner

CALLS: list[str] = []


class Node(GraphComponent):
    """Returns a text naming itself and what it received, so that outputs show the wiring."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.name = config["name"]

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "Node":
        return cls(config)

    def run(self, **parts: Any) -> str:
        CALLS.append(self.name)
        if self.name == "boom":
            raise RuntimeError("a node failed")
        if self.name == "value":
            raise ValueError("a node refused")
        return f"{self.name}({','.join(f'{k}={v}' for k, v in sorted(parts.items()))})"


def schema(needs: dict[str, dict[str, str]], targets: tuple[str, ...] = ()) -> GraphSchema:
    return GraphSchema({
        name: SchemaNode(needs=parents, uses=Node, constructor_name="create", fn="run",
                         config={"name": name.split("_")[0]}, eager=True, is_target=name in targets)
        for name, parents in needs.items()})


def runner(tmp_path: Path, graph: GraphSchema) -> DaskGraphRunner:
    return DaskGraphRunner(graph, LocalModelStorage(tmp_path), ExecutionContext(graph, "test"))


DASK_RUN = getattr(DaskGraphRunner, graph_runner.INSTALLED, None) or DaskGraphRunner.run


def both(run: DaskGraphRunner, inputs: dict[str, Any] | None,
         targets: list[str] | None) -> tuple[Any, Any, list[str], list[str]]:
    """(dask's result or exception type, ours, the nodes dask ran, the nodes we ran)."""
    outcomes, calls = [], []
    for fn in (DASK_RUN, graph_runner.run_in_order):
        CALLS.clear()
        try:
            outcomes.append(fn(run, inputs, targets))
        except Exception as error:
            outcomes.append((type(error), str(error)))
        calls.append(sorted(CALLS))
    return outcomes[0], outcomes[1], calls[0], calls[1]


def test_a_diamond_with_inputs_and_targets(tmp_path: Path) -> None:
    graph = schema({"a": {"x": "__tracker__"}, "b": {"p": "a"}, "c": {"p": "a", "q": "__message__"},
                    "d": {"l": "b", "r": "c"}, "unused": {"p": "a"}}, targets=("d",))
    run = runner(tmp_path, graph)
    inputs = {"__tracker__": "T", "__message__": "M"}
    for targets in (None, ["d"], ["b", "c"], ["a"], ["d", "a"]):
        dask_out, ours, dask_calls, our_calls = both(run, inputs, targets)
        assert ours == dask_out and our_calls == dask_calls
    CALLS.clear()
    assert graph_runner.run_in_order(run, inputs, ["d"]) == {"d": "d(l=b(p=a(x=T)),r=c(p=a(x=T),q=M))"}
    assert sorted(CALLS) == ["a", "b", "c", "d"]          # each node once, `unused` not at all
    # the order is planned once per set of targets
    assert list(run.__dict__[graph_runner.PLANS]) == [("d",), ("b", "c"), ("a",), ("d", "a")]


def test_the_same_errors_as_dask(tmp_path: Path) -> None:
    graph = schema({"a": {}, "boom": {"p": "a"}, "value": {"p": "a"}, "needy": {"p": "__absent__"}})
    run = runner(tmp_path, graph)
    for targets in (["boom"], ["value"], ["needy"], ["nowhere"]):
        dask_out, ours, dask_calls, our_calls = both(run, {}, targets)
        assert ours == dask_out and our_calls == dask_calls
    with pytest.raises(GraphComponentException, match="node boom"):   # the node's own wrapping
        graph_runner.run_in_order(run, {}, ["boom"])
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        graph_runner.run_in_order(run, {"__x__": "a"}, ["boom"])
    with pytest.raises(KeyError):
        graph_runner.run_in_order(run, {}, ["nowhere"])


@st.composite
def graphs(draw: Any) -> tuple[dict[str, dict[str, str]], list[str], dict[str, Any]]:
    size = draw(st.integers(1, 8))
    names = [f"n{i}" for i in range(size)]
    inputs = ["__a__", "__b__"]
    needs = {}
    for index, name in enumerate(names):
        parents = draw(st.lists(st.sampled_from(names[:index] + inputs + ["__missing__"]),
                                max_size=3, unique=True))
        needs[name] = {f"p{k}": parent for k, parent in enumerate(parents)}
    targets = draw(st.lists(st.sampled_from(names + inputs), min_size=1, max_size=3, unique=True))
    given_inputs = {name: draw(st.sampled_from(["A", "B", 3, None]))
                    for name in draw(st.lists(st.sampled_from(inputs), unique=True))}
    return needs, targets, given_inputs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=graphs())
def test_random_graphs_give_what_dask_gives(tmp_path: Path,
                                           case: tuple[dict[str, dict[str, str]], list[str], dict[str, Any]]) -> None:
    needs, targets, inputs = case
    run = runner(tmp_path, schema(needs, targets=tuple(targets)))
    for chosen in (targets, None):
        dask_out, ours, dask_calls, our_calls = both(run, inputs, chosen)
        if isinstance(dask_out, tuple):
            # a failing run: the same kind of error (with two failing nodes the one that fails
            # first may differ: dask orders independent nodes its own way)
            assert isinstance(ours, tuple) and ours[0] is dask_out[0]
        else:
            assert ours == dask_out
            assert our_calls == dask_calls


def test_install_replaces_the_run_once() -> None:
    graph_runner.install()
    graph_runner.install()
    assert DaskGraphRunner.run is graph_runner.run_in_order
    assert getattr(DaskGraphRunner, graph_runner.INSTALLED) is DASK_RUN
