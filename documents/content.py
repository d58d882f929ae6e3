"""The structured content of a plan version: its schema, normalisation and content hash.

The schema is a set of DRF serializers, so the same definition validates API input, names
every wrong field, and documents itself in the OpenAPI schema (``PlanContent``). See the README
section "Plan content" for an example.

The content hash is SHA-256 over the canonical serialisation: the normalised content as JSON
with keys sorted, no insignificant white space, and UTF-8 (non-ASCII kept as is).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from rest_framework import serializers

from plangov import text


class ActionKind(models.TextChoices):
    IMMEDIATE_PRIORITY = "immediate_priority", "Immediate priority action"
    CONTINUOUS_IMPROVEMENT = "continuous_improvement", "Continuous improvement"
    IDEA_FOR_FURTHER_CONSIDERATION = "idea_for_further_consideration", (
        "Idea for further consideration"
    )


class DirectionOfGood(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


_KEY = {"max_length": 60, "help_text": "Short identifier, unique within its list, e.g. 'healthy'."}


class StrictSerializer(serializers.Serializer):
    """Refuses unknown keys at every level, so a typo is never lost silently; reported
    together with the other wrong fields of the same object."""

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            unknown = {
                key: ["Unknown field; the plan content schema has no such key."]
                for key in sorted(set(data) - set(self.fields), key=str)
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, Mapping):
                raise serializers.ValidationError({**exc.detail, **unknown}) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class PrioritySerializer(StrictSerializer):
    key = serializers.SlugField(**_KEY)
    title = serializers.CharField(max_length=500)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class OutcomeSerializer(StrictSerializer):
    key = serializers.SlugField(**_KEY)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    priorities = PrioritySerializer(many=True, required=False, default=list)

    def validate_priorities(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        _unique_keys(value, "priority")
        return value


class IndicatorSerializer(StrictSerializer):
    key = serializers.SlugField(**_KEY)
    title = serializers.CharField(max_length=300)
    outcome = serializers.SlugField(help_text="Key of the outcome this indicator measures.")
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    baseline = serializers.FloatField(required=False, allow_null=True, default=None)
    baseline_period = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    latest = serializers.FloatField(required=False, allow_null=True, default=None)
    latest_period = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    target = serializers.FloatField(required=False, allow_null=True, default=None)
    direction_of_good = serializers.ChoiceField(choices=DirectionOfGood.choices)


class ActionSerializer(StrictSerializer):
    title = serializers.CharField(max_length=500)
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    outcome = serializers.SlugField(required=False, allow_blank=True, default="")
    priority = serializers.SlugField(required=False, allow_blank=True, default="")
    lead = serializers.CharField(max_length=200)
    delivery_group = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class ThemeSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class JointPrioritySerializer(StrictSerializer):
    title = serializers.CharField(max_length=500)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    bodies = serializers.ListField(
        child=serializers.SlugField(),
        min_length=2,
        help_text="Slugs of the bodies that own this priority together (two or more).",
    )


class PlanContentSerializer(StrictSerializer):
    """A plan version's content. Unknown keys are refused, so a typo is never lost silently."""

    vision = serializers.CharField(max_length=20000)
    outcomes = OutcomeSerializer(many=True, allow_empty=False)
    indicators = IndicatorSerializer(many=True, required=False, default=list)
    actions = ActionSerializer(many=True, required=False, default=list)
    cross_cutting_themes = ThemeSerializer(many=True, required=False, default=list)
    joint_priorities = JointPrioritySerializer(many=True, required=False, default=list)

    def validate_outcomes(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        _unique_keys(value, "outcome")
        return value

    def validate_indicators(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        _unique_keys(value, "indicator")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        outcomes = {o["key"]: {p["key"] for p in o["priorities"]} for o in attrs["outcomes"]}
        errors: dict[str, Any] = {}
        indicator_errors = [
            {"outcome": [f"No outcome has the key {ind['outcome']!r}."]}
            if ind["outcome"] not in outcomes
            else {}
            for ind in attrs["indicators"]
        ]
        if any(indicator_errors):
            errors["indicators"] = indicator_errors
        action_errors: list[dict[str, list[str]]] = []
        for action in attrs["actions"]:
            error: dict[str, list[str]] = {}
            if action["outcome"] and action["outcome"] not in outcomes:
                error["outcome"] = [f"No outcome has the key {action['outcome']!r}."]
            elif action["priority"]:
                if not action["outcome"]:
                    error["priority"] = ["A priority needs the outcome it sits under."]
                elif action["priority"] not in outcomes[action["outcome"]]:
                    error["priority"] = [
                        f"Outcome {action['outcome']!r} has no priority {action['priority']!r}."
                    ]
            action_errors.append(error)
        if any(action_errors):
            errors["actions"] = action_errors
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def _unique_keys(items: Iterable[Mapping[str, Any]], what: str) -> None:
    seen: set[str] = set()
    errors: list[dict[str, list[str]]] = []
    for item in items:
        key = item["key"]
        errors.append({"key": [f"Another {what} already has the key {key!r}."]} if key in seen
                      else {})
        seen.add(key)
    if any(errors):
        raise serializers.ValidationError(errors)


class ContentInvalid(Exception):
    """Plan content that does not fit the schema; ``errors`` maps field paths to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


def flatten_errors(detail: Any, prefix: str = "", root: str = "content") -> dict[str, list[str]]:
    """Turn DRF's nested error structure into ``{"outcomes[0].title": ["..."]}``.

    List items are ``[index]`` whether DRF reports them as a list or, as it does since 3.18
    (``LIST_SERIALIZER_ERRORS_AS_DICT``), as a dict keyed by index. Errors about the object
    as a whole are reported under ``root``."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            if key == "non_field_errors":
                path = prefix
            elif isinstance(key, int):
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in flatten_errors(value, path, root).items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(detail, list) and detail and all(isinstance(d, str) for d in detail):
        flat.setdefault(prefix or root, []).extend(str(d) for d in detail)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if value:
                flat.update(flatten_errors(value, f"{prefix}[{index}]", root))
    elif detail:
        flat.setdefault(prefix or root, []).append(str(detail))
    return flat


def normalise(content: Any) -> dict[str, Any]:
    """Validate and return content in its normal form (defaults filled, dates as ISO text).

    Raises ContentInvalid naming every wrong field, paths relative to the content root."""
    if not isinstance(content, Mapping):
        raise ContentInvalid({"content": ["Plan content must be a JSON object."]})
    # Every string (keys too) through the text policy, whatever door the content came in by.
    try:
        content, refused = text.clean_tree(content)
    except text.TooDeep as exc:
        raise ContentInvalid({"content": [str(exc)]}) from exc
    if refused:
        raise ContentInvalid(refused)
    serializer = PlanContentSerializer(data=content)
    if not serializer.is_valid():
        raise ContentInvalid(flatten_errors(serializer.errors))
    # Round-trip through to_representation so dates become ISO strings, as stored in JSON.
    return json.loads(json.dumps(PlanContentSerializer(serializer.validated_data).data))


def canonical_bytes(content: Mapping[str, Any]) -> bytes:
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(content)).hexdigest()
