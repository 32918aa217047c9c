"""The errors a user can cause, each with a one-line human message.

Everything the CLI or GUI shows to a user as "bad input" is a ColorStudioError;
anything else is a bug and is reported as such.
"""
from __future__ import annotations

# what the CLI, the batch and the app say when a photo does not fit in memory (a MemoryError:
# not a bug, and the user can act on it)
NOT_ENOUGH_MEMORY = "not enough memory for this image (close other programs, or try a smaller one)"

# how the libraries below say a failed allocation: PyTorch's CPU allocator (a RuntimeError, or
# torch.OutOfMemoryError), OpenCV's (cv2.error, code -4). (Not the loader's "failed to map
# segment": it says the same of a library on a noexec mount, an installation problem.)
_OUT_OF_MEMORY_WORDS = ("can't allocate memory", "Insufficient memory", "out of memory")


def out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` is a photo not fitting in the memory: Python's MemoryError, or a library's
    failed allocation (not a bug, and the user can act on it: NOT_ENOUGH_MEMORY)."""
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
        return True
    if not isinstance(exc, (RuntimeError, OSError)) and type(exc).__module__.split(".")[0] != "cv2":
        return False
    return any(words in str(exc) for words in _OUT_OF_MEMORY_WORDS)


class ColorStudioError(Exception):
    """Base class: ``str(err)`` is a one-line message meant for a photographer."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


class InputFileError(ColorStudioError):
    """A problem with one input file."""


class FileMissingError(InputFileError):
    pass


class UnreadableImageError(InputFileError):
    pass


class TruncatedImageError(InputFileError):
    pass


class UnsupportedImageError(InputFileError):
    pass


class ImageTooLargeError(InputFileError):
    pass


class PairError(ColorStudioError):
    """Two files that cannot be used together as a pair."""


class OutputError(ColorStudioError):
    """The output cannot be written (exists, read-only folder, disk full...)."""


class DiskFullError(OutputError):
    """The output's disk has no room left (a batch then passes over the items whose result would not fit)."""


class ModelError(ColorStudioError):
    """A model file is missing, corrupt, tampered with or not a safetensors file."""


class MethodError(ColorStudioError):
    """An unknown method name or a method that needs what was not given."""


class Cancelled(ColorStudioError):
    """A long job was cancelled by the user."""
