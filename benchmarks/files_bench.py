"""Payroll files at scale: the CLI path on a Parquet file vs the in-memory call, peak memory of the
chunked run, and Dask local-cluster throughput (one run; compare ratios, not seconds).

    python benchmarks/files_bench.py [--rows 10000000] [--chunksize 1000000] [--dask-rows 2000000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ON = "2025-08-01"


def make_parquet(path: Path, rows: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    import shebao as sb

    regions = sb.covered_regions(2025)
    rng = np.random.default_rng(0)
    writer = None
    for start in range(0, rows, 2_000_000):
        n = min(2_000_000, rows - start)
        frame = pd.DataFrame({"employee_id": np.arange(start, start + n),
                              "region": pd.Categorical.from_codes(rng.integers(0, len(regions), n), regions),
                              "base": rng.integers(0, 6_000_000, n) / 100})
        table = pa.Table.from_pandas(frame, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    writer.close()


def child(code: str) -> tuple[float, float]:
    """Run ``code`` in a fresh interpreter; return its wall time and peak RSS (GiB)."""
    wrapped = ("import time, resource; t = time.perf_counter()\n" + code +
               "\nprint(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", wrapped], capture_output=True, text=True, check=True).stdout.split()
    return float(out[-2]), int(out[-1]) / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--chunksize", type=int, default=1_000_000)
    parser.add_argument("--dask-rows", type=int, default=2_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "staff.parquet", Path(tmp) / "out.parquet"
        make_parquet(src, args.rows)
        t_mem, mem_rss = child(f"import pandas as pd, shebao as sb\nf = pd.read_parquet({str(src)!r})\n"
                               f"t = time.perf_counter(); sb.payroll(f, on={ON!r})")
        t_file, file_rss = child(f"from shebao import files\nfiles.run({str(src)!r}, {str(out)!r}, on={ON!r}, "
                                 f"chunksize={args.chunksize}, progress=False)")
        print(f"{args.rows:,} rows: in-memory payroll (after reading) {t_mem:.2f} s = {args.rows / t_mem:,.0f} rows/s, "
              f"peak {mem_rss:.2f} GiB")
        print(f"{args.rows:,} rows: file → file, chunks of {args.chunksize:,}: {t_file:.2f} s = "
              f"{args.rows / t_file:,.0f} rows/s ({t_file / t_mem:.1f}× the in-memory call), peak {file_rss:.2f} GiB")
        dsrc, dout = Path(tmp) / "dask.parquet", Path(tmp) / "dask-out.parquet"
        make_parquet(dsrc, args.dask_rows)
        t_dask, _ = child(f"from shebao import files\nfiles.run_dask({str(dsrc)!r}, {str(dout)!r}, on={ON!r}, "
                          "address='local')")
        print(f"{args.dask_rows:,} rows on a 2-worker Dask LocalCluster (start-up included): {t_dask:.2f} s = "
              f"{args.dask_rows / t_dask:,.0f} rows/s")


if __name__ == "__main__":
    sys.exit(main())
