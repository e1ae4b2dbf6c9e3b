"""Turn desired and live state into an ordered list of typed actions (pure)."""
