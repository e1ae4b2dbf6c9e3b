"""Sources of desired state: a watched folder or a polled Git repository.

A source only tells the controller that something changed (`on_change`); the
controller then reads `snapshot()` and loads manifests from its root. Sources
never reconcile anything themselves.
"""
