"""Quantities with units in case files: ``"2.5 nm"``, ``"4e6 S/m"``, ``"1.2e-15 Ohm m^2"``.

Every dimensional value of a case file is a string with a unit, parsed with pint and
converted to SI. A bare number is refused for a dimensional quantity (a mesh in nm and a
value in m differ by 1e9, silently); dimensionless values (P, gamma, delta) may be bare
numbers. A wrong dimension names the key path and the expected unit.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from spinfem.errors import InputError

__all__ = ["UNITS", "parse_quantity", "unit_registry"]

#: Expected SI unit (pint syntax) -> (what it is, an example for messages).
UNITS: dict[str, tuple[str, str]] = {
    "m": ("a length", "10 nm"),
    "m^2": ("an area", "100 nm^2"),
    "S/m": ("a conductivity", "4e6 S/m"),
    "ohm*m": ("a resistivity", "60 nOhm m"),
    "ohm*m^2": ("a resistance-area", "1.2e-15 Ohm m^2"),
    "S/m^2": ("an interface conductance per area", "1e15 S/m^2"),
    "V": ("a voltage", "1 mV"),
    "A": ("a current", "1 mA"),
    "s": ("a time", "1 ps"),
    "T": ("a magnetic field", "0.1 T"),
    "A/m": ("a magnetization", "1.4e6 A/m"),
    "J/m": ("an exchange stiffness", "1.3e-11 J/m"),
    "1/m^2": ("a mixing conductance per area g (G = (e^2/h) g)", "5e18 1/m^2"),
    "1/s": ("a rate", "1e9 1/s"),
    "1/m": ("a wavenumber", "1e6 1/m"),
    "m^2/s": ("a diffusion constant", "1e-3 m^2/s"),
    "A/s": ("an injected spin-accumulation flux", "1e3 A/s"),
    "rad/s": ("an angular frequency", "1e9 rad/s"),
    "rad": ("an angle", "0.5 rad"),
    "1": ("a dimensionless number", "0.5"),
}


@functools.cache
def unit_registry() -> Any:
    """The pint registry, with ``Ohm`` (and its prefixed forms) accepted for ``ohm``."""
    import pint

    ureg = pint.UnitRegistry()
    ureg.define("Ohm = ohm")
    ureg.define("Ω = ohm")
    return ureg


def _fmt(unit: str) -> str:
    return unit.replace("ohm", "Ohm").replace("*", " ")


def parse_quantity(value: Any, unit: str, path: str) -> float:
    """``value`` (a string with a unit, or a number if ``unit`` is '1') in SI ``unit``.

    Raises InputError naming ``path`` (the dotted key path, if given) and the expected unit.
    """
    what, example = UNITS.get(unit, ("a quantity", f"1 {_fmt(unit)}"))
    expect = f"expected {what} [{_fmt(unit)}], e.g. '{example}'"
    path = f"{path}: " if path else ""
    if isinstance(value, bool):
        raise InputError(f"{path}{expect}, got {value!r}")
    if isinstance(value, (int, float)):
        if unit != "1":
            raise InputError(
                f"{path}the number {value!r} has no unit; {expect} (write the unit in a "
                "string: every dimensional value of a case file carries its unit)"
            )
        number = float(value)
    elif isinstance(value, str):
        import pint

        ureg = unit_registry()
        try:
            q = ureg.Quantity(value.strip())
        except (pint.errors.PintError, ValueError, TypeError, SyntaxError, AttributeError) as exc:
            raise InputError(
                f"{path}cannot read {value!r} as a quantity ({exc}); {expect}"
            ) from None
        if not isinstance(q, ureg.Quantity):  # a plain number in a string
            q = ureg.Quantity(float(q), "")
        if unit != "1" and q.dimensionless and q.units == ureg.dimensionless:
            raise InputError(f"{path}{value!r} has no unit; {expect}")
        try:
            number = float(q.to(ureg(unit).units if unit != "1" else "").magnitude)
        except pint.errors.DimensionalityError:
            raise InputError(
                f"{path}{value!r} has the wrong dimension {q.dimensionality}; {expect}"
            ) from None
    else:
        raise InputError(f"{path}{expect}, got {value!r}")
    if not math.isfinite(number):
        raise InputError(f"{path}{value!r} is not finite; {expect}")
    return number
