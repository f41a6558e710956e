#!/usr/bin/python3
"""Checks the layout rules of netsurv (README, "Architecture"):

1. no source file over 800 lines (C under sim/, include/, tests/; Python
   under analysis/, scripts/, tests/);
2. every C file of the library and the command line sits in a stage folder,
   sim/STAGE/ with its public headers in include/netsurv/STAGE/;
3. a file includes only headers of its own stage or of the stages below it,
   and internal headers (sim/STAGE/*.h) only from its own stage;
4. no circle of #include lines;
5. with --objects DIR (a build without link-time optimisation), no circle
   between files through the symbols they define and use, and no symbol used
   from a stage above: the check that catches a header declaring functions
   that another file defines.

usage: check-layout.py [--root DIR] [--objects BUILD_DIR]
Prints every problem; exits 1 if there is one, else 0.
"""
import argparse
import os
import re
import subprocess
import sys

STAGES = ["numeric", "scenario", "model", "engine", "output", "job", "cli"]
MAX_LINES = 800
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def rel(root, path):
    return os.path.relpath(path, root)


def files_under(root, top, exts):
    out = []
    base = os.path.join(root, top)
    for d, dirs, names in os.walk(base):
        dirs[:] = [x for x in dirs if not x.startswith(".") and x != "__pycache__"]
        out += [os.path.join(d, n) for n in names if n.endswith(exts)]
    return sorted(out)


def stage_of(root, path):
    """The stage of a C file, or None (tests, or outside the stages)."""
    parts = rel(root, path).split(os.sep)
    if parts[0] == "sim" and len(parts) == 3 and parts[1] in STAGES:
        return parts[1]
    if parts[:2] == ["include", "netsurv"] and len(parts) == 4 and parts[2] in STAGES:
        return parts[2]
    return None


def check_lengths(root, problems):
    tops = [("sim", (".c", ".h")), ("include", (".h",)), ("tests", (".c", ".h", ".py")),
            ("analysis", (".py",)), ("scripts", (".py",))]
    for top, exts in tops:
        for f in files_under(root, top, exts):
            with open(f, encoding="utf-8", errors="replace") as fh:
                n = sum(1 for _ in fh)
            if n > MAX_LINES:
                problems.append("%s: %d lines (at most %d)" % (rel(root, f), n, MAX_LINES))


def resolve(root, includer, name):
    """The file an #include "name" of includer means, or None."""
    if name.startswith("netsurv/"):
        p = os.path.join(root, "include", name)
    else:
        p = os.path.join(os.path.dirname(includer), name)
    return os.path.normpath(p) if os.path.exists(p) else None


def include_graph(root, problems):
    files = files_under(root, "sim", (".c", ".h")) + files_under(root, "include", (".h",))
    graph = {}
    for f in files:
        if stage_of(root, f) is None:
            problems.append("%s: not in a stage folder (sim/STAGE/ or include/netsurv/STAGE/, "
                            "STAGE one of %s)" % (rel(root, f), ", ".join(STAGES)))
            continue
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        graph[f] = []
        for m in INCLUDE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            target = resolve(root, f, m.group(1))
            if target is None:
                problems.append('%s:%d: #include "%s" names no file of the project'
                                % (rel(root, f), line, m.group(1)))
                continue
            graph[f].append((target, line))
    return graph


def check_layers(root, graph, problems):
    for f, edges in graph.items():
        s = STAGES.index(stage_of(root, f))
        for target, line in edges:
            ts = stage_of(root, target)
            if ts is None:
                continue
            internal = rel(root, target).startswith("sim" + os.sep)
            if internal and os.path.dirname(target) != os.path.dirname(f):
                problems.append("%s:%d: includes %s, internal to the %s stage"
                                % (rel(root, f), line, rel(root, target), ts))
            elif STAGES.index(ts) > s:
                problems.append("%s:%d: the %s stage includes %s of the %s stage above it"
                                % (rel(root, f), line, STAGES[s], rel(root, target), ts))


def find_cycle(graph):
    """One cycle of graph {node: [node...]} as a list, or None."""
    color, stack = {}, []

    def visit(n):
        color[n] = 1
        stack.append(n)
        for m in graph.get(n, ()):
            if color.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in color:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        color[n] = 2
        return None

    sys.setrecursionlimit(10000)
    for n in sorted(graph):
        if n not in color:
            c = visit(n)
            if c:
                return c
    return None


def check_include_cycles(root, graph, problems):
    simple = {f: [t for t, _ in edges] for f, edges in graph.items()}
    c = find_cycle(simple)
    if c:
        problems.append("#include circle: " + " -> ".join(rel(root, x) for x in c))


def nm(args):
    r = subprocess.run(["nm"] + args, capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else ""


def object_sources(root, build):
    """{source path: object path} for objects built from sim/."""
    out = {}
    for f in files_under(build, "", (".o",)):
        m = re.search(r"\.dir/(sim/.+\.c)\.o$", f.replace(os.sep, "/"))
        if m:
            out[os.path.normpath(os.path.join(root, m.group(1)))] = f
    return out


def check_symbols(root, build, problems):
    objs = object_sources(root, build)
    if not objs:
        problems.append("%s: no objects of sim/ found (build it first, without LTO)" % build)
        return
    defines, uses = {}, {}
    for src, o in objs.items():
        for line in nm(["--defined-only", "-g", o]).splitlines():
            parts = line.split()
            if len(parts) == 3:
                defines.setdefault(parts[2], src)
        uses[src] = {l.split()[-1] for l in nm(["-u", o]).splitlines() if l.strip()}
    if not defines:
        problems.append("%s: nm found no symbols (objects built with link-time optimisation?)"
                        % build)
        return
    graph = {}
    for src, syms in uses.items():
        deps = sorted({defines[s] for s in syms if s in defines and defines[s] != src})
        graph[src] = deps
        for d in deps:
            if STAGES.index(stage_of(root, d)) > STAGES.index(stage_of(root, src)):
                used = sorted(s for s in syms if defines.get(s) == d)
                problems.append("%s uses %s of %s, a stage above it"
                                % (rel(root, src), ", ".join(used[:3]), rel(root, d)))
    c = find_cycle(graph)
    if c:
        problems.append("circle between files (through the symbols they use): "
                        + " -> ".join(rel(root, x) for x in c))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--root", default=os.path.dirname(here))
    ap.add_argument("--objects", help="a build directory to check symbol by symbol")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    problems = []
    check_lengths(root, problems)
    graph = include_graph(root, problems)
    check_layers(root, graph, problems)
    check_include_cycles(root, graph, problems)
    if a.objects:
        check_symbols(root, os.path.abspath(a.objects), problems)
    for p in problems:
        print("check-layout: " + p, file=sys.stderr)
    if not problems:
        print("check-layout: ok (%d files in %d stages%s)"
              % (len(graph), len(STAGES), ", symbols checked" if a.objects else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
