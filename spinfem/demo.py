"""The built-in demo: a Co/Cu/Co CPP-GMR nanopillar in the parallel and antiparallel states.

Prints RA_P, RA_AP, Delta RA and the GMR ratio, and writes the fields of both states for
ParaView plus a JSON summary. Materials: Co and Cu from :mod:`spinfem.library`
(Bass & Pratt 2007 4.2 K values); the leads end in ideal spin-equilibrated reservoirs
(the ``bottom`` and ``top`` contacts).
"""

from __future__ import annotations

import itertools
import logging
from pathlib import Path
from typing import Any

from mpi4py import MPI

from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry import Layer, pillar
from spinfem.interfaces import SpinConductance
from spinfem.io import run_directory, write_fields, write_json
from spinfem.problem import TwoCurrentProblem

__all__ = ["DEMO_LAYERS", "run_demo"]

log = logging.getLogger("spinfem")
NM = 1e-9

#: (region, material, thickness [m]) bottom to top.
DEMO_LAYERS: tuple[tuple[str, Any, float], ...] = (
    ("lead_bottom", library.Cu, 20 * NM),
    ("Co_fixed", library.Co, 10 * NM),
    ("spacer", library.Cu, 10 * NM),
    ("Co_free", library.Co, 5 * NM),
    ("lead_top", library.Cu, 20 * NM),
)

#: Co/Cu interface AR_b* [Ohm m^2] and gamma (Bass & Pratt, J. Phys.: Condens. Matter 19,
#: 183201 (2007), 4.2 K CPP-GMR values), used by ``spinfem demo --interfaces``.
CO_CU_INTERFACE = (0.51e-15, 0.77)


def run_demo(
    out: str | Path = "spinfem-demo",
    radius: float = 50 * NM,
    bias: float = 1e-3,
    overwrite: bool = True,
    interfaces: bool = False,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> dict[str, Any]:
    """Solve the demo pillar in P and AP; write ``out``; return the summary dict.

    Args:
        out: run directory (replaced atomically if it exists and ``overwrite``).
        radius: pillar radius [m].
        bias: voltage between ``top`` and ``bottom`` [V].
        interfaces: give every Co/Cu interface the Valet-Fert interface resistance
            ``CO_CU_INTERFACE`` (otherwise all interfaces are transparent).
    """
    materials = {name: mat for name, mat, _ in DEMO_LAYERS}
    layers = [Layer(name, t) for name, _, t in DEMO_LAYERS]
    device = pillar(layers, radius=radius, materials=materials, comm=comm)
    contacts = [Contact("top", voltage=bias), Contact("bottom", voltage=0.0)]
    states = {"parallel": {}, "antiparallel": {"Co_free": -1}}
    laws = {}
    if interfaces:
        law = SpinConductance.from_ARb(*CO_CU_INTERFACE)
        laws = {f"{a}|{b}": law for (a, _, _), (b, _, _) in itertools.pairwise(DEMO_LAYERS)}
    with run_directory(out, comm, overwrite=overwrite) as tmp:
        results = {}
        for state, magnetization in states.items():
            sol = TwoCurrentProblem(
                device, materials, contacts, magnetization, interfaces=laws
            ).solve()
            (tmp / state).mkdir(exist_ok=True) if comm.rank == 0 else None
            comm.Barrier()
            write_fields(sol, tmp / state)
            results[state] = sol
        ra_p = results["parallel"].resistance_area()
        ra_ap = results["antiparallel"].resistance_area()
        summary = {
            "device": "Co/Cu/Co CPP nanopillar"
            + (" with Co/Cu interface resistances" if interfaces else ""),
            "interfaces": (
                {"AR_b_ohm_m2": CO_CU_INTERFACE[0], "gamma": CO_CU_INTERFACE[1]}
                if interfaces
                else "transparent"
            ),
            "radius_m": radius,
            "layers": [
                {"region": n, "material": m.name, "thickness_m": t} for n, m, t in DEMO_LAYERS
            ],
            "mpi_ranks": comm.size,
            "RA_P_ohm_m2": ra_p,
            "RA_AP_ohm_m2": ra_ap,
            "delta_RA_ohm_m2": ra_ap - ra_p,
            "GMR": (ra_ap - ra_p) / ra_p,
            "states": {k: v.summary() for k, v in results.items()},
        }
        write_json(tmp / "summary.json", summary, comm)
    summary["output"] = str(Path(out).absolute())
    return summary


def format_demo(summary: dict[str, Any]) -> str:
    """Human-readable report of :func:`run_demo`."""
    lines = [
        f"spinfem demo: {summary['device']}, diameter {2 * summary['radius_m'] / NM:.0f} nm, "
        f"{summary['mpi_ranks']} MPI rank(s), "
        f"{summary['states']['parallel']['unknowns']} unknowns",
        "  region        material  thickness",
    ]
    for layer in summary["layers"]:
        lines.append(
            f"  {layer['region']:<13} {layer['material']:<9} {layer['thickness_m'] / NM:5.1f} nm"
        )
    f = 1e-15  # 1 fOhm m^2 = 1 mOhm um^2
    lines += [
        f"  RA_P     = {summary['RA_P_ohm_m2']:.6e} Ohm m^2  ({summary['RA_P_ohm_m2'] / f:.5f} "
        "mOhm um^2)",
        f"  RA_AP    = {summary['RA_AP_ohm_m2']:.6e} Ohm m^2  ({summary['RA_AP_ohm_m2'] / f:.5f} "
        "mOhm um^2)",
        f"  Delta RA = {summary['delta_RA_ohm_m2']:.6e} Ohm m^2",
        f"  GMR = (RA_AP - RA_P)/RA_P = {100 * summary['GMR']:.4f} %",
        f"  fields for ParaView: {summary['output']}/{{parallel,antiparallel}}/"
        "{potentials,currents}.bp",
        f"  summary: {summary['output']}/summary.json",
    ]
    return "\n".join(lines)
