"""The one partitioning shared by every stage: a dynamic partition per report (its key, `r` and 16 hex digits,
says nothing to a reader: the assets name the file and the department in their metadata)."""

import dagster as dg

from yusuan.stages import Settings

reports_partitions = dg.DynamicPartitionsDefinition(name="reports")


def staged_department(settings: Settings, report_id: str) -> str:
    """The department the extraction read (its staged identity); empty when there is none."""
    from yusuan.warehouse import read_staged_report

    try:
        identity = read_staged_report(settings.extraction_dir(report_id)).get("identity") or {}
    except (OSError, ValueError):
        return ""
    return str(identity.get("department") or "")
