"""A user-written gmsh script: a Co/Cu/Co CPP pillar (40 nm x 40 nm) from stacked boxes.

Shows what spinfem needs from your own geometry: conformal interfaces (OCC
``fragment``), every volume in a named physical group (regions), and named surfaces
for contacts. Coordinates are in nm; load the result with
``spinfem.mesh.from_msh(path, length_unit=1e-9)``.

Usage: python3 meshes/cpp_pillar_boxes.py [OUT.msh]
"""

import sys

import gmsh

LAYERS = [("lead1", 20.0), ("F1", 10.0), ("N", 10.0), ("F2", 5.0), ("lead2", 20.0)]  # nm
SIDE = 40.0  # nm

gmsh.initialize()
gmsh.option.setNumber("General.Terminal", 0)
gmsh.model.add("cpp_pillar_boxes")
occ = gmsh.model.occ
z, boxes = 0.0, []
for _, t in LAYERS:
    boxes.append((3, occ.addBox(-SIDE / 2, -SIDE / 2, z, SIDE, SIDE, t)))
    z += t
# fragment makes the shared faces conformal (one surface between touching boxes)
_, mapping = occ.fragment(boxes[:1], boxes[1:])
occ.synchronize()
for (name, _), pieces in zip(LAYERS, mapping, strict=True):
    gmsh.model.addPhysicalGroup(3, [tag for _, tag in pieces], name=name)
eps = 1e-6
bottom = gmsh.model.getEntitiesInBoundingBox(-SIDE, -SIDE, -eps, SIDE, SIDE, eps, 2)
top = gmsh.model.getEntitiesInBoundingBox(-SIDE, -SIDE, z - eps, SIDE, SIDE, z + eps, 2)
gmsh.model.addPhysicalGroup(2, [t for _, t in bottom], name="bottom")
gmsh.model.addPhysicalGroup(2, [t for _, t in top], name="top")
# element size ~ 2.5 nm across the thin layers
gmsh.option.setNumber("Mesh.MeshSizeMax", 2.5)
gmsh.model.mesh.generate(3)
gmsh.write(sys.argv[1] if len(sys.argv) > 1 else "cpp_pillar_boxes.msh")
gmsh.finalize()
