#!/usr/bin/python3
"""Export a PyTorch ResNet's weights to safetensors, with a reference input/output pair.

ctnet's C++ models can load safetensors files whose tensor names are PyTorch's state_dict
keys. This tool builds (or loads) a ResNet in PyTorch, writes every tensor of its state_dict
to a safetensors file and, optionally, writes a second safetensors file holding a random
input batch and the model's logits for it, so the C++ forward pass can be checked against
PyTorch's.

Models: torchvision's resnet18/34/50/101/152 (ImageNet, 3x224x224 input, 1000 classes) and
the CIFAR-10 networks of He et al. 2015, section 4.2 (3x32x32 input, 10 classes), defined
below: cifar_resnetD (option A, zero-padding shortcuts), cifar_resnetD_b (option B,
1x1 conv + BN projection shortcuts where shapes change) and cifar_plainD (no shortcuts),
for depths D = 6n + 2 (8, 14, 20, 32, 44, 56, 110, ...).

Two-step workflow:

  1. Export in Python (Debian's interpreter, which sees python3-torch/python3-torchvision):

       /usr/bin/python3 tools/export_torchvision.py --model resnet18 \\
           --out resnet18.safetensors --reference resnet18.ref.safetensors

  2. Load in C++:

       ctnet::model<ctnet::models::resnet18> m;
       m.load("resnet18.safetensors");
       // ...run m on the "input" tensor of resnet18.ref.safetensors and compare with
       // its "output" (float32 PyTorch logits) or "output_f64" (float64 PyTorch logits).

Without --weights the model is randomly initialised from --seed (deterministic) and its
BatchNorm running statistics are made non-trivial by a few train-mode forward passes on
random data (--bn-warmup), so a loader that mixes up running_mean/running_var is caught.
With --weights a trained checkpoint is exported as is.

Run with --self-test to check the exporter itself (parameter counts, the file format and
round trips through a small reader).
"""

import argparse
import copy
import io
import json
import os
import re
import struct
import sys
import tempfile
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import torchvision
except ImportError as error:  # pragma: no cover - depends on the machine
    sys.exit(
        f"export_torchvision.py: cannot import torch/torchvision ({error}).\n"
        "Run it with Debian's interpreter, /usr/bin/python3, after installing python3-torch and "
        "python3-torchvision (tools/install-deps.sh python3-torch python3-torchvision)."
    )

EXPORTER = "ctnet tools/export_torchvision.py"

IMAGENET_DEPTHS = (18, 34, 50, 101, 152)

# --dtype choice -> (torch dtype, safetensors dtype tag)
DTYPES = {
    "float32": (torch.float32, "F32"),
    "float16": (torch.float16, "F16"),
    "bfloat16": (torch.bfloat16, "BF16"),
    "float64": (torch.float64, "F64"),
}

# safetensors dtype tag for each torch dtype this tool writes, and its size in bytes.
_TAG_OF = {
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.float64: "F64",
    torch.int64: "I64",
}
_DTYPE_OF_TAG = {tag: dtype for dtype, tag in _TAG_OF.items()}
_ITEMSIZE = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8}


# --------------------------------------------------------------------------------------------
# The CIFAR-10 networks (He et al. 2015, section 4.2)
# --------------------------------------------------------------------------------------------

class CifarBlock(nn.Module):
    """Two 3x3 convolutions with BN; shortcut "A" (zero padding), "B" (projection) or "none"."""

    def __init__(self, in_planes, planes, stride, shortcut):
        super().__init__()
        if shortcut not in ("A", "B", "none"):
            raise ValueError(f"unknown shortcut kind {shortcut!r}")
        self.shortcut_kind = shortcut
        self.stride = stride
        self.in_planes = in_planes
        self.planes = planes
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.reshapes = stride != 1 or in_planes != planes
        if shortcut == "B" and self.reshapes:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes),
            )
        else:
            self.downsample = None

    def _shortcut(self, x):
        if not self.reshapes:
            return x
        if self.downsample is not None:
            return self.downsample(x)
        # Option A: subsample H and W, then add zero channels split evenly before and after.
        x = x[:, :, :: self.stride, :: self.stride]
        extra = self.planes - self.in_planes
        pad_before = extra // 2
        pad_after = extra - pad_before
        return F.pad(x, (0, 0, 0, 0, pad_before, pad_after))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.shortcut_kind != "none":
            out = out + self._shortcut(x)
        return self.relu(out)


