"""agentpref: turn a small open model into a disciplined repo-fixing agent with SFT and DPO."""

__version__ = "0.1.0"
