"""Renaming a partnership or a body: staff only, one audit event each. Names go through
plangov.text's policy like every other text, so a name is always printable in a document."""

from __future__ import annotations

from typing import Any

from django.db import models

from plangov import text
from plangov.errors import Forbidden
from plangov.txn import service

from .audit import audit_record
from .models import Body, Partnership


def _staff(actor: Any, what: str) -> None:
    if not (actor is not None and getattr(actor, "is_active", False)
            and getattr(actor, "is_staff", False)):
        raise Forbidden(f"Only staff can rename {what}.")


def _limit(model: type[models.Model]) -> int:
    return model._meta.get_field("name").max_length or 200


@service
def partnership_rename(*, partnership: Partnership, name: str, actor: Any,
                       reason: str = "") -> Partnership:
    _staff(actor, "a partnership")
    new = text.field_name(name, "name", max_length=_limit(Partnership))
    reason = text.field_text(reason, "reason").strip()
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if new == partnership.name:
        return partnership
    before = {"name": partnership.name}
    partnership.name = new
    partnership.save(update_fields=["name"])
    audit_record(actor=actor, action="partnership.rename", obj=partnership, before=before,
                 after={"name": new}, reason=reason)
    return partnership


@service
def body_rename(*, body: Body, name: str, actor: Any, reason: str = "") -> Body:
    _staff(actor, "a body")
    new = text.field_name(name, "name", max_length=_limit(Body))
    reason = text.field_text(reason, "reason").strip()
    body = Body.objects.select_for_update().get(pk=body.pk)
    if new == body.name:
        return body
    before = {"name": body.name}
    body.name = new
    body.save(update_fields=["name"])
    audit_record(actor=actor, action="body.rename", obj=body, before=before,
                 after={"name": new}, reason=reason)
    return body
