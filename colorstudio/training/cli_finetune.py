"""`colorstudio finetune`: fine-tune a pair model (CCDC by default, or the Cycle CNN) on a
folder of one's own pairs.

Imported by the CLI when it builds its parser, so torch is imported only when the command runs.
Progress goes to stderr; Ctrl-C keeps a checkpoint in the run folder (once training has begun)
and exits cleanly.
"""
from __future__ import annotations

from pathlib import Path

from colorstudio import paths
from colorstudio.engine.device import DEVICES
from colorstudio.cli_common import say
from colorstudio.training.finetune_advice import VERSUS_DEFAULT, length_advice
from colorstudio.training.run_lock import RunFolderLock


def add_parser(sub) -> None:
    p = sub.add_parser("finetune", help="fine-tune a pair model on your own camera's pairs (no ground truth)")
    p.add_argument("pairs_dir", type=paths.user_path, help="a folder of mono+colour pairs (see README: pairs in a folder)")
    p.add_argument("-o", "--output", required=True, type=paths.user_path, help="the model file to write (.safetensors)")
    p.add_argument("--method", choices=METHODS, default="ccdc",
                   help="the network to fine-tune: ccdc (the default pair method; learns from pairs made of "
                        "your colour shots as your camera takes them, so unrectified pairs and smaller colour "
                        "shots will do) or cyclecnn (its cycle objective; rectified pairs only)")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, help="training time budget (default 15)")
    budget.add_argument("--steps", type=int, help="number of training steps")
    p.add_argument("--device", choices=DEVICES, default="auto",
                   help="where to train (default auto: a GPU if there is one, else the CPU)")
    p.add_argument("--resume", metavar="RUN_DIR", type=paths.user_path, help="continue a run from its checkpoint folder")
    p.add_argument("--base", metavar="MODEL", type=paths.user_path, help="start from this model (default: the shipped one)")
    p.add_argument("--crop", help="training crop HxW (default 160x160 for ccdc, 128x256 for cyclecnn)")
    p.add_argument("--lr", type=float, default=None,
                   help="learning rate (default: ccdc Adam 5e-4, cyclecnn RMSProp 1e-4)")
    p.add_argument("--cycle-pool", type=int, default=None, metavar="K",
                   help="cyclecnn: compare the round trip on KxK block means (default 4; 1 = per pixel, "
                        "which rewards reproducing the colour shot's noise)")
    p.add_argument("--lr-mono-side", choices=["L", "R"], default="L",
                   help="for <stem>_L/<stem>_R pairs: which side is the mono camera (default L)")
    p.add_argument("--force", action="store_true", help="replace an existing model file at -o")
    p.set_defaults(func=run)


METHODS = ("ccdc", "cyclecnn")
MAX_LR = 0.1        # 200x the defaults; above it a step throws the weights out of any use
DEFAULT_CROP = {"ccdc": "160x160", "cyclecnn": "128x256"}


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()            # only an empty one
    except OSError:
        pass


MAX_MINUTES = 7 * 24 * 60      # a budget past a week is a typo (inf and nan were internal errors)
MAX_STEPS = 10_000_000


def parse_crop(text: str) -> tuple[int, int]:
    """'128x256' -> (128, 256); anything else is a one-line error."""
    from colorstudio.errors import ColorStudioError

    try:
        h, w = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ColorStudioError(f"--crop {text}: give the crop as HxW, e.g. 128x256") from None
    if h < 32 or w < 32:
        raise ColorStudioError(f"--crop {text}: the crop must be at least 32x32")
    return h, w


