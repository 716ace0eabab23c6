//! The inputs of `lint` and `inspect`: which files are read (paths, globs, the configuration's
//! `include` and `exclude`), read and loaded in parallel, each with the settings of its
//! directory; a panic while loading one file is that file's internal error.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use rayon::prelude::*;

use crate::config::{Configs, Settings};
use crate::discover::{Input, InputError, WalkOptions, collect_inputs, read_text};
use crate::guard;
use crate::load::{FileLoad, is_terraform, load_file_with, may_hold_terraform, may_matter};
use crate::render::escape;
use crate::source::SourceFile;

/// What to read, as the command line resolved it.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Files or directories (`-` for standard input); none: the current directory.
    pub paths: Vec<String>,
    /// `--include` globs (else the configuration's, else the defaults).
    pub include: Vec<String>,
    /// `--exclude` globs.
    pub exclude: Vec<String>,
    /// The name standard input is read under.
    pub stdin_filename: Option<String>,
    /// Larger files are not read.
    pub max_file_size: u64,
    /// `--force-exclude`: the excludes apply to the paths named too.
    pub force_exclude: bool,
}

impl Inputs {
    /// The inputs as read: `--stdin-filename` reads standard input (as ruff does); without `-`
    /// among the paths, the paths named are not read, and `say` says so of each.
    #[must_use]
    pub fn resolved(mut self, say: fn(&str)) -> Self {
        if self.stdin_filename.is_some() && !self.paths.iter().any(|p| p == "-") {
            for p in &self.paths {
                say(&format!(
                    "warning: `{}` is not read: `--stdin-filename` reads standard input\n  help: add `-` to the paths to read both",
                    escape::text(p)
                ));
            }
            self.paths = vec!["-".to_owned()];
        }
        self
    }
}

/// A file whose processing panicked (caught: the other files are still processed; exit 2).
pub struct Crash {
    /// The file, as shown.
    pub name: String,
    /// What panicked.
    pub panic: guard::Panic,
}

impl Crash {
    /// The file and the panic message, as reported.
    pub fn shown(&self) -> (String, String) {
        (self.name.clone(), self.panic.message.clone())
    }
}

/// One input, loaded, with the settings and path that apply to it.
pub struct Loaded {
    /// The loaded file.
    pub load: FileLoad,
    /// Its settings.
    pub settings: Arc<Settings>,
    /// Its path (the `--stdin-filename` for standard input).
    pub path: Option<PathBuf>,
    /// Read from standard input.
    pub stdin: bool,
}

/// What [`load_all`] read: the loaded inputs, the inputs that could not be read, those whose
/// loading panicked, and the include globs of the walk.
pub struct Read {
    /// The loaded inputs that may hold something (`load::may_matter`), sorted by file name.
    pub loads: Vec<Loaded>,
    /// The number of inputs read that cannot hold anything (not kept).
    pub skipped: usize,
    /// The inputs that could not be read.
    pub errors: Vec<InputError>,
    /// The inputs whose loading panicked.
    pub crashes: Vec<Crash>,
    /// The include globs of the walk.
    pub include: Vec<String>,
    /// The paths named on the command line that are read (`--force-exclude` leaves some out).
    pub named: Vec<String>,
}

