"""Name-check benchmark (名称比对): the compact conflict index against a brute-force
RapidFuzz scan and PostgreSQL pg_trgm, on synthetic registers (docs/BENCHMARKS.md).

    .venv/bin/python bench/names.py --sizes 100000,1000000
    .venv/bin/python bench/names.py --sizes 10000000 --no-pg --brute-probes 5
    .venv/bin/python bench/names.py --write-labelled   # regenerate bench/names_labelled.csv

Each size runs in a fresh child process, so its peak RSS (VmHWM) is the index's alone:
the register is ``yilian.registry.synthetic.generate(size, seed)`` streamed straight
into :func:`yilian.names.index.build` (no database). Then, per method:

- latency p50/p99 of one check over the probes (half clash with a random existing
  name, half are clean 4-character 字号);
- recall (clashing names flagged) and false alarms (clean names flagged) on the labelled
  set bench/names_labelled.csv, derived from the first rows of the seed-7 register, which
  every size contains (``generate`` is a prefix-stable stream).

The brute-force scan compares the probe with every name under the same authority by
RapidFuzz ``fuzz.ratio`` (flag at >= 85: one character of ten changed); pg_trgm flags at
``similarity() >= 0.5`` via ``%`` on a GIN trigram index (the same edit scores 0.57).
Both are slow, so they run on a sample of the probes (said in the output). Results go
to bench/results/names-<time>.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "bench" / "names_labelled.csv"
RESULTS = ROOT / "bench" / "results"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/yilian_names_bench"
SEED = 7
FUZZ_CUTOFF = 85
TRGM_THRESHOLD = 0.5
OTHER_AUTHORITY = ("烟台", "370602")  # the synthetic register is all Weihai (3710)


def _setup() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yilian.settings")


def peak_rss_mb() -> float:
    """VmHWM of this process: the peak resident set, which the build determines."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


# --- probes: names that clash with an existing one, by kind, and clean ones -----------


class Maker:
    """Derives proposed names from existing ones, one function per kind of clash, and
    clean names with a 4-character 字号 (the generator makes only 2 and 3)."""

    def __init__(self, rng: random.Random) -> None:
        from yilian.names import similarity
        from yilian.registry import synthetic

        self.rng = rng
        self.similarity = similarity
        common = [bytes([hi, lo]).decode("gb2312") for hi in range(0xB0, 0xD8)
                  for lo in range(0xA1, 0xFF) if not (hi == 0xD7 and lo > 0xF9)]
        self.trade_chars = set(synthetic.TRADE_CHARS)
        self.homophones: dict[str, list[str]] = {}
        by_sound: dict[str, list[str]] = {}
        for char in common:
            by_sound.setdefault(similarity.pinyin(char), []).append(char)
        for char in synthetic.TRADE_CHARS:
            self.homophones[char] = [c for c in by_sound.get(similarity.pinyin(char), [])
                                     if c != char and similarity.simplified(c) == c]
        self.fresh = [c for c in common if c not in self.trade_chars][:1500]
        self.industries = [words for words, _ in synthetic.INDUSTRIES]

    def parts(self, name: str):
        from yilian.names.parse import parse

        return parse(name)

    def clash(self, name: str, kind: str) -> str | None:
        p = self.parts(name)
        division, trade, industry, form = p.division, p.trade_name, p.industry, p.org_form
        if kind == "identical":
            return name
        if kind == "variant":
            from opencc import OpenCC

            traditional = OpenCC("s2t").convert(trade)
            return f"{division}{traditional}{industry}{form}" if traditional != trade else None
        if kind == "identical_core":
            choice = self.rng.choice(["form", "brackets", "division"])
            if choice == "form":
                other = "有限责任公司" if form != "有限责任公司" else "有限公司"
                return f"{division}{trade}{industry}{other}"
            if choice == "brackets":
                return f"{trade}{industry}（{division}）{form}"
            other = "荣成" if division != "荣成" else "乳山"
            return f"{other}{trade}{industry}{form}"
        if kind == "same_trade_name_same_industry":
            mine = self.similarity.industry_divisions(industry)
            others = [w for w in self.industries if w != industry
                      and self.similarity.industry_divisions(w) & mine]
            return f"{division}{trade}{self.rng.choice(others)}{form}" if others else None
        if kind == "homophone":
            at = [i for i, c in enumerate(trade) if self.homophones.get(c)]
            if not at:
                return None
            i = self.rng.choice(at)
            new = trade[:i] + self.rng.choice(self.homophones[trade[i]]) + trade[i + 1:]
            return f"{division}{new}{industry}{form}"
        raise ValueError(kind)

    def new_trade(self, length: int = 4) -> str:
        while True:
            trade = "".join(self.rng.sample(self.fresh, length))
            try:
                if self.parts(f"威海{trade}科技有限公司").trade_name == trade:
                    return trade
            except ValueError:
                continue

    def clean(self, name: str, kind: str) -> str:
        p = self.parts(name)
        if kind == "new_trade_name":
            return f"{p.division}{self.new_trade()}{self.rng.choice(self.industries)}{p.org_form}"
        if kind == "longer_trade_name":
            return f"{p.division}{p.trade_name}{self.new_trade(2)}{p.industry}{p.org_form}"
        if kind == "other_authority":
            return f"{OTHER_AUTHORITY[0]}{p.trade_name}{p.industry}{p.org_form}"
        raise ValueError(kind)


