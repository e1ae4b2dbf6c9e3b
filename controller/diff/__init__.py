"""Normalise desired and live specs into one canonical form, then compare them."""
