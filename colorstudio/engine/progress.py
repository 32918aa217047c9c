"""Progress objects yielded by the engine's generators (GUI workers and the CLI read them)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Progress:
    fraction: float   # 0..1 for this job
    message: str      # a short phrase for a status bar
