//! The emulated world: the organization's clusters, members and activity
//! log, and the generator of their ids. Handlers change it; the token book
//! and the faults live apart (see `server.rs`).

use super::{
    activity::Audit,
    answer::Fail,
    ids::Ids,
    records::{Cluster, Member, Phase, SUSPENDED},
};

/// Everything the operations change.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) ids: Ids,
    pub(crate) clusters: Clusters,
    pub(crate) members: Vec<Member>,
    pub(crate) activity: Vec<Audit>,
}

impl World {
    /// An organization with an owner and an admin, and no clusters.
    pub(crate) fn new() -> Self {
        let member = |email: &str, name: &str, role: &str| Member {
            email: email.into(),
            name: name.into(),
            roles: vec![role.into()],
            invite_pending: false,
        };
        Self {
            ids: Ids::from_entropy(),
            clusters: Clusters(Vec::new()),
            members: vec![
                member("owner@example.com", "Olivia Owner", "owner"),
                member("admin@example.com", "Adam Admin", "admin"),
            ],
            activity: Vec::new(),
        }
    }

    /// Put a cluster in the `Suspended` state; `false` if there is none.
    pub(crate) fn suspend_cluster(&mut self, id: &str) -> bool {
        match self.clusters.get_mut(id) {
            Ok(cluster) => {
                cluster.phase = Phase::lasting(SUSPENDED);
                true
            }
            Err(_) => false,
        }
    }
}

/// The clusters, in the order they were created; lookups answer 404.
#[derive(Debug)]
pub(crate) struct Clusters(Vec<Cluster>);

impl Clusters {
    /// These clusters, in this order.
    pub(crate) fn of(clusters: Vec<Cluster>) -> Self {
        Self(clusters)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Cluster> {
        self.0.iter()
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Cluster> {
        self.0.iter_mut()
    }

    pub(crate) fn push(&mut self, cluster: Cluster) {
        self.0.push(cluster);
    }

    pub(crate) fn get(&self, id: &str) -> Result<&Cluster, Fail> {
        self.0
            .iter()
            .find(|c| c.uuid == id)
            .ok_or_else(|| no_cluster(id))
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Result<&mut Cluster, Fail> {
        self.0
            .iter_mut()
            .find(|c| c.uuid == id)
            .ok_or_else(|| no_cluster(id))
    }

    pub(crate) fn remove(&mut self, id: &str) -> Result<Cluster, Fail> {
        let index = self
            .0
            .iter()
            .position(|c| c.uuid == id)
            .ok_or_else(|| no_cluster(id))?;
        Ok(self.0.remove(index))
    }
}

fn no_cluster(id: &str) -> Fail {
    Fail::not_found(format!("no cluster {id:?}"))
}
