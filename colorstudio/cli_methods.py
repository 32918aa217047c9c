"""``colorstudio methods``: what --method accepts, the user's models, and ``--add FILE``."""
from __future__ import annotations

from colorstudio.cli_common import EXIT_OK, say


def cmd_methods(args) -> int:
    from colorstudio.engine.methods import all_methods, default_for

    if args.add:                     # as the app's Tools > Add a model file: checked, then copied
        from colorstudio.engine.model_import import add_model

        target, method = add_model(args.add)
        say(f"added {target.name} ({method}) to your models: --model {target.stem}")

    for kind, title in (("pair", "With a colour reference (pairs)"), ("single", "Single gray photo")):
        default = default_for(kind).name
        print(f"{title}:")
        for m in all_methods():
            if m.kind == kind:
                flag = " (default)" if m.name == default else ""
                print(f"  {m.name:<12} {m.summary}{flag}")
    from colorstudio.engine.methods import PAIR
    from colorstudio.engine.model_catalog import shown_text, user_models

    mine = user_models()
    if mine:
        print("Your fine-tuned models (--model NAME):")
        for c in mine:
            stem, where = shown_text(c.model.stem, 200), shown_text(str(c.model), 400)   # a name's newline: no fake line
            print(f"  {stem:<12} {c.method}, for {'pairs' if c.kind == PAIR else 'single grays'}: {where}")
    return EXIT_OK
