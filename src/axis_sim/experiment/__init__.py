"""Monte Carlo experiments: plan → run → summarize."""
