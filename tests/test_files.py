"""Payroll files: formats in and out, GBK and Chinese headers, chunks, bad input, Dask."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import shebao as sb
from shebao import files
from shebao.cli import app

ON = "2025-08-01"
STAFF = pd.DataFrame({"工号": ["001", "002", "003", "004"], "姓名": ["张三", "李四", "王五", "=HYPERLINK(1)"],
                      "地区": ["上海", "广州", "重庆", "北京"], "缴费基数": ["8000", "30000", "3000", "12345.67"],
                      "公积金比例": ["0.07", "", "", "0.12"]})


def expected() -> pd.DataFrame:
    work = STAFF.rename(columns={"地区": "region", "缴费基数": "base", "公积金比例": "housing_fund_rate"})
    work = work.replace("", np.nan)
    return sb.payroll(work[["region", "base", "housing_fund_rate"]], on=ON)


def write_input(path):
    if path.suffix == ".csv":
        STAFF.to_csv(path, index=False, encoding="gbk")
    elif path.suffix == ".xlsx":
        STAFF.to_excel(path, index=False)
    else:
        STAFF.to_parquet(path, index=False)


@pytest.mark.parametrize("source", [".csv", ".xlsx", ".parquet"])
@pytest.mark.parametrize("target", [".csv", ".xlsx", ".parquet"])
def test_formats_in_and_out(tmp_path, source, target):
    src, out = tmp_path / f"staff{source}", tmp_path / f"out{target}"
    write_input(src)
    summary = files.run(src, out, on=ON)
    result = {".csv": lambda p: pd.read_csv(p, dtype={"工号": str}), ".xlsx": lambda p: pd.read_excel(p, dtype={"工号": str}),
              ".parquet": pd.read_parquet}[target](out)
    assert list(result.columns[:5]) == list(STAFF.columns)  # every input column, first, in order
    assert result["工号"].tolist() == ["001", "002", "003", "004"]  # ids carried through unchanged
    if source != ".xlsx":  # pandas itself writes that value into an .xlsx input as a formula
        assert result["姓名"].iloc[3] == "=HYPERLINK(1)"  # text in, text out: never a formula
    want = expected()
    for column in ("pension_employee", "employee_total", "employer_total"):
        assert np.allclose(result[column].astype(float).to_numpy(), want[column].to_numpy(), atol=0.001)
    assert summary["employees"].sum() == 4
    assert round(summary["total"].sum(), 2) == round((want["employee_total"] + want["employer_total"]).sum(), 2)


def test_chunked_equals_in_memory(tmp_path):
    rng = np.random.default_rng(3)
    big = pd.DataFrame({"region": rng.choice(["上海", "广州", "重庆", "杭州"], 5000),
                        "base": rng.integers(0, 5_000_000, 5000) / 100})
    src = tmp_path / "big.parquet"
    big.to_parquet(src, index=False)
    files.run(src, tmp_path / "chunks.parquet", on=ON, chunksize=700)
    chunked = pd.read_parquet(tmp_path / "chunks.parquet")
    whole = sb.payroll(big, on=ON)
    pd.testing.assert_frame_equal(chunked[whole.columns].reset_index(drop=True), whole.reset_index(drop=True))


def test_year_sums_twelve_months(tmp_path):
    src = tmp_path / "staff.csv"
    write_input(src)
    files.run(src, tmp_path / "year.csv", year=2025)
    year = pd.read_csv(tmp_path / "year.csv")
    yearly = sb.yearly_contributions(30000, "广州", 2025)
    assert year.loc[1, "employee_total"] == pytest.approx(yearly["employee_monthly"].sum(), abs=1e-6)


def bad_csv(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "bad.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("text, message", [
    ("name,城市\nA,上海\n", r"missing column\(s\) \['base'\]; found \['name', '城市'\]"),
    ("地区,缴费基数\n上海,8000\n上海x,8000\n", r"region in row 3: unknown region '上海x'; did you mean: 上海市"),
    ("地区,缴费基数\n上海,8000\n上海,-1\n", r"base in row 3 is negative"),
    ("地区,缴费基数\n上海,8000\n上海,\n", r"base in row 3 is missing"),
    ("地区,缴费基数\n上海,abc\n", r"base in row 2 is not a number"),
    ("地区,缴费基数,公积金比例\n上海,8000,0.3\n", r"housing_fund_rate 0.3 is outside 上海市 \(310000\)'s allowed range"),
])
def test_bad_input_names_file_row_and_column(tmp_path, text, message):
    out = tmp_path / "out.csv"
    with pytest.raises(sb.ShebaoError, match=message):
        files.run(bad_csv(tmp_path, text), out, on=ON)
    assert not out.exists() and not list(tmp_path.glob(".out.csv.*"))  # nothing written, no half file


def test_undecodable_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"region,base\n\x81\xff\xfe\x80,1\n" * 3)
    with pytest.raises(sb.InputError, match="cannot decode"):
        files.run(path, tmp_path / "out.csv", on=ON)


def test_interrupted_run_leaves_no_output(tmp_path):
    rows = "地区,缴费基数\n" + "上海,8000\n" * 50 + "上海,-5\n"
    with pytest.raises(sb.InputError, match="row 52"):
        files.run(bad_csv(tmp_path, rows), tmp_path / "out.csv", on=ON, chunksize=10)
    assert list(tmp_path.iterdir()) == [tmp_path / "bad.csv"]


def test_refuses_to_overwrite_without_force(tmp_path):
    src = tmp_path / "staff.csv"
    write_input(src)
    out = tmp_path / "out.csv"
    out.write_text("keep me", encoding="utf-8")
    with pytest.raises(sb.InputError, match="exists; pass --force"):
        files.run(src, out, on=ON)
    assert out.read_text(encoding="utf-8") == "keep me"
    files.run(src, out, on=ON, force=True)
    assert "pension_employee" in out.read_text(encoding="utf-8-sig")


def test_collect_errors_computes_good_rows(tmp_path):
    text = "地区,缴费基数,公积金比例\n上海,8000,\n上海x,8000,\n重庆,-1,\n上海,9000,0.5\n武汉,5000,\n广州,5000,\n"
    out = tmp_path / "out.csv"
    files.run(bad_csv(tmp_path, text), out, on=ON, errors="collect")
    good = pd.read_csv(out)
    assert good["地区"].tolist() == ["上海", "广州"]
    rejected = pd.read_csv(tmp_path / "out.csv.errors.csv")
    assert rejected["row"].tolist() == [3, 4, 5, 6]
    reasons = rejected["reason"].tolist()
    assert "unknown region" in reasons[0] and "negative" in reasons[1]
    assert "allowed range" in reasons[2] and "no contribution figures for 武汉市" in reasons[3]


def test_cli_payroll_and_summary(tmp_path):
    src = tmp_path / "staff.csv"
    write_input(src)
    result = CliRunner().invoke(app, ["payroll", str(src), "-o", str(tmp_path / "o.parquet"), "--on", ON,
                                      "--summary", str(tmp_path / "s.csv")])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "s.csv")["employees"].sum() == 4


def test_dask_equals_pandas(tmp_path):
    dd = pytest.importorskip("dask.dataframe")
    from dask.distributed import Client, LocalCluster

    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"region": rng.choice(["上海", "广州", "重庆"], 3000),
                          "base": rng.integers(0, 5_000_000, 3000) / 100})
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster):
        lazy = sb.payroll(dd.from_pandas(frame, npartitions=3), on=ON)
        pd.testing.assert_frame_equal(lazy.compute(), sb.payroll(frame, on=ON))
    src = tmp_path / "in.parquet"
    frame.to_parquet(src, index=False)
    files.run_dask(src, tmp_path / "out.parquet", on=ON, address="local")
    written = pd.read_parquet(tmp_path / "out.parquet")
    assert np.allclose(written["employee_total"].to_numpy(), sb.payroll(frame, on=ON)["employee_total"].to_numpy())
