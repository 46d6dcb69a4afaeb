"""The rules of the identity catalog, evaluated on one report in DuckDB SQL.

Each rule of the catalog has one evaluator here. An evaluator returns instances: the two sides of
one identity on one row, column or pair of tables, with the tolerance that the rounding of the
printed figures allows. Nothing is compared in Python floats: sides are DECIMAL from DuckDB.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property
from typing import Any, NamedTuple

import duckdb

from yusuan.checks.catalog import Identity
from yusuan.checks.instance import Instance, Source
from yusuan.conform import ECONOMIC_TABLES
from yusuan.money import plain
from yusuan.vocabulary import vocabulary

# ---- the report's amounts, with half a unit of their last printed digit -----------------------

_PREPARE = """
CREATE OR REPLACE TEMP TABLE li AS
SELECT l.*, t.title,
       CASE WHEN strpos(replace(l.raw_text, ',', ''), '.') > 0
            THEN length(split_part(replace(replace(l.raw_text, ',', ''), '-', ''), '.', 2)) ELSE 0 END AS decimals
FROM budget.line_items l JOIN extracted.tables t USING (report_id, table_seq)
WHERE l.report_id = ? AND l.amount IS NOT NULL;
ALTER TABLE li ADD COLUMN half DECIMAL(24, 10);
UPDATE li SET half = CAST(0.5 AS DECIMAL(24, 10)) / CAST(pow(10, decimals) AS DECIMAL(24, 0));
ALTER TABLE li ADD COLUMN half_yuan DECIMAL(30, 10);
UPDATE li SET half_yuan = half * CASE unit WHEN '元' THEN 1 WHEN '千元' THEN 1000 WHEN '万元' THEN 10000
                                           WHEN '亿元' THEN 100000000 END;
"""

# the printed text and the box of a line item, as the rules read them beside its amount
_BOX = "raw_text, x0, top, x1, bottom"
# one line item's page, box and printed text, as a struct (Source.from_record reads it)
_ONE = "struct_pack(page := {t}.page, x0 := {t}.x0, top := {t}.top, x1 := {t}.x1, bottom := {t}.bottom, " \
       "printed := {t}.raw_text)"
# the same, aggregated over the rows of a group (the terms of a sum)
_BOXES = "list(struct_pack(page := {t}.page, x0 := {t}.x0, top := {t}.top, x1 := {t}.x1, bottom := {t}.bottom, " \
         "printed := {t}.raw_text) ORDER BY {t}.row_seq) FILTER (WHERE {t}.page IS NOT NULL)"

_LEVEL1 = r"^[一二三四五六七八九十廿]+、"
_LEVEL2 = r"^([（(][一二三四五六七八九十廿]+[)）]|\d+[.．、])"


class Line(NamedTuple):
    """One amount of a table, as the row-walking rules read it."""

    table_seq: int
    column: str
    row_seq: int
    name: str
    amount: Decimal
    half: Decimal
    table_type: str | None
    table_no: str | None
    page: int
    unit: str | None
    row_level: int | None
    row_kind: str | None
    raw_text: str | None = None
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None


class Selected(NamedTuple):
    """One figure a cross-table selector picks: as printed, in yuan, with half a unit of its last digit."""

    printed: Decimal
    yuan: Decimal
    half: Decimal
    table_type: str | None
    table_no: str | None
    page: int | None
    unit: str | None
    row_name: str | None
    column: str
    raw_text: str | None = None
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None

    @property
    def table(self) -> str:
        return self.table_no or self.table_type or ""

    @property
    def as_printed(self) -> str:
        """The figure's text on the page (a row the table does not print: its 0)."""
        return self.raw_text or plain(self.printed)


class FundLine(NamedTuple):
    """An income line of a 收支总表-style table that names one fund."""

    name: str
    yuan: Decimal
    half: Decimal
    table_no: str | None
    page: int | None
    printed: str
    source: dict[str, Any] | None = None  # page, box and printed text of its amount


class _FormCell(NamedTuple):
    table_seq: int
    row_seq: int
    row_name: str
    column: str
    kind: str
    raw: str
    amount: Decimal | None
    page: int | None
    table_no: str | None
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None

    @property
    def raw_text(self) -> str:
        return self.raw


def _label(row: tuple[Any, ...]) -> str:
    return " ".join(str(x) for x in row if x)


