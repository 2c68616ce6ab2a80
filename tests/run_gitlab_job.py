#!/usr/bin/python3
"""run_gitlab_job.py FILE JOB [NAME=VALUE ...]: runs a GitLab CI job's script the way a shell
runner does (the lines as one script, `set -e`, the job's variables, expanded as GitLab expands
them, and the overrides in the environment) in the current directory, and exits with the script's status.
run_gitlab_job.py FILE --dump: prints the YAML as JSON (for structural checks)."""
import json
import re
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
overrides = dict(kv.partition("=")[::2] for kv in sys.argv[3:])
env.update(overrides)
# A job's variables may name others ($VAR, ${VAR}), which GitLab expands; an override wins.
for k, v in (job.get("variables") or {}).items():
    if k not in overrides:
        env[k] = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: env.get(m.group(1) or m.group(2), ""), str(v))
script = "set -e\n" + "\n".join(job["script"]) + "\n"
sys.exit(subprocess.run(["sh", "-c", script], env=env).returncode)
