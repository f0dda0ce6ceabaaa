#!/usr/bin/env python3
"""The malformed-input corpus (tests/fixtures/malformed/): hostile and broken files of every format
the library reads from strangers, each with the fragment of the error it must give.

Plain Python, no third-party package: every file is written byte by byte from a small valid one,
then broken in one way. tests/malformed/test_malformed_corpus.cpp opens each with the loader of its
format and requires a typed error (transformers::Error) whose message names the file and contains
`expect`, within a time limit; the files are also seeds of the fuzz targets (tests/fuzz).
cases.jsonl lists them: {"file", "format", "expect", "why"}.

    python3 scripts/make_malformed_fixtures.py
"""
import json
import os
import shutil
import struct
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "malformed")
CASES = []


def add(fmt, name, data, expect, why, ext=None):
    ext = ext or {"pytorch": ".bin", "gguf": ".gguf", "tokenizer": ".json", "config": ".json",
                  "chat_template": ".jinja"}[fmt]
    folder = os.path.join(ROOT, fmt)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name + ext)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    CASES.append({"file": f"{fmt}/{name}{ext}", "format": fmt, "expect": expect, "why": why})


# ---------------------------------------------------------------- pytorch (torch.save zip / legacy)

def pickle_str(text):
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def glob(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def tensor_pickle(storage_type="FloatStorage", key="0", numel=4, offset=0, size=(4,), stride=(1,),
                  rebuild="_rebuild_tensor_v2", hooks=b"ccollections\nOrderedDict\n)R", extra=b""):
    ints = lambda values: b"(" + b"".join(b"J" + struct.pack("<i", v) for v in values) + b"t"
    pid = b"(" + pickle_str("storage") + glob("torch", storage_type) + pickle_str(key) + pickle_str("cpu") + \
        b"J" + struct.pack("<i", numel) + b"tQ"
    args = pid + b"J" + struct.pack("<i", offset) + ints(size) + ints(stride)
    if rebuild == "_rebuild_tensor_v2":
        args += b"\x89" + hooks
    return glob("torch._utils", rebuild) + b"(" + args + extra + b"tR"


def state_dict_pickle(entries):
    body = b"".join(pickle_str(name) + value for name, value in entries)
    return b"\x80\x02" + glob("collections", "OrderedDict") + b")R(" + body + b"u."


def torch_zip(pkl, storages=None, byteorder=b"little", compress=False, archive="archive"):
    import io
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    def put(z, name, data):  # a fixed date, so that the files are the same on every run
        z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, compress_type=method)

    with zipfile.ZipFile(buffer, "w", method) as z:
        put(z, f"{archive}/data.pkl", pkl)
        if byteorder is not None:
            put(z, f"{archive}/byteorder", byteorder)
        for key, data in (storages if storages is not None else {"0": b"\0" * 16}).items():
            put(z, f"{archive}/data/{key}", data)
        put(z, f"{archive}/version", "3\n")
    return buffer.getvalue()


def patched(data, *fields):
    """`data` with each (struct format, offset, value) written over it."""
    out = bytearray(data)
    for fmt, at, value in fields:
        struct.pack_into(fmt, out, at, value)
    return bytes(out)


