"""Training: synthesized datasets, losses and the training loop (generators). Imports torch
(all but :mod:`pair_size`, which the fine-tune wizard's pair checks use)."""
