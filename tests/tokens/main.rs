//! Token answers, the disk store in a hostile folder, and fleets of
//! processes sharing one folder or one Redis.

#[path = "../common/mod.rs"]
mod common;
mod fleet_support;

mod answers;
mod fleet_processes;
mod fleet_redis;
mod store_disk;
