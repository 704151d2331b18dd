"""Run every tests/perf/bench_*.py against the seeded bench database; print one table.

Each module offers `run() -> list[dict]` with keys part, measure, value, unit, target, ok.
`make bench` seeds the organisation first (socialearn.embedded bench); run by hand with
DATABASE_URL pointing at an already seeded database.
"""

import importlib
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialearn.settings.dev")

import django  # noqa: E402

django.setup()


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 100 else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def main() -> int:
    rows: list[dict] = []
    failed = 0
    modules = sorted(p.stem for p in (ROOT / "tests" / "perf").glob("bench_*.py"))
    for name in modules:
        started = time.monotonic()
        try:
            module = importlib.import_module(f"tests.perf.{name}")
            rows.extend(module.run())
        except Exception:  # one broken bench must not hide the others' figures
            failed += 1
            traceback.print_exc()
            rows.append(
                {
                    "part": name.removeprefix("bench_"),
                    "measure": "bench crashed (traceback above)",
                    "value": "-",
                    "unit": "",
                    "target": "",
                    "ok": False,
                }
            )
        print(f"  {name}: {time.monotonic() - started:.1f}s", file=sys.stderr)
    headers = ["part", "measure", "value", "unit", "target", "ok"]
    table = [
        [
            str(r.get("part", "")),
            str(r.get("measure", "")),
            _format(r.get("value", "")),
            str(r.get("unit", "")),
            str(r.get("target", "")),
            "yes" if r.get("ok") else "NO",
        ]
        for r in rows
    ]
    widths = [
        max(len(h), *(len(row[i]) for row in table)) if table else len(h)
        for i, h in enumerate(headers)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print()
    print(line)
    print("  ".join("-" * w for w in widths))
    for row in table:
        cells = [
            c.rjust(w) if i == 2 else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells))
    misses = sum(1 for r in rows if not r.get("ok"))
    print(f"\n{len(rows)} figures, {misses} off target, {failed} benches crashed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
