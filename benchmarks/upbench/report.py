"""Issue 6's and issue 12's targets, and the tables printed from a run's JSON: the rows,
then the cost as the work grows, the speed-up from one thread, and float64 beside float32."""

from __future__ import annotations

from typing import Any

from .timing import spread

OTHERS_WARN = 0.1  # warn when other processes used more than this share of the CPUs
SPREAD_WARN = 1.5  # star a ratio when a side's upper quartile exceeds its lower by this factor
LINEAR_WARN = 1.15  # flag a family whose time per unit of work varies by more than this

# Targets, shown as flags in the table (never asserted).
TARGET_MATMUL_RATIO = 1.0  # conv, conv_transpose: at most torch's time
TARGET_MEMORY_RATIO = 0.5  # memory-bound ops: at most half torch's default time ...
TARGET_MEMORY_RATIO_THP = 1.0  # ... and at most torch's time with THP
TARGET_BANDWIDTH = 0.4  # memory-bound forward: at least 40% of copy bandwidth
TARGET_MEMORY = 2.0  # peak extra memory at most 2x inputs + outputs
TARGET_IMPORT_S = 0.1  # issue 12: import upsample in at most 100 ms
TARGET_JIT_COLD_S = 3.0
TARGET_JIT_WARM_S = 0.3


def flag_targets(row: dict[str, Any]) -> dict[str, bool]:
    """Which of issue 6's targets this row meets (only the targets that apply)."""
    if row.get("status") != "ok":
        return {}
    flags = {"memory": row["memory"]["peak_extra_over_io"] <= TARGET_MEMORY}
    if row["bound"] == "matmul":
        flags["ratio"] = row["ratio"] <= TARGET_MATMUL_RATIO
    else:
        flags["ratio"] = row["ratio"] <= TARGET_MEMORY_RATIO
        if "ratio_thp" in row:
            flags["ratio_thp"] = row["ratio_thp"] <= TARGET_MEMORY_RATIO_THP
        if row["pass"] == "forward":
            flags["bandwidth"] = row["achieved"]["fraction_of_limit"] >= TARGET_BANDWIDTH
    return flags


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.2f}"


