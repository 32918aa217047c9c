"""Map PyTorch's (and safetensors') native libraries into the process without holding Python's lock.

``import torch`` opens ``libtorch_cpu`` (hundreds of MB; 0.2-0.3 s of relocations and static
initialisers on a 2-core CPU) while holding the GIL, so even from a worker thread it froze the
app's window for that long at start-up. A call through ctypes into the C library's ``dlopen``
releases the GIL for its duration; once the library is mapped, the import's own ``dlopen`` only
finds it again. Measured with ``benchmarks/gui_latency.py --single`` (the warm-up phase's
longest GUI pause): see the README's Reliability section.

Only where the C library has ``dlopen`` (Linux, macOS); elsewhere, and on any failure, nothing
happens and the import does the work as before.
"""
from __future__ import annotations

import ctypes
import importlib.util
import sys
from pathlib import Path

RTLD_NOW = 2          # resolve every symbol now, while the GIL is released
_HANDLES: dict[str, int] = {}      # path -> handle, kept open for the process's life (never dlclose'd)


# package -> its native libraries, in load order (globs inside the package's folder)
LIBRARIES = {"torch": ("lib/libtorch_cpu.*", "lib/libtorch_python.*", "_C.*"),
             "safetensors": ("_safetensors_rust.*",)}


def library_files(package: str) -> list[Path]:
    """The package's native libraries (found without importing it); [] once it is imported."""
    if package in sys.modules:
        return []
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.origin:
        return []
    folder = Path(spec.origin).parent
    return [p for pattern in LIBRARIES[package] for p in sorted(folder.glob(pattern))
            if p.suffix in (".so", ".dylib")]


def preload(packages=tuple(LIBRARIES)) -> int:
    """dlopen the packages' native libraries with the GIL released; how many this call mapped
    (none once a package is imported)."""
    if sys.platform.startswith("win"):
        return 0
    try:
        dlopen = ctypes.CDLL(None).dlopen
    except (OSError, AttributeError):
        return 0
    dlopen.restype, dlopen.argtypes = ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_int]
    before = len(_HANDLES)
    for package in packages:
        for path in library_files(package):
            if str(path) not in _HANDLES:
                handle = dlopen(str(path).encode(), RTLD_NOW)     # a foreign call: the GIL is released
                if handle:
                    _HANDLES[str(path)] = handle
    return len(_HANDLES) - before
