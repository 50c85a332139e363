"""Bad M-m input: clear errors naming the parameter and its unit, on every rank."""

from __future__ import annotations

import math
import tomllib

import pytest

from conftest import run_python
from spinfem.errors import ContactError, InputError, MaterialError, MeshError
from spinfem.mm import (
    FixedDeltam,
    InjectedFlux,
    MagnetParams,
    MMProblem,
    Pulse,
    Sinusoid,
    Transient,
    box_mesh,
    solve_frequency,
)

GOOD = {"chi_M": 1e-2, "xi": 0.3, "r": 1e9, "D_m": 1e-3}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"xi": 1.2}, ["'xi'", "[1]", "unstable"]),
        ({"xi": -0.1}, ["'xi'", "positive"]),
        ({"r": -1e9}, ["'r'", "[1/s]", "positive"]),
        ({"D_m": 0.0}, ["'D_m'", "[m^2/s]"]),
        ({"chi_M": -1.0}, ["'chi_M'"]),
        ({"r": None, "tau_mM": -1e-9}, ["'tau_mM'", "[s]"]),
        ({"tau_ML": -1e-9}, ["'tau_ML'", "[s]"]),
        ({"w_m": -1.0}, ["'w_m'", "[1/s]"]),
        ({"tau_mL": float("nan")}, ["'tau_mL'"]),
        ({"tau_Mm": 1e-9}, ["'tau_Mm'", "Onsager", "1/tau_Mm = xi/tau_mM"]),
        ({"chi_m": 1e-3}, ["exactly one of 'chi_m'"]),
    ],
)
def test_bad_parameters(change, words):
    kw = dict(GOOD)
    kw.update(change)
    kw = {k: v for k, v in kw.items() if v is not None}
    with pytest.raises(MaterialError) as exc:
        MagnetParams.make(**kw)
    for w in words:
        assert w in str(exc.value), (w, str(exc.value))


def test_onsager_consistent_set_is_accepted():
    p = MagnetParams.make(chi_M=1e-2, chi_m=3e-3, tau_mM=1e-9, tau_Mm=1e-9 / 0.3, D_m=1e-3)
    assert math.isclose(p.r, 0.7e9)
    assert math.isclose(p.k_M, math.sqrt(0.7e12))


@pytest.fixture(scope="module")
def prob():
    return MMProblem(
        box_mesh((1000.0,), (10,), length_unit=1e-9), {"magnet": MagnetParams.make(**GOOD)}
    )


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"dt0": 0.0}, ["'dt'", "[s]", "positive"]),
        ({"dt0": -1e-12}, ["'dt'", "[s]"]),
        ({"t_end": -1.0}, ["'t_end - t0'", "[s]"]),
        ({"rtol": 0.0}, ["'rtol'"]),
        ({"atol": -1.0}, ["'atol'", "[A/m]"]),
        ({"dt_min": -1.0}, ["'dt_min'", "[s]"]),
    ],
)
def test_bad_time_settings(prob, kwargs, words):
    kw = {"t_end": 1e-9, **kwargs}
    with pytest.raises(InputError) as exc:
        Transient(prob, **kw)
    for w in words:
        assert w in str(exc.value)


def test_unknown_names_suggest():
    dmesh = box_mesh((1000.0,), (10,), length_unit=1e-9)
    p = MagnetParams.make(**GOOD)
    with pytest.raises(MeshError, match=r"unknown magnet region 'magent'.*did you mean 'magnet'"):
        MMProblem(dmesh, {"magent": p})
    with pytest.raises(MeshError, match=r"'xmni'.*did you mean 'xmin'"):
        MMProblem(dmesh, {"magnet": p}, {"xmni": FixedDeltam(0.0)})
    with pytest.raises(MaterialError, match="region 'magnet' has no magnet parameters"):
        MMProblem(dmesh, {})
    with pytest.raises(ContactError, match="boundary 'xmin'"):
        MMProblem(dmesh, {"magnet": p}, {"xmin": 3.0})


def test_bad_sources_and_omega(prob):
    with pytest.raises(ContactError, match=r"'t_stop' \[s\]"):
        Pulse(1.0, 2e-9, 1e-9)
    with pytest.raises(ContactError, match=r"'omega' \[rad/s\]"):
        Sinusoid(1.0, -1.0)
    with pytest.raises(ContactError, match=r"J \[A/s\]"):
        InjectedFlux("lots")
    with pytest.raises(InputError, match=r"'omega' \[rad/s\]"):
        solve_frequency(prob, 0.0)


MINI = """
[model]
kind = "mm"
[mesh]
kind = "box"
size = ["1 um"]
cells = [10]
[magnets.magnet]
chi_M = 1e-2
xi = 0.3
r = "1e9 1/s"
D_m = "1e-3 m^2/s"
[transient]
t_end = "1 ns"
"""


def test_bad_case_keys(tmp_path):
    """The case-file versions name the key path (tests/test_case_mm.py has the full set)."""
    from spinfem.case.load import validate_case

    raw = tomllib.loads(MINI)
    raw["transient"]["rtoll"] = 1e-5
    with pytest.raises(InputError, match=r"transient.rtoll: unknown key \(did you mean 'rtol'"):
        validate_case(raw)
    raw = tomllib.loads(MINI)
    raw["magnets"]["magnet"]["Dm"] = "1 m^2/s"
    with pytest.raises(InputError, match=r"magnets.magnet.Dm: unknown key \(did you mean 'D_m'"):
        validate_case(raw)
    raw = tomllib.loads(MINI)
    raw["boundaries"] = {"xmin": {"kind": "injected"}}
    with pytest.raises(InputError, match=r"boundaries.xmin.kind: .*'injected_flux'"):
        validate_case(raw)


def test_bad_case_is_collective_on_two_ranks(tmp_path):
    path = tmp_path / "case.toml"
    path.write_text(MINI.replace("xi = 0.3", "xi = 1.5"))
    proc = run_python(
        ["-m", "spinfem.cli", "run", str(path), "--out", str(tmp_path / "o")], nprocs=2, timeout=120
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("'xi' = chi_m/chi_M [1] = 1.5 > 1") == 1  # printed once, rank 0
    assert "magnets.magnet" in proc.stderr
    assert not (tmp_path / "o").exists()
