//! Which directory the paths of the output are relative to.
//!
//! - **People** (`human`, `concise`, `markdown`, `table`): the current directory, so that a
//!   path can be opened from where the command ran. `lint` names files as given (relative to
//!   the current directory); `diff` names them from the repository root, as git does, and
//!   [`Places::for_people`] turns those into paths from the current directory (`../a.yaml`).
//! - **Machines** (`github`, `sarif`, `gitlab`, `junit`): the directory the consumer resolves
//!   paths against, whatever the working directory of the job: `GITHUB_WORKSPACE` (GitHub
//!   Actions: annotations and code scanning), else `CI_PROJECT_DIR` (GitLab CI), else the
//!   repository root, else the current directory. A file outside that directory keeps its
//!   absolute path.
//! - The JSON contracts (version 1) keep what they document: `lint` the path as given, `diff`
//!   the path from the repository root.
//!
//! Finding the repository root costs no git process in the usual case: the current directory
//! and its parents are searched for `.git` as git's own discovery does (`setup.c`,
//! `setup_git_directory_gently`): a folder holding `HEAD`, or a file starting `gitdir:` (a linked
//! worktree or a submodule). git is asked (`git rev-parse --show-toplevel`) only where that
//! search could answer differently from git: when `GIT_DIR`, `GIT_WORK_TREE` or
//! `GIT_CEILING_DIRECTORIES` is set, or when the repository's `config` sets `core.worktree`.
//! Each base is computed once, and only when a format needs it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The environment variables naming the directory CI resolves paths against, in order.
pub const CI_BASES: [&str; 2] = ["GITHUB_WORKSPACE", "CI_PROJECT_DIR"];

/// The bases of the output's paths, each found on first use.
#[derive(Debug)]
pub struct Places {
    /// The current directory (with links resolved, as git reports the root).
    cwd: PathBuf,
    root: OnceLock<Option<PathBuf>>,
    machine: OnceLock<PathBuf>,
    /// [`Places::for_machines`]' answers (a file can have thousands of findings).
    named: RefCell<HashMap<String, String>>,
}

impl Default for Places {
    fn default() -> Self {
        Self::new()
    }
}

impl Places {
    /// The places of a run in the current directory.
    pub fn new() -> Self {
        let cwd = std::env::current_dir().unwrap_or_default();
        Self::at(&cwd)
    }

    /// The places of a run in `cwd`.
    pub fn at(cwd: &Path) -> Self {
        Self {
            cwd: canonical(cwd),
            root: OnceLock::new(),
            machine: OnceLock::new(),
            named: RefCell::default(),
        }
    }

    /// The top of the working tree around the current directory, if any.
    pub fn root(&self) -> Option<&Path> {
        self.root.get_or_init(|| repo_root(&self.cwd)).as_deref()
    }

    /// The directory machine formats' paths are relative to (see the module docs).
    pub fn machine_base(&self) -> &Path {
        self.machine.get_or_init(|| {
            CI_BASES
                .iter()
                .filter_map(std::env::var_os)
                .find(|v| !v.is_empty())
                .map(|v| canonical(&self.cwd.join(v)))
                .or_else(|| self.root().map(Path::to_owned))
                .unwrap_or_else(|| self.cwd.clone())
        })
    }

    /// A file name as `lint` gives it (relative to the current directory, or absolute) for a
    /// machine format: relative to [`Self::machine_base`] with `/`, else absolute. A name that
    /// is no path (`<stdin>`) is kept.
    pub fn for_machines(&self, name: &str) -> String {
        if name.starts_with('<') {
            return name.to_owned();
        }
        if let Some(known) = self.named.borrow().get(name) {
            return known.clone();
        }
        let path = self.resolve(name);
        self.named
            .borrow_mut()
            .insert(name.to_owned(), path.clone());
        path
    }

