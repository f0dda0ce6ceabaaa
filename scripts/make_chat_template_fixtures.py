#!/usr/bin/env python3
"""Golden renders of chat templates for the C++ chat template tests (tests/chat_templates).

Developers only (the C++ build and tests never need Python):

    . .venv-fixtures/bin/activate      # pins in scripts/fixtures-requirements.txt
    python scripts/make_chat_template_fixtures.py

Writes, under tests/fixtures/chat_templates/:
  conversations.json  the conversations, tool definitions, special tokens and date used below;
  renders.jsonl       for every template in templates/*.jinja (real models' templates, copied from
                      the llama-cpp-python sdist's vendor/llama.cpp/models/templates) x conversation x
                      options: what transformers' PreTrainedTokenizerFast.apply_chat_template(
                      tokenize=False) returns, or the name of the exception it raises;
  tokenizers.jsonl    PreTrainedTokenizerFast.apply_chat_template on two tokenizer folders written here
                      (the byte-level BPE of tests/fixtures/tokenizers/bpe-bytelevel with templates in
                      tokenizer_config.json, or in chat_template.jinja + additional_chat_templates/):
                      the text, the ids and the assistant token masks;
  engine.jsonl        small templates exercising the engine (filters, tests, methods, loops, macros,
                      whitespace control, undefined values, errors), rendered by jinja2 in
                      transformers' own environment (its compiled-template cache function).
strftime_now() reads a fixed date (FIXED_NOW) so that every run writes identical bytes.
"""
import datetime as real_datetime
import json
import os
import sys

import jinja2
import transformers
from tokenizers import Tokenizer, models
from transformers import PreTrainedTokenizerFast
from transformers.utils import chat_template_utils

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "chat_templates")
FIXED_NOW = real_datetime.datetime(2024, 7, 26, 12, 0, 0)


class FixedDatetime(real_datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return FIXED_NOW


chat_template_utils.datetime = FixedDatetime

SPECIAL_TOKENS = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city, e.g. Paris"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit"},
            },
            "required": ["city"],
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Get the local time in a timezone.",
        "parameters": {
            "type": "object",
            "properties": {"timezone": {"type": "string", "description": "IANA name"}},
            "required": ["timezone"],
        },
    },
}
TOOLS = [WEATHER_TOOL, TIME_TOOL]

CONVERSATIONS = {
    "single_turn": {"messages": [{"role": "user", "content": "Hello! Who are you?"}]},
    "system_multi_turn": {
        "messages": [
            {"role": "system", "content": "You are a concise assistant."},
            {"role": "user", "content": "What is 2 + 2?"},
            {"role": "assistant", "content": "4."},
            {"role": "user", "content": "And times 3?"},
        ]
    },
    "prefill": {
        "messages": [
            {"role": "user", "content": "Write a haiku about the sea."},
            {"role": "assistant", "content": "Waves fold into foam"},
        ],
        "continue_final_message": True,
    },
    "tool_definitions": {
        "messages": [{"role": "user", "content": "What's the weather in Paris?"}],
        "tools": TOOLS,
    },
    "tool_calls": {
        "messages": [
            {"role": "user", "content": "What's the weather in Paris?"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": "{\"temperature\": 21}"},
            {"role": "assistant", "content": "It is 21 °C in Paris."},
        ],
        "tools": TOOLS,
    },
    "tool_calls_string_arguments": {
        "messages": [
            {"role": "user", "content": "Time in Tokyo?"},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "call_7",
                        "type": "function",
                        "function": {"name": "get_time", "arguments": "{\"timezone\": \"Asia/Tokyo\"}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_7", "content": "21:04"},
        ],
        "tools": TOOLS,
    },
    "reasoning": {
        "messages": [
            {"role": "user", "content": "Is 17 prime?"},
            {
                "role": "assistant",
                "reasoning_content": "17 has no divisors between 2 and 4.",
                "content": "Yes, 17 is prime.",
            },
            {"role": "user", "content": "And 21?"},
        ]
    },
    "unicode_and_json": {
        "messages": [
            {"role": "system", "content": "Réponds en français. 日本語もOK 🌍"},
            {"role": "user", "content": "Parse {\"a\": [1, 2, {\"b\": null}], \"c\": \"</s>\"} and say \"hi\" \\ 'bye'"},
            {"role": "assistant", "content": "{\n  \"a\": [1, 2]\n}\t— done ✓"},
            {"role": "user", "content": "Ünïcödé  spaces   and\nnew\nlines  "},
        ]
    },
    "content_parts": {
        "messages": [
            {"role": "system", "content": [{"type": "text", "text": "You describe things."}]},
            {"role": "user", "content": [{"type": "text", "text": "Describe this: "}, {"type": "text", "text": "a red cube."}]},
            {"role": "assistant", "content": [{"type": "text", "text": "A small red cube."}]},
            {"role": "user", "content": [{"type": "text", "text": "Shorter?"}]},
        ]
    },
    "parallel_tool_calls": {
        "messages": [
            {"role": "system", "content": "Use tools when needed."},
            {"role": "user", "content": "Weather in Paris and time in Lima?"},
            {
                "role": "assistant",
                "content": "Checking both.",
                "tool_calls": [
                    {"id": "a1", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}},
                    {"id": "a2", "type": "function", "function": {"name": "get_time", "arguments": {"timezone": "America/Lima"}}},
                ],
            },
            {"role": "tool", "tool_call_id": "a1", "name": "get_weather", "content": "Sunny, 24 C"},
            {"role": "tool", "tool_call_id": "a2", "name": "get_time", "content": "09:15"},
        ],
        "tools": TOOLS,
    },
    "documents": {
        "messages": [{"role": "user", "content": "When was the bridge built?"}],
        "documents": [
            {"title": "Bridge history", "text": "The bridge was built in 1889."},
            {"title": "Tourism", "text": "It draws 2 million visitors a year."},
        ],
    },
    "empty_content": {
        "messages": [
            {"role": "user", "content": ""},
            {"role": "assistant", "content": ""},
            {"role": "user", "content": "..."},
        ]
    },
}


