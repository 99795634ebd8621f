"""Many plans, read without a browser: the compare chart's layout, year ranges, and the fixture grown to 20 plans."""

from __future__ import annotations

from conftest import TEMPLATES
from manyplans import periods
from site_builder.build import SiteBuilder
from site_builder.compare import bar_chart
from site_builder.render import keep_years
from site_builder.routes import period_ranges


def test_the_chart_gives_each_plan_its_own_row_scaled_to_the_largest_value():
    labels = [f"{2000 + n}-{(n + 1) % 100:02d}" for n in range(20)]
    values = [n % 7 for n in range(20)]
    chart = bar_chart(labels, values)
    tops = [bar.y for bar in chart.bars]
    assert [b - a for a, b in zip(tops, tops[1:])] == [chart.row] * 19  # one row each, none shared
    assert chart.bar_height < chart.row and chart.font_size < chart.row
    assert tops[-1] + chart.row <= chart.height
    longest = max(bar.length for bar in chart.bars)
    assert [bar.length for bar in chart.bars if bar.value == 6] == [longest] * 2
    assert [bar.length for bar in chart.bars if bar.value == 0] == [0] * 3
    assert chart.axis + longest < chart.width  # room for the value after the longest bar
    assert bar_chart([], []).bars == ()


def test_runs_of_three_or_more_years_read_as_a_range():
    assert period_ranges(["2014-15", "2018-19", "2019-20", "2021-22"]) == ("2014-15", "2018-19", "2019-20", "2021-22")
    assert period_ranges(["2012-13", "2013-14", "2014-15", "2016-17", "2016-17"]) == ("2012-13 to 2014-15", "2016-17")
    assert period_ranges(["1998-99", "1999-00", "2000-01", "2016-21"]) == ("1998-99 to 2000-01", "2016-21")
    assert period_ranges([]) == ()


def test_twenty_years_of_a_programme_read_as_one_range(many_plans):
    built = many_plans(20)
    first, last = periods(20)[0], periods(20)[-1]
    assert f'<span class="nowrap">{first} to {last}</span>' in (built / "programmes/index.html").read_text()
    assert f"plans: {first} to {last}." in (built / "programmes/keep-safe/index.html").read_text()


def test_the_compare_page_says_which_plans_were_published_with_empty_tables(site_dir):
    (site_dir / "plans" / "2019-20.yaml").write_text(
        'period: "2019-20"\ntitle: Annual Partnership Plan 2019-20\ndocument: Plan 2019-20\npriorities:\n'
        "  - number: 1\n    title: Tackling county lines\n    short_title: County lines\n"
        "    source_table_empty: true\n", encoding="utf-8")
    page = SiteBuilder(site_dir, TEMPLATES).build().files["compare/index.html"].decode()
    assert "The 2019-20 plan was published with its tables empty." in page
    assert "2019-20: 0; 2020-21: 1; 2021-22: 1." in page  # the chart's text alternative


def test_keep_years_holds_each_period_on_one_line_and_escapes_the_rest():
    assert keep_years("Plan 2016-2020 & 2021-22, not 12345-678 <b>") == (
        'Plan <span class="nowrap">2016-2020</span> &amp; <span class="nowrap">2021-22</span>, '
        "not 12345-678 &lt;b&gt;")


def test_keep_years_remembers_text_and_markup_apart():
    """Its results are kept by value and type: Markup is not escaped again, the same text as a str is."""
    from markupsafe import Markup

    assert keep_years(Markup("A &amp; B 2021-22")) == 'A &amp; B <span class="nowrap">2021-22</span>'
    assert keep_years("A &amp; B 2021-22") == 'A &amp;amp; B <span class="nowrap">2021-22</span>'
