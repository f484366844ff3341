"""Reports: the self-contained plotly dashboard and terminal tables."""
