"""The single code location: assets per stage, the jobs, the inbox sensor and the nightly schedule."""


import dagster as dg

from assets.across import across_reports
from assets.conformed import conformed_facts
from assets.extracted import extracted_cells, line_items
from assets.raw import raw_reports
from pipelines.jobs import ingest_batch_job, ingest_job
from pipelines.resources import YusuanConfig
from pipelines.sensors import inbox_sensor, nightly_schedule
from pipelines.signals import interruptible

interruptible()  # in every process that loads the code location: the daemon's, the webserver's, the runs'

defs = dg.Definitions(
    assets=[raw_reports, extracted_cells, line_items, conformed_facts, across_reports],
    jobs=[ingest_job, ingest_batch_job],
    sensors=[inbox_sensor],
    schedules=[nightly_schedule],
    resources={"yusuan": YusuanConfig()},
)


def batch_job() -> dg.JobDefinition:
    """The batch job with its resources, for `dg.reconstructable` (the multiprocess executor
    rebuilds it in every step process)."""
    return defs.resolve_job_def("ingest_batch_job")