def _noisy(row: dict[str, Any], *keys: str) -> str:
    """A star after a ratio whose two sides had widely spread runs."""
    spreads = [spread(row.get(f"{key}_runs")) for key in keys]
    return "*" if any(s is not None and s > SPREAD_WARN for s in spreads) else ""


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def format_table(result: dict[str, Any]) -> str:
    meta, limits = result["meta"], result["limits"]
    blas = [lib for lib in result["blas"] if lib.get("user_api") == "blas"]
    lines = [
        f"upsample vs torch {meta.get('torch')} CPU, float32, {meta['threading']['threads']} threads, "
        f"median of {meta['repeat']} (warm-up {meta['warmup']}), scale {meta['scale']}"
        + (" quick" if meta["quick"] else ""),
        f"cpu: {meta.get('cpu')} x{meta.get('cpu_count')}; other processes' share of the CPUs during "
        f"the run: "
        + ("?" if meta.get("other_processes_cpu") is None else f"{meta['other_processes_cpu']:.0%}"),
        "env: " + ", ".join(f"{k}={v}" for k, v in meta["env"].items() if v is not None),
        "BLAS: "
        + "; ".join(
            f"{b.get('internal_api')} {b.get('version')} kernel {b.get('architecture')} "
            f"threads {b.get('num_threads')}"
            for b in blas
        ),
        f"limits: copy {limits['copy']['gbps']:.1f} GB/s ({limits['copy']['method']}; "
        + ", ".join(f"{k} {v:.1f}" for k, v in limits["copy"]["by_method"].items())
        + f"); matmul {limits['matmul']['gflops']:.0f} GFLOP/s numpy"
        + (f", {limits['matmul']['torch_gflops']:.0f} torch" if limits["matmul"].get("torch_gflops") else "")
        + f" at {limits['matmul']['shape']}",
    ]
    startup = result.get("startup", {})
    if startup:
        imp = startup["import"]
        jit = startup["jit"]
        jit_text = (
            jit
            if isinstance(jit, str)
            else (
                f"cold max {jit['cold']['max_first_call_s']:.2f} s ({jit['cold']['max_first_call_case']}), "
                f"total {jit['cold']['total_first_calls_s']:.2f} s; warm max {jit['warm']['max_first_call_s']:.2f} s, "
                f"total {jit['warm']['total_first_calls_s']:.2f} s; numba at import: {jit['numba_at_import']}"
            )
        )
        lines.append(
            f"import upsample: {imp['after_numpy_s'] * 1e3:.0f} ms after numpy, "
            f"{imp['total_s'] * 1e3:.0f} ms in total"
            + (f" (NumPy alone {imp['numpy_s'] * 1e3:.0f} ms)" if "numpy_s" in imp else "")
            + "; heavy modules at import: "
            f"{imp['heavy_modules_imported'] or 'none'}; JIT: {jit_text}"
        )
        missed = startup_targets_missed(startup)
        lines.append(
            f"start-up targets (import <= {TARGET_IMPORT_S:g} s in total, no compiling at import, JIT first "
            "call <= 3 s cold and <= 0.3 s warm): " + (", ".join(missed) or "met")
        )
    others = meta.get("other_processes_cpu")
    if others is not None and others > OTHERS_WARN:
        lines.append(
            f"WARNING: other processes used {others:.0%} of the machine's CPU time during this "
            "run: multi-threaded times (torch's especially) are inflated and noisy; rerun on a "
            "quiet machine before trusting the ratios"
        )
    header = (
        f"{'case':<26} {'pass':<8} {'upsample':>9} {'torch':>9} {'ratio':>7} {'thp':>9} "
        f"{'r/thp':>7} {'achieved':>15} {'limit':>6} {'mem':>6} {'det':>3} {'diff':>8}  targets missed"
    )
    lines += [
        "",
        "times in ms; ratio = upsample / torch (lower is better); thp = torch with "
        "THP_MEM_ALLOC_ENABLE=1; achieved = upsample's GB/s or GFLOP/s; limit = its fraction "
        "of copy bandwidth or matmul peak; mem = peak extra memory / (inputs + outputs); "
        f"* = the runs of one side spread widely (upper quartile > {SPREAD_WARN}x lower), see *_runs "
        "in the JSON",
        header,
        "-" * len(header),
    ]
    for row in result["cases"]:
        short = "fwd" if row["pass"] == "forward" else "fwd+bwd"
        if row.get("status") != "ok":
            lines.append(
                f"{row['case']:<26} {short:<8} {row['status']:>9} {_ms(row.get('torch_s')):>9} "
                f"{'':>7} {_ms(row.get('torch_thp_s')):>9}   {row.get('reason', '')[:60]}"
            )
            continue
        ach = row["achieved"]
        missed = [k for k, ok in row["targets"].items() if ok is False]
        lines.append(
            f"{row['case']:<26} {short:<8} {_ms(row['upsample_s']):>9} {_ms(row['torch_s']):>9} "
            f"{_x(row['ratio']) + _noisy(row, 'upsample', 'torch'):>7} {_ms(row.get('torch_thp_s')):>9} "
            f"{_x(row.get('ratio_thp')) + _noisy(row, 'upsample', 'torch_thp'):>7} "
            f"{ach['value']:>7.1f} {ach['unit']:<7} {ach['fraction_of_limit']:>6.0%} "
            f"{row['memory']['peak_extra_over_io']:>5.2f}x {'yes' if row['deterministic'] else 'NO':>3} "
            f"{_diff(row['max_rel_diff_vs_torch']):>8}  {', '.join(missed) or '-'}"
        )
    lines += variant_lines(result["cases"])
    variants = [
        f"{row['case']} {row['pass']}: {row['torch_variant']}"
        for row in result["cases"]
        if "torch_variants_s" in row
    ]
    if variants:
        lines += ["", "torch baseline chosen among equivalents (fastest): " + "; ".join(variants)]
    return "\n".join(lines)


