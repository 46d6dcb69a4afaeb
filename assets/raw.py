"""Raw stage: register each report's PDF (hash, size, pages, producer, encryption, text layer)."""


import dagster as dg

from assets.partitions import reports_partitions
from pipelines.resources import YusuanConfig
from yusuan import warehouse
from yusuan.register import register_pdf
from yusuan.store import stored_file


@dg.asset(
    partitions_def=reports_partitions,
    group_name="raw",
    kinds={"pdf", "duckdb"},
    pool="duckdb_write",
    description="The report's PDF, registered in budget.reports. An unreadable file is rejected with its reason.",
)
def raw_reports(context: dg.AssetExecutionContext, yusuan: YusuanConfig) -> dg.MaterializeResult:  # type: ignore[type-arg]
    report_id = context.partition_key
    stored = stored_file(yusuan.store_dir(), report_id)
    reg = register_pdf(stored.path, max_pages=yusuan.page_limit(), display_name=stored.file_name)
    with yusuan.connect() as con:
        warehouse.record_registration(con, reg, status="registered" if reg.readable else "rejected",
                                      reason=reg.problem)
    meta = {"file": stored.file_name, "sha256": reg.sha256, "bytes": reg.size_bytes, "pages": reg.pages or 0,
            "producer": reg.producer or "", "encrypted": reg.encrypted, "text_layer": reg.has_text_layer}
    if not reg.readable:
        yusuan.publish()  # the report is final: rejected
        context.log.warning(f"{stored.file_name} [{report_id}] raw: rejected: {reg.problem}")
        raise dg.Failure(description=f"{stored.file_name}: rejected: {reg.problem}",
                         metadata={**meta, "status": "rejected", "reason": reg.problem or ""},
                         allow_retries=False)
    context.log.info(f"{stored.file_name} [{report_id}] raw: registered, {reg.pages} pages")
    return dg.MaterializeResult(metadata={**meta, "status": "registered"})
