"""The evaluation's work lists through the API: treatment lists and the carbon code in scope, the key
enterprises chosen by the city with their tracking sheet, and exemptions kept by the district."""

import pytest

from kuochan.audit.models import Source
from kuochan.evaluation.models import Exemption, KeyEnterprise
from kuochan.evaluation.services import evaluation_run
from kuochan.registry.models import Enterprise

pytestmark = pytest.mark.django_db

API = "/api/v1/evaluation"


@pytest.fixture
def evaluated(with_metrics):
    evaluation_run(actor=None, source=Source.CLI, year=2025)
    return with_metrics


def send(client, path, data):
    return client.post(f"{API}{path}", data, content_type="application/json")


def test_treatment_lists_and_carbon_codes_stay_in_scope(evaluated, users, client_for):
    city, nanxun = client_for(users["city_staff"]), client_for(users["nanxun"])
    everyone = [e["district"] for row in city.get(f"{API}/2025/treatment").json() for e in row["enterprises"]]
    assert sorted(everyone) == ["南浔区", "吴兴区", "吴兴区"]
    own = [e["name"] for row in nanxun.get(f"{API}/2025/treatment").json() for e in row["enterprises"]]
    assert own == ["南浔木业有限公司"]
    carbon = city.get(f"{API}/2025/carbon").json()
    graded = sum(row["total"] for row in carbon["industries"])
    assert carbon["industry_level"] == "division" and graded == 2  # the two above-scale enterprises
    assert sum(row["total"] for row in nanxun.get(f"{API}/2025/carbon").json()["industries"]) == 1


def test_the_city_chooses_key_enterprises_and_tracks_them(evaluated, users, client_for):
    xincailiao = Enterprise.objects.get(uscc=evaluated[1])
    assert (
        send(
            client_for(users["wuxing"]), "/key-enterprises", {"uscc": xincailiao.uscc, "reason": "培育"}
        ).status_code
        == 403
    )
    city = client_for(users["city_staff"])
    made = send(city, "/key-enterprises", {"uscc": xincailiao.uscc, "reason": "培育上规"})
    assert made.status_code == 201 and made.json()["name"] == "湖州吴兴新材料有限公司"
    again = send(city, "/key-enterprises", {"uscc": xincailiao.uscc, "reason": "培育上规"})
    assert again.json()["errors"] == {"enterprise": ["“湖州吴兴新材料有限公司”已是重点企业。"]}
    tracked = {row["name"]: row for row in city.get(f"{API}/2025/tracking").json()["items"]}
    assert tracked["湖州吴兴新材料有限公司"]["why"] == ["市级确定：培育上规"]
    assert client_for(users["nanxun"]).get(f"{API}/2025/tracking").json()["count"] == 0
    assert city.delete(f"{API}/key-enterprises/{made.json()['id']}").status_code == 204
    assert not KeyEnterprise.objects.exists()


def test_a_district_exempts_its_own_enterprises_only(evaluated, users, client_for):
    own, other = (Enterprise.objects.get(uscc=evaluated[i]) for i in (0, 2))
    client = client_for(users["wuxing"])
    assert send(client, "/2025/exemptions", {"uscc": own.uscc, "reason": " "}).json()["errors"] == {
        "reason": ["请填写不参评原因。"]
    }
    made = send(client, "/2025/exemptions", {"uscc": own.uscc, "reason": "新建未投产"})
    assert made.status_code == 201 and made.json()["year"] == 2025
    assert [e["name"] for e in client.get(f"{API}/2025/exemptions").json()["items"]] == [
        "湖州织里童装有限公司"
    ]
    assert send(client, "/2025/exemptions", {"uscc": other.uscc, "reason": "x"}).status_code == 404
    assert client_for(users["nanxun"]).delete(f"{API}/exemptions/{made.json()['id']}").status_code == 404
    assert client.delete(f"{API}/exemptions/{made.json()['id']}").status_code == 204
    assert not Exemption.objects.exists()
