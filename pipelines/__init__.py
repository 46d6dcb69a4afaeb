"""The Dagster code location (Definitions, jobs, sensor, schedule, resources) and the CLI."""
