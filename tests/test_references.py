#!/usr/bin/python3
"""Every `source:` of the shipped scenarios (scenarios/**/*.yaml) cites at least one entry of
docs/references.bib by key, every cited key is in the bibliography, no source shows the reader
a seed number or a path of the design notes, and the checker itself fails on a source without
a key and on a key missing from the bibliography (so a passing run means something).
usage: test_references.py SOURCE_DIR"""
import glob
import os
import sys

src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
sys.path.insert(0, os.path.join(src, "analysis"))
from netsurv_analysis import references  # noqa: E402

bib = references.read_bib(os.path.join(src, "docs", "references.bib"))
assert len(bib) >= 40, "only %d entries in docs/references.bib" % len(bib)
for key, e in bib.items():
    assert e.get("title"), "entry %s has no title" % key
    assert references.format_entry(e), key

files = sorted(glob.glob(os.path.join(src, "scenarios", "**", "*.yaml"), recursive=True))
texts = [(os.path.relpath(p, src), open(p, encoding="utf-8").read()) for p in files]
n_sources = sum(len(references.find_sources(t)) for _, t in texts)
assert n_sources > 100, "found only %d source strings" % n_sources
bad = references.problems(texts, bib)
for _, text in texts:
    for lineno, s, _ in references.find_sources(text):
        for word in ("seed 0", "seeds 0", "PARAMETERS.md", "../shared", "DESIGN.md"):
            if word in s:
                bad.append("line %d: a source shows the reader %r: %s" % (lineno, word, s[:80]))
assert not bad, "\n".join(bad)
used = references.cited_keys(*[t for _, t in texts])
print("%d source strings in %d files cite %d of the %d entries"
      % (n_sources, len(files), len(used), len(bib)))

# the checker fails where it should
planted = 'a: {value: 1, source: "no key here"}\nb: {value: 2, source: "[nosuchkey2099] x"}\n' \
          'c: {value: 3, source: "[kojima2016] fine"}\n'
msgs = references.problems([("planted.yaml", planted)], bib)
assert len(msgs) == 2 and "planted.yaml:1:" in msgs[0] and "no reference key" in msgs[0] \
    and "planted.yaml:2:" in msgs[1] and "[nosuchkey2099]" in msgs[1], msgs
assert references.cited_keys(planted) == ["nosuchkey2099", "kojima2016"]
text = references.format_entry(bib["kojima2016"])
assert text.startswith("Kojima M, Ikeda K") and "Frontiers in Oncology 2016;6:173." in text, text
text = references.format_entry(bib["ssa2021"])
assert text.startswith("US Social Security Administration, Office of the Chief Actuary."), text
print("test_references: ok")
