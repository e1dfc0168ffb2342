"""Behaviour checks of rollout records and the weighted scorer (see docs/scoring.md)."""
