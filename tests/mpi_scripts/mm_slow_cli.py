"""``spinfem`` (spinfem.cli.main) with every M-m time step slowed down by SPINFEM_TEST_STEP_SLEEP
seconds, so a test can signal the run in the middle: mm_slow_cli.py run CASE --out RUN ..."""

from __future__ import annotations

import os
import sys
import time

from spinfem.cli import main
from spinfem.mm.transient import Transient

_step = Transient.step
_pause = float(os.environ.get("SPINFEM_TEST_STEP_SLEEP", "0.02"))


def slow_step(self: Transient, h: float):  # type: ignore[no-untyped-def]
    time.sleep(_pause)
    return _step(self, h)


Transient.step = slow_step  # type: ignore[method-assign]
sys.exit(main(sys.argv[1:]))
