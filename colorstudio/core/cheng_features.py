"""Features of Deep Colorization (Cheng et al.), in numpy: per pixel and per image.

Per pixel: the 7x7 gray patch (49 values, low level) and a DAISY descriptor (mid level,
``skimage.feature.daisy``: (rings*histograms + 1)*orientations = 104 values). The paper's
third, semantic feature needs a scene parser that cannot be had offline; it is left out. As a cheap stand-in for its scene
context, an optional context feature (26 values) adds the 5x5 patch of the gray at 1/8
scale around the pixel and the pixel's row position (0 top .. 1 bottom); not in the paper.
Per image: a global descriptor (gray histogram + GIST-like oriented gradient energy on a
4x4 grid) used for adaptive clustering, with k-means, and nearest-cluster selection.
"""
from __future__ import annotations

import cv2
import numpy as np

PATCH = 7
DAISY_RADIUS = 8
DAISY_RINGS = 2
DAISY_HISTOGRAMS = 6
DAISY_ORIENTATIONS = 8
DAISY_DIM = (DAISY_RINGS * DAISY_HISTOGRAMS + 1) * DAISY_ORIENTATIONS
PIXEL_DIM = PATCH * PATCH + DAISY_DIM
CONTEXT_SCALE = 8
CONTEXT_PATCH = 5
CONTEXT_DIM = CONTEXT_PATCH * CONTEXT_PATCH + 1
HIST_BINS = 16
GIST_GRID = 4
GIST_ORIENTATIONS = 4
GLOBAL_DIM = HIST_BINS + GIST_GRID * GIST_GRID * GIST_ORIENTATIONS


def patch_features(gray: np.ndarray, size: int = PATCH) -> np.ndarray:
    """(H, W) float32 [0,1] -> (H, W, size*size) float32: each pixel's patch (reflect-padded)."""
    r = size // 2
    padded = np.pad(np.asarray(gray, np.float32), r, mode="reflect")
    win = np.lib.stride_tricks.sliding_window_view(padded, (size, size))
    return win.reshape(gray.shape[0], gray.shape[1], size * size).astype(np.float32)


def daisy_features(gray: np.ndarray) -> np.ndarray:
    """(H, W) float32 [0,1] -> (H, W, DAISY_DIM) float32 DAISY descriptors, one per pixel."""
    from skimage.feature import daisy  # scikit-image: a runtime dependency of this method

    r = DAISY_RADIUS
    padded = np.pad(np.asarray(gray, np.float32), r + 1, mode="reflect")
    d = daisy(padded, step=1, radius=r, rings=DAISY_RINGS, histograms=DAISY_HISTOGRAMS,
              orientations=DAISY_ORIENTATIONS)
    return np.ascontiguousarray(d[1:1 + gray.shape[0], 1:1 + gray.shape[1]], dtype=np.float32)


def context_features(gray: np.ndarray) -> np.ndarray:
    """(H, W) float32 [0,1] -> (H, W, CONTEXT_DIM) float32: coarse 5x5 patch + row position.

    The patch is taken on the gray area-downsampled by 8 and bilinearly resampled back.
    """
    gray = np.asarray(gray, np.float32)
    h, w = gray.shape
    small = cv2.resize(gray, (max(1, round(w / CONTEXT_SCALE)), max(1, round(h / CONTEXT_SCALE))),
                       interpolation=cv2.INTER_AREA)
    coarse = patch_features(small, CONTEXT_PATCH)
    coarse = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR).reshape(h, w, -1)
    row = np.broadcast_to((np.arange(h, dtype=np.float32) / max(h - 1, 1))[:, None, None], (h, w, 1))
    return np.concatenate([coarse, row], axis=-1).astype(np.float32)


def feature_dim(context: bool) -> int:
    return PIXEL_DIM + (CONTEXT_DIM if context else 0)


def pixel_features(gray: np.ndarray, context: bool = False) -> np.ndarray:
    """(H, W) float32 [0,1] -> (H, W, feature_dim(context)) float32: [7x7 patch, DAISY(, context)]."""
    if gray.ndim != 2 or min(gray.shape) < 2:
        raise ValueError(f"pixel_features needs a 2-D gray image of at least 2x2, got {gray.shape}")
    parts = [patch_features(gray), daisy_features(gray)]
    if context:
        parts.append(context_features(gray))
    return np.concatenate(parts, axis=-1)


def global_descriptor(gray: np.ndarray) -> np.ndarray:
    """(H, W) float32 [0,1] -> (GLOBAL_DIM,) float32, each part L2-normalised.

    Gray histogram (16 bins) and GIST-like energy: mean gradient magnitude in 4 orientation
    bins over a 4x4 grid, computed on a 128x128 resize.
    """
    g = np.clip(np.asarray(gray, np.float32), 0, 1)
    hist = np.histogram(g, bins=HIST_BINS, range=(0, 1))[0].astype(np.float32)
    small = cv2.resize(g, (128, 128), interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    mag = np.hypot(gx, gy)
    ori = (np.arctan2(gy, gx) % np.pi) / np.pi * GIST_ORIENTATIONS
    obin = np.minimum(ori.astype(int), GIST_ORIENTATIONS - 1)
    cell = 128 // GIST_GRID
    gist = np.zeros((GIST_GRID, GIST_GRID, GIST_ORIENTATIONS), np.float32)
    for o in range(GIST_ORIENTATIONS):
        m = np.where(obin == o, mag, 0).reshape(GIST_GRID, cell, GIST_GRID, cell)
        gist[..., o] = m.mean(axis=(1, 3))
    parts = [hist, gist.ravel()]
    return np.concatenate([p / max(float(np.linalg.norm(p)), 1e-8) for p in parts]).astype(np.float32)


def kmeans(x: np.ndarray, k: int, seed: int = 0, iters: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means with k-means++ seeding. x: (N, D) -> (centroids (k, D), labels (N,))."""
    x = np.asarray(x, np.float64)
    if not 1 <= k <= len(x):
        raise ValueError(f"k must be in 1..{len(x)}, got {k}")
    rng = np.random.default_rng(seed)
    cent = [x[rng.integers(len(x))]]
    for _ in range(1, k):
        d2 = np.min(((x[:, None] - np.array(cent)[None]) ** 2).sum(-1), axis=1)
        cent.append(x[rng.choice(len(x), p=d2 / d2.sum())] if d2.sum() > 0 else x[rng.integers(len(x))])
    cent = np.array(cent)
    labels = np.zeros(len(x), int)
    for it in range(iters):
        new = nearest_cluster(x, cent)
        if it and np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            if np.any(labels == j):
                cent[j] = x[labels == j].mean(0)
    return cent.astype(np.float32), labels


def nearest_cluster(desc: np.ndarray, centroids: np.ndarray) -> np.ndarray | int:
    """Index of the nearest centroid (Euclidean): (D,) -> int, or (N, D) -> (N,) ints."""
    desc = np.asarray(desc, np.float64)
    d2 = ((np.atleast_2d(desc)[:, None] - np.asarray(centroids, np.float64)[None]) ** 2).sum(-1)
    idx = d2.argmin(axis=1)
    return int(idx[0]) if desc.ndim == 1 else idx
