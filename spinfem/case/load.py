"""Reading case files: TOML, ``--set key.path=value`` overrides, validation with key paths.

Every problem is reported as ``<key path>: <message>`` (``materials.Co.l_sf: ...``),
all of them at once, in one :class:`~spinfem.errors.InputError`. Inputs are identical
on every rank, so every rank raises the same error.
"""

from __future__ import annotations

import copy
import difflib
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from spinfem.case.build import MESHES
from spinfem.case.models import get_model
from spinfem.case.schema import Case, CaseInfo, ModelHead, OutputSpec, SolverSpec, SweepSpec
from spinfem.errors import InputError

__all__ = ["apply_overrides", "load_case", "read_toml", "set_path", "validate_case"]

COMMON = {
    "case": CaseInfo,
    "model": ModelHead,
    "mesh": None,
    "solver": SolverSpec,
    "output": OutputSpec,
    "sweep": SweepSpec,
}


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML case file; syntax errors name the file and line."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(f"cannot read case file '{path}': {exc.strerror or exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"case file '{path}': TOML syntax error: {exc}") from None


def _parse_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text  # a bare string: 2.5 nm, Co, ...


def set_path(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of ``data`` with ``value`` at the dotted ``key`` (integers index lists)."""
    out = copy.deepcopy(data)
    parts = _split(key)
    node: Any = out
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise InputError(
                    f"--set {key}: '{'.'.join(parts[:i])}' is a list of {len(node)}: "
                    f"index with 0..{len(node) - 1}, got '{part}'"
                )
            idx = int(part)
            if last:
                node[idx] = value
            else:
                node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
        else:
            raise InputError(f"--set {key}: '{'.'.join(parts[:i])}' is a value, not a table")
    return out


def _split(key: str) -> list[str]:
    """Split a key path at dots, keeping quoted parts ("Co|Cu" or 'a.b') whole."""
    parts, buf, quote = [], "", ""
    for ch in key:
        if quote:
            if ch == quote:
                quote = ""
            else:
                buf += ch
        elif ch in "\"'":
            quote = ch
        elif ch == ".":
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    if not all(parts):
        raise InputError(f"--set: bad key path '{key}' (use section.key=value)")
    return parts


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Apply ``key.path=value`` strings (value in TOML syntax, or a bare string)."""
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set '{item}': expected key.path=value, e.g. mesh.radius='40 nm'")
        data = set_path(data, key.strip(), _parse_value(value.strip()))
    return data


def _path(prefix: tuple[Any, ...], loc: tuple[Any, ...]) -> str:
    out = []
    for p in (*prefix, *loc):
        p = str(p)
        out.append(f"'{p}'" if ("." in p or "|" in p or " " in p) else p)
    return ".".join(out) or "(top level)"


def _errors(exc: ValidationError, prefix: tuple[Any, ...]) -> list[str]:
    msgs = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        ctx = err.get("ctx") or {}
        if err["type"] == "unknown_key":
            loc = (*loc, ctx["key"])
        elif err["type"] == "missing":
            msgs.append(f"{_path(prefix, loc)}: missing (required)")
            continue
        elif err["type"] == "extra_forbidden":
            msgs.append(f"{_path(prefix, loc)}: unknown key")
            continue
        msgs.append(f"{_path(prefix, loc)}: {err['msg']}")
    return msgs


def _validate(kind: Any, data: Any, prefix: tuple[Any, ...], errors: list[str]) -> Any:
    try:
        return TypeAdapter(kind).validate_python(data)
    except ValidationError as exc:
        errors.extend(_errors(exc, prefix))
        return None


def validate_case(raw: dict[str, Any], source: str = "case") -> Case:
    """Validate a case dict; raise one InputError listing every problem with its key path."""
    errors: list[str] = []
    model_raw = dict(raw.get("model") or {})
    if not isinstance(raw.get("model", {}), dict):
        raise InputError(f"{source}: model: expected a table [model]")
    kind = model_raw.pop("kind", "two_current")
    spec = get_model(kind)
    allowed = {**COMMON, **spec.sections}
    for key in raw:
        if key not in allowed:
            close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            errors.append(
                f"{key}: unknown section{hint}; sections of a '{kind}' case: {', '.join(allowed)}"
            )
    params = None
    if spec.params is not None:
        params = _validate(spec.params, model_raw, ("model",), errors)
    elif model_raw:
        errors.append(f"model.{next(iter(model_raw))}: unknown key; model '{kind}' takes only kind")
    mesh = None
    mesh_raw = raw.get("mesh")
    if mesh_raw is None:
        errors.append("mesh: missing (required): [mesh] with kind = " + " | ".join(MESHES))
    elif not isinstance(mesh_raw, dict):
        errors.append("mesh: expected a table [mesh]")
    else:
        mkind = mesh_raw.get("kind")
        if mkind not in MESHES:
            close = difflib.get_close_matches(str(mkind), list(MESHES), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            errors.append(f"mesh.kind: unknown mesh kind {mkind!r}{hint}; one of {list(MESHES)}")
        else:
            mesh = _validate(MESHES[mkind][0], mesh_raw, ("mesh",), errors)
    # a model may own a common section ([sweep] kind = "field" of the vector model): the
    # model's table is used when it has a 'kind', the common one otherwise
    common_kept = {
        n
        for n in spec.sections
        if n in COMMON and not (isinstance(raw.get(n), dict) and "kind" in raw[n])
    }
    sections = {}
    for name, kind_t in spec.sections.items():
        if name in common_kept:
            continue
        if name in raw:
            sections[name] = _validate(kind_t, raw[name], (name,), errors)
        elif name in spec.required:
            errors.append(f"{name}: missing (required by model '{kind}')")
    common = {}
    for name in ("case", "solver", "output", "sweep"):
        if name in raw and (name not in spec.sections or name in common_kept):
            common[name] = _validate(COMMON[name], raw[name], (name,), errors)
    if errors:
        lines = "\n  ".join(errors)
        raise InputError(f"{source}: {len(errors)} problem(s) in the case:\n  {lines}")
    return Case(
        model=ModelHead(kind=kind),
        model_params=params,
        mesh=mesh,
        sections=sections,
        **{k: v for k, v in common.items() if v is not None},
    )


def load_case(path: str | Path, overrides: Sequence[str] = ()) -> tuple[Case, dict[str, Any]]:
    """Read, override and validate a case file; return (case, raw dict after overrides)."""
    raw = apply_overrides(read_toml(path), overrides)
    case = validate_case(raw, source=str(path))
    if case.sweep is not None:  # every sweep point must be a valid case too
        for i, value in enumerate(case.sweep.values):
            try:
                validate_case(set_path(raw, case.sweep.key, value), source=str(path))
            except InputError as exc:
                raise InputError(
                    f"sweep.values.{i} ({case.sweep.key} = {value!r}): {exc}"
                ) from None
    return case, raw