class CifarNet(nn.Module):
    """conv 3x3 (16) -> 3 stages of n blocks (16, 32, 64 planes) -> global avg pool -> fc 10."""

    def __init__(self, depth, shortcut="A", num_classes=10):
        super().__init__()
        if depth < 8 or (depth - 2) % 6 != 0:
            raise ValueError(f"CIFAR depth must be 6n + 2 with n >= 1, got {depth}")
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        in_planes = 16
        stages = []
        for planes, stride in ((16, 1), (32, 2), (64, 2)):
            blocks = []
            for i in range(n):
                blocks.append(CifarBlock(in_planes, planes, stride if i == 0 else 1, shortcut))
                in_planes = planes
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


# --------------------------------------------------------------------------------------------
# Model names
# --------------------------------------------------------------------------------------------

MODEL_HELP = (
    "resnet18, resnet34, resnet50, resnet101, resnet152 (torchvision layout); "
    "cifar_resnetD (option A shortcuts), cifar_resnetD_b (option B shortcuts), cifar_plainD "
    "(no shortcuts), for D = 6n+2 >= 8, e.g. cifar_resnet20, cifar_resnet56_b, cifar_plain20"
)


def parse_model_name(name):
    """Returns ("imagenet", depth, None) or ("cifar", depth, shortcut); raises ValueError."""
    m = re.fullmatch(r"resnet(\d+)", name)
    if m:
        depth = int(m.group(1))
        if depth in IMAGENET_DEPTHS:
            return ("imagenet", depth, None)
        raise ValueError(
            f"unknown model {name!r}: torchvision ResNets come in depths "
            f"{', '.join(map(str, IMAGENET_DEPTHS))}"
        )
    m = re.fullmatch(r"cifar_resnet(\d+)(_b)?", name) or re.fullmatch(r"cifar_plain(\d+)", name)
    if m:
        depth = int(m.group(1))
        if depth < 8 or (depth - 2) % 6 != 0:
            raise ValueError(
                f"unknown model {name!r}: CIFAR depths are 6n + 2 with n >= 1 "
                "(8, 14, 20, 32, 44, 56, 110, ...)"
            )
        if name.startswith("cifar_plain"):
            return ("cifar", depth, "none")
        return ("cifar", depth, "B" if m.group(2) else "A")
    raise ValueError(f"unknown model {name!r}; expected one of: {MODEL_HELP}")


def build_model(name):
    """Builds the named model with freshly initialised weights (uses torch's global RNG)."""
    family, depth, shortcut = parse_model_name(name)
    if family == "imagenet":
        return getattr(torchvision.models, f"resnet{depth}")(weights=None)
    return CifarNet(depth, shortcut)


def input_shape(name):
    """(C, H, W) of the named model's input."""
    return (3, 224, 224) if parse_model_name(name)[0] == "imagenet" else (3, 32, 32)


# --------------------------------------------------------------------------------------------
# safetensors
# --------------------------------------------------------------------------------------------

def _tensor_bytes(t):
    """The raw little-endian bytes of a tensor, in C order."""
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the bits as int16
        t = t.view(torch.int16)
    array = t.numpy()
    return array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()


