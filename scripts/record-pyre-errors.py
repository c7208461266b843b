#!/usr/bin/python3
"""Record Python 3.11 `re.compile` outcomes (accept / exact error) and search
spans for the pyre tests. Run with Debian's /usr/bin/python3 (3.11.2, the
interpreter fail2ban uses):

    /usr/bin/python3 scripts/record-pyre-errors.py

Writes src/pyre/testdata/python-compile.jsonl and python-search.jsonl.
Spans are converted to UTF-8 byte offsets."""
import json, os, re, sys, warnings

warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(__file__), "..", "src", "pyre", "testdata")

FLAGS = {"i": re.I, "m": re.M, "s": re.S, "x": re.X, "a": re.A}

def flagbits(f):
    b = 0
    for c in f:
        b |= FLAGS[c]
    return b

NASTY = r"""
a
(
)
a)
(a
(?
(?P
(?P<
(?P<>a)
(?P<1a>x)
(?P<a b>x)
(?P<a>x)(?P<a>y)
(?P=a)
(?P<a>x)(?P=a)
(?P<a>x(?P=a))
(?P<a>(?P=b))
(?P=)
(?P=a
(?Px)
(?Q)
(?<x)
(?<=a|bc)
(?<=ab|cd)
(?<=a*)
(?<=a{2})
(?<=\w)x
(?<!^)x
(?<=(a))b
(a)(?<=\1)
(?<=(a)\1)
(?<=a(?(1)b|c))(a)
(?(1)a|b)
(?(1)a|b)(x)
(?(2)a|b)(x)
(?(0)a)
(?(-1)a)
(?(a)x)
(?(a-)x)
(?(1a)x)
(?(1)a|b|c)
(?(1)a
(?( 1)a)(x)
(?(+1)a)(x)
(?(1_0)a)
(?P<n>a)(?(n)b|c)
(?P<n>a(?(n)b|c))
(?#comment
(?#comment)a
a(?#c)*
(?#c)*
*a
+
?
a**
a*+
a++
a?+
a*?+
a{2}{3}
a{2}*
a{
a{x}
a{1,2
{1,2}
x{}
a{,3}
a{3,}
a{3,2}
a{,}
a{4294967295}
a{4294967294}
a{99999999999999999999}
a{1,4294967295}
^*
$*
\b*
\A+
(?=a)*
(?:)*
(?i)a
a(?i)b
(?i)(?m)a
(?#x)(?i)a
(?:(?i)a)
x|(?i)y
(?i
(?i-
(?i-:a)
(?-i:a)
(?-:a)
(?i-i:a)
(?a-u:a)
(?au)a
(?L)a
(?u)a
(?x)a b # c
(?x)[ ]
(?t)a
(?t:a)
(?-t:a)
(?z)a
(?i)(?z:a)
(?-z:a)
(?i!a)
(?-1:a)
(?>a+)a
(?>a+)b
\
a\
\q
\a\f\n\r\t\v
\x
\x4
\x41
\u004
\u0041
\U0001F600
\U00110000
\N
\N{
\N{}
\N{LATIN SMALL LETTER A}
\0
\07
\077
\0777
\1
(a)\1
(a)\2
(a\1)
\8
\08
\18
\777
\400
(a)\11
\g<1>
\k<a>
\<a\>
\e
\z
\c
\p{L}
[
[]
[]]
[^]
[^]]
[a-
[a-]
[a-z]
[z-a]
[a-\d]
[\d-z]
[\w-]
[-a]
[a-z-0]
[\b]
[\A]
[\Z]
[\8]
[\0]
[\400]
[\x]
[\q]
[[]
[^[]
[a--b]
[a&&b]
[\]]
[\-]
[\N{X}]
[\u00e9-\u00ff]
[\U0010FFFF]
.
\.
a|b|c
a|
|a
()
(|)
((((((((((a))))))))))
(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)\11
\\
\/
\-
\_
\ 
\#
\%
\é
é
x\Z
\A\Z
(?P<é>a)
(?P<a·>x)
(?P<_>x)
(?P<ＡＢ>x)
(?P<a\b>x)
(?P<a
(?P<a>
(?P<a>a
(?(
(?(1
(?()a)
(?P=1)
(?i:a
[\d\s\w\D\S\W]
a{1}?
a{1,}+
(?x)a{1, 2}
(?x)a {2}
(?x)(?# c )a
(?x)#(
(?x)\#(
(?x)[#]
(?x)a#x
b
(?x:a b)c d
(?-x:a b)
(?s:.)
(?m:^a$)
(?ms)^.$
(?a:\w)
(?u:\w)
(?a)(?u:\w)
(?ia)k
(?<=^\[)x
(?<=\baudit\()x
\d{10,11}\b
(?=\b|\W|$)
"""

