#!/usr/bin/python3
"""Record what fail2ban 1.0.2's DateDetector does, line by line, as facts for
f2b's date tests.  Run with /usr/bin/python3 (it sets TZ itself); it imports
the installed fail2ban only to observe it.

Every scenario runs in a fresh process (fail2ban caches templates and their
match counters per process), with now fixed to 1124013600 (as fail2ban's
test suite does) and TZ=CET-01CEST-02,M3.5.0,M10.5.0.

Usage:
  record-date-lines.py                      our own lines -> tests/data/date/lines.json
  record-date-lines.py --corpus DIR --out F fail2ban's sample logs under DIR
                                            (../shared/compat) -> F; the date
                                            tests run this at test time, so
                                            fail2ban's logs are never copied
                                            into the repository
"""
import glob
import json
import os
import subprocess
import sys

TZ = "CET-01CEST-02,M3.5.0,M10.5.0"
NOW = 1124013600
HERE = os.path.dirname(os.path.abspath(__file__))
def logdirs(compat):
    return [
        os.path.join(compat, "fail2ban-1.0.2/tests-files/logs"),
        os.path.join(compat, "fail2ban-upstream/tests-files/logs"),
    ]
MAX_LINES = 150

SYNTH = [
    "2005-03-27 02:30:00 gap",
    "2005-03-27 01:59:59 before gap",
    "2005-10-30 02:30:00 fold",
    "2005-10-30 01:30:00 fold-1",
    "2005-10-30 03:30:00 after fold",
    "2005-02-30 10:00:00 feb 30",
    "2005-08-14 12:00:60 second 60",
    "2004-02-29 10:00:00 leap",
    "Aug 14 12:00:01 host future within a day",
    "Aug 15 13:00:01 host future more than a day",
    "Feb 29 10:00:00 host feb 29 no year",
    "Dec 31 23:00:00 host last year",
    "Jan  1 00:00:00 host new year",
    "Jul 4, 2005 1:02:03 PM tomcat",
    "Jul 4, 2005 12:02:03 AM tomcat",
    "Jul 4, 2005 12:02:03 PM tomcat",
    "[14/Aug/2005:11:59:59 +0200] apache",
    "[14/Aug/2005:11:59:59 -0000] apache",
    "[14/Aug/2005:11:59:59 +02:30] apache",
    "14-08-05 10:00:00 two digit year",
    "14/08/2005 10:00:00 slash",
    "050814 10:00:00 mysql",
    "20050814T100000 compact",
    "20050814 100000.123+0100 compact zone",
    "2005-08-14T10:00:00Z iso utc",
    "2005-08-14T10:00:00.123456+05:45 iso frac",
    "2005.08.14 10:00:00 syslog-ng",
    "2005/08/14 10:00:00 slash",
    "2005-08/14 10:00:00 mixed sep",
    "PDT Aug 14 10:00:00 monit",
    "CEST Aug 14 10:00:00 monit",
    "ERROR Aug 14 10:00:00 monit unknown zone",
    "Error Aug 14 10:00:00 monit invalid zone",
    "+0300 Aug 14 10:00:00 offset prefixed",
    "Sun Aug 14 10:00:00.123 2005 asctime",
    "Sun Aug 14 2005 10:00:00 asctime year first",
    "1124013600 epoch",
    "[1124013600.123] epoch square",
    "type=USER_LOGIN msg=audit(1124013600.456:123): selinux",
    "@4000000042ff2c2c0b2c35e4 tai64n",
    "<08/14/05@10:00:00> bracket",
    "Aug-14-05 10:00:00 assp",
    "08/14/2005:10:00:00 cpanel",
    "08-14-2005 10:00:00.252 dashed",
    "12:34:56 only time",
    "23:59:59 only time late",
    "no date at all",
    "x 2005-08-14 10:00:00 not at begin",
    "id 1234 2005-08-14 10:00:00 later",
    "caf\u00e9 \u00fcber 2005-08-14 10:00:00 unicode before",
    "\u00e9\u00e9 Aug 14 10:00:00 unicode",
    "2005-08-14 10:00:00",
    "2005-08-14 10:00:00",
    "srv 2005-08-14 10:00:01 x",
    "srv 2005-08-14 10:00:02 x",
    "srv2 2005-08-14 10:00:03 x",
    "srv 2005-08-14 10:00:04 x",
]

