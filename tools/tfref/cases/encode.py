#!/usr/bin/env python3
"""Writes encode.jsonl: the inputs of `tfref encode` (HCL expressions of literal values)."""
import json

C = []
def c(name, src):
    C.append({"name": name, "src": src})

def s(v):
    """An HCL quoted string for the Python string v."""
    out = []
    for ch in v:
        o = ord(ch)
        if ch == '"': out.append('\\"')
        elif ch == '\\': out.append('\\\\')
        elif ch == '\n': out.append('\\n')
        elif ch == '\r': out.append('\\r')
        elif ch == '\t': out.append('\\t')
        elif o < 0x20 or o == 0x7f or 0x80 <= o < 0xa0 or o in (0x2028, 0x2029, 0xfeff):
            out.append('\\u%04x' % o)
        elif ch == '$' : out.append('$')
        else: out.append(ch)
    r = ''.join(out).replace('${', '$${').replace('%{', '%%{')
    return '"' + r + '"'

# scalars
for name, v in [
    ("str_plain", "hello"), ("str_empty", ""), ("str_on", "on"), ("str_yes", "yes"),
    ("str_null", "null"), ("str_tilde", "~"), ("str_true", "true"), ("str_number", "123"),
    ("str_float", "1.5e3"), ("str_octal", "0o17"), ("str_underscore_int", "1_000"),
    ("str_session_name", "{{SessionName}}"), ("str_node", "system:node:{{EC2PrivateDNSName}}"),
    ("str_dash", "- a"), ("str_colon", "a: b"), ("str_hash", "#x"), ("str_space_hash", "a #b"),
    ("str_leading_space", "  a"), ("str_trailing_space", "a  "), ("str_only_spaces", "   "),
    ("str_quotes", 'say "hi" \'x\''), ("str_backslash", "C:\\path\\x"), ("str_tab", "a\tb"),
    ("str_unicode", "héllo wörld ☃ 😀"), ("str_control", "a\u0001b\u0007c\u0008d\u000be\u000cf\u001bg\u007fh"),
    ("str_nul", "a\u0000b"), ("str_nel_nbsp", "a\u0085b\u00a0c"), ("str_line_sep", "a\u2028b\u2029c"),
    ("str_bom", "\ufeffa"), ("str_html", "<a href=\"x\">&amp;</a>"), ("str_cr", "a\rb"),
    ("str_percent_dollar", "${x} %{y} $5 100%"), ("str_arn", "arn:aws:iam::111122223333:role/node"),
    ("str_long_words", "the quick brown fox jumps over the lazy dog and keeps running far beyond the eighty column limit of the emitter"),
    ("str_long_nospace", "x" * 120), ("str_long_arn_path", "arn:aws:iam::111122223333:role/a/very/long/path/that/goes/on/and/on/and/on/past/eighty/columns/Role"),
    ("str_long_double_spaces", "word " * 10 + " two  spaces  here  " + "word " * 10),
    ("str_long_escapes", ("ab\tc " * 20)), ("str_long_unicode", "é " * 60),
    ("str_multiline", "a\nb\nc"), ("str_multiline_trailing_nl", "a\nb\n"),
    ("str_multiline_two_trailing_nl", "a\nb\n\n"), ("str_multiline_leading_space", "  a\nb\n"),
    ("str_multiline_leading_nl", "\na\nb"), ("str_multiline_trailing_space", "a \nb"),
    ("str_multiline_tab", "a\tb\nc"), ("str_multiline_only_nl", "\n"), ("str_multiline_crlf", "a\r\nb\r\n"),
    ("str_multiline_yaml_doc", "- rolearn: arn:aws:iam::1:role/x\n  username: x\n  groups:\n    - system:masters\n"),
    ("str_multiline_long_line", "short\n" + "long " * 30 + "\nend"),
    ("str_multiline_control", "a\u0001\nb"), ("str_multiline_blank_lines", "a\n\n\nb"),
    ("str_multiline_space_lines", "a\n  \nb"),
]:
    c(name, s(v))

for name, v in [("num_int", "1"), ("num_zero", "0"), ("num_negative", "-5"), ("num_fraction", "1.5"),
                ("num_large", "12345678901234567890123"), ("num_exp", "1e21"), ("num_small", "0.000001"),
                ("num_third", "1/3"), ("num_float_exp", "1.25e-3")]:
    c(name, v)
c("bool_true", "true")
c("bool_false", "false")
c("null", "null")

# collections
c("list_empty", "[]")
c("object_empty", "{}")
c("list_strings", '["a", "b", "on"]')
c("list_mixed", '[1, "1", true, null, 1.5]')
c("list_nested", '[["a", "b"], [], ["c"]]')
c("object_keys_sorted", '{b = 1, a = 2, C = 3, "10" = 4, "9" = 5, "é" = 6, "_" = 7}')
c("object_keys_quoted", '{"a b" = 1, "a:b" = 2, "on" = 3, "" = 4, "-x" = 5, "#" = 6, "{{x}}" = 7}')
c("object_key_multiline", '{"a\\nb" = 1, "c" = "d\\ne"}')
c("object_key_long", '{%s = 1}' % s("k" * 100))
c("object_key_long_spaces", '{%s = "v"}' % s("key with spaces " * 8))
c("object_nested", '{a = {b = {c = ["x", {d = null}]}}, e = []}')
c("object_empty_values", '{a = {}, b = [], c = "", d = null}')
c("list_of_empty", '[{}, [], ""]')
c("list_of_lists_of_objects", '[[{a = 1}], [{b = [2]}]]')
c("object_with_multiline", '{script = "line1\\nline2\\n", name = "x"}')
c("list_with_multiline", '["a\\nb", "c"]')
c("list_nested_multiline", '[["a\\nb\\n"]]')
c("object_in_list_multiline_first", '[{a = "x\\ny", b = 1}]')
c("deep_nesting", '[[[[{a = [[["x"]]]}]]]]')

