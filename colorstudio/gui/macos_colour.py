"""macOS: tag the main window as sRGB, so that the system converts it to the display's colours.

Qt draws widgets without colour management, and on macOS a window's colour space defaults
to the display's own (QTBUG-47660). Every Mac since 2016 has a Display P3 panel, where sRGB
numbers taken as P3 ones look too saturated. An ``NSWindow`` whose colour space is sRGB is
converted by the window server, at no cost to the app, to whatever profile each display has
(also when the window moves to another display). The photos' display copies are sRGB or are
converted to sRGB (:class:`colorstudio.gui.monitor_profile.MonitorProfile` with no monitor
profile set), so this makes the views right on every Mac display.

Only the Objective-C runtime is called (ctypes), no extra package; anywhere else, and if
anything fails, it does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys


def tag_window_srgb(win_id: int) -> bool:
    """Give the NSWindow holding the NSView ``win_id`` (``QWidget.winId()``) the sRGB colour
    space. True if done (macOS only)."""
    if sys.platform != "darwin" or not win_id:
        return False
    try:
        objc = ctypes.cdll.LoadLibrary(ctypes.util.find_library("objc"))
        ctypes.cdll.LoadLibrary(ctypes.util.find_library("AppKit"))
        objc.objc_getClass.restype = ctypes.c_void_p
        objc.objc_getClass.argtypes = [ctypes.c_char_p]
        objc.sel_registerName.restype = ctypes.c_void_p
        objc.sel_registerName.argtypes = [ctypes.c_char_p]
        address = ctypes.cast(objc.objc_msgSend, ctypes.c_void_p).value
        # objc_msgSend must be called through the exact prototype of each message (arm64)
        get = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)(address)
        put = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)(address)
        window = get(win_id, objc.sel_registerName(b"window"))
        srgb = get(objc.objc_getClass(b"NSColorSpace"), objc.sel_registerName(b"sRGBColorSpace"))
        if not window or not srgb:
            return False
        put(window, objc.sel_registerName(b"setColorSpace:"), srgb)
        return True
    except Exception:            # an unusual system: the window stays as Qt made it
        return False
