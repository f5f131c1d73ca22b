"""What the pages of 要素保障 read from query strings and posted forms, typed: an odd value (a number like ²
or too long for the database, an unknown status, a date that is not one) is a Chinese message on the page,
never a server error."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from kuochan.core.forms import FilterForm, IdField, NumberField, choice, flag
from kuochan.resources.models import Element, Listing, ListingStatus, RequestStatus, SpaceNeed

LISTING_NUMBERS = ("floor_area_m2", "floor_height_m", "floor_load_t_m2", "crane_t", "power_kva", "rent_yuan_m2_month", "price_wan")  # fmt: skip
NEED_NUMBERS = ("min_area_m2", "max_area_m2", "min_height_m", "min_load_t_m2", "min_crane_t", "min_power_kva", "max_rent_yuan_m2_month")  # fmt: skip


def year_field(required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=required)


def quantity(label: str, required: bool = True) -> NumberField:
    return NumberField(label=label, required=required)


class PoolsFilter(FilterForm):
    year = year_field()
    export = choice("导出", (("xlsx", "Excel"),))


class ExportFilter(FilterForm):
    export = choice("导出", (("xlsx", "Excel"),))


class AdvanceFilter(ExportFilter):
    overdue = flag("仅看逾期未还")


class RequestFilter(ExportFilter):
    status = choice("状态", RequestStatus.choices)
    project = IdField(label="项目")


class ListingFilter(ExportFilter):
    status = forms.ChoiceField(
        label="状态",
        choices=[("", "全部"), *ListingStatus.choices],
        required=False,
        initial=ListingStatus.AVAILABLE,
    )
    min_area = NumberField(label="最小面积（平方米）", required=False)
    max_rent = NumberField(label="租金上限（元/平方米·月）", required=False)


class ProjectQuery(FilterForm):
    project = IdField(label="项目")


# Posted forms ---------------------------------------------------------------------------------------


class PoolForm(forms.Form):
    org_unit = IdField(label="单位", required=True)
    element = forms.ChoiceField(label="要素", choices=Element.choices)
    year = year_field()
    amount = quantity("期初额度")
    note = forms.CharField(label="说明", max_length=200, required=False)


class IdsField(forms.Field):
    """Several row ids ticked on a list; whether each is a row the actor may act on is the service's to say."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        ids = IdField(required=True)
        return [ids.clean(item) for item in value or []]


class PoolActionForm(forms.Form):
    """The forms on a pool's page: approve, transfer, advance, release, reject, override."""

    action = forms.ChoiceField(
        label="操作",
        choices=[(a, a) for a in ("approve", "transfer", "advance", "release", "reject", "override")],
        error_messages={"invalid_choice": "未知的操作。", "required": "未知的操作。"},
    )
    pick = IdsField(label="选中的申请", required=False)
    to_pool = IdField(label="对方要素池")
    borrower = IdField(label="预支池")
    request = IdField(label="申请")
    direction = forms.ChoiceField(label="方向", choices=[("out", "调出"), ("in", "调入")], required=False)
    amount = quantity("数量", required=False)
    reason = forms.CharField(label="事由", max_length=200, required=False)
    allowed = flag("参与分配")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("action")
        needs = {"transfer": "to_pool", "advance": "borrower", "release": "request", "reject": "request",
                 "override": "request"}  # fmt: skip
        if (name := needs.get(action)) and not data.get(name) and name not in self.errors:
            self.add_error(name, "请选择。")
        if (
            action in ("transfer", "advance", "release")
            and data.get("amount") is None
            and "amount" not in self.errors
        ):
            self.add_error("amount", "请填写数量。")
        if action == "approve":
            data["approved"] = self._approved(data.get("pick") or [])
        if action == "advance":
            data["schedule"] = self._schedule()
        return data

    def _approved(self, picked: list[int]) -> dict[int, Decimal]:
        amounts = {}
        for pk in picked:
            try:
                amount = quantity("分配量").clean(self.data.get(f"amount-{pk}"))
            except ValidationError as exc:
                self.add_error(None, f"申请 #{pk} 的分配量{exc.messages[0]}")
                continue
            amounts[pk] = amount
        return amounts

    def _schedule(self) -> list[tuple[dt.date, Decimal]]:
        days, amounts = self.data.getlist("due_on"), self.data.getlist("due_amount")
        schedule = []
        for day, amount in zip(days, amounts, strict=False):
            if not day.strip() and not amount.strip():
                continue
            try:
                schedule.append((forms.DateField().clean(day), quantity("应还量").clean(amount)))
            except ValidationError as exc:
                self.add_error(None, f"还款计划“{day[:20]} {amount[:20]}”：{exc.messages[0]}")
        return schedule


class RequestForm(forms.Form):
    pool = IdField(label="要素池", required=True)
    amount = quantity("申请量")
    minimum = quantity("最低可行量", required=False)
    justification = forms.CharField(label="申请理由", max_length=2000, required=False)


class RowForm(forms.Form):
    """A row picked on a list (a request to withdraw, an advance to repay), with an amount and a reason."""

    request = IdField(label="申请")
    advance = IdField(label="预支")
    amount = quantity("还款量", required=False)
    reason = forms.CharField(label="说明", max_length=200, required=False)


def _numbers(model: Any, names: tuple[str, ...]) -> dict[str, NumberField]:
    return {name: quantity(str(model._meta.get_field(name).verbose_name), required=False) for name in names}


class ListingForm(forms.Form):
    code = forms.CharField(label="房源编号", max_length=40, required=False)
    area = IdField(label="所在园区（乡镇）", required=True)
    address = forms.CharField(label="地址", max_length=200, required=False)
    available_from = forms.DateField(label="可入驻日期", required=False)
    owner_name = forms.CharField(label="业主联系人", max_length=60, required=False)
    owner_phone = forms.CharField(label="联系电话", max_length=40, required=False)
    note = forms.CharField(label="备注", max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_numbers(Listing, LISTING_NUMBERS))


class ListingStatusForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=ListingStatus.choices)


class NeedForm(forms.Form):
    action = forms.ChoiceField(
        label="操作", choices=[("survey", "从调查生成"), ("need", "登记")], required=False
    )
    year = year_field()
    uscc = forms.CharField(label="统一社会信用代码", max_length=60, required=False)
    district = IdField(label="意向区县")
    needed_by = forms.DateField(label="需要入驻日期", required=False)
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_numbers(SpaceNeed, NEED_NUMBERS))


class NeedOpenForm(forms.Form):
    is_open = flag("需求状态")
