"""Material faults beyond tests/test_bad_input.py: implausible magnitudes (l_sf = 1 m, an
l_sf below an atomic distance, a resistivity given as conductivity) give one warning
naming the region, the parameter and its unit; a bad spin Hall angle and a bad
``with_`` copy are refused (catalogue: docs/robustness.md)."""

from __future__ import annotations

import math

import pytest
from fault_helpers import NM, message, spinfem_warnings

from spinfem import library
from spinfem.contacts import Contact
from spinfem.errors import MaterialError
from spinfem.geometry import Layer, pillar
from spinfem.materials import Material
from spinfem.problem import TwoCurrentProblem

CONTACTS = [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)]


@pytest.fixture(scope="module")
def bar():
    return pillar([Layer("F", 10 * NM), Layer("N", 10 * NM)], width=10 * NM, dim=2)


@pytest.mark.parametrize(
    ("changes", "parts"),
    [
        ({"l_sf": 1.0}, ["'l_sf' [m]", "1e+09 nm", "implausibly long"]),
        ({"l_sf": 2e-12}, ["'l_sf' [m]", "0.002 nm", "atomic"]),
        ({"sigma": 1.7e12}, ["'sigma' [S/m]", "1.7e+12 S/m", "resistivity"]),
    ],
)
def test_implausible_material_warns_once(bar, changes, parts):
    odd = library.Cu.with_(name="odd", **changes)
    with spinfem_warnings() as warned:
        TwoCurrentProblem(bar, {"F": library.Co, "N": odd}, CONTACTS)
    ours = [w for w in warned if "material 'odd'" in w]
    assert len(ours) == 1, warned
    assert "region 'N'" in ours[0]
    for part in parts:
        assert part in ours[0], ours[0]


def test_library_materials_give_no_warning(bar):
    with spinfem_warnings() as warned:
        TwoCurrentProblem(bar, {"F": library.Co, "N": library.Cu}, CONTACTS)
    assert warned == []


@pytest.mark.parametrize("value", [1.0, -1.0, math.nan, "0.1"])
def test_spin_hall_angle_out_of_range(value):
    with pytest.raises(MaterialError) as info:
        Material("Pt", sigma=4e6, l_sf=1.5 * NM, theta_sh=value)
    message(info, "'Pt'", "'theta_sh'", "[1]", repr(value))


def test_with_copy_is_validated_again():
    with pytest.raises(MaterialError) as info:
        library.Cu.with_(sigma=-1.0)
    message(info, "'sigma'", "[S/m]", "-1.0")
