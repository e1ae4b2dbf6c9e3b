"""The long-running controller: sources, queue, reconcile loop, health and HTTP."""
