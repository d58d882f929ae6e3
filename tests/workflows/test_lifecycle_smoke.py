from governance.audit import verify_chain
from governance.models import DecisionOutcome as O
from tests.conftest import decide, submitted_plan
from workflows.services import plan_adopt


def test_it_walks_a_plan_from_drafting_to_adoption(world, frozen_clock):
    plan = submitted_plan(world)
    assert plan.stage == "partnership_approval"
    plan = decide(world, plan, world.board, O.APPROVED).plan
    plan.refresh_from_db()
    assert plan.stage == "partnership_approval"
    decide(world, plan, world.safeguarding, O.APPROVED_WITH_AMENDMENTS)
    plan.refresh_from_db()
    assert plan.stage == "executive_approval"
    decide(world, plan, world.executive, O.APPROVED)
    plan.refresh_from_db()
    assert plan.stage == "call_in"
    assert str(plan.call_in_ends_on) == "2016-07-21"
    frozen_clock.advance(days=8)
    plan = plan_adopt(plan=plan, actor=None)
    assert plan.stage == "adopted"
    assert plan.adopted_version_id == plan.current_version_id
    report = verify_chain()
    assert report.ok and report.checked == 11
