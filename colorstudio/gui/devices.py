"""Which compute device learned methods and training use (torch imported lazily, never by Qt code paths
that must stay fast: call :func:`detect` from a worker)."""
from __future__ import annotations

from dataclasses import dataclass

NO_GPU_MESSAGE = "no GPU found — the CPU is used"


@dataclass(frozen=True)
class DeviceInfo:
    device: str          # 'cuda', 'mps' or 'cpu'
    name: str            # e.g. 'NVIDIA RTX 4070' or 'CPU (8 threads)'
    message: str         # one line for the user


def detect(preference: str = "auto") -> DeviceInfo:
    """The device for ``preference`` ('auto', 'cpu', 'cuda', 'mps'), as the About box and the
    fine-tune wizard say it. A GPU chosen but absent: the wizard trains on the CPU, while
    colorizing refuses it (both resolved by :func:`colorstudio.engine.device.torch_device`),
    which the message says."""
    try:
        import torch
    except ImportError:
        return DeviceInfo("cpu", "CPU", "PyTorch is not installed: learned methods are unavailable")
    from colorstudio.engine.device import torch_device

    threads = torch.get_num_threads()
    count = f"{threads} thread{'s' * (threads != 1)}"
    cpu = f"CPU ({count})"
    device = torch_device(preference, cpu_if_absent=True)
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        return DeviceInfo("cuda", name, f"GPU found: {name}")
    if device.type == "mps":
        return DeviceInfo("mps", "Apple GPU (MPS)", "GPU found: Apple GPU (MPS)")
    if preference == "cpu":
        return DeviceInfo("cpu", cpu, f"the CPU ({count}), as chosen in the settings")
    if preference in ("cuda", "mps"):
        return DeviceInfo("cpu", cpu, f"{'a CUDA GPU' if preference == 'cuda' else 'an Apple GPU (MPS)'} is chosen "
                                      f"(Tools ▸ Compute device) but PyTorch finds none here: colorizing refuses it, "
                                      f"fine-tuning runs on the CPU ({count}); choose Auto or CPU")
    return DeviceInfo("cpu", cpu, f"{NO_GPU_MESSAGE} ({count})")


def detect_steps(preference: str = "auto"):
    """:func:`detect` as a one-step generator, for :class:`~colorstudio.gui.workers.GeneratorWorker`."""
    yield None
    return detect(preference)
