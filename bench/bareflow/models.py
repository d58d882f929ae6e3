"""The flow's process: a proxy of viewflow's own Process, so no table and no migration."""

from viewflow.workflow.models import Process


class BareProcess(Process):
    class Meta:
        proxy = True
