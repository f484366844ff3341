"""Scenario files: schema, loading with `extends:`, distributions and clear errors."""
