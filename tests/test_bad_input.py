"""Bad inputs fail early with a clear spinfem error: the right exception type, and a message
that names the culprit (parameter, region, contact, file) and its unit where it has one.

The MPI tests check that every rank raises the same error with the same message, that
the message does not depend on the number of ranks, and that the command line ends with
exit code 2 on every rank without hanging or leaving output behind.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import gmsh
import pytest
from fault_helpers import gmsh_model

from conftest import MPI_SCRIPTS, run_python
from spinfem import library
from spinfem.contacts import Contact
from spinfem.errors import ContactError, InputError, MaterialError, MeshError
from spinfem.geometry import Layer, pillar
from spinfem.materials import Material
from spinfem.mesh import DeviceMesh, from_gmsh_model, from_msh
from spinfem.problem import TwoCurrentProblem

NM = 1e-9
MATS = {"Co1": library.Co, "Cu": library.Cu, "Co2": library.Co}
GOOD = dict(name="X", sigma=1.0e7, l_sf=10 * NM, P=0.3)


def message(excinfo: pytest.ExceptionInfo[BaseException], *parts: str) -> str:
    """The exception message, after checking it contains every one of ``parts``."""
    msg = str(excinfo.value)
    missing = [p for p in parts if p not in msg]
    assert not missing, f"message lacks {missing}: {msg!r}"
    return msg


@pytest.fixture(scope="module")
def device() -> DeviceMesh:
    """A small 2D Co1/Cu/Co2 cross-section (surfaces bottom, top, side, Co1|Cu, Cu|Co2)."""
    layers = [Layer("Co1", 5 * NM), Layer("Cu", 4 * NM), Layer("Co2", 5 * NM)]
    return pillar(layers, width=10 * NM, dim=2, materials=MATS)


def contacts(top: str = "top", bottom: str = "bottom") -> list[Contact]:
    return [Contact(top, voltage=1e-3), Contact(bottom, voltage=0.0)]


# ------------------------------------------------------------------------------- gmsh
def two_boxes(model: Any, names: tuple[str | None, str | None] = ("A", "B")) -> tuple[int, int]:
    """Two conformal 10x10x10 boxes side by side along x; physical group per given name."""
    occ = model.occ
    a = occ.addBox(0, 0, 0, 10, 10, 10)
    b = occ.addBox(10, 0, 0, 10, 10, 10)
    occ.fragment([(3, a)], [(3, b)])
    occ.synchronize()
    vols = sorted(tag for _, tag in model.getEntities(3))
    assert vols == [a, b]
    for tag, name in zip(vols, names, strict=True):
        if name is not None:
            model.addPhysicalGroup(3, [tag], name=name)
    return a, b


def mesh_it(model: Any, size: float = 5.0) -> None:
    gmsh.option.setNumber("Mesh.MeshSizeMax", size)
    model.mesh.generate(3)


# ------------------------------------------------------------------------------- materials
@pytest.mark.parametrize(
    ("param", "value", "unit"),
    [
        ("sigma", 0.0, "[S/m]"),
        ("sigma", -6.0e7, "[S/m]"),
        ("sigma", math.nan, "[S/m]"),
        ("sigma", math.inf, "[S/m]"),
        ("P", 1.0, ""),
        ("P", -1.0, ""),
        ("P", 1.5, ""),
        ("P", -1.2, ""),
        ("l_sf", 0.0, "[m]"),
        ("l_sf", -5e-9, "[m]"),
        ("l_sf", math.nan, "[m]"),
    ],
)
def test_material_bad_value(param, value, unit):
    with pytest.raises(MaterialError) as info:
        Material(**{**GOOD, param: value})
    message(info, "'X'", f"'{param}'", unit, repr(value))


@pytest.mark.parametrize(
    ("param", "value"),
    [("sigma", "6e7"), ("sigma", None), ("l_sf", [1e-8]), ("P", "0.4"), ("P", True)],
)
def test_material_non_number(param, value):
    with pytest.raises(MaterialError) as info:
        Material(**{**GOOD, param: value})
    msg = message(info, "'X'", f"'{param}'", repr(value))
    assert "number" in msg


def test_material_from_resistivity_bad_rho():
    with pytest.raises(MaterialError) as info:
        Material.from_resistivity("X", rho=-1e-8, l_sf=1e-8)
    message(info, "'X'", "'rho'", "[Ohm m]")


def test_material_errors_are_input_errors():
    with pytest.raises(InputError):
        Material(**{**GOOD, "sigma": -1.0})
    assert MaterialError.exit_code == 2


def test_library_suggests_close_name():
    with pytest.raises(MaterialError) as info:
        library.get("Coo")
    msg = message(info, "'Coo'", "'Co'")
    assert "did you mean" in msg.lower()


# ------------------------------------------------------------------------------- problem
def test_misspelled_region_in_materials(device):
    mats = {"Co_1": library.Co, "Cu": library.Cu, "Co2": library.Co}
    with pytest.raises(MeshError) as info:
        TwoCurrentProblem(device, mats, contacts())
    msg = message(info, "'Co_1'", "'Co1'")
    assert "did you mean" in msg.lower()


def test_region_without_material(device):
    with pytest.raises(MaterialError) as info:
        TwoCurrentProblem(device, {"Co1": library.Co, "Cu": library.Cu}, contacts())
    msg = message(info, "Co2")
    assert "material" in msg.lower()


def test_unknown_contact_name(device):
    with pytest.raises(MeshError) as info:
        TwoCurrentProblem(device, MATS, contacts(top="topp"))
    msg = message(info, "'topp'", "'top'", "contact")
    assert "did you mean" in msg.lower()


def test_magnetization_on_unknown_region(device):
    with pytest.raises(MeshError) as info:
        TwoCurrentProblem(device, MATS, contacts(), magnetization={"Co3": -1})
    message(info, "'Co3'", "magnetization")


@pytest.mark.parametrize("value", [0.5, 0, -2, (1.0, 0.0, 0.0), "up"])
def test_magnetization_not_collinear(device, value):
    with pytest.raises(MaterialError) as info:
        TwoCurrentProblem(device, MATS, contacts(), magnetization={"Co2": value})
    message(info, "'Co2'", "magnetization", repr(value))


# ------------------------------------------------------------------------------- contacts
def test_only_one_contact(device):
    with pytest.raises(ContactError) as info:
        TwoCurrentProblem(device, MATS, contacts()[:1])
    msg = message(info, "contact")
    assert "two" in msg or "2" in msg


def test_no_voltage_contact_is_floating(device):
    floating = [Contact("top", current=1e-3), Contact("bottom", current=-1e-3)]
    with pytest.raises(ContactError) as info:
        TwoCurrentProblem(device, MATS, floating)
    message(info, "voltage", "[V]")


def test_same_contact_twice(device):
    top, bottom = contacts()
    with pytest.raises(ContactError) as info:
        TwoCurrentProblem(device, MATS, [top, bottom, top])
    message(info, "'top'")


def test_two_contacts_on_one_surface_are_shorted(device):
    shorted = [Contact("top", voltage=1e-3), Contact("top", voltage=0.0)]
    with pytest.raises(ContactError) as info:
        TwoCurrentProblem(device, MATS, shorted)
    message(info, "'top'")


def test_contact_on_interior_interface(device):
    with pytest.raises(ContactError) as info:
        TwoCurrentProblem(device, MATS, contacts(top="Co1|Cu"))
    message(info, "'Co1|Cu'", "boundary")


def test_overlapping_surface_groups_are_named(tmp_path):
    """A facet in two surface groups (here two contacts on the same face) cannot be
    represented by dolfinx's one-tag-per-facet meshtags: the mesh import must reject it
    and name both groups, not silently drop one of them."""
    with gmsh_model("overlap") as model:
        two_boxes(model)
        left = [t for _, t in model.getEntitiesInBoundingBox(-1, -1, -1, 1, 11, 11, 2)]
        right = [t for _, t in model.getEntitiesInBoundingBox(19, -1, -1, 21, 11, 11, 2)]
        model.addPhysicalGroup(2, left, name="left")
        model.addPhysicalGroup(2, left, name="left_pad")
        model.addPhysicalGroup(2, right, name="right")
        mesh_it(model)
        with pytest.raises(MeshError) as info:
            from_gmsh_model(model, length_unit=NM)
    message(info, "'left'", "'left_pad'")


def test_contact_needs_voltage_or_current():
    with pytest.raises(ContactError) as info:
        Contact("top")
    message(info, "'top'", "voltage", "current", "[V]", "[A]")


def test_contact_not_both_voltage_and_current():
    with pytest.raises(ContactError) as info:
        Contact("top", voltage=1e-3, current=1e-3)
    message(info, "'top'", "voltage", "current")


@pytest.mark.parametrize(
    ("key", "value", "unit"),
    [
        ("voltage", math.nan, "[V]"),
        ("voltage", math.inf, "[V]"),
        ("voltage", -math.inf, "[V]"),
        ("current", math.nan, "[A]"),
        ("voltage", "1", "[V]"),
    ],
)
def test_contact_bad_value(key, value, unit):
    with pytest.raises(ContactError) as info:
        Contact("top", **{key: value})
    message(info, "'top'", f"'{key}'", unit)


# ------------------------------------------------------------------------------- mesh
def test_untagged_volume():
    with gmsh_model("untagged") as model:
        two_boxes(model, names=("A", None))
        mesh_it(model)
        with pytest.raises(MeshError) as info:
            from_gmsh_model(model, length_unit=NM)
    assert "untagged" in str(info.value).lower()


def test_model_without_physical_groups():
    with gmsh_model("nogroups") as model:
        two_boxes(model, names=(None, None))
        mesh_it(model)
        with pytest.raises(MeshError) as info:
            from_gmsh_model(model, length_unit=NM)
    assert "physical group" in str(info.value).lower()


def test_duplicate_physical_names(tmp_path):
    """Two 3D groups called 'A' (gmsh's API keeps names unique, a .msh file need not)."""
    path = tmp_path / "dup.msh"
    with gmsh_model("dup") as model:
        two_boxes(model, names=("A", "B"))
        mesh_it(model)
        gmsh.write(str(path))
    text = path.read_text()
    assert '3 2 "B"' in text
    path.write_text(text.replace('3 2 "B"', '3 2 "A"'))
    with pytest.raises(MeshError) as info:
        from_msh(path, length_unit=NM)
    message(info, "'A'")


@pytest.mark.parametrize("value", [0, -1, -1e-9, "nm", math.nan, None])
def test_invalid_length_unit(value):
    with gmsh_model("unit") as model:
        two_boxes(model)
        mesh_it(model, size=10.0)
        with pytest.raises(MeshError) as info:
            from_gmsh_model(model, length_unit=value)
    message(info, "'length_unit'", "[m", repr(value))


def test_from_msh_missing_file(tmp_path):
    path = tmp_path / "no-such-device.msh"
    with pytest.raises(MeshError) as info:
        from_msh(path, length_unit=NM)
    message(info, "no-such-device.msh")


# ------------------------------------------------------------------------------- geometry
@pytest.mark.parametrize("thickness", [-5e-9, 0.0])
def test_layer_non_positive_thickness(thickness):
    with pytest.raises(MeshError) as info:
        Layer("Cu", thickness)
    message(info, "'Cu'", "thickness", "[m]", repr(thickness))


def test_layer_thickness_in_nm_by_mistake():
    with pytest.raises(MeshError) as info:
        Layer("Cu", 10.0)
    msg = message(info, "'Cu'", "thickness", "10.0")
    assert re.search(r"met(re|er)s", msg), msg


def test_pillar_radius_and_width():
    with pytest.raises(MeshError) as info:
        pillar([Layer("Cu", 5 * NM)], radius=10 * NM, width=10 * NM)
    message(info, "radius", "width")


def test_pillar_dim_4():
    with pytest.raises(MeshError) as info:
        pillar([Layer("Cu", 5 * NM)], width=10 * NM, dim=4)
    message(info, "'dim'", "4")


def test_pillar_negative_radius():
    with pytest.raises(MeshError) as info:
        pillar([Layer("Cu", 5 * NM)], radius=-5 * NM)
    message(info, "'radius'", "[m]")


# ------------------------------------------------------------------------------- MPI
EXPECTED = {  # case of mpi_scripts/bad_input_cases.py -> (exception type, part of the message)
    "material_sigma_zero": ("MaterialError", "'sigma' [S/m]"),
    "material_P_one": ("MaterialError", "'P'"),
    "library_typo": ("MaterialError", "'Co'"),
    "unknown_region": ("MeshError", "'Co_1'"),
    "region_without_material": ("MaterialError", "Co2"),
    "magnetization_unknown_region": ("MeshError", "'Co3'"),
    "magnetization_not_collinear": ("MaterialError", "'Co2'"),
    "unknown_contact": ("MeshError", "'topp'"),
    "one_contact": ("ContactError", "contact"),
    "floating": ("ContactError", "[V]"),
    "contact_twice": ("ContactError", "'top'"),
    "interior_contact": ("ContactError", "'Co1|Cu'"),
    "contact_no_value": ("ContactError", "'top'"),
    "untagged_volume": ("MeshError", "untagged"),
    "missing_msh": ("MeshError", "no-such-device.msh"),
    "length_unit_string": ("MeshError", "'length_unit'"),
    "thickness_in_nm": ("MeshError", "thickness"),
    "pillar_dim4": ("MeshError", "'dim'"),
}


def run_cases(directory: Path, nprocs: int) -> dict[str, Any]:
    out = directory / f"bad-input-np{nprocs}.json"
    proc = run_python([str(MPI_SCRIPTS / "bad_input_cases.py"), str(out)], nprocs, timeout=120)
    assert proc.returncode == 0, f"bad_input_cases.py on {nprocs} ranks failed:\n{proc.stderr}"
    data = json.loads(out.read_text())
    assert data["ranks"] == nprocs
    return data["cases"]


@pytest.fixture(scope="module")
def cases_np2(tmp_path_factory) -> dict[str, Any]:
    return run_cases(tmp_path_factory.mktemp("bad-np2"), 2)


@pytest.mark.mpi
def test_errors_identical_on_every_rank(cases_np2):
    assert set(cases_np2) == set(EXPECTED)
    for case, per_rank in cases_np2.items():
        assert len(per_rank) == 2, case
        kind, part = EXPECTED[case]
        assert per_rank[0][0] == kind, (case, per_rank[0])
        assert part in per_rank[0][1], (case, per_rank[0])
        assert per_rank[1] == per_rank[0], (case, per_rank)


@pytest.mark.mpi
def test_error_messages_do_not_depend_on_rank_count(cases_np2, tmp_path):
    """A user sees the same message whether the job runs on 1 or 2 ranks (counts in a
    message are global, not the count of the first rank that noticed)."""
    serial = run_cases(tmp_path, 1)
    differ = {
        case: (serial[case][0], cases_np2[case][0])
        for case in serial
        if serial[case][0] != cases_np2[case][0]
    }
    assert not differ, f"messages differ between 1 and 2 ranks: {differ}"


@pytest.mark.mpi
def test_cli_bad_radius_on_two_ranks(tmp_path):
    target = tmp_path / "DIR"
    args = ["-m", "spinfem.cli", "demo", "--radius-nm", "-5", "--out", str(target)]
    proc = run_python(args, nprocs=2, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("spinfem: error:")]
    assert len(lines) == 1, proc.stderr  # printed once (rank 0), not once per rank
    assert "radius" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not target.exists()
    assert list(tmp_path.glob(".DIR.partial-*")) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == []
