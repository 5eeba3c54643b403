"""On-prem routing: plan (pure), render (per-system text), apply (kernel through a backend seam), plan files."""
