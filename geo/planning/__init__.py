"""Planning: consolidation scenarios, the optimal assignment of children to schools, outcomes and result layers."""
