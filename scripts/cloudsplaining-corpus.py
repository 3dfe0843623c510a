"""Runs cloudsplaining over every *.json in a directory the way its `scan-policy-file` command
does (scan_policy per document, default exclusions), surviving documents it raises on.
Prints one JSON line per policy with findings, then "<findings> findings, <errors> cloudsplaining
errors". A finding is one non-empty result category (privilege escalation, data exfiltration,
resource exposure, ...) of one policy."""
import json
import os
import sys

from cloudsplaining.command.scan_policy_file import scan_policy

d = sys.argv[1]
findings = errors = 0
for name in sorted(os.listdir(d)):
    if not name.endswith(".json"):
        continue
    with open(os.path.join(d, name)) as f:
        policy = json.load(f)
    try:
        results = scan_policy(policy)
    except Exception:  # cloudsplaining raises on data it does not know
        errors += 1
        continue
    # Each category is {"severity", "description", "findings": [...]}; ServicesAffected is a list
    # of services, not a finding.
    kinds = sorted(k for k, v in results.items() if isinstance(v, dict) and v.get("findings"))
    findings += len(kinds)
    if kinds:
        print(json.dumps({"file": name, "findings": kinds}))
print(f"{findings} findings, {errors} cloudsplaining errors")
