//! The activity log and the organization-wide reads.

use serde_json::{json, Value};

use super::context::Ctx;
use crate::emulator::world::World;
use crate::emulator::{
    activity::activity_csv,
    answer::{Outcome, Reply},
};

pub(super) fn get_csv(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    Ok(Reply::Csv(activity_csv(&world.activity, ctx.org())))
}

pub(super) fn get_json(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let entries = world.activity.iter().map(|a| a.render(ctx.org()));
    Ok(Reply::Json(Value::Array(entries.collect())))
}

/// The IP ranges Camunda's services connect from (documentation ranges).
pub(super) fn get_meta(_: &mut World, _: &Ctx<'_>) -> Outcome {
    Ok(Reply::Json(json!({
        "web-modeler": ["192.0.2.10/32", "198.51.100.16/28"],
    })))
}