CLASH_KINDS = ["identical", "variant", "identical_core", "same_trade_name_same_industry",
               "homophone"]
CLEAN_KINDS = ["new_trade_name", "longer_trade_name", "other_authority"]


def write_labelled(per_kind_clash: int = 45, per_kind_clean: int = 70) -> None:
    """The labelled set, by construction from the first 2 000 rows of the seed-7
    register; each clash names the existing row it clashes with."""
    from yilian.registry import synthetic

    rows = list(synthetic.generate(2000, SEED))
    rng = random.Random(2026)
    maker = Maker(rng)
    out = []
    order = list(range(len(rows)))
    rng.shuffle(order)
    picks = iter(order)
    for kind in CLASH_KINDS:
        made = 0
        while made < per_kind_clash:
            row = rows[next(picks)]
            name = maker.clash(row["name"], kind)
            if name:
                out.append([name, row["division_code"], "yes", kind, row["name"]])
                made += 1
    for kind in CLEAN_KINDS:
        for _ in range(per_kind_clean):
            row = rows[next(picks)]
            division = OTHER_AUTHORITY[1] if kind == "other_authority" else row["division_code"]
            out.append([maker.clean(row["name"], kind), division, "no", kind, ""])
    with LABELLED.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "division", "clash", "kind", "clashes_with"])
        writer.writerows(out)
    print(f"wrote {len(out)} labelled names to {LABELLED}")


def read_labelled() -> list[dict]:
    with LABELLED.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --- the child: one size -------------------------------------------------------------


