"""``llm_call()``: one model call as an ``llm`` span with the OpenTelemetry GenAI attributes."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union


from . import _settings
from ._guard import quietly
from ._span_scope import ScopedHandle, SpanScope
from .semconv import ATTR_SPAN_KIND, GenAiAttributes, SpanKinds

#: A prompt or response: one string, or GenAI messages (``{"role", "parts": [...]}``).
Messages = Union[str, Sequence[dict[str, Any]]]


class LlmCall(ScopedHandle):
    """The running call, as ``with llm_call(...) as call`` gives it."""

    def set_usage(self, input_tokens: Optional[int] = None, output_tokens: Optional[int] = None) -> None:
        """Token counts, as the provider reported them."""

        def record() -> None:
            if input_tokens is not None:
                self.span.set_attribute(GenAiAttributes.USAGE_INPUT_TOKENS, int(input_tokens))
            if output_tokens is not None:
                self.span.set_attribute(GenAiAttributes.USAGE_OUTPUT_TOKENS, int(output_tokens))

        quietly("recording token usage", record)

    def set_output(self, output: Messages) -> None:
        """The response: a string (one assistant message) or GenAI messages."""

        def record() -> None:
            text = _settings.json_maker.dumps(as_messages(output, "assistant"), GenAiAttributes.OUTPUT_MESSAGES)
            if text is not None:
                self.span.set_attribute(GenAiAttributes.OUTPUT_MESSAGES, text)

        quietly("recording an LLM output", record)

    def set_response_model(self, model: str) -> None:
        """The model that actually answered, when it differs from the requested one."""
        quietly("recording the response model", lambda: self.span.set_attribute(GenAiAttributes.RESPONSE_MODEL, _settings.json_maker.name(model)))


def llm_call(model: str, *, provider: Optional[str] = None, input: Optional[Messages] = None) -> LlmCall:
    """One LLM call: an ``llm`` span (``gen_ai.operation.name=chat``, ``gen_ai.request.model``, ...).

    Report usage and output on the handle. An exception marks the call failed and is re-raised.

    Example::

        with llm_call("gpt-4.1-mini", provider="openai", input=prompt) as call:
            reply = client.chat(prompt)
            call.set_usage(input_tokens=reply.usage.input, output_tokens=reply.usage.output)
            call.set_output(reply.text)
    """
    maker = _settings.json_maker
    model_name = maker.name(model)
    attributes: dict[str, Any] = {
        ATTR_SPAN_KIND: SpanKinds.LLM,
        GenAiAttributes.OPERATION_NAME: "chat",
        GenAiAttributes.REQUEST_MODEL: model_name,
    }
    if provider is not None:
        attributes[GenAiAttributes.PROVIDER_NAME] = maker.name(provider)
    if input is not None:
        text = quietly("recording an LLM input", lambda: maker.dumps(as_messages(input, "user"), GenAiAttributes.INPUT_MESSAGES))
        if text is not None:
            attributes[GenAiAttributes.INPUT_MESSAGES] = text
    return LlmCall(SpanScope(f"chat {model_name}", attributes))


def as_messages(content: Messages, role: str) -> Sequence[dict[str, Any]]:
    """A string as one GenAI message of ``role``; messages as they are."""
    if not isinstance(content, str):
        return content
    message: dict[str, Any] = {"role": role, "parts": [{"type": "text", "content": content}]}
    if role == "assistant":
        message["finish_reason"] = "stop"
    return [message]
