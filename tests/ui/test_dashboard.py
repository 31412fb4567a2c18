"""The dashboard says which year it shows in its select too, and every bar's colour is in its legend."""

import re

import pytest

from tests.factories import Stream
from tests import factories as f
from tests.ui.cases import notified_grant as notified
from tests.ui.html import select_options

pytestmark = pytest.mark.django_db
CSG, SAG = Stream.COMMUNITY_SUPPORT_GRANT, Stream.SPECIAL_ADJUSTMENT_GRANT

# The class of each kind of bar in the chart and the class of its key in the legend.
BAR_KEYS = {"chart__bar": "chart__key--determined", "chart__bar--paid": "chart__key--paid", "chart__bar--ministry": "chart__key--ministry"}


@pytest.fixture
def people():
    return {"officer": f.officer(), "boss": f.supervisor()}


def chosen(body: str) -> list[str]:
    return [option["text"] for option in select_options(body, "fiscal_year") if option["selected"]]


def test_the_year_select_shows_the_year_on_display(client, people):
    notified(**people, year=2025, stream=CSG, amount=1_000_000)
    notified(**people, year=2026, stream=SAG, amount=3_000_000)
    client.force_login(people["boss"])
    body = client.get("/dashboard/").content.decode()
    assert '<span class="h1-sub">令和8年度</span>' in body and chosen(body) == ["令和8年度"]
    assert "全て" not in [option["text"] for option in select_options(body, "fiscal_year")]
    body = client.get("/dashboard/?fiscal_year=2025").content.decode()
    assert '<span class="h1-sub">令和7年度</span>' in body and chosen(body) == ["令和7年度"]
    for bad in ("abc", "1999", ""):
        body = client.get(f"/dashboard/?fiscal_year={bad}").content.decode()
        assert '<span class="h1-sub">令和8年度</span>' in body and chosen(body) == ["令和8年度"], bad


def test_every_bar_colour_has_a_key_in_the_legend_and_the_ministry_one_says_who_pays(client, people):
    f.fiscal_year(2025)
    notified(**people, year=2025, stream=CSG, amount=1_000_000)
    notified(**people, year=2025, stream=SAG, amount=3_000_000)
    client.force_login(people["boss"])
    body = client.get("/dashboard/?fiscal_year=2025").content.decode()
    bars = {cls for classes in re.findall(r'<rect [^>]*class="([^"]+)"', body) for cls in classes.split()}
    legend = body[body.index('data-testid="chart-legend"') : body.index("</figcaption>")]
    assert bars == {"chart__bar", "chart__bar--paid", "chart__bar--ministry"}
    assert all(BAR_KEYS[cls] in legend for cls in bars)
    assert "決定額（本省が決定・支払）" in legend
    assert "本省が支払" in body  # not 0円 paid for a grant the bureau never pays


def test_bars_and_their_keys_share_a_colour_in_the_stylesheet():
    css = open("static/css/app.css", encoding="utf-8").read()

    def colour(selector: str, prop: str) -> str:
        rule = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
        assert rule, selector
        return re.search(prop + r":\s*([^;]+);", rule.group(1)).group(1).strip()

    for bar, key in BAR_KEYS.items():
        assert colour("." + bar, "fill") == colour("." + key, "background"), bar


def test_the_chart_speaks_english_too(client, people):
    notified(**people, year=2026, stream=SAG, amount=3_000_000)
    client.force_login(people["boss"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    body = client.get("/dashboard/").content.decode()
    chart = body[body.index("<figure") : body.index("</figure>")]
    assert "Determined (the ministry decides and pays)" in chart and "Paid by the ministry" in chart
    assert "Prefecture 11" in chart and "埼玉県" not in chart and "¥3,000,000" in chart
    assert chosen(body) == ["FY2026"]
