#!/usr/bin/env python
"""Comparing two versions of a large plan: the compare service alone, and the whole compare
page and API answer, p50 and p95 (target: p95 under 200 ms).

Usage (from the repository root, with the dev install, e.g. .venv/bin/python):

    python bench/compare_versions.py                 # SQLite file in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python bench/compare_versions.py

    options: --outcomes N   outcomes, each with 4 priorities (default 50)
             --actions A    actions (default 500)
             --indicators I indicators (default 150)
             --runs R       timed runs of each measurement (default 50)
             --seed S       random seed of the edits (default 2009)
             --db-name NAME PostgreSQL database to create and drop (default bench_plangov)

Set-up: a plan whose version 1 has N outcomes with 4 priorities each, I indicators and A
actions (every field filled, titles of 6 to 14 words from a council vocabulary) and a vision
of about 600 words. Version 2 is version 1 with realistic edits: 3 outcomes added and 2
removed (their indicators and actions going with them), 2 outcomes moved, outcome titles and
descriptions reworded; priorities added, removed, reworded and moved between outcomes; 10% of
the indicators with new latest figures and targets, a few added and removed; 12% of the
actions reworded (a word or two changed), 5% with a new lead or due date, 40 removed, 60
added, 20 moved to another priority and 15 moved in the list; a theme added, a joint
priority's bodies changed; and a few sentences of the vision rewritten.

Measured, after one warm-up each:
- **service**: ``documents.compare.compare`` on the two contents (pure Python, no database);
- **page**: ``GET /plans/{id}/versions/compare/?from=1&to=2`` through Django's test client,
  signed in as the board secretary (database reads, the comparison, the template);
- **API**: ``GET /api/v1/plans/{id}/versions/compare/?from=1&to=2`` (the same, serialised).
"""

from __future__ import annotations

import argparse
import copy
import random
import statistics
import time
from typing import Any

from common import START, ThreadClock, setup_django, throwaway_database

WORDS = (
    "children young people families schools health safeguarding early help support services "
    "partners outcomes attainment attendance exclusions wellbeing emotional mental care "
    "leavers placements foster carers education training employment youth offending "
    "participation voice parenting programme review commission deliver improve reduce "
    "increase develop extend embed strengthen coordinate monitor local city council "
    "community voluntary sector workforce training pathway transition adulthood disabled "
    "special needs poverty housing neighbourhood centres nurseries settings"
).split()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outcomes", type=int, default=50)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--indicators", type=int, default=150)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2009)
    parser.add_argument("--db-name", default="bench_plangov")
    args = parser.parse_args()
    if min(args.outcomes, args.actions, args.runs) < 2:
        parser.error("--outcomes, --actions and --runs must be at least 2")
    return args


