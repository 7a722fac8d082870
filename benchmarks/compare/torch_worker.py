#!/usr/bin/python3
"""PyTorch's side of `make compare`, and the ONNX exporter for ONNX Runtime's side.

  torch_worker.py --serve                  a worker (the protocol of ctnet_timer.cpp, on stdin/stdout)
  torch_worker.py --export-onnx DIR M:B..  writes DIR/M_bB.onnx for each model M at batch B

Runs under Debian's /usr/bin/python3 (python3-torch 1.13): the python3 first on PATH cannot
import it. The networks come from tools/export_torchvision.py (torchvision's ResNets and the
CIFAR twins with option A shortcuts), so all three engines run the same architectures.

PyTorch is given its best CPU inference set-up of this version: a TorchScript trace of the eval
model per input shape, frozen (weights become constants, BN folds into the convolutions) and
passed through optimize_for_inference (oneDNN convolutions with pre-packed weights), run under
inference_mode, with the intra-op threads compare.py asks for (OMP_NUM_THREADS, default 2) and 1
inter-op thread.
"""

import argparse
import os
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))

import export_torchvision as zoo  # noqa: E402  (after the path is set; exits with advice without torch)
import torch  # noqa: E402

# compare.py --threads reaches every engine as OMP_NUM_THREADS; 2 (this machine's cores) alone.
THREADS = int(os.environ.get("OMP_NUM_THREADS", "2"))
SEED = 1  # weights are random: speed does not depend on their values, only on the architecture


def eval_model(name):
    """The named network (export_torchvision's names) with seeded random weights, in eval mode."""
    torch.manual_seed(SEED)
    return zoo.build_model(name).eval()


def example_input(name, batch):
    generator = torch.Generator().manual_seed(batch)
    return torch.randn(batch, *zoo.input_shape(name), generator=generator)


def export_onnx(directory, specs):
    """torch.onnx.export at opset 13, one file per (model, batch) with a fixed shape, so that ONNX
    Runtime sees every shape statically, as the other two engines do."""
    os.makedirs(directory, exist_ok=True)
    for spec in specs:
        name, batch = spec.split(":")
        batch = int(batch)
        path = os.path.join(directory, f"{name}_b{batch}.onnx")
        if os.path.exists(path):
            continue
        start = time.monotonic()
        model = eval_model(name)
        partial = path + ".partial"  # an interrupted export must not leave a file that looks done
        # The option A shortcut's strided slice makes the exporter warn that it cannot constant-fold
        # it, which is expected (its input is not constant) and would only bury the driver's output.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            torch.onnx.export(model, example_input(name, batch), partial, opset_version=13,
                              input_names=["input"], output_names=["logits"], do_constant_folding=True)
        os.replace(partial, path)
        print(f"exported {path} in {time.monotonic() - start:.1f} s", file=sys.stderr)


def loaded_blas():
    """The BLAS library this process really mapped (Debian's alternatives pick libblas.so.3)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "libblas" in line or "openblas" in line}
    except OSError:
        return "unknown"
    return ",".join(sorted(os.path.realpath(p) for p in paths)) or "none"


class Worker:
    def __init__(self):
        self.modules = {}

    def module(self, name, batch):
        key = (name, batch)
        if key not in self.modules:
            x = example_input(name, batch)
            with torch.no_grad():
                traced = torch.jit.trace(eval_model(name), x)
                frozen = torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))
            with torch.inference_mode():
                frozen(x)  # the first passes compile the graph and create oneDNN's primitives
                frozen(x)
            self.modules[key] = (frozen, x)
        return self.modules[key]

    def burst(self, name, batch, warmup, seconds, min_iterations):
        module, x = self.module(name, batch)
        times = []
        with torch.inference_mode():
            for _ in range(warmup):
                module(x)
            until = time.perf_counter() + seconds
            while True:
                start = time.perf_counter()
                module(x)
                end = time.perf_counter()
                times.append((end - start) * 1e3)
                if len(times) >= min_iterations and end >= until:
                    return times

    def describe(self):
        return (f"torch={torch.__version__} threads={torch.get_num_threads()} "
                f"interop={torch.get_num_interop_threads()} "
                f"mkldnn={torch.backends.mkldnn.is_available()} blas={loaded_blas()}")


def serve():
    worker = Worker()
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            if words[0] == "quit":
                return 0
            if words[0] == "info":
                answer = "ok " + worker.describe()
            elif words[0] == "load" and len(words) == 3:
                worker.module(words[1], int(words[2]))
                answer = "ok"
            elif words[0] == "run" and len(words) == 6:
                times = worker.burst(words[1], int(words[2]), int(words[3]), float(words[4]), int(words[5]))
                answer = "ok " + " ".join(f"{t:.6f}" for t in times)
            else:
                answer = "error expected: run MODEL BATCH WARMUP SECONDS MIN_ITERATIONS | load MODEL BATCH | info | quit"
        except Exception as error:  # report and keep serving: the driver decides what to do
            answer = f"error {type(error).__name__}: {error}".replace("\n", " ")
        print(answer, flush=True)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--export-onnx", metavar="DIR")
    parser.add_argument("specs", nargs="*", metavar="MODEL:BATCH")
    args = parser.parse_args()
    # Before any parallel work: the inter-op pool cannot be resized once it has started.
    torch.set_num_interop_threads(1)
    torch.set_num_threads(THREADS)
    if args.export_onnx:
        export_onnx(args.export_onnx, args.specs)
        return 0
    if args.serve:
        return serve()
    parser.error("give --serve or --export-onnx DIR MODEL:BATCH ...")
    return 2


if __name__ == "__main__":
    sys.exit(main())
