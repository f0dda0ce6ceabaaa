#!/usr/bin/env python3
"""Load test of `transformers-cli serve` against llama.cpp's llama-server on the same GGUF file.

Each engine is started in turn on a loopback port; CLIENTS threads (the load generator shares the
machine's cores with the server, the same for both) stream /v1/completions for SECONDS: prompts of
about PROMPT_TOKENS tokens (each request's own, so no engine reuses another's prompt), NEW_TOKENS
tokens each (ignore_eos, greedy). Reported per engine: output tokens/s over the window, time to the
first token (p50/p99) and inter-token latency (per request: (last chunk - first chunk) / (tokens -
1), p50/p99 over requests; and the p99 of the gaps between chunks). Clients start at random moments
over --ramp seconds, and only the --seconds after it are measured: tokens are counted by when their
chunk arrived, latencies over the requests that started in the window.

llama-server: build it from the llama-cpp-python sdist's vendor/llama.cpp, outside the repository:
    pip download llama-cpp-python --no-deps --no-binary :all: -d /tmp/pkgs && tar xzf ... &&
    cmake -B build -DGGML_NATIVE=ON -DLLAMA_CURL=OFF && cmake --build build --target llama-server

    python benchmarks/bench_server.py --cli build/ci/src/cli/transformers-cli --gguf SmolLM2.Q4_1.gguf \\
        [--llama-server PATH] [--clients 64] [--seconds 60] [--threads 2] [--keep-quantized]
    python benchmarks/bench_server.py --embedding-model sentence-transformers/all-MiniLM-L6-v2 --clients 32
(the second: /embed requests per second of one client after another against 32 at once, ~32-token texts).
Only the standard library is needed.
"""
import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time

WORDS = ("the river city morning light garden winter story house friend music stone window market road "
         "letter bridge summer forest evening harbor mountain village teacher journey silver field").split()


def prompt_of(rng, words):
    return "Continue this story: " + " ".join(rng.choice(WORDS) for _ in range(words))


def wait_healthy(port, process, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not become healthy")


def one_request(port, prompt, new_tokens):
    """Streams one completion; returns (start, chunk times, completion tokens), times absolute (perf_counter)."""
    body = json.dumps({"prompt": prompt, "max_tokens": new_tokens, "temperature": 0, "ignore_eos": True,
                       "stream": True, "stream_options": {"include_usage": True}})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start = time.perf_counter()
    connection.request("POST", "/v1/completions", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    if response.status != 200:
        response.read()
        return None
    chunk_times, tokens = [], None
    for line in response:
        line = line.strip()
        if not line.startswith(b"data: ") or line == b"data: [DONE]":
            continue
        event = json.loads(line[6:])
        if event.get("usage"):
            tokens = event["usage"]["completion_tokens"]
        for choice in event.get("choices") or []:
            if choice.get("text"):
                chunk_times.append(time.perf_counter())
    connection.close()
    if not chunk_times:
        return None
    return start, chunk_times, tokens if tokens is not None else len(chunk_times)


def load(port, clients, seconds, prompt_words, new_tokens, ramp):
    """Clients start at random moments within `ramp` seconds (no waves of requests starting and ending
    together), then loop; measured: the `seconds` after the ramp. A request's tokens are spread evenly
    over its chunks, and the chunks that arrive within the window count."""
    outcomes, failures, lock = [], [0], threading.Lock()
    began = time.perf_counter()
    window = (began + ramp, began + ramp + seconds)

    def client(index):
        rng = random.Random(index)
        time.sleep(rng.uniform(0, ramp))
        while time.perf_counter() < window[1]:
            try:
                outcome = one_request(port, prompt_of(rng, prompt_words), new_tokens)
            except OSError as error:  # counted as a failure, the client goes on
                print(f"client {index}: {error!r}", file=sys.stderr, flush=True)
                outcome = None
            with lock:
                if outcome is None:
                    failures[0] += 1
                else:
                    outcomes.append(outcome)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, failures[0], window


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))] if values else float("nan")


def report(name, outcomes, failures, window):
    tokens = 0.0
    for _, chunks, count in outcomes:
        tokens += count / len(chunks) * sum(window[0] <= t < window[1] for t in chunks)
    started = [o for o in outcomes if window[0] <= o[0] < window[1]]  # latencies: requests started in the window
    ttft = [chunks[0] - start for start, chunks, _ in started]
    itl = [(chunks[-1] - chunks[0]) / max(1, count - 1) for _, chunks, count in started]
    gaps = [b - a for _, chunks, _ in started for a, b in zip(chunks, chunks[1:])]
    row = {"engine": name, "requests_started": len(started), "failed": failures,
           "output_tok_s": tokens / (window[1] - window[0]),
           "ttft_p50_s": percentile(ttft, 0.5), "ttft_p99_s": percentile(ttft, 0.99),
           "itl_p50_ms": 1000 * percentile(itl, 0.5), "itl_p99_ms": 1000 * percentile(itl, 0.99),
           "chunk_gap_p99_ms": 1000 * percentile(gaps, 0.99)}
    print(json.dumps(row), flush=True)
    return row


