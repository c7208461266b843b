#!/usr/bin/python3
"""Record fail2ban 1.0.2's date templates (names, regexes, flags, weights)
as facts for f2b's date tests.  Run with /usr/bin/python3; it imports the
installed fail2ban only to dump what it computes.

Output: tests/data/date/templates.json
"""
import datetime
import json
import os
import subprocess
import sys

from fail2ban.server.datedetector import DateDetector

PATTERNS = [
    "{^LN-BEG}", "{DEFAULT}", "{default}", "^{DATE}", r"^[^\[]*\[({DATE})", "{DATE}",
    "%d/%b/%Y:%H:%M:%S %z", "^%b %d %H:%M:%S", "EPOCH", "epoch", "{^LN-BEG}EPOCH",
    "^EPOCH", "LEPOCH", "{^LN-BEG}LEPOCH", "^LEPOCH", "TAI64N", "^TAI64N",
    "{^LN-BEG}TAI64N", "{NONE}", "{none}", "%ExY-%Exm-%Exd", "%%%Y", "%Y%%",
    "{UNB}%Y-%m-%d", "**%Y**", "(?i)%Y", "%Y$", "^%Y", "(?:^%Y)", r"\[%Y\]",
    "%d.%m.%Y %H:%M", "%a %A %B %p %I", "%j %w %U %W %G %V %u", "%c", "%x %X",
    "%k %l", "%y-%m-%d", "%Exy %ExH:%ExM:%ExS", "%z %Z %Exz %ExZ", "%f",
    r"^\[{EPOCH}\]", "{LEPOCH}", r"audit\({EPOCH}", "{^LN-BEG}%Y-%m-%d",
    "(%Y", "%Y-(?P<x>%m)", "%Y\\$", r"%H:%M:%S\b", r"%Y\s", "{^LN-BEG}^%Y",
    "%q %Y", "%(foo)s", "%-d", "%Y %", "%Y %q",
]


def dump(dd):
    out = []
    for t in dd.templates:
        out.append({
            "name": t.name,
            "regex": t.regex,
            "flags": t.flags,
            "weight": t.template.weight,
            "pattern": getattr(t, "pattern", None),
        })
    return out


def one(p):
    """One pattern in a fresh process (fail2ban caches templates per process)."""
    dd = DateDetector()
    ent = {"pattern": p}
    try:
        dd.appendTemplate(p)
        ent["templates"] = dump(dd)
    except Exception as e:  # record the message as fail2ban-regex prints it
        ent["error"] = str(e)
        ent["error_type"] = type(e).__name__
    return ent


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(sys.argv[2])))
        return 0
    res = {"year": datetime.datetime.now().year, "defaults": None, "patterns": []}
    dd = DateDetector()
    dd.addDefaultTemplate()
    res["defaults"] = dump(dd)
    for p in PATTERNS:
        out = subprocess.run([sys.executable, __file__, "--one", p], check=True,
                             capture_output=True, text=True).stdout
        res["patterns"].append(json.loads(out))
    out = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "date", "templates.json")
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
