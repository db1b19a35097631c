"""The Dash dashboard: ids, string catalogue, layout and figure builders, callbacks."""
