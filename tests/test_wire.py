"""Tests for pmle.grading.wire: data round-trips exactly, everything else becomes a handle, bad bytes raise WireError."""

from __future__ import annotations

import base64
import collections
import datetime
import decimal
import enum
import io
import json
import math
import zoneinfo

import numpy as np
import pandas as pd
import pytest

from pmle.errors import PmleError
from pmle.grading.wire import WireError, dumps, is_data, loads

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
PLUS2 = datetime.timezone(datetime.timedelta(hours=2), "CEST")


def roundtrip(value):
    return loads(dumps(value))


def assert_same(a, b) -> None:
    """``b`` is an exact copy of ``a``: same type, dtype, values (NaN equal to NaN), order and names."""
    assert type(a) is type(b), (type(a), type(b))
    if a is pd.NaT or a is pd.NA or a is Ellipsis:
        assert a is b
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        assert list(a.dtypes) == list(b.dtypes)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True)
    elif isinstance(a, pd.Index):
        pd.testing.assert_index_equal(a, b, exact=True, check_exact=True)
        assert a.names == b.names
        assert getattr(a, "freq", None) == getattr(b, "freq", None)
    elif isinstance(a, np.ndarray):
        assert (a.dtype, a.shape) == (b.dtype, b.shape)
        if a.dtype.kind == "O":
            for x, y in zip(a.reshape(-1), b.reshape(-1)):
                assert_same(x, y)
        else:
            assert a.tobytes() == b.tobytes()
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype and np.asarray(a).tobytes() == np.asarray(b).tobytes()
    elif isinstance(a, (float, complex)):
        assert repr(a) == repr(b)  # nan == nan, -0.0 != 0.0
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, dict):
        assert len(a) == len(b)
        for (k, v), (k2, v2) in zip(a.items(), b.items()):
            assert_same(k, k2)
            assert_same(v, v2)
    elif isinstance(a, (pd.Timestamp, pd.Timedelta)):
        assert repr(a) == repr(b) and a.unit == b.unit
    elif isinstance(a, datetime.datetime):
        assert a == b and a.tzinfo == b.tzinfo and a.tzname() == b.tzname() and a.fold == b.fold
    else:
        assert a == b


# ---------------------------------------------------------------- round trips

