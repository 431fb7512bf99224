"""Validates every golden JSON report against the report schema (Debian's python3-jsonschema)."""
import json
import pathlib
import sys

import jsonschema

schema = json.loads(pathlib.Path(sys.argv[1]).read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
reports = sorted(pathlib.Path(sys.argv[2]).glob("*.json"))
if not reports:
    sys.exit("no golden JSON reports found")
failed = 0
for path in reports:
    text = path.read_text()
    body = text.split("\n", 1)[1]  # first line is "exit: N"
    for error in validator.iter_errors(json.loads(body)):
        failed += 1
        print(f"{path.name}: {error.json_path}: {error.message}")
print(f"{len(reports)} reports checked, {failed} schema violations")
sys.exit(1 if failed else 0)
