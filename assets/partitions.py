"""The one partitioning shared by every stage: a dynamic partition per report."""

import dagster as dg

reports_partitions = dg.DynamicPartitionsDefinition(name="reports")
