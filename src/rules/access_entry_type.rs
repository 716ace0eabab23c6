//! `access-entry-type`: an access entry type that is not one, or that does not fit the entry.
use crate::arn::Arn;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::access_entries::{AccessDecls, AccessEntry, EntryType};
use crate::rules::quoted_list;

declare_rule! {
    /// ## What it does
    /// Reports an EKS access entry whose `type`:
    /// - is not one of the six exact values `STANDARD`, `EC2`, `EC2_LINUX`, `EC2_WINDOWS`,
    ///   `FARGATE_LINUX`, `HYBRID_LINUX` (`EC2_Linux` is not one: the names are case-sensitive);
    /// - is a node type (`EC2_LINUX`, `EC2_WINDOWS`, `FARGATE_LINUX`, `HYBRID_LINUX`) written with
    ///   a `username`, `groups` or access policies;
    /// - is a node type or `EC2` (EKS Auto Mode) for an IAM user: these types take only roles.
    ///
    /// ## Why is this bad?
    /// Each of them fails the apply: Terraform and eksctl accept only the exact upper-case names,
    /// and the EKS API, eksctl and the Terraform provider reject a username, groups or access
    /// policies on a node entry. EKS gives node entries their identity itself
    /// (`system:node:{{EC2PrivateDNSName}}` in `system:bootstrappers` and `system:nodes` for
    /// `EC2_LINUX`) and grants them what nodes need. Node entries name the role the nodes assume,
    /// never a user.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: prod
    ///   region: eu-west-1
    /// accessConfig:
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/nodes
    ///       type: EC2_LINUX
    ///       kubernetesGroups: [system:nodes]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: prod
    ///   region: eu-west-1
    /// accessConfig:
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/nodes
    ///       type: EC2_LINUX
    /// ```
    ///
    /// ## References
    /// - EKS user guide, "Create access entries": the types, and which take a username, groups
    ///   and access policies (<https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html>)
    /// - EKS API reference, `CreateAccessEntry`: "For nodes (...), the only valid ARN is IAM roles"
    ///   (<https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html>)
    /// - Terraform AWS provider `aws_eks_access_entry` (`type`: case-sensitive values); eksctl
    ///   `validateAccessEntries`
    pub ACCESS_ENTRY_TYPE = "access-entry-type", category: Correctness, severity: Error,
    summary: "an access entry type that is not one, or does not fit the entry",
}

/// Reports wrong types and what a type does not take.
pub fn check(decls: &AccessDecls, out: &mut Vec<Diagnostic>) {
    for entry in &decls.entries {
        let Some(kind) = entry.kind() else {
            unknown_type(entry, out);
            continue;
        };
        if kind.is_node() {
            node_fields(entry, kind, out);
        }
        if kind != EntryType::Standard {
            user_principal(entry, kind, out);
        }
    }
}

/// A type that is none of the six.
fn unknown_type(entry: &AccessEntry, out: &mut Vec<Diagnostic>) {
    let Some(t) = &entry.entry_type else { return };
    let v = t.value.as_str();
    // not known from the repository (a variable, another resource's attribute)
    if v.contains("${") {
        return;
    }
    let (message, help) = if let Some(k) = EntryType::ALL
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(v.trim()))
    {
        (
            format!(
                "access entry type `{v}` is not a type; the names are case-sensitive, this one is `{}`",
                k.as_str()
            ),
            format!("write `{}`", k.as_str()),
        )
    } else {
        let near = EntryType::ALL
            .into_iter()
            .min_by_key(|k| strsim::levenshtein(&v.to_ascii_uppercase(), k.as_str()))
            .unwrap_or(EntryType::Standard);
        (
            format!("access entry type `{v}` is not a type"),
            format!(
                "write one of {} (`{}`?)",
                quoted_list(&EntryType::ALL.map(EntryType::as_str), ", "),
                near.as_str()
            ),
        )
    };
    out.push(
        Diagnostic::new(&ACCESS_ENTRY_TYPE, &entry.file, t.span.clone(), message)
            .label("not an access entry type")
            .help(help),
    );
}

/// A username, groups or access policies on a node type.
fn node_fields(entry: &AccessEntry, kind: EntryType, out: &mut Vec<Diagnostic>) {
    let t = kind.as_str();
    let identity = kind
        .node_identity()
        .map_or_else(String::new, |(user, groups)| {
            format!(" (`{user}` in {})", quoted_list(groups, ", "))
        });
    let mut report = |span: crate::source::Span, what: &str, help: String| {
        out.push(
            Diagnostic::new(
                &ACCESS_ENTRY_TYPE,
                &entry.file,
                span,
                format!("an access entry of type `{t}` takes no {what}; EKS rejects it"),
            )
            .label(format!("not allowed with `{t}`"))
            .help(help),
        );
    };
    let remove_identity =
        |what: &str| format!("remove the {what}: EKS sets the node identity itself{identity}");
    if let Some(user) = &entry.username {
        report(user.span.clone(), "username", remove_identity("username"));
    }
    if let Some(first) = entry.groups.first() {
        report(first.span.clone(), "groups", remove_identity("groups"));
    }
    if let Some(first) = entry.policies.first() {
        let span = first.policy.as_ref().map_or(&first.span, |p| &p.span);
        report(
            span.clone(),
            "access policy",
            "remove the access policies: EKS grants nodes what they need".to_owned(),
        );
    }
}

/// A node or Auto Mode type for an IAM user.
fn user_principal(entry: &AccessEntry, kind: EntryType, out: &mut Vec<Diagnostic>) {
    let Some(p) = &entry.principal else { return };
    let text = crate::rules::mask_placeholders(&p.value);
    let Some(arn) = Arn::parse(&text) else {
        return;
    };
    if !(arn.service_is("iam") && arn.type_is("user")) {
        return;
    }
    let t = kind.as_str();
    out.push(
        Diagnostic::new(
            &ACCESS_ENTRY_TYPE,
            &entry.file,
            p.span.clone(),
            format!(
                "an access entry of type `{t}` takes only an IAM role; `{}` is a user",
                p.value
            ),
        )
        .label("an IAM user")
        .help("name the role the nodes use, or make the user's entry `STANDARD`"),
    );
}
