"""The identities of a report, checked.

- `catalog`: the identity catalog (expectations/identities.yaml), loaded and validated;
- `rules`: each rule of the catalog evaluated on one report, in DuckDB SQL;
- `prose`: the figures stated in the narrative checked against the tables and against each other;
- `instance`: one evaluated instance and its verdict;
- `suites`: the great-expectations suites that check the instances at each stage boundary;
- `results`: waivers, budget.check_results, and what the results say of a report's status.
"""
