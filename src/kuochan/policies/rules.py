"""Eligibility rules of the policy catalogue: a small, safe expression format stored as data (JSON), never
`eval`; validated with Chinese messages that point at the problem; shown as readable Chinese conditions;
evaluated in three values — eligible, not eligible, or unknown when the data a condition needs is missing.

A rule is a tree of nodes:

    {"all": [node, …]}            every condition holds            （同时满足）
    {"any": [node, …]}            at least one holds               （满足其一）
    {"not": node}                 the condition does not hold      （不属于）
    {"field": F, "op": OP, "value": V}    a condition on one fact
    {"placeholder": "…"}          a condition the policy text leaves vague, for city staff to complete:
                                   always unknown until it is replaced; it reads "…（该条件待主管部门明确）"

Facts are plain values by field name (`FIELDS`); a missing fact (None) makes its condition unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from kuochan.core.money import CENT, money_problem
from kuochan.registry.models import HonourKind

ELIGIBLE, NOT_ELIGIBLE, UNKNOWN = "eligible", "not_eligible", "unknown"
STATUS_LABELS = {ELIGIBLE: "符合", NOT_ELIGIBLE: "不符合", UNKNOWN: "待核实（数据缺失）"}


@dataclass(frozen=True)
class Field:
    label: str
    kind: str  # bool, number, date, choice, set, text
    unit: str = ""
    choices: Mapping[str, str] = field(default_factory=dict)  # value → label


KIND_LABELS = {
    "bool": "是或否",
    "number": "数字",
    "date": "日期，如 2024-01-01",
    "choice": "单选",
    "set": "多项",
    "text": "文字",
}
CLASSES = {"A": "A类", "B": "B类", "C": "C类", "D": "D类", "T": "T类（不参评）"}
PROJECT_TYPES = {
    "renovation": "技术改造",
    "extension": "扩建",
    "new": "新建",
    "merger": "兼并重组",
    "ipo_funded": "募投",
}
SIZES = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}

FIELDS: dict[str, Field] = {
    "enterprise.above_scale": Field("规上企业", "bool"),
    "enterprise.size_class": Field("企业规模", "choice", choices=SIZES),
    "enterprise.district": Field("所在区县", "text"),
    "enterprise.established_on": Field("成立日期", "date"),
    "enterprise.tags": Field("产业链（产业）", "set"),
    "enterprise.honours": Field(
        "企业荣誉", "set", choices={kind.value: str(kind.label) for kind in HonourKind}
    ),
    "enterprise.revenue_wan": Field("上年营业收入", "number", "万元"),
    "enterprise.tax_wan": Field("上年实缴税金", "number", "万元"),
    "evaluation.class": Field("亩均评价分类", "choice", choices=CLASSES),
    "evaluation.carbon_grade": Field("碳效码等级", "number", "级"),
    "evaluation.low_efficiency": Field("列入清三低", "bool"),
    "project.project_type": Field("项目类型", "choice", choices=PROJECT_TYPES),
    "project.is_renovation": Field("技改项目", "bool"),
    "project.total_wan": Field("项目总投资", "number", "万元"),
    "project.equipment_wan": Field("设备投资", "number", "万元"),
    "project.zero_new_land": Field("零新增用地", "bool"),
    "project.is_provincial_major": Field("省重大项目", "bool"),
    "project.is_ipo_funded": Field("募投项目", "bool"),
    "project.chain": Field("项目所属产业链", "text"),
}

OPERATORS: dict[str, tuple[str, tuple[str, ...]]] = {
    # op → (how it reads, the field kinds it applies to)
    "is": ("为", ("bool",)),
    "==": ("为", ("number", "date", "choice", "text")),
    "!=": ("不为", ("number", "date", "choice", "text")),
    ">=": ("不小于", ("number", "date")),
    ">": ("大于", ("number", "date")),
    "<=": ("不大于", ("number", "date")),
    "<": ("小于", ("number", "date")),
    "in": ("属于", ("choice", "text")),
    "not_in": ("不属于", ("choice", "text")),
    "contains": ("包含", ("set",)),
    "contains_any": ("包含其一", ("set",)),
}
# A comparison says whether its bound counts, after the value: "不小于 500万元（含本数）", "早于2010年1月1日
# （不含当日）". Policy texts write 以上/以下/以内, which include the bound (民法典 第1259条).
INCLUDES_BOUND = {">=": True, "<=": True, ">": False, "<": False}
DATE_WORDS = {"==": "为", "!=": "不为", ">": "晚于", ">=": "不早于", "<": "早于", "<=": "不晚于"}


def bound_note(op: str, kind: str) -> str:
    """ "（含本数）" or "（不含本数）" for an order comparison (of a date: 当日), "" for any other."""
    if op not in INCLUDES_BOUND:
        return ""
    unit = "当日" if kind == "date" else "本数"
    return f"（{'含' if INCLUDES_BOUND[op] else '不含'}{unit}）"


# How a form names each operation (a date's comparisons read as earlier and later), with its bound.
OPERATOR_NAMES = {
    "is": "为", "==": "等于", "!=": "不等于", "in": "属于（其中之一）", "not_in": "不属于（其中任何一项）",
    "contains": "包含", "contains_any": "包含其中之一",
    **{op: f"{OPERATORS[op][0]}{bound_note(op, 'number')}" for op in INCLUDES_BOUND},
}  # fmt: skip
DATE_NAMES = {
    "==": "等于",
    "!=": "不等于",
    **{op: f"{DATE_WORDS[op]}{bound_note(op, 'date')}" for op in INCLUDES_BOUND},
}
PENDING = "该条件待主管部门明确"


# Parsing and validation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    kind: str  # all, any, not, condition, placeholder
    children: tuple[Node, ...] = ()
    field: str = ""
    op: str = ""
    value: Any = None
    text: str = ""


def _value(spec: Field, op: str, value: Any, where: str, problems: list[str]) -> Any:
    listed = op in ("in", "not_in", "contains_any")
    values = value if listed else [value]
    if listed and (not isinstance(value, list) or not value):
        problems.append(f'{where}：“{OPERATORS[op][0]}”需要一组取值，如 ["A", "B"]。')
        return value
    checked = []
    for item in values:
        if spec.kind == "bool":
            if not isinstance(item, bool):
                problems.append(f"{where}：{spec.label}的取值应为 true 或 false，收到“{item}”。")
            checked.append(item)
        elif spec.kind == "number":
            try:
                number = Decimal(str(item))
                if isinstance(item, bool) or not number.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                problems.append(f"{where}：{spec.label}的取值应为数字，收到“{item}”。")
                number = None
            checked.append(number)
        elif spec.kind == "date":
            try:
                day = dt.date.fromisoformat(item) if isinstance(item, str) else None
            except ValueError:
                day = None
            if day is None:
                problems.append(f"{where}：{spec.label}的取值应为日期，如 2024-01-01，收到“{item}”。")
            checked.append(day)
        elif (
            spec.kind in ("choice", "set")
            and spec.choices
            and (not isinstance(item, str) or item not in spec.choices)
        ):
            problems.append(f"{where}：{spec.label}没有取值“{item}”，可选：{'、'.join(spec.choices)}。")
            checked.append(item)
        elif not isinstance(item, str) or not item.strip():
            problems.append(f"{where}：{spec.label}的取值应为文字，收到“{item}”。")
            checked.append(item)
        else:
            checked.append(item.strip() if isinstance(item, str) else item)
    return tuple(checked) if listed else checked[0]


MAX_DEPTH = 20  # groups within groups; deeper is a mistake, and would exhaust the reader's recursion


def _node(data: Any, where: str, problems: list[str], fields: Mapping[str, Field], depth: int = 0) -> Node:
    if depth > MAX_DEPTH:
        problems.append(f"{where}：条件组嵌套超过 {MAX_DEPTH} 层，请简化。")
        return Node("placeholder", text="")
    if not isinstance(data, dict) or len(data) == 0:
        problems.append(
            f'{where}：应为一个条件，如 {{"field": "enterprise.above_scale", "op": "is", "value": true}}。'
        )
        return Node("placeholder", text="")
    if "all" in data or "any" in data:
        kind = "all" if "all" in data else "any"
        items = data[kind]
        if not isinstance(items, list) or not items:
            problems.append(f"{where}.{kind}：应为至少包含一个条件的列表。")
            return Node(kind)
        return Node(
            kind,
            tuple(
                _node(item, f"{where}.{kind}[{i + 1}]", problems, fields, depth + 1)
                for i, item in enumerate(items)
            ),
        )
    if "not" in data:
        return Node("not", (_node(data["not"], f"{where}.not", problems, fields, depth + 1),))
    if "placeholder" in data:
        text = str(data["placeholder"]).strip()
        if not text:
            problems.append(f"{where}：待明确的条件需要写明内容。")
        return Node("placeholder", text=text)
    name, op = data.get("field"), data.get("op")
    spec = fields.get(name) if isinstance(name, str) else None  # a list or an object names no field
    if spec is None:
        problems.append(
            f"{where}：未知的字段“{name}”，可用：{'、'.join(f'{k}（{f.label}）' for k, f in fields.items())}。"
        )
        return Node("condition", field=str(name), op=str(op))
    if not isinstance(op, str) or op not in OPERATORS or spec.kind not in OPERATORS[op][1]:
        usable = [o for o, (_, kinds) in OPERATORS.items() if spec.kind in kinds]
        problems.append(f"{where}：{spec.label}不能用运算“{op}”，可用：{'、'.join(usable)}。")
        return Node("condition", field=name, op=str(op))
    if "value" not in data:
        problems.append(f"{where}：缺少取值 value。")
        return Node("condition", field=name, op=op)
    return Node("condition", field=name, op=op, value=_value(spec, op, data["value"], where, problems))


def rule_from_data(data: Any, fields: Mapping[str, Field] = FIELDS) -> Node:
    """The rule stored as `data`; ValueError with every problem, in Chinese, each naming where it is.
    `fields`: the facts the rule may read (a policy's by default; a title's criteria read their own)."""
    problems: list[str] = []
    node = _node(data, "条件", problems, fields)
    if problems:
        raise ValueError(problems)
    return node


# Reading -------------------------------------------------------------------------------------------


def _shown(spec: Field, value: Any) -> str:
    if spec.choices:
        return spec.choices.get(value, str(value))
    if spec.kind == "number":
        return f"{format(Decimal(value).normalize(), 'f')}{spec.unit}"
    if spec.kind == "date":
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def describe(node: Node, *, nested: bool = False) -> str:
    """The rule as a reader of the policy would say it: the top level's conditions separated by "；",
    nested groups in brackets joined by 且 or 或."""
    if node.kind == "placeholder":
        return f"{node.text}（{PENDING}）" if node.text else PENDING
    if node.kind in ("all", "any"):
        parts = [describe(child, nested=True) for child in node.children]
        if len(parts) == 1:
            return parts[0]
        if node.kind == "all" and not nested:
            return "；".join(parts)
        return f"（{(' 且 ' if node.kind == 'all' else ' 或 ').join(parts)}）"
    if node.kind == "not":
        return f"不满足：{describe(node.children[0], nested=True)}"
    spec = FIELDS[node.field]
    if spec.kind == "bool":
        return spec.label if node.value else f"非{spec.label}"
    word = DATE_WORDS[node.op] if spec.kind == "date" else OPERATORS[node.op][0]
    if isinstance(node.value, tuple):
        return f"{spec.label}{word}{'、'.join(_shown(spec, v) for v in node.value)}"
    gap = " " if spec.kind == "number" else ""
    return f"{spec.label}{word}{gap}{_shown(spec, node.value)}{bound_note(node.op, spec.kind)}"


# Evaluation ----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: str
    met: list[str] = field(default_factory=list)
    not_met: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def _compare(node: Node, fact: Any) -> bool:
    op, value = node.op, node.value
    if op == "is":
        return bool(fact) is value
    if op in ("contains", "contains_any"):
        held = set(fact)
        return value in held if op == "contains" else bool(held & set(value))
    if op in ("in", "not_in"):
        return (fact in value) == (op == "in")
    if FIELDS[node.field].kind == "number":
        fact = Decimal(str(fact))
    return {
        "==": fact == value, "!=": fact != value, ">=": fact >= value, ">": fact > value, "<=": fact <= value,
        "<": fact < value,
    }[op]  # fmt: skip


def _texts(node: Node, texts: dict[int, str]) -> dict[int, str]:
    """Every node's reading, computed once per rule rather than once per subject."""
    texts[id(node)] = describe(node, nested=True)
    for child in node.children:
        _texts(child, texts)
    return texts


