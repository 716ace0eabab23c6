//! `module` blocks of terraform-aws-modules/eks (`terraform-aws-modules/eks/aws` on the
//! registry, the `terraform-aws-eks` repository by git, its `//modules/aws-auth` submodule),
//! read as the module renders aws-auth from its inputs, per major version (the facts and
//! their sources: `ARCHITECTURE.md`'s Terraform notes and the module docs below).
//!
//! - **v17 and before**: `manage_aws_auth` (default `true`) writes a `kubernetes_config_map`
//!   (the whole object) with `mapRoles = yamlencode(distinct(concat(<worker and node group
//!   roles>, var.map_roles)))`, `mapUsers = yamlencode(var.map_users)`, `mapAccounts =
//!   yamlencode(var.map_accounts)`.
//! - **v18, v19**: `manage_aws_auth_configmap` (`kubernetes_config_map_v1_data`, `force =
//!   true`) or `create_aws_auth_configmap` (`kubernetes_config_map`), both off by default, write
//!   `mapRoles = yamlencode(concat(<node roles of the node groups and Fargate profiles the
//!   module creates>, var.aws_auth_roles))` and `yamlencode` of `aws_auth_users` and
//!   `aws_auth_accounts`.
//! - **v20 `modules/aws-auth`**: `manage_aws_auth_configmap` (default `true`, `force = true`)
//!   writes `yamlencode(var.aws_auth_roles)` and the users and accounts: no node role of its own.
//! - **v21**: no aws-auth inputs.

use hcl_edit::structure::{Block, Body};

use super::{Cx, Rendered, add_rendered, list_parts, new_object, placeholders};
use crate::hcl::eval::Module;
use crate::hcl::parse;
use crate::hcl::value::{Spanned, Text, Value};
use crate::model::{AwsAuth, Field, Overwrite, SectionKind, Terraform};
use crate::source::Span;

/// Which generation of the module, as far as aws-auth goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generation {
    /// v17 and before: `map_roles`, `manage_aws_auth`.
    V17,
    /// v18 and v19: `aws_auth_roles`, `manage_aws_auth_configmap`.
    V18,
    /// The v20 `modules/aws-auth` submodule.
    V20AwsAuth,
    /// v20 and later without the submodule: no aws-auth.
    Later,
}

/// Reads a module block that is terraform-aws-modules/eks writing aws-auth.
pub(super) fn read(cx: &Cx<'_>, block: &Block, name: &str) -> Option<AwsAuth> {
    let body = &block.body;
    let source = parse::attribute(body, "source")?;
    let source_text = cx.eval(&source.value).value.as_text()?.value.clone();
    let version = parse::attribute(body, "version")
        .and_then(|v| cx.eval(&v.value).value.as_text().map(|t| t.value.clone()));
    let generation = generation(&source_text, version.as_deref(), body)?;
    let input = |key: &str| parse::attribute(body, key);
    let (overwrites, what) = writes(cx, body, cx.span(source), generation)?;
    let mut obj = new_object(
        cx,
        cx.span(block),
        Terraform {
            address: format!("module.{name}"),
            what: what.to_owned(),
            overwrites,
            ..Terraform::default()
        },
    );
    obj.name = Some(Field {
        value: "aws-auth".into(),
        span: cx.span(source),
    });
    obj.namespace = Some(Field {
        value: "kube-system".into(),
        span: cx.span(source),
    });
    let names = match generation {
        Generation::V17 => ["map_roles", "map_users", "map_accounts"],
        _ => ["aws_auth_roles", "aws_auth_users", "aws_auth_accounts"],
    };
    let nodes = if generation == Generation::V20AwsAuth {
        Vec::new()
    } else {
        node_roles(cx, body, name, generation)
    };
    if let Some(t) = obj.terraform.as_mut() {
        t.module_node_roles = nodes.iter().map(|(f, _)| f.clone()).collect();
    }
    for (kind, input_name) in SectionKind::ALL.into_iter().zip(names) {
        let given = input(input_name);
        let key_span = given.map_or_else(|| cx.span(source), |a| cx.span(&a.key));
        let mut items: Vec<Spanned> = Vec::new();
        let mut unknowns = Vec::new();
        if kind == SectionKind::MapRoles {
            items.extend(nodes.iter().map(|(_, v)| v.clone()));
        }
        let span = match given {
            Some(a) => {
                // a `concat` is taken argument by argument: one unknown part leaves the rest
                let (known, parts) = list_parts(cx, &a.value);
                unknowns.extend(parts);
                if let Some(v) = known {
                    let v = match input_type(generation, kind) {
                        Some(ty) => cx.convert(v, ty),
                        None => v,
                    };
                    match v.value {
                        Value::List(list) => items.extend(list),
                        _ => unknowns.push(v),
                    }
                }
                cx.span(&a.value)
            }
            // the input's default, `[]`
            None => key_span.clone(),
        };
        let list = placeholders(Spanned {
            value: Value::List(items),
            span: span.clone(),
        });
        let rendered = Rendered {
            text: crate::hcl::encode::yamlencode(&list),
            unknowns,
            other: None,
            span,
        };
        add_rendered(&mut obj, kind, key_span, rendered);
    }
    super::super::finish(&mut obj);
    Some(obj)
}

