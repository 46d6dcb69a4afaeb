"""The data dictionary of the analyst contract: what every column of schema `budget` means, in English with the
Chinese term. Written as COMMENT ON each column (yusuan/schema.py) and as the descriptions of the exported data
package (yusuan/export.py), so the two never differ.

A column means the same wherever its name appears (`amount_yuan`, `page`), except where `BY_TABLE` says what it
means in one table or view (`kind` of a claim is not `kind` of a unit).
"""

from __future__ import annotations

_LOADED = "current loaded reports only"

BY_NAME: dict[str, str] = {
    # -- a report
    "report_id": "Report id (报告编号): r + the first 16 hex digits of the SHA-256 of the PDF",
    "file_name": "File name of the PDF as received (文件名)",
    "sha256": "SHA-256 of the PDF (文件校验值)",
    "size_bytes": "Size of the PDF in bytes (文件大小)",
    "pages": "Pages of the PDF (页数)",
    "producer": "The PDF's producer, as its metadata names it (生成软件)",
    "encrypted": "Whether the PDF is encrypted (加密)",
    "has_text_layer": "Whether the PDF has a text layer (文字层); a scan without one is unsupported",
    "department": "The body the report is of, as printed (部门/单位名称)",
    "unit_code": "The body's unit code where the report prints one (单位编码)",
    "unit_codes": "Every unit code the report prints (单位编码)",
    "fiscal_year": "Fiscal year the report is of (年度)",
    "report_kind": "dept_budget (部门预算), unit_budget (单位预算), dept_final (部门决算) or unit_final (单位决算): a "
                   "budget and a final account are different figures, never to be summed",
    "report_title": "Title of the report as printed (报告标题)",
    "money_unit": "The unit most of the report's tables print (金额单位: 元 or 万元)",
    "status": "loaded (its figures are in the views), superseded (a newer publication of the same body, year and "
              "kind replaces it), quarantined (a core table's reading is not confirmed), rejected (not a budget "
              "disclosure, or unreadable) or unsupported (a scan) (状态)",
    "status_reason": "Why the report has its status, in a sentence (状态说明)",
    "tables_found": "Tables found in the report (表格数)",
    "cells": "Numeric cells read from its tables (单元格数)",
    "ingested_at": "When the report was last ingested (UTC) (入库时间)",
    "published_at": "When the report was published to the warehouse (UTC) (发布时间)",
    "body_key": "The body as a key linking its reports across years: the name without spacing, quotes or bracket "
                "variants, then /部门 for a department's report (all its units) or /单位 for one unit's (主体键)",
    "errors": "Strict identities (severity error) the document breaks beyond rounding (findings; not waived) (错误数)",
    "warnings": "Customary correspondences, prose and wording that disagree (warnings; not waived) (警告数)",
    "tables_confirmed": "Tables whose reading their own arithmetic confirms (已核实表格)",
    "tables_unconfirmed": "Tables whose reading is not confirmed: kept out of the views; a core one quarantines the "
                          "report (未核实表格)",
    "tables_unchecked": "Tables with nothing to add up: their reading cannot be confirmed or refuted (无法核对表格)",
    "instances_evaluated": "Identity instances evaluated on the report: pass, rounding, fail, waived (已核对)",
    "instances_not_evaluated": "Identity instances not evaluated, each with its reason in budget.check_results (未核对)",
    # -- where a figure is
    "table_seq": "Order of the table in the report (表序号)",
    "table_no": "The table's number as printed (表号: 表3, 公开09表)",
    "table_type": "Table type (表类型), e.g. expenditure = 部门支出总表; NULL where the title was not recognised",
    "row_seq": "Row of the table body, from 1 (行号)",
    "column_seq": "Column of the table, from 1 (列号)",
    "page": "Page of the PDF that prints it, from 1 (页码)",
    "x0": "Left edge of the cell on its page, in PDF points from the left (pdfplumber x0)",
    "top": "Top edge of the cell, in PDF points from the top of the page (pdfplumber top)",
    "x1": "Right edge of the cell, in PDF points from the left (pdfplumber x1)",
    "bottom": "Bottom edge of the cell, in PDF points from the top of the page (pdfplumber bottom)",
    # -- a figure
    "row_code": "Code printed on the row (编码), e.g. a classification or unit code",
    "row_name": "Name printed on the row (名称)",
    "row_kind": "total (a 合计/总计 row) or detail (行类型)",
    "row_level": "Depth of the row shown by indentation: 0 department, 1 unit, 2 category, 3 project (层级)",
    "column_name": "The column's header path as printed, joined with / (表头)",
    "raw_text": "The cell as printed (原文)",
    "amount": "Amount as printed, in `unit`, exact (金额)",
    "unit": "Unit the table prints its amounts in (金额单位: 元 or 万元)",
    "amount_yuan": "Amount in yuan, exact (金额（元）)",
    "parse_error": "Why a printed cell gave no amount (never 0 instead) (无法读取的原因)",
    "is_total": "A total line: 合计/总计 (合计行)",
    "measure": "total (合计), basic (基本支出), personnel (人员经费), public (公用经费), project (项目支出), or the "
               "header as printed (口径)",
    "fund": "Whose money: all (全部资金), general_public (一般公共预算), gov_fund (政府性基金), soe_capital "
            "(国有资本经营), fiscal (财政拨款) (资金性质)",
    "side": "income (收入) or expenditure (支出)",
    "item": "The printed line or item (项目)",
    "source": "Income source column (收入来源)",
    "function_code": "Functional classification code (支出功能分类科目编码): 3 digits 类, 5 款, 7 项",
    "function_name": "Functional classification subject as printed (支出功能分类科目名称)",
    "economic_code": "Economic classification code (支出经济分类科目编码): 3 digits 类, 5 款",
    "economic_name": "Economic classification subject as printed (支出经济分类科目名称)",
    "unit_name": "Department or unit name (单位名称)",
    "project_name": "Project (项目名称)",
    "funding_source": "Funding source column (资金来源)",
    "form": "The performance form's title (绩效目标表)",
    "goal": "The goal an indicator belongs to (绩效目标)",
    "level1": "Level-1 indicator (一级指标)",
    "level2": "Level-2 indicator (二级指标)",
    "indicator": "Level-3 indicator (三级指标)",
    "target": "Target value as printed (指标值)",
    "value_previous_year": "Value of the previous year as printed (上年指标值)",
    "value_two_years_ago": "Value two years before as printed (前年指标值)",
    "basis": "Basis of the target (指标值确定依据)",
    "level": "Level of the subject: 类, 款 or 项 (科目级次)",
    "parent_code": "Code of the parent subject (上级科目编码)",
    # -- a check
    "stage": "The stage that evaluated it: extracted, conformed or published (across reports) (阶段)",
    "family": "The family of identities it belongs to, e.g. totals, hierarchy, narrative, across_reports (类别)",
    "check_name": "The identity (核对规则), as declared in yusuan/checks/catalog.yaml",
    "instance": "The instance: the table, row and the two sides compared (核对实例)",
    "severity": "error: the template's definition makes it strict; warn: a customary correspondence (严重程度)",
    "passed": "Whether the instance holds (pass or rounding) (是否通过)",
    "outcome": "pass (equal), rounding (within the rounding of the printed figures), fail, waived (a reviewer "
               "accepted it), not_evaluated (see reason) (结果)",
    "observed": "Left side of the identity: the figure printed (左边)",
    "expected": "Right side of the identity: what it should equal (右边)",
    "difference": "observed - expected (差额), in `unit`",
    "tolerance": "Half a unit of the last printed digit of each printed figure summed (the total and every term), "
                 "each with its own precision: the rounding allowed (容差)",
    "detail": "What else the instance says: the reading, a waiver's reason (说明)",
    "checked_at": "When the instance was evaluated (UTC) (核对时间)",
    "reason": "Why an instance is not evaluated: a misprinted code, a row not placed, a reading not confirmed "
              "(未核对原因)",
    "reading": "The reading of the table used, where its printed structure allows another (读法)",
    "compared": "The figures and sentences compared (比较对象): role (lhs, rhs, claim), page, box in PDF points "
                "(x0, top, x1, bottom as pdfplumber measures them, NULL where unknown), the text as printed, and "
                "report_id where the figure is printed in another report (a check across reports; NULL: this report)",
    "finding": "The finding as one sentence in Chinese: what is printed, where, what it should equal and by how "
               "much, in the table's own unit (发现); NULL where the instance holds",
    # -- a claim of the prose
    "seq": "Order of the claim in the prose (序号)",
    "subject": "What the sentence states a figure of, as printed (主题)",
    "value": "The figure stated, exact (数值), in `unit`",
    "raw": "The figure as printed in the sentence (原文)",
    "base_seq": "The claim a change or percentage is of (基数序号)",
    "sentence": "The sentence, as printed (原句)",
    "period": "The year the figure is of, as the sentence says it (期间)",
    "section": "The heading of the prose the sentence is under (章节)",
    "code": "A classification code the sentence names (科目编码)",
    # -- a series
    "body": "The body, as printed (主体)",
    "year": "Fiscal year (年度)",
    "classification": "function (支出功能分类), economic (支出经济分类) or three_public (三公经费) (分类)",
    "name": "The subject or item as printed (名称)",
}