def run_size(size: int, args) -> dict:
    import django

    django.setup()
    from yilian.names import index
    from yilian.registry import synthetic

    result: dict = {"size": size, "seed": SEED}
    rss0 = peak_rss_mb()
    start = time.perf_counter()
    built = index.build((r["name"], r["uscc"], r["division_code"], r["industry_code"])
                        for r in synthetic.generate(size, SEED))
    result["build_s"] = time.perf_counter() - start
    result["build_us_per_name"] = result["build_s"] / size * 1e6
    result["peak_rss_mb"] = peak_rss_mb()
    result["baseline_rss_mb"] = rss0
    sample = min(size, 20_000)
    start = time.perf_counter()
    for _ in synthetic.generate(sample, SEED):
        pass
    result["generate_us_per_name"] = (time.perf_counter() - start) / sample * 1e6

    rng = random.Random(SEED + size)
    maker = Maker(rng)
    probes: list[tuple[str, str, bool]] = []
    while len(probes) < args.probes // 2:
        entry = built.entry(rng.randrange(size))
        name = maker.clash(entry.name, rng.choice(CLASH_KINDS))
        if name:
            probes.append((name, entry.authority + "02", True))
    while len(probes) < args.probes:
        entry = built.entry(rng.randrange(size))
        probes.append((maker.clean(entry.name, "new_trade_name"), entry.authority + "02", False))
    rng.shuffle(probes)
    labelled = read_labelled()

    def measure(method: str, check, n_latency: int, n_recall: int) -> dict:
        latencies, conflicts = [], []
        for name, division, clash in probes[:n_latency]:
            t = time.perf_counter()
            hits = check(name, division)
            latencies.append((time.perf_counter() - t) * 1000)
            if clash:
                conflicts.append(hits)
        step = max(1, len(labelled) // n_recall) if n_recall < len(labelled) else 1
        chosen = labelled[::step]
        tp = fp = pos = neg = 0
        misses: dict[str, int] = {}
        for row in chosen:
            flagged = check(row["name"], row["division"]) > 0
            if row["clash"] == "yes":
                pos += 1
                tp += flagged
                if not flagged:
                    misses[row["kind"]] = misses.get(row["kind"], 0) + 1
            else:
                neg += 1
                fp += flagged
        figures = {
            "latency_probes": len(latencies), "p50_ms": percentile(latencies, 50),
            "p99_ms": percentile(latencies, 99), "mean_ms": statistics.fmean(latencies),
            "labelled_checked": len(chosen), "recall": tp / pos if pos else None,
            "false_alarm_rate": fp / neg if neg else None, "missed_by_kind": misses,
            "mean_hits_on_clashing_probes": statistics.fmean(conflicts) if conflicts else 0,
        }
        print(f"  {size:>10,} {method:<10} p50 {figures['p50_ms']:9.3f} ms  p99 "
              f"{figures['p99_ms']:9.3f} ms  recall {figures['recall']:.3f}  false alarms "
              f"{figures['false_alarm_rate']:.3f}  ({len(latencies)} probes)", flush=True)
        return figures

    result["index"] = measure("index", lambda n, d: len(built.conflicts(n, d)),
                              len(probes), len(labelled))
    result["index"]["peak_rss_mb"] = result["peak_rss_mb"]

    if args.brute_probes:
        from rapidfuzz import fuzz, process

        by_authority: dict[str, list[str]] = {}
        for number in range(len(built)):
            by_authority.setdefault(built.entry(number).authority, []).append(
                built.name(number))

        def brute(name: str, division: str) -> int:
            from yilian.names.parse import normalize

            names = by_authority.get(index.authority(division), [])
            best = process.extractOne(normalize(name), names, scorer=fuzz.ratio,
                                      score_cutoff=FUZZ_CUTOFF)
            return 1 if best else 0

        result["brute"] = measure("rapidfuzz", brute, args.brute_probes,
                                  args.brute_labelled or len(labelled))
        result["brute"]["note"] = (f"latency on {args.brute_probes} of {len(probes)} probes"
                                   f"; recall on {result['brute']['labelled_checked']} of "
                                   f"{len(labelled)} labelled names")
        del by_authority
    if args.pg and size <= args.pg_max:
        result["pg_trgm"] = run_pg(built, size, measure, args, len(labelled))
    return result


def run_pg(built, size: int, measure, args, n_labelled: int) -> dict:
    import psycopg

    from yilian.names import index
    from yilian.names.parse import normalize

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = 'yilian_names_bench'"
                             ).fetchone():
            admin.execute("CREATE DATABASE yilian_names_bench")
    conn = psycopg.connect(PG_BENCH, autocommit=True)
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    conn.execute("DROP TABLE IF EXISTS names")
    conn.execute("CREATE UNLOGGED TABLE names (id integer, authority char(4), name text)")
    start = time.perf_counter()
    with conn.cursor() as cur, cur.copy("COPY names (id, authority, name) FROM STDIN") as copy:
        for number in range(len(built)):
            entry = built.entry(number)
            copy.write_row((number, entry.authority, entry.name))
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    conn.execute("CREATE INDEX names_trgm ON names USING gin (name gin_trgm_ops)")
    conn.execute("ANALYZE names")
    index_s = time.perf_counter() - start
    size_mb = conn.execute("SELECT pg_relation_size('names_trgm')").fetchone()[0] / 2**20
    conn.execute(f"SET pg_trgm.similarity_threshold = {TRGM_THRESHOLD}")
    conn.execute("SET statement_timeout = '60s'")

    def check(name: str, division: str) -> int:
        row = conn.execute("SELECT 1 FROM names WHERE authority = %s AND name %% %s LIMIT 1",
                           (index.authority(division), normalize(name))).fetchone()
        return 1 if row else 0

    figures = measure("pg_trgm", check, args.pg_probes, args.pg_labelled or n_labelled)
    figures.update({"load_s": load_s, "gin_build_s": index_s, "gin_index_mb": size_mb,
                    "note": f"latency on {args.pg_probes} probes; threshold "
                            f"similarity >= {TRGM_THRESHOLD}"})
    conn.execute("DROP TABLE names")
    conn.close()
    return figures


