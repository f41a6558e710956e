"""The project's bibliography (docs/references.bib, a copy shipped inside the package as
references.bib) and the citation keys of scenario texts.

A scenario's `source:` strings start with the keys of the works they cite in square brackets,
`"[kojima2016][ngamruengphong2019] < 10 mm 86 % chosen between ..."`. cited_keys finds them in
a scenario text, find_sources lists every source string of a text with its keys, and
format_entry writes an entry as a reference list prints it.
"""
import html
import os
import re

KEY = re.compile(r"\[([a-z][a-z0-9_]*)\]")
SOURCE = re.compile(r'source:\s*"((?:[^"\\]|\\.)*)"|source:\s*\'((?:[^\'])*)\'')
_HERE = os.path.dirname(os.path.abspath(__file__))
CANDIDATES = (os.path.join(_HERE, "references.bib"),
              os.path.join(_HERE, "..", "..", "docs", "references.bib"),
              os.path.join(_HERE, "..", "..", "..", "doc", "netsurv", "references.bib"))


def bib_path():
    """The bibliography file: the package's copy, else the source tree's docs/references.bib,
    else the installed documents' copy; None when none is found."""
    for p in CANDIDATES:
        if os.path.exists(p):
            return os.path.normpath(p)
    return None


def _fields(body):
    """The fields of one BibTeX entry body ('key = {value}, ...') as a dict."""
    out, i, n = {}, 0, len(body)
    while i < n:
        m = re.compile(r"\s*,?\s*([A-Za-z_]+)\s*=\s*").match(body, i)
        if not m:
            break
        name, i = m.group(1).lower(), m.end()
        if i < n and body[i] == "{":
            depth, j = 0, i
            while j < n:
                if body[j] == "{":
                    depth += 1
                elif body[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            value, i = body[i + 1:j], j + 1
        elif i < n and body[i] == '"':
            j = body.index('"', i + 1)
            value, i = body[i + 1:j], j + 1
        else:
            m2 = re.compile(r"[^,\s}]+").match(body, i)
            value, i = (m2.group(0), m2.end()) if m2 else ("", i + 1)
        out[name] = re.sub(r"\s+", " ", value).strip()
    return out


def read_bib(path=None):
    """{key: {'type': ..., field: value}} of a BibTeX file (default: bib_path()). Raises
    ValueError on a repeated key."""
    path = path or bib_path()
    if path is None:
        return {}
    text = open(path, encoding="utf-8").read()
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("%"))
    entries = {}
    for m in re.finditer(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", text):
        start, depth, j = m.end(), 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        key = m.group(2)
        if key in entries:
            raise ValueError("%s: key %s repeated" % (path, key))
        entry = _fields(text[start:j - 1])
        entry["type"] = m.group(1).lower()
        entries[key] = entry
    return entries


def find_sources(text):
    """[(line number, source string, [keys])] of every `source:` of a YAML text."""
    out = []
    for lineno, line in enumerate((text or "").splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        for m in SOURCE.finditer(line):
            s = m.group(1) if m.group(1) is not None else m.group(2)
            out.append((lineno, s, KEY.findall(s)))
    return out


def cited_keys(*texts):
    """The keys cited by the texts' sources, in order of first citation."""
    keys = []
    for text in texts:
        for _, _, ks in find_sources(text):
            keys += [k for k in ks if k not in keys]
    return keys


def strip_keys(source):
    """A source string without its leading citation keys (for display beside links)."""
    return re.sub(r"^(\s*\[[a-z][a-z0-9_]*\])+\s*", "", source or "")


def _tex(text):
    """BibTeX markup to plain text: braces and the escapes used in the file."""
    text = text.replace("\\&", "&").replace("--", "\u2013")
    return text.replace("{", "").replace("}", "")


def _authors(value):
    """'Last, First and Last2, F. and others' -> 'Last F, Last2 F, et al.'; a corporate
    author in braces stays as it is."""
    if not value:
        return ""
    names, etal = [], False
    for a in value.split(" and "):
        a = a.strip()
        if a == "others":
            etal = True
        elif a.startswith("{") and a.endswith("}"):
            names.append(a[1:-1])
        elif "," in a:
            last, first = [x.strip() for x in a.split(",", 1)]
            initials = "".join(w[0] for w in re.split(r"[\s.\-]+", first) if w)
            names.append(("%s %s" % (last, initials)).strip())
        else:
            names.append(a)
    if len(names) > 6:
        names, etal = names[:6], True
    return _tex(", ".join(names) + (" et al" if etal else ""))


def format_entry(e):
    """One entry as a reference list prints it (Vancouver-like), plain text."""
    parts = []
    who = _authors(e.get("author", ""))
    if who:
        parts.append(who + ".")
    if e.get("title"):
        parts.append(_tex(e["title"]).rstrip(".") + ".")
    src = _tex(e.get("journal", ""))
    where = src
    if e.get("year"):
        where += (" " if where else "") + e["year"]
    if e.get("volume"):
        where += ";%s" % e["volume"] + ("(%s)" % e["number"] if e.get("number") else "")
    if e.get("pages"):
        where += ":%s" % _tex(e["pages"])
    if where:
        parts.append(where + ".")
    for k, label in (("doi", "doi:"), ("pmid", "PMID "), ("url", "")):
        if e.get(k):
            parts.append("%s%s." % (label, e[k]) if k != "url" else e[k])
    if e.get("note"):
        parts.append("[%s]" % _tex(e["note"]))
    return " ".join(parts)


def problems(texts, bib=None):
    """Messages for every source string of the (name, text) pairs that cites no key or a key
    missing from the bibliography; empty when all cite known entries."""
    bib = read_bib() if bib is None else bib
    out = []
    for name, text in texts:
        for lineno, s, keys in find_sources(text):
            if not keys:
                out.append("%s:%d: source cites no reference key: %r" % (name, lineno, s[:80]))
            for k in keys:
                if k not in bib:
                    out.append("%s:%d: key [%s] is not in the bibliography" % (name, lineno, k))
    return out


def cite_html(text):
    """Text as HTML with every citation key ([kojima2016]) linked to its reference
    (#ref-KEY)."""
    return KEY.sub(lambda m: '<a class="cite" href="#ref-%s">[%s]</a>' % (m.group(1), m.group(1)),
                   html.escape(text or "", quote=True))
