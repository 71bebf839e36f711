"""Charts render with Chinese labels and no missing glyphs (pytest turns warnings into errors)."""

import warnings

import pytest
from typer.testing import CliRunner

from shebao import charts
from shebao.cli import app


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_compare_renders_without_missing_glyphs(tmp_path, suffix):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would fail here
        fig = charts.compare(10000, 2025)
        charts.save(fig, tmp_path / f"compare{suffix}")
    assert (tmp_path / f"compare{suffix}").stat().st_size > 1000
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "上海" in labels and fig.axes[0].get_title(loc="left").startswith("2025年")


def test_bars_are_stacked_and_sorted():
    fig = charts.compare(10000, 2025, ["上海", "广州", "重庆"], lang="en")
    ax = fig.axes[0]
    totals = [bar.get_x() + bar.get_width() for bar in ax.containers[1]]
    assert totals == sorted(totals)  # biggest at the top of a horizontal bar chart
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "Shanghai"


def test_other_charts_render(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, fig in {"by_base": charts.by_base(["上海", "北京"], "2025-08-01"),
                          "history": charts.history("广州"), "take_home": charts.take_home("上海", 2025)}.items():
            charts.save(fig, tmp_path / f"{name}.png")
    line = charts.by_base(["上海"], "2025-08-01", bases=[0, 50000, 60000]).axes[0].lines[0]
    assert line.get_ydata()[1] == line.get_ydata()[2]  # above the ceiling the line is flat


def test_bad_language_and_cli(tmp_path):
    from shebao.errors import InputError

    with pytest.raises(InputError, match="lang"):
        charts.compare(10000, 2025, lang="fr")
    result = CliRunner().invoke(app, ["chart", "compare", "--base", "10000", "--year", "2025",
                                      "-o", str(tmp_path / "c.svg")])
    assert result.exit_code == 0 and (tmp_path / "c.svg").exists()


def test_mutual_aid_matrix_and_reimbursement_charts(tmp_path):
    import warnings

    import shebao as sb
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = sb.charts.mutual_aid_matrix(on="2025-06-01", purpose="premium")
        assert len(fig.axes[0].get_yticklabels()) >= 31
        sb.charts.save(fig, tmp_path / "aid.png")
        fig = sb.charts.reimbursement("深圳", "2025-06-01", lang="en")
        assert len(fig.axes[0].lines) == 3
        sb.charts.save(fig, tmp_path / "reim.svg")


def test_every_item_has_a_chinese_chart_label():
    from shebao.charts import ITEM_LABELS
    from shebao.schema import ITEMS
    assert set(ITEMS) | {"housing_fund"} <= set(ITEM_LABELS["zh"])