# --- the parent: one child per size, a table, a JSON file --------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--probes", type=int, default=2000)
    parser.add_argument("--brute-probes", type=int, default=None,
                        help="probes timed for the RapidFuzz scan (default: by size)")
    parser.add_argument("--brute-labelled", type=int, default=0,
                        help="labelled names checked by the scan (default: all)")
    parser.add_argument("--pg-probes", type=int, default=100)
    parser.add_argument("--pg-labelled", type=int, default=0)
    parser.add_argument("--pg-max", type=int, default=1_000_000,
                        help="largest size loaded into PostgreSQL")
    parser.add_argument("--no-pg", dest="pg", action="store_false")
    parser.add_argument("--write-labelled", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    _setup()
    if args.write_labelled:
        import django

        django.setup()
        write_labelled()
        return
    if args.child:
        if args.brute_probes is None:
            args.brute_probes = max(10, min(200, 20_000_000 // args.child))
        print(json.dumps(run_size(args.child, args)), flush=True)
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        child = [sys.executable, __file__, "--child", str(size)] + sys.argv[1:]
        proc = subprocess.run(child, stdout=subprocess.PIPE, text=True)
        lines = proc.stdout.strip().splitlines()
        print("\n".join(lines[:-1]))
        if proc.returncode:
            sys.exit(f"size {size} failed (exit {proc.returncode})")
        results.append(json.loads(lines[-1]))
    print_table(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"names-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"command": " ".join(sys.argv), "results": results}, indent=2))
    print(f"\nresults: {out}")


def print_table(results: list[dict]) -> None:
    buf = io.StringIO()
    buf.write("\n| names | method | build | peak RSS | p50 ms | p99 ms | recall | false alarms |"
              " probes timed |\n|---|---|---|---|---|---|---|---|---|\n")
    for r in results:
        for method in ("index", "brute", "pg_trgm"):
            m = r.get(method)
            if not m:
                continue
            if method == "index":
                build = f"{r['build_s']:.0f} s ({r['build_us_per_name']:.0f} µs/name)"
                rss = f"{r['peak_rss_mb']:.0f} MB"
            elif method == "pg_trgm":
                build = f"load {m['load_s']:.0f} s + GIN {m['gin_build_s']:.0f} s"
                rss = f"GIN {m['gin_index_mb']:.0f} MB"
            else:
                build, rss = "—", "—"
            buf.write(f"| {r['size']:,} | {method} | {build} | {rss} | {m['p50_ms']:.3f} | "
                      f"{m['p99_ms']:.3f} | {m['recall']:.3f} | {m['false_alarm_rate']:.3f} "
                      f"| {m['latency_probes']} |\n")
        if "brute" in r:
            speedup = r["brute"]["p50_ms"] / r["index"]["p50_ms"]
            buf.write(f"\nsize {r['size']:,}: index p50 is {speedup:,.0f}× faster than the "
                      f"brute-force scan ({r['brute']['note']})\n\n")
    print(buf.getvalue())


if __name__ == "__main__":
    main()
