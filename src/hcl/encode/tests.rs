use super::{jsonencode, yamlencode};
use crate::hcl::value::{Spanned, Text, Unknown, Value};

/// `.tf` text of an aws-auth role list and the value it evaluates to, with verbatim strings.
fn aws_auth() -> (&'static str, Spanned) {
    let tf =
        r#"[{ rolearn = "arn:aws:iam::1:role/x", username = "n", groups = ["system:masters"] }]"#;
    let at = |s: &str| {
        let start = tf.find(&format!("\"{s}\"")).expect("in the source") + 1;
        start..start + s.len()
    };
    let string = |s: &str| Spanned {
        value: Value::String(Text::verbatim(s, at(s))),
        span: at(s).start - 1..at(s).end + 1,
    };
    let key = |k: &str| {
        let start = tf.find(k).expect("a key");
        Text::verbatim(k, start..start + k.len())
    };
    let groups = Spanned {
        value: Value::List(vec![string("system:masters")]),
        span: 0..0,
    };
    let role = Spanned {
        value: Value::Object(vec![
            (key("rolearn"), string("arn:aws:iam::1:role/x")),
            (key("username"), string("n")),
            (key("groups"), groups),
        ]),
        span: 1..tf.len() - 1,
    };
    (
        tf,
        Spanned {
            value: Value::List(vec![role]),
            span: 0..tf.len(),
        },
    )
}

#[test]
fn a_rendered_value_maps_back_to_its_tf_bytes() {
    let (tf, v) = aws_auth();
    let arn_in_tf = tf.find("arn:aws").expect("arn");
    for out in [
        yamlencode(&v).expect("known"),
        jsonencode(&v).expect("known"),
    ] {
        let arn = out.value.find("arn:aws").expect("rendered");
        // the `r` of `arn`, the `x` at its end, the key `username`'s `u`
        assert_eq!(
            out.outer(arn + 1, usize::MAX),
            arn_in_tf + 1,
            "{}",
            out.value
        );
        let x = arn + "arn:aws:iam::1:role/".len();
        assert_eq!(&out.value[x..=x], "x");
        assert_eq!(out.outer(x, usize::MAX), arn_in_tf + 20);
        let user = out.value.find("username").expect("key");
        assert_eq!(
            out.outer(user, usize::MAX),
            tf.find("username").expect("key")
        );
        // the quote before the ARN maps to the string's expression (its opening quote)
        assert_eq!(out.outer(arn - 1, usize::MAX), arn_in_tf - 1);
    }
}

#[test]
fn escapes_map_to_the_character_they_write() {
    let v = Spanned {
        value: Value::String(Text::verbatim("a\tb<", 10..14)),
        span: 9..15,
    };
    let yaml = yamlencode(&v).expect("known");
    assert_eq!(yaml.value, "\"a\\tb<\"\n");
    assert_eq!(yaml.outer(2, 0), 11); // the `\` of `\t`
    assert_eq!(yaml.outer(3, 0), 11); // its `t`
    assert_eq!(yaml.outer(4, 0), 12); // `b`, verbatim again
    let json = jsonencode(&v).expect("known");
    assert_eq!(json.value, "\"a\\tb\\u003c\"");
    assert_eq!(json.outer(7, 0), 13); // inside `\u003c`
}

#[test]
fn unknown_values_make_the_result_unknown_but_unknown_strings_render() {
    let unknown = Spanned {
        value: Value::Unknown(Unknown {
            expr: "data.x.y".into(),
            why: "a data source",
        }),
        span: 0..8,
    };
    let list = Spanned {
        value: Value::List(vec![unknown]),
        span: 0..10,
    };
    assert!(yamlencode(&list).is_none());
    assert!(jsonencode(&list).is_none());
    let mut t = Text::verbatim("arn:", 0..4);
    t.push("${data.x.y}", 4..15, false);
    t.unknown = true;
    let s = Spanned {
        value: Value::String(t),
        span: 0..15,
    };
    let yaml = yamlencode(&s).expect("a placeholder renders");
    assert_eq!(yaml.value, "\"arn:${data.x.y}\"\n");
    assert!(yaml.unknown);
    assert_eq!(yaml.outer(7, 0), 4);
}

#[test]
fn a_string_without_pieces_maps_to_its_value() {
    let v = Spanned {
        value: Value::String(Text {
            value: "a\nb".into(),
            pieces: Vec::new(),
            unknown: false,
        }),
        span: 5..9,
    };
    let yaml = yamlencode(&v).expect("known");
    assert_eq!(yaml.value, "|-\n  a\n  b\n");
    assert!(yaml.pieces.iter().all(|p| !p.verbatim && p.outer == (5..9)));
}
