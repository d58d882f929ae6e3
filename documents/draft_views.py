"""The draft editor's pages: an overview of the draft's sections (a task list), a page per
section, and "Save as version N". Everything works without JavaScript: adding, removing and
moving items are submit buttons, and every press saves the draft (unfinished work is kept).

Each page carries the draft's revision in a hidden field; a save made from an old revision
is refused and the page shows both the coordinator's text and the draft as it is now saved,
with nothing overwritten. Every change goes through documents.drafts."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from governance import policy
from governance.models import Body
from plangov.errors import Forbidden, InvalidInput, PlangovError, PreconditionFailed, WrongStage
from plangov.ids import to_int

from .draft_forms import (
    BY_SLUG,
    SECTIONS,
    Choices,
    ItemForm,
    PriorityForm,
    SaveVersionForm,
    Section,
    VisionForm,
    place_of,
    plain,
    read_count,
    what_of,
)
from .drafts import (
    CLOSED_STAGES,
    base_is_behind,
    draft_get,
    draft_save,
    draft_save_version,
    draft_warnings,
)
from .models import Plan, PlanDraft
from .queries import visible_plans
from .services import EDITABLE_STAGES


class _Refused(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


def _refused(request: HttpRequest, exc: PlangovError, title: str) -> HttpResponse:
    return render(request, "workflows/refused.html", {"title": title, "detail": exc.detail},
                  status=exc.status)


def _plan(request: HttpRequest, pk: int) -> Plan:
    plan = visible_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan.")
    verdict = policy.can_lead(plan, request.user)
    if not verdict:
        raise _Refused(_refused(request, Forbidden(verdict.reason), "You cannot edit this plan"))
    return plan


def _guarded(view: Any) -> Any:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _Refused as refused:
            return refused.response
    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return login_required(wrapper)


def _choices(plan: Plan, content: Any) -> Choices:
    bodies = Body.objects.filter(partnership_id=plan.partnership_id).order_by("name")
    return Choices.of(content if isinstance(content, dict) else {},
                      [(b.slug, b.name) for b in bodies])


def _revision(request: HttpRequest) -> int:
    return to_int(request.POST.get("revision"), minimum=0) or 0


def _common(plan: Plan, draft: PlanDraft) -> dict[str, Any]:
    last = plan.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return {"plan": plan, "draft": draft, "behind": base_is_behind(draft, plan),
            "next_number": last + 1, "editable": plan.stage in EDITABLE_STAGES,
            "closed": plan.stage in CLOSED_STAGES}


# The overview


def _status(section: Section, content: dict[str, Any], warnings: dict[str, list[str]]) -> dict[
        str, Any]:
    count = sum(len(v) for k, v in warnings.items()
                if k == section.key or k.startswith((f"{section.key}[", f"{section.key}.")))
    value = content.get(section.key)
    started = bool(value.strip()) if isinstance(value, str) else bool(value)
    if count:
        label, colour = f"Has problems ({count})", "govuk-tag--yellow"
    elif not started:
        label, colour = ("Not started", "govuk-tag--blue") if not section.optional else (
            "None yet", "govuk-tag--grey")
    else:
        label, colour = "Completed", ""
    items = len(value) if isinstance(value, list) else None
    return {"section": section, "label": label, "colour": colour, "warnings": count,
            "items": items}


def _overview(request: HttpRequest, plan: Plan, draft: PlanDraft, *, status: int = 200,
              errors: list[dict[str, str]] | None = None, problem: str = "",
              problem_title: str = "", form: SaveVersionForm | None = None) -> HttpResponse:
    content = draft.content if isinstance(draft.content, dict) else {}
    warnings = draft_warnings(draft.content)
    return render(request, "documents/draft/overview.html", {
        **_common(plan, draft),
        "sections": [_status(s, content, warnings) for s in SECTIONS],
        "warning_count": sum(len(v) for v in warnings.values()),
        "errors": errors or [], "problem": problem, "problem_title": problem_title,
        "form": form or SaveVersionForm(),
    }, status=status)


@_guarded
def draft_overview(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return _overview(request, plan, draft_get(plan=plan, actor=request.user))


def _warning_links(plan: Plan, warnings: dict[str, list[str]]) -> list[dict[str, str]]:
    links = []
    for path, found in warnings.items():
        place = place_of(path)
        if place.section is None:
            href = reverse("drafts:overview", args=[plan.pk])
        else:
            href = reverse("drafts:section", args=[plan.pk, place.section.slug])
            href += f"#{place.anchor}" if place.anchor else ""
        what = what_of(place.label.rpartition(", ")[2]) if place.field_name else "one"
        links.extend({"href": href, "text": f"{place.label}: {plain(message, what)}"}
                     for message in found)
    return links


@_guarded
@require_POST
def draft_save_version_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = SaveVersionForm(request.POST)
    if not form.is_valid():
        return _overview(request, plan, draft_get(plan=plan, actor=request.user), status=400,
                         form=form)
    try:
        draft = draft_save_version(plan=plan, expected_revision=_revision(request),
                                   actor=request.user, note=form.cleaned_data["note"])
    except PreconditionFailed as exc:
        current = exc.current
        assert isinstance(current, PlanDraft)
        return _overview(request, plan, current, status=412, form=form,
                         problem_title="The draft changed meanwhile", problem=(
            "The draft changed since you opened this page, so no version was saved. Check the "
            "sections below (they show the draft as it is now saved), then save again."))
    except WrongStage as exc:
        return _overview(request, plan, draft_get(plan=plan, actor=request.user), status=409,
                         form=form, problem_title="Not possible in this stage", problem=(
                             f"{exc.detail} Your draft is kept: carry on working on it, and save "
                             "it as a version once the plan is back in drafting."))
    except InvalidInput as exc:
        draft = draft_get(plan=plan, actor=request.user)
        return _overview(request, plan, draft, status=400, form=form,
                         errors=_warning_links(plan, exc.errors))
    version = draft.based_on
    messages.success(request, f"Version {version.number if version else ''} saved from the "
                              "draft. It is now the plan's current version.")
    return redirect("workflows:plan", pk=plan.pk)


# A section


@dataclass
class Item:
    """One item of a list section as the page shows it."""

    form: ItemForm
    index: int
    origin: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    priorities: list[Item] = field(default_factory=list)
    prefix: str = ""
    noun: str = ""

    @property
    def where(self) -> str:
        """The item's place for the buttons: ``2``, or ``2:0`` for a priority."""
        parts = self.prefix.split("-")
        return ":".join(p for p in parts if p.isdigit())

    @property
    def label(self) -> str:
        parts = [int(p) + 1 for p in self.prefix.split("-") if p.isdigit()]
        if len(parts) == 2:
            return f"priority {parts[1]} of outcome {parts[0]}"
        return f"{self.noun} {parts[0]}"


