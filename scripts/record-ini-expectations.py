#!/usr/bin/python3
"""Records the oracle values used by src/ini/tests.rs and
src/config/parser_tests.rs.

Every case is run through the installed fail2ban 1.0.2
(`fail2ban.client.configparserinc.SafeConfigParserWithIncludes`, i.e. Python
3.11 `configparser` with fail2ban's options and interpolation).  Files are
written byte-exact into a temporary directory and read from there (relative
name `t.conf`, or `a.conf`, `b.conf`, ... for multi-file cases), so line
endings go through Python's universal-newline reading exactly as fail2ban's
`read(..., encoding='utf-8')` does.

Output: one block per case, values printed as Rust string literals so they can
be pasted into the tests unchanged.

Usage: /usr/bin/python3 scripts/record-ini-expectations.py [CASE...]
"""

import os
import sys
import tempfile

from fail2ban.client.configparserinc import SafeConfigParserWithIncludes
from fail2ban.helpers import _as_bool


def rust(s):
    """A Rust string literal for `s` (or `None`)."""
    if s is None:
        return "None"
    out = ['"']
    for c in s:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif 0x20 <= ord(c) < 0x7F:
            out.append(c)
        else:
            out.append("\\u{%x}" % ord(c))
    out.append('"')
    return "".join(out)


