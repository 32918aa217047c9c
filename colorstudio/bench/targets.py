"""The issues' numbers as checks a benchmark run fails on, one line each: a run that misses
them exits 1, not 0 (a benchmark that cannot fail shows nothing). Quick runs (tests, tiny
sizes) print what they miss and pass: the targets are judged on full runs. The 12 MP
end-to-end run has its own (:func:`colorstudio.bench.end_to_end.failures`)."""
from __future__ import annotations

import sys

STEREO_MARGIN_DB = 2.0        # cyclecnn over the best classic method, every Motorcycle cell (issue #3)
STEREO_1MP_SECONDS = 1.0      # cyclecnn on a 1 MP pair (issue #3)
CROSSCAM_GAIN_DB = 1.5        # ccdc over dis+gf on the bicubic-upsampled shot, every group (issue #5)
CROSSCAM_12MP_SECONDS = 8.0   # ccdc: a 12 MP gray with a 4x smaller colour shot (issue #5)
MAX_RSS_MB = 3072             # 3 GB (issues #3 and #5)


def stereo_misses(rows: list[dict]) -> list[str]:
    """Motorcycle cells (benchmarks/stereo_motorcycle.py rows) below the +2 dB margin."""
    return [f"{r['case']}: cyclecnn {r['margin_db']:+.2f} dB over the best classic method, under "
            f"+{STEREO_MARGIN_DB:g} dB" for r in rows if r.get("margin_db") is not None
            and r["margin_db"] < STEREO_MARGIN_DB]


def speed_misses(records: list[dict]) -> list[str]:
    """`colorstudio bench --speed` records above the Cycle CNN's 1 MP time."""
    return [f"cyclecnn: a 1 MP pair in {r['seconds']:.2f} s, above {STEREO_1MP_SECONDS:g} s" for r in records
            if r.get("method") == "cyclecnn" and r.get("target_megapixels") == 1.0 and "seconds" in r
            and r["seconds"] > STEREO_1MP_SECONDS]


def crosscam_misses(summary: dict, speed: dict | None) -> list[str]:
    """colorstudio.bench.crosscam's groups below the +1.5 dB gain, and its 12 MP run (if made)
    above 8 s or 3 GB, or failed."""
    out = [f"{group}: ccdc {g['gain_db']:+.2f} dB over dis+gf, under +{CROSSCAM_GAIN_DB:g} dB"
           for group, g in summary.items() if g["gain_db"] < CROSSCAM_GAIN_DB]
    if speed is not None and "error" in speed:
        out.append(f"12 MP run: {speed['error']}")
    elif speed is not None:
        if speed["seconds"] > CROSSCAM_12MP_SECONDS:
            out.append(f"12 MP run: {speed['seconds']:.2f} s, above {CROSSCAM_12MP_SECONDS:g} s")
        if speed["peak_rss_mb"] > MAX_RSS_MB:
            out.append(f"12 MP run: peak RSS {speed['peak_rss_mb']:.0f} MB, above {MAX_RSS_MB} MB")
    return out


def exit_code(misses: list[str], quick: bool = False) -> int:
    """Says each missed target on stderr; 1 if any (0 for a quick run, which only says them)."""
    for line in misses:
        print(f"target missed: {line}", file=sys.stderr)
    if misses and quick:
        print("(a quick run: the targets are judged on a full run)", file=sys.stderr)
    return 1 if misses and not quick else 0
