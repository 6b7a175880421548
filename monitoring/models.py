"""Monitoring keeps no tables of its own yet: it reads every app and writes none (DESIGN §1)."""
