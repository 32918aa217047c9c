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
