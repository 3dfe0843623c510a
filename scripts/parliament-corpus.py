"""Runs parliament over every *.json in a directory, as its CLI's --directory mode does
(analyze_policy_string, then its findings), but survives policies parliament crashes on.
Prints each finding as a JSON line, then "<findings> findings, <errors> parliament errors"."""
import json
import os
import sys

from parliament import analyze_policy_string

d = sys.argv[1]
findings = errors = 0
for name in sorted(os.listdir(d)):
    if not name.endswith(".json"):
        continue
    with open(os.path.join(d, name)) as f:
        text = f.read()
    try:
        policy = analyze_policy_string(text, filepath=name)
        for finding in policy.findings:
            findings += 1
            print(json.dumps({"file": name, "issue": finding.issue}))
    except Exception:  # parliament raises on data it does not know
        errors += 1
print(f"{findings} findings, {errors} parliament errors")
