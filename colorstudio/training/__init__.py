"""Training: synthesized datasets, losses and the training loop (generators). Imports torch,
all but the modules the fine-tune wizard uses on the GUI thread (:mod:`pair_size`,
:mod:`pair_preparation`, :mod:`user_camera`, :mod:`run_identity`, :mod:`finetune_advice`; the
first two are held to it by tests/test_architecture.py) and a few helpers that need none."""