def pytorch_cases():
    good = state_dict_pickle([("w", tensor_pickle())])
    add("pytorch", "empty", b"", "neither torch.save's zip format nor its legacy pickle format", "an empty file")
    add("pytorch", "text_file", "hello\n", "neither torch.save's zip format", "not a checkpoint")
    add("pytorch", "tar_format", b"\0" * 257 + b"ustar" + b"\0" * 250, "a tar archive", "torch < 0.4's tar format")
    zip_bytes = torch_zip(good)
    add("pytorch", "zip_truncated_half", zip_bytes[: len(zip_bytes) // 2], "no end-of-central-directory record",
        "cut in the middle")
    add("pytorch", "zip_no_end_record", zip_bytes[:-22], "no end-of-central-directory record", "end record removed")
    end = zip_bytes.rfind(b"PK\x05\x06")
    add("pytorch", "zip_directory_past_end", patched(zip_bytes, ("<I", end + 16, len(zip_bytes) + 1000)), "central directory at byte", "directory offset past the end")
    add("pytorch", "zip_lying_entry_count", patched(zip_bytes, ("<H", end + 10, 60000), ("<H", end + 8, 60000)), "entries cannot fit in a central directory",
        "60000 entries claimed")
    add("pytorch", "zip64_without_locator", patched(zip_bytes, ("<I", end + 16, 0xFFFFFFFF)), "no zip64 locator", "zip64 marker without its records")
    central = zip_bytes.find(b"PK\x01\x02")
    add("pytorch", "zip_local_header_past_end", patched(zip_bytes, ("<I", central + 42, len(zip_bytes) - 10)), "local header", "an entry's local header past the end")
    add("pytorch", "zip_entry_size_past_end", patched(zip_bytes, ("<I", central + 24, 0x7FFFFFF0), ("<I", central + 20, 0x7FFFFFF0)), "runs past the end of the file",
        "an entry 2 GiB long in a small file")
    add("pytorch", "zip_encrypted_entry", patched(zip_bytes, ("<H", central + 8, 1)), "is encrypted", "the encryption flag")
    add("pytorch", "zip_compressed", torch_zip(good, compress=True), "is compressed (method 8)", "deflated entries")
    add("pytorch", "zip_sizes_differ", patched(zip_bytes, ("<I", central + 20, 3)), "its two sizes differ", "stored, but sizes disagree")
    add("pytorch", "zip_name_past_directory", patched(zip_bytes, ("<H", central + 28, 0xFFFF)), "runs past", "a name length past the directory")
    add("pytorch", "zip_without_pickle", torch_zip(good, archive="a/b"), "without <name>/data.pkl",
        "data.pkl two folders deep")
    add("pytorch", "storage_entry_missing", torch_zip(good, storages={}), "has no entry data/0", "no data/0")
    add("pytorch", "storage_too_small", torch_zip(good, storages={"0": b"\0" * 15}), "fewer than its 4 float32",
        "15 bytes for four floats")
    add("pytorch", "bad_byteorder", torch_zip(good, byteorder=b"middle"), "byteorder is 'middle'", "an unknown byte order")
    add("pytorch", "not_a_dict", torch_zip(b"\x80\x02]."), "not a dict of tensors", "a pickled list")
    add("pytorch", "nested_state_dict", torch_zip(state_dict_pickle([("model", b"}")])), "value for 'model' is not a tensor",
        "{'model': {...}} as some trainers save")
    add("pytorch", "integer_value", torch_zip(state_dict_pickle([("step", b"K\x05")])), "value for 'step' is not a tensor",
        "an int among the tensors")
    add("pytorch", "tensor_past_storage",
        torch_zip(state_dict_pickle([("w", tensor_pickle(size=(5,)))])), "reads element 4 of storage '0', which holds 4",
        "five elements from a storage of four")
    add("pytorch", "offset_past_storage",
        torch_zip(state_dict_pickle([("w", tensor_pickle(offset=4, size=(1,)))])), "reads element 4",
        "a storage offset at the end")
    add("pytorch", "negative_stride",
        torch_zip(state_dict_pickle([("w", tensor_pickle(size=(2,), stride=(-1,)))])), "negative size or stride",
        "a negative stride")
    add("pytorch", "negative_offset",
        torch_zip(state_dict_pickle([("w", tensor_pickle(offset=-1))])), "negative storage offset", "offset -1")
    add("pytorch", "overflowing_shape",
        torch_zip(state_dict_pickle([("w", tensor_pickle(size=(2**31 - 1, 2**31 - 1, 2**31 - 1),
                                                          stride=(2**30, 2**30, 2**30)))])), "overflow 64 bits",
        "sizes whose product overflows")
    add("pytorch", "size_stride_lengths_differ",
        torch_zip(state_dict_pickle([("w", tensor_pickle(size=(2, 2), stride=(1,)))])), "size and stride differ in length",
        "two sizes, one stride")
    add("pytorch", "negative_storage_size",
        torch_zip(state_dict_pickle([("w", tensor_pickle(numel=-4))])), "negative size", "numel -4")
    add("pytorch", "unknown_storage_type",
        torch_zip(state_dict_pickle([("w", tensor_pickle(storage_type="ComplexFloatStorage"))])),
        "'torch.ComplexFloatStorage'", "a storage type not read")
    add("pytorch", "storage_named_twice_differently",
        torch_zip(state_dict_pickle([("a", tensor_pickle()), ("b", tensor_pickle(storage_type="HalfStorage"))])),
        "named twice with different types", "one key, two dtypes")
    add("pytorch", "backward_hooks",
        torch_zip(state_dict_pickle([("w", tensor_pickle(hooks=b"}(K\x01K\x02u"))])), "backward hooks",
        "a tensor with hooks")
    add("pytorch", "wrong_rebuild_arity",
        torch_zip(state_dict_pickle([("w", tensor_pickle(extra=b"NNN"))])), "called with 9 arguments",
        "_rebuild_tensor_v2 with nine arguments")
    add("pytorch", "persistent_id_not_storage",
        torch_zip(b"\x80\x02}(" + pickle_str("w") + b"(" + pickle_str("module") + b"tQu."), "persistent id",
        "a persistent id of another kind")
    add("pytorch", "unknown_opcode", torch_zip(b"\x80\x02\xff."), "unknown opcode 0xff", "opcode 0xff")
    add("pytorch", "protocol_6", torch_zip(b"\x80\x06}."), "pickle protocol 6", "a future protocol")
    add("pytorch", "no_stop", torch_zip(b"\x80\x02}"), "ends before its STOP", "no STOP")
    add("pytorch", "stack_underflow", torch_zip(b"\x80\x02u."), "no MARK", "SETITEMS without a mark")
    add("pytorch", "huge_string_length", torch_zip(b"\x80\x02X\xff\xff\xff\x7f."), "only", "a 2 GiB string length")
    add("pytorch", "huge_bytes8_length", torch_zip(b"\x80\x02\x8e" + b"\xff" * 8 + b"."), "only",
        "a 2^64 - 1 byte length")
    add("pytorch", "invalid_utf8_key", torch_zip(b"\x80\x02}(X\x02\x00\x00\x00\xff\xfeK\x01u."), "not valid UTF-8",
        "a key that is not UTF-8")
    add("pytorch", "wide_integer", torch_zip(b"\x80\x02\x8a\x09" + b"\x01" * 9 + b"."), "wider than 64 bits",
        "a 72-bit integer")
    add("pytorch", "reduce_of_non_global", torch_zip(b"\x80\x02K\x01)R."), "REDUCE calls something that is not a global",
        "calling an int")
    add("pytorch", "build_on_list", torch_zip(b"\x80\x02]}b."), "BUILD on something other than", "BUILD on a list")
    add("pytorch", "setitem_on_list", torch_zip(b"\x80\x02]K\x01K\x02s."), "not a dict", "SETITEM on a list")
    add("pytorch", "global_name_too_long", torch_zip(b"\x80\x02c" + b"a" * 300 + b"\nb\n."), "longer than 256 bytes",
        "a 300-byte module name")
    legacy_magic = bytes([0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E])
    add("pytorch", "legacy_truncated", legacy_magic + b"\x80\x02M\xe9", "wants 2 more bytes but only 1 are left", "the legacy magic, then cut")
    add("pytorch", "legacy_wrong_protocol", legacy_magic + b"\x80\x02M\xea\x03.", "protocol version is not 1001",
        "legacy protocol 1002")
    legacy_pid = lambda: b"(" + pickle_str("storage") + glob("torch", "FloatStorage") + pickle_str("k") + \
        pickle_str("cpu") + b"K\x04Nt"
    legacy_dict = b"\x80\x02}(" + pickle_str("w") + glob("torch._utils", "_rebuild_tensor_v2") + b"(" + legacy_pid() + \
        b"QK\x00K\x04\x85K\x01\x85\x89" + glob("collections", "OrderedDict") + b")RtRu."
    legacy_head = legacy_magic + b"\x80\x02M\xe9\x03.\x80\x02}(" + pickle_str("little_endian") + b"\x88u." + legacy_dict
    add("pytorch", "legacy_storage_bytes_missing", legacy_head + b"\x80\x02](" + pickle_str("k") + b"e.",
        "ends inside the header of storage 'k'", "the storage's bytes cut off")
    add("pytorch", "legacy_storage_count_differs",
        legacy_head + b"\x80\x02](" + pickle_str("k") + b"e." + struct.pack("<q", 9) + b"\0" * 36,
        "says 9 elements", "9 elements where the tensor's storage has 4")
    add("pytorch", "legacy_unknown_key", legacy_head + b"\x80\x02](" + pickle_str("zz") + b"e.",
        "names a storage no tensor uses", "a key no tensor uses")


# ---------------------------------------------------------------- GGUF

GGUF_TYPES = {"u8": 0, "i8": 1, "u16": 2, "i16": 3, "u32": 4, "i32": 5, "f32": 6, "bool": 7, "str": 8, "arr": 9,
              "u64": 10, "i64": 11, "f64": 12}


def gguf_string(text):
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(raw)) + raw


