from decimal import Decimal

import pytest

from yusuan.money import is_figure, last_digit_unit, parse_amount, plain, to_yuan


@pytest.mark.parametrize("text, expected", [
    ("1,272.07", Decimal("1272.07")),
    ("1,272.0\n7", Decimal("1272.07")),       # a number wrapped in a narrow column
    ("0.0\n0", Decimal("0.00")),
    ("96,282,213.44", Decimal("96282213.44")),
    ("87267272.44", Decimal("87267272.44")),
    ("156,211,123", Decimal("156211123")),
    ("-12.50", Decimal("-12.50")),
    ("－3", Decimal("-3")),
    ("(1,000.00)", Decimal("-1000.00")),
    ("１２.３", Decimal("12.3")),
])
def test_amounts_parse_exactly(text: str, expected: Decimal) -> None:
    parsed = parse_amount(text)
    assert parsed.amount == expected and parsed.reason is None
    assert str(parsed.amount) == str(expected)  # the printed scale is kept: 0.00 stays 0.00


@pytest.mark.parametrize("text", ["", "  ", None, "-", "—"])
def test_blank_is_none_not_zero(text: str | None) -> None:
    parsed = parse_amount(text)
    assert parsed.amount is None and parsed.blank


@pytest.mark.parametrize("text", ["合计", "78.22%", "1,27", "12.3.4", "≥95%"])
def test_text_is_none_with_a_reason(text: str) -> None:
    parsed = parse_amount(text)
    assert parsed.amount is None and parsed.reason and "not a number" in parsed.reason


def test_units_convert_to_yuan_exactly() -> None:
    assert to_yuan(Decimal("9.975"), "万元") == Decimal("99750.000")
    assert to_yuan(Decimal("1272.07"), "万元") == Decimal("12720700.00")
    assert to_yuan(Decimal("5"), "元") == Decimal("5")
    assert to_yuan(Decimal("5"), None) is None


def test_last_digit_unit() -> None:
    assert last_digit_unit("1,272.07") == Decimal("0.01")
    assert last_digit_unit("82") == Decimal("1")
    assert last_digit_unit("1539.4") == Decimal("0.1")


@pytest.mark.parametrize("value, text", [
    (Decimal("64840547.000000"), "64840547"),
    (Decimal("-1316.820000"), "-1316.82"),
    (Decimal("0.0350000000"), "0.035"),
    (Decimal("1E+3"), "1000"),
    (Decimal("0"), "0"),
    (None, ""),
])
def test_plain_writes_a_decimal_as_a_reader_does(value: Decimal | None, text: str) -> None:
    assert plain(value) == text


@pytest.mark.parametrize("text, reason", [
    ("(-5.00)", "a sign inside brackets: '(-5.00)'"),            # says two things
    ("100 200", "two figures in one cell: '100 200'"),           # never 100200
    ("1 -2", "two figures in one cell: '1 -2'"),
    ("1.1234567", "more than 6 decimals: '1.1234567'"),          # never rounded to 1.123457
    ("0.0000004", "more than 6 decimals: '0.0000004'"),          # never 0
    ("1234567890123456789", "more than 16 digits before the point: '1234567890123456789'"),
])
def test_a_cell_whose_text_does_not_fit_an_amount_is_refused_with_its_text(text: str, reason: str) -> None:
    parsed = parse_amount(text)
    assert (parsed.amount, parsed.reason) == (None, reason)


@pytest.mark.parametrize("text, expected", [
    ("25180591 .33", Decimal("25180591.33")),   # the producer's gap before the point: one figure
    ("1,272 .07", Decimal("1272.07")),
    ("0.000001", Decimal("0.000001")),           # six decimals are kept
    ("9999999999999999.99", Decimal("9999999999999999.99")),
])
def test_a_gap_inside_one_figure_joins(text: str, expected: Decimal) -> None:
    parsed = parse_amount(text)
    assert (parsed.amount, parsed.reason) == (expected, None)


@pytest.mark.parametrize("text, figure", [
    ("107.0000005", True), ("100 200", True), ("(-5.00)", True), ("1,272.07", True),  # refused, yet figures
    ("合计", False), ("78.22%", False), ("", False), ("-", False),
])
def test_a_refused_figure_still_marks_its_row_and_column_as_figures(text: str, figure: bool) -> None:
    """北京 司法局 预算13表 p47 prints 107.000000 and 57.000000 so close that a cell reads 107.0000005: the amount is
    refused, and the row is still a row of figures, not a header."""
    assert is_figure(text) is figure
