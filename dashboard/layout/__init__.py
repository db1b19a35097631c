"""Layout builders: pure functions from (language, values) to Dash components, one module per tab."""
