"""Junheng's library: from road networks to plans, and the batch CLI (``python -m geo``).

Subpackages, each importing only those listed before it:

``core``        settings, paths, disk cache and memo, metric CRS and bbox
``network``     OSM extracts, the planner's roads, road graphs, snapping
``routing``     travel times (OD engine), point OD and routes, access KPIs
``region``      a region folder, its OD matrices, catchments and isochrones
``planning``    rules, scenarios, allocation (min-cost flow), outcomes
``indicators``  优质均衡 standards and evaluation, a scenario's effects
``build``       building a region from OSM and files, synthetic attributes
``export``      files, print maps and the scenario report
``cli``         ``python -m geo``: the only place argparse lives

Rooms for later capabilities: ``projection``, ``transport``, ``locate``,
``communities``, ``batch`` (their order is kept by ``tests/test_architecture.py``).
"""
