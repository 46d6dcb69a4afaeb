"""The words of the templates live in one validated file, yusuan/vocabulary.yaml: no code matches Chinese
wording with a pattern of its own.

A Chinese string in the code is *wording* when the code matches documents with it: a regular expression, a
word compared with a cell or a line, a list of words, a SQL pattern. It is not wording when it is a docstring,
or part of a message or label built for a reader (an f-string, or a sentence with English words in it)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from build import ROOT

from yusuan.vocabulary import VocabularyError, load_vocabulary, parse_vocabulary, vocabulary

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
SQL_MATCH = re.compile(r"regexp_matches|regexp_replace|regexp_extract|\bLIKE\b|\bILIKE\b|SIMILAR TO", re.I)
RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"}


def _in_label(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Inside an f-string (its text, or a default it prints: f"{name or '合计'}"), and not matched on the way."""
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.Compare, ast.Call)):
            return False
        if isinstance(node, ast.JoinedStr):
            return True
    return False


def wording_in(source: str) -> list[tuple[int, str]]:
    """(line, text) of every Chinese wording the code matches documents with (see the module's docstring)."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    docstrings = {node.body[0].value for node in ast.walk(tree)
                  if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value):
            if node in docstrings or _in_label(node, parents):
                continue
            if SQL_MATCH.search(node.value) or not ENGLISH_WORD.search(node.value):
                found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            parent = parents.get(node)
            used_as_pattern = SQL_MATCH.search(text) or (
                isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute)
                and parent.func.attr in RE_FUNCTIONS)
            if CJK.search(text) and used_as_pattern:
                found.append((node.lineno, text))
    return found


def test_no_code_outside_the_vocabulary_matches_chinese_wording() -> None:
    offenders = [f"{path.relative_to(ROOT)}:{line}: {text[:50]!r}"
                 for package in ("yusuan", "pipelines", "assets") for path in sorted((ROOT / package).rglob("*.py"))
                 for line, text in wording_in(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_wording_is_found_wherever_the_code_would_hide_it() -> None:
    source = '''
"""A docstring may say 合计 and 小计."""
import re
TOTAL = re.compile(r"(合计|总计)$")
PARTS = ("货物", "工程", "服务")
def f(name, code):
    """合计 is fine here too."""
    if name == "合计" or name.startswith("其中"):
        return re.search(rf"{code}年", name)
    sql = "SELECT * FROM t WHERE regexp_matches(column_name, '上年')"
    label = f"{name or '合计'} 合计 = Σ parts"
    hidden = f"{re.sub('合计', '', name)}"
    raise ValueError("report kind (部门/单位 预算) not stated")
'''
    assert sorted(text for _, text in wording_in(source)) == sorted([
        "(合计|总计)$", "货物", "工程", "服务", "合计", "其中", "年", "合计",
        "SELECT * FROM t WHERE regexp_matches(column_name, '上年')"])


def test_every_word_the_code_names_is_declared() -> None:
    named = {m.group(1) for path in (ROOT / "yusuan").rglob("*.py")
             for m in re.finditer(r"""\.word\(\s*["']([a-z0-9_]+)["']\s*\)""", path.read_text(encoding="utf-8"))}
    assert named, "the code names its words through vocabulary().word(...)"
    assert sorted(named - set(vocabulary().words)) == []


def test_a_wrong_vocabulary_entry_names_itself(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load((ROOT / "yusuan" / "vocabulary.yaml").read_text(encoding="utf-8"))
    data["words"] = {**(data["words"] or {}), "broken": "(合计"}
    with pytest.raises(VocabularyError, match="words.broken"):
        parse_vocabulary(data)
    data["words"].pop("broken")
    data["units"]["万元"] = "ten thousand"
    with pytest.raises(VocabularyError, match="units"):
        parse_vocabulary(data)
    with pytest.raises(VocabularyError, match="declares no words 'nothing'"):
        load_vocabulary().word("nothing")
