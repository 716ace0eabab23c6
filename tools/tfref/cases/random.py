#!/usr/bin/env python3
"""Writes random.jsonl: seeded random values for `tfref encode`, built from the characters and
shapes that steer go-cty-yaml's emitter (spaces near column 80, line breaks, escapes, long keys)."""
import json
import random

from encode import s  # the HCL quoting helper

R = random.Random(15)
ATOMS = ["a", "b", "word", " ", " ", "  ", "\n", "\n", "\t", ":", "-", "#", "{{x}}", "é", "😀",
         "\u2028", "\u0085", "\u00a0", "\ufeff", "\r", "\"", "\\", "<&>", "\u0001", "\u007f",
         "arn:aws:iam::111122223333:role/", "system:masters", "x" * 30]

def rstr():
    n = R.choice([0, 1, 2, 5, 10, 20, 40])
    return "".join(R.choice(ATOMS) for _ in range(n))

def rkey():
    if R.random() < 0.15:
        return rstr()
    return R.choice(["rolearn", "username", "groups", "a", "b", "B", "on", "k" * R.choice([60, 128, 129])])

def rval(depth):
    r = R.random()
    if depth > 3 or r < 0.45:
        t = R.random()
        if t < 0.75:
            return s(rstr())
        if t < 0.85:
            return R.choice(["1", "-2.5", "1e3", "12345678901234567890"])
        return R.choice(["true", "false", "null"])
    if r < 0.7:
        return "[" + ", ".join(rval(depth + 1) for _ in range(R.choice([0, 1, 2, 3]))) + "]"
    keys = {}
    for _ in range(R.choice([0, 1, 2, 3, 4])):
        keys[rkey()] = rval(depth + 1)
    return "{" + ", ".join(f"{s(k)} = {v}" for k, v in keys.items()) + "}"

if __name__ == "__main__":
    with open("random.jsonl", "w") as f:
        for i in range(300):
            f.write(json.dumps({"name": f"random_{i}", "src": rval(0)}, ensure_ascii=False) + "\n")