def safetensors_bytes(tensors, metadata=None):
    """Serialises an ordered list of (name, tensor) pairs, packed back to back in that order."""
    header = {}
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("safetensors metadata must map strings to strings")
        header["__metadata__"] = dict(metadata)
    chunks = []
    offset = 0
    for name, t in tensors:
        if name == "__metadata__" or name in header:
            raise ValueError(f"duplicate or reserved tensor name {name!r}")
        if t.dtype not in _TAG_OF:
            raise TypeError(f"tensor {name!r}: dtype {t.dtype} cannot be written")
        data = _tensor_bytes(t)
        header[name] = {
            "dtype": _TAG_OF[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    header_bytes += b" " * (-(8 + len(header_bytes)) % 8)  # 8 + N is a multiple of 8
    return b"".join([struct.pack("<Q", len(header_bytes)), header_bytes] + chunks)


def write_safetensors(path, tensors, metadata=None):
    data = safetensors_bytes(tensors, metadata)
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return len(data)


def read_safetensors(path_or_bytes):
    """A small strict reader (used by --self-test): returns (tensors, metadata, header_length).

    tensors is a dict name -> tensor in file order. Checks the rules this exporter follows:
    8 + N is a multiple of 8, the header is JSON padded with spaces, the tensors are packed back
    to back from offset 0 in header order and the data section ends exactly at the last one.
    """
    if sys.byteorder != "little":
        raise RuntimeError("read_safetensors: big-endian hosts are not supported")
    if isinstance(path_or_bytes, (bytes, bytearray)):
        blob = bytes(path_or_bytes)
    else:
        with open(path_or_bytes, "rb") as f:
            blob = f.read()
    if len(blob) < 8:
        raise ValueError("file shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise ValueError(f"header length {n} runs past the end of the file ({len(blob)} bytes)")
    if (8 + n) % 8 != 0:
        raise ValueError(f"8 + header length ({8 + n}) is not a multiple of 8")
    text = blob[8 : 8 + n].decode("utf-8")
    stripped = text.rstrip(" ")
    if not stripped.endswith("}") or len(text) - len(stripped) >= 8:
        raise ValueError("header JSON is not padded with 0-7 trailing spaces")
    header = json.loads(stripped)
    data = blob[8 + n :]
    metadata = header.pop("__metadata__", None)
    tensors = {}
    expected_begin = 0
    for name, info in header.items():
        tag = info["dtype"]
        if tag not in _DTYPE_OF_TAG:
            raise ValueError(f"{name}: unsupported dtype {tag}")
        shape = info["shape"]
        begin, end = info["data_offsets"]
        if begin != expected_begin:
            raise ValueError(f"{name}: data starts at {begin}, expected {expected_begin} (gap/overlap)")
        count = 1
        for d in shape:
            count *= d
        if end - begin != count * _ITEMSIZE[tag]:
            raise ValueError(f"{name}: {end - begin} bytes for shape {shape} of {tag}")
        raw = bytearray(data[begin:end])
        if count == 0:
            t = torch.empty(shape, dtype=_DTYPE_OF_TAG[tag])
        else:
            t = torch.frombuffer(raw, dtype=_DTYPE_OF_TAG[tag]).reshape(shape).clone()
        tensors[name] = t
        expected_begin = end
    if expected_begin != len(data):
        raise ValueError(f"data section is {len(data)} bytes, tensors cover {expected_begin}")
    return tensors, metadata, n


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

def load_weights(model, path):
    """Loads a checkpoint into model with strict=True."""
    checkpoint = torch.load(path, map_location="cpu")
    if isinstance(checkpoint, nn.Module):
        checkpoint = checkpoint.state_dict()
    if isinstance(checkpoint, dict):
        for key in ("state_dict", "model"):
            if key in checkpoint and isinstance(checkpoint[key], dict):
                checkpoint = checkpoint[key]
                break
    if not isinstance(checkpoint, dict):
        raise ValueError(f"{path}: expected a state_dict (or a dict holding 'state_dict' or 'model')")
    state = {
        (k[len("module.") :] if k.startswith("module.") else k): v for k, v in checkpoint.items()
    }
    expected = model.state_dict()
    problems = []

    def listing(what, keys):
        if keys:
            shown = ", ".join(keys[:5]) + (f", ... ({len(keys) - 5} more)" if len(keys) > 5 else "")
            problems.append(f"  {len(keys)} {what}: {shown}")

    listing("missing key(s)", [k for k in expected if k not in state])
    listing("unexpected key(s)", [k for k in state if k not in expected])
    listing("shape mismatch(es)", [
        f"{k} {list(state[k].shape)} vs {list(expected[k].shape)}"
        for k in expected
        if k in state and hasattr(state[k], "shape") and state[k].shape != expected[k].shape])
    if problems:
        raise ValueError(f"{path} does not match the model ({type(model).__name__}):\n"
                         + "\n".join(problems))
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as error:
        raise ValueError(f"{path} does not match the model:\n{error}") from None


def bn_warmup(model, shape, passes, seed):
    """Train-mode forward passes on random batches so that BN running stats move off 0/1.

    Small batches at half the resolution for the ImageNet nets: the statistics only need to be
    non-trivial, and full-size warmup of resnet50 takes most of a minute on two cores."""
    if passes <= 0:
        return
    channels, height, width = shape
    if height > 64:
        height, width = height // 2, width // 2
    generator = torch.Generator().manual_seed(seed)
    model.train()
    with torch.no_grad():
        for _ in range(passes):
            model(torch.randn(4, channels, height, width, generator=generator) * 1.5 + 0.3)
    model.eval()


def perturb_bn(model, seed):
    """Gives every BN layer a random scale in [0.5, 1.5) and shift ~ N(0, 0.2²), so that a loader
    confusing BN weight, bias and statistics cannot match the reference by luck."""
    generator = torch.Generator().manual_seed(seed + 2)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.weight.copy_(torch.rand(module.weight.shape, generator=generator) + 0.5)
                module.bias.copy_(torch.randn(module.bias.shape, generator=generator) * 0.2)


def round_to_dtype(model, dtype):
    """Rounds the model's floating parameters and buffers to dtype and back, in place."""
    if dtype == torch.float32:
        return
    with torch.no_grad():
        for t in model.state_dict().values():
            if t.is_floating_point():
                t.copy_(t.to(dtype).to(t.dtype))


def prepare_model(name, seed=0, weights=None, warmup=None, dtype=torch.float32, randomize_bn=False):
    """Builds, loads, warms up and rounds the model; returns it in eval mode."""
    torch.manual_seed(seed)
    model = build_model(name)
    if weights is not None:
        load_weights(model, weights)
    if warmup is None:
        warmup = 0 if weights is not None else 3
    bn_warmup(model, input_shape(name), warmup, seed)
    if randomize_bn:
        perturb_bn(model, seed)
    model.eval()
    round_to_dtype(model, dtype)
    return model


def state_dict_tensors(model, dtype):
    """The state_dict in PyTorch's order, floating tensors converted to dtype."""
    out = []
    for key, t in model.state_dict().items():
        t = t.detach()
        if t.is_floating_point():
            t = t.to(dtype)
        elif t.dtype != torch.int64:
            t = t.to(torch.int64)
        out.append((key, t))
    return out


def reference_tensors(model, name, batch, seed):
    """input, float32 output and float64 output of the eval-mode model."""
    generator = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(batch, *input_shape(name), generator=generator)
    model.eval()
    with torch.no_grad():
        y = model(x)
        model64 = copy.deepcopy(model).double().eval()
        y64 = model64(x.double())
    return [("input", x), ("output", y.float()), ("output_f64", y64)]


def model_metadata(name):
    metadata = {"format": "pt", "ctnet_model": name, "exporter": EXPORTER}
    if name.startswith("resnet"):  # torchvision's ImageNet class names, for printing predictions
        from torchvision.models._meta import _IMAGENET_CATEGORIES
        metadata["classes"] = json.dumps(list(_IMAGENET_CATEGORIES))
    return metadata


def export(name, out, reference=None, weights=None, seed=0, batch=2, warmup=None, dtype="float32",
           randomize_bn=False):
    """Writes the model file (and the reference file); returns a summary dict."""
    torch_dtype, _ = DTYPES[dtype]
    start = time.perf_counter()
    model = prepare_model(name, seed, weights, warmup, torch_dtype, randomize_bn)
    tensors = state_dict_tensors(model, torch_dtype)
    size = write_safetensors(out, tensors, model_metadata(name))
    summary = {
        "model": name,
        "out": out,
        "tensors": len(tensors),
        "parameters": sum(p.numel() for p in model.parameters()),
        "bytes": size,
    }
    if reference is not None:
        ref = reference_tensors(model, name, batch, seed)
        meta = model_metadata(name)
        meta.update({"seed": str(seed), "weights_dtype": dtype, "batch": str(batch)})
        write_safetensors(reference, ref, meta)
        out_f32, out_f64 = ref[1][1], ref[2][1]
        summary["reference"] = reference
        summary["output_max_abs"] = out_f32.abs().max().item()
        summary["max_abs_f32_vs_f64"] = (out_f32.double() - out_f64).abs().max().item()
    summary["seconds"] = time.perf_counter() - start
    return summary


# --------------------------------------------------------------------------------------------
# Self-test
# --------------------------------------------------------------------------------------------

def self_test():
    failures = []

    def check(condition, what):
        print(f"  {'ok  ' if condition else 'FAIL'} {what}")
        if not condition:
            failures.append(what)

    def count(model):
        return sum(p.numel() for p in model.parameters())

    print("parameter counts:")
    for name, expected in (
        ("resnet18", 11_689_512),
        ("cifar_resnet20", 269_722),
        ("cifar_resnet20_b", 269_722 + 32 * 16 + 64 + 64 * 32 + 128),
        ("cifar_plain20", 269_722),
    ):
        got = count(build_model(name))
        check(got == expected, f"{name}: {got:,} parameters (expected {expected:,})")

    print("model names:")
    for good in ("resnet50", "cifar_resnet8", "cifar_resnet110_b", "cifar_plain56"):
        try:
            parse_model_name(good)
            check(True, f"{good} accepted")
        except ValueError:
            check(False, f"{good} accepted")
    for bad in ("resnet19", "cifar_resnet21", "cifar_resnet2", "cifar_plain20_b", "vgg16", "Resnet18"):
        try:
            parse_model_name(bad)
            check(False, f"{bad} rejected")
        except ValueError:
            check(True, f"{bad} rejected")

    print("CIFAR layout:")
    keys = list(build_model("cifar_resnet20_b").state_dict())
    check("layer2.0.downsample.0.weight" in keys and "layer3.0.downsample.1.running_var" in keys,
          "option B names its projections layerK.0.downsample.{0,1}")
    check(not any("downsample" in k for k in build_model("cifar_resnet20").state_dict()),
          "option A has no shortcut parameters")
    block = CifarBlock(4, 8, 2, "A")
    x = torch.arange(4 * 4 * 4, dtype=torch.float32).reshape(1, 4, 4, 4)
    sc = block._shortcut(x)
    check(sc.shape == (1, 8, 2, 2) and torch.equal(sc[:, 2:6], x[:, :, ::2, ::2])
          and not sc[:, :2].any() and not sc[:, 6:].any(),
          "option A: subsample, zero channels split evenly before and after")
    block = CifarBlock(16, 32, 2, "none")
    block.eval()
    with torch.no_grad():
        y = block(torch.randn(2, 16, 8, 8))
    check(y.shape == (2, 32, 4, 4), "plain block changes shape without a shortcut")

    print("safetensors format:")
    paddings = set()
    ok = True
    for k in range(1, 10):  # names of 1..9 characters give every amount of padding
        names = ["x" * k, "é"]  # a non-ASCII name: N counts UTF-8 bytes
        blob = safetensors_bytes([(name, torch.ones(1)) for name in names], {"k": "v"})
        (n,) = struct.unpack("<Q", blob[:8])
        text = blob[8 : 8 + n].decode("utf-8")
        padding = len(text) - len(text.rstrip(" "))
        paddings.add(padding)
        ok = ok and (8 + n) % 8 == 0 and padding < 8 and len(blob) == 8 + n + 4 * len(names)
        ok = ok and list(read_safetensors(blob)[0]) == names
    check(ok and paddings == set(range(8)),
          f"8 + N is a multiple of 8, padding with 0-7 spaces (saw {sorted(paddings)})")
    blob = safetensors_bytes([("x", torch.tensor([1.0, -2.0])), ("y", torch.tensor(7))])
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n])
    check(header["x"] == {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
          and header["y"] == {"dtype": "I64", "shape": [], "data_offsets": [8, 16]}
          and "__metadata__" not in header,
          "offsets packed back to back from 0; scalar shape []")
    check(blob[8 + n :] == struct.pack("<2f", 1.0, -2.0) + struct.pack("<q", 7),
          "raw data is little-endian, in the order written")
    try:
        read_safetensors(blob[:-1])
        check(False, "reader rejects a truncated file")
    except ValueError:
        check(True, "reader rejects a truncated file")

    print("round trips:")
    with tempfile.TemporaryDirectory() as tmp:
        for dtype_name, (dtype, tag) in DTYPES.items():
            path = os.path.join(tmp, f"m-{dtype_name}.safetensors")
            ref_path = os.path.join(tmp, f"r-{dtype_name}.safetensors")
            summary = export("cifar_resnet8_b", path, ref_path, seed=3, batch=2, warmup=2,
                             dtype=dtype_name)
            model = prepare_model("cifar_resnet8_b", seed=3, warmup=2, dtype=dtype)
            expected = dict(state_dict_tensors(model, dtype))
            tensors, meta, _ = read_safetensors(path)
            same = list(tensors) == list(expected) and all(
                tensors[k].dtype == expected[k].dtype and torch.equal(tensors[k], expected[k])
                for k in expected)
            check(same, f"{dtype_name}: {len(tensors)} tensors read back identical")
            check(all(tensors[k].dtype == (dtype if expected[k].is_floating_point() else torch.int64)
                      for k in tensors) and tensors["bn1.num_batches_tracked"].item() == 2,
                  f"{dtype_name}: floating tensors are {tag}, num_batches_tracked is I64")
            check(meta == model_metadata("cifar_resnet8_b"), f"{dtype_name}: metadata")
            ref, ref_meta, _ = read_safetensors(ref_path)
            reloaded = CifarNet(8, "B")
            reloaded.load_state_dict({k: v.float() if v.is_floating_point() else v
                                      for k, v in tensors.items()})
            reloaded.eval()
            with torch.no_grad():
                y = reloaded(ref["input"])
            check(list(ref) == ["input", "output", "output_f64"]
                  and ref["output"].dtype == torch.float32 and ref["output_f64"].dtype == torch.float64
                  and torch.allclose(y, ref["output"], rtol=1e-5, atol=1e-5)
                  and torch.allclose(ref["output"].double(), ref["output_f64"], rtol=1e-4, atol=1e-4),
                  f"{dtype_name}: reference matches the weights as written "
                  f"(|f32 - f64| = {summary['max_abs_f32_vs_f64']:.2e})")
            check(ref_meta.get("ctnet_model") == "cifar_resnet8_b", f"{dtype_name}: reference metadata")

        print("checkpoints:")
        source = prepare_model("cifar_resnet8", seed=5, warmup=1)
        ckpt = os.path.join(tmp, "ckpt.pth")
        torch.save({"state_dict": {"module." + k: v for k, v in source.state_dict().items()}}, ckpt)
        model = prepare_model("cifar_resnet8", seed=9, weights=ckpt)
        check(all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                    source.state_dict().values())),
              "{'state_dict': ...} with 'module.' prefixes loads; no warmup by default")
        torch.save({"model": source.state_dict()}, ckpt)
        model = prepare_model("cifar_resnet8", seed=9, weights=ckpt, warmup=1)
        check(not torch.equal(model.bn1.running_mean, source.bn1.running_mean),
              "{'model': ...} loads; an explicit --bn-warmup still runs")
        torch.save(source.state_dict(), ckpt)
        try:
            prepare_model("cifar_resnet8_b", weights=ckpt)
            check(False, "a mismatching checkpoint is rejected")
        except ValueError:
            check(True, "a mismatching checkpoint is rejected")

    print("determinism:")
    a = prepare_model("cifar_resnet8", seed=1)
    b = prepare_model("cifar_resnet8", seed=1)
    check(all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values())),
          "the same seed gives the same weights")
    check(a.bn1.running_mean.abs().max() > 0 and (a.bn1.running_var - 1).abs().max() > 0,
          "BN warmup moves running statistics off 0/1")

    print("self-test " + ("passed" if not failures else f"FAILED ({len(failures)} checks)"))
    return 0 if not failures else 1


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="export_torchvision.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", metavar="NAME", help=MODEL_HELP)
    parser.add_argument("--out", metavar="FILE", help="the safetensors file to write the state_dict to")
    parser.add_argument("--reference", metavar="FILE",
                        help="also write FILE with 'input' (F32 [batch,C,H,W]), 'output' (F32 logits "
                             "of the eval-mode model) and 'output_f64' (the same in float64)")
    parser.add_argument("--weights", metavar="FILE.pth",
                        help="load this checkpoint (a state_dict, or a dict holding 'state_dict' or "
                             "'model'; 'module.' prefixes are stripped) instead of random weights")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed for the random init, the BN warmup data (seed) and the reference "
                             "input (seed+1) (default: 0)")
    parser.add_argument("--batch", type=int, default=2, help="reference batch size (default: 2)")
    parser.add_argument("--bn-warmup", type=int, default=None, metavar="K",
                        help="train-mode forward passes on random data so BN running stats are not "
                             "0/1 (default: 3, or 0 with --weights; 0 disables)")
    parser.add_argument("--dtype", choices=list(DTYPES), default="float32",
                        help="dtype of the floating tensors in --out (default: float32); the reference "
                             "is computed from the weights rounded to it")
    parser.add_argument("--randomize-bn", action="store_true",
                        help="give BN layers random weight and bias (tests: makes every BN tensor matter)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="torch threads (default: all cores; Debian's torch otherwise uses one)")
    parser.add_argument("--self-test", action="store_true", help="run internal checks and exit 0/1")
    args = parser.parse_args(argv)
    torch.set_num_threads(max(1, args.threads or 1))

    if args.self_test:
        return self_test()
    if args.model is None or args.out is None:
        parser.error("--model and --out are required (or use --self-test)")
    try:
        parse_model_name(args.model)
    except ValueError as error:
        parser.error(str(error))
    if args.batch < 1:
        parser.error("--batch must be at least 1")
    if args.bn_warmup is not None and args.bn_warmup < 0:
        parser.error("--bn-warmup must be 0 or more")
    if args.weights is not None and not os.path.isfile(args.weights):
        parser.error(f"--weights: no such file: {args.weights}")

    try:
        summary = export(args.model, args.out, args.reference, args.weights, args.seed, args.batch,
                         args.bn_warmup, args.dtype, args.randomize_bn)
    except ValueError as error:
        print(f"export_torchvision.py: error: {error}", file=sys.stderr)
        return 1
    print(f"{summary['model']}: {summary['tensors']} tensors, {summary['parameters']:,} parameters, "
          f"{args.dtype} -> {summary['out']} ({summary['bytes']:,} bytes)")
    if "reference" in summary:
        print(f"reference -> {summary['reference']}: batch {args.batch}, "
              f"max |output| = {summary['output_max_abs']:.4g}, "
              f"max |output - output_f64| = {summary['max_abs_f32_vs_f64']:.3g}")
    print(f"done in {summary['seconds']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