    /// [`Self::for_machines`], computed.
    fn resolve(&self, name: &str) -> String {
        // the path as named (a link inside the tree keeps its own name), else with links
        // resolved (a path through `..` or a linked folder)
        let base = self.machine_base();
        let lexical = crate::paths::normalize(&self.cwd.join(name));
        let resolved = canonical(&lexical);
        for abs in [&lexical, &resolved] {
            match abs.strip_prefix(base) {
                Ok(rel) if !rel.as_os_str().is_empty() => return slashes(rel),
                _ => {}
            }
        }
        resolved.to_string_lossy().into_owned()
    }

    /// A path from the repository root (as `diff` names files) for a machine format.
    pub fn root_for_machines(&self, path: &str) -> String {
        match self.root() {
            Some(root) => self.for_machines(&root.join(path).to_string_lossy()),
            None => self.for_machines(path),
        }
    }

    /// A path from the repository root (as `diff` names files) for people: from the current
    /// directory, `../` included.
    pub fn for_people(&self, path: &str) -> String {
        let Some(root) = self.root() else {
            return path.to_owned();
        };
        if root == self.cwd {
            return path.to_owned();
        }
        slashes(&crate::paths::relative_from(&root.join(path), &self.cwd))
    }
}

/// `path` with `/` between its components.
fn slashes(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// `path` with links resolved when it exists, else made normal lexically.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| crate::paths::normalize(path))
}

/// The top of the working tree containing `cwd` (see the module docs).
pub fn repo_root(cwd: &Path) -> Option<PathBuf> {
    let by_git = || {
        crate::git::Repo::lazy(cwd)
            .toplevel()
            .ok()
            .filter(|p| !p.as_os_str().is_empty())
            .map(|p| canonical(&p))
    };
    let overridden = ["GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES"]
        .iter()
        .any(|v| std::env::var_os(v).is_some());
    if overridden {
        return by_git();
    }
    for dir in cwd.ancestors() {
        let dot_git = dir.join(".git");
        let Ok(meta) = std::fs::symlink_metadata(&dot_git) else {
            continue;
        };
        if meta.is_dir() && dot_git.join("HEAD").is_file() {
            // `core.worktree` puts the working tree elsewhere: git knows where
            let config = std::fs::read_to_string(dot_git.join("config")).unwrap_or_default();
            let moved = config.lines().any(|l| {
                let l = l.trim_start().to_ascii_lowercase();
                l.starts_with("worktree") && l[8..].trim_start().starts_with('=')
            });
            return if moved {
                by_git()
            } else {
                Some(dir.to_owned())
            };
        }
        if meta.is_file() && gitdir_file(&dot_git) {
            return Some(dir.to_owned());
        }
    }
    None
}

/// Whether `path` is a `.git` file pointing at a repository (`gitdir: …`).
fn gitdir_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 7];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"gitdir:"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_found_by_walking_up() {
        let dir = std::env::temp_dir().join(format!("awsauth-places-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("repo/.git")).expect("mkdir");
        std::fs::create_dir_all(dir.join("repo/sub/deep")).expect("mkdir");
        std::fs::write(dir.join("repo/.git/HEAD"), "ref: refs/heads/main\n").expect("write");
        std::fs::create_dir_all(dir.join("wt/x")).expect("mkdir");
        std::fs::write(dir.join("wt/.git"), "gitdir: ../repo/.git/worktrees/wt\n").expect("write");
        let dir = canonical(&dir);
        if std::env::var_os("GIT_DIR").is_none() && std::env::var_os("GIT_WORK_TREE").is_none() {
            assert_eq!(
                repo_root(&dir.join("repo/sub/deep")),
                Some(dir.join("repo"))
            );
            assert_eq!(repo_root(&dir.join("wt/x")), Some(dir.join("wt")));
            let places = Places::at(&dir.join("repo/sub"));
            assert_eq!(places.for_people("sub/a.yaml"), "a.yaml");
            assert_eq!(places.for_people("b.yaml"), "../b.yaml");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
