//! The settings of each input of a run: `--no-config`, `--config FILE`, or the nearest
//! configuration file of each input's directory (read as it is at the base commit with
//! `lint --new-only`), with the command line's `--select` / `--ignore` applied on top.
//!
//! Nothing here prints: invalid configuration files are an [`Invalid`] error (the caller shows
//! them, with their positions), and what reading at a base commit has to say is handed to the
//! caller's [`BaseNotice`] sink as it happens.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use super::at_commit::{self, Leaf, Tree};
use super::{ConfigError, Settings};
use crate::registry::Rule;

/// Which configuration applies.
#[derive(Debug, Clone, Copy)]
pub enum Choice<'a> {
    /// `--no-config`: the built-in defaults only.
    Defaults,
    /// `--config FILE`: this file for every input.
    File(&'a Path),
    /// The nearest configuration file of each input's directory.
    Nearest,
}

/// Invalid configuration files: the run stops with exit 2, after every error is shown.
#[derive(Debug)]
pub struct Invalid(pub Vec<ConfigError>);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid configuration")
    }
}

impl std::error::Error for Invalid {}

/// What reading the configuration at a base commit has to tell; the caller says it.
#[derive(Debug)]
pub enum BaseNotice<'a> {
    /// How a file was read (e.g. an `extends` target that is not at the commit).
    Note(&'a str),
    /// The configuration starting at `leaf` has errors there: the defaults are used instead.
    Unusable {
        /// Its errors.
        errors: &'a [ConfigError],
        /// The file it starts from (`<commit>:<path>`).
        leaf: &'a str,
    },
}

/// The commit whose configuration files apply (`lint --new-only`), and where what reading
/// them has to tell goes.
pub struct Base<'a> {
    /// The repository.
    pub repo: &'a crate::git::Repo,
    /// The commit.
    pub commit: &'a str,
    /// Where notices go.
    pub notices: fn(&BaseNotice<'_>),
}

/// `lint --new-only`: the configuration files as they are at the base commit (a pull request
/// cannot relax its own check, as with `diff`).
struct AtBaseCommit {
    cwd: PathBuf,
    commit: String,
    tree: Tree,
    /// The configuration files read (`<commit>:<path>`), for the note on standard error.
    read: Vec<String>,
    /// Where notices go.
    notices: fn(&BaseNotice<'_>),
}

/// Settings for each input (see the module docs).
pub struct Configs {
    fixed: Option<Arc<Settings>>,
    at_base: Option<AtBaseCommit>,
    by_dir: HashMap<PathBuf, Arc<Settings>>,
    by_file: HashMap<PathBuf, Arc<Settings>>,
    /// Each folder's configuration file, as [`super::discover_with`] found it.
    found: HashMap<PathBuf, Option<PathBuf>>,
    select: Vec<String>,
    ignore: Vec<String>,
    /// The built-in rules (rule ids are checked against them).
    builtin: &'static [&'static Rule],
    /// Command-line selectors not known to some configuration (checked once all are read).
    unknown: Vec<String>,
}

