#!/usr/bin/python3
"""make compare: ctnet beside ONNX Runtime and PyTorch, on this machine, in one interleaved run.

Each engine is a long-lived worker process that loads every model once and then answers
"run MODEL BATCH WARMUP SECONDS MIN_ITERATIONS" with the wall time of each forward pass:
  ctnet         build/gcc/benchmarks/ctnet_timer --serve   (CTNET_NUM_THREADS=2)
  ONNX Runtime  node ort_worker.js                          (onnxruntime-node, 2 intra-op threads)
  PyTorch       /usr/bin/python3 torch_worker.py --serve    (TorchScript, frozen, 2 threads)

The machine is shared and has two cores, so a single long measurement of one engine after another
would compare the engines at different moments of other people's load. Instead the run is split
into rounds; in every round each engine runs a short burst of every row, with the engines' order
rotating from round to round, so that each engine sees the same mix of quiet and busy moments.
A burst's figure is the median of its passes; an engine's figure for a row is the median over rounds.

With --baseline-timer, a second ctnet_timer (ctnet built from another commit: `make compare-ab
BASELINE=<commit>`) runs as one more engine, "baseline", so that a change to ctnet is measured the
same interleaved way; the table then gives ctnet ÷ baseline.

Output: a Markdown table on stdout and every burst's raw times in build/compare/results.json.
"""

import argparse
import datetime
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

# (key, model as the workers name it, batch, what the README's table reports)
ROWS = [
    ("cifar_resnet20_b1", "cifar_resnet20", 1, "ms"),
    ("cifar_resnet20_b128", "cifar_resnet20", 128, "images/s"),
    ("resnet18_b1", "resnet18", 1, "ms"),
    ("resnet50_b1", "resnet50", 1, "ms"),
]
ROW_LABELS = {
    "cifar_resnet20_b1": ("cifar_resnet<20>", 1),
    "cifar_resnet20_b128": ("cifar_resnet<20>", 128),
    "resnet18_b1": ("resnet18", 1),
    "resnet50_b1": ("resnet50", 1),
}
ENGINES = ["ctnet", "onnxruntime", "pytorch", "baseline"]
ENGINE_LABELS = {"ctnet": "ctnet", "onnxruntime": "ONNX Runtime", "pytorch": "PyTorch",
                 "baseline": "ctnet baseline"}