def phrase(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize()


def reword(rng: random.Random, text: str, changes: int = 2) -> str:
    words = text.split()
    for _ in range(changes):
        at = rng.randrange(len(words))
        roll = rng.random()
        if roll < 0.4:
            words[at] = rng.choice(WORDS)
        elif roll < 0.7:
            words.insert(at, rng.choice(WORDS))
        elif len(words) > 3:
            del words[at]
    return " ".join(words)


def first_version(rng: random.Random, args: argparse.Namespace) -> dict[str, Any]:
    outcomes = [
        {"key": f"outcome-{o}", "title": phrase(rng, 3, 6), "description": phrase(rng, 15, 30),
         "priorities": [{"key": f"p{p}", "title": phrase(rng, 6, 12),
                         "description": phrase(rng, 10, 20)} for p in range(4)]}
        for o in range(args.outcomes)
    ]
    indicators = [
        {"key": f"kpi-{i}", "title": phrase(rng, 4, 9),
         "outcome": rng.choice(outcomes)["key"], "unit": rng.choice(["%", "pupils", ""]),
         "baseline": round(rng.uniform(1, 90), 1), "baseline_period": "2008",
         "latest": round(rng.uniform(1, 90), 1), "latest_period": "2009/10",
         "target": round(rng.uniform(1, 90), 1),
         "direction_of_good": rng.choice(["higher", "lower"])}
        for i in range(args.indicators)
    ]
    actions = []
    for _ in range(args.actions):
        outcome = rng.choice(outcomes)
        actions.append({
            "title": phrase(rng, 6, 14),
            "kind": rng.choice(["immediate_priority", "continuous_improvement",
                                "idea_for_further_consideration"]),
            "outcome": outcome["key"], "priority": rng.choice(outcome["priorities"])["key"],
            "lead": f"Head of {phrase(rng, 1, 3)}",
            "delivery_group": f"{phrase(rng, 2, 4)} task and finish group",
            "due_date": f"201{rng.randint(0, 2)}-0{rng.randint(1, 9)}-{rng.randint(10, 28)}",
        })
    return {
        "vision": "\n\n".join(". ".join(phrase(rng, 8, 16) for _ in range(5)) + "."
                              for _ in range(8)),
        "outcomes": outcomes, "indicators": indicators, "actions": actions,
        "cross_cutting_themes": [{"title": phrase(rng, 2, 4), "description": phrase(rng, 10, 20)}
                                 for _ in range(6)],
        "joint_priorities": [{"title": phrase(rng, 3, 6), "description": phrase(rng, 10, 20),
                              "bodies": ["yorok-board", "safeguarding-board"]}
                             for _ in range(4)],
    }


def second_version(rng: random.Random, old: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(old)
    outcomes = new["outcomes"]
    # Outcomes: 2 removed (with their indicators and actions), 3 added, 2 moved, 5 reworded.
    for gone in rng.sample(outcomes, 2):
        outcomes.remove(gone)
        new["indicators"] = [i for i in new["indicators"] if i["outcome"] != gone["key"]]
        new["actions"] = [a for a in new["actions"] if a["outcome"] != gone["key"]]
    for n in range(3):
        outcomes.insert(rng.randrange(len(outcomes)), {
            "key": f"new-outcome-{n}", "title": phrase(rng, 3, 6), "description": "",
            "priorities": [{"key": "p0", "title": phrase(rng, 6, 12), "description": ""}]})
    for _ in range(2):
        outcomes.insert(rng.randrange(len(outcomes)), outcomes.pop(rng.randrange(len(outcomes))))
    for outcome in rng.sample(outcomes, 5):
        outcome["title"] = reword(rng, outcome["title"], 1)
        outcome["description"] = reword(rng, outcome["description"] or "More to come", 3)
    # Priorities: reworded, added, removed (where no action names them), moved between outcomes.
    used = {(a["outcome"], a["priority"]) for a in new["actions"]}
    for outcome in rng.sample(outcomes, 12):
        priorities = outcome["priorities"]
        priorities[0]["title"] = reword(rng, priorities[0]["title"])
        priorities.append({"key": "p-new", "title": phrase(rng, 6, 12), "description": ""})
        spare = [p for p in priorities if (outcome["key"], p["key"]) not in used]
        if len(spare) > 1:
            priorities.remove(spare[0])
    moved = 0
    while moved < 4:
        donor, taker = rng.sample(outcomes, 2)
        movable = [p for p in donor["priorities"]
                   if p["key"] not in {q["key"] for q in taker["priorities"]}]
        if len(donor["priorities"]) < 2 or not movable:
            continue
        priority = movable[0]
        donor["priorities"].remove(priority)
        taker["priorities"].insert(0, priority)
        for action in new["actions"]:  # its actions go with it
            if (action["outcome"], action["priority"]) == (donor["key"], priority["key"]):
                action["outcome"] = taker["key"]
        moved += 1
    keys = {o["key"]: [p["key"] for p in o["priorities"]] for o in outcomes}
    # Indicators: 10% new figures, 5 removed, 5 added.
    for indicator in rng.sample(new["indicators"], len(new["indicators"]) // 10):
        indicator["latest"] = round(rng.uniform(1, 90), 1)
        indicator["target"] = round(rng.uniform(1, 90), 1)
    for gone in rng.sample(new["indicators"], 5):
        new["indicators"].remove(gone)
    for n in range(5):
        new["indicators"].append({**new["indicators"][0], "key": f"new-kpi-{n}",
                                  "title": phrase(rng, 4, 9)})
    # Actions: reworded, new leads and dates, removed, added, moved.
    actions = new["actions"]
    for action in rng.sample(actions, len(actions) * 12 // 100):
        action["title"] = reword(rng, action["title"])
    for action in rng.sample(actions, len(actions) * 5 // 100):
        action["lead"] = f"Head of {phrase(rng, 1, 3)}"
        action["due_date"] = "2013-03-31"
    for gone in rng.sample(actions, 40):
        actions.remove(gone)
    for action in rng.sample(actions, 20):
        outcome = rng.choice(outcomes)
        action["outcome"], action["priority"] = outcome["key"], rng.choice(keys[outcome["key"]])
    for _ in range(15):
        actions.insert(rng.randrange(len(actions)), actions.pop(rng.randrange(len(actions))))
    for _ in range(60):
        outcome = rng.choice(outcomes)
        actions.insert(rng.randrange(len(actions)), {
            "title": phrase(rng, 6, 14), "kind": "immediate_priority",
            "outcome": outcome["key"], "priority": rng.choice(keys[outcome["key"]]),
            "lead": "Head of Early Help", "delivery_group": "", "due_date": None})
    new["cross_cutting_themes"].append({"title": "Workforce development", "description": ""})
    new["joint_priorities"][0]["bodies"] = ["yorok-board", "safeguarding-board", "executive"]
    paragraphs = new["vision"].split("\n\n")
    for at in rng.sample(range(len(paragraphs)), 3):
        paragraphs[at] = reword(rng, paragraphs[at], 6)
    new["vision"] = "\n\n".join(paragraphs)
    return new


def timed(call: Any, runs: int) -> list[float]:
    call()  # warm up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return timings


def line(label: str, timings: list[float], extra: str = "") -> str:
    p95 = statistics.quantiles(timings, n=20)[-1]
    return (f"{label:<34}{statistics.median(timings) * 1000:>10.1f}{p95 * 1000:>9.1f}"
            f"{max(timings) * 1000:>9.1f}  {extra}")


def main() -> None:
    args = parse_args()
    with throwaway_database(args) as database:
        setup_django()
        from django.conf import settings
        from django.db import connection, connections
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from documents.compare import compare, summary_phrases
        from documents.services import version_create
        from plangov import clock as plangov_clock
        from tests.conftest import build_world, make_plan

        settings.ALLOWED_HOSTS = ["*"]
        plangov_clock.source = ThreadClock()
        plangov_clock.source.set(START)
        try:
            rng = random.Random(args.seed)
            world = build_world()
            plan = make_plan(world)
            old = version_create(plan=plan, actor=world.lead,
                                 content=first_version(rng, args)).content
            new = version_create(plan=plan, actor=world.lead,
                                 content=second_version(rng, old)).content
            result = compare(old, new)
            service = timed(lambda: compare(old, new), args.runs)

            client = Client()
            client.force_login(world.board_secretary)
            url = f"/plans/{plan.pk}/versions/compare/?from=1&to=2"
            api = f"/api/v1/plans/{plan.pk}/versions/compare/?from=1&to=2"
            sizes, queries = {}, {}
            for name, address in (("page", url), ("api", api)):
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(address)
                assert response.status_code == 200, response.content[:500]
                sizes[name], queries[name] = len(response.content), len(captured)
            page = timed(lambda: client.get(url), args.runs)
            api_timings = timed(lambda: client.get(api), args.runs)
        finally:
            connections.close_all()

    print(f"\nplangov: comparing two versions of a plan — {database}")
    print(f"version 1: {len(old['outcomes'])} outcomes, "
          f"{sum(len(o['priorities']) for o in old['outcomes'])} priorities, "
          f"{len(old['indicators'])} indicators, {len(old['actions'])} actions, a vision of "
          f"{len(old['vision'].split())} words")
    print(f"version 2: {len(new['outcomes'])} outcomes, "
          f"{sum(len(o['priorities']) for o in new['outcomes'])} priorities, "
          f"{len(new['indicators'])} indicators, {len(new['actions'])} actions")
    print(f"changes found ({result['total']}): " + "; ".join(summary_phrases(result)))
    print(f"\n{args.runs} runs each, after one warm-up\n")
    header = f"{'':<34}{'p50 ms':>10}{'p95 ms':>9}{'max ms':>9}"
    print(header)
    print("-" * len(header))
    print(line("compare service (no database)", service))
    print(line("compare page (HTML)", page,
               f"{sizes['page'] / 1024:.0f} KiB, {queries['page']} queries"))
    print(line("compare API (JSON)", api_timings,
               f"{sizes['api'] / 1024:.0f} KiB, {queries['api']} queries"))
    p95 = max(statistics.quantiles(t, n=20)[-1] for t in (service, page, api_timings))
    print(f"\ntarget p95 under 200 ms: {'met' if p95 < 0.2 else 'NOT met'} "
          f"(worst p95 {p95 * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
