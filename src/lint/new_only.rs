//! `lint --new-only`: only the findings a change adds. The linted files are linted again as
//! they are at the base revision (renames followed), with the configuration of the base (a pull
//! request cannot relax its own check), and what was found there is a baseline (same
//! fingerprints as `--baseline`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use rayon::prelude::*;

use super::inputs::{Crash, Loaded};
use crate::baseline::BaselineFile;
use crate::diagnostic::Diagnostic;
use crate::git::Repo;
use crate::guard;
use crate::load::{FileLoad, is_terraform, load_file_with, may_hold_terraform};
use crate::render::escape;

/// The repository and base commit of `lint --new-only` (`rev`, else the default base); `None`
/// before the first commit (then everything is new).
pub fn base(rev: Option<&str>) -> Result<Option<(Repo, String)>> {
    let cwd = std::env::current_dir().context("no current directory")?;
    let repo = Repo::find(&cwd)
        .map_err(|e| anyhow::anyhow!("`--new-only` compares with a git revision: {e}"))?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "`--new-only` compares with a git revision, and `{}` is not in a git repository",
                cwd.display()
            )
        })?;
    if rev.is_none() && repo.head_unborn() {
        return Ok(None);
    }
    let oid = match rev {
        Some(rev) => repo.resolve(rev)?,
        None => repo.default_base()?.1,
    };
    Ok(Some((repo, oid)))
}

/// The files git tracks under `paths` (every file git tracks is read: `.ignore`, `.gitignore`
/// and hidden folders are the change's to edit too). Paths outside the repository are an
/// error of their own, in [`findings_at_base`].
pub fn tracked(base: Option<&(Repo, String)>, paths: &[String]) -> Result<Vec<PathBuf>> {
    let Some((repo, _)) = base else {
        return Ok(Vec::new());
    };
    let inside: Vec<String> = paths
        .iter()
        .filter(|p| *p != "-" && repo.root_relative(Path::new(p)).is_some())
        .cloned()
        .collect();
    if paths.is_empty() || !inside.is_empty() {
        Ok(repo.tracked(&inside)?)
    } else {
        Ok(Vec::new())
    }
}

/// The findings of the linted files as they are at the base revision, as a baseline, and the
/// files whose base version panicked (their findings all count as new). A base version larger
/// than `max` bytes (`--max-file-size`) is not read: its file's findings all count as new.
pub fn findings_at_base(
    loads: &[Loaded],
    base: Option<&(Repo, String)>,
    max: u64,
    whole: bool,
) -> Result<(BaselineFile, Vec<Crash>)> {
    let Some((repo, oid)) = base else {
        // no commits yet: everything is new
        return Ok((crate::baseline::build(&[], Path::new(".")), Vec::new()));
    };
    let oid = oid.as_str();
    // a file renamed or moved since the base is compared with what it was there
    let renamed = repo.renames_since(oid)?;
    let mut wanted = Vec::new();
    for l in loads {
        let Some(path) = l.path.as_deref() else {
            continue;
        };
        let Some(rel) = repo.root_relative(path) else {
            anyhow::bail!(
                "`--new-only` compares with a revision of the repository at `{}`, and `{}` is outside it; run awsauth from the repository that holds it",
                repo.root.display(),
                path.display()
            );
        };
        let at_base = renamed.get(&rel).cloned().unwrap_or(rel);
        wanted.push((at_base, l));
    }
    let paths: Vec<String> = wanted.iter().map(|(p, _)| p.clone()).collect();
    let mut blobs = repo.read_at(oid, &paths, max)?;
    let siblings = module_files_at(repo, oid, &wanted, max)?;
    let no_siblings = Vec::new();
    let crash = |l: &Loaded, panic| Crash {
        name: format!("{} (at the base revision)", l.load.file.name),
        panic,
    };
    let loaded: Vec<Result<Option<(FileLoad, &Loaded)>, Crash>> = wanted
        .into_iter()
        .filter_map(|(p, l)| {
            let files = siblings.get(&p).unwrap_or(&no_siblings);
            Some((blobs.remove(&p).flatten()?, l, files))
        })
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(bytes, l, siblings)| {
            // the same name as today's file, so fingerprints compare
            match crate::discover::decode(&l.load.file.name, bytes) {
                Ok(file) => guard::catch(|| load_file_with(file, siblings))
                    .map(|load| Some((load, l)))
                    .map_err(|panic| crash(l, panic)),
                Err(_) => Ok(None),
            }
        })
        .collect();
    let mut crashes = Vec::new();
    let mut at_base = Vec::new();
    for r in loaded {
        match r {
            Ok(load) => at_base.extend(load),
            Err(c) => crashes.push(c),
        }
    }
    // the rules across a cluster's files see the base versions together, as today's do
    let files = at_base.iter().map(|(load, l)| (load, &*l.settings));
    let (across, failed) = super::across_files(
        files,
        "(the rules across files, at the base revision)",
        whole,
    );
    crashes.extend(failed);
    let results: Vec<Result<Vec<Diagnostic>, Crash>> = at_base
        .par_iter()
        .zip(across)
        .map(|((load, l), across)| {
            guard::catch(|| super::lint_file_with(load, l.path.as_deref(), &l.settings, across))
                .map_err(|panic| crash(l, panic))
        })
        .collect();
    let mut old = Vec::new();
    for r in results {
        match r {
            Ok(d) => old.extend(d),
            Err(c) => crashes.push(c),
        }
    }
    Ok((crate::baseline::build(&old, Path::new(".")), crashes))
}

