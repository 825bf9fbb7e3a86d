"""``tool()``: one tool call as a ``tool`` span (a context manager or a decorator)."""

from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar, Union, overload

from opentelemetry.trace import Span

from . import _settings
from ._decorate import call_arguments, wrap
from ._guard import quietly
from ._span_scope import AsyncWith, ScopedHandle, SpanScope
from .semconv import (
    ATTR_SPAN_KIND,
    ATTR_TOOL_CATEGORY,
    ATTR_TOOL_INPUT,
    ATTR_TOOL_NAME,
    ATTR_TOOL_OUTPUT,
    GenAiAttributes,
    SpanKinds,
    ToolCategories,
)

F = TypeVar("F", bound=Callable[..., Any])


class ToolCall(ScopedHandle):
    """The running tool call, as ``with tool(...) as call`` gives it."""

    def set_output(self, output: Any) -> None:
        """Records the tool's result (stored as JSON, masked and bounded)."""
        quietly("recording a tool output", lambda: _set_json(self.span, ATTR_TOOL_OUTPUT, output))


class _Tool(AsyncWith):
    def __init__(self, name: Optional[str], category: str, input: Any, capture_input: bool, capture_output: bool) -> None:
        self.name = name
        self.category = category
        self.input = input
        self.capture_input = capture_input
        self.capture_output = capture_output

    def call(self, name: str, input: Any) -> ToolCall:
        maker = _settings.json_maker
        tool_name = maker.name(name)
        attributes: dict[str, Any] = {
            ATTR_SPAN_KIND: SpanKinds.TOOL,
            ATTR_TOOL_NAME: tool_name,
            ATTR_TOOL_CATEGORY: maker.name(self.category),
            # The GenAI names too, so any backend reading that convention recognizes the tool.
            GenAiAttributes.OPERATION_NAME: "execute_tool",
            GenAiAttributes.TOOL_NAME: tool_name,
        }
        text = quietly("recording a tool input", lambda: maker.dumps(input, ATTR_TOOL_INPUT))
        if text is not None:
            attributes[ATTR_TOOL_INPUT] = text
        return ToolCall(SpanScope(f"execute_tool {tool_name}", attributes))

    def __enter__(self) -> ToolCall:
        if self.name is None:
            raise TypeError("tool() as a context manager needs a name: `with tool('read_file', category='file'):`")
        self._active = self.call(self.name, self.input)
        return self._active.__enter__()

    def __exit__(self, *exc: Any) -> bool:
        return self._active.__exit__(*exc)

    def __call__(self, fn: F) -> F:
        name = self.name or getattr(fn, "__name__", "tool")

        def enter(args: tuple[Any, ...], kwargs: dict[str, Any]) -> ToolCall:
            given = self.input
            if given is None and self.capture_input:
                given = call_arguments(fn, args, kwargs)
            return self.call(name, given)

        def on_result(call: ToolCall, value: Any) -> None:
            if self.capture_output:
                call.set_output(value)

        return wrap(fn, enter, on_result)


@overload
def tool(name: F) -> F: ...
@overload
def tool(
    name: Optional[str] = None,
    *,
    category: str = ToolCategories.OTHER,
    input: Any = None,
    capture_input: bool = True,
    capture_output: bool = True,
) -> _Tool: ...
def tool(
    name: Union[str, Callable[..., Any], None] = None,
    *,
    category: str = ToolCategories.OTHER,
    input: Any = None,
    capture_input: bool = True,
    capture_output: bool = True,
) -> Any:
    """One tool call: a ``tool`` span, child of the current span.

    As a decorator the span is named by the function (or ``name``), its input is the call's
    arguments by parameter name and its output the return value; ``async def`` functions work
    the same. As a context manager, give ``name`` and ``input`` and call ``set_output``. An
    exception marks the span failed (status ERROR with its message, an ``exception`` event) and
    is re-raised unchanged. ``category``: ``core``, ``file``, ``mcp``, ``document``, ``skill`` or
    ``other`` (any other value is kept, and stored as ``other``).

    Example::

        @tool(category="file")
        def read_file(path: str) -> str:
            return Path(path).read_text()

        with tool("grep", category="core", input={"pattern": "TODO"}) as call:
            call.set_output(run_grep("TODO"))
    """
    if callable(name):
        return _Tool(None, category, input, capture_input, capture_output)(name)
    return _Tool(name, category, input, capture_input, capture_output)


def _set_json(span: Span, key: str, value: Any) -> None:
    text = _settings.json_maker.dumps(value, key)
    if text is not None:
        span.set_attribute(key, text)