impl Configs {
    /// The configurations of `choice`, `select` and `ignore` (the command line's) applied to
    /// each; rule ids are checked against the built-in rules `builtin`.
    pub fn new(
        choice: Choice<'_>,
        select: &[String],
        ignore: &[String],
        builtin: &'static [&'static Rule],
    ) -> Result<Self> {
        let mut me = Self {
            fixed: None,
            at_base: None,
            by_dir: HashMap::new(),
            by_file: HashMap::new(),
            found: HashMap::new(),
            select: select.to_vec(),
            ignore: ignore.to_vec(),
            builtin,
            unknown: Vec::new(),
        };
        match choice {
            Choice::Defaults => me.fixed = Some(me.finish(Settings::new(builtin))),
            Choice::File(path) => {
                let settings = super::load(path, builtin).map_err(Invalid)?;
                me.fixed = Some(me.finish(settings));
            }
            Choice::Nearest => {}
        }
        Ok(me)
    }

    /// [`Configs::new`], every configuration file read as it is at the `base` commit.
    pub fn at_commit(
        choice: Choice<'_>,
        select: &[String],
        ignore: &[String],
        builtin: &'static [&'static Rule],
        base: &Base<'_>,
    ) -> Result<Self> {
        if matches!(choice, Choice::Defaults) {
            return Self::new(choice, select, ignore, builtin);
        }
        let mut me = Self::new(Choice::Nearest, select, ignore, builtin)?;
        me.at_base = Some(AtBaseCommit {
            cwd: std::env::current_dir().context("no current directory")?,
            commit: base.commit.to_owned(),
            tree: Tree::new(base.repo, base.commit)?,
            read: Vec::new(),
            notices: base.notices,
        });
        if let Choice::File(path) = choice {
            let s = me.load_at_base(Leaf::File(path))?;
            me.fixed = Some(s);
        }
        Ok(me)
    }

    /// The settings of a configuration file as it is at the base commit; the defaults (with a
    /// notice) when it has errors there.
    fn load_at_base(&mut self, leaf: Leaf<'_>) -> Result<Arc<Settings>> {
        let b = self.at_base.as_mut().expect("reading at the base commit");
        let at = at_commit::load(&b.cwd, &b.commit, leaf, self.builtin)?.unwrap_or_default();
        for note in &at.notes {
            (b.notices)(&BaseNotice::Note(note));
        }
        let name = at.leaf.clone().unwrap_or_else(|| "?".to_owned());
        let settings = if at.errors.is_empty() {
            at.settings
        } else {
            (b.notices)(&BaseNotice::Unusable {
                errors: &at.errors,
                leaf: &name,
            });
            Settings::new(self.builtin)
        };
        b.read.push(name);
        Ok(self.finish(settings))
    }

    fn finish(&mut self, mut settings: Settings) -> Arc<Settings> {
        let unknown = settings.apply_cli(&self.select, &self.ignore);
        self.unknown.extend(unknown);
        Arc::new(settings)
    }

    /// The first command-line selector that no configuration of the run knows (a usage error).
    pub fn unknown_selector(&self) -> Option<&str> {
        let all = self.all();
        self.unknown
            .iter()
            .find(|id| !all.iter().any(|s| s.knows(id)))
            .map(String::as_str)
    }

    /// With [`Configs::at_commit`]: the configuration files read at the base commit.
    pub fn read_at_base(&self) -> Option<&[String]> {
        self.at_base.as_ref().map(|b| &b.read[..])
    }

    /// The settings that apply to files in `dir`.
    pub fn for_dir(&mut self, dir: &Path) -> Result<Arc<Settings>> {
        if let Some(s) = &self.fixed {
            return Ok(Arc::clone(s));
        }
        if let Some(s) = self.by_dir.get(dir) {
            return Ok(Arc::clone(s));
        }
        let settings = if self.at_base.is_some() {
            self.for_dir_at_base(dir)?
        } else {
            self.for_dir_here(dir)?
        };
        self.by_dir.insert(dir.to_owned(), Arc::clone(&settings));
        Ok(settings)
    }

    /// [`Configs::for_dir`] at the base commit.
    fn for_dir_at_base(&mut self, dir: &Path) -> Result<Arc<Settings>> {
        let b = self.at_base.as_ref().expect("reading at the base commit");
        let found = b.tree.leaf_for(dir);
        let key = found.clone().unwrap_or_default();
        let settings = match (self.by_file.get(&key), found) {
            (Some(s), _) => Arc::clone(s),
            (None, Some(leaf)) => self.load_at_base(Leaf::File(&leaf))?,
            (None, None) => self.finish(Settings::new(self.builtin)),
        };
        self.by_file.insert(key, Arc::clone(&settings));
        Ok(settings)
    }

    /// [`Configs::for_dir`] in the working tree.
    fn for_dir_here(&mut self, dir: &Path) -> Result<Arc<Settings>> {
        // the defaults are kept under the empty path
        let key = super::discover_with(dir, &mut self.found).unwrap_or_default();
        if let Some(s) = self.by_file.get(&key) {
            return Ok(Arc::clone(s));
        }
        let settings = if key.as_os_str().is_empty() {
            Settings::new(self.builtin)
        } else {
            super::load(&key, self.builtin).map_err(Invalid)?
        };
        let s = self.finish(settings);
        self.by_file.insert(key, Arc::clone(&s));
        Ok(s)
    }

    /// The settings of the run as a whole (`include`, `exclude`, `fail-on`): `--config`, else
    /// the current directory's configuration, else the first path's.
    pub fn global(&mut self, paths: &[String]) -> Result<Arc<Settings>> {
        let here = self.for_dir(Path::new("."))?;
        if !here.chain.is_empty() || self.fixed.is_some() {
            return Ok(here);
        }
        match paths.iter().find(|p| *p != "-") {
            Some(p) => {
                let p = Path::new(p);
                let dir = if p.is_dir() {
                    p
                } else {
                    p.parent().unwrap_or(Path::new("."))
                };
                self.for_dir(dir)
            }
            None => Ok(here),
        }
    }

    /// Every distinct settings object handed out.
    pub fn all(&self) -> Vec<Arc<Settings>> {
        let mut out: Vec<Arc<Settings>> = self.fixed.iter().cloned().collect();
        out.extend(self.by_file.values().cloned());
        out
    }
}
