"""``spinfem plot RUN``: PNG figures of a run directory (matplotlib, no display needed).

Reads only the run's CSV/JSON files (never the solver), so it works on a laptop with
matplotlib and without dolfinx, and writes into ``RUN/plots/``:

- ``profile_<line>.png``: V [mV] and mu_s [ueV] along each probe segment, one curve per state;
- ``sweep.png`` (runs with a ``[sweep]``): RA and MR against the swept value, per state;
- ``states.png`` (runs without a sweep, two-terminal): RA per state;
- ``contacts.png``: the IV / contacts table (voltage, current, spin current per contact);
- ``sweep_field_T.png`` / ``sweep_angle_deg.png`` (vector model, ``sweep.csv``): every
  observable against B [T] (Hanle: R_NL vs B) or the rotation angle [degree];
  ``sweep_key.png`` for a vector run with a generic key/values ``[sweep]``.


- M-m runs: ``mm_transient.png`` (``mm_transient_<point>.png`` in a sweep): total M + m
  [A m^2], free energy [J] and max |dm| [A/m] against t [ns], from ``fields/scalars.csv``;
  ``mm_frequency.png``: Re k and Im k [1/um] against omega [rad/s] from ``frequency.csv``.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from spinfem.errors import InputError

__all__ = ["plot_run", "read_csv"]


def read_csv(path: Path) -> list[dict[str, Any]]:
    """Rows of a run's CSV file with numbers as floats."""
    rows = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            out: dict[str, Any] = {}
            for k, v in row.items():
                try:
                    out[k] = float(v)
                except (TypeError, ValueError):
                    out[k] = v
            rows.append(out)
    return rows


def _sweep_number(value: Any) -> tuple[float, str]:
    """A swept value as a number (SI) and its unit label."""
    if isinstance(value, (int, float)):
        return float(value), ""
    from spinfem.case.units import unit_registry

    try:
        q = unit_registry().Quantity(str(value)).to_base_units()
        return float(q.magnitude), f"{q.units:~}"
    except Exception:
        return float("nan"), ""


