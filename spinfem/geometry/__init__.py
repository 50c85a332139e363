"""Parametric gmsh builders for spintronic devices; every region and surface is named."""

from spinfem.geometry.devices import magnet_slab, mtj
from spinfem.geometry.lateral import LateralValve, lateral_valve
from spinfem.geometry.stack import Layer, layer_elements, pillar
from spinfem.geometry.strip import bilayer, film, hall_bar, hall_cross

__all__ = [
    "LateralValve",
    "Layer",
    "bilayer",
    "film",
    "hall_bar",
    "hall_cross",
    "lateral_valve",
    "layer_elements",
    "magnet_slab",
    "mtj",
    "pillar",
]
