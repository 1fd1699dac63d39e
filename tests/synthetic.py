"""A small, internally consistent final-accounts report, for planting inconsistencies one at a time.

`build(**values)` returns the report text; every figure is a named value with a consistent
default, so a test changes one (e.g. `public="90.00"`) and knows where the finding must point.
"""

from __future__ import annotations

DEFAULTS = dict(
    total="1,000.00", change="100.00", change_pct="9.1", prior_budget="1,100.00", change_pct_annex="13.64",
    adjusted_budget="1,250.00", annex_change="150.00",  # the budget the rates imply: 1,000.00 spent is 80% of it
    basic="600.00", basic_share="60.0", project="400.00", project_share="40.0",
    personnel="500.00", public="100.00",
    cls_security="900.00", cls_security_share="90.0", cls_housing="100.00", cls_housing_share="10.0",
    completion="80", item_admin="600.00", item_admin_rate="80.0", item_cases="300.00", item_cases_rate="75.0",
    item_fund="100.00", item_fund_rate="100",
    tp_total="60.00", tp_rate="80.0", tp_change="20.00", tp_pct="50.0", veh="60.00", veh_rate="80.0",
    veh_purchase="40.00", veh_operation="20.00", bought="2", bought_sedan="1", sedan_amount="25.00",
    bought_other="1", other_amount="15.00", patrol="2", motorcycles="0",
    fleet="10", fleet_sedan="5", fleet_suv="1", fleet_small="1", fleet_large="1", fleet_other="2",
    fleet_enforcement="8", fleet_other_use="2",
    agency="90.00", agency_change="10.00", agency_pct="10.0",
    proc="200.00", goods="150.00", services="50.00", sme="180.00", sme_share="90.0", micro="100.00", micro_share="50.0",
    projects_stated="2",
    a_initial="300.00", a_adjusted="300.00", a_executed="300.00", a_rate="100.00%", a_score="10",
    a_fiscal_executed="300.00", a_w1="45", a_s1="45", a_w2="45", a_s2="45", a_target2="90", a_actual2="95",
    a_total="100",
    # 甲项目's first indicator: its 一级指标, name (default 甲项目完成数量), operator, target, unit, result, 偏差原因
    a_level1="产出指标", a_ind1="", a_op1="＝", a_target1="10", a_unit1="个", a_actual1="10", a_reason1="",
    b_initial="100.00", b_adjusted="100.00", b_executed="100.00", b_rate="100.00%", b_score="10",
    b_fiscal_executed="100.00", b_total="100",
)

TEMPLATE = """ 第一部分 单位概况
主要职责
测试单位负责测试。
第二部分 2023年度单位决算情况说明
一、收入支出决算总体情况说明
2023年度收、支总计均为{total}万元，与2022年度相比，减少{change}万元，下降{change_pct}%。减少的主要原因：测试项目完工。
二、收入决算情况说明
2023年本年收入合计{total}万元，其中：一般公共预算财政拨款收入{total}万元，占100%。
 三、支出决算情况说明
2023年本年支出合计{total}万元，其中：基本支出{basic}万元，占{basic_share}%；项目支出{project}万元，占{project_share}%。
 四、财政拨款收入支出决算总体情况说明
2023年度收、支总计均为{total}万元，与2022年度相比，减少{change}万元，下降{change_pct}%。
五、一般公共预算财政拨款支出决算情况说明
（一）一般公共预算财政拨款支出决算总体情况
2023年度一般公共预算财政拨款支出{total}万元，与2022年度相比，减少{change}万元，下降{change_pct}%。
（二）一般公共预算财政拨款支出决算结构情况
2023年度一般公共预算财政拨款支出{total}万元，主要用于以下方面:公共安全支出{cls_security}万元，占{cls_security_share}%；住房保障支出{cls_housing}万元，占{cls_housing_share}%。
 （三）一般公共预算财政拨款支出决算具体情况
2023年度一般公共预算支出决算数为{total}万元，完成预算{completion}%。决算数小于预算数的主要原因是测试。其中：
公共安全支出（类）公安（款）行政运行（项）：支出决算为{item_admin}万元，完成预算{item_admin_rate}%，决算数小于预算数的主要原因是测试。
公共安全支出（类）公安（款）执法办案（项）:支出决算为{item_cases}万元，完成预算{item_cases_rate}%。决算数小于预算数的主要原因是测试。
住房保障支出（类）住房改革支出（款）住房公积金（项）:支出决算为{item_fund}万元，完成预算{item_fund_rate}%。
六、一般公共预算财政拨款基本支出决算情况说明
2023年度一般公共预算财政拨款基本支出{basic}万元，其中：
人员经费{personnel}万元，主要包括：基本工资。
公用经费{public}万元，主要包括：办公费。
七、财政拨款“三公”经费支出决算情况说明
2023年度“三公”经费财政拨款支出决算为{tp_total}万元，完成预算{tp_rate}%，较上年度增加{tp_change}万元，增长{tp_pct}%。决算数小于预算数主要原因是测试。
2023年度“三公”经费财政拨款支出决算中，因公出国（境）费支出决算0万元，占0%；公务用车购置及运行维护费支出决算{veh}万元，占100%；公务接待费支出决算0万元，占0%。具体情况如下：
  1.因公出国（境）经费支出0万元，完成预算0%。全年安排因公出国（境）团组0次，出国（境）0人。
2.公务用车购置及运行维护费支出{veh}万元,完成预算{veh_rate}%。公务用车购置及运行维护费支出决算比2022年度增加{tp_change}万元，同比增长{tp_pct}%。主要原因是2023年新购执勤执法车辆{patrol}辆、警用摩托车{motorcycles}辆。
其中：公务用车购置支出{veh_purchase}万元。全年按规定更新购置公务用车{bought}辆，其中：轿车{bought_sedan}辆、金额{sedan_amount}万元，其他车型{bought_other}辆，金额{other_amount}万元。截至2023年12月31日，单位共有公务用车{fleet}辆，其中：轿车{fleet_sedan}辆、越野车{fleet_suv}辆、小型客车{fleet_small}辆、中型客车和大型客车{fleet_large}辆、其他车型{fleet_other}辆。
公务用车运行维护费支出{veh_operation}万元。
3.公务接待费支出0万元，完成预算0%。
十、其他重要事项的情况说明
（一）机关运行经费支出情况
2023年度，测试单位机关运行经费支出{agency}万元，比2022年度减少{agency_change}万元，下降{agency_pct}%。主要原因是测试。
（二）政府采购支出情况
2023年度，测试单位政府采购支出总额{proc}万元，其中：政府采购货物支出{goods}万元、政府采购服务支出{services}万元。授予中小企业合同金额{sme}万元，占政府采购支出总额的{sme_share}%，其中：授予小微企业合同金额{micro}万元，占政府采购支出总额的{micro_share}%。
（三）国有资产占有使用情况
截至2023年12月31日，测试单位共有车辆{fleet}辆，其中：执法执勤用车{fleet_enforcement}辆，其他用车{fleet_other_use}辆。
（四）预算绩效管理情况
本单位组织对甲项目、乙项目等{projects_stated}个项目开展了预算事前绩效评估，对{projects_stated}个项目编制了绩效目标，预算执行过程中，选取{projects_stated}个项目开展绩效监控，组织对{projects_stated}个项目开展绩效自评。
第三部分  名词解释
1、基本支出：指为保障机构正常运转而发生的支出。
附件1
部门预算绩效评价报告
截至2023年12月31日，我部门/单位自用固定资产100.00万元，占账面固定资产总额的100.00%，其中:在用100.00万元，占账面固定资产总额的100.00%；闲置0.00万元，占账面固定资产总额的0.00%；待处置（待报废、毁损等）0.00万元，占账面固定资产总额的0.00%。自用无形资产10.00万元，占账面无形资产总额的100.00%；其中在用10.00万元，占账面无形资产总额的100.00%；闲置0.00万元，占账面无形资产总额的0.00%；待处置（待报废、毁损等）0.00万元，占账面无形资产总额的0.00%。
测试单位2023年支出年初预算为{total}万元,调整后全年财政下达预算{adjusted_budget}万元，与2022年全年财政下达预算{prior_budget}万元相比，增加{annex_change}万元，增加{change_pct_annex}%。增加的主要原因：测试项目追加。
"""

