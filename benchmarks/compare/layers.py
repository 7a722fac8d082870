#!/usr/bin/python3
"""make compare-layers: one model's forward pass, layer by layer, in ctnet and in ONNX Runtime.

ctnet times each step of its fused pass inside the pass (`ctnet_timer --profile`: model::profile);
ONNX Runtime times its nodes with its own session profiler (each node's kernel time: ort_worker.js
`profile`). Both run the same network, exported as `make compare` exports it, with the same threads.
The engines alternate over rounds (this machine is shared: see compare.py); a layer's figure is the
median over rounds of each round's median over passes.

ONNX Runtime fuses as ctnet does (convolution + batch norm + relu, and the residual add + relu into
the block's last convolution), so the convolutions pair up one to one, in the order both run them:
the tool stops with an error where their numbers or blocks differ. The other steps (pooling, the
head, ONNX Runtime's layout reorders, and its Add and Relu where it leaves a residual add unfused,
as for option A's shortcut in cifar_resnet<20>) are listed apart, and the totals compare each
engine's summed kernel time, which leaves out what lies between the kernels. Profiling costs each
engine a little per step (in proportion, most for small layers): `make compare` times whole passes
without it.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys

from compare import HERE, ROOT, Worker, load_average

MODELS = ("cifar_resnet20", "resnet18", "resnet50")  # as ctnet_timer and torch_worker.py name them


def ctnet_profile(args):
    """[(path, what it runs, ms, GFLOP/s)] from one `ctnet_timer --profile` run, in step order."""
    env = dict(os.environ, CTNET_NUM_THREADS=str(args.threads))
    run = subprocess.run([args.ctnet_timer, "--profile", args.model, str(args.batch), str(args.passes)],
                         env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"{args.ctnet_timer} --profile failed (status {run.returncode}): {run.stderr.strip()}")
    out = run.stdout
    steps = []
    for line in out.splitlines():
        words = line.split()
        # "  12  layer1.2.conv1   conv_bn 1x1, relu   0.569   1.6   180.7" (the sum line has no index)
        if len(words) >= 6 and words[0].isdigit():
            steps.append((words[1], " ".join(words[2:-3]), float(words[-3]), float(words[-1])))
    if not steps:
        raise RuntimeError(f"no steps in ctnet_timer --profile's output:\n{out}")
    return steps


def ort_profile(worker, args):
    """[(node, operator, median ms)] from one ONNX Runtime profile, in the order the nodes ran."""
    nodes = json.loads(worker.ask(f"profile {args.model} {args.batch} {args.passes}"))
    return [(n["name"], n["op"], statistics.median(n["us"]) / 1e3) for n in nodes]


def is_convolution(ctnet_step):
    return ctnet_step[1].startswith("conv")


def main():
    build = os.path.join(ROOT, "build")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="resnet50", choices=MODELS)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5, help="profiles per engine, alternating (default: 5)")
    parser.add_argument("--passes", type=int, default=40, help="passes per profile (default: 40)")
    parser.add_argument("--threads", type=int, default=2, help="threads for both engines (default: 2)")
    parser.add_argument("--ctnet-timer", default=os.path.join(build, "gcc", "benchmarks", "ctnet_timer"))
    parser.add_argument("--node", default="node")
    parser.add_argument("--node-modules", default=os.path.join(build, "compare", "node_modules"))
    parser.add_argument("--python", default="/usr/bin/python3",
                        help="the interpreter with Debian's python3-torch, which exports the model")
    parser.add_argument("--onnx-dir", default=os.path.join(build, "compare", "onnx"))
    args = parser.parse_args()
    if min(args.batch, args.rounds, args.passes, args.threads) < 1:
        parser.error("--batch, --rounds, --passes and --threads must be at least 1")

    subprocess.run([args.python, os.path.join(HERE, "torch_worker.py"), "--export-onnx", args.onnx_dir,
                    f"{args.model}:{args.batch}"], check=True)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    env = dict(os.environ, NODE_PATH=args.node_modules, OMP_NUM_THREADS=str(args.threads))
    ort = Worker("onnxruntime", [args.node, os.path.join(HERE, "ort_worker.js"), args.onnx_dir], env=env)
    ctnet_runs, ort_runs, loads = [], [], []
    try:
        print(ort.ask("info"), file=sys.stderr)
        for r in range(args.rounds):
            # The engines' order alternates, so that neither always runs first.
            for engine in (("ctnet", "ort") if r % 2 == 0 else ("ort", "ctnet")):
                if engine == "ctnet":
                    ctnet_runs.append(ctnet_profile(args))
                else:
                    ort_runs.append(ort_profile(ort, args))
            loads.append(load_average())
            print(f"round {r + 1}/{args.rounds}, load average {loads[-1]}", file=sys.stderr)
    finally:
        ort.close()

    # Medians over rounds, step by step (every run of an engine has the same steps in the same order).
    ctnet = [(path, what, statistics.median(run[i][2] for run in ctnet_runs),
              statistics.median(run[i][3] for run in ctnet_runs))
             for i, (path, what, _, _) in enumerate(ctnet_runs[0])]
    ort_nodes = [(name, op, statistics.median(run[i][2] for run in ort_runs))
                 for i, (name, op, _) in enumerate(ort_runs[0])]

    ctnet_convs = [s for s in ctnet if is_convolution(s)]
    ort_convs = [n for n in ort_nodes if n[1] in ("Conv", "FusedConv")]
    if len(ctnet_convs) != len(ort_convs):
        sys.exit(f"compare-layers: ctnet runs {len(ctnet_convs)} convolutions, ONNX Runtime "
                 f"{len(ort_convs)}: they do not pair up (ONNX Runtime's nodes: "
                 f"{', '.join(n[1] for n in ort_nodes)})")

    for (path, _, _, _), (name, _, _) in zip(ctnet_convs, ort_convs):
        # ONNX Runtime names a fused node by a tensor of the module it came from
        # ("/layer2/layer2.0/downsample/downsample.0/Conv_output_0", "/layer2/layer2.0/relu/..."):
        # the same block, and a shortcut's convolution paired with a shortcut's, or the order differs.
        parts = path.split(".")
        block = ".".join(parts[:2]) if len(parts) >= 3 else None  # "layer2.0" of "layer2.0.conv1"
        if (block and f"/{block}/" not in name) or ("downsample" in path) != ("downsample" in name):
            sys.exit(f"compare-layers: ctnet's {path} would pair with ONNX Runtime's node {name}: "
                     "the two run their convolutions in different orders")

    print(f"\n{args.model}, batch {args.batch}, {args.threads} threads: medians over {args.rounds} profiles "
          f"of {args.passes} passes each per engine, alternating")
    print("\n| layer | ctnet runs | ctnet ms | ONNX Runtime ms | ctnet ÷ ORT | ctnet GFLOP/s | ORT GFLOP/s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (path, what, ms, gflops), (_, _, ort_ms) in zip(ctnet_convs, ort_convs):
        # Both do the same multiply-adds, so ORT's rate is ctnet's scaled by the time.
        print(f"| {path} | {what} | {ms:.3f} | {ort_ms:.3f} | {ms / ort_ms:.2f} | {gflops:.0f} | "
              f"{gflops * ms / ort_ms:.0f} |")
    conv_ms, ort_conv_ms = sum(s[2] for s in ctnet_convs), sum(n[2] for n in ort_convs)
    print(f"| all convolutions | | {conv_ms:.3f} | {ort_conv_ms:.3f} | {conv_ms / ort_conv_ms:.2f} | | |")

    print("\nThe other steps:")
    for step in ctnet:
        if not is_convolution(step):
            print(f"  ctnet  {step[0]} ({step[1]}): {step[2]:.3f} ms")
    others = {}
    for _, op, ms in ort_nodes:
        if op not in ("Conv", "FusedConv"):
            count, total = others.get(op, (0, 0.0))
            others[op] = (count + 1, total + ms)
    for op, (count, ms) in others.items():
        print(f"  ONNX Runtime  {op} ×{count}: {ms:.3f} ms")
    total, ort_total = sum(s[2] for s in ctnet), sum(n[2] for n in ort_nodes)
    print(f"\nSummed kernel time: ctnet {total:.3f} ms, ONNX Runtime {ort_total:.3f} ms, "
          f"ctnet ÷ ORT {total / ort_total:.2f}")
    present = [l for l in loads if l is not None]
    if present:
        print(f"1-minute load average: {min(present)} to {max(present)} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
