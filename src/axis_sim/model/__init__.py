"""The ensemble Mesa model: six actors whose state is one numpy entry per simulated world."""
