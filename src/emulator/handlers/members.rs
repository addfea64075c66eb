//! Members of the organization: invite, change roles, remove; the owner
//! stays as they are.

use serde_json::Value;

use super::context::Ctx;
use crate::api::types::PostMemberBody;
use crate::emulator::world::World;
use crate::emulator::{
    activity::{Audit, AuditType, Entity},
    answer::{Fail, Outcome, Reply},
    records::Member,
    validate,
};

/// The organization roles the API can assign, in its order.
const ASSIGNABLE_ROLES: [&str; 7] = [
    "admin",
    "operationsengineer",
    "taskuser",
    "analyst",
    "developer",
    "visitor",
    "modeler",
];

pub(super) fn get_members(world: &mut World, _: &Ctx<'_>) -> Outcome {
    let members = world.members.iter().map(Member::render);
    Ok(Reply::Json(Value::Array(members.collect())))
}

/// `{email}`, trimmed and lower case.
fn email(ctx: &Ctx<'_>) -> String {
    ctx.param(0).trim().to_ascii_lowercase()
}

/// The roles asked for, assignable ones only, in the API's order.
fn roles(asked: Vec<String>) -> Result<Vec<String>, Fail> {
    if asked.is_empty() {
        return Err(Fail::bad_request("orgRoles must name at least one role"));
    }
    if let Some(bad) = asked
        .iter()
        .find(|r| !ASSIGNABLE_ROLES.contains(&r.as_str()))
    {
        return Err(Fail::bad_request(format!(
            "{bad:?} cannot be assigned; use {}",
            ASSIGNABLE_ROLES.join(", ")
        )));
    }
    let mut roles = asked;
    roles.sort_by_key(|r| ASSIGNABLE_ROLES.iter().position(|k| k == r));
    roles.dedup();
    Ok(roles)
}

pub(super) fn update_member(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let email = email(ctx);
    if !validate::email(&email) {
        return Err(Fail::bad_request(format!(
            "{email:?} is not an email address"
        )));
    }
    let body: PostMemberBody = ctx.body()?;
    let roles = roles(
        body.org_roles
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
    )?;
    let entry = match world.members.iter_mut().find(|m| m.email == email) {
        Some(member) if member.is_owner() => {
            return Err(Fail::forbidden(
                "the roles of the organization's owner cannot be changed",
            ));
        }
        Some(member) => {
            let old = std::mem::replace(&mut member.roles, roles.clone());
            let text = format!("Changed the roles of {email}");
            ctx.audit(AuditType::Update, Entity::Member, &email, text)
                .attribute("roles", Some(old.join(",")), Some(roles.join(",")))
        }
        None => invite(world, ctx, &email, roles),
    };
    world.activity.push(entry);
    Ok(Reply::NoContent)
}

/// Add an invitee with `roles`; the log entry that says so.
fn invite(world: &mut World, ctx: &Ctx<'_>, email: &str, roles: Vec<String>) -> Audit {
    let entry = ctx
        .audit(
            AuditType::Create,
            Entity::Member,
            email,
            format!("Invited {email}"),
        )
        .attribute("roles", None, Some(roles.join(",")));
    world.members.push(Member {
        email: email.to_owned(),
        name: email.split('@').next().unwrap_or_default().to_owned(),
        roles,
        invite_pending: true,
    });
    entry
}

pub(super) fn delete_member(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let email = email(ctx);
    let index = world
        .members
        .iter()
        .position(|m| m.email == email)
        .ok_or_else(|| Fail::not_found(format!("{email:?} is not in the organization")))?;
    if world.members.get(index).is_some_and(Member::is_owner) {
        return Err(Fail::forbidden(
            "the organization's owner cannot be removed",
        ));
    }
    world.members.remove(index);
    let text = format!("Removed {email}");
    world
        .activity
        .push(ctx.audit(AuditType::Delete, Entity::Member, &email, text));
    Ok(Reply::NoContent)
}
