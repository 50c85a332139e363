"""Longitudinal M-m magnet dynamics (Saslow, Sun and Xu 2021; MODEL.md section 4).

Python API::

    from spinfem.mm import (MagnetParams, MMProblem, InjectedFlux, FixedDeltam, ZeroFlux,
                            Sinusoid, Pulse, Constant, Transient, solve_frequency, box_mesh)
    p = MagnetParams.make(chi_M=1e-3, xi=0.3, r=1e9, D_m=1e-3)      # SI units
    dmesh = box_mesh((5000.0,), (400,), length_unit=1e-9)             # or any DeviceMesh
    prob = MMProblem(dmesh, {"magnet": p}, {"xmin": InjectedFlux(Sinusoid(1.0, 1e9))})
    res = solve_frequency(prob, 1e9); res.k(), res.decay_length(), res.wavelength()
    run = Transient(prob, dM0=lambda x: ..., dm0=0.0, t_end=1e-8, rtol=1e-6, atol=1e-6)
    out = run.run("outdir", checkpoint_every=20)   # VTX fields.bp, scalars.csv, checkpoints
    run = Transient.resume("outdir", lambda dmesh: MMProblem(dmesh, ...), t_end=1e-8, ...)

Case files: ``[model] kind = "mm"`` (:mod:`spinfem.case.mm`, docs/cases.md), run with
``spinfem run case.toml`` / ``--restart latest``. SIGTERM/SIGINT/SIGUSR1 raise
:class:`Interrupted` (exit code 5) after a checkpoint is written.
"""

from spinfem.mm.frequency import FrequencyResult, solve_frequency
from spinfem.mm.observables import (
    fit_k,
    fit_two_rates,
    k_of_omega,
    mode_amplitude,
    mode_matrix,
    rates,
)
from spinfem.mm.params import MagnetParams
from spinfem.mm.problem import MMProblem, box_mesh
from spinfem.mm.sources import Constant, FixedDeltam, InjectedFlux, Pulse, Sinusoid, ZeroFlux
from spinfem.mm.transient import Interrupted, Transient, TransientResult

__all__ = [
    "Constant",
    "FixedDeltam",
    "FrequencyResult",
    "InjectedFlux",
    "Interrupted",
    "MMProblem",
    "MagnetParams",
    "Pulse",
    "Sinusoid",
    "Transient",
    "TransientResult",
    "ZeroFlux",
    "box_mesh",
    "fit_k",
    "fit_two_rates",
    "k_of_omega",
    "mode_amplitude",
    "mode_matrix",
    "rates",
    "solve_frequency",
]
