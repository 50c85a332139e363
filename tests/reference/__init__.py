"""Independent reference solutions (pure numpy) that the spinfem test suite compares against."""
