"""Integrations with API frameworks; each module needs its framework installed (an optional extra)."""
