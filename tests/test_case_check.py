"""``spinfem check`` (check_case): names against the mesh, without solving, and the
regions file read back. Small 2D devices; the messages must name the key and region."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from spinfem.case.run import check_case
from spinfem.errors import ContactError, InputError, MaterialError, MeshError

REPO = Path(__file__).resolve().parents[1]

CASE = """
[mesh]
kind = "pillar"
dim = 2
width = "20 nm"
layers = [
  { name = "lead", thickness = "10 nm", elements = 3 },
  { name = "F", thickness = "6 nm", elements = 3 },
  { name = "N", thickness = "6 nm", elements = 3 },
]

[materials]
lead = { library = "Cu" }
F = { library = "Co" }
N = { sigma = "5e7 S/m", l_sf = "100 nm" }

[contacts]
top = { voltage = "1 mV" }
bottom = { voltage = "0 V" }
"""


def write(tmp_path: Path, text: str, name: str = "case.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def check(tmp_path: Path, text: str, *sets: str) -> dict:
    return check_case(write(tmp_path, text), list(sets), out=tmp_path / "chk")


def test_check_reports_counts_and_writes_regions(tmp_path):
    rep = check(tmp_path, CASE)
    assert set(rep["regions"]) == {"lead", "F", "N"}
    assert all(n > 0 for n in rep["regions"].values())
    assert {"top", "bottom", "side", "lead|F", "F|N"} <= set(rep["boundaries"])
    # each end face of a 20 nm wide 2D strip: as many facets as boundary edges
    assert rep["boundaries"]["top"] == rep["boundaries"]["bottom"] > 0
    out = Path(rep["output"])
    assert sorted(p.name for p in out.iterdir()) == [
        "check.json",
        "mesh.json",
        "regions.h5",
        "regions.xdmf",
    ]
    assert json.loads((out / "check.json").read_text())["regions"] == rep["regions"]
    mesh_info = json.loads((out / "mesh.json").read_text())
    assert mesh_info["length_unit_m"] == 1e-9 and mesh_info["dim"] == 2

    # read the regions file back with dolfinx: tags and counts match the report
    from dolfinx.io import XDMFFile

    with XDMFFile(MPI.COMM_WORLD, str(out / "regions.xdmf"), "r") as xdmf:
        mesh = xdmf.read_mesh()
        mesh.topology.create_connectivity(1, 2)
        cells = xdmf.read_meshtags(mesh, name="regions")
        facets = xdmf.read_meshtags(mesh, name="boundaries")
    for name, tag in mesh_info["regions"].items():
        assert np.count_nonzero(cells.values == tag) == rep["regions"][name], name
    for name, tag in mesh_info["boundaries"].items():
        assert np.count_nonzero(facets.values == tag) == rep["boundaries"][name], name


def test_check_does_not_leave_partial_output_on_error(tmp_path):
    with pytest.raises(MeshError):
        check(tmp_path, CASE, "materials.Nx.library=Cu")
    assert not (tmp_path / "chk").exists()


def test_unknown_region(tmp_path):
    with pytest.raises(MeshError) as info:
        check(tmp_path, CASE, "materials.Ff.library=Co")
    msg = str(info.value)
    assert "materials.Ff" in msg and "unknown region 'Ff'" in msg and "did you mean 'F'" in msg


def test_unknown_region_in_magnetization_state(tmp_path):
    text = CASE + "\n[states.ap]\nmagnetization = { FF = -1 }\n"
    with pytest.raises(MeshError) as info:
        check(tmp_path, text)
    assert "states.ap.magnetization.FF" in str(info.value)
    assert "did you mean 'F'" in str(info.value)


def test_missing_material(tmp_path):
    text = CASE.replace('N = { sigma = "5e7 S/m", l_sf = "100 nm" }\n', "")
    with pytest.raises(MeshError) as info:
        check(tmp_path, text)
    assert "region(s) without material: ['N']" in str(info.value)


def test_unknown_library_material(tmp_path):
    with pytest.raises(MaterialError) as info:
        check(tmp_path, CASE, "materials.F.library=Cobalt")
    assert "materials.F" in str(info.value) and "'Cobalt'" in str(info.value)


def test_bad_material_value_names_region_and_unit(tmp_path):
    with pytest.raises(MaterialError) as info:
        check(tmp_path, CASE, "materials.F.P=1.5")
    msg = str(info.value)
    assert "materials.F" in msg and "'P' [1]" in msg and "-1 < P < 1" in msg


def test_unknown_contact(tmp_path):
    with pytest.raises(MeshError) as info:
        check(tmp_path, CASE.replace("top = {", "topp = {"))
    msg = str(info.value)
    assert "contacts.topp" in msg and "did you mean 'top'" in msg


def test_contact_on_an_interface_surface(tmp_path):
    text = CASE + '\n[interfaces]\n"top" = { law = "tunnel_barrier", RA = "1 Ohm um^2" }\n'
    with pytest.raises(ContactError) as info:
        check(tmp_path, text)
    msg = str(info.value)
    assert "contacts.top" in msg and "interfaces.'top'" in msg


def test_contact_inside_the_device(tmp_path):
    text = CASE.replace("top = {", '"F|N" = {')
    with pytest.raises(ContactError) as info:
        check(tmp_path, text)
    assert "'F|N'" in str(info.value) and "inside the device" in str(info.value)


def test_interface_between_regions_that_do_not_touch(tmp_path):
    text = CASE + '\n[interfaces]\n"lead|N" = { law = "tunnel_barrier", RA = "1 Ohm um^2" }\n'
    with pytest.raises(InputError) as info:
        check(tmp_path, text)
    assert "'lead|N'" in str(info.value) and "do not touch" in str(info.value)


def test_interface_with_unknown_region(tmp_path):
    text = CASE + '\n[interfaces]\n"F|NN" = { law = "transparent" }\n'
    with pytest.raises(MeshError) as info:
        check(tmp_path, text)
    msg = str(info.value)
    assert "interfaces.'F|NN'" in msg and "'NN'" in msg and "did you mean 'N'" in msg


def test_interface_law_on_a_boundary_surface(tmp_path):
    text = CASE + '\n[interfaces]\n"side" = { law = "tunnel_barrier", RA = "1 Ohm um^2" }\n'
    with pytest.raises(InputError) as info:
        check(tmp_path, text)
    assert "'side'" in str(info.value) and "not an interface" in str(info.value)


def test_no_voltage_contact(tmp_path):
    text = CASE.replace('top = { voltage = "1 mV" }', 'top = { current = "1 mA" }').replace(
        'bottom = { voltage = "0 V" }', 'bottom = { current = "-1 mA" }'
    )
    with pytest.raises(ContactError, match="floating"):
        check(tmp_path, text)


def test_mesh_file_missing_and_foreign_file_names(tmp_path):
    text = f"""
[mesh]
kind = "file"
path = "{REPO / "meshes" / "nope.msh"}"
length_unit = "1 nm"
[materials]
a = {{ library = "Cu" }}
[contacts]
left = {{ voltage = "0 V" }}
"""
    with pytest.raises(MeshError, match=r"nope\.msh' does not exist"):
        check(tmp_path, text)
