//! Reading the files awsauth's own settings come from (configuration files, `extends`,
//! baselines) as untrusted input: a pull request can commit a configuration whose `extends`
//! names `/proc/self/environ`, a FIFO or `/dev/zero`, and what awsauth prints goes to a CI log.
//!
//! - only regular files are read: never a device, FIFO or socket (opening a FIFO alone would
//!   hang), nor anything under `/proc`, `/sys` or `/dev` (the kernel's files pass for regular
//!   files of size 0 and hold the environment and credentials);
//! - at most `cap` bytes: a file that grows past it while read is refused like a large one;
//! - [`confine`]: an `extends` target must resolve, symlinks followed, to a file inside the
//!   repository of the configuration that starts the chain (outside a repository: the current
//!   directory's tree, or that configuration's), and never inside a `.git` directory (which
//!   holds the credentials `actions/checkout` persists).

use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The largest configuration file read: far above any real one (a few KiB), far below harm.
pub const CONFIG_CAP: u64 = 1 << 20;

/// The largest baseline read: 64 MiB holds some 250,000 recorded findings.
pub const BASELINE_CAP: u64 = 64 << 20;

/// Kernel file systems whose files pass for regular ones.
const PSEUDO: [&str; 3] = ["/proc", "/sys", "/dev"];

/// Why `path` is not a file awsauth reads settings from, if it is not.
fn not_regular(path: &Path, meta: &std::fs::Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_dir() {
        return Some("a directory");
    }
    if !kind.is_file() {
        return Some("not a regular file (a device, FIFO or socket)");
    }
    let real = std::fs::canonicalize(path).ok()?;
    PSEUDO
        .iter()
        .any(|p| real.starts_with(p))
        .then_some("a file of the kernel (`/proc`, `/sys`, `/dev`), not a regular file")
}

/// The bytes of the regular file at `path`, at most `cap` of them; the error says why not,
/// without the file's content (`it is a directory`, `it is larger than ...`, the I/O error).
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if let Some(why) = not_regular(path, &meta) {
        return Err(format!("it is {why}"));
    }
    let too_big = |n: u64| {
        format!(
            "it is larger than the {} awsauth reads ({})",
            show_size(cap),
            show_size(n)
        )
    };
    if meta.len() > cap {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    // the file could have been replaced since `metadata`
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.file_type().is_file() {
        return Err("it is not a regular file (a device, FIFO or socket)".into());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > cap {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The directory an `extends` chain starting at `leaf` may read from: the top of the working
/// tree holding `leaf` (the nearest ancestor with a `.git`: what a review sees as a whole);
/// outside a repository the current directory when `leaf` is below it (the tree awsauth was
/// asked to check), else `leaf`'s own directory.
pub fn chain_root(leaf: &Path) -> PathBuf {
    let canon = |p: PathBuf| std::fs::canonicalize(&p).unwrap_or(p);
    let abs = absolute(leaf);
    let dir = canon(abs.parent().map_or_else(|| abs.clone(), Path::to_owned));
    if let Some(top) = dir.ancestors().find(|d| d.join(".git").exists()) {
        return top.to_owned();
    }
    let cwd = canon(std::env::current_dir().unwrap_or_default());
    if dir.starts_with(&cwd) { cwd } else { dir }
}

fn absolute(path: &Path) -> PathBuf {
    let p = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    crate::paths::normalize(&p)
}

/// Whether a path names something inside a `.git` directory (or is one).
pub fn in_git_dir(path: &Path) -> bool {
    path.components()
        .any(|c| matches!(c, Component::Normal(n) if n.eq_ignore_ascii_case(".git")))
}

/// Checks that `target`, symlinks resolved, is a file inside `root` and outside any `.git`
/// directory; the error says why not. `target` is resolved as the kernel opens it, `..` after
/// a symbolic link included (not lexically: `link/../x` is `x` beside the link's target), so
/// the path checked is the path read.
pub fn confine(target: &Path, root: &Path) -> Result<(), String> {
    let abs = if target.is_absolute() {
        target.to_owned()
    } else {
        std::env::current_dir().unwrap_or_default().join(target)
    };
    let real = std::fs::canonicalize(abs).map_err(|e| e.to_string())?;
    let inside = real.strip_prefix(root).ok().filter(|rel| !in_git_dir(rel));
    match inside {
        Some(_) => Ok(()),
        None if real.starts_with(root) => {
            Err("it is inside the `.git` directory, which is never read".into())
        }
        None => Err(format!(
            "it is outside `{}`, the {} a configuration may be read from",
            root.display(),
            if root.join(".git").exists() {
                "repository"
            } else {
                "directory tree"
            }
        )),
    }
}

/// A size for a message: `16 MiB`, `190.7 MiB`, `500 bytes`.
pub fn show_size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    let (value, unit) = if bytes >= 1 << 30 {
        (b / f64::from(1u32 << 30), "GiB")
    } else if bytes >= 1 << 20 {
        (b / f64::from(1u32 << 20), "MiB")
    } else if bytes >= 1 << 10 {
        (b / f64::from(1u32 << 10), "KiB")
    } else {
        return format!("{bytes} bytes");
    };
    if (value - value.round()).abs() < 0.05 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_and_special_files_are_refused() {
        for p in [
            "/proc/self/environ",
            "/dev/zero",
            "/dev/null",
            "/proc/self/status",
        ] {
            if Path::new(p).exists() {
                let e = read_regular(Path::new(p), CONFIG_CAP).unwrap_err();
                assert!(e.starts_with("it is "), "{p}: {e}");
            }
        }
        let dir = std::env::temp_dir();
        assert_eq!(
            read_regular(&dir, CONFIG_CAP).unwrap_err(),
            "it is a directory"
        );
    }

    #[test]
    fn the_cap_holds() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.yaml");
        std::fs::write(&p, vec![b'a'; 1000]).unwrap();
        assert_eq!(read_regular(&p, 1000).unwrap().len(), 1000);
        let e = read_regular(&p, 999).unwrap_err();
        assert!(e.contains("larger than the 999 bytes"), "{e}");
    }

    #[test]
    fn git_directories_are_recognised() {
        assert!(in_git_dir(Path::new("a/.git/config")));
        assert!(in_git_dir(Path::new(".GIT/config")));
        assert!(!in_git_dir(Path::new("a/.github/config")));
    }
}
