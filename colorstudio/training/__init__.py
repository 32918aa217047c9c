"""Training: synthesized datasets, losses and the training loop (generators). Imports torch."""