class Worker:
    """One engine's process; commands go to its stdin, one-line answers come from its stdout.
    Its stderr goes straight to ours, so that a crash explains itself."""

    def __init__(self, name, argv, env=None, cwd=None):
        self.name = name
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        env=env, cwd=cwd, bufsize=1)

    def ask(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            raise RuntimeError(f"{self.name} worker exited (status {code}) on: {command}")
        words = line.split(maxsplit=1)
        if words[0] != "ok":
            raise RuntimeError(f"{self.name} worker: {line.strip()} (command: {command})")
        return words[1].strip() if len(words) > 1 else ""

    def close(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.flush()
                self.process.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def start_workers(args, engines):
    threads = str(args.threads)
    workers = {}
    for engine in engines:
        env = dict(os.environ)
        # Every engine gets the same two threads; OMP_NUM_THREADS also caps PyTorch's OpenMP and
        # OpenBLAS pools, which torch.set_num_threads alone may leave at the core count.
        env["OMP_NUM_THREADS"] = threads
        if engine in ("ctnet", "baseline"):
            env["CTNET_NUM_THREADS"] = threads
            argv = [args.ctnet_timer if engine == "ctnet" else args.baseline_timer, "--serve"]
        elif engine == "onnxruntime":
            env["NODE_PATH"] = args.node_modules
            argv = [args.node, os.path.join(HERE, "ort_worker.js"), args.onnx_dir]
        else:
            argv = [args.python, os.path.join(HERE, "torch_worker.py"), "--serve"]
        workers[engine] = Worker(engine, argv, env=env)
    return workers


def summarize(samples):
    """Median and quartiles of a list of per-round figures (ms)."""
    ordered = sorted(samples)
    if len(ordered) >= 2:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        q1 = q3 = ordered[0]
    return {"median": statistics.median(ordered), "q1": q1, "q3": q3, "min": ordered[0], "max": ordered[-1]}


def figure(ms, batch, unit):
    """A row's figure from the median time of one pass of a batch."""
    return ms if unit == "ms" else batch / (ms / 1e3)


def format_figure(value, unit):
    if unit == "ms":
        return f"{value:.3g} ms" if value < 100 else f"{value:.0f} ms"
    return f"{value:,.0f} images/s"


def markdown(results, engines, versions, statistic="median"):
    """The table; `statistic` picks which per-round figure: "median" or "min" (the quietest round)."""
    heads = ["model", "batch"] + [versions.get(e, ENGINE_LABELS[e]) for e in engines]
    peers = [e for e in engines if e != "ctnet"]
    if "ctnet" in engines:
        heads += [f"ctnet ÷ {ENGINE_LABELS[p]}" for p in peers]
    lines = ["| " + " | ".join(heads) + " |", "|---|---:|" + "---:|" * (len(heads) - 2)]
    for key, _, batch, unit in ROWS:
        row = results["rows"].get(key)
        if row is None:
            continue
        label, _ = ROW_LABELS[key]
        cells = [label, str(batch)]
        for e in engines:
            cells.append(format_figure(figure(row["engines"][e]["ms"][statistic], batch, unit), unit))
        if "ctnet" in engines:
            for p in peers:
                ratio = row["engines"]["ctnet"]["ms"][statistic] / row["engines"][p]["ms"][statistic]
                cells.append(f"{ratio:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    build = os.path.join(ROOT, "build")
    parser.add_argument("--rounds", type=int, default=10, help="rounds of bursts (default: 10)")
    parser.add_argument("--seconds", type=float, default=1.5, help="timed seconds per burst (default: 1.5)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed passes before each burst (default: 2)")
    parser.add_argument("--min-iterations", type=int, default=5,
                        help="timed passes per burst even past --seconds (default: 5)")
    parser.add_argument("--pause", type=float, default=0.2,
                        help="seconds of rest between bursts, so that the last engine's spinning threads "
                             "have gone to sleep before the next starts (default: 0.2)")
    parser.add_argument("--threads", type=int, default=2, help="threads for every engine (default: 2)")
    parser.add_argument("--engines", default=None,
                        help="comma-separated subset of " + ",".join(ENGINES) + " (default: ctnet and its two "
                             "peers, or ctnet and the baseline with --baseline-timer)")
    parser.add_argument("--rows", default=",".join(r[0] for r in ROWS),
                        help="comma-separated subset of " + ",".join(r[0] for r in ROWS))
    parser.add_argument("--ctnet-timer", default=os.path.join(build, "gcc", "benchmarks", "ctnet_timer"))
    parser.add_argument("--baseline-timer", help="the ctnet_timer of another build of ctnet (engine 'baseline')")
    parser.add_argument("--node", default="node")
    parser.add_argument("--node-modules", default=os.path.join(build, "compare", "node_modules"))
    parser.add_argument("--python", default="/usr/bin/python3",
                        help="the interpreter that sees Debian's python3-torch (default: /usr/bin/python3)")
    parser.add_argument("--onnx-dir", default=os.path.join(build, "compare", "onnx"))
    parser.add_argument("--out", default=os.path.join(build, "compare", "results.json"))
    args = parser.parse_args()

    if args.engines is None:
        args.engines = "ctnet,baseline" if args.baseline_timer else "ctnet,onnxruntime,pytorch"
    engines = [e for e in args.engines.split(",") if e]
    for e in engines:
        if e not in ENGINES:
            parser.error(f"unknown engine {e!r}")
    if "baseline" in engines and not args.baseline_timer:
        parser.error("engine 'baseline' needs --baseline-timer")
    wanted = [r for r in args.rows.split(",") if r]
    rows = [r for r in ROWS if r[0] in wanted]
    if len(rows) != len(wanted):
        parser.error(f"unknown row among {wanted}")
    if args.rounds < 1 or args.seconds <= 0 or args.min_iterations < 1:
        parser.error("--rounds and --min-iterations must be at least 1, --seconds positive")

    started = time.monotonic()
    if "onnxruntime" in engines:
        # Exported with PyTorch itself, from the same network definitions its worker runs.
        specs = [f"{model}:{batch}" for _, model, batch, _ in rows]
        subprocess.run([args.python, os.path.join(HERE, "torch_worker.py"), "--export-onnx", args.onnx_dir] + specs,
                       check=True)

    # A terminated run (Ctrl-C, kill, make stopped) must still stop its workers: SIGTERM becomes an
    # exception, so the finally below sends them "quit" (or kills them) instead of leaving them running.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    workers = start_workers(args, engines)
    try:
        info = {e: w.ask("info") for e, w in workers.items()}
        for e in engines:
            print(f"{ENGINE_LABELS[e]}: {info[e]}", file=sys.stderr)
        if "pytorch" in engines and "openblas-pthread" not in info["pytorch"]:
            print("warning: PyTorch did not load OpenBLAS (pthread) as its BLAS; see Debian's libblas.so.3 "
                  "alternative (update-alternatives --display libblas.so.3-x86_64-linux-gnu)", file=sys.stderr)
        # Load every model in every engine before the first timed burst.
        for _, model, batch, _ in rows:
            for e in engines:
                workers[e].ask(f"load {model} {batch}")
        print(f"models loaded in {time.monotonic() - started:.0f} s; {args.rounds} rounds of "
              f"{len(rows)} rows x {len(engines)} engines, {args.seconds} s bursts", file=sys.stderr)

        bursts = []  # every burst: round, row, engine, position in the round's order, times, load
        for round_index in range(args.rounds):
            round_start = time.monotonic()
            for row_index, (key, model, batch, _) in enumerate(rows):
                # Rotate by round and by row, so that every engine goes first, second and last
                # equally often over the run, and never always right after the same engine.
                shift = (round_index + row_index) % len(engines)
                order = engines[shift:] + engines[:shift]
                for position, e in enumerate(order):
                    time.sleep(args.pause)
                    load = load_average()
                    answer = workers[e].ask(
                        f"run {model} {batch} {args.warmup} {args.seconds} {args.min_iterations}")
                    times = [float(t) for t in answer.split()]
                    bursts.append({"round": round_index, "row": key, "engine": e, "position": position,
                                   "load_average": load, "times_ms": times})
            print(f"round {round_index + 1}/{args.rounds}: {time.monotonic() - round_start:.0f} s, "
                  f"load average {load_average()}", file=sys.stderr)
    finally:
        for w in workers.values():
            w.close()

    # Per burst the median pass; per row and engine the median over rounds.
    results = {"rows": {}}
    for key, model, batch, unit in rows:
        per_engine = {}
        for e in engines:
            medians = [statistics.median(b["times_ms"]) for b in bursts if b["row"] == key and b["engine"] == e]
            summary = summarize(medians)
            per_engine[e] = {"burst_medians_ms": medians, "ms": summary,
                             "figure": figure(summary["median"], batch, unit), "unit": unit,
                             "passes": sum(len(b["times_ms"]) for b in bursts if b["row"] == key and b["engine"] == e)}
        ratios = {}
        if "ctnet" in engines:
            for p in engines:
                if p == "ctnet":
                    continue
                # Paired too: the same round's bursts ran moments apart, under much the same load.
                paired = [c / q for c, q in zip(per_engine["ctnet"]["burst_medians_ms"], per_engine[p]["burst_medians_ms"])]
                ratios[p] = {"of_medians": per_engine["ctnet"]["ms"]["median"] / per_engine[p]["ms"]["median"],
                             "median_of_paired": statistics.median(paired)}
        results["rows"][key] = {"model": model, "batch": batch, "unit": unit, "engines": per_engine, "ratios": ratios}

    versions = {}
    if "onnxruntime" in info:
        versions["onnxruntime"] = "ONNX Runtime " + info["onnxruntime"].split()[0].split("=")[1]
    if "pytorch" in info:
        versions["pytorch"] = "PyTorch " + info["pytorch"].split()[0].split("=")[1]
    table = markdown(results, engines, versions)
    quietest = markdown(results, engines, versions, "min")
    elapsed = time.monotonic() - started
    results.update({
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"cpu": cpu_name(), "cores": os.cpu_count(), "kernel": platform.release()},
        "settings": {k: getattr(args, k) for k in ("rounds", "seconds", "warmup", "min_iterations", "pause", "threads")},
        "engines": info,
        "ratio_direction": "time per batch, ctnet / peer: below 1 means ctnet is faster",
        "seconds": elapsed,
        "table": table,
        "table_quietest_round": quietest,
        "bursts": bursts,
    })
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)

    print()
    print(table)
    print()
    print(f"{len(engines)} engines x {len(rows)} rows, {args.threads} threads each, fp32 inference; the median "
          f"over {args.rounds} interleaved rounds of each round's median pass ({args.seconds} s bursts).")
    if "ctnet" in engines and len(engines) > 1:
        print("Ratios are time per batch, ctnet ÷ peer (for the images/s row too): below 1 means ctnet is faster.")
    loads = sorted(b["load_average"] for b in bursts if b["load_average"] is not None)
    if loads:
        print(f"1-minute load average during the bursts: {loads[0]:.1f} to {loads[-1]:.1f}, "
              f"median {statistics.median(loads):.1f}, on {os.cpu_count()} cores.")
        if statistics.median(loads) > (os.cpu_count() or 1) + 0.5:
            # Two threads per engine need both cores; other work stretches every pass and hurts
            # engines whose threads wait at barriers (OpenMP) more than others.
            print("warning: the machine was busy with other work: these figures are slower than on a quiet "
                  "machine, and the ratios are less certain (results.json has every burst's load).")
            # Each engine's fastest round is the one least disturbed: closer to a quiet machine's
            # figures, though not paired in time as the medians are.
            print()
            print("Each engine's fastest round (its burst median), for comparison:")
            print()
            print(quietest)
            print()
    print(f"Took {elapsed:.0f} s; raw times in {os.path.relpath(args.out)}.")
    return 0


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    sys.exit(main())
