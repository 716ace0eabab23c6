//! What a scalar means to Go's `gopkg.in/yaml.v2` (YAML 1.1), which the authenticator uses
//! through `sigs.k8s.io/yaml`. Rust YAML crates implement YAML 1.2, where `yes` and `012` are
//! strings; for yaml.v2 they are a boolean and the octal integer 10. See `resolve.go` in
//! yaml.v2 v2.4.0 (`resolveMapList`, `resolve`).

use super::Style;

/// The Go value a scalar decodes to when the target is `interface{}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// `~`, `null`, the empty plain scalar.
    Null,
    /// `yes`, `on`, `y`, `true`, ... and their negations.
    Bool(bool),
    /// An integer that fits Go's `int` (64-bit).
    Int(i64),
    /// An integer above `i64::MAX` that fits `uint64`.
    Uint(u64),
    /// A float, including `.inf` and `.nan`.
    Float(f64),
    /// A string.
    Str,
    /// A `!!binary` scalar: yaml.v2 decodes the base64 into the string.
    Binary(String),
    /// yaml.v2 refuses the scalar (an explicit tag that does not fit); the whole decode fails.
    Error(String),
}

impl Scalar {
    /// The YAML 1.1 type name used in messages (`bool`, `int`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "bool",
            Self::Int(_) | Self::Uint(_) => "int",
            Self::Float(_) => "float",
            Self::Str | Self::Binary(_) => "string",
            Self::Error(_) => "invalid",
        }
    }
}

const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// Shortens a core-schema tag to yaml.v2's `!!name` form.
fn short_tag(tag: &str) -> String {
    tag.strip_prefix(CORE_PREFIX)
        .map_or_else(|| tag.to_owned(), |s| format!("!!{s}"))
}

/// Resolves a scalar as yaml.v2 does when decoding into `interface{}`.
pub fn resolve(value: &str, style: Style, tag: Option<&str>) -> Scalar {
    let tag = tag.map(short_tag);
    let tag = tag.as_deref();
    // quoted and block scalars without a tag are strings (yaml.v2: `!n.implicit`)
    if style != Style::Plain && tag.is_none() {
        return Scalar::Str;
    }
    match tag {
        None | Some("!!str" | "!!bool" | "!!int" | "!!float" | "!!timestamp") => {}
        Some("!!binary") => {
            return match decode_base64(value) {
                Some(bytes) => Scalar::Binary(String::from_utf8_lossy(&bytes).into_owned()),
                None => Scalar::Error("!!binary value contains invalid base64 data".into()),
            };
        }
        // an unresolvable tag (custom, `!!null`, ...) keeps the text
        Some(_) => return Scalar::Str,
    }
    if tag == Some("!!str") {
        return Scalar::Str;
    }
    let out = resolve_plain(value);
    let Some(tag) = tag else { return out };
    let fits = matches!(
        (tag, &out),
        ("!!bool", Scalar::Bool(_))
            | ("!!int", Scalar::Int(_) | Scalar::Uint(_))
            | ("!!float", Scalar::Float(_))
    ) || (tag == "!!timestamp" && is_go_timestamp(value));
    match (tag, out) {
        (_, out) if fits => out,
        // as Go converts an integer to float64: rounded to the nearest
        #[allow(clippy::cast_precision_loss)]
        ("!!float", Scalar::Int(i)) => Scalar::Float(i as f64),
        #[allow(clippy::cast_precision_loss)]
        ("!!float", Scalar::Uint(u)) => Scalar::Float(u as f64),
        (tag, out) => Scalar::Error(format!(
            "cannot decode !!{} `{value}` as a {tag}",
            match out {
                Scalar::Null => "null",
                Scalar::Bool(_) => "bool",
                Scalar::Int(_) | Scalar::Uint(_) => "int",
                Scalar::Float(_) => "float",
                Scalar::Str | Scalar::Binary(_) | Scalar::Error(_) => "str",
            }
        )),
    }
}

/// Resolution of an untagged plain scalar.
pub fn resolve_plain(value: &str) -> Scalar {
    match value {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Scalar::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Scalar::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Scalar::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        _ => {}
    }
    let first = value.as_bytes()[0];
    match first {
        b'.' => match go_parse_float(value) {
            Some(f) => Scalar::Float(f),
            None => Scalar::Str,
        },
        b'0'..=b'9' | b'+' | b'-' => {
            let plain: String = value.chars().filter(|&c| c != '_').collect();
            if let Some(i) = go_parse_int(&plain) {
                return Scalar::Int(i);
            }
            if let Some(u) = go_parse_uint(&plain) {
                return Scalar::Uint(u);
            }
            if is_yaml_float(&plain)
                && let Some(f) = go_parse_float(&plain)
            {
                return Scalar::Float(f);
            }
            if let Some(bits) = plain.strip_prefix("0b") {
                if let Ok(i) = i64::from_str_radix(bits, 2) {
                    return Scalar::Int(i);
                }
                if let Ok(u) = u64::from_str_radix(bits, 2) {
                    return Scalar::Uint(u);
                }
            } else if let Some(bits) = plain.strip_prefix("-0b")
                && let Ok(i) = i64::from_str_radix(&format!("-{bits}"), 2)
            {
                return Scalar::Int(i);
            }
            Scalar::Str
        }
        _ => Scalar::Str,
    }
}

/// Go's `base64.StdEncoding.DecodeString` (padded; line breaks ignored).
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b'\r' | b'\n'))
        .collect();
    if !digits.len().is_multiple_of(4) {
        return None;
    }
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(digits.len() / 4 * 3);
    let chunks = digits.len() / 4;
    for (i, chunk) in digits.chunks(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && i + 1 != chunks) {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = n << 6 | u32::from(value(c)?);
        }
        n <<= 6 * pad;
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(out)
}