SCALARS = {
    "none": None, "true": True, "false": False, "zero": 0, "negative": -7, "int64 max": 2**63 - 1,
    "big int": 2**100, "huge negative int": -(7**2000), "float": 1.5, "nan": math.nan, "inf": math.inf,
    "-inf": -math.inf, "-0.0": -0.0, "tiny float": 5e-324, "complex": complex(1, -2),
    "complex nan": complex(math.nan, math.inf), "empty str": "", "unicode": "héllo ☃ 𝄞 日本",
    "lone surrogate": "a\ud800b", "bytes": b"\x00\xffab", "empty bytes": b"", "ellipsis": ...,
}
CONTAINERS = {
    "empty list": [], "nested list": [1, [2, [3, [None]]]], "empty tuple": (), "one tuple": (1,),
    "tuple of mixed": ((1, 2), [3], "x"), "empty dict": {},
    "dict keys of many types": {"a": 1, 2: "b", (1, "x"): None, None: 0, 1.5: [], frozenset({1}): 2, True: ...},
    "dict order": {"b": 1, "a": 2, "c": 3}, "empty set": set(), "set": {1, "a", (1, 2)},
    "empty frozenset": frozenset(), "frozenset": frozenset({1, 2}), "empty range": range(0),
    "range": range(-5, 10**20, 3), "ellipsis placeholders": {"task_types": ..., "best_days": [..., ...]},
}
NUMPY = {
    "int8": np.int8(-3), "uint64 max": np.uint64(2**64 - 1), "int64": np.int64(-(2**63)), "float16": np.float16(1.5),
    "float32": np.float32(0.1), "float64 nan": np.float64(math.nan), "complex64": np.complex64(1 + 2j),
    "bool_": np.bool_(False), "datetime64 ns": np.datetime64("2024-01-02T03:04:05.123456789", "ns"),
    "datetime64 NaT": np.datetime64("NaT", "s"), "timedelta64 days": np.timedelta64(5, "D"),
    "str_": np.str_("ü"), "bytes_": np.bytes_(b"xy"),
    "0-d array": np.array(3.5), "0-d str array": np.array("abc"), "empty 2-d": np.zeros((0, 3)),
    "2-d float": np.arange(6.0).reshape(2, 3), "fortran order": np.asfortranarray(np.arange(6).reshape(2, 3)),
    "big-endian": np.arange(3, dtype=">i4"), "bool array": np.array([True, False]),
    "unicode array": np.array(["a", "日本"]), "bytes array": np.array([b"a", b"bc"]),
    "datetime array": np.array(["2024-01-01", "NaT"], dtype="M8[ns]"),
    "timedelta array": np.array([1, 2], dtype="m8[ms]"),
    "complex array": np.array([1j, math.nan]), "object array": np.array([1, "a", None, [1, {"k": (2,)}]], dtype=object),
    "2-d object array": np.array([[1, None], ["x", 2.5]], dtype=object),
    "0-d object array": np.array(None, dtype=object),
}
DATES = {
    "Timestamp": pd.Timestamp("2024-03-01 12:34:56.789"), "Timestamp ns": pd.Timestamp("2024-03-01 00:00:00.000000001"),
    "Timestamp s": pd.Timestamp(np.datetime64("2024-03-01T00:00:00", "s")),
    "Timestamp tz": pd.Timestamp("2024-03-31 03:30", tz="Europe/Berlin"),
    "Timestamp UTC": pd.Timestamp("2024-01-01", tz="UTC"),
    "Timestamp fixed offset": pd.Timestamp("2024-01-01 10:00", tz=datetime.timezone(datetime.timedelta(hours=-5))),
    "Timedelta": pd.Timedelta("1 days 00:00:01.5"), "Timedelta ns": pd.Timedelta(7, "ns"), "NaT": pd.NaT, "NA": pd.NA,
    "date": datetime.date(2024, 2, 29), "datetime": datetime.datetime(2024, 1, 2, 3, 4, 5, 6),
    "datetime zoneinfo": datetime.datetime(2024, 10, 27, 2, 30, tzinfo=BERLIN, fold=1),
    "datetime named offset": datetime.datetime(2024, 6, 1, 12, tzinfo=PLUS2),
    "datetime utc": datetime.datetime(2024, 6, 1, tzinfo=datetime.timezone.utc),
    "timedelta": datetime.timedelta(days=-1, seconds=5, microseconds=7),
}
INDEXES = {
    "int index": pd.Index([3, 1, 2], name="k"), "float index": pd.Index([1.5, math.nan]),
    "object index": pd.Index(["a", 1, None], dtype=object), "object index of strings": pd.Index(["a"], dtype=object),
    "str index": pd.Index(["a", "b", math.nan]),
    "string index": pd.Index(["a", None], dtype="string"), "bool index": pd.Index([True, False]),
    "nullable index": pd.Index([1, None], dtype="Int64"), "empty index": pd.Index([], dtype="int64"),
    "range index": pd.RangeIndex(2, 20, 3, name=("a", 1)),
    "datetime index with freq": pd.date_range("2024-01-01", periods=4, freq="D", tz="Europe/Berlin", name="day"),
    "timedelta index": pd.timedelta_range("1h", periods=3, freq="h"),
    "categorical index": pd.CategoricalIndex(["lo", "hi", "lo"], categories=["lo", "hi"], ordered=True, name="level"),
    "multiindex": pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)], names=["letter", None]),
}


