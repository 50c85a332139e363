"""Case-file faults not covered by tests/test_case.py and tests/test_case_check.py: wrong
types, missing sections and keys, an empty or missing file, implausible scales (a 1 km
pillar, a mesh file declared in metres, l_sf = 1 m), and results independent of the order
of the tables in the file (catalogue: docs/robustness.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import run_python
from spinfem.case.load import read_toml, validate_case
from spinfem.errors import InputError

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "cases"
SMALL = ["--set", "mesh.radius=15 nm"]


def spinfem(*args: str, nprocs: int = 1, timeout: float = 300):
    return run_python(["-m", "spinfem.cli", *args], nprocs=nprocs, timeout=timeout)


def error_line(stderr: str) -> str:
    """The one error message (it may continue over several lines, one per problem)."""
    lines = stderr.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("spinfem: error:")]
    assert len(starts) == 1, stderr
    assert "Traceback" not in stderr
    return "\n".join(lines[starts[0] :])


def problems(raw: dict) -> str:
    with pytest.raises(InputError) as info:
        validate_case(raw)
    return str(info.value)


def base() -> dict:
    return read_toml(CASES / "spin_valve.toml")


# ------------------------------------------------------------------ schema
@pytest.mark.parametrize(
    ("edit", "parts"),
    [
        (lambda r: r["mesh"].__setitem__("layers", "Cu 10 nm"), ["mesh.layers"]),
        (lambda r: r["contacts"].__setitem__("top", "1 mV"), ["contacts.top"]),
        (lambda r: r["materials"].__setitem__("spacer", ["Cu"]), ["materials.spacer"]),
        (lambda r: r["mesh"]["layers"][1].pop("thickness"), ["mesh.layers.1.thickness"]),
        (lambda r: r["mesh"]["layers"][1].__setitem__("thickness", []), ["mesh.layers.1"]),
        (lambda r: r.pop("contacts"), ["contacts"]),
        (lambda r: r.pop("materials"), ["materials"]),
        (lambda r: r.pop("mesh"), ["mesh"]),
    ],
)
def test_wrong_type_or_missing_part_names_the_key(edit, parts):
    raw = base()
    edit(raw)
    msg = problems(raw)
    for part in parts:
        assert part in msg, (part, msg)


def test_empty_case_file_names_what_is_missing(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text("# nothing here\n")
    proc = spinfem("check", str(path), "--out", str(tmp_path / "chk"))
    assert proc.returncode == 2, proc.stderr
    line = error_line(proc.stderr)
    assert "mesh" in line and "materials" in line and "contacts" in line, line


def test_missing_case_file(tmp_path):
    proc = spinfem("run", str(tmp_path / "no-such-case.toml"))
    assert proc.returncode == 2, proc.stderr
    assert "no-such-case.toml" in error_line(proc.stderr)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ scale
@pytest.mark.parametrize("radius", ["1 km", "-50 nm"])
def test_implausible_pillar_radius(tmp_path, radius):
    """Not a schema error (any length is a length): the builder refuses it by name."""
    out = tmp_path / "chk"
    proc = spinfem(
        "check", str(CASES / "spin_valve.toml"), "--set", f"mesh.radius={radius}", "--out", str(out)
    )
    assert proc.returncode == 2, proc.stderr
    line = error_line(proc.stderr)
    assert "radius" in line and "[m]" in line, line
    assert not out.exists()


def test_mesh_file_declared_in_metres(tmp_path):
    """strip_file.toml's mesh is drawn in nm; declaring metres makes a 300 m strip."""
    proc = spinfem(
        "check",
        str(CASES / "strip_file.toml"),
        "--set",
        "mesh.length_unit=1 m",
        "--out",
        str(tmp_path / "chk"),
    )
    assert proc.returncode == 2, proc.stderr
    line = error_line(proc.stderr)
    assert "'length_unit'" in line and " m across" in line, line
    assert not (tmp_path / "chk").exists()


def test_l_sf_of_one_metre_warns_and_runs(tmp_path):
    out = tmp_path / "run"
    proc = spinfem(
        "run", str(CASES / "spin_valve.toml"), "--out", str(out), *SMALL,
        "--set", "materials.spacer.l_sf=1 m",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    warned = [line for line in proc.stderr.splitlines() if "'l_sf' [m]" in line]
    assert len(warned) >= 1 and "region 'spacer'" in warned[0], proc.stderr
    assert (out / "results.json").is_file()


# ------------------------------------------------------------------ order independence
CASE = """
[model]
kind = "two_current"

[mesh]
kind = "pillar"
radius = "15 nm"
layers = [
  {{ name = "lead_bottom", thickness = "20 nm" }},
  {{ name = "Co_fixed", thickness = "10 nm" }},
  {{ name = "spacer", thickness = "10 nm" }},
  {{ name = "Co_free", thickness = "5 nm" }},
  {{ name = "lead_top", thickness = "20 nm" }},
]
{blocks}
"""
BLOCKS = {
    "materials": """[materials]
{}""",
    "contacts": """[contacts]
{}""",
    "interfaces": """[interfaces]
{}""",
    "states": "{}",
}
ROWS = {
    "materials": [
        'lead_bottom = { library = "Cu" }',
        'Co_fixed = { library = "Co" }',
        'spacer = { library = "Cu" }',
        'Co_free = { library = "Co" }',
        'lead_top = { library = "Cu" }',
    ],
    "contacts": ['top = { current = "2 uA" }', 'bottom = { voltage = "0 V" }'],
    "interfaces": [
        '"Co_fixed|spacer" = { law = "spin_conductance", AR_b = "0.51 fOhm m^2", gamma = 0.77 }',
        '"spacer|Co_free" = { law = "spin_conductance", AR_b = "0.51 fOhm m^2", gamma = 0.77 }',
    ],
    "states": ["[states.parallel]", "[states.antiparallel]\nmagnetization = { Co_free = -1 }"],
}


def write_case(path: Path, reverse: bool) -> Path:
    order = list(BLOCKS)[::-1] if reverse else list(BLOCKS)
    parts = []
    for key in order:
        rows = ROWS[key][::-1] if reverse else ROWS[key]
        parts.append(BLOCKS[key].format("\n".join(rows)))
    path.write_text(CASE.format(blocks="\n\n".join(parts)))
    return path


def numbers(run: Path) -> dict[str, float]:
    data = json.loads((run / "results.json").read_text())["states"]
    out = {}
    for state in ("parallel", "antiparallel"):
        summ = data[state]
        out[f"{state}.RA"] = summ["resistance_area_ohm_m2"]
        for name, c in summ["contacts"].items():
            out[f"{state}.{name}.V"] = c["voltage_V"]
            out[f"{state}.{name}.Is"] = c["spin_current_A"]
    return out


def test_results_do_not_depend_on_the_order_of_tables_and_rows(tmp_path):
    runs = {}
    for reverse in (False, True):
        case = write_case(tmp_path / f"case-{reverse}.toml", reverse)
        out = tmp_path / f"run-{reverse}"
        proc = spinfem("run", str(case), "--out", str(out))
        assert proc.returncode == 0, proc.stderr
        runs[reverse] = numbers(out)
    a, b = runs[False], runs[True]
    assert a.keys() == b.keys()
    assert a["antiparallel.RA"] > a["parallel.RA"]
    for key in a:
        assert np.isclose(a[key], b[key], rtol=1e-8, atol=1e-14 * abs(a["parallel.top.V"])), key
