"""Device builders, gmsh import paths and naming."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import stacks
from mpi4py import MPI

from conftest import REPO, rel_err
from spinfem import library
from spinfem.contacts import Contact
from spinfem.errors import MeshError
from spinfem.geometry import Layer, layer_elements, pillar
from spinfem.mesh import from_msh
from spinfem.problem import TwoCurrentProblem

NM = 1e-9


def test_pillar_names_regions_contacts_and_interfaces():
    m = pillar([Layer("a", 10 * NM), Layer("b", 5 * NM), Layer("a", 10 * NM)], radius=20 * NM)
    assert set(m.regions) == {"a", "b"}
    assert {"bottom", "top", "side", "a|b", "b|a"} <= set(m.boundaries)
    assert m.length_unit == NM and m.tdim == 3
    x = m.mesh.geometry.x
    comm = m.comm
    assert comm.allreduce(x[:, 2].max(), op=MPI.MAX) == pytest.approx(25.0)
    assert comm.allreduce(np.hypot(x[:, 0], x[:, 1]).max(), op=MPI.MAX) <= 20.0 + 1e-9


def test_rectangular_and_2d_variants():
    r = pillar([Layer("a", 10 * NM)], width=30 * NM, depth=10 * NM)
    x = r.mesh.geometry.x
    assert r.comm.allreduce(x[:, 1].max(), op=MPI.MAX) == pytest.approx(5.0)
    c = pillar([Layer("a", 10 * NM), Layer("b", 20 * NM)], width=30 * NM, dim=2)
    assert c.tdim == 2 and c.depth == pytest.approx(30 * NM)
    assert c.comm.allreduce(c.mesh.geometry.x[:, 1].max(), op=MPI.MAX) == pytest.approx(30.0)


def test_elements_follow_spin_diffusion_length():
    assert layer_elements(Layer("x", 1 * NM), library.Cu) == 3  # thin: at least 3 across
    py = library.Py  # l_sf 5.5 nm, 8 per l_sf
    assert layer_elements(Layer("x", 22 * NM), py) == 32
    assert layer_elements(Layer("x", 22 * NM, elements=5), py) == 5
    m = pillar([Layer("Py", 11 * NM)], width=10 * NM, dim=2, materials={"Py": py})
    ys = np.unique(np.round(m.mesh.geometry.x[:, 1], 6))
    nlevels = m.comm.allreduce(ys.size, op=MPI.MAX)
    assert nlevels >= 17  # 16 element layers -> 17 node levels (serial: all of them)


def test_user_gmsh_script_and_msh_file(tmp_path):
    """meshes/cpp_pillar_boxes.py is a user-style gmsh script (boxes + fragment)."""
    msh = tmp_path / "pillar.msh"
    proc = subprocess.run(
        [sys.executable, str(REPO / "meshes" / "cpp_pillar_boxes.py"), str(msh)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    device = from_msh(msh, length_unit=NM)
    assert {"lead1", "F1", "N", "F2", "lead2"} == set(device.regions)
    mats = stacks.materials(stacks.CO_CU_CO)
    contacts = [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)]
    ra_file = TwoCurrentProblem(device, mats, contacts).solve().resistance_area()
    built = pillar(
        stacks.layers(stacks.CO_CU_CO),
        width=40 * NM,
        depth=40 * NM,
        materials=mats,
    )
    ra_built = TwoCurrentProblem(built, mats, contacts).solve().resistance_area()
    assert rel_err(ra_file, ra_built) < 2e-3


def test_unknown_names_suggest_the_closest():
    m = pillar([Layer("Co1", 10 * NM)], width=10 * NM, dim=2)
    with pytest.raises(MeshError, match="did you mean 'Co1'"):
        m.region_tag("Co")
    with pytest.raises(MeshError, match="did you mean 'bottom'"):
        m.boundary_tag("botom")
