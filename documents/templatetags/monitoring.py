"""Filters for the monitoring pages: ``{{ value|figure }}``."""

from __future__ import annotations

from django import template

from documents.monitoring.trends import figure as _figure

register = template.Library()


@register.filter
def figure(value: float | None) -> str:
    return _figure(value)
