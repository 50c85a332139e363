"""Observables of the demo devices (spinfem.demo.run_demo, transparent and with Co/Cu
interface resistances) and of one pillar solved with every input ordering permuted
(materials, contacts, interface laws, magnetization), as JSON by rank 0.

Usage: python3 fault_determinism.py OUT.json SCRATCH_DIR   (serially or under mpirun)
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

from mpi4py import MPI

from spinfem.contacts import Contact
from spinfem.demo import CO_CU_INTERFACE, DEMO_LAYERS, run_demo
from spinfem.geometry import Layer, pillar
from spinfem.interfaces import SpinConductance, SpinMemoryLoss
from spinfem.problem import TwoCurrentProblem

NM = 1e-9
comm = MPI.COMM_WORLD
out_path, scratch = Path(sys.argv[1]), Path(sys.argv[2])
out: dict = {"ranks": comm.size}

for interfaces in (False, True):
    s = run_demo(
        out=scratch / f"demo-{interfaces}-np{comm.size}", radius=25 * NM, interfaces=interfaces
    )
    res = {k: s[k] for k in ("RA_P_ohm_m2", "RA_AP_ohm_m2", "GMR")}
    for state, summ in s["states"].items():
        res[state] = {
            name: [c["voltage_V"], c["current_A"], c["spin_current_A"]]
            for name, c in summ["contacts"].items()
        }
        for name, itf in summ.get("interfaces", {}).items():
            res[state][name] = [
                itf["current_A"],
                itf["spin_current_from_left_A"],
                itf["spin_current_into_right_A"],
                itf["jump_mu_s_eV"],
            ]
    out[f"demo_interfaces_{interfaces}"] = res

# one device, every input ordering permuted
materials = {name: mat for name, mat, _ in DEMO_LAYERS}
device = pillar([Layer(n, t) for n, _, t in DEMO_LAYERS], radius=20 * NM, materials=materials)
names = [n for n, _, _ in DEMO_LAYERS]
laws = {
    f"{a}|{b}": SpinConductance.from_ARb(*CO_CU_INTERFACE) for a, b in itertools.pairwise(names)
}
laws["spacer|Co_free"] = SpinMemoryLoss(delta=0.3, AR_I=0.4e-15, gamma=0.2)
contacts = [Contact("top", current=2e-6), Contact("bottom", voltage=0.0)]
magnetization = {"Co_free": -1, "Co_fixed": 1}


def observe(mats, conts, itfs, mag):
    sol = TwoCurrentProblem(device, mats, conts, mag, interfaces=itfs).solve()
    res = {c.name: [c.voltage_V, c.current_A, c.spin_current_A] for c in sol.contacts}
    for name, itf in sol.interfaces.items():
        res[name] = [itf["current_A"], itf["spin_current_from_left_A"], itf["jump_mu_s_eV"]]
    return res


def rev(d):
    return dict(reversed(list(d.items())))


out["order"] = {
    "given": observe(materials, contacts, laws, magnetization),
    "reversed": observe(rev(materials), contacts[::-1], rev(laws), rev(magnetization)),
    "shuffled": observe(
        {n: materials[n] for n in (names[2], names[0], names[4], names[1], names[3])},
        contacts,
        {k: laws[k] for k in sorted(laws)},
        magnetization,
    ),
}
if comm.rank == 0:
    out_path.write_text(json.dumps(out, indent=1))
