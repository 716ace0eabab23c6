//! yaml.v2 decoding into Go values (`interface{}`), as the authenticator's yaml.v2 does it: the
//! walk over a parsed section that resolves scalars, expands aliases under yaml.v2's budget
//! ([`Budget`], its "excessive aliasing" ratio), and applies merge keys (`<<`). The values it
//! builds are already the JSON-able ones of [`super::json`], as `sigs.k8s.io/yaml` converts them.

use std::borrow::Cow;

use super::PARALLEL_ITEMS;
use super::json::{ConvError, GoMap, GoVal, conv_err, key_string};
use crate::yaml::resolve::{Scalar, resolve};
use crate::yaml::{Node, NodeKind, Style};

/// The most alias-expanded nodes decoded for showing a lost section (not a yaml.v2 limit: only
/// what the tool spends on a section the authenticator refuses anyway).
const DISPLAY_ALIAS_BUDGET: usize = 1_000_000;

/// Converted sequence items with their nodes.
type GoItems<'a> = Vec<(GoVal<'a>, &'a Node)>;

/// `to_go(root, root, ..)` as one yaml.v2 decoder does it. A long sequence is converted in two
/// halves at once; the result is the one-pass result when both halves convert without
/// expanding an alias (yaml.v2's alias check cannot fail then). Otherwise the one pass runs, for
/// its exact count and error.
pub(super) fn to_go_root(root: &Node) -> Result<GoVal<'_>, ConvError> {
    if let NodeKind::Seq(items) = &root.kind
        && items.len() >= PARALLEL_ITEMS
    {
        /// The items' values, and whether an alias was expanded.
        fn convert(items: &[Node]) -> (Result<GoItems<'_>, ConvError>, bool) {
            let mut budget = Budget::yaml_v2();
            let out = items
                .iter()
                .map(|item| Ok((to_go(item, item, &mut budget)?, item)))
                .collect();
            (out, budget.aliased > 0)
        }
        let (head, tail) = items.split_at(items.len() / 2);
        let ((head, aliased_head), (tail, aliased_tail)) =
            crate::par::join(|| convert(head), || convert(tail));
        if let (Ok(mut head), Ok(tail), false, false) = (head, tail, aliased_head, aliased_tail) {
            head.extend(tail);
            return Ok(GoVal::Seq(head));
        }
    }
    to_go(root, root, &mut Budget::yaml_v2())
}

/// Bounds the work of expanding aliases: a "billion laughs" section must not hang the tool.
/// The authenticator's yaml.v2 refuses "excessive aliasing" by the share of the decoded nodes
/// that come from aliases (`decode.go`, `allowedAliasRatio`), not by a document's size: a large
/// document without aliases decodes. Counted as yaml.v2 counts: the document, each key and value,
/// an alias and, inside it, each node of its target.
pub(super) struct Budget {
    /// Nodes decoded.
    decodes: usize,
    /// Nodes decoded inside an alias.
    aliased: usize,
    /// Aliases being expanded.
    depth: usize,
    /// At most this many aliased nodes (a display budget) instead of yaml.v2's ratio.
    cap: Option<usize>,
}

impl Budget {
    /// A fresh yaml.v2 decoder, its document node counted.
    const fn yaml_v2() -> Self {
        Self {
            decodes: 1,
            aliased: 0,
            depth: 0,
            cap: None,
        }
    }

    /// For showing what a lost section holds: aliases expanded up to a fixed total.
    pub(super) const fn display() -> Self {
        Self {
            cap: Some(DISPLAY_ALIAS_BUDGET),
            ..Self::yaml_v2()
        }
    }

    /// Counts one node decoded at `site`; fails as yaml.v2 fails on excessive aliasing.
    fn step(&mut self, site: &Node) -> Result<(), ConvError> {
        self.decodes += 1;
        if self.depth > 0 {
            self.aliased += 1;
        }
        let excessive = match self.cap {
            Some(cap) => self.aliased > cap,
            // `d.aliasCount > 100 && d.decodeCount > 1000 && ratio > allowedAliasRatio(..)`
            #[allow(clippy::cast_precision_loss)] // counts far below 2^52
            None => {
                self.aliased > 100
                    && self.decodes > 1000
                    && self.aliased as f64 / self.decodes as f64 > allowed_alias_ratio(self.decodes)
            }
        };
        if excessive {
            return Err(conv_err(
                "document contains excessive aliasing",
                site,
                false,
            ));
        }
        Ok(())
    }
}

