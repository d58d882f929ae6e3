"""ExternalSubmissionFlow: a review's submission to an outside body by a fixed date, as a
tiny viewflow process of its own beside AnnualReviewFlow (a submission may go before the
executive approves the review, so it cannot wait in the review's own sequence).

    start (handle) ──▶ submit (the lead officer's task, due on the deadline) ──▶ end

The task is an ordinary TaskInfo'd task (kind EXTERNAL_SUBMISSION, review set, no body), so
workflows.deadlines reminds the lead officer and their deputy before the deadline and
escalates once after it, and the inbox lists it. workflows.reviews.external's services start
the process and complete the task; the flow only maps it."""

from __future__ import annotations

from typing import Any

from viewflow import this
from viewflow.workflow import nodes
from viewflow.workflow.base import Flow
from viewflow.workflow.lock import SelectForUpdateLock
from viewflow.workflow.nodes.view import ViewActivation

from documents.models import ExternalSubmission, Review
from governance import policy

from ..models import AnnualReviewProcess, TaskKind
from .routing import review_task_info_create


class SubmissionActivation(ViewActivation):
    @classmethod
    def create(cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None,
               seed: Any = None) -> Any:
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        submission = ExternalSubmission.objects.get(
            review_id=activation.task.process.artifact_object_id)
        review_task_info_create(task=activation.task, kind=TaskKind.EXTERNAL_SUBMISSION,
                                body=None, due_on=submission.deadline)
        return activation


class SubmissionTask(nodes.View):
    activation_class = SubmissionActivation

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(view=None, **kwargs)

    def can_assign(self, user: Any, task: Any) -> bool:
        return task.owner_id is None and bool(policy.can_lead(task.info.plan, user))

    def can_execute(self, user: Any, task: Any) -> bool:
        return bool(policy.can_lead(task.info.plan, user))


class ExternalSubmissionFlow(Flow):
    process_class = AnnualReviewProcess
    process_title = "External submission of a review"
    lock_impl = SelectForUpdateLock(nowait=False, attempts=1)

    start = nodes.StartHandle(this.start_process).Next(this.submit)

    submit = (
        SubmissionTask()
        .Annotation(title="Submit the review externally")
        .Next(this.end)
    )

    end = nodes.End()

    def start_process(self, activation: Any, review: Review) -> Any:
        activation.process.artifact = review
        return activation.process
