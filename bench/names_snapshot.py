"""Name index at process start: reading the register afresh against loading the data
dir's snapshot (names/snapshot.py), on a synthetic register (docs/BENCHMARKS.md).

    .venv/bin/python bench/names_snapshot.py --size 1000000

Each phase runs in a fresh child process, so times and peak RSS (VmHWM) are its own:

1. ``build``: ``yilian.registry.synthetic.generate(size, 7)`` streamed into
   :func:`yilian.names.index.build` (no database: the figure is the index's own work, the
   part a snapshot saves; reading 10 M rows from a database comes on top), then
   :func:`yilian.names.snapshot.save`; records the answers to a fixed set of probes.
2. ``load``: :func:`yilian.names.snapshot.load` with the file in the page cache (a
   restart on a machine that just wrote or read it), then again after
   ``posix_fadvise(DONTNEED)`` has dropped the file's pages (a cold start, read from
   disk); checks the loaded index gives the same answers as the built one.

With ``--python-hash`` the build also runs once with Python's per-process ``hash`` as
the key hash (the index before snapshots), to show what the stable hash costs.
Results go to bench/results/names-snapshot-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SEED = 7
PROBES = 400


def _setup() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yilian.settings")
    import django

    django.setup()


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def probes(built) -> list[tuple[str, str]]:
    """Existing names (each clashes at least with itself) and the same with a changed
    trade-name character (mostly clean), spread over the register."""
    rng = random.Random(SEED)
    out = []
    for _ in range(PROBES // 2):
        entry = built.entry(rng.randrange(len(built)))
        out.append((entry.name, entry.authority + "02"))
        out.append((entry.name.replace(entry.name[2], "璟", 1), entry.authority + "02"))
    return out


def answers(built, names) -> list[list[tuple[str, str]]]:
    return [[(c.rule, c.uscc) for c in built.conflicts(n, d)] for n, d in names]


def child_build(size: int, file: Path, python_hash: bool) -> dict:
    _setup()
    from yilian.names import index, snapshot
    from yilian.registry import synthetic

    if python_hash:
        index._hash = lambda key: hash(key) & index._HASH_MASK
    start, cpu = time.perf_counter(), time.process_time()
    built = index.build((r["name"], r["uscc"], r["division_code"], r["industry_code"])
                        for r in synthetic.generate(size, SEED))
    result = {"build_s": time.perf_counter() - start, "build_cpu_s": time.process_time() - cpu,
              "build_peak_rss_mb": peak_rss_mb()}
    if python_hash:
        return result
    stamp = snapshot.Stamp(mark=size, rows=size, last_uscc="", database="bench")
    start = time.perf_counter()
    snapshot.save(built, stamp, file)
    result.update(save_s=time.perf_counter() - start, file_mb=file.stat().st_size / 2**20)
    names = probes(built)
    result["probes"] = names
    result["answers"] = answers(built, names)
    return result


def child_load(file: Path, cold: bool) -> dict:
    _setup()
    from yilian.names import snapshot

    if cold:
        with file.open("rb") as f:
            os.fsync(f.fileno())
            os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    start, cpu = time.perf_counter(), time.process_time()
    loaded = snapshot.load(file)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if loaded is None:
        raise SystemExit("the snapshot did not load")
    built, _ = loaded
    return {"load_s": seconds, "load_cpu_s": cpu, "load_peak_rss_mb": peak_rss_mb(),
            "names": len(built),
            "index": built}


def run_child(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE,
                          text=True)
    if proc.returncode:
        sys.exit(f"child {args} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--python-hash", action="store_true")
    parser.add_argument("--dir", default="", help="where the snapshot file goes (a temp dir)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        phase, *rest = args.child
        if phase == "build":
            out = child_build(int(rest[0]), Path(rest[1]), rest[2] == "1")
        else:
            out = child_load(Path(rest[0]), rest[1] == "1")
            built = out.pop("index")
            expected = json.loads(Path(rest[2]).read_text())
            got = answers(built, [tuple(p) for p in expected["probes"]])
            out["same_answers"] = got == [[tuple(c) for c in a] for a in expected["answers"]]
            out["probes_with_hits"] = sum(bool(a) for a in got)
        print(json.dumps(out), flush=True)
        return
    print(f"machine load average at start: {os.getloadavg()[0]:.2f} "
          f"({os.cpu_count()} cores)", flush=True)
    workdir = Path(args.dir or tempfile.mkdtemp(prefix="yl-snap-"))
    file = workdir / "names-index.bin"
    expected = workdir / "expected.json"
    result: dict = {"size": args.size, "seed": SEED}
    built = run_child("build", str(args.size), str(file), "0")
    expected.write_text(json.dumps({"probes": built.pop("probes"),
                                    "answers": built.pop("answers")}))
    result["build"] = built
    print(f"build {built['build_s']:.1f} s ({built['build_cpu_s']:.1f} s CPU, peak "
          f"{built['build_peak_rss_mb']:.0f} MB), save {built['save_s']:.1f} s, "
          f"file {built['file_mb']:.0f} MB", flush=True)
    for cold in (False, True):
        loaded = run_child("load", str(file), "1" if cold else "0", str(expected))
        result["load_cold" if cold else "load_warm"] = loaded
        print(f"load ({'file dropped from the page cache' if cold else 'file in page cache'})"
              f" {loaded['load_s']:.2f} s ({loaded['load_cpu_s']:.2f} s CPU, peak "
              f"{loaded['load_peak_rss_mb']:.0f} MB), "
              f"same answers on {PROBES} probes: {loaded['same_answers']} "
              f"({loaded['probes_with_hits']} with conflicts)", flush=True)
    if args.python_hash:
        other = run_child("build", str(args.size), str(file), "1")
        result["build_python_hash"] = other
        print(f"build with Python's hash (no snapshot possible) {other['build_s']:.1f} s "
              f"({other['build_cpu_s']:.1f} s CPU)", flush=True)
    result["speedup"] = built["build_s"] / result["load_cold"]["load_s"]
    print(f"load from disk is {result['speedup']:.0f}x faster than the build")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"names-snapshot-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"command": " ".join(sys.argv), "result": result}, indent=2))
    print(f"results: {out}")
    file.unlink()
    expected.unlink()


if __name__ == "__main__":
    main()
