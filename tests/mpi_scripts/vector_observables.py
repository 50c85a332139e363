"""Observables of vector-model devices as JSON, for serial vs mpirun comparisons.

Usage: python3 vector_observables.py OUT.json DEVICE   (DEVICE: collinear, smr, torque)
"""

import json
import sys

import numpy as np
import vector_devices
from mpi4py import MPI

comm = MPI.COMM_WORLD
device = sys.argv[2]
out = {"ranks": comm.size, **vector_devices.OBSERVABLES[device](comm)}
if comm.rank == 0:
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, default=lambda a: np.asarray(a).tolist())