def _series_cases() -> dict[str, pd.Series]:
    n = [1, None, 3]
    cases = {
        "int64": pd.Series([1, 2, 3], name="x"), "float nan": pd.Series([1.5, math.nan, -0.0]),
        "bool": pd.Series([True, False, True]), "object": pd.Series(["a", None, 3], dtype=object),
        "object of strings": pd.Series(["a", "b", "c"], dtype=object),
        "string": pd.Series(["a", None, "日本"], dtype="string"), "str": pd.Series(["a", math.nan, "b"], dtype="str"),
        "category": pd.Series(["lo", None, "hi"], dtype=pd.CategoricalDtype(["lo", "hi"], ordered=True)),
        "category of ints": pd.Series([3, 1, None], dtype="category"),
        "boolean": pd.Series([True, None, False], dtype="boolean"),
        "timedelta": pd.Series(pd.to_timedelta(["1s", None, "2h"])),
        "tuple name, datetime index": pd.Series([1, 2, 3], name=("a", 1),
                                                index=pd.date_range("2024-01-01", periods=3, freq="W")),
        "empty": pd.Series([], dtype="float64"),
    }
    for dtype in ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64"):
        cases[dtype] = pd.Series(n, dtype=dtype)
    for unit in ("ns", "us", "ms", "s"):
        naive = pd.Series(pd.to_datetime(["2024-01-01 10:00", None, "1970-01-01 00:00"]).as_unit(unit))
        cases[f"datetime64[{unit}]"] = naive
        cases[f"datetime64[{unit}, tz]"] = naive.dt.tz_localize("Europe/Berlin")
    cases["datetime fixed offset tz"] = cases["datetime64[ns]"].dt.tz_localize(datetime.timezone.utc)
    return cases


SERIES = _series_cases()