class _Evaluator:
    def __init__(self, con: duckdb.DuckDBPyConnection, report_id: str) -> None:
        self.con = con
        self.report_id = report_id

    def rows(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()

    # -- row identities ---------------------------------------------------------------------
    def column_sum(self, ident: Identity) -> list[Instance]:
        tables = self.rows("""SELECT t.table_seq, t.header, t.table_type, t.table_no
                              FROM extracted.tables t WHERE report_id = ?""", [self.report_id])
        mapping: list[tuple[int, str, str]] = []
        for table_seq, header, _, _ in tables:
            money = [c for (c,) in self.rows("SELECT DISTINCT column_name FROM li WHERE table_seq = ?",
                                             [table_seq])]
            columns = [h for h in header if h in money] + [c for c in money if c not in header]
            for total, parts in column_sum_map(columns):
                mapping += [(table_seq, total, p) for p in parts]
        if not mapping:
            return []
        self.con.execute("CREATE OR REPLACE TEMP TABLE colmap (table_seq INTEGER, total_col VARCHAR, part_col VARCHAR, "
                         "ord INTEGER)")
        self.con.executemany("INSERT INTO colmap VALUES (?, ?, ?, ?)", [m + (i,) for i, m in enumerate(mapping)])
        found = self.rows("""
            SELECT t.table_type, t.table_no, t.title, t.page, t.row_seq, coalesce(t.row_code, t.row_name, ''),
                   m.total_col, any_value(t.amount), coalesce(sum(p.amount), 0), count(*),
                   any_value(t.half) + coalesce(sum(p.half), 0),
                   string_agg(m.part_col, ' + ' ORDER BY m.ord), any_value(t.unit), """ + _BOXES.format(t="t") + ", "
            + _BOXES.format(t="p") + """
            FROM li t JOIN colmap m ON t.table_seq = m.table_seq AND t.column_name = m.total_col
            LEFT JOIN li p ON p.table_seq = t.table_seq AND p.row_seq = t.row_seq AND p.column_name = m.part_col
            GROUP BY t.table_seq, t.table_type, t.table_no, t.title, t.page, t.row_seq, t.row_code, t.row_name,
                     m.total_col
            ORDER BY t.table_type, t.row_seq""")
        return [self._with_sources(self._inst(ident, f"{no or ttype} row {row}: {col} = {parts}", lhs, rhs, half,
                                              ttype, no, page, unit), whole[:1], terms)
                for ttype, no, _title, page, _seq, row, col, lhs, rhs, n, half, parts, unit, whole, terms in found]

    # -- totals -----------------------------------------------------------------------------
    def total_row(self, ident: Identity) -> list[Instance]:
        """合计 = Σ the top-level codes. A total printed above the codes totals them all; totals printed under
        them each close the codes since the total before (人员经费合计 under 301, 303 … 公用经费合计 under 302,
        310 in a 决算's economic table). A top-level code of another length than the others (7 11 02 read as
        71102 beside 201, 208, 221) is printed outside the hierarchy: the sum is read without it, and where
        that does not hold either the instance is not evaluated (the reading is doubtful)."""
        found = self.rows("""
            WITH coded AS (SELECT DISTINCT table_seq, row_code FROM li WHERE row_code IS NOT NULL),
                 top AS (SELECT c.*, length(c.row_code) = mode(length(c.row_code)) OVER (PARTITION BY c.table_seq)
                                  AS in_hierarchy
                         FROM coded c WHERE NOT EXISTS (
                     SELECT 1 FROM coded p WHERE p.table_seq = c.table_seq AND p.row_code <> c.row_code
                       AND starts_with(c.row_code, p.row_code))),
                 first_code AS (SELECT table_seq, min(row_seq) AS seq FROM li WHERE row_code IS NOT NULL GROUP BY 1),
                 all_tot AS (SELECT li.*, f.seq AS first_code,
                                    lag(li.row_seq) OVER (PARTITION BY li.table_seq, li.column_name
                                                          ORDER BY li.row_seq) AS prev_seq,
                                    row_number() OVER (PARTITION BY li.table_seq, li.column_name ORDER BY li.row_seq) AS k
                             FROM li JOIN first_code f USING (table_seq)
                             WHERE li.row_kind = 'total' AND li.row_code IS NULL
                               AND li.table_seq IN (SELECT table_seq FROM coded GROUP BY 1 HAVING count(*) >= 2)),
                 heads AS (SELECT table_seq, column_name, bool_or(k = 1 AND row_seq < first_code) AS heads
                           FROM all_tot GROUP BY 1, 2),
                 tot AS (SELECT a.*, h.heads FROM all_tot a JOIN heads h USING (table_seq, column_name)
                         WHERE (h.heads AND a.k = 1) OR NOT h.heads)
            SELECT t.table_type, t.table_no, t.page, t.column_name, t.amount,
                   coalesce(sum(c.amount), 0), coalesce(sum(c.amount) FILTER (WHERE c.in_hierarchy), 0),
                   count(DISTINCT c.row_code), t.half + coalesce(sum(c.half), 0),
                   t.half + coalesce(sum(c.half) FILTER (WHERE c.in_hierarchy), 0), t.unit, coalesce(t.row_name, '合计'),
                   string_agg(DISTINCT c.row_code, ', ') FILTER (WHERE NOT c.in_hierarchy),
                   struct_pack(page := t.page, x0 := t.x0, top := t.top, x1 := t.x1, bottom := t.bottom,
                               printed := t.raw_text), """ + _BOXES.format(t="c") + """
            FROM tot t
            LEFT JOIN (SELECT li.*, top.in_hierarchy FROM li JOIN top USING (table_seq, row_code)) c
                 ON c.table_seq = t.table_seq AND c.column_name = t.column_name
                AND (t.heads OR (c.row_seq > coalesce(t.prev_seq, -1) AND c.row_seq < t.row_seq))
            GROUP BY t.table_seq, t.table_type, t.table_no, t.page, t.column_name, t.amount, t.half, t.unit, t.row_name,
                     t.row_seq, t.heads, t.x0, t.top, t.x1, t.bottom, t.raw_text
            HAVING t.heads OR count(c.row_code) > 0
            ORDER BY t.table_type, t.column_name, t.row_seq""")
        out = []
        for ttype, no, page, col, lhs, rhs, rhs_in, n, half, half_in, unit, name, outside, whole, terms in found:
            inst = self._with_sources(self._inst(ident, f"{no or ttype} {name}: {col} = Σ top-level codes ({n})", lhs,
                                                 rhs, half, ttype, no, page, unit), [whole], terms)
            if outside:
                reread = self._with_sources(self._inst(ident, inst.instance, lhs, rhs_in, half_in, ttype, no, page,
                                                       unit), [whole], terms)
                if reread.passed:
                    inst = reread
                    inst.reading = f"without {outside}, printed outside the code hierarchy (a misprinted code)"
                else:
                    inst.not_evaluated = f"{outside} is printed outside the code hierarchy: the sum is doubtful"
            out.append(inst)
        return out

    def _columns(self, where: str) -> dict[tuple[int, str], list[Line]]:
        """The amounts of the tables matching `where`, per (table, money column), in printed order."""
        out: dict[tuple[int, str], list[Line]] = {}
        for r in self.rows(f"""SELECT table_seq, column_name, row_seq, coalesce(row_name, ''), amount, half,
                                      table_type, table_no, page, unit, row_level, row_kind, {_BOX}
                               FROM li WHERE {where} ORDER BY table_seq, column_seq, row_seq"""):
            out.setdefault((r[0], r[1]), []).append(Line(*r))
        return out

    def _side_rows(self) -> dict[tuple[int, str], list[Line]]:
        """Rows of the side-by-side tables (收支总表, 财政拨款收支总表)."""
        return self._columns("table_type IN ('summary', 'fiscal_summary')")

    def listed_items(self, ident: Identity) -> list[Instance]:
        found: list[Instance] = []
        for (_, col), rows in self._side_rows().items():
            for i, r in enumerate(rows):
                name = r.name
                if re.match(_LEVEL1, name):  # 一、本年收入 = Σ （一）（二）… printed under it
                    kids = []
                    for k in rows[i + 1:]:
                        if re.match(_LEVEL2, k.name):
                            kids.append(k)
                        else:
                            break
                    if kids:
                        found.append(self._sum(ident, f"{r.table_no or r.table_type} {name}: {col} = Σ {len(kids)} sub-items",
                                               r, kids))
                elif re.search(r"(合计|小计)$", name) and not re.search("总计$", name):
                    items = [k for k in rows[:i] if re.match(_LEVEL1, k.name)]
                    if items:
                        found.append(self._sum(ident, f"{r.table_no or r.table_type} {name}: {col} = Σ {len(items)} items", r,
                                               items))
                    break
        return found

    def grand_total(self, ident: Identity) -> list[Instance]:
        """收入总计 = 本年收入合计 + 上年结转结余; where the parts are numbered (一、本年支出合计 … 二、年终结转结余,
        or 一、财政拨款 … 二、上年结转结余 without a 合计 line), the numbered lines. Lines numbered anew after the
        合计 (一、一般公共预算拨款 under 上年结转结余) are the parts of a part, not terms."""
        found: list[Instance] = []
        for (_, col), rows in self._side_rows().items():
            for i, r in enumerate(rows):
                if not re.search("总计$", r.name):
                    continue
                sub = [k for k in rows[:i] if re.search(r"(合计|小计)$", k.name) and not re.search("总计$", k.name)]
                if sub and not re.match(_LEVEL1, sub[0].name):
                    j = rows.index(sub[0])
                    after = [k for k in rows[j + 1:i] if k.name and not re.match(_LEVEL2, k.name)
                             and not re.match(_LEVEL1, k.name)]
                    # a line indented under another (一般公共预算财政拨款 under 年初财政拨款结转和结余) is its part
                    levels = [k.row_level for k in after if k.row_level is not None]
                    terms = [sub[0]] + [k for k in after if k.row_level is None or k.row_level == min(levels)]
                    desc = " + ".join(k.name for k in terms)
                else:
                    terms = [k for k in rows[:i] if re.match(_LEVEL1, k.name)]
                    desc = " + ".join(k.name for k in terms) if sub else f"Σ {len(terms)} items"
                if terms:
                    found.append(self._sum(ident, f"{r.table_no or r.table_type} {r.name}: {col} = {desc}", r, terms))
                break
        return found

    def sides_balance(self, ident: Identity) -> list[Instance]:
        found: list[Instance] = []
        by_table: dict[int, dict[str, Line]] = {}
        for (table_seq, col), rows in self._side_rows().items():
            side = "income" if re.match(r"^[^/]*收入", col) else "expenditure" if re.match(r"^[^/]*支出", col) else None
            totals = [r for r in rows if re.search(r"(总计|合计)$", r.name) and not re.search("小计$", r.name)]
            if side and totals and side not in by_table.setdefault(table_seq, {}):
                by_table[table_seq][side] = totals[-1]
        for sides in by_table.values():
            if "income" in sides and "expenditure" in sides:
                inc, exp = sides["income"], sides["expenditure"]
                inst = self._inst(ident, f"{inc.table_no or inc.table_type} {inc.name} = {exp.name}", inc.amount,
                                  exp.amount, max(inc.half, exp.half), inc.table_type, inc.table_no, inc.page, inc.unit)
                inst.compared = [Source.of("lhs", inc), Source.of("rhs", exp)]
                found.append(inst)
        return found

    def form_section_totals(self, ident: Identity) -> list[Instance]:
        """A performance form's money section of label | amount pairs (项目资金（元）| 年度资金申请总额 | … /
        其中：当年财政拨款 | … / 上年结转资金 | … / 其他资金 | …): in each column of pairs, the amount whose label
        names a total (总额, 合计) = the amounts printed under it."""
        found: list[Instance] = []
        by_position: dict[tuple[int, str, int], list[Line]] = {}
        for *line, column_seq in self.rows(
                f"""SELECT table_seq, column_name, row_seq, coalesce(row_name, ''), amount, half, table_type, table_no,
                          page, unit, row_level, row_kind, {_BOX}, column_seq
                   FROM li WHERE table_type IN ('overall_performance', 'project_performance')
                     AND regexp_matches(coalesce(row_name, ''), '资金') ORDER BY table_seq, column_seq, row_seq"""):
            r = Line(*line)
            by_position.setdefault((r.table_seq, r.name, column_seq), []).append(r)
        for (_, section, _), rows in by_position.items():
            if len(rows) >= 3 and re.search(r"(总额|合计|总计)[:：]?$", rows[0].column) \
                    and not any(re.search(r"(总额|合计|总计)[:：]?$", r.column) for r in rows[1:]):
                found.append(self._sum(ident, f"{rows[0].table_no or rows[0].table_type} {section}: "
                                              f"{rows[0].column} = " + " + ".join(r.column for r in rows[1:]),
                                       rows[0], rows[1:]))
        return found

    def project_forms_within_projects(self, ident: Identity) -> list[Instance]:
        """项目支出 (支出总表 合计) ≥ Σ the project forms' funding totals: the forms cover some or all of the
        projects, never more than they spend."""
        forms = self.rows(f"""SELECT table_seq, amount_yuan, half_yuan, table_no, page, {_ONE.format(t="li")} FROM li
                             WHERE table_type = 'project_performance'
                               AND regexp_matches(column_name, '(总额|合计|总计)[:：]?$')
                             QUALIFY row_number() OVER (PARTITION BY table_seq ORDER BY row_seq, column_seq) = 1""")
        total = self._select({"table": ["expenditure"], "row": "total", "column": r"(^|/)项目支出$"})
        if len(forms) < 2 or total is None:
            return []
        inst = self._inst(ident, f"{total.table_no or 'expenditure'} 合计 项目支出 ≥ Σ {len(forms)} project forms' "
                                 "funding (yuan)", total.yuan, sum((f[1] for f in forms), Decimal(0)),
                          total.half + sum((f[2] for f in forms), Decimal(0)), "expenditure", total.table_no,
                          total.page, "元")
        inst.relation = "covers"
        inst.compared = [Source.of("lhs", total)] + [Source.from_record("rhs", f[5]) for f in forms]
        return [inst]

    def form_block_totals(self, ident: Identity) -> list[Instance]:
        """In a form's funding block, a 合计 row equals the rows it closes (above it) or opens (below it);
        '其中' rows are parts of a part and not summed."""
        found: list[Instance] = []
        groups = self._columns("table_type IN ('overall_performance', 'project_performance')")
        for (_, col), rows in groups.items():
            last_total = -1
            for i, r in enumerate(rows):
                if r.name != "合计":
                    continue
                before = [k for k in rows[last_total + 1:i] if not k.name.startswith("其中")]
                if not before:
                    after = []
                    for k in rows[i + 1:]:
                        if k.name == "合计":
                            break
                        if not k.name.startswith("其中"):
                            after.append(k)
                    terms, where = after, "below"
                else:
                    terms, where = before, "above"
                if terms:
                    found.append(self._sum(ident, f"{r.table_no or r.table_type} 合计: {col} = Σ {len(terms)} rows {where}",
                                           r, terms))
                last_total = i
        return found

    def indent_hierarchy(self, ident: Identity) -> list[Instance]:
        """Tables whose rows nest by indentation (项目支出表): a row = Σ the rows one level deeper
        printed under it; the total row, where a column has one, = Σ the outermost rows. (A column closed by
        several totals, 本年收入合计 … 总计, is summed by its markers: listed_items, grand_total.)"""
        groups = self._columns("table_seq IN (SELECT DISTINCT table_seq FROM li WHERE row_level IS NOT NULL)")
        found: list[Instance] = []
        for (_, col), rows in groups.items():
            single_total = sum(1 for r in rows if r.row_kind == "total" and r.row_level is None) == 1
            for i, r in enumerate(rows):
                if r.row_kind == "total" and r.row_level is None:
                    if not single_total:
                        continue
                    kids = [k for k in rows if k.row_level == 0]
                elif r.row_level is not None:
                    kids = []
                    for k in rows[i + 1:]:
                        if k.row_level is None or k.row_level <= r.row_level:
                            break
                        if k.row_level == r.row_level + 1:
                            kids.append(k)
                else:
                    continue
                if kids:
                    name = r.name or "合计"
                    found.append(self._sum(ident, f"{r.table_no or r.table_type} {name}: {col} = Σ {len(kids)} rows under it",
                                           r, kids))
        return found

    # -- code hierarchy ---------------------------------------------------------------------
    def code_hierarchy(self, ident: Identity) -> list[Instance]:
        domain = ident.params["domain"]
        tables = [seq for seq, header, ttype in self.rows(
            "SELECT table_seq, header, table_type FROM extracted.tables WHERE report_id = ?", [self.report_id])
            if code_domain(header, ttype) == domain]
        if not tables:
            return []
        found = self.rows("""
            WITH coded AS (SELECT DISTINCT table_seq, row_code FROM li WHERE row_code IS NOT NULL
                             AND table_seq IN (SELECT unnest(?::INTEGER[]))),
                 edges AS (SELECT p.table_seq, p.row_code AS parent, c.row_code AS child FROM coded p
                           JOIN coded c ON c.table_seq = p.table_seq AND starts_with(c.row_code, p.row_code)
                            AND c.row_code <> p.row_code
                           WHERE NOT EXISTS (SELECT 1 FROM coded m WHERE m.table_seq = p.table_seq
                                  AND starts_with(c.row_code, m.row_code) AND starts_with(m.row_code, p.row_code)
                                  AND m.row_code NOT IN (p.row_code, c.row_code)))
            SELECT pl.table_type, pl.table_no, pl.page, pl.row_code, pl.row_name, pl.column_name, pl.amount,
                   coalesce(sum(cl.amount), 0), count(DISTINCT e.child),
                   pl.half + coalesce(sum(cl.half), 0), pl.unit,
                   struct_pack(page := pl.page, x0 := pl.x0, top := pl.top, x1 := pl.x1, bottom := pl.bottom,
                               printed := pl.raw_text), """ + _BOXES.format(t="cl") + """
            FROM edges e JOIN li pl ON pl.table_seq = e.table_seq AND pl.row_code = e.parent
            LEFT JOIN li cl ON cl.table_seq = e.table_seq AND cl.row_code = e.child AND cl.column_name = pl.column_name
            GROUP BY pl.table_seq, pl.table_type, pl.table_no, pl.page, pl.row_code, pl.row_name, pl.column_name,
                     pl.amount, pl.half, pl.unit, pl.x0, pl.top, pl.x1, pl.bottom, pl.raw_text
            ORDER BY pl.table_type, pl.row_code, pl.column_name""", [tables])
        return [self._with_sources(self._inst(ident, f"{no or ttype} {code} {name}: {col} = Σ {n} children", lhs, rhs,
                                              half, ttype, no, page, unit), [whole], terms)
                for ttype, no, page, code, name, col, lhs, rhs, n, half, unit, whole, terms in found]

    # -- across tables ----------------------------------------------------------------------
    def _select(self, sel: dict[str, Any]) -> Selected | None:
        types = sel["table"]
        row = sel.get("row", "total")
        where = ["table_type IN (SELECT unnest(?::VARCHAR[]))", "regexp_matches(column_name, ?)"]
        params: list[Any] = [types, sel["column"]]
        if row == "total":
            where.append("row_kind = 'total' AND row_code IS NULL")
        elif row.startswith("code:"):
            where.append("row_code = ?")
            params.append(row[5:])
        elif row.startswith("name:"):
            where.append("regexp_matches(coalesce(row_name, ''), ?)")
            params.append(row[5:])
        got = self.rows(f"""SELECT amount, amount_yuan, half_yuan, table_type, table_no, page, unit, row_name,
                                   column_name, {_BOX}
                            FROM li WHERE {' AND '.join(where)} ORDER BY table_seq, row_seq, column_seq LIMIT 1""",
                        params)
        return Selected(*got[0]) if got else None

    def _absent(self, sel: dict[str, Any]) -> Selected | None:
        """A zero for a row the selector's table does not print (None when the report lacks the table)."""
        got = self.rows("""SELECT table_type, table_no, page, unit FROM li
                           WHERE table_type IN (SELECT unnest(?::VARCHAR[])) ORDER BY table_seq, row_seq LIMIT 1""",
                        [sel["table"]])
        if not got:
            return None
        ttype, no, page, unit = got[0]
        row = str(sel.get("row", "")).split(":", 1)[-1]
        return Selected(Decimal(0), Decimal(0), Decimal(0), ttype, no, page, unit, f"{row} (not printed: 0)", "")


    def cross_table(self, ident: Identity) -> list[Instance]:
        """lhs = Σ rhs (or, with relation covers, lhs >= Σ rhs), each side one selected figure.

        A selector may say `optional: true` (a row its table does not print counts 0) and `named: <regex>`
        (the selected row must be named so: a code printed beside another name is a misreading, and the
        instance is not evaluated)."""
        lhs = self._select(ident.params["lhs"])
        specs = ident.params["rhs"]
        rhs = [self._select(s) for s in specs]
        if lhs is not None and lhs.yuan == 0 and ident.params.get("zero_when_absent"):
            rhs = [r if r is not None else self._absent(s) for r, s in zip(rhs, specs, strict=True)]
        rhs = [self._absent(s) if r is None and s.get("optional") else r for r, s in zip(rhs, specs, strict=True)]
        if lhs is None or any(r is None for r in rhs):
            return []
        terms = [r for r in rhs if r is not None]
        total = sum((r.yuan for r in terms), Decimal(0))
        # the same figure in two tables: half a unit of the coarser; a sum: of each printed figure
        tol = max(lhs.half, terms[0].half) if len(terms) == 1 else lhs.half + sum((r.half for r in terms), Decimal(0))
        where = " + ".join(f"{r.table} {r.row_name or ''} {r.column}".strip() for r in terms)
        relation = ident.params.get("relation", "equals")
        inst = self._inst(ident, f"{lhs.table} {lhs.row_name or ''} {lhs.column} {'≥' if relation == 'covers' else '='} "
                                 f"{where} (yuan)", lhs.yuan, total, tol, lhs.table_type, lhs.table_no, lhs.page, "元",
                          detail=f"as printed: {lhs.as_printed} {lhs.unit} vs "
                                 + ", ".join(f"{r.as_printed} {r.unit}" for r in terms))
        inst.relation = relation
        inst.compared = [Source.of("lhs", lhs)] + [Source.of("rhs", r) for r in terms if r.x0 is not None]
        for sel, got in [(ident.params["lhs"], lhs)] + list(zip(specs, rhs, strict=True)):
            if got is not None and sel.get("named") and got.column and not re.search(sel["named"], got.row_name or ""):
                inst.not_evaluated = (f"{got.table} prints {sel.get('row')} as {got.row_name}, not as "
                                      f"{sel['named']}: the row is doubtful")
        return [inst]

    def total_rows_by_column(self, ident: Identity) -> list[Instance]:
        """Two tables' 合计 rows, column by column where both print the same header path."""
        tables = ident.params["rule_tables"]
        found = self.rows("""
            WITH tot AS (SELECT * FROM li WHERE row_kind = 'total' AND row_code IS NULL
                         QUALIFY row_number() OVER (PARTITION BY table_seq, column_name ORDER BY row_seq) = 1),
                 l AS (SELECT * FROM tot WHERE table_seq = (SELECT min(table_seq) FROM li
                                                             WHERE table_type IN (SELECT unnest($lhs::VARCHAR[])))),
                 r AS (SELECT * FROM tot WHERE table_seq = (SELECT min(table_seq) FROM li
                                                             WHERE table_type IN (SELECT unnest($rhs::VARCHAR[]))))
            SELECT l.table_type, l.table_no, l.page, coalesce(l.row_name, '合计'), l.column_name, l.amount_yuan,
                   r.table_no, coalesce(r.row_name, '合计'), r.amount_yuan, greatest(l.half_yuan, r.half_yuan),
                   """ + _ONE.format(t="l") + ", " + _ONE.format(t="r") + """
            FROM l JOIN r USING (column_name) ORDER BY l.column_seq""", {"lhs": tables["lhs"], "rhs": tables["rhs"]})
        return [self._with_sources(self._inst(ident, f"{lno or ltype} {lname} {col} = {rno or tables['rhs'][0]} {rname} "
                                                     f"{col} (yuan)", lhs, rhs, tol, ltype, lno, page, "元"), [a], [b])
                for ltype, lno, page, lname, col, lhs, rno, rname, rhs, tol, a, b in found]

    def classes_by_name(self, ident: Identity) -> list[Instance]:
        found = self.rows(f"""
            WITH s AS (SELECT regexp_replace(row_name, '{_LEVEL1}', '') AS cls, * FROM li
                       WHERE table_type = 'summary' AND regexp_matches(column_name, '^[^/]*支出')
                         AND regexp_matches(coalesce(row_name, ''), '{_LEVEL1}')
                         -- a summary printing 合计 | 人员经费 | 公用经费 | 项目支出 per class: its 合计
                         AND NOT regexp_matches(column_name, '(人员经费|公用经费|基本支出|项目支出)$')
                       QUALIFY row_number() OVER (PARTITION BY table_seq, row_seq, row_name
                                                  ORDER BY regexp_matches(column_name, '(合计|总计)$') DESC,
                                                           column_seq) = 1),
                 e AS (SELECT * FROM li WHERE table_type = 'expenditure' AND length(row_code) = 3
                         AND regexp_matches(column_name, '(^|/)合计$'))
            SELECT s.table_no, s.page, s.row_name, e.row_code, s.amount_yuan, e.amount_yuan,
                   greatest(s.half_yuan, e.half_yuan), e.table_no, """ + _ONE.format(t="s") + ", " + _ONE.format(t="e") + """
            FROM s JOIN e ON e.row_name = s.cls ORDER BY e.row_code""")
        return [self._with_sources(self._inst(ident, f"{sno or 'summary'} {name} = {eno or 'expenditure'} {code} 合计 "
                                                     "(yuan)", lhs, rhs, tol, "summary", sno, page, "元"), [a], [b])
                for sno, page, name, code, lhs, rhs, tol, eno, a, b in found]

    def fiscal_classes_by_name(self, ident: Identity) -> list[Instance]:
        """财政拨款收支总表 each expenditure class = Σ of that class in the general public, government
        fund and state capital tables (财政拨款 is those three)."""
        found = self.rows(f"""
            WITH s AS (SELECT regexp_replace(row_name, '({_LEVEL1}|{_LEVEL2})', '') AS cls, * FROM li
                       WHERE table_type = 'fiscal_summary' AND regexp_matches(column_name, '^[^/]*支出')
                         AND regexp_matches(coalesce(row_name, ''), '({_LEVEL1}|{_LEVEL2})')
                       QUALIFY row_number() OVER (PARTITION BY row_seq ORDER BY column_seq) = 1),
                 f AS (SELECT row_name, sum(amount_yuan) AS yuan, max(half_yuan) AS half, count(*) AS n,
                              """ + _BOXES.format(t="li") + """ AS boxes FROM li
                       WHERE table_type IN ('general_public_by_function', 'gov_fund', 'soe_capital')
                         AND length(row_code) = 3 AND regexp_matches(column_name, '(^|/)(合计|金额)$')
                       GROUP BY row_name)
            SELECT s.table_no, s.page, s.row_name, s.amount_yuan, f.yuan, greatest(s.half_yuan, f.half) * f.n,
                   """ + _ONE.format(t="s") + """, f.boxes
            FROM s JOIN f ON f.row_name = s.cls ORDER BY s.row_seq""")
        return [self._with_sources(self._inst(ident, f"{no or 'fiscal_summary'} {name} = Σ 一般公共预算/政府性基金/国有资本 "
                                                     "tables (yuan)", lhs, rhs, tol, "fiscal_summary", no, page, "元"),
                                   [a], b)
                for no, page, name, lhs, rhs, tol, a, b in found]

    def fiscal_tables_by_code(self, ident: Identity) -> list[Instance]:
        """支出总表 = 一般公共预算 + 政府性基金 + 国有资本经营 tables, code by code and for 合计/基本/项目,
        evaluated only where the report's spending is all fiscal appropriation (the totals agree)."""
        base = """SELECT coalesce(f.function_code, '合计') AS code, f.measure, f.fund, l.amount_yuan, l.half_yuan,
                         l.table_no, l.page, l.row_seq, l.x0, l.top, l.x1, l.bottom, l.raw_text
                  FROM conformed.fact_expenditure_by_function f
                  JOIN li l USING (report_id, table_seq, row_seq, column_seq)
                  WHERE f.report_id = ? AND f.measure IN ('total', 'basic', 'project')
                    AND (f.function_code IS NOT NULL OR f.is_total)"""
        rows = self.rows(f"""
            WITH x AS ({base}),
                 e AS (SELECT * FROM x WHERE fund = 'all'),
                 f AS (SELECT code, measure, sum(amount_yuan) AS yuan, max(half_yuan) AS half, count(*) AS n,
                              """ + _BOXES.format(t="x") + """ AS boxes
                       FROM x WHERE fund IN ('general_public', 'gov_fund', 'soe_capital') GROUP BY code, measure)
            SELECT e.code, e.measure, e.amount_yuan, coalesce(f.yuan, 0), greatest(e.half_yuan, coalesce(f.half, 0))
                   * greatest(coalesce(f.n, 1), 1), e.table_no, e.page, """ + _ONE.format(t="e") + """, f.boxes
            FROM e LEFT JOIN f USING (code, measure)
            WHERE f.code IS NOT NULL OR e.amount_yuan <> 0
            ORDER BY e.code, e.measure""", [self.report_id])
        total = next(((lhs, rhs, tol) for code, measure, lhs, rhs, tol, *_ in rows
                      if code == "合计" and measure == "total"), None)
        if total is None or abs(total[0] - total[1]) > total[2]:
            return []  # spending funded from other sources too: the identity does not apply
        return [self._with_sources(self._inst(ident, f"{no or 'expenditure'} {code} {measure} = 一般公共预算 + 政府性基金 + "
                                                     f"国有资本经营 {code} {measure} (yuan)", lhs, rhs, tol, "expenditure",
                                              no, page, "元"), [a], b)
                for code, measure, lhs, rhs, tol, no, page, a, b in rows]

    def income_sources_by_name(self, ident: Identity) -> list[Instance]:
        """收入总表 合计 row, each source column = 收支总表 the income line naming that source."""
        sources = self.rows(f"""SELECT column_name, amount_yuan, half_yuan, table_no, page, {_ONE.format(t="li")} FROM li
                               WHERE table_type = 'income' AND row_kind = 'total' AND row_code IS NULL
                                 AND NOT regexp_matches(column_name, '(合计|小计)$')
                               QUALIFY row_number() OVER (PARTITION BY column_name ORDER BY row_seq) = 1""")
        lines = self.rows(f"""SELECT regexp_replace(row_name, '({_LEVEL1}|{_LEVEL2})', ''), amount_yuan, half_yuan,
                                     table_no, row_name, {_ONE.format(t="li")} FROM li
                              WHERE table_type = 'summary' AND regexp_matches(column_name, '^[^/]*收入')
                              QUALIFY row_number() OVER (PARTITION BY row_seq ORDER BY column_seq) = 1""")
        out = []
        for column, yuan, half, no, page, whole in sources:
            leaf = column.rsplit("/", 1)[-1]
            hits = [line for line in lines if line[0] and leaf in line[0]]
            if len(hits) != 1:
                continue
            _, line_yuan, line_half, sno, printed, part = hits[0]
            out.append(self._with_sources(self._inst(ident, f"{no or 'income'} 合计 {column} = {sno or 'summary'} {printed} "
                                                            "(yuan)", yuan, line_yuan, max(half, line_half), "income",
                                                     no, page, "元"), [whole], [part]))
        return out

    def form_shares(self, ident: Identity) -> list[Instance]:
        """绩效目标表 funding blocks: a printed 占比 = the row's 当年金额 / the block's 合计, in percent."""
        from yusuan.money import last_digit_unit

        cells = [_FormCell(*c) for c in self.rows(
            """SELECT table_seq, row_seq, coalesce(row_name, ''), column_name, kind, raw_text, amount, page, table_no,
                      x0, top, x1, bottom
               FROM extracted.cells c JOIN (SELECT table_seq, table_no FROM extracted.tables
                                            WHERE report_id = ?) t USING (table_seq)
               WHERE c.report_id = ? AND c.kind IN ('money', 'percent') AND c.block IS NOT NULL
               ORDER BY table_seq, row_seq, column_seq""", [self.report_id, self.report_id])]
        by_row: dict[tuple[int, int], list[_FormCell]] = {}
        for c in cells:
            by_row.setdefault((c.table_seq, c.row_seq), []).append(c)
        out = []
        rows = sorted(by_row.items())
        for i, ((table_seq, _), row) in enumerate(rows):
            pct = next((c for c in row if c.kind == "percent"), None)
            amount = next((c for c in row if c.kind == "money" and c.column.startswith("当年")), None)
            if pct is None or amount is None or amount.amount is None:
                continue
            # the 合计 of the block: this row or the next total row of the same table
            total = next((next((c for c in r if c.kind == "money" and c.column == amount.column), None)
                          for (t, _), r in rows[i:] if t == table_seq and r[0].row_name == "合计"), None)
            if total is None or not total.amount:
                continue
            stated = Decimal(pct.raw.replace("%", "").replace("％", "").strip())
            computed = amount.amount / total.amount * 100
            inst = self._inst(ident, f"{pct.table_no or 'form'} {row[0].row_name}: 占比 {pct.raw} = "
                                     f"{amount.raw} / {total.raw}",
                              stated, computed, last_digit_unit(pct.raw.rstrip("%％")) / 2,
                              "overall_performance", pct.table_no, pct.page, "%")
            inst.compared = [Source.of("lhs", pct), Source.of("rhs", amount), Source.of("rhs", total)]
            out.append(inst)
        return out

    def _fund_lines(self, ttype: str) -> dict[tuple[str, str], list[FundLine]]:
        """The income lines of a 收支总表-style table that name one fund (一般公共预算, 政府性基金, 国有资本经营),
        keyed by (block, fund): block is 'carryover' under (or naming) 上年结转/结余, else 'year'."""
        voc = vocabulary()
        funds = {k: v for k, v in voc.facets["scope"].items() if k != "fiscal"}
        out: dict[tuple[str, str], list[FundLine]] = {}
        block = "year"
        for name, yuan, half, no, page, printed, source in self.rows(
                f"""SELECT regexp_replace(row_name, '({_LEVEL1}|{_LEVEL2})', ''), amount_yuan, half_yuan, table_no, page,
                           row_name, {_ONE.format(t="li")} FROM li
                    WHERE table_type = ? AND regexp_matches(column_name, '^[^/]*收入')
                    QUALIFY row_number() OVER (PARTITION BY row_seq ORDER BY column_seq) = 1
                    ORDER BY row_seq""", [ttype]):
            if not name:
                continue
            carry = bool(re.search("结转|结余", name))
            if re.match(_LEVEL1, printed or ""):
                block = "carryover" if carry else "year"
            fund = next((f for f, pattern in funds.items() if pattern.search(name)), None)
            if fund is None or re.search("(合计|总计|小计)$", name):
                continue
            out.setdefault(("carryover" if carry else block, fund), []).append(
                FundLine(name, yuan, half, no, page, printed, source))
        return out

    def fiscal_income_lines_by_name(self, ident: Identity) -> list[Instance]:
        """财政拨款收支总表 each fund's income line = the 收支总表 line of the same fund and block (this year's
        appropriation, or the carry-over), where each table prints that line once."""
        summary = self._fund_lines("summary")
        fiscal = self._fund_lines("fiscal_summary")
        out = []
        for key, lines in fiscal.items():
            other = summary.get(key, [])
            if len(lines) != 1 or len(other) != 1:
                continue
            mine, theirs = lines[0], other[0]
            out.append(self._with_sources(self._inst(ident, f"{mine.table_no or 'fiscal_summary'} {mine.printed} = "
                                                            f"{theirs.table_no or 'summary'} {theirs.printed} (yuan)",
                                                     mine.yuan, theirs.yuan, max(mine.half, theirs.half),
                                                     "fiscal_summary", mine.table_no, mine.page, "元"),
                                          [mine.source] if mine.source else [], [theirs.source] if theirs.source else []))
        printed_fiscal = self.rows("SELECT count(*), any_value(table_no) FROM li WHERE table_type = 'fiscal_summary'")
        if printed_fiscal[0][0]:
            # a fund the 收支总表 gives as 0 may be left out of the 财政拨款收支总表 (0 if absent)
            no = printed_fiscal[0][1]
            for key, lines in summary.items():
                if key not in fiscal and len(lines) == 1 and lines[0].yuan == 0:
                    line = lines[0]
                    out.append(self._inst(ident, f"{no or 'fiscal_summary'} {line.name} (not printed: 0) = "
                                                 f"{line.table_no or 'summary'} {line.printed} (yuan)", Decimal(0),
                                          line.yuan, line.half, "fiscal_summary", no, line.page, "元"))
        return out

    def fund_income_equals_fund_table(self, ident: Identity) -> list[Instance]:
        """The 财政拨款收支总表's income of one fund, this year's and carried over, = the 合计 of that fund's
        spending table (一般公共预算支出表 spends both)."""
        lines = [ln for (_, fund), found in self._fund_lines("fiscal_summary").items() if fund == ident.params["fund"]
                 for ln in found]
        total = self._select({"table": ident.params["table"], "row": "total", "column": r"(^|/)(合计|金额)$"})
        if not lines or total is None:
            return []
        no, page = lines[0].table_no, lines[0].page
        inst = self._with_sources(self._inst(ident, f"{no or 'fiscal_summary'} " + " + ".join(ln.printed for ln in lines)
                                             + f" = {total.table} 合计 (yuan)", sum((ln.yuan for ln in lines), Decimal(0)),
                                             total.yuan, max([total.half] + [ln.half for ln in lines]) * len(lines),
                                             "fiscal_summary", no, page, "元"),
                                  [ln.source for ln in lines if ln.source], [])
        inst.compared.append(Source.of("rhs", total))
        return [inst]

    def form_income_equals_spending(self, ident: Identity) -> list[Instance]:
        """整体支出绩效目标表: 收入构成 合计 = 支出构成 合计, column by column."""
        found = self.rows("""SELECT column_name, list(amount ORDER BY row_seq), list(half ORDER BY row_seq),
                                    any_value(table_no), any_value(page), any_value(unit)
                             FROM li WHERE table_type = 'overall_performance' AND row_name = '合计'
                             GROUP BY table_seq, column_name HAVING count(*) = 2""")
        return [self._inst(ident, f"{no or 'overall_performance'} 收入构成 合计 = 支出构成 合计: {col}", amounts[0],
                           amounts[1], max(halves), "overall_performance", no, page, unit)
                for col, amounts, halves, no, page, unit in found]

    def project_budget_history(self, ident: Identity) -> list[Instance]:
        """项目支出绩效目标表 变动情况 (2022 年 200 万元、2023 年 200 万元、2024 年 145 万元): the budget year's
        figure = 项目当年预算; the earlier years summed over the projects = 整体支出绩效目标表 特定目标类 for those years."""
        from yusuan.money import UNIT_FACTORS, last_digit_unit, parse_amount

        year = self.rows("SELECT fiscal_year FROM budget.reports WHERE report_id = ?", [self.report_id])
        fiscal_year = year[0][0] if year else None
        forms = self.rows("""SELECT c.table_seq, t.table_no, t.unit, c.page, c.column_name, c.raw_text
                             FROM extracted.cells c JOIN extracted.tables t USING (report_id, table_seq)
                             WHERE c.report_id = ? AND c.kind = 'field' AND t.table_type = 'project_performance'
                               AND (c.column_name LIKE '%变动情况%' OR c.column_name IN ('项目当年预算', '项目本年度预算'))""",
                          [self.report_id])
        history: dict[int, dict[int, tuple[Decimal, Decimal]]] = {}
        budget: dict[int, tuple[Decimal, Decimal, str | None, int, str | None]] = {}
        for seq, no, unit, page, column, raw in forms:
            if "变动情况" in column:
                for y, num, u in re.findall(r"(20\d\d)\s*年\s*([\d,.]+)\s*(万|元)", raw):
                    value = parse_amount(num).amount
                    if value is not None:
                        factor = UNIT_FACTORS["万元" if u == "万" else "元"]
                        history.setdefault(seq, {})[int(y)] = (value * factor, last_digit_unit(num) / 2 * factor)
            else:
                value = parse_amount(raw).amount
                if value is not None and unit in UNIT_FACTORS:
                    budget[seq] = (value * UNIT_FACTORS[unit], last_digit_unit(raw) / 2 * UNIT_FACTORS[unit],
                                   no, page, unit)
        out = []
        part = ident.params.get("part", "form")
        for seq, years in history.items():
            if part == "form" and fiscal_year in years and seq in budget:
                stated, half = years[fiscal_year]
                yuan, budget_half, no, page, _ = budget[seq]
                out.append(self._inst(ident, f"{no} 变动情况 {fiscal_year} = 项目当年预算 (yuan)", stated, yuan,
                                      max(half, budget_half), "project_performance", no, page, "元"))
        if part != "overall":
            return out
        # the forms cover the same scope as 特定目标类 only when every project of 项目支出表 has its form
        projects = self.rows("""SELECT count(DISTINCT row_name) FROM li WHERE table_type = 'projects'
                                AND row_kind <> 'total' AND row_name IS NOT NULL
                                AND (row_level IS NULL OR row_level = (SELECT max(row_level) FROM li
                                                                       WHERE table_type = 'projects'))""")
        if not projects or projects[0][0] != len(history):
            return out
        for col, yuan, half, no, page in self.rows(
                """SELECT column_name, amount_yuan, half_yuan, table_no, page FROM li
                   WHERE table_type = 'overall_performance' AND regexp_matches(row_name, '^特定目标类')
                     AND regexp_matches(column_name, '(19|20)[0-9]{2}年$')"""):
            y = int(re.search(r"((?:19|20)\d\d)年$", col).group(1))  # type: ignore[union-attr]
            parts = [years[y] for years in history.values() if y in years]
            if parts and len(parts) == len(history):
                out.append(self._inst(ident, f"{no} 特定目标类 {col} = Σ {len(parts)} project forms' {y} budgets (yuan)",
                                      yuan, sum((value for value, _ in parts), Decimal(0)),
                                      max([half] + [h for _, h in parts]) * len(parts), "overall_performance", no,
                                      page, "元"))
        return out

    def project_forms(self, ident: Identity) -> list[Instance]:
        found = self.rows("""
            WITH forms AS (
                SELECT l.table_seq, l.table_no, l.page, l.amount_yuan, l.half_yuan,
                       coalesce((SELECT any_value(c.raw_text) FROM extracted.cells c WHERE c.report_id = l.report_id
                                   AND c.table_seq = l.table_seq AND c.kind = 'field' AND c.column_name = '项目名称'),
                                regexp_replace(l.title, '项目(支出)?绩效目标(申报)?表$', '')) AS project
                FROM li l WHERE l.table_type = 'project_performance' AND l.row_kind = 'total'
                QUALIFY row_number() OVER (PARTITION BY l.table_seq ORDER BY l.row_seq) = 1),
                 projects AS (SELECT row_name, amount_yuan, half_yuan, table_no FROM li
                              WHERE table_type = 'projects' AND regexp_matches(column_name, '(^|/)合计$')
                                AND row_name IS NOT NULL AND row_kind <> 'total')
            SELECT f.table_no, f.page, f.project, p.row_name, f.amount_yuan, p.amount_yuan,
                   greatest(f.half_yuan, p.half_yuan), p.table_no
            FROM forms f JOIN projects p ON jaro_winkler_similarity(f.project, p.row_name) >= 0.85
            QUALIFY row_number() OVER (PARTITION BY f.table_seq
                                       ORDER BY jaro_winkler_similarity(f.project, p.row_name) DESC) = 1""")
        return [self._inst(ident, f"{fno} {proj} = {pno or 'projects'} {pname} 合计 (yuan)", lhs, rhs, tol,
                           "project_performance", fno, page, "元")
                for fno, page, proj, pname, lhs, rhs, tol, pno in found]

    def project_activities(self, ident: Identity) -> list[Instance]:
        """Σ 项目支出明细测算 = 项目当年预算, and 资金来源 合计 = 项目当年预算, in each project form."""
        found = self.rows("""
            WITH acts AS (SELECT table_seq, sum(amount) AS total, count(*) AS n, min(page) AS page,
                                 'Σ 项目支出明细测算' AS what
                          FROM extracted.cells WHERE report_id = ? AND kind = 'detail_amount'
                            AND block LIKE '%明细%' GROUP BY table_seq
                          UNION ALL
                          SELECT table_seq, any_value(amount), 1, min(page), '资金来源 合计' FROM extracted.cells
                          WHERE report_id = ? AND kind = 'money' AND row_name = '合计' AND block LIKE '%资金来源%'
                          GROUP BY table_seq),
                 budget AS (SELECT table_seq, any_value(raw_text) AS raw FROM extracted.cells
                            WHERE report_id = ? AND kind = 'field'
                              AND column_name IN ('项目当年预算', '项目本年度预算', '当年预算') GROUP BY table_seq)
            SELECT t.table_no, a.page, t.title, a.total, b.raw, a.n, t.unit, a.what
            FROM acts a JOIN budget b USING (table_seq)
            JOIN extracted.tables t ON t.report_id = ? AND t.table_seq = a.table_seq
            ORDER BY a.table_seq, a.what""", [self.report_id] * 4)
        out = []
        from yusuan.money import last_digit_unit, parse_amount
        for no, page, title, total, raw, n, unit, what in found:
            budget = parse_amount(raw).amount
            if budget is None:
                continue
            half = last_digit_unit(raw) / 2
            out.append(self._inst(ident, f"{no} {title}: {what} = 项目当年预算", total, budget, n * half,
                                  "project_performance", no, page, unit))
        return out

    _PROJECT_NAMES = """
        WITH named AS (
                 -- 整体支出绩效目标表 项目支出情况: one row per project, its 项目本年度预算
                 SELECT l.table_no, l.page, l.row_name AS project, l.column_name, l.amount_yuan, l.half_yuan,
                        l.table_seq
                 FROM li l WHERE l.table_type = 'overall_performance' AND l.row_name IS NOT NULL
                   AND regexp_matches(l.column_name, '(本年度|当年)预算$')
                 UNION ALL
                 -- 项目支出绩效目标表: the form's 项目名称 field
                 SELECT t.table_no, c.page, c.raw_text, '项目名称', NULL, NULL, t.table_seq
                 FROM extracted.cells c JOIN extracted.tables t USING (report_id, table_seq)
                 WHERE c.report_id = $rid AND t.table_type = 'project_performance' AND c.kind = 'field'
                   AND c.column_name = '项目名称'),
             projects AS (SELECT row_name, amount_yuan, half_yuan, table_no FROM li
                          WHERE table_type = 'projects' AND regexp_matches(column_name, '(^|/)合计$')
                            AND row_name IS NOT NULL AND row_kind <> 'total')
        SELECT n.table_no, n.page, n.project, n.column_name, p.row_name, n.amount_yuan, p.amount_yuan,
               greatest(n.half_yuan, p.half_yuan), p.table_no
        FROM named n JOIN projects p ON jaro_winkler_similarity(n.project, p.row_name) >= 0.85
        QUALIFY row_number() OVER (PARTITION BY n.table_seq, n.project
                                   ORDER BY jaro_winkler_similarity(n.project, p.row_name) DESC) = 1
        ORDER BY n.table_seq, n.project"""

    @cached_property
    def _project_pairs(self) -> list[tuple[Any, ...]]:
        """Each project of the forms with its row of 项目支出表, read once for both identities that use them."""
        return self.rows(self._PROJECT_NAMES, {"rid": self.report_id})

    def listed_projects(self, ident: Identity) -> list[Instance]:
        """整体支出绩效目标表 项目支出情况: each project's 项目本年度预算 = 项目支出表 its 合计."""
        return [self._inst(ident, f"{no} 项目 {proj} {col} = {pno or 'projects'} {pname} 合计 (yuan)", lhs, rhs,
                           tol, "overall_performance", no, page, "元")
                for no, page, proj, col, pname, lhs, rhs, tol, pno in self._project_pairs if lhs is not None]

    def project_names(self, ident: Identity) -> list[Instance]:
        """The same project (matched by name similarity) is named alike in 项目支出表 and in the
        performance forms (项目支出情况, 项目支出绩效目标表)."""
        out = []
        for no, page, proj, col, pname, *_, pno in self._project_pairs:
            same = proj == pname
            inst = self._inst(ident, f"{no} 项目名称 {proj} {'=' if same else '≠'} {pno or 'projects'} {pname}",
                              None, None, 0, "project_performance" if col == "项目名称" else "overall_performance",
                              no, page, None, detail=None if same else f"{proj} vs {pname}")
            inst.agrees = same
            if not same and min(len(proj), len(pname)) >= 4 and (proj.startswith(pname) or pname.startswith(proj)):
                inst.not_evaluated = "one name is the other cut short (a name split by a page or cell break)"
            out.append(inst)
        return out

    def indicator_headers(self, ident: Identity) -> list[Instance]:
        """The indicator blocks of one form (年度目标 1, 2, 3) print the same header; a block whose header
        differs from what most of its siblings print (a sub-header left empty) is named."""
        blocks = self.rows("""SELECT c.table_seq, any_value(t.table_no), any_value(t.table_type), c.block, min(c.page),
                                     list(DISTINCT c.column_name ORDER BY c.column_name)
                              FROM extracted.cells c JOIN extracted.tables t USING (report_id, table_seq)
                              WHERE c.report_id = ? AND c.kind = 'indicator' AND c.block IS NOT NULL
                              GROUP BY c.table_seq, c.block ORDER BY c.table_seq, min(c.row_seq)""", [self.report_id])
        groups: dict[tuple[int, str], list[tuple[Any, ...]]] = {}
        for b in blocks:
            groups.setdefault((b[0], re.sub(r"\d+$", "", b[3])), []).append(b)
        out = []
        for members in groups.values():
            headers = [tuple(m[5]) for m in members]
            common = max(set(headers), key=headers.count)
            if len(members) < 3 or headers.count(common) * 2 <= len(members):
                continue  # no header most siblings share
            for (_, no, ttype, block, page, _cols), header in zip(members, headers, strict=True):
                missing = [h for h in common if h not in header]
                inst = self._inst(ident, f"{no or ttype} {block}: header " + (
                    f"as its {len(members) - 1} siblings" if header == common else
                    f"lacks {', '.join(missing)} (prints {', '.join(h for h in header if h not in common)})"),
                    None, None, 0, ttype, no, page, None,
                    detail=None if header == common else f"siblings print: {' | '.join(common)}")
                inst.agrees = header == common
                out.append(inst)
        return out

    # -- between stages ---------------------------------------------------------------------
    def stage_preservation(self, ident: Identity) -> list[Instance]:
        found = self.rows("""
            WITH x AS (SELECT table_seq, count(*) AS n, coalesce(sum(amount), 0) AS s FROM extracted.cells
                       WHERE report_id = ? AND kind = 'money' AND amount IS NOT NULL GROUP BY 1),
                 c AS (SELECT table_seq, count(*) AS n, coalesce(sum(amount), 0) AS s FROM conformed.all_amounts
                       WHERE report_id = ? AND amount IS NOT NULL GROUP BY 1)
            SELECT coalesce(x.table_seq, c.table_seq), t.table_type, t.table_no, t.first_page,
                   coalesce(x.n, 0), coalesce(c.n, 0), coalesce(x.s, 0), coalesce(c.s, 0)
            FROM x FULL JOIN c USING (table_seq)
            LEFT JOIN extracted.tables t ON t.report_id = ? AND t.table_seq = coalesce(x.table_seq, c.table_seq)
            ORDER BY 1""", [self.report_id] * 3)
        out = []
        for seq, ttype, no, page, xn, cn, xs, cs in found:
            label = f"{no or ttype or f'table {seq}'}"
            out.append(self._inst(ident, f"{label}: amount count extracted = conformed", Decimal(xn), Decimal(cn),
                                  Decimal(0), ttype, no, page, None))
            out.append(self._inst(ident, f"{label}: amount sum extracted = conformed", xs, cs, Decimal(0),
                                  ttype, no, page, None))
        return out

    def narrative(self, ident: Identity) -> list[Instance]:
        from yusuan.checks.prose import evaluate_claims

        return evaluate_claims(self, ident)

    def narrative_prior_year(self, ident: Identity) -> list[Instance]:
        from yusuan.checks.prose import evaluate_prior_year

        return evaluate_prior_year(self, ident)

    # -- the words beside the figures (yusuan/checks/wording.py) ------------------------------
    def wording_contents(self, ident: Identity) -> list[Instance]:
        from yusuan.checks.wording import contents

        return contents(self, ident)

    def wording_placeholders(self, ident: Identity) -> list[Instance]:
        from yusuan.checks.wording import placeholders

        return placeholders(self, ident)

    def wording_years(self, ident: Identity) -> list[Instance]:
        from yusuan.checks.wording import years

        return years(self, ident)

    def wording_comparisons(self, ident: Identity) -> list[Instance]:
        from yusuan.checks.wording import comparisons

        return comparisons(self, ident)

    def narrative_completion(self, ident: Identity) -> list[Instance]:
        from yusuan.checks.wording import completion

        return completion(self, ident)

    def wording_reasons(self, ident: Identity) -> list[Instance]:
        from yusuan.checks.wording import reasons

        return reasons(self, ident)

    # -- helpers ----------------------------------------------------------------------------
    def _sum(self, ident: Identity, label: str, total: Line, terms: list[Line]) -> Instance:
        """total = Σ terms. Where that fails and a term is a subtotal of the others (it equals the total itself,
        or the sum of the terms printed after it), the table is read without it, and the reading is recorded:
        a subtotal listed among its own parts is a misreading, not a defect of the document."""
        inst = self._sum_of(ident, label, total, terms)
        if inst.passed:
            return inst
        for k, term in enumerate(terms):
            rest = terms[:k] + terms[k + 1:]
            after = terms[k + 1:]
            if term.amount == total.amount and any(t.amount for t in rest):
                why = f"without {term.name} {term.amount}, a subtotal equal to the total listed among its parts"
            elif after and len(after) > 1 and term.amount == sum((t.amount for t in after), Decimal(0)) and term.amount:
                why = f"without {term.name} {term.amount}, the subtotal of the {len(after)} lines after it"
            else:
                continue
            reread = self._sum_of(ident, f"{label} ({len(rest)} read)", total, rest)
            reread.reading = why
            return reread
        return inst

    def _sum_of(self, ident: Identity, label: str, total: Line, terms: list[Line]) -> Instance:
        rhs = sum((t.amount for t in terms), Decimal(0))
        # each printed figure may be off by half a unit of its own last digit: the total and every term
        tolerance = total.half + sum((t.half for t in terms), Decimal(0))
        inst = self._inst(ident, label, total.amount, rhs, tolerance, total.table_type, total.table_no, total.page,
                          total.unit)
        inst.compared = [Source.of("lhs", total)] + [Source.of("rhs", t) for t in terms]
        return inst

    @staticmethod
    def _with_sources(inst: Instance, whole: list[dict[str, Any]] | None, terms: list[dict[str, Any]] | None) -> Instance:
        """The instance, recording the figures compared (structs of page, box and printed text from the SQL)."""
        inst.compared = [Source.from_record("lhs", w) for w in whole or [] if w and w.get("page") is not None] \
            + [Source.from_record("rhs", t) for t in terms or []]
        return inst

    def _inst(self, ident: Identity, label: str, lhs: Any, rhs: Any, tol: Any, ttype: str | None,
              no: str | None, page: int | None, unit: str | None, detail: str | None = None) -> Instance:
        return Instance(identity=ident.name, family=ident.family, stage=ident.stage, severity=ident.severity,
                        instance=label, lhs=None if lhs is None else Decimal(lhs),
                        rhs=None if rhs is None else Decimal(rhs), tolerance=Decimal(tol or 0),
                        table_type=ttype, table_no=no, page=page, unit=unit, detail=detail)


def column_sum_map(columns: list[str]) -> list[tuple[str, list[str]]]:
    """For each total column (合计/小计) among money `columns`, the columns it totals.

    Under the total's parent header, each sibling group counts once: by its own total column
    (小计/合计/总数) if it prints one, else by its direct leaf columns. A column that is part of a
    sibling (其中：经费拨款, 扣除基建项目后预算数) is not a part of the total.
    """
    voc = vocabulary()
    memo = voc.header_roles["memo"]

    def is_memo(column: str) -> bool:
        return bool(memo.search(column.rsplit("/", 1)[-1]))

    out = []
    for total in columns:
        leaf = total.rsplit("/", 1)[-1]
        if not re.search(r"(合计|小计)$", leaf):
            continue
        parent = total.rsplit("/", 1)[0] if "/" in total else ""
        prefix = parent + "/" if parent else ""
        groups: dict[str, list[str]] = {}
        for c in columns:
            if c == total or not c.startswith(prefix) or is_memo(c):
                continue
            rest = c[len(prefix):]
            groups.setdefault(rest.split("/", 1)[0], []).append(c)
        parts: list[str] = []
        for g, members in groups.items():
            if len(members) == 1:
                parts += members
                continue
            sub_totals = [m for m in members if re.fullmatch(rf"{re.escape(prefix + g)}/(小计|合计|总数|总额|总计)", m)]
            if sub_totals:
                parts.append(sub_totals[0])
            else:
                parts += [m for m in members if m.count("/") == (prefix + g).count("/") + 1]
        if parts:
            out.append((total, parts))
    return out


def code_domain(header: list[str], table_type: str | None = None) -> str | None:
    """function | economic | unit: what the codes of a table classify, read from its code header
    (科目编码 alone is read with the table's type: 基本支出表 are by economic code)."""
    for h in header:
        if re.search(r"(编码|代码|编号)$", h) or re.search(r"(编码|代码)/(类|款|项)$", h):
            if "经济" in h or table_type in ECONOMIC_TABLES:
                return "economic"
            if re.search(r"(单位|部门)[（(]?(单位)?[)）]?(代码|编码)$", h) and "科目" not in h:
                return "unit"
            return "function"
    return None


RULES = {name for name in vars(_Evaluator) if not name.startswith("_") and callable(getattr(_Evaluator, name))
         and name != "rows"}


def evaluate(con: duckdb.DuckDBPyConnection, report_id: str, identities: list[Identity]) -> list[Instance]:
    """Evaluate the given identities on one report; the warehouse holds its rows already."""
    first, rest = _PREPARE.split(";", 1)
    con.execute(first, [report_id])
    con.execute(rest)
    ev = _Evaluator(con, report_id)
    kind = con.execute("SELECT report_kind FROM budget.reports WHERE report_id = ?", [report_id]).fetchone()
    out: list[Instance] = []
    for ident in identities:
        if not ident.applies_to(kind[0] if kind else None):
            continue
        fn = getattr(ev, ident.rule, None)
        if fn is None:
            raise ValueError(f"identity {ident.name}: unknown rule {ident.rule!r}")
        out += fn(ident)
    return out
