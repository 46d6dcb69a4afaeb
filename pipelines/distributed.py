"""The batch job on a distributed executor: the same graph (`ingest_batch`) run by dagster-celery,
whose workers take the steps from a broker (Redis, RabbitMQ). The workers share the data folder
(`store/`, `staging/`) and the Dagster instance; the single writer is still `publish_batch`.

    dagster-celery worker start -A dagster_celery.app -y celery.yaml     # on each worker machine
    (celery.yaml: execution: {config: {broker: "redis://HOST:6379/0", backend: "redis://HOST:6379/0"}})

Run it with `dg.execute_job(dg.reconstructable(celery_batch_job), instance, run_config)`, with the same
broker and backend under `execution: {config: ...}` in the run config.
"""

import dagster as dg

from pipelines.jobs import ingest_batch
from pipelines.resources import YusuanConfig


def celery_batch_job() -> dg.JobDefinition:
    from dagster_celery import celery_executor

    return ingest_batch.to_job(name="ingest_batch_job_celery", executor_def=celery_executor,
                               resource_defs={"yusuan": YusuanConfig()},
                               description="Ingest a batch of reports through celery workers, then one publish.")