def make_tokenizer():
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, "<pad>": 3}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    return PreTrainedTokenizerFast(tokenizer_object=backend, **SPECIAL_TOKENS)


def error_name(error):
    return type(error).__name__


def render_real_templates(out):
    tokenizer = make_tokenizer()
    names = sorted(f for f in os.listdir(os.path.join(ROOT, "templates")) if f.endswith(".jinja"))
    for name in names:
        with open(os.path.join(ROOT, "templates", name), encoding="utf-8") as f:
            source = f.read()
        for conversation_id, conversation in CONVERSATIONS.items():
            variants = [{"add_generation_prompt": False}, {"add_generation_prompt": True}]
            if conversation.get("continue_final_message"):
                variants = [{"continue_final_message": True}]
            for options in variants:
                row = {"template": name, "conversation": conversation_id, **options}
                try:
                    row["expected"] = tokenizer.apply_chat_template(
                        conversation["messages"],
                        tools=conversation.get("tools"),
                        documents=conversation.get("documents"),
                        chat_template=source,
                        tokenize=False,
                        **options,
                    )
                except Exception as error:  # noqa: BLE001 - the exception's kind is the fixture
                    row["error"] = error_name(error)
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


# (name, template, context): small templates for the engine itself.
ENGINE_CASES = [
    # whitespace control, trim_blocks, lstrip_blocks
    ("trim_blocks", "{% if true %}\nyes\n{% endif %}\nend", {}),
    ("lstrip_blocks", "a\n    {% if true %}\n    b\n    {% endif %}\nc", {}),
    ("minus_strips", "a   {%- if true -%}   b   {%- endif -%}   c", {}),
    ("plus_keeps", "a\n    {%+ if true %}b{% endif +%}\nc", {}),
    ("variable_minus", "x  {{- 'y' -}}  z", {}),
    ("comment_trim", "a\n  {# note #}\nb {#- x -#} c", {}),
    ("raw_block", "{% raw %}{{ not parsed }}{% endraw %}", {}),
    ("crlf", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\n", {}),
    ("trailing_newline_dropped", "x\n", {}),
    # expressions and arithmetic
    ("int_arithmetic", "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 7 / 2 }} {{ 6 / 3 }}", {}),
    ("float_arithmetic", "{{ 0.1 + 0.2 }} {{ 1.5 * 2 }} {{ 1e20 }} {{ 1e-5 }} {{ 3.0 }} {{ 2.5 // 1 }} {{ -1.5 % 1 }}", {}),
    ("concat_tilde", "{{ 1 ~ 'a' ~ none ~ true ~ [1, 'b'] ~ {'k': 1.0} }}", {}),
    ("string_ops", "{{ 'ab' * 3 }}{{ 'x' + 'y' }}{{ 'b' in 'abc' }}{{ 'z' not in 'abc' }}", {}),
    ("compare_chain", "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'a' < 'b' }} {{ [1, 2] == [1, 2] }} {{ 1 == 1.0 }}", {}),
    ("logic_returns_operand", "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ none or [] }} {{ not 0 }}", {}),
    ("inline_if", "{{ 'y' if x else 'n' }}{{ 'y' if not x }}|", {"x": 0}),
    ("print_values", "{{ none }} {{ true }} {{ [1, 'a', none, 2.0] }} {{ {'a': 'b', 1: none} }} {{ (1,) }} {{ (1, 2) }}", {}),
    ("print_string_repr", "{{ ['it\\'s', \"q\\\"\", 'tab\\there', 'ü'] }}", {}),
    ("slicing", "{{ 'hello'[1:3] }} {{ 'hello'[::-1] }} {{ [1,2,3,4][::2] }} {{ [1,2,3][-1] }} {{ 'héllo'[1] }} {{ [1,2,3][5:] }}", {}),
    ("slicing_messages", "{% for m in messages[1:] %}{{ m }}{% endfor %}|{{ messages[-1] }}", {"messages": ["a", "b", "c"]}),
    ("string_escapes", "{{ 'a\\nb\\tc\\\\d\\u00e9' }}", {}),
    ("dict_literal_access", "{% set d = {'a': {'b': [10, 20]}} %}{{ d.a.b[1] }} {{ d['a']['b'].0 }}", {}),
    # statements
    ("for_loop_vars", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}", {}),
    ("for_prev_next", "{% for x in [1,2,3] %}{{ loop.previtem }}-{{ loop.nextitem }},{% endfor %}", {}),
    ("for_else", "{% for x in [] %}x{% else %}empty{% endfor %}", {}),
    ("for_filter", "{% for x in range(10) if x is odd %}{{ x }}{{ loop.length }} {% endfor %}", {}),
    ("for_unpack", "{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", {}),
    ("for_dict", "{% for k in {'x': 1, 'y': 2} %}{{ k }}{% endfor %}", {}),
    ("break_continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", {}),
    ("loop_cycle", "{% for x in range(4) %}{{ loop.cycle('a', 'b') }}{% endfor %}", {}),
    ("loop_changed", "{% for x in [1,1,2,2,3] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}", {}),
    ("recursive_loop", "{% for item in tree recursive %}[{{ item.name }}{% if item.children %}{{ loop(item.children) }}{% endif %}]{% endfor %}",
     {"tree": [{"name": "a", "children": [{"name": "b", "children": []}, {"name": "c"}]}]}),
    ("set_scope_loop", "{% set x = 1 %}{% for i in range(3) %}{% set x = i %}{% endfor %}{{ x }}", {}),
    ("set_scope_if", "{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}", {}),
    ("namespace", "{% set ns = namespace(n=0, s='') %}{% for i in range(4) %}{% set ns.n = ns.n + i %}{% set ns.s = ns.s ~ i %}{% endfor %}{{ ns.n }} {{ ns.s }}", {}),
    ("namespace_underscore", "{% set ns = namespace() %}{% set ns._x = 1 %}", {}),
    ("set_block", "{% set x %}Hello {{ name }}{% endset %}[{{ x }}]", {"name": "W"}),
    ("set_block_filter", "{% set x | upper %}abc{% endset %}{{ x }}", {}),
    ("set_tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}", {}),
    ("macro", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', punct='?') }}", {}),
    ("macro_caller", "{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}inside{% endcall %}", {}),
    ("macro_caller_args", "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(v) each([1,2]) %}<{{ v }}>{% endcall %}", {}),
    ("macro_varargs_kwargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k='v') }}", {}),
    ("macro_missing_arg", "{% macro m(a, b) %}{{ a }}[{{ b }}]{% endmacro %}{{ m(1) }}", {}),
    ("macro_recursion", "{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(5) }}", {}),
    ("filter_block", "{% filter upper %}hello {{ 'x' }}{% endfilter %}", {}),
    ("with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a }}", {}),
    ("generation_block", "{% for m in messages %}{% generation %}{{ m }}{% endgeneration %}{% endfor %}", {"messages": ["a", "b"]}),
    # filters
    ("filter_tojson", "{{ {'b': 1, 'a': [1.5, none, true, 'é\"\\n']} | tojson }}", {}),
    ("filter_tojson_options", "{{ {'b': 1, 'a': {'c': []}} | tojson(indent=2, sort_keys=true) }}|{{ [1, {'x': 2}] | tojson(separators=(',', ':')) }}|{{ 'é' | tojson(ensure_ascii=true) }}", {}),
    ("filter_tojson_context", "{{ tools | tojson }}", {"tools": TOOLS}),
    ("filter_tojson_indent_str", "{{ [1, [2]] | tojson(indent='\\t') }}", {}),
    ("filter_length", "{{ 'héllo' | length }} {{ [1,2] | count }} {{ {'a': 1} | length }} {{ missing | length }}", {}),
    ("filter_trim", "[{{ '  a b  ' | trim }}][{{ 'xxaxx' | trim('x') }}][{{ missing | trim }}]", {}),
    ("filter_string", "{{ 1 | string }}{{ none | string }}{{ [1] | string }}", {}),
    ("filter_items_list", "{{ {'a': 1, 'b': 2} | items | list }} {{ 'ab' | list }} {{ {'k': 1} | list }}", {}),
    ("filter_join", "{{ [1, 'a', none] | join(', ') }}|{{ [{'n': 'x'}, {'n': 'y'}] | join('-', attribute='n') }}|{{ 'abc' | join('.') }}", {}),
    ("filter_default", "{{ missing | default('d') }} {{ '' | default('d') }} {{ '' | default('d', true) }} {{ none | default('d') }} {{ missing | d }}", {}),
    ("filter_case", "{{ 'hELLo wORLD' | upper }} {{ 'HeLLo' | lower }} {{ 'hello world' | capitalize }} {{ 'hello wORLD-foo (bar)' | title }}", {}),
    ("filter_replace", "{{ 'aaa' | replace('a', 'b') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ 'abc' | replace('', '-') }}", {}),
    ("filter_first_last", "{{ [1,2,3] | first }} {{ [1,2,3] | last }} {{ 'abc' | first }} {{ [] | first }}|", {}),
    ("filter_selectattr", "{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }}|{{ messages | rejectattr('role', 'eq', 'user') | list | length }}|{{ messages | selectattr('tool') | list }}",
     {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "tool": 1}, {"role": "user", "content": "c"}]}),
    ("filter_select", "{{ [0, 1, 2, none, ''] | select | list }} {{ range(10) | select('odd') | list }} {{ range(5) | reject('even') | list }} {{ [1, 5, 9] | select('>', 3) | list }}", {}),
    ("filter_map", "{{ ['a', 'b'] | map('upper') | list }} {{ [{'x': {'y': 1}}, {}] | map(attribute='x.y', default=0) | list }} {{ [1.5, 2.7] | map('int') | join }}", {}),
    ("filter_unique", "{{ ['a', 'A', 'b', 'a'] | unique | list }} {{ ['a', 'A'] | unique(case_sensitive=true) | list }} {{ [{'k': 1}, {'k': 1}, {'k': 2}] | unique(attribute='k') | list }}", {}),
    ("filter_indent", "{{ 'a\\nb\\n\\nc' | indent }}|{{ 'a\\nb\\n\\nc' | indent(2, first=true, blank=true) }}|{{ 'x\\ny' | indent('> ') }}", {}),
    ("filter_int_float", "{{ '42' | int }} {{ '4.7' | int }} {{ 'x' | int }} {{ 'x' | int(-1) }} {{ 3.9 | int }} {{ '0x1A' | int(base=16) }} {{ '2.5' | float }} {{ 'a' | float }} {{ 3 | float }} {{ true | int }}", {}),
    ("filter_round_abs", "{{ 2.5 | round }} {{ 3.5 | round }} {{ 2.675 | round(2) }} {{ 2.1 | round(0, 'ceil') }} {{ 2.9 | round(method='floor') }} {{ -3 | abs }} {{ -2.5 | abs }} {{ 7 | round }}", {}),
    ("filter_safe_escape", "{{ '<b>' | safe }} {{ '<b>&\"\\'' | e }} {{ ('<a>' | safe) + '<b>' }}", {}),
    ("filter_batch_slice", "{{ range(7) | batch(3) | list }} {{ range(7) | batch(3, 0) | list }} {{ range(7) | slice(3) | list }}", {}),
    ("filter_dictsort", "{{ {'b': 1, 'A': 2, 'c': 0} | dictsort }} {{ {'b': 1, 'A': 2, 'c': 0} | dictsort(true) }} {{ {'b': 1, 'a': 2} | dictsort(by='value', reverse=true) }}", {}),
    ("filter_sort", "{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true, reverse=true) }} {{ [{'n': 2}, {'n': 1}] | sort(attribute='n') }}", {}),
    ("filter_min_max_sum", "{{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }} {{ [1, 2, 3] | sum }} {{ [{'v': 1}, {'v': 2}] | sum(attribute='v') }} {{ ['B', 'a'] | max }} {{ [] | max }}|", {}),
    ("filter_reverse", "{{ 'abc' | reverse }} {{ [1, 2, 3] | reverse | list }}", {}),
    ("filter_format", "{{ '%s-%d' | format('a', 3) }} {{ '%(x)s!' | format(x='y') }} {{ '%.2f|%5s|%-4d|%03d' | format(3.14159, 'ab', 7, 5) }}", {}),
    ("filter_center_wordcount_truncate", "[{{ 'ab' | center(6) }}] {{ 'one two, three' | wordcount }} {{ 'hello world foo bar' | truncate(9) }} {{ 'hello world foo bar' | truncate(9, true) }} {{ 'hi' | truncate(5) }}", {}),
    ("filter_attr", "{{ {'a': 1} | attr('a') }}|{{ 'abc' | attr('upper') is callable }}", {}),
    ("filter_pprint", "{{ {'a': [1, 'x']} | pprint }}", {}),
    ("filter_tojson_undefined", "{{ missing | tojson }}", {}),
    ("filter_unknown", "{{ 1 | nosuchfilter }}", {}),
    ("filter_unknown_in_if", "{% if false %}{{ 1 | nosuchfilter }}{% endif %}ok", {}),
    ("filter_items_error", "{{ [1] | items | list }}", {}),
    # tests
    ("tests_types", "{{ 1 is number }}{{ true is number }}{{ 1.0 is float }}{{ 1 is integer }}{{ true is integer }}{{ 'a' is string }}{{ {} is mapping }}{{ [] is sequence }}{{ {} is sequence }}{{ 'a' is iterable }}{{ 1 is iterable }}{{ none is none }}{{ true is boolean }}{{ 1 is boolean }}", {}),
    ("tests_defined", "{{ x is defined }}{{ y is defined }}{{ y is undefined }}{{ x.k is defined }}{{ y is sequence }}{{ y is iterable }}", {"x": {"k": None}}),
    ("tests_values", "{{ true is true }}{{ 1 is true }}{{ false is false }}{{ 4 is even }}{{ 3 is odd }}{{ 9 is divisibleby 3 }}{{ 'abc' is lower }}{{ 'ABC' is upper }}{{ 2 is in [1, 2] }}{{ 1 is eq 1 }}{{ 1 is equalto 2 }}{{ 1 is gt 0 }}{{ 1 is ne 1 }}", {}),
    ("tests_not", "{{ x is not none }}{{ x is not defined }}{{ not x is string }}", {"x": "s"}),
    ("tests_callable_filter", "{{ 'upper' is filter }}{{ 'nope' is filter }}{{ 'odd' is test }}{{ range is callable }}", {}),
    ("tests_unknown", "{{ 1 is nosuchtest }}", {}),
    # methods
    ("str_methods", "{{ '  a  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ ' a '.lstrip() }}|{{ ' a '.rstrip() }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a b c'.split(' ', 1) }}|{{ 'a b c'.rsplit(' ', 1) }}", {}),
    ("str_methods2", "{{ 'abc'.startswith('a') }}{{ 'abc'.endswith(('x', 'c')) }}{{ 'aXa'.replace('a', 'b') }}{{ 'ab'.upper() }}{{ 'AB'.lower() }}{{ 'hello world'.title() }}{{ 'hello'.capitalize() }}{{ 'abcabc'.find('c') }}{{ 'abcabc'.rfind('c') }}{{ 'abcabc'.count('b') }}{{ '-'.join(['a', 'b']) }}", {}),
    ("str_methods3", "{{ 'a\\nb\\r\\nc'.splitlines() }}{{ '42'.isdigit() }}{{ 'ab'.isalpha() }}{{ '  '.isspace() }}{{ 'Ab'.isupper() }}{{ 'ab'.islower() }}{{ 'x'.center(5, '*') }}{{ '7'.zfill(3) }}{{ 'a=b=c'.partition('=') }}{{ 'pre_x'.removeprefix('pre_') }}", {}),
    ("str_format_method", "{{ '{} and {}'.format('a', 1) }}|{{ '{0}{1}{0}'.format('x', 'y') }}|{{ '{name}: {v:.2f}'.format(name='pi', v=3.14159) }}|{{ '{:>5}|{:<4}|{:^6}|{:05d}'.format('a', 'b', 'c', 42) }}|{{ '{x[0]}'.format(x=[9]) }}", {}),
    ("percent_format", "{{ '%s and %s' % ('a', 'b') }} {{ '%d%%' % 50 }} {{ '%r' % 'x' }} {{ '%5.1f' % 2.25 }}", {}),
    ("dict_methods", "{% set d = {'a': 1, 'b': 2} %}{{ d.get('a') }}{{ d.get('z') }}{{ d.get('z', 0) }}{{ d.keys() | list }}{{ d.values() | list }}{{ d.items() | list }}{{ d.items() }}", {}),
    ("dict_attribute_vs_method", "{{ d.items is defined }} {{ d['items'] }} {{ d.role }}", {"d": {"items": "field", "role": "user"}}),
    ("list_methods", "{{ [1, 2, 1].count(1) }} {{ [1, 2, 3].index(2) }}", {}),
    ("list_append_blocked", "{% set xs = [] %}{% set _ = xs.append(1) %}{{ xs }}", {}),
    ("dict_update_blocked", "{% set d = {} %}{% set _ = d.update({'a': 1}) %}{{ d }}", {}),
    ("dunder_blocked", "{{ ''.__class__ }}", {}),
    # globals
    ("raise_exception", "{{ raise_exception('bad input') }}", {}),
    ("strftime_now", "{{ strftime_now('%Y-%m-%d %d %b %Y %H:%M') }}", {}),
    ("range_global", "{{ range(3) | list }} {{ range(1, 10, 3) | list }} {{ range(5, 0, -2) | list }}", {}),
    ("range_too_big", "{{ range(200000) | length }}", {}),
    ("dict_global", "{{ dict(a=1, b='x') }} {{ dict([('k', 'v')]) }}", {}),
    ("joiner_cycler", "{% set j = joiner(', ') %}{% for x in 'abc' %}{{ j() }}{{ x }}{% endfor %} {% set c = cycler('odd', 'even') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}", {}),
    # undefined semantics
    ("undefined_prints_empty", "[{{ missing }}][{{ missing ~ 'x' }}]{% if missing %}t{% else %}f{% endif %}{% for x in missing %}{{ x }}{% endfor %}", {}),
    ("undefined_attribute_of_undefined", "{{ missing.attr }}", {}),
    ("undefined_missing_key", "[{{ d.nokey }}][{{ d['nokey'] }}][{{ d.nokey is defined }}]", {"d": {"k": 1}}),
    ("undefined_arithmetic", "{{ missing + 1 }}", {}),
    ("undefined_call", "{{ missing() }}", {}),
    ("undefined_iteration_of_attr", "{% for x in d.nokey %}{{ x }}{% endfor %}ok", {"d": {}}),
    ("undefined_eq", "{{ missing == missing }} {{ missing != none }} {{ missing is none }}", {}),
    ("undefined_item", "{{ missing[0] }}", {}),
    ("undefined_compare", "{{ missing > 1 }}", {}),
    ("none_attribute", "{{ x.y }}|", {"x": None}),
    ("index_out_of_range", "[{{ xs[5] }}]", {"xs": [1]}),
    # errors
    ("type_error_add", "{{ 'a' + 1 }}", {}),
    ("type_error_compare", "{{ 'a' < 1 }}", {}),
    ("zero_division", "{{ 1 / 0 }}", {}),
    ("syntax_error_unclosed", "{% if x %}never closed", {}),
    ("syntax_error_expression", "{{ 1 + }}", {}),
    ("syntax_error_unknown_tag", "{% frobnicate %}", {}),
    ("syntax_error_endfor", "{% for x in y %}{% endif %}", {}),
    ("break_outside_loop", "{% break %}", {}),
    ("not_callable", "{{ 'a'() }}", {}),
    ("unpack_error", "{% for a, b in [1] %}{% endfor %}", {}),
    ("include_no_loader", "{% include 'x.html' %}", {}),
    # more corners real templates reach
    ("numbers_print", "{{ 1e16 }} {{ 1e15 }} {{ 123456789.0 }} {{ 0.0001 }} {{ 0.00001 }} {{ -0.0 }} {{ 1e300 * 1e10 }} {{ 2 ** 0.5 }} {{ 1_000 }} {{ 10 / 4 }} {{ 2 ** 62 }}", {}),
    ("tojson_numbers", "{{ [1.0, 1e-7, 1e16, -0.0, 3, 2 ** 40] | tojson }}", {}),
    ("tojson_key_order", "{{ d | tojson }} {{ d | dictsort | tojson }}", {"d": {"z": 1, "a": {"y": [1, {"b": 2, "a": 1}]}, "m": None}}),
    ("sequence_ops", "{{ [1, 2] + [3] }} {{ (1, 2) + (3,) }} {{ [0] * 3 }} {{ 'ab' < 'abc' }} {{ 'é' > 'z' }} {{ [1, 2] < [1, 3] }}", {}),
    ("unicode_case", "{{ 'straße'.upper() }} {{ 'ÉCOLE'.lower() }} {{ 'élan vital'.title() }} {{ 'ñandú' | capitalize }} {{ 'ΣΑΣ' | lower }}", {}),
    ("unicode_len_slice", "{{ '日本語テキスト' | length }} {{ '日本語テキスト'[2:4] }} {{ '🌍x'[0] }} {{ '🌍x' | list }}", {}),
    ("loop_revindex_depth", "{% for x in [[1, 2], [3]] recursive %}{% if x is iterable %}{{ loop(x) }}{% else %}{{ x }}:{{ loop.depth }}:{{ loop.revindex0 }};{% endif %}{% endfor %}", {}),
    ("loop_in_macro", "{% macro row(xs) %}{% for x in xs %}{{ loop.index }}{{ x }}{% endfor %}{% endmacro %}{% for y in ['a', 'b'] %}{{ row([y, y]) }}|{% endfor %}", {}),
    ("macro_scope", "{% set g = 'global' %}{% macro m() %}{{ g }}{% set g = 'local' %}{{ g }}{% endmacro %}{{ m() }}{{ g }}", {}),
    ("macro_no_caller", "{% macro m() %}[{{ caller is defined }}]{% endmacro %}{{ m() }}", {}),
    ("namespace_missing_attr", "{% set ns = namespace(a=1) %}[{{ ns.b }}]{{ ns.b is defined }}", {}),
    ("namespace_from_dict", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}", {}),
    ("percent_none", "{{ '%s|%s' % (none, true) }} {{ '%5.2f%%' % 12.345 }} {{ '%x' % 255 }} {{ '%-5s|' % 'ab' }}", {}),
    ("int_filters_negative", "{{ '-12' | int }} {{ ' 7 ' | int }} {{ '1_000' | int }} {{ '1e3' | int }} {{ '1e3' | float }} {{ 'inf' | float }} {{ -3.7 | int }} {{ 3 | round(2) }}", {}),
    ("default_none", "[{{ none | default('x') }}][{{ missing | default(none) }}][{{ false | default('x', true) }}]", {}),
    ("test_in_if_unknown", "{% if x is nosuchtest %}a{% endif %}", {"x": 1}),
    ("string_multiline_strip", "{{ '\n\n  text \t\n' | trim }}|{{ '\u00a0x\u00a0'.strip() }}|{{ 'x\u3000'.rstrip() }}", {}),
    ("message_content_list", "{% for part in m.content %}{% if part.type == 'text' %}{{ part.text }}{% else %}<{{ part.type }}>{% endif %}{% endfor %}{{ m.content is string }}",
     {"m": {"content": [{"type": "text", "text": "Look: "}, {"type": "image"}]}}),
    ("content_string_or_list", "{{ m.content if m.content is string else m.content | map(attribute='text') | join }}", {"m": {"content": [{"text": "a"}, {"text": "b"}]}}),
    ("split_edge", "{{ ''.split() }} {{ ''.split(',') }} {{ 'a,'.split(',') }} {{ '  a  '.split(' ') }} {{ 'a  b  c'.split(None, 1) }} {{ 'a b c'.rsplit(None, 1) }}", {}),
    ("startswith_window", "{{ 'hello'.startswith('ell', 1) }} {{ 'hello'.endswith('ell', 0, 4) }} {{ 'hello'.find('l', 3) }} {{ 'hello'.index('lo') }}", {}),
    ("str_index_missing", "{{ 'abc'.index('z') }}", {}),
    ("replace_count_zero", "{{ 'aaa'.replace('a', 'b', 0) }}|{{ 'aaa'.replace('a', 'b', -1) }}|{{ 'abc'.replace('', '.', 2) }}", {}),
    ("items_undefined", "{% for k, v in missing | items %}{{ k }}{% endfor %}ok", {}),
    ("generator_once", "{% set xs = [1, 2, 3] | select('odd') %}{{ xs | list }}{{ xs | list }}", {}),
    ("generator_truthy", "{% if [] | select %}t{% else %}f{% endif %}{% if [] %}t{% else %}f{% endif %}", {}),
    ("generator_length_error", "{{ [1] | select | length }}", {}),
    ("dict_in_checks", "{{ 'a' in {'a': 1} }} {{ 1 in {'a': 1} }} {{ 'x' in ['x'] }} {{ none in [none] }}", {}),
    ("attribute_of_list_method", "{{ [1, 2].index is callable }}", {}),
    ("filter_chain_args", "{{ messages | map(attribute='role') | unique | list | join(',') | upper }}", {"messages": [{"role": "user"}, {"role": "assistant"}, {"role": "user"}]}),
    ("whitespace_around_output", "  {{ 'a' }}  \n  {% if true %}  b  {% endif %}  \n{%- if true %}\n  c\n{%- endif %}", {}),
    ("lstrip_with_text_before", "x {% if true %}y{% endif %}\n  {% if true %}z{% endif %}", {}),
    ("comment_lstrip", "a\n    {# c #}    b\n", {}),
    ("raw_with_minus", "{%- raw -%}  {{ x }}  {%- endraw -%}|", {}),
    ("set_in_for_namespace_pattern", "{%- set ns = namespace(found=false) -%}{%- for m in messages -%}{%- if m.role == 'system' -%}{%- set ns.found = true -%}{%- endif -%}{%- endfor -%}{{ ns.found }}", {"messages": [{"role": "system"}]}),
    ("cycler_joiner_errors", "{{ loop.index }}", {}),
    ("call_undefined_method", "{{ 'a'.nosuchmethod() }}", {}),
    ("huge_range_ok", "{{ range(100000) | length }}", {}),
    ("scope_set_in_if_in_loop", "{% for i in range(3) %}{% if i == 0 %}{% set x = 'a' %}{% endif %}[{{ x }}]{% endfor %}", {}),
    ("scope_shadow_in_loop", "{% set x = 'outer' %}{% for i in range(2) %}{{ x }}{% set x = 'inner' %}{{ x }}{% endfor %}{{ x }}", {}),
    ("scope_nested_loops", "{% for i in range(2) %}{% for j in range(2) %}{% set k = i ~ j %}{% endfor %}[{{ k }}]{% endfor %}", {}),
    ("scope_macro_locals", "{% macro m() %}{% set y = 1 %}{% endmacro %}{{ m() }}[{{ y }}]", {}),
    ("scope_macro_late_binding", "{% set x = 1 %}{% macro m() %}{{ x }}{% endmacro %}{% set x = 2 %}{{ m() }}", {}),
    ("scope_loop_outside", "[{{ loop }}]", {}),
    ("scope_inner_loop_var", "{% for a in [1,2] %}{% for b in [3] %}{{ loop.index }}{{ a }}{% endfor %}{% endfor %}", {}),
    ("scope_with", "{% with %}{% set w = 1 %}{% endwith %}[{{ w }}]", {}),
    ("scope_loop_target_reassigned", "{% for x in [1,2] %}{{ x }}{% set x = 9 %}{{ x }}{% endfor %}", {}),
    ("format_spec_more", "{{ '{:,}'.format(1234567) }} {{ '{:.1%}'.format(0.256) }} {{ '{:e}'.format(12345.678) }} {{ '{!r}'.format('x') }} {{ '{:x}'.format(255) }} {{ '{:g}'.format(0.00001) }}", {}),
]