def _evaluate(node: Node, facts: Mapping[str, Any], outcome: Outcome, texts: dict[int, str]) -> str:
    if node.kind == "placeholder":
        outcome.unknown.append(texts[id(node)])
        return UNKNOWN
    if node.kind == "condition":
        fact = facts.get(node.field)
        if fact is None:
            outcome.unknown.append(f"{texts[id(node)]}（缺少{FIELDS[node.field].label}数据）")
            return UNKNOWN
        held = _compare(node, fact)
        (outcome.met if held else outcome.not_met).append(texts[id(node)])
        return ELIGIBLE if held else NOT_ELIGIBLE
    if node.kind == "not":
        inner = Outcome(UNKNOWN)
        result = _evaluate(node.children[0], facts, inner, texts)
        if result == UNKNOWN:  # say what is missing, as a plain condition does
            outcome.unknown.extend(f"不满足：{text}" for text in inner.unknown)
            return UNKNOWN
        (outcome.not_met if result == ELIGIBLE else outcome.met).append(texts[id(node)])
        return NOT_ELIGIBLE if result == ELIGIBLE else ELIGIBLE
    results = [_evaluate(child, facts, outcome, texts) for child in node.children]
    if node.kind == "all":
        if NOT_ELIGIBLE in results:
            return NOT_ELIGIBLE
        return UNKNOWN if UNKNOWN in results else ELIGIBLE
    if ELIGIBLE in results:
        return ELIGIBLE
    return UNKNOWN if UNKNOWN in results else NOT_ELIGIBLE