PATTERN_LINES = [
    ("%d/%b/%Y:%H:%M:%S %z", ["127.0.0.1 - - [14/Aug/2005:11:59:59 +0200] GET", "x [14/aug/2005:11:59:59 -0100] y", "[31/Sep/2005:11:59:59 +0200]", "nothing"]),
    ("^%b %d %H:%M:%S", ["Aug 14 11:59:59 host sshd", "aug 14 11:59:59 host", "host Aug 14 11:59:59", "Dec 24 10:00:00 x"]),
    ("{^LN-BEG}", None),
    ("{DEFAULT}", SYNTH[:20]),
    ("EPOCH", ["1124013600 x", "[1124013600.5] y", "audit(1124013600.123:45): z", "x 1124013600 y", "12345678901 z"]),
    ("^EPOCH", ["1124013600 x", "[1124013600.5] y", "x 1124013600"]),
    ("LEPOCH", ["1124013600123 ms", "1124013600123456 us", "1124013600123.5 ms-frac", "1124013600 s"]),
    ("TAI64N", ["@4000000042ff2c2c0b2c35e4 x", "x @4000000042ff2c2c0b2c35e4 y"]),
    ("{NONE}", ["some line", "2005-08-14 10:00:00 x"]),
    ("%ExY-%Exm-%Exd %ExH:%ExM:%ExS", ["2005-08-14 10:00:00 x", "1999-08-14 10:00:00 x", "2005-8-14 10:00:00"]),
    ("%%%Y-%m-%d", ["%2005-08-14 x", "2005-08-14 x"]),
    ("^[^\\[]*\\[({DATE})", ["host [2005-08-14 10:00:00] x", "host [Aug 14 10:00:00] y", "host [1124013600] z"]),
    ("^{DATE}", ["2005-08-14 10:00:00 x", " 2005-08-14 10:00:00 y", "Aug 14 10:00:00 z"]),
    ("%Y-%m-%d %H:%M:%S\n%b %d %H:%M:%S", ["2005-08-14 10:00:00 x", "Aug 14 10:00:00 y", "x Aug 14 10:00:00"]),
    ("%j %Y %H:%M", ["226 2005 10:00 x", "366 2004 10:00", "366 2005 10:00"]),
    ("%a %U %Y", ["Sun 32 2005 x", "Mon 00 2005"]),
    ("%A %W %Y", ["Sunday 32 2005 x"]),
    ("%m/%Y", ["08/2005 month without day"]),
    ("%H:%M:%S", ["23:00:00 x", "10:00:00 y"]),
    ("%Exz %H:%M", ["CET+0100 10:00", "UTC 10:00", "JST 10:00", "QQQ 10:00"]),
]

TZ_CASES = [
    ("UTC+0200", SYNTH),
    ("-0400", ["2005-08-14 10:00:00 x", "Aug 14 10:00:00 y", "[14/Aug/2005:11:59:59 +0200]"]),
    ("CET", ["2005-08-14 10:00:00 x", "Dec 31 23:30:00 y"]),
]


def run_scenario(sc):
    from fail2ban.server.mytime import MyTime
    from fail2ban.server.datedetector import DateDetector
    MyTime.setTime(NOW)
    dd = DateDetector()
    if sc.get("tz"):
        dd.default_tz = sc["tz"]
    if sc.get("pattern") is not None:
        for p in filter(bool, map(str.strip, sc["pattern"].split("\n"))):
            dd.appendTemplate(p)
    rows = []
    for line in sc["lines"]:
        m, tpl = dd.matchTime(line)
        row = {}
        if m:
            s, e = m.start(1), m.end(1)
            b = lambda i: len(line[:i].encode("utf-8"))
            row["span"] = [b(s), b(e)]
            row["mspan"] = [b(m.start()), b(m.end())]
            row["tpl"] = tpl.name
            if e > s:
                try:
                    d = dd.getTime(line[s:e], (m, tpl))
                    if d is None:
                        row["err"] = "ValueError"
                    else:
                        row["time"] = repr(d[0])
                        row["int"] = isinstance(d[0], int)
                except Exception as ex:
                    row["err"] = type(ex).__name__
        rows.append(row)
    table = [[t.name, t.hits, "%.3f" % t.weight, t.template.hits] for t in dd.templates]
    return {"rows": rows, "table": table}


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        out = []
        for line in f:
            line = line.rstrip("\r\n")
            if line:
                out.append(line)
            if len(out) >= MAX_LINES:
                break
    return out


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--one":
        sc = json.loads(sys.stdin.read())
        print(json.dumps(run_scenario(sc)))
        return 0
    scenarios = []
    if len(sys.argv) == 5 and sys.argv[1] == "--corpus" and sys.argv[3] == "--out":
        compat, dest = sys.argv[2], sys.argv[4]
        dirs = logdirs(compat)
        seen = set()
        for d in dirs:
            for p in sorted(glob.glob(os.path.join(d, "*"))):
                if not os.path.isfile(p):
                    continue
                lines = read_lines(p)
                key = "\n".join(lines)
                if key in seen or not lines:
                    continue
                seen.add(key)
                scenarios.append({"name": os.path.relpath(p, compat), "pattern": None, "lines": lines})
        for pat, lines in PATTERN_LINES:
            if lines is None:
                for name in ("asterisk", "sshd", "apache-auth", "monit"):
                    p = os.path.join(dirs[0], name)
                    scenarios.append({"name": "pattern %s on %s" % (pat, name), "pattern": pat, "lines": read_lines(p)})
    elif len(sys.argv) == 1:
        dest = os.path.join(HERE, "..", "tests", "data", "date", "lines.json")
        scenarios.append({"name": "synthetic", "pattern": None, "lines": SYNTH})
        for pat, lines in PATTERN_LINES:
            if lines is not None:
                scenarios.append({"name": "pattern %r" % pat, "pattern": pat, "lines": lines})
        for tz, lines in TZ_CASES:
            scenarios.append({"name": "tz %s" % tz, "pattern": None, "tz": tz, "lines": lines})
    else:
        print(__doc__, file=sys.stderr)
        return 2
    env = dict(os.environ, TZ=TZ)
    for sc in scenarios:
        out = subprocess.run([sys.executable, __file__, "--one"], input=json.dumps(sc), env=env,
                             check=True, capture_output=True, text=True).stdout
        sc.update(json.loads(out))
    with open(dest, "w") as f:
        json.dump({"tz": TZ, "now": NOW, "scenarios": scenarios}, f, indent=0, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
