"""What a user should know about a fine-tuned model before relying on it (no torch: the app's
wizard imports it on the GUI thread). From ``benchmarks/finetune_simulated_camera.py`` on three
simulated cameras: a fine-tuned Cycle CNN gained 0.19-0.57 dB but stayed 0.48-1.00 dB below
CCDC, the default pair method, not fine-tuned (session 28); a fine-tuned CCDC ended 0.90 dB
below to 0.21 dB above it (session 29)."""

VERSUS_DEFAULT = ("Compare it with the default pair method (ccdc, not fine-tuned) on your own photos before "
                  "relying on it: on simulated cameras no fine-tuned model beat it reliably (a fine-tuned "
                  "Cycle CNN stayed 0.5-1.0 dB below it, a fine-tuned CCDC 0.9 dB below to 0.2 dB above).")
