"""Held-out evaluation: metrics over scored rollouts, bootstrap CIs and paired tests over tasks."""
