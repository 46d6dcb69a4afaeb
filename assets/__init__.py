"""Dagster assets, one module per stage: raw -> extracted -> conformed."""