def evaluate(node: Node, facts: Mapping[str, Any]) -> Outcome:
    """Eligible, not eligible, or unknown (a needed fact is missing), with the conditions met, not met and
    unknown, each as readable Chinese."""
    return evaluate_all(node, [facts])[0]


def fields_of(node: Node) -> list[str]:
    """The facts a rule reads, each once."""
    if node.kind == "condition":
        return [node.field]
    return list(dict.fromkeys(name for child in node.children for name in fields_of(child)))


def evaluate_all(node: Node, subjects: Sequence[Mapping[str, Any]]) -> list[Outcome]:
    """One rule against many subjects in one pass (the whole city against a policy). Subjects that agree on
    every fact the rule reads share one outcome, computed once: a city has tens of thousands of subjects but
    few distinct combinations of the handful of facts a rule asks about. Outcomes are not to be changed."""
    texts = _texts(node, {})
    names = fields_of(node)
    sets = [i for i, name in enumerate(names) if FIELDS[name].kind == "set"]  # unhashable as read
    seen: dict[tuple, Outcome] = {}
    outcomes = []
    for facts in subjects:
        values = [facts.get(name) for name in names]
        for i in sets:
            if values[i] is not None:
                values[i] = frozenset(values[i])
        key = tuple(values)
        outcome = seen.get(key)
        if outcome is None:
            outcome = seen[key] = Outcome(UNKNOWN)
            outcome.status = _evaluate(node, facts, outcome, texts)
        outcomes.append(outcome)
    return outcomes


