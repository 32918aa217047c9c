"""Colour management of the views for the monitor (numpy + Pillow's littleCMS, no Qt).

The views show photos whose RGB numbers mean colours in the result's space (sRGB, or a
pair's RGB profile: :func:`colorstudio.core.colour_management.result_profile`). A screen shows numbers in its
own space. On a wide-gamut monitor (a Display P3 laptop, an Adobe RGB photo monitor) sRGB
numbers sent as they are look more saturated than the photo is, and a photographer would
judge the colour strength on a lie. A :class:`MonitorProfile` converts the display copies
from the photo's space to the monitor's (relative colorimetric intent, as photo editors do).

With no monitor profile (sRGB assumed, the default when the system gives none) and an sRGB
photo, nothing is converted and nothing costs: :meth:`MonitorProfile.is_identity`.

Where the monitor's profile comes from (:func:`system_profile`):
- Windows: the profile of the display the window is on, as the system sets it (Pillow's
  ``get_display_profile``);
- X11 (Linux): the ``_ICC_PROFILE`` property of the root window (``_ICC_PROFILE_1``, ... for
  the other screens), which colord and the calibration tools set (the "ICC Profiles in X"
  convention);
- macOS converts itself: the app tags its windows as sRGB (:mod:`colorstudio.gui.macos_colour`),
  so none is read here;
- anywhere: a profile file the user chooses (View ▸ Monitor profile).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import sys
import threading
from pathlib import Path

import cv2
import numpy as np

from colorstudio.core.colour_management import is_srgb, open_profile, profile_colour_space, profile_name


class MonitorProfile:
    """A monitor's ICC profile (None: sRGB) and the transforms into it from the photos' spaces.

    Thread-safe: display copies are converted in worker threads while the GUI thread may
    swap the profile (the transforms are built without littleCMS's shared cache)."""

    def __init__(self, icc: bytes | None = None, source: str = "sRGB (assumed)"):
        if icc is not None and profile_colour_space(icc) != "RGB":
            raise ValueError(f"{profile_name(icc)} is not an RGB display profile")
        self.icc = icc or None
        self.source = source                   # where it came from, in words
        self._transforms: dict[bytes, object] = {}
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return profile_name(self.icc)

    def is_identity(self, photo_icc: bytes | None = None) -> bool:
        """Whether the photo's numbers (RGB profile ``photo_icc``; None: sRGB) can go to the
        screen as they are."""
        return _key(photo_icc) == _key(self.icc) or (is_srgb(photo_icc) and is_srgb(self.icc))

    def convert(self, pixels: np.ndarray, photo_icc: bytes | None = None) -> np.ndarray:
        """``pixels`` (uint8 (h, w) or (h, w, 3), in the space of ``photo_icc``) as the monitor
        shows them right. A gray stays 2-D when the monitor shows neutrals as neutrals (a
        256-level table, about 1 ms); the input is never modified."""
        if self.is_identity(photo_icc):
            return pixels
        transform = self._transform(photo_icc)
        if pixels.ndim == 2:
            levels = _apply(transform, np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, 2))[0]
            if np.ptp(levels.astype(int), axis=1).max() <= 1:          # neutrals stay neutral
                return cv2.LUT(pixels, np.rint(levels.mean(1)).astype(np.uint8))
            return np.ascontiguousarray(levels[pixels])
        return _apply(transform, pixels)

    def _transform(self, photo_icc: bytes | None):
        key = _key(photo_icc)
        with self._lock:
            transform = self._transforms.get(key)
            if transform is None:
                from PIL import ImageCms

                transform = ImageCms.buildTransform(
                    open_profile(photo_icc), open_profile(self.icc), "RGB", "RGB",
                    renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, flags=ImageCms.Flags.NOCACHE)
                self._transforms[key] = transform
            return transform


SRGB = MonitorProfile()


def _key(icc: bytes | None) -> bytes:
    return b"" if not icc else hashlib.sha1(icc).digest()


def _apply(transform, pixels: np.ndarray) -> np.ndarray:
    from PIL import Image, ImageCms

    out = ImageCms.applyTransform(Image.fromarray(np.ascontiguousarray(pixels)), transform)
    return np.asarray(out)


