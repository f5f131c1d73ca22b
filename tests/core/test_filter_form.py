"""The shared pieces every page and service leans on: a list page's query string typed by FilterForm (odd
values ignored and named in Chinese), and ensure_in_scope refusing another district's object."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied

from kuochan.core.forms import FilterForm, IdField, chosen, page_of
from kuochan.core.scope import ensure_in_scope, in_scope
from kuochan.orgs.models import OrgUnit


class ListFilter(FilterForm):
    district = IdField(label="区县")
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), ("open", "办理中")], required=False)
    closed = forms.TypedChoiceField(
        label="已办结", choices=[("", "全部"), ("1", "是"), ("0", "否")], coerce=lambda v: v == "1",
        required=False, empty_value=None,
    )  # fmt: skip
    page = forms.IntegerField(label="页码", min_value=1, required=False, initial=1)


@pytest.mark.parametrize("odd", ["²", "9" * 25, "-1", "foo", "\x00"])
def test_an_odd_filter_value_is_ignored_and_named(odd):
    form = ListFilter({"district": odd, "status": odd, "closed": odd, "page": "0"})
    assert form.values == {"district": None, "status": "", "closed": None, "page": 1}
    assert len(form.problems) == 4
    assert form.problems[0].startswith("筛选条件「区县」的值") and form.problems[0].endswith(
        form.errors["district"][0]
    )


def test_good_filter_values_pass_through():
    form = ListFilter({"district": "12", "status": "open", "closed": "0"})
    assert form.values == {"district": 12, "status": "open", "closed": False, "page": 1}
    assert form.problems == []


def test_a_service_refuses_an_object_outside_the_actors_scope(users, huzhou):
    wuxing, nanxun = huzhou["330502"], huzhou["330503"]
    town = OrgUnit.objects.filter(path__startswith=wuxing.path).exclude(pk=wuxing.pk).first()
    ensure_in_scope(users["wuxing"], wuxing, town)  # its own district and towns
    ensure_in_scope(None, nanxun)  # the system
    with pytest.raises(PermissionDenied, match="不在您的数据范围内"):
        ensure_in_scope(users["wuxing"], town, nanxun)
    assert not in_scope(users["enterprise"], wuxing)  # org units are not an enterprise user's to see
    assert in_scope(users["city_staff"], nanxun)


@pytest.mark.parametrize(("asked", "shown"), [("2", 2), ("²", 1), ("9" * 25, 3), ("-1", 1), ("", 1)])
def test_a_list_page_number_is_read_through_a_form(rf, asked, shown):
    page = page_of(rf.get("/", {"page": asked}), list(range(120)))
    assert page.number == shown  # odd: the first page; past the end: the last


def test_a_named_choice_is_one_of_those_offered_or_nothing(rf):
    assert chosen(rf.get("/", {"export": "xlsx"}).GET, "export", ["xlsx"]) == "xlsx"
    assert chosen(rf.get("/", {"export": "xls\x00"}).GET, "export", ["xlsx"]) == ""
    assert chosen(rf.get("/").GET, "export", ["xlsx"]) == ""
