"""Training data from scored rollouts: SFT sets, trajectory pairs, step-level decision-point pairs."""