# Where a policy applies ----------------------------------------------------------------------------


def applies_within(home_path: str, issuer_path: str) -> bool:
    """Whether a subject whose unit has the materialised path `home_path` lies in the area of the unit that
    issued a policy: a city's policy applies across the city, a district's only within that district."""
    return home_path.startswith(issuer_path)


def area_refusal(
    *, title: str, issuer_name: str, issuer_path: str, applicant: str, home_name: str, home_path: str
) -> str | None:
    """Why an applicant registered outside the policy's area may not apply, in Chinese; None when inside."""
    if applies_within(home_path, issuer_path):
        return None
    return (
        f"“{title}”是{issuer_name}出台的政策，仅限{issuer_name}范围内的企业和项目申报；"
        f"{applicant}属于{home_name}，不能申报。"
    )


# Amounts -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Support:
    """How much a policy pays: nothing (non-monetary), a requested amount up to a cap, a share of the
    project's investment up to a cap, or a fixed award."""

    kind: str  # non_monetary, capped, share, fixed
    cap_wan: Decimal | None = None
    share_pct: Decimal | None = None
    share_base: str = ""  # equipment_wan, total_wan
    fixed_wan: Decimal | None = None


BASE_LABELS = {"equipment_wan": "设备投资", "total_wan": "项目总投资"}


def support_problems(support: Support) -> list[str]:
    """What is missing or wrong in a policy's amount rule, in Chinese."""
    problems = []
    if support.kind in ("capped", "share") and (support.cap_wan is None or support.cap_wan <= 0):
        problems.append("补助上限（万元）应为正数。")
    if support.kind == "share":
        if support.share_pct is None or not 0 < support.share_pct <= 100:
            problems.append("补助比例应在 0 到 100% 之间。")
        if support.share_base not in BASE_LABELS:
            problems.append(f"补助基数应为{'或'.join(BASE_LABELS.values())}。")
    if support.kind == "fixed" and (support.fixed_wan is None or support.fixed_wan <= 0):
        problems.append("定额（万元）应为正数。")
    return problems