def gguf_value(kind, value):
    code = GGUF_TYPES[kind]
    if kind == "str":
        return struct.pack("<I", code) + gguf_string(value)
    if kind == "arr":
        item_kind, items = value
        body = b"".join(gguf_value(item_kind, v)[4:] for v in items)
        return struct.pack("<IIQ", code, GGUF_TYPES[item_kind], len(items)) + body
    fmt = {"u8": "B", "i8": "b", "u16": "H", "i16": "h", "u32": "I", "i32": "i", "f32": "f", "bool": "?",
           "u64": "Q", "i64": "q", "f64": "d"}[kind]
    return struct.pack("<I" + fmt, code, value)


def gguf_file(kvs, tensors=(), data=b"", version=3, alignment=32, tensor_count=None, kv_count=None):
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors) if tensor_count is None else tensor_count,
                                len(kvs) if kv_count is None else kv_count)
    for key, kind, value in kvs:
        out += gguf_string(key) + gguf_value(kind, value)
    for name, dims, ggml_type, offset in tensors:
        out += gguf_string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", ggml_type, offset)
    out += b"\0" * ((-len(out)) % alignment)
    return out + data


def llama_kvs():
    tokens = ["<unk>", "<s>", "</s>", "a", "b", "ab"]
    return [("general.architecture", "str", "llama"), ("llama.block_count", "u32", 1),
            ("llama.context_length", "u32", 64), ("llama.embedding_length", "u32", 8),
            ("llama.feed_forward_length", "u32", 16), ("llama.attention.head_count", "u32", 2),
            ("llama.attention.head_count_kv", "u32", 2), ("llama.rope.freq_base", "f32", 10000.0),
            ("llama.attention.layer_norm_rms_epsilon", "f32", 1e-5), ("tokenizer.ggml.model", "str", "llama"),
            ("tokenizer.ggml.tokens", "arr", ("str", tokens)),
            ("tokenizer.ggml.scores", "arr", ("f32", [0.0] * len(tokens))),
            ("tokenizer.ggml.token_type", "arr", ("i32", [2, 3, 3, 1, 1, 1])),
            ("tokenizer.ggml.bos_token_id", "u32", 1), ("tokenizer.ggml.eos_token_id", "u32", 2)]


