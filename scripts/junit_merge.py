#!/usr/bin/env python3
"""Merges the JUnit files of CI shards into one (docs/ci.md).

`ctest --output-junit F` writes one <testsuite> per run; a sharded suite has
one file per runner. The merged file is a <testsuites> element holding every
input's <testsuite> elements unchanged, with the totals of their "tests",
"failures", "errors", "skipped" and "time" attributes. Names are checked: a
test that appears in two shards is an error (the shards overlap).

    junit_merge.py OUT.xml SHARD.xml [SHARD.xml ...]
"""
import os
import sys
import tempfile
import xml.etree.ElementTree as ET

TOTALS = ("tests", "failures", "errors", "skipped")


def suites_of(path):
    """The <testsuite> elements of one file (its root, or the root's children)."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        raise SystemExit(f"junit_merge: cannot read {path}: {e}")
    if root.tag == "testsuite":
        return [root]
    if root.tag == "testsuites":
        return list(root.iter("testsuite"))
    raise SystemExit(f"junit_merge: {path}: root <{root.tag}> is neither <testsuite> nor <testsuites>")


def merge(paths):
    merged = ET.Element("testsuites")
    sums = dict.fromkeys(TOTALS, 0)
    time = 0.0
    seen = {}
    for path in paths:
        for suite in suites_of(path):
            for case in suite.iter("testcase"):
                name = case.get("name")
                if name in seen:
                    raise SystemExit(f"junit_merge: test {name} is in both {seen[name]} and {path}: shards overlap")
                seen[name] = path
            for key in TOTALS:
                sums[key] += int(suite.get(key, "0"))
            time += float(suite.get("time", "0"))
            merged.append(suite)
    for key in TOTALS:
        merged.set(key, str(sums[key]))
    merged.set("time", f"{time:.3f}")
    return merged


def write_atomically(tree, out):
    directory = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(prefix=".junit_merge.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            tree.write(f, encoding="UTF-8", xml_declaration=True)
        os.replace(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv):
    if len(argv) < 3:
        raise SystemExit("usage: junit_merge.py OUT.xml SHARD.xml [SHARD.xml ...]")
    merged = merge(argv[2:])
    write_atomically(ET.ElementTree(merged), argv[1])
    print(f"junit_merge: {len(argv) - 2} files, {merged.get('tests')} tests, "
          f"{merged.get('failures')} failures, {merged.get('skipped')} skipped -> {argv[1]}")


if __name__ == "__main__":
    main(sys.argv)
