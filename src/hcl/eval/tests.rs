use super::*;
use crate::hcl::parse::parse;

/// A module from `(name, text)` `.tf` files and tfvars files.
fn module(files: &[(&str, &str)], tfvars: &[(&str, &str)]) -> Module {
    let files = files
        .iter()
        .map(|(n, t)| parse(&SourceFile::new(*n, *t)).expect("test file parses"))
        .collect();
    let tfvars = tfvars
        .iter()
        .map(|(n, t)| SourceFile::new(*n, *t))
        .collect();
    Module::new(files, tfvars)
}

/// The value of top-level attribute `name` of file `file` (tests write attributes at the top).
fn attr(m: &Module, file: usize, name: &str) -> Spanned {
    let a = parse::attribute(&m.files()[file].body, name).expect("attribute");
    m.eval(file, &a.value)
}

/// A value in a compact form: `"s"`, `1`, `[..]`, `{k = ..}`, `?why`, `"s"?` (partly unknown).
fn show(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.clone(),
        Value::String(t) => format!("{:?}{}", t.value, if t.unknown { "?" } else { "" }),
        Value::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| show(&i.value))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{} = {}", k.value, show(&v.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Unknown(u) => format!("?{}", u.why),
    }
}

/// Evaluates `x` in a one-file module with `src` (attributes at the top).
fn x(src: &str) -> String {
    let m = module(&[("main.tf", src)], &[]);
    show(&attr(&m, 0, "x").value)
}

