"""English pages gloss what an English reader cannot read: 万元 on every page, 政法 as political-legal affairs."""

from __future__ import annotations

import pytest

from helpers.data.load import english_names
from helpers.story.wording import say

UNIT = {"zh": "泸州市公安局交通警察支队", "en": "Luzhou traffic police detachment"}
INTROS = {"overview": dict(unit=UNIT), "three_public": {}, "low_execution": {}, "summary": dict(unit=UNIT),
          "audit": {}, "selfeval": {}, "trend": dict(years=[2023]), "compare": dict(year=2023, n=2)}


@pytest.mark.parametrize("topic", sorted(INTROS))
def test_every_english_page_says_what_wan_yuan_is(topic):
    # every page opens with its intro: each English one says 万元 is 10,000 yuan; the Chinese one needs no gloss
    assert "万元 (ten thousand yuan: 1 万元 = 10,000 yuan)" in say("en", topic, "intro", **INTROS[topic])
    assert "10,000" not in say("zh", topic, "intro", **INTROS[topic])


def test_zhengfa_is_political_legal_affairs():
    # the two provincial transfers (lines 6856, 7246) are for 政法: "political-legal affairs (政法)"
    names = english_names("projects")
    assert names["2022年省级政法转移支付资金"] == "2022 provincial transfer for political-legal affairs (政法)"
    assert names["2023年省级政法转移支付资金结转"].startswith(
        "2023 provincial transfer for political-legal affairs (政法)")


@pytest.fixture(scope="module")
def data(tidy_dir):
    from helpers.data.load import load_year

    return load_year(2023, tidy_dir)


def test_audit_sentences_gloss_class_and_project_names_on_english_pages(data):
    # line 36: 公共安全支出 15,737.52 against its items; line 7281: 2023年省级政法转移支付资金结转's 1,316.00
    from helpers.story import audit

    en = " ".join(audit.finding_lines(data, "error", "en"))
    assert "公共安全支出 (Public security) is given as 15,737.52 万元" in en
    assert "2023年省级政法转移支付资金结转 (2023 provincial transfer for political-legal affairs (政法), " \
           "carried over)" in en
    zh = " ".join(audit.finding_lines(data, "error", "zh"))
    assert "Public security" not in zh and "公共安全支出" in zh
