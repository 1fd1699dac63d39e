from helpers.story import fmt


def test_amounts_and_rates():
    # 17,211.32 万元 total (line 26); the unit is the template's, in the reader's language
    assert fmt.amount(17211.32) == "17,211.32" and fmt.amount(float("nan")) == "–"
    assert fmt.pct(0.049) == "4.9%"
    assert fmt.signed_pct(-0.049) == "−4.9%"
    assert fmt.signed_pct(2.429) == "+242.9%"


def test_rates_as_printed_and_computed():
    assert fmt.pct_as_printed(0.6281) == "62.81%" and fmt.signed_pct_as_printed(2.429) == "+242.9%"
    assert fmt.signed_pct_as_printed(-0.049) == "−4.9%"
    # the project chart's labels: 2,049.37 of 2,059.00 is 99.53%, not "100%"; 0 of 1,316.00 is "0%"
    assert fmt.rate(2049.37 / 2059.0) == "99.5%" and fmt.rate(478.97 / 479.0) == "99.99%" and fmt.rate(0) == "0%"
