#!/usr/bin/env python3
"""
run — the integration tests of Consulta, as TAP.

    python3 tests/integration/run.py [-k SUBSTRING]... [--dir DIR]

Discovers tests/integration/test_*.py, runs them against a real
`consulta serve` (the binary is $CONSULTA_BIN, default build-test/consulta)
and prints one line per test, "ok N - name" or "not ok N - name", with "# "
lines saying why a test failed, the plan "1..N" coming first. Exits 1 if any test
failed (or none ran). With -k, runs only the tests whose id contains one of
the substrings.

No test file is lost silently: one that raises when imported is a failed
test (unittest's loader turns it into one), and, in a whole run, a
test_*.py that declares no test at all is a failure too.

The mail tests need aiosmtpd (Debian's python3-aiosmtpd). If the python3
that runs this lacks it (a pyenv or venv python first on PATH) and Debian's
/usr/bin/python3 has it, this runs itself again with /usr/bin/python3.
"""

import argparse
import os
import subprocess
import sys
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ left in the source tree

import harness  # noqa: E402


class TapResult(unittest.TestResult):
    """Prints a TAP line as each test ends; class fixtures that fail count as one failed test each."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.n = 0
        self.failed = 0
        self.started = 0.0

    def startTest(self, test):
        super().startTest(test)
        self.started = time.monotonic()
        self.current, self.current_said, self.current_subfailed = test, False, False

    def stopTest(self, test):
        # A test whose subtests failed is reported by none of the add* calls: its one line is here,
        # so that every test case has exactly one line and the plan printed first holds.
        if test is self.current and not self.current_said and self.current_subfailed:
            self._line(False, test)
        super().stopTest(test)

    def _name(self, test):
        name = test.id()
        if name.startswith("__main__."):
            name = name[len("__main__."):]
        return name

    def _line(self, ok, test, directive=""):
        self.n += 1
        if test is getattr(self, "current", None):
            self.current_said = True
        if not ok:
            self.failed += 1
        name = self._name(test).replace("#", "\\#")
        self.stream.write("%s %d - %s%s\n" % ("ok" if ok else "not ok", self.n, name, directive))
        self.stream.flush()

    def _diag(self, err, test):
        text = self._exc_info_to_string(err, test) if isinstance(err, tuple) else str(err)
        for line in text.rstrip().splitlines():
            self.stream.write("# %s\n" % line)
        self.stream.flush()

    def failure(self, name, why):
        """A failed line that belongs to no test case (a file that declares none)."""
        self.n += 1
        self.failed += 1
        self.stream.write("not ok %d - %s\n# %s\n" % (self.n, name.replace("#", "\\#"), why))
        self.stream.flush()

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(True, test, "  # %.2fs" % (time.monotonic() - self.started) if os.environ.get("TAP_TIMES") else "")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line(False, test)
        self._diag(err, test)

    def addError(self, test, err):
        super().addError(test, err)
        self._line(False, test)
        self._diag(err, test)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(True, test, " # SKIP %s" % reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._line(True, test, " # TODO expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._line(False, test, " # unexpected success")

    def addSubTest(self, test, subtest, err):
        # A failing subtest fails its test; its own line says which case.
        super().addSubTest(test, subtest, err)
        if err is not None:
            self.current_subfailed = True
            self.stream.write("# failed: %s\n" % self._name(subtest).replace("#", "\\#"))
            self._diag(err, subtest)


def cases(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from cases(t)
        else:
            yield t


def modules_without_tests(suite, directory):
    """The test_*.py files of directory of which the loader found no test (nor an import failure)."""
    seen = set()
    for t in cases(suite):
        parts = t.id().split(".")
        # A module that failed to import is a test named after it: unittest.loader._FailedTest.MODULE.
        seen.add(parts[-1] if parts[0] == "unittest" else parts[0])
    files = sorted(f[:-3] for f in os.listdir(directory) if f.startswith("test_") and f.endswith(".py"))
    return [m for m in files if m not in seen]


def selected(suite, substrings):
    out = unittest.TestSuite()
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            sub = selected(t, substrings)
            if sub.countTestCases():
                out.addTest(sub)
        elif any(s in t.id() for s in substrings):
            out.addTest(t)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", action="append", default=[], metavar="SUBSTRING", help="run only tests whose id has it")
    ap.add_argument("--dir", default=HERE, help="where the test_*.py are (tests/runners/ checks this runner so)")
    args = ap.parse_args()

    out = sys.stdout
    bin_path = harness.binary()
    if not os.access(bin_path, os.X_OK):
        out.write("not ok 1 - the consulta binary %s exists\n# set CONSULTA_BIN to a built consulta\n1..1\n" % bin_path)
        return 1
    out.write("# consulta binary: %s\n" % bin_path)

    loader = unittest.TestLoader()
    directory = os.path.abspath(args.dir)
    suite = loader.discover(start_dir=directory, pattern="test_*.py", top_level_dir=directory)
    empty = [] if args.k else modules_without_tests(suite, directory)
    if args.k:
        suite = selected(suite, args.k)
    result = TapResult(out)
    # The plan comes first, from what was discovered: a run that stops early, or a test that never
    # reports, leaves fewer lines than planned, and the count check (scripts/tap-count.awk) fails it.
    out.write("1..%d\n" % (suite.countTestCases() + len(empty)))
    out.flush()
    began = time.monotonic()
    for m in empty:
        result.failure(m + ".py", "this test file declares no test (a test class that is not a unittest.TestCase?)")
    suite.run(result)
    out.write("# %d passed, %d failed, in %.1fs\n" % (result.n - result.failed, result.failed, time.monotonic() - began))
    out.flush()
    return 0 if result.n > 0 and result.failed == 0 else 1


DEBIAN_PYTHON = "/usr/bin/python3"


def python_with_aiosmtpd():
    """Debian's python3 if this one cannot import aiosmtpd and that one can; else None."""
    try:
        import aiosmtpd  # noqa: F401
        return None
    except ImportError:
        pass
    if os.environ.get("CONSULTA_TESTS_REEXEC") or not os.access(DEBIAN_PYTHON, os.X_OK):
        return None
    if os.path.realpath(sys.executable) == os.path.realpath(DEBIAN_PYTHON):
        return None
    probe = subprocess.run([DEBIAN_PYTHON, "-c", "import aiosmtpd"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    return DEBIAN_PYTHON if probe.returncode == 0 else None


if __name__ == "__main__":
    other = python_with_aiosmtpd()
    if other:
        os.environ["CONSULTA_TESTS_REEXEC"] = "1"  # once only
        os.execv(other, [other, os.path.abspath(__file__)] + sys.argv[1:])
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # noqa: BLE001 - say it in TAP, then fail
        sys.stdout.write("not ok - the test runner itself failed\n")
        for line in traceback.format_exc().splitlines():
            sys.stdout.write("# %s\n" % line)
        sys.exit(1)