/// yaml.v2's `allowedAliasRatio`: 99% of a document of up to 400,000 decoded nodes may come from
/// aliases, 10% of one of 4,000,000 or more, linearly in between.
#[allow(clippy::cast_precision_loss)] // counts far below 2^52
fn allowed_alias_ratio(decodes: usize) -> f64 {
    const LOW: usize = 400_000;
    const HIGH: usize = 4_000_000;
    if decodes <= LOW {
        0.99
    } else if decodes >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decodes - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

/// A node as yaml.v2 decodes it into `interface{}` (and `sigs.k8s.io/yaml` converts it); a
/// failure is reported at `site` (inside an alias's target, the alias).
fn to_go<'a>(node: &'a Node, site: &'a Node, budget: &mut Budget) -> Result<GoVal<'a>, ConvError> {
    budget.step(site)?;
    if let NodeKind::Alias(target) = &node.kind {
        budget.depth += 1;
        let val = to_go(target, site, budget);
        budget.depth -= 1;
        return val;
    }
    let target = node;
    match &target.kind {
        NodeKind::Alias(_) => unreachable_alias(site),
        NodeKind::Scalar { value, style } => match resolve(value, *style, target.tag.as_deref()) {
            Scalar::Null => Ok(GoVal::Null),
            Scalar::Bool(_) => Ok(GoVal::Bool),
            Scalar::Int(_) | Scalar::Uint(_) => Ok(GoVal::Number),
            // only fatal if it survives into the JSON document (a later duplicate key may replace it)
            Scalar::Float(f) if !f.is_finite() => Ok(GoVal::NonFinite(site)),
            Scalar::Float(_) => Ok(GoVal::Number),
            Scalar::Str => Ok(GoVal::Str(Cow::Borrowed(value))),
            Scalar::Binary(decoded) => Ok(GoVal::Str(Cow::Owned(decoded))),
            Scalar::Error(msg) => Err(conv_err(msg, site, false)),
        },
        NodeKind::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push((to_go(item, item, budget)?, item));
            }
            Ok(GoVal::Seq(out))
        }
        NodeKind::Map(entries) => {
            // as many keys as written, unless merges add more
            let mut out = GoMap::with_capacity(entries.len());
            map_into(entries, site, budget, &mut out)?;
            Ok(GoVal::Map(out.finish()))
        }
    }
}

fn unreachable_alias<'a>(site: &Node) -> Result<GoVal<'a>, ConvError> {
    Err(conv_err("unresolved alias", site, false))
}

fn is_merge_key(k: &Node) -> bool {
    let t = k.resolved();
    match &t.kind {
        NodeKind::Scalar { value, style } => {
            value == "<<"
                && ((*style == Style::Plain && t.tag.is_none())
                    || t.tag.as_deref() == Some("tag:yaml.org,2002:merge"))
        }
        _ => false,
    }
}

fn map_into<'a>(
    entries: &'a [(Node, Node)],
    site: &'a Node,
    budget: &mut Budget,
    out: &mut GoMap<'a>,
) -> Result<(), ConvError> {
    for (k, v) in entries {
        if is_merge_key(k) {
            merge(v, budget, out)?;
            continue;
        }
        // yaml.v2 decodes the key too (an alias key: the alias and its target)
        budget.step(k)?;
        if matches!(k.kind, NodeKind::Alias(_)) {
            budget.depth += 1;
            let target = budget.step(k);
            budget.depth -= 1;
            target?;
        }
        let key = key_string(k, site)?;
        let val = to_go(v, v, budget)?;
        out.insert(key, (val, v));
    }
    Ok(())
}

fn merge<'a>(v: &'a Node, budget: &mut Budget, out: &mut GoMap<'a>) -> Result<(), ConvError> {
    let want_map = || {
        conv_err(
            "map merge requires map or sequence of maps as the value",
            v,
            false,
        )
    };
    // one map, or an alias to one, decoded into `out` (counted as yaml.v2 counts it)
    let merge_one = |node: &'a Node, budget: &mut Budget, out: &mut GoMap<'a>| match &node.kind {
        NodeKind::Map(entries) => {
            budget.step(node)?;
            map_into(entries, node, budget, out)
        }
        NodeKind::Alias(target) => match &target.resolved().kind {
            NodeKind::Map(entries) => {
                budget.step(node)?;
                budget.depth += 1;
                let merged = budget
                    .step(node)
                    .and_then(|()| map_into(entries, node, budget, out));
                budget.depth -= 1;
                merged
            }
            _ => Err(want_map()),
        },
        _ => Err(want_map()),
    };
    match &v.kind {
        NodeKind::Map(_) | NodeKind::Alias(_) => merge_one(v, budget, out),
        // yaml.v2 merges a literal sequence of maps (later ones first), not an alias to one
        NodeKind::Seq(items) => {
            for item in items.iter().rev() {
                merge_one(item, budget, out)?;
            }
            Ok(())
        }
        NodeKind::Scalar { .. } => Err(want_map()),
    }
}

/// An item converted key by key, skipping what fails (only for showing a lost section).
pub(super) fn lenient_item<'a>(item: &'a Node, budget: &mut Budget) -> GoVal<'a> {
    let Some(map) = item.as_map() else {
        return to_go(item, item, budget).unwrap_or(GoVal::Null);
    };
    let mut out = GoMap::default();
    for (k, v) in map {
        if let (Ok(key), Ok(val)) = (key_string(k, item), to_go(v, v, budget)) {
            out.insert(key, (val, v));
        }
    }
    GoVal::Map(out.finish())
}
