#!/usr/bin/env python3
"""Chat template rendering: transformers.cpp next to Python's jinja2 (transformers' environment).

    python benchmarks/bench_chat_template.py --binary build/release/benchmarks/bench_chat_template

For each template (large tool-calling ones from tests/fixtures/chat_templates/templates), a
20-message conversation with tool definitions, tool calls and tool results is rendered with
add_generation_prompt: by transformers' render_jinja_template (the template compiled once, as its
lru_cache does) and by bench_chat_template (parsed once). Both texts must be equal; prints the median
render time of each and their ratio.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import timeit

from transformers.utils.chat_template_utils import render_jinja_template

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TEMPLATES = os.path.join(ROOT, "tests", "fixtures", "chat_templates", "templates")
DEFAULT_TEMPLATES = [
    "openai-gpt-oss-120b.jinja",
    "Qwen3-Coder.jinja",
    "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja",
    "meta-llama-Llama-3.1-8B-Instruct.jinja",
]
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
}


def conversation():
    messages = [{"role": "system", "content": "You are a helpful assistant with tools."}]
    for turn in range(4):
        city = ["Paris", "Tokyo", "Lima", "Oslo"][turn]
        messages.append({"role": "user", "content": f"What is the weather in {city}? Answer in one sentence."})
        messages.append(
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {"type": "function", "function": {"name": "get_weather", "arguments": {"city": city, "unit": "celsius"}}}
                ],
            }
        )
        messages.append({"role": "tool", "name": "get_weather", "content": json.dumps({"temperature": 20 + turn})})
        messages.append({"role": "assistant", "content": f"It is {20 + turn} °C in {city} right now."})
        if turn < 3:
            messages.append({"role": "user", "content": "Thanks! Next one."})
    return messages[:20]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("templates", nargs="*", default=DEFAULT_TEMPLATES)
    args = parser.parse_args()
    messages = conversation()
    assert len(messages) == 20
    variables = {"bos_token": "<s>", "eos_token": "</s>"}
    with tempfile.TemporaryDirectory() as tmp:
        conversation_path = os.path.join(tmp, "conversation.json")
        with open(conversation_path, "w", encoding="utf-8") as f:
            json.dump({"messages": messages, "tools": [TOOL], "variables": variables}, f, ensure_ascii=False)
        print(f"{'template':58} {'bytes':>7} {'jinja2 us':>10} {'C++ us':>8} {'ratio':>6}")
        for name in args.templates:
            with open(os.path.join(TEMPLATES, name), encoding="utf-8") as f:
                source = f.read()

            def render():
                return render_jinja_template(
                    [messages], tools=[TOOL], chat_template=source, add_generation_prompt=True, **variables
                )[0][0]

            expected = render()
            number = max(1, args.repeat // 10)
            runs = timeit.repeat(render, number=number, repeat=10)
            python_us = sorted(runs)[len(runs) // 2] / number * 1e6
            output_path = os.path.join(tmp, "out.txt")
            result = subprocess.run(
                [args.binary, os.path.join(TEMPLATES, name), conversation_path, "--repeat", str(args.repeat),
                 "--output", output_path],
                check=True, capture_output=True, text=True,
            )
            cpp = json.loads(result.stdout)
            with open(output_path, encoding="utf-8") as f:
                rendered = f.read()
            same = "" if rendered == expected else "  (TEXT DIFFERS)"
            print(f"{name:58} {cpp['bytes']:7} {python_us:10.1f} {cpp['render_median_us']:8.1f} "
                  f"{python_us / cpp['render_median_us']:5.1f}x{same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
