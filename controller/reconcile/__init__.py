"""One reconcile pass: load desired state, read live state, plan, and apply."""
