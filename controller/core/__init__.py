"""Types shared by every layer. This package imports nothing else from ecsync."""
