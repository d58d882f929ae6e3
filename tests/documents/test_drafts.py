"""The draft services: a working copy made lazily, saved unfinished, revision-checked, and
turned into an immutable version through version_create."""

from __future__ import annotations

import copy

import pytest

from documents.content import normalise
from documents.drafts import (
    draft_get,
    draft_save,
    draft_save_version,
    draft_warnings,
    empty_content,
)
from documents.models import PlanDraft, PlanVersion, Stage
from documents.services import version_create
from governance.models import AuditEvent
from plangov.errors import Forbidden, InvalidInput, PreconditionFailed, WrongStage
from tests.conftest import make_plan, submitted_plan
from tests.factories import valid_content


def test_it_makes_the_draft_lazily_from_an_empty_skeleton(world):
    plan = make_plan(world)
    assert not PlanDraft.objects.filter(plan=plan).exists()
    draft = draft_get(plan=plan, actor=world.lead)
    assert draft.content == empty_content()
    assert draft.revision == 1
    assert draft.based_on is None
    assert PlanDraft.objects.filter(plan=plan).count() == 1
    again = draft_get(plan=plan, actor=world.lead)
    assert (again.pk, again.revision) == (draft.pk, 1)


def test_it_makes_the_draft_from_the_current_version(world):
    plan = make_plan(world)
    version = version_create(plan=plan, actor=world.lead, content=valid_content())
    draft = draft_get(plan=plan, actor=world.lead)
    assert draft.content == version.content
    assert draft.based_on == version


def test_saving_keeps_unfinished_work_bumps_the_revision_and_writes_no_audit_event(world):
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    events = AuditEvent.objects.count()
    unfinished = {"vision": "", "outcomes": [{"key": "Not a slug!", "title": ""}],
                  "indicators": [{"title": "Obesity", "baseline": "n/a", "outcome": "nowhere"}]}
    saved = draft_save(plan=plan, content=unfinished, expected_revision=draft.revision,
                       actor=world.lead)
    assert saved.revision == 2
    assert saved.updated_by == world.lead
    assert PlanDraft.objects.get(plan=plan).content == unfinished
    assert AuditEvent.objects.count() == events
    assert plan.versions.count() == 0


def test_a_stale_revision_is_refused_with_the_current_draft_and_nothing_overwritten(world):
    plan = make_plan(world)
    first = draft_get(plan=plan, actor=world.lead)
    mine = draft_save(plan=plan, content={"vision": "Mine"}, expected_revision=first.revision,
                      actor=world.lead)
    with pytest.raises(PreconditionFailed) as caught:
        draft_save(plan=plan, content={"vision": "Theirs"}, expected_revision=first.revision,
                   actor=world.lead)
    assert caught.value.status == 412
    assert caught.value.current.revision == mine.revision
    assert caught.value.current.content == {"vision": "Mine"}
    assert PlanDraft.objects.get(plan=plan).content == {"vision": "Mine"}


def test_warnings_name_what_the_validators_would_refuse_by_path():
    content = valid_content()
    content["outcomes"][0]["title"] = ""
    content["indicators"][0]["outcome"] = "nowhere"
    warnings = draft_warnings(content)
    assert set(warnings) == {"outcomes[0].title", "indicators[0].outcome"}
    assert "No outcome has the key 'nowhere'." in warnings["indicators[0].outcome"]
    assert draft_warnings(valid_content()) == {}
    assert set(draft_warnings(empty_content())) == {"vision", "outcomes"}


def test_warnings_come_all_at_once_references_and_duplicate_keys_too():
    content = valid_content()
    content["vision"] = ""
    content["outcomes"].append({"key": "healthy", "title": "Again"})
    content["outcomes"][0]["priorities"].append({"key": "active", "title": ""})
    content["actions"][0]["outcome"] = "nowhere"
    warnings = draft_warnings(content)
    assert warnings["vision"]
    assert warnings["outcomes[2].key"] == ["Another outcome already has the key 'healthy'."]
    assert warnings["outcomes[0].priorities[1].title"]
    assert warnings["outcomes[0].priorities[1].key"] == [
        "Another priority already has the key 'active'."]
    assert warnings["actions[0].outcome"] == ["No outcome has the key 'nowhere'."]


@pytest.mark.parametrize(("content", "field"), [
    ({"vision": "A\x0bB"}, "content.vision"),
    ({"outcomes": [{"key": "a", "title": "Nul\x00"}]}, "content.outcomes[0].title"),
    ({"outcomes": [{"key": "a", "priorities": [{"title": "\x1b[31m"}]}]},
     "content.outcomes[0].priorities[0].title"),
])
def test_control_characters_are_refused_even_in_a_draft_naming_the_field(world, content, field):
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    with pytest.raises(InvalidInput) as caught:
        draft_save(plan=plan, content=content, expected_revision=draft.revision,
                   actor=world.lead)
    assert list(caught.value.errors) == [field]
    assert PlanDraft.objects.get(plan=plan).revision == draft.revision


