"""What a user should know about a fine-tuned model before relying on it (no torch: the app's
wizard imports it on the GUI thread). From ``benchmarks/finetune_simulated_camera.py`` on
simulated cameras: a fine-tuned Cycle CNN gained 0.19-0.57 dB but stayed 0.48-1.00 dB below
CCDC, the default pair method, not fine-tuned (session 28; on photos CCDC had mostly trained
on); a fine-tuned CCDC (the trained weights averaged with the start) ended 0.15 dB below to
0.21 dB above it on held-apart photos CCDC never trained on, 0.03 below to 0.09 above on
Motorcycle (three cameras, session 34; the earlier runs' +0.66 dB at best were on its training
photos)."""

VERSUS_DEFAULT = ("Compare it with the default pair method (ccdc, not fine-tuned) on your own photos before "
                  "relying on it: on simulated cameras and photos it never trained on, a fine-tuned CCDC ended "
                  "0.15 dB below to 0.21 dB above it, a fine-tuned Cycle CNN below it.")


# fine-tuning steps a minute on this project's 2-core CPU, and the steps of the README's measured
# runs (README, fine-tuning: CCDC 1030 steps in about 10 minutes; the Cycle CNN 400 steps in 7-11)
CPU_STEPS_PER_MINUTE = {"ccdc": 100, "cyclecnn": 45}
MEASURED_STEPS = {"ccdc": 1030, "cyclecnn": 400}


def length_advice(method: str, minutes: float | None, steps: int | None, on_cpu: bool = True) -> str:
    """What a budget buys (a minutes budget on the CPU: at a 2-core CPU's pace), and a warning
    when it is under half the steps the measured gains took: a short run leaves the model as it
    was. A minutes budget on a GPU gets neither: its pace is not known here."""
    per_minute, measured = CPU_STEPS_PER_MINUTE[method], MEASURED_STEPS[method]
    by_time = steps is None
    if by_time and not on_cpu:
        return ""
    expected = round((minutes or 0) * per_minute) if by_time else steps
    about = (f"About {expected} steps on a 2-core CPU ({per_minute} a minute; more cores: more). "
             if by_time else "")
    few = expected < measured / 2
    return about + (f"The gains measured for this network took {measured} steps: with fewer than half of that "
                    "the model will hardly change." if few else "")