def replaced(kvs, key, kind, value):
    return [(k, kind, value) if k == key else (k, t, v) for k, t, v in kvs]


def without(kvs, key):
    return [(k, t, v) for k, t, v in kvs if k != key]


def gguf_cases():
    kvs = llama_kvs()
    embd = ("token_embd.weight", [8, 6], 0, 0)  # F32 [6 tokens x 8]
    data = b"\0" * (8 * 6 * 4)
    good = gguf_file(kvs, [embd], data)
    add("gguf", "empty", b"", "not a valid GGUF file: the file ends inside the magic number", "an empty file")
    add("gguf", "bad_magic", b"GGML" + good[4:], "not a valid GGUF file: it does not start with \"GGUF\"", "the old GGML magic")
    add("gguf", "version_1", gguf_file(kvs, [embd], data, version=1), "version", "GGUF version 1")
    add("gguf", "version_99", gguf_file(kvs, [embd], data, version=99), "version", "a future version")
    add("gguf", "truncated_header", good[:20], "not a valid GGUF file: the tensor count is 1, more than the 4 remaining bytes", "cut inside the counts")
    add("gguf", "truncated_metadata", good[:200], "not a valid GGUF file: the metadata count is 15, more than the 176 remaining", "cut inside the metadata")
    add("gguf", "truncated_tensor_data", good[:-10], "not a valid GGUF file: tensor 'token_embd.weight' (192 bytes at offset 0) runs", "the tensor data cut short")
    add("gguf", "huge_tensor_count", gguf_file(kvs, [embd], data, tensor_count=2**62), "not a valid GGUF file: the tensor count is 4611686018427387904, more than the", "2^62 tensors claimed")
    add("gguf", "huge_kv_count", gguf_file(kvs, [embd], data, kv_count=2**62), "not a valid GGUF file: the metadata count is 4611686018427387904, more than the", "2^62 keys claimed")
    add("gguf", "huge_string_length", b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 2**62) + b"k",
        "", "a key 2^62 bytes long")
    add("gguf", "unknown_value_type", b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + gguf_string("k") + struct.pack("<I", 77),
        "", "value type 77")
    add("gguf", "huge_array_length", b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + gguf_string("k") +
        struct.pack("<IIQ", 9, 4, 2**61), "not a valid GGUF file: metadata array 'k' is 2305843009213693952, more than the", "an array of 2^61 u32")
    deep = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + gguf_string("k") + struct.pack("<I", 9) + \
        struct.pack("<IQ", 9, 1) * 5000 + struct.pack("<IQ", 4, 0)
    add("gguf", "deeply_nested_arrays", deep, "not a valid GGUF file: metadata 'k' nests arrays deeper than 4", "arrays nested 5000 deep")
    add("gguf", "invalid_utf8_key", good.replace(b"general.architecture", b"general.architectur\xff"), "",
        "a key that is not UTF-8")
    add("gguf", "duplicate_key", gguf_file(kvs + [("llama.block_count", "u32", 2)], [embd], data), "",
        "llama.block_count twice")
    add("gguf", "duplicate_tensor", gguf_file(kvs, [embd, embd], data), "not a valid GGUF file: tensor 'token_embd.weight' appears twice", "token_embd.weight twice")
    add("gguf", "tensor_offset_past_end", gguf_file(kvs, [("token_embd.weight", [8, 6], 0, 1 << 40)], data), "",
        "an offset 1 TiB past the data")
    add("gguf", "tensor_misaligned", gguf_file(kvs, [("token_embd.weight", [8, 6], 0, 3)], data + b"\0" * 32), "",
        "offset 3 with alignment 32")
    add("gguf", "tensor_five_dims", gguf_file(kvs, [("token_embd.weight", [2, 2, 2, 2, 3], 0, 0)], data), "",
        "five dimensions")
    add("gguf", "tensor_zero_dims_overflow",
        gguf_file(kvs, [("token_embd.weight", [2**40, 2**40], 0, 0)], data), "not a valid GGUF file: tensor 'token_embd.weight' has an impossible dimension", "2^80 elements")
    add("gguf", "tensor_unknown_type", gguf_file(kvs, [("token_embd.weight", [8, 6], 99, 0)], data), "",
        "ggml type 99")
    add("gguf", "tensor_row_not_whole_blocks", gguf_file(kvs, [("token_embd.weight", [7, 6], 8, 0)], data), "",
        "a Q8_0 row of 7 values")
    add("gguf", "alignment_zero", gguf_file(kvs + [("general.alignment", "u32", 0)], [embd], data), "",
        "general.alignment 0")
    add("gguf", "alignment_not_power_of_two", gguf_file(kvs + [("general.alignment", "u32", 24)], [embd], data), "",
        "general.alignment 24")
    add("gguf", "alignment_wrong_type", gguf_file(kvs + [("general.alignment", "str", "32")], [embd], data), "",
        "general.alignment as a string")
    add("gguf", "no_architecture", gguf_file(without(kvs, "general.architecture"), [embd], data), "",
        "no general.architecture")
    add("gguf", "unknown_architecture", gguf_file(replaced(kvs, "general.architecture", "str", "mamba9"), [embd], data),
        "", "an architecture transformers does not map")
    add("gguf", "architecture_not_string", gguf_file(replaced(kvs, "general.architecture", "u32", 5), [embd], data),
        "", "general.architecture as a number")
    add("gguf", "block_count_missing", gguf_file(without(kvs, "llama.block_count"), [embd], data), "",
        "no llama.block_count")
    add("gguf", "head_count_zero", gguf_file(replaced(kvs, "llama.attention.head_count", "u32", 0), [embd], data), "",
        "zero heads")
    add("gguf", "tokens_not_strings", gguf_file(replaced(kvs, "tokenizer.ggml.tokens", "arr", ("u32", [1, 2])),
                                                [embd], data), "tokenizer.ggml.tokens must be a list of strings", "token list of numbers")
    add("gguf", "scores_length_differs", gguf_file(replaced(kvs, "tokenizer.ggml.scores", "arr", ("f32", [0.0])),
                                                   [embd], data), "tokenizer.ggml.scores has 1 entries for 6 tokens", "one score for six tokens")
    add("gguf", "bos_out_of_range", gguf_file(replaced(kvs, "tokenizer.ggml.bos_token_id", "u32", 1000), [embd], data),
        "", "BOS id 1000 of 6 tokens")
    add("gguf", "unknown_tokenizer_model", gguf_file(replaced(kvs, "tokenizer.ggml.model", "str", "rwkv"), [embd], data),
        "", "tokenizer model rwkv")


