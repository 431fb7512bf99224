#!/usr/bin/python3
"""Differential tester: shapelint against the two reference oracles.

Generates random small Keras models (seeded, reproducible), writes each one as
a tf.keras 2 `to_json()` config and as the Keras 3 file Keras itself writes for
it (through the Keras 3 oracle's `--to-keras3` mode), runs shapelint on both,
the tfjs oracle (tf.keras 2 semantics) on the Keras 2 file and the Keras 3
oracle on the Keras 3 file, and compares per layer: output shapes (first
call), parameter counts, whether the model fails and at which layer.

Standard library only; a developer tool, never needed by the build or tests.
See README.md next to this file.
"""

import argparse
import collections
import copy
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

FAMILIES = ("conv", "pool", "core", "reshape", "merge", "rnn", "norm")
ZEROS = {"class_name": "Zeros", "config": {}}
ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid", "softmax", "elu", "selu")

# --------------------------------------------------------------------------
# Small shape arithmetic, used only to steer the generator towards models that
# are valid (or fail where intended). The oracles decide what is true.
# --------------------------------------------------------------------------


def cdiv(a, b):
    return -(-a // b)


def conv_len(n, k, s, d, padding):
    if n is None:
        return None
    if padding == "valid":
        return (n - d * (k - 1) - 1) // s + 1
    return cdiv(n, s)


def deconv_len(n, k, s, d, padding, out_pad):
    if n is None:
        return None
    k = k + (k - 1) * (d - 1)
    if out_pad is None:
        return n * s + max(k - s, 0) if padding == "valid" else n * s
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * s + k - 2 * pad + out_pad


def prod(dims):
    out = 1
    for d in dims:
        if d is None:
            return None
        out *= d
    return out


def snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def layout(shape, fmt):
    """(spatial axes, channel axis) of a conv-style shape."""
    r = len(shape)
    if fmt == "channels_first":
        return list(range(2, r)), 1
    return list(range(1, r - 1)), r - 1


# --------------------------------------------------------------------------
# Generator state
# --------------------------------------------------------------------------


class Tensor:
    __slots__ = ("layer", "index", "shape", "dtype", "node")

    def __init__(self, layer, index, shape, dtype="float32", node=0):
        self.layer, self.index, self.shape, self.dtype = layer, index, list(shape), dtype
        self.node = node


class Gen:
    def __init__(self, rng, family, functional):
        self.rng = rng
        self.family = family
        self.functional = functional
        self.layers = []  # dicts: class_name, config, inbound, n_out, inner
        self.by_name = {}
        self.counts = collections.Counter()
        self.breaks = []  # {"layer", "patch": {path: value}, "why"}
        self.fmt = "channels_first" if rng.random() < 0.15 else "channels_last"
        self.consumed = set()

    # random helpers
    def chance(self, p):
        return self.rng.random() < p

    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def int(self, lo, hi):
        return self.rng.randint(lo, hi)

    def name_for(self, cls):
        base = snake(cls)
        n = self.counts[base]
        self.counts[base] += 1
        return base if n == 0 else f"{base}_{n}"

    def add(self, cls, cfg, inputs, out_shapes, breaks=(), inner=None, dtype="float32"):
        name = self.name_for(cls)
        config = {"name": name, "trainable": True, "dtype": "float32"}
        config.update(cfg)
        entry = {
            "class_name": cls,
            "config": config,
            "nodes": [[(t.layer, t.node, t.index) for t in inputs]],
            "n_out": len(out_shapes),
            "inner": inner,
        }
        self.layers.append(entry)
        self.by_name[name] = entry
        for t in inputs:
            self.consumed.add(t.layer)
        for b in breaks:
            patch, why = b
            self.breaks.append({"layer": name, "patch": patch, "why": why})
        return [Tensor(name, i, s, dtype) for i, s in enumerate(out_shapes)]

    def call_again(self, name, inputs, out_shapes):
        """A further call of an existing layer (a shared layer): a new inbound node."""
        entry = self.by_name[name]
        node = len(entry["nodes"])
        entry["nodes"].append([(t.layer, t.node, t.index) for t in inputs])
        for t in inputs:
            self.consumed.add(t.layer)
        return [Tensor(name, i, s, inputs[0].dtype, node) for i, s in enumerate(out_shapes)]

    def add_input(self, shape, dtype="float32"):
        name = self.name_for("input")
        cfg = {"batch_input_shape": list(shape), "dtype": dtype, "sparse": False,
               "ragged": False, "name": name}
        entry = {"class_name": "InputLayer", "config": cfg, "nodes": [], "n_out": 1,
                 "inner": None}
        self.layers.append(entry)
        self.by_name[name] = entry
        self.input_breaks(name, shape)
        return Tensor(name, 0, shape, dtype)

    def input_breaks(self, name, shape):
        r = len(shape)
        path = "batch_input_shape"
        if r >= 3:
            i = self.int(1, r - 1)
            self.breaks.append({"layer": name, "patch": {path: shape[:i] + shape[i + 1:]},
                                "why": "input rank - 1"})
        if r <= 5:
            self.breaks.append({"layer": name, "patch": {path: shape + [self.int(1, 4)]},
                                "why": "input rank + 1"})
        if r >= 3:
            small = [None] + [self.int(1, 3) for _ in shape[1:-1]] + [shape[-1]]
            self.breaks.append({"layer": name, "patch": {path: small},
                                "why": "input too small"})
        if shape[-1] is not None:
            self.breaks.append({"layer": name, "patch": {path: shape[:-1] + [None]},
                                "why": "input last dim unknown"})


def init_kw(*names):
    return {n: copy.deepcopy(ZEROS) for n in names}


# --------------------------------------------------------------------------
# Layer makers: maker(g, t) -> list of output Tensors, or None when the layer
# does not fit the input tensor t.
# --------------------------------------------------------------------------


def mk_dense(g, t):
    s = t.shape
    if len(s) < 2 or t.dtype != "float32":
        return None
    units = g.pick([1, 2, 3, 4, 6, 8, 16])
    cfg = {"units": units, "activation": g.pick(ACTIVATIONS), "use_bias": g.chance(0.8)}
    cfg.update(init_kw("kernel_initializer", "bias_initializer"))
    breaks = [({"units": 0}, "Dense units=0")] if g.chance(0.1) else []
    return g.add("Dense", cfg, [t], [s[:-1] + [units]], breaks)


def mk_activation(g, t):
    if t.dtype != "float32":
        return None
    s = t.shape
    # ThresholdedReLU is rare: Keras 3 dropped it, so no Keras 3 file can hold the model.
    kind = g.pick(["Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax"] * 4
                  + ["ThresholdedReLU"])
    r = len(s)
    if kind == "Activation":
        cfg = {"activation": g.pick(ACTIVATIONS)}
    elif kind == "ReLU":
        cfg = {"max_value": g.pick([None, 6.0]), "negative_slope": g.pick([0.0, 0.1]),
               "threshold": g.pick([0.0, 0.5])}
    elif kind == "LeakyReLU":
        cfg = {"alpha": g.pick([0.3, 0.1])}
    elif kind == "PReLU":
        shared = None
        if r > 2 and g.chance(0.5):
            shared = sorted(g.rng.sample(range(1, r), g.int(1, r - 1)))
        cfg = {"shared_axes": shared}
        cfg.update(init_kw("alpha_initializer"))
        cfg["alpha_regularizer"] = None
        cfg["alpha_constraint"] = None
    elif kind == "ELU":
        cfg = {"alpha": 1.0}
    elif kind == "Softmax":
        cfg = {"axis": g.pick([-1, -1, g.int(1, r - 1)])}
    else:
        cfg = {"theta": 1.0}
    return g.add(kind, cfg, [t], [s])


def mk_dropout(g, t):
    s = t.shape
    r = len(s)
    # ActivityRegularization is rare: the tfjs oracle lacks it.
    kinds = ["Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout"] * 3 + \
        ["ActivityRegularization"]
    if r == 3:
        kinds.append("SpatialDropout1D")
    if r == 4:
        kinds.append("SpatialDropout2D")
    if r == 5:
        kinds.append("SpatialDropout3D")
    kind = g.pick(kinds)
    if t.dtype != "float32" and kind != "Dropout":
        return None
    if kind == "Dropout":
        cfg = {"rate": g.pick([0.1, 0.5]), "noise_shape": None, "seed": None}
    elif kind == "GaussianNoise":
        cfg = {"stddev": 0.1, "seed": None}
    elif kind == "ActivityRegularization":
        cfg = {"l1": 0.01, "l2": 0.0}
    elif kind in ("SpatialDropout2D", "SpatialDropout3D"):
        cfg = {"rate": 0.2, "data_format": g.fmt}
    else:
        cfg = {"rate": 0.2}
    return g.add(kind, cfg, [t], [s])


def mk_masking(g, t):
    if len(t.shape) < 3 or t.dtype != "float32":
        return None
    return g.add("Masking", {"mask_value": 0.0}, [t], [t.shape])


def mk_embedding(g, t):
    if t.dtype != "int32":
        return None
    out_dim = g.pick([2, 4, 8])
    cfg = {"input_dim": g.pick([10, 50, 100]), "output_dim": out_dim,
           "mask_zero": g.chance(0.3), "input_length": None}
    if len(t.shape) == 2 and g.chance(0.3):
        cfg["input_length"] = t.shape[1]
    cfg.update(init_kw("embeddings_initializer"))
    cfg["embeddings_regularizer"] = None
    cfg["activity_regularizer"] = None
    cfg["embeddings_constraint"] = None
    return g.add("Embedding", cfg, [t], [t.shape + [out_dim]])


def mk_flatten(g, t):
    s = t.shape
    if len(s) < 2:
        return None
    return g.add("Flatten", {"data_format": g.fmt if len(s) > 2 else "channels_last"}, [t],
                 [[s[0], prod(s[1:])]])


def factorize(rng, n, parts):
    """Split n into `parts` positive integer factors."""
    dims = [1] * parts
    m = n
    p = 2
    primes = []
    while p * p <= m:
        while m % p == 0:
            primes.append(p)
            m //= p
        p += 1
    if m > 1:
        primes.append(m)
    for q in primes:
        dims[rng.randrange(parts)] *= q
    return dims


def mk_reshape(g, t):
    s = t.shape
    if len(s) < 2:
        return None
    count = prod(s[1:])
    parts = g.int(1, 3)
    breaks = []
    if count is None:
        target = [g.int(1, 4) for _ in range(parts - 1)] + [-1]
        g.rng.shuffle(target)
        out = [s[0]] + [None if d == -1 else d for d in target]
    else:
        dims = factorize(g.rng, count, parts)
        out = [s[0]] + dims
        target = list(dims)
        if g.chance(0.5):
            target[g.int(0, parts - 1)] = -1
        bad = list(dims)
        bad[g.int(0, parts - 1)] += 1
        breaks.append(({"target_shape": bad}, "Reshape count mismatch"))
        if count > 1 and count % 5 != 0 and g.chance(0.5):
            breaks.append(({"target_shape": [5, -1]}, "Reshape -1 cannot be inferred"))
        other = factorize(g.rng, count, 1 + (parts % 3))
        breaks.append(({"target_shape": other}, "Reshape to another rank"))
    if g.chance(0.3):
        breaks.append(({"target_shape": [-1, -1] + target[2:]}, "Reshape two -1"))
    return g.add("Reshape", {"target_shape": target}, [t], [out], breaks)


def mk_permute(g, t):
    s = t.shape
    r = len(s)
    if r < 3:
        return None
    dims = list(range(1, r))
    g.rng.shuffle(dims)
    out = [s[0]] + [s[d] for d in dims]
    breaks = [({"dims": [d + 1 for d in dims]}, "Permute dims out of range")]
    if r > 3:
        breaks.append(({"dims": dims[:-1]}, "Permute dims too short"))
    return g.add("Permute", {"dims": dims}, [t], [out], breaks)


def mk_repeat(g, t):
    s = t.shape
    if len(s) != 2:
        return None
    n = g.int(1, 5)
    return g.add("RepeatVector", {"n": n}, [t], [[s[0], n, s[1]]])


def conv_spatial_sizes(g, n):
    """A kernel size that fits a spatial length n (valid padding)."""
    ks = [1, 2, 3, 3, 5]
    if n is not None:
        ks = [k for k in ks if k <= n] or [1]
    return g.pick(ks)


def mk_conv(g, t, kind="Conv"):
    """kind: Conv, ConvTranspose, SeparableConv, DepthwiseConv."""
    s = t.shape
    r = len(s)
    rank = r - 2
    allowed = {"Conv": (1, 2, 3), "ConvTranspose": (1, 2, 3), "SeparableConv": (1, 2),
               "DepthwiseConv": (1, 2)}[kind]
    if rank not in allowed or t.dtype != "float32":
        return None
    fmt = g.fmt
    spatial, ch = layout(s, fmt)
    c_in = s[ch]
    cls = {"Conv": f"Conv{rank}D", "ConvTranspose": f"Conv{rank}DTranspose",
           "SeparableConv": f"SeparableConv{rank}D", "DepthwiseConv": f"DepthwiseConv{rank}D"}[kind]
    paddings = ["valid", "same"]
    if kind == "Conv" and rank == 1:
        paddings.append("causal")
    padding = g.pick(paddings)
    dilated = kind != "ConvTranspose" and g.chance(0.2)
    dil = [1] * rank
    strides = [1] * rank
    ksz = []
    for ax in spatial:
        n = s[ax]
        k = conv_spatial_sizes(g, n)
        ksz.append(k)
    if dilated:
        for i, ax in enumerate(spatial):
            n = s[ax]
            d = 2
            if padding == "valid" and n is not None and d * (ksz[i] - 1) + 1 > n:
                d = 1
            dil[i] = d
    elif g.chance(0.4):
        strides = [g.pick([1, 2, 3]) for _ in spatial]
    filters = g.pick([1, 2, 4, 6, 8, 12])
    cfg = {}
    breaks = []
    if kind != "DepthwiseConv":
        cfg["filters"] = filters
    cfg.update({"kernel_size": ksz, "strides": strides, "padding": padding, "data_format": fmt,
                "dilation_rate": dil})
    if kind == "Conv":
        groups = 1
        if c_in is not None and c_in > 1 and g.chance(0.2):
            divs = [d for d in range(2, c_in + 1) if c_in % d == 0]
            groups = g.pick(divs)
            filters = groups * g.int(1, 3)
            cfg["filters"] = filters
        cfg["groups"] = groups
        if c_in is not None and c_in > 2:
            bad = next((q for q in range(2, c_in + 2) if c_in % q), None)
            if bad:
                breaks.append(({"groups": bad, "filters": bad * 2}, "groups do not divide channels"))
    out_pad = None
    if kind == "ConvTranspose":
        if max(strides) > 1 and g.chance(0.3):
            out_pad = [g.int(0, st - 1) for st in strides]
            cfg["output_padding"] = out_pad
        else:
            cfg["output_padding"] = None
        if g.chance(0.2):
            st = g.pick([1, 2])
            breaks.append(({"strides": [st] * rank, "output_padding": [st] * rank},
                           "output_padding >= strides"))
    if kind in ("SeparableConv", "DepthwiseConv"):
        cfg["depth_multiplier"] = g.pick([1, 1, 2, 3])
    cfg["activation"] = g.pick(ACTIVATIONS)
    cfg["use_bias"] = g.chance(0.8)
    if kind == "SeparableConv":
        cfg.update(init_kw("depthwise_initializer", "pointwise_initializer", "bias_initializer"))
    elif kind == "DepthwiseConv":
        cfg.update(init_kw("depthwise_initializer", "bias_initializer"))
    else:
        cfg.update(init_kw("kernel_initializer", "bias_initializer"))
    # output shape
    out = list(s)
    for i, ax in enumerate(spatial):
        if kind == "ConvTranspose":
            op = out_pad[i] if out_pad else None
            out[ax] = deconv_len(s[ax], ksz[i], strides[i], dil[i], padding, op)
        else:
            out[ax] = conv_len(s[ax], ksz[i], strides[i], dil[i],
                               "same" if padding == "causal" else padding)
    if kind == "DepthwiseConv":
        out[ch] = None if c_in is None else c_in * cfg["depth_multiplier"]
    else:
        out[ch] = cfg["filters"]
    # failure candidates
    if kind != "ConvTranspose":
        known = [(i, s[ax]) for i, ax in enumerate(spatial) if s[ax] is not None]
        if known:
            i, n = g.pick(known)
            big = list(ksz)
            big[i] = n + g.int(1, 3)
            breaks.append(({"kernel_size": big, "padding": "valid", "dilation_rate": [1] * rank,
                            "strides": [1] * rank}, "kernel larger than input"))
            if n >= 3 and g.chance(0.5):
                breaks.append(({"kernel_size": [min(n, 3)] * rank, "padding": "valid",
                                "dilation_rate": [n] * rank, "strides": [1] * rank},
                               "dilated kernel larger than input"))
        if g.chance(0.3):
            breaks.append(({"strides": [2] * rank, "dilation_rate": [2] * rank},
                           "strides and dilation both > 1"))
    if any(d is not None and d < 1 for d in out):
        return None
    return g.add(cls, cfg, [t], [out], breaks)


def mk_pool(g, t, glob=False):
    s = t.shape
    r = len(s)
    rank = r - 2
    if rank not in (1, 2, 3) or t.dtype != "float32":
        return None
    fmt = g.fmt
    spatial, ch = layout(s, fmt)
    op = g.pick(["Max", "Average"])
    if glob:
        cls = f"Global{op}Pooling{rank}D"
        keep = g.chance(0.3)
        cfg = {"data_format": fmt, "keepdims": keep}
        if keep:
            out = list(s)
            for ax in spatial:
                out[ax] = 1
        else:
            out = [s[0], s[ch]]
        return g.add(cls, cfg, [t], [out])
    cls = f"{op}Pooling{rank}D"
    padding = g.pick(["valid", "same"])
    pool = []
    for ax in spatial:
        n = s[ax]
        opts = [1, 2, 2, 3]
        if n is not None and padding == "valid":
            opts = [p for p in opts if p <= n] or [1]
        pool.append(g.pick(opts))
    strides = None if g.chance(0.5) else [g.pick([1, 2, 3]) for _ in spatial]
    cfg = {"pool_size": pool, "strides": strides, "padding": padding, "data_format": fmt}
    out = list(s)
    for i, ax in enumerate(spatial):
        st = strides[i] if strides else pool[i]
        out[ax] = conv_len(s[ax], pool[i], st, 1, padding)
    breaks = []
    known = [(i, s[ax]) for i, ax in enumerate(spatial) if s[ax] is not None]
    if known:
        i, n = g.pick(known)
        big = list(pool)
        big[i] = n + g.int(1, 2)
        breaks.append(({"pool_size": big, "padding": "valid"}, "pool larger than input"))
    if any(d is not None and d < 1 for d in out):
        return None
    return g.add(cls, cfg, [t], [out], breaks)


def mk_global_pool(g, t):
    return mk_pool(g, t, glob=True)


def mk_padcrop(g, t):
    s = t.shape
    r = len(s)
    rank = r - 2
    if rank not in (1, 2, 3):
        return None
    kind = g.pick(["ZeroPadding", "Cropping", "UpSampling"])
    cls = f"{kind}{rank}D"
    fmt = g.fmt if rank > 1 else "channels_last"
    spatial, _ = layout(s, fmt)
    out = list(s)
    breaks = []
    cfg = {}
    if kind == "ZeroPadding":
        pads = [(g.int(0, 2), g.int(0, 2)) for _ in spatial]
        if rank == 1:
            cfg["padding"] = g.pick([list(pads[0]), pads[0][0]])
            p = cfg["padding"]
            pads = [(p, p)] if isinstance(p, int) else [tuple(p)]
        else:
            cfg["padding"] = [list(p) for p in pads]
        for (a, b), ax in zip(pads, spatial):
            out[ax] = None if s[ax] is None else s[ax] + a + b
    elif kind == "Cropping":
        crops = []
        for ax in spatial:
            n = s[ax]
            if n is None:
                crops.append((g.int(0, 2), g.int(0, 2)))
            else:
                a = g.int(0, max(0, (n - 1) // 2))
                b = g.int(0, max(0, n - 1 - a))
                crops.append((min(a, 3), min(b, 3)))
        if rank == 1:
            cfg["cropping"] = list(crops[0])
        else:
            cfg["cropping"] = [list(c) for c in crops]
        for (a, b), ax in zip(crops, spatial):
            out[ax] = None if s[ax] is None else s[ax] - a - b
        known = [(i, s[ax]) for i, ax in enumerate(spatial) if s[ax] is not None]
        if known:
            i, n = g.pick(known)
            bad = [list(c) for c in crops]
            bad[i] = [n // 2 + g.int(0, 1), n - n // 2]
            breaks.append(({"cropping": bad[0] if rank == 1 else bad}, "crop everything"))
    else:
        size = [g.int(1, 3) for _ in spatial]
        cfg["size"] = size[0] if rank == 1 else size
        if rank == 2:
            cfg["interpolation"] = g.pick(["nearest", "bilinear"])
        for k, ax in zip(size, spatial):
            out[ax] = None if s[ax] is None else s[ax] * k
    if rank > 1:
        cfg["data_format"] = fmt
    if any(d is not None and d < 1 for d in out):
        return None
    return g.add(cls, cfg, [t], [out], breaks)


def mk_image_pre(g, t):
    s = t.shape
    if t.dtype != "float32":
        return None
    kind = g.pick(["Rescaling", "Resizing", "CenterCrop"])
    if kind == "Rescaling":
        return g.add("Rescaling", {"scale": g.pick([1 / 255.0, 2.0]), "offset": g.pick([0.0, -1.0])},
                     [t], [s])
    if len(s) != 4:
        return None
    h, w = g.int(1, 12), g.int(1, 12)
    if kind == "Resizing":
        cfg = {"height": h, "width": w, "interpolation": g.pick(["bilinear", "nearest"]),
               "crop_to_aspect_ratio": g.chance(0.2)}
    else:
        cfg = {"height": h, "width": w}
    out = [s[0], h, w, s[3]]
    return g.add(kind, cfg, [t], [out])


def mk_batchnorm(g, t):
    s = t.shape
    r = len(s)
    if t.dtype != "float32":
        return None
    axes = [a for a in range(1, r) if s[a] is not None]
    if not axes:
        return None
    axis = g.pick([-1, -1] + axes + [a - r for a in axes]) if s[-1] is not None else g.pick(axes)
    cfg = {"axis": axis, "momentum": 0.99, "epsilon": 0.001, "center": g.chance(0.8),
           "scale": g.chance(0.8)}
    cfg.update(init_kw("beta_initializer", "gamma_initializer", "moving_mean_initializer",
                       "moving_variance_initializer"))
    breaks = [({"axis": g.pick([r, -r - 1, r + 1])}, "BatchNormalization axis out of range")]
    unknown = [a for a in range(1, r) if s[a] is None]
    if unknown:
        breaks.append(({"axis": g.pick(unknown)}, "BatchNormalization axis on unknown dim"))
    return g.add("BatchNormalization", cfg, [t], [s], breaks)


def mk_layernorm(g, t):
    s = t.shape
    r = len(s)
    if t.dtype != "float32":
        return None
    known = [a for a in range(1, r) if s[a] is not None]
    if not known:
        return None
    if s[-1] is not None and g.chance(0.5):
        axis = -1
    elif g.chance(0.5):
        axis = g.pick(known)
    else:
        axis = sorted(g.rng.sample(known, g.int(1, len(known))))
    cfg = {"axis": axis, "epsilon": 0.001, "center": g.chance(0.8), "scale": g.chance(0.8)}
    cfg.update(init_kw("beta_initializer", "gamma_initializer"))
    breaks = [({"axis": g.pick([r, -r - 1])}, "LayerNormalization axis out of range")]
    unknown = [a for a in range(1, r) if s[a] is None]
    if unknown:
        breaks.append(({"axis": g.pick(unknown)}, "LayerNormalization axis on unknown dim"))
    return g.add("LayerNormalization", cfg, [t], [s], breaks)


def rnn_config(g, cls, functional):
    units = g.pick([1, 2, 3, 4, 6, 8])
    cfg = {"units": units, "activation": g.pick(["tanh", "relu"]), "use_bias": g.chance(0.85),
           "return_sequences": g.chance(0.5),
           "return_state": functional and g.chance(0.25),
           "go_backwards": g.chance(0.2), "stateful": False, "unroll": False,
           "dropout": 0.0, "recurrent_dropout": 0.0}
    cfg.update(init_kw("kernel_initializer", "recurrent_initializer", "bias_initializer"))
    if cls in ("LSTM", "GRU"):
        cfg["recurrent_activation"] = "sigmoid"
    if cls == "LSTM":
        cfg["unit_forget_bias"] = True
    if cls == "GRU":
        cfg["reset_after"] = g.chance(0.75)
    return cfg


def rnn_outputs(cls, cfg, s):
    units = cfg["units"]
    main = [s[0], s[1], units] if cfg["return_sequences"] else [s[0], units]
    outs = [main]
    if cfg["return_state"]:
        outs += [[s[0], units]] * (2 if cls == "LSTM" else 1)
    return outs


def mk_rnn(g, t):
    s = t.shape
    if len(s) != 3 or t.dtype != "float32":
        return None
    cls = g.pick(["SimpleRNN", "LSTM", "GRU"])
    cfg = rnn_config(g, cls, g.functional)
    breaks = []
    if cfg["return_sequences"]:
        breaks.append(({"return_sequences": False}, "RNN stops returning sequences"))
    return g.add(cls, cfg, [t], rnn_outputs(cls, cfg, s), breaks)


def mk_bidirectional(g, t):
    s = t.shape
    if len(s) != 3 or t.dtype != "float32":
        return None
    cls = g.pick(["SimpleRNN", "LSTM", "GRU"])
    inner = rnn_config(g, cls, g.functional)
    # Keras 3 refuses a forward layer with go_backwards=True (its backward copy is the same)
    inner["go_backwards"] = False
    inner["name"] = g.name_for(cls)
    modes = ["concat", "sum", "mul", "ave"] + (["None"] if g.functional else [])
    mode = g.pick(modes)
    mode = None if mode == "None" else mode
    one = rnn_outputs(cls, inner, s)
    main = one[0]
    if mode == "concat":
        mains = [main[:-1] + [main[-1] * 2]]
    elif mode is None:
        mains = [main, main]
    else:
        mains = [main]
    outs = mains + one[1:] + one[1:]
    breaks = []
    if inner["return_sequences"]:
        breaks.append(({"layer/config/return_sequences": False}, "RNN stops returning sequences"))
    cfg = {"layer": {"class_name": cls, "config": inner}, "merge_mode": mode}
    return g.add("Bidirectional", cfg, [t], outs, breaks, inner=cls)


def mk_time_distributed(g, t):
    s = t.shape
    if len(s) < 3 or t.dtype != "float32":
        return None
    step = s[:1] + s[2:]
    options = ["Dense", "Dropout", "Flatten"]
    if len(step) == 4:
        options.append("Conv2D")
    if len(step) == 3:
        options.append("Conv1D")
    kind = g.pick(options)
    iname = g.name_for(kind)
    if kind == "Dense":
        units = g.pick([1, 2, 4, 8])
        icfg = {"units": units, "activation": "linear", "use_bias": g.chance(0.8)}
        icfg.update(init_kw("kernel_initializer", "bias_initializer"))
        out_step = step[:-1] + [units]
    elif kind == "Dropout":
        icfg = {"rate": 0.5, "noise_shape": None, "seed": None}
        out_step = step
    elif kind == "Flatten":
        icfg = {"data_format": "channels_last"}
        out_step = [step[0], prod(step[1:])]
    else:
        rank = len(step) - 2
        ks = [conv_spatial_sizes(g, n) for n in step[1:-1]]
        filters = g.pick([2, 4])
        icfg = {"filters": filters, "kernel_size": ks, "strides": [1] * rank, "padding": "valid",
                "data_format": "channels_last", "dilation_rate": [1] * rank, "groups": 1,
                "activation": "linear", "use_bias": True}
        icfg.update(init_kw("kernel_initializer", "bias_initializer"))
        out_step = [step[0]] + [conv_len(n, k, 1, 1, "valid") for n, k in zip(step[1:-1], ks)]
        out_step.append(filters)
    icfg = dict({"name": iname, "trainable": True, "dtype": "float32"}, **icfg)
    out = [s[0], s[1]] + out_step[1:]
    cfg = {"layer": {"class_name": kind, "config": icfg}}
    return g.add("TimeDistributed", cfg, [t], [out], inner=kind)


MERGE_ELEMWISE = ("Add", "Multiply", "Average", "Maximum", "Minimum")


def dims_match(a, b):
    return a is None or b is None or a == b


def broadcastable(shapes):
    r = len(shapes[0])
    if any(len(x) != r for x in shapes):
        return False
    for i in range(1, r):
        known = {x[i] for x in shapes if x[i] is not None}
        known.discard(1)
        if len(known) > 1:
            return False
    return True


def merged_elemwise(shapes):
    out = [shapes[0][0]]
    for i in range(1, len(shapes[0])):
        vals = [x[i] for x in shapes]
        known = [v for v in vals if v is not None and v != 1]
        if known:
            out.append(known[0])
        elif any(v is None for v in vals):
            out.append(None)
        else:
            out.append(1)
    return out


def mk_merge(g, ts, branch_breaks=True):
    shapes = [t.shape for t in ts]
    if any(t.dtype != "float32" for t in ts):
        return None
    r = len(shapes[0])
    same_rank = all(len(x) == r for x in shapes)
    options = []
    if same_rank and broadcastable(shapes):
        options += list(MERGE_ELEMWISE)
        if len(ts) == 2:
            options.append("Subtract")
    concat_axes = []
    if same_rank:
        for ax in range(1, r):
            if all(dims_match(x[i], shapes[0][i]) for x in shapes for i in range(1, r) if i != ax):
                concat_axes.append(ax)
    if concat_axes:
        options += ["Concatenate"] * 2
    dot_axes = []
    if len(ts) == 2 and r in (2, 3) and len(shapes[1]) in (2, 3):
        for a in range(1, r):
            for b in range(1, len(shapes[1])):
                if shapes[0][a] is not None and shapes[0][a] == shapes[1][b]:
                    dot_axes.append((a, b))
        if dot_axes:
            options.append("Dot")
    if not options:
        return None
    cls = g.pick(options)
    breaks = []
    if cls == "Concatenate":
        ax = g.pick(concat_axes)
        axis = g.pick([ax, ax - r])
        cfg = {"axis": axis}
        out = list(shapes[0])
        out[ax] = None if any(x[ax] is None for x in shapes) else sum(x[ax] for x in shapes)
        for i in range(1, r):
            if i != ax:
                out[i] = next((x[i] for x in shapes if x[i] is not None), None)
        bad = [a for a in range(1, r) if a not in concat_axes]
        if bad:
            breaks.append(({"axis": g.pick(bad)}, "Concatenate along the wrong axis"))
        if g.chance(0.2):
            breaks.append(({"axis": r}, "Concatenate axis out of range"))
    elif cls == "Dot":
        a, b = g.pick(dot_axes)
        norm = g.chance(0.2)
        if a == b and g.chance(0.5):
            cfg = {"axes": a, "normalize": norm}
        else:
            cfg = {"axes": [a, b], "normalize": norm}
        s0, s1 = shapes
        out = [s0[0]] + [d for i, d in enumerate(s0) if i not in (0, a)] + \
              [d for i, d in enumerate(s1) if i not in (0, b)]
        if len(out) == 1:
            out.append(1)
        wrong = [(x, y) for x in range(1, r) for y in range(1, len(s1))
                 if s0[x] is not None and s1[y] is not None and s0[x] != s1[y]]
        if wrong:
            breaks.append(({"axes": list(g.pick(wrong))}, "Dot axes of different sizes"))
    else:
        cfg = {}
        out = merged_elemwise(shapes)
    if branch_breaks:
        # a branch that ends in a different width makes the merge fail
        for t in ts:
            prod_entry = g.by_name.get(t.layer)
            if prod_entry is None:
                continue
            c = prod_entry["config"]
            for key in ("units", "filters"):
                if isinstance(c.get(key), int) and prod_entry["class_name"] != "TimeDistributed":
                    g.breaks.append({"layer": t.layer, "patch": {key: c[key] + g.int(1, 3)},
                                     "why": f"merge branch {key} changed"})
    return g.add(cls, cfg, ts, [out], breaks)


# maker tables: (maker, weight)
CORE = [(mk_dense, 4), (mk_activation, 3), (mk_dropout, 2), (mk_masking, 1), (mk_flatten, 1)]
CONV = [(lambda g, t: mk_conv(g, t, "Conv"), 6), (lambda g, t: mk_conv(g, t, "ConvTranspose"), 2),
        (lambda g, t: mk_conv(g, t, "SeparableConv"), 2),
        (lambda g, t: mk_conv(g, t, "DepthwiseConv"), 2)]
POOL = [(mk_pool, 5), (mk_global_pool, 2)]
RESHAPE = [(mk_flatten, 2), (mk_reshape, 4), (mk_permute, 2), (mk_repeat, 2), (mk_padcrop, 5),
           (mk_image_pre, 2)]
RNN = [(mk_rnn, 5), (mk_bidirectional, 3), (mk_time_distributed, 2), (mk_masking, 1)]
NORM = [(mk_batchnorm, 4), (mk_layernorm, 4)]
GLUE = [(mk_dense, 2), (mk_activation, 2), (mk_dropout, 1), (mk_flatten, 1)]

FAMILY_MAKERS = {
    "conv": CONV + [(mk_activation, 1), (mk_dropout, 1)],
    "pool": POOL + [(CONV[0][0], 2)],
    "core": CORE + [(mk_repeat, 1)],
    "reshape": RESHAPE,
    "merge": CORE + [(CONV[0][0], 1), (mk_reshape, 1)],
    "rnn": RNN + [(mk_dense, 1)],
    "norm": NORM + [(CONV[0][0], 1), (mk_activation, 1)],
}


def weighted(g, table):
    total = sum(w for _, w in table)
    x = g.rng.random() * total
    for maker, w in table:
        x -= w
        if x < 0:
            return maker
    return table[-1][0]


def apply_some(g, t, table, tries=8):
    """Apply one maker from table to t; returns the list of outputs or None."""
    for _ in range(tries):
        maker = weighted(g, table)
        outs = maker(g, t)
        if outs:
            return outs
    return None


def next_tensor(g, outs):
    """The tensor the chain continues from (a state output now and then)."""
    if len(outs) > 1 and g.chance(0.3):
        return g.pick(outs)
    return outs[0]


def rand_dim(g, lo, hi, p_none=0.1):
    return None if g.chance(p_none) else g.int(lo, hi)


def input_shape_for(g, family):
    if family in ("conv", "pool"):
        rank = g.pick([1, 2, 2, 3])
    elif family == "reshape":
        rank = g.pick([0, 1, 1, 2, 2, 3])
    elif family == "rnn":
        rank = 1
    elif family == "norm":
        rank = g.pick([0, 1, 2, 3])
    else:
        rank = g.pick([0, 1, 1, 2])
    hi = {0: 16, 1: 24, 2: 20, 3: 8}[rank]
    spatial = [rand_dim(g, 1 if family in ("core", "merge", "norm") else 3, hi)
               for _ in range(rank)]
    channels = g.pick([1, 2, 3, 4, 8])
    if family == "rnn":
        spatial = [rand_dim(g, 1, 10, 0.2)]
    if g.fmt == "channels_first" and rank > 0:
        return [None, channels] + spatial
    return [None] + spatial + [channels]


def chain(g, t, table, n):
    outs_all = []
    for _ in range(n):
        outs = apply_some(g, t, table)
        if not outs:
            break
        outs_all.append(outs)
        t = next_tensor(g, outs)
    return t


def build_random_model(rng, family, functional):
    g = Gen(rng, family, functional)
    table = FAMILY_MAKERS[family]
    if family in ("core", "rnn") and g.chance(0.2):
        t = g.add_input([None, rand_dim(g, 1, 10, 0.2)], dtype="int32")
        t = apply_some(g, t, [(mk_embedding, 1)])[0]
    else:
        t = g.add_input(input_shape_for(g, family))
    inputs = [t.layer]
    if family == "merge":
        t = build_merge_body(g, t, inputs)
    elif functional and g.chance(0.35):
        t = chain(g, t, table, g.int(0, 2))
        a = chain(g, t, table + GLUE, g.int(0, 2))
        b = chain(g, t, table + GLUE, g.int(1, 2))
        merged = mk_merge(g, [a, b])
        t = merged[0] if merged else b
        t = chain(g, t, table, g.int(0, 2))
    else:
        t = chain(g, t, table, g.int(1, 5))
    if g.chance(0.3):
        t = chain(g, t, GLUE, 1)
    return g, inputs


SHAREABLE = [(mk_dense, 3), (mk_activation, 1), (lambda g, t: mk_conv(g, t, "Conv"), 2),
             (mk_batchnorm, 1), (mk_layernorm, 1), (mk_flatten, 1), (mk_pool, 1),
             (mk_dropout, 1)]


def build_siamese(g, a, b):
    """The same layers applied to two inputs (shared layers: a second inbound node)."""
    for _ in range(g.int(1, 3)):
        outs = apply_some(g, a, SHAREABLE)
        if not outs or len(outs) != 1:
            break
        b = g.call_again(outs[0].layer, [b], [outs[0].shape])[0]
        a = outs[0]
    return [a, b]


def build_merge_body(g, t, inputs):
    n_inputs = g.pick([1, 1, 2])
    if n_inputs == 2 and g.chance(0.5):
        t2 = g.add_input(list(t.shape))
        inputs.append(t2.layer)
        ends = build_siamese(g, t, t2)
        merged = mk_merge(g, ends, branch_breaks=False)
        t = merged[0] if merged else ends[0]
        return chain(g, t, GLUE, g.int(0, 2))
    srcs = [t]
    if n_inputs == 2:
        shape = list(t.shape)
        if g.chance(0.4):
            shape[-1] = g.pick([1, 2, 3, 4, 8])
        t2 = g.add_input(shape)
        inputs.append(t2.layer)
        srcs.append(t2)
    n_branches = max(len(srcs), g.pick([2, 2, 3]))
    same = [(mk_dense, 3), (mk_activation, 2), (mk_dropout, 1)]
    ends = []
    for i in range(n_branches):
        src = srcs[i] if i < len(srcs) else g.pick(srcs)
        end = chain(g, src, same if g.chance(0.6) else FAMILY_MAKERS["merge"], g.int(0, 2))
        ends.append(end)
    # the same tensor twice is a valid merge input; keep at least one layer per branch
    merged = mk_merge(g, ends)
    if not merged and len(ends) > 2:
        merged = mk_merge(g, ends[:2])
    if not merged:
        # line the branches up with a Dense of a common width, then merge
        units = g.pick([2, 4, 8])
        aligned = []
        for e in ends[:2]:
            outs = g.add("Dense", dict({"units": units, "activation": "linear", "use_bias": True},
                                       **init_kw("kernel_initializer", "bias_initializer")),
                         [e], [e.shape[:-1] + [units]])
            aligned.append(outs[0])
        merged = mk_merge(g, aligned)
    if not merged:
        return ends[0]
    t = merged[0]
    return chain(g, t, GLUE, g.int(0, 2))


# --------------------------------------------------------------------------
# Serialization
# --------------------------------------------------------------------------


def set_path(obj, path, value, must_exist=False):
    keys = path.split("/")
    for k in keys[:-1]:
        if not isinstance(obj, dict) or k not in obj:
            return False
        obj = obj[k]
    if not isinstance(obj, dict):
        return False
    if must_exist and keys[-1] not in obj:
        return False
    obj[keys[-1]] = copy.deepcopy(value)
    return True


def to_keras2(g, model_name, functional, implicit_input):
    """tf.keras 2 `to_json()` document of the generated graph."""
    if not functional:
        layers = []
        entries = g.layers
        if implicit_input:
            first_input = entries[0]["config"]
            entries = entries[1:]
        for i, e in enumerate(entries):
            cfg = copy.deepcopy(e["config"])
            if implicit_input and i == 0:
                cfg["batch_input_shape"] = first_input["batch_input_shape"]
                if first_input["dtype"] != "float32":
                    cfg["dtype"] = first_input["dtype"]
            layers.append({"class_name": e["class_name"], "config": cfg})
        config = {"name": model_name, "layers": layers}
        cls = "Sequential"
    else:
        layers = []
        for e in g.layers:
            nodes = [[[name, node, idx, {}] for name, node, idx in call] for call in e["nodes"]]
            layers.append({"class_name": e["class_name"], "config": copy.deepcopy(e["config"]),
                           "name": e["config"]["name"], "inbound_nodes": nodes})
        ins = [[e["config"]["name"], 0, 0] for e in g.layers if e["class_name"] == "InputLayer"]
        outs = [[e["config"]["name"], 0, 0] for e in g.layers
                if e["config"]["name"] not in g.consumed and e["class_name"] != "InputLayer"]
        config = {"name": model_name, "layers": layers, "input_layers": ins,
                  "output_layers": outs}
        cls = "Functional"
    return {"class_name": cls, "config": config, "keras_version": "2.15.0",
            "backend": "tensorflow"}


def keras3_loader_copy(doc):
    """The Keras 2 document with the README's workarounds for Keras 3's legacy
    loader applied (no shape changes): wrapped layers get a `module`, and a
    Sequential whose first layer carries `batch_input_shape` gets the explicit
    InputLayer tf.keras 2 would have created (named `<first>_input`)."""
    doc = copy.deepcopy(doc)
    layers = doc["config"]["layers"]
    for l in layers:
        inner = l["config"].get("layer")
        if isinstance(inner, dict):
            inner["module"] = "keras.layers"
            inner["registered_name"] = None
        if l["class_name"].startswith("SpatialDropout"):
            # Keras 3's SpatialDropout*D.__init__ takes no `trainable` (tf.keras 2 writes it)
            l["config"].pop("trainable", None)
    if doc["class_name"] == "Sequential" and layers and layers[0]["class_name"] != "InputLayer":
        first = layers[0]["config"]
        if "batch_input_shape" in first:
            shape = first.pop("batch_input_shape")
            dtype = first.get("dtype", "float32")
            first["dtype"] = "float32"
            layers.insert(0, {"class_name": "InputLayer",
                              "config": {"batch_input_shape": shape, "dtype": dtype,
                                         "sparse": False, "ragged": False,
                                         "name": first["name"] + "_input"}})
    return doc


def downstream(g, name):
    """Names of the layers at or after `name` in the graph."""
    out = {name}
    changed = True
    while changed:
        changed = False
        for e in g.layers:
            n = e["config"]["name"]
            if n not in out and any(src in out for call in e["nodes"] for src, _, _ in call):
                out.add(n)
                changed = True
    return out


def strip_build_config(obj):
    if isinstance(obj, dict):
        obj.pop("build_config", None)
        for v in obj.values():
            strip_build_config(v)
    elif isinstance(obj, list):
        for v in obj:
            strip_build_config(v)


def patch_keras3(doc, mutation, affected, implicit_input_name):
    """Apply a generator mutation to the Keras 3 file Keras wrote for the
    un-mutated twin. Layers at or after the mutated one lose their
    `build_config` (Keras would rebuild them from their new inputs). Returns
    the patched document or None when the patch has no Keras 3 equivalent."""
    doc = copy.deepcopy(doc)
    cfg = doc["config"]
    layers = cfg["layers"]
    by_name = {l["config"].get("name"): l for l in layers}
    target = mutation["layer"]
    affected = set(affected)
    for path, value in mutation["patch"].items():
        if path == "batch_input_shape":
            path = "batch_shape"
            if target not in by_name and implicit_input_name in by_name:
                target = implicit_input_name
        entry = by_name.get(target)
        if entry is None:
            return None
        if not set_path(entry["config"], path, value, must_exist=True):
            return None
        if path.startswith("layer/") and isinstance(entry["config"].get("backward_layer"), dict):
            set_path(entry["config"], "backward_layer/" + path[len("layer/"):], value)
        if path == "batch_shape":
            affected = set(by_name)
            if "build_input_shape" in cfg:
                cfg["build_input_shape"] = copy.deepcopy(value)
            if isinstance(doc.get("build_config"), dict) and doc["class_name"] == "Sequential":
                doc["build_config"]["input_shape"] = copy.deepcopy(value)
    for name in affected:
        if name in by_name:
            strip_build_config(by_name[name])
    return doc


# --------------------------------------------------------------------------
# Model generation driver
# --------------------------------------------------------------------------


def generate(seed, index, family, p_mutate):
    rng = random.Random(f"{seed}:{index}:{family}")
    functional = family == "merge" or rng.random() < 0.5
    g, inputs = build_random_model(rng, family, functional)
    implicit_input = (not functional) and rng.random() < 0.25
    mutation = None
    if g.breaks and rng.random() < p_mutate:
        mutation = copy.deepcopy(rng.choice(g.breaks))
    model_name = f"model_{index}"
    base = to_keras2(g, model_name, functional, implicit_input)
    meta = {
        "family": family,
        "functional": functional,
        "implicit_input": implicit_input,
        "mutation": mutation,
        "classes": {e["config"]["name"]: class_key(e) for e in g.layers},
        "order": [e["config"]["name"] for e in g.layers],
        "n_out": {e["config"]["name"]: e["n_out"] for e in g.layers},
    }
    if implicit_input:
        first_input = g.layers[0]["config"]["name"]
        meta["classes"].pop(first_input)
        meta["implicit_input_name"] = g.layers[1]["config"]["name"] + "_input"
    if mutation is None:
        return base, None, meta
    mutated_g = copy.deepcopy(g)
    entry = mutated_g.by_name[mutation["layer"]]
    target_cfg = entry["config"]
    for path, value in mutation["patch"].items():
        set_path(target_cfg, path, value)
    mutated = to_keras2(mutated_g, model_name, functional, implicit_input)
    meta["affected"] = sorted(downstream(g, mutation["layer"]))
    return mutated, base, meta


def class_key(entry):
    if entry["inner"]:
        return f"{entry['class_name']}[{entry['inner']}]"
    return entry["class_name"]


# --------------------------------------------------------------------------
# Running the tools
# --------------------------------------------------------------------------


def chunks(seq, n):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_lines(cmd, env=None, stdin=None, timeout=3600):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env, timeout=timeout)
    out = []
    for line in p.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out, p


class Tools:
    def __init__(self, args):
        self.shapelint = args.shapelint
        self.oracle_dir = args.oracle_dir
        self.keras_src = args.keras_src
        self.python = args.python
        self.node = args.node
        self.batch = args.batch

    def k3_env(self):
        env = dict(os.environ)
        env["KERAS_SRC"] = self.keras_src
        return env

    def keras3_cmd(self, *extra):
        return [self.python, os.path.join(self.oracle_dir, "keras3", "keras3_oracle.py"), *extra]

    def tfjs_cmd(self, *extra):
        return [self.node, os.path.join(self.oracle_dir, "tfjs", "oracle.js"), *extra]

    def keras3_popen_batches(self, files, extra=()):
        """Run the Keras 3 oracle over files in batches; returns {file: result}."""
        results = {}
        for batch in chunks(files, self.batch):
            lines, p = run_lines(self.keras3_cmd(*extra, *batch), env=self.k3_env())
            for r in lines:
                results[r["file"]] = r
            if len(lines) < len(batch):
                # a crash inside the batch: retry the missing files one by one
                for f in batch:
                    if f not in results:
                        one, p1 = run_lines(self.keras3_cmd(*extra, f), env=self.k3_env())
                        results[f] = one[0] if one else {
                            "file": f, "ok": False, "crash": p1.stderr[-2000:],
                            "error": {"layer": None, "kind": "crash",
                                      "message": p1.stderr[-500:]}}
        return results

    def tfjs_batches(self, files):
        results = {}
        for batch in chunks(files, self.batch):
            lines, p = run_lines(self.tfjs_cmd("--list", "-"), stdin="\n".join(batch) + "\n")
            for r in lines:
                results[r["file"]] = r
            for f in batch:
                if f not in results:
                    one, p1 = run_lines(self.tfjs_cmd(f))
                    results[f] = one[0] if one else {
                        "file": f, "ok": False,
                        "error": {"layer": None, "kind": "crash", "message": p1.stderr[-500:]}}
        return results

    def shapelint_batches(self, files):
        results = {}
        for batch in chunks(files, self.batch):
            self._shapelint_batch(batch, results)
        return results

    def _shapelint_batch(self, batch, results):
        p = subprocess.run([self.shapelint, "--format", "json", "--color", "never", *batch],
                           capture_output=True, text=True, timeout=3600)
        try:
            doc = json.loads(p.stdout)
            for f in doc["files"]:
                results[f["path"]] = f
        except (json.JSONDecodeError, KeyError):
            if len(batch) == 1:
                results[batch[0]] = {"path": batch[0], "status": "crash", "layers": [],
                                     "diagnostics": [], "crash": (p.stderr or "")[-2000:],
                                     "returncode": p.returncode}
                return
            half = len(batch) // 2
            self._shapelint_batch(batch[:half], results)
            self._shapelint_batch(batch[half:], results)
            return
        for f in batch:
            if f not in results:
                results[f] = {"path": f, "status": "missing", "layers": [], "diagnostics": []}


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------


def shapelint_verdict(rep):
    """(failed, failing layer) of a shapelint file report."""
    errors = [d for d in rep.get("diagnostics", []) if d.get("severity") == "error"]
    if errors:
        layer = errors[0].get("layer")
        if layer is None:
            layer = next((l["name"] for l in rep.get("layers", []) if l.get("status") == "error"),
                         None)
        return True, layer
    if rep.get("status") in ("error", "invalid", "crash", "missing"):
        layer = next((l["name"] for l in rep.get("layers", []) if l.get("status") == "error"),
                     None)
        return True, layer
    return False, None


def oracle_error_layer(res, names, order):
    """The layer an oracle blames. The Keras 3 oracle loses the layer when
    Keras wraps the exception (a layer whose constructor rejects its config
    inside a Sequential) or swallows it (a Functional layer whose call raises
    IndexError is re-queued, then reported as an unresolved graph): the layer
    is then recovered from Keras' own message."""
    err = res.get("error") or {}
    layer = err.get("layer")
    if layer in names:
        return layer
    for n in reversed(err.get("layer_chain") or []):
        if n in names:
            return n
    msg = err.get("message") or ""
    found = re.findall(r"Error when deserializing class '\w+' using config=\{'name': '([^']+)'", msg)
    if found and found[-1] in names:
        return found[-1]
    if "failed to be resolved" in msg:
        unresolved = set(re.findall(r"<\w+ name=([^,>]+), built=", msg))
        for n in order:
            if n in unresolved:
                return n
    return layer


def norm_shapes(shapes):
    if shapes is None:
        return None
    return [None if s is None else [None if d is None else int(d) for d in s] for s in shapes]


def compare(sem, mid, meta, sl, orc):
    """Mismatch records for one model under one semantics, plus per-class
    layer tallies: (mismatches, compared_layers[(class, ok)])."""
    classes = meta["classes"]
    names = set(classes)
    mism = []
    tallies = []

    def rec(kind, layer, shapelint, oracle, extra=None):
        r = {"model": mid, "sem": sem, "kind": kind, "layer": layer,
             "class": classes.get(layer), "shapelint": shapelint, "oracle": oracle}
        if extra:
            r.update(extra)
        mism.append(r)

    if sl.get("status") in ("crash", "missing", "invalid") or not sl.get("layers") and \
            sl.get("status") != "error":
        rec("shapelint_failed", None, {"status": sl.get("status"),
                                       "diagnostics": sl.get("diagnostics"),
                                       "crash": sl.get("crash")}, None)
        return mism, tallies
    sl_fail, sl_layer = shapelint_verdict(sl)
    or_fail = not orc.get("ok")
    or_layer = oracle_error_layer(orc, names, meta["order"]) if or_fail else None
    first_error = next((d for d in sl.get("diagnostics", []) if d.get("severity") == "error"), None)
    sl_msg = first_error and {"rule": first_error.get("rule"), "message": first_error.get("message")}
    or_msg = (orc.get("error") or {}).get("message_core") or (orc.get("error") or {}).get("message")
    if sl_fail != or_fail:
        kind = "false_error" if sl_fail else "missed_error"
        layer = sl_layer if sl_fail else or_layer
        rec(kind, layer, {"layer": sl_layer, "error": sl_msg}, {"layer": or_layer, "error": or_msg})
    elif sl_fail and or_layer is None:
        # Keras named no layer (a TypeError re-raised by deserialization, a graph error):
        # only the verdict itself can be compared.
        tallies.append(("verdict:unlocated", True))
    elif sl_fail and sl_layer != or_layer:
        rec("error_layer", or_layer, {"layer": sl_layer, "error": sl_msg},
            {"layer": or_layer, "error": or_msg},
            {"shapelint_class": classes.get(sl_layer)})
    if or_fail and or_layer is not None:
        tallies.append(("verdict:" + str(classes.get(or_layer)), sl_fail and sl_layer == or_layer))
    # The generator writes built-in layers only: a finding about the model itself (SL0xx:
    # unknown class, Lambda, op layer) is spurious. SL2xx lints (Dense on rank > 2) are by
    # design.
    for d in sl.get("diagnostics", []):
        if d.get("severity") in ("warning", "note") and str(d.get("rule", "")).startswith("SL0"):
            rec("warning", d.get("layer"), {"rule": d.get("rule"), "message": d.get("message")},
                None)

    sl_rows = {l["name"]: l for l in sl.get("layers", [])}
    for ol in orc.get("layers") or []:
        name = ol["name"]
        if name not in classes:
            continue  # e.g. an implicit input layer
        if ol.get("built") is False or not ol.get("output_shapes"):
            continue
        row = sl_rows.get(name)
        cls = classes[name]
        if row is None:
            rec("missing_layer", name, None, ol.get("output_shapes"))
            tallies.append((cls, False))
            continue
        if row.get("status") in ("error",) or (row.get("status") == "unknown" and sl_fail):
            continue  # judged by the verdict comparison above
        n_out = meta["n_out"].get(name, 1)
        want = norm_shapes(ol["output_shapes"][:n_out])
        got = norm_shapes(row.get("output_shapes"))
        ok = True
        if want != got:
            rec("shape", name, got, want)
            ok = False
        if ol.get("params") != row.get("params"):
            rec("params", name, row.get("params"), ol.get("params"))
            ok = False
        tallies.append((cls, ok))
    return mism, tallies


# --------------------------------------------------------------------------
# Known oracle limitations: disagreements whose cause is documented (the
# oracle README, or Keras' source where the tfjs oracle is not patched). They
# are counted and kept apart so that what is left needs a look.
# --------------------------------------------------------------------------

PLAIN_CONVS = {"Conv1D", "Conv2D", "Conv3D"}


def _err_text(side):
    if not isinstance(side, dict):
        return ""
    err = side.get("error")
    if isinstance(err, dict):
        return err.get("message") or ""
    return err or ""


def _layers_of(doc):
    return {l["config"].get("name"): l for l in doc["config"]["layers"]}


def known_cause(r, layers):
    """A label when mismatch r is explained by a known oracle limitation."""
    if r["sem"] != "k2":
        return None
    kind = r["kind"]
    orc_msg = _err_text(r.get("oracle"))
    sl_msg = _err_text(r.get("shapelint"))
    classes = {n: l["class_name"] for n, l in layers.items()}
    orc_layer = (r.get("oracle") or {}).get("layer") if isinstance(r.get("oracle"), dict) else None
    order = list(layers)
    at = order.index(r["layer"]) if r.get("layer") in order else len(order)
    declared = next((l["config"].get("batch_input_shape") for l in layers.values()
                     if "batch_input_shape" in l["config"]), None)
    for i, (name, l) in enumerate(layers.items()):
        c = l["config"]
        if i > at:
            break  # only a layer at or before the mismatch can explain it
        length = c.get("input_length")
        # the generator puts an Embedding right after the model's integer input
        if l["class_name"] == "Embedding" and length is not None and \
                (declared is None or len(declared) != 2 or declared[1] != length):
            return ("tfjs: Embedding(input_length) fixes the output length; tf.keras 2 derives "
                    "it from the input")
        if l["class_name"] in ("MaxPooling1D", "AveragePooling1D", "GlobalMaxPooling1D",
                               "GlobalAveragePooling1D") and \
                c.get("data_format") == "channels_first":
            return "tfjs: 1D pooling layers ignore data_format='channels_first'"
    m = re.search(r"expected ndim=(\d+), found ndim=(\d+)", orc_msg)
    if kind in ("missed_error", "error_layer") and m and int(m.group(2)) > int(m.group(1)) \
            and classes.get(orc_layer) in PLAIN_CONVS:
        return ("tfjs: convolutions require the exact rank; tf.keras 2 treats extra leading "
                "axes as batch axes")
    if kind in ("missed_error", "error_layer") and classes.get(orc_layer) == "Concatenate" \
            and "null" in orc_msg:
        return ("tfjs: Concatenate compares None with a known dim; tf.keras 2 skips unknown "
                "dims")
    if "Dot layer does not support tensors of 4D or higher rank" in orc_msg:
        return "tfjs: Dot supports rank <= 3 only; tf.keras 2 any rank"
    if kind in ("false_error", "error_layer") and re.search(
            r"out of range|out of bounds|Invalid concatenation axis", sl_msg):
        return ("tfjs: accepts an out-of-range axis (Dot axes, Concatenate axis, PReLU "
                "shared_axes); tf.keras 2 fails with IndexError")
    if kind in ("false_error", "error_layer") and sl_msg.startswith("`strides > 1` not supported"):
        return ("tfjs: no strides x dilation check; tf.keras 2 rejects it for plain "
                "convolutions")
    if kind == "false_error" and (r.get("shapelint") or {}).get("error", {}).get("rule") == \
            "SL101" and r.get("class") in ("DepthwiseConv2D", "DepthwiseConv1D",
                                           "SeparableConv2D", "SeparableConv1D"):
        return "tfjs: depthwise/separable convolutions accept a higher rank; tf.keras 2 does not"
    if kind in ("missed_error", "error_layer") and "Subtract: inputs of different rank" in orc_msg:
        return ("tfjs: the oracle's Subtract shim needs equal ranks; tf.keras 2 broadcasts like "
                "Add")
    if kind in ("missed_error", "error_layer") and classes.get(orc_layer) == "PReLU" and \
            layers[orc_layer]["config"].get("shared_axes") and \
            re.search(r"expected axis \d+ of input shape", orc_msg):
        return ("tfjs: PReLU pins its shared axes in the input spec; tf.keras 2 pins only the "
                "others")
    sl_layer = (r.get("shapelint") or {}).get("layer") if isinstance(r.get("shapelint"),
                                                                       dict) else None
    if kind in ("false_error", "error_layer") and classes.get(sl_layer) in (
            "CenterCrop", "Resizing") and (r.get("shapelint") or {}).get("error", {}).get(
            "rule") == "SL101":
        return ("tfjs: CenterCrop/Resizing accept any rank; tf.keras 2's tf.image ops need "
                "rank 3 or 4")
    return None


# --------------------------------------------------------------------------
# Main pipeline
# --------------------------------------------------------------------------


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f)
        f.write("\n")


def read_json(path):
    with open(path) as f:
        return json.load(f)


def pipeline(args):
    tools = Tools(args)
    out = os.path.abspath(args.out)
    mdir = os.path.join(out, "models")
    cdir = os.path.join(out, "k3conv")
    state_path = os.path.join(out, "state.json")
    families = FAMILIES if args.family == "all" else (args.family,)
    t0 = time.time()

    if args.reuse and os.path.exists(state_path):
        state = read_json(state_path)
        log(f"reusing {len(state['models'])} models and oracle answers from {out}")
    else:
        if os.path.isdir(out):
            for sub in ("models", "k3conv", "disagreements"):
                shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
        os.makedirs(mdir, exist_ok=True)
        os.makedirs(cdir, exist_ok=True)
        state = {"models": {}, "args": vars(args)}
        # 1. generate
        for i in range(args.count):
            family = families[i % len(families)] if args.family == "all" else args.family
            index = args.start + i
            mid = f"{family}-{args.seed}-{index:05d}"
            doc, twin, meta = generate(args.seed, index, family, args.p_mutate)
            meta["id"] = mid
            paths = {"keras2": os.path.join(mdir, mid + ".keras2.json"),
                     "k3in": os.path.join(mdir, mid + ".k3in.json")}
            write_json(paths["keras2"], doc)
            write_json(paths["k3in"], keras3_loader_copy(doc))
            if twin is not None:
                paths["twin_k3in"] = os.path.join(mdir, mid + ".twin.k3in.json")
                write_json(paths["twin_k3in"], keras3_loader_copy(twin))
            meta["paths"] = paths
            state["models"][mid] = meta
        log(f"generated {args.count} models in {time.time() - t0:.1f}s")
        # 2. Keras 3 files, as Keras writes them
        k3in = [m["paths"]["k3in"] for m in state["models"].values()]
        conv = tools.keras3_popen_batches(k3in, ("--to-keras3", cdir))
        twins = []
        for mid, m in state["models"].items():
            r = conv.get(m["paths"]["k3in"], {})
            if r.get("ok"):
                m["keras3_source"] = "authentic"
                m["paths"]["keras3"] = r["written"]
            else:
                m["keras3_convert_error"] = (r.get("error") or {}).get("message_core") or \
                    (r.get("error") or {}).get("message")
                if "twin_k3in" in m["paths"]:
                    twins.append(m["paths"]["twin_k3in"])
                else:
                    m["keras3_source"] = "none"
        log(f"converted to Keras 3 ({len(twins)} failing models need their twin) "
            f"{time.time() - t0:.1f}s")
        tconv = tools.keras3_popen_batches(twins, ("--to-keras3", cdir)) if twins else {}
        for mid, m in state["models"].items():
            tw = m["paths"].get("twin_k3in")
            if "keras3" in m["paths"] or tw is None:
                continue
            r = tconv.get(tw, {})
            if not r.get("ok"):
                m["keras3_source"] = "none"
                continue
            patched = patch_keras3(read_json(r["written"]), m["mutation"], m["affected"],
                                   m.get("implicit_input_name"))
            if patched is None:
                m["keras3_source"] = "none"
                continue
            path = os.path.join(cdir, mid + ".patched.keras3.json")
            write_json(path, patched)
            m["keras3_source"] = "patched"
            m["paths"]["keras3"] = path
        # 3. oracles (the two run at the same time)
        k2_files = [m["paths"]["keras2"] for m in state["models"].values()]
        k3_files = [m["paths"]["keras3"] for m in state["models"].values() if "keras3" in m["paths"]]
        box = {}
        th = threading.Thread(target=lambda: box.update(tfjs=tools.tfjs_batches(k2_files)))
        th.start()
        box["k3"] = tools.keras3_popen_batches(k3_files)
        th.join()
        for m in state["models"].values():
            m["tfjs"] = box["tfjs"].get(m["paths"]["keras2"])
            if "keras3" in m["paths"]:
                m["k3"] = box["k3"].get(m["paths"]["keras3"])
        log(f"oracles done {time.time() - t0:.1f}s")
        write_json(state_path, state)

    # 4. shapelint (always re-run: it is what changes)
    models = state["models"]
    files = [m["paths"]["keras2"] for m in models.values()] + \
        [m["paths"]["keras3"] for m in models.values() if "keras3" in m["paths"]]
    sl = tools.shapelint_batches(files)
    log(f"shapelint done {time.time() - t0:.1f}s")
    report(args, out, models, sl)


def skip_reason(orc):
    if orc is None:
        return "no oracle answer"
    err = orc.get("error") or {}
    kind = err.get("kind")
    if kind in ("unsupported", "invalid", "graph", "crash"):
        return f"oracle {kind}"
    return None


def report(args, out, models, sl):
    ddir = os.path.join(out, "disagreements")
    kdir = os.path.join(out, "known")
    for d in (ddir, kdir):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d, exist_ok=True)
    known = {s: collections.Counter() for s in ("k2", "k3")}
    counts = {s: collections.Counter() for s in ("k2", "k3")}
    per_class = {s: collections.defaultdict(lambda: [0, 0]) for s in ("k2", "k3")}
    kinds = {s: collections.Counter() for s in ("k2", "k3")}
    kind_class = {s: collections.Counter() for s in ("k2", "k3")}
    all_mism = []
    for mid, m in sorted(models.items()):
        model_mism = []
        answers = {}
        layers = _layers_of(read_json(m["paths"]["keras2"]))
        for sem in ("k2", "k3"):
            if sem == "k2":
                orc, path = m.get("tfjs"), m["paths"]["keras2"]
            else:
                orc, path = m.get("k3"), m["paths"].get("keras3")
            c = counts[sem]
            if path is None:
                c["skipped: no keras3 file"] += 1
                continue
            reason = skip_reason(orc)
            if reason:
                c["skipped: " + reason] += 1
                continue
            rep = sl.get(path) or {"status": "missing", "layers": [], "diagnostics": []}
            mism, tallies = compare(sem, mid, m, rep, orc)
            for r in mism:
                r["known"] = known_cause(r, layers)
            unexplained = [r for r in mism if not r["known"]]
            c["compared"] += 1
            c["oracle fails" if not orc.get("ok") else "oracle ok"] += 1
            c["agree" if not mism else "disagree" if unexplained else "known limitation"] += 1
            if mism and not unexplained:
                tallies = [(cls, True) for cls, _ in tallies]
            for cls, ok in tallies:
                per_class[sem][cls][0 if ok else 1] += 1
            for r in mism:
                if r["known"]:
                    known[sem][r["known"]] += 1
                    continue
                kinds[sem][r["kind"]] += 1
                kind_class[sem][(r["kind"], r["class"])] += 1
            if mism:
                answers[sem] = {"shapelint": rep, "oracle": orc, "file": path}
            model_mism += mism
        if model_mism:
            all_mism += model_mism
            only_known = all(r["known"] for r in model_mism)
            d = os.path.join(kdir if only_known else ddir, mid)
            os.makedirs(d, exist_ok=True)
            shutil.copy(m["paths"]["keras2"], os.path.join(d, "model.keras2.json"))
            if m["paths"].get("keras3"):
                shutil.copy(m["paths"]["keras3"], os.path.join(d, "model.keras3.json"))
            meta = {k: v for k, v in m.items() if k not in ("tfjs", "k3")}
            write_json(os.path.join(d, "answers.json"),
                       {"meta": meta, "mismatches": model_mism, "answers": answers})
    with open(os.path.join(out, "mismatches.jsonl"), "w") as f:
        for r in all_mism:
            f.write(json.dumps(r) + "\n")
    # summary
    lines = []
    src = collections.Counter(m.get("keras3_source", "?") for m in models.values())
    mut = sum(1 for m in models.values() if m.get("mutation"))
    lines.append(f"models: {len(models)} (mutated: {mut}); keras3 files: "
                 + ", ".join(f"{k}={v}" for k, v in sorted(src.items())))
    for sem, title in (("k2", "keras2 file: shapelint vs tfjs oracle (tf.keras 2)"),
                       ("k3", "keras3 file: shapelint vs Keras 3 oracle")):
        c = counts[sem]
        lines.append("")
        lines.append(f"== {title}")
        lines.append("  " + ", ".join(f"{k}: {v}" for k, v in sorted(c.items())))
        if c["compared"]:
            lines.append(f"  model agreement: {c['agree']}/{c['compared']} "
                         f"({100.0 * c['agree'] / c['compared']:.1f}%)")
        if known[sem]:
            lines.append("  known oracle limitations (mismatches, not counted below):")
            for label, v in known[sem].most_common():
                lines.append(f"    {v:5d}  {label}")
        lines.append("  unexplained mismatches by kind: " + (", ".join(
            f"{k}={v}" for k, v in kinds[sem].most_common()) or "none"))
        lines.append("  per layer class (layer comparisons agree/total; verdict:X = failing "
                     "layer of class X located right):")
        for cls, (ok, bad) in sorted(per_class[sem].items()):
            tot = ok + bad
            flag = "" if bad == 0 else "   <--"
            lines.append(f"    {cls:42s} {ok:6d}/{tot:<6d} {100.0 * ok / tot:6.1f}%{flag}")
        if kind_class[sem]:
            lines.append("  mismatches by (kind, class):")
            for (k, cls), v in sorted(kind_class[sem].items(), key=lambda kv: (-kv[1], kv[0][0], str(kv[0][1]))):
                lines.append(f"    {k:18s} {str(cls):40s} {v}")
    text = "\n".join(lines)
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(text + "\n")
    write_json(os.path.join(out, "summary.json"), {
        "counts": {s: dict(c) for s, c in counts.items()},
        "per_class": {s: {k: {"agree": v[0], "disagree": v[1]} for k, v in pc.items()}
                      for s, pc in per_class.items()},
        "kinds": {s: dict(c) for s, c in kinds.items()},
        "known": {s: dict(c) for s, c in known.items()},
    })
    print(text)
    print(f"\ndisagreeing models: {len(os.listdir(ddir))} -> {ddir}")
    print(f"models whose disagreements are all known oracle limitations: "
          f"{len(os.listdir(kdir))} -> {kdir}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100, help="number of models")
    ap.add_argument("--start", type=int, default=0, help="index of the first model")
    ap.add_argument("--family", default="all", choices=FAMILIES + ("all",))
    ap.add_argument("--p-mutate", type=float, default=0.55,
                    help="share of models given a mutation meant to make them fail")
    ap.add_argument("--out", default="/tmp/oracle_diff")
    ap.add_argument("--shapelint", default=os.path.join(REPO, "build", "shapelint"))
    ap.add_argument("--oracle-dir", default=os.environ.get("SHAPELINT_ORACLE",
                                                           "/tmp/shapelint-oracle"))
    ap.add_argument("--keras-src", default=os.environ.get("KERAS_SRC", "/tmp/keras-src"))
    ap.add_argument("--python", default="/usr/bin/python3", help="interpreter for Keras 3")
    ap.add_argument("--node", default="node")
    ap.add_argument("--batch", type=int, default=200, help="files per tool invocation")
    ap.add_argument("--reuse", action="store_true",
                    help="keep the models and oracle answers in --out; re-run shapelint only")
    ap.add_argument("--show", metavar="ID", help="print one generated model (Keras 2 JSON)")
    args = ap.parse_args(argv)
    if args.show:
        family, seed, index = args.show.rsplit("-", 2)
        doc, twin, meta = generate(int(seed), int(index), family, args.p_mutate)
        print(json.dumps({"keras2": doc, "twin": twin, "meta": meta}, indent=1))
        return 0
    if not os.path.exists(args.shapelint):
        ap.error(f"no shapelint binary at {args.shapelint} (use --shapelint)")
    pipeline(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
