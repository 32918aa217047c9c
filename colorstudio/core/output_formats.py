"""The formats a result can be written in (:data:`WRITE_EXTENSIONS`) and what each holds: 8 bits
a channel at most, no transparency, how many pixels a side; their names, and the other spellings
of their extensions.
"""
WRITE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp")
EIGHT_BIT_ONLY = (".jpg", ".jpeg", ".webp", ".bmp")   # formats that hold 8 bits a channel at most
NO_ALPHA = (".jpg", ".jpeg", ".bmp")                  # formats with no transparency
FORMAT_ALIASES = {".tiff": ".tif", ".jpeg": ".jpg"}   # another spelling of a format's extension
FORMAT_NAMES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".tif": "TIFF", ".tiff": "TIFF",
                ".webp": "WebP", ".bmp": "BMP"}
# pixels a side the format (PNG: libpng, OpenCV's encoder, by default) can hold
MAX_SIDE = {".jpg": 65535, ".jpeg": 65535, ".webp": 16383, ".png": 1_000_000}
