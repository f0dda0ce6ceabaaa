#!/usr/bin/env python3
"""PyTorch checkpoint fixtures (tests/fixtures/pytorch/, tests/fixtures/models/tiny-bert/pytorch*).

Developers only (pinned in scripts/fixtures-requirements.txt); the build and the tests never run
Python. Writes:

  pytorch/dtypes.bin               torch.save of a state dict: every dtype the reader supports,
                                   a parameter, a 0-d and an empty tensor, and views sharing one
                                   storage (a transpose, a row with an offset, a strided slice).
  pytorch/dtypes_protocol4.bin     the same with pickle_protocol=4 (FRAME, MEMOIZE, STACK_GLOBAL).
  pytorch/dtypes_legacy.bin        the same in the format before torch 1.6
                                   (_use_new_zipfile_serialization=False).
  pytorch/dtypes_big_endian.bin    dtypes.bin rewritten as a big-endian machine's torch.save
                                   writes it (byteorder "big", every element byte-swapped), by
                                   Python's zipfile, so entries are not 64-byte aligned either.
  pytorch/dtypes.expected.safetensors  each tensor of the state dict, contiguous.
  pytorch/malicious/*.bin          zip checkpoints whose data.pkl would run code (os.system,
                                   eval, exec, a class's __reduce__, INST/OBJ/NEWOBJ, a storage
                                   type that is a function, ...). Each payload would create
                                   /tmp/transformers-cpp-pickle-ran; the test checks it never
                                   appears. Nothing is executed here: pickle.dumps only records
                                   the call. malicious/README.md lists what each one tries.
  models/tiny-bert/pytorch/         models/tiny-bert's weights as pytorch_model.bin (what
                                   save_pretrained wrote before safetensors), config.json.
  models/tiny-bert/pytorch-sharded/ the same in two shards with pytorch_model.bin.index.json.

The tiny-bert copies are checked in C++ against models/tiny-bert/expected.safetensors.
"""
import collections
import io
import json
import os
import pickle
import shutil
import sys
import zipfile

import torch
from safetensors.torch import load_file, save_file

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")
OUT = os.path.join(ROOT, "pytorch")
MARKER = "/tmp/transformers-cpp-pickle-ran"


