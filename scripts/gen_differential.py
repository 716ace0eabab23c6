#!/usr/bin/env python3
"""Generate aws-auth ConfigMap manifests for differential testing.

Usage:
    scripts/gen_differential.py [OUT_DIR] [--count N] [--seed S]

Writes OUT_DIR/case-0001.yaml ... (default OUT_DIR: fixtures/differential/cases/,
default count 480).  Old case-*.yaml files in OUT_DIR are removed first, so the
directory always holds exactly one generation.  Output depends only on --seed
and --count: every case draws from its own random.Random seeded with
"<seed>:<case number>", so the same command always writes the same bytes.

Each case is a small `kind: ConfigMap` manifest named aws-auth whose nested
mapRoles / mapUsers / mapAccounts strings mix several of the quirks that
aws-iam-authenticator (sigs.k8s.io/yaml on gopkg.in/yaml.v2, then
encoding/json) is known to be sensitive to: YAML 1.1 scalar resolution, flow
syntax such as unquoted {{SessionName}}, tabs and bad indentation, key case
and duplicate keys, wrong value types, SSO blocks, duplicate ARNs, every outer
scalar style, anchors and merge keys.  The expected answer is not computed
here: scripts/oracle-compare asks the Go oracle (/work/shared/oracle).

Files are plain UTF-8.  The first line of a YAML case is a comment listing the
features that went into it, which helps when reading a mismatch.

Standard library only (Python 3.11).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_OUT = "fixtures/differential/cases"
DEFAULT_COUNT = 480
DEFAULT_SEED = 20240917

# ---------------------------------------------------------------------------
# Value pools
# ---------------------------------------------------------------------------

ACCOUNTS = ["111122223333", "123456789012", "555555555555", "444455556666", "000011112222"]
PARTITIONS = ["aws", "aws", "aws", "aws-cn", "aws-us-gov"]

ROLE_NAMES = [
    "NodeInstanceRole", "eks-node-group-role", "KarpenterNodeRole-prod", "Admin",
    "ReadOnly", "ci-deployer", "AmazonEKSFargatePodExecutionRole", "DevOps",
    "platform/Operator", "aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0a1b2c",
    "windows-nodes", "Developers",
]
# User names are distinct even when lowercased: case-variant user ARNs are looked
# up non-deterministically by the authenticator, so cases must never contain two
# user ARNs that differ only by case (see UserArns below).
USER_NAMES = ["alice", "bob", "ci-bot", "admin", "ops/carol", "Dave", "terraform", "érin"]

USERNAMES = [
    "system:node:{{EC2PrivateDNSName}}", "admin", "ops:{{SessionName}}", "ci",
    "system:node:{{SessionName}}", "readonly-{{AccountID}}", "dev-{{SessionNameRaw}}",
    "{{AccessKeyID}}", "cluster-admin", "viewer",
]
GROUPS = [
    "system:masters", "system:bootstrappers", "system:nodes", "system:node-proxier",
    "eks:kube-proxy-windows", "view", "edit", "dev-team", "readers",
]
NODE_GROUPS = ["system:bootstrappers", "system:nodes"]

# Plain scalars that gopkg.in/yaml.v2 resolves with YAML 1.1 rules to something other
# than a string (bool, null, int, float), plus look-alikes that it keeps as strings
# (mixed case, sexagesimal, junk numbers, timestamps, which yaml.v2 hands to
# interface{} as strings).  Used unquoted and quoted as field values.
QUIRK_SCALARS = [
    # YAML 1.1 booleans
    "yes", "Yes", "YES", "no", "No", "on", "On", "off", "OFF", "y", "Y", "n", "N",
    "true", "True", "TRUE", "false", "False",
    # nulls
    "~", "null", "Null", "NULL", "",
    # ints and floats
    "012", "0x1F", "0b101", "1_000", "1e3", ".5", ".inf", "-.inf", ".Inf", ".nan", ".NaN",
    "08", "012345678901", "123456789012", "+1", "-1", "0", "-0", "1.", "+.5", "1_0.5",
    "0o17", "0O17", "0B11", "+0x1F", "-0b101", "1_", "0x_1F", "9223372036854775808",
    "18446744073709551616", "1e400",
    # timestamps
    "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
    # look-alikes
    "oN", "yES", "nULL", "tRUE", "1:20", "12:30:00", "0x", "1e", ".", "1.2.3", "_1",
    "1,000", "nan", "inf", "+Inf", "Infinity", "NaN",
]

# Special whole-section contents: empty-ish, null, comment-only, odd.
EMPTY_SECTIONS = ["", '""', "''", "``", " ``  ", "[]", "[ ]", "null", "~", "Null",
                  "# nothing mapped yet\n", "\n\n", "   \n", "-\n", "- \n- ~\n", "{}"]

# Characters a plain scalar may not start with (YAML indicators) or must not contain
# in flow context.
_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
_FLOW_CHARS = set(",[]{}")
_RESOLVES_SPECIAL = re.compile(
    r"^(?:[-+.0-9].*|~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE"
    r"|on|On|ON|off|Off|OFF|<<|=)$")


def plain_ok(s: str, flow: bool = False) -> bool:
    """May `s` be written as a plain scalar (and, we expect, still load as this string)?"""
    if not s or s != s.strip() or s[0] in _INDICATORS or _RESOLVES_SPECIAL.match(s):
        return False
    if ": " in s or " #" in s or s.endswith(":") or "\t" in s or "\n" in s:
        return False
    if flow and set(s) & _FLOW_CHARS:
        return False   # ':' is let through: "[system:masters]" is common and worth testing
    return all(c.isprintable() for c in s) and "\u200b" not in s and "\u00a0" not in s


def dq(s: str) -> str:
    """A double-quoted YAML scalar (JSON escaping is valid YAML escaping)."""
    return json.dumps(s, ensure_ascii=False)


def sq(s: str) -> str:
    """A single-quoted YAML scalar."""
    return "'" + s.replace("'", "''") + "'"


def scalar(rng: random.Random, s: str, flow: bool = False) -> str:
    """Render the string `s` so that it loads as exactly `s`, in a random style."""
    styles = ["dq", "sq"] + (["plain"] * 4 if plain_ok(s, flow) else [])
    style = rng.choice(styles)
    if style == "plain":
        return s
    if style == "sq" and "\n" not in s and "\t" not in s and s.isprintable():
        return sq(s)
    return dq(s)


def quirk_scalar(rng: random.Random) -> str:
    """A YAML 1.1 special scalar, unquoted most of the time, else quoted."""
    s = rng.choice(QUIRK_SCALARS)
    r = rng.random()
    if r < 0.65:
        return s
    return sq(s) if r < 0.8 else dq(s)


def flip_case(rng: random.Random, s: str) -> str:
    """Randomly change the case of some letters (different from `s` when possible)."""
    for _ in range(10):
        out = "".join(c.swapcase() if c.isalpha() and rng.random() < 0.35 else c for c in s)
        if out != s:
            return out
    return s.upper() if s.upper() != s else s


def role_arn(rng: random.Random, name: str | None = None) -> str:
    part = rng.choice(PARTITIONS)
    return f"arn:{part}:iam::{rng.choice(ACCOUNTS)}:role/{name or rng.choice(ROLE_NAMES)}"


# ---------------------------------------------------------------------------
# Nested section model: a section is a list of entries, an entry a list of fields
# ---------------------------------------------------------------------------

@dataclass
class V:
    """A value to render.  kind: 's' scalar (text already YAML), 'seq' list of V,
    'map' list of (key, V), 'raw' text written as is (flow collections etc.)."""
    kind: str
    text: str = ""
    items: list = field(default_factory=list)


def S(text: str) -> V:
    return V("s", text=text)


def SEQ(items: list) -> V:
    return V("seq", items=[i if isinstance(i, V) else S(i) for i in items])


def MAP(pairs: list) -> V:
    return V("map", items=pairs)


def RAW(text: str) -> V:
    return V("raw", text=text)


@dataclass
class Entry:
    fields: list = field(default_factory=list)   # [(key, V)]
    anchor: str | None = None                     # "&name" put after "- "
    scalar_item: str | None = None                # the list item is this scalar, not a mapping
    flow: bool = False                            # write the entry as a {flow mapping}


@dataclass
class Style:
    """How a section's block YAML is laid out."""
    fi: int = 2            # column of the keys after the "- " of an entry (2 = "- key")
    sub: int = 2           # indentation of nested mappings (sso) below their key
    seq_in: int = 2        # indentation of block list items below their key (0 or 2)
    flow_groups: bool = False
    top: int = 0           # indentation of the entries themselves


