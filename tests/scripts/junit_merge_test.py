#!/usr/bin/env python3
"""The CI recipe of docs/ci.md end to end, on a small real CTest suite:
`ktstr shard` splits it in two, each shard runs with `ctest --output-junit`,
scripts/junit_merge.py merges the files; the merged file holds every entry
exactly once with the right totals. Bad inputs fail with one clear line.

    junit_merge_test.py KTSTR_BIN CTEST MERGE_SCRIPT
"""
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

KTSTR, CTEST, MERGE = sys.argv[1:4]

# name -> exit code; 77 is a skip (SKIP_RETURN_CODE).
SUITE = {"s/pass.a": 0, "s/pass+b": 0, "s/pass(c)": 0, "s/br[1]{2}": 0, "s/fail": 1, "s/skip": 77, "t/other": 0}


def write_suite(directory):
    with open(os.path.join(directory, "CTestTestfile.cmake"), "w") as f:
        for name, code in SUITE.items():
            f.write(f'add_test([==[{name}]==] sh -c "exit {code}")\n')
            f.write(f"set_tests_properties([==[{name}]==] PROPERTIES SKIP_RETURN_CODE 77)\n")


def run(argv, ok=True):
    r = subprocess.run(argv, capture_output=True, text=True)
    if ok and r.returncode != 0:
        raise AssertionError(f"{argv} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r


class JunitMergeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="junit-merge-test.")
        self.dir = self.tmp.name
        write_suite(self.dir)

    def tearDown(self):
        self.tmp.cleanup()

    def shard_files(self, count):
        # Every shard's regex first, as K runners compute them from the same
        # build: a ctest run writes CTestCostData.txt, which later `ktstr
        # shard` calls in the same directory would read (docs/ci.md).
        regexes = [run([KTSTR, "shard", "--count", str(count), "--index", str(i), "--test-dir", self.dir]).stdout.strip()
                   for i in range(count)]
        files = []
        for i, rx in enumerate(regexes):
            out = os.path.join(self.dir, f"shard-{i}.xml")
            run([CTEST, "--test-dir", self.dir, "-R", rx, "--output-junit", out], ok=False)  # s/fail fails
            files.append(out)
        return files

    def test_two_shards_merge_to_the_whole_suite(self):
        files = self.shard_files(2)
        merged = os.path.join(self.dir, "merged.xml")
        run([sys.executable, MERGE, merged] + files)
        root = ET.parse(merged).getroot()
        self.assertEqual(root.tag, "testsuites")
        names = [c.get("name") for c in root.iter("testcase")]
        self.assertEqual(sorted(names), sorted(SUITE))
        self.assertEqual(root.get("tests"), str(len(SUITE)))
        self.assertEqual(root.get("failures"), "1")
        self.assertEqual(root.get("skipped"), "1")
        self.assertEqual(len(root.findall("testsuite")), 2)
        for suite in root.findall("testsuite"):  # every shard ran something
            self.assertGreater(int(suite.get("tests")), 0)

    def test_overlapping_shards_are_refused(self):
        files = self.shard_files(1)
        merged = os.path.join(self.dir, "merged.xml")
        r = run([sys.executable, MERGE, merged, files[0], files[0]], ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("shards overlap", r.stderr)
        self.assertFalse(os.path.exists(merged))

    def test_bad_input_is_one_clear_line(self):
        bad = os.path.join(self.dir, "bad.xml")
        with open(bad, "w") as f:
            f.write("<not closed")
        r = run([sys.executable, MERGE, os.path.join(self.dir, "m.xml"), bad], ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cannot read", r.stderr)
        r = run([sys.executable, MERGE, os.path.join(self.dir, "m.xml")], ok=False)
        self.assertIn("usage:", r.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
