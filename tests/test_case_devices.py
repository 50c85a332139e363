"""Device library and mesh import from case files: MTJ and magnet slab builders, the
foreign-format import through meshio (same device as gmsh reads it), names tables."""

from __future__ import annotations

from pathlib import Path

import meshio
import numpy as np
import pytest

from conftest import rel_err
from spinfem.case.run import check_case, run_case
from spinfem.errors import MeshError
from spinfem.geometry.devices import barrier_interface, magnet_slab
from spinfem.mesh import from_msh
from spinfem.meshio_import import from_meshio

REPO = Path(__file__).resolve().parents[1]
STRIP = REPO / "meshes" / "strip_fnf.msh"


def test_meshio_and_gmsh_read_the_foreign_file_alike(tmp_path):
    a = from_meshio(STRIP, length_unit=1e-9)
    b = from_msh(STRIP, length_unit=1e-9)
    assert a.regions.keys() == b.regions.keys() == {"Py_left", "Cu", "Py_right"}
    assert a.boundaries.keys() == b.boundaries.keys()
    assert a.num_cells_global() == b.num_cells_global() == 480
    r1 = run_case(REPO / "cases" / "strip_file.toml", out=tmp_path / "m")
    r2 = run_case(
        REPO / "cases" / "strip_file.toml", out=tmp_path / "g", overrides=["mesh.reader=gmsh"]
    )
    for state in ("parallel", "antiparallel"):
        ra1 = r1["states"][state]["resistance_area_ohm_m2"]
        ra2 = r2["states"][state]["resistance_area_ohm_m2"]
        print(f"{state}: RA meshio {ra1:.10e}, gmsh {ra2:.10e}, rel diff {rel_err(ra1, ra2):.1e}")
        assert rel_err(ra1, ra2) < 1e-10


def test_discontinuous_fields_are_written_per_region(tmp_path):
    """At a resistive interface the exported fields have one value per side at the same
    point, and those values obey the interface law with the current through the strip,
    j = G_up (dV - dmu/2) + G_dn (dV + dmu/2), d = left - right: ParaView shows the jump
    the physics has."""
    from spinfem.interfaces import SpinConductance
    from spinfem.render import read_vtx

    res = run_case(REPO / "cases" / "strip_file.toml", out=tmp_path / "d")
    pts, cells, _, data = read_vtx(tmp_path / "d" / "fields" / "parallel" / "potentials.bp")
    side = {}
    for k in np.flatnonzero(np.isclose(pts[:, 0], 100.0) & np.isclose(pts[:, 1], 10.0)):
        cell = cells[np.flatnonzero((cells == k).any(axis=1))[0]]
        side["L" if pts[cell, 0].mean() < 100.0 else "R"] = k
    assert sorted(side) == ["L", "R"]
    V, mu = data["V_volt"].ravel(), data["mu_s_eV"].ravel()
    dV, dmu = float(V[side["L"]] - V[side["R"]]), float(mu[side["L"]] - mu[side["R"]])
    contact = res["states"]["parallel"]["contacts"]["left"]
    j = contact["current_A"] / contact["area_m2"]
    law = SpinConductance.from_ARb(0.5e-15, 0.7)
    j_law = law.G_up * (dV - dmu / 2) + law.G_dn * (dV + dmu / 2)
    print(
        f"interface law from exported fields: j {j_law:.8e} vs contact {j:.8e} A/m^2, "
        f"rel err {rel_err(j_law, j):.1e}"
    )
    assert dV > 0 and rel_err(j_law, j) < 1e-5


def test_strip_resistance_in_the_transparent_limit(tmp_path):
    """Without spin asymmetry (P = 0, gamma = 0) the strip is three resistors in series
    plus two interfaces: RA = sum t_i/sigma_i + 2 AR_b, exactly (P1 is exact for 1D)."""
    sets = [f"materials.{r}.P=0" for r in ("Py_left", "Cu", "Py_right")]
    sets += ["interfaces.'Py_left|Cu'.gamma=0", "interfaces.'Cu|Py_right'.gamma=0"]
    res = run_case(REPO / "cases" / "strip_file.toml", out=tmp_path / "t", overrides=sets)
    from spinfem import library

    expect = 200e-9 / library.Py.sigma + 100e-9 / library.Cu.sigma + 2 * 0.5e-15
    for state in ("parallel", "antiparallel"):
        ra = res["states"][state]["resistance_area_ohm_m2"]
        print(f"{state}: RA {ra:.10e} vs series {expect:.10e}, rel err {rel_err(ra, expect):.1e}")
        assert rel_err(ra, expect) < 1e-10


def test_vtu_with_a_names_table(tmp_path):
    src = meshio.read(STRIP)
    tri = next(i for i, b in enumerate(src.cells) if b.type == "triangle")
    vtu = tmp_path / "strip.vtu"
    meshio.write(
        vtu,
        meshio.Mesh(
            src.points,
            [src.cells[tri]],
            cell_data={"region": [src.cell_data["gmsh:physical"][tri]]},
        ),
    )
    dev = from_meshio(vtu, length_unit=1e-9, regions={"A": 1, "B": 2, "C": 3})
    assert set(dev.regions) == {"A", "B", "C"}
    unnamed = from_meshio(vtu, length_unit=1e-9)
    assert set(unnamed.regions) == {"1", "2", "3"}  # tags without names keep their number
    with pytest.raises(MeshError, match="no integer cell tags"):
        meshio.write(tmp_path / "plain.vtu", meshio.Mesh(src.points, [src.cells[tri]]))
        from_meshio(tmp_path / "plain.vtu", length_unit=1e-9)


