#!/usr/bin/python3
"""The bad-input catalogue (issue 14): hostile scenarios, command lines,
sweeps, shards and checkpoints, each run through the netsurv binary.

Every case asserts the exit status, the FILE:LINE:COLUMN and key of the
message where one applies (computed from the edited text, never written by
hand), a phrase of the message, that no signal ended the process, and that
nothing was left at the output path (no file, no temporary or lock file
beside it). The classes follow the README's promises: syntax, schema,
command line, sweep, merge, resume, and the items of issue 14.

usage: test_bad_inputs.py NETSURV_BINARY [--list] [--only SUBSTRING]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import yaml

BIN = os.path.abspath(sys.argv[1])
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT = os.path.join(SRC, "scenarios", "default.yaml")
SWEEP = os.path.join(SRC, "scenarios", "sweeps", "mri_interval.yaml")
TEXT = open(DEFAULT, encoding="utf-8").read()
CASES = []


def case(cls, name, **kw):
    CASES.append(dict(cls=cls, name=name, **kw))


def edit(old, new, text=TEXT, count=1):
    assert old in text, f"'{old}' not in the default scenario"
    return text.replace(old, new, count)


def place(text, needle, skip=0):
    """1-based line and column (in characters) of needle's first occurrence."""
    i = text.index(needle) + skip
    line = text.count("\n", 0, i) + 1
    col = i - (text.rfind("\n", 0, i) + 1) + 1
    return line, col


# ---------- case builders ----------

def bad_yaml(cls, name, text, needle=None, key=None, msg=None, skip=0, col=True, line=None):
    """`validate` of an edited scenario: exit 2, the message at the place of needle."""
    where = None
    if needle is not None:
        ln, cn = place(text, needle, skip)
        where = (line or ln, cn if col else None)
    case(cls, name, files={"case.yaml": text}, argv=["validate", "case.yaml"], rc=2,
         where=("case.yaml",) + where if where else None, key=key, msg=msg)


def bad_set(cls, name, assignment, key, msg, extra=()):
    """`validate` with one --set: exit 2, the message at --set:1:COLUMN."""
    col = assignment.index("=") + 2
    case(cls, name, argv=["validate", DEFAULT, *extra, "--set", assignment], rc=2,
         where=("--set", 1, col), key=key, msg=msg)


def bad_run(cls, name, argv, rc, msg, out="out.h5", files=None, prep=None, where=None,
            key=None, timeout=120, **extra):
    case(cls, name, argv=argv, rc=rc, msg=msg, out=out, files=files or {}, prep=prep,
         where=where, key=key, timeout=timeout, **extra)


# ---------- syntax ----------

