//! Files awsauth writes in the user's tree (`lint --write-baseline FILE`, `init`): never through a
//! symbolic link, and never half-written. A path that is a link (to a file or dangling) is
//! refused, so a link committed in place of a baseline or of `.awsauth.yaml` can neither change
//! the file it points to nor create one; the new contents go to a temporary file in the same
//! directory that is then renamed over the path (atomic, and a rename replaces a link planted
//! meanwhile rather than following it). The folders on the way are checked too: a link
//! committed in place of `ci/` in `--write-baseline ci/baseline.json` would write elsewhere.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` as described above; the error says why not, naming the path. An
/// existing file keeps its permissions.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let shown = path.display();
    if let Some(link) = linked_folder(path) {
        return Err(format!(
            "`{shown}` is below `{}`, a symbolic link, and awsauth does not write through links (that would write where it points); name a path without links",
            link.display()
        ));
    }
    let existing = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(format!(
                "`{shown}` is a symbolic link, and awsauth does not write through links (that would change or create the file it points to); remove the link or name a regular file"
            ));
        }
        Ok(m) if !m.is_file() => {
            return Err(format!(
                "`{shown}` is not a regular file; name a file to write"
            ));
        }
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot write `{shown}`: {e}")),
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| format!("cannot write `{shown}`: it names no file"))?
        .to_string_lossy()
        .into_owned();
    let (temp, mut file) = create_temp(&dir, &name)
        .map_err(|e| format!("cannot write `{shown}`: cannot create a file next to it: {e}"))?;
    let written = file
        .write_all(bytes)
        .and_then(|()| {
            if let Some(m) = &existing {
                file.set_permissions(m.permissions())?;
            }
            file.sync_all()
        })
        .and_then(|()| {
            drop(file);
            std::fs::rename(&temp, path)
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(format!("cannot write `{shown}`: {e}"));
    }
    Ok(())
}

/// Creates the folder `dir` (and those above it) for files [`write_file`] writes, refusing a
/// path through a symbolic link as it does.
pub fn create_folder(dir: &Path) -> Result<(), String> {
    if let Some(link) = linked_folder(&dir.join("_")) {
        return Err(format!(
            "`{}` is or is below `{}`, a symbolic link, and awsauth does not write through links; name a path without links",
            dir.display(),
            link.display()
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))
}

/// The first folder of `path` that is a symbolic link: every folder of a relative path, and of
/// an absolute one those below the current directory (the tree a change can commit links in;
/// what lies above, such as a `/tmp` that links elsewhere, is the machine's).
fn linked_folder(path: &Path) -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let rel = if path.is_absolute() {
        path.strip_prefix(&cwd).ok()?.to_owned()
    } else {
        path.to_owned()
    };
    let mut at = cwd;
    let folders = rel.parent()?.components();
    for c in folders {
        match c {
            std::path::Component::Normal(n) => at.push(n),
            std::path::Component::ParentDir => {
                at.pop();
                continue;
            }
            _ => continue,
        }
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(at);
        }
    }
    None
}

/// A new file in `dir` named after `name`, created by this call (never an existing file or
/// link).
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let mut attempt = 0;
    loop {
        let temp = dir.join(format!(
            ".{name}.awsauth-{}-{}.tmp",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(f) => return Ok((temp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => {
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::write_file;

    #[test]
    fn writes_replace_files_and_refuse_links() {
        let dir = std::env::temp_dir().join(format!("awsauth-write-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let file = dir.join("baseline.json");
        write_file(&file, b"one").expect("new file");
        write_file(&file, b"two").expect("replaced");
        assert_eq!(std::fs::read(&file).expect("read"), b"two");
        #[cfg(unix)]
        {
            let target = dir.join("target.txt");
            std::fs::write(&target, "keep").expect("write");
            let link = dir.join("link.json");
            std::os::unix::fs::symlink(&target, &link).expect("symlink");
            let err = write_file(&link, b"x").expect_err("a link");
            assert!(err.contains("symbolic link"), "{err}");
            assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep");
            let dangling = dir.join("dangling.json");
            std::os::unix::fs::symlink(dir.join("nowhere.txt"), &dangling).expect("symlink");
            assert!(write_file(&dangling, b"x").is_err());
            assert!(!dir.join("nowhere.txt").exists());
        }
        assert!(
            write_file(&dir, b"x")
                .expect_err("a folder")
                .contains("not a regular file")
        );
        // no temporary file left behind
        let left: Vec<_> = std::fs::read_dir(&dir)
            .expect("ls")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
