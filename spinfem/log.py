"""Logging: INFO and below from rank 0 only; warnings and errors from every rank."""

from __future__ import annotations

import logging
import sys

from mpi4py import MPI

__all__ = ["setup_logging"]


class _RankFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return MPI.COMM_WORLD.rank == 0 or record.levelno >= logging.WARNING


def setup_logging(level: str | int = "INFO") -> logging.Logger:
    """Configure the 'spinfem' logger (idempotent)."""
    logger = logging.getLogger("spinfem")
    if isinstance(level, str):
        level = level.upper()
    logger.setLevel(level)
    if not any(getattr(h, "_spinfem", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler._spinfem = True  # type: ignore[attr-defined]
        rank = MPI.COMM_WORLD.rank
        prefix = f"[spinfem r{rank}] " if MPI.COMM_WORLD.size > 1 else "[spinfem] "
        handler.setFormatter(logging.Formatter(prefix + "%(levelname)s %(message)s"))
        handler.addFilter(_RankFilter())
        logger.addHandler(handler)
        logger.propagate = False
    return logger
