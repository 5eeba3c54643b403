"""Pure domain types and rules (SPEC.md §0–3): no I/O, nothing but the standard library."""