/// Whether the module writes aws-auth with these inputs: how it replaces what EKS wrote (when
/// it does), and what the module is, for people; `source` is where to point when the input
/// that decides is not written (its default applies).
fn writes(
    cx: &Cx<'_>,
    body: &Body,
    source: Span,
    generation: Generation,
) -> Option<(Option<Overwrite>, &'static str)> {
    let flag = |key: &str, default: bool| -> (bool, Span) {
        match parse::attribute(body, key) {
            Some(a) => (
                matches!(cx.eval(&a.value).value, Value::Bool(true)),
                cx.span(a),
            ),
            None => (default, source.clone()),
        }
    };
    // the module creates nothing at all
    let create = if generation == Generation::V17 {
        "create_eks"
    } else {
        "create"
    };
    if !flag(create, true).0 {
        return None;
    }
    match generation {
        Generation::Later => None,
        Generation::V17 => {
            let (manage, span) = flag("manage_aws_auth", true);
            manage.then(|| {
                (
                    Some(Overwrite {
                        how: Field {
                            value: "the module's `kubernetes_config_map` owns the whole ConfigMap"
                                .into(),
                            span,
                        },
                        keys_only: false,
                    }),
                    "terraform-aws-modules/eks v17",
                )
            })
        }
        Generation::V18 | Generation::V20AwsAuth => {
            let submodule = generation == Generation::V20AwsAuth;
            let (manage, span) = flag("manage_aws_auth_configmap", submodule);
            let (create, _) = flag("create_aws_auth_configmap", false);
            let what = if submodule {
                "terraform-aws-modules/eks//modules/aws-auth v20"
            } else {
                "terraform-aws-modules/eks v18-v19"
            };
            if manage {
                let how =
                    "`manage_aws_auth_configmap` takes over the keys it writes (`force = true`)";
                // (it writes all three keys, `[]` for an input not given)
                Some((
                    Some(Overwrite {
                        how: Field {
                            value: how.into(),
                            span,
                        },
                        keys_only: true,
                    }),
                    what,
                ))
            } else {
                // `create_aws_auth_configmap` alone writes the map once, when it creates it, and
                // then ignores changes to its data (`ignore_changes = [data]`): EKS's later
                // entries stay
                create.then_some((None, what))
            }
        }
    }
}

/// The type of the module's input for a section, when it converts what it is given (v17's
/// typed objects: extra attributes dropped, numbers of `map_accounts` become strings); v18 and
/// later take `list(any)`, which keeps values as written (an account number stays a number).
fn input_type(generation: Generation, kind: SectionKind) -> Option<&'static str> {
    if generation != Generation::V17 {
        return None;
    }
    Some(match kind {
        SectionKind::MapRoles => {
            "list(object({rolearn = string, username = string, groups = list(string)}))"
        }
        SectionKind::MapUsers => {
            "list(object({userarn = string, username = string, groups = list(string)}))"
        }
        SectionKind::MapAccounts => "list(string)",
    })
}

/// The module's generation from its `source` and `version`, else from the inputs it is given.
fn generation(source: &str, version: Option<&str>, body: &Body) -> Option<Generation> {
    let s = source.to_ascii_lowercase();
    let registry = s.starts_with("terraform-aws-modules/eks/aws");
    let git = s.contains("terraform-aws-modules/terraform-aws-eks");
    let has = |k: &str| parse::attribute(body, k).is_some();
    if (registry || git) && s.contains("//modules/aws-auth") {
        return Some(Generation::V20AwsAuth);
    }
    if s.contains("//modules/") {
        return None;
    }
    let pinned = pin(&s, version);
    // v18.0 to v18.19 wrote no aws-auth (only an output): an exact pin there
    if let Some((18, minor, true)) = pinned
        && minor < 20
    {
        return Some(Generation::Later);
    }
    let major = pinned.map(|(m, _, _)| m);
    let by_inputs =
        if has("map_roles") || has("map_users") || has("map_accounts") || has("manage_aws_auth") {
            Some(Generation::V17)
        } else if has("aws_auth_roles")
            || has("aws_auth_users")
            || has("aws_auth_accounts")
            || has("manage_aws_auth_configmap")
            || has("create_aws_auth_configmap")
        {
            Some(Generation::V18)
        } else {
            None
        };
    match major {
        Some(m) if m <= 17 => Some(Generation::V17),
        Some(18 | 19) => Some(Generation::V18),
        Some(_) => Some(Generation::Later),
        // a local copy, or a version not pinned: what the inputs say, if it looks like the module
        None if registry || git || s.contains("eks") => by_inputs,
        None => None,
    }
}

