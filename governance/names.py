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


def _rename(obj: Any, *, name: str, actor: Any, reason: str, what: str) -> Any:
    """Lock ``obj``, change its name and audit it once; the same name writes nothing."""
    _staff(actor, f"a {what}")
    model = type(obj)
    new = text.field_name(name, "name", max_length=_limit(model))
    reason = text.field_text(reason, "reason").strip()
    obj = model.objects.select_for_update().get(pk=obj.pk)
    if new == obj.name:
        return obj
    before = {"name": obj.name}
    obj.name = new
    obj.save(update_fields=["name"])
    audit_record(actor=actor, action=f"{what}.rename", obj=obj, before=before,
                 after={"name": new}, reason=reason)
    return obj


@service
def partnership_rename(*, partnership: Partnership, name: str, actor: Any,
                       reason: str = "") -> Partnership:
    return _rename(partnership, name=name, actor=actor, reason=reason, what="partnership")


@service
def body_rename(*, body: Body, name: str, actor: Any, reason: str = "") -> Body:
    return _rename(body, name=name, actor=actor, reason=reason, what="body")
