"""Column schemas: how a committed CSV file is typed when it is loaded.

A schema is the single source of truth for a table's column names, order and
pandas dtypes.  The generator writes the columns in schema order, ``load``
reads them back with these dtypes, the manifest records them and ``verify``
checks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

# Logical dtype names as they appear in the manifest.  They are the pandas
# dtype names a loaded frame carries (``str`` is ``object`` under pandas 2).
STR = "str"
DATE = "datetime64[ns]"
CATEGORY = "category"
FLOAT = "float64"
INT = "int64"
NULLABLE_INT = "Int64"
BOOL = "bool"

_KNOWN = {STR, DATE, CATEGORY, FLOAT, INT, NULLABLE_INT, BOOL}


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    nullable: bool = False
    categories: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.dtype not in _KNOWN:
            raise ValueError(f"column {self.name!r}: unknown dtype {self.dtype!r}")
        if (self.dtype == CATEGORY) != (self.categories is not None):
            raise ValueError(f"column {self.name!r}: categories go with dtype 'category' only")

    def manifest_entry(self) -> dict:
        entry = {"name": self.name, "dtype": self.dtype, "nullable": self.nullable}
        if self.categories is not None:
            entry["categories"] = list(self.categories)
        return entry


@dataclass(frozen=True)
class Table:
    """One CSV file of a data-set family."""

    name: str  # the public name passed to pmle.data.load
    path: str  # relative to the data directory, POSIX separators
    columns: tuple[Column, ...]
    description: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def manifest_columns(self) -> list[dict]:
        return [c.manifest_entry() for c in self.columns]

    def read(self, file: Path, **read_csv_kwargs) -> pd.DataFrame:
        """Read ``file`` (a CSV written for this table) with the declared dtypes.

        Extra keyword arguments go to :func:`pandas.read_csv` (``nrows``,
        ``usecols`` by column name, ...).
        """
        columns = self.columns
        usecols = read_csv_kwargs.get("usecols")
        if usecols is not None:
            keep = usecols if callable(usecols) else set(usecols).__contains__
            columns = tuple(c for c in columns if keep(c.name))
        dtypes: dict = {}
        dates: list[str] = []
        for c in columns:
            if c.dtype == DATE:
                dates.append(c.name)
            elif c.dtype in (STR, CATEGORY):
                dtypes[c.name] = str
            else:
                dtypes[c.name] = c.dtype
        frame = pd.read_csv(
            file,
            dtype=dtypes,
            parse_dates=dates,
            date_format="%Y-%m-%d",
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8",
            **read_csv_kwargs,
        )
        for name in dates:
            frame[name] = frame[name].astype(DATE)
        for c in columns:
            if c.dtype == CATEGORY and c.name in frame:
                values = frame[c.name]
                unknown = sorted(set(values.dropna().unique()) - set(c.categories))
                if unknown:
                    raise ValueError(f"column {c.name!r}: values {unknown[:5]} are not among {list(c.categories)}")
                frame[c.name] = values.astype(pd.CategoricalDtype(list(c.categories)))
        return frame


def dtype_matches(series: pd.Series, column: Column) -> bool:
    """True when a loaded column carries the dtype the schema declares."""
    dtype = series.dtype
    if column.dtype == STR:
        return pd.api.types.is_string_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype)
    if column.dtype == CATEGORY:
        return isinstance(dtype, pd.CategoricalDtype) and list(dtype.categories) == list(column.categories)
    return str(dtype) == column.dtype


@dataclass(frozen=True)
class Artifact:
    """A generated file: its path relative to the data directory and its bytes."""

    path: str
    content: bytes
    table: Table | None = None  # set for tabular files (rows, columns go to the manifest)
    rows: int | None = None
    answer_key: bool = False  # planted truths: written to the grading side (autograder/keys/), not datasets/
