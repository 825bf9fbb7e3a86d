"""Decorators over :class:`SpanScope`, for plain and ``async`` functions alike."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, TypeVar

from ._guard import quietly

F = TypeVar("F", bound=Callable[..., Any])


def wrap(fn: F, enter: Callable[[tuple[Any, ...], dict[str, Any]], Any], on_result: Callable[[Any, Any], None]) -> F:
    """Runs each call of ``fn`` inside the scope ``enter(args, kwargs)`` returns.

    ``on_result(scope, value)`` sees the value a call returned (awaited, for ``async def``); an
    exception leaves through the scope, which records it, and reaches the caller unchanged.
    """
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            with enter(args, kwargs) as scope:
                value = await fn(*args, **kwargs)
                quietly("recording a result", lambda: on_result(scope, value))
                return value

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with enter(args, kwargs) as scope:
            value = fn(*args, **kwargs)
            quietly("recording a result", lambda: on_result(scope, value))
            return value

    return wrapper  # type: ignore[return-value]


def call_arguments(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The arguments of one call by parameter name (what the caller passed), without ``self``/``cls``."""
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs).arguments
    except (TypeError, ValueError):
        return {"args": list(args), "kwargs": kwargs} if args or kwargs else None
    arguments = dict(bound)
    first = next(iter(inspect.signature(fn).parameters), None)
    if first in ("self", "cls"):
        arguments.pop(first, None)
    # `**kwargs` parameters arrive as one dict; spread them like the caller wrote them.
    for name, parameter in inspect.signature(fn).parameters.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD and name in arguments:
            arguments.update(arguments.pop(name))
    return arguments
