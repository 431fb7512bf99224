"""Exercises the ready-to-copy CI examples of docs/ci/: their shapelint commands are run, as
the CI would run them, on a models/ folder made of the samples (plus a package.json), and
what they produce is checked: the SARIF file that upload-sarif is given exists and validates,
the annotations step fails on the broken samples and fills the job summary, the JUnit report
GitLab is pointed at is well-formed, and the pre-commit example names the hook id of
.pre-commit-hooks.yaml. Exits 77 (skipped) without PyYAML (Debian's python3-yaml).
Usage: check_ci_examples.py SOURCE_DIR DIRECTORY_OF_SHAPELINT SARIF_SCHEMA"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SKIPPED = 77
try:
    import yaml
except ImportError:
    print("skipped: PyYAML is not installed (apt-get install python3-yaml)")
    sys.exit(SKIPPED)

source, bin_dir, schema_path = (pathlib.Path(a) for a in sys.argv[1:4])
ci = source / "docs" / "ci"
problems = []


def check(condition, message):
    if not condition:
        problems.append(message)
    return condition


def workspace():
    """A checkout as the examples expect it: models/ holding the samples and a non-model."""
    root = pathlib.Path(tempfile.mkdtemp(prefix="shapelint-ci-"))
    shutil.copytree(source / "samples", root / "models")
    (root / "models" / "package.json").write_text('{"name": "app", "dependencies": {}}\n')
    return root


def run(script, cwd, env):
    full_env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", **env)
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd,
                          env=full_env, capture_output=True, text=True)


def check_github_actions():
    workflow = yaml.safe_load((ci / "github-actions.yml").read_text())
    # PyYAML reads the key `on` as True (YAML 1.1).
    check("pull_request" in (workflow.get("on") or workflow.get(True) or {}),
          "github: the workflow does not run on pull requests")
    check(workflow["permissions"].get("security-events") == "write",
          "github: upload-sarif needs permissions security-events: write")
    steps = workflow["jobs"]["shapelint"]["steps"]
    root = workspace()
    summary = root / "summary.md"
    env = {k: str(v) for k, v in workflow.get("env", {}).items()}
    env["GITHUB_STEP_SUMMARY"] = str(summary)
    sarif_file = None
    for step in steps:
        if "upload-sarif" in step.get("uses", ""):
            sarif_file = step["with"]["sarif_file"]
            check(step.get("if") == "always()", "github: upload-sarif should run even on failure")
    check(sarif_file is not None, "github: no upload-sarif step")
    ran = {"sarif": False, "github": False}
    for step in steps:
        script = step.get("run", "")
        if "shapelint --format" not in script:
            continue
        result = run(script, root, env)
        if "--format sarif" in script:
            ran["sarif"] = True
            ok = check(result.returncode == 0,
                       f"github: SARIF step exit {result.returncode}: {result.stderr.strip()}")
            path = root / (sarif_file or "missing")
            if ok and check(path.is_file(), f"github: the SARIF step does not write {sarif_file}"):
                report = json.loads(path.read_text())
                results = report["runs"][0]["results"]
                check(any(r["ruleId"] == "SL104" for r in results), "github: SARIF lacks SL104")
                check(all(not r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                          .endswith("package.json") for r in results),
                      "github: package.json was reported")
                if schema_path.is_file():
                    import jsonschema
                    schema = json.loads(schema_path.read_text())
                    errors = list(jsonschema.Draft4Validator(schema).iter_errors(report))
                    check(not errors, f"github: SARIF violates the schema: {errors[:1]}")
        elif "--format github" in script:
            ran["github"] = True
            check(result.returncode == 1, f"github: annotations step exit {result.returncode}, 1 expected")
            check("::error file=models/bad/residual_shortcut_mismatch.json,line=" in result.stdout,
                  "github: no annotation for the broken sample")
            check(summary.is_file() and "### shapelint" in summary.read_text(),
                  "github: nothing appended to GITHUB_STEP_SUMMARY")
    check(all(ran.values()), f"github: steps not found: {ran}")
    shutil.rmtree(root)


def check_gitlab():
    jobs = yaml.safe_load((ci / "gitlab-ci.yml").read_text())
    job = jobs["shapelint"]
    report = job["artifacts"]["reports"]["junit"]
    check(job["artifacts"].get("when") == "always", "gitlab: the report must upload on failure")
    root = workspace()
    env = {k: str(v) for k, v in job.get("variables", {}).items()}
    status = None
    for line in job["script"]:
        status = run(line, root, env)
    ok = check(status is not None and status.returncode == 1,
               "gitlab: the job's last command should fail (exit 1) on the broken samples")
    path = root / report
    if ok and check(path.is_file(), f"gitlab: the job does not write {report}"):
        suites = ET.fromstring(path.read_bytes())
        names = [s.get("name") for s in suites.iter("testsuite")]
        check("models/bad/residual_shortcut_mismatch.json" in names, f"gitlab: suites {names}")
        check(not any(n.endswith("package.json") for n in names), "gitlab: package.json reported")
        check(int(suites.get("failures")) >= 1, "gitlab: no failure in the JUnit report")
    shutil.rmtree(root)


def check_pre_commit():
    config = yaml.safe_load((ci / "pre-commit-config.yaml").read_text())
    hooks = yaml.safe_load((source / ".pre-commit-hooks.yaml").read_text())
    ids = {h["id"] for h in hooks}
    used = [h["id"] for repo in config["repos"] for h in repo["hooks"]]
    check(used and all(i in ids for i in used), f"pre-commit: hooks {used} not in {ids}")
    hook = next(h for h in hooks if h["id"] == "shapelint")
    check("--skip-non-models" in hook["entry"], "pre-commit: the hook must pass --skip-non-models")
    import re
    pattern = re.compile(hook["files"])
    for name in ("m.json", "m.keras", "m.h5", "M.HDF5"):
        check(pattern.search(name), f"pre-commit: files pattern misses {name}")
    for name in ("m.py", "m.json.bak", "README.md"):
        check(not pattern.search(name), f"pre-commit: files pattern takes {name}")


check_github_actions()
check_gitlab()
check_pre_commit()
for p in problems:
    print(p)
print(f"CI examples checked: {len(problems)} problems")
sys.exit(1 if problems else 0)
