"""Run under a real X server (Xvfb): the compare view at 100 % (and ``ZOOM``) on a noise photo,
the real pointer moved (XWarpPointer) to 40 places on it, and each time the readout's gray value
compared with the screen pixel under the pointer (a real screen grab). Prints "window shown" once
Qt's window is up, then "right N of 40".
Used by test_readout_on_scaled_screens.py; QT_SCALE_FACTOR sets the screen's scaling."""
import ctypes
import os
import random
import re
import sys

import numpy as np
from PySide6.QtCore import QEventLoop, QPointF, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication


def settle(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XDefaultRootWindow.restype = ctypes.c_ulong
x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x11.XWarpPointer.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong] + [ctypes.c_int] * 2 + \
    [ctypes.c_uint] * 2 + [ctypes.c_int] * 2
x11.XFlush.argtypes = [ctypes.c_void_p]
display = x11.XOpenDisplay(None)
root = x11.XDefaultRootWindow(display)

app = QApplication(sys.argv[:1])
app.setStyle("Fusion")
from colorstudio.gui.compare_view import CompareView      # noqa: E402 - after the QApplication
from colorstudio.gui.display import display_image         # noqa: E402

gray = np.random.default_rng(5).integers(0, 256, (600, 900), dtype=np.uint8)
view = CompareView()
view.resize(1000, 700)
view.move(0, 0)
view.show()
settle(300)
print("window shown", flush=True)
view.set_frame(900, 600)
view.set_image("gray", display_image(gray), gray)
view.fit()
view.actual_size()
view.zoom_by(float(os.environ.get("ZOOM", "1")))
view.views["gray"].translateBy(x=float(os.environ.get("SHIFT", "0")), y=float(os.environ.get("SHIFT", "0")))
settle(800)
texts = []
view.pixelInfo.connect(texts.append)
ratio = view.devicePixelRatioF()
shot = QGuiApplication.primaryScreen().grabWindow(0).toImage()
viewport = view.canvases[0].viewport()
corner = viewport.mapToGlobal(QPointF(0, 0))
random.seed(2)
right = 0
for _ in range(40):
    x = int((corner.x() + viewport.width() / 2 + random.uniform(-60, 60)) * ratio)
    y = int((corner.y() + viewport.height() / 2 + random.uniform(-60, 60)) * ratio)
    x11.XWarpPointer(display, 0, root, 0, 0, 0, 0, x, y)
    x11.XFlush(display)
    settle(60)
    said = re.search(r"gray (\d+)", texts[-1] if texts else "")
    right += bool(said) and int(said[1]) == shot.pixelColor(x, y).green()
print(f"right {right} of 40")
