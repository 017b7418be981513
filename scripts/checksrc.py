#!/usr/bin/env python3
"""
checksrc — the rules of the C sources that a compiler does not check, as TAP.

    python3 scripts/checksrc.py            check src/, then check the checker
    python3 scripts/checksrc.py FILE...    check these files only (no TAP; exit 1 if any finding)

It reads C the way the compiler does, not line by line: comments and string
and character literals are blanked first (keeping every line where it was),
then calls are found wherever their name, parenthesis and arguments fall,
across lines. So `strcpy /* why */ (` split over two lines is found, and
"strcpy(" inside a comment or a string is not.

  banned       unbounded, locale- or thread-unsafe C calls (strcpy, sprintf,
               strtok, atoi, localtime, setenv, ...);
  clock        time() outside src/util/clock.c: "now" comes from clock_now()
               (or clock_wall() for the machine's own time), so that
               CONSULTA_NOW freezes it for tests;
  sql          no SQL statement built by a printf-family call: statements are
               literals with bound parameters;
  header       every file opens with a comment saying what it is for;
  include      the layers (docs/ARCHITECTURE.md): util includes nothing of
               ours; store and render include only util (and the generated
               embedded.h for store); core includes store, render and util;
               mail and web include core and below, never each other; main.c
               may include anything.

  html         html_printf_checked() is called only through the html_printf
               macro (render/html.h), which makes a format that is not a literal
               a syntax error (tests/compile/ proves it): a direct call would
               get around that.

The checker checks itself: tests/checksrc/src/ is a small source tree of
cases, each finding it must report marked on its line with a comment
`expect: RULE`; a case passes when the findings are exactly the marked ones.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BANNED = ("strcpy", "strcat", "sprintf", "vsprintf", "strncpy", "strncat", "strtok", "atoi", "atol", "atoll",
          "gets", "localtime", "gmtime", "asctime", "ctime", "setenv", "putenv", "unsetenv", "tmpnam", "tempnam",
          "mktemp")
WHY_BANNED = "unbounded, or not safe with locales or threads: use buf_*, snprintf, strtol, *_r, clock.h"
# The exceptions, each a (file, call): main() unsets $LANGUAGE first thing, before any thread exists, since it
# would override every catalogue lookup (util/i18n.h).
BANNED_ALLOWED = {("src/main.c", "unsetenv")}

# What each layer may include besides itself; None: anything (main.c).
LAYERS = {
    "util": set(),
    "store": {"util", "embedded.h"},
    "render": {"util"},
    "core": {"store", "render", "util", "embedded.h"},
    "mail": {"core", "store", "render", "util"},
    "web": {"core", "store", "render", "util", "embedded.h"},
}

SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|PRAGMA)\s")


def blank(text, keep_strings=False):
    """text with comments (and unless keep_strings, the insides of string and character literals)
    replaced by spaces; newlines stay, so offsets and line numbers do not move."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif c == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            if keep_strings:
                out.append(text[i:j])
            else:
                out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + (text[j - 1] if j - 1 > i else ""))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def calls(code, names):
    """(name, offset) of each call of one of names in code (comments and strings blanked): the name as a
    whole word, not a member (x.name, x->name), followed by "(" after any white space, newlines included."""
    pattern = re.compile(r"(?<![\w.])(?<!->)\b(%s)\s*\(" % "|".join(map(re.escape, names)))
    for m in pattern.finditer(code):
        yield m.group(1), m.start(1)


def arguments(text, open_paren):
    """The text between the parenthesis at open_paren and its match (text has comments blanked, strings kept)."""
    depth, i = 0, open_paren
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < len(text) and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return text[open_paren + 1:i]
        i += 1
    return text[open_paren + 1:]


def layer_of(rel):
    """src/web/x.c -> web; src/main.c -> main; None outside src/."""
    parts = rel.split("/")
    if len(parts) < 2 or parts[0] != "src":
        return None
    return "main" if len(parts) == 2 else parts[1]