def syntax_cases():
    deep = "netsurv: 1\nx: " + "[" * 40000 + "]" * 40000 + "\n"
    # the root mapping is level 1: the 64th bracket opens level 65
    bad_yaml("syntax", "40,000 nested flow sequences", deep, "[" * 64, None, "nested too deeply",
             skip=63)
    deepm = "netsurv: 1\nx: " + "{a: " * 40000 + "}" * 40000 + "\n"
    bad_yaml("syntax", "40,000 nested flow mappings", deepm, "{a: " * 64, None,
             "nested too deeply", skip=4 * 63)
    block = "netsurv: 1\n" + "".join(" " * i + f"k{i}:\n" for i in range(100)) + " " * 100 + "v\n"
    bad_yaml("syntax", "100 nested block mappings", block, " " * 64 + "k64:", None,
             "nested too deeply", skip=64 + 3, col=False)
    mixed = "netsurv: 1\nx: " + "[{a: " * 40 + "1" + "}]" * 40 + "\n"
    bad_yaml("syntax", "alternating flow lists and mappings", mixed, "[{a: " * 32, None,
             "nested too deeply", skip=5 * 31 + 1)
    for depth in (63,):
        ok = TEXT + "x: " + "[" * depth + "]" * depth + "\n"
        bad_yaml("syntax", f"{depth} levels parse, then the key is unknown", ok, "x: [", "x",
                 "unknown key 'x'")
    dup = TEXT + "k5: 1\nk5: 2\n"
    bad_yaml("syntax", "duplicate top-level key", dup, "k5: 2", "k5", "duplicate key")
    bad_yaml("syntax", "duplicate key in a flow mapping",
             edit("male_share: {value: 0.55,", "male_share: {value: 0.55, value: 0.5,"),
             "value: 0.5,", "value", "duplicate key")
    bad_yaml("syntax", "duplicate section", TEXT + "cohort: {}\n", "cohort: {}", "cohort",
             "duplicate key")
    many = TEXT + "".join(f"k{i}: 1\n" for i in range(200000))
    bad_yaml("syntax", "200,000 unknown keys (linear duplicate check)", many, "k0: 1", "k0",
             "unknown key 'k0'")
    manydup = TEXT + "".join(f"k{i}: 1\n" for i in range(100000)) + "k99999: 2\n"
    bad_yaml("syntax", "a duplicate after 100,000 keys", manydup, "k99999: 2", "k99999",
             "duplicate key")
    for sep in ("---", "..."):
        t = TEXT + sep + "\nseed: [[[ unclosed \"\n"
        bad_yaml("syntax", f"content after '{sep}'", t, sep + "\nseed: [[[" if sep == "---" else
                 "seed: [[[", None, "content after the end of the YAML document")
    t = TEXT + "---\nnetsurv: 1\n"
    bad_yaml("syntax", "a second document", t, "---\nnetsurv: 1", None,
             "content after the end of the YAML document")
    t = TEXT + "...\n---\n{}\n"
    bad_yaml("syntax", "'...' then a second document", t, "---\n{}", None,
             "content after the end of the YAML document")
    lines = TEXT.split("\n")
    for i, (raw, what) in enumerate([(b"\xe9", "Latin-1 e-acute"), (b"\x00", "NUL"),
                                     (b"\xff", "0xFF"), (b"\xc3", "a cut UTF-8 sequence"),
                                     (b"\x01", "a control character")]):
        k = 20 + 7 * i
        head = "\n".join(lines[:k]) + "\n"
        body = head.encode() + b"x_bad: \"ab" + raw + b"c\"\n" + "\n".join(lines[k:]).encode()
        case("syntax", f"{what} byte at its line and column", files={"case.yaml": body},
             argv=["validate", "case.yaml"], rc=2, where=("case.yaml", k + 1, 11), key=None,
             msg="not valid UTF-8")
    bad_yaml("syntax", "unclosed flow sequence", edit("male_share: {value: 0.55,",
                                                      "male_share: {value: [0.55,"),
             None, None, "YAML syntax error")
    bad_yaml("syntax", "unclosed quote", TEXT + "x: \"abc\n", None, None, "YAML syntax error")
    bad_yaml("syntax", "bad indentation", edit("\ncohort:\n", "\ncohort:\n bad\n  x: 1\n"),
             None, None, "YAML syntax error")
    bad_yaml("syntax", "a tab for indentation", edit("\ncohort:\n", "\ncohort:\n\tx: 1\n"),
             None, None, "YAML syntax error")
    bad_yaml("syntax", "an alias", TEXT + "a: &x 1\nb: *x\n", "*x", None, "aliases")
    bad_yaml("syntax", "a list as the root", "- 1\n- 2\n", None, None, "must be a YAML mapping")
    bad_yaml("syntax", "an empty file", "", None, None, "must be a YAML mapping")
    bad_yaml("syntax", "a mapping as a key", TEXT + "? {a: 1}\n: 2\n", "{a: 1}", None,
             "mapping keys must be plain names")
    case("syntax", "a missing scenario file", argv=["validate", "no-such.yaml"], rc=2,
         msg="No such file or directory")
    case("syntax", "a directory as the scenario", argv=["validate", "."], rc=2, msg="")


# ---------- schema ----------

def param_paths():
    """Dotted paths of every scalar parameter {value: number} of the default scenario."""
    out = []

    def walk(node, path):
        if isinstance(node, dict):
            v = node.get("value")
            if ("source" in node or "assumption" in node) and isinstance(v, (int, float)) \
                    and not isinstance(v, bool):
                out.append(path)
                return
            for k, x in node.items():
                walk(x, f"{path}.{k}" if path else str(k))
        elif isinstance(node, list):
            for i, x in enumerate(node):
                seg = x["name"] if isinstance(x, dict) and "name" in x else str(i)
                walk(x, f"{path}.{seg}")

    walk(yaml.safe_load(TEXT), "")
    return out