fn check(cases: &[(&str, &str)]) {
    let mut failed = Vec::new();
    for (src, want) in cases {
        let got = x(src);
        if got != *want {
            failed.push(format!("{src}\n  want {want}\n  got  {got}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn literals_numbers_collections() {
    check(&[
        ("x = 1", "1"),
        ("x = 1.50", "1.5"),
        ("x = 1e3", "1000"),
        ("x = 2.5E-2", "0.025"),
        ("x = 12345678901234567890", "12345678901234567890"),
        ("x = -0", "0"),
        ("x = -3", "-3"),
        ("x = true", "true"),
        ("x = null", "null"),
        (r#"x = "a\"b""#, r#""a\"b""#),
        (r#"x = ["a", 1, [true]]"#, r#"["a", 1, [true]]"#),
        (
            "locals { y = \"k\" }\nx = { a = 1, \"b c\" = 2, (local.y) = 3 }",
            "{a = 1, b c = 2, k = 3}",
        ),
        ("x = (1)", "1"),
    ]);
}

#[test]
fn templates_interpolate_escape_and_strip() {
    check(&[
        ("locals { y = \"Q\" }\nx = \"a${local.y}b\"", "\"aQb\""),
        ("x = \"$${y} %%{z}\"", "\"${y} %{z}\""),
        ("x = \"${[1]}\"", "[1]"),
        ("x = \"n=${true}\"", "\"n=true\""),
        ("x = \"a ${~ \"b\" ~} c\"", "\"abc\""),
        ("x = \"%{ if true }y%{ else }n%{ endif }\"", "\"y\""),
        (
            "x = \"%{ for k, v in {a = 1} }${k}=${v};%{ endfor }\"",
            "\"a=1;\"",
        ),
        ("x = \"a${data.x.y}b\"", "\"a${data.x.y}b\"?"),
        (
            "x = \"%{ if var.z }y%{ endif }!\"\nvariable \"z\" {}",
            "\"%{ if var.z }y%{ endif }!\"?",
        ),
        ("x = \"${null}\"", "null"),
        ("x = \"a${null}\"", "?an expression terraform would reject"),
    ]);
}

#[test]
fn heredocs_strip_indentation_as_hcl_v2() {
    check(&[
        ("x = <<EOT\n  a\n    b\nEOT\n", "\"  a\\n    b\\n\""),
        ("x = <<-EOT\n    a\n      b\n    EOT\n", "\"a\\n  b\\n\""),
        // a line starting with an interpolation counts 0: nothing is stripped
        (
            "x = <<-EOT\n    a\n${\"b\"}\n    c\nEOT\n",
            "\"    a\\nb\\n    c\\n\"",
        ),
        // whitespace-only lines do not count and keep their whitespace
        (
            "x = <<-EOT\n    a\n  \n    b\n    EOT\n",
            "\"a\\n  \\nb\\n\"",
        ),
        // tabs count as one each
        ("x = <<-EOT\n\ta\n    b\n  EOT\n", "\"a\\n   b\\n\""),
        ("x = <<-EOT\n  a $${b}\n  EOT\n", "\"a ${b}\\n\""),
        ("x = <<EOT\na\\nb\nEOT\n", "\"a\\\\nb\\n\""),
    ]);
}

/// hcl/v2's own answers, recorded by `../shared/oracle`-style Go (`hcl_strings.jsonl`).
#[test]
fn strings_match_hcl_v2_answers() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/terraform/hcl_strings.jsonl"
    );
    let Ok(data) = std::fs::read_to_string(path) else {
        return; // recorded on another branch; merged later
    };
    // hcl-edit accepts these, hcl/v2 does not; the loader sees a value where Terraform fails
    let accepted_by_hcl_edit = ["heredoc_no_trailing_newline_after_marker"];
    let mut failed = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("json line");
        let name = case["name"].as_str().unwrap_or_default();
        let src = case["src"].as_str().unwrap_or_default();
        let file = SourceFile::new("main.tf", src);
        let got = parse(&file).ok().map(|tf| {
            let m = Module::new(vec![tf], Vec::new());
            attr(&m, 0, "x").value
        });
        match (case.get("value").and_then(|v| v.as_str()), got) {
            (Some(want), Some(Value::String(t))) if t.value == want && !t.unknown => {}
            (None, None | Some(Value::Unknown(_))) => {}
            (None, Some(_)) if accepted_by_hcl_edit.contains(&name) => {}
            (want, got) => failed.push(format!("{name}: want {want:?}, got {got:?}")),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn literal_pieces_map_to_the_source() {
    let src = "x = \"a\\\"b${local.y}c\"\nlocals { y = \"Q\" }\nz = <<-EOT\n    k: v\n    EOT\n";
    let m = module(&[("main.tf", src)], &[]);
    let Value::String(t) = attr(&m, 0, "x").value else {
        panic!("string")
    };
    assert_eq!(t.value, "a\"bQc");
    let a = src.find('a').expect("a");
    assert_eq!(t.outer(0, 0), a);
    // the escape maps to its backslash, `b` maps verbatim, `Q` to where `y` is defined
    assert_eq!(t.outer(1, 0), a + 1);
    assert_eq!(t.outer(2, 0), a + 3);
    assert_eq!(t.outer(3, 0), src.find('Q').expect("Q"));
    let Value::String(h) = attr(&m, 0, "z").value else {
        panic!("heredoc")
    };
    assert_eq!(h.value, "k: v\n");
    assert_eq!(h.outer(3, 0), src.find("v\n").expect("v"));
}

#[test]
fn variables_follow_terraform_precedence() {
    let tf = "variable \"a\" { default = \"def\" }\nvariable \"b\" { default = \"def\" }\nvariable \"c\" { default = \"def\" }\nvariable \"d\" {}\nvariable \"e\" { default = \"def\" }\nx = [var.a, var.b, var.c, var.d, var.e]\nu = var.nope\n";
    let m = module(
        &[("main.tf", tf)],
        &[
            ("z.auto.tfvars", "c = \"z-auto\"\n"),
            ("terraform.tfvars", "b = \"tfvars\"\nc = \"tfvars\"\n"),
            ("a.auto.tfvars", "c = \"a-auto\"\n"),
            ("prod.tfvars", "e = \"not read\"\n"),
            ("b.auto.tfvars.json", "{\"a\": \"json\"}"),
        ],
    );
    let v = attr(&m, 0, "x");
    assert_eq!(
        show(&v.value),
        r#"["json", "tfvars", "z-auto", ?a variable without a value, "def"]"#
    );
    // a tfvars value is re-spanned to the reference
    let Value::List(items) = &v.value else {
        panic!("list")
    };
    let at = tf.find("var.b").expect("var.b");
    assert_eq!(items[1].span, at..at + 5);
    assert_eq!(show(&attr(&m, 0, "u").value), "?an undeclared variable");
}

#[test]
fn locals_across_files_cycles_and_access() {
    let locals = "locals {\n  l = [\"a\", \"b\"]\n  o = { k = { n = \"v\" } }\n  c1 = local.c2\n  c2 = local.c1\n  s = [{ n = 1 }, { n = 2 }]\n}\n";
    let main = "x = [local.l[1], local.o.k.n, local.o[\"k\"][\"n\"], local.s[*].n, local.c1, local.nope]\ny = \"${local.l[0]}!\"\n";
    let m = module(&[("locals.tf", locals), ("main.tf", main)], &[]);
    let v = attr(&m, 1, "x");
    assert_eq!(
        show(&v.value),
        r#"["b", "v", "v", [1, 2], ?a local that refers to itself, ?an undefined local]"#
    );
    // from another file: re-spanned to the reference, one non-verbatim piece
    let Value::String(t) = attr(&m, 1, "y").value else {
        panic!("string")
    };
    let at = main.find("local.l[0]").expect("ref");
    assert_eq!(t.pieces[0].outer.start, at);
    assert!(!t.pieces[0].verbatim);
}

#[test]
fn for_conditionals_and_operators() {
    check(&[
        (
            "x = [for s in [\"a\", \"B\"] : upper(s) if s != \"a\"]",
            "[\"B\"]",
        ),
        (
            "x = {for k, v in {a = 1, b = 2} : v => k}",
            "{1 = \"a\", 2 = \"b\"}",
        ),
        ("x = {for v in [\"a\", \"a\"] : v => 1...}", "{a = [1, 1]}"),
        (
            "x = {for v in [\"a\", \"a\"] : v => 1}",
            "?an expression terraform would reject",
        ),
        ("x = [for i, v in [\"a\"] : i]", "[0]"),
        // objects are iterated in the lexical order of their keys
        ("x = [for k, v in {b = 1, a = 2} : k]", "[\"a\", \"b\"]"),
        (
            "x = \"%{ for k, v in {b = 1, a = 2} }${k}%{ endfor }\"",
            "\"ab\"",
        ),
        ("x = true ? 1 : 2", "1"),
        ("x = true ? 1 : \"a\"", "\"1\""),
        ("x = 1 == 1 && !false", "true"),
        ("x = \"1\" == 1", "false"),
        ("x = [1] == [1] || false", "true"),
        (
            "x = var.c ? 1 : 2\nvariable \"c\" {}",
            "?a variable without a value",
        ),
        ("x = [for v in data.x.y : v]", "?a data source"),
        ("x = 1 + 2 * 3", "7"),
        ("x = 7 / 2", "3.5"),
    ]);
}

#[test]
fn functions_on_known_values() {
    check(&[
        ("x = concat([\"a\"], [], [\"b\"])", "[\"a\", \"b\"]"),
        ("x = merge({a = 1, b = 1}, null, {b = 2})", "{a = 1, b = 2}"),
        (
            "x = flatten([[\"a\"], [[\"b\"]], \"c\"])",
            "[\"a\", \"b\", \"c\"]",
        ),
        ("x = distinct([\"a\", \"b\", \"a\"])", "[\"a\", \"b\"]"),
        ("x = toset([\"b\", \"a\", \"b\"])", "[\"a\", \"b\"]"),
        ("x = toset([10, 9])", "[9, 10]"),
        ("x = tolist([1])", "[1]"),
        ("x = tomap({a = 1})", "{a = 1}"),
        (
            "x = format(\"%s-%d-%q-%v-%%\", \"a\", 5, \"q\", true)",
            "\"a-5-\\\"q\\\"-true-%\"",
        ),
        (
            "x = format(\"%5s|%-3s|%03d|%.2s\", \"a\", \"b\", 7, \"xyz\")",
            "\"    a|b  |007|xy\"",
        ),
        (
            "x = format(\"%s\")",
            "?an expression terraform would reject",
        ),
        (
            "x = format(\"%x\", 1)",
            "?a function awsauth does not evaluate",
        ),
        ("x = lower(\"AbC\")", "\"abc\""),
        ("x = upper(\"ab\")", "\"AB\""),
        ("x = trimspace(\"  a b \\n\")", "\"a b\""),
        ("x = join(\",\", [\"a\", 1, true])", "\"a,1,true\""),
        ("x = split(\",\", \"a,,b\")", "[\"a\", \"\", \"b\"]"),
        ("x = replace(\"a-b-c\", \"-\", \"+\")", "\"a+b+c\""),
        (
            "x = replace(\"a\", \"/a/\", \"b\")",
            "?a function awsauth does not evaluate",
        ),
        ("x = coalesce(null, \"\", \"x\")", "\"x\""),
        ("x = compact([\"a\", \"\", null, \"b\"])", "[\"a\", \"b\"]"),
        ("x = lookup({a = 1}, \"a\")", "1"),
        ("x = lookup({a = 1}, \"b\", 2)", "2"),
        (
            "x = lookup({a = 1}, \"b\")",
            "?an expression terraform would reject",
        ),
        (
            "x = try(local.nope, {a = 1}.b, \"fallback\")",
            "\"fallback\"",
        ),
        ("x = try(data.x.y, \"fallback\")", "?a data source"),
        (
            "x = [length([1, 2]), length({a = 1}), length(\"héllo\")]",
            "[2, 1, 5]",
        ),
        ("x = keys({b = 1, a = 2})", "[\"a\", \"b\"]"),
        ("x = values({b = 1, a = 2})", "[2, 1]"),
        ("x = contains([\"a\"], \"a\")", "true"),
        ("x = element([\"a\", \"b\"], 3)", "\"b\""),
        ("x = tostring(1)", "\"1\""),
        (
            "x = jsonencode({a = 1})",
            "?a function awsauth does not evaluate",
        ),
        ("x = concat([\"a\"], data.x.y)", "?a data source"),
        ("x = concat([\"a\"], [data.x.y])", "[\"a\", ?a data source]"),
        (
            "x = provider::p::f(1)",
            "?a function awsauth does not evaluate",
        ),
    ]);
}

#[test]
fn references_terraform_knows_only_when_it_runs() {
    check(&[
        (
            "x = data.aws_caller_identity.current.account_id",
            "?a data source",
        ),
        ("x = module.eks.cluster_name", "?another module's output"),
        ("x = each.value", "?a for_each value"),
        ("x = count.index", "?a count index"),
        ("x = path.module", "?a value known only when terraform runs"),
        (
            "x = aws_iam_role.other.arn",
            "?a resource attribute known after apply",
        ),
        (
            "x = aws_eks_cluster.c.name",
            "?a resource attribute known after apply",
        ),
        ("x = nothing", "?an expression terraform would reject"),
    ]);
    let m = module(&[("main.tf", "x = \"a${data.x.y}\"\n")], &[]);
    let Value::String(t) = attr(&m, 0, "x").value else {
        panic!("string")
    };
    assert!(t.unknown);
    assert_eq!(t.value, "a${data.x.y}");
    assert_eq!(t.pieces[1].outer, 8..16);
}

#[test]
fn role_arn_is_known_in_shape_with_the_path_where_written() {
    let src = "resource \"aws_iam_role\" \"node\" {\n  name = \"eks-node\"\n  path = \"/nodes/\"\n}\nresource \"aws_iam_role\" \"p\" {\n  name_prefix = \"x\"\n}\nx = aws_iam_role.node.arn\ny = aws_iam_role.node.name\nz = aws_iam_role.p.arn\n";
    let m = module(&[("main.tf", src)], &[]);
    let v = attr(&m, 0, "x");
    let Value::String(t) = &v.value else {
        panic!("string")
    };
    assert!(t.unknown);
    assert_eq!(
        t.value,
        "arn:aws:iam::${aws_iam_role.node.arn}:role/nodes/eks-node"
    );
    let reference = src.find("aws_iam_role.node.arn").expect("ref");
    assert_eq!(v.span.start, reference);
    // the `/` after `role` is the path's first byte in `path = "/nodes/"`
    let slash = t.value.find(":role/").expect("role") + 5;
    assert_eq!(t.outer(slash, 0), src.find("/nodes/").expect("path"));
    assert_eq!(t.outer(slash + 7, 0), src.find("eks-node").expect("name"));
    assert_eq!(t.outer(0, 0), reference);
    assert_eq!(show(&attr(&m, 0, "y").value), "\"eks-node\"");
    assert_eq!(
        show(&attr(&m, 0, "z").value),
        "\"arn:aws:iam::${aws_iam_role.p.arn}:role/${aws_iam_role.p.name}\"?"
    );
    // declared in another file: re-spanned to the reference
    let m = module(
        &[
            ("iam.tf", &src[..src.find("\nx =").expect("x")]),
            ("main.tf", "x = aws_iam_role.node.arn\n"),
        ],
        &[],
    );
    let Value::String(t) = attr(&m, 1, "x").value else {
        panic!("string")
    };
    assert_eq!(
        t.value,
        "arn:aws:iam::${aws_iam_role.node.arn}:role/nodes/eks-node"
    );
    assert!(t.pieces.iter().all(|p| p.outer == (4..25) && !p.verbatim));
}

#[test]
fn budgets_stop_hostile_input() {
    // exponential growth through locals
    let mut src = String::from("locals {\n  l0 = \"xxxxxxxxxxxxxxxx\"\n");
    for i in 1..40 {
        src.push_str(&format!("  l{i} = [local.l{p}, local.l{p}]\n", p = i - 1));
    }
    src.push_str("  s0 = \"ab\"\n");
    for i in 1..40 {
        src.push_str(&format!(
            "  s{i} = \"${{local.s{p}}}${{local.s{p}}}\"\n",
            p = i - 1
        ));
    }
    src.push_str("}\nx = local.l39\ny = local.s39\nz = format(\"%999999999s\", \"a\")\n");
    // deep recursion of locals
    src.push_str("locals {\n");
    for i in 0..200 {
        src.push_str(&format!("  d{i} = local.d{}\n", i + 1));
    }
    src.push_str("  d200 = 1\n}\nw = local.d0\n");
    // a large but ordinary template is not over the budget
    src.push_str(&format!(
        "locals {{\n  a = \"abcdefghij\"\n}}\nv = <<EOT\n{}\nEOT\n",
        "- ${local.a}\n".repeat(20_000)
    ));
    let m = module(&[("main.tf", &src)], &[]);
    let Value::String(v) = attr(&m, 0, "v").value else {
        panic!("a known string")
    };
    assert_eq!(v.value.len(), 13 * 20_000 + 1);
    for name in ["x", "y", "z", "w"] {
        let got = show(&attr(&m, 0, name).value);
        assert!(
            got.contains(TOO_LARGE),
            "{name}: {}",
            &got[..got.len().min(200)]
        );
    }
}

#[test]
fn blocks_and_attributes_across_the_module() {
    let m = module(
        &[
            ("a.tf", "resource \"aws_iam_role\" \"r\" { name = \"n\" }\n"),
            (
                "b.tf",
                "resource \"kubernetes_config_map\" \"aws_auth\" {}\nmodule \"eks\" {}\n",
            ),
        ],
        &[],
    );
    let res: Vec<usize> = m.blocks("resource").map(|(f, _)| f).collect();
    assert_eq!(res, [0, 1]);
    let (f, b) = m.block("resource", &["aws_iam_role", "r"]).expect("role");
    assert_eq!(f, 0);
    let name = attribute(&b.body, "name").expect("name");
    assert_eq!(show(&m.eval(f, &name.value).value), "\"n\"");
    assert_eq!(m.file_index("b.tf"), Some(1));
}

/// A realistic module file: variables, locals, a role, a config map with a heredoc and
/// `yamlencode`.
const REALISTIC: &str = r#"variable "roles" {
  default = [{ name = "ci", arn = "arn:aws:iam::111122223333:role/ci" }]
}

locals {
  name  = "ci"
  roles = [for r in var.roles : { rolearn = r.arn, username = "x-${r.name}", groups = ["system:masters"] }]
  users = concat([], [format("arn:aws:iam::%s:user/%s", "111122223333", lower("Alice"))])
}

resource "aws_iam_role" "node" {
  name = "eks-node"
  path = "/nodes/"
}

resource "kubernetes_config_map_v1_data" "aws_auth" {
  metadata {
    name      = "aws-auth"
    namespace = "kube-system"
  }
  force = true
  data = {
    mapRoles = <<-EOT
      - rolearn: ${aws_iam_role.node.arn}
        username: system:node:{{EC2PrivateDNSName}}
        groups: ["system:bootstrappers", "system:nodes"]
      %{~ for r in local.roles ~}
      - rolearn: ${r.rolearn}
        username: "${r.username}"
      %{ endfor ~}
    EOT
    mapUsers = yamlencode(local.users)
    other    = try(local.nope, "a\"b\u00e9 $${x}") == "x" ? toset(["b", "a"]) : { (local.name) = 1 }
  }
}
"#;

/// Truncated prefixes and byte mutations of a realistic file: parsing and evaluating every
/// attribute never panics, and parse errors stay within the text.
#[test]
fn no_panic_on_truncated_or_mutated_input() {
    let base = REALISTIC;
    let mut inputs: Vec<String> = (0..base.len())
        .filter(|&i| base.is_char_boundary(i))
        .map(|i| base[..i].to_owned())
        .collect();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let specials = b"{}[]()\"$%~<-=\n\\:?!*.,#/";
    for _ in 0..1500 {
        let mut bytes = base.as_bytes().to_vec();
        for _ in 0..3 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = usize::try_from(seed % bytes.len() as u64).unwrap_or(0);
            let c = specials[usize::try_from(seed >> 40).unwrap_or(0) % specials.len()];
            match seed % 3 {
                0 => bytes[at] = c,
                1 => bytes.insert(at, c),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        inputs.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    let main = parse(&SourceFile::new(
        "main.tf",
        "variable \"roles\" {}\nx = var.roles\n",
    ));
    let main = main.expect("parses");
    for text in inputs {
        // the same text as a tfvars file (HCL and JSON)
        for name in ["terraform.tfvars", "a.auto.tfvars.json"] {
            let m = Module::new(
                vec![parse(&main.file).expect("parses")],
                vec![SourceFile::new(name, text.clone())],
            );
            eval_everything(&m, &m.files()[0].body);
        }
        let file = SourceFile::new("main.tf", text);
        match parse(&file) {
            Err(e) => assert!(e.span.end <= file.text.len()),
            Ok(tf) => {
                let m = Module::new(vec![tf], Vec::new());
                eval_everything(&m, &m.files()[0].body);
            }
        }
    }
}

fn eval_everything(m: &Module, body: &Body) {
    for a in body.attributes() {
        let _ = m.eval(0, &a.value);
    }
    for b in body.blocks() {
        eval_everything(m, &b.body);
    }
}

#[test]
fn format_follows_cty() {
    check(&[
        (
            r#"x = format("%q|%.0s|%-4d|%+d|%04s|%-3s|", "<a>\n", "ab", 7, 3, "x", "y")"#,
            r#""\"\\u003ca\\u003e\\n\"|ab|7   |+3|000x|y  |""#,
        ),
        (
            r#"x = format("%v|%v|%v|%05d", 1.5, null, "s", -42)"#,
            r#""1.5|null|s|-0042""#,
        ),
        (
            r#"x = format("%d", 1.5)"#,
            "?an expression terraform would reject",
        ),
        (
            r#"x = format("%s", null)"#,
            "?an expression terraform would reject",
        ),
        (
            r#"x = format("%.2d", 1)"#,
            "?a function awsauth does not evaluate",
        ),
    ]);
}

#[test]
fn variables_convert_to_their_type() {
    let tf = r#"
variable "s" {
  type    = set(string)
  default = ["b", "a", "b"]
}
variable "roles" {
  type = list(object({
    rolearn  = string
    username = optional(string, "x")
    groups   = optional(list(string))
  }))
}
variable "n" {
  type    = string
  default = 5
}
variable "bad" {
  type    = number
  default = "five"
}
x = [var.s, var.roles, var.n, var.bad]
"#;
    let m = module(
        &[("main.tf", tf)],
        &[(
            "terraform.tfvars",
            "roles = [{ rolearn = \"r\", extra = 1 }, { rolearn = \"q\", username = \"u\", groups = [1] }]\n",
        )],
    );
    assert_eq!(
        show(&attr(&m, 0, "x").value),
        r#"[["a", "b"], [{rolearn = "r", username = "x", groups = null}, {rolearn = "q", username = "u", groups = ["1"]}], "5", ?an expression terraform would reject]"#
    );
}

#[test]
fn module_can_be_shared_across_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Module>();
}

#[test]
fn resource_arguments_read_back() {
    let main = r#"resource "aws_eks_cluster" "a" {
  name = "prod"
}
resource "aws_eks_cluster" "b" {
  name = var.unset
}
resource "aws_eks_cluster" "c" {
  count = 1
  name  = "counted"
}
resource "aws_eks_access_entry" "e" {
  cluster_name  = aws_eks_cluster.b.name
  principal_arn = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/ci"
}
variable "unset" {}
x = aws_eks_cluster.a.name
y = aws_eks_cluster.a.id
z = aws_eks_cluster.b.name
w = aws_eks_cluster.c.name
v = aws_eks_cluster.a.arn
p = aws_eks_access_entry.e.principal_arn
q = aws_eks_access_entry.e.cluster_name
o = aws_eks_cluster.other.name
"#;
    let m = module(&[("main.tf", main)], &[]);
    let at = |name: &str| {
        let a = parse::attribute(&m.files()[0].body, name).expect("attribute");
        (m.eval(0, &a.value), a.value.span().unwrap_or(0..0))
    };
    let (x, x_at) = at("x");
    assert_eq!(show(&x.value), r#""prod""#);
    // moved to the reference
    assert_eq!(x.span, x_at);
    assert_eq!(show(&at("y").0.value), r#""prod""#);
    for name in ["z", "w", "v", "o"] {
        assert_eq!(
            show(&at(name).0.value),
            "?a resource attribute known after apply",
            "{name}"
        );
    }
    // the cluster not known stays the reference: entries and their cluster share its text
    let Value::Unknown(u) = at("q").0.value else {
        panic!("unknown")
    };
    assert_eq!(u.expr, "aws_eks_cluster.b.name");
    let (p, p_at) = at("p");
    assert_eq!(
        show(&p.value),
        r#""arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/ci"?"#
    );
    assert_eq!(p.span, p_at);
}

#[test]
fn names_in_scope_bind_each_and_count() {
    let m = module(
        &[(
            "main.tf",
            "x = \"${each.key}=${each.value.a}/${count.index}\"\n",
        )],
        &[],
    );
    let a = parse::attribute(&m.files()[0].body, "x").expect("attribute");
    let s = |v: Value| Spanned {
        value: v,
        span: 0..0,
    };
    let text = |t: &str| Text::produced(t, 0..0);
    let each = s(Value::Object(vec![
        (text("key"), s(Value::String(text("k")))),
        (
            text("value"),
            s(Value::Object(vec![(
                text("a"),
                s(Value::String(text("v"))),
            )])),
        ),
    ]));
    let count = s(Value::Object(vec![(
        text("index"),
        s(Value::Number("2".into())),
    )]));
    let scope = vec![("each".to_owned(), each), ("count".to_owned(), count)];
    assert_eq!(show(&m.eval_with(0, &a.value, &scope).value), r#""k=v/2""#);
    // unbound, they are not known
    assert_eq!(
        show(&m.eval(0, &a.value).value),
        r#""${each.key}=${each.value.a}/${count.index}"?"#
    );
}
