"""Electrical contacts: ideal spin-equilibrated reservoirs on named boundary surfaces.

A contact is an equipotential surface where the spin accumulation vanishes
(mu_s = 0: a large normal-metal reservoir); either its voltage [V] or the total
current [A] it injects into the device is prescribed. Every other surface is
insulating (j_c.n = 0, j_s.n = 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from spinfem.errors import ContactError

__all__ = ["Contact"]


@dataclass(frozen=True)
class Contact:
    """A contact on the surface (physical group) ``name``.

    Attributes:
        name: name of the boundary physical group.
        voltage: prescribed potential V [V], or None.
        current: prescribed total current flowing INTO the device through it [A], or None.
    """

    name: str
    voltage: float | None = None
    current: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ContactError(f"contact name must be a non-empty string, got {self.name!r}")
        if (self.voltage is None) == (self.current is None):
            raise ContactError(
                f"contact '{self.name}': give exactly one of 'voltage' [V] or 'current' [A]"
            )
        for key, unit in (("voltage", "V"), ("current", "A")):
            value = getattr(self, key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ContactError(
                    f"contact '{self.name}': '{key}' [{unit}] must be a number, got {value!r}"
                )
            if not math.isfinite(value):
                raise ContactError(f"contact '{self.name}': '{key}' [{unit}] must be finite")

    @property
    def is_voltage(self) -> bool:
        return self.voltage is not None