def schema_cases():
    paths = param_paths()
    assert len(paths) >= 50, paths
    for p in paths:
        bad_set("schema", f"--set {p}=abc", f"{p}=abc", f"{p}.value", "expected a number")
    for p in paths[::3]:
        bad_set("schema", f"--set {p}=1e308", f"{p}=1e308", f"{p}.value", "")
    bad_set("schema", "a probability above 1", "cohort.male_share=1.5", "cohort.male_share.value",
            "outside [0, 1]")
    bad_set("schema", "a negative cost", "modalities.ct.cost=-1", "modalities.ct.cost.value",
            "below the minimum")
    bad_set("schema", "infinity", "modalities.ct.cost=inf", "modalities.ct.cost.value",
            "expected a number")
    bad_set("schema", "nan", "modalities.ct.cost=nan", "modalities.ct.cost.value",
            "expected a number")
    case("schema", "--set of a key that does not exist",
         argv=["validate", DEFAULT, "--set", "cohort.no_such=1"], rc=2, msg="no such key")
    case("schema", "--set of a section", argv=["validate", DEFAULT, "--set", "cohort=1"], rc=2,
         msg="names a section or list")
    bad_yaml("schema", "a parameter without source", edit(
        'male_share: {value: 0.55, assumption: "slight male excess usual in rectal NET series; no figure read"}',
        "male_share: {value: 0.55}"), "{value: 0.55}", "cohort.male_share", "source:")
    bad_yaml("schema", "a misspelt source", edit(
        'male_share: {value: 0.55, assumption:', "male_share: {value: 0.55, asumption:"),
        "asumption", "cohort.male_share.asumption", "unknown key 'asumption'")
    bad_yaml("schema", "an unknown section", TEXT + "cohrt: {}\n", "cohrt", "cohrt",
             "unknown key 'cohrt'")
    bad_yaml("schema", "a quoted number", edit("male_share: {value: 0.55,",
                                               "male_share: {value: \"0.55\","),
             "\"0.55\"", "cohort.male_share.value", "expected a number")
    bad_yaml("schema", "a list for a number", edit("male_share: {value: 0.55,",
                                                   "male_share: {value: [0.55],"),
             "[0.55]", "cohort.male_share.value", "expected a number")
    # seeds
    for v, what in [("18446744073709551616", "out of range"), ("99999999999999999999999", "out of range"),
                    ("-1", "non-negative whole number"), ("1.5", "non-negative whole number"),
                    ("\"7\"", "non-negative whole number"), ("0x10", "non-negative whole number"),
                    ("[1]", "single value")]:
        t = re.sub(r"(?m)^seed: .*$", lambda m: f"seed: {v}", TEXT)
        bad_yaml("schema", f"seed: {v}", t, f"seed: {v}", "seed", what, skip=6)
    # names (issue 14 item 8)
    t = edit("    - name: emr", "    - name: cold_snare")
    bad_yaml("schema", "duplicate resection-method name", t, "name: cold_snare", "", "duplicate name 'cold_snare'",
             skip=6, line=place(t, "name: cold_snare")[0] + 3, col=False)
    long48 = "m" * 48
    bad_yaml("schema", "a 48-character method name", edit("- name: cold_snare", f"- name: {long48}"),
             long48, "cohort.resection_methods.0", "1 to 47 characters")
    bad_yaml("schema", "a 128-character scenario name",
             re.sub(r"(?m)^name: .*$", "name: " + "n" * 128, TEXT), "n" * 128, "name",
             "1 to 127 characters")
    bad_yaml("schema", "an empty method name", edit("- name: cold_snare", "- name: \"\""),
             "\"\"", "cohort.resection_methods.0", "1 to 47 characters")
    bad_yaml("schema", "a newline in a strategy name", edit("- name: enets_2023", "- name: \"enets\\n2023\""),
             "\"enets\\n2023\"", "strategies.1", "control characters")
    bad_yaml("schema", "a tab in a rule name", edit("- name: small_complete", "- name: \"small\\tx\""),
             "\"small\\tx\"", "strategies.enets_2023.rules.0", "control characters")
    bad_yaml("schema", "a newline in a method name", edit("- name: cold_snare", "- name: \"cold\\nsnare\""),
             "\"cold\\nsnare\"", "cohort.resection_methods.0", "control character")
    bad_yaml("schema", "a newline in a modality name", edit("- name: ct\n", "- name: \"c\\rt\"\n"),
             "\"c\\rt\"", "modalities.", "control characters")
    bad_yaml("schema", "a newline in the scenario name",
             re.sub(r"(?m)^name: .*$", lambda m: "name: \"a\\nb\"", TEXT), "\"a\\nb\"", "name",
             "control character")
    bad_yaml("schema", "a 48-character strategy name", edit("- name: enets_2023", "- name: " + "s" * 48),
             "s" * 48, "strategies.1", "1-47 characters")
    # rules and schedules (issue 14 item 12)
    t = edit("when: {size_mm: {max: 10}, margin: [R0]}", "when: {size: {max: 10}, margin: [R0]}")
    bad_yaml("schema", "a typo'd key in when:", t, "size: {max", "strategies.nccn_2025.rules.small_r0.when.size",
             "unknown key 'size'")
    t = edit("when: {size_mm: {max: 10}, margin: [R0]}", "when: {size_mm: {mx: 10}, margin: [R0]}")
    bad_yaml("schema", "a typo'd key in size_mm", t, "mx: 10", "strategies.nccn_2025.rules.small_r0.when.size_mm.mx",
             "unknown key 'mx'")
    t = edit("        schedule: []", "        shedule: []")
    bad_yaml("schema", "shedule: in a rule", t, "shedule", "strategies.no_follow_up.rules.everyone.shedule",
             "unknown key 'shedule'")
    t = edit("{every: 2, from: 3, to: 9, tests: [mri]}", "{evry: 2, from: 3, to: 9, tests: [mri]}")
    bad_yaml("schema", "evry: in a schedule item", t, "evry", "strategies.enets_2023.rules.intermediate.schedule.2.evry",
             "unknown key 'evry'")
    t = edit("{at: [1], tests: [endoscopy, mri]}", "{at: [1], test: [endoscopy, mri]}")
    bad_yaml("schema", "test: in a schedule item", t, "test: [endoscopy", "strategies.enets_2023.rules.intermediate.schedule.1.test",
             "unknown key 'test'")
    t = edit("{at: [1], tests: [endoscopy, mri]}", "{at: [1], tests: [MRI]}")
    bad_yaml("schema", "tests: [MRI] lists the known modalities", t, "[MRI]", "strategies.enets_2023.rules.intermediate.schedule.1.tests",
             "known: endoscopy, eus, ct, mri", skip=1)
    bad_yaml("schema", "a visit without tests", edit("{at: [1], tests: [endoscopy, mri]}", "{at: [1], tests: []}"),
             "tests: []", "strategies.enets_2023.rules.intermediate.schedule.1.tests", "at least one test", skip=7)
    bad_yaml("schema", "every: 0", edit("{every: 2, from: 3, to: 9, tests: [mri]}", "{every: 0, from: 3, to: 9, tests: [mri]}"),
             "every: 0", "strategies.enets_2023.rules.intermediate.schedule.2.every", "not a positive interval", skip=7)
    bad_yaml("schema", "to before from", edit("{every: 2, from: 3, to: 9, tests: [mri]}", "{every: 2, from: 3, to: 1, tests: [mri]}"),
             "to: 1", "strategies.enets_2023.rules.intermediate.schedule.2.to", "before from", skip=4)
    bad_yaml("schema", "at: and every: together", edit("{at: [1], tests: [endoscopy, mri]}", "{at: [1], every: 1, to: 3, tests: [endoscopy, mri]}"),
             "[1], every", "strategies.enets_2023.rules.intermediate.schedule.1", "not both")
    bad_yaml("schema", "an unknown grade", edit("grade: [G1, G2], margin: [R0], depth: [submucosa]}", "grade: [G4], margin: [R0], depth: [submucosa]}"),
             "G4", "strategies.enets_2023.rules.small_complete.when.grade", "not one of")
    t = edit("treatment: local_reexcision", "treatment: local_rexcision")
    bad_yaml("schema", "an unknown treatment", t, "local_rexcision", "", "unknown treatment")
    t = edit("[0.896, 0.064, 0.040]", "[0.896, 2, 0.040]")
    bad_yaml("schema", "a share of 2 in a list", t, "2, 0.040", "cohort.grade_shares.value.1",
             "outside [0, 1]")
    t = edit("[0.896, 0.064, 0.040]", "[0.5, 0.3, 0.1]")
    bad_yaml("schema", "shares that do not add up", t, None, None, "add up to")
    t = edit("{value: [1, 5, 10, 15, 20, 30],", "{value: [1, 5, 10, 10, 20, 30],")
    bad_yaml("schema", "breakpoints not increasing", t, "10, 20, 30]", "cohort.size_mm.breakpoints",
             "strictly increasing")
    big = "[" + ", ".join(str(i) for i in range(2000000)) + "]"
    t = edit("{value: [1, 5, 10, 15, 20, 30],", "{value: " + big + ",")
    bad_yaml("schema", "2,000,000 breakpoints: refused at once", t, big[:20], "cohort.size_mm.breakpoints.value",
             "expected 2 to")


