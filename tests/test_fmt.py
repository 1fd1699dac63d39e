from helpers.story import fmt


def test_amounts_and_rates():
    assert fmt.wan(17211.32) == "17,211.32 万元"
    assert fmt.pct(0.049) == "4.9%"
    assert fmt.signed_pct(-0.049) == "−4.9%"
    assert fmt.signed_pct(2.429) == "+242.9%"
    assert fmt.signed_wan(-889.32) == "−889.32 万元"
    assert fmt.pp(0.012) == "1.2 percentage points"
    assert fmt.yuan_m(17211.32) == "172.1 million yuan"
    assert fmt.pct(float("nan")) == "n/a"


def test_words():
    assert fmt.change_verb(-1) == "fell" and fmt.change_verb(2) == "rose" and fmt.change_verb(0) == "held steady"
    assert fmt.count(1, "project") == "1 project" and fmt.count(3, "project") == "3 projects"
    assert fmt.listing(["a", "b", "c"]) == "a, b and c" and fmt.listing(["a"]) == "a" and fmt.listing([]) == ""


def test_rates_as_printed_and_computed():
    assert fmt.pct_as_printed(0.6281) == "62.81%" and fmt.signed_pct_as_printed(2.429) == "+242.9%"
    assert fmt.signed_pct_as_printed(-0.049) == "−4.9%"
    # the project chart's labels: 2,049.37 of 2,059.00 is 99.53%, not "100%"; 0 of 1,316.00 is "0%"
    assert fmt.rate(2049.37 / 2059.0) == "99.5%" and fmt.rate(478.97 / 479.0) == "99.99%" and fmt.rate(0) == "0%"
