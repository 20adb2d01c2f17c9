#!/usr/bin/env python3
"""Validates Model Openness Tool records against the tool's JSON schema.

usage: validate_mot.py SCHEMA RECORD...

Each record is read as YAML (PyYAML's safe loader: YAML 1.1, so an unquoted
date would become a date object and fail the schema's `string`) and checked
with the `jsonschema` package, `format` keywords included. Prints one line
per record, `ok PATH` or `invalid PATH: REASON`, and exits 1 if any record
is invalid. The tests use it as an independent judge of weightcheck's
`report --format mot` output.
"""
import json
import sys

import jsonschema
import yaml


def main() -> int:
    schema_path, *records = sys.argv[1:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    bad = 0
    for path in records:
        with open(path, encoding="utf-8") as f:
            record = yaml.safe_load(f)
        errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
        if errors:
            bad += 1
            where = "/".join(str(p) for p in errors[0].path)
            print(f"invalid {path}: {where}: {errors[0].message}")
        else:
            print(f"ok {path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