/// The version a (lowercased) source pins: the registry's `version`, a git `ref=`.
fn pin(source: &str, version: Option<&str>) -> Option<(u32, u32, bool)> {
    if source.starts_with("terraform-aws-modules/eks/aws") {
        version.and_then(version_of)
    } else if source.contains("terraform-aws-modules/terraform-aws-eks") {
        source.split_once("ref=").and_then(|(_, r)| version_of(r))
    } else {
        None
    }
}

/// The generations of the module that declare access entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AccessGeneration {
    /// v20: the cluster's name is input `cluster_name`.
    V20,
    /// v21 and later: the cluster's name is input `name`.
    V21,
}

/// Whether a module block is terraform-aws-modules/eks v20 or later (the cluster itself, not a
/// submodule), which declares the cluster's access settings and its access entries. A version
/// pinned decides; else the inputs (`cluster_name` is v20's, `name` v21's); a registry or git
/// source pinned to nothing is the latest (v21). A local copy counts only with access inputs.
/// `body` is a block of file `file` of `module`.
pub(super) fn access_generation(
    module: &Module,
    file: usize,
    body: &Body,
) -> Option<AccessGeneration> {
    let text = |key: &str| {
        let expr = &parse::attribute(body, key)?.value;
        match module.eval(file, expr).value {
            Value::String(t) if !t.unknown => Some(t.value),
            _ => None,
        }
    };
    let source_text = text("source")?;
    let version = text("version");
    if generation(&source_text, version.as_deref(), body).is_some_and(|g| g != Generation::Later) {
        return None;
    }
    let s = source_text.to_ascii_lowercase();
    if s.contains("//modules/") {
        return None;
    }
    let has = |k: &str| parse::attribute(body, k).is_some();
    let published = s.starts_with("terraform-aws-modules/eks/aws")
        || s.contains("terraform-aws-modules/terraform-aws-eks");
    match pin(&s, version.as_deref()).map(|(major, _, _)| major) {
        Some(20) => Some(AccessGeneration::V20),
        Some(m) if m >= 21 => Some(AccessGeneration::V21),
        Some(_) => None,
        None => {
            let access_inputs = has("access_entries")
                || has("authentication_mode")
                || has("enable_cluster_creator_admin_permissions");
            if !(published || s.contains("eks") && access_inputs) {
                return None;
            }
            if has("cluster_name") {
                Some(AccessGeneration::V20)
            } else {
                Some(AccessGeneration::V21)
            }
        }
    }
}

/// The major and minor version of a version or constraint, and whether it names one exact
/// version (`~> 18.0` → 18, 0, no; `v17.24.0` → 17, 24, yes; `= 18.10.1` → 18, 10, yes).
fn version_of(v: &str) -> Option<(u32, u32, bool)> {
    let start = v.find(|c: char| c.is_ascii_digit())?;
    let operator = v[..start].trim().trim_start_matches('v');
    let exact = operator.is_empty() || operator == "=";
    let mut numbers = v[start..]
        .split(|c: char| !c.is_ascii_digit())
        .map(str::parse::<u32>);
    let major = numbers.next()?.ok()?;
    let minor = numbers.next().and_then(Result::ok).unwrap_or(0);
    Some((major, minor, exact))
}

