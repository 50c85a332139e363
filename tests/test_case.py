"""Case files without solving: units, schema (unknown keys with path and did-you-mean),
overrides, registries. Every message is checked for the key path and the unit."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from spinfem.case.load import apply_overrides, load_case, read_toml, validate_case
from spinfem.case.models import MODELS, ModelSpec, get_model, register_model
from spinfem.case.schema import Quantity, Strict
from spinfem.case.units import parse_quantity
from spinfem.errors import InputError

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "cases"


def base() -> dict:
    return read_toml(CASES / "spin_valve.toml")


def problems(raw: dict) -> str:
    with pytest.raises(InputError) as info:
        validate_case(raw)
    return str(info.value)


# ------------------------------------------------------------------------------- units
@pytest.mark.parametrize(
    ("text", "unit", "si"),
    [
        ("2.5 nm", "m", 2.5e-9),
        ("1 um", "m", 1e-6),
        ("4e6 S/m", "S/m", 4e6),
        ("60 nOhm m", "ohm*m", 60e-9),
        ("6 uOhm cm", "ohm*m", 6e-8),
        ("1.2e-15 Ohm m^2", "ohm*m^2", 1.2e-15),
        ("5 Ohm um^2", "ohm*m^2", 5e-12),
        ("0.51 fOhm m^2", "ohm*m^2", 0.51e-15),
        ("1 mV", "V", 1e-3),
        ("10 uA", "A", 1e-5),
        (0.5, "1", 0.5),
        ("0.77", "1", 0.77),
    ],
)
def test_units_convert_to_si(text, unit, si):
    assert math.isclose(parse_quantity(text, unit, "x"), si, rel_tol=1e-12)


@pytest.mark.parametrize(
    ("value", "unit", "words"),
    [
        ("5 S/m", "m", ["a.b", "wrong dimension", "a length [m]"]),
        ("1 mA", "V", ["a.b", "wrong dimension", "a voltage [V]"]),
        (50, "m", ["a.b", "no unit", "a length [m]"]),
        ("50", "ohm*m^2", ["a.b", "no unit", "Ohm m^2"]),
        ("fifty nm", "m", ["a.b", "cannot read", "[m]"]),
        (True, "S/m", ["a.b", "conductivity [S/m]"]),
        ("inf nm", "m", ["a.b", "not finite"]),
    ],
)
def test_unit_errors_name_path_and_expected_unit(value, unit, words):
    with pytest.raises(InputError) as info:
        parse_quantity(value, unit, "a.b")
    for w in words:
        assert w in str(info.value), (w, str(info.value))


# ------------------------------------------------------------------------------- schema
def test_the_shipped_cases_validate():
    for path in sorted(CASES.glob("*.toml")):
        case, _ = load_case(path)
        assert case.model.kind in MODELS, path
        if case.model.kind in ("two_current", "vector"):
            assert case.section("materials") and case.section("contacts"), path
        else:
            assert case.model.kind == "mm" and case.section("magnets"), path


def test_values_are_si_after_validation():
    case = validate_case(base())
    assert math.isclose(case.mesh.radius, 50e-9, rel_tol=1e-12)
    assert [round(lay.thickness / 1e-9, 9) for lay in case.mesh.layers] == [20, 10, 10, 5, 20]
    assert math.isclose(case.section("contacts")["top"].voltage, 1e-3, rel_tol=1e-12)


@pytest.mark.parametrize(
    ("path", "value", "expect"),
    [
        (["mesh", "radiu"], "50 nm", ["mesh.radiu", "did you mean 'radius'"]),
        (["solver", "rtoll"], 1e-8, ["solver.rtoll", "did you mean 'rtol'"]),
        (["materials", "spacer", "lsf"], "1 nm", ["materials.spacer.lsf", "did you mean 'l_sf'"]),
        (["contacts", "top", "voltag"], "1 V", ["contacts.top.voltag", "did you mean 'voltage'"]),
        (["materails"], {}, ["materails", "unknown section", "did you mean 'materials'"]),
        (["output", "line"], [], ["output.line", "did you mean 'lines'"]),
    ],
)
def test_misspelled_keys_name_the_full_path(path, value, expect):
    raw = base()
    node = raw
    for p in path[:-1]:
        node = node.setdefault(p, {})
    node[path[-1]] = value
    msg = problems(raw)
    for e in expect:
        assert e in msg, (e, msg)


def test_misspelled_key_inside_a_list_of_layers():
    raw = base()
    raw["mesh"]["layers"][2]["thicknes"] = raw["mesh"]["layers"][2].pop("thickness")
    msg = problems(raw)
    assert "mesh.layers.2.thicknes" in msg and "did you mean 'thickness'" in msg, msg


def test_wrong_dimension_in_a_material_names_key_and_unit():
    raw = base()
    raw["materials"]["spacer"] = {"sigma": "6e7 Ohm m", "l_sf": "500 nm"}
    msg = problems(raw)
    assert "materials.spacer.sigma" in msg and "a conductivity [S/m]" in msg, msg


def test_all_problems_are_reported_at_once():
    raw = base()
    raw["mesh"]["radius"] = 50
    raw["contacts"]["top"] = {"voltage": "1 mA"}
    raw["solver"] = {"rtol": 2.0}
    msg = problems(raw)
    assert "3 problem(s)" in msg, msg
    assert "mesh.radius" in msg and "contacts.top.voltage" in msg and "solver.rtol" in msg


@pytest.mark.parametrize(
    ("law", "expect"),
    [
        ({"law": "tunnel_barrier"}, "missing: RA"),
        ({"law": "transparent", "RA": "1 Ohm um^2"}, "unexpected: RA"),
        ({"law": "spin_conductance", "gamma": 0.5}, "'AR_b'"),
        ({"law": "spin_memory_loss", "delta": 0.2, "AR_I": "1 S/m"}, "resistance-area"),
        ({"law": "tunnel"}, "interfaces.'Co_fixed|spacer'.law"),
    ],
)
def test_interface_law_keys(law, expect):
    raw = base()
    raw["interfaces"] = {"Co_fixed|spacer": law}
    msg = problems(raw)
    assert "interfaces.'Co_fixed|spacer'" in msg and expect in msg, msg


def test_material_needs_values_without_library():
    raw = base()
    raw["materials"]["spacer"] = {"sigma": "1e7 S/m"}
    msg = problems(raw)
    assert "materials.spacer" in msg and "'l_sf'" in msg, msg
    raw["materials"]["spacer"] = {"library": "Cu", "sigma": "1 S/m", "rho": "1 Ohm m"}
    assert "not both" in problems(raw)


def test_mesh_and_model_kinds():
    raw = base()
    raw["mesh"]["kind"] = "pilar"
    assert "did you mean 'pillar'" in problems(raw)
    raw = base()
    raw["model"]["kind"] = "two_curent"
    with pytest.raises(InputError, match="did you mean 'two_current'"):
        validate_case(raw)
    raw = base()
    del raw["mesh"]
    assert "mesh: missing" in problems(raw)
    raw = base()
    del raw["contacts"]
    assert "contacts: missing (required by model 'two_current')" in problems(raw)


def test_file_mesh_declares_its_length_unit():
    raw = read_toml(CASES / "strip_file.toml")
    del raw["mesh"]["length_unit"]
    assert "mesh.length_unit: missing" in problems(raw)
    raw["mesh"]["length_unit"] = "1 V"
    assert "mesh.length_unit" in problems(raw) and "a length [m]" in problems(raw)


# ------------------------------------------------------------------------------- overrides
def test_set_overrides_nested_listed_and_quoted_keys():
    raw = apply_overrides(
        base(),
        [
            "mesh.radius='40 nm'",
            "mesh.layers.2.thickness=7 nm",
            "interfaces.'Co_fixed|spacer'.law=transparent",
            "solver.direct_max_dofs=10",
        ],
    )
    case = validate_case(raw)
    assert math.isclose(case.mesh.radius, 40e-9)
    assert math.isclose(case.mesh.layers[2].thickness, 7e-9)
    assert case.section("interfaces")["Co_fixed|spacer"].law == "transparent"
    assert case.solver.direct_max_dofs == 10


@pytest.mark.parametrize(
    ("item", "expect"),
    [
        ("mesh.radius", "expected key.path=value"),
        ("mesh.layers.9.thickness=1 nm", "index with 0..4"),
        ("mesh.radius.x=1", "is a value, not a table"),
    ],
)
def test_bad_overrides(item, expect):
    with pytest.raises(InputError, match=expect):
        apply_overrides(base(), [item])


def test_set_of_a_misspelled_key_is_caught_by_validation():
    msg = problems(apply_overrides(base(), ["mesh.raduis=40 nm"]))
    assert "mesh.raduis" in msg and "did you mean 'radius'" in msg


def test_toml_syntax_error_names_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[mesh]\nradius = 50 nm\n")
    with pytest.raises(InputError) as info:
        read_toml(bad)
    assert "bad.toml" in str(info.value) and "TOML syntax error" in str(info.value)
    with pytest.raises(InputError, match="cannot read case file"):
        read_toml(tmp_path / "missing.toml")


def test_sweep_values_are_validated(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text(
        (CASES / "spin_valve.toml").read_text()
        + '\n[sweep]\nkey = "mesh.layers.2.thickness"\nvalues = ["5 nm", "5 V"]\n'
    )
    with pytest.raises(InputError) as info:
        load_case(path)
    assert "sweep.values.1" in str(info.value) and "a length [m]" in str(info.value)


# ------------------------------------------------------------------------------- registry
class ToyParams(Strict):
    dt: Quantity("s")  # type: ignore[valid-type]


class ToySection(Strict):
    field: Quantity("T")  # type: ignore[valid-type]


def test_a_registered_model_gets_its_own_keys_and_sections():
    spec = ModelSpec(
        kind="toy",
        description="test model",
        run=lambda ctx: {},
        check=lambda ctx: {},
        params=ToyParams,
        sections={"applied": ToySection},
        required=("applied",),
        transient=True,
    )
    register_model(spec)
    try:
        raw = {"model": {"kind": "toy", "dt": "2 ps"}, "mesh": base()["mesh"], "applied": {}}
        msg = problems(raw)
        assert "applied.field: missing" in msg, msg
        raw["applied"] = {"field": "0.1 T"}
        raw["model"]["dtt"] = "1 ps"
        msg = problems(raw)
        assert "model.dtt" in msg and "did you mean 'dt'" in msg, msg
        del raw["model"]["dtt"]
        raw["materials"] = {}  # a two_current section is not a toy section
        assert "materials: unknown section" in problems(raw)
        del raw["materials"]
        case = validate_case(raw)
        assert math.isclose(case.model_params.dt, 2e-12)
        assert math.isclose(case.section("applied").field, 0.1)
        assert get_model("toy") is spec
    finally:
        MODELS.pop("toy", None)


def test_steady_model_refuses_restart(tmp_path):
    from spinfem.case.run import run_case

    with pytest.raises(InputError) as info:
        run_case(CASES / "spin_valve.toml", out=tmp_path / "r", restart="latest")
    assert "--restart latest" in str(info.value) and "'two_current' is steady" in str(info.value)
    assert not (tmp_path / "r").exists()


def test_transient_model_runs_in_place_and_restarts(tmp_path):
    """A transient model writes into the final directory (checkpoints outlive a kill),
    its manifest says "running" until the end, and --restart reaches the model."""
    import json

    from spinfem.case.run import run_case

    seen = []

    def run(ctx):
        seen.append((ctx.restart, ctx.run_dir))
        manifest = json.loads((ctx.run_dir / "manifest.json").read_text())
        assert manifest["status"] == "running"
        (ctx.run_dir / "checkpoint.txt").write_text(str(len(seen)))
        if ctx.case.model_params.dt > 1e-9:
            raise InputError("model.dt too large for the toy")
        return {"states": {"final": {"steps": len(seen)}}, "tables": {"results": [{"n": 1}]}}

    register_model(
        ModelSpec(
            kind="toy_transient",
            description="test",
            run=run,
            check=lambda ctx: {},
            params=ToyParams,
            transient=True,
        )
    )
    try:
        case = tmp_path / "t.toml"
        case.write_text(
            '[model]\nkind = "toy_transient"\ndt = "1 ps"\n'
            '[mesh]\nkind = "magnet_slab"\nsize = ["10 nm", "10 nm"]\ncells = [2, 2]\n'
        )
        out = tmp_path / "run"
        run_case(case, out=out)
        assert seen == [(None, out.absolute())]
        assert json.loads((out / "manifest.json").read_text())["status"] == "ok"
        res = run_case(case, out=out, restart="latest")
        assert seen[-1] == ("latest", out.absolute())
        man = json.loads((out / "manifest.json").read_text())
        assert man["status"] == "ok" and man["restart"] == "latest" and len(man["restarted"]) == 1
        assert (out / "checkpoint.txt").read_text() == "2" and res["states"]["final"]["steps"] == 2
        with pytest.raises(InputError, match="does not exist"):
            run_case(case, out=tmp_path / "nothing", restart="latest")
        with pytest.raises(InputError, match="too large"):
            run_case(case, out=out, restart="latest", overrides=["model.dt=1 s"])
        man = json.loads((out / "manifest.json").read_text())
        assert man["status"].startswith("failed: InputError: model.dt too large")
        assert (out / "checkpoint.txt").read_text() == "3"  # checkpoints stay
    finally:
        MODELS.pop("toy_transient", None)


def test_docs_reference_is_generated_from_the_schema():
    from spinfem.case.reference import BEGIN, END, reference

    text = (REPO / "docs" / "cases.md").read_text()
    assert BEGIN in text and END in text
    generated = text[text.index(BEGIN) : text.index(END) + len(END)] + "\n"
    assert generated == reference(), "regenerate: python3 -m spinfem.case.reference"


def test_docs_example_case_is_valid():
    import tomllib

    text = (REPO / "docs" / "cases.md").read_text()
    block = text.split("```toml\n", 1)[1].split("```", 1)[0]
    case = validate_case(tomllib.loads(block))
    assert case.sweep is not None and len(case.section("states")) == 2
    assert math.isclose(case.section("materials")["lead_top"].rho, 6e-9)


def test_progress_bar_only_on_a_terminal(monkeypatch):
    import io

    from mpi4py import MPI

    from spinfem.case import run as run_mod

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    for stream, expect in ((Tty(), True), (io.StringIO(), False)):
        monkeypatch.setattr(run_mod.sys, "stderr", stream)
        show = run_mod._progress(MPI.COMM_WORLD)
        show(1, 4, "state a")
        show(4, 4, "done")
        text = stream.getvalue()
        assert ("[#######" in text and "4/4 done" in text) == expect, text
