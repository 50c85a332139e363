"""The case-file reference (docs/cases.md, "Reference" part) generated from the schema.

``python3 -m spinfem.case.reference`` prints it; a test checks that docs/cases.md holds
exactly this text between the markers, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import inspect
import types
import typing
from typing import Any

from pydantic import BaseModel

from spinfem.case.build import MESHES
from spinfem.case.models import MODELS, get_model
from spinfem.case.schema import CaseInfo, ModelHead, OutputSpec, SolverSpec, SweepSpec, UnitTag
from spinfem.case.units import UNITS

__all__ = ["BEGIN", "END", "reference"]

BEGIN = "<!-- BEGIN GENERATED REFERENCE (python3 -m spinfem.case.reference) -->"
END = "<!-- END GENERATED REFERENCE -->"


def _type(annotation: Any, metadata: list[Any]) -> str:
    for m in metadata:
        if isinstance(m, UnitTag):
            what = UNITS.get(m.unit, ("quantity", ""))[0]
            unit = m.unit.replace("ohm", "Ohm").replace("*", " ")
            return f"{what} [{unit}]" if m.unit != "1" else "number [1]"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type(args[0], list(args[1:]))
    if origin in (typing.Union, types.UnionType):
        parts = [_type(a, []) for a in args if a is not type(None)]
        return " or ".join(parts)
    if origin is typing.Literal:
        return " \\| ".join(repr(a).replace("'", '"') for a in args)
    if origin in (list, tuple):
        return f"list of {_type(args[0], [])}" if args else "list"
    if origin is dict:
        return f"table of {_type(args[1], [])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"table ({annotation.__name__})"
    return getattr(annotation, "__name__", str(annotation))


def _default(field: Any) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, list) and value:
            return f"`{value!r}`".replace("'", '"')
        return "{}" if isinstance(value, dict) else ("[]" if isinstance(value, list) else "")
    if field.default is None:
        return "-"
    return f"`{field.default!r}`".replace("'", '"')


def _table(title: str, cls: type[BaseModel], skip: tuple[str, ...] = ()) -> list[str]:
    doc = inspect.cleandoc(cls.__doc__ or "").replace("\n", " ")
    lines = [f"### {title}", "", doc, "", "| key | type | default |", "|---|---|---|"]
    for name, field in cls.model_fields.items():
        if name in skip:
            continue
        kind = _type(field.annotation, field.metadata)
        shown = field.alias if name.endswith("_") and field.alias else name  # nonlocal_
        lines.append(f"| `{shown}` | {kind} | {_default(field)} |")
    lines.append("")
    nested = []
    for field in cls.model_fields.values():
        for arg in typing.get_args(field.annotation) or (field.annotation,):
            for inner in typing.get_args(arg) or (arg,):
                if isinstance(inner, type) and issubclass(inner, BaseModel) and inner is not cls:
                    nested.append(inner)
    for inner in dict.fromkeys(nested):
        lines += _table(f"{title} > {inner.__name__}", inner)
    return lines


def _section(name: str, kind: Any, model: str) -> list[str]:
    """One model section: a table of tables, a plain table, or a union of tables."""
    if typing.get_origin(kind) is dict:
        value = typing.get_args(kind)[-1]
        if isinstance(value, type) and issubclass(value, BaseModel):
            return _table(f"[{name}.<name>] (model {model})", value)
        return [f"### [{name}] (model {model})", "", f"name -> {_type(value, [])}", ""]
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return _table(f"[{name}] (model {model})", kind)
    out = []
    for arg in typing.get_args(typing.get_args(kind)[0] if typing.get_args(kind) else kind):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            out += _table(f"[{name}] (model {model}, {arg.__name__})", arg)
    return out


def reference() -> str:
    """The generated Markdown reference of every section and key."""
    get_model("two_current")  # loads every built-in model and mesh builder
    out = [BEGIN, "", "## Reference (generated from the schema)", ""]
    out += _table("[case]", CaseInfo)
    out += _table("[model]", ModelHead)
    for kind, (cls, _) in MESHES.items():
        out += _table(f'[mesh] kind = "{kind}"', cls)
    for model in ("two_current", *sorted(k for k in MODELS if k != "two_current")):
        spec = MODELS[model]
        if spec.params is not None:
            out += _table(f'[model] kind = "{model}"', spec.params, skip=("kind",))
        for name, kind in spec.sections.items():
            out += _section(name, kind, model)
    out += _table("[solver]", SolverSpec)
    out += _table("[output]", OutputSpec)
    out += _table("[sweep]", SweepSpec)
    out += ["Units: " + "; ".join(f"{w} `{e}`" for w, e in UNITS.values()) + ".", "", END]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(reference(), end="")
