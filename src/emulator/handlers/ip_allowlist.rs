//! The IP allowlist of a cluster, under its current and its deprecated
//! (`ipwhitelist`) name.

use super::context::Ctx;
use crate::api::types::{IpAllowListBody, IpAllowlistEntry, IpWhiteListBody};
use crate::emulator::world::World;
use crate::emulator::{
    activity::{AuditType, Entity},
    answer::{Fail, Outcome, Reply},
    validate,
};

/// Entries of an IP allowlist.
const MAX_ALLOWLIST: usize = 100;

pub(super) fn update_ip_allowlist(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let body: IpAllowListBody = ctx.body()?;
    set_allowlist(world, ctx, body.ipallowlist)
}

pub(super) fn update_ip_whitelist(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let body: IpWhiteListBody = ctx.body()?;
    set_allowlist(world, ctx, body.ipwhitelist)
}

fn set_allowlist(world: &mut World, ctx: &Ctx<'_>, entries: Vec<IpAllowlistEntry>) -> Outcome {
    if entries.len() > MAX_ALLOWLIST {
        return Err(Fail::bad_request(format!(
            "an allowlist has at most {MAX_ALLOWLIST} entries"
        )));
    }
    let mut list = Vec::with_capacity(entries.len());
    for entry in entries {
        if !validate::ip_ranges(&entry.ip) {
            return Err(Fail::bad_request(format!(
                "{:?} is not an IP address or CIDR range (or several, separated by commas)",
                entry.ip
            )));
        }
        list.push((entry.ip.trim().to_owned(), entry.description));
    }
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    let show = |l: &[(String, String)]| {
        l.iter()
            .map(|(ip, _)| ip.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let entry = ctx
        .audit(
            AuditType::Update,
            Entity::Cluster,
            &cluster.uuid,
            "Replaced the IP allowlist",
        )
        .attribute(
            "ipallowlist",
            Some(show(&cluster.ipallowlist)),
            Some(show(&list)),
        );
    cluster.ipallowlist = list;
    world.activity.push(entry);
    Ok(Reply::NoContent)
}
