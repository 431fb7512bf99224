"""Checks the golden outputs of the formats other tools parse: every JUnit report is
well-formed XML whose counts add up, and, when Graphviz is installed, every dot graph
renders with `dot -Tsvg` (exit 77, skipped, when it is not)."""
import pathlib
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SKIPPED = 77
kind, folder = sys.argv[1], pathlib.Path(sys.argv[2])


def body(path):
    return path.read_text().split("\n", 1)[1]  # first line is "exit: N"


def check_junit(path):
    root = ET.fromstring(body(path).encode())
    problems = []
    if root.tag != "testsuites":
        problems.append(f"root is <{root.tag}>")
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        for attribute, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            have = sum(1 for c in cases if c.find(tag) is not None)
            if int(suite.get(attribute)) != have:
                problems.append(f"{suite.get('name')}: {attribute}={suite.get(attribute)}, {have} found")
        if int(suite.get("tests")) != len(cases):
            problems.append(f"{suite.get('name')}: tests={suite.get('tests')}, {len(cases)} cases")
    return problems


def check_dot(path):
    run = subprocess.run(["dot", "-Tsvg"], input=body(path), capture_output=True, text=True)
    if run.returncode != 0 or "<svg" not in run.stdout:
        return [f"dot -Tsvg failed: {run.stderr.strip()}"]
    if run.stderr.strip():
        return [f"dot warned: {run.stderr.strip()}"]
    return []


if kind == "dot" and shutil.which("dot") is None:
    print("skipped: Graphviz `dot` is not installed (apt-get install graphviz)")
    sys.exit(SKIPPED)
check = {"junit": check_junit, "dot": check_dot}[kind]
outputs = sorted(folder.glob(f"*.{kind}"))
if not outputs:
    sys.exit(f"no golden .{kind} outputs found")
failed = 0
for path in outputs:
    for problem in check(path):
        failed += 1
        print(f"{path.name}: {problem}")
print(f"{len(outputs)} {kind} outputs checked, {failed} problems")
sys.exit(1 if failed else 0)
