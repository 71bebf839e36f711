"""Exact money arithmetic in integer fen (0.01 yuan).

Rates are held in millionths, so base_fen × rate_ppm is exact; rounding to fen, jiao or yuan
then happens by integer division, never with binary-float ``round()``.

>>> int(round_amounts(np.array([1_000_050 * 80_000]), np.array([0]))[0])  # 10000.50 × 8 %
80004
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shebao.errors import InputError
from shebao.schema import ROUNDING

PPM = 1_000_000
_UNIT_FEN = {"fen": 1, "jiao": 10, "yuan": 100}
_UNITS = np.array([_UNIT_FEN[r.split("_", 1)[0]] for r in ROUNDING], dtype=np.int64) * PPM
_MODES = [r.split("_", 1)[1] for r in ROUNDING]
_OFFSETS = np.array([{"half_up": u // 2, "up": u - 1, "down": 0}[m] for u, m in zip(_UNITS, _MODES)],
                    dtype=np.int64)
MAX_BASE_YUAN = 1e9  # keeps base_fen × rate_ppm inside int64


def round_amounts(micro_fen: np.ndarray, rounding) -> np.ndarray:
    """Round non-negative amounts in millionths of a fen by each row's rounding code → fen.

    Works in place on ``micro_fen`` (callers pass a fresh array); ``rounding`` may be a scalar.
    """
    unit, offset = _UNITS[rounding], _OFFSETS[rounding]  # scalars when one rule covers the batch
    micro_fen += offset
    micro_fen //= unit
    if np.ndim(unit) or unit != PPM:
        micro_fen *= unit // PPM
    return micro_fen


def to_fen(yuan: np.ndarray) -> np.ndarray:
    """Yuan (float) → integer fen, to the nearest fen."""
    return np.rint(np.asarray(yuan, dtype=float) * 100).astype(np.int64)


def to_yuan(fen: np.ndarray) -> np.ndarray:
    """Integer fen → float yuan (the nearest double to the exact amount)."""
    return np.asarray(fen, dtype=np.int64) / 100


def numeric_column(values: pd.Series, what: str, *, upper: float = MAX_BASE_YUAN) -> np.ndarray:
    """Finite, non-negative float values; InputError naming the first bad row otherwise."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    problems = [
        (values.notna() & numbers.isna(), "is not a number"),
        (values.isna(), "is missing"),
        (np.isinf(numbers), "is infinite"),
        (numbers < 0, "is negative"),
        (numbers > upper, f"is above {upper:,.0f}"),
    ]
    for mask, message in problems:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            position = int(np.argmax(mask))
            where = row_hint(values.index, values.index[position])
            value = values.iloc[position]
            value = value.item() if isinstance(value, np.generic) else value
            raise InputError(f"{what}{where} {message}: {value!r}")
    return numbers.to_numpy()


def row_hint(index: pd.Index, label) -> str:
    """' in row <label>' unless the input was a single unlabelled value.

    Work spread over months repeats its row's label (a year for one person: twelve 0s), so the
    check looks at the distinct labels.
    """
    return "" if single_unlabelled(index) else f" in row {label!r}"


def single_unlabelled(index: pd.Index) -> bool:
    """True for the index of one value given without a label (all of it labelled 0)."""
    return index.unique().equals(pd.RangeIndex(1))