/// The node roles the module maps on its own, in the order it writes them: one per node group
/// and Fargate profile it creates (their role ARNs known only after apply: written
/// `${...}`), and the role ARNs given for them; each with where it is declared.
fn node_roles(
    cx: &Cx<'_>,
    body: &Body,
    module: &str,
    generation: Generation,
) -> Vec<(Field, Spanned)> {
    let mut linux = Vec::new();
    let mut windows = Vec::new();
    let mut fargate = Vec::new();
    let groups: &[&str] = match generation {
        Generation::V17 => &[
            "worker_groups_launch_template",
            "worker_groups",
            "node_groups",
        ],
        _ => &["eks_managed_node_groups", "self_managed_node_groups"],
    };
    for &input in groups {
        for (name, span, platform) in groups_of(cx, body, input) {
            // managed node groups are Linux in the module's mapping (v19.16 splits Windows ones
            // by `platform`; not modelled: the same node identity)
            let windows_group =
                input != "eks_managed_node_groups" && platform.as_deref() == Some("windows");
            let entry = (name, span);
            if windows_group {
                windows.push(entry);
            } else {
                linux.push(entry);
            }
        }
    }
    let profiles = groups_of(cx, body, "fargate_profiles");
    if generation == Generation::V17 {
        // one pod execution role for all the profiles
        fargate.extend(
            profiles
                .into_iter()
                .take(1)
                .map(|(_, span, _)| ("fargate_profiles".to_owned(), span)),
        );
    } else {
        fargate.extend(profiles.into_iter().map(|(name, span, _)| (name, span)));
    }
    let mut out = Vec::new();
    let add = |list: Vec<(String, Span)>,
               kind: Kind,
               given: Option<&str>,
               out: &mut Vec<(Field, Spanned)>| {
        for (name, span) in list {
            let arn = format!("${{module.{module}.{name}.iam_role_arn}}");
            out.push((
                Field {
                    value: name,
                    span: span.clone(),
                },
                node_entry(&arn, kind, span),
            ));
        }
        let Some(input) = given.filter(|_| generation == Generation::V18) else {
            return;
        };
        let Some(attr) = parse::attribute(body, input) else {
            return;
        };
        let v = placeholders(cx.eval(&attr.value));
        if let Value::List(items) = v.value {
            for item in items {
                if let Value::String(t) = &item.value {
                    out.push((
                        Field {
                            value: input.to_owned(),
                            span: item.span.clone(),
                        },
                        node_entry_text(t.clone(), kind, item.span.clone()),
                    ));
                }
            }
        }
    };
    add(
        linux,
        Kind::Linux,
        Some("aws_auth_node_iam_role_arns_non_windows"),
        &mut out,
    );
    add(
        windows,
        Kind::Windows,
        Some("aws_auth_node_iam_role_arns_windows"),
        &mut out,
    );
    add(
        fargate,
        Kind::Fargate,
        Some("aws_auth_fargate_profile_pod_execution_role_arns"),
        &mut out,
    );
    out
}

/// The node groups (or profiles) of a module input: a name for each (`eks_managed_node_groups["a"]`),
/// where it is declared, and its `platform` when known.
fn groups_of(cx: &Cx<'_>, body: &Body, input: &str) -> Vec<(String, Span, Option<String>)> {
    let Some(attr) = parse::attribute(body, input) else {
        return Vec::new();
    };
    let v = cx.eval(&attr.value);
    let platform = |e: &Spanned| {
        e.value
            .get("platform")
            .and_then(|p| p.value.as_text())
            .map(|t| t.value.clone())
    };
    match &v.value {
        Value::Object(entries) => entries
            .iter()
            .map(|(k, e)| {
                (
                    format!("{input}[\"{}\"]", k.value),
                    e.span.clone(),
                    platform(e),
                )
            })
            .collect(),
        Value::List(items) => items
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("{input}[{i}]"), e.span.clone(), platform(e)))
            .collect(),
        // groups not known from the repository: at least one, most likely
        Value::Unknown(_) => vec![(input.to_owned(), v.span.clone(), None)],
        _ => Vec::new(),
    }
}

/// Which node mapping the module writes.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Linux nodes.
    Linux,
    /// Windows nodes (`eks:kube-proxy-windows` too).
    Windows,
    /// Fargate pods.
    Fargate,
}

/// A node mapping with an ARN not known from the repository.
fn node_entry(arn: &str, kind: Kind, span: Span) -> Spanned {
    let mut t = Text::produced(arn, span.clone());
    t.unknown = true;
    node_entry_text(t, kind, span)
}

/// The node mapping the module writes for a role.
fn node_entry_text(arn: Text, kind: Kind, span: Span) -> Spanned {
    let text = |s: &str| Spanned {
        value: Value::String(Text::produced(s, span.clone())),
        span: span.clone(),
    };
    let (username, groups): (&str, &[&str]) = match kind {
        Kind::Linux => (
            "system:node:{{EC2PrivateDNSName}}",
            &["system:bootstrappers", "system:nodes"],
        ),
        // v18 and v19 write this order (v17 puts `eks:kube-proxy-windows` last: the same
        // mapping for the authenticator)
        Kind::Windows => (
            "system:node:{{EC2PrivateDNSName}}",
            &[
                "eks:kube-proxy-windows",
                "system:bootstrappers",
                "system:nodes",
            ],
        ),
        Kind::Fargate => (
            "system:node:{{SessionName}}",
            &[
                "system:bootstrappers",
                "system:nodes",
                "system:node-proxier",
            ],
        ),
    };
    let key = |s: &str| Text::produced(s, span.clone());
    Spanned {
        value: Value::Object(vec![
            (
                key("rolearn"),
                Spanned {
                    value: Value::String(arn),
                    span: span.clone(),
                },
            ),
            (key("username"), text(username)),
            (
                key("groups"),
                Spanned {
                    value: Value::List(groups.iter().map(|g| text(g)).collect()),
                    span: span.clone(),
                },
            ),
        ]),
        span,
    }
}
