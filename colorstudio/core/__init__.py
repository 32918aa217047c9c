"""Image processing and files with numpy, OpenCV, Pillow and the image-format libraries
(tifffile, rawpy, pillow-heif, scikit-image): no torch, no Qt (tests/test_architecture.py)."""