def _rows(form: Any, warned: dict[str | None, list[str]]) -> list[dict[str, Any]]:
    rows = []
    for bound in form:
        widget = bound.field.widget
        kind = ("checkboxes" if getattr(widget, "allow_multiple_selected", False)
                and getattr(widget, "input_type", "") == "checkbox"
                else "select" if getattr(widget, "input_type", "") == "select"
                else "textarea" if widget.__class__.__name__ == "Textarea" else "text")
        if bound.errors:
            classes = widget.attrs.get("class", "")
            error_class = {"select": "govuk-select--error", "textarea": "govuk-textarea--error",
                           "text": "govuk-input--error"}.get(kind, "")
            widget.attrs["class"] = f"{classes} {error_class}".strip()
        warnings = [plain(m, what_of(str(bound.label))) for m in warned.get(bound.name, [])]
        described = [f"{bound.auto_id}-{part}" for part, present in (
            ("hint", bound.help_text), ("warning", warnings), ("error", bound.errors))
            if present]
        if described and kind != "checkboxes":
            widget.attrs["aria-describedby"] = " ".join(described)
        rows.append({"field": bound, "kind": kind, "warnings": warnings,
                     "described_by": " ".join(described)})
    return rows


def _warnings_by_prefix(section: Section, warnings: dict[str, list[str]]) -> dict[
        str, dict[str | None, list[str]]]:
    found: dict[str, dict[str | None, list[str]]] = {}
    for path, messages_ in warnings.items():
        place = place_of(path)
        if place.section is not section:
            continue
        found.setdefault(place.prefix, {}).setdefault(place.field_name, []).extend(messages_)
    return found


