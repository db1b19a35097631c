"""Road networks: OSM extracts and filters, the planner's own roads, compact graphs, snapping points to roads."""
