#!/usr/bin/python3
"""run_gitlab_job.py FILE JOB [NAME=VALUE ...]: runs a GitLab CI job's script the way a shell
runner does (the lines as one script, `set -e`, the job's variables and the overrides in the
environment) in the current directory, and exits with the script's status.
run_gitlab_job.py FILE --dump: prints the YAML as JSON (for structural checks)."""
import json
import os
import subprocess
import sys

import yaml

doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
if sys.argv[2] == "--dump":
    print(json.dumps(doc))
    sys.exit(0)
job = doc[sys.argv[2]]
env = dict(os.environ)
for k, v in (job.get("variables") or {}).items():
    env[k] = str(v)
for kv in sys.argv[3:]:
    k, _, v = kv.partition("=")
    env[k] = v
script = "set -e\n" + "\n".join(job["script"]) + "\n"
sys.exit(subprocess.run(["sh", "-c", script], env=env).returncode)
