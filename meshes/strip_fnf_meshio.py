"""How meshes/strip_fnf.msh was made "elsewhere": without gmsh, from a structured
triangulation in numpy, written by meshio as Gmsh 2.2 ASCII with integer tags and a
$PhysicalNames table. It stands for a mesh exported by another mesher; spinfem reads it
through meshio (``[mesh] kind = "file"``, ``reader = "meshio"``), see cases/strip_file.toml.

A 2D F/N/F strip along x (coordinates in nm): Py (0-100) | Cu (100-200) | Py (200-300),
20 nm high; regions Py_left, Cu, Py_right; boundary lines left, right (contacts),
Py_left|Cu and Cu|Py_right (interfaces).

Usage: python3 meshes/strip_fnf_meshio.py [OUT.msh]
"""

import sys

import meshio
import numpy as np

NX, NY, LX, LY = 60, 4, 300.0, 20.0  # cells along x / y, size [nm]
x = np.linspace(0.0, LX, NX + 1)
y = np.linspace(0.0, LY, NY + 1)
X, Y = np.meshgrid(x, y, indexing="ij")
points = np.column_stack([X.ravel(), Y.ravel()])


def node(i: int, j: int) -> int:
    return i * (NY + 1) + j


tris, tags = [], []
for i in range(NX):
    xc = 0.5 * (x[i] + x[i + 1])
    tag = 1 if xc < 100 else (2 if xc < 200 else 3)
    for j in range(NY):
        a, b, c, d = node(i, j), node(i + 1, j), node(i + 1, j + 1), node(i, j + 1)
        tris += [[a, b, c], [a, c, d]]
        tags += [tag, tag]
lines = [[node(0, j), node(0, j + 1)] for j in range(NY)]
ltags = [11] * NY
lines += [[node(NX, j), node(NX, j + 1)] for j in range(NY)]
ltags += [12] * NY
for tag, xi in ((13, 100.0), (14, 200.0)):
    i = round(xi / LX * NX)
    lines += [[node(i, j), node(i, j + 1)] for j in range(NY)]
    ltags += [tag] * NY
mesh = meshio.Mesh(
    points,
    [("triangle", np.array(tris)), ("line", np.array(lines))],
    cell_data={
        "gmsh:physical": [np.array(tags), np.array(ltags)],
        "gmsh:geometrical": [np.array(tags), np.array(ltags)],
    },
    field_data={
        "Py_left": np.array([1, 2]),
        "Cu": np.array([2, 2]),
        "Py_right": np.array([3, 2]),
        "left": np.array([11, 1]),
        "right": np.array([12, 1]),
        "Py_left|Cu": np.array([13, 1]),
        "Cu|Py_right": np.array([14, 1]),
    },
)
meshio.write(
    sys.argv[1] if len(sys.argv) > 1 else "strip_fnf.msh", mesh, file_format="gmsh22", binary=False
)
