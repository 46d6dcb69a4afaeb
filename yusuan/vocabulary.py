"""The vocabulary of the templates (yusuan/vocabulary.yaml), loaded once and validated.

A wrong entry (an unknown key, a facet that is not declared, a term that is not a valid regular
expression) is an error that names the entry, raised when the file is loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yaml")
FACETS = ("scope", "subject", "breakdown")
NONE = "none"  # a facet the title does not name


class VocabularyError(ValueError):
    """The vocabulary file is wrong; the message names the entry."""


@dataclass(frozen=True)
class TableType:
    name: str
    chinese: str  # the Chinese term, as in GLOSSARY.md
    scope: tuple[str, ...] | None  # the facet values the title must say (None: any)
    subject: tuple[str, ...]
    breakdown: tuple[str, ...] | None
    form: bool = False  # a form (绩效目标表): money blocks and text fields, not a grid of amounts
    core: bool = False  # every budget disclosure has one


@dataclass(frozen=True)
class ProseSubject:
    """What a subject printed in the prose names in the tables."""

    metric: str
    subject: re.Pattern[str]
    tables: tuple[str, ...]
    row: str  # total | first | name:<regex>
    column: str  # a regex on the leaf header path


@dataclass(frozen=True)
class Vocabulary:
    title_ends: re.Pattern[str]
    numbers: re.Pattern[str]
    chapter_number: re.Pattern[str]
    kind: dict[str, re.Pattern[str]]
    facets: dict[str, dict[str, re.Pattern[str]]]  # facet -> value -> pattern, in priority order
    table_types: tuple[TableType, ...]
    header_roles: dict[str, re.Pattern[str]]
    row_roles: dict[str, re.Pattern[str]]
    list_markers: dict[int, re.Pattern[str]]
    economic_classes: frozenset[str]
    function_classes: frozenset[str]
    prose_subjects: tuple[ProseSubject, ...]
    placeholders: dict[str, re.Pattern[str]]  # what a template leaves to fill in, by kind
    required_tables: tuple[tuple[str, ...], ...]  # besides the core tables: one of each group is printed
    units: dict[str, Decimal]  # the money units a document prints, and their value in yuan
    words: dict[str, re.Pattern[str]]  # every other wording the code matches, by name
    terms: dict[str, tuple[str, ...]]  # the words as declared (their terms)

    def word(self, name: str) -> re.Pattern[str]:
        """The pattern of the words named `name` (vocabulary.yaml: words)."""
        try:
            return self.words[name]
        except KeyError:
            raise VocabularyError(f"vocabulary.yaml declares no words {name!r}") from None

    def term(self, name: str) -> str:
        """The text of a word declared as one plain term (表), to write, not to match."""
        terms = self.terms.get(name) or ()
        if len(terms) != 1 or re.escape(terms[0]) != terms[0]:
            raise VocabularyError(f"vocabulary.yaml words {name!r} is not one plain term: {terms!r}")
        return terms[0]

    @property
    def types_by_name(self) -> dict[str, TableType]:
        return {t.name: t for t in self.table_types}

    def header_is(self, role: str, label: str) -> bool:
        return bool(self.header_roles[role].search(label))

    def row_is(self, role: str, label: str) -> bool:
        return bool(self.row_roles[role].search(label))


_TOP = {"title", "table_types", "header_roles", "row_roles", "economic_classes", "function_classes", "prose_subjects",
        "placeholders", "required_tables", "units", "words"}
_PROSE = {"metric", "subject", "tables", "row", "column"}
_TITLE = {"ends", "numbers", "chapter_number", "kind", *FACETS}
_TYPE = {"chinese", *FACETS, "form", "core"}
_HEADER_ROLES = {"code", "code_part", "name", "primary_name", "line_number", "column_number", "total", "subtotal",
                 "basic", "personnel", "public", "project", "income_side", "expenditure_side", "text_only",
                 "performance_grid", "memo", "previous_year", "change"}
_ROW_ROLES = {"total", "list_marker", "column_numbers_label"}


def _compile(terms: Any, where: str) -> re.Pattern[str]:
    if isinstance(terms, str):
        terms = [terms]
    if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
        raise VocabularyError(f"{where}: expected a term or a list of terms, got {terms!r}")
    try:
        return re.compile("|".join(f"(?:{t})" for t in terms))
    except re.error as e:
        raise VocabularyError(f"{where}: not a valid regular expression: {e}") from e


def _unknown(keys: Any, allowed: set[str], where: str) -> None:
    extra = sorted(set(keys) - allowed)
    if extra:
        raise VocabularyError(f"{where}: unknown key(s) {extra}; allowed: {sorted(allowed)}")


def _values(spec: dict[str, Any], facet: str, declared: dict[str, Any], where: str) -> tuple[str, ...] | None:
    if facet not in spec:
        return None
    raw = spec[facet]
    values = tuple(raw) if isinstance(raw, list) else (raw,)
    for v in values:
        if v != NONE and v not in declared:
            raise VocabularyError(f"{where}: {facet} {v!r} is not declared under title.{facet} "
                                  f"(declared: {sorted(declared)} or {NONE!r})")
    return values


def _table_types(data: dict[str, Any], facets: dict[str, dict[str, re.Pattern[str]]], source: str) -> list[TableType]:
    types = []
    for name, spec in (data["table_types"] or {}).items():
        where = f"{source}: table_types.{name}"
        if not isinstance(spec, dict):
            raise VocabularyError(f"{where}: expected a mapping")
        _unknown(spec, _TYPE, where)
        if "chinese" not in spec or "subject" not in spec:
            raise VocabularyError(f"{where}: needs 'chinese' and 'subject'")
        subject = _values(spec, "subject", facets["subject"], where)
        assert subject is not None
        types.append(TableType(name=name, chinese=str(spec["chinese"]), scope=_values(spec, "scope", facets["scope"], where),
                               subject=subject, breakdown=_values(spec, "breakdown", facets["breakdown"], where),
                               form=bool(spec.get("form")), core=bool(spec.get("core"))))
    return types


def _prose_subjects(data: dict[str, Any], known: set[str], source: str) -> list[ProseSubject]:
    subjects = []
    for i, entry in enumerate(data["prose_subjects"] or []):
        where = f"{source}: prose_subjects[{i}]"
        _unknown(entry, _PROSE, where)
        if set(entry) != _PROSE:
            raise VocabularyError(f"{where}: needs {sorted(_PROSE)}")
        unknown = sorted(set(entry["tables"]) - known)
        if unknown:
            raise VocabularyError(f"{where}: unknown table type(s) {unknown}")
        if not (entry["row"] in ("total", "first") or str(entry["row"]).startswith("name:")):
            raise VocabularyError(f"{where}: row must be total, first or name:<regex>, got {entry['row']!r}")
        _compile(entry["column"], f"{where}.column")
        subjects.append(ProseSubject(metric=entry["metric"], subject=_compile(entry["subject"], f"{where}.subject"),
                                     tables=tuple(entry["tables"]), row=entry["row"], column=entry["column"]))
    return subjects


def _roles(data: dict[str, Any], source: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header = data["header_roles"]
    _unknown(header, _HEADER_ROLES, f"{source}: header_roles")
    absent = sorted(_HEADER_ROLES - set(header))
    if absent:
        raise VocabularyError(f"{source}: header_roles lacks {absent}")
    rows = data["row_roles"]
    _unknown(rows, _ROW_ROLES, f"{source}: row_roles")
    return header, rows


def _units_and_words(data: dict[str, Any],
                     source: str) -> tuple[dict[str, Decimal], dict[str, re.Pattern[str]], dict[str, tuple[str, ...]]]:
    units = data["units"]
    if not isinstance(units, dict) or not all(isinstance(v, int) and v > 0 for v in units.values()):
        raise VocabularyError(f"{source}: units: expected unit: its value in yuan (a positive integer), got {units!r}")
    words = data["words"] or {}
    if not isinstance(words, dict):
        raise VocabularyError(f"{source}: words: expected a mapping of name: pattern")
    return ({str(k): Decimal(v) for k, v in units.items()},
            {str(k): _compile(v, f"{source}: words.{k}") for k, v in words.items()},
            {str(k): tuple(v) if isinstance(v, list) else (str(v),) for k, v in words.items()})


def parse_vocabulary(data: Any, source: str = "vocabulary") -> Vocabulary:
    """Validate and compile the vocabulary given as parsed YAML."""
    if not isinstance(data, dict):
        raise VocabularyError(f"{source}: expected a mapping at the top")
    _unknown(data, _TOP, source)
    missing = sorted(_TOP - set(data))
    if missing:
        raise VocabularyError(f"{source}: missing {missing}")
    title = data["title"]
    _unknown(title, _TITLE, f"{source}: title")
    facets = {facet: {value: _compile(terms, f"{source}: title.{facet}.{value}")
                      for value, terms in (title.get(facet) or {}).items()} for facet in FACETS}
    types = _table_types(data, facets, source)
    header, rows = _roles(data, source)
    known = {t.name for t in types}
    required = tuple(tuple(group) for group in data["required_tables"] or [])
    unknown_required = sorted({t for group in required for t in group} - known)
    if unknown_required:
        raise VocabularyError(f"{source}: required_tables names unknown table type(s) {unknown_required}")
    units, words, terms = _units_and_words(data, source)
    return Vocabulary(
        title_ends=_compile(title["ends"], f"{source}: title.ends"),
        numbers=_compile(title["numbers"], f"{source}: title.numbers"),
        chapter_number=_compile(title["chapter_number"], f"{source}: title.chapter_number"),
        kind={k: _compile(v, f"{source}: title.kind.{k}") for k, v in (title.get("kind") or {}).items()},
        facets=facets, table_types=tuple(types),
        header_roles={k: _compile(v, f"{source}: header_roles.{k}") for k, v in header.items()},
        row_roles={k: _compile(v, f"{source}: row_roles.{k}") for k, v in rows.items() if k != "list_marker"},
        list_markers={int(level): _compile(p, f"{source}: row_roles.list_marker.{level}")
                      for level, p in (rows.get("list_marker") or {}).items()},
        economic_classes=frozenset(data["economic_classes"]) - frozenset(data["function_classes"]),
        function_classes=frozenset(data["function_classes"]) - frozenset(data["economic_classes"]),
        prose_subjects=tuple(_prose_subjects(data, known, source)),
        placeholders={k: _compile(v, f"{source}: placeholders.{k}") for k, v in (data["placeholders"] or {}).items()},
        required_tables=required, units=units, words=words, terms=terms,
    )


def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    return parse_vocabulary(yaml.safe_load(Path(path).read_text(encoding="utf-8")), str(path))


@cache
def vocabulary() -> Vocabulary:
    """The project's vocabulary, loaded once per process."""
    return load_vocabulary()