def run_engine(name, command, port, args, prompt_words):
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    log = open(f"/tmp/bench_server_{port}.log", "w")  # a pipe nobody reads would fill and stall the server
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        wait_healthy(port, process)
        load(port, min(4, args.clients), 3, prompt_words, 8, 0)  # warm-up
        return report(name, *load(port, args.clients, args.seconds, prompt_words, args.new_tokens, args.ramp))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def embed_rate(port, clients, seconds, words):
    """Requests per second of /embed with one text of ~`words` words each, from `clients` threads."""
    done, lock = [0], threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(index):
        rng = random.Random(index)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        while time.perf_counter() < stop_at:
            body = json.dumps({"inputs": " ".join(rng.choice(WORDS) for _ in range(words))})
            connection.request("POST", "/embed", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                with lock:
                    done[0] += 1
        connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.perf_counter() - began)


def run_embeddings(args):
    """/embed on a sentence-transformers model: one client after another vs --clients at once."""
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    log = open(f"/tmp/bench_server_{args.port}.log", "w")
    process = subprocess.Popen([args.cli, "serve", "--model", f"embed={args.embedding_model}", "--port",
                                str(args.port), "--threads", str(args.threads)], stdout=log, stderr=subprocess.STDOUT,
                               env=env)
    try:
        wait_healthy(port=args.port, process=process)
        words = 24  # ~32 tokens with [CLS] and [SEP]
        embed_rate(args.port, 1, 3, words)  # warm-up
        single = embed_rate(args.port, 1, args.seconds, words)
        concurrent = embed_rate(args.port, args.clients, args.seconds, words)
        print(json.dumps({"engine": "transformers.cpp /embed", "single_client_req_s": single,
                          f"{args.clients}_clients_req_s": concurrent, "ratio": concurrent / single}), flush=True)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", default="build/ci/src/cli/transformers-cli")
    parser.add_argument("--gguf", help="the LLM to serve (the generation load test)")
    parser.add_argument("--embedding-model", help="a sentence-transformers folder or Hub id: the /embed test instead")
    parser.add_argument("--llama-server", default=os.environ.get("LLAMA_SERVER"))
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60, help="the measured window")
    parser.add_argument("--ramp", type=float, default=20, help="seconds over which clients start, not measured")
    parser.add_argument("--prompt-tokens", type=int, default=100)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep-quantized", action="store_true", help="ours multiplies the GGUF blocks as stored")
    parser.add_argument("--dtype", default="auto", help="ours: the dtype of dequantized weights (e.g. bfloat16)")
    parser.add_argument("--port", type=int, default=18080)
    args = parser.parse_args()
    if args.embedding_model:
        run_embeddings(args)
        return 0
    if not args.gguf:
        parser.error("--gguf or --embedding-model is required")
    prompt_words = max(1, int(args.prompt_tokens * 0.75))  # ~1.3 tokens per word of WORDS
    total = args.prompt_tokens + args.new_tokens + 64
    ours = [args.cli, "serve", "--model", f"bench={args.gguf}", "--port", str(args.port), "--threads",
            str(args.threads), "--max-batch-size", str(args.clients), "--max-concurrent-requests",
            str(2 * args.clients), "--max-input-tokens", str(total - args.new_tokens), "--max-total-tokens", str(total),
            "--dtype", args.dtype]
    if args.keep_quantized:
        ours.append("--keep-quantized")
    rows = [run_engine("transformers.cpp" + (" (kept quantized)" if args.keep_quantized else f" ({args.dtype})"),
                       ours, args.port, args, prompt_words)]
    if args.llama_server:
        theirs = [args.llama_server, "-m", args.gguf, "--port", str(args.port + 1), "-t", str(args.threads),
                  "-np", str(args.clients), "-c", str(args.clients * total), "--cont-batching"]
        rows.append(run_engine("llama-server", theirs, args.port + 1, args, prompt_words))
        ratio = rows[0]["output_tok_s"] / rows[1]["output_tok_s"]
        print(f"throughput ratio (ours / llama-server): {ratio:.2f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