def render_value_flow(v: V) -> str:
    if v.kind in ("s", "raw"):
        return v.text
    if v.kind == "seq":
        return "[" + ", ".join(render_value_flow(i) for i in v.items) + "]"
    return "{" + ", ".join(f"{k}: {render_value_flow(x)}" for k, x in v.items) + "}"


def render_field(key: str, v: V, col: int, st: Style, first_prefix: str | None) -> list[str]:
    """Lines for `key: v` with the key at column `col` (first line may carry "- ")."""
    head = first_prefix if first_prefix is not None else " " * col
    if v.kind in ("s", "raw"):
        return [f"{head}{key}:" + (f" {v.text}" if v.text != "" else "")]
    if v.kind == "seq" and (st.flow_groups or not v.items):
        return [f"{head}{key}: {render_value_flow(v)}"]
    lines = [f"{head}{key}:"]
    if v.kind == "seq":
        for item in v.items:
            ind = " " * (col + st.seq_in)
            if item.kind == "seq" and item.items and not st.flow_groups:
                # nested block list: "- - a"
                lines.append(f"{ind}- - {render_value_flow(item.items[0])}")
                for sub in item.items[1:]:
                    lines.append(f"{ind}  - {render_value_flow(sub)}")
            else:
                lines.append(f"{ind}- {render_value_flow(item)}")
        return lines
    for k, x in v.items:   # nested mapping, one level (sso blocks, groups-as-map)
        lines += render_field(k, x, col + st.sub, st, None)
    return lines


def render_entry(e: Entry, st: Style) -> list[str]:
    pad = " " * st.top
    anchor = f"{e.anchor} " if e.anchor else ""
    if e.scalar_item is not None:
        return [f"{pad}- {anchor}{e.scalar_item}"]
    if e.flow or not e.fields:
        body = ", ".join(f"{k}: {render_value_flow(v)}" for k, v in e.fields)
        return [f"{pad}- {anchor}{{{body}}}"]
    lines: list[str] = []
    col = st.top + st.fi
    first: str | None = f"{pad}-{' ' * (st.fi - 1)}"
    if anchor:
        # "- &a rolearn: x" would anchor the key, not the entry: put the anchor alone.
        lines.append(f"{pad}- {e.anchor}")
        first = None
    for i, (k, v) in enumerate(e.fields):
        lines += render_field(k, v, col, st, first if i == 0 else None)
    return lines


# ---------------------------------------------------------------------------
# Per-ConfigMap generation context
# ---------------------------------------------------------------------------