def nasty_patterns():
    out = []
    for line in NASTY.split("\n"):
        if line == "":
            continue
        out.append((line, ""))
    out += [("a\nb)", ""), ("a\n(", ""), ("x\n\n[z-a]", ""), ("(?x)\n  a \n )", ""), ("a b # c\n d", "x"),
            ("a$", "m"), ("(?i)A", "a"), ("(?u)a", "a"), ("A", "i"), ("[", "x"), ("\\", "x"),
            ("(?-x:a b)", "x"), (" (?i)a", "x"), (" #c\n(?i)a", "x"), ("\t(?i)a", ""),
            ("a\u00a0b", ""), ("(?x)a\u00a0b", ""), ("\ud800", ""), ("[\ud800-\udfff]", "")]
    return out

def filter_patterns():
    """The default date template regexes (which f2b's date module builds
    itself). fail2ban's filter files are not recorded here: they are GPL
    test data, read at test time (tests/sample_logs.rs compiles every stock
    regex of both versions through pyre)."""
    sys.path.insert(0, "/usr/lib/python3/dist-packages")
    out = []
    seen = set()
    # date templates
    from fail2ban.server.datedetector import DateDetector
    dd = DateDetector()
    dd.addDefaultTemplate()
    for t in dd.templates:
        r = t.regex if hasattr(t, "regex") else t.template.regex
        if (r, "") not in seen:
            seen.add((r, ""))
            out.append((r, ""))
    return out

def record_compile(items):
    rows = []
    for p, f in items:
        row = {"pattern": p, "flags": f}
        try:
            r = re.compile(p, flagbits(f))
            row["ok"] = True
            row["groups"] = r.groups
            row["groupindex"] = sorted(r.groupindex.items(), key=lambda kv: kv[1])
        except re.error as e:
            row.update(ok=False, type="error", msg=e.msg, pos=e.pos, str=str(e))
        except (OverflowError, ValueError) as e:
            row.update(ok=False, type=type(e).__name__, msg=str(e), pos=None, str=str(e))
        rows.append(row)
    return rows

def b(text, i):
    return len(text[:i].encode("utf-8", "surrogatepass"))

HOST = r"(?:\[?(?:(?:::f{4,6}:)?(?P<ip4>(?:\d{1,3}\.){3}\d{1,3})|(?P<ip6>(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):)))\]?|(?P<dns>[\w\-.^_]*\w))"
DATE = r"^(?:\W{0,2})?((?P<Y>20[012]\d)(?P<_sep>[-/.])(?P<m>0?[1-9]|1[0-2])(?P=_sep)(?P<d>[1-2]\d|[0 ]?[1-9]|3[0-1])(?:T|  ?)(?P<H>[0-1]?\d|2[0-3]):(?P<M>[0-5]?\d):(?P<S>[0-5]?\d|6[0-1])(?:[.,](?P<f>[0-9]{1,6}))?(?:\s*(?P<z>Z|UTC|GMT|[+-][01]\d(?::?\d{2})?))?)(?=\b|\W|$)"
EPOCH = r"((?:^|(?P<square>(?<=^\[))|(?P<selinux>(?<=\baudit\()))\d{10,11}\b(?:\.\d{3,6})?)(?:(?(selinux)(?=:\d+\)))|(?(square)(?=\])))(?=\b|\W|$)"

