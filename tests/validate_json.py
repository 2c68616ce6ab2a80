#!/usr/bin/python3
"""validate_json.py SCHEMA INSTANCE [--items]: exit 0 when INSTANCE (or, with --items, every item
of the array INSTANCE) is valid against the JSON schema SCHEMA; else print each error and exit 1.
The schema's own "$schema" picks the draft (SARIF's is draft-04, GitLab's draft-07)."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1], encoding="utf-8"))
raw = open(sys.argv[2], "rb").read()
if raw.startswith(b"\xef\xbb\xbf"):
    sys.exit("byte-order mark at the start")
instance = json.loads(raw.decode("utf-8"))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
validator = cls(schema)
items = instance if "--items" in sys.argv[3:] else [instance]
if "--items" in sys.argv[3:] and not isinstance(instance, list):
    sys.exit("not a JSON array")
errors = [e for item in items for e in validator.iter_errors(item)]
for e in errors[:20]:
    print("/".join(str(p) for p in e.absolute_path), e.message)
sys.exit(1 if errors else 0)