# ---------------------------------------------------------------- tokenizer.json

def tokenizer_doc(model=None, **parts):
    doc = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
           "pre_tokenizer": None, "post_processor": None, "decoder": None,
           "model": model or {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                              "max_input_chars_per_word": 100, "vocab": {"[UNK]": 0, "a": 1, "##b": 2}}}
    doc.update(parts)
    return json.dumps(doc)


def tokenizer_cases():
    bpe = lambda vocab, merges, **extra: dict({"type": "BPE", "vocab": vocab, "merges": merges}, **extra)
    add("tokenizer", "empty", "", "not valid JSON", "an empty file")
    add("tokenizer", "not_json", "{\"model\": ", "not valid JSON", "JSON cut short")
    add("tokenizer", "array", "[]", "expected a JSON object at the top level", "a JSON array")
    add("tokenizer", "number_overflow", tokenizer_doc(bpe({"a": 0}, []), dropout=None).replace('"dropout": null', '"dropout": 1e99999'),
        "not valid JSON", "a number past double's range")
    add("tokenizer", "no_model", json.dumps({"version": "1.0"}), "missing field 'model'", "no model")
    add("tokenizer", "unknown_model_type", tokenizer_doc({"type": "Magic"}), "model: unknown model type 'Magic'", "model type Magic")
    add("tokenizer", "model_not_object", json.dumps({"version": "1.0", "model": 5}), "model: expected a JSON object, found number 5", "model as a number")
    add("tokenizer", "bpe_merge_unknown_token", tokenizer_doc(bpe({"a": 0, "b": 1}, ["a zz"])), "",
        "a merge of a token not in the vocabulary")
    add("tokenizer", "bpe_merge_one_part", tokenizer_doc(bpe({"a": 0, "b": 1}, ["ab"])), "model BPE: merges[0] must be \"a b\", found \"ab\"", "a merge without a space")
    add("tokenizer", "bpe_merges_not_strings", tokenizer_doc(bpe({"a": 0}, [5])), "model BPE: merges[0] must be \"a b\" or [a, b], found 5", "a merge that is a number")
    add("tokenizer", "vocab_id_negative", tokenizer_doc(bpe({"a": -1}, [])), "model BPE: field 'vocab': the id of 'a' is -1, outside 0 .. 4294967295", "a negative id")
    add("tokenizer", "vocab_id_huge", tokenizer_doc(bpe({"a": 2**40}, [])), "model BPE: field 'vocab': the id of 'a' is 1099511627776, outside 0 ..", "an id of 2^40")
    add("tokenizer", "vocab_id_string", tokenizer_doc(bpe({"a": "0"}, [])), "model BPE: field 'vocab': the id of 'a' is not an integer", "an id as a string")
    add("tokenizer", "unigram_unk_id_out_of_range", tokenizer_doc({"type": "Unigram", "unk_id": 9,
                                                                   "vocab": [["a", -1.0]]}), "model Unigram: field 'unk_id' 9 is outside the vocab", "unk_id 9 of one piece")
    add("tokenizer", "unigram_piece_not_pair", tokenizer_doc({"type": "Unigram", "vocab": [["a"]]}), "",
        "a piece without its score")
    add("tokenizer", "unigram_score_nan", tokenizer_doc({"type": "Unigram", "vocab": [["a", "nan"]]}), "",
        "a score that is a string")
    add("tokenizer", "unknown_normalizer", tokenizer_doc(normalizer={"type": "Sparkle"}), "normalizer: unknown normalizer type 'Sparkle'", "normalizer Sparkle")
    add("tokenizer", "unknown_pre_tokenizer", tokenizer_doc(pre_tokenizer={"type": "Sparkle"}), "",
        "pre-tokenizer Sparkle")
    add("tokenizer", "unknown_decoder", tokenizer_doc(decoder={"type": "Sparkle"}), "decoder: unknown decoder type 'Sparkle'", "decoder Sparkle")
    add("tokenizer", "unknown_post_processor", tokenizer_doc(post_processor={"type": "Sparkle"}), "",
        "post-processor Sparkle")
    add("tokenizer", "invalid_split_regex", tokenizer_doc(pre_tokenizer={
        "type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated", "invert": False}), "",
        "a regex that does not compile")
    add("tokenizer", "invalid_replace_regex", tokenizer_doc(normalizer={
        "type": "Replace", "pattern": {"Regex": "[z-a]"}, "content": ""}), "normalizer Replace: invalid regex '[z-a]': empty range in char class", "a reversed character range")
    add("tokenizer", "sequence_not_list", tokenizer_doc(normalizer={"type": "Sequence", "normalizers": 5}), "",
        "a Sequence of a number")
    add("tokenizer", "deep_sequence", tokenizer_doc().replace('"normalizer": null', '"normalizer": ' + '{"type": "Sequence", "normalizers": [' * 3000 +
                                '{"type": "NFC"}' + ']}' * 3000), "JSON nests 6002 levels deep, more than the 128 read", "Sequences nested 3000 deep")
    add("tokenizer", "deep_json", "[" * 20000 + "]" * 20000, "JSON nests 20000 levels deep, more than the 128 read", "JSON nested 20000 deep")
    add("tokenizer", "added_token_not_object", tokenizer_doc(added_tokens=[5]), "added_tokens: expected a JSON object, found number 5", "an added token that is a number")
    add("tokenizer", "added_token_without_content", tokenizer_doc(added_tokens=[{"id": 3, "special": True}]), "",
        "an added token without content")
    add("tokenizer", "template_unknown_piece", tokenizer_doc(post_processor={
        "type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}],
        "pair": [], "special_tokens": {}}), "post_processor TemplateProcessing: the template uses special token '[CLS]' that", "a template naming a special token it does not define")
    add("tokenizer", "invalid_utf8", b'{"version": "1.0", "model": {"type": "BPE", "vocab": {"\xff": 0}, "merges": []}}',
        "", "a vocabulary entry that is not UTF-8")
    add("tokenizer", "truncation_negative", tokenizer_doc(truncation={"max_length": -5, "stride": 0,
                                                                       "strategy": "LongestFirst",
                                                                       "direction": "Right"}), "",
        "truncation to -5 tokens")