def _items_from_content(section: Section, content: dict[str, Any], choices: Choices,
                        warned: dict[str, dict[str | None, list[str]]]) -> list[Item]:
    assert section.form is not None
    items = []
    for index, value in enumerate(_list(content.get(section.key))):
        prefix = f"{section.key}-{index}"
        form = section.form(initial=section.form.from_item(value), prefix=prefix,
                            choices=choices)
        item = _item(form, index, str(index), warned.get(prefix, {}), prefix)
        item.noun = section.item
        if section.key == "outcomes":
            for p_index, priority in enumerate(_list(value.get("priorities"))):
                p_prefix = f"{prefix}-priorities-{p_index}"
                p_form = PriorityForm(initial=PriorityForm.from_item(priority), prefix=p_prefix)
                item.priorities.append(_item(p_form, p_index, str(p_index),
                                             warned.get(p_prefix, {}), p_prefix))
        items.append(item)
    return items


def _item(form: ItemForm, index: int, origin: str, warned: dict[str | None, list[str]],
          prefix: str) -> Item:
    return Item(form, index, origin, _rows(form, warned),
                [plain(m, "one") for m in warned.get(None, [])], prefix=prefix)


def _list(value: Any) -> list[dict[str, Any]]:
    return [dict(v) for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _items_from_post(section: Section, data: Any, choices: Choices) -> list[Item] | None:
    assert section.form is not None
    count = read_count(data, section.key)
    if count is None:
        return None
    items = []
    for index in range(count):
        prefix = f"{section.key}-{index}"
        item = _item(section.form(data, prefix=prefix, choices=choices), index,
                     data.get(f"{prefix}-origin", ""), {}, prefix)
        item.noun = section.item
        if section.key == "outcomes":
            p_count = read_count(data, f"{prefix}-priorities")
            if p_count is None:
                return None
            for p_index in range(p_count):
                p_prefix = f"{prefix}-priorities-{p_index}"
                item.priorities.append(_item(PriorityForm(data, prefix=p_prefix), p_index,
                                             data.get(f"{p_prefix}-origin", ""), {}, p_prefix))
        items.append(item)
    return items


def _form_errors(items: list[Item]) -> list[dict[str, str]]:
    errors = []
    for item in items:
        for form in [item.form, *(p.form for p in item.priorities)]:
            if form.is_valid():
                continue
            for bound in form:
                owner = item if form is item.form else next(
                    p for p in item.priorities if p.form is form)
                errors.extend({"href": f"#{bound.id_for_label}",
                               "text": f"{owner.label.capitalize()}, "
                                       f"{str(bound.label).lower()}: {e}"}
                              for e in bound.errors)
        item.rows = _rows(item.form, {})
        for priority in item.priorities:
            priority.rows = _rows(priority.form, {})
    return errors


def _origin(saved: list[dict[str, Any]], origin: str) -> dict[str, Any]:
    index = to_int(origin, minimum=0)
    return copy.deepcopy(saved[index]) if index is not None and index < len(saved) else {}


def _values(section: Section, items: list[Item], saved: list[dict[str, Any]]) -> list[
        dict[str, Any]]:
    """The section's content from the posted forms, keeping anything the form does not
    show (a key the API wrote) from the item it was made from."""
    values = []
    for item in items:
        value = {**_origin(saved, item.origin), **item.form.to_item()}
        if section.key == "outcomes":
            saved_priorities = _list(_origin(saved, item.origin).get("priorities"))
            value["priorities"] = [{**_origin(saved_priorities, p.origin), **p.form.to_item()}
                                   for p in item.priorities]
        values.append(value)
    return values


def _blank(section: Section) -> dict[str, Any]:
    assert section.form is not None
    form = section.form({}, prefix="blank")
    form.is_valid()
    value = form.to_item()
    if section.key == "outcomes":
        value["priorities"] = []
    return value


def _apply(section: Section, values: list[dict[str, Any]], op: str) -> str:
    """Do what the button pressed asks; answer the anchor to show after."""
    verb, _, where = op.partition(":")
    index, _, sub = where.partition(":")
    i, j = to_int(index, minimum=0), to_int(sub, minimum=0)
    key = section.key
    if verb == "add":
        values.append(_blank(section))
        return f"{key}-{len(values) - 1}"
    if i is None or i >= len(values):
        return ""
    if verb == "add-priority" and key == "outcomes":
        priorities = values[i].setdefault("priorities", [])
        priorities.append({"title": "", "key": "", "description": ""})
        return f"{key}-{i}-priorities-{len(priorities) - 1}"
    target, at, anchor = values, i, f"{key}-{{}}"
    if j is not None and key == "outcomes":
        target, at = values[i].setdefault("priorities", []), j
        anchor = f"{key}-{i}-priorities-{{}}"
        if at >= len(target):
            return ""
    if verb == "remove":
        del target[at]
        return f"{key}-list"
    step = {"up": -1, "down": 1}.get(verb)
    if step is None or not 0 <= at + step < len(target):
        return anchor.format(at)
    target[at], target[at + step] = target[at + step], target[at]
    return anchor.format(at + step)


def _section_page(request: HttpRequest, plan: Plan, draft: PlanDraft, section: Section, *,
                  items: list[Item] | None = None, vision: VisionForm | None = None,
                  errors: list[dict[str, str]] | None = None, saved: PlanDraft | None = None,
                  status: int = 200) -> HttpResponse:
    content = draft.content if isinstance(draft.content, dict) else {}
    warnings = draft_warnings(draft.content)
    warned = _warnings_by_prefix(section, warnings) if items is None and vision is None else {}
    context: dict[str, Any] = {**_common(plan, draft), "section": section,
                               "sections": SECTIONS, "errors": errors or [],
                               "stale": saved is not None,
                               "section_warnings": [plain(m, "one") for m in warned.get(
                                   "", {}).get(None, [])]}
    if section.form is None:
        form = vision or VisionForm(initial={"vision": content.get("vision") or ""})
        context["form"] = form
        context["rows"] = _rows(form, {"vision": warnings.get("vision", [])}
                                if vision is None else {})
        if saved is not None:
            context["saved_vision"] = (saved.content or {}).get("vision", "")
    else:
        choices = _choices(plan, content)
        context["items"] = items if items is not None else _items_from_content(
            section, content, choices, warned)
        if saved is not None:
            context["saved_items"] = _items_from_content(section, saved.content, choices, {})
    return render(request, "documents/draft/section.html", context, status=status)


@_guarded
def draft_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    chosen = BY_SLUG.get(section)
    if chosen is None:
        raise Http404("No such section.")
    plan = _plan(request, pk)
    draft = draft_get(plan=plan, actor=request.user)
    if request.method != "POST":
        return _section_page(request, plan, draft, chosen)
    content = copy.deepcopy(draft.content) if isinstance(draft.content, dict) else {}
    choices = _choices(plan, content)
    op = request.POST.get("op", "save")
    vision: VisionForm | None = None
    items: list[Item] | None = None
    if chosen.form is None:
        vision = VisionForm(request.POST)
        if not vision.is_valid():
            errors = [{"href": "#id_vision", "text": f"Vision: {e}"} for e in vision.errors.get(
                "vision", [])]
            return _section_page(request, plan, draft, chosen, vision=vision, errors=errors,
                                 status=400)
        content["vision"] = vision.cleaned_data["vision"]
        anchor = ""
    else:
        items = _items_from_post(chosen, request.POST, choices)
        if items is None:
            return _section_page(request, plan, draft, chosen, status=400, errors=[{
                "href": "#main-content", "text": "The form came back incomplete; nothing was "
                "saved. Your browser may have sent only part of it: reload the page and try "
                "again."}])
        errors = _form_errors(items)
        if errors:
            return _section_page(request, plan, draft, chosen, items=items, errors=errors,
                                 status=400)
        values = _values(chosen, items, _list(content.get(chosen.key)))
        anchor = _apply(chosen, values, op)
        content[chosen.key] = values
    try:
        draft_save(plan=plan, content=content, expected_revision=_revision(request),
                   actor=request.user)
    except PreconditionFailed as exc:
        current = exc.current
        assert isinstance(current, PlanDraft)
        for item in items or []:  # the current draft's items may be in another order
            item.origin = ""
            for priority in item.priorities:
                priority.origin = ""
        return _section_page(request, plan, current, chosen, items=items, vision=vision,
                             saved=current, status=412)
    except WrongStage as exc:
        return _refused(request, exc, "This draft is closed")
    except InvalidInput as exc:
        errors = [{"href": "#main-content", "text": f"{path}: {message}"}
                  for path, found in exc.errors.items() for message in found]
        return _section_page(request, plan, draft, chosen, items=items, vision=vision,
                             errors=errors, status=400)
    messages.success(request, "Draft saved.")
    if op == "save-return":
        return redirect("drafts:overview", pk=plan.pk)
    url = reverse("drafts:section", args=[plan.pk, chosen.slug])
    return redirect(f"{url}#{anchor}" if anchor else url)
