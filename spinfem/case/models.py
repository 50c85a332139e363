"""The registry of physics models a case file can ask for with ``[model] kind = "..."``.

A :class:`ModelSpec` declares the model's own ``[model]`` keys (``params``), the top-level
sections it reads (``sections``: name -> pydantic type), how ``spinfem check`` verifies
its names against the mesh (``check``) and how ``spinfem run`` solves it (``run``).
``two_current`` is registered in :mod:`spinfem.case.two_current`, ``mm`` in
:mod:`spinfem.case.mm`; see docs/cases.md ("Adding a model").
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mpi4py import MPI

from spinfem.errors import InputError

__all__ = ["MODELS", "ModelSpec", "RunContext", "get_model", "register_model"]


@dataclass
class RunContext:
    """What a model's ``run``/``check`` gets.

    Attributes:
        case: the validated :class:`~spinfem.case.schema.Case` (SI values).
        raw: the case as read (after ``--set``), e.g. for models with their own loader.
        base: directory of the case file (relative paths start there).
        out: directory for this point's fields (``RUN/fields`` or ``RUN/fields/<index>``
            of a sweep; None for check).
        comm: communicator.
        restart: ``--restart`` value (None, ``"latest"`` or a checkpoint path).
        progress: ``progress(done, total, label)``: rank-0 TTY progress bar.
        results: scalar results the model fills in (written to results.json / .csv).
        run_dir: the run directory itself (temporary name for steady models; the final
            one, written in place, for transient models, where checkpoints live).
    """

    case: Any
    raw: dict[str, Any]
    base: Path
    out: Path | None
    comm: MPI.Comm
    restart: str | None = None
    progress: Callable[[int, int, str], None] = lambda done, total, label: None
    results: dict[str, Any] = field(default_factory=dict)
    run_dir: Path | None = None


@dataclass(frozen=True)
class ModelSpec:
    """A model available to case files.

    Attributes:
        kind: the ``[model] kind`` value.
        description: one line for ``spinfem info``.
        run: solve and write outputs into ``ctx.out``; return scalar results (a dict; the
            key ``"rows"``, a list of flat dicts, becomes results.csv).
        check: validate names against the mesh without solving; return a dict of facts
            (region/contact counts) for the check report.
        params: pydantic class (schema.Strict) of the model's ``[model]`` keys besides kind.
        sections: top-level sections the model reads: name -> type (pydantic-validatable).
        required: sections that must be present.
        transient: True if the model steps in time (``--restart`` allowed).
        restart_problem: for a transient model, ``f(case)`` -> why this case cannot be
            restarted (e.g. no time steps), or None; checked before the run directory is
            touched.
    """

    kind: str
    description: str
    run: Callable[[RunContext], dict[str, Any]]
    check: Callable[[RunContext], dict[str, Any]]
    params: type | None = None
    sections: Mapping[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    transient: bool = False
    restart_problem: Callable[[Any], str | None] | None = None


MODELS: dict[str, ModelSpec] = {}


def register_model(spec: ModelSpec) -> None:
    """Make ``[model] kind = spec.kind`` available to case files (replaces a same-kind spec)."""
    MODELS[spec.kind] = spec


def get_model(kind: str) -> ModelSpec:
    _load_builtin()
    if kind not in MODELS:
        close = difflib.get_close_matches(kind, list(MODELS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise InputError(f"model.kind: unknown model '{kind}'{hint}; available: {sorted(MODELS)}")
    return MODELS[kind]


def _load_builtin() -> None:
    import spinfem.case.mm
    import spinfem.case.strip_meshes
    import spinfem.case.two_current
    import spinfem.case.vector  # noqa: F401  (each registers its models / mesh builders)
