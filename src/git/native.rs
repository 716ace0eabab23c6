//! Commit-to-commit comparisons read in this process with gix: no `git` process is started,
//! which is what keeps `awsauth diff A B` within twice the time of `git diff --name-only A B`
//! even for a one-commit range (two process start-ups would not fit).
//!
//! This path only takes what it reads exactly as git does, and declines (returns `None`)
//! everything else, which then goes to the `git` command line: the index and the working tree,
//! pathspecs, revisions other than a ref name or full object id followed by `~N`/`^N` steps,
//! shallow clones, grafts and replace refs, bare repositories, repository extensions other than
//! the harmless ones (a reftable ref store among them), repositories chosen or altered by
//! `GIT_*` variables, repositories git itself would refuse (ownership), and any object gix
//! cannot read (a blob a partial clone lacks, which git then reports missing rather than fetch
//! it; SHA-256 repositories).
//! `AWSAUTH_GIT=cli` turns this path off; `AWSAUTH_GIT=native` makes a decline an error that
//! says why (tests use it to prove a comparison was read here).

use std::collections::HashMap;
use std::path::Path;

use super::{Blob, RawChange};

/// What one commit-to-commit comparison found.
#[derive(Debug)]
pub struct NativeDiff {
    /// The two commits' ids.
    pub ids: [String; 2],
    /// The changed paths (those `wanted`), sorted.
    pub changes: Vec<RawChange>,
    /// Every blob of `changes`, by id, but those larger than the limit.
    pub blobs: HashMap<String, Vec<u8>>,
    /// The blobs larger than the limit (not read), with their sizes.
    pub large: HashMap<String, u64>,
}

/// Variables that choose the repository, its objects or its refs for git; with any of them set
/// the command line decides.
const GIT_ENV: [&str; 16] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_REPLACE_REF_BASE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_SHALLOW_FILE",
    "GIT_GRAFT_FILE",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
];

/// Repository extensions that change nothing this path reads (`objectFormat` is checked on its
/// own); with any other git may refuse the repository or read it differently (`refStorage`).
const KNOWN_EXTENSIONS: [&str; 5] = [
    "objectformat",
    "worktreeconfig",
    "partialclone",
    "preciousobjects",
    "noop",
];

/// How `AWSAUTH_GIT` chooses the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// In this process where it reads as git does, else the `git` command line (the default).
    Auto,
    /// Always the `git` command line.
    Cli,
    /// In this process, or an error saying why not (for tests and troubleshooting).
    Native,
}

impl Mode {
    /// `AWSAUTH_GIT`: `auto` (or unset), `cli` or `native`.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var("AWSAUTH_GIT").as_deref() {
            Err(_) | Ok("" | "auto") => Ok(Self::Auto),
            Ok("cli") => Ok(Self::Cli),
            Ok("native") => Ok(Self::Native),
            Ok(other) => Err(format!(
                "AWSAUTH_GIT={other:?} is not a reader; use `auto`, `cli` or `native`"
            )),
        }
    }
}

