"""A bare viewflow flow (Start, one human task, End) for bench/side_by_side.py: no plangov
code. Installed only by the benchmark's settings (bench.bareflow.settings)."""
