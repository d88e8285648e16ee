"""Demo data: synthetic returns and population tables (samples.py) and the demo census built from them (build.py)."""
