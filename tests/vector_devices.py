"""Vector-model devices shared by tests and MPI scripts (each returns JSON-able observables)."""

from __future__ import annotations

import numpy as np
from stacks import CO_CU_CO, layers, materials

from spinfem.contacts import Contact
from spinfem.geometry import pillar
from spinfem.interfaces import SpinConductance, SpinMemoryLoss
from spinfem.problem import TwoCurrentProblem
from spinfem.vector_problem import VectorSpinProblem

NM = 1e-9
LAWS = {
    "F1|N": SpinConductance.from_ARb(0.51e-15, 0.77),
    "N|F2": SpinMemoryLoss(delta=0.5, AR_I=0.4e-15, gamma=0.2),
}
CONTACTS = [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)]
#: probe points (mesh units, nm) in every layer of the 2D Co/Cu/Co cross-section
PROBES = [[3.1, y, 0.0] for y in (5.3, 21.1, 25.7, 35.3, 42.9, 60.1)]


def collinear(comm) -> dict:
    """Co/Cu/Co 2D cross-section with resistive and SML interfaces, F2 reversed: the
    collinear model and the vector model with m = +/-z."""
    mats = materials(CO_CU_CO)
    dev = pillar(layers(CO_CU_CO), width=40 * NM, dim=2, materials=mats, comm=comm)
    two = TwoCurrentProblem(dev, mats, CONTACTS, {"F2": -1}, interfaces=LAWS).solve()
    vec = VectorSpinProblem(
        dev, mats, CONTACTS, {"F1": (0, 0, 1), "F2": (0, 0, -1)}, interfaces=LAWS
    ).solve()
    pts = np.asarray(PROBES)
    p = vec.probe(pts)
    return {
        "two_current_A": [c.current_A for c in two.contacts],
        "two_spin_current_A": [c.spin_current_A for c in two.contacts],
        "two_V": two.probe("V", pts * NM),
        "two_mu": two.probe("mu_s", pts * NM),
        "vec_current_A": [c.current_A for c in vec.contacts],
        "vec_spin_current_A": [vec.spin_currents_A[c.name] for c in vec.contacts],
        "vec_V": p["V_V"],
        "vec_mu": p["mu_s_eV"],
    }


OBSERVABLES = {"collinear": collinear}


# ----------------------------------------------------------------------------- SMR
LAM_HM, SIGMA_HM = 2.0 * NM, 4.0e6


def smr_film(comm, d_over_lambda: float, G_r: float, G_i: float, theta: float = 0.05) -> dict:
    """Quasi-1D heavy-metal film on a magnetic insulator (2D x-y cross-section: current
    along x, normal y, z out of plane). Returns Delta rho_1/rho from the longitudinal
    resistivity (m along x vs z) and Delta rho_2/rho from the open-circuit transverse
    (z) field (m = +/-y), in the frame of Chen et al. (x current, z normal, y = z x x):
    Chen's m_z is our m_y, Chen's m_y is our -m_z, Chen's E_y is our -E_z."""
    from spinfem.geometry.strip import film
    from spinfem.materials import Material
    from spinfem.mixing import MagneticInsulator

    lam, sig = LAM_HM, SIGMA_HM
    d = d_over_lambda * lam
    ny = max(8, round(d_over_lambda * 10))
    dev = film(30 * lam, d, elements=(60, ny), comm=comm)
    mat = Material("HM", sigma=sig, l_sf=lam, theta_sh=theta)
    contacts = [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)]
    prob = VectorSpinProblem(
        dev, {"HM": mat}, contacts, boundaries={"bottom": MagneticInsulator(G_r, G_i)}
    )
    sm = (np.arange(ny) + 0.5) * d / ny  # cell mid-heights: exact thickness average
    pts = np.column_stack([np.full(ny, 0.3), sm / NM, 0 * sm])
    res, raw = {}, {}
    for key, m in (("x", (1, 0, 0)), ("z", (0, 0, 1)), ("+y", (0, 1, 0)), ("-y", (0, -1, 0))):
        prob.set_magnetization("bottom", m)
        sol = prob.solve()
        jx = sol.contact("left").current_A / (d * dev.depth)
        v = sol.probe([[-3 * lam / NM, d / 2 / NM, 0], [3 * lam / NM, d / 2 / NM, 0]])["V_V"]
        E = -(v[1] - v[0]) / (6 * lam)
        jz = sol.probe(pts, currents=True)["j_c_A_per_m2"][:, 2].mean()
        # open circuit along z: E_z = -<j_z>/sigma, i.e. Chen's E_y = <j_z>/sigma
        res[key] = (E / jx, jz / (sig * jx))
        raw[key] = {
            "current_A": sol.contact("left").current_A,
            "V_probe_V": v,
            "torque_DL_Nm": sol.torques()["bottom"]["damping_like_Nm"],
            "torque_FL_Nm": sol.torques()["bottom"]["field_like_Nm"],
        }
    return {
        "d": d,
        "drho1": sig * (res["x"][0] - res["z"][0]),
        "drho2": sig * (res["+y"][1] - res["-y"][1]) / 2,
        "drho_long_x": sig * res["x"][0] - 1,
        "raw": raw,
    }


def smr(comm) -> dict:
    return smr_film(comm, 1.0, 4e14, 1e14)


OBSERVABLES["smr"] = smr


# ----------------------------------------------------------------------------- torque
def spin_valve(comm, G_i: float = 2e13):
    """2D Co/Cu/Co pillar cross-section with mixing conductances at F1|N and N|F2
    (Co/Cu: AR_b* = 0.51 fOhm m^2, gamma = 0.77; G_r = 5.4e14 S/m^2), F1 fixed along +z.
    Returns (problem, device)."""
    from spinfem.mixing import MixingConductance

    mats = materials(CO_CU_CO)
    dev = pillar(layers(CO_CU_CO), width=30 * NM, dim=2, materials=mats, comm=comm)
    law = MixingConductance.from_ARb_mixing(0.51e-15, 0.77, G_r=5.4e14, G_i=G_i)
    prob = VectorSpinProblem(
        dev,
        mats,
        CONTACTS,  # top at +1 mV: electrons flow from F1 (bottom) into F2 (top)
        {"F1": (0, 0, 1), "F2": (1, 0, 0)},
        interfaces={"F1|N": law, "N|F2": law},
    )
    return prob, dev


def torque(comm) -> dict:
    prob, _ = spin_valve(comm)
    out = {}
    for deg in (1.0, 30.0, 90.0):
        a = np.radians(deg)
        prob.set_magnetization("F2", (np.sin(a), 0.0, np.cos(a)))
        sol = prob.solve()
        t = sol.torques()
        out[str(deg)] = {
            "current_A": sol.contact("top").current_A,
            "F2_DL": t["F2"]["damping_like_Nm"],
            "F2_FL": t["F2"]["field_like_Nm"],
            "F1_DL": t["F1"]["damping_like_Nm"],
            "mu": sol.probe(np.asarray(PROBES))["mu_s_eV"],
        }
    return out


OBSERVABLES["torque"] = torque
