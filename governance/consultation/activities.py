"""Engagement activities: the events and pieces of work of a consultation round, with how many
people of each audience each reached ("45 pieces of work reaching 3,900 children and young
people").

The plan's lead officer (or their deputy) records, changes and deletes them, for a round that
is open or closed (a round recorded after the event included), until the round's summary is
published: the summary's reach is made of them. One audit event each, holding the dates,
channel and counts, and hashes of the title and description (which may name people or
places), never the text itself.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from typing import Any

from governance import policy
from governance.audit import audit_record
from plangov import clock
from plangov.errors import Conflict, Forbidden, InvalidInput
from plangov.text import field_name, field_text
from plangov.txn import service

from .imports.rows import round_audiences
from .models import Activity, ActivityReach, Channel, ConsultationRound, ConsultationStatus

MAX_COUNT = 10_000_000
MAX_DESCRIPTION = 5_000


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _locked_round(round_id: int) -> ConsultationRound:
    ConsultationRound.objects.select_for_update().filter(pk=round_id).values("pk").first()
    return ConsultationRound.objects.select_related("plan").get(pk=round_id)


def may_change_activities(round: ConsultationRound, actor: Any) -> None:
    verdict = policy.can_lead(round.plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    if round.summary_published_at is not None:
        raise Conflict("The summary of this consultation has been published, with its reach; "
                       "its activities can no longer be changed.")
    if round.status == ConsultationStatus.DRAFT:
        raise Conflict("This consultation has not opened yet; record its activities once it "
                       "has opened (or record the round as held after the event).")


def _clean(round: ConsultationRound, *, title: str, description: str, channel: str,
           held_on: datetime.date | None, held_until: datetime.date | None,
           reach: Mapping[Any, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}

    def attempt(name: str, call: Any) -> None:
        try:
            data[name] = call()
        except InvalidInput as exc:
            for field, messages in exc.errors.items():
                errors.setdefault(field, []).extend(messages)

    attempt("title", lambda: field_name(title or "", "title", max_length=300,
                                        what="The title"))
    attempt("description", lambda: field_text(description or "", "description").strip())
    if len(data.get("description", "")) > MAX_DESCRIPTION:
        errors["description"] = [f"Keep the description under {MAX_DESCRIPTION:,} characters."]
    if channel not in Channel.values:
        errors["channel"] = ["Choose how the activity reached people: " + ", ".join(
            label.lower() for label in Channel.labels) + "."]
    data["channel"] = channel
    today = clock.today()
    if not isinstance(held_on, datetime.date):
        errors["held_on"] = ["Give the day the activity was held (or began)."]
    elif held_on > today:
        errors["held_on"] = [f"{held_on:%-d %B %Y} is in the future; record an activity once "
                             "it has been held."]
    if held_until is not None:
        if not isinstance(held_until, datetime.date):
            errors["held_until"] = ["Give a date, or leave it out."]
        elif isinstance(held_on, datetime.date) and held_until < held_on:
            errors["held_until"] = [f"The last day, {held_until:%-d %B %Y}, is before the "
                                    f"first, {held_on:%-d %B %Y}."]
        elif held_until > today:
            errors["held_until"] = [f"{held_until:%-d %B %Y} is in the future."]
    data["held_on"], data["held_until"] = held_on, held_until
    audiences = {a.pk: a for a in round_audiences(round)}
    by_slug = {a.slug: a for a in audiences.values()}
    counts: dict[int, int] = {}
    for key, count in reach.items():
        audience = (key if getattr(key, "pk", None) in audiences else
                    audiences.get(key) if isinstance(key, int) else by_slug.get(str(key)))
        field = f"reach.{getattr(key, 'slug', key)}"
        if audience is None:
            errors[field] = ["This is not an audience of this consultation."]
            continue
        if count in (None, ""):
            continue
        if isinstance(count, bool) or not isinstance(count, int) or not (
                0 <= count <= MAX_COUNT):
            errors[f"reach.{audience.slug}"] = [
                f"Give a whole number of people from 0 to {MAX_COUNT:,}."]
            continue
        if count:
            counts[audience.pk] = count
    if not counts and not any(key.startswith("reach") for key in errors):
        errors["reach"] = ["Say how many people the activity reached, for at least one "
                           "audience."]
    if errors:
        raise InvalidInput(errors)
    data["reach"] = counts
    data["slugs"] = {pk: audiences[pk].slug for pk in counts}
    return data


def _snapshot(activity: Activity, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "round": activity.round_id, "channel": activity.channel,
        "held_on": activity.held_on, "held_until": activity.held_until,
        "title_sha256": _sha(activity.title), "description_sha256": _sha(activity.description),
        "reach": {data["slugs"][pk]: n for pk, n in sorted(data["reach"].items())},
    }


def _current(activity: Activity) -> dict[str, Any]:
    reach = {r.audience.slug: r.count for r in activity.reach.select_related("audience")}
    return {
        "round": activity.round_id, "channel": activity.channel,
        "held_on": activity.held_on, "held_until": activity.held_until,
        "title_sha256": _sha(activity.title), "description_sha256": _sha(activity.description),
        "reach": dict(sorted(reach.items())),
    }


def _set_reach(activity: Activity, counts: dict[int, int]) -> None:
    activity.reach.all().delete()
    ActivityReach.objects.bulk_create(
        ActivityReach(activity=activity, audience_id=pk, count=n) for pk, n in counts.items())


@service
def activity_record(*, round: ConsultationRound, actor: Any, title: str, channel: str,
                    held_on: datetime.date | None, reach: Mapping[Any, Any],
                    description: str = "", held_until: datetime.date | None = None) -> Activity:
    """Record an event or piece of work of ``round``; ``reach`` maps audiences (objects, ids
    or slugs) to the number of people reached."""
    round = _locked_round(round.pk)
    may_change_activities(round, actor)
    data = _clean(round, title=title, description=description, channel=channel,
                  held_on=held_on, held_until=held_until, reach=reach)
    activity = Activity.objects.create(
        round=round, title=data["title"], description=data["description"],
        channel=data["channel"], held_on=data["held_on"], held_until=data["held_until"])
    _set_reach(activity, data["reach"])
    audit_record(actor=actor, action="consultation.activity_record", obj=activity,
                 plan_id=round.plan_id, before={}, after=_snapshot(activity, data))
    return activity


@service
def activity_update(*, activity: Activity, actor: Any, title: str, channel: str,
                    held_on: datetime.date | None, reach: Mapping[Any, Any],
                    description: str = "", held_until: datetime.date | None = None) -> Activity:
    """Change an activity; ``reach`` replaces its counts (an audience left out is zero)."""
    round = _locked_round(activity.round_id)
    activity = Activity.objects.get(pk=activity.pk)
    may_change_activities(round, actor)
    data = _clean(round, title=title, description=description, channel=channel,
                  held_on=held_on, held_until=held_until, reach=reach)
    before = _current(activity)
    for name in ("title", "description", "channel", "held_on", "held_until"):
        setattr(activity, name, data[name])
    activity.save()
    _set_reach(activity, data["reach"])
    after = _snapshot(activity, data)
    if after == before:
        return activity  # nothing changed: nothing to record
    audit_record(actor=actor, action="consultation.activity_update", obj=activity,
                 plan_id=round.plan_id, before=before, after=after)
    return activity


@service
def activity_delete(*, activity: Activity, actor: Any) -> None:
    round = _locked_round(activity.round_id)
    activity = Activity.objects.get(pk=activity.pk)
    may_change_activities(round, actor)
    before = _current(activity)
    audit_record(actor=actor, action="consultation.activity_delete", obj=activity,
                 plan_id=round.plan_id, before=before, after={})
    activity.delete()
