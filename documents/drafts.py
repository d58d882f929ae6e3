"""A plan's draft: the coordinator's working copy, kept apart from the append-only versions.

Saving a draft keeps unfinished work: the content need only be a JSON object of the content's
shape (lists where the content has lists, objects in them, text or numbers at the leaves), and
pass the text policy. What the content validators would refuse comes back as warnings
(``draft_warnings``), keyed by the same paths as a 400 on a version (``outcomes[0].title``).
Each save bumps ``revision``; a save made from a revision that is no longer the latest is
refused (412) with the draft as it is now, so nobody's work is overwritten silently.

A draft save is not an act of record and writes no audit event. ``draft_save_version`` turns
the draft into an immutable version through ``version_create``, which checks permission and
stage and writes the one audit event."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from rest_framework import serializers

from governance import policy
from plangov import clock, text
from plangov.errors import Forbidden, InvalidInput, PreconditionFailed, WrongStage
from plangov.txn import service

from .content import (
    ContentInvalid,
    PlanContentSerializer,
    _unique_keys,
    flatten_errors,
    normalise,
)
from .models import Plan, PlanDraft, Stage
from .services import lock_plan, version_create

# A draft can be worked on in any stage but these: the plan is finished with. (In approval it
# is where the next version is prepared; a version is written from it once the plan is back
# in drafting or consultation, which version_create checks.)
CLOSED_STAGES = frozenset({Stage.SUPERSEDED, Stage.WITHDRAWN})

LISTS = ("outcomes", "indicators", "actions", "cross_cutting_themes", "joint_priorities")


def empty_content() -> dict[str, Any]:
    """The skeleton a plan with no version starts its draft from."""
    return {"vision": "", "outcomes": [], "indicators": [], "actions": [],
            "cross_cutting_themes": [], "joint_priorities": []}


def draft_warnings(content: Any) -> dict[str, list[str]]:
    """What the content validators would refuse, by path (``{"outcomes[0].title": [...]}``);
    empty when the draft could become a version as it stands.

    The validators check references (an indicator's outcome, an action's priority) and
    unique keys only once every field is valid; a draft is seldom that, so those checks are
    also run on what the draft has, and all the warnings come at once."""
    try:
        normalise(content)
    except ContentInvalid as exc:
        warnings = exc.errors
    else:
        return {}
    for path, messages in _reference_warnings(content).items():
        if path not in warnings:
            warnings[path] = messages
    return warnings


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [v if isinstance(v, Mapping) else {} for v in value] if isinstance(value, list) else []


def _reference_warnings(content: Any) -> dict[str, list[str]]:
    """The content's cross-checks (documents.content) run on an unfinished draft."""
    if not isinstance(content, Mapping):
        return {}

    def key(item: Mapping[str, Any], name: str = "key") -> str:
        value = item.get(name)
        return value if isinstance(value, str) else ""

    outcomes = [{"key": key(o), "priorities": [{"key": key(p)} for p in
                                               _items(o.get("priorities"))]}
                for o in _items(content.get("outcomes"))]
    attrs = {
        "outcomes": outcomes,
        "indicators": [{"key": key(i), "outcome": key(i, "outcome")}
                       for i in _items(content.get("indicators"))],
        "actions": [{"outcome": key(a, "outcome"), "priority": key(a, "priority")}
                    for a in _items(content.get("actions"))],
    }
    found: dict[str, list[str]] = {}
    checks: list[tuple[str, Any]] = [
        ("", lambda: PlanContentSerializer().validate(attrs)),
        ("outcomes", lambda: _unique_keys(outcomes, "outcome")),
        ("indicators", lambda: _unique_keys(attrs["indicators"], "indicator")),
    ]
    for index, outcome in enumerate(outcomes):
        checks.append((f"outcomes[{index}].priorities", lambda o=outcome: _unique_keys(
            o["priorities"], "priority")))
    for prefix, check in checks:
        try:
            check()
        except serializers.ValidationError as exc:
            found.update(flatten_errors(exc.detail, prefix))
    return found


def base_is_behind(draft: PlanDraft, plan: Plan) -> bool:
    """A version was written since the draft started (or was last saved as one): saving the
    draft as a version would replace it."""
    return plan.current_version_id is not None and draft.based_on_id != plan.current_version_id


def _check_shape(content: Any) -> dict[str, list[str]]:
    """The draft's structure: an object, lists of objects where the content has lists, and
    text, numbers, true/false or null at the leaves (``bodies``: a list of text)."""
    if not isinstance(content, Mapping):
        return {"content": ["A draft's content must be a JSON object."]}
    errors: dict[str, list[str]] = {}

    def leaves(item: Mapping[str, Any], path: str, lists: tuple[str, ...] = ()) -> None:
        for key, value in item.items():
            where = f"{path}.{key}"
            if key in lists:
                continue
            if key == "bodies" and isinstance(value, list):
                if not all(isinstance(v, str) for v in value):
                    errors[where] = ["A list of body slugs (text)."]
            elif isinstance(value, Mapping | list):
                errors[where] = ["Text or a number, not a list or an object."]

    if "vision" in content and not isinstance(content["vision"], str | type(None)):
        errors["vision"] = ["The vision is text."]
    for name in LISTS:
        items = content.get(name, [])
        if not isinstance(items, list):
            errors[name] = ["A list."]
            continue
        for index, item in enumerate(items):
            path = f"{name}[{index}]"
            if not isinstance(item, Mapping):
                errors[path] = ["An object."]
                continue
            if name != "outcomes":
                leaves(item, path)
                continue
            leaves(item, path, ("priorities",))
            priorities = item.get("priorities", [])
            if not isinstance(priorities, list):
                errors[f"{path}.priorities"] = ["A list."]
                continue
            for p_index, priority in enumerate(priorities):
                p_path = f"{path}.priorities[{p_index}]"
                if isinstance(priority, Mapping):
                    leaves(priority, p_path)
                else:
                    errors[p_path] = ["An object."]
    for key, value in content.items():
        if key not in LISTS and key != "vision" and isinstance(value, Mapping | list):
            errors[str(key)] = ["Text or a number, not a list or an object."]
    return errors


