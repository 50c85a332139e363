"""Lateral nonlocal spin valves: a normal-metal channel with two ferromagnetic wires
(injector, detector) on top of it, built with gmsh and named for spinfem.

Coordinates are in nm (``length_unit = 1e-9``); every parameter is in metres. The
channel runs along x; the injector's centre is at x = 0, the detector's at x = L.

* 3D: the channel is a box (width ``channel_width`` along y, thickness
  ``channel_thickness``, top face at z = 0). Each wire is a box of width
  ``wire_width`` along x and thickness ``wire_thickness`` lying on the channel
  (0 < z < wire_thickness) and running along y across it, from ``wire_overhang`` beyond
  the channel's -y edge to ``wire_arm`` beyond its +y edge, where the wire's contact is.
* 2D (quasi-1D): the x-z cross-section through the wires' axes, drawn in the x-y plane
  (y is the height). Each wire is a column of width ``wire_width`` standing on the
  channel, ``wire_thickness`` high (the distance from the F/N contact to the wire's
  contact); the mesh carries the out-of-plane depth ``channel_width`` so cross-sections
  are A_N = channel_thickness x channel_width and A_J = wire_width x channel_width, as
  in the one-dimensional model of Takahashi and Maekawa, PRB 67, 052409 (2003).

Physical groups (names users refer to):

- regions ``channel``, ``injector``, ``detector``;
- contacts ``injector_end``, ``detector_end`` (far ends of the wires),
  ``channel_left`` (x = -arm) and ``channel_right`` (x = L + arm);
- interfaces ``injector|channel`` and ``detector|channel`` (the F/N contact areas). A
  tunnel barrier there is an interface law (e.g.
  :class:`~spinfem.interfaces.TunnelBarrier`), never a meshed layer;
- ``surface``: every other outer face (insulating).

Element sizes follow the spin-diffusion lengths of the given materials (``per_lsf``
elements per l_sf), with at least ``min_elements`` across the channel and wire
thicknesses and widths, finer around the wires than along the far channel arms.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from mpi4py import MPI

from spinfem.errors import MeshError
from spinfem.geometry.gmsh_session import gmsh_session
from spinfem.materials import Material
from spinfem.mesh import DeviceMesh, from_gmsh_model
from spinfem.parallel import did_you_mean, root_call

__all__ = ["REGIONS", "LateralValve", "lateral_valve"]

NM = 1e-9
REGIONS = ("channel", "injector", "detector")
CONTACTS = ("injector_end", "detector_end", "channel_left", "channel_right")


def _nm(value: float) -> str:
    return f"{value!r} m ({value / NM:g} nm)"


@dataclass(frozen=True)
class LateralValve:
    """Dimensions of a lateral nonlocal spin valve [m] (see the module docstring).

    Attributes:
        L: centre-to-centre injector-detector distance [m].
        channel_width: channel width w_N [m] (3D: along y; 2D: the out-of-plane depth).
        channel_thickness: channel thickness d_N [m].
        wire_width: wire width w_F along the channel [m].
        wire_thickness: 3D: wire thickness d_F [m]; 2D: height of the wire column [m].
        arm: channel length beyond each wire centre (to the channel contacts) [m].
        detector_width: width of the detector wire [m] (default: ``wire_width``).
        wire_arm: 3D: wire length beyond the channel's +y edge, to its contact [m]
            (default: 2 ``wire_width``).
        wire_overhang: 3D: wire length beyond the channel's -y edge [m] (default 0).
    """

    L: float
    channel_width: float
    channel_thickness: float
    wire_width: float
    wire_thickness: float
    arm: float
    detector_width: float | None = None
    wire_arm: float | None = None
    wire_overhang: float = 0.0

    def __post_init__(self) -> None:
        for key in (
            "L",
            "channel_width",
            "channel_thickness",
            "wire_width",
            "wire_thickness",
            "arm",
            "detector_width",
            "wire_arm",
            "wire_overhang",
        ):
            val = getattr(self, key)
            if val is None:
                continue
            ok = isinstance(val, (int, float)) and not isinstance(val, bool) and math.isfinite(val)
            allow_zero = key == "wire_overhang"
            if not ok or val < 0 or (val == 0 and not allow_zero):
                cond = ">= 0" if allow_zero else "> 0"
                raise MeshError(f"lateral valve: '{key}' [m] must be {cond}, got {val!r}")
            if val > 1e-3:
                raise MeshError(
                    f"lateral valve: '{key}' [m] is {val!r}, i.e. over 1 mm: lengths are in "
                    "metres (use 100e-9 for 100 nm)"
                )
        half = (self.wire_width + self.det_width) / 2
        distance = self.L
        if distance <= half:
            raise MeshError(
                f"lateral valve: 'L' [m] = {_nm(self.L)} must exceed the half widths of the two "
                f"wires, (wire_width + detector_width)/2 = {_nm(half)}: the wires would overlap"
            )
        need = max(self.wire_width, self.det_width) / 2
        if self.arm <= need:
            raise MeshError(
                f"lateral valve: 'arm' [m] = {_nm(self.arm)} must exceed half the wire width "
                f"{_nm(need)}: the channel must extend beyond each wire"
            )

    @property
    def det_width(self) -> float:
        """Width of the detector wire [m]."""
        return self.detector_width if self.detector_width is not None else self.wire_width

    @property
    def contact_area_m2(self) -> float:
        """Injector/channel contact area A_J = wire_width x channel_width [m^2]."""
        return self.wire_width * self.channel_width

    @property
    def channel_area_m2(self) -> float:
        """Channel cross-section A_N = channel_thickness x channel_width [m^2]."""
        return self.channel_thickness * self.channel_width


def _sizes(
    v: LateralValve,
    materials: Mapping[str, Material],
    per_lsf: float,
    min_elements: int,
    max_size: float | None,
    dim: int,
) -> dict[str, float]:
    """Element sizes [m]: far channel, channel next to the wires, inside each wire."""
    cap = max_size if max_size is not None else math.inf
    across = v.channel_thickness / min_elements
    if dim == 3:
        across = min(across, v.channel_width / min_elements)
    lsf = {r: materials[r].l_sf / per_lsf for r in REGIONS if r in materials}
    far = min(lsf.get("channel", math.inf), across, cap)
    out = {"far": far}
    for wire, width in (("injector", v.wire_width), ("detector", v.det_width)):
        h = min(width / min_elements, v.wire_thickness / min_elements, lsf.get(wire, math.inf))
        out[wire] = min(h, cap)
        out[f"{wire}_near"] = min(far, max(out[wire], min(width, v.channel_thickness) / 4))
    return out


def lateral_valve(
    valve: LateralValve,
    *,
    dim: int = 2,
    materials: Mapping[str, Material] | None = None,
    per_lsf: float = 8.0,
    min_elements: int = 3,
    max_size: float | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> DeviceMesh:
    """Mesh a lateral nonlocal spin valve (see the module docstring for the names).

    Args:
        valve: the dimensions [m].
        dim: 2 (quasi-1D cross-section, depth ``channel_width``) or 3.
        materials: region name ('channel', 'injector', 'detector') -> Material, used
            only to size elements by l_sf.
        per_lsf: elements per spin-diffusion length.
        min_elements: minimum elements across each thickness and width.
        max_size: maximum element size anywhere [m].
    """
    if not isinstance(valve, LateralValve):
        raise MeshError(f"'valve' must be a LateralValve, got {valve!r}")
    if dim not in (2, 3):
        raise MeshError(f"'dim' must be 2 or 3, got {dim!r}")
    materials = dict(materials or {})
    for name in materials:
        if name not in REGIONS:
            raise MeshError(
                f"lateral valve: unknown region '{name}' in 'materials'"
                f"{did_you_mean(name, REGIONS)}; regions: {list(REGIONS)}"
            )
    if not (isinstance(per_lsf, (int, float)) and per_lsf > 0):
        raise MeshError(f"'per_lsf' must be > 0, got {per_lsf!r}")
    if not (isinstance(min_elements, int) and min_elements >= 1):
        raise MeshError(f"'min_elements' must be a positive integer, got {min_elements!r}")
    if max_size is not None and not (isinstance(max_size, (int, float)) and max_size > 0):
        raise MeshError(f"'max_size' [m] must be > 0, got {max_size!r}")
    sizes = _sizes(valve, materials, per_lsf, min_elements, max_size, dim)
    build = _build_3d if dim == 3 else _build_2d
    with gmsh_session(comm):
        root_call(comm, lambda: build(valve, {k: s / NM for k, s in sizes.items()}), MeshError)
        depth = valve.channel_width if dim == 2 else 1.0
        return from_gmsh_model(length_unit=NM, comm=comm, depth=depth)


def _size_fields(boxes: list[tuple[float, list[float]]], far: float) -> None:
    """Background size: ``far`` everywhere, smaller values inside boxes [nm]."""
    import gmsh

    fld = gmsh.model.mesh.field
    ids = []
    for size, (x0, x1, y0, y1, z0, z1) in boxes:
        f = fld.add("Box")
        fld.setNumber(f, "VIn", size)
        fld.setNumber(f, "VOut", far)
        for key, val in zip(
            ("XMin", "XMax", "YMin", "YMax", "ZMin", "ZMax"), (x0, x1, y0, y1, z0, z1), strict=True
        ):
            fld.setNumber(f, key, val)
        fld.setNumber(f, "Thickness", 4 * far)
        ids.append(f)
    m = fld.add("Min")
    fld.setNumbers(m, "FieldsList", ids)
    fld.setAsBackgroundMesh(m)
    for opt in (
        "Mesh.MeshSizeExtendFromBoundary",
        "Mesh.MeshSizeFromPoints",
        "Mesh.MeshSizeFromCurvature",
    ):
        gmsh.option.setNumber(opt, 0)
    gmsh.option.setNumber("Mesh.MeshSizeMax", far)


def _name_groups(dim: int, vols: dict[str, int], contacts: dict[str, list[int]]) -> None:
    """Regions, contacts, F/N interfaces and the remaining outer surface."""
    import gmsh

    model = gmsh.model
    fdim = dim - 1
    for name, tag in vols.items():
        model.addPhysicalGroup(dim, [tag], name=name)
    bnd = {
        n: {abs(t) for _, t in model.getBoundary([(dim, tag)], oriented=False)}
        for n, tag in vols.items()
    }
    used: set[int] = set()
    for wire in ("injector", "detector"):
        shared = sorted(bnd[wire] & bnd["channel"])
        if not shared:
            raise MeshError(f"lateral valve: the {wire} does not touch the channel")
        model.addPhysicalGroup(fdim, shared, name=f"{wire}|channel")
        used.update(shared)
    for name, tags in contacts.items():
        if not tags:
            raise MeshError(f"lateral valve: contact '{name}' not found in the geometry")
        model.addPhysicalGroup(fdim, tags, name=name)
        used.update(tags)
    outer = set().union(*bnd.values()) - used
    outer -= {t for t in outer if sum(t in b for b in bnd.values()) > 1}
    model.addPhysicalGroup(fdim, sorted(outer), name="surface")


def _fragment(dim: int, tags: dict[str, int]) -> dict[str, int]:
    import gmsh

    occ = gmsh.model.occ
    names = list(tags)
    _, out_map = occ.fragment([(dim, tags[names[0]])], [(dim, tags[n]) for n in names[1:]])
    occ.synchronize()
    result = {}
    for name, pieces in zip(names, out_map, strict=True):
        if len(pieces) != 1:
            raise MeshError(f"lateral valve: region '{name}' was cut into {len(pieces)} pieces")
        result[name] = pieces[0][1]
    return result


def _faces_at(dim: int, box: tuple[float, ...]) -> list[int]:
    import gmsh

    return [t for _, t in gmsh.model.getEntitiesInBoundingBox(*box, dim - 1)]


def _build_2d(v: LateralValve, s: dict[str, float]) -> None:
    import gmsh

    occ = gmsh.model.occ
    gmsh.model.add("lateral_valve_2d")
    L, arm, dn = v.L / NM, v.arm / NM, v.channel_thickness / NM
    wi, wd, h = v.wire_width / NM, v.det_width / NM, v.wire_thickness / NM
    tags = {
        "channel": occ.addRectangle(-arm, -dn, 0, L + 2 * arm, dn),
        "injector": occ.addRectangle(-wi / 2, 0, 0, wi, h),
        "detector": occ.addRectangle(L - wd / 2, 0, 0, wd, h),
    }
    vols = _fragment(2, tags)
    e = 1e-6 * max(L, arm)
    contacts = {
        "injector_end": _faces_at(2, (-wi / 2 - e, h - e, -e, wi / 2 + e, h + e, e)),
        "detector_end": _faces_at(2, (L - wd / 2 - e, h - e, -e, L + wd / 2 + e, h + e, e)),
        "channel_left": _faces_at(2, (-arm - e, -dn - e, -e, -arm + e, e, e)),
        "channel_right": _faces_at(2, (L + arm - e, -dn - e, -e, L + arm + e, e, e)),
    }
    _name_groups(2, vols, contacts)
    pad = 3 * dn
    boxes = [
        (s["injector"], [-wi / 2, wi / 2, 0, h, -1, 1]),
        (s["detector"], [L - wd / 2, L + wd / 2, 0, h, -1, 1]),
        (s["injector_near"], [-wi / 2 - pad, wi / 2 + pad, -dn, 0, -1, 1]),
        (s["detector_near"], [L - wd / 2 - pad, L + wd / 2 + pad, -dn, 0, -1, 1]),
    ]
    _size_fields(boxes, s["far"])
    gmsh.model.mesh.generate(2)


def _build_3d(v: LateralValve, s: dict[str, float]) -> None:
    import gmsh

    occ = gmsh.model.occ
    gmsh.model.add("lateral_valve_3d")
    L, arm, dn, wn = v.L / NM, v.arm / NM, v.channel_thickness / NM, v.channel_width / NM
    wi, wd, df = v.wire_width / NM, v.det_width / NM, v.wire_thickness / NM
    reach = (v.wire_arm if v.wire_arm is not None else 2 * v.wire_width) / NM
    over = v.wire_overhang / NM
    y0, y1 = -wn / 2 - over, wn / 2 + reach
    tags = {
        "channel": occ.addBox(-arm, -wn / 2, -dn, L + 2 * arm, wn, dn),
        "injector": occ.addBox(-wi / 2, y0, 0, wi, y1 - y0, df),
        "detector": occ.addBox(L - wd / 2, y0, 0, wd, y1 - y0, df),
    }
    vols = _fragment(3, tags)
    e = 1e-6 * max(L, arm, y1)
    contacts = {
        "injector_end": _faces_at(3, (-wi / 2 - e, y1 - e, -e, wi / 2 + e, y1 + e, df + e)),
        "detector_end": _faces_at(3, (L - wd / 2 - e, y1 - e, -e, L + wd / 2 + e, y1 + e, df + e)),
        "channel_left": _faces_at(3, (-arm - e, -wn / 2 - e, -dn - e, -arm + e, wn / 2 + e, e)),
        "channel_right": _faces_at(
            3, (L + arm - e, -wn / 2 - e, -dn - e, L + arm + e, wn / 2 + e, e)
        ),
    }
    _name_groups(3, vols, contacts)
    pad = 3 * dn
    boxes = [
        (s["injector"], [-wi / 2, wi / 2, y0, y1, 0, df]),
        (s["detector"], [L - wd / 2, L + wd / 2, y0, y1, 0, df]),
        (s["injector_near"], [-wi / 2 - pad, wi / 2 + pad, -wn / 2, wn / 2, -dn, 0]),
        (s["detector_near"], [L - wd / 2 - pad, L + wd / 2 + pad, -wn / 2, wn / 2, -dn, 0]),
    ]
    _size_fields(boxes, s["far"])
    gmsh.model.mesh.generate(3)
