"""Bad inputs of vector-model case files: each message names the key path and the unit
(or the unknown name with a "did you mean"), before any solve, identically on 2 ranks."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from conftest import run_python
from spinfem.case.load import read_toml, validate_case
from spinfem.errors import InputError, MaterialError, MeshError, SpinfemError

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "cases"


def case(name: str) -> dict:
    return read_toml(CASES / f"{name}.toml")


def invalid(raw: dict) -> str:
    with pytest.raises(InputError) as info:
        validate_case(raw)
    return str(info.value)


def checked(
    name: str,
    tmp_path: Path,
    error: type[SpinfemError],
    replace: tuple[str, str] | None = None,
    overrides: tuple[str, ...] = (),
) -> str:
    """check_case of a valid case (text edited by ``replace``, values by ``--set``)
    whose names or physics are wrong: the error, and nothing written."""
    from spinfem.case.run import check_case

    text = (CASES / f"{name}.toml").read_text()
    if replace is not None:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / "case.toml"
    path.write_text(text)
    with pytest.raises(error) as info:
        check_case(path, overrides=list(overrides), out=tmp_path / "chk")
    assert not (tmp_path / "chk").exists()  # nothing half-written
    return str(info.value)


def test_wrong_unit_for_G_r():
    raw = case("sot_bilayer")
    raw["interfaces"]["Pt|Py"]["G_r"] = "6e14 S/m"
    msg = invalid(raw)
    assert "interfaces.'Pt|Py'.G_r" in msg and "wrong dimension" in msg and "[S/m^2]" in msg
    raw = case("smr_hall_bar")
    raw["boundaries"]["bottom"]["G_r"] = 7e14
    msg = invalid(raw)
    assert "boundaries.bottom.G_r" in msg and "no unit" in msg and "[S/m^2]" in msg
    raw["boundaries"]["bottom"]["G_r"] = "7e14 1/m"
    assert "boundaries.bottom.G_r" in invalid(raw)


def test_mixing_needs_G_r_or_g_r_not_both():
    raw = case("sot_bilayer")
    del raw["interfaces"]["Pt|Py"]["G_r"]
    msg = invalid(raw)
    assert "interfaces.'Pt|Py'" in msg and "'G_r' [S/m^2] or 'g_r' [1/m^2]" in msg
    raw["interfaces"]["Pt|Py"].update(G_r="6e14 S/m^2", g_r="1e19 1/m^2")
    assert "not both" in invalid(raw)
    raw = case("smr_hall_bar")
    raw["boundaries"]["bottom"]["G_r"] = "-7e14 S/m^2"
    msg = invalid(raw)
    assert "boundaries.bottom" in msg and ">= 0" in msg


def test_zero_magnetization():
    raw = case("sot_bilayer")
    raw["magnetization"]["Py"] = [0, 0, 0]
    msg = invalid(raw)
    assert "magnetization.Py" in msg and "|m| = 0" in msg and "[1]" in msg
    raw = case("smr_hall_bar")
    raw["boundaries"]["bottom"]["m"] = [0.0, 0.0, 0.0]
    assert "boundaries.bottom.m" in invalid(raw)
    raw = case("nc_spin_valve")
    raw["sweep"]["start"] = [0, 0, 0]
    assert "sweep.angle.start" in invalid(raw) or "sweep.start" in invalid(raw)


def test_unknown_insulator_boundary(tmp_path):
    msg = checked(
        "smr_hall_bar",
        tmp_path,
        MeshError,
        ("[boundaries.bottom]", "[boundaries.botom]"),
        ("observables.smr.boundary=botom",),
    )
    assert "boundaries.botom: unknown insulator boundary 'botom'" in msg
    assert "did you mean 'bottom'" in msg


def test_B_without_tau_sf(tmp_path):
    repl = ('library = "Cu", tau_sf = "50 ps"', 'library = "Cu"')
    msg = checked("nlsv_hanle", tmp_path, MaterialError, repl)
    assert "sweep.values [T]" in msg and "materials.channel.tau_sf" in msg and "[s]" in msg
    field = ("[contacts]", '[field]\nB = ["0 T", "0 T", "0.1 T"]\n\n[contacts]')
    msg = checked("sot_bilayer", tmp_path, MaterialError, field)
    assert "field.B [T]" in msg and "materials.Pt.tau_sf" in msg
    assert "materials.Py" not in msg  # a ferromagnet needs no tau_sf
    raw = case("sot_bilayer")
    raw["field"] = {"B": ["0 T", "0 T", "0.1 A"]}
    msg = invalid(raw)
    assert "field.B.2" in msg and "[T]" in msg


def test_sweep_on_unknown_region(tmp_path):
    msg = checked("nc_spin_valve", tmp_path, MeshError, overrides=("sweep.region=F_2",))
    assert "sweep.region: unknown region 'F_2'" in msg and "did you mean 'F2'" in msg


def test_observables_name_unknown_contacts(tmp_path):
    over = ("observables.nonlocal.detector=detector_edn",)
    msg = checked("nlsv_hanle", tmp_path, MeshError, overrides=over)
    assert "observables.nonlocal.detector: unknown contact 'detector_edn'" in msg
    assert "did you mean 'detector_end'" in msg


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("L", 500, ["mesh.L", "no unit", "[m]"]),
        ("channel_width", "50 S", ["mesh.channel_width", "wrong dimension", "[m]"]),
        ("arm", None, ["mesh.arm", "missing"]),
    ],
)
def test_builder_lengths_need_units(key, value, words):
    raw = case("nlsv_hanle")
    if value is None:
        del raw["mesh"][key]
    else:
        raw["mesh"][key] = value
    msg = invalid(raw)
    for w in words:
        assert w in msg, (w, msg)


def test_two_current_rejects_mixing_and_sweep_kind():
    raw = case("sot_bilayer")
    raw["model"]["kind"] = "two_current"
    raw.pop("observables")
    raw["magnetization"] = {"Py": 1}
    msg = invalid(raw)
    assert "interfaces.'Pt|Py'" in msg
    raw = copy.deepcopy(case("nlsv_hanle"))
    raw["sweep"] = {"key": "field.B_T", "values": [[0, 0, 0.1]], "kind": "field"}
    assert "sweep" in invalid(raw)


def test_two_ranks_same_error(tmp_path):
    path, out = str(CASES / "nc_spin_valve.toml"), str(tmp_path / "c")
    args = ["-m", "spinfem.cli", "check", path, "--set", "sweep.region=F3", "--out", out]
    proc = run_python(args, nprocs=2)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("sweep.region: unknown region 'F3'") == 1
    assert not (tmp_path / "c").exists()