def render_engine_cases(out):
    for name, source, context in ENGINE_CASES:
        row = {"name": name, "template": source, "context": context}
        try:
            template = chat_template_utils._compile_jinja_template(source)
            row["expected"] = template.render(**context)
        except Exception as error:  # noqa: BLE001 - the exception's kind is the fixture
            row["error"] = error_name(error)
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


TOKENIZER_TEMPLATE = (
    "{{ bos_token }}{%- for message in messages -%}"
    "{%- if message.role == 'assistant' -%}"
    "<|im_start|>assistant\n{% generation %}{{ message.content }}{% endgeneration %}<|im_end|>\n"
    "{%- else -%}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{%- endif -%}"
    "{%- endfor -%}"
    "{%- if documents %}<|documents|>{% for d in documents %}{{ d.title }}: {{ d.text }};{% endfor %}{% endif -%}"
    "{%- if note is defined %}<|note|>{{ note }}{% endif -%}"
    "{%- if add_generation_prompt -%}<|im_start|>assistant\n{%- endif -%}"
)
TOOL_USE_TEMPLATE = (
    "{%- if tools %}<|tools|>{{ tools | tojson }}\n{% endif -%}"
    "{%- for message in messages %}[{{ message.role | upper }}] {{ message.content }}{{ eos_token }}\n{% endfor -%}"
    "{%- if add_generation_prompt %}[ASSISTANT] {% endif -%}"
)
TOKENIZER_CONVERSATION = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hello there, how are you?"},
    {"role": "assistant", "content": "Fine, thanks. And you?"},
    {"role": "user", "content": "Great!"},
]
TOKENIZER_CASES = [
    {"add_generation_prompt": True},
    {"add_generation_prompt": False},
    {"messages": TOKENIZER_CONVERSATION[:3], "continue_final_message": True},
    {"tools": [WEATHER_TOOL]},
    {"chat_template": "tool_use", "add_generation_prompt": True},
    {"chat_template": "{% for m in messages %}{{ m.content }}|{% endfor %}"},
    {"documents": [{"title": "Doc", "text": "Some text."}], "note": "extra variable"},
    {"return_assistant_tokens_mask": True},
]