def check_file(root, rel):
    """The findings (rule, line, message) of one file, rel being its path from root (src/...)."""
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        text = f.read()
    code = blank(text)
    nocomment = blank(text, keep_strings=True)
    found = []

    if not text.startswith("/*"):
        found.append(("header", 1, "the file does not open with a comment saying what it is for"))

    for name, at in calls(code, BANNED):
        if (rel, name) in BANNED_ALLOWED:
            continue
        found.append(("banned", line_of(code, at), "%s() is banned: %s" % (name, WHY_BANNED)))

    if rel != "src/util/clock.c":
        for name, at in calls(code, ("time",)):
            found.append(("clock", line_of(code, at),
                          "time() reads the clock outside util/clock.c: use clock_now() (or clock_wall())"))

    if rel not in ("src/render/html.c", "src/render/html.h"):
        for name, at in calls(code, ("html_printf_checked",)):
            found.append(("html", line_of(code, at),
                          "html_printf_checked() called directly: write html_printf(b, \"literal\", ...)"))

    for m in re.finditer(r"(?<![\w.])(?<!->)\b(\w*printf)\s*\(", code):
        args = arguments(nocomment, m.end() - 1)
        literal = " ".join(re.findall(r'"((?:[^"\\\n]|\\.)*)"', args))
        if SQL.search(literal):
            found.append(("sql", line_of(code, m.start(1)),
                          "%s() builds SQL: use a literal statement with bound parameters" % m.group(1)))

    layer = layer_of(rel)
    allowed = LAYERS.get(layer) if layer else None
    if layer and layer != "main":
        for m in re.finditer(r'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"', nocomment, re.M):
            inc = m.group(1)
            target = inc.split("/")[0] if "/" in inc else inc
            if target == layer or inc in allowed or target in allowed:
                continue
            if allowed is None:
                continue
            found.append(("include", line_of(nocomment, m.start(1)),
                          '%s includes "%s": %s may include only %s' % (
                              layer, inc, layer, ", ".join(sorted(allowed)) or "itself")))
    return found


def sources(root):
    out = []
    for d, _, files in os.walk(os.path.join(root, "src")):
        for f in files:
            if f.endswith((".c", ".h")):
                out.append(os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/"))
    return sorted(out)


def findings(root):
    return [(rule, rel, line, msg) for rel in sources(root) for rule, line, msg in check_file(root, rel)]


RULES = (
    ("banned", "no banned C calls in src/"),
    ("clock", "time() only in src/util/clock.c"),
    ("sql", "no SQL built with printf"),
    ("html", "html_printf_checked() only through the html_printf macro"),
    ("header", "every source file opens with a comment saying what it is for"),
    ("include", "includes follow the layers (util < store, render < core < mail, web < main.c)"),
)


def expected(root, rel):
    """The (rule, line) pairs a case file marks with `expect: RULE` (several rules: `expect: a, b`)."""
    out = set()
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = re.search(r"expect:\s*([a-z, ]+)", line)
            if m:
                out |= {(r.strip(), n) for r in m.group(1).split(",") if r.strip()}
    return out


def main():
    if len(sys.argv) > 1:
        bad = 0
        for path in sys.argv[1:]:
            rel = os.path.relpath(os.path.abspath(path), ROOT).replace(os.sep, "/")
            for rule, line, msg in check_file(ROOT, rel):
                print("%s:%d: %s: %s" % (rel, line, rule, msg))
                bad = 1
        return bad

    fixtures = os.path.join(ROOT, "tests", "checksrc")
    cases = sources(fixtures)
    print("1..%d" % (len(RULES) + len(cases)), flush=True)
    n = 0
    failed = 0
    got = findings(ROOT)
    for rule, what in RULES:
        n += 1
        mine = [f for f in got if f[0] == rule]
        print("%s %d - %s" % ("not ok" if mine else "ok", n, what))
        for _, rel, line, msg in mine:
            print("# %s:%d: %s" % (rel, line, msg))
        failed += bool(mine)

    # The checker on its own cases: exactly the marked findings, no more, no fewer.
    for rel in cases:
        n += 1
        want = expected(fixtures, rel)
        have = {(rule, line) for rule, line, _ in check_file(fixtures, rel)}
        ok = want == have and want is not None
        print("%s %d - checksrc on tests/checksrc/%s finds exactly %s" % (
            "ok" if ok else "not ok", n, rel,
            ", ".join("%s at %d" % (r, l) for r, l in sorted(want, key=lambda x: x[1])) or "nothing"))
        for r, l in sorted(want - have, key=lambda x: x[1]):
            print("# missed: %s at line %d" % (r, l))
        for r, l in sorted(have - want, key=lambda x: x[1]):
            print("# found but not expected: %s at line %d" % (r, l))
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
