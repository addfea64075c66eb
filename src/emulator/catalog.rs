//! What `/clusters/parameters` offers and `CreateCluster` accepts: channels
//! with their generations, plan types, and regions with their backup regions.

use serde_json::{json, Value};

/// A Camunda version a cluster can run.
#[derive(Debug)]
pub(crate) struct Generation {
    pub(crate) uuid: &'static str,
    pub(crate) name: &'static str,
}

/// A software channel: the generations it offers, oldest first.
#[derive(Debug)]
pub(crate) struct Channel {
    pub(crate) uuid: &'static str,
    pub(crate) name: &'static str,
    pub(crate) generations: &'static [&'static Generation],
    pub(crate) default: &'static Generation,
}

/// A hardware plan.
#[derive(Debug)]
pub(crate) struct PlanType {
    pub(crate) uuid: &'static str,
    pub(crate) name: &'static str,
}

/// A region clusters run in.
#[derive(Debug)]
pub(crate) struct Region {
    pub(crate) uuid: &'static str,
    pub(crate) name: &'static str,
    pub(crate) provider: &'static str,
    /// The cloud's own region name, such as `europe-west1`.
    pub(crate) cloud_region: &'static str,
    /// The short key in component URLs, such as `bru-2`.
    pub(crate) key: &'static str,
    /// The regions that may hold this region's backups (dual-region).
    pub(crate) backup_regions: &'static [&'static str],
}

pub(crate) static G86: Generation = Generation {
    uuid: "1c7d3a51-86e5-4e22-9a87-8a6f1b6e8601",
    name: "Camunda 8.6.21",
};
pub(crate) static G87: Generation = Generation {
    uuid: "2b4c9e02-87f3-4d6a-8f11-5c2a7d9e8702",
    name: "Camunda 8.7.14",
};
pub(crate) static G88: Generation = Generation {
    uuid: "3e9a1f63-88a4-4b9c-b2d5-7f1e3c6a8803",
    name: "Camunda 8.8.2",
};
pub(crate) static G89A: Generation = Generation {
    uuid: "4f0b2a74-89b5-4cad-93e6-0a2f4d7b8904",
    name: "Camunda 8.9.0-alpha2",
};

pub(crate) static CHANNELS: &[Channel] = &[
    Channel {
        uuid: "6bdb6c1f-0b5c-4a4a-9a5e-1c2d3e4f5a01",
        name: "Stable",
        generations: &[&G86, &G87, &G88],
        default: &G88,
    },
    Channel {
        uuid: "7cec7d20-1c6d-4b5b-8b6f-2d3e4f5a6b02",
        name: "Alpha",
        generations: &[&G89A],
        default: &G89A,
    },
];

pub(crate) static PLAN_TYPES: &[PlanType] = &[
    PlanType {
        uuid: "a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01",
        name: "Basic",
    },
    PlanType {
        uuid: "a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02",
        name: "Standard",
    },
    PlanType {
        uuid: "a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a03",
        name: "Advanced",
    },
];

const BRU: &str = "b0e1f2a3-0001-4c5d-9e6f-7a8b9c0d1e01";
const LHR: &str = "b0e1f2a3-0002-4c5d-9e6f-7a8b9c0d1e02";
const DSM: &str = "b0e1f2a3-0003-4c5d-9e6f-7a8b9c0d1e03";
const FRA: &str = "b0e1f2a3-0004-4c5d-9e6f-7a8b9c0d1e04";
const IAD: &str = "b0e1f2a3-0005-4c5d-9e6f-7a8b9c0d1e05";

pub(crate) static REGIONS: &[Region] = &[
    Region {
        uuid: BRU,
        name: "Belgium, Europe (europe-west1)",
        provider: "gcp",
        cloud_region: "europe-west1",
        key: "bru-2",
        backup_regions: &[LHR],
    },
    Region {
        uuid: LHR,
        name: "London, Europe (europe-west2)",
        provider: "gcp",
        cloud_region: "europe-west2",
        key: "lhr-1",
        backup_regions: &[BRU],
    },
    Region {
        uuid: DSM,
        name: "Iowa, North America (us-central1)",
        provider: "gcp",
        cloud_region: "us-central1",
        key: "dsm-1",
        backup_regions: &[],
    },
    Region {
        uuid: FRA,
        name: "Frankfurt, Europe (eu-central-1)",
        provider: "aws",
        cloud_region: "eu-central-1",
        key: "fra-1",
        backup_regions: &[IAD],
    },
    Region {
        uuid: IAD,
        name: "Virginia, North America (us-east-1)",
        provider: "aws",
        cloud_region: "us-east-1",
        key: "iad-1",
        backup_regions: &[FRA],
    },
];

pub(crate) fn channel(id: &str) -> Option<&'static Channel> {
    CHANNELS.iter().find(|c| c.uuid == id)
}

pub(crate) fn plan_type(id: &str) -> Option<&'static PlanType> {
    PLAN_TYPES.iter().find(|p| p.uuid == id)
}

pub(crate) fn region(id: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.uuid == id)
}

/// The `Parameters` document.
pub(crate) fn parameters() -> Value {
    let channels: Vec<Value> = CHANNELS
        .iter()
        .map(|c| {
            json!({
                "uuid": c.uuid,
                "name": c.name,
                "defaultGeneration": { "uuid": c.default.uuid, "name": c.default.name },
                "allowedGenerations": c.generations.iter().map(|g| json!({
                    "uuid": g.uuid,
                    "name": g.name,
                    "classification": "channel",
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let plans: Vec<Value> = PLAN_TYPES
        .iter()
        .map(|p| json!({ "uuid": p.uuid, "name": p.name }))
        .collect();
    let regions: Vec<Value> = REGIONS
        .iter()
        .map(|r| {
            let mut region = json!({ "uuid": r.uuid, "name": r.name, "provider": r.provider });
            if !r.backup_regions.is_empty() {
                region["backups"] = json!([{
                    "uuid": format!("{}-backups", r.key),
                    "regions": r.backup_regions.iter().filter_map(|id| region_label(id)).collect::<Vec<_>>(),
                }]);
            }
            region
        })
        .collect();
    json!({ "channels": channels, "clusterPlanTypes": plans, "regions": regions })
}

fn region_label(id: &str) -> Option<Value> {
    region(id).map(|r| json!({ "id": r.uuid, "label": r.name }))
}
