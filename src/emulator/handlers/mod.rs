//! The operations, one function each, grouped by area, and the handler
//! column of the route table: operation id to function.
//!
//! Each handler runs with the world locked, checks its input (400), the
//! objects it names (404) and their state (409, 412), then changes the
//! world, writes the activity log and builds the answer. Request bodies are
//! decoded into the generated request types and read by field name.

mod activity;
mod backups;
mod clients;
mod clusters;
mod connectivity;
mod context;
mod failover;
mod ip_allowlist;
mod members;
mod monitoring;
mod secrets;

#[cfg(test)]
mod tests;

pub(crate) use context::Ctx;

use super::{answer::Outcome, world::World};

/// One operation.
pub(crate) type Handler = fn(&mut World, &Ctx<'_>) -> Outcome;

/// The handler of each operation id. An operation of the document missing
/// here is served with 501 (see `routes.rs`).
pub(crate) const HANDLERS: &[(&str, Handler)] = &[
    ("GetCsv", activity::get_csv),
    ("GetJson", activity::get_json),
    ("GetMeta", activity::get_meta),
    ("GetParameters", clusters::get_parameters),
    ("GetClusters", clusters::get_clusters),
    ("CreateCluster", clusters::create_cluster),
    ("GetCluster", clusters::get_cluster),
    ("DeleteCluster", clusters::delete_cluster),
    ("UpdateCluster", clusters::update_cluster),
    ("UpgradeCluster", clusters::upgrade_cluster),
    ("Wake", clusters::wake),
    ("UpdateClusterEncryption", clusters::update_encryption),
    ("TriggerFailover", failover::trigger_failover),
    ("GetBackups", backups::get_backups),
    ("CreateBackup", backups::create_backup),
    ("DeleteBackup", backups::delete_backup),
    ("GetSchedule", backups::get_schedule),
    ("UpdateSchedule", backups::update_schedule),
    ("DeleteSchedule", backups::delete_schedule),
    ("GetRestore", backups::get_restore),
    ("RestoreFromBackup", backups::restore_from_backup),
    ("GetClients", clients::get_clients),
    ("CreateClient", clients::create_client),
    ("GetClient", clients::get_client),
    ("DeleteClient", clients::delete_client),
    ("UpdateIpAllowlist", ip_allowlist::update_ip_allowlist),
    ("UpdateIpWhitelist", ip_allowlist::update_ip_whitelist),
    ("ActivateMonitoring", monitoring::activate),
    ("DeactivateMonitoring", monitoring::deactivate),
    ("GetMonitoringClients", monitoring::get_clients),
    ("CreateMonitoringClient", monitoring::create_client),
    ("DeleteMonitoringClient", monitoring::delete_client),
    (
        "RotateMonitoringClientPassword",
        monitoring::rotate_password,
    ),
    ("GetSecrets", secrets::get_secrets),
    ("CreateSecret", secrets::create_secret),
    ("UpdateSecret", secrets::update_secret),
    ("DeleteSecret", secrets::delete_secret),
    ("ActivateSecureConnectivity", connectivity::activate),
    ("GetSecureConnectivityStatus", connectivity::get_status),
    ("DeactivateSecureConnectivity", connectivity::deactivate),
    ("GetMembers", members::get_members),
    ("UpdateMembers", members::update_member),
    ("DeleteMember", members::delete_member),
];

/// The handler of operation `id`, if the emulator has one.
pub(crate) fn handler(id: &str) -> Option<Handler> {
    HANDLERS.iter().find(|(op, _)| *op == id).map(|(_, h)| *h)
}