/// yaml.v2's `parseTimestamp`: `2006-1-2`, optionally with a `T`/`t`/space time part.
fn is_go_timestamp(s: &str) -> bool {
    let num = |p: &str, min: u32, max: u32, width: std::ops::RangeInclusive<usize>| {
        width.contains(&p.len())
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (min..=max).contains(&n))
    };
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some((&s[i..=i], &s[i + 1..]))),
        None => (s, None),
    };
    let d: Vec<&str> = date.split('-').collect();
    if d.len() != 3
        || !num(d[0], 0, 9999, 4..=4)
        || !num(d[1], 1, 12, 1..=2)
        || !num(d[2], 1, 31, 1..=2)
    {
        return false;
    }
    let Some((sep, rest)) = time else { return true };
    let (clock, zone) = if sep == " " {
        (rest, "")
    } else if let Some(c) = rest.strip_suffix('Z') {
        (c, "Z")
    } else {
        match rest.rfind(['+', '-']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => return false,
        }
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let t: Vec<&str> = hms.split(':').collect();
    let zone_ok = zone.is_empty() || zone == "Z" || {
        let z = &zone[1..];
        z.split_once(':')
            .is_some_and(|(h, m)| num(h, 0, 23, 2..=2) && num(m, 0, 59, 2..=2))
    };
    t.len() == 3
        && num(t[0], 0, 23, 1..=2)
        && num(t[1], 0, 59, 1..=2)
        && num(t[2], 0, 59, 1..=2)
        && frac.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 9
        && (sep != " " || zone.is_empty())
        && zone_ok
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms yaml.v2 can hand it: an out-of-range
/// value is an error, not infinity.
fn go_parse_float(s: &str) -> Option<f64> {
    let ok = s
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !ok {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Splits Go's base-0 integer syntax into (negative, radix, digits).
fn go_int_parts(s: &str, allow_sign: bool) -> Option<(bool, u32, &str)> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' if allow_sign => (true, &s[1..]),
        b'+' if allow_sign => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = rest.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, &rest[2..]),
        Some("0o") => (8, &rest[2..]),
        Some("0b") => (2, &rest[2..]),
        _ if rest.len() > 1 && rest.starts_with('0') => (8, &rest[1..]),
        _ => (10, rest),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some((neg, radix, digits))
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, radix, digits) = go_int_parts(s, true)?;
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)` (no sign allowed).
fn go_parse_uint(s: &str) -> Option<u64> {
    let (_, radix, digits) = go_int_parts(s, false)?;
    u64::from_str_radix(digits, radix).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> Scalar {
        resolve(s, Style::Plain, None)
    }

    #[test]
    fn yaml11_booleans_and_nulls() {
        for s in ["y", "Yes", "ON", "true"] {
            assert_eq!(plain(s), Scalar::Bool(true), "{s}");
        }
        for s in ["n", "NO", "off", "False"] {
            assert_eq!(plain(s), Scalar::Bool(false), "{s}");
        }
        for s in ["", "~", "null", "NULL"] {
            assert_eq!(plain(s), Scalar::Null, "{s}");
        }
        assert_eq!(plain("yEs"), Scalar::Str);
        assert_eq!(resolve("yes", Style::DoubleQuoted, None), Scalar::Str);
    }

    #[test]
    fn yaml11_numbers() {
        assert_eq!(plain("012"), Scalar::Int(10));
        assert_eq!(plain("0x1F"), Scalar::Int(31));
        assert_eq!(plain("0b101"), Scalar::Int(5));
        assert_eq!(plain("1_000"), Scalar::Int(1000));
        assert_eq!(plain("+1"), Scalar::Int(1));
        assert_eq!(plain("08"), Scalar::Float(8.0));
        assert_eq!(plain("012345678901"), Scalar::Float(12_345_678_901.0));
        assert_eq!(plain("1e3"), Scalar::Float(1000.0));
        assert_eq!(plain(".5"), Scalar::Float(0.5));
        assert_eq!(plain("1e400"), Scalar::Str);
        assert_eq!(plain("18446744073709551615"), Scalar::Uint(u64::MAX));
        assert!(matches!(plain(".nan"), Scalar::Float(f) if f.is_nan()));
        assert_eq!(plain("2001-12-14"), Scalar::Str);
        assert_eq!(plain("1:20"), Scalar::Str);
        assert_eq!(plain("-"), Scalar::Str);
        assert_eq!(plain("arn:aws:iam::1:role/x"), Scalar::Str);
    }

    #[test]
    fn explicit_tags() {
        let t = Some("tag:yaml.org,2002:int");
        assert_eq!(resolve("12", Style::DoubleQuoted, t), Scalar::Int(12));
        assert!(matches!(resolve("abc", Style::Plain, t), Scalar::Error(_)));
        assert_eq!(
            resolve("12", Style::Plain, Some("tag:yaml.org,2002:str")),
            Scalar::Str
        );
        assert_eq!(resolve("12", Style::Plain, Some("!custom")), Scalar::Str);
        let bin = Some("tag:yaml.org,2002:binary");
        assert_eq!(
            resolve("MTIz", Style::Plain, bin),
            Scalar::Binary("123".into())
        );
        assert!(matches!(
            resolve("not base64!", Style::Plain, bin),
            Scalar::Error(_)
        ));
        let ts = Some("tag:yaml.org,2002:timestamp");
        assert_eq!(resolve("2001-12-14", Style::Plain, ts), Scalar::Str);
        assert_eq!(
            resolve("2001-12-14T21:59:43.10-05:00", Style::Plain, ts),
            Scalar::Str
        );
        assert!(matches!(resolve("abc", Style::Plain, ts), Scalar::Error(_)));
    }
}
