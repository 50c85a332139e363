"""Film, bilayer, Hall-bar and Hall-cross builders: names, extents, areas, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import ufl
from dolfinx import fem
from mpi4py import MPI

from conftest import rel_err
from spinfem.errors import MeshError
from spinfem.geometry.strip import bilayer, film, hall_bar, hall_cross

NM = 1e-9


def _area(dev, name: str) -> float:
    """Area of a named surface in mesh units^(d-1)."""
    ds = ufl.Measure("ds", domain=dev.mesh, subdomain_data=dev.facet_tags)
    one = fem.Constant(dev.mesh, 1.0)
    val = fem.assemble_scalar(fem.form(one * ds(dev.boundary_tag(name))))
    return dev.comm.allreduce(val, op=MPI.SUM)


def _interior_area(dev, name: str) -> float:
    dS = ufl.Measure("dS", domain=dev.mesh, subdomain_data=dev.facet_tags)
    one = fem.Constant(dev.mesh, 1.0)
    val = fem.assemble_scalar(fem.form(one("+") * dS(dev.boundary_tag(name))))
    return dev.comm.allreduce(val, op=MPI.SUM)


def _volume(dev, name: str) -> float:
    dx = ufl.Measure("dx", domain=dev.mesh, subdomain_data=dev.cell_tags)
    one = fem.Constant(dev.mesh, 1.0)
    return dev.comm.allreduce(
        fem.assemble_scalar(fem.form(one * dx(dev.region_tag(name)))), op=MPI.SUM
    )


def test_film_2d_and_3d():
    f2 = film(20 * NM, 3 * NM, elements=(10, 3), region="Pt")
    assert set(f2.regions) == {"Pt"} and set(f2.boundaries) == {"left", "right", "bottom", "top"}
    assert f2.num_cells_global() == 2 * 10 * 3  # structured
    assert rel_err(_area(f2, "bottom"), 20.0) < 1e-12 and rel_err(_area(f2, "left"), 3.0) < 1e-12
    f3 = film(20 * NM, 3 * NM, width=6 * NM, dim=3, size=1.5 * NM)
    assert {"left", "right", "bottom", "top", "south", "north"} == set(f3.boundaries)
    assert rel_err(_area(f3, "bottom"), 120.0) < 1e-12
    assert rel_err(_area(f3, "north"), 60.0) < 1e-12
    assert rel_err(_volume(f3, "HM"), 360.0) < 1e-12


@pytest.mark.parametrize("dim", [2, 3])
def test_bilayer_interface(dim):
    kw = {"width": 6 * NM, "size": 1.0 * NM} if dim == 3 else {}
    dev = bilayer(20 * NM, 3 * NM, 2 * NM, names=("Pt", "Co"), dim=dim, **kw)
    assert set(dev.regions) == {"Pt", "Co"} and "Pt|Co" in dev.boundaries
    span = 20.0 if dim == 2 else 120.0
    assert rel_err(_interior_area(dev, "Pt|Co"), span) < 1e-12
    # the x-end contacts cover both layers
    assert rel_err(_area(dev, "left"), 5.0 if dim == 2 else 30.0) < 1e-12


@pytest.mark.parametrize("dim", [2, 3])
def test_hall_bar_and_cross(dim):
    kw = {"thickness": 2 * NM, "size": 1.5 * NM} if dim == 3 else {}
    bar = hall_bar(40 * NM, 8 * NM, 4 * NM, 6 * NM, dim=dim, **kw)
    names = {"left", "right", "south", "north", "sides"} | (
        {"bottom", "top"} if dim == 3 else set()
    )
    assert set(bar.boundaries) == names
    t = 2.0 if dim == 3 else 1.0
    assert rel_err(_area(bar, "left"), 8.0 * t) < 1e-12
    assert rel_err(_area(bar, "north"), 4.0 * t) < 1e-12
    assert rel_err(_volume(bar, "HM"), (40 * 8 + 2 * 4 * 6) * t) < 1e-12
    cross = hall_cross(6 * NM, 5 * NM, dim=dim, **kw)
    x = cross.mesh.geometry.x
    ext = cross.comm.allreduce(np.abs(x[:, :2]).max(), op=MPI.MAX)
    assert abs(ext - 8.0) < 1e-9  # arms reach 3 + 5 nm from the centre


@pytest.mark.parametrize(
    ("call", "part"),
    [
        (lambda: film(-1 * NM, 3 * NM), "'length' [m]"),
        (lambda: film(20e-3, 3 * NM), "over 1 mm"),
        (lambda: film(20 * NM, 3 * NM, dim=3), "'width' [m]"),
        (lambda: film(20 * NM, 3 * NM, dim=4), "'dim'"),
        (lambda: film(20 * NM, 3 * NM, width=5 * NM, dim=3, elements=(3, 3)), "'elements'"),
        (lambda: bilayer(20 * NM, 3 * NM, 2 * NM, names=("A", "A")), "names"),
        (lambda: hall_bar(40 * NM, 8 * NM, 4 * NM, 6 * NM, dim=3), "'thickness' [m]"),
        (lambda: hall_bar(4 * NM, 8 * NM, 5 * NM, 6 * NM), "'arm_width' [m]"),
    ],
)
def test_strip_bad_input(call, part):
    with pytest.raises(MeshError, match=None) as info:
        call()
    assert part in str(info.value)
