"""Seminar (tabletop) exercises: human teams play some actors, the model plays and adjudicates."""
