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
use crate::OperationId;

/// One operation.
pub(crate) type Handler = fn(&mut World, &Ctx<'_>) -> Outcome;

/// The handler of operation `id`, if the emulator has one; an operation
/// of the document without one (say, one new in a newer document) is
/// served with 501 (see `routes.rs`).
pub(crate) fn handler(id: OperationId) -> Option<Handler> {
    let handler: Handler = match id {
        OperationId::GetCsv => activity::get_csv,
        OperationId::GetJson => activity::get_json,
        OperationId::GetMeta => activity::get_meta,
        OperationId::GetParameters => clusters::get_parameters,
        OperationId::GetClusters => clusters::get_clusters,
        OperationId::CreateCluster => clusters::create_cluster,
        OperationId::GetCluster => clusters::get_cluster,
        OperationId::DeleteCluster => clusters::delete_cluster,
        OperationId::UpdateCluster => clusters::update_cluster,
        OperationId::UpgradeCluster => clusters::upgrade_cluster,
        OperationId::Wake => clusters::wake,
        OperationId::UpdateClusterEncryption => clusters::update_encryption,
        OperationId::TriggerFailover => failover::trigger_failover,
        OperationId::GetBackups => backups::get_backups,
        OperationId::CreateBackup => backups::create_backup,
        OperationId::DeleteBackup => backups::delete_backup,
        OperationId::GetSchedule => backups::get_schedule,
        OperationId::UpdateSchedule => backups::update_schedule,
        OperationId::DeleteSchedule => backups::delete_schedule,
        OperationId::GetRestore => backups::get_restore,
        OperationId::RestoreFromBackup => backups::restore_from_backup,
        OperationId::GetClients => clients::get_clients,
        OperationId::CreateClient => clients::create_client,
        OperationId::GetClient => clients::get_client,
        OperationId::DeleteClient => clients::delete_client,
        OperationId::UpdateIpAllowlist => ip_allowlist::update_ip_allowlist,
        OperationId::UpdateIpWhitelist => ip_allowlist::update_ip_whitelist,
        OperationId::ActivateMonitoring => monitoring::activate,
        OperationId::DeactivateMonitoring => monitoring::deactivate,
        OperationId::GetMonitoringClients => monitoring::get_clients,
        OperationId::CreateMonitoringClient => monitoring::create_client,
        OperationId::DeleteMonitoringClient => monitoring::delete_client,
        OperationId::RotateMonitoringClientPassword => monitoring::rotate_password,
        OperationId::GetSecrets => secrets::get_secrets,
        OperationId::CreateSecret => secrets::create_secret,
        OperationId::UpdateSecret => secrets::update_secret,
        OperationId::DeleteSecret => secrets::delete_secret,
        OperationId::ActivateSecureConnectivity => connectivity::activate,
        OperationId::GetSecureConnectivityStatus => connectivity::get_status,
        OperationId::DeactivateSecureConnectivity => connectivity::deactivate,
        OperationId::GetMembers => members::get_members,
        OperationId::UpdateMembers => members::update_member,
        OperationId::DeleteMember => members::delete_member,
        // An operation new in a newer document: 501 until it has a handler.
        #[allow(unreachable_patterns)]
        _ => return None,
    };
    Some(handler)
}