/// The other files of each linted Terraform file's module directory as they are at the base
/// `oid` (the module files of its directory today, read at the base; one absent there is left
/// out), keyed by the file's path at the base; a Terraform file is loaded with them there as
/// it is today with its own.
fn module_files_at(
    repo: &Repo,
    oid: &str,
    wanted: &[(String, &Loaded)],
    max: u64,
) -> Result<std::collections::HashMap<String, Vec<Arc<crate::source::SourceFile>>>> {
    let mut names: Vec<(String, String, String)> = Vec::new();
    for (at_base, l) in wanted {
        let Some(path) = l.path.as_deref() else {
            continue;
        };
        if !is_terraform(&l.load.file.name) || !may_hold_terraform(&l.load.file.text) {
            continue;
        }
        let dir_base = at_base.rsplit_once('/').map_or("", |(d, _)| d);
        for today in crate::discover::module_file_paths(path) {
            let file_name = today
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let at = if dir_base.is_empty() {
                file_name
            } else {
                format!("{dir_base}/{file_name}")
            };
            names.push((at_base.clone(), at, crate::discover::display_name(&today)));
        }
    }
    let mut out: std::collections::HashMap<String, Vec<Arc<crate::source::SourceFile>>> =
        std::collections::HashMap::new();
    if names.is_empty() {
        return Ok(out);
    }
    let mut batch = repo.batch()?;
    batch.limit(max);
    let objects = batch.get_many(
        &names
            .iter()
            .map(|(_, at, _)| format!("{oid}:{at}"))
            .collect::<Vec<_>>(),
    )?;
    for ((owner, _, shown), object) in names.into_iter().zip(objects) {
        let Some(o) = object.filter(|o| o.kind == "blob" && o.size <= max) else {
            continue;
        };
        if let Ok(file) = crate::discover::decode(&shown, o.data) {
            out.entry(owner).or_default().push(file);
        }
    }
    Ok(out)
}

/// The note said on standard error: which configuration judged the change (`read`: the files
/// read at the base commit `oid`).
pub fn note(oid: &str, read: &[String]) -> String {
    let short: String = oid.chars().take(12).collect();
    let read = if read.is_empty() {
        "none there: the defaults".to_owned()
    } else {
        read.join(", ")
    };
    format!(
        "note: `--new-only` judges the change with the configuration of the base revision {short} ({}): a change to `.awsauth.yaml` applies once it is merged",
        escape::text(&read)
    )
}

/// Keeps the findings of `loads` not in `known` (the findings at the base).
pub fn keep_new(diagnostics: &mut Vec<Diagnostic>, loads: &[Loaded], known: &BaselineFile) {
    // allow-list entries live in the configuration, not in the linted files
    diagnostics.retain(|d| loads.iter().any(|l| Arc::ptr_eq(&l.load.file, &d.file)));
    crate::baseline::filter(diagnostics, known, Path::new("."));
}
