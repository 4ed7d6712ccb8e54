"""Regime alerts: evaluated after each session's close by the digest's scheduler and leader."""
