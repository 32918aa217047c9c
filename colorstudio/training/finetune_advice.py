"""What a user should know about a fine-tuned model before relying on it (no torch: the app's
wizard imports it on the GUI thread). From ``benchmarks/finetune_simulated_camera.py`` on
simulated cameras: a fine-tuned Cycle CNN gained 0.19-0.57 dB but stayed 0.48-1.00 dB below
CCDC, the default pair method, not fine-tuned (session 28); a fine-tuned CCDC (the trained
weights averaged with the start) ended 0.07 dB below to 0.66 dB above it on the held-apart
photos, 0.07 below to 0.12 above on Motorcycle (ten camera runs: three cameras on three seeds,
sessions 29-30, and a fourth camera judged after the choice, session 31)."""

VERSUS_DEFAULT = ("Compare it with the default pair method (ccdc, not fine-tuned) on your own photos before "
                  "relying on it: on simulated cameras a fine-tuned CCDC ended 0.07 dB below to 0.66 dB above "
                  "it, a fine-tuned Cycle CNN 0.5-1.0 dB below.")