# ---------------------------------------------------------------- config.json

def config_cases():
    llama = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 16,
             "intermediate_size": 32, "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 1,
             "vocab_size": 32, "max_position_embeddings": 64, "rms_norm_eps": 1e-6}

    def with_(**changes):
        config = dict(llama)
        for key, value in changes.items():
            if value is None:
                config.pop(key, None)
            else:
                config[key] = value
        return json.dumps(config)

    add("config", "empty", "", "not valid JSON", "an empty file")
    add("config", "not_json", "{\"model_type\": ", "not valid JSON", "JSON cut short")
    add("config", "array", "[1, 2]", "expected a JSON object, found array", "a JSON array")
    add("config", "nan_literal", with_().replace('"rms_norm_eps": 1e-06', '"rms_norm_eps": NaN'), "",
        "NaN, which Python's json writes and JSON forbids")
    add("config", "number_overflow", with_().replace('"rms_norm_eps": 1e-06', '"rms_norm_eps": 1e99999'),
        "not valid JSON", "a number past double's range (nlohmann throws out_of_range, not parse_error)")
    add("config", "no_model_type", with_(model_type=None, architectures=None), "required field 'model_type' is missing", "neither model_type nor architectures")
    add("config", "unknown_model_type", with_(model_type="mamba9", architectures=["Mamba9ForCausalLM"]), "",
        "a model type not supported")
    add("config", "model_type_number", with_(model_type=5), "field 'model_type' must be a string, found number", "model_type as a number")
    add("config", "hidden_size_string", with_(hidden_size="16"), "field 'hidden_size' must be an integer, found string", "hidden_size as a string")
    add("config", "hidden_size_negative", with_(hidden_size=-16), "field 'hidden_size' must not be negative, found -16", "hidden_size -16")
    add("config", "hidden_size_float", with_(hidden_size=16.5), "field 'hidden_size' must be an integer, found number", "hidden_size 16.5")
    add("config", "heads_zero", with_(num_attention_heads=0), "num_attention_heads must be positive, got 0", "zero attention heads")
    add("config", "heads_not_dividing", with_(num_attention_heads=3), "field 'hidden_size' (16) is not a multiple of num_attention_heads (3)", "16 not divisible by 3 heads")
    add("config", "kv_heads_not_dividing", with_(num_key_value_heads=3), "num_attention_heads 4 is not a multiple of num_key_value_heads 3", "4 heads in 3 key-value groups")
    add("config", "layers_negative", with_(num_hidden_layers=-1), "field 'num_hidden_layers' must not be negative, found -1", "-1 layers")
    add("config", "vocab_huge", with_(vocab_size=2**62), "field 'vocab_size' is 4611686018427387904, more than any model has",
        "a 2^62-token vocabulary")
    add("config", "hidden_huge", with_(hidden_size=2**40, num_attention_heads=2**20),
        "field 'hidden_size' is 1099511627776, more than any model has", "hidden size 2^40")
    add("config", "head_dim_huge", with_(head_dim=2**30), "rotary dimension 1073741824 (head_dim 1073741824) is more than",
        "a head 2^30 wide, which would size the rotary tables")
    add("config", "rope_unknown_type", with_(rope_scaling={"rope_type": "warp", "factor": 2.0}), "",
        "rope_scaling type warp")
    add("config", "rope_factor_negative", with_(rope_scaling={"rope_type": "linear", "factor": -2.0}), "",
        "a negative rope factor")
    add("config", "rope_scaling_string", with_(rope_scaling="linear"), "field 'rope_scaling' must be an object", "rope_scaling as a string")
    add("config", "eps_string", with_(rms_norm_eps="small"), "field 'rms_norm_eps' has the wrong type (found string)", "rms_norm_eps as a string")
    add("config", "max_positions_negative", with_(max_position_embeddings=-1), "field 'max_position_embeddings' must not be negative, found -1", "-1 positions")
    add("config", "architectures_not_list", with_(architectures="LlamaForCausalLM"), "field 'architectures' must be a list of class names", "architectures as a string")
    add("config", "id2label_bad_key", json.dumps({"model_type": "bert", "architectures": ["BertForSequenceClassification"],
                                                  "id2label": {"zero": "NEG"}}), "field 'id2label' has a non-integer key 'zero'", "an id2label key that is not a number")
    add("config", "deep_json", '{"a": ' + "[" * 20000 + "]" * 20000 + "}", "JSON nests 20001 levels deep, more than the 512 read", "JSON nested 20000 deep")
    add("config", "head_dim_zero", with_(head_dim=0), "head_dim must be positive, got 0", "head_dim 0")


