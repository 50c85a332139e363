"""The coarse Co | Cu bar of tests/refine_devices.py refined once on this many ranks:
JSON with the excess resistance-area, the global cell count and the worst cell shape."""

import json
import sys
from pathlib import Path

from mpi4py import MPI

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import refine_devices as rd

from spinfem.refine import refine

fine = refine(rd.coarse_bar(), 1)
excess = rd.excess_ra(fine)
quality = MPI.COMM_WORLD.allreduce(float(rd.radius_ratio(fine).min()), op=MPI.MIN)
if MPI.COMM_WORLD.rank == 0:
    out = {"excess_RA": excess, "cells": fine.num_cells_global(), "quality_min": quality}
    Path(sys.argv[1]).write_text(json.dumps(out))
