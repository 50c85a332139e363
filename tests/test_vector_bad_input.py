"""Bad inputs of the vector model: clear SpinfemErrors naming the key, region or
parameter and its unit, identical on every rank (1 and 2 ranks)."""

from __future__ import annotations

import json

import pytest

from conftest import MPI_SCRIPTS, run_python

EXPECTED = {  # case -> (exception type, parts of the message)
    "m_zero": ("InputError", ["|m| = 0", "Co2"]),
    "m_zero_somewhere": ("InputError", ["|m| = 0", "Co2"]),
    "m_not_a_vector": ("InputError", ["3-vector"]),
    "m_callable_bad_shape": ("InputError", ["Co2", "(3, N)"]),
    "m_missing": ("MaterialError", ["Co2", "magnetization"]),
    "m_unknown_region": ("MeshError", ["'Co3'"]),
    "lambda_J_zero": ("MaterialError", ["'lambda_J' [m]", "> 0"]),
    "lambda_phi_negative": ("MaterialError", ["'lambda_phi' [m]"]),
    "tau_sf_zero": ("MaterialError", ["'tau_sf' [s]"]),
    "G_r_negative_insulator": ("InputError", ["'G_r' [S/m^2]", ">= 0"]),
    "G_r_negative_interface": ("InputError", ["'G_r' [S/m^2]"]),
    "B_without_tau_sf": ("MaterialError", ["B without tau_sf", "'tau_sf' [s]", "HM"]),
    "B_not_a_vector": ("InputError", ["'field_T' [T]"]),
    "unknown_insulator_boundary": ("MeshError", ["'botom'", "did you mean 'bottom'"]),
    "insulator_not_a_law": ("InputError", ["MagneticInsulator"]),
    "insulator_on_contact": ("MeshError", ["'left'", "contact"]),
    "mixing_without_magnet": ("InputError", ["MixingConductance", "Co1|Cu"]),
    "set_magnetization_unknown": ("MeshError", ["'Co_2'", "did you mean 'Co2'"]),
}


@pytest.mark.parametrize("nprocs", [1, 2])
def test_vector_bad_inputs(tmp_path, nprocs):
    out = tmp_path / f"bad-{nprocs}.json"
    proc = run_python([str(MPI_SCRIPTS / "vector_bad_inputs.py"), str(out)], nprocs, timeout=180)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["ranks"] == nprocs
    assert set(data["cases"]) == set(EXPECTED)
    for case, per_rank in data["cases"].items():
        kind, parts = EXPECTED[case]
        assert len(per_rank) == nprocs
        assert all(r == per_rank[0] for r in per_rank), (case, per_rank)
        etype, msg = per_rank[0]
        assert etype == kind, (case, etype, msg)
        for part in parts:
            assert part in msg, (case, part, msg)