def test_mtj_case_barrier_and_names(tmp_path):
    rep = check_case(
        REPO / "cases" / "mtj.toml",
        out=tmp_path / "c",
        overrides=["mesh.width=20 nm", "mesh.depth=20 nm"],
    )
    assert rep["interfaces"] == {"ref|free": "tunnel barrier"}
    assert rep["blocks"] == [["lead_bottom", "ref"], ["free", "lead_top"]]
    assert barrier_interface(["a", "b", "c"], "b") == "b|c"
    with pytest.raises(MeshError, match="not be the top layer"):
        barrier_interface(["a", "b"], "b")


def test_mtj_case_ra_is_barrier_plus_bulk(tmp_path):
    res = run_case(
        REPO / "cases" / "mtj.toml",
        out=tmp_path / "r",
        overrides=["mesh.width=20 nm", "mesh.depth=20 nm", "mesh.barrier.polarization=0"],
    )
    from spinfem import library

    bulk = 20e-9 / library.Cu.sigma + 8e-9 / library.CoFe.sigma
    expect = 5e-12 + bulk  # unpolarized barrier: spin accumulation adds O(r_F) << RA only
    ra = res["states"]["parallel"]["resistance_area_ohm_m2"]
    print(f"MTJ RA_P {ra:.8e} vs barrier + bulk {expect:.8e}, rel diff {rel_err(ra, expect):.1e}")
    assert rel_err(ra, expect) < 2e-4


@pytest.mark.parametrize("size", [[30e-9, 10e-9], [30e-9, 10e-9, 4e-9]])
def test_magnet_slab_faces(size):
    cells = [6, 2] if len(size) == 2 else [6, 2, 2]
    dev = magnet_slab(size, cells)
    dim = len(size)
    faces = {"xmin", "xmax", "ymin", "ymax"} | ({"zmin", "zmax"} if dim == 3 else set())
    assert set(dev.boundaries) == faces and set(dev.regions) == {"magnet"}
    x = dev.mesh.geometry.x
    from dolfinx.mesh import entities_to_geometry

    for name in faces:
        axis = "xyz".index(name[0])
        geo = entities_to_geometry(dev.mesh, dim - 1, dev.facets(name).astype(np.int32))
        coords = x[np.unique(geo)][:, axis]
        assert coords.size > 0
        target = 0.0 if name.endswith("min") else size[axis] / 1e-9
        assert np.allclose(coords, target, atol=1e-9), name


def test_magnet_slab_case_is_an_ohmic_bar(tmp_path):
    """A 2D Py slab between its xmin/xmax faces: R = Lx / (sigma Ly depth), exactly."""
    from spinfem import library

    case = tmp_path / "bar.toml"
    case.write_text(
        '[mesh]\nkind = "magnet_slab"\nsize = ["60 nm", "10 nm"]\ncells = [12, 2]\n'
        'region = "Py"\ndepth = "5 nm"\n'
        '[materials]\nPy = { library = "Py" }\n'
        '[contacts]\nxmin = { voltage = "1 mV" }\nxmax = { voltage = "0 V" }\n'
    )
    res = run_case(case, out=tmp_path / "bar")
    R = res["states"]["steady"]["resistance_ohm"]
    expect = 60e-9 / (library.Py.sigma * 10e-9 * 5e-9)
    print(f"slab R {R:.10e} Ohm vs L/(sigma A) {expect:.10e}, rel err {rel_err(R, expect):.1e}")
    assert rel_err(R, expect) < 1e-10


def test_mesh_refine_key(tmp_path):
    """``[mesh] refine = 2`` refines the built device twice on all ranks: every region and
    surface has 4x the cells / 2x the facets per pass in 2D, the ohmic bar keeps its exact
    resistance, and a negative pass count is refused naming the key; the 3D Hall bar
    gets 8x the cells per pass."""
    from spinfem import library
    from spinfem.errors import InputError

    case = tmp_path / "bar.toml"
    case.write_text(
        '[mesh]\nkind = "magnet_slab"\nsize = ["60 nm", "10 nm"]\ncells = [6, 1]\n'
        'region = "Py"\ndepth = "5 nm"\n'
        '[materials]\nPy = { library = "Py" }\n'
        '[contacts]\nxmin = { voltage = "1 mV" }\nxmax = { voltage = "0 V" }\n'
    )
    coarse = check_case(case, out=tmp_path / "c0")
    fine = check_case(case, out=tmp_path / "c2", overrides=["mesh.refine=2"])
    assert fine["regions"]["Py"] == 16 * coarse["regions"]["Py"]
    assert all(fine["boundaries"][n] == 4 * c for n, c in coarse["boundaries"].items())
    res = run_case(case, out=tmp_path / "bar", overrides=["mesh.refine=2"])
    R = res["states"]["steady"]["resistance_ohm"]
    assert rel_err(R, 60e-9 / (library.Py.sigma * 10e-9 * 5e-9)) < 1e-10
    with pytest.raises(InputError, match=r"mesh\.refine"):
        check_case(case, out=tmp_path / "bad", overrides=["mesh.refine=-1"])
    # a builder that passes its keys on (the strip devices) takes it too: 3D, 8x
    hall = REPO / "cases" / "smr_hall_bar.toml"
    h0 = check_case(hall, out=tmp_path / "h0")
    h1 = check_case(hall, out=tmp_path / "h1", overrides=["mesh.refine=1"])
    assert all(h1["regions"][n] == 8 * c for n, c in h0["regions"].items())
