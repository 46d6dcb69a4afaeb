"""The rules of the identity catalog, one module per family; importing this package registers every rule.

- `rows`: a total column against the columns it totals, row by row; a form's shares;
- `totals`: a total row against the rows it totals (codes, indentation, numbered items, form blocks);
- `codes`: a classification code against its children;
- `cross_table`: one defined figure printed in two tables;
- `projects`: the project list against the performance forms;
- `preservation`: nothing lost between the extracted and the conformed stage;
- `prose`: the figures the narrative states, against the tables and against each other;
- `wording`: the words beside the figures (目录, years, comparison words, reasons, placeholders);
- `across`: what one report states of another report of the same body.

A new family is a new module here: it is imported, and its rules registered, with the package.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
