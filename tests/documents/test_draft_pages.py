"""The draft editor's pages: overview, a page per section, add/remove/move without
JavaScript, warnings beside fields, stale saves showing both, and "Save as version N"."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.content import normalise
from documents.drafts import draft_get, draft_save, draft_warnings
from documents.models import PlanDraft, PlanVersion
from governance.models import AuditEvent
from tests.conftest import make_plan, submitted_plan
from tests.factories import valid_content


def page(response: Any) -> str:
    return response.content.decode()


def content_of(plan: Any) -> dict[str, Any]:
    return PlanDraft.objects.get(plan=plan).content


def revision_of(plan: Any) -> int:
    return PlanDraft.objects.get(plan=plan).revision


def form_data(html: str) -> dict[str, Any]:
    """What a browser without JavaScript would send from the page's editing form: every
    input, textarea and selected option as shown (not the buttons)."""
    form = html[html.index('id="yours"'):]
    form = form[:form.index("</form>")]
    data: dict[str, Any] = {}
    for tag in re.finditer(r"<input ([^>]*)>", form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(1)))
        if "name" not in attrs:
            continue
        if attrs.get("type") == "checkbox":
            if "checked" in tag.group(1):
                data.setdefault(attrs["name"], []).append(attrs["value"])
            continue
        data[attrs["name"]] = _unescape(attrs.get("value", ""))
    for area in re.finditer(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[area.group(1)] = _unescape(area.group(2).removeprefix("\n"))
    for select in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(2))
        data[select.group(1)] = _unescape(chosen.group(1)) if chosen else ""
    return data


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


@pytest.fixture
def lead(world, client):
    client.force_login(world.lead)
    return client


def url(plan: Any, tail: str = "") -> str:
    return f"/plans/{plan.pk}/draft/{tail}"


def test_the_overview_lists_the_sections_with_their_status(world, lead):
    plan = make_plan(world)
    html = page(lead.get(url(plan)))
    assert "govuk-task-list" in html
    for title in ("Vision", "Outcomes and priorities", "Indicators", "Actions",
                  "Cross-cutting themes", "Joint priorities"):
        assert title in html
    assert "Has problems (1)" in html  # vision blank, outcomes empty: one warning each
    assert "None yet" in html
    assert "Save as version 1" in html


def test_a_complete_section_is_marked_completed(world, lead):
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    draft_save(plan=plan, content=valid_content(), expected_revision=draft.revision,
               actor=world.lead)
    html = page(lead.get(url(plan)))
    statuses = re.findall(r'id="status-([a-z-]+)">(.*?)</div>', html)
    assert [(slug, re.sub("<[^>]+>", "", label)) for slug, label in statuses] == [
        ("vision", "Completed"), ("outcomes", "Completed"), ("indicators", "Completed"),
        ("actions", "Completed"), ("themes", "Completed"), ("joint-priorities", "None yet")]
    assert "The draft is complete" in html


@pytest.mark.parametrize("role", ["board_secretary", "auditor"])
def test_people_who_may_not_write_are_refused(world, client, role):
    plan = make_plan(world)
    client.force_login(getattr(world, role))
    assert client.get(url(plan)).status_code == 403
    assert client.get(url(plan, "vision/")).status_code == 403
    assert client.post(url(plan, "vision/"), {"vision": "x", "revision": "1"}).status_code == 403
    assert client.post(url(plan, "save-version/"), {"revision": "1"}).status_code == 403
    assert not PlanDraft.objects.filter(plan=plan).exists()


def test_plans_not_visible_are_404(world, client):
    from tests.api.conftest import other_partnership_plan

    plan = other_partnership_plan()
    client.force_login(world.lead)
    assert client.get(url(plan)).status_code == 404
    assert client.get(url(plan, "outcomes/")).status_code == 404
    assert client.get(url(make_plan(world), "nonsense/")).status_code == 404


def test_the_vision_saves_unfinished_and_writes_no_audit_event(world, lead):
    plan = make_plan(world)
    data = form_data(page(lead.get(url(plan, "vision/"))))
    events = AuditEvent.objects.count()
    data["vision"] = "In York\r\nwe <script>alert(1)</script>"
    response = lead.post(url(plan, "vision/"), {**data, "op": "save"})
    assert response.status_code == 302
    assert content_of(plan)["vision"] == "In York\nwe <script>alert(1)</script>"
    assert AuditEvent.objects.count() == events
    html = page(lead.get(url(plan, "vision/")))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "Draft saved." in html


def test_control_characters_are_refused_naming_the_field(world, lead):
    plan = make_plan(world)
    lead.get(url(plan, "outcomes/"))
    data = {"revision": "1", "outcomes-count": "1", "outcomes-0-title": "Bad\x0btitle",
            "outcomes-0-key": "a", "outcomes-0-description": "", "outcomes-0-origin": "",
            "outcomes-0-priorities-count": "0", "op": "save"}
    response = lead.post(url(plan, "outcomes/"), data)
    assert response.status_code == 400
    html = page(response)
    assert '<title>Error:' in html
    assert 'href="#id_outcomes-0-title"' in html
    assert "Outcome 1, title: Contains U+000B (LINE TABULATION)" in html
    assert content_of(plan)["outcomes"] == []


def test_outcomes_and_priorities_are_added_moved_and_removed_without_javascript(world, lead):
    plan = make_plan(world)
    section = url(plan, "outcomes/")
    html = page(lead.get(section))

    def press(op: str, **changes: str) -> str:
        data = {**form_data(page(lead.get(section))), **changes, "op": op}
        response = lead.post(section, data)
        assert response.status_code == 302, page(response)[:2000]
        return page(lead.get(section))

    assert "Add an outcome" in html
    html = press("add")
    html = press("save", **{"outcomes-0-title": "Being healthy", "outcomes-0-key": "healthy"})
    html = press("add", **{"outcomes-0-title": "Being healthy"})
    html = press("save", **{"outcomes-1-title": "Staying safe", "outcomes-1-key": "safe"})
    assert [o["key"] for o in content_of(plan)["outcomes"]] == ["healthy", "safe"]
    html = press("up:1")
    assert [o["key"] for o in content_of(plan)["outcomes"]] == ["safe", "healthy"]
    html = press("down:0")
    assert [o["key"] for o in content_of(plan)["outcomes"]] == ["healthy", "safe"]
    html = press("add-priority:0")
    html = press("add-priority:0", **{"outcomes-0-priorities-0-title": "Active",
                                      "outcomes-0-priorities-0-key": "active"})
    html = press("save", **{"outcomes-0-priorities-1-title": "Eat well",
                            "outcomes-0-priorities-1-key": "eat"})
    priorities = content_of(plan)["outcomes"][0]["priorities"]
    assert [p["key"] for p in priorities] == ["active", "eat"]
    html = press("up:0:1")
    assert [p["key"] for p in content_of(plan)["outcomes"][0]["priorities"]] == ["eat", "active"]
    html = press("remove:0:0")
    assert [p["key"] for p in content_of(plan)["outcomes"][0]["priorities"]] == ["active"]
    html = press("remove:1")
    assert [o["key"] for o in content_of(plan)["outcomes"]] == ["healthy"]
    assert "Move up" not in html.split('id="outcomes-0"')[1].split("Priorities under")[0]


def test_warnings_show_beside_each_field_not_as_errors(world, lead):
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    content = valid_content()
    content["indicators"][0]["outcome"] = "nowhere"
    content["indicators"][0]["baseline"] = "about ten"
    draft_save(plan=plan, content=content, expected_revision=draft.revision, actor=world.lead)
    response = lead.get(url(plan, "indicators/"))
    assert response.status_code == 200
    html = page(response)
    assert 'id="id_indicators-0-outcome-warning"' in html
    assert "No outcome has the key &#x27;nowhere&#x27;." in html
    assert 'id="id_indicators-0-baseline-warning"' in html
    assert "Enter a number, for example 12.5." in html  # in plain words, not DRF's
    assert 'aria-describedby="id_indicators-0-baseline-hint id_indicators-0-baseline-warning"' \
        in html
    assert "govuk-warning-text" in html
    assert "govuk-error-message" not in html
    assert "nowhere (not in this draft)" in html  # the saved reference is kept, not lost


def test_indicators_actions_themes_and_joint_priorities_save_from_their_forms(world, lead):
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    draft_save(plan=plan, content=valid_content(), expected_revision=draft.revision,
               actor=world.lead)
    expected = normalise(valid_content())
    for slug in ("indicators", "actions", "themes", "joint-priorities", "vision", "outcomes"):
        data = form_data(page(lead.get(url(plan, f"{slug}/"))))
        response = lead.post(url(plan, f"{slug}/"), {**data, "op": "save"})
        assert response.status_code == 302, (slug, page(response)[:3000])
    # Saving every section unchanged through the pages keeps the content as it was.
    assert normalise(content_of(plan)) == expected


def test_actions_take_kind_place_and_due_date(world, lead):
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    draft_save(plan=plan, content=valid_content(actions=[]), expected_revision=draft.revision,
               actor=world.lead)
    section = url(plan, "actions/")
    lead.post(section, {**form_data(page(lead.get(section))), "op": "add"})
    data = form_data(page(lead.get(section)))
    data.update({"actions-0-title": "Extend healthy schools", "actions-0-kind":
                 "immediate_priority", "actions-0-place": "healthy/active",
                 "actions-0-lead": "Head of Public Health", "actions-0-due_date": "31/03/2010",
                 "op": "save"})
    assert lead.post(section, data).status_code == 302
    action = content_of(plan)["actions"][0]
    assert (action["outcome"], action["priority"], action["due_date"]) == (
        "healthy", "active", "2010-03-31")
    assert normalise(content_of(plan))["actions"][0]["kind"] == "immediate_priority"


def test_joint_priorities_offer_the_partnerships_bodies_as_checkboxes(world, lead):
    plan = make_plan(world)
    section = url(plan, "joint-priorities/")
    lead.get(section)
    lead.post(section, {**form_data(page(lead.get(section))), "op": "add"})
    html = page(lead.get(section))
    assert 'type="checkbox"' in html and 'value="safeguarding-board"' in html
    data = form_data(html)
    data.update({"joint_priorities-0-title": "Early help",
                 "joint_priorities-0-bodies": ["yorok-board", "safeguarding-board"],
                 "op": "save"})
    assert lead.post(section, data).status_code == 302
    assert content_of(plan)["joint_priorities"][0]["bodies"] == ["yorok-board",
                                                                  "safeguarding-board"]


def test_a_stale_save_shows_both_and_overwrites_nothing(world, lead):
    plan = make_plan(world)
    mine = form_data(page(lead.get(url(plan, "vision/"))))
    # Someone else saves meanwhile.
    draft_save(plan=plan, content={**content_of(plan), "vision": "Their vision"},
               expected_revision=revision_of(plan), actor=world.lead)
    response = lead.post(url(plan, "vision/"), {**mine, "vision": "My vision", "op": "save"})
    assert response.status_code == 412
    html = page(response)
    assert "Someone else saved this draft" in html
    assert "My vision" in html and "Their vision" in html
    assert content_of(plan)["vision"] == "Their vision"
    # The page now carries the latest revision: saving again is a deliberate overwrite.
    again = form_data(html)
    assert again["revision"] == str(revision_of(plan))
    assert lead.post(url(plan, "vision/"), {**again, "op": "save"}).status_code == 302
    assert content_of(plan)["vision"] == "My vision"


def test_a_stale_list_save_shows_both(world, lead):
    plan = make_plan(world)
    section = url(plan, "themes/")
    lead.post(section, {**form_data(page(lead.get(section))), "op": "add"})
    mine = form_data(page(lead.get(section)))
    draft_save(plan=plan, content={**content_of(plan), "cross_cutting_themes": [
        {"title": "Their theme"}]}, expected_revision=revision_of(plan), actor=world.lead)
    response = lead.post(section, {**mine, "cross_cutting_themes-0-title": "My theme",
                                   "op": "save"})
    assert response.status_code == 412
    html = page(response)
    assert 'value="My theme"' in html and "Their theme" in html
    assert content_of(plan)["cross_cutting_themes"] == [{"title": "Their theme"}]


def test_save_as_version_refuses_listing_the_warnings_with_links(world, lead):
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    content = valid_content()
    content["outcomes"][1]["title"] = ""
    draft_save(plan=plan, content=content, expected_revision=draft.revision, actor=world.lead)
    response = lead.post(url(plan, "save-version/"), {"revision": str(revision_of(plan))})
    assert response.status_code == 400
    html = page(response)
    assert "<title>Error:" in html
    assert "govuk-error-summary" in html
    assert f'href="/plans/{plan.pk}/draft/outcomes/#id_outcomes-1-title"' in html
    assert "Outcome 2, title: Enter the title." in html
    assert not PlanVersion.objects.filter(plan=plan).exists()


def test_save_as_version_writes_the_version_and_goes_to_the_plan(world, lead):
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    draft_save(plan=plan, content=valid_content(), expected_revision=draft.revision,
               actor=world.lead)
    events = AuditEvent.objects.count()
    response = lead.post(url(plan, "save-version/"), {"revision": str(revision_of(plan)),
                                                      "note": "First full draft"})
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan.pk}/"
    version = PlanVersion.objects.get(plan=plan)
    assert version.content == normalise(valid_content())
    assert AuditEvent.objects.count() == events + 1
    html = page(lead.get(f"/plans/{plan.pk}/"))
    assert "Version 1 saved from the draft" in html
    assert f'href="/plans/{plan.pk}/draft/"' in html  # "Edit the draft"


def test_save_as_version_with_a_stale_page_is_refused(world, lead):
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    draft_save(plan=plan, content=valid_content(), expected_revision=draft.revision,
               actor=world.lead)
    response = lead.post(url(plan, "save-version/"), {"revision": str(draft.revision)})
    assert response.status_code == 412
    assert "The draft changed meanwhile" in page(response)
    assert not PlanVersion.objects.filter(plan=plan).exists()


def test_a_submitted_plan_offers_the_draft_and_refuses_a_new_version(world, frozen_clock, lead):
    plan = submitted_plan(world)
    html = page(lead.get(url(plan)))
    assert "You can keep working on the draft" in html
    response = lead.post(url(plan, "save-version/"), {"revision": str(revision_of(plan))})
    assert response.status_code == 409
    html = page(response)
    assert "Not possible in this stage" in html
    assert "Your draft is kept" in html
    assert plan.versions.count() == 1


def test_a_draft_behind_the_current_version_is_flagged(world, lead):
    from documents.services import version_create

    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    lead.get(url(plan))
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Meanwhile."))
    html = page(lead.get(url(plan)))
    assert "Version 2 was saved after this draft started from version 1" in html


def test_the_plan_page_links_the_draft_only_for_writers(world, client):
    plan = make_plan(world)
    client.force_login(world.board_secretary)
    assert f'href="/plans/{plan.pk}/draft/"' not in page(client.get(f"/plans/{plan.pk}/"))
    client.force_login(world.lead)
    assert "Edit the draft" in page(client.get(f"/plans/{plan.pk}/"))


def test_pressing_enter_saves_rather_than_removing(world, lead):
    plan = make_plan(world)
    html = page(lead.get(url(plan, "themes/")))
    form = html[html.index('id="yours"'):]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert 'value="save"' in first_button


# Any draft the API can save, the pages can show and save back.

_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=12)
_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=False, allow_infinity=False, width=32), _TEXT)


def _item(*names: str) -> Any:
    return st.dictionaries(st.sampled_from([*names, "notes"]), _SCALAR, max_size=len(names) + 1)


_DRAFTS = st.fixed_dictionaries({}, optional={
    "vision": st.one_of(st.none(), _TEXT),
    "outcomes": st.lists(st.tuples(_item("key", "title", "description"),
                                   st.lists(_item("key", "title"), max_size=2)).map(
        lambda pair: {**pair[0], "priorities": pair[1]}), max_size=3),
    "indicators": st.lists(_item("key", "title", "outcome", "unit", "baseline", "latest",
                                 "target", "direction_of_good"), max_size=2),
    "actions": st.lists(_item("title", "kind", "outcome", "priority", "lead", "due_date"),
                        max_size=2),
    "cross_cutting_themes": st.lists(_item("title", "description"), max_size=2),
    "joint_priorities": st.lists(st.fixed_dictionaries(
        {"title": _TEXT, "bodies": st.lists(st.sampled_from(
            ["yorok-board", "safeguarding-board", "gone-body"]), max_size=3, unique=True)}),
        max_size=2),
})


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(content=_DRAFTS)
def test_every_section_page_shows_and_saves_back_any_draft_the_api_accepts(world, client,
                                                                           content):
    plan = make_plan(world)
    client.force_login(world.lead)
    draft = draft_get(plan=plan, actor=world.lead)
    draft_save(plan=plan, content=content, expected_revision=draft.revision, actor=world.lead)
    assert client.get(url(plan)).status_code == 200
    for _round in range(2):
        before = copy.deepcopy(content_of(plan))
        for section in ("vision", "outcomes", "indicators", "actions", "themes",
                        "joint-priorities"):
            response = client.get(url(plan, f"{section}/"))
            assert response.status_code == 200
            data = {**form_data(page(response)), "op": "save"}
            response = client.post(url(plan, f"{section}/"), data)
            assert response.status_code == 302, (section, page(response)[:3000])
    # The second round trip changes nothing: what the pages show is what they save.
    assert content_of(plan) == before


def test_the_version_note_is_under_the_text_policy(world, lead):
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    draft_save(plan=plan, content=valid_content(), expected_revision=draft.revision,
               actor=world.lead)
    response = lead.post(url(plan, "save-version/"), {"revision": str(revision_of(plan)),
                                                      "note": "Agreed\x00"})
    assert response.status_code == 400
    html = page(response)
    assert "<title>Error:" in html
    assert 'href="#id_note"' in html and "U+0000" in html
    assert not PlanVersion.objects.filter(plan=plan).exists()


def test_the_redraft_task_links_to_the_draft_editor(world, frozen_clock, client):
    from governance.models import DecisionOutcome
    from tests.conftest import decide, open_task
    from workflows.models import TaskKind

    plan = submitted_plan(world)
    decide(world, plan, world.board, DecisionOutcome.REFERRED_BACK, reasons="Say more.")
    task = open_task(plan, kind=TaskKind.REDRAFT)
    client.force_login(world.lead)
    html = page(client.get(f"/tasks/{task.pk}/"))
    assert f'href="/plans/{plan.pk}/draft/"' in html
    # The draft can now be saved as the new version the redraft asks for.
    draft = draft_get(plan=plan, actor=world.lead)
    draft_save(plan=plan, content=valid_content(vision="Answering the board."),
               expected_revision=draft.revision, actor=world.lead)
    response = client.post(url(plan, "save-version/"), {"revision": str(revision_of(plan))})
    assert response.status_code == 302
    assert plan.versions.count() == 2


@pytest.mark.parametrize("typed", ["inf", "-Infinity", "nan", "1e999"])
def test_a_number_too_big_or_not_a_number_is_kept_as_typed_and_warned_about(world, lead, typed):
    """float() reads these, but JSON (and SQLite's JSON check) holds no infinity or NaN: the
    page keeps the text as typed and the validators warn, never a 500."""
    plan = make_plan(world)
    draft = draft_get(plan=plan, actor=world.lead)
    draft_save(plan=plan, content=valid_content(), expected_revision=draft.revision,
               actor=world.lead)
    data = form_data(page(lead.get(url(plan, "indicators/"))))
    baseline = next(name for name in data if name.endswith("-baseline"))
    response = lead.post(url(plan, "indicators/"), {**data, baseline: typed, "op": "save"})
    assert response.status_code == 302, page(response)[:2000]
    assert content_of(plan)["indicators"][0]["baseline"] == typed
    assert any(path.endswith(".baseline") for path in draft_warnings(content_of(plan)))
