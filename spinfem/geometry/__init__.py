"""Parametric gmsh builders for spintronic devices; every region and surface is named."""

from spinfem.geometry.stack import Layer, layer_elements, pillar

__all__ = ["Layer", "layer_elements", "pillar"]