@pytest.mark.parametrize(("content", "field"), [
    (["not", "an", "object"], "content"),
    ({"outcomes": "healthy"}, "content.outcomes"),
    ({"outcomes": ["healthy"]}, "content.outcomes[0]"),
    ({"outcomes": [{"title": {"nested": "object"}}]}, "content.outcomes[0].title"),
    ({"outcomes": [{"priorities": [{"title": ["a"]}]}]},
     "content.outcomes[0].priorities[0].title"),
    ({"joint_priorities": [{"bodies": [1, 2]}]}, "content.joint_priorities[0].bodies"),
    ({"vision": ["a"]}, "vision"),
])
def test_the_draft_must_have_the_contents_shape(world, content, field):
    plan = make_plan(world)
    with pytest.raises(InvalidInput) as caught:
        draft_save(plan=plan, content=content, expected_revision=1, actor=world.lead)
    assert field in caught.value.errors or f"content.{field}" in caught.value.errors


@pytest.mark.parametrize("role", ["board_secretary", "auditor", "outsider", "executive_member"])
def test_only_the_lead_officer_may_read_or_write_the_draft(world, role):
    plan = make_plan(world)
    person = getattr(world, role)
    with pytest.raises(Forbidden):
        draft_get(plan=plan, actor=person)
    with pytest.raises(Forbidden):
        draft_save(plan=plan, content={}, expected_revision=1, actor=person)
    with pytest.raises(Forbidden):
        draft_save_version(plan=plan, expected_revision=1, actor=person)
    assert not PlanDraft.objects.filter(plan=plan).exists()


def test_save_version_refuses_while_there_are_warnings(world):
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    content = valid_content()
    content["actions"][0]["priority"] = "missing"
    draft = draft_save(plan=plan, content=content, expected_revision=draft.revision,
                       actor=world.lead)
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as caught:
        draft_save_version(plan=plan, expected_revision=draft.revision, actor=world.lead)
    assert list(caught.value.errors) == ["actions[0].priority"]
    assert "actions[0].priority" in caught.value.detail
    assert plan.versions.count() == 0
    assert AuditEvent.objects.count() == events


def test_save_version_writes_one_version_and_one_audit_event(world):
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    content = valid_content()
    content["vision"] = "  In York <b>we</b> recognise\r\nour children."
    draft = draft_save(plan=plan, content=content, expected_revision=draft.revision,
                       actor=world.lead)
    events = AuditEvent.objects.count()
    saved = draft_save_version(plan=plan, expected_revision=draft.revision, actor=world.lead,
                               note="From the draft")
    version = PlanVersion.objects.get(plan=plan)
    assert version.content == normalise(copy.deepcopy(draft.content))
    assert version.note == "From the draft"
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.order_by("-seq").first().action == "version.create"
    assert saved.based_on == version
    assert saved.revision == draft.revision + 1
    plan.refresh_from_db()
    assert plan.current_version == version


def test_save_version_with_a_stale_revision_is_refused(world):
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    draft_save(plan=plan, content=valid_content(), expected_revision=draft.revision,
               actor=world.lead)
    with pytest.raises(PreconditionFailed):
        draft_save_version(plan=plan, expected_revision=draft.revision, actor=world.lead)
    assert plan.versions.count() == 0


def test_editing_a_submitted_version_is_refused_and_the_draft_kept(world, frozen_clock):
    plan = submitted_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    content = valid_content(vision="A better vision, for the next version.")
    draft = draft_save(plan=plan, content=content, expected_revision=draft.revision,
                       actor=world.lead)
    with pytest.raises(WrongStage) as caught:
        draft_save_version(plan=plan, expected_revision=draft.revision, actor=world.lead)
    assert caught.value.status == 409
    assert plan.versions.count() == 1
    assert PlanDraft.objects.get(plan=plan).content["vision"] == content["vision"]


def test_a_withdrawn_plans_draft_is_closed(world):
    from workflows.services import plan_withdraw

    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    plan_withdraw(plan=plan, actor=world.lead, reason="Replaced.")
    with pytest.raises(WrongStage):
        draft_save(plan=plan, content={}, expected_revision=draft.revision, actor=world.lead)
    plan.refresh_from_db()
    assert plan.stage == Stage.WITHDRAWN


def test_a_draft_behind_the_current_version_is_flagged(world):
    from documents.drafts import base_is_behind

    plan = make_plan(world)
    first = version_create(plan=plan, actor=world.lead, content=valid_content())
    draft = draft_get(plan=plan, actor=world.lead)
    plan.refresh_from_db()
    assert draft.based_on == first and not base_is_behind(draft, plan)
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Meanwhile."))
    plan.refresh_from_db()
    assert base_is_behind(draft_get(plan=plan, actor=world.lead), plan)
