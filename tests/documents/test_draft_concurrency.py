"""Coordinators saving the same draft at the same moment: exactly one save wins, every other
is told the draft changed (412), and nothing is overwritten silently."""

from __future__ import annotations

import pytest

from documents.drafts import draft_get, draft_save, draft_save_version
from documents.models import PlanDraft
from governance.models import AuditEvent
from plangov.errors import PreconditionFailed
from tests.conftest import build_world, make_plan
from tests.factories import valid_content
from tests.workflows.test_concurrency import at_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
SAVERS = 8


def test_only_one_of_many_saves_from_the_same_revision_wins():
    world = build_world()
    plan = make_plan(world)
    revision = draft_get(plan=plan, actor=world.lead).revision
    outcomes = at_once(SAVERS, lambda i: draft_save(
        plan=plan, content=valid_content(vision=f"Coordinator {i}"), expected_revision=revision,
        actor=world.lead))
    assert not outcomes.unexpected(PreconditionFailed), outcomes.unexpected(PreconditionFailed)
    assert len(outcomes.results) == 1
    assert len(outcomes.errors) == SAVERS - 1
    winner = next(iter(outcomes.results))
    draft = PlanDraft.objects.get(plan=plan)
    assert draft.revision == revision + 1
    assert draft.content["vision"] == f"Coordinator {winner}"
    for exc in outcomes.errors.values():
        assert exc.current.content["vision"] == f"Coordinator {winner}"


def test_two_coordinators_saving_a_version_at_once_write_one_version():
    world = build_world()
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    draft = draft_save(plan=plan, content=valid_content(), expected_revision=draft.revision,
                       actor=world.lead)
    events = AuditEvent.objects.count()
    outcomes = at_once(4, lambda i: draft_save_version(
        plan=plan, expected_revision=draft.revision, actor=world.lead))
    assert not outcomes.unexpected(PreconditionFailed), outcomes.unexpected(PreconditionFailed)
    assert len(outcomes.results) == 1
    assert plan.versions.count() == 1
    assert AuditEvent.objects.count() == events + 1
