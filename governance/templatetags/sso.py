"""``{% sso_sign_in %}``: the "Sign in with your council account" button, when configured."""

from __future__ import annotations

from typing import Any

from django import template

from governance.sso.identity import sso_enabled

register = template.Library()


@register.inclusion_tag("registration/sso_sign_in.html", takes_context=True)
def sso_sign_in(context: Any) -> dict[str, Any]:
    return {"enabled": sso_enabled(), "next": context.get("next") or ""}
