"""Helpers of the fault tests (tests/test_faults_*.py): small gmsh devices and a log catcher."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import gmsh
import pytest

NM = 1e-9


def message(excinfo: pytest.ExceptionInfo[BaseException], *parts: str) -> str:
    """The exception message, after checking it contains every one of ``parts``."""
    msg = str(excinfo.value)
    missing = [p for p in parts if p not in msg]
    assert not missing, f"message lacks {missing}: {msg!r}"
    return msg


@contextmanager
def gmsh_model(name: str) -> Iterator[Any]:
    """A fresh gmsh model for the block (gmsh initialised unless it already runs)."""
    started = not gmsh.isInitialized()
    if started:
        gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.model.add(name)
    try:
        yield gmsh.model
    finally:
        if started:
            gmsh.finalize()
        else:
            gmsh.model.remove()


def boxes(model: Any, spans: list[tuple[str, float, float]], size: float = 5.0) -> None:
    """10x10x10-high boxes along x, fragmented where they touch, meshed; every box a
    region, plus surfaces ``left`` (x = min), ``right`` (x = max of the first connected
    run), ``front_A`` (y = 0 face of the first box) and ``c_face`` (x = max face of the
    last box, with three or more boxes)."""
    occ = model.occ
    tags = [occ.addBox(x0, 0, 0, x1 - x0, 10, 10) for _, x0, x1 in spans]
    occ.fragment([(3, tags[0])], [(3, t) for t in tags[1:]])
    occ.synchronize()
    for name, x0, x1 in spans:
        vol = model.getEntitiesInBoundingBox(x0 - 0.1, -0.1, -0.1, x1 + 0.1, 10.1, 10.1, 3)
        model.addPhysicalGroup(3, [t for _, t in vol], name=name)

    def face(x0: float, x1: float, y0: float, y1: float) -> list[int]:
        ents = model.getEntitiesInBoundingBox(x0, y0, -0.1, x1, y1, 10.1, 2)
        return [t for _, t in ents]

    x_min = spans[0][1]
    model.addPhysicalGroup(2, face(x_min - 0.1, x_min + 0.1, -0.1, 10.1), name="left")
    x_right = spans[1][2] if len(spans) > 1 else spans[0][2]
    model.addPhysicalGroup(2, face(x_right - 0.1, x_right + 0.1, -0.1, 10.1), name="right")
    a0, a1 = spans[0][1], spans[0][2]
    model.addPhysicalGroup(2, face(a0 - 0.1, a1 + 0.1, -0.1, 0.1), name="front_A")

    c1 = spans[-1][2]
    if len(spans) > 2:
        model.addPhysicalGroup(2, face(c1 - 0.1, c1 + 0.1, -0.1, 10.1), name="c_face")
    gmsh.option.setNumber("Mesh.MeshSizeMax", size)
    model.mesh.generate(3)


class _Catcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def spinfem_warnings() -> Iterator[list[str]]:
    """Warnings logged on the 'spinfem' logger inside the block."""
    logger = logging.getLogger("spinfem")
    catcher = _Catcher()
    logger.addHandler(catcher)
    try:
        yield catcher.messages
    finally:
        logger.removeHandler(catcher)


def coarse_py_cu(comm: Any = None) -> tuple[Any, dict[str, Any]]:
    """(device, materials): one 60 nm element across a Py layer (l_sf 5.5 nm) on Cu, 2D."""
    from spinfem import library
    from spinfem.geometry import Layer, pillar

    mats = {"F": library.Py, "N": library.Cu}
    kwargs = {} if comm is None else {"comm": comm}
    dm = pillar(
        [Layer("F", 60 * NM, elements=1), Layer("N", 60 * NM)],
        width=200 * NM,
        dim=2,
        materials=mats,
        lateral_size=100 * NM,
        **kwargs,
    )
    return dm, mats