def write_tokenizer_folders():
    """Two tokenizer folders with chat templates, next to the fixtures that use them."""
    import shutil

    source = os.path.join(ROOT, "..", "tokenizers", "bpe-bytelevel")
    with open(os.path.join(source, "tokenizer_config.json"), encoding="utf-8") as f:
        base_config = json.load(f)
    folders = {}
    in_config = os.path.join(ROOT, "tokenizer-config-templates")
    os.makedirs(in_config, exist_ok=True)
    shutil.copy(os.path.join(source, "tokenizer.json"), in_config)
    config = dict(base_config)
    config["chat_template"] = [
        {"name": "default", "template": TOKENIZER_TEMPLATE},
        {"name": "tool_use", "template": TOOL_USE_TEMPLATE},
    ]
    with open(os.path.join(in_config, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    folders["tokenizer-config-templates"] = in_config
    in_files = os.path.join(ROOT, "tokenizer-template-files")
    os.makedirs(os.path.join(in_files, "additional_chat_templates"), exist_ok=True)
    shutil.copy(os.path.join(source, "tokenizer.json"), in_files)
    config = dict(base_config)
    config["chat_template"] = "ignored: chat_template.jinja takes precedence"
    with open(os.path.join(in_files, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    with open(os.path.join(in_files, "chat_template.jinja"), "w", encoding="utf-8") as f:
        f.write(TOKENIZER_TEMPLATE)
    with open(os.path.join(in_files, "additional_chat_templates", "tool_use.jinja"), "w", encoding="utf-8") as f:
        f.write(TOOL_USE_TEMPLATE)
    folders["tokenizer-template-files"] = in_files
    return folders


def render_tokenizer_cases(out):
    for name, folder in write_tokenizer_folders().items():
        tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
        for case in TOKENIZER_CASES:
            options = {key: value for key, value in case.items() if key != "messages"}
            messages = case.get("messages", TOKENIZER_CONVERSATION)
            row = {"folder": name, "messages": messages, "options": options}
            try:
                if not options.get("return_assistant_tokens_mask"):
                    row["text"] = tokenizer.apply_chat_template(messages, tokenize=False, **options)
                encoded = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True, **options)
                row["input_ids"] = list(encoded["input_ids"])
                if "assistant_masks" in encoded:
                    row["assistant_masks"] = list(encoded["assistant_masks"])
            except Exception as error:  # noqa: BLE001 - the exception's kind is the fixture
                row["error"] = error_name(error)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main():
    with open(os.path.join(ROOT, "conversations.json"), "w", encoding="utf-8") as f:
        json.dump(
            {
                "transformers": transformers.__version__,
                "jinja2": jinja2.__version__,
                "now": FIXED_NOW.isoformat(),
                "special_tokens": SPECIAL_TOKENS,
                "conversations": CONVERSATIONS,
            },
            f,
            ensure_ascii=False,
            indent=1,
        )
        f.write("\n")
    with open(os.path.join(ROOT, "renders.jsonl"), "w", encoding="utf-8") as f:
        render_real_templates(f)
    with open(os.path.join(ROOT, "engine.jsonl"), "w", encoding="utf-8") as f:
        render_engine_cases(f)
    with open(os.path.join(ROOT, "tokenizers.jsonl"), "w", encoding="utf-8") as f:
        render_tokenizer_cases(f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
