#!/usr/bin/env python3
"""Soak and fault test of `transformers-cli serve` (outside CI: it runs for minutes).

Starts the server on the tiny test models and sends REQUESTS requests from THREADS threads, each at
random one of: a streamed completion the client hangs up on after a random number of bytes, a whole
or streamed chat or text completion read to the end, an embedding, malformed JSON, a body of the
wrong type, an oversized body, or a request line sent byte by byte too slowly. Then it checks that
the server still answers a greedy request exactly as at the start, that nothing was answered 5xx,
and that its resident memory came back to (about) its level after the warm-up.

    python scripts/soak_server.py [--cli build/ci/src/cli/transformers-cli] [--requests 10000] [--threads 16]
Only the standard library is needed.
"""
import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time

from check_server_clients import embedding_folder  # the tiny sentence-transformers folder both scripts serve

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIPELINES = os.path.join(ROOT, "tests", "fixtures", "pipelines")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def post(port, path, body, raw=False):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("POST", path, body if raw else json.dumps(body), {"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


GREEDY = {"model": "llama", "prompt": "Hello world", "max_tokens": 8, "temperature": 0}


def hang_up(port, rng):
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    body = json.dumps({"model": "llama", "prompt": "Hello", "max_tokens": rng.randint(5, 60), "stream": True,
                       "temperature": rng.choice([0, 0.8])}).encode()
    sock.sendall(b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body)
    wanted = rng.randint(0, 2000)
    got = 0
    while got < wanted:
        chunk = sock.recv(256)
        if not chunk:
            break
        got += len(chunk)
    sock.close()
    return 200


def slow_client(port, rng):
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    for byte in b"GET /v1/models HTTP/1.1\r\n":
        sock.send(bytes([byte]))
        time.sleep(rng.uniform(0.0, 0.3))
    sock.close()
    return 200


def one(port, rng):
    kind = rng.randrange(9)
    if kind == 0:
        return hang_up(port, rng)
    if kind == 1:
        return post(port, "/v1/chat/completions", {"model": "llama", "max_tokens": rng.randint(1, 20),
                                                   "messages": [{"role": "user", "content": "Hi"}],
                                                   "stream": rng.random() < 0.5})[0]
    if kind == 2:
        return post(port, "/v1/completions", {"model": "llama", "prompt": "a b c", "max_tokens": rng.randint(1, 20),
                                              "temperature": rng.choice([0, 1.0]), "seed": rng.randint(0, 9)})[0]
    if kind == 3:
        return post(port, "/v1/embeddings", {"model": "minilm", "input": ["one text", "two texts"]})[0]
    if kind == 4:
        return post(port, "/embed", {"inputs": "some words " * rng.randint(1, 10)})[0]
    if kind == 5:
        status = post(port, "/v1/completions", b"{\"prompt\": [1, 2", raw=True)[0]
        return 200 if status == 400 else status
    if kind == 6:
        status = post(port, "/v1/completions", {"prompt": 5, "max_tokens": "x"})[0]
        return 200 if status == 400 else status
    if kind == 7:
        status = post(port, "/v1/completions", b"x" * (3 * 1024 * 1024), raw=True)[0]
        return 200 if status == 413 else status
    return slow_client(port, rng) if rng.random() < 0.05 else post(port, "/predict", {"inputs": "great"})[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", default=os.path.join(ROOT, "build", "ci", "src", "cli", "transformers-cli"))
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--port", type=int, default=18200)
    args = parser.parse_args()
    port = args.port
    server = subprocess.Popen([args.cli, "serve", "--model", "llama=" + os.path.join(PIPELINES, "tiny-llama-gen"),
                               "--model", "minilm=" + embedding_folder(), "--model",
                               "sentiment=" + os.path.join(PIPELINES, "tiny-sentiment"), "--port", str(port),
                               "--max-concurrent-requests", "64"], stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                if post(port, "/v1/completions", GREEDY)[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        first = json.loads(post(port, "/v1/completions", GREEDY)[1])["choices"][0]["text"]
        rng = random.Random(1)
        for _ in range(200):  # warm-up: every kind once or more
            one(port, rng)
        rss_warm = rss_kib(server.pid)
        statuses, lock, counter = {}, threading.Lock(), [0]

        def worker(index):
            local = random.Random(100 + index)
            while True:
                with lock:
                    if counter[0] >= args.requests:
                        return
                    counter[0] += 1
                try:
                    status = one(port, local)
                except OSError as error:
                    status = f"client error {type(error).__name__}"
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1

        began = time.time()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.time() - began
        time.sleep(2)  # abandoned streams end at their next step
        last = json.loads(post(port, "/v1/completions", GREEDY)[1])["choices"][0]["text"]
        rss_end = rss_kib(server.pid)
        print(json.dumps({"requests": args.requests, "seconds": round(elapsed, 1), "statuses": statuses,
                          "rss_after_warmup_mib": rss_warm // 1024, "rss_at_end_mib": rss_end // 1024,
                          "same_answer_after": first == last, "server_alive": server.poll() is None}))
        ok = first == last and server.poll() is None and not any(
            isinstance(s, int) and s >= 500 for s in statuses) and rss_end < 1.5 * rss_warm + 64 * 1024
        print("passed" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