# aws-auth shapes
c("aws_auth_roles", '''[
  {
    rolearn  = "arn:aws:iam::111122223333:role/eks-node"
    username = "system:node:{{EC2PrivateDNSName}}"
    groups   = ["system:bootstrappers", "system:nodes"]
  },
  {
    rolearn  = "arn:aws:iam::111122223333:role/admin"
    username = "admin:{{SessionName}}"
    groups   = ["system:masters"]
  },
]''')
c("aws_auth_users", '''[
  {
    userarn  = "arn:aws:iam::111122223333:user/alice"
    username = "alice"
    groups   = ["system:masters"]
  },
]''')
c("aws_auth_accounts", '["111122223333", "444455556666"]')
c("aws_auth_data", '''{
  mapRoles    = "- rolearn: arn:aws:iam::111122223333:role/x\\n  username: x\\n"
  mapUsers    = "[]"
  mapAccounts = "- \\"111122223333\\"\\n"
}''')
c("aws_auth_role_empty_groups", '[{rolearn = "arn:aws:iam::1:role/x", username = "x", groups = []}]')
c("aws_auth_role_no_username", '[{rolearn = "arn:aws:iam::1:role/x", groups = ["a"]}]')
c("aws_auth_role_long_arn", '[{rolearn = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef", username = "sso-admin:{{SessionName}}", groups = ["system:masters"]}]')
c("aws_auth_sso", '[{sso = {permissionSetName = "Admin", accountID = "111122223333"}, username = "a", groups = ["g"]}]')
c("aws_auth_on_group", '[{rolearn = "arn:aws:iam::1:role/x", username = "on", groups = ["yes", "no", "null"]}]')
c("template_rendered_in_literal", '{a = "x-${"y"}-z"}')

# emitter edge cases: simple-key limit, folding, block refusal, BOM
c("key_128_bytes", '{%s = 1}' % s("k" * 128))
c("key_129_bytes", '{%s = 1}' % s("k" * 129))
c("key_129_with_spaces_in_list", '[{%s = "v", b = 1}]' % s("key with spaces " * 8 + "x"))
c("key_cr", '{"a\\rb" = 1}')
c("key_line_separator", '{"a\\u2028b" = 1}')
c("key_multiline_value_list", '{"x\\ny" = ["a", "b"]}')
c("key_multiline_trailing_space", '{"x \\ny" = {z = 1}}')
c("key_tab", '{"a\\tb" = 1}')
c("key_bom", '{"\\ufeffk" = "\\ufeffv w"}')
c("str_bom_spaces", s("\ufeffa b"))
c("str_bom_middle", s("a\ufeffb"))
c("str_multiline_line_separator", s("a\nb\u2028c"))
c("str_multiline_nel", s("a\nb\u0085c"))
c("str_multiline_emoji", s("a\n😀"))
c("str_multiline_nbsp", s("a\n\u00a0b"))
c("str_multiline_space_then_break_end", s("a\nb \n"))
c("str_multiline_leading_space_line2", s("a\n  b\n   c"))
c("str_multiline_only_spaces_line", s("\n  \n"))
c("str_fold_exact_80", s("a" * 79 + " b c"))
c("str_fold_exact_81", s("a" * 80 + " b c"))
c("str_fold_two_spaces", s("a" * 81 + "  b"))
c("str_fold_three_spaces", s("a" * 81 + "   b"))
c("str_fold_trailing_space_at_end", s("a" * 85 + " "))
c("str_fold_space_before_last", s("a" * 85 + " b"))
c("str_fold_repeated", s(" ".join(["abcdefghij"] * 30)))
c("str_fold_escape_then_space", s("a" * 78 + "\t\t b c"))
c("str_fold_in_nested_list", '[[%s]]' % s("word " * 40))
c("str_fold_in_map_in_list", '[{k = %s}]' % s("word " * 40))
c("str_fold_leading_space", s(" " + "word " * 30))
c("str_fold_unicode_columns", s("é" * 79 + " x y"))
c("str_fold_astral_escapes", s("😀" * 8 + " x " + "y" * 10 + " z"))
c("str_long_key_value_fold", '{%s = %s}' % (s("k" * 70), s("word " * 10)))
c("list_in_list_literal", '[["a\\nb", "c\\n"], "d"]')
c("object_list_of_empty_in_map", '{a = [{}], b = [[]], c = {d = {}}}')
c("num_in_list_not_root", '[1]')
c("str_root_literal_keep", s("x\n\n"))
c("str_only_break_in_map", '{a = "\\n", b = "\\n\\n"}')
c("str_nested_literal_keep_then_key", '{a = "x\\n\\n", b = "y"}')
c("map_key_order_case", '{"B" = 1, "a" = 2, "A" = 3, "b" = 4, "aa" = 5, "a b" = 6, "a-b" = 7, "a_b" = 8}')
c("str_dashes", s("---"))
c("str_dots", s("..."))
c("str_question", s("? x"))
c("aws_auth_roles_mixed_escapes", '[{rolearn = "arn:aws:iam::1:role/x", username = "a<b>&c", groups = ["g\\th"]}]')

if __name__ == "__main__":
    with open("encode.jsonl", "w") as f:
        for case in C:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(len(C))
