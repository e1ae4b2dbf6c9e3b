"""The `ecsync` command line."""
