"""Photos for the single-gray colorizers: the fixed train/validation split and cached resizes.

The split is a seeded permutation of the sorted file names of ``/work/shared/data/photos``
(or any folder of colour photos); the evaluation stereo pair (Motorcycle) is never in it.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from colorstudio.core.imageio import load_photo
from colorstudio.core.training_photos import DEFAULT_PHOTOS
from colorstudio.core.training_photos import list_photos as training_photos

SPLIT_SEED = 6          # issue number; changing it changes the validation set
N_VALIDATION = 24


def list_photos(folder: Path = DEFAULT_PHOTOS) -> list[Path]:
    """The training photos of ``folder`` (:func:`colorstudio.core.training_photos.list_photos`);
    none is an error here."""
    files = training_photos(folder)
    if not files:
        raise FileNotFoundError(f"no photos in {folder}")
    return files


def split(files: list[Path], seed: int = SPLIT_SEED, n_val: int = N_VALIDATION
          ) -> tuple[list[Path], list[Path]]:
    """(train, validation) lists, fixed by ``seed``; each sorted by name.

    Small folders (tests) keep at least 3/4 of their photos for training.
    """
    n_val = min(n_val, max(1, len(files) // 4))
    order = np.random.default_rng(seed).permutation(len(files))
    val = sorted(files[i] for i in order[:n_val])
    train = sorted(files[i] for i in order[n_val:])
    return train, val


def resize_long_side(img: np.ndarray, long_side: int) -> np.ndarray:
    """Area-resize so the longer side is ``long_side`` (never enlarges)."""
    h, w = img.shape[:2]
    scale = long_side / max(h, w)
    if scale >= 1:
        return img
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def load_rgb(path: Path, long_side: int | None = None) -> np.ndarray:
    """(H, W, 3) float32 RGB in [0, 1], optionally resized to ``long_side``."""
    rgb = load_photo(path).rgb_float()
    return resize_long_side(rgb, long_side) if long_side else rgb


def load_set(files: list[Path], long_side: int) -> list[np.ndarray]:
    """Each photo as (H, W, 3) float32 RGB at ``long_side``."""
    return [load_rgb(p, long_side) for p in files]


def random_crops(images: list[np.ndarray], rng: np.random.Generator, batch: int, crop: int
                 ) -> np.ndarray:
    """(batch, crop, crop, 3) float32 random crops with random horizontal flips.

    Images smaller than ``crop`` on a side are enlarged first (bilinear).
    """
    out = np.empty((batch, crop, crop, 3), np.float32)
    for b in range(batch):
        img = images[rng.integers(len(images))]
        h, w = img.shape[:2]
        if min(h, w) < crop:
            s = crop / min(h, w)
            img = cv2.resize(img, (max(crop, round(w * s)), max(crop, round(h * s))))
            h, w = img.shape[:2]
        y, x = rng.integers(0, h - crop + 1), rng.integers(0, w - crop + 1)
        c = img[y:y + crop, x:x + crop]
        out[b] = c[:, ::-1] if rng.random() < 0.5 else c
    return out


def random_scaled_crops(images: list[np.ndarray], rng: np.random.Generator, batch: int, crop: int,
                        long_sides: tuple[int, int]) -> np.ndarray:
    """Like :func:`random_crops`, each photo first area-resized to a random long side in
    ``long_sides`` (scale augmentation around the working size; images cached larger)."""
    picks = []
    for _ in range(batch):
        img = images[rng.integers(len(images))]
        picks.append(resize_long_side(img, int(rng.integers(long_sides[0], long_sides[1] + 1))))
    return np.concatenate([random_crops([im], rng, 1, crop) for im in picks])


def augmented_crops(images: list[np.ndarray], rng: np.random.Generator, batch: int, crop: int,
                    long_sides: tuple[int, int], max_degrees: float, gamma: tuple[float, float]
                    ) -> np.ndarray:
    """Like :func:`random_scaled_crops`, each photo also turned by a random angle within
    ``±max_degrees`` (mirrored border) and given a random gamma, log-uniform in ``gamma``
    (the same colours exposed brighter or darker). Fights the memorising of the few training
    photos: a net that fits them closely still guesses confidently wrong colours elsewhere."""
    out = np.empty((batch, crop, crop, 3), np.float32)
    for b in range(batch):
        img = resize_long_side(images[rng.integers(len(images))],
                               int(rng.integers(long_sides[0], long_sides[1] + 1)))
        h, w = img.shape[:2]
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-max_degrees, max_degrees)), 1.0)
        img = cv2.warpAffine(img, turn, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
        g = float(np.exp(rng.uniform(np.log(gamma[0]), np.log(gamma[1]))))
        out[b] = np.clip(random_crops([img], rng, 1, crop)[0], 0, 1) ** g
    return out