BY_TABLE: dict[tuple[str, str], str] = {
    ("narrative_claims", "kind"): "amount (金额), change (比上年增减), change_pct (增减百分比) or share_pct "
                                   "(占比)",
    ("narrative_claims", "unit"): "The unit the sentence states the figure in (元, 万元, %)",
    ("units", "kind"): "department (部门) or unit (单位)",
    ("series", "kind"): "budget (预算) or final (决算)",
    ("series", "code"): "The classification code (科目编码), or the 三公 item: total, overseas, reception, "
                        "vehicles, vehicle_purchase, vehicle_operation",
    ("series", "amount_yuan"): "The figure in yuan, exact, from the table's own total column (金额（元）)",
    ("series", "page"): "Page of the PDF that prints the figure (页码)",
    ("three_public_expenses", "item"): "The column the figure is printed in, as printed (项目)",
    ("three_public_expenses", "row_name"): "The row the figure is printed on, as printed: its name and its other "
                                           "words (a year, a unit) joined with / (行)",
    ("three_public_expenses", "item_key"): "The 三公 item: total (合计), overseas (因公出国（境）费), reception "
                                           "(公务接待费), vehicles (公务用车购置及运行费), vehicle_purchase (购置费), "
                                           "vehicle_operation (运行费), and where printed with them meetings "
                                           "(会议费), training (培训费), office_operation (机关运行经费), "
                                           "grand_total (the 合计 of a table printing those beside the 三公: "
                                           "all of them) (项目键)",
    ("three_public_expenses", "item_printed"): "The words that name the item, as printed: its column, or its row "
                                               "where the table prints its items as rows (项目原文)",
    ("three_public_expenses", "is_total"): "The 三公 total (三公经费合计)",
    ("three_public_expenses", "period"): "budget (the report year's budget, 预算数), final (its outturn, 决算数), "
                                         "previous_year (上年) or change (增减) (期间)",
    ("three_public_expenses", "period_printed"): "The words that give the period, as printed (2025年, 决算数, "
                                                 "增减变化金额); NULL where none (期间原文)",
    ("three_public_expenses", "fund"): "The fund a column names (一般公共预算 → general_public, 政府性基金 → "
                                       "gov_fund, 国有资本经营 → soe_capital); NULL where the table's own (资金性质)",
    ("three_public_expenses", "level"): "body (the whole body: a 合计 row or the only row) or unit (one unit among "
                                        "those the table lists) (层级)",
    ("current_reports", "status"): "Always loaded: the reports analysts see (状态)",
}


def meaning(table: str, column: str) -> str | None:
    """What a column of a table or view of schema `budget` means, or None where the dictionary says nothing."""
    return BY_TABLE.get((table, column)) or BY_NAME.get(column)
