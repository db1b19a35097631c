"""Building a region folder from OpenStreetMap data and the planner's own files.

* :mod:`geo.build.progress` — the progress lines of a build (one logger, ``geo.build``);
* :mod:`geo.build.features` — OSM features as district, village and school layers;
* :mod:`geo.build.synthetic` — the seeded synthetic counts (children, levels, enrolment, seats, teachers, resources);
* :mod:`geo.build.region` — :func:`~geo.build.region.build_region` and
  :func:`~geo.build.region.derive_region`: the region folder itself.
"""
