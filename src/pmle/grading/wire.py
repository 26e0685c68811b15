"""A data-only codec for values crossing the sandbox boundary of ``pmle grade``.

The student's code runs in an untrusted process; the hidden tests run in a
trusted one and ask it for values.  ``dumps`` turns a value into UTF-8 JSON;
``loads`` turns such bytes back into a value.  ``loads`` reads *untrusted*
bytes, so it only ever builds plain builtin, numpy and pandas objects with our
own code: no pickle, no imports, no student classes.  Anything that is not
data is sent as a handle ``{"handle": n}`` that the caller resolves.

The format is a JSON tree.  ``null``, booleans, strings, numbers (floats
include ``NaN``/``Infinity``) and lists stand for themselves; every other
value is a one-key object ``{tag: body}``, for example ``{"tuple": [1, 2]}``
or ``{"ndarray": {"dtype": "<i8", "shape": [2], "npy": "<base64>"}}``.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import io
import json
import math
import re
import zoneinfo
from collections import OrderedDict
from typing import Any, Callable

import numpy as np
import pandas as pd

from pmle.errors import PmleError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "WireError", "dumps", "is_data", "loads"]

MAX_BYTES = 256 * 2**20
MAX_DEPTH = 64

_ARRAY_KINDS = frozenset("biufcMmUS")  # numpy dtype kinds sent as npy bytes
_NUMPY_SCALARS = frozenset(np.dtype(c).type for c in np.typecodes["All"] if np.dtype(c).kind in _ARRAY_KINDS)
_UNITS = ("s", "ms", "us", "ns")
_MASKED = {name: pd.api.types.pandas_dtype(name) for name in (
    "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64", "boolean")}
_MASKED_TYPES = frozenset(type(dtype) for dtype in _MASKED.values())
_INDEX_TYPES = (pd.Index, pd.RangeIndex, pd.MultiIndex, pd.DatetimeIndex, pd.TimedeltaIndex, pd.CategoricalIndex)
_UNHASHABLE_TAGS = frozenset(
    ["dict", "set", "ndarray", "objarray", "index", "rangeindex", "multiindex", "series", "frame"])
_ZONE_KEY = re.compile(r"[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*")
_HEX_INT = re.compile(r"-?[0-9a-f]+")
_INT64 = range(-(2**63) + 1, 2**63)  # -2**63 is numpy's NaT


class WireError(PmleError):
    """Bytes that are not a valid message, or a value that cannot be sent; the message says why."""

    hint = "Only data (numbers, text, lists, dicts, numpy arrays, pandas frames...) passes between notebook and grader."


class _NotData(Exception):
    """Internal: this value is not data (becomes a handle, or a WireError when handles are not allowed)."""


class _RemoteFailed(Exception):
    """Internal: carries an exception raised by ``remote`` out of the decoder unchanged."""

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


# ---------------------------------------------------------------- encoding


def dumps(value: object, *, handle_for: Callable[[object], int] | None = None, max_bytes: int = MAX_BYTES) -> bytes:
    """Encode ``value``; parts that are not data become handles ``handle_for(part)`` (or a WireError)."""
    try:
        tree = _Encoder(handle_for, max_bytes).value(value, 0)
    except _NotData as error:
        raise WireError(str(error)) from None
    data = json.dumps(tree, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    if len(data) > max_bytes:
        raise WireError(f"the value takes {len(data)} bytes, more than the limit of {max_bytes}")
    return data


def is_data(value: object) -> bool:
    """True when ``dumps`` would encode ``value`` without any handle."""
    try:
        _Encoder(None, math.inf).value(value, 0)
    except (_NotData, WireError):
        return False
    return True


class _Encoder:
    """Builds the JSON tree; reads subclasses of builtins through the builtin's own methods."""

    def __init__(self, handle_for: Callable[[object], int] | None, max_bytes: float) -> None:
        self.handle_for = handle_for
        self.max_bytes = max_bytes
        self.active: set[int] = set()  # ids of the values being encoded: meeting one again is a cycle

    def value(self, v: object, depth: int, handles: bool = True) -> Any:
        if depth > MAX_DEPTH:
            raise WireError(f"the value is nested deeper than {MAX_DEPTH} levels")
        if id(v) in self.active:
            raise WireError(f"cannot send a {type(v).__name__} that contains itself")
        self.active.add(id(v))
        try:
            return self._data(v, depth, handles)
        except _NotData:
            if not handles or self.handle_for is None:
                raise
            n = self.handle_for(v)
            if type(n) is not int:
                raise WireError(f"handle_for returned {type(n).__name__}, not int") from None
            return {"handle": n}
        finally:
            self.active.discard(id(v))

    def _data(self, v: Any, depth: int, handles: bool) -> Any:
        t = type(v)
        if v is None or t is bool:
            return v
        for singleton, tag in ((Ellipsis, "ellipsis"), (pd.NaT, "nat"), (pd.NA, "na")):
            if v is singleton:
                return {tag: None}
        if t in _NUMPY_SCALARS:  # before int/float/str: np.float64 and np.str_ subclass them
            return {"npscalar": self._npy(np.asarray(v))}
        if t is pd.Timestamp:
            value = int(v.to_datetime64().astype(np.int64))  # the UTC instant, in v.unit
            return {"timestamp": {"value": value, "unit": v.unit, "tz": _tz_node(v.tz)}}
        if t is pd.Timedelta:
            return {"pd_timedelta": {"value": int(v.to_timedelta64().astype(np.int64)), "unit": v.unit}}
        if issubclass(t, int):
            return _int_node(int.__int__(v))
        if issubclass(t, float):
            return float.__float__(v)
        if issubclass(t, complex):
            c = complex.__complex__(v)
            return {"complex": [c.real, c.imag]}
        if issubclass(t, str):
            return str.__str__(v)
        if issubclass(t, bytes):
            return {"bytes": base64.b64encode(bytes.__bytes__(v)).decode("ascii")}
        if t is range:
            return {"range": [_int_node(v.start), _int_node(v.stop), _int_node(v.step)]}
        if issubclass(t, (list, tuple, dict, set, frozenset)):
            return self._container(v, depth, handles)
        if issubclass(t, datetime.date):
            return _date_node(v)
        if issubclass(t, datetime.timedelta):
            days, seconds, us = (getattr(datetime.timedelta, f).__get__(v) for f in ("days", "seconds", "microseconds"))
            return {"timedelta": [days, seconds, us]}
        if t is np.ndarray:
            return self._ndarray(v, depth)
        if t in _INDEX_TYPES:
            return self._index(v, depth)
        if t is pd.Series:
            return {"series": {"values": self._array(v, depth + 1), "index": self._index(v.index, depth + 1),
                               "name": self._key(v.name, depth + 1)}}
        if t is pd.DataFrame:
            columns = [self._array(v.iloc[:, i], depth + 1) for i in range(v.shape[1])]
            return {"frame": {"index": self._index(v.index, depth + 1), "columns": self._index(v.columns, depth + 1),
                              "data": columns}}
        raise _NotData(f"cannot send {t.__name__}")

    def _container(self, v: Any, depth: int, handles: bool) -> Any:
        if isinstance(v, dict):
            items = OrderedDict.items(v) if type(v) is OrderedDict else dict.items(v)
            return {"dict": [[self._key(k, depth + 1), self.value(x, depth + 1, handles)] for k, x in items]}
        if isinstance(v, list):
            return [self.value(x, depth + 1, handles) for x in list.__iter__(v)]
        if isinstance(v, tuple):
            return {"tuple": [self.value(x, depth + 1, handles) for x in tuple.__iter__(v)]}
        if isinstance(v, set):
            return {"set": [self._key(x, depth + 1) for x in set.__iter__(v)]}
        return {"frozenset": [self._key(x, depth + 1) for x in frozenset.__iter__(v)]}

    def _key(self, v: object, depth: int) -> Any:
        """A dict key, set element or pandas name: data (no handles) that is hashable once decoded."""
        node = self.value(v, depth, handles=False)
        if not _hashable_node(node):
            raise _NotData(f"cannot send {type(v).__name__} as a key: it is unhashable once sent")
        return node

    def _npy(self, arr: np.ndarray) -> dict[str, Any]:
        if arr.nbytes > self.max_bytes:
            raise WireError(f"an array of {arr.nbytes} bytes is more than the limit of {self.max_bytes}")
        buffer = io.BytesIO()
        np.save(buffer, arr, allow_pickle=False)
        npy = base64.b64encode(buffer.getvalue()).decode("ascii")
        return {"dtype": arr.dtype.str, "shape": list(arr.shape), "npy": npy}

    def _ndarray(self, arr: np.ndarray, depth: int) -> dict[str, Any]:
        if arr.dtype.kind in _ARRAY_KINDS and arr.dtype.fields is None:
            return {"ndarray": self._npy(arr)}
        if arr.dtype.kind == "O":
            items = [self.value(x, depth + 1, handles=False) for x in arr.reshape(-1)]
            return {"objarray": {"shape": list(arr.shape), "items": items}}
        raise _NotData(f"cannot send an array of dtype {arr.dtype}")

    def _index(self, idx: Any, depth: int) -> dict[str, Any]:
        t = type(idx)
        if t is pd.RangeIndex:
            return {"rangeindex": {"start": idx.start, "stop": idx.stop, "step": idx.step,
                                   "name": self._key(idx.name, depth + 1)}}
        if t is pd.MultiIndex:
            return {"multiindex": {"levels": [self._index(level, depth + 1) for level in idx.levels],
                                   "codes": [self._npy(np.asarray(codes)) for codes in idx.codes],
                                   "names": [self._key(name, depth + 1) for name in idx.names]}}
        if t not in _INDEX_TYPES:
            raise _NotData(f"cannot send {t.__name__}")
        freq = idx.freqstr if t in (pd.DatetimeIndex, pd.TimedeltaIndex) else None
        return {"index": {"values": self._array(idx, depth + 1), "name": self._key(idx.name, depth + 1), "freq": freq}}

    def _array(self, obj: Any, depth: int) -> dict[str, Any]:
        """The values of a Series or Index, keeping their dtype."""
        dtype = obj.dtype
        if isinstance(dtype, np.dtype):
            return self._ndarray(obj.to_numpy(), depth)
        if isinstance(dtype, pd.CategoricalDtype):
            cat = obj.array
            return {"categorical": {"categories": self._index(cat.categories, depth + 1),
                                    "codes": self._npy(np.asarray(cat.codes)), "ordered": dtype.ordered is True}}
        if type(dtype) is pd.StringDtype and dtype.storage == "python":
            missing = np.asarray(obj.isna(), dtype=bool)
            values = [None if m else _plain_str(x) for x, m in zip(obj.to_numpy(dtype=object), missing)]
            return {"strings": {"na": "NA" if dtype.na_value is pd.NA else "nan", "values": values}}
        if type(dtype) is pd.DatetimeTZDtype:
            utc = np.asarray(obj.array.tz_convert(None))
            return {"datetimetz": {"utc": self._npy(utc), "tz": _tz_node(dtype.tz)}}
        if type(dtype) in _MASKED_TYPES and dtype.name in _MASKED:
            numpy_dtype = dtype.numpy_dtype
            values = obj.to_numpy(dtype=numpy_dtype, na_value=numpy_dtype.type(0))
            mask = np.asarray(obj.isna(), dtype=bool)
            return {"masked": {"dtype": dtype.name, "values": self._npy(values), "mask": self._npy(mask)}}
        raise _NotData(f"cannot send values of dtype {dtype}")


