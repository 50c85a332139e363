"""Plots and the off-screen rendering of a run, read back as images."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from spinfem.case.run import run_case
from spinfem.errors import InputError, OutputError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sweep_run(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("plot")
    case = tmp / "sweep.toml"
    case.write_text(
        (REPO / "cases" / "spin_valve.toml").read_text()
        + '\n[sweep]\nkey = "mesh.layers.2.thickness"\nvalues = ["5 nm", "10 nm", "20 nm"]\n'
    )
    run_case(case, out=tmp / "run", overrides=["mesh.radius=12 nm", "output.fields=true"])
    return tmp / "run"


def test_sweep_results_and_plots(sweep_run):
    import matplotlib.image as mpimg

    from spinfem.plot import plot_run, read_csv

    rows = read_csv(sweep_run / "results.csv")
    assert [r["sweep_value"] for r in rows] == ["5 nm", "5 nm", "10 nm", "10 nm", "20 nm", "20 nm"]
    ra = {(r["sweep_value"], r["state"]): r["resistance_area_ohm_m2"] for r in rows}
    # a thicker Cu spacer adds its own resistance: RA_P grows with it, by at least rho*dt
    rho_cu = 6e-9
    assert ra[("10 nm", "parallel")] - ra[("5 nm", "parallel")] > 0.99 * rho_cu * 5e-9
    assert sorted(p.name for p in (sweep_run / "fields").iterdir()) == ["000", "001", "002"]
    files = plot_run(sweep_run) if MPI.COMM_WORLD.rank == 0 else []
    assert sorted(f.name for f in files) == ["contacts.png", "profile_axis.png", "sweep.png"]
    for f in files:
        img = mpimg.imread(f)
        assert img.shape[0] > 100 and np.ptp(img) > 0.1


def test_plot_refuses_a_non_run(tmp_path):
    from spinfem.plot import plot_run

    with pytest.raises(InputError, match="not a spinfem run directory"):
        plot_run(tmp_path)


def test_render_off_screen(sweep_run, tmp_path):
    import matplotlib.image as mpimg

    from spinfem.render import render_run

    if shutil.which("xvfb-run") is None:
        pytest.skip("no xvfb-run in this environment")
    png = render_run(sweep_run, out=tmp_path / "r.png", field="mu_s_eV")
    img = mpimg.imread(png)
    assert img.shape[:2] == (700, 900)
    assert np.unique(img.reshape(-1, img.shape[-1]), axis=0).shape[0] > 50  # not blank


def test_render_without_display_or_xvfb_says_what_to_do(sweep_run, monkeypatch, tmp_path):
    from spinfem import render

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setattr(render, "_display_ok", lambda: False)
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    with pytest.raises(OutputError) as info:
        render.render_run(sweep_run, out=tmp_path / "x.png")
    assert "no display" in str(info.value) and "xvfb-run" in str(info.value)
    assert not (tmp_path / "x.png").exists()