def in_tmp(files, fn):
    """Writes `files` ({name: text}) into a temp dir, runs fn() there."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as d:
        os.chdir(d)
        try:
            for name, text in files.items():
                with open(name, "wb") as f:
                    f.write(text.encode("utf-8"))
            return fn()
        finally:
            os.chdir(old)


def dump_parser(p):
    lines = ["  DEFAULT:"]
    for k, v in p.get_defaults().items():
        lines.append("    %s => %s" % (rust(k), rust(v)))
    for name, sec in p.get_sections().items():
        lines.append("  section %s:" % rust(name))
        for k, v in sec.items():
            lines.append("    %s => %s" % (rust(k), rust(v)))
    return lines


def err(e):
    return "  !! %s: %s" % (type(e).__name__, rust(str(e)))


# ---------------------------------------------------------------- parse cases
# One file, read the way fail2ban reads each file of its list
# (`read(name, get_includes=False)`): raw values of DEFAULT and each section.

PARSE = {
    "inline_comments": (
        "[s] ;header comment\n"
        "port = 5060 # sip\n"
        "a = x ;comment\n"
        "b = a;b\n"
        "c = x\t;tab comment\n"
        "; column 0 comment\n"
        "d = ;all comment\n"
        "e = #not a comment\n"
        "failregex = ^foo;bar #x ;c\n"
    ),
    "comment_lines_in_continuation": (
        "[s]\n"
        "failregex = ^a$\n"
        "# hash at column 0\n"
        "    ; indented semicolon\n"
        "  # indented hash\n"
        "            ^b$\n"
        ";\n"
        "            ^c$ ; inline\n"
        "next = 1\n"
    ),
    "continuation_and_blank_lines": (
        "[s]\n"
        "a = 1\n"
        "\n"
        "  2\n"
        "   \n"
        "\n"
        "      3\n"
        "\n"
        "\n"
        "b = x\n"
        "   y   \n"
        "\n"
        "c =\n"
        "  first\n"
        "  second\n"
        "d = last\n"
        "\n"
    ),
    "tabs_count_as_one": (
        "[s]\n"
        "        a = 1\n"
        "\t\tb = 2\n"
        "\t\t\tc\n"
        "  d = 3\n"
    ),
    "blank_line_keeps_indent": (
        "[s]\n"
        "    a = 1\n"
        "\n"
        "     deeper after blank\n"
        "    b = 2\n"
        "  c = 3\n"
        "   cont of c\n"
    ),
    "keys_and_sections_case": (
        "[Sec]\n"
        "FailRegex = X\n"
        "[sec]\n"
        "failregex = y\n"
        "[default]\n"
        "k = not the defaults\n"
        "[DEFAULT]\n"
        "KeY = d\n"
    ),
    "first_delimiter_splits": (
        "[s]\n"
        "a:b = c\n"
        "d=e:f\n"
        "g   :   h = i\n"
        "j=\n"
        "k :\n"
    ),
    "section_header_greedy": (
        "[a] trailing\n"
        "x = 1\n"
        "[a]b]\n"
        "x = 2\n"
        "[ c ]\n"
        "x = 3\n"
        "[]]\n"
        "x = 4\n"
        "[d] # c\n"
        "x = 5\n"
    ),
    "duplicate_option": "[s]\na = 1\nA = 2\n",
    "duplicate_section": "[s]\na = 1\n[t]\n[s]\nb = 2\n",
    "duplicate_default_header": (
        "[DEFAULT]\na = 1\n[s]\nx = 1\n[DEFAULT]\nb = 2\n"
    ),
    "duplicate_option_in_second_default": (
        "[DEFAULT]\na = 1\n[s]\n[DEFAULT]\na = 2\n"
    ),
    "missing_section_header": "\n# c\na = 1\n[s]\n",
    "parsing_errors": "[s]\nfoo\na = 1\n  cont\nbar baz\n= x\nlast",
    "duplicate_after_parse_error": "[s]\nfoo\na = 1\na = 2\n",
    "crlf": "[s]\r\na = 1\r\n  2\r\n\r\n  3\r\nb = x\r\n",
    "lone_cr": "[s]\ra = 1\r  2\rb = x\ry = 2",
    "crlf_parse_error": "[s]\r\nbad line\r\n",
    "lone_cr_duplicate": "[s]\ra = 1\rb = 2\ra = 3\r",
    "bom": "\ufeff[s]\na = 1\n",
    "bom_before_comment": "\ufeff# comment\n[s]\na = 1\n",
    "unicode_whitespace": (
        "[s]\n"
        "a =\u00a0x\u00a0\n"
        "\u00a0\u00a0y\n"
        "b\u00a0= 1\u001c\n"
        "\u001ccont\n"
        "c = v\u00a0;comment\n"
        "d = \u200bz\u200b\n"
        "e = \u3000w\u2028\n"
    ),
    "no_newline_at_end": "[s]\na = 1\n  2",
}


def run_parse(name):
    text = PARSE[name]

    def go():
        p = SafeConfigParserWithIncludes()
        try:
            p.read("t.conf", get_includes=False)
        except Exception as e:  # noqa: BLE001 - we record any error
            return [err(e)]
        return dump_parser(p)

    return in_tmp({"t.conf": text}, go)


# -------------------------------------------------------- interpolation cases
# (files, [ops]); files are read with `read([a.conf, b.conf, ...])` when
# there are several (fail2ban's merge), with `read(t.conf,
# get_includes=False)` when there is one.  An op is
# ("get", section, option, vars) or ("get_ex", section, option, vars) or
# ("sections",).

CHAIN = "".join("v%d = %%(v%d)s\n" % (i, i + 1) for i in range(12)) + "v12 = end\n"

INTERP = {
    "percent_escape": (
        ["[s]\na = 100%%\nb = %%(a)s\nc = %%%(a)s\n"],
        [("get", "s", "a", None), ("get", "s", "b", None), ("get", "s", "c", None)],
    ),
    "nested": (
        ["[DEFAULT]\nc = C\n[s]\na = <%(b)s>\nb = [%(c)s|%(C)s]\n"],
        [("get", "s", "a", None), ("get", "s", "A", None)],
    ),
    "depth_limit": (
        ["[s]\n" + CHAIN + "self = x%(self)s\n"],
        [("get", "s", "v2", None), ("get", "s", "v1", None),
         ("get", "s", "v0", None), ("get", "s", "self", None)],
    ),
    "missing_key": (
        ["[s]\na = x %(nope)s\nb = y%(a)s\n"],
        [("get", "s", "a", None), ("get", "s", "b", None)],
    ),
    "bad_syntax": (
        ["[s]\n"
         "a = x%(y\n"
         "b = x%y\n"
         "c = 100%\n"
         "d = %(y)d\n"
         "e = %()s\n"
         "y = 1\n"
         "f = <%(g)s>\n"
         "g = %z\n"],
        [("get", "s", k, None) for k in "abcdef"],
    ),
    "name": (
        ["[DEFAULT]\nn = %(__name__)s\n[jail1]\nx = 1\n[Definition]\nm = <%(n)s>\n"],
        [("get", "jail1", "n", None), ("get", "Definition", "m", None),
         ("get", "DEFAULT", "n", None)],
    ),
    "known_after_override": (
        ["[DEFAULT]\nbantime = 10\n[j]\nbantime = 20\nother = o\n",
         "[j]\nbantime = %(known/bantime)s*2\n"],
        [("get", "j", "bantime", None), ("get_ex", "j", "known/bantime", None),
         ("sections",)],
    ),
    "known_last_override": (
        ["[j]\nbantime = 20\n",
         "[j]\nbantime = 30\n",
         "[j]\nbantime = %(known/bantime)s+1\n"],
        [("get", "j", "bantime", None)],
    ),
    "known_twice_self": (
        ["[j]\nbantime = 20\n",
         "[j]\nbantime = %(known/bantime)s*2\n",
         "[j]\nbantime = %(known/bantime)s+1\n"],
        [("get", "j", "bantime", None)],
    ),
    "known_falls_back_to_default": (
        ["[DEFAULT]\nbantime = 10\n[j]\nx = 1\n",
         "[j]\nbantime = %(known/bantime)s*2\n[k]\nbantime = %(known/bantime)s*3\n"],
        [("get", "j", "bantime", None), ("get", "k", "bantime", None),
         ("sections",)],
    ),
    "known_in_default_recurses": (
        ["[DEFAULT]\nbantime = 10\n[j]\nx = 1\n",
         "[DEFAULT]\nbantime = %(known/bantime)s*2\n"],
        [("get", "j", "bantime", None), ("get", "DEFAULT", "bantime", None)],
    ),
    "default_reinterpolated": (
        ["[DEFAULT]\nport = 0:65535\naction_ = ban[port=\"%(port)s\"]\n"
         "[asterisk]\nport = 5060\naction = %(default/action_)s\n"
         "[other]\naction = %(default/action_)s\n"],
        [("get", "asterisk", "action", None), ("get", "other", "action", None),
         ("get_ex", "asterisk", "default/action_", None)],
    ),
    "other_section": (
        ["[DEFAULT]\nonlydef = D\n"
         "[lt_file]\ndatepattern = {^LN-BEG}\nx = %(__name__)s\n"
         "[Definition]\n"
         "dp = %(lt_file/datepattern)s\n"
         "fromdef = %(lt_file/onlydef)s\n"
         "nosec = %(nosec/x)s\n"
         "name = %(lt_file/x)s\n"],
        [("get", "Definition", "dp", None), ("get", "Definition", "fromdef", None),
         ("get", "Definition", "nosec", None), ("get", "Definition", "name", None),
         ("get_ex", "Definition", "lt_file/datepattern", None),
         ("get_ex", "Definition", "lt_file/nope", None)],
    ),
    "nested_default_reference": (
        ["[DEFAULT]\nx = D\n[s]\nx = S\na = (%(b)s)\nb = <%(default/x)s|%(x)s>\n"],
        [("get", "s", "a", None), ("get", "s", "b", None)],
    ),
    "vars_precedence": (
        ["[DEFAULT]\nport = D\nboth = D\n[s]\nport = S\nuse = p=%(port)s\nnone = %(nothing)s\n"],
        [("get", "s", "port", {"port": "V"}), ("get", "s", "use", {"port": "V"}),
         ("get", "s", "both", {"both": "V"}), ("get", "s", "port", None),
         ("get", "s", "port", {"port": None}), ("get", "s", "use", {"port": None}),
         ("get", "s", "none", {"nothing": "%(port)s"}),
         ("get", "s", "use", {"port": "%(both)s"})],
    ),
    "conditional_sections": (
        ["[Init]\na = 1\n[Init?family=inet6]\na = 2\nb = 3\n",
         "[Init?family=inet6]\nb = 4\n"],
        [("sections",), ("get", "Init", "a?family=inet6", None),
         ("get", "Init", "b?family=inet6", None)],
    ),
    "trap_hash_semicolon_regex": (
        ["[Definition]\nfailregex = ^user (?P<u>\\S+);#1 ; comment\n"
         "            ^x #y;z ;tail\n"
         "enabled = 1 # on\nban = yes ; really\nflag = ture\nother = True\n"],
        [("get", "Definition", "failregex", None), ("bool", "Definition", "enabled"),
         ("bool", "Definition", "ban"), ("bool", "Definition", "flag"),
         ("bool", "Definition", "other")],
    ),
    "trap_duplicates_merge_across_files": (
        ["[DEFAULT]\nbantime = 1\n[j]\nmaxretry = 3\n",
         "[DEFAULT]\nbantime = 2\n[j]\nmaxretry = 5\n"],
        [("get", "j", "maxretry", None), ("get", "j", "bantime", None),
         ("sections",)],
    ),
}


def run_interp(name):
    texts, ops = INTERP[name]
    if len(texts) == 1:
        files = {"t.conf": texts[0]}
    else:
        files = {"%s.conf" % chr(ord("a") + i): t for i, t in enumerate(texts)}

    def go():
        p = SafeConfigParserWithIncludes()
        try:
            if len(texts) == 1:
                p.read("t.conf", get_includes=False)
            else:
                p.read(sorted(files))
        except Exception as e:  # noqa: BLE001
            return [err(e)]
        out = []
        for op in ops:
            if op[0] == "sections":
                out.append("  sections = [%s]" % ", ".join(
                    rust(n) for n in p.get_sections()))
                for n, s in p.get_sections().items():
                    out.append("    %s: {%s}" % (rust(n), ", ".join(
                        "%s: %s" % (rust(k), rust(v)) for k, v in s.items())))
                continue
            if op[0] == "bool":
                v = p.get(op[1], op[2])
                out.append("  bool %s/%s: %s -> %s" % (op[1], op[2], rust(v), _as_bool(v)))
                continue
            kind, sec, opt, vars_ = op
            label = "  %s(%s, %s, vars=%r)" % (kind, rust(sec), rust(opt), vars_)
            try:
                if kind == "get":
                    v = p.get(sec, opt, vars=vars_)
                else:
                    v = p.get_ex(sec, opt, vars=vars_ or {})
                out.append("%s = %s" % (label, rust(v)))
            except Exception as e:  # noqa: BLE001
                out.append(label)
                out.append("  " + err(e))
        return out

    return in_tmp(files, go)


def main(argv):
    wanted = argv[1:]
    for table, runner in ((PARSE, run_parse), (INTERP, run_interp)):
        for name in table:
            if wanted and name not in wanted:
                continue
            print("== %s" % name)
            for line in runner(name):
                print(line)


if __name__ == "__main__":
    main(sys.argv)
