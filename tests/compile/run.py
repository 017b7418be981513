#!/usr/bin/env python3
"""
run — rules that the compiler enforces, tested by compiling, as TAP.

    python3 tests/compile/run.py BUILD

Each tests/compile/fail_*.c must NOT compile, and its first error must be on a
line marked "must fail" (so that it fails for the rule, not for a typo or a
missing header); each pass_*.c must compile: it is the control that shows the
same set-up compiles when the rule is kept. The flags are those the build in
BUILD uses for src/render/html.c (its compile_commands.json): the project's
include directories, defines and warnings. Prints the plan first (the number
of files, known before any runs), then one line per file.
"""

import glob
import json
import os
import re
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def project_flags(build):
    """The compiler and flags of src/render/html.c in BUILD, without its source, output and dependency files."""
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
        entries = json.load(f)
    entry = next(e for e in entries if e["file"].replace("\\", "/").endswith("src/render/html.c"))
    args = entry.get("arguments") or shlex.split(entry["command"])
    out = []
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MQ", "-MT", "-c"):
            skip = a != "-c"
            continue
        if a == "-MD" or a.endswith("src/render/html.c"):
            continue
        out.append(a)
    return entry["directory"], out


def compile_one(directory, flags, path):
    p = subprocess.run(flags + ["-fdiagnostics-color=never", "-fsyntax-only", path], cwd=directory, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def marked_lines(path):
    with open(path, encoding="utf-8") as f:
        return {i for i, line in enumerate(f, 1) if "must fail" in line}


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build-test"))
    files = sorted(glob.glob(os.path.join(HERE, "fail_*.c"))) + sorted(glob.glob(os.path.join(HERE, "pass_*.c")))
    print("1..%d" % len(files), flush=True)
    try:
        directory, flags = project_flags(build)
    except (OSError, ValueError, StopIteration) as e:
        for n, path in enumerate(files, 1):
            print("not ok %d - %s: no compile flags from %s (%s)" % (n, os.path.basename(path), build, e))
        return 1
    failed = 0
    for n, path in enumerate(files, 1):
        name = os.path.basename(path)
        rc, text = compile_one(directory, flags, path)
        if name.startswith("pass_"):
            ok = rc == 0
            what = "%s compiles (the control)" % name
        else:
            errors = [int(m.group(1)) for m in re.finditer(r"%s:(\d+):\d+: error" % re.escape(name), text)]
            ok = rc != 0 and bool(errors) and errors[0] in marked_lines(path)
            what = "%s does not compile, refused at the marked line" % name
        print("%s %d - %s" % ("ok" if ok else "not ok", n, what))
        if not ok:
            failed += 1
            print("# exit %d" % rc)
            for line in text.rstrip().splitlines()[-20:]:
                print("# " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
