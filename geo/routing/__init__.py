"""Routing: shortest-path travel times on road networks, point-to-point OD matrices and access to school."""