SEARCH = [
    # $ and ^ semantics
    (r"a$", "", ["a", "a\n", "a\n\n", "ab", "a\nb", "\na"]),
    (r"a$", "m", ["a", "a\n", "a\nb", "ba\n\n"]),
    (r"^", "m", ["", "\n", "a\n", "a\nb"]),
    (r"^$", "m", ["a\n", "\n\n", "a\n\nb"]),
    (r"(?m)x^", "", ["x\n"]),
    (r"\n^", "m", ["a\n"]),
    (r"a\Z", "", ["a", "a\n"]),
    (r"\Aa", "", ["ba", "a"]),
    (r"$", "", ["", "\n", "ab\n", "a\nb\n"]),
    (r".+$", "", ["ab\n", "a\nb\n", "ab\n\n"]),
    (r".", "", ["\n", "\na"]),
    (r".", "s", ["\n"]),
    (r"(?s:.)x.", "", ["\nx\n", "\nxy"]),
    # literals
    (r"\<a\>", "", ["<a>", "a"]),
    (r"a{", "", ["a{"]),
    (r"a{x}", "", ["a{x}"]),
    (r"{1,2", "", ["{1,2"]),
    (r"a{,2}b", "", ["aab", "b", "aaab"]),
    (r"x{}", "", ["x{}"]),
    (r"[^[]", "", ["[a"]),
    (r"[]a]+", "", ["]a]"]),
    (r"[\b]", "", ["\b"]),
    (r"\0\07\101", "", ["\x00\x07A"]),
    (r"#&~-", "", ["#&~-"]),
    # classes
    (r"\d+", "", ["x١٢3", "²3", "٣"]),
    (r"\d+", "a", ["١٢3"]),
    (r"\w+", "", ["é_x²Ⅷ", "a\u0301b", "‿"]),
    (r"\w+", "a", ["éa"]),
    (r"\s+", "", ["a\x1c\x1d\x85\u00a0\u2028b", "\u200b"]),
    (r"\s+", "a", ["\x1c \t"]),
    (r"\S+", "", ["a b"]),
    (r"\W+", "", ["é-- x"]),
    (r"[\w\-.^_]*\w", "", ["host-1.example_x"]),
    (r"[^\d\s]+", "", ["12 ab3"]),
    # word boundaries
    (r"\bfoo\b", "", ["a foo b", "afoo", "foo"]),
    (r"\Bo\B", "", ["foo", "o"]),
    (r"\b\w+\b", "a", ["éa b"]),
    # ignorecase
    (r"abc", "i", ["xABC"]),
    (r"[a-c]+", "i", ["ABCd"]),
    (r"(?i)k", "", ["\u212a"]),
    (r"(?ai)k", "", ["\u212a", "K"]),
    (r"(?i:a)b", "", ["Ab", "AB"]),
    (r"a(?i:b)c", "", ["aBc", "ABc"]),
    (r"(?i)a(?-i:b)c", "", ["AbC", "ABC"]),
    (r"[^a]", "i", ["A", "b"]),
    (r"(?i)(a)\1", "", ["aA"]),
    # groups, leftmost-first
    (r"(a|ab)(c|bcd)(d*)", "", ["abcd"]),
    (r"(a+)(a*)", "", ["aaa"]),
    (r"(a+?)(a*)", "", ["aaa"]),
    (r"(a*)+", "", ["b", "aa"]),
    (r"(a*)*", "", ["b", "aa"]),
    (r"(a|)+", "", ["aa"]),
    (r"(?:(a)|b)+", "", ["ab"]),
    (r"(a)|(b)", "", ["b"]),
    (r"(?P<x>a)(?P<y>b)?", "", ["a", "ab"]),
    (r"(\w+)\s+\1", "", ["hello hello", "ab abc"]),
    (r"(?P<q>['\"]).*?(?P=q)", "", ["say 'hi' \"x\""]),
    (r"(a)?(?(1)b|c)", "", ["ab", "c", "ac"]),
    (r"(?P<n>a)?(?(n)b)c", "", ["abc", "c", "ac"]),
    (r"(?(2)x|y)(a)(b)?", "", ["yab", "ya"]),
    (r"(?=(\w+))\w", "", ["abc"]),
    (r"(?!a)\w", "", ["ab"]),
    (r"(?<=a)b", "", ["ab", "cb"]),
    (r"(?<!a)b", "", ["ab", "cb"]),
    (r"(?<=ab|cd)e", "", ["cde"]),
    (r"(?<=\w)x", "", ["éx"]),
    (r"(?>a+)b", "", ["aab"]),
    (r"(?>a+)a", "", ["aaa"]),
    (r"a++a", "", ["aaa"]),
    (r"a*+b", "", ["aab"]),
    (r"(a)*+", "", ["aa"]),
    (r"a{2,3}?", "", ["aaaa"]),
    (r"x*", "", ["", "axx"]),
    (r"\ufb01", "i", ["\ufb01", "FI"]),
    (r"ß", "i", ["ẞ", "SS"]),
] + [
    # fail2ban tag expansion and date template regexes
    (HOST, "", ["1.2.3.4", "::ffff:10.0.0.1", "[2001:db8::1]", "fe80::", "host-1.example.com", "é.x"]),
    (DATE, "", ["2023-01-02 03:04:05,123 x", "x 2023/1/2T3:04:05Z\n", "2023-13-02 03:04:05"]),
    (EPOCH, "", ["1700000000.123 x\n", "[1700000000] y\n", "audit(1700000000.123:45): z\n", "audit(1700000000.123) z\n"]),
    (r"(?iu)(?:DAY|MON)x", "", ["monx"]),
    (r"(?i:LOGIN|AUTH)=(\S+)", "", ["login=x", "Auth=y"]),
    (r"^(?P<a>\d+)(?:\n(?P<skip>(?:.*\n)*?))?x$", "m", ["12\nfoo\nbar\nx\n", "12x\n"]),
]

def record_search(items):
    rows = []
    for p, f, texts in items:
        r = re.compile(p, flagbits(f))
        for t in texts:
            for pos, endpos in [(0, None)] + ([(1, None), (0, len(t) - 1)] if len(t) > 1 else []):
                m = r.search(t, pos) if endpos is None else r.search(t, pos, endpos)
                row = {"pattern": p, "flags": f, "text": t, "pos": b(t, pos),
                       "endpos": b(t, len(t) if endpos is None else endpos)}
                row["spans"] = None if m is None else [
                    None if m.span(i)[0] < 0 else [b(t, m.span(i)[0]), b(t, m.span(i)[1])]
                    for i in range(r.groups + 1)]
                rows.append(row)
    return rows

def dump(name, rows):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")

def main():
    assert sys.version_info[:2] == (3, 11), sys.version
    items = nasty_patterns() + filter_patterns()
    crow = record_compile(items)
    # Surrogates cannot be carried in a Rust str: keep them out of the data.
    crow = [r for r in crow if not any(0xd800 <= ord(c) <= 0xdfff for c in r["pattern"])]
    dump("python-compile.jsonl", crow)
    dump("python-search.jsonl", record_search(SEARCH))
    print(len(crow), "compile rows,", sum(r["ok"] for r in crow), "accepted")

main()
