"""Markdown tables of benchmark results (what `colorstudio bench` prints)."""
from __future__ import annotations

import math

from colorstudio.bench.runner import BenchResult

_COLUMNS = [("chroma_psnr", "chroma PSNR (dB)", 2), ("rgb_psnr", "RGB PSNR (dB)", 2),
            ("ssim", "SSIM", 4), ("cycle_psnr", "cycle PSNR (dB)", 2),
            ("seconds", "seconds", 3), ("peak_mb", "peak MB", 0)]


def _fmt(value, digits: int) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}"


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    align = ["---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _best(result: BenchResult, prefix: str, metric: str) -> str | None:
    """The method with the best mean among those scored on every case (a mean over fewer
    cases is over other inputs, not comparable)."""
    n = count_cases(result, prefix)
    scores = {m: result.mean(m, metric, prefix) for m in result.methods()
              if result.scored_cases(m, metric, prefix) == n}
    scores = {m: v for m, v in scores.items() if math.isfinite(v)}
    return max(scores, key=scores.get) if scores else None


def summary_table(result: BenchResult, group_prefix: str = "") -> str:
    """Methods x metrics, means over the cases whose group starts with ``group_prefix``.
    The best chroma PSNR is in bold; a method that failed on some cases says on how many
    it was scored and is never bold."""
    best = _best(result, group_prefix, "chroma_psnr")
    n = count_cases(result, group_prefix)
    rows = []
    for m in result.methods():
        cells = [_fmt(result.mean(m, key, group_prefix), d) for key, _, d in _COLUMNS]
        scored = result.scored_cases(m, "chroma_psnr", group_prefix)
        if m == best:
            cells[0] = f"**{cells[0]}**"
        elif 0 < scored < n:
            cells[0] += f" ({scored} of {n} cases)"
        rows.append([m] + cells)
    return _markdown(["method"] + [title for _, title, _ in _COLUMNS], rows)


def by_group_table(result: BenchResult, metric: str = "chroma_psnr", digits: int = 2) -> str:
    """Methods x case groups for one metric."""
    groups = result.groups()
    rows = [[m] + [_fmt(result.mean(m, metric, g), digits) for g in groups] for m in result.methods()]
    return _markdown(["method"] + groups, rows)


def count_cases(result: BenchResult, prefix: str) -> int:
    return len({r["case"] for r in result.records if r["group"].startswith(prefix)})


def report(result: BenchResult) -> str:
    """The full printed report: per-source summaries, chroma PSNR per group, errors."""
    parts = []
    for prefix, title in (("motorcycle", "Motorcycle (Middlebury 2014), both directions"),
                          ("photos", "Synthesized pairs from photos")):
        n = count_cases(result, prefix)
        if n:
            parts.append(f"### {title} — mean over {n} cases\n\n" + summary_table(result, prefix)
                         + _seen_note(result, prefix))
    parts.append("### Chroma PSNR (dB) per case group\n\n" + by_group_table(result))
    errors = [r for r in result.records if r.get("error")]
    if errors:
        parts.append("### Errors\n\n" + "\n".join(f"- {r['method']} on {r['case']}: {r['error']}"
                                                  for r in errors))
    parts.append("Chroma PSNR: Cb/Cr vs the gray view's true colour. RGB PSNR / SSIM: prediction "
                 "and truth both composed on the gray's own luma. Cycle PSNR: the reference "
                 "colorized back from the result, vs the reference's own chroma. Seconds and "
                 "peak MB (RSS above the start) for the forward pass only.")
    return "\n\n".join(parts)


def _seen_note(result: BenchResult, prefix: str) -> str:
    """A line naming each learned method that was trained on some of these cases' photos."""
    seen: dict[str, set] = {}
    for r in result.records:
        if r["group"].startswith(prefix) and r.get("seen_in_training"):
            seen.setdefault(r["method"], set()).add(r["case"])
    return "".join(f"\n\n{m} was trained on the photos of {len(c)} of these {count_cases(result, prefix)} cases."
                   for m, c in seen.items())


def speed_table(records: list[dict]) -> str:
    """Methods x sizes: seconds, extra peak RSS, total peak RSS, ratios to dis+gf."""
    rows = []
    for r in records:
        if "error" in r:
            rows.append([r["method"], f"{r.get('target_megapixels', r.get('megapixels'))}", "error: " + r["error"],
                         "", "", "", ""])
            continue
        rows.append([r["method"], f"{r['megapixels']:.1f} ({r['size'][0]}x{r['size'][1]})",
                     _fmt(r["seconds"], 3), _fmt(r.get("extra_mb"), 0), _fmt(r.get("peak_rss_mb"), 0),
                     _fmt(r.get("seconds_ratio"), 2), _fmt(r.get("extra_ratio"), 2)])
    return _markdown(["method", "MP (size)", "seconds", "extra peak MB", "process peak RSS MB",
                      "time / dis+gf", "extra MB / dis+gf"], rows)
