#!/usr/bin/env python3
"""Generate aws-auth ConfigMaps whose nested sections are broken in varied ways.

Usage:
    scripts/gen_parse_errors.py [OUT_DIR] [--count N] [--seed S]
                                [--record ORACLE.jsonl] [--oracle PATH]

Writes OUT_DIR/case-0001.yaml ... (default OUT_DIR: fixtures/parse-errors/cases, default
count 560), removing old case files first. Output depends only on --seed and --count: every
case draws from its own random.Random seeded with "<seed>:<case number>".

Each case is an aws-auth ConfigMap whose mapRoles (and sometimes mapUsers or mapAccounts)
is a small, valid nested document with one or two defects applied: tabs (in indentation,
before `- item`, after a key, inside flow collections, before comments, in block scalars),
bad indentation, unclosed single and double quotes, unclosed flow sequences and mappings,
stray colons, keys without a colon, unquoted templates, block sequences after mappings,
mappings after sequences, missing dashes, bad escapes, unknown aliases, characters that
cannot start a token, directives, document markers, long keys, control characters, Unicode
line breaks (NEL, LS, PS); some defects are harmless
(a tab after a key, a second document) so that not every case fails. The nested text is
written in the outer file as a literal block (`|`, `|-`), a double-quoted string with `\\n`
escapes (on one line, or folded over several lines with `\\` continuations as kubectl
writes it), or a JSON manifest, so that positions must be mapped
from the nested text back to the outer file.

The first line of a YAML case is a comment naming the defects.

--record writes what the Go oracle (../shared/oracle, on the authenticator's own YAML
libraries) prints for every case to ORACLE.jsonl, with paths relative to the repository
root, for tests/parse_errors.rs, which needs no Go. --oracle gives the oracle binary
(default: $AWSAUTH_ORACLE, else /tmp/awsauth-oracle, else built with ../shared/oracle/build).

Standard library only (Python 3.11).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = "fixtures/parse-errors/cases"
DEFAULT_COUNT = 560
DEFAULT_SEED = 20250611

ACCOUNTS = ["111122223333", "123456789012", "444455556666"]
ROLES = ["eks-node", "Admin", "ReadOnly", "ci-deployer", "platform/Operator", "KarpenterNode"]
USERS = ["alice", "bob", "ci-bot", "érin", "ops/carol"]
USERNAMES = ["admin", "ops:{{SessionName}}", "system:node:{{EC2PrivateDNSName}}", "viewer",
             "dev-{{AccountID}}", "érin"]
GROUPS = ["system:masters", "system:bootstrappers", "system:nodes", "view", "edit", "dev-team"]


# ---------------------------------------------------------------------------------------------
# Valid nested documents, as lists of lines

def scalar(rng: random.Random, text: str) -> str:
    """The value as a plain, single- or double-quoted YAML scalar."""
    r = rng.random()
    if r < 0.15:
        return "'" + text.replace("'", "''") + "'"
    if r < 0.3:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def entry(rng: random.Random, section: str, top: str, key: str) -> list[str]:
    """One mapRoles/mapUsers item: `top` indents the dash, `key` the keys after the first."""
    account = rng.choice(ACCOUNTS)
    if section == "mapRoles":
        first = f"rolearn: arn:aws:iam::{account}:role/{rng.choice(ROLES)}"
    else:
        first = f"userarn: arn:aws:iam::{account}:user/{rng.choice(USERS)}"
    lines = [f"{top}- {first}", f"{key}username: {scalar(rng, rng.choice(USERNAMES))}"]
    groups = rng.sample(GROUPS, rng.randint(1, 3))
    style = rng.random()
    if style < 0.4:
        lines.append(f"{key}groups:")
        lines += [f"{key}  - {scalar(rng, g)}" for g in groups]
    elif style < 0.6:
        # an indentless sequence under the key
        lines.append(f"{key}groups:")
        lines += [f"{key}- {g}" for g in groups]
    else:
        lines.append(f"{key}groups: [{', '.join(groups)}]")
    if rng.random() < 0.2:
        lines.insert(rng.randint(1, len(lines)), f"{key}# a comment")
    return lines


def document(rng: random.Random, section: str) -> list[str]:
    top = rng.choice(["", "", "  "])
    key = top + "  "
    lines: list[str] = []
    for _ in range(rng.randint(1, 4)):
        lines += entry(rng, section, top, key)
    if rng.random() < 0.15:
        lines.insert(0, "# managed by terraform")
    return lines


def accounts(rng: random.Random) -> list[str]:
    return [f"- \"{a}\"" if rng.random() < 0.5 else f"- {a}" for a in rng.sample(ACCOUNTS, 2)]


# ---------------------------------------------------------------------------------------------
# Defects: each takes the lines and a random source and returns the new lines, or None when it
# does not apply

def lines_where(lines, pred):
    return [i for i, l in enumerate(lines) if pred(l)]


def pick(rng, lines, pred, skip_first=True):
    c = [i for i in lines_where(lines, pred) if i > 0 or not skip_first]
    return rng.choice(c) if c else None


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def is_key(l: str) -> bool:
    s = l.strip()
    return ":" in s and not s.startswith("#") and not s.startswith("- ")


def d_tab_indent(rng, lines):
    i = pick(rng, lines, lambda l: indent_of(l) > 0)
    if i is None:
        return None
    n = indent_of(lines[i])
    how = rng.choice(["all", "prefix", "mixed"])
    rest = lines[i][n:]
    if how == "all":
        lines[i] = "\t" + rest
    elif how == "prefix":
        lines[i] = "\t" + lines[i]
    else:
        lines[i] = " " * (n // 2) + "\t" + rest
    return lines


def d_tab_dash(rng, lines):
    items = lines_where(lines, lambda l: l.lstrip(" ").startswith("- "))
    if not items:
        return None
    # one item, or every group item (the first offending line must be reported)
    chosen = [rng.choice(items)] if rng.random() < 0.5 else [i for i in items if i > 0] or items
    how = rng.choice(["after", "before", "instead"])
    for i in chosen:
        n = indent_of(lines[i])
        body = lines[i][n + 2:]
        if how == "after":
            lines[i] = " " * n + "-\t" + body
        elif how == "before":
            lines[i] = "\t" + lines[i]
        else:
            lines[i] = "\t" * max(1, n // 2) + "- " + body
    return lines


def d_tab_after_key(rng, lines):
    i = pick(rng, lines, is_key, skip_first=False)
    if i is None:
        return None
    k, v = lines[i].split(":", 1)
    lines[i] = k + rng.choice([":\t", "\t:", ": \t", ":\t\t"]) + v.lstrip(" ")
    return lines


def d_tab_in_flow(rng, lines):
    i = pick(rng, lines, lambda l: "[" in l and "]" in l, skip_first=False)
    if i is None:
        return None
    l = lines[i]
    lines[i] = rng.choice([l.replace(", ", ",\t"), l.replace("[", "[\t"), l.replace("]", "\t]"),
                           l.replace(": [", ":\t["), l.replace("[", "{\ta: [", 1) + "}"])
    return lines


def d_tab_comment(rng, lines):
    i = rng.randint(1, len(lines))
    lines.insert(i, rng.choice(["\t# a comment", "  \t# tab then comment", "\t"]))
    return lines


def d_tab_continuation(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith("username:"))
    if i is None:
        return None
    n = indent_of(lines[i])
    lines.insert(i + 1, rng.choice(["\tmore", " " * n + "\tmore", "\t\tmore"]))
    return lines


def d_block_scalar_tab(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith("username:"))
    if i is None:
        return None
    n = indent_of(lines[i])
    lines[i] = " " * n + "username: |"
    lines.insert(i + 1, rng.choice(["\tadmin", " " * (n + 2) + "admin\n\tmore", " " * (n + 1) + "\tadmin"]))
    return "\n".join(lines).split("\n")


def d_bad_indent(rng, lines):
    i = pick(rng, lines, lambda l: l.strip() and not l.strip().startswith("#"))
    if i is None:
        return None
    delta = rng.choice([-2, -1, 1, 2, 3])
    n = indent_of(lines[i])
    lines[i] = " " * max(0, n + delta) + lines[i][n:]
    return lines


def d_unclosed_quote(rng, lines):
    i = pick(rng, lines, lambda l: ": " in l and not l.rstrip().endswith(":"), skip_first=False)
    if i is None:
        return None
    k, v = lines[i].split(": ", 1)
    q = rng.choice(["'", '"'])
    v = v.strip("'\"")
    lines[i] = f"{k}: {q}{v}"
    if rng.random() < 0.2:
        # a document marker inside the open quote
        lines.insert(i + 1, rng.choice(["---", "..."]))
    return lines


def d_unclosed_flow(rng, lines):
    i = pick(rng, lines, lambda l: "[" in l and l.rstrip().endswith("]"), skip_first=False)
    if i is not None and rng.random() < 0.6:
        lines[i] = lines[i].rstrip()[:-1]
        return lines
    i = pick(rng, lines, lambda l: l.strip().startswith("username:"))
    if i is None:
        return None
    n = indent_of(lines[i])
    lines[i] = " " * n + rng.choice(["username: {name: x", "username: {a: b, c", "username: [x",
                                     "username: [a, {b: c]"])
    return lines


def d_stray_colon(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith(("username:", "- rolearn:", "- userarn:")),
             skip_first=False)
    if i is None:
        return None
    lines[i] = lines[i] + rng.choice([": x", ": ", " extra: y", ":"])
    return lines


def d_key_without_colon(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith("username:"))
    if i is None:
        return None
    n = indent_of(lines[i])
    v = lines[i].split(":", 1)[1].strip()
    lines[i] = " " * n + rng.choice(["username", f"username {v}", f"username={v}"])
    return lines


def d_unquoted_template(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith("username:"))
    if i is None:
        return None
    n = indent_of(lines[i])
    lines[i] = " " * n + "username: " + rng.choice([
        # only the authenticator's own templates: other `{{...}}` make the file a template
        # (Helm, Jinja) that awsauth does not lint
        "{{SessionName}}", "{{EC2PrivateDNSName}}", "{{SessionName}}-x", "{{AccessKeyID}}",
        "{{SessionName}} # a comment", "{{SessionName}}{{AccountID}}", "{{AccountID}}:{{SessionName}}",
        "{{SessionNameRaw}}, x", "[{{SessionName}}]", "{ {SessionName} }",
    ])
    return lines


def d_seq_after_map(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith("username:"))
    if i is None:
        return None
    n = indent_of(lines[i])
    lines.insert(i + 1, " " * n + rng.choice(["- extra", "- system:masters"]))
    return lines


def d_map_after_seq(rng, lines):
    i = rng.randint(1, len(lines))
    top = indent_of(lines[0]) if lines[0].lstrip().startswith("- ") else 0
    lines.insert(i, " " * top + rng.choice(["extra: value", "groups: [x]"]))
    return lines


def d_missing_dash(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith(("- rolearn:", "- userarn:")))
    if i is None:
        return None
    n = indent_of(lines[i])
    lines[i] = " " * (n + rng.choice([0, 2])) + lines[i][n + 2:]
    return lines


def d_bad_escape(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith("username:"), skip_first=False)
    if i is None:
        return None
    n = indent_of(lines[i])
    lines[i] = " " * n + "username: " + rng.choice(['"a\\qb"', '"\\x4"', '"\\u12"', '"ok\\ud800"',
                                                    '"tab\\tok"', '"\\e\\N"'])
    return lines


def d_alias(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith("username:"), skip_first=False)
    if i is None:
        return None
    n = indent_of(lines[i])
    lines[i] = " " * n + "username: " + rng.choice(["*missing", "&a x", "*a", "&a.b x", "& x", "!!str x",
                                                    "!e!x y", "!<tag:x> y"])
    return lines


def d_bad_start(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith("username:"), skip_first=False)
    if i is None:
        return None
    n = indent_of(lines[i])
    lines[i] = " " * n + "username: " + rng.choice(["@admin", "`admin`", "%admin", "|x", ">x"])
    return lines


def d_directive(rng, lines):
    return [rng.choice(["%YAML 1.2", "%YAML 1.1", "%FOO bar", "%TAG ! tag:x,2000:"]),
            rng.choice(["---", "--- # doc", "- x"])] + lines


def d_second_document(rng, lines):
    i = rng.randint(1, len(lines))
    lines[i:] = [rng.choice(["---", "..."])] + [l + "\t[" if j == 0 else l for j, l in enumerate(lines[i:])]
    return lines


def d_long_key(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith("username:"))
    if i is None:
        return None
    n = indent_of(lines[i])
    lines[i] = " " * n + "x" * rng.choice([1020, 1030]) + ": y"
    return lines


def d_complex_key(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith("username:"))
    if i is None:
        return None
    n = indent_of(lines[i])
    lines.insert(i, " " * n + rng.choice(["? a", "? [a, b]\n" + " " * n + ": c", "?"]))
    return "\n".join(lines).split("\n")


def d_control_char(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith("username:"), skip_first=False)
    if i is None:
        return None
    # the reader refuses the character as soon as it decodes the block holding it
    lines[i] = lines[i] + rng.choice(["\x01", "\x7f", "\x1b[0m", "\u0080"])
    if rng.random() < 0.5:
        lines.insert(rng.randint(0, i), rng.choice(["# " + "x" * 600, "  key: [open", "- a: b: c"]))
    return lines


def d_unicode_break(rng, lines):
    i = pick(rng, lines, lambda l: l.strip().startswith("username:"), skip_first=False)
    if i is None:
        return None
    # yaml.v2 counts NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR as line breaks
    lines[i] = lines[i] + rng.choice(["\u0085", "\u2028", "\u2029"]) + rng.choice(["x", "  y: z", "\tz", ""])
    return lines


DEFECTS = {
    "tab-indent": d_tab_indent, "tab-dash": d_tab_dash, "tab-after-key": d_tab_after_key,
    "tab-in-flow": d_tab_in_flow, "tab-comment": d_tab_comment,
    "tab-continuation": d_tab_continuation, "block-scalar-tab": d_block_scalar_tab,
    "bad-indent": d_bad_indent, "unclosed-quote": d_unclosed_quote,
    "unclosed-flow": d_unclosed_flow, "stray-colon": d_stray_colon,
    "key-without-colon": d_key_without_colon, "unquoted-template": d_unquoted_template,
    "seq-after-map": d_seq_after_map, "map-after-seq": d_map_after_seq,
    "missing-dash": d_missing_dash, "bad-escape": d_bad_escape, "alias-tag": d_alias,
    "bad-start": d_bad_start, "directive": d_directive, "second-document": d_second_document,
    "long-key": d_long_key, "complex-key": d_complex_key, "control-char": d_control_char,
    "unicode-break": d_unicode_break,
}


def broken(rng: random.Random, lines: list[str], names: list[str]) -> list[str]:
    for _ in range(rng.choice([1, 1, 1, 2])):
        for _attempt in range(8):
            name = rng.choice(list(DEFECTS))
            out = DEFECTS[name](rng, list(lines))
            if out is not None:
                names.append(name)
                lines = out
                break
    return lines


# ---------------------------------------------------------------------------------------------
# Outer styles

def literal(key: str, text: str) -> str:
    """A literal block: `|` keeps one final line break, `|-` none; an indentation indicator
    when the first line starts with a blank (the block would take its indentation)."""
    chomp = "" if text.endswith("\n") else "-"
    lines = text[:-1].split("\n") if text.endswith("\n") else text.split("\n")
    first = next((l for l in lines if l.strip(" ")), "")
    indicator = "2" if first[:1] in (" ", "\t") else ""
    body = "".join(("    " + l if l else "") + "\n" for l in lines)
    return f"  {key}: |{indicator}{chomp}\n{body}"


def dq_unit(c: str) -> str:
    """One character as written in a double-quoted YAML scalar."""
    if c == "\\":
        return "\\\\"
    if c == '"':
        return '\\"'
    if c == "\n":
        return "\\n"
    if c == "\t":
        return "\\t"
    if c == "\r":
        return "\\r"
    if ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 or c in "\u2028\u2029":
        return f"\\u{ord(c):04x}"
    return c


def double_quoted(key: str, text: str, rng: random.Random) -> str:
    units = [dq_unit(c) for c in text]
    if rng.random() < 0.5:
        return f'  {key}: "{"".join(units)}"\n'
    # folded over lines, as kubectl and yaml.v2 write long strings: `\` ends a line (never
    # inside an escape), a leading space of the next one is escaped
    out, line = [], f'  {key}: "'
    i = 0
    while i < len(units):
        step = rng.randint(20, 60)
        line += "".join(units[i:i + step])
        i += step
        if i < len(units):
            out.append(line + "\\")
            line = "    " + ("\\" if units[i] == " " else "")
    out.append(line + '"')
    return "\n".join(out) + "\n"


def manifest(sections: dict[str, str], style: str, rng: random.Random, names: list[str]) -> tuple[str, str]:
    if style == "json":
        doc = {"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "aws-auth", "namespace": "kube-system"}, "data": sections}
        # JSON leaves DEL, C1 controls and LS/PS raw: escaped, so that only the nested
        # document sees them
        raw = any(0x7f <= ord(c) < 0xa0 or c in "\u2028\u2029" for t in sections.values() for c in t)
        return json.dumps(doc, indent=2, ensure_ascii=raw or rng.random() < 0.5) + "\n", "json"
    out = [f"# {', '.join(names) or 'valid'} ({style})\n",
           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n"]
    for key, text in sections.items():
        # a carriage return, a control character or a Unicode line break cannot be written
        # in a literal block
        if style == "literal" and not any(ord(c) < 0x20 and c not in "\t\n" or 0x7f <= ord(c) < 0xa0
                                          or c in "\u2028\u2029" for c in text):
            out.append(literal(key, text))
        else:
            out.append(double_quoted(key, text, rng))
    return "".join(out), "yaml"


def case(seed: int, n: int) -> tuple[str, str]:
    rng = random.Random(f"{seed}:{n}")
    names: list[str] = []
    sections: dict[str, str] = {}
    target = rng.choices(["mapRoles", "mapUsers", "mapAccounts"], [6, 3, 1])[0]
    for key in ["mapRoles", "mapUsers", "mapAccounts"]:
        if key != target and rng.random() < 0.5:
            continue
        lines = accounts(rng) if key == "mapAccounts" else document(rng, key)
        if key == target:
            lines = broken(rng, lines, names)
        text = "\n".join(lines) + "\n"
        if rng.random() < 0.08:
            text = text.replace("\n", "\r\n")
        if rng.random() < 0.1:
            text = text.rstrip("\n")
        sections[key] = text
    style = rng.choices(["literal", "double", "json"], [10, 6, 2])[0]
    return manifest(sections, style, rng, names)


def find_oracle(given: str | None) -> str:
    for candidate in [given, os.environ.get("AWSAUTH_ORACLE"), "/tmp/awsauth-oracle"]:
        if candidate and Path(candidate).is_file():
            return candidate
    build = ROOT.parent / "shared" / "oracle" / "build"
    if not build.is_file():
        sys.exit("gen_parse_errors: no oracle (pass --oracle, or see ../shared/oracle/README.md)")
    return subprocess.run([str(build)], check=True, capture_output=True, text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", default=str(ROOT / DEFAULT_OUT))
    ap.add_argument("--count", type=int, default=DEFAULT_COUNT)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--record", help="write the oracle's answers to this JSONL file")
    ap.add_argument("--oracle", help="the oracle binary")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in list(out.glob("case-*.yaml")) + list(out.glob("case-*.json")):
        old.unlink()
    paths = []
    for n in range(1, args.count + 1):
        text, ext = case(args.seed, n)
        path = out / f"case-{n:04d}.{ext}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    print(f"gen_parse_errors: {len(paths)} cases in {out}")
    if args.record:
        oracle = find_oracle(args.oracle)
        rel = [os.path.relpath(p.resolve(), ROOT) for p in paths]
        res = subprocess.run([oracle] + rel, cwd=ROOT, check=True, capture_output=True)
        lines = [l for l in res.stdout.decode("utf-8").split("\n") if l.strip()]
        Path(args.record).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"gen_parse_errors: {len(lines)} oracle lines in {args.record}")


if __name__ == "__main__":
    main()
