"""Forms of the title pages: one criterion of a title, its rule as the rule builder posts it."""

from __future__ import annotations

from typing import Any

from django import forms

from kuochan.policies.forms import RuleForm

INCLUSIVE_CHOICES = (
    ("", "不适用（非数值比较）"),
    ("1", "含本数（以上、以下、不低于、不超过）"),
    ("0", "不含本数（高于、低于、超过）"),
)


class CriterionForm(RuleForm):
    """A criterion as city staff edit it: its wording, its rule (the builder's JSON), where it comes from,
    how the text reads its bound, and whether the figure was checked against the published original."""

    text = forms.CharField(label="条件原文", max_length=2000, widget=forms.Textarea)
    source = forms.CharField(label="出处（文件、文号、条款）", max_length=500)
    inclusive = forms.TypedChoiceField(
        label="边界值", choices=INCLUSIVE_CHOICES, coerce=lambda v: v == "1", empty_value=None, required=False
    )
    verified = forms.BooleanField(label="已核对原文", required=False)

    def criterion(self, code: str) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "code": code, "text": data["text"].strip(), "rule": data["rule"], "source": data["source"].strip(),
            "inclusive": data["inclusive"], "verified": data["verified"],
        }  # fmt: skip


def criterion_initial(criterion: dict[str, Any]) -> dict[str, Any]:
    inclusive = criterion.get("inclusive")
    return {
        "text": criterion.get("text", ""),
        "source": criterion.get("source", ""),
        "inclusive": "" if inclusive is None else "1" if inclusive else "0",
        "verified": bool(criterion.get("verified")),
    }