class UserArns:
    """Hands out user ARN strings, never two that differ only by letter case."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def ok(self, s: str) -> bool:
        prev = self.seen.setdefault(s.lower(), s)
        return prev == s

    def pick(self, rng: random.Random) -> str:
        for _ in range(50):
            s = f"arn:{rng.choice(PARTITIONS)}:iam::{rng.choice(ACCOUNTS)}:user/{rng.choice(USER_NAMES)}"
            if self.ok(s):
                return s
        return next(iter(self.seen.values()))


@dataclass
class Section:
    name: str
    entries: list = field(default_factory=list)
    style: Style = field(default_factory=Style)
    raw: str | None = None           # whole nested text, replaces entries
    mutations: list = field(default_factory=list)  # text mutations to apply
    outer: str | None = None         # forced outer scalar style


class Ctx:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.users = UserArns()
        self.features: list[str] = []
        self.sections: dict[str, Section] = {}
        self.extra_data: list[tuple[str, str]] = []   # other data keys (raw outer lines)

    def feat(self, name: str) -> None:
        if name not in self.features:
            self.features.append(name)

    def sec(self, name: str) -> Section:
        if name not in self.sections:
            self.sections[name] = Section(name)
        return self.sections[name]

    # -- field helpers -------------------------------------------------------
    def username_v(self) -> V:
        return S(scalar(self.rng, self.rng.choice(USERNAMES)))

    def groups_v(self, node: bool = False) -> V:
        rng = self.rng
        gs = list(NODE_GROUPS) if node else rng.sample(GROUPS, rng.randint(1, 3))
        return SEQ([scalar(rng, g) for g in gs])

    def key(self, canonical: str) -> str:
        """The key as written: usually canonical, sometimes case-varied (accepted)."""
        r = self.rng.random()
        if r < 0.03:
            self.feat("key-case")
            variants = {"rolearn": ["roleARN", "RoLeArN", "RoleArn", "ROLEARN"],
                        "userarn": ["userARN", "UserArn", "uSeRaRn"],
                        "username": ["UserName", "USERNAME", "userName"],
                        "groups": ["Groups", "GROUPS", "gRoUpS"],
                        "sso": ["SSO", "Sso"],
                        "accountID": ["accountid", "AccountId", "ACCOUNTID"],
                        "permissionSetName": ["permissionsetname", "PermissionSetName"],
                        "partition": ["Partition"]}
            return self.rng.choice(variants.get(canonical, [canonical]))
        if r < 0.05:
            self.feat("key-quoted")
            return dq(canonical) if r < 0.04 else sq(canonical)
        return canonical

    def normal_role(self, node: bool | None = None) -> Entry:
        rng = self.rng
        node = rng.random() < 0.5 if node is None else node
        arn = role_arn(rng, rng.choice(["NodeInstanceRole", "eks-node-group-role",
                                        "KarpenterNodeRole-prod"]) if node else None)
        fields = [(self.key("rolearn"), S(scalar(rng, arn)))]
        if node:
            fields.append((self.key("username"),
                           S(scalar(rng, rng.choice(["system:node:{{EC2PrivateDNSName}}",
                                                     "system:node:{{SessionName}}"])))))
            fields.append((self.key("groups"), self.groups_v(node=True)))
        else:
            if rng.random() < 0.9:
                fields.append((self.key("username"), self.username_v()))
            if rng.random() < 0.85:
                fields.append((self.key("groups"), self.groups_v()))
        if rng.random() < 0.2:
            rng.shuffle(fields)   # kubectl writes keys sorted: groups first
        return Entry(fields)

    def normal_user(self) -> Entry:
        rng = self.rng
        fields = [(self.key("userarn"), S(scalar(rng, self.users.pick(rng))))]
        if rng.random() < 0.9:
            fields.append((self.key("username"), S(scalar(rng, rng.choice(USER_NAMES + ["admin"])))))
        if rng.random() < 0.8:
            fields.append((self.key("groups"), self.groups_v()))
        if rng.random() < 0.2:
            rng.shuffle(fields)
        return Entry(fields)

    def sso_entry(self, kind: str = "valid") -> Entry:
        rng = self.rng
        acct = rng.choice(ACCOUNTS)
        pset = rng.choice(["AdministratorAccess", "ReadOnly", "Power.User+1", "dev@team"])
        part = rng.choice([None, "aws", "aws-cn", "aws-us-gov"])
        acct_v = S(scalar(rng, acct))
        if kind == "bad-account":
            acct_v = S(rng.choice(["12345678901", "1234567890123", acct,  # unquoted: an int
                                   dq("12345678901a"), dq(" " + acct), "0" + acct[1:]]))
        elif kind == "bad-partition":
            part = rng.choice(["aws-us-govt", "AWS", "amazon", "aws-iso-z"])
        elif kind == "bad-name":
            pset = rng.choice(["Admin Access", "x" * 33, "admin/ops", ""])
        elif kind == "aws-cn":
            part = "aws-cn"
        sub = [(self.key("permissionSetName"), S(scalar(rng, pset) if pset else "")),
               (self.key("accountID"), acct_v)]
        if part is not None:
            sub.append((self.key("partition"), S(scalar(rng, part))))
        rng.shuffle(sub)
        fields = [(self.key("sso"), MAP(sub)),
                  (self.key("username"), S(scalar(rng, rng.choice(["sso-{{SessionName}}", "admin"])))),
                  (self.key("groups"), self.groups_v())]
        if kind == "with-rolearn":
            fields.insert(rng.randint(0, 2), ("rolearn", S(role_arn(rng))))
        return Entry(fields)


# ---------------------------------------------------------------------------
# Quirks: each adds entries to, or changes the layout of, one section
# ---------------------------------------------------------------------------

def q_scalar_values(c: Ctx) -> None:
    """YAML 1.1 scalars as username, ARN, group items."""
    rng = c.rng
    c.feat("yaml11-scalars")
    sec = rng.choice(["mapRoles", "mapUsers"])
    for _ in range(rng.randint(1, 3)):
        e = c.normal_role() if sec == "mapRoles" else c.normal_user()
        target = rng.choice(["username", "groups", "groups", "arn", "username"])
        if target == "username":
            e.fields = [f for f in e.fields if f[0].lower() != "username"]
            e.fields.insert(rng.randint(0, len(e.fields)), ("username", S(quirk_scalar(rng))))
        elif target == "groups":
            e.fields = [f for f in e.fields if f[0].lower() != "groups"]
            items = [quirk_scalar(rng) for _ in range(rng.randint(1, 3))]
            items.insert(rng.randint(0, len(items)), scalar(rng, rng.choice(GROUPS)))
            e.fields.append(("groups", SEQ(items)))
        else:
            arn_key = "rolearn" if sec == "mapRoles" else "userarn"
            e.fields[0] = (arn_key, S(quirk_scalar(rng)))
            if sec == "mapUsers" and not c.users.ok(e.fields[0][1].text.strip("'\"")):
                e.fields[0] = (arn_key, S(rng.choice(["yes", "~", "012"])))
        c.sec(sec).entries.insert(rng.randint(0, len(c.sec(sec).entries)), e)


def q_templates(c: Ctx) -> None:
    """{{...}} templates written plain (flow mapping syntax), quoted, or embedded."""
    rng = c.rng
    sec = rng.choice(["mapRoles", "mapRoles", "mapUsers"])
    e = c.normal_role(node=False) if sec == "mapRoles" else c.normal_user()
    e.fields = [f for f in e.fields if f[0].lower() != "username"]
    form = rng.choice(["unquoted", "unquoted", "quoted", "quoted", "embedded", "group", "spaced"])
    c.feat(f"template-{form}")
    t = rng.choice(["{{SessionName}}", "{{EC2PrivateDNSName}}", "{{SessionNameRaw}}"])
    if form == "unquoted":
        e.fields.insert(1, ("username", S(t)))
    elif form == "quoted":
        e.fields.insert(1, ("username", S(rng.choice([dq, sq])(t))))
    elif form == "embedded":
        e.fields.insert(1, ("username", S(rng.choice(["system:node:", "admin:", "x-"]) + t)))
    elif form == "spaced":
        e.fields.insert(1, ("username", S(rng.choice(["{{ SessionName }}", "{ {SessionName} }",
                                                      "{SessionName}", "{{SessionName}} x"]))))
    else:
        e.fields = [f for f in e.fields if f[0].lower() != "groups"]
        e.fields.append(("groups", SEQ([rng.choice([t, dq(t), "team-" + t]), "view"])))
    c.sec(sec).entries.append(e)


def q_flow_values(c: Ctx) -> None:
    """Flow lists and maps as values, where strings or lists are expected."""
    rng = c.rng
    c.feat("flow-values")
    sec = rng.choice(["mapRoles", "mapUsers"])
    e = c.normal_role(node=False) if sec == "mapRoles" else c.normal_user()
    e.fields = [f for f in e.fields if f[0].lower() not in ("username", "groups")]
    choice = rng.randint(0, 4)
    if choice == 0:
        e.fields.append(("username", RAW(rng.choice(["[a, b]", "[admin]", "{a: b}", "{}", "[]"]))))
    elif choice == 1:
        e.fields.append(("groups", RAW(rng.choice(["[system:masters, view]", '[ "view" , edit ]',
                                                   "[]", "[ ]", "{a: b}", "{system: masters}"]))))
    elif choice == 2:
        e.fields.append(("groups", RAW(rng.choice(["[[a, b], c]", "[[], view]", "[{a: b}, view]"]))))
    elif choice == 3:
        # block groups whose items are mappings ("- system: masters", corpus 097)
        e.fields.append(("groups", SEQ([RAW("system: masters"), "view"])))
    else:
        e.fields.append(("groups", SEQ([SEQ(["a", "b"]), "c"])))   # nested block list
    if rng.random() < 0.5:
        e.fields.append(("username", S("admin")))
    c.sec(sec).entries.append(e)


def q_wrong_types(c: Ctx) -> None:
    """Fields and entries of the wrong type."""
    rng = c.rng
    sec_name = rng.choice(["mapRoles", "mapRoles", "mapUsers"])
    sec = c.sec(sec_name)
    arn_key = "rolearn" if sec_name == "mapRoles" else "userarn"
    e = c.normal_role(node=False) if sec_name == "mapRoles" else c.normal_user()
    kind = rng.choice(["groups-scalar", "groups-map", "arn-list", "arn-map", "item-scalar",
                       "item-list", "null-groups", "null-username", "empty-item", "groups-csv"])
    c.feat(f"type-{kind}")
    keep = [f for f in e.fields if f[0].lower() not in ("groups", "username")]
    arn = keep[0][1].text if keep else dq("arn:aws:iam::111122223333:role/x")
    if kind == "groups-scalar":
        e.fields = keep + [("groups", S(scalar(rng, rng.choice(GROUPS))))]
    elif kind == "groups-csv":
        e.fields = keep + [("groups", S("system:bootstrappers, system:nodes"))]
    elif kind == "groups-map":
        e.fields = keep + [("groups", MAP([("system", S("masters")), ("view", S("yes"))]))]
    elif kind == "arn-list":
        e.fields = [(arn_key, SEQ([arn]))] + e.fields[1:]
    elif kind == "arn-map":
        e.fields = [(arn_key, RAW("{" + f"arn: {arn}" + "}"))] + e.fields[1:]
    elif kind == "item-scalar":
        e = Entry(scalar_item=arn)
    elif kind == "item-list":
        e = Entry(scalar_item=f"[{arn}, admin]")
    elif kind == "null-groups":
        e.fields = keep + [("groups", S(rng.choice(["", "~", "null", "[]"])))]
    elif kind == "null-username":
        e.fields = keep + [("username", S(rng.choice(["", "~", "null", '""'])))]
    elif kind == "empty-item":
        e = Entry(scalar_item=rng.choice(["", "~", "{}"]))
    sec.entries.insert(rng.randint(0, len(sec.entries)), e)


def q_keys(c: Ctx) -> None:
    """Case-varied, unknown, misspelt and duplicate keys."""
    rng = c.rng
    sec_name = rng.choice(["mapRoles", "mapRoles", "mapUsers"])
    is_role = sec_name == "mapRoles"
    arn_key = "rolearn" if is_role else "userarn"
    e = c.normal_role(node=False) if is_role else c.normal_user()
    kind = rng.choice(["case", "unknown", "typo-arn", "dup-exact", "dup-case", "dup-case",
                       "dup-typed", "no-arn", "userid"])
    c.feat(f"keys-{kind}")
    f = e.fields
    if kind == "case":
        variants = {"rolearn": ["roleARN", "RoLeArN", "ROLEARN", "rOlEaRn"],
                    "userarn": ["userARN", "UsErArN", "USERARN"],
                    "username": ["UserName", "USERNAME", "uSeRnAmE"],
                    "groups": ["Groups", "GROUPS", "gRoUpS"]}
        e.fields = [(rng.choice(variants.get(k.lower(), [k])), v) for k, v in f]
    elif kind == "unknown":
        f.insert(rng.randint(1, len(f)), (rng.choice(["group", "role_arn", "rolename", "user",
                                                      "arn", "usename", "groupss", "kind"]),
                                          S(scalar(rng, rng.choice(GROUPS)))))
    elif kind == "typo-arn":
        f[0] = (rng.choice(["role_arn", "rolearn_", "rolarn", "arn", "RoleArnn"] if is_role
                           else ["user_arn", "userarm", "arn", "usrarn"]), f[0][1])
    elif kind == "no-arn":
        e.fields = f[1:] or [("username", S("orphan"))]
    elif kind == "userid":
        f.append(("userid", S(scalar(rng, "AIDAEXAMPLE" + str(rng.randint(100, 999))))))
    else:
        # The same key twice in one entry, exactly or as a case variant, in either order,
        # possibly with a wrong type on one of them.  YAML keeps the last of two exact
        # duplicates; case variants both reach encoding/json, in the sorted key order
        # that sigs.k8s.io/yaml gives them, and the last one assigned wins.
        target = rng.choice([arn_key, "username", "groups", arn_key])
        idx = next((i for i, (k, _) in enumerate(f) if k.lower() == target), None)
        if idx is None:
            f.append((target, c.groups_v() if target == "groups" else S("dup")))
            idx = len(f) - 1
        if kind == "dup-typed":
            other_v = rng.choice([SEQ(["x"]), S("yes"), S("~"), RAW("{a: b}"), S("012"),
                                  S(scalar(rng, "system:masters"))])
        elif target == arn_key:
            other_v = S(scalar(rng, role_arn(rng) if is_role else c.users.pick(rng)))
        elif target == "username":
            other_v = S(scalar(rng, rng.choice(USERNAMES)))
        else:
            other_v = c.groups_v()
        pair = [f[idx], (target, other_v)]
        if kind == "dup-case" or (kind == "dup-typed" and rng.random() < 0.7):
            j = rng.randrange(2)
            pair[j] = (flip_case(rng, pair[j][0]), pair[j][1])
        if rng.random() < 0.5:
            pair.reverse()
        f[idx:idx + 1] = pair
    c.sec(sec_name).entries.insert(rng.randint(0, len(c.sec(sec_name).entries)), e)


def q_sso(c: Ctx) -> None:
    """SSO permission-set matchers: valid, invalid, beside a rolearn, duplicated."""
    rng = c.rng
    kind = rng.choice(["valid", "valid", "valid", "aws-cn", "bad-account", "bad-partition",
                       "bad-name", "with-rolearn", "dup"])
    c.feat(f"sso-{kind}")
    sec = c.sec("mapRoles")
    if kind == "dup":
        e1 = c.sso_entry("valid")
        e2 = c.sso_entry("valid")
        # same account and permission set, different username: last wins
        e2.fields[0] = e1.fields[0]
        sec.entries += [e1, e2]
    else:
        sec.entries.insert(rng.randint(0, len(sec.entries)), c.sso_entry(kind))
    if rng.random() < 0.3:
        sec.entries.append(Entry([("sso", RAW(rng.choice(["{}", "~", "[a]", "admin"]))),
                                  ("username", S("x"))]))
        c.feat("sso-wrong-type")


def q_duplicates(c: Ctx) -> None:
    """Duplicate role ARNs (also case variants), exact duplicate user ARNs, an ARN in both."""
    rng = c.rng
    kind = rng.choice(["role-exact", "role-case", "role-case", "user-exact", "cross"])
    c.feat(f"dup-{kind}")
    if kind.startswith("role"):
        arn = role_arn(rng)
        a = c.normal_role(node=False)
        b = c.normal_role(node=False)
        a.fields[0] = ("rolearn", S(scalar(rng, arn)))
        arn2 = flip_case(rng, arn) if kind == "role-case" else arn
        b.fields[0] = ("rolearn", S(scalar(rng, arn2)))
        sec = c.sec("mapRoles")
        sec.entries += [a] + ([c.normal_role()] if rng.random() < 0.5 else []) + [b]
    elif kind == "user-exact":
        arn = c.users.pick(rng)
        a, b = c.normal_user(), c.normal_user()
        a.fields[0] = ("userarn", S(scalar(rng, arn)))
        b.fields[0] = ("userarn", S(scalar(rng, arn)))
        c.sec("mapUsers").entries += [a, b]
    else:
        arn = c.users.pick(rng)
        r, u = c.normal_role(node=False), c.normal_user()
        r.fields[0] = ("rolearn", S(scalar(rng, arn)))
        u.fields[0] = ("userarn", S(scalar(rng, arn)))
        c.sec("mapRoles").entries.append(r)
        c.sec("mapUsers").entries.append(u)


def q_anchors(c: Ctx) -> None:
    """Anchors, aliases and YAML 1.1 merge keys inside a section."""
    rng = c.rng
    c.feat("anchors")
    sec = c.sec(rng.choice(["mapRoles", "mapRoles", "mapUsers"]))
    is_role = sec.name == "mapRoles"
    base = c.normal_role(node=True) if is_role else c.normal_user()
    base.anchor = "&base"
    kind = rng.choice(["merge", "merge", "alias-groups", "alias-entry", "merge-list"])
    if kind == "merge":
        other = Entry([("<<", S("*base")),
                       ("rolearn" if is_role else "userarn",
                        S(role_arn(rng) if is_role else c.users.pick(rng)))])
        if rng.random() < 0.4:
            other.fields.append(("username", S("override")))
        sec.entries += [base, other]
    elif kind == "merge-list":
        extra = Entry([("groups", SEQ(["view"]))], anchor="&extra", flow=True)
        other = Entry([("<<", RAW("[*base, *extra]")),
                       ("rolearn" if is_role else "userarn",
                        S(role_arn(rng) if is_role else c.users.pick(rng)))])
        sec.entries += [base, extra, other]
    elif kind == "alias-groups":
        e1 = c.normal_role(node=False) if is_role else c.normal_user()
        e1.fields = [f for f in e1.fields if f[0].lower() != "groups"]
        e1.fields.append(("groups", RAW("&g [system:masters, view]")))
        e2 = c.normal_role(node=False) if is_role else c.normal_user()
        e2.fields = [f for f in e2.fields if f[0].lower() != "groups"]
        e2.fields.append(("groups", S("*g")))
        sec.entries += [e1, e2]
    else:
        sec.entries += [base, Entry(scalar_item="*base")]   # the same entry twice


def q_layout(c: Ctx) -> None:
    """Whitespace and indentation quirks applied to the nested text."""
    rng = c.rng
    sec = c.sec(rng.choice(["mapRoles", "mapRoles", "mapUsers", "mapAccounts"]))
    kind = rng.choice(["tab-indent", "tab-after-colon", "tab-after-dash", "trailing-tab",
                       "tab-in-quotes", "space-out-of-place", "misindent-entry",
                       "misindent-field", "odd-indent", "wide-indent", "indented-list",
                       "comments", "blank-lines", "doc-marker", "trailing-spaces", "nbsp",
                       "zero-indent-seq", "crlf-in-section"])
    c.feat(f"layout-{kind}")
    if kind == "odd-indent":
        sec.style.fi = rng.choice([3, 4])
        sec.style.sub = rng.choice([1, 3])
        sec.style.seq_in = rng.choice([0, 1, 3])
    elif kind == "wide-indent":
        sec.style.fi, sec.style.sub, sec.style.seq_in = 4, 4, 4
    elif kind == "indented-list":
        sec.style.top = rng.choice([1, 2])
    elif kind == "zero-indent-seq":
        sec.style.seq_in = 0
    elif kind == "tab-in-quotes":
        quoted = rng.choice(['"admin\tuser"', "'admin\tuser'", '"admin\\tuser"'])
        if sec.name == "mapAccounts":
            sec.entries.append(Entry(scalar_item=quoted.replace("admin", "1111")
                                     .replace("user", "22223333")))
        else:
            e = c.normal_role(node=False) if sec.name == "mapRoles" else c.normal_user()
            e.fields = [f for f in e.fields if f[0].lower() != "username"] + [("username", S(quoted))]
            sec.entries.append(e)
    else:
        sec.mutations.append(kind)


def q_section_shape(c: Ctx) -> None:
    """A whole section that is not a list of mappings, or is empty-ish."""
    rng = c.rng
    name = rng.choice(["mapRoles", "mapUsers", "mapRoles", "mapAccounts"])
    sec = c.sec(name)
    kind = rng.choice(["empty", "empty", "mapping", "scalar", "json-object", "comment-only",
                       "flow-line", "json-list", "json-list", "flow-line", "yaml-list-no-bar",
                       "outer-null", "outer-list", "outer-number"])
    c.feat(f"section-{kind}")
    arn_key = {"mapRoles": "rolearn", "mapUsers": "userarn"}.get(name)
    if kind == "empty":
        sec.raw = rng.choice(EMPTY_SECTIONS)
        sec.entries = []
    elif kind == "comment-only":
        # the entries so far, commented out (someone "disabling" them all)
        lines = render_section_text(c, sec).rstrip("\n").split("\n")
        sec.raw = "".join(f"# {ln}\n" for ln in lines if ln) or "# none\n"
    elif kind == "mapping" and arn_key:
        sec.raw = f"{arn_key}: {role_arn(rng)}\nusername: admin\ngroups:\n  - system:masters\n"
    elif kind == "scalar":
        sec.raw = rng.choice([role_arn(rng), "111122223333", "yes", "admin"]) + "\n"
    elif kind == "json-object" and arn_key:
        sec.raw = json.dumps({arn_key: role_arn(rng), "username": "admin", "groups": ["view"]})
        if rng.random() < 0.3:
            sec.raw = "{" + f"{arn_key}: x, username: y" + "}"   # YAML flow, not JSON
    elif kind in ("json-list", "flow-line"):
        sec.raw = json_section(c, name) if kind == "json-list" else flow_section(c, name)
        sec.outer = rng.choice(["sq", "sq", "dq", "|", "|-"])
    elif kind == "yaml-list-no-bar":
        sec.outer = "nested"   # the nested YAML written as real YAML below the key
    elif kind == "outer-null":
        sec.outer = rng.choice(["outer-null", "outer-empty-dq", "outer-empty-sq"])
    elif kind == "outer-list":
        sec.outer = "outer-flow-list"
    elif kind == "outer-number":
        sec.outer = "outer-number"
    else:
        sec.raw = rng.choice(EMPTY_SECTIONS)


def q_accounts(c: Ctx) -> None:
    """mapAccounts items: quoted, unquoted, short, YAML 1.1 scalars, mappings, lists."""
    rng = c.rng
    sec = c.sec("mapAccounts")
    kind = rng.choice(["mixed", "mixed", "map-item", "list-item", "flow", "short", "quirk",
                       "scalar", "mapping", "json"])
    c.feat(f"accounts-{kind}")
    acct = rng.choice(ACCOUNTS)
    if kind == "mixed":
        sec.entries += [Entry(scalar_item=rng.choice([acct, dq(acct), sq(acct)]))
                        for acct in rng.sample(ACCOUNTS, rng.randint(1, 3))]
    elif kind == "map-item":
        sec.entries += [Entry(scalar_item=dq(acct)),
                        Entry(scalar_item=rng.choice(["default: 1", f"id: {acct}", "{a: b}"]))]
    elif kind == "list-item":
        sec.entries += [Entry(scalar_item=f"[{acct}]"), Entry(scalar_item=dq(ACCOUNTS[0]))]
    elif kind == "short":
        sec.entries.append(Entry(scalar_item=rng.choice(["1234", "'1234'", "12345678901", "0"])))
    elif kind == "quirk":
        sec.entries += [Entry(scalar_item=quirk_scalar(rng)) for _ in range(rng.randint(1, 3))]
    elif kind == "flow":
        sec.raw = "[" + ", ".join(rng.choice([a, dq(a), sq(a)]) for a in ACCOUNTS[:3]) + "]\n"
    elif kind == "scalar":
        sec.raw = rng.choice([acct, f"{acct},{ACCOUNTS[0]}", dq(acct)]) + "\n"
    elif kind == "mapping":
        if rng.random() < 0.5:
            sec.raw = f"- account: {acct}\n  other: {ACCOUNTS[0]}\n"
        else:
            sec.raw = f"account: {acct}\n"
    else:
        sec.raw = json.dumps(rng.sample(ACCOUNTS, 2))
        sec.outer = rng.choice(["sq", "dq", "|"])


def q_unicode(c: Ctx) -> None:
    """Non-ASCII usernames: plain, quoted raw, or as escapes.  U+2028 and U+0085 are
    line breaks in YAML 1.1 (yaml.v2) but not in YAML 1.2, even inside quotes."""
    rng = c.rng
    c.feat("unicode")
    e = c.normal_role(node=False)
    e.fields = [f for f in e.fields if f[0].lower() != "username"]

    def raw(ch: str) -> str:      # the character itself between double quotes
        return dq("x" + ch + "y")

    def esc(ch: str) -> str:      # the character as a YAML escape
        return '"x\\u%04xy"' % ord(ch)

    e.fields.append(("username", S(rng.choice([
        "adminé", "管理者", "ünïcode",
        raw("\u200b"), esc("\u200b"), raw("\u00a0"), esc("\u00a0"),
        raw("\u2028"), esc("\u2028"), esc("\u2028"), raw("\u0085"), esc("\u0085")]))))
    c.sec("mapRoles").entries.append(e)


def q_multiline_plain(c: Ctx) -> None:
    """Plain and quoted scalars continued on the next line (folded into one string)."""
    rng = c.rng
    c.feat("multiline-scalar")
    e = c.normal_role(node=False)
    e.fields = [f for f in e.fields if f[0].lower() != "username"]
    e.fields.insert(1, ("username", S(rng.choice(["admin\n    continued", '"admin\n    quoted"',
                                                  "'a\n\n    b'", "|\n    literal",
                                                  ">-\n    folded\n    text"]))))
    c.sec("mapRoles").entries.append(e)


# Each quirk with a weight (how often it is drawn).
QUIRKS = [
    (q_scalar_values, 14), (q_templates, 9), (q_flow_values, 6), (q_wrong_types, 10),
    (q_keys, 11), (q_sso, 8), (q_duplicates, 8), (q_anchors, 5), (q_layout, 16),
    (q_section_shape, 9), (q_accounts, 6), (q_unicode, 2), (q_multiline_plain, 3),
]


# ---------------------------------------------------------------------------
# Rendering a section's nested text
# ---------------------------------------------------------------------------

def render_section_text(c: Ctx, sec: Section) -> str:
    if sec.raw is not None:
        return sec.raw
    lines: list[str] = []
    for e in sec.entries:
        lines += render_entry(e, sec.style)
    return "".join(ln + "\n" for ln in lines)


def json_section(c: Ctx, name: str) -> str:
    """The section as JSON text (CDK / Terraform jsonencode style), with type quirks."""
    rng = c.rng
    items: list = []
    if name == "mapAccounts":
        items = rng.sample(ACCOUNTS, 2) + ([int(ACCOUNTS[0])] if rng.random() < 0.3 else [])
    else:
        for _ in range(rng.randint(1, 3)):
            if name == "mapRoles":
                d = {"rolearn": role_arn(rng), "username": rng.choice(USERNAMES),
                     "groups": rng.sample(GROUPS, 2)}
            else:
                d = {"userarn": c.users.pick(rng), "username": rng.choice(USER_NAMES),
                     "groups": rng.sample(GROUPS, 1)}
            r = rng.random()
            if r < 0.15:
                d["username"] = rng.choice([True, 12, None, ["a"], 1.5])
            elif r < 0.3:
                d["groups"] = rng.choice(["system:masters", None, [None, "view"], [1, "x"], {}])
            elif r < 0.4:
                d = {k.upper() if rng.random() < 0.5 else k: v for k, v in d.items()}
            items.append(d)
    indent = rng.choice([None, None, 2])
    seps = None if indent else rng.choice([(",", ":"), (", ", ": ")])
    text = json.dumps(items, indent=indent, separators=seps)
    if rng.random() < 0.1:
        text = text[:-1]   # truncated JSON
        c.feat("json-truncated")
    return text


def flow_section(c: Ctx, name: str) -> str:
    """The section as one line of YAML flow syntax: [{rolearn: ..., ...}, ...]."""
    rng = c.rng
    if name == "mapAccounts":
        return "[" + ", ".join(dq(a) for a in rng.sample(ACCOUNTS, 2)) + "]"
    es = []
    for _ in range(rng.randint(1, 2)):
        e = c.normal_role() if name == "mapRoles" else c.normal_user()
        e.flow = True
        es.append(e)
    # flow scalars must be flow-safe: re-render values with quotes where needed
    parts = []
    for e in es:
        fs = []
        for k, v in e.fields:
            if v.kind == "seq":
                v = SEQ([dq(json.loads(i.text)) if i.text.startswith('"') else
                         (i.text if plain_ok(i.text, True) else dq(i.text.strip("'")))
                         for i in v.items])
            elif v.kind == "s" and not v.text.startswith(("'", '"')) and not plain_ok(v.text, True):
                v = S(dq(v.text))
            fs.append(f"{k}: {render_value_flow(v)}")
        parts.append("{" + ", ".join(fs) + "}")
    return "[" + ", ".join(parts) + "]"


def mutate(rng: random.Random, text: str, kind: str) -> str:
    """Apply one whitespace/indentation quirk to nested section text."""
    lines = text.split("\n")
    body = [i for i, ln in enumerate(lines) if ln.strip()]
    if not body:
        return text
    cont = [i for i in body if lines[i].startswith(" ")]                 # continuation lines
    kv = [i for i in body if re.search(r"\w: \S", lines[i])]             # "key: value" lines
    dash = [i for i in body if lines[i].lstrip().startswith("- ")]
    pick = rng.choice
    if kind == "tab-indent" and cont:
        i = pick(cont)
        lines[i] = pick(["\t", "\t  ", " \t"]) + lines[i].lstrip(" ")
    elif kind == "tab-after-colon" and kv:
        i = pick(kv)
        sep = pick([":\t", ": \t", ":\t "])
        lines[i] = re.sub(r"(\w): ", lambda m: m.group(1) + sep, lines[i], count=1)
    elif kind == "tab-after-dash" and dash:
        i = pick(dash)
        lines[i] = lines[i].replace("- ", pick(["-\t", "- \t"]), 1)
    elif kind == "trailing-tab":
        for i in rng.sample(body, min(len(body), rng.randint(1, 2))):
            lines[i] += pick(["\t", " \t", "\t\t"])
    elif kind == "trailing-spaces":
        for i in rng.sample(body, min(len(body), rng.randint(1, 3))):
            lines[i] += " " * rng.randint(1, 3)
    elif kind == "space-out-of-place":
        # a list item pushed one or two columns right of its siblings
        sib = [i for i in dash if i > 0 and lines[i - 1].lstrip().startswith("- ")
               and len(lines[i]) - len(lines[i].lstrip()) == len(lines[i - 1]) - len(lines[i - 1].lstrip())]
        if sib:
            i = pick(sib)
            lines[i] = " " * rng.randint(1, 2) + lines[i]
        elif cont:
            i = pick(cont)
            lines[i] = " " + lines[i]
    elif kind == "misindent-entry":
        starts = [i for i in body if lines[i].startswith("- ")][1:]
        if starts:
            first = pick(starts)
            end = next((j for j in body if j > first and lines[j].startswith("- ")), len(lines))
            shift = pick([1, 2, 3])
            for j in range(first, end):
                if lines[j].strip():
                    lines[j] = " " * shift + lines[j]
    elif kind == "misindent-field" and cont:
        i = pick(cont)
        lines[i] = lines[i][1:] if rng.random() < 0.5 else " " + lines[i]
    elif kind == "comments":
        for i in rng.sample(body, min(len(body), rng.randint(1, 2))):
            if rng.random() < 0.5:
                lines[i] += pick(["  # note", " # node role", " #x"])
            else:
                ind = len(lines[i]) - len(lines[i].lstrip())
                lines[i] = " " * ind + pick(["# comment", "#", "# - rolearn: old"]) + "\n" + lines[i]
        if rng.random() < 0.3 and kv:
            i = pick(kv)
            lines[i] += "#not-a-comment"
    elif kind == "blank-lines":
        for i in sorted(rng.sample(body, min(len(body), 2)), reverse=True):
            lines.insert(i, pick(["", "", "  ", "\t"]))
    elif kind == "doc-marker":
        if rng.random() < 0.5:
            lines.insert(0, "---")
        else:
            starts = [i for i in body if lines[i].startswith("- ")][1:]
            lines.insert(pick(starts) if starts else len(lines) - 1, pick(["---", "..."]))
    elif kind == "nbsp" and cont:
        i = pick(cont)
        lines[i] = "\u00a0" + lines[i][1:]
    elif kind == "crlf-in-section":
        return "\r\n".join(lines)
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Outer rendering: the section string as a value of data.<key>
# ---------------------------------------------------------------------------

def dq_escape(s: str) -> list[tuple[str, str]]:
    """(raw char, escaped text) pairs for a YAML double-quoted scalar."""
    out = []
    for ch in s:
        if ch == "\n":
            out.append((ch, "\\n"))
        elif ch == "\t":
            out.append((ch, "\\t"))
        elif ch == "\r":
            out.append((ch, "\\r"))
        elif ch in '"\\':
            out.append((ch, "\\" + ch))
        elif not ch.isprintable() or ch in "\u2028\u2029\u00a0\u200b\ufeff":
            out.append((ch, f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"))
        else:
            out.append((ch, ch))
    return out


def dq_wrapped(s: str, indent: int, width: int, mode: str) -> str:
    """A double-quoted scalar wrapped over several lines, as go-yaml/kubectl writes it.

    mode 'space': break at a space; the line break folds back into that space, and a
    space right after the break is escaped as "\\ " so it is not trimmed.
    mode 'backslash': break anywhere with a trailing "\\" (an escaped line break,
    which folds to nothing); a leading space on the next line is escaped likewise.
    """
    pairs = dq_escape(s)
    out = ['"']
    col = indent + 1
    pad = " " * indent
    i = 0
    while i < len(pairs):
        raw, esc = pairs[i]
        if mode == "space" and col > width and raw == " " and i > 0 and pairs[i - 1][0] != " " \
                and i + 1 < len(pairs):
            out.append("\n" + pad)
            col = indent
            i += 1
            if i < len(pairs) and pairs[i][0] == " ":
                out.append("\\ ")
                col += 2
                i += 1
            continue
        if mode == "backslash" and col > width and i + 1 < len(pairs):
            out.append("\\\n" + pad)
            col = indent
            if raw == " ":
                out.append("\\ ")
                col += 2
                i += 1
                continue
        out.append(esc)
        col += len(esc)
        i += 1
    out.append('"')
    return "".join(out)


def outer_value(c: Ctx, sec: Section, text: str, key_indent: int) -> tuple[str, str]:
    """Render `text` as the value of `sec.name`: returns (header after "key:", body lines).

    The body is "" or newline-separated lines (each already indented)."""
    rng = c.rng
    style = sec.outer
    multiline = "\n" in text.rstrip("\n") or text.endswith("\n\n")
    if style is None:
        r = rng.random()
        if r < 0.55:
            style = "|"
        elif r < 0.62:
            style = "|-"
        elif r < 0.66:
            style = "|+"
        elif r < 0.71:
            style = ">"
        elif r < 0.74:
            style = ">-"
        elif r < 0.77:
            style = ">more"
        elif r < 0.82:
            style = "|N"
        elif r < 0.89:
            style = "dq"
        elif r < 0.95:
            style = "dq-wrap"
        elif r < 0.97:
            style = "sq"
        else:
            style = "plain"
    c.feat(f"outer-{style}")
    base = key_indent + rng.choice([2, 2, 2, 4])
    pad = " " * base

    def block(header: str, body_text: str, ind: str) -> tuple[str, str]:
        ls = body_text.split("\n")
        if ls and ls[-1] == "":
            ls = ls[:-1]
        # lines of spaces only are written empty; a line holding a tab keeps it as content
        return header, "\n".join((ind + ln) if ln.strip(" ") else "" for ln in ls)

    if style in ("|", "|-", "|+"):
        body = text
        if style == "|+" and rng.random() < 0.5:
            body = text + "\n"
        if text.strip() == "":
            # an empty-ish block: keep its whitespace lines visible
            return style, "\n".join(pad + ln for ln in (text.split("\n")[:-1] or [""]))
        return block(style, body, pad)
    if style in (">", ">-"):
        return block(style, text, pad)
    if style == ">more":
        # folded with every line more indented than the explicit indentation: newlines kept
        n = base - key_indent
        return block(f">{n}", text, pad + "  ")
    if style == "|N":
        # explicit indentation indicator; sometimes the text has extra leading spaces
        n = base - key_indent
        extra = " " * rng.choice([0, 0, 1, 2])
        return block(f"|{n}", text, pad + extra)
    if style == "dq":
        return "".join(e for _, e in dq_escape(text)).join('""'), ""
    if style == "dq-wrap":
        v = dq_wrapped(text, base, rng.choice([40, 60, 80]), rng.choice(["space", "space", "backslash"]))
        first, _, rest = v.partition("\n")
        return first, rest
    if style == "sq":
        if not multiline:
            return sq(text.rstrip("\n")), ""
        # a multi-line single-quoted scalar: one line break folds into a space, an empty
        # line is a newline, and the leading spaces of each line are not content.
        ls = text.rstrip("\n").split("\n")
        body = ("\n\n" if rng.random() < 0.7 else "\n").join(ln.replace("'", "''") for ln in ls)
        v = "'" + body + "'"
        first, _, rest = v.partition("\n")
        return first, "\n".join(pad + ln if ln else ln for ln in rest.split("\n")) if rest else ""
    if style == "plain":
        one = text.strip()
        if "\n" in one or not one:
            return block("|", text, pad)
        return one, ""     # a plain outer scalar: may well be flow syntax or a number
    if style == "nested":
        return "", "\n".join(pad + ln for ln in text.rstrip("\n").split("\n"))
    if style == "outer-null":
        return rng.choice(["", "~", "null"]), ""
    if style == "outer-empty-dq":
        return '""', ""
    if style == "outer-empty-sq":
        return "''", ""
    if style == "outer-flow-list":
        return rng.choice(["[]", "[a, b]", "{}"]), ""
    if style == "outer-number":
        return rng.choice(["123456789012", "yes", "1.5"]), ""
    raise ValueError(style)


# ---------------------------------------------------------------------------
# Assembling a ConfigMap document and a file
# ---------------------------------------------------------------------------

def build_configmap(c: Ctx) -> dict[str, str]:
    """Draw the content of one aws-auth ConfigMap: {section name: nested text}."""
    rng = c.rng
    # Baseline content: ordinary entries, so that quirks sit among normal mappings.
    if rng.random() < 0.93:
        c.sec("mapRoles").entries += [c.normal_role(node=True)] + \
            [c.normal_role() for _ in range(rng.randint(0, 2))]
    if rng.random() < 0.6:
        c.sec("mapUsers").entries += [c.normal_user() for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.3:
        c.sec("mapAccounts").entries += [Entry(scalar_item=rng.choice([a, dq(a)]))
                                         for a in rng.sample(ACCOUNTS, rng.randint(1, 2))]
    # Quirks: about a fifth of the ConfigMaps get none, the rest one to four.
    n = 0 if rng.random() < 0.2 else rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
    funcs, weights = zip(*QUIRKS)
    chosen = rng.choices(funcs, weights=weights, k=n)
    # Quirks that replace a whole section's text go last, so that they do not
    # silently discard the entries other quirks added.
    chosen.sort(key=lambda q: q in (q_section_shape, q_accounts))
    for q in chosen:
        q(c)
    # Occasional style-only variation of whole sections (loads normally).
    for sec in c.sections.values():
        if rng.random() < 0.15:
            sec.style.flow_groups = True
        if rng.random() < 0.05 and sec.name != "mapAccounts" and sec.raw is None:
            for e in sec.entries:
                if e.scalar_item is None and not e.anchor and rng.random() < 0.5:
                    e.flow = True
            c.feat("flow-entries")
    texts = {}
    for name in ["mapRoles", "mapUsers", "mapAccounts"]:
        if name not in c.sections:
            continue
        sec = c.sections[name]
        if sec.raw is None and not sec.entries:
            sec.raw = rng.choice(["", "[]"])
        text = render_section_text(c, sec)
        for m in sec.mutations:
            text = mutate(rng, text, m)
        texts[name] = text
    return texts


def yaml_document(c: Ctx, texts: dict, namespace: str | None, name: str = "aws-auth") -> str:
    """The ConfigMap as a YAML manifest, each section in an outer scalar style."""
    rng = c.rng
    di = rng.choice([2, 2, 2, 4])          # indentation of the data keys
    meta = [f"  name: {name}"]
    if namespace is not None:
        meta.append(f"  namespace: {namespace}")
    if rng.random() < 0.15:
        meta.append("  labels:\n    app.kubernetes.io/managed-by: terraform")
    rng.shuffle(meta)
    out = ["apiVersion: v1", "kind: ConfigMap", "metadata:", *meta, "data:"]
    keys = list(texts)
    if rng.random() < 0.25:
        rng.shuffle(keys)
    data_lines = []
    for k in keys:
        sec = c.sections[k]
        header, body = outer_value(c, sec, texts[k], di)
        data_lines.append(" " * di + f"{k}:" + (f" {header}" if header != "" else "") +
                          (("\n" + body) if body else ""))
    for k, v in c.extra_data:
        data_lines.append(" " * di + f"{k}: {v}")
    if rng.random() < 0.2:
        rng.shuffle(data_lines)
    if not data_lines:
        out[-1] = "data: {}"
    out += data_lines
    if rng.random() < 0.2:
        # the top-level order of a manifest does not matter
        split = 3 + len(meta)
        out = out[split:] + out[:split]
    return "\n".join(out) + "\n"


def json_document(c: Ctx, texts: dict, namespace: str | None) -> str:
    """The ConfigMap as a JSON manifest; the sections are JSON strings.  JSON has no
    comments, so the feature list goes into an annotation."""
    rng = c.rng
    meta: dict = {"name": "aws-auth"}
    if namespace is not None:
        meta["namespace"] = namespace
    data = {k: texts[k] for k in texts}
    meta["annotations"] = {"awsauth.test/features": ", ".join(c.features) or "plain"}
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}
    return json.dumps(doc, indent=rng.choice([None, 2, 4]), ensure_ascii=rng.random() < 0.5) + "\n"


def extra_data_keys(c: Ctx) -> None:
    """Data keys the authenticator ignores (case near-misses) or that repeat."""
    rng = c.rng
    if rng.random() < 0.06:
        k = rng.choice(["maproles", "MapRoles", "MAPROLES", "mapRole", "mapusers", "MapAccounts"])
        c.extra_data.append((k, '"- rolearn: arn:aws:iam::111122223333:role/Ignored\\n  username: x\\n"'))
        c.feat("data-key-near-miss")
    if rng.random() < 0.03:
        # the same data key twice: yaml.v2 keeps the last one
        c.extra_data.append(("mapRoles",
                             '"- rolearn: arn:aws:iam::111122223333:role/Second\\n  groups: [view]\\n"'))
        c.feat("data-key-duplicate")


def generate_case(seed: int, index: int) -> str:
    """The text of case number `index`: one or two documents, maybe JSON, CRLF, BOM."""
    rng = random.Random(f"{seed}:{index}")
    parts: list[str] = []
    features: list[str] = []
    as_json = rng.random() < 0.06
    n_docs = 2 if rng.random() < 0.08 else 1
    for d in range(n_docs):
        c = Ctx(rng)
        extra_data_keys(c)
        texts = build_configmap(c)
        r = rng.random()
        namespace = "kube-system"
        if r < 0.04:
            namespace = None
            c.feat("no-namespace")
        elif r < 0.07 or (d == 1 and r < 0.5):
            namespace = rng.choice(["default", "kube-public", "Kube-System"])
            c.feat("other-namespace")
        if as_json:
            c.extra_data = []
            parts.append(json_document(c, texts, namespace))
        else:
            parts.append(yaml_document(c, texts, namespace))
        features += [f if d == 0 else f"doc2:{f}" for f in c.features]
    if n_docs == 2 and rng.random() < 0.4:
        # the second document is not an aws-auth ConfigMap at all
        parts[1] = rng.choice(["apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: aws-auth\n"
                               "  namespace: kube-system\n",
                               "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tools\n"])
        features = [f for f in features if not f.startswith("doc2:")] + ["doc2:other-kind"]
    if n_docs == 2:
        features.append("multi-doc")
    text = "---\n".join(parts)
    if n_docs == 2 and rng.random() < 0.3:
        text = "---\n" + text
    crlf = rng.random() < 0.06
    bom = rng.random() < 0.04
    features += ["crlf"] * crlf + ["bom"] * bom
    if as_json:
        features.append("json-manifest")
    else:
        text = f"# case-{index:04d}: {', '.join(features) or 'plain'}\n" + text
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if bom:
        text = "\ufeff" + text
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", nargs="?", default=DEFAULT_OUT)
    ap.add_argument("--count", type=int, default=DEFAULT_COUNT)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("case-*.yaml"):
        old.unlink()
    for i in range(1, args.count + 1):
        text = generate_case(args.seed, i)
        data = text.encode("utf-8")      # str -> UTF-8; raises on lone surrogates
        (out / f"case-{i:04d}.yaml").write_bytes(data)
    print(f"gen_differential: wrote {args.count} cases to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