def run(args) -> int:
    from colorstudio.cli_progress import run_saying
    from colorstudio.core.pairs import discover_steps
    from colorstudio.errors import ColorStudioError, OutputError
    from colorstudio.training import finetune as cyclecnn_finetune
    from colorstudio.engine.device import torch_device
    from colorstudio.training import finetune_ccdc

    from colorstudio.core.output_checks import check_writable_folder
    from colorstudio.stop_signals import Stopped
    from colorstudio.training import run_identity
    from colorstudio.training.checkpoints import has_checkpoint

    out = Path(args.output)
    if out.suffix != ".safetensors":
        raise OutputError(f"{out.name}: a model file must end in .safetensors")
    if out.is_dir():
        raise OutputError(f"{out} is a folder; give the model file's name")
    if args.base and Path(args.base).exists() and Path(args.base).resolve() == out.resolve():
        raise OutputError(f"{out} is the base model; write the fine-tuned one under another name")
    if out.resolve().parent == paths.models_dir().resolve():    # the base when none is given, and the others
        raise OutputError(f"{out}: {out.parent} holds the shipped models; write yours elsewhere (the app lists "
                          f"those in {paths.user_models_dir()})")
    card = out.with_suffix(".json")
    for path in (out, card):     # told now, not after the training (a resumed run too)
        if path.exists() and not args.force:
            raise OutputError(f"{path} exists{' (the model card goes there)' if path == card else ''}; "
                              "choose another name, or --force to replace it")
    if args.resume and not has_checkpoint(args.resume):
        raise ColorStudioError(f"--resume {args.resume}: no checkpoint there to continue (a typo? "
                               f"without --resume a new run starts)")
    if args.minutes is not None and not 0 < args.minutes <= MAX_MINUTES:      # nan and inf too
        raise ColorStudioError(f"--minutes {args.minutes:g}: give a time above 0 and at most {MAX_MINUTES} "
                               "(a week)")
    if args.steps is not None and not 0 < args.steps <= MAX_STEPS:
        raise ColorStudioError(f"--steps {args.steps}: give a step count above 0 and at most {MAX_STEPS:,}")
    check_writable_folder(out.parent if str(out.parent) else Path("."))   # told before minutes of training
    found = run_saying(discover_steps([args.pairs_dir], lr_mono_side=args.lr_mono_side), say)
    pairs = [(i.gray, i.reference) for i in found.pairs]
    for path, reason in found.unmatched:
        say(f"skipped {path.name}: {reason}")
    if not pairs:
        raise ColorStudioError(f"{args.pairs_dir}: no pairs found (a gray photo and its colour shot, "
                               "named x_mono + x_color or x_L + x_R, or in mono/ + color/ folders)")
    if len(pairs) == 1:            # as the wizard: trained on, and scored on itself
        say("one pair: none can be held apart, so the fine-tuned model is scored on the pair it trained on")
    run_dir = Path(args.resume) if args.resume else out.with_name(out.stem + ".run")
    if run_dir.exists() and not run_dir.is_dir():
        raise OutputError(f"{run_dir} is a file: the run's checkpoints go in a folder of that name; move it, "
                          "or choose another -o")
    h, w = parse_crop(args.crop or DEFAULT_CROP[args.method])
    minutes = args.minutes if (args.minutes is not None or args.steps is not None) else 15.0
    if args.lr is not None and not 0 < args.lr <= MAX_LR:
        raise ColorStudioError(f"--lr {args.lr:g}: give a learning rate above 0 and at most {MAX_LR:g} (the default "
                               f"is {run_identity.DEFAULT_LR[args.method]:g})")
    common = dict(base_model_path=args.base, out=out, run_dir=run_dir, minutes=minutes, max_steps=args.steps,
                  device=args.device, crop=(h, w), resume=bool(args.resume))
    if args.method == "ccdc":
        if args.cycle_pool is not None:
            raise ColorStudioError("--cycle-pool is for --method cyclecnn (ccdc has no cycle objective)")
        gen = finetune_ccdc.finetune(pairs, lr=args.lr or finetune_ccdc.DEFAULT_LR, **common)
    else:
        cycle_pool = cyclecnn_finetune.DEFAULT_CYCLE_POOL if args.cycle_pool is None else args.cycle_pool
        if cycle_pool < 1:
            raise ColorStudioError(f"--cycle-pool {cycle_pool}: give a block size of 1 or more")
        cyclecnn_finetune.check_crop((h, w), cycle_pool)        # said before the pairs are prepared
        gen = cyclecnn_finetune.finetune(pairs, lr=args.lr or cyclecnn_finetune.DEFAULT_LR, cycle_pool=cycle_pool,
                                         **common)
    say(f"fine-tuning {args.method} on the {len(pairs)} pair(s) found; checkpoints in {run_dir}")
    on_cpu = torch_device(args.device).type == "cpu"
    if advice := length_advice(args.method, None if args.steps else minutes, args.steps, on_cpu):
        say(advice)
    trained, remove_run_dir = False, False
    lock = RunFolderLock(run_dir).claim()     # a second run with this -o, or resuming this folder: refused
    try:
        while True:
            try:
                p = next(gen)
            except StopIteration as stop:
                card = stop.value
                break
            trained = trained or p.step > 0
            if "total" in p.losses and (p.step % 10 == 0 or p.events):    # not the final preview
                eta = f", {p.eta / 60:.1f} min left" if p.eta is not None else ""
                say(f"step {p.step}: loss {p.losses['total']:.4f}{eta} {' '.join(p.events)}")
            elif p.step == 0 and p.message:        # before the first step: checking the pairs, …
                say(p.message)
    except KeyboardInterrupt as stop:
        gen.close()  # writes the checkpoint, once training has begun
        if trained:
            say(f"interrupted: checkpoint kept; continue with --resume {run_dir}")
        elif args.resume and has_checkpoint(run_dir):   # its pairs not yet known to be the run's own
            say(f"interrupted before the run went on; it is kept as it was: --resume {run_dir} continues it "
                 "with the same pairs and settings")
        elif has_checkpoint(run_dir):    # an earlier run's, which this one was going to replace
            say(f"interrupted before training began; the earlier run is still there: --resume {run_dir}")
        else:
            say("interrupted before training began: nothing to resume")
            remove_run_dir = True
        return 128 + stop.signum if isinstance(stop, Stopped) else 130
    except ColorStudioError:
        remove_run_dir = True                # e.g. no usable pairs: no empty run folder left behind
        raise
    finally:
        lock.release()
        if remove_run_dir:
            _remove_if_empty(run_dir)
    data = card["data"]
    for reason in data.get("skipped") or []:            # pairs the fine-tuner refused, with why
        say(f"left out {reason.removesuffix('; leave it out')}")
    held = data.get("held_apart") or []
    say(f"trained on {data['train_pairs']} pair(s)" + (f", {len(held)} held apart: {', '.join(held[:5])}"
                                                        + (" …" if len(held) > 5 else "") if held else
                                                        ", none held apart"))
    ft = card["finetune"]
    b, a = ft["validation_before"], ft["validation_after"]
    if args.method == "ccdc":
        scored_on = ("pairs made of the held-apart colour shots" if card["data"]["validation_pairs"]
                     else "pairs made of the training shots (no usable pair held apart)")
        say(f"{out}: {ft['steps']} steps in {ft['minutes']} min; chroma PSNR on {scored_on} "
             f"{b['chroma_psnr']:.2f} -> {a['chroma_psnr']:.2f} dB; kept {ft['kept']}")
    else:
        scored_on = "held-apart" if card["data"]["validation_pairs"] else "a training pair's (none held apart)"
        say(f"{out}: {ft['steps']} steps in {ft['minutes']} min; {scored_on} cycle PSNR on 16x16 blocks "
             f"{b['cycle_psnr_blocks']:.2f} -> {a['cycle_psnr_blocks']:.2f} dB, per pixel "
             f"{b['cycle_psnr']:.2f} -> {a['cycle_psnr']:.2f} dB")
    say(f"use it with: {paths.command_name()} colorize GRAY REF -o OUT --model {out}")
    say(VERSUS_DEFAULT)
    return 0
