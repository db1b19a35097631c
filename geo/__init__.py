"""Road networks, snapping, travel times, allocation, optimisation, indicators."""