PROJECT = """\t部门预算项目支出绩效自评表（2023年度）

\t项目名称
\t{code}-{name}

\t主管部门
\t测试部门
\t实施单位 （盖章）
\t测试单位

\t预算执行情况（10分）
\t年度预算数（万元）
\t年初预算
\t调整后预算数
\t预算执行数
\t预算执行率
\t权重
\t得分
\t原因

\t
\t总额
\t{initial}
\t{adjusted}
\t{executed}
\t{rate}
\t10
\t{score}
\t1.预算执行率=预算执行数/调整后预算数

\t
\t其中：财政资金
\t{initial}
\t{adjusted}
\t{fiscal_executed}
\t{rate}
\t/
\t/
\t

\t绩效指标（90分）
\t一级指标
\t二级指标
\t三级指标
\t指标性质
\t指标值
\t度量单位
\t完成值
\t权重
\t得分
\t未完成原因分析

\t
\t{level1}
\t数量指标
\t{ind1}
\t{op1}
\t{target1}
\t{unit1}
\t{actual1}
\t{w1}
\t{s1}
\t{reason1}

\t
\t满意度指标
\t服务对象满意度指标
\t{name}满意度
\t≥
\t{target2}
\t%
\t{actual2}
\t{w2}
\t{s2}
\t

\t合计
\t100
\t{total}
\t

\t评价结论
\t完成。

"""


def build(**values: str) -> str:
    """The report text with `values` replacing the consistent defaults."""
    v = {**DEFAULTS, **values}
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise KeyError(f"no such synthetic value: {sorted(unknown)}")
    a = PROJECT.format(code="51000000T000000000001", name="甲项目", initial=v["a_initial"], adjusted=v["a_adjusted"],
                       executed=v["a_executed"], rate=v["a_rate"], score=v["a_score"],
                       fiscal_executed=v["a_fiscal_executed"], w1=v["a_w1"], s1=v["a_s1"], w2=v["a_w2"], s2=v["a_s2"],
                       target2=v["a_target2"], actual2=v["a_actual2"], total=v["a_total"], level1=v["a_level1"],
                       ind1=v["a_ind1"] or "甲项目完成数量", op1=v["a_op1"], target1=v["a_target1"], unit1=v["a_unit1"],
                       actual1=v["a_actual1"], reason1=v["a_reason1"])
    b = PROJECT.format(code="51000000T000000000002", name="乙项目", initial=v["b_initial"], adjusted=v["b_adjusted"],
                       executed=v["b_executed"], rate=v["b_rate"], score=v["b_score"],
                       fiscal_executed=v["b_fiscal_executed"], w1="45", s1="45", w2="45", s2="45", target2="90",
                       actual2="95", total=v["b_total"], level1="产出指标", ind1="乙项目完成数量", op1="＝",
                       target1="10", unit1="个", actual1="10", reason1="")
    return TEMPLATE.format(**v) + "\n" + a + b + "第五部分 附表\n"
