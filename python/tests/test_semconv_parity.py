"""The Python constants are the contract the shipped ``semconv.json`` (written from ``@mini-agent/semconv``) holds."""

import json
from importlib import resources
from pathlib import Path

from mini_agent_otel import semconv


def test_the_installed_package_ships_the_same_file_as_the_repository() -> None:
    shipped = json.loads(resources.files("mini_agent_otel").joinpath("semconv.json").read_text("utf-8"))
    in_repo = json.loads((Path(__file__).parents[1] / "src" / "mini_agent_otel" / "semconv.json").read_text("utf-8"))
    assert shipped == in_repo == semconv.SPEC


def test_every_attribute_and_event_of_the_file_is_a_python_constant_and_no_other() -> None:
    python = {name: getattr(semconv, name) for name in dir(semconv) if name.startswith(("ATTR_", "EVENT_"))}
    assert python == {**semconv.SPEC["attributes"], **semconv.SPEC["events"]}


def test_every_enum_and_genai_name_matches() -> None:
    def members(cls: type) -> dict[str, str]:
        return {k: v for k, v in vars(cls).items() if k.isupper()}

    assert members(semconv.SpanKinds) == semconv.SPEC["enums"]["SpanKinds"]
    assert members(semconv.ToolCategories) == semconv.SPEC["enums"]["ToolCategories"]
    assert members(semconv.MetricTypes) == semconv.SPEC["enums"]["MetricTypes"]
    assert members(semconv.ScoreDataTypes) == semconv.SPEC["enums"]["ScoreDataTypes"]
    assert members(semconv.ScoreSources) == semconv.SPEC["enums"]["ScoreSources"]
    assert members(semconv.ScoreTargets) == semconv.SPEC["enums"]["ScoreTargets"]
    assert members(semconv.GenAiAttributes) == semconv.SPEC["genAi"]
    assert members(semconv.GenAiEvents) == semconv.SPEC["genAiEvents"]
    assert list(semconv.TOOL_CATEGORIES) == list(semconv.SPEC["enums"]["ToolCategories"].values())