PROFILE_MAX_BYTES = 16_000_000     # a monitor's profile is a few kB (a big LUT-based one, a few MB)


def read_profile_file(path: str | os.PathLike) -> MonitorProfile:
    """A monitor profile from an .icc/.icm file; ValueError with a one-line reason if it is not
    one (unreadable, not an RGB profile, damaged)."""
    try:
        if Path(path).exists() and not Path(path).is_file():    # a FIFO held the app's start for ever,
            raise ValueError(f"{os.path.basename(path)}: not a profile file")   # /dev/zero filled the memory
        if Path(path).stat().st_size > PROFILE_MAX_BYTES:
            raise ValueError(f"{os.path.basename(path)}: too large for a monitor profile")
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"{os.path.basename(path)}: cannot be read ({exc.strerror or exc})") from None
    if profile_colour_space(data) is None:
        raise ValueError(f"{os.path.basename(path)} is not an ICC profile")
    profile = MonitorProfile(data, source=os.path.basename(path))
    try:
        profile.convert(np.zeros((1, 1, 3), np.uint8))
    except Exception:
        raise ValueError(f"{os.path.basename(path)}: a damaged or unsupported profile") from None
    return profile


def system_profile(window_handle: int | None = None, screen_index: int = 0) -> MonitorProfile | None:
    """The profile the system gives for a display, or None (sRGB is then assumed).

    ``window_handle`` (Windows: a window's HWND): the profile of the display that window is
    on; ``screen_index`` (X11): the Xinerama screen, whose profile is ``_ICC_PROFILE_<n>``
    (``_ICC_PROFILE`` for the first), as the "ICC Profiles in X" convention names them."""
    icc, source = None, ""
    try:
        if sys.platform == "win32":
            from PIL import ImageCms

            profile = ImageCms.get_display_profile(window_handle)
            icc = profile.tobytes() if profile is not None else None
            source = "Windows display settings"
        elif sys.platform != "darwin" and os.environ.get("DISPLAY"):
            icc = x11_root_profile(os.environ["DISPLAY"], screen_index)
            source = f"the X display (_ICC_PROFILE{f'_{screen_index}' if screen_index else ''})"
    except Exception:            # no profile to be had: sRGB, as unmanaged apps assume
        return None
    if not icc or profile_colour_space(icc) != "RGB":
        return None
    return MonitorProfile(icc, source)


def x11_root_profile(display_name: str, screen_index: int = 0) -> bytes | None:
    """The ``_ICC_PROFILE`` (screen 0) or ``_ICC_PROFILE_<n>`` property of an X display's root
    window (bytes), or None."""
    path = ctypes.util.find_library("X11")
    if not path:
        return None
    x = ctypes.cdll.LoadLibrary(path)
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XDefaultRootWindow.restype = ctypes.c_ulong
    x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x.XInternAtom.restype = ctypes.c_ulong
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XGetWindowProperty.argtypes = [
        ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long, ctypes.c_int,
        ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
        ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_void_p)]
    x.XFree.argtypes = [ctypes.c_void_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x.XOpenDisplay(display_name.encode())
    if not display:
        return None
    try:
        name = b"_ICC_PROFILE" + (f"_{screen_index}".encode() if screen_index else b"")
        atom = x.XInternAtom(display, name, 1)        # only if it exists
        if not atom:
            return None
        kind, fmt = ctypes.c_ulong(), ctypes.c_int()
        count, rest, data = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_void_p()
        status = x.XGetWindowProperty(display, x.XDefaultRootWindow(display), atom, 0, 1 << 24, 0, 0,
                                      ctypes.byref(kind), ctypes.byref(fmt), ctypes.byref(count),
                                      ctypes.byref(rest), ctypes.byref(data))
        if status != 0 or not data.value:
            return None
        try:
            return ctypes.string_at(data.value, count.value) if fmt.value == 8 and count.value else None
        finally:
            x.XFree(data)
    finally:
        x.XCloseDisplay(display)