# ---------------------------------------------------------------- chat templates

def chat_template_cases():
    cases = {
        "unclosed_for": ("{% for m in messages %}{{ m.content }}", "TemplateSyntaxError: Unexpected end of template. Jinja was looking for the", "unclosed for loop"),
        "unclosed_if": ("{% if true %}x", "TemplateSyntaxError: Unexpected end of template. Jinja was looking for the", "unclosed if"),
        "unclosed_expression": ("{{ messages[0].content", "TemplateSyntaxError: unexpected end of template, expected 'end of print", "unclosed {{"),
        "unclosed_comment": ("{# never ends", "TemplateSyntaxError: Missing end of comment tag", "unclosed comment"),
        "unclosed_string": ("{{ 'abc }}", "TemplateSyntaxError: unexpected char '''", "unclosed string literal"),
        "endfor_without_for": ("{% endfor %}", "TemplateSyntaxError: Encountered unknown tag 'endfor'.", "a stray endfor"),
        "unknown_tag": ("{% sparkle %}", "TemplateSyntaxError: Encountered unknown tag 'sparkle'.", "an unknown tag"),
        "unknown_filter": ("{{ messages | sparkle }}", "TemplateAssertionError: No filter named 'sparkle'.", "an unknown filter"),
        "unknown_test": ("{% if messages is sparkle %}x{% endif %}", "TemplateRuntimeError: No test named 'sparkle' found.", "an unknown test"),
        "bad_operator": ("{{ 1 +* 2 }}", "TemplateSyntaxError: unexpected '*'", "two operators in a row"),
        "unbalanced_parens": ("{{ (1 + 2 }}", "TemplateSyntaxError: unexpected '}', expected ')'", "an unclosed parenthesis"),
        "huge_range_loop": ("{% for i in range(10**12) %}x{% endfor %}", "OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE", "a loop of 10^12 steps"),
        "infinite_recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "LimitExceeded: calls nest deeper than 200 levels (RenderLimits::max_call_depth)", "a macro calling itself"),
        "string_doubling": ("{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
                            "{% endfor %}{{ ns.s | length }}", "LimitExceeded: a string would hold 134217728 bytes, more than the 67108864", "a string doubled 64 times"),
        "list_growth": ("{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}"
                        "{% endfor %}{{ ns.l | length }}", "LimitExceeded: a list or dict would hold 2097152 items, more than the 1048576", "a list doubled 64 times"),
        "string_repeat": ("{{ 'x' * 10**12 }}", "LimitExceeded: a string would hold 1000000000000 bytes, more than the 67108864", "a string repeated 10^12 times"),
        "raise_exception": ("{{ raise_exception('Conversation roles must alternate') }}", "TemplateError: Conversation roles must alternate", "the template's own error"),
        "division_by_zero": ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero", "division by zero"),
        "undefined_attribute_call": ("{{ messages.nothing() }}", "UndefinedError: 'list object' has no attribute 'nothing'", "calling an undefined attribute"),
        "sandbox_class": ("{{ messages.__class__.__mro__ }}", "SecurityError: access to attribute '__class__' of 'list' object is unsafe.", "reaching Python internals"),
        "sandbox_globals": ("{{ cycler.__init__.__globals__ }}", "SecurityError: access to attribute '__init__' of 'function' object is unsafe.", "reaching a function's globals"),
        "sandbox_format": ("{{ '{0.__class__.__mro__}'.format(messages) }}", "SecurityError: access to attribute '__class__' of 'list' object is unsafe.", "str.format reaching attributes"),
        "deep_nesting": ("{{ " + "[" * 1000 + "]" * 1000 + " }}", "TemplateSyntaxError: the template nests deeper than 200 levels", "a list literal nested 1000 deep"),
        "deep_parens": ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "TemplateSyntaxError: the template nests deeper than 200 levels", "parentheses nested 5000 deep"),
        "invalid_utf8": (b"{{ '\xff\xfe' }}", "UnicodeDecodeError: the template is not valid UTF-8 (byte 4)", "a template that is not UTF-8"),
        "int_overflow": ("{{ 9223372036854775807 + 1 }}", "OverflowError: integer result does not fit in 64 bits", "integer past 64 bits"),
    }
    for name, (source, expect, why) in cases.items():
        add("chat_template", name, source, expect, why)


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    os.makedirs(ROOT)
    pytorch_cases()
    gguf_cases()
    tokenizer_cases()
    config_cases()
    chat_template_cases()
    with open(os.path.join(ROOT, "cases.jsonl"), "w") as f:
        for case in CASES:
            f.write(json.dumps(case) + "\n")
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