def subsidy(support: Support, base_wan: Decimal | None) -> tuple[Decimal | None, str]:
    """The amount the policy's rule gives, and how it was computed, in Chinese. None when the rule cannot
    compute one: non-monetary support, an amount the applicant states (capped), or a missing base."""
    if support.kind == "fixed":
        return support.fixed_wan, f"定额 {support.fixed_wan} 万元"
    if support.kind != "share":
        return None, ""
    label = BASE_LABELS[support.share_base]
    if base_wan is None:
        return None, f"缺少{label}，无法测算"
    amount = (base_wan * support.share_pct / 100).quantize(CENT)
    text = f"{label} {base_wan} 万元 × {support.share_pct.normalize():f}% = {amount} 万元"
    if support.cap_wan is not None and amount > support.cap_wan:
        return support.cap_wan, f"{text}，超过上限，按上限 {support.cap_wan} 万元"
    return amount, text


def amount_problem(support: Support, amount: Decimal | None) -> str | None:
    """Why an amount cannot stand for this policy: missing, not positive, not a sum of money, or above the
    cap (for a fixed award, the award itself)."""
    if support.kind == "non_monetary":
        return None
    if amount is None or (amount.is_finite() and amount <= 0):
        return "请填写大于 0 的金额（万元）。"
    if problem := money_problem(amount):
        return problem
    cap = support.fixed_wan if support.kind == "fixed" else support.cap_wan
    if cap is not None and amount > cap:
        return f"金额 {amount} 万元超过本政策上限 {cap} 万元。"
    return None


# Workflow ------------------------------------------------------------------------------------------

APPLICANT, DISTRICT, CITY = "applicant", "district", "city"
WHO_LABELS = {APPLICANT: "申报企业或代办人员", DISTRICT: "区县审核人员", CITY: "市级审核人员"}


@dataclass(frozen=True)
class Transition:
    label: str
    sources: tuple[str, ...]
    target: str
    # who may act, by the status the application is in
    who: Mapping[str, str]
    needs_opinion: bool = False


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition("提交申报", ("draft", "returned"), "district_review",
                         {"draft": APPLICANT, "returned": APPLICANT}),
    "pass_district": Transition("初审通过", ("district_review",), "city_review", {"district_review": DISTRICT}),
    "pass_city": Transition("复审通过并公示", ("city_review",), "publicity", {"city_review": CITY}),
    "pay": Transition("拨付（兑现）", ("publicity",), "paid", {"publicity": CITY}),
    "return": Transition("退回修改", ("district_review", "city_review"), "returned",
                         {"district_review": DISTRICT, "city_review": CITY}, needs_opinion=True),
    "reject": Transition("不予支持", ("district_review", "city_review", "publicity"), "rejected",
                         {"district_review": DISTRICT, "city_review": CITY, "publicity": CITY}, needs_opinion=True),
    "withdraw": Transition("撤回申报", ("draft", "district_review", "returned"), "withdrawn",
                           {"draft": APPLICANT, "district_review": APPLICANT, "returned": APPLICANT}),
}  # fmt: skip


def allowed_actions(status: str, roles: set[str]) -> list[str]:
    """The actions someone holding `roles` may take on an application in `status`."""
    return [name for name, t in TRANSITIONS.items() if t.who.get(status) in roles]


def transition_refusal(action: str, status: str, status_label: str, roles: set[str]) -> str | None:
    """Why the action is refused, in Chinese, or None when it is allowed."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return f"没有“{action}”这一操作。"
    who = transition.who.get(status)
    if who is None:
        return f"申报当前为“{status_label}”，不能{transition.label}。"
    if who not in roles:
        return f"申报当前为“{status_label}”，只有{WHO_LABELS[who]}可以{transition.label}。"
    return None


def placeholders(node: Node) -> list[str]:
    """The conditions still to be completed by city staff (【待明确】)."""
    if node.kind == "placeholder":
        return [node.text]
    return [text for child in node.children for text in placeholders(child)]


STEP_LABELS = {"create": "创建申报", "award": "免申即享确认"} | {
    name: t.label for name, t in TRANSITIONS.items()
}