def state_dict():
    torch.manual_seed(0)
    sd = collections.OrderedDict()
    for name, dtype in [("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16),
                        ("f64", torch.float64)]:
        sd[name] = torch.randn(3, 5).to(dtype)
    sd["i64"] = torch.tensor([[-(2**40), 7], [3, 2**62]], dtype=torch.int64)
    sd["i32"] = torch.tensor([-5, 1 << 30, 9], dtype=torch.int32)
    sd["i16"] = torch.tensor([-300, 300], dtype=torch.int16)
    sd["i8"] = torch.tensor([-128, 127, 0], dtype=torch.int8)
    sd["u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True])
    sd["scalar"] = torch.tensor(2.5)
    sd["empty"] = torch.zeros(0, 4)
    sd["param"] = torch.nn.Parameter(torch.randn(4))
    base = torch.randn(4, 6)
    sd["shared.base"] = base
    sd["shared.transposed"] = base.t()
    sd["shared.row"] = base[2]
    sd["shared.strided"] = base[1:, ::2]
    return sd


def storage_element_sizes(pkl):
    """Storage key -> element size, from the persistent ids of a data.pkl (nothing is rebuilt)."""
    sizes = {}

    class Recorder(pickle.Unpickler):
        def find_class(self, module, name):
            if module == "torch" and name.endswith("Storage"):
                return getattr(torch, name)(0).element_size()
            if (module, name) == ("collections", "OrderedDict"):
                return collections.OrderedDict
            return lambda *args: None

        def persistent_load(self, pid):
            sizes[pid[2]] = pid[1]
            return None

    Recorder(io.BytesIO(pkl)).load()
    return sizes


def write_big_endian(little_path, big_path):
    """The zip torch.save writes on a big-endian machine: each storage's elements byte-swapped."""
    with zipfile.ZipFile(little_path) as z, zipfile.ZipFile(big_path, "w", zipfile.ZIP_STORED) as out:
        archive = z.namelist()[0].split("/")[0]
        sizes = storage_element_sizes(z.read(f"{archive}/data.pkl"))
        for name in z.namelist():
            data = z.read(name)
            if name == f"{archive}/byteorder":
                data = b"big"
            elif name.startswith(f"{archive}/data/"):
                size = sizes[name.rsplit("/", 1)[1]]
                data = b"".join(data[i:i + size][::-1] for i in range(0, len(data), size))
            out.writestr(name, data)


def malicious_pickles():
    """name -> (pickle bytes, what it tries). Built by hand or by pickling objects whose
    __reduce__ names the call; pickle.dumps never calls anything."""
    command = f"touch {MARKER}"

    class System:
        def __reduce__(self):
            return (os.system, (command,))

    class Eval:
        def __reduce__(self):
            return (eval, (f"__import__('os').system('{command}')",))

    class Exec:
        def __reduce__(self):
            return (exec, (f"import os; os.system('{command}')",))

    def wrapped(payload):  # a state dict whose one value is the payload
        return collections.OrderedDict(weight=payload)

    cases = {
        "os_system_protocol2": (pickle.dumps(wrapped(System()), protocol=2), "posix.system via GLOBAL"),
        "os_system_protocol4": (pickle.dumps(wrapped(System()), protocol=4), "posix.system via STACK_GLOBAL"),
        "eval": (pickle.dumps(wrapped(Eval()), protocol=2), "builtins.eval"),
        "exec_top_level": (pickle.dumps(Exec(), protocol=2), "builtins.exec as the whole pickle"),
    }
    g = lambda module, name: b"c" + module.encode() + b"\n" + name.encode() + b"\n"
    arg = lambda text: b"X" + len(text).to_bytes(4, "little") + text.encode()
    # Hand-written opcodes for the tricks pickle.dumps would not produce.
    cases["nested_getattr"] = (
        b"\x80\x02" + g("builtins", "getattr") + g("builtins", "__import__") + b"(" + arg("os") + b"tR" +
        arg("system") + b"\x86R(" + arg(command) + b"tR.", "getattr(__import__('os'), 'system')")
    cases["inst_opcode"] = (b"(" + arg(command) + b"ios\nsystem\n.", "INST os.system")
    cases["obj_opcode"] = (b"\x80\x02(" + g("os", "system") + arg(command) + b"o.", "OBJ os.system")
    cases["newobj_opcode"] = (b"\x80\x02" + g("subprocess", "Popen") + b"(" + arg(command) + b"t\x81.",
                              "NEWOBJ subprocess.Popen")
    cases["storage_type_is_system"] = (
        b"\x80\x02}(" + arg("w") + g("torch._utils", "_rebuild_tensor_v2") + b"((" + arg("storage") +
        g("os", "system") + arg("0") + arg("cpu") + b"K\x01tQK\x00K\x01\x85K\x01\x85\x89}tRu.",
        "os.system in the place of a storage type")
    cases["load_from_bytes"] = (
        b"\x80\x02}(" + arg("w") + g("torch.storage", "_load_from_bytes") + b"C\x01x\x85Ru.",
        "torch.storage._load_from_bytes (which runs pickle.loads)")
    cases["memo_abuse"] = (b"\x80\x02]q\x00h\x00ah\x05.", "BINGET of a memo entry never stored")
    cases["cyclic_list"] = (b"\x80\x02}q\x00(" + arg("w") + b"]q\x01h\x01au.", "a list that holds itself as a value")
    cases["reduce_of_builtin_in_memo"] = (
        b"\x80\x02" + g("builtins", "eval") + b"q\x00}(" + arg("w") + b"h\x00(" + arg("1") + b"tRu.",
        "builtins.eval stored in the memo and called later")
    return cases


def write_zip_checkpoint(path, pkl):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/byteorder", "little")
        z.writestr("archive/version", "3\n")


def write_tiny_bert():
    source = os.path.join(ROOT, "models", "tiny-bert")
    weights = load_file(os.path.join(source, "model.safetensors"))
    single = os.path.join(source, "pytorch")
    sharded = os.path.join(source, "pytorch-sharded")
    for folder in (single, sharded):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        shutil.copy(os.path.join(source, "config.json"), folder)
    torch.save(collections.OrderedDict(weights), os.path.join(single, "pytorch_model.bin"))
    names = sorted(weights)
    halves = [names[: len(names) // 2], names[len(names) // 2:]]
    weight_map = {}
    for i, part in enumerate(halves, start=1):
        shard = f"pytorch_model-{i:05d}-of-00002.bin"
        torch.save(collections.OrderedDict((n, weights[n]) for n in part), os.path.join(sharded, shard))
        weight_map.update({n: shard for n in part})
    total = sum(t.numel() * t.element_size() for t in weights.values())
    with open(os.path.join(sharded, "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "malicious"))
    sd = state_dict()
    torch.save(sd, os.path.join(OUT, "dtypes.bin"))
    torch.save(sd, os.path.join(OUT, "dtypes_protocol4.bin"), pickle_protocol=4)
    torch.save(sd, os.path.join(OUT, "dtypes_legacy.bin"), _use_new_zipfile_serialization=False)
    write_big_endian(os.path.join(OUT, "dtypes.bin"), os.path.join(OUT, "dtypes_big_endian.bin"))
    save_file({k: v.detach().contiguous().clone() for k, v in sd.items()},
              os.path.join(OUT, "dtypes.expected.safetensors"))
    # torch.load reads back what the C++ test reads (weights_only=True, transformers' way, where
    # torch can: its restricted unpickler does not know protocol 4's FRAME opcode; these files are
    # our own, so the full unpickler is safe on them).
    for name in ("dtypes.bin", "dtypes_protocol4.bin", "dtypes_legacy.bin", "dtypes_big_endian.bin"):
        loaded = torch.load(os.path.join(OUT, name), weights_only=name != "dtypes_protocol4.bin")
        assert all(torch.equal(loaded[k], sd[k]) for k in sd), name
    lines = ["# Malicious pickles (scripts/make_pytorch_fixtures.py)", "",
             "Each is a zip checkpoint whose archive/data.pkl tries to run code when unpickled by",
             f"Python's pickle; every payload would create `{MARKER}`.", ""]
    for name, (pkl, what) in sorted(malicious_pickles().items()):
        write_zip_checkpoint(os.path.join(OUT, "malicious", name + ".bin"), pkl)
        try:  # torch's own safe loader refuses them too (a cycle of plain lists it may build)
            torch.load(os.path.join(OUT, "malicious", name + ".bin"), weights_only=True)
            if name != "cyclic_list":
                sys.exit(f"torch.load(weights_only=True) accepted {name}")
        except (pickle.UnpicklingError, KeyError, RuntimeError):
            pass
        lines.append(f"- `{name}.bin`: {what}")
    with open(os.path.join(OUT, "malicious", "README.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    assert not os.path.exists(MARKER), "a payload ran while the fixtures were made"
    # The payloads are real: Python's own unpickler runs one (it only touches the marker).
    with zipfile.ZipFile(os.path.join(OUT, "malicious", "os_system_protocol2.bin")) as z:
        pickle.loads(z.read("archive/data.pkl"))
    assert os.path.exists(MARKER), "the os.system payload did not run under pickle.loads"
    os.remove(MARKER)
    write_tiny_bert()


if __name__ == "__main__":
    main()