def _int_node(n: int) -> Any:
    return n if -(2**63) < n < 2**63 else {"int": format(n, "x")}


def _plain_str(x: object) -> str:
    if not issubclass(type(x), str):
        raise _NotData(f"cannot send {type(x).__name__} in a string column")
    return str.__str__(x)


def _date_node(v: Any) -> dict[str, Any]:
    """A date or datetime (any subclass but pandas' Timestamp), read through the base class's fields."""
    cls = datetime.datetime if isinstance(v, datetime.datetime) else datetime.date
    fields = {f: getattr(cls, f).__get__(v) for f in ("year", "month", "day")}
    if cls is datetime.date:
        return {"date": datetime.date(**fields).isoformat()}
    for f in ("hour", "minute", "second", "microsecond", "fold", "tzinfo"):
        fields[f] = getattr(cls, f).__get__(v)
    tz, fold = fields.pop("tzinfo"), fields.pop("fold")
    return {"datetime": {"iso": datetime.datetime(**fields).isoformat(), "fold": fold, "tz": _tz_node(tz)}}


def _tz_node(tz: object) -> Any:
    """None, a zoneinfo key, or a fixed offset ``{"offset": microseconds, "name": ...}``."""
    if tz is None:
        return None
    if type(tz) is zoneinfo.ZoneInfo and tz.key is not None:
        return tz.key
    if type(tz) is datetime.timezone:
        offset = tz.utcoffset(None)
        name = tz.tzname(None)
        default = datetime.timezone(offset).tzname(None)
        return {"offset": offset // datetime.timedelta(microseconds=1), "name": None if name == default else name}
    raise _NotData(f"cannot send time zone {type(tz).__name__}")


def _hashable_node(node: Any) -> bool:
    if isinstance(node, list):
        return False
    if isinstance(node, dict):
        ((tag, body),) = node.items()
        if tag == "tuple":
            return all(_hashable_node(x) for x in body)
        return tag not in _UNHASHABLE_TAGS
    return True


# ---------------------------------------------------------------- decoding


def loads(data: bytes, *, remote: Callable[[int], object] | None = None, max_bytes: int = MAX_BYTES,
          max_depth: int = MAX_DEPTH) -> object:
    """Decode bytes from ``dumps``; a handle ``n`` becomes ``remote(n)``.  Bad input raises WireError."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise WireError(f"expected bytes, got {type(data).__name__}")
    if len(data) > max_bytes:
        raise WireError(f"the message has {len(data)} bytes, more than the limit of {max_bytes}")
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        raise WireError("the message is not UTF-8") from None
    try:
        tree = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise WireError(f"the message is not JSON (or nested too deeply): {error}"[:300]) from None
    try:
        return _Decoder(remote, max_depth).value(tree, 0)
    except _RemoteFailed as failed:
        remote_error = failed.error  # not bad bytes: the caller's own error, re-raised below as it was
    except WireError:
        raise
    except RecursionError:
        raise WireError("the message is nested too deeply") from None
    except Exception as error:  # backstop: the decoder's own checks should have refused it first
        raise WireError(f"malformed message ({type(error).__name__}: {error})"[:300]) from error
    raise remote_error


def _tagged(node: Any, what: str = "value") -> tuple[str, Any]:
    if type(node) is not dict or len(node) != 1:
        raise WireError(f"expected a {what} node {{tag: body}}, got {type(node).__name__}")
    ((tag, body),) = node.items()
    return tag, body


def _record(body: Any, tag: str, *keys: str) -> list[Any]:
    if type(body) is not dict or set(body) != set(keys):
        raise WireError(f"a {tag!r} node needs exactly the fields {', '.join(keys)}")
    return [body[key] for key in keys]


def _need(value: Any, types: type | tuple[type, ...], what: str) -> Any:
    if type(value) not in (types if isinstance(types, tuple) else (types,)):
        raise WireError(f"{what} has the wrong type ({type(value).__name__})")
    return value


def _list(value: Any, what: str, length: int | None = None) -> list[Any]:
    _need(value, list, what)
    if length is not None and len(value) != length:
        raise WireError(f"{what} should have {length} items, not {len(value)}")
    return value


def _hashable(value: object, what: str) -> object:
    try:
        hash(value)
    except TypeError:
        raise WireError(f"{what} is unhashable ({type(value).__name__})") from None
    return value


def _build(what: str, make: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a constructor that validates its arguments; its complaints become WireErrors."""
    try:
        return make(*args, **kwargs)
    except (ValueError, TypeError, OverflowError, KeyError) as error:
        raise WireError(f"bad {what}: {error}"[:300]) from None


def _b64(text: Any, what: str) -> bytes:
    try:
        return base64.b64decode(_need(text, str, what), validate=True)
    except binascii.Error:
        raise WireError(f"{what} is not base64") from None


def _load_npy(body: Any) -> np.ndarray:
    """An npy payload: header checked against the declared dtype and shape before any data is read."""
    dtype_str, shape, npy = _record(body, "npy", "dtype", "shape", "npy")
    raw = _b64(npy, "npy payload")
    f = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(f)
        if version not in ((1, 0), (2, 0)):
            raise WireError(f"unsupported npy version {version}")
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        header_shape, _, dtype = read_header(f)
    except (ValueError, TypeError, SyntaxError) as error:
        raise WireError(f"bad npy header: {error}"[:300]) from None
    if any(n < 0 for n in header_shape):
        raise WireError("npy header has a negative dimension")
    if dtype.kind not in _ARRAY_KINDS or dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise WireError(f"npy arrays of dtype {dtype} are not allowed")
    if dtype.str != dtype_str or list(header_shape) != shape:
        raise WireError(f"npy header ({dtype.str}, {list(header_shape)}) does not match ({dtype_str}, {shape})")
    if math.prod(header_shape) * dtype.itemsize != len(raw) - f.tell():
        raise WireError("npy payload size does not match its shape")
    f.seek(0)
    return np.lib.format.read_array(f, allow_pickle=False)


class _Decoder:
    def __init__(self, remote: Callable[[int], object] | None, max_depth: int) -> None:
        self.remote = remote
        self.max_depth = max_depth

    def value(self, node: Any, depth: int, handles: bool = True) -> Any:
        if depth > self.max_depth:
            raise WireError(f"the value is nested deeper than {self.max_depth} levels")
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is list:
            return [self.value(x, depth + 1, handles) for x in node]
        tag, body = _tagged(node)
        if tag == "handle":
            return self._handle(body, handles)
        decode = _VALUE_TAGS.get(tag)
        if decode is None:
            raise WireError(f"unknown tag {tag!r}")
        return decode(self, body, depth, handles)

    def _handle(self, n: Any, handles: bool) -> object:
        if not handles:
            raise WireError("a handle where only data is allowed (key, set, array or frame)")
        if type(n) is not int or n < 0:
            raise WireError("a handle must be a non-negative int")
        if self.remote is None:
            raise WireError("the value holds a handle, but there is no remote to resolve it")
        try:
            return self.remote(n)
        except Exception as error:
            raise _RemoteFailed(error) from None

    def _key(self, node: Any, depth: int, what: str = "a key") -> object:
        return _hashable(self.value(node, depth, handles=False), what)

    def _int(self, node: Any, depth: int, what: str) -> int:
        return _need(self.value(node, depth, handles=False), int, what)

    # Value tags: (self, body, depth, handles) -> value.
    def _tuple(self, body: Any, depth: int, handles: bool) -> tuple[Any, ...]:
        return tuple(self.value(x, depth + 1, handles) for x in _list(body, "tuple"))

    def _set(self, body: Any, depth: int, handles: bool) -> set[Any]:
        return {self._key(x, depth + 1, "a set element") for x in _list(body, "set")}

    def _frozenset(self, body: Any, depth: int, handles: bool) -> frozenset[Any]:
        return frozenset(self._set(body, depth, handles))

    def _dict(self, body: Any, depth: int, handles: bool) -> dict[Any, Any]:
        out = {}
        for pair in _list(body, "dict"):
            key, value = _list(pair, "a dict item", 2)
            out[self._key(key, depth + 1)] = self.value(value, depth + 1, handles)
        return out

    def _int_tag(self, body: Any, depth: int, handles: bool) -> int:
        if not _HEX_INT.fullmatch(_need(body, str, "int")):
            raise WireError("an int node must hold hex digits")
        return int(body, 16)

    def _complex(self, body: Any, depth: int, handles: bool) -> complex:
        real, imag = (_need(x, (float, int), "complex part") for x in _list(body, "complex", 2))
        return complex(real, imag)

    def _bytes(self, body: Any, depth: int, handles: bool) -> bytes:
        return _b64(body, "bytes")

    def _range(self, body: Any, depth: int, handles: bool) -> range:
        start, stop, step = (self._int(x, depth + 1, "range bound") for x in _list(body, "range", 3))
        return _build("range", range, start, stop, step)

    def _date(self, body: Any, depth: int, handles: bool) -> datetime.date:
        return _build("date", datetime.date.fromisoformat, _need(body, str, "date"))

    def _datetime(self, body: Any, depth: int, handles: bool) -> datetime.datetime:
        iso, fold, tz = _record(body, "datetime", "iso", "fold", "tz")
        naive = _build("datetime", datetime.datetime.fromisoformat, _need(iso, str, "datetime"))
        if naive.tzinfo is not None or fold not in (0, 1) or type(fold) is not int:
            raise WireError("a datetime's iso must be naive and its fold 0 or 1")
        return naive.replace(tzinfo=_decode_tz(tz), fold=fold)

    def _timedelta(self, body: Any, depth: int, handles: bool) -> datetime.timedelta:
        days, seconds, us = (_need(x, int, "timedelta field") for x in _list(body, "timedelta", 3))
        return _build("timedelta", datetime.timedelta, days=days, seconds=seconds, microseconds=us)

    def _timestamp(self, body: Any, depth: int, handles: bool) -> pd.Timestamp:
        value, unit, tz = _record(body, "timestamp", "value", "unit", "tz")
        stamp = _build("timestamp", pd.Timestamp, np.datetime64(_int64(value), _unit(unit)))
        return stamp if tz is None else stamp.tz_localize("UTC").tz_convert(_decode_tz(tz))

    def _pd_timedelta(self, body: Any, depth: int, handles: bool) -> pd.Timedelta:
        value, unit = _record(body, "pd_timedelta", "value", "unit")
        return _build("timedelta", pd.Timedelta, np.timedelta64(_int64(value), _unit(unit)))

    def _npscalar(self, body: Any, depth: int, handles: bool) -> np.generic:
        arr = _load_npy(body)
        if arr.ndim != 0:
            raise WireError("a numpy scalar must have shape []")
        return arr[()]

    def _ndarray(self, body: Any, depth: int, handles: bool) -> np.ndarray:
        return _load_npy(body)

    def _objarray(self, body: Any, depth: int, handles: bool = False) -> np.ndarray:
        """An object ndarray; its items are data (no handles) whatever ``handles`` says."""
        shape, items = _record(body, "objarray", "shape", "items")
        _list(shape, "objarray shape")
        if len(shape) > 32 or any(type(n) is not int or not 0 <= n < 2**31 for n in shape):
            raise WireError("bad objarray shape")
        if math.prod(shape) != len(_list(items, "objarray items")):
            raise WireError("objarray shape does not match its number of items")
        values = [self.value(x, depth + 1, handles=False) for x in items]
        return np.fromiter(values, dtype=object, count=len(values)).reshape(shape)

    def _series(self, body: Any, depth: int, handles: bool) -> pd.Series:
        values, index, name = _record(body, "series", "values", "index", "name")
        arr, idx = self.array(values, depth + 1), self.index(index, depth + 1)
        if len(arr) != len(idx):
            raise WireError(f"a series has {len(arr)} values but an index of {len(idx)}")
        return pd.Series(arr, index=idx, name=self._key(name, depth + 1, "a name"), dtype=arr.dtype, copy=False)

    def _frame(self, body: Any, depth: int, handles: bool) -> pd.DataFrame:
        index, columns, data = _record(body, "frame", "index", "columns", "data")
        idx, cols = self.index(index, depth + 1), self.index(columns, depth + 1)
        arrays = [self.array(x, depth + 1) for x in _list(data, "frame data", len(cols))]
        if any(len(arr) != len(idx) for arr in arrays):
            raise WireError("a frame column's length differs from its index's")
        series = {i: pd.Series(arr, dtype=arr.dtype, copy=False) for i, arr in enumerate(arrays)}
        frame = pd.DataFrame(series, index=pd.RangeIndex(len(idx)))
        frame.index, frame.columns = idx, cols
        return frame

    def index(self, node: Any, depth: int) -> pd.Index:
        """An index node: RangeIndex, MultiIndex, or an Index (of any kind) built from its values."""
        if depth > self.max_depth:
            raise WireError(f"the value is nested deeper than {self.max_depth} levels")
        tag, body = _tagged(node, "index")
        decode = _INDEX_TAGS.get(tag)
        if decode is None:
            raise WireError(f"unknown index tag {tag!r}")
        return decode(self, body, depth)

    def _rangeindex(self, body: Any, depth: int) -> pd.RangeIndex:
        start, stop, step, name = _record(body, "rangeindex", "start", "stop", "step", "name")
        start, stop, step = (_int64(x) for x in (start, stop, step))
        if step == 0:
            raise WireError("a range index's step must not be 0")
        return pd.RangeIndex(start, stop, step, name=self._key(name, depth + 1, "a name"))

    def _multiindex(self, body: Any, depth: int) -> pd.MultiIndex:
        levels, codes, names = _record(body, "multiindex", "levels", "codes", "names")
        levels = [self.index(x, depth + 1) for x in _list(levels, "levels")]
        if not levels or any(isinstance(level, pd.MultiIndex) for level in levels):
            raise WireError("a multiindex needs at least one level, and no nested multiindex")
        codes = [_codes(_load_npy(x), len(level), "level values")
                 for x, level in zip(_list(codes, "codes", len(levels)), levels)]
        if len({len(c) for c in codes}) != 1:
            raise WireError("a multiindex's code arrays differ in length")
        names = [self._key(x, depth + 1, "a name") for x in _list(names, "names", len(levels))]
        return _build("multiindex", pd.MultiIndex, levels=levels, codes=codes, names=names, verify_integrity=True)

    def _index(self, body: Any, depth: int) -> pd.Index:
        values, name, freq = _record(body, "index", "values", "name", "freq")
        arr, name = self.array(values, depth + 1), self._key(name, depth + 1, "a name")
        if freq is None:
            return _build("index", pd.Index, arr, dtype=arr.dtype, name=name, copy=False)
        _need(freq, str, "freq")
        if arr.dtype.kind == "M":
            return _build("index", pd.DatetimeIndex, arr, freq=freq, name=name)
        if arr.dtype.kind == "m":
            return _build("index", pd.TimedeltaIndex, arr, freq=freq, name=name)
        raise WireError("only datetime and timedelta indexes have a freq")

    def array(self, node: Any, depth: int) -> Any:
        """The values of a Series, Index or frame column: a 1-d ndarray or pandas extension array."""
        if depth > self.max_depth:
            raise WireError(f"the value is nested deeper than {self.max_depth} levels")
        tag, body = _tagged(node, "array")
        decode = _ARRAY_TAGS.get(tag)
        if decode is None:
            raise WireError(f"unknown array tag {tag!r}")
        arr = decode(self, body, depth)
        if arr.ndim != 1:
            raise WireError("series, index and column values must be 1-d")
        return arr

    def _categorical(self, body: Any, depth: int) -> pd.Categorical:
        categories, codes, ordered = _record(body, "categorical", "categories", "codes", "ordered")
        cats = self.index(categories, depth + 1)
        dtype = _build("categories", pd.CategoricalDtype, cats, ordered=_need(ordered, bool, "ordered"))
        return pd.Categorical.from_codes(_codes(_load_npy(codes), len(cats)), dtype=dtype)

    def _strings(self, body: Any, depth: int) -> Any:
        na, values = _record(body, "strings", "na", "values")
        if na not in ("NA", "nan") or any(type(x) not in (str, type(None)) for x in _list(values, "strings")):
            raise WireError("a strings node needs na 'NA' or 'nan' and values that are strings or null")
        dtype = pd.StringDtype("python", na_value=pd.NA if na == "NA" else np.nan)
        return pd.array(np.array(values, dtype=object), dtype=dtype)

    def _datetimetz(self, body: Any, depth: int) -> Any:
        utc, tz = _record(body, "datetimetz", "utc", "tz")
        arr = _load_npy(utc)
        if arr.dtype.kind != "M" or arr.ndim != 1 or tz is None:
            raise WireError("a datetimetz node needs 1-d datetime64 values and a time zone")
        return pd.array(arr).tz_localize("UTC").tz_convert(_decode_tz(tz))

    def _masked(self, body: Any, depth: int) -> Any:
        name, values, mask = _record(body, "masked", "dtype", "values", "mask")
        if type(name) is not str or name not in _MASKED:
            raise WireError(f"unsupported masked dtype {name!r}")
        dtype = _MASKED[name]
        values, mask = _load_npy(values), _load_npy(mask)
        if values.dtype != dtype.numpy_dtype or mask.dtype != bool or values.ndim != 1 or mask.shape != values.shape:
            raise WireError(f"a masked {name} array needs 1-d {dtype.numpy_dtype} values and a bool mask")
        return dtype.construct_array_type()(values, mask)


# Decoders by tag: values take (decoder, body, depth, handles); indexes and arrays (decoder, body, depth).
_INDEX_TAGS: dict[str, Callable[[_Decoder, Any, int], Any]] = {
    "index": _Decoder._index, "rangeindex": _Decoder._rangeindex, "multiindex": _Decoder._multiindex,
}
_ARRAY_TAGS: dict[str, Callable[[_Decoder, Any, int], Any]] = {
    "ndarray": lambda self, body, depth: _load_npy(body), "objarray": _Decoder._objarray,
    "categorical": _Decoder._categorical, "strings": _Decoder._strings,
    "datetimetz": _Decoder._datetimetz, "masked": _Decoder._masked,
}
_VALUE_TAGS: dict[str, Callable[[_Decoder, Any, int, bool], Any]] = {
    "ellipsis": lambda self, body, depth, handles: _none_body(body, ...),
    "nat": lambda self, body, depth, handles: _none_body(body, pd.NaT),
    "na": lambda self, body, depth, handles: _none_body(body, pd.NA),
    "int": _Decoder._int_tag, "complex": _Decoder._complex, "bytes": _Decoder._bytes,
    "tuple": _Decoder._tuple, "set": _Decoder._set, "frozenset": _Decoder._frozenset, "dict": _Decoder._dict,
    "range": _Decoder._range, "date": _Decoder._date, "datetime": _Decoder._datetime,
    "timedelta": _Decoder._timedelta, "timestamp": _Decoder._timestamp, "pd_timedelta": _Decoder._pd_timedelta,
    "npscalar": _Decoder._npscalar, "ndarray": _Decoder._ndarray, "objarray": _Decoder._objarray,
    "series": _Decoder._series, "frame": _Decoder._frame,
    **{tag: lambda self, body, depth, handles, decode=decode: decode(self, body, depth)
       for tag, decode in _INDEX_TAGS.items()},
}


def _none_body(body: Any, value: object) -> object:
    if body is not None:
        raise WireError("this tag takes a null body")
    return value


def _int64(value: Any) -> int:
    if type(value) is not int or value not in _INT64:
        raise WireError("expected an int64 value")
    return value


def _unit(unit: Any) -> str:
    if unit not in _UNITS or type(unit) is not str:
        raise WireError(f"unit must be one of {', '.join(_UNITS)}")
    return unit


def _codes(codes: np.ndarray, n: int, what: str = "categories") -> np.ndarray:
    """Category or level codes: 1-d ints in [-1, n)."""
    if codes.dtype.kind != "i" or codes.ndim != 1:
        raise WireError("codes must be a 1-d int array")
    if codes.size and (codes.min() < -1 or codes.max() >= n):
        raise WireError(f"codes point outside the {n} {what}")
    return codes


def _decode_tz(node: Any) -> datetime.tzinfo | None:
    if node is None:
        return None
    if type(node) is str:
        if not _ZONE_KEY.fullmatch(node):
            raise WireError(f"bad time zone name {node[:50]!r}")
        try:
            return zoneinfo.ZoneInfo(node)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise WireError(f"unknown time zone {node[:50]!r}") from None
    offset, name = _record(node, "tz", "offset", "name")
    delta = _build("tz offset", datetime.timedelta, microseconds=_need(offset, int, "tz offset"))
    names = () if name is None else (_need(name, str, "tz name"),)
    return _build("time zone", datetime.timezone, delta, *names)