impl Read {
    /// The warnings when a run read nothing (no file matched, empty standard input): a clean
    /// result would otherwise hide a wrong path, glob or pipe. `verb`: `linted`, `inspected`.
    pub fn nothing_read(&self, verb: &str, inputs: &Inputs) -> Vec<String> {
        let mut out = Vec::new();
        for l in self.loads.iter().filter(|l| l.stdin) {
            if l.load.file.text.trim().is_empty() {
                out.push(format!(
                    "warning: standard input is empty: nothing was {verb}\n  help: check the command that writes to it (e.g. `helm template . | awsauth lint -`)"
                ));
            }
        }
        // every path named was left out on purpose (`--force-exclude`, a hook's files)
        let all_left_out = !inputs.paths.is_empty() && self.named.is_empty();
        if self.loads.is_empty()
            && self.skipped == 0
            && self.errors.is_empty()
            && self.crashes.is_empty()
            && !all_left_out
        {
            let quoted = |list: &[String]| {
                list.iter()
                    .map(|p| format!("`{}`", escape::text(p)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let paths = if inputs.paths.is_empty() {
                "`.`".to_owned()
            } else {
                quoted(&inputs.paths)
            };
            let globs = quoted(&self.include);
            out.push(format!(
                "warning: nothing was {verb}: no file under {paths} matches {globs}\n  help: name the files, or choose which are read with `--include GLOB` (`--exclude` and the configuration's `exclude` leave files out)"
            ));
        }
        out
    }
}

/// The directory whose configuration applies to an input.
fn input_dir(input: &Input, stdin_filename: Option<&str>) -> PathBuf {
    let path = match input {
        Input::Path { path, .. } => path.clone(),
        Input::Stdin { .. } => PathBuf::from(stdin_filename.unwrap_or("-")),
    };
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// The inputs to read: the paths walked with the globs of the command line and of the run's
/// configuration, plus `tracked` (files git tracks, for `--new-only`); the include globs too.
fn select(inputs: &Inputs, global: &Settings, tracked: &[PathBuf]) -> Result<Selected> {
    let mut opts = WalkOptions::default();
    if !inputs.include.is_empty() {
        opts.include.clone_from(&inputs.include);
    } else if let Some(i) = &global.include {
        opts.include.clone_from(i);
    }
    opts.exclude.clone_from(&inputs.exclude);
    // the configuration's excludes: a glob without `/` matches a name anywhere (the walk prunes
    // with it); one with `/` is relative to the configuration's directory
    let (names, anchored): (Vec<String>, Vec<String>) = global
        .exclude
        .iter()
        .flatten()
        .cloned()
        .partition(|e| !e.contains('/'));
    opts.exclude.extend(names);
    let cwd = std::env::current_dir().unwrap_or_default();
    let dir = global
        .dir
        .as_ref()
        .map(|d| crate::paths::normalize(&cwd.join(d)));
    let anchored = crate::discover::Exclusions::new(&anchored, dir.as_deref())
        .map_err(|e| anyhow::anyhow!(e))?;
    let mut named = inputs.paths.clone();
    let mut stdin_filename = inputs.stdin_filename.as_deref();
    if inputs.force_exclude {
        let forced = |p: &str| {
            crate::discover::force_excluded(Path::new(p), &cwd, &opts.exclude, anchored.as_ref())
        };
        named.retain(|p| p == "-" || !forced(p));
        if stdin_filename.is_some_and(forced) {
            // standard input stands for an excluded file: nothing is read
            named.retain(|p| p != "-");
            stdin_filename = None;
        }
        if named.is_empty() && !inputs.paths.is_empty() {
            return Ok((Vec::new(), Vec::new(), opts.include, named));
        }
    }
    let (mut found, errors) =
        collect_inputs(&named, &opts, stdin_filename).map_err(|e| anyhow::anyhow!(e))?;
    let also =
        crate::discover::tracked_inputs(tracked, &opts, &found).map_err(|e| anyhow::anyhow!(e))?;
    found.extend(also);
    if let Some(ex) = &anchored {
        found.retain(|i| match i {
            // a file named on the command line is always read
            Input::Path { path, .. } if !inputs.paths.iter().any(|p| Path::new(p) == path) => {
                !ex.excludes(&cwd, &path.to_string_lossy())
            }
            _ => true,
        });
    }
    Ok((found, errors, opts.include, named))
}

/// What [`select`] chose: the inputs, those that cannot be read, the include globs, and the
/// paths named on the command line that are read.
type Selected = (Vec<Input>, Vec<InputError>, Vec<String>, Vec<String>);

/// Reads and loads every input in parallel; results come back sorted by file name.
pub fn load_all(inputs: &Inputs, configs: &mut Configs, tracked: &[PathBuf]) -> Result<Read> {
    let global = configs.global(&inputs.paths)?;
    let (found, mut errors, include, named) = select(inputs, &global, tracked)?;
    let mut jobs = Vec::with_capacity(found.len());
    for input in found {
        let settings = configs.for_dir(&input_dir(&input, inputs.stdin_filename.as_deref()))?;
        let path = match &input {
            Input::Path { path, .. } => Some(path.clone()),
            Input::Stdin { .. } => inputs.stdin_filename.as_ref().map(PathBuf::from),
        };
        jobs.push((input, settings, path));
    }
    let results: Vec<Result<Option<Result<Loaded, Crash>>, InputError>> = jobs
        .into_par_iter()
        .map(|(input, settings, path)| {
            read_text(&input, inputs.max_file_size).map(|text| {
                let name = input.name().to_owned();
                let stdin = matches!(input, Input::Stdin { .. });
                guard::catch(|| {
                    // a file that cannot matter is counted, and its text dropped at once:
                    // memory follows the files that hold something, not the tree
                    // (standard input is always loaded: its emptiness is told)
                    if !stdin && !may_matter(&name, &text) {
                        return None;
                    }
                    let file = SourceFile::new(name.as_str(), text);
                    guard::test_trigger("load", &file.name);
                    // a Terraform file that may declare aws-auth is evaluated with the other
                    // files of its module (read only then: most `.tf` files declare none)
                    let siblings = match &input {
                        Input::Path { path, .. }
                            if is_terraform(&file.name) && may_hold_terraform(&file.text) =>
                        {
                            crate::discover::module_files(path, inputs.max_file_size)
                        }
                        _ => Vec::new(),
                    };
                    Some(load_file_with(file, &siblings))
                })
                .map(|load| {
                    load.map(|load| Loaded {
                        load,
                        settings,
                        path,
                        stdin,
                    })
                })
                .map_err(|panic| Crash { name, panic })
                .transpose()
            })
        })
        .collect();
    let mut loads = Vec::new();
    let mut crashes = Vec::new();
    let mut skipped = 0;
    for r in results {
        match r {
            Ok(Some(Ok(l))) => loads.push(l),
            Ok(Some(Err(c))) => crashes.push(c),
            Ok(None) => skipped += 1,
            Err(e) => errors.push(e),
        }
    }
    Ok(Read {
        loads,
        skipped,
        errors,
        crashes,
        include,
        named,
    })
}

/// The directories the run walked as a whole (unused allow entries are only reported there).
pub fn walked_roots(paths: &[String]) -> Vec<PathBuf> {
    if paths.is_empty() {
        return vec![PathBuf::from(".")];
    }
    paths
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .collect()
}
