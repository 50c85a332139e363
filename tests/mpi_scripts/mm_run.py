"""Run an M-m case from a JSON file: mm_run.py CASE.json OUT [--restart DIR] [--sleep S].

Exit code: 0, or the SpinfemError exit code (5 = interrupted by SIGTERM/SIGINT)."""

from __future__ import annotations

import argparse
import json
import sys
import time

from spinfem.errors import SpinfemError
from spinfem.mm.case import run_case

ap = argparse.ArgumentParser()
ap.add_argument("case")
ap.add_argument("out")
ap.add_argument("--restart")
ap.add_argument("--sleep", type=float, default=0.0)
args = ap.parse_args()
with open(args.case) as fh:
    cfg = json.load(fh)
hook = (lambda run: time.sleep(args.sleep)) if args.sleep else None
try:
    run_case(cfg, args.out, args.restart, on_step=hook)
except SpinfemError as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(exc.exit_code)
