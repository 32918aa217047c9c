"""``colorstudio batch``: find the pairs and single grays, say what is left out, colorize the
rest one by one (the engine's :func:`~colorstudio.engine.batch.run_batch`, as the app's queue)."""
from __future__ import annotations

from colorstudio.cli_common import EXIT_BAD_INPUT, EXIT_OK, flags_text, ignored_words, method_options, model_path, say
from colorstudio.cli_progress import run_saying


def cmd_batch(args) -> int:
    from colorstudio.engine.batch import DONE, FAILED, SKIPPED, plan_batch_steps, remove_left_writes, run_batch

    if args.method is not None and args.model is None:   # a typo is said once, before any work
        from colorstudio.engine.methods import get

        get(args.method)
    plan = run_saying(plan_batch_steps(args.inputs, args.output, ext=args.ext, lr_mono_side=args.lr_mono_side,
                                     skip_existing=args.skip_existing), say)
    for path, reason in plan.unmatched:          # a reason may begin with the file's name already
        say(f"skipped {path}: {reason.removeprefix(path.name + ': ')}")
    if plan.earlier_results:
        n = len(plan.earlier_results)
        folders = sorted({str(p.parent) for p in plan.earlier_results})
        say(f"left out {n} earlier result{'s' * (n != 1)} of a batch (*_colorized, in {', '.join(folders[:3])}"
             + (f" and {len(folders) - 3} more folders" if len(folders) > 3 else "") + ")")
    if plan.already_there:
        n = len(plan.already_there)
        say(f"left out {n} item{'s' * (n != 1)} whose result is already in {plan.out_dir} (--skip-existing)")
    if not plan.items:
        if plan.already_there:            # the files skipped above, if any, were said one by one
            _say_removed(remove_left_writes(plan))          # (run_batch does it when it runs)
            n = len(plan.unmatched)
            say("nothing left to colorize: every result is already there"
                 + (f" ({n} file{'s' * (n != 1)} skipped)" if n else ""))
            return EXIT_BAD_INPUT if n else EXIT_OK
        say("nothing to colorize: no pairs or gray photos found")
        return EXIT_BAD_INPUT
    announced = False
    try:
        for p in run_batch(plan, method=args.method, model=model_path(args.model), options=method_options(args),
                           jpeg_quality=args.jpeg_quality, thumbnails=False):
            if not announced:             # the output folder passed run_batch's checks (a read-only one)
                say(f"{len(plan.items)} item(s) to colorize into {plan.out_dir}")
                _say_removed(plan.unfinished_removed)
                announced = True
            if p.status in (DONE, FAILED, SKIPPED):
                mark = {DONE: "ok  ", FAILED: "FAIL", SKIPPED: "skip"}[p.status]
                say(f"[{p.index + 1}/{p.total}] {mark} {p.message}")
    except KeyboardInterrupt:              # what is written stays: say how to go on from there
        n = sum(i.status == DONE for i in plan.items)
        say(f"stopped after {n} of {len(plan.items)} written; the same command with --skip-existing "
             "goes on with the rest")
        raise
    done = [i for i in plan.items if i.status == DONE]
    failed = [i for i in plan.items if i.status == FAILED]
    there = sum(i.status == SKIPPED for i in plan.items)       # written meanwhile by another batch
    say(f"summary: {len(done)} written, {len(failed)} failed, {len(plan.unmatched)} skipped"
        + (f", {there} written meanwhile by another run" if there else ""))
    unused = set.intersection(*(set(i.ignored_options) for i in done)) if done else set()
    if unused:                              # an option no item's method used (one some used is no news)
        say(f"note: no method this batch ran uses {flags_text(sorted(unused))}: {ignored_words(len(unused))}")
    for item in failed:
        say(f"  failed {item.name}: {item.error}")
    return EXIT_OK if not failed and not plan.unmatched else EXIT_BAD_INPUT


def _say_removed(removed: list) -> None:
    if n := len(removed):
        say(f"removed {n} unfinished file{'s' * (n != 1)} a batch killed mid-write had left "
            f"({', '.join(p.name for p in removed[:3])}{', …' if n > 3 else ''})")
