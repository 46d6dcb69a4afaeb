"""One job for the whole flow of a report, run in-process (Dagster's per-step start-up costs
seconds; reports run in parallel as separate runs, writes serialised by the duckdb_write pool)."""

import dagster as dg

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.groups("raw", "extracted", "conformed"),
    executor_def=dg.in_process_executor,
    description="Register, extract and load one report (one partition of `reports`).",
)
