"""Training: synthesized datasets, losses and the training loop (generators). Imports torch
(all but :mod:`pair_size` and :mod:`finetune_advice`, which the fine-tune wizard uses on the GUI thread)."""
