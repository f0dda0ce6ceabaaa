#!/usr/bin/env python3
"""Conformance of `transformers-cli serve` with the official `openai` Python client and with curl.

Not in CI (it needs pip's `openai`): the C++ tests (tests/server) cover the routes without it.
Starts the server on the tiny test models (a Llama with a chat template, a sentence-transformers
folder made from the tiny DistilBERT, the tiny sentiment classifier) with an API key, then checks
that the client's calls parse into its typed objects with the expected values, streaming included,
that a wrong key raises the client's AuthenticationError, and that curl sees the SSE framing.

    pip install openai   # last checked with openai 3.63.0
    python scripts/check_server_clients.py [--cli build/ci/src/cli/transformers-cli]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIPELINES = os.path.join(ROOT, "tests", "fixtures", "pipelines")


def embedding_folder():
    folder = tempfile.mkdtemp(prefix="serve_st_")
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                 "special_tokens_map.json"):
        shutil.copy(os.path.join(PIPELINES, "tiny-sentiment", name), folder)
    os.makedirs(os.path.join(folder, "1_Pooling"))
    with open(os.path.join(folder, "modules.json"), "w") as f:
        json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                   {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}], f)
    with open(os.path.join(folder, "1_Pooling", "config.json"), "w") as f:
        json.dump({"pooling_mode_mean_tokens": True}, f)
    return folder


def wait_healthy(port):
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    return bool(condition)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", default=os.path.join(ROOT, "build", "ci", "src", "cli", "transformers-cli"))
    parser.add_argument("--port", type=int, default=18123)
    args = parser.parse_args()
    import openai

    key, port = "sk-test", args.port
    server = subprocess.Popen([args.cli, "serve", "--model", "llama=" + os.path.join(PIPELINES, "tiny-llama-gen"),
                               "--model", "minilm=" + embedding_folder(), "--port", str(port), "--api-key", key],
                              stderr=subprocess.DEVNULL)
    ok = True
    try:
        wait_healthy(port)
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=key)
        models = client.models.list()
        ok &= check([m.id for m in models.data] == ["llama", "minilm"], "models.list")
        messages = [{"role": "user", "content": "Hello world"}]
        chat = client.chat.completions.create(model="llama", messages=messages, max_tokens=6, temperature=0)
        ok &= check(chat.choices[0].message.role == "assistant" and chat.usage.completion_tokens <= 6,
                    f"chat.completions.create: {chat.choices[0].message.content!r}")
        pieces, usage = [], None
        for chunk in client.chat.completions.create(model="llama", messages=messages, max_tokens=6, temperature=0,
                                                    stream=True, stream_options={"include_usage": True}):
            if chunk.usage:
                usage = chunk.usage
            for choice in chunk.choices:
                pieces.append(choice.delta.content or "")
        ok &= check("".join(pieces) == chat.choices[0].message.content and usage == chat.usage,
                    "chat.completions.create(stream=True) gives the same text and usage")
        completion = client.completions.create(model="llama", prompt="Hello world", max_tokens=5, temperature=0)
        ok &= check(completion.object == "text_completion" and completion.choices[0].finish_reason in ("stop", "length"),
                    f"completions.create: {completion.choices[0].text!r}")
        floats = client.embeddings.create(model="minilm", input=["a text", "another"], encoding_format="float")
        packed = client.embeddings.create(model="minilm", input=["a text", "another"])  # the client asks for base64
        ok &= check(len(floats.data) == 2 and all(abs(a - b) < 1e-6 for a, b in
                                                  zip(floats.data[0].embedding, packed.data[0].embedding)),
                    "embeddings.create, float and base64")
        try:
            openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="wrong").models.list()
            ok &= check(False, "a wrong key is refused")
        except openai.AuthenticationError as error:
            ok &= check(error.status_code == 401, "a wrong key raises AuthenticationError (401)")
        try:
            client.chat.completions.create(model="nope", messages=messages)
            ok &= check(False, "an unknown model is refused")
        except openai.NotFoundError:
            ok &= check(True, "an unknown model raises NotFoundError (404)")
        curl = subprocess.run(["curl", "-sN", f"http://127.0.0.1:{port}/v1/completions", "-H",
                               f"Authorization: Bearer {key}", "-H", "Content-Type: application/json", "-d",
                               json.dumps({"prompt": "Hello", "max_tokens": 3, "temperature": 0, "stream": True})],
                              capture_output=True, text=True, check=True).stdout
        frames = curl.split("\n\n")
        ok &= check(frames[-1] == "" and frames[-2] == "data: [DONE]" and all(f.startswith("data: ") for f in frames[:-1]),
                    "curl: SSE frames 'data: ...' separated by blank lines, ending in [DONE]")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("all passed" if ok else "some checks failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
