#!/usr/bin/env python3
"""Prints the import graph of the engine's top-level modules and its cycles.

A top-level module is a file `engine/src/X.rs` or a directory `engine/src/X/`.
Module A imports B when a file of A names `crate::B` (directly, inside a
`crate::{..}` group, or through a name `lib.rs` re-exports from B) or a
`super::` path that leaves A and reaches B. Comments are ignored unless
`--docs` is given, which counts intra-doc links too.

Usage: python3 engine/scripts/module_graph.py [--docs] [SRC_DIR]
Exits with 1 if the graph has a cycle.
"""

import os
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip(text, keep_docs):
    """Removes string and char literals, and comments (doc comments kept with keep_docs)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            if keep_docs and (text.startswith("///", i) or text.startswith("//!", i)):
                out.append(text[i:end].replace("`", " ").replace("[", " ").replace("]", " "))
            i = end
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == '"' or text.startswith('r"', i) or text.startswith('r#"', i):
            if c == "r":
                hashes = text[i + 1 : text.index('"', i)].count("#")
                close = '"' + "#" * hashes
                i = text.index(close, text.index('"', i) + 1) + len(close)
            else:
                i += 1
                while i < n and text[i] != '"':
                    i += 2 if text[i] == "\\" else 1
                i += 1
            out.append('""')
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i : i + 4]) or text.startswith("'\\", i):
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[i:])
            if m:
                i += len(m.group(0))
                out.append("' '")
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def group_heads(body):
    """The first identifier of each item of a `{a, b::c, d as e}` group."""
    items, depth, cur = [], 0, ""
    for ch in body:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    heads = []
    for it in items:
        m = re.match(r"\s*(" + IDENT + ")", it)
        if m:
            heads.append(m.group(1))
    return heads


def matching_brace(text, open_at):
    depth = 0
    for j in range(open_at, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text)


def module_of(src, path):
    """(top-level module, module path inside the crate) of a source file."""
    rel = os.path.relpath(path, src)[: -len(".rs")].split(os.sep)
    if rel[-1] == "mod":
        rel = rel[:-1]
    return rel[0], rel


def reexports(src):
    """Names `lib.rs` re-exports, mapped to the top-level module they come from."""
    text = strip(open(os.path.join(src, "lib.rs")).read(), False)
    names = {}
    for m in re.finditer(r"pub\s+use\s+(" + IDENT + r")::", text):
        start = m.end()
        if text[start] == "{":
            end = matching_brace(text, start)
            for h in group_heads(text[start + 1 : end]):
                names[h] = m.group(1)
        else:
            tail = re.match(r"(?:" + IDENT + r"::)*(" + IDENT + ")", text[start:])
            names[tail.group(1)] = m.group(1)
    return names


def inline_module_depth(text):
    """For each offset, how many inline `mod x { .. }` blocks enclose it."""
    depth = [0] * (len(text) + 1)
    for m in re.finditer(r"\bmod\s+" + IDENT + r"\s*\{", text):
        end = matching_brace(text, m.end() - 1)
        for k in range(m.end(), end):
            depth[k] += 1
    return depth


def edges_of(src, keep_docs):
    tops = set()
    for name in os.listdir(src):
        full = os.path.join(src, name)
        if name.endswith(".rs") and name not in ("lib.rs", "main.rs"):
            tops.add(name[:-3])
        elif os.path.isdir(full):
            tops.add(name)
    names = reexports(src)
    edges = {t: set() for t in tops}

    def resolve(head):
        if head in tops:
            return head
        return names.get(head)

    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs") or root == src and f == "lib.rs":
                continue
            path = os.path.join(root, f)
            top, modpath = module_of(src, path)
            text = strip(open(path).read(), keep_docs)
            inline = inline_module_depth(text)
            targets = set()
            for m in re.finditer(r"\bcrate::", text):
                rest = text[m.end() :]
                if rest.startswith("{"):
                    end = matching_brace(rest, 0)
                    heads = group_heads(rest[1:end])
                else:
                    h = re.match(IDENT, rest)
                    heads = [h.group(0)] if h else []
                targets.update(filter(None, map(resolve, heads)))
            for m in re.finditer(r"\b((?:super::)+)(\{|" + IDENT + ")?", text):
                if text[m.start() - 5 : m.start()] == "self::":
                    continue
                ups = m.group(1).count("super::")
                # Each inline module adds a level above the file's own module path.
                level = len(modpath) + inline[m.start()] - ups
                if level >= 1:
                    continue  # still inside this top-level module
                nxt = m.group(2)
                if nxt == "{":
                    end = matching_brace(text, m.end() - 1)
                    heads = group_heads(text[m.end() : end])
                else:
                    heads = [nxt] if nxt else []
                targets.update(filter(None, map(resolve, heads)))
            edges[top].update(t for t in targets if t != top)
    return edges


def sccs(edges):
    """Tarjan's strongly connected components."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main():
    args = [a for a in sys.argv[1:] if a != "--docs"]
    keep_docs = "--docs" in sys.argv[1:]
    src = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    edges = edges_of(os.path.normpath(src), keep_docs)
    print("module graph" + (" (doc links included)" if keep_docs else "") + ":")
    for v in sorted(edges):
        print(f"  {v} -> {', '.join(sorted(edges[v])) or '-'}")
    comps = sccs(edges)
    cycles = [c for c in comps if len(c) > 1]
    print(f"strongly connected components: {len(comps)}, with more than one module: {len(cycles)}")
    for c in cycles:
        print("  cycle: " + ", ".join(c))
    # A topological order, lowest layer first (Tarjan emits sinks first).
    if not cycles:
        print("layers, lowest first: " + " < ".join(c[0] for c in comps))
    sys.exit(1 if cycles else 0)


if __name__ == "__main__":
    main()