def _frame_cases() -> dict[str, pd.DataFrame]:
    mixed = pd.DataFrame({name: s.reset_index(drop=True) for name, s in SERIES.items() if len(s) == 3
                          and name != "tuple name, datetime index"})
    frames = {
        "every column dtype": mixed,
        "non-string column labels": pd.DataFrame([[1, 2.5, "a"]], columns=[0, ("t", 1), None]),
        "duplicate column labels": pd.DataFrame([[1, 2]], columns=["a", "a"]),
        "multiindex columns": pd.DataFrame([[1, 2], [3, 4]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", 1)])),
        "multiindex rows": pd.DataFrame(
            {"v": [1, 2]}, index=pd.MultiIndex.from_arrays([[1, 1], ["a", "b"]], names=["i", None])),
        "duplicate row labels": pd.DataFrame({"v": [1, 2, 3]}, index=["r", "r", "s"]),
        "no rows": mixed.iloc[:0],
        "no columns": pd.DataFrame(index=pd.Index(["a", "b"], name="id")),
        "empty": pd.DataFrame(),
    }
    return frames


FRAMES = _frame_cases()
ALL_DATA = {**SCALARS, **CONTAINERS, **NUMPY, **DATES, **INDEXES, **SERIES, **FRAMES}


@pytest.mark.parametrize("value", list(ALL_DATA.values()), ids=list(ALL_DATA))
def test_round_trip(value):
    """Does every kind of data come back as an exact copy (type, dtype, values, names, order)?"""
    assert_same(value, roundtrip(value))


@pytest.mark.parametrize("value", list(ALL_DATA.values()), ids=list(ALL_DATA))
def test_data_is_data(value):
    """Does is_data say True for every kind of data, and dumps use no handle for it?"""
    assert is_data(value)
    assert b'"handle"' not in dumps(value, handle_for=lambda obj: pytest.fail(f"handle for {obj!r}"))


def test_churn_frame_round_trips():
    """Does the real churn frame round-trip with identical dtypes and values?"""
    from pmle.data import load

    churn = load("churn")
    back = roundtrip(churn)
    pd.testing.assert_frame_equal(churn, back, check_exact=True)
    assert churn.dtypes.equals(back.dtypes)


def test_frame_columns_keep_dtypes_when_decoded():
    """Are object columns of strings kept as object (pandas 3 would otherwise infer str)?"""
    frame = pd.DataFrame({"o": pd.Series(["a", "b"], dtype=object), "s": pd.Series(["a", "b"], dtype="str")})
    back = roundtrip(frame)
    assert back["o"].dtype == object and back["s"].dtype == "str"


def test_format_is_readable_json():
    """Is the encoding plain JSON with one-key tagged nodes for non-JSON values?"""
    data = dumps({"a": [1, ..., (2.5, None)]})
    assert json.loads(data) == {"dict": [["a", [1, {"ellipsis": None}, {"tuple": [2.5, None]}]]]}


# ---------------------------------------------------------------- subclasses that lie


class LyingStr(str):
    def __str__(self): return "lie"
    def __iter__(self): return iter("lie")
    def __len__(self): return 0
    def __getitem__(self, i): return "lie"
    def __eq__(self, other): return True
    def __hash__(self): return 0
    def encode(self, *args, **kwargs): return b"lie"


class LyingInt(int):
    def __int__(self): return 666
    def __index__(self): return 666
    def __repr__(self): return "666"
    def __str__(self): return "666"
    def __format__(self, spec): return "666"


class LyingFloat(float):
    def __float__(self): return 666.0
    def __repr__(self): return "666.0"
    def __eq__(self, other): return True
    def __hash__(self): return 0


class LyingComplex(complex):
    def __complex__(self): return 666j
    def __repr__(self): return "666j"
    real = 666.0


class LyingBytes(bytes):
    def __bytes__(self): return b"lie"
    def __iter__(self): return iter(b"lie")
    def __len__(self): return 0


class LyingList(list):
    def __iter__(self): return iter(["lie"])
    def __len__(self): return 0
    def __getitem__(self, i): return "lie"


class LyingTuple(tuple):
    def __iter__(self): return iter(["lie"])
    def __len__(self): return 0


class LyingDict(dict):
    def items(self): return [("lie", "lie")]
    def keys(self): return ["lie"]
    def values(self): return ["lie"]
    def __iter__(self): return iter(["lie"])
    def __getitem__(self, key): return "lie"
    def __len__(self): return 0


class LyingSet(set):
    def __iter__(self): return iter(["lie"])


class LyingFrozenset(frozenset):
    def __iter__(self): return iter(["lie"])


class LyingDatetime(datetime.datetime):
    year = property(lambda self: 1)
    def isoformat(self, *args): return "lie"
    def utcoffset(self): return datetime.timedelta(hours=5)


class LyingDate(datetime.date):
    day = property(lambda self: 1)
    def isoformat(self): return "lie"


class LyingTimedelta(datetime.timedelta):
    days = property(lambda self: 666)
    def total_seconds(self): return 666.0


class Color(enum.IntEnum):
    RED = 2


class Float64Subclass(np.float64):
    def __repr__(self): return "lie"


def _moved_ordered_dict():
    d = collections.OrderedDict(a=1, b=2)
    d.move_to_end("a")
    return d


HONEST = [
    (LyingStr("abc"), "abc"), (LyingInt(7), 7), (Color.RED, 2), (LyingFloat(2.5), 2.5), (LyingComplex(1 + 2j), 1 + 2j),
    (LyingBytes(b"abc"), b"abc"), (LyingList([1, 2]), [1, 2]), (LyingTuple((1, 2)), (1, 2)),
    (LyingDict({"a": 1}), {"a": 1}), (LyingSet({1, 2}), {1, 2}), (LyingFrozenset({1}), frozenset({1})),
    (LyingDatetime(2024, 5, 6, 7, 8, tzinfo=PLUS2), datetime.datetime(2024, 5, 6, 7, 8, tzinfo=PLUS2)),
    (LyingDate(2024, 5, 6), datetime.date(2024, 5, 6)), (LyingTimedelta(days=2), datetime.timedelta(days=2)),
    (Float64Subclass(1.5), 1.5), (collections.defaultdict(int, {"a": 1}), {"a": 1}),
    (collections.Counter("aab"), {"a": 2, "b": 1}), (_moved_ordered_dict(), {"b": 2, "a": 1}),
    ([LyingStr("x"), {LyingStr("k"): LyingInt(3)}], ["x", {"k": 3}]),
]


@pytest.mark.parametrize(("lying", "honest"), HONEST, ids=[type(v).__name__ for v, _ in HONEST])
def test_subclasses_decode_as_their_honest_builtin_value(lying, honest):
    """Does an instance of a subclass with lying methods decode as the exact builtin type with its real content?"""
    back = roundtrip(lying)
    assert_same(honest, back)
    assert type(back) is type(honest)


def test_lying_str_keeps_its_real_characters():
    """Is a str subclass's real text sent, not what its overridden __str__/__iter__ say?"""
    back = roundtrip(LyingStr("real"))
    assert type(back) is str and str.__eq__(back, "real")


# ---------------------------------------------------------------- handles


class Registry:
    """handle_for / remote pair: remote(n) gives back the n-th object (a stand-in for a remote proxy)."""

    def __init__(self):
        self.objects: list[object] = []

    def handle_for(self, obj: object) -> int:
        self.objects.append(obj)
        return len(self.objects) - 1

    def remote(self, n: int) -> object:
        return ("proxy", self.objects[n])


class Student:
    def __init__(self):
        self.x = 1


def _fitted_estimator():
    from sklearn.dummy import DummyClassifier

    return DummyClassifier().fit([[0], [1], [1]], [0, 1, 1])


NOT_DATA = {
    "lambda": lambda x: x, "module": math, "class instance": Student(), "class": Student,
    "plain object": object(), "Decimal": decimal.Decimal("1.5"), "bytearray": bytearray(b"x"),
    "ndarray subclass": np.ma.masked_array([1, 2]), "structured array": np.zeros(2, dtype=[("a", "i4")]),
    "period": pd.Period("2024-01", "M"), "interval series": pd.Series(pd.arrays.IntervalArray.from_breaks([0, 1, 2])),
    "sparse series": pd.Series([0, 1], dtype="Sparse[int64]"),
    "dateutil tz timestamp": pd.Timestamp("2024-01-01", tz="dateutil/Europe/Berlin"),
    "frame with a function cell": pd.DataFrame({"f": [len, None]}),
    "object array with a function": np.array([len, 1], dtype=object),
    "object array with an instance": np.array([Student()], dtype=object),
    "set with an object": {object()}, "dict with a class as key": {Student: 1},
    "dict with a hashable list subclass as key": {type("HashableList", (list,), {"__hash__": lambda self: 0})([1]): 1},
}


@pytest.mark.parametrize("value", list(NOT_DATA.values()), ids=list(NOT_DATA))
def test_values_that_are_not_data_become_one_handle(value):
    """Is a non-data value sent as a single handle and decoded through remote?"""
    registry = Registry()
    data = dumps(value, handle_for=registry.handle_for)
    assert json.loads(data) == {"handle": 0}
    assert registry.objects == [value]
    assert loads(data, remote=registry.remote) == ("proxy", value)
    assert not is_data(value)


def test_fitted_estimator_becomes_a_handle():
    """Is a fitted sklearn estimator sent as a handle, not as data?"""
    estimator = _fitted_estimator()
    registry = Registry()
    back = loads(dumps(estimator, handle_for=registry.handle_for), remote=registry.remote)
    assert back == ("proxy", estimator) and not is_data(estimator)


def test_handles_inside_containers():
    """Do lists, tuples and dict values keep their data and hold handles only where needed?"""
    fn, obj = (lambda: 1), Student()
    registry = Registry()
    back = loads(dumps([1, fn, (obj, "x"), {"f": fn}], handle_for=registry.handle_for), remote=registry.remote)
    assert back == [1, ("proxy", fn), (("proxy", obj), "x"), {"f": ("proxy", fn)}]


@pytest.mark.parametrize(("value", "name"), [(lambda: 1, "function"), (math, "module"), (Student(), "Student"),
                                             ([1, {"k": Student()}], "Student")])
def test_without_handle_for_non_data_is_refused(value, name):
    """Without handle_for, does dumps refuse with 'cannot send <type name>'?"""
    with pytest.raises(WireError, match=f"cannot send {name}"):
        dumps(value)


def test_wire_error_is_a_pmle_error():
    """Can the CLI show a WireError as a one-line user-facing message?"""
    assert issubclass(WireError, PmleError)


def test_handle_without_remote_is_refused():
    """Does loads refuse a handle when no remote was given?"""
    with pytest.raises(WireError, match="remote"):
        loads(b'{"handle": 0}')


def test_remote_errors_pass_through_unchanged():
    """Is an exception raised by remote (a grader problem, not bad bytes) left as it is?"""
    def remote(n):
        raise RuntimeError("sandbox died")

    with pytest.raises(RuntimeError, match="sandbox died"):
        loads(b'[{"handle": 0}]', remote=remote)


# ---------------------------------------------------------------- cycles, depth and size


def _cycles():
    looped_list = [1]
    looped_list.append(looped_list)
    looped_dict = {}
    looped_dict["me"] = [looped_dict]
    looped_array = np.empty(1, dtype=object)
    looped_array[0] = looped_array
    return {"list": looped_list, "dict": looped_dict, "object array": looped_array}


@pytest.mark.parametrize("value", list(_cycles().values()), ids=list(_cycles()))
def test_cycles_are_refused(value):
    """Is a value that contains itself refused (even with handle_for) instead of recursing forever?"""
    with pytest.raises(WireError, match="contains itself"):
        dumps(value, handle_for=Registry().handle_for)
    assert not is_data(value)


def test_shared_sub_objects_are_fine():
    """Is an object that appears twice (not a cycle) encoded twice?"""
    shared = [1, 2]
    assert roundtrip([shared, shared, {"a": shared}]) == [[1, 2], [1, 2], {"a": [1, 2]}]


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def test_depth_limit():
    """Does dumps accept nesting up to 64 levels and refuse deeper, and loads honour max_depth?"""
    assert roundtrip(_nested(64)) == _nested(64)
    with pytest.raises(WireError, match="deeper"):
        dumps(_nested(65))
    assert not is_data(_nested(65))
    with pytest.raises(WireError, match="deeper"):
        loads(dumps(_nested(5)), max_depth=4)


def test_size_limit():
    """Do dumps and loads refuse more than max_bytes?"""
    with pytest.raises(WireError, match="limit"):
        dumps("x" * 200, max_bytes=100)
    with pytest.raises(WireError, match="limit"):
        dumps(np.zeros(1000), max_bytes=100)
    with pytest.raises(WireError, match="limit"):
        loads(b"[" + b"1," * 100 + b"1]", max_bytes=100)


# ---------------------------------------------------------------- hostile bytes


def npy_bytes(arr: np.ndarray, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, arr, allow_pickle=allow_pickle)
    return buffer.getvalue()


def npy_node(raw: bytes, dtype: str, shape: list) -> dict:
    """The body of an "ndarray" node, with any declared dtype and shape."""
    return {"dtype": dtype, "shape": shape, "npy": base64.b64encode(raw).decode()}


def npy_of(arr: np.ndarray) -> dict:
    """An honest npy body for ``arr``."""
    return npy_node(npy_bytes(arr), arr.dtype.str, list(arr.shape))


def npy_with_header(header: str, payload: bytes = b"") -> bytes:
    """Hand-made npy bytes (format 1.0) with any header."""
    header = header + " " * (-(len(header) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("latin1") + payload


def message(node: object) -> bytes:
    return json.dumps(node).encode()


def ndarray(raw: bytes, dtype: str, shape: list) -> bytes:
    return message({"ndarray": npy_node(raw, dtype, shape)})


def range_index(n: int) -> dict:
    return {"rangeindex": {"start": 0, "stop": n, "step": 1, "name": None}}


def index_of(values: dict, freq: str | None = None) -> dict:
    return {"index": {"values": values, "name": None, "freq": freq}}


def series(values: dict, index: dict | None = None, name: object = None) -> bytes:
    return message({"series": {"values": values, "index": index or range_index(2), "name": name}})


def categorical(categories: list, codes: list) -> dict:
    cats = index_of({"objarray": {"shape": [len(categories)], "items": categories}})
    return {"categorical": {"categories": cats, "codes": npy_of(np.array(codes, dtype="i1")), "ordered": False}}


PICKLE_CALLS: list[object] = []


def _record_call(*args):
    PICKLE_CALLS.append(args)


class Exploit:
    """Unpickling this would call _record_call: a stand-in for running arbitrary code."""

    def __reduce__(self):
        return (_record_call, ("pwned",))


PICKLED = npy_bytes(np.array([Exploit()], dtype=object), allow_pickle=True)
TWO_INTS = {"ndarray": npy_of(np.array([0, 1]))}
NAIVE = '"iso": "2024-01-01T00:00:00", "fold": 0'

HOSTILE = {
    "not utf-8": b"\xff\xfe[1]",
    "not json": b"{not json",
    "trailing garbage": b"[1] [2]",
    "unknown tag": b'{"pickle": "gASV"}',
    "two-key node": b'{"tuple": [], "set": []}',
    "empty node": b"{}",
    "tuple body not a list": b'{"tuple": 5}',
    "bytes body not a string": b'{"bytes": 5}',
    "bytes not base64": b'{"bytes": "!!!"}',
    "int not hex": b'{"int": "xyz"}',
    "complex with a string": b'{"complex": ["a", 1]}',
    "complex with one part": b'{"complex": [1.0]}',
    "ellipsis with a body": b'{"ellipsis": 1}',
    "dict item not a pair": b'{"dict": [[1]]}',
    "range too short": b'{"range": [1, 2]}',
    "range step 0": b'{"range": [0, 1, 0]}',
    "range bound a float": b'{"range": [0, 1.5, 1]}',
    "date not a date": b'{"date": "yesterday"}',
    "datetime iso not a string": b'{"datetime": {"iso": 5, "fold": 0, "tz": null}}',
    "datetime missing field": b'{"datetime": {"iso": "2024-01-01T00:00:00", "fold": 0}}',
    "datetime with offset in iso": b'{"datetime": {"iso": "2024-01-01T00:00:00+01:00", "fold": 0, "tz": null}}',
    "datetime fold 2": b'{"datetime": {"iso": "2024-01-01T00:00:00", "fold": 2, "tz": null}}',
    "timedelta overflow": b'{"timedelta": [1000000000000, 0, 0]}',
    "timestamp value a string": b'{"timestamp": {"value": "x", "unit": "ns", "tz": null}}',
    "timestamp unit D": b'{"timestamp": {"value": 0, "unit": "D", "tz": null}}',
    "timestamp NaT value": b'{"timestamp": {"value": -9223372036854775808, "unit": "ns", "tz": null}}',
    "timestamp beyond int64": b'{"timestamp": {"value": 99999999999999999999, "unit": "ns", "tz": null}}',
    "time zone path": ('{"datetime": {%s, "tz": "../../etc/passwd"}}' % NAIVE).encode(),
    "unknown time zone": ('{"datetime": {%s, "tz": "Nowhere/Land"}}' % NAIVE).encode(),
    "offset over a day": ('{"datetime": {%s, "tz": {"offset": 90000000000, "name": null}}}' % NAIVE).encode(),
    "handle id a string": b'{"handle": "1"}',
    "handle id negative": b'{"handle": -1}',
    "handle in a set": b'{"set": [{"handle": 0}]}',
    "handle as a dict key": b'{"dict": [[{"handle": 0}, 1]]}',
    "list as a dict key": b'{"dict": [[[1, 2], 3]]}',
    "tuple of lists as a dict key": b'{"dict": [[{"tuple": [[1]]}, 3]]}',
    "dict as a set element": b'{"set": [{"dict": []}]}',
    "array as a dict key": message({"dict": [[TWO_INTS, 1]]}),
    "unhashable series name": series(TWO_INTS, name=[1]),
    "json depth bomb": b"[" * 100_000 + b"]" * 100_000,
    "tagged depth bomb": b'{"tuple": [' * 20_000 + b"]}" * 20_000,
    "nesting past max_depth": b"[" * 200 + b"]" * 200,
    "npy object dtype with pickle": ndarray(PICKLED, "|O", [1]),
    "npy object dtype declared as int": ndarray(PICKLED, "<i8", [1]),
    "npy structured dtype": ndarray(npy_bytes(np.zeros(1, dtype=[("a", "<i4")])), "|V4", [1]),
    "npy shape differs from declared": ndarray(npy_bytes(np.arange(2)), "<i8", [3]),
    "npy dtype differs from declared": ndarray(npy_bytes(np.arange(2)), "<f8", [2]),
    "npy huge declared shape": ndarray(npy_with_header(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }", b"\0" * 8), "<f8", [10**12]),
    "npy negative shape": ndarray(npy_with_header(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 0), }"), "<f8", [-1, 0]),
    "npy header is code": ndarray(npy_with_header("__import__('os').system('false')"), "<f8", []),
    "npy bad magic": ndarray(b"PK\x03\x04garbage", "<i8", [1]),
    "npy version 3": ndarray(b"\x93NUMPY\x03\x00" + npy_bytes(np.arange(1))[8:], "<i8", [1]),
    "npy truncated": ndarray(npy_bytes(np.arange(4))[:-8], "<i8", [4]),
    "objarray shape mismatch": b'{"objarray": {"shape": [3], "items": [1, 2]}}',
    "objarray huge shape": b'{"objarray": {"shape": [0, 1000000000000000000], "items": []}}',
    "objarray with a handle": b'{"objarray": {"shape": [1], "items": [{"handle": 0}]}}',
    "category codes outside categories": series(categorical(["a", "b"], [0, 5])),
    "category codes below -1": series(categorical(["a", "b"], [0, -2])),
    "duplicate categories": series(categorical(["a", "a"], [0, 1])),
    "masked values of wrong dtype": series({"masked": {
        "dtype": "Int64", "values": npy_of(np.array([1.0, 2.0])), "mask": npy_of(np.array([False, True]))}}),
    "masked unknown dtype": series({"masked": {"dtype": "object", "values": TWO_INTS, "mask": TWO_INTS}}),
    "strings with a number": series({"strings": {"na": "NA", "values": ["a", 1]}}),
    "series index too short": series(TWO_INTS, range_index(1)),
    "series of 2-d values": series({"ndarray": npy_of(np.zeros((2, 1)))}),
    "series with a handle cell": series({"objarray": {"shape": [2], "items": [1, {"handle": 0}]}}),
    "frame column count mismatch": message({"frame": {"index": range_index(2), "columns": range_index(2),
                                                      "data": [TWO_INTS]}}),
    "multiindex codes outside levels": message({"multiindex": {
        "levels": [index_of(TWO_INTS)], "codes": [npy_of(np.array([0, 9], dtype="i1"))], "names": [None]}}),
    "unknown index tag": series(TWO_INTS, {"periodindex": {}}),
    "freq on an int index": message(index_of(TWO_INTS, freq="D")),
    "freq that does not fit": message(index_of(
        {"ndarray": npy_of(np.array(["2024-01-01", "2024-01-05"], dtype="M8[ns]"))}, freq="D")),
    "float16 index": message(index_of({"ndarray": npy_of(np.zeros(2, dtype="f2"))})),
}
CAUGHT_BY_BACKSTOP = {"float16 index"}  # pandas raises NotImplementedError; no specific check for it


@pytest.mark.parametrize("data", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_bytes_raise_wire_error(data):
    """Is every malformed, oversized or unsupported message refused with WireError (never another exception)?"""
    with pytest.raises(WireError):
        loads(data, remote=lambda n: pytest.fail("remote must not be called"))
    assert PICKLE_CALLS == []


@pytest.mark.parametrize("name", sorted(set(HOSTILE) - CAUGHT_BY_BACKSTOP))
def test_hostile_bytes_meet_a_specific_check(name):
    """Is each hostile message refused by a specific check, with the backstop's generic message unused?"""
    with pytest.raises(WireError) as refused:
        loads(HOSTILE[name], remote=lambda n: None)
    assert "malformed message" not in str(refused.value)


def test_backstop_turns_unexpected_errors_into_wire_error():
    """Does an exception nobody checked for (here pandas' NotImplementedError) still come out as WireError?"""
    with pytest.raises(WireError, match="malformed message"):
        loads(HOSTILE["float16 index"])


def test_loads_refuses_str():
    """Is a str (rather than bytes) refused with WireError?"""
    with pytest.raises(WireError, match="bytes"):
        loads("[1]")  # type: ignore[arg-type]


def test_handcrafted_npy_header_is_checked_before_reading():
    """Is an npy header claiming a terabyte refused by a size check (not by trying to allocate it)?"""
    with pytest.raises(WireError, match="size"):
        loads(HOSTILE["npy huge declared shape"])


def test_category_codes_error_names_the_problem():
    """Does a category code outside its categories get a specific message (not the backstop's)?"""
    with pytest.raises(WireError, match="outside"):
        loads(HOSTILE["category codes outside categories"])
