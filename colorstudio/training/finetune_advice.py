"""What a user should know about a fine-tuned model before relying on it (no torch: the app's
wizard imports it on the GUI thread). From ``benchmarks/finetune_simulated_camera.py``, session 28:
on three simulated cameras the fine-tuned Cycle CNN gained 0.19-0.57 dB but stayed 0.48-1.00 dB
below CCDC, the default pair method, which the fine-tuner does not train."""

VERSUS_DEFAULT = ("Compare it with the default pair method (ccdc) on your own photos before relying "
                  "on it: on simulated cameras a fine-tuned model gained 0.2-0.6 dB but stayed "
                  "0.5-1.0 dB below ccdc, which fine-tuning does not train.")
