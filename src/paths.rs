//! Lexical path helpers shared by discovery, configuration, git and output: no file-system
//! access beyond making a relative path absolute (and, for [`relative_from`], resolving links).

use std::path::{Path, PathBuf};

/// `path` relative to `base` when it is inside it (both made absolute), else `path` itself.
pub fn relative(path: &Path, base: &Path) -> PathBuf {
    let abs = |p: &Path| {
        if p.is_absolute() {
            p.to_owned()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        }
    };
    let (p, b) = (normalize(&abs(path)), normalize(&abs(base)));
    p.strip_prefix(&b).map(Path::to_owned).unwrap_or(p)
}

/// `path` relative to `base`, with `..` where it is not inside it (both made absolute).
pub fn relative_from(path: &Path, base: &Path) -> PathBuf {
    let abs = |p: &Path| {
        let p = if p.is_absolute() {
            p.to_owned()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        normalize(&std::fs::canonicalize(&p).unwrap_or(p))
    };
    let (p, b) = (abs(path), abs(base));
    let pc: Vec<_> = p.components().collect();
    let bc: Vec<_> = b.components().collect();
    let common = pc.iter().zip(&bc).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..bc.len() {
        out.push("..");
    }
    for c in &pc[common..] {
        out.push(c);
    }
    out
}

/// Removes `.` and resolves `..` lexically.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}