def plot_run(run: str | Path, out: str | Path | None = None) -> list[Path]:
    """Write the PNGs of a run directory; return their paths (call on one rank)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run = Path(run)
    if not (run / "manifest.json").is_file():
        raise InputError(f"'{run}' is not a spinfem run directory (no manifest.json)")
    manifest = json.loads((run / "manifest.json").read_text())
    if manifest.get("status") != "ok":
        raise InputError(f"run '{run}' did not finish: status {manifest.get('status')!r}")
    target = Path(out) if out is not None else run / "plots"
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(fig: Any, name: str) -> None:
        fig.tight_layout()
        path = target / name
        fig.savefig(path, dpi=120)
        plt.close(fig)
        written.append(path)

    if (run / "profiles.csv").is_file():
        by_line: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        for row in read_csv(run / "profiles.csv"):
            label = row["state"]
            if "sweep_index" in row:
                label = f"{label} #{int(row['sweep_index'])}"
            by_line[row["line"]][label].append(row)
        for line, curves in by_line.items():
            fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(6.4, 5.6))
            for label, rows in curves.items():
                s = [r["s_m"] * 1e9 for r in rows]
                ax1.plot(s, [r["V_volt"] * 1e3 for r in rows], label=label)
                if "mu_s_eV" in rows[0]:
                    ax2.plot(s, [r["mu_s_eV"] * 1e6 for r in rows], label=label)
                else:  # vector model: the three components
                    for c in "xyz":
                        ax2.plot(s, [r[f"mu_s_{c}_eV"] * 1e6 for r in rows], label=f"{label} {c}")
            ax1.set_ylabel("V [mV]")
            ax2.set_ylabel("mu_s [ueV]")
            ax2.set_xlabel(f"position along '{line}' [nm]")
            ax1.legend(fontsize="small")
            ax1.set_title(f"profiles along '{line}'")
            save(fig, f"profile_{line.replace('/', '_')}.png")

    results = read_csv(run / "results.csv") if (run / "results.csv").is_file() else []
    has_ra = any(
        "resistance_area_ohm_m2" in r and r["resistance_area_ohm_m2"] != "" for r in results
    )
    if results and "sweep_index" in results[0] and has_ra:
        data = json.loads((run / "results.json").read_text())
        key = data["points"][0]["key"]
        xs = {p["index"]: _sweep_number(p["value"]) for p in data["points"]}
        unit = next(iter(xs.values()))[1]
        if unit == "m":  # lengths in nm
            xs = {k: (v * 1e9, "nm") for k, (v, _) in xs.items()}
            unit = "nm"
        fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(6.4, 5.6))
        states: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in results:
            states[r["state"]].append(r)
        for state, rows in states.items():
            x = [xs[int(r["sweep_index"])][0] for r in rows]
            ax1.plot(x, [r["resistance_area_ohm_m2"] * 1e15 for r in rows], "o-", label=state)
            ax2.plot(x, [100 * r["MR"] for r in rows], "o-", label=state)
        ax1.set_ylabel("RA [fOhm m^2]")
        ax2.set_ylabel("MR [%]")
        ax2.set_xlabel(f"{key} [{unit}]" if unit else key)
        ax1.legend(fontsize="small")
        ax1.set_title(f"sweep of {key}")
        save(fig, "sweep.png")
    elif results and "sweep_index" in results[0]:  # vector model: generic key/values sweep
        data = json.loads((run / "results.json").read_text())
        key = data["points"][0]["key"]
        xs = {p["index"]: _sweep_number(p["value"]) for p in data["points"]}
        unit = next(iter(xs.values()))[1]
        label = f"{key} [{unit}]" if unit else key
        table = [
            {label: xs[int(r["sweep_index"])][0], **{k: v for k, v in r.items() if _numeric(k, v)}}
            for r in results
        ]
        written.append(_vector_sweep(table, target, plt, "key"))
    elif results and has_ra:
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        names = [r["state"] for r in results]
        ax.bar(names, [r["resistance_area_ohm_m2"] * 1e15 for r in results])
        ax.set_ylabel("RA [fOhm m^2]")
        ax.set_title("resistance-area per state")
        save(fig, "states.png")

    if (run / "sweep.csv").is_file():
        written.append(_vector_sweep(read_csv(run / "sweep.csv"), target, plt))

    if (run / "contacts.csv").is_file():
        rows = read_csv(run / "contacts.csv")
        cols = ["state", "contact", "voltage_V", "current_A", "spin_current_A"]
        if rows and "sweep_index" in rows[0]:
            cols.insert(0, "sweep_index")
        cells = [[r[c] if isinstance(r[c], str) else f"{r[c]:.5g}" for c in cols] for r in rows]
        fig, ax = plt.subplots(figsize=(8, 0.6 + 0.3 * len(cells)))
        ax.axis("off")
        table = ax.table(cellText=cells, colLabels=cols, loc="center")
        table.auto_set_font_size(False)
        table.set_fontsize(8)
        ax.set_title("contacts: voltage [V], current into the device [A], spin current [A]")
        save(fig, "contacts.png")
    _plot_mm(run, plt, save)
    return written


_SCALE = {"_ohm": (1e3, "mOhm"), "_Nm": (1.0, "N m")}


def _numeric(key: str, value: Any) -> bool:
    return isinstance(value, float) and key not in ("sweep_index",)


def _vector_sweep(rows: list[dict[str, Any]], target: Path, plt: Any, stem: str = "") -> Path:
    """One panel per observable of a vector-model sweep (sweep.csv rows), against the
    first column (field_T, angle_deg, or the swept key path in SI units)."""
    parameter = next(iter(rows[0]))
    names = [k for k in rows[0] if k != parameter]
    fig, axes = plt.subplots(len(names), 1, sharex=True, figsize=(6.4, 1.2 + 2.0 * len(names)))
    axes = [axes] if len(names) == 1 else list(axes)
    x = [r[parameter] for r in rows]
    for ax, name in zip(axes, names, strict=True):
        factor, unit = next(((f, u) for s, (f, u) in _SCALE.items() if name.endswith(s)), (1, ""))
        ax.plot(x, [r[name] * factor for r in rows], "o-")
        label = name.rsplit("_", 1)[0] if unit else name
        ax.set_ylabel(f"{label} [{unit}]" if unit else label)
    xlabel = {"field_T": "B [T]", "angle_deg": "angle [degree]"}.get(parameter, parameter)
    axes[-1].set_xlabel(xlabel)
    axes[0].set_title(f"sweep of {xlabel}")
    fig.tight_layout()
    out = target / f"sweep_{stem or parameter}.png"
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def _plot_mm(run: Path, plt: Any, save: Any) -> None:
    """The M-m figures (time series and k(omega)) of a run, if it has them."""
    series = sorted((run / "fields").rglob("scalars.csv")) if (run / "fields").is_dir() else []
    for path in series:
        rows = read_csv(path)
        if not rows:
            continue
        t = [r["t_s"] * 1e9 for r in rows]
        fig, axes = plt.subplots(3, 1, sharex=True, figsize=(6.4, 6.4))
        for ax, key, label in (
            (axes[0], "total_M_plus_m_Am2", "total M + m [A m^2]"),
            (axes[1], "free_energy_J", "free energy [J]"),
            (axes[2], "max_abs_dm_A_per_m", "max |dm| [A/m]"),
        ):
            ax.plot(t, [r[key] for r in rows], "-")
            ax.set_ylabel(label)
        axes[2].set_xlabel("t [ns]")
        point = path.parent.relative_to(run / "fields").as_posix()
        axes[0].set_title("M-m transient" + (f" (point {point})" if point != "." else ""))
        save(fig, "mm_transient.png" if point == "." else f"mm_transient_{point}.png")
    freq = read_csv(run / "frequency.csv") if (run / "frequency.csv").is_file() else []
    freq = [r for r in freq if isinstance(r.get("k_re_per_m"), float)]
    if freq:
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in freq:
            groups[f"#{int(r['sweep_index'])}" if "sweep_index" in r else ""].append(r)
        for label, rows in groups.items():
            w = [r["omega_rad_per_s"] for r in rows]
            ax.plot(w, [r["k_re_per_m"] * 1e-6 for r in rows], "o-", label=f"Re k {label}")
            ax.plot(w, [r["k_im_per_m"] * 1e-6 for r in rows], "s--", label=f"Im k {label}")
        ax.set_xscale("log")
        ax.set_xlabel("omega [rad/s]")
        ax.set_ylabel("k [1/um]")
        ax.legend(fontsize="small")
        ax.set_title("M-m response: complex wavenumber")
        save(fig, "mm_frequency.png")
