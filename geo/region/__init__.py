"""Regions: a folder of layers and road sources, its cached OD matrices, isochrones and catchments."""
