"""Validates every golden SARIF output against the official OASIS SARIF 2.1.0 schema
(draft-04), with Debian's python3-jsonschema. Exits 77 (skipped) when the schema is absent."""
import json
import pathlib
import sys

import jsonschema

SKIPPED = 77
schema_path = pathlib.Path(sys.argv[1])
if not schema_path.is_file():
    print(f"skipped: {schema_path} is absent (it comes with ../shared/schemas-external)")
    sys.exit(SKIPPED)
schema = json.loads(schema_path.read_text())
jsonschema.Draft4Validator.check_schema(schema)
validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
reports = sorted(pathlib.Path(sys.argv[2]).glob("*.sarif"))
if not reports:
    sys.exit("no golden SARIF outputs found")
failed = 0
for path in reports:
    body = path.read_text().split("\n", 1)[1]  # first line is "exit: N"
    for error in validator.iter_errors(json.loads(body)):
        failed += 1
        print(f"{path.name}: {error.json_path}: {error.message}")
print(f"{len(reports)} SARIF outputs checked against {schema_path.name}, {failed} violations")
sys.exit(1 if failed else 0)