# ---------- command line ----------

def cli_cases():
    for v, msg in [("18446744073709551615", "out of range"), ("18446744073709551616", "out of range"),
                   ("99999999999999999999999999", "out of range"), ("1e19", "out of range"),
                   ("1125899906842625", "out of range"), ("0", "whole number from 1"),
                   ("-5", "whole number from 1"), ("1.5", "whole number from 1"), ("abc", "whole number"),
                   ("", "whole number"), ("1e-3", "whole number"), ("0x10", "whole number")]:
        bad_run("command line", f"cohort -n '{v}'", ["cohort", "-n", v], 2, msg, out=None)
    bad_run("command line", "-n 1e19 --shard 1/1", ["run", "-n", "1e19", "--shard", "1/1", "-o", "out.h5"], 2,
            "out of range")
    # under ASan an allocation larger than it supports must come back NULL, as malloc's does
    bad_run("command line", "-n 1e15 --shard 1/1: too big for memory",
            ["run", "-n", "1e15", "--shard", "1/1", "-q", "-o", "out.h5"], 1, "cannot hold the tallies",
            env={"ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":allocator_may_return_null=1"})
    for v in ("18446744073709551616", "1e20", "-1", "x"):
        bad_run("command line", f"--seed {v}", ["cohort", "-n", "10", "--seed", v], 2,
                "out of range" if v[0].isdigit() else "whole number", out=None)
    for v, msg in [("1/4294967297", "out of range"), ("1/18446744073709551616", "out of range"),
                   ("1/1000001", "out of range"), ("0/2", "1 <= K <= N"), ("3/2", "1 <= K <= N"),
                   ("1/0", "1 <= K <= N"), ("1", "1 <= K <= N"), ("a/b", "1 <= K <= N"),
                   ("1/2x", "1 <= K <= N"), ("-1/2", "1 <= K <= N"), ("1/-2", "1 <= K <= N")]:
        bad_run("command line", f"--shard {v}", ["run", "-n", "10", "--shard", v, "-o", "out.h5"], 2, msg)
    for v in ("0", "4097", "1e9"):
        bad_run("command line", f"--threads {v}", ["cohort", "-n", "10", "--threads", v], 2, "", out=None)
    for v in ("0", "1000001"):
        bad_run("command line", f"--psa {v}", ["run", "-n", "10", "--psa", v, "-o", "out.h5"], 2, "")
    sets = []
    for i in range(300):
        sets += ["--set", f"cohort.male_share={0.5 + i / 1000:.3f}"]
    case("command line", "300 --set options are accepted", argv=["validate", DEFAULT, *sets], rc=0, msg="")
    sets = []
    for i in range(4097):
        sets += ["--set", "cohort.male_share=0.5"]
    bad_run("command line", "4097 --set options: the limit is named", ["validate", DEFAULT, *sets], 2,
            "at most 4096 --set", out=None)
    bad_run("command line", "--set without a value", ["validate", DEFAULT, "--set"], 2, "--set needs", out=None)
    bad_run("command line", "--set without '='", ["validate", DEFAULT, "--set", "cohort.male_share"], 2,
            "expected path.to.key=value", out=None)
    bad_set("command line", "--set cost=1e308 caught at validation", "modalities.ct.cost=1e308",
            "modalities.ct.cost.value", "too large")
    bad_run("command line", "run --set cost=1e308: exit 2, not a failed write",
            ["run", "-n", "100", "-q", "--set", "modalities.ct.cost=1e308", "-o", "out.h5"], 2, "too large")
    bad_run("command line", "unknown option", ["run", "--bogus", "-o", "out.h5"], 2, "unknown option")
    bad_run("command line", "run without -o", ["run", "-n", "10"], 2, "-o FILE is required", out=None)
    bad_run("command line", "-o without a name", ["run", "-n", "10", "-o"], 2, "needs a file name", out=None)
    bad_run("command line", "two scenarios", ["validate", DEFAULT, DEFAULT], 2, "unexpected argument", out=None)
    bad_run("command line", "unknown command", ["frobnicate"], 2, "unknown command", out=None)
    bad_run("command line", "missing output directory: OS reason", ["run", "-n", "10", "-q", "-o", "no/such/out.h5"],
            1, "No such file or directory", out="no/such/out.h5")
    bad_run("command line", "output that exists", ["run", "-n", "10", "-q", "-o", "out.h5"], 2, "exists",
            out=None, prep=lambda d: open(os.path.join(d, "out.h5"), "w").write("keep"))
    bad_run("command line", "output held by another run", ["run", "-n", "10", "-q", "-o", "out.h5"], 2,
            "being written by another netsurv run", prep=hold_lock, keep_lock=True)
    bad_run("command line", "--per-patient with --shard", ["run", "-n", "10", "--per-patient", "--shard", "1/2",
                                                           "-o", "out.h5"], 2, "cannot be combined")
    bad_run("command line", "--resume with --per-patient", ["run", "-n", "10", "--resume", "--per-patient",
                                                            "-o", "out.h5"], 2, "--per-patient")
    bad_run("command line", "a scenario error in run", ["run", "case.yaml", "-n", "10", "-o", "out.h5"], 2,
            "unknown key 'zz'", files={"case.yaml": TEXT + "zz: 1\n"}, where=("case.yaml",) + place(TEXT + "zz: 1\n", "zz: 1"),
            key="zz")


def hold_lock(d):
    """Holds the lock of out.h5 from another process (as a running netsurv would)."""
    code = ("import fcntl,sys,time\nf=open(sys.argv[1],'a')\nfcntl.lockf(f,fcntl.LOCK_EX)\n"
            "print('held',flush=True)\ntime.sleep(60)\n")
    p = subprocess.Popen([sys.executable, "-c", code, os.path.join(d, ".out.h5.netsurv.lock")],
                         stdout=subprocess.PIPE)
    p.stdout.readline()
    return p


# ---------- sweeps ----------

def sweep_cases():
    def sw(name, body, msg, needle=None, key=None, skip=0):
        text = "sweep:\n" + body
        where = ("sw.yaml",) + place(text, needle, skip) if needle else None
        bad_run("sweep", name, ["validate", DEFAULT, "--sweep", "sw.yaml"], 2, msg, out=None,
                files={"sw.yaml": text}, where=where, key=key)
    sw("an unknown path", "  grid:\n    - path: cohort.nope\n      values: [1, 2]\n", "", "cohort.nope")
    sw("a value out of range", "  grid:\n    - path: cohort.male_share\n      values: [0.5, 1.5]\n",
       "makes the scenario invalid")
    sw("a value that overflows", "  grid:\n    - path: modalities.ct.cost\n      values: [1, 1e308]\n",
       "")
    sw("the seed swept", "  grid:\n    - path: seed\n      values: [1, 2]\n", "seed")
    sw("a zip of unequal lengths", "  zip:\n    - {path: cohort.male_share, values: [0.5, 0.6]}\n"
       "    - {path: modalities.ct.cost, values: [1, 2, 3]}\n", "")
    sw("an empty values list", "  grid:\n    - path: cohort.male_share\n      values: []\n", "")
    sw("a range with step 0", "  grid:\n    - path: modalities.ct.cost\n      range: {from: 1, to: 5, step: 0}\n", "")
    sw("too many points", "  grid:\n    - path: modalities.ct.cost\n      range: {from: 1, to: 30000, step: 1}\n", "")
    sw("an unknown key", "  grdi:\n    - path: cohort.male_share\n      values: [0.5]\n", "grdi", "grdi")
    sw("deep nesting in a sweep", "  grid: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply")
    sw("content after the sweep document", "  grid:\n    - path: cohort.male_share\n      values: [0.5]\n---\nx: 1\n",
       "content after the end")
    bad_run("sweep", "a missing sweep file", ["validate", DEFAULT, "--sweep", "none.yaml"], 2,
            "No such file or directory", out=None)
    bad_run("sweep", "a sweep with --psa and --voi", ["run", "-n", "10", "--sweep", SWEEP, "--psa", "2", "--voi", "-o", "out.h5"], 2,
            "cannot be combined")
    bad_run("sweep", "a sweep with --per-patient", ["run", "-n", "10", "--sweep", SWEEP, "--per-patient", "-o", "out.h5"], 2,
            "cannot be combined")


# ---------- merge ----------

def make_shards(d, n=2, patients="70000"):
    """Shards 1..n of a small sweep-less run, written once and copied per case."""
    cache = os.path.join(TMP, f"shards-{n}-{patients}")
    if not os.path.isdir(cache):
        os.makedirs(cache)
        for k in range(1, n + 1):
            r = subprocess.run([BIN, "run", DEFAULT, "-n", patients, "-q", "--shard", f"{k}/{n}",
                                "-o", os.path.join(cache, f"s{k}.h5")], capture_output=True)
            assert r.returncode == 0, r.stderr
    for k in range(1, n + 1):
        shutil.copy(os.path.join(cache, f"s{k}.h5"), os.path.join(d, f"s{k}.h5"))


M64 = (1 << 64) - 1


def _mix(h, w):
    h ^= (w + 0x9e3779b97f4a7c15) & M64
    h = (h * 0xbf58476d1ce4e5b9) & M64
    h ^= h >> 31
    h = (h * 0x94d049bb133111eb) & M64
    return h ^ (h >> 29)


def hash64(h, data):
    """sim/numeric/hash.c's ns_hash64."""
    n8 = len(data) // 8 * 8
    for w in np.frombuffer(data[:n8], dtype="<u8").tolist():
        h = _mix(h, w)
    h = _mix(h, int.from_bytes(data[n8:].ljust(8, b"\0"), "little"))
    return _mix(h, len(data))


def shard_checksum(a, payload):
    """sim/output/shard.c ns_shard_checksum, for a shard without PSA or OWSA rows."""
    head = b"".join(int(a[k]).to_bytes(8, "little") for k in (
        "fingerprint", "seed", "n_patients", "shard", "n_shards", "unit_first", "unit_count",
        "total_units", "n_strategies", "tally_size", "n_tallies", "draw_first", "draw_count",
        "total_draws", "setting_first", "setting_count", "total_settings", "psa_row",
        "owsa_row", "voi", "posterior_hash", "posterior_points"))
    return hash64(hash64(0x6e65747375727631, head), payload)


def set_attr(path, name, value):
    with h5py.File(path, "r+") as f:
        f.attrs.modify(name, np.uint64(value))


def merge_cases():
    def mg(name, mutate, msg, shards=("s1.h5", "s2.h5"), rc=2, n=2):
        def prep(d):
            make_shards(d, n)
            if mutate:
                mutate(d)
        bad_run("merge", name, ["merge", "out.h5", *shards], rc, msg, prep=prep)
    # issue 14 item 3: unit_count and total_units edited to 1, one unit row left
    def one_unit(d):
        p = os.path.join(d, "s1.h5")
        with h5py.File(p, "r+") as f:
            u = f["units"][:1]
            del f["units"]
            f["units"] = u
            for a in ("unit_count", "total_units"):
                f.attrs.modify(a, np.uint64(1))
            f.attrs.modify("n_shards", np.uint64(1))
    mg("unit_count=total_units=1 with one row (read past the buffer)", one_unit, "", shards=("s1.h5",))
    for attr, v in [("unit_count", 0), ("unit_count", 1 << 62), ("total_units", 1), ("total_units", 1 << 63),
                    ("unit_first", 1), ("unit_first", 1 << 62), ("n_patients", 0), ("n_patients", 1),
                    ("n_strategies", 0), ("n_strategies", 1 << 40), ("n_tallies", 0), ("n_tallies", 7),
                    ("n_tallies", 1 << 40), ("shard", 0), ("shard", 3),
                    ("shard", 1 << 33), ("n_shards", 0), ("n_shards", 1 << 33), ("seed", 1),
                    ("fingerprint", 7), ("tally_size", 8), ("checksum", 1)]:
        mg(f"shard 1 with {attr}={v}", lambda d, a=attr, x=v: set_attr(os.path.join(d, "s1.h5"), a, x), "")
    def flip(offset_frac):
        def m(d):
            p = os.path.join(d, "s2.h5")
            with h5py.File(p, "r+") as f:
                u = f["units"][:]
                i = int(u.size * offset_frac)
                u.flat[i] ^= 0x04
                f["units"][...] = u
        return m
    for frac in (0.0, 0.1, 0.37, 0.5, 0.81, 0.999):
        mg(f"a flipped bit in the payload at {frac:.0%}", flip(frac), "checksum mismatch")
    def zero_patients(d):
        p = os.path.join(d, "s1.h5")
        with h5py.File(p, "r+") as f:
            u = f["units"][:]
            u[0, 0:8] = 0  # the first strategy's n_patients of the first unit
            f["units"][...] = u
            a = {k: int(v) for k, v in f.attrs.items() if isinstance(v, (int, np.integer))}
            f.attrs.modify("checksum", np.uint64(shard_checksum(a, u.tobytes())))
    mg("a unit tallying 0 patients, with a valid checksum", zero_patients, "tally of 0 patients")
    def resum(d):
        p = os.path.join(d, "s1.h5")
        with h5py.File(p, "r+") as f:
            u = f["units"][:]
            u[0, 8] ^= 1  # n_metastases: plausible numbers, checksum made to fit
            f["units"][...] = u
            a = {k: int(v) for k, v in f.attrs.items() if isinstance(v, (int, np.integer))}
            f.attrs.modify("checksum", np.uint64(shard_checksum(a, u.tobytes())))
    bad_run("merge", "the Python checksum equals netsurv's (an edit with a fitting checksum merges)",
            ["merge", "out.h5", "s1.h5", "s2.h5"], 0, "", out=None,
            prep=lambda d: (make_shards(d, 2), resum(d)))
    def drop_attr(name):
        def m(d):
            with h5py.File(os.path.join(d, "s1.h5"), "r+") as f:
                del f.attrs[name]
        return m
    for a in ("checksum", "kind", "total_units"):
        mg(f"attribute {a} missing", drop_attr(a), "")
    def truncate(d):
        p = os.path.join(d, "s1.h5")
        os.truncate(p, os.path.getsize(p) // 2)
    mg("a truncated shard", truncate, "")
    mg("a shard that is not HDF5", lambda d: open(os.path.join(d, "s1.h5"), "w").write("hello"), "")
    mg("a missing shard file", lambda d: os.remove(os.path.join(d, "s1.h5")), "")
    mg("one of two shards", None, "missing: 2", shards=("s1.h5",))
    mg("a shard given twice", None, "given twice", shards=("s1.h5", "s1.h5"))
    def other_run(d):
        r = subprocess.run([BIN, "run", DEFAULT, "-n", "70001", "-q", "--shard", "2/2", "-o",
                            os.path.join(d, "s3.h5")], capture_output=True)
        assert r.returncode == 0
    mg("shards of different runs", other_run, "different runs", shards=("s1.h5", "s3.h5"))
    mg("merge into an existing file", lambda d: open(os.path.join(d, "out.h5"), "w").write("keep"), "exists")
    bad_run("merge", "merge without shards", ["merge", "out.h5"], 2, "usage", out="out.h5")
    bad_run("merge", "merge of a results file", ["merge", "out.h5", "r.h5"], 2, "not a netsurv shard",
            prep=lambda d: subprocess.run([BIN, "run", DEFAULT, "-n", "100", "-q", "-o", os.path.join(d, "r.h5")],
                                          capture_output=True))


# ---------- resume ----------

RESUME = ["run", DEFAULT, "-n", "2000", "-q", "--sweep", SWEEP, "-o", "out.h5"]


def resume_cases():
    # another run's or a damaged checkpoint given to --resume is input refused: exit 2
    def rs(name, mutate, msg, rc=2, extra=(), prep_lock=False):
        def prep(d):
            cache = os.path.join(TMP, "ck")
            if not os.path.isdir(cache):
                os.makedirs(cache)
                make_checkpoint(cache)
            shutil.copy(os.path.join(cache, ".out.h5.netsurv-checkpoint"), d)
            if mutate:
                mutate(os.path.join(d, ".out.h5.netsurv-checkpoint"))
            return hold_lock(d) if prep_lock else None
        bad_run("resume", name, [*RESUME, "--resume", *extra], rc, msg, prep=prep,
                keep_checkpoint=True, keep_lock=prep_lock)

    def flip_at(off):
        def m(p):
            b = bytearray(open(p, "rb").read())
            b[off % len(b)] ^= 0x01
            open(p, "wb").write(bytes(b))
        return m
    # byte 48 is the first record's point index (issue 14 item 9), then its tallies
    for off in (0, 8, 16, 24, 32, 40, 48, 56, 64, 100, 1000, 3000, -9, -1):
        rs(f"a checkpoint with byte {off} flipped", flip_at(off), "" if off < 8 else "damaged")
    rs("a checkpoint of another run (other seed)", None, "another run", extra=("--seed", "6"))
    rs("a checkpoint of another run (other -n)", None, "another run", extra=("-n", "2001"))
    rs("a checkpoint that is not one", lambda p: open(p, "wb").write(b"garbage" * 10), "another run")
    rs("a resume held by another run", None, "being written by another netsurv run", rc=2,
       prep_lock=True)


def make_checkpoint(d):
    """A sweep killed after some points: its checkpoint, for --resume of the same run.

    A record is larger than a few pages, so a kill at a given size can land in
    the first record (torn: dropped on resume, which then has nothing to check).
    Each try is checked by resuming a copy elsewhere: it must report at least one
    point already done; otherwise the kill waits for a larger file."""
    ck = os.path.join(d, ".out.h5.netsurv-checkpoint")
    for pages in (3, 6, 12, 24, 48, 96):
        if os.path.exists(ck):
            os.remove(ck)
        p = subprocess.Popen([BIN, *RESUME], cwd=d, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        t0 = time.time()
        while (time.time() - t0 < 60 and p.poll() is None and
               (not os.path.exists(ck) or os.path.getsize(ck) < pages * 4096)):
            time.sleep(0.002)
        p.kill()
        p.wait()
        for f in os.listdir(d):  # the killed run's temporary output and lock
            if f != os.path.basename(ck) and f.startswith(".out.h5"):
                os.remove(os.path.join(d, f))
        if not os.path.exists(ck):
            continue  # the sweep finished before the kill
        with tempfile.TemporaryDirectory() as t:
            shutil.copy(ck, t)
            r = subprocess.run([BIN, *RESUME, "--resume"], cwd=t, capture_output=True, timeout=300)
            done = re.search(rb"resuming: (\d+) of", r.stderr)
            if r.returncode == 0 and done and int(done.group(1)) > 0:
                return
    raise AssertionError("no checkpoint with a finished point could be made")


# ---------- the runner ----------

def run_case(c, d):
    for name, body in (c.get("files") or {}).items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(body.encode() if isinstance(body, str) else body)
    holder = c["prep"](d) if c.get("prep") else None
    t0 = time.time()
    try:
        r = subprocess.run([BIN, *c["argv"]], cwd=d, capture_output=True, timeout=c.get("timeout", 120),
                           env=dict(os.environ, **c.get("env", {})))
    except subprocess.TimeoutExpired:  # a hang is a failure of this case, not of the catalogue
        return [f"no answer within {c.get('timeout', 120)} s"], "", time.time() - t0
    finally:
        if holder is not None and hasattr(holder, "kill"):
            holder.kill()
            holder.wait()
    err = r.stderr.decode(errors="replace")
    problems = []
    if r.returncode < 0 or r.returncode >= 128:
        problems.append(f"ended by a signal or crash (status {r.returncode})")
    elif r.returncode != c["rc"]:
        problems.append(f"exit {r.returncode}, want {c['rc']}")
    if re.search(r"ERROR: (Address|Leak)Sanitizer|runtime error:", err):
        problems.append("a sanitizer report")
    if c.get("msg") and c["msg"] not in err:
        problems.append(f"no '{c['msg']}' in the message")
    if c["rc"] != 0 and not err.strip():
        problems.append("no message at all")
    if c.get("where"):
        f, line, col = c["where"]
        head = f"{f}:{line}:" + (f"{col}:" if col else "")
        if c.get("key") is not None:
            pat = re.escape(head) + (r"\d+: " if not col else " ") + re.escape(c["key"])
            if not re.search(pat, err):
                problems.append(f"no '{head} {c['key']}' in the message")
        elif head not in err:
            problems.append(f"no '{head}' in the message")
    out = c.get("out", None)
    if out:
        if c["name"] == "output that exists" or c["name"] == "merge into an existing file":
            if open(os.path.join(d, out)).read() != "keep":
                problems.append("the existing output was changed")
        elif os.path.lexists(os.path.join(d, out)):
            problems.append(f"{out} was left at the output path")
        base = os.path.basename(out)
        odir = os.path.join(d, os.path.dirname(out))
        left = [e for e in (os.listdir(odir) if os.path.isdir(odir) else [])
                if e.startswith(f".{base}.netsurv")]
        if c.get("keep_checkpoint"):  # the checkpoint is the input of --resume
            left = [e for e in left if not e.endswith("netsurv-checkpoint")]
        if c.get("keep_lock"):  # the other run's lock file
            left = [e for e in left if not e.endswith("netsurv.lock")]
        if left:
            problems.append(f"left beside the output: {left}")
    return problems, err, time.time() - t0


def main():
    global TMP
    args = sys.argv[2:]
    only = args[args.index("--only") + 1] if "--only" in args else None
    syntax_cases()
    schema_cases()
    cli_cases()
    sweep_cases()
    merge_cases()
    resume_cases()
    if "--list" in args:
        for c in CASES:
            print(f"{c['cls']}: {c['name']}")
        print(len(CASES), "cases")
        return 0
    TMP = tempfile.mkdtemp(prefix="netsurv-bad-inputs-")
    failed = 0
    try:
        for i, c in enumerate(CASES):
            if only and only not in c["name"]:
                continue
            d = os.path.join(TMP, f"case{i}")
            os.makedirs(d)
            problems, err, dt = run_case(c, d)
            label = f"{c['cls']}: {c['name']}"
            if problems:
                failed += 1
                print(f"not ok {i + 1} - {label}: {'; '.join(problems)}\n    stderr: {err.strip()[:600]}")
            else:
                print(f"ok {i + 1} - {label} ({dt:.2f} s)")
            shutil.rmtree(d, ignore_errors=True)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    classes = sorted({c["cls"] for c in CASES})
    print(f"{len(CASES)} cases ({', '.join(classes)}), {failed} failed")
    assert len(CASES) >= 150
    return 1 if failed else 0


TMP = None
if __name__ == "__main__":
    sys.exit(main())
