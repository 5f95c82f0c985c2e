#!/usr/bin/env python3
# Re-records the expectations in tests/unit/data/template_go.jsonl with Go:
# every case in the file (or added to it with only a "t") is run through
# template_oracle.go, and "out"/"err" are rewritten from Go's answer.
# Needs a Go toolchain: go build -o template_oracle template_oracle.go
# Usage: ORACLE=./template_oracle template_cases.py ../unit/data/template_go.jsonl
# Cases where we deliberately follow newer Go or docker (range over an int,
# {{else with}}, join over JSON arrays, .Label) are tested in test_template.c,
# not here: Go 1.19 would record its own behaviour for them.
import json, os, subprocess, sys

path = sys.argv[1]
entries = [json.loads(l) for l in open(path) if l.strip()]
inp, data = [], None
for e in entries:
    if "data" in e:
        data = e["data"]
        continue
    c = {"t": e["t"], "d": data}
    if "opt" in e:
        c["opt"] = e["opt"]
    inp.append(json.dumps(c))
oracle = os.environ.get("ORACLE", "./template_oracle")
res = subprocess.run([oracle], input="\n".join(inp) + "\n", capture_output=True, text=True, check=True)
answers = iter(json.loads(l) for l in res.stdout.splitlines())
with open(path, "w") as out:
    for e in entries:
        if "data" not in e:
            a = next(answers)
            e = {k: v for k, v in e.items() if k not in ("out", "err")}
            e["err" if "err" in a else "out"] = a.get("err", a.get("out"))
        out.write(json.dumps(e, ensure_ascii=False) + "\n")
