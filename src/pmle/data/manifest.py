"""The data manifest: what was generated, by which generator, with which bytes.

``datasets/manifest.json`` lists every committed file with its sha256, size,
and, for tables, row count and typed columns, plus the generator version and
seed that produced it.  It is written with sorted keys, two-space indent and
a trailing newline, so rebuilding gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import ModuleType

import pandas as pd

from pmle.data.schema import Artifact, Table, dtype_matches

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1
_CHUNK = 1 << 20


def sha256_bytes(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_entry(artifact: Artifact, family: ModuleType) -> dict:
    table = artifact.table
    return {
        "path": artifact.path,
        "family": family.FAMILY,
        "dataset": table.name if table else None,
        "sha256": sha256_bytes(artifact.content),
        "bytes": len(artifact.content),
        "rows": artifact.rows if table else None,
        "columns": table.manifest_columns() if table else None,
        "generator_version": family.GENERATOR_VERSION,
        "seed": family.SEED,
    }


def family_entry(family: ModuleType) -> dict:
    return {
        "generator": family.__name__,
        "generator_version": family.GENERATOR_VERSION,
        "seed": family.SEED,
        "datasets": sorted(t.name for t in family.TABLES),
    }


def make_manifest(families: list[ModuleType], entries: list[dict]) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "families": {f.FAMILY: family_entry(f) for f in families},
        "files": sorted(entries, key=lambda e: e["path"]),
    }


def dumps(manifest: dict) -> str:
    return json.dumps(manifest, sort_keys=True, indent=2) + "\n"


def read(data_dir: Path) -> dict:
    with open(data_dir / MANIFEST_NAME, encoding="utf-8") as fh:
        return json.load(fh)


def _on_disk(data_dir: Path) -> set[str]:
    """Relative POSIX paths of the files under data_dir (hidden ones ignored)."""
    found = set()
    for path in data_dir.rglob("*"):
        rel = path.relative_to(data_dir)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            found.add(rel.as_posix())
    found.discard(MANIFEST_NAME)
    return found


def _check_table(path: Path, entry: dict, table: Table | None) -> list[str]:
    rel = entry["path"]
    problems = []
    declared = entry.get("columns") or []
    names = [c["name"] for c in declared]
    if table is not None and declared != table.manifest_columns():
        problems.append(
            f"{rel}: the manifest's column schema differs from the code's ({table.name}); "
            "the data are stale, rebuild them"
        )
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8").columns.tolist()
    except Exception as exc:  # noqa: BLE001 - report, don't crash
        return problems + [f"{rel}: cannot read the CSV header ({exc.__class__.__name__}: {exc})"]
    if header != names:
        missing = [c for c in names if c not in header]
        extra = [c for c in header if c not in names]
        detail = []
        if missing:
            detail.append(f"missing {missing}")
        if extra:
            detail.append(f"unexpected {extra}")
        if not detail:
            detail.append("order differs")
        problems.append(f"{rel}: columns do not match the manifest ({'; '.join(detail)})")
        return problems
    if table is None:
        return problems
    try:
        frame = table.read(path)
    except Exception as exc:  # noqa: BLE001
        return problems + [f"{rel}: cannot be parsed with its schema ({exc.__class__.__name__}: {exc})"]
    if len(frame) != entry.get("rows"):
        problems.append(f"{rel}: {len(frame)} rows, manifest says {entry.get('rows')}")
    for column in table.columns:
        series = frame[column.name]
        if not dtype_matches(series, column):
            problems.append(f"{rel}: column {column.name} loads as {series.dtype}, expected {column.dtype}")
        elif not column.nullable and series.isna().any():
            problems.append(
                f"{rel}: column {column.name} has {int(series.isna().sum())} missing or unparsable values "
                "but is declared non-null"
            )
    return problems


def verify(data_dir: Path, families: list[ModuleType], tables: bool = True) -> list[str]:
    """Compare the files in data_dir with its manifest; one line per problem."""
    manifest_path = data_dir / MANIFEST_NAME
    if not manifest_path.is_file():
        return [f"{MANIFEST_NAME} is missing in {data_dir}"]
    try:
        manifest = read(data_dir)
        entries = {e["path"]: e for e in manifest["files"]}
        recorded_families = manifest.get("families", {})
    except (ValueError, KeyError, TypeError) as exc:
        return [f"{MANIFEST_NAME} in {data_dir} is not a valid manifest ({exc.__class__.__name__}: {exc})"]

    problems: list[str] = []
    if manifest.get("format_version") != FORMAT_VERSION:
        problems.append(f"{MANIFEST_NAME}: format_version {manifest.get('format_version')!r}, expected {FORMAT_VERSION}")

    known_tables: dict[str, Table] = {}
    for family in families:
        for table in family.TABLES:
            known_tables[table.path] = table
            if tables and table.path not in entries:
                problems.append(f"{table.path}: dataset {table.name!r} is not in the manifest")
        recorded = recorded_families.get(family.FAMILY)
        if recorded is None:
            problems.append(f"family {family.FAMILY!r} is not in the manifest")
        elif (recorded.get("generator_version"), recorded.get("seed")) != (family.GENERATOR_VERSION, family.SEED):
            problems.append(
                f"family {family.FAMILY!r}: data generated by {recorded.get('generator_version')} "
                f"seed {recorded.get('seed')}, the code is {family.GENERATOR_VERSION} seed {family.SEED}; rebuild"
            )

    for rel, entry in sorted(entries.items()):
        path = data_dir / rel
        if not path.is_file():
            problems.append(f"{rel}: listed in the manifest but missing")
            continue
        size = path.stat().st_size
        if size != entry.get("bytes"):
            problems.append(f"{rel}: {size} bytes, manifest says {entry.get('bytes')}")
        digest = sha256_file(path)
        if digest != entry.get("sha256"):
            problems.append(f"{rel}: sha256 {digest[:12]}... does not match the manifest ({str(entry.get('sha256'))[:12]}...)")
        if entry.get("columns") is not None:
            problems.extend(_check_table(path, entry, known_tables.get(rel)))

    for rel in sorted(_on_disk(data_dir) - set(entries)):
        problems.append(f"{rel}: present but not in the manifest")
    return problems