/// A revision this path reads as git does: a ref name (or `HEAD`) or a full object id, then
/// any `~N` and `^N` steps. Short hexadecimal names are left to git (a ref or an abbreviated
/// id, by git's rules).
pub fn simple_revision(rev: &str) -> bool {
    let end = rev.find(['~', '^']).unwrap_or(rev.len());
    let (name, steps) = rev.split_at(end);
    let name_ok = !name.is_empty()
        && !name.starts_with(['-', '.', '/'])
        && !name.ends_with(['.', '/'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && !name.contains("//")
        && !name.contains("/.")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
    let hex = name.bytes().all(|b| b.is_ascii_hexdigit());
    let hex_ok = !hex || name.len() == 40;
    let mut s = steps.as_bytes();
    while let Some((&op, rest)) = s.split_first() {
        if op != b'~' && op != b'^' {
            return false;
        }
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        // `^` takes a parent number up to 9 digits in git; keep to small numbers
        if digits > 6 {
            return false;
        }
        s = &rest[digits..];
    }
    name_ok && hex_ok
}

/// Why the comparison is left to the `git` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declined(pub String);

fn declined<T>(why: impl std::fmt::Display) -> Result<T, Declined> {
    Err(Declined(why.to_string()))
}

/// Compares commits `old` and `new` of the repository around `cwd`: the changed paths for which
/// `wanted` holds, with their blobs; or why this is left to the `git` command line.
pub fn diff_commits(
    cwd: &Path,
    old: &str,
    new: &str,
    wanted: &dyn Fn(&str) -> bool,
    max: u64,
) -> Result<NativeDiff, Declined> {
    if let Some(var) = GIT_ENV.iter().find(|v| std::env::var_os(v).is_some()) {
        return declined(format_args!("`{var}` is set"));
    }
    for rev in [old, new] {
        if !simple_revision(rev) {
            return declined(format_args!("`{rev}` is not a plain ref name or object id"));
        }
    }
    let repo = gix::discover(cwd).or_else(declined)?;
    // git refuses a repository another user owns unless `safe.directory` allows it
    if repo.git_dir_trust() != gix::sec::Trust::Full {
        return declined("the repository is not owned by this user");
    }
    if repo.object_hash() != gix::hash::Kind::Sha1 {
        return declined("not a SHA-1 repository");
    }
    if repo.is_shallow().or_else(declined)? {
        return declined("a shallow clone");
    }
    // a linked worktree keeps `info/` in the common directory
    if [repo.git_dir(), repo.common_dir()]
        .iter()
        .any(|d| d.join("info/grafts").exists())
    {
        return declined("the repository has grafts");
    }
    // `safe.bareRepository` and hook-like uses of bare repositories are git's to judge
    if repo.is_bare() {
        return declined("a bare repository");
    }
    let config = repo.config_snapshot();
    // git reads repository format versions 0 and 1 only
    if config
        .integer("core.repositoryformatversion")
        .is_some_and(|v| !(0..=1).contains(&v))
    {
        return declined("an unknown repository format version");
    }
    if let Some(sections) = config.plumbing().sections_by_name("extensions") {
        for section in sections {
            if let Some(name) = section
                .value_names()
                .find(|n| !KNOWN_EXTENSIONS.contains(&n.to_ascii_lowercase().as_str()))
            {
                return declined(format_args!("the repository uses `extensions.{name}`"));
            }
        }
    }
    let refs = repo.references().or_else(declined)?;
    if refs
        .prefixed("refs/replace/")
        .or_else(declined)?
        .next()
        .is_some()
    {
        return declined("the repository has replace refs");
    }
    let commit = |rev: &str| -> Result<gix::Commit<'_>, Declined> {
        repo.rev_parse_single(rev)
            .or_else(declined)?
            .object()
            .or_else(declined)?
            .peel_to_commit()
            .or_else(declined)
    };
    let (a, b) = (commit(old)?, commit(new)?);
    let ids = [a.id.to_string(), b.id.to_string()];
    let (ta, tb) = (a.tree().or_else(declined)?, b.tree().or_else(declined)?);
    let mut recorder = gix::diff::tree::Recorder::default();
    let mut state = gix::diff::tree::State::default();
    gix::diff::tree(
        gix::objs::TreeRefIter::from_bytes(&ta.data, repo.object_hash()),
        gix::objs::TreeRefIter::from_bytes(&tb.data, repo.object_hash()),
        &mut state,
        &repo.objects,
        &mut recorder,
    )
    .or_else(declined)?;
    use gix::diff::tree::recorder::Change;
    let side = |mode: gix::objs::tree::EntryMode, oid: &gix::ObjectId| {
        // absent, or not a regular file (symbolic links are not manifests); a submodule is
        // reported as not compared
        if mode.is_blob() {
            Blob::Oid(oid.to_string())
        } else if mode.is_commit() {
            Blob::Commit(oid.to_string())
        } else {
            Blob::Absent
        }
    };
    let mut changes = Vec::new();
    for c in &recorder.records {
        let (path, old, new) = match c {
            Change::Addition {
                entry_mode,
                oid,
                path,
                ..
            } => (path, Blob::Absent, side(*entry_mode, oid)),
            Change::Deletion {
                entry_mode,
                oid,
                path,
                ..
            } => (path, side(*entry_mode, oid), Blob::Absent),
            Change::Modification {
                previous_entry_mode,
                previous_oid,
                entry_mode,
                oid,
                path,
            } => (
                path,
                side(*previous_entry_mode, previous_oid),
                side(*entry_mode, oid),
            ),
        };
        // trees are walked into; a path that is no regular file on either side is not read
        if old == Blob::Absent && new == Blob::Absent {
            continue;
        }
        let Ok(path) = std::str::from_utf8(path) else {
            return declined("a path is not UTF-8");
        };
        let path = path.to_owned();
        if wanted(&path) {
            changes.push(RawChange { path, old, new });
        } else if matches!(old, Blob::Commit(_)) || matches!(new, Blob::Commit(_)) {
            // a submodule is reported whatever its name; a file on its other side is read only
            // when it is a manifest
            let gitlink = |b: Blob| match b {
                Blob::Commit(_) => b,
                _ => Blob::Absent,
            };
            changes.push(RawChange {
                path,
                old: gitlink(old),
                new: gitlink(new),
            });
        }
    }
    changes.sort_by(|x, y| x.path.cmp(&y.path));
    let mut blobs = HashMap::new();
    let mut large = HashMap::new();
    for c in &changes {
        for b in [&c.old, &c.new] {
            if let Blob::Oid(oid) = b
                && !blobs.contains_key(oid)
                && !large.contains_key(oid)
            {
                let id = gix::ObjectId::from_hex(oid.as_bytes()).or_else(declined)?;
                // a blob over the limit is not read: its size is in its header
                let size = repo.find_header(id).or_else(declined)?.size();
                if size > max {
                    large.insert(oid.clone(), size);
                    continue;
                }
                // a blob this clone lacks (a partial clone) is left to git, which does not
                // fetch it either (`GIT_NO_LAZY_FETCH`): gix here has no network code at all
                let object = repo.find_object(id).or_else(declined)?;
                blobs.insert(oid.clone(), object.detach().data);
            }
        }
    }
    Ok(NativeDiff {
        ids,
        changes,
        blobs,
        large,
    })
}

#[cfg(test)]
mod tests {
    use super::simple_revision;

    #[test]
    fn simple_revisions_are_names_and_full_ids_with_steps() {
        for ok in [
            "HEAD",
            "HEAD~1",
            "HEAD^",
            "HEAD^2~3",
            "main",
            "origin/main",
            "release-1.2",
            "v1.0.0~20",
            "0123456789abcdef0123456789abcdef01234567",
        ] {
            assert!(simple_revision(ok), "{ok}");
        }
        for no in [
            "",
            "@",
            "@{u}",
            "HEAD@{1}",
            "HEAD:file.yaml",
            "main^{tree}",
            ":/message",
            "a..b",
            "-x",
            "abc123",
            "deadbeef~1",
            "x.lock",
            "HEAD~1234567",
            "name with space",
        ] {
            assert!(!simple_revision(no), "{no}");
        }
    }
}
