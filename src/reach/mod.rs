//! `awsauth access`: who can do what, from the IAM principal through aws-auth and access entries
//! to RBAC, offline ([`crate::model::rbac`]).
//!
//! The loaded inputs are grouped into clusters as `inspect` groups them
//! ([`crate::model::cluster::group`] over [`crate::lint::part`]); each cluster's RBAC is the
//! repository's objects nearest it over the built-in ones ([`Rbac::new`]), and each principal
//! whose access applies gets the grants that reach its username, groups and access policies
//! ([`crate::model::rbac::principals`]). A [`Query`] then keeps what was asked: every principal,
//! one principal ([`principal_key`]: a role ARN with a path is its mapping's role), or the
//! principals a request is allowed for (`--can`: certain grants first; a principal allowed only
//! by a grant that holds for some sessions is listed apart, as possible). Rendering is
//! [`crate::render::reach`]'s.

use crate::guard;
use crate::lint::inputs::{Crash, Loaded};
use crate::model::cluster::{self, principal_key};
use crate::model::rbac::{self, Rbac, Request};
use crate::render::escape;
use crate::render::reach::{self, Match, View};
use crate::render::stdout::Out;

/// What `awsauth access` is asked.
#[derive(Debug, Clone)]
pub enum Query {
    /// Every principal of every cluster.
    All,
    /// One principal (its ARN as written anywhere: matched by [`principal_key`]).
    Principal(String),
    /// The principals a request is allowed for (`--can VERB RESOURCE [-n NS] [--name NAME]`).
    Can(Request),
}

/// The output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Per cluster, per principal: identity, grants, what they amount to.
    Human,
    /// The JSON contract (version 1).
    Json,
}

impl Format {
    /// What it is on standard output.
    pub fn out(self) -> Out {
        match self {
            Self::Human => Out::Text,
            Self::Json => Out::Json,
        }
    }
}

impl Query {
    /// The query of `awsauth access`'s arguments: `--can VERB RESOURCE` (with its namespace and
    /// name), else `--principal`, else every principal.
    ///
    /// # Errors
    /// A request without a verb or a resource.
    pub fn new(
        can: Option<&[String]>,
        namespace: Option<&str>,
        name: Option<&str>,
        principal: Option<&str>,
    ) -> Result<Self, String> {
        if let Some([verb, resource]) = can {
            let mut req = Request::parse(verb, resource, namespace).map_err(|e| {
                format!("{e}\n  help: `--can VERB RESOURCE`, e.g. `--can get secrets -n payments`")
            })?;
            req.name = name.map(str::to_owned);
            return Ok(Self::Can(req));
        }
        Ok(principal.map_or(Self::All, |p| Self::Principal(p.to_owned())))
    }
}

/// What a run gives: the text, whether the query matched anything (always for
/// [`Query::All`]), and what to say when `--principal` matched nothing.
#[derive(Debug)]
pub struct Outcome {
    /// The rendered output.
    pub text: String,
    /// Whether a principal matched the query.
    pub matched: bool,
    /// The message for standard error when a principal asked for was not found.
    pub missing: Option<String>,
}

/// The clusters of the loaded inputs with their principals' access, in the clusters' order
/// (clusters without a principal left out).
fn views<'a>(clusters: &[cluster::Cluster<'a>]) -> Vec<View<'a>> {
    clusters
        .iter()
        .filter_map(|c| {
            let rbac = Rbac::new(c.rbac.iter().map(|(_, o)| *o));
            let joined = cluster::join(c);
            let people = rbac::principals(&joined, &rbac);
            (!people.is_empty()).then(|| View {
                key: c.key.clone(),
                mode: joined.mode,
                repo_rbac: rbac.has_bindings(),
                people,
            })
        })
        .collect()
}

/// The principals of `views` a request is allowed for: by certain grants, else (possibly) by
/// grants that hold only for some sessions.
fn can<'v, 'a>(views: &'v [View<'a>], req: &Request) -> Vec<Match<'v, 'a>> {
    let mut out = Vec::new();
    for v in views {
        for person in &v.people {
            let allowing: Vec<_> = person.grants.iter().filter(|g| g.allows(req)).collect();
            let certain: Vec<_> = allowing.iter().copied().filter(|g| g.certain).collect();
            let (via, certain) = if certain.is_empty() {
                (allowing, false)
            } else {
                (certain, true)
            };
            if !via.is_empty() {
                out.push(Match {
                    cluster: &v.key,
                    person,
                    via,
                    certain,
                });
            }
        }
    }
    // certain ones first, each group in the clusters' and principals' order
    out.sort_by_key(|m| !m.certain);
    out
}

/// Runs a query over the loaded inputs (a panic while joining or rendering is reported as an
/// internal error of the clusters' access, with nothing matched).
pub fn run(loads: &[Loaded], query: &Query, format: Format, crashes: &mut Vec<Crash>) -> Outcome {
    let parts: Vec<_> = loads
        .iter()
        .map(|l| crate::lint::part(&l.load, &l.settings))
        .collect();
    guard::catch(|| {
        let clusters = cluster::group(&parts);
        let mut views = views(&clusters);
        match query {
            Query::All => Outcome {
                text: match format {
                    Format::Human => reach::table(&views, false),
                    Format::Json => reach::json(&views),
                },
                matched: true,
                missing: None,
            },
            Query::Principal(arn) => {
                let key = principal_key(arn);
                for v in &mut views {
                    v.people.retain(|p| p.row.key == key);
                }
                views.retain(|v| !v.people.is_empty());
                let missing = views.is_empty().then(|| {
                    format!(
                        "no mapping or access entry for `{}` in the files read\n  help: check the ARN, and that the paths hold the cluster's aws-auth or access entries",
                        escape::text(arn)
                    )
                });
                Outcome {
                    text: match format {
                        Format::Human => reach::table(&views, true),
                        Format::Json => reach::json(&views),
                    },
                    matched: !views.is_empty(),
                    missing,
                }
            }
            Query::Can(req) => {
                let matches = can(&views, req);
                Outcome {
                    text: match format {
                        Format::Human => reach::can_table(req, &matches, views.len() > 1),
                        Format::Json => reach::can_json(req, &matches),
                    },
                    matched: !matches.is_empty(),
                    missing: None,
                }
            }
        }
    })
    .unwrap_or_else(|panic| {
        crashes.push(Crash {
            name: "(the clusters' access)".to_owned(),
            panic,
        });
        Outcome {
            text: String::new(),
            matched: false,
            missing: None,
        }
    })
}
