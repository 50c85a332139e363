"""Films, bilayer strips and Hall bars for spin-Hall / spin-orbit-torque devices.

Conventions (as :mod:`spinfem.geometry.stack`): coordinates in nm (``length_unit`` =
1e-9), every volume and surface a named physical group, conformal interfaces by OCC
``fragment``. Current flows along x. In 3D the film normal is z (the film spans
0 <= z <= thickness); a 2D model is the x-y cross-section with the film normal along y
(0 <= y <= thickness) and out-of-plane ``depth`` [m] along z.

Physical groups:
- :func:`film`: region ``region`` (default ``"HM"``); surfaces ``left``/``right`` (x
  ends, the natural contacts), ``bottom``/``top`` (film faces: ``bottom`` is where a
  magnetic insulator goes), in 3D also ``south``/``north`` (y = -w/2, +w/2).
- :func:`bilayer`: regions ``lower``/``upper`` names (default ``"HM"``, ``"FM"``), the
  interface ``"HM|FM"``, ``left``/``right`` contacts on the x ends of BOTH layers,
  ``bottom``, ``top`` and (3D) ``south``/``north``.
- :func:`hall_bar`: region ``region``; a bar along x with contacts ``left``/``right`` and
  two side arms with contacts ``south``/``north`` (y = -/+); ``sides`` the other edges;
  in 3D ``bottom``/``top`` film faces. :func:`hall_cross` is the symmetric cross.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mpi4py import MPI

from spinfem.errors import MeshError
from spinfem.geometry.gmsh_session import gmsh_session
from spinfem.mesh import DeviceMesh, from_gmsh_model
from spinfem.parallel import root_call

__all__ = ["bilayer", "film", "hall_bar", "hall_cross"]

NM = 1e-9


def _lengths(**kw: float | None) -> None:
    for key, val in kw.items():
        if val is None:
            continue
        if isinstance(val, bool) or not isinstance(val, (int, float)) or not val > 0:
            raise MeshError(f"'{key}' [m] must be > 0, got {val!r}")
        if val > 1e-3:
            raise MeshError(f"'{key}' [m] is {val!r}, i.e. over 1 mm: lengths are in metres")


def _faces(dim: int, box: Sequence[float], eps: float = 1e-6) -> list[int]:
    """Tags of (dim-1)-entities inside a bounding box (nm)."""
    import gmsh

    x0, y0, z0, x1, y1, z1 = box
    ents = gmsh.model.getEntitiesInBoundingBox(
        x0 - eps, y0 - eps, z0 - eps, x1 + eps, y1 + eps, z1 + eps, dim - 1
    )
    return [t for _, t in ents]


def _mesh(
    build: Callable[[], None], dim: int, h: float, comm: MPI.Comm, depth: float
) -> DeviceMesh:
    """Run ``build`` (geometry and names) on rank 0, mesh with element size ``h`` [nm],
    and import the device (``depth`` [m]: out-of-plane extent of a 2D model)."""

    def build_and_mesh() -> None:
        import gmsh

        build()
        gmsh.option.setNumber("Mesh.MeshSizeMax", h)
        gmsh.option.setNumber("Mesh.MeshSizeMin", h / 2)
        gmsh.model.mesh.generate(dim)

    with gmsh_session(comm):
        root_call(comm, build_and_mesh, MeshError)
        return from_gmsh_model(length_unit=NM, comm=comm, depth=depth)


def _layers(
    name: str,
    length: float,
    thicknesses: Sequence[float],
    regions: Sequence[str],
    width: float | None,
    dim: int,
    size: float,
    comm: MPI.Comm,
    depth: float | None,
    elements: tuple[int, int] | None = None,
) -> DeviceMesh:
    if dim not in (2, 3):
        raise MeshError(f"'dim' must be 2 or 3, got {dim!r}")
    if dim == 3 and width is None:
        raise MeshError("a 3D strip needs 'width' [m] (extent along y)")
    _lengths(length=length, width=width, size=size, depth=depth)
    for r, t in zip(regions, thicknesses, strict=True):
        _lengths(**{f"thickness of '{r}'": t})
    L, h = length / NM, size / NM
    tz = [t / NM for t in thicknesses]
    W = width / NM if width is not None else 0.0
    out_of_plane = (depth if depth is not None else (width or 1e-6)) if dim == 2 else 1.0

    def build() -> None:
        import gmsh

        occ = gmsh.model.occ
        gmsh.model.add(name)
        tags, z = [], 0.0
        for t in tz:
            if dim == 3:
                tags.append(occ.addBox(-L / 2, -W / 2, z, L, W, t))
            else:
                tags.append(occ.addRectangle(-L / 2, z, 0, L, t))
            z += t
        occ.fragment([(dim, tags[0])], [(dim, t) for t in tags[1:]])
        occ.synchronize()
        top = z
        z = 0.0
        vols = []
        for t in tz:
            if dim == 3:
                box = (-L / 2, -W / 2, z, L / 2, W / 2, z + t)
            else:
                box = (-L / 2, z, 0, L / 2, z + t, 0)
            e = 1e-6
            ents = gmsh.model.getEntitiesInBoundingBox(
                box[0] - e, box[1] - e, box[2] - e, box[3] + e, box[4] + e, box[5] + e, dim
            )
            vols.append([tg for _, tg in ents])
            z += t
        for r, v in zip(regions, vols, strict=True):
            gmsh.model.addPhysicalGroup(dim, v, name=r)
        if dim == 3:
            groups = {
                "left": (-L / 2, -W / 2, 0, -L / 2, W / 2, top),
                "right": (L / 2, -W / 2, 0, L / 2, W / 2, top),
                "bottom": (-L / 2, -W / 2, 0, L / 2, W / 2, 0),
                "top": (-L / 2, -W / 2, top, L / 2, W / 2, top),
                "south": (-L / 2, -W / 2, 0, L / 2, -W / 2, top),
                "north": (-L / 2, W / 2, 0, L / 2, W / 2, top),
            }
        else:
            groups = {
                "left": (-L / 2, 0, 0, -L / 2, top, 0),
                "right": (L / 2, 0, 0, L / 2, top, 0),
                "bottom": (-L / 2, 0, 0, L / 2, 0, 0),
                "top": (-L / 2, top, 0, L / 2, top, 0),
            }
        for g, box in groups.items():
            gmsh.model.addPhysicalGroup(dim - 1, _faces(dim, box), name=g)
        z = 0.0
        for below, above, t in zip(regions[:-1], regions[1:], tz[:-1], strict=True):
            z += t
            box = (-L / 2, -W / 2, z, L / 2, W / 2, z) if dim == 3 else (-L / 2, z, 0, L / 2, z, 0)
            gmsh.model.addPhysicalGroup(dim - 1, _faces(dim, box), name=f"{below}|{above}")
        if elements is not None:  # structured 2D film: nx along x, ny across
            mesh = gmsh.model.mesh
            for _, c in gmsh.model.getEntities(1):
                x0, y0, _, x1, y1, _ = gmsh.model.getBoundingBox(1, c)
                along_x = abs(x1 - x0) > abs(y1 - y0)
                mesh.setTransfiniteCurve(c, elements[0 if along_x else 1] + 1)
            for _, f in gmsh.model.getEntities(2):
                mesh.setTransfiniteSurface(f)

    return _mesh(build, dim, h, comm, out_of_plane)


def film(
    length: float,
    thickness: float,
    *,
    width: float | None = None,
    dim: int = 2,
    size: float | None = None,
    region: str = "HM",
    depth: float | None = None,
    elements: tuple[int, int] | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> DeviceMesh:
    """A metal film (heavy metal on a magnetic insulator, current along x).

    Args:
        length: extent along x [m]; thickness: along the film normal [m];
        width: extent along y [m] (3D); dim: 2 or 3; size: element size [m] (default
        thickness/4); region: region name; depth: out-of-plane depth of a 2D model [m];
        elements: (nx, ny) for a structured 2D mesh (nx along x, ny across).
    """
    if elements is not None and (
        dim != 2 or len(elements) != 2 or not all(isinstance(n, int) and n > 0 for n in elements)
    ):
        raise MeshError(f"'elements' must be two positive integers (2D only), got {elements!r}")
    size = size if size is not None else thickness / 4
    return _layers("film", length, [thickness], [region], width, dim, size, comm, depth, elements)


def bilayer(
    length: float,
    t_lower: float,
    t_upper: float,
    *,
    names: tuple[str, str] = ("HM", "FM"),
    width: float | None = None,
    dim: int = 2,
    size: float | None = None,
    depth: float | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> DeviceMesh:
    """A bilayer strip (heavy metal below, ferromagnet above; SOT devices), interface
    ``"<lower>|<upper>"``. Thicknesses in m."""
    if names[0] == names[1] or any("|" in n or not n for n in names):
        raise MeshError(f"bilayer 'names' must be two different names without '|', got {names}")
    size = size if size is not None else min(t_lower, t_upper) / 4
    return _layers(
        "bilayer", length, [t_lower, t_upper], list(names), width, dim, size, comm, depth
    )


def hall_bar(
    length: float,
    width: float,
    arm_width: float,
    arm_length: float,
    *,
    thickness: float | None = None,
    dim: int = 2,
    size: float | None = None,
    region: str = "HM",
    depth: float | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> DeviceMesh:
    """A Hall bar in the x-y plane: a bar (``length`` x ``width``) along x with contacts
    ``left``/``right`` and two arms (``arm_width`` wide, reaching ``arm_length`` beyond
    the bar) at x = 0 ending in contacts ``south``/``north``; 3D: ``thickness`` along z
    with faces ``bottom``/``top``. 2D: ``depth`` [m] (default ``thickness`` or 1 nm) is
    the out-of-plane film thickness. Lengths in m."""
    if dim not in (2, 3):
        raise MeshError(f"'dim' must be 2 or 3, got {dim!r}")
    if dim == 3 and thickness is None:
        raise MeshError("a 3D Hall bar needs 'thickness' [m]")
    _lengths(
        length=length,
        width=width,
        arm_width=arm_width,
        arm_length=arm_length,
        thickness=thickness,
        size=size,
        depth=depth,
    )
    if arm_width >= length:
        raise MeshError("'arm_width' [m] must be smaller than 'length' [m]")
    L, W, aw, al = length / NM, width / NM, arm_width / NM, arm_length / NM
    T = thickness / NM if thickness is not None else 0.0
    h = (size if size is not None else min(width, arm_width) / 6) / NM
    out_of_plane = (depth or thickness or 1e-9) if dim == 2 else 1.0

    def build() -> None:
        import gmsh

        occ = gmsh.model.occ
        gmsh.model.add("hall_bar")
        if dim == 3:
            bar = occ.addBox(-L / 2, -W / 2, 0, L, W, T)
            arm = occ.addBox(-aw / 2, -W / 2 - al, 0, aw, W + 2 * al, T)
        else:
            bar = occ.addRectangle(-L / 2, -W / 2, 0, L, W)
            arm = occ.addRectangle(-aw / 2, -W / 2 - al, 0, aw, W + 2 * al)
        out, _ = occ.fuse([(dim, bar)], [(dim, arm)])
        occ.synchronize()
        gmsh.model.addPhysicalGroup(dim, [t for _, t in out], name=region)
        ys, yn = -W / 2 - al, W / 2 + al
        groups = {
            "left": (-L / 2, -W / 2, 0, -L / 2, W / 2, T),
            "right": (L / 2, -W / 2, 0, L / 2, W / 2, T),
            "south": (-aw / 2, ys, 0, aw / 2, ys, T),
            "north": (-aw / 2, yn, 0, aw / 2, yn, T),
        }
        named = set()
        for g, box in groups.items():
            tags = _faces(dim, box)
            named.update(tags)
            gmsh.model.addPhysicalGroup(dim - 1, tags, name=g)
        if dim == 3:
            for g, z in (("bottom", 0.0), ("top", T)):
                tags = _faces(dim, (-L / 2, ys, z, L / 2, yn, z))
                named.update(tags)
                gmsh.model.addPhysicalGroup(dim - 1, tags, name=g)
        rest = [t for _, t in gmsh.model.getEntities(dim - 1) if t not in named]
        gmsh.model.addPhysicalGroup(dim - 1, rest, name="sides")

    return _mesh(build, dim, h, comm, out_of_plane)


def hall_cross(
    arm_width: float,
    arm_length: float,
    *,
    thickness: float | None = None,
    dim: int = 2,
    size: float | None = None,
    region: str = "HM",
    depth: float | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> DeviceMesh:
    """A symmetric Hall cross: four arms ``arm_width`` wide reaching ``arm_length`` beyond
    the central square, contacts ``left``/``right``/``south``/``north`` (see
    :func:`hall_bar`)."""
    _lengths(arm_width=arm_width, arm_length=arm_length)
    return hall_bar(
        arm_width + 2 * arm_length,
        arm_width,
        arm_width,
        arm_length,
        thickness=thickness,
        dim=dim,
        size=size,
        region=region,
        depth=depth,
        comm=comm,
    )