def clean_content(content: Any) -> dict[str, Any]:
    """The draft content through the text policy and the shape check; InvalidInput naming
    each wrong field (``content.outcomes[0].title``) otherwise."""
    try:
        cleaned, refused = text.clean_tree(content)
    except text.TooDeep as exc:
        raise InvalidInput({"content": [str(exc)]}) from exc
    errors = refused or _check_shape(cleaned)
    if errors:
        raise InvalidInput({f"content.{k}" if k != "content" else k: v
                            for k, v in errors.items()})
    return dict(cleaned)


def _may_write(plan: Plan, actor: AbstractBaseUser) -> None:
    # The same rule as writing a version: the plan's lead officer or their deputy.
    verdict = policy.can_lead(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)


def _draft_of(plan: Plan) -> PlanDraft:
    """The plan's draft, made from its current version (or the empty skeleton) the first time.
    The caller holds the plan's row lock."""
    draft = PlanDraft.objects.select_related("based_on", "updated_by").filter(plan=plan).first()
    if draft is not None:
        return draft
    version = plan.current_version
    return PlanDraft.objects.create(
        plan=plan,
        content=dict(version.content) if version is not None else empty_content(),
        based_on=version,
        revision=1,
        updated_at=clock.now(),
    )


def _check_revision(draft: PlanDraft, expected_revision: int) -> None:
    if draft.revision != expected_revision:
        who = draft.updated_by.get_username() if draft.updated_by_id else "someone"
        raise PreconditionFailed(
            f"The draft changed since you read it: it is at revision {draft.revision} "
            f"(saved by {who}), and your change was made to revision {expected_revision}. "
            "Nothing was overwritten.",
            current=draft,
        )


def draft_get(*, plan: Plan, actor: AbstractBaseUser) -> PlanDraft:
    """The plan's draft, made the first time it is asked for: from the current version's
    content, or an empty skeleton when the plan has no version yet. Reading an existing
    draft takes no lock (a page showing it must not queue behind writers)."""
    plan = Plan.objects.select_related("current_version").get(pk=plan.pk)
    _may_write(plan, actor)
    draft = PlanDraft.objects.select_related("based_on", "updated_by").filter(plan=plan).first()
    if draft is None:
        draft = _draft_create(plan=plan)
    draft.plan = plan
    return draft


@service
def _draft_create(*, plan: Plan) -> PlanDraft:
    return _draft_of(lock_plan(plan.pk))


@service
def draft_save(
    *, plan: Plan, content: Any, expected_revision: int, actor: AbstractBaseUser
) -> PlanDraft:
    """Save the draft's content as it is, unfinished or not (see the module's note). A save
    made from a revision that is not the latest is refused with PreconditionFailed (412)
    carrying the draft as it is now. No audit event."""
    plan = lock_plan(plan.pk)
    _may_write(plan, actor)
    if plan.stage in CLOSED_STAGES:
        raise WrongStage(
            action="draft", stage=plan.stage, stage_label=plan.get_stage_display(),
            possible=[],
            detail=f"The plan is {plan.get_stage_display().lower()}; its draft is closed.",
        )
    cleaned = clean_content(content)
    draft = _draft_of(plan)
    _check_revision(draft, expected_revision)
    draft.content = cleaned
    draft.revision += 1
    draft.updated_by = actor  # type: ignore[assignment]
    draft.updated_at = clock.now()
    draft.save(update_fields=["content", "revision", "updated_by", "updated_at"])
    draft.plan = plan
    return draft


@service
def draft_save_version(
    *, plan: Plan, expected_revision: int, actor: AbstractBaseUser, note: str = ""
) -> PlanDraft:
    """Write the draft as the plan's next version, through ``version_create`` (which checks
    the stage, 409 once the plan is past drafting and consultation, and writes the one audit
    event). Refused (400, each warning by its path) while the draft has warnings. The draft
    then starts from the new version; the version is ``draft.based_on``."""
    plan = lock_plan(plan.pk)
    _may_write(plan, actor)
    draft = _draft_of(plan)
    _check_revision(draft, expected_revision)
    try:
        version = version_create(plan=plan, actor=actor, content=draft.content, note=note)
    except InvalidInput as exc:
        if not any(k == "content" or k.startswith("content.") for k in exc.errors):
            raise
        warnings = draft_warnings(draft.content)
        raise InvalidInput(
            warnings or exc.errors,
            detail="The draft cannot become a version until these are put right: "
            + ", ".join(sorted(warnings or exc.errors)) + ".",
        ) from exc
    draft.content = dict(version.content)
    draft.based_on = version
    draft.revision += 1
    draft.updated_by = actor  # type: ignore[assignment]
    draft.updated_at = clock.now()
    draft.save(update_fields=["content", "based_on", "revision", "updated_by", "updated_at"])
    plan.refresh_from_db()
    draft.plan = plan
    return draft