def growth(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per family: upsample's and torch's seconds per unit of work at each size, and the
    spread of upsample's (largest over smallest; 1.0 is exactly linear)."""
    families: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("family") and row.get("status") == "ok":
            families.setdefault(row["family"], []).append(row)
    result = {}
    for family, members in families.items():
        members.sort(key=lambda r: r["work_units"])
        per_unit = [r["upsample_s"] / r["work_units"] for r in members]
        result[family] = {
            "work_units": [r["work_units"] for r in members],
            "upsample_s_per_unit": per_unit,
            "torch_s_per_unit": [r["torch_s"] / r["work_units"] for r in members],
            "ratios": [r["ratio"] for r in members],
            "nonlinearity": max(per_unit) / min(per_unit),
        }
    return result


def compared(rows: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    """Rows that vary ``field`` (threads, dtype or out) of a base row, beside that row."""
    by_key = {(r["case"], r["pass"]): r for r in rows if r.get("status") == "ok"}
    pairs = []
    for row in rows:
        base = by_key.get((row.get("base"), row["pass"]))
        if row.get("status") != "ok" or base is None or row.get(field) == base.get(field):
            continue
        pairs.append(
            {
                "case": row["case"],
                "base": base["case"],
                "pass": row["pass"],
                "upsample": row["upsample_s"] / base["upsample_s"],
                "torch": row["torch_s"] / base["torch_s"],
                "ratio": row["ratio"],
                "base_ratio": base["ratio"],
            }
        )
    return pairs


def variant_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The tables of issue 12's variants: growth, threads, float64, out=."""
    lines = []
    families = growth(rows)
    if families:
        lines += [
            "",
            "cost as the work grows (batch 1, 2, 4, 8; ms per sample, upsample / torch; "
            f"nonlinear = largest over smallest per-sample time, flagged above {LINEAR_WARN}x):",
        ]
        for family, g in families.items():
            steps = "  ".join(
                f"n{w}: {_ms(u)}/{_ms(t)}"
                for w, u, t in zip(g["work_units"], g["upsample_s_per_unit"], g["torch_s_per_unit"])
            )
            flag = "  NONLINEAR" if g["nonlinearity"] > LINEAR_WARN else ""
            lines.append(f"  {family:<26} {steps}  nonlinear {g['nonlinearity']:.2f}x{flag}")
    titles = {
        "threads": "one thread against the run's threads (time at 1 thread / time at the run's; "
        "the speed-up from the extra threads)",
        "dtype": "float64 beside float32 (time in float64 / time in float32)",
        "out": "out= (a caller's buffer) against a fresh output (time with out= / without)",
    }
    for field, title in titles.items():
        pairs = compared(rows, field)
        if pairs:
            lines += ["", title + ":"]
            lines += [
                f"  {p['case']:<34} upsample {p['upsample']:.2f}x  torch {p['torch']:.2f}x  "
                f"ratio vs torch {p['ratio']:.2f}x (base {p['base_ratio']:.2f}x)"
                for p in pairs
            ]
    return lines


def startup_targets_missed(startup: dict[str, Any]) -> list[str]:
    """Issue 6's start-up targets that this run missed."""
    missed = []
    if startup["import"]["total_s"] > TARGET_IMPORT_S:
        missed.append("import time")
    if "numba" in startup["import"]["heavy_modules_imported"]:
        missed.append("numba imported at import")
    jit = startup["jit"]
    if isinstance(jit, dict):
        if (
            jit["cold"]["max_first_call_s"] is not None
            and jit["cold"]["max_first_call_s"] > TARGET_JIT_COLD_S
        ):
            missed.append(f"cold first call ({jit['cold']['max_first_call_case']})")
        if (
            jit["warm"]["max_first_call_s"] is not None
            and jit["warm"]["max_first_call_s"] > TARGET_JIT_WARM_S
        ):
            missed.append(f"warm first call ({jit['warm']['max_first_call_case']})")
    elif jit != "no JIT":
        missed.append("JIT probe failed")
    return missed


def _diff(value: float | None) -> str:
    return "shape?" if value is None else f"{value:.1e}"


def format_both(result: dict[str, Any]) -> str:
    runs = {k: v for k, v in result["runs"].items() if k != "note"}
    lines = []
    for label, run_result in runs.items():
        lines += [f"=== {label}", format_table(run_result), ""]
    lines.append(
        "ratios side by side: cpu_kernel = OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset, env_kernel = as set"
    )
    lines.append(
        f"{'case':<26} {'pass':<8} {'cpu_kernel':>10} {'env_kernel':>10} {'cpu r/thp':>10} {'env r/thp':>10}"
    )
    by_label = {label: {(r["case"], r["pass"]): r for r in run["cases"]} for label, run in runs.items()}
    for key in by_label["cpu_kernel"]:
        cpu, env = by_label["cpu_kernel"][key], by_label["env_kernel"].get(key, {})
        lines.append(
            f"{key[0]:<26} {'fwd' if key[1] == 'forward' else 'fwd+bwd':<8} "
            f"{_x(cpu.get('ratio')):>10} {_x(env.get('ratio')):>10} "
            f"{_x(cpu.get('ratio_thp')):>10} {_x(env.get('ratio_thp')):>10}"
        )
    kernels = {
        label: [b.get("architecture") for b in run["blas"] if b.get("user_api") == "blas"]
        for label, run in runs.items()
    }
    lines.append(f"BLAS kernels: {kernels}")
    return "\n".join(lines)


def markdown_both(result: dict[str, Any]) -> str:
    """The README's speed table from a ``--both-blas`` run: per case and pass, the ratio on
    the CPU's own BLAS kernel / on the kernel the environment selects, the ratio against
    torch with THP (CPU kernel), and what the CPU-kernel run achieved."""
    runs = result["runs"]
    env = {(r["case"], r["pass"]): r for r in runs["env_kernel"]["cases"]}
    lines = [
        "| case | pass | ratio (cpu / env kernel) | vs THP | achieved | limit |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in runs["cpu_kernel"]["cases"]:
        if row.get("status") != "ok" or row.get("family") or row.get("base"):
            continue  # growth, thread, dtype and out= rows are reported apart
        other = env.get((row["case"], row["pass"]), {})
        achieved = row.get("achieved") or {}
        value = achieved.get("value")
        fraction = achieved.get("fraction_of_limit")
        lines.append(
            f"| {row['case']} | {'fwd' if row['pass'] == 'forward' else 'fwd+bwd'} "
            f"| {_x(row.get('ratio'))}{_noisy(row, 'upsample', 'torch')} / "
            f"{_x(other.get('ratio'))}{_noisy(other, 'upsample', 'torch') if other else ''} "
            f"| {_x(row.get('ratio_thp'))} "
            f"| {'' if value is None else f'{value:.1f} ' + achieved['unit']} "
            f"| {'' if fraction is None else f'{100 * fraction:.0f}%'} |"
        )
    return "\n".join(lines)
