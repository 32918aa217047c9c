"""Image processing with numpy, OpenCV and Pillow only (no torch, no Qt)."""
