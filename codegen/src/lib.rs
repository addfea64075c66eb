//! What turns the Administration API's OpenAPI document into the bindings of
//! `camunda-admin`.
//!
//! - [`corrections`]: fixes of the published document's defects, applied to
//!   the JSON before anything reads it. Shared by `camunda-admin`'s build
//!   script and by `cargo xtask check-spec`, so both see the same document.
//! - [`requirements`]: the operations, types and enum values the
//!   hand-written layer uses, and the check of a document against them
//!   (`build.rs` and `cargo xtask update-spec` run it first).
//! - `generate` (feature `generate`): progenitor over the corrected
//!   document, plus what progenitor cannot make (open enums, the public
//!   methods of `camunda_admin::Client`, the operation table). Only the build
//!   script needs it; xtask does not compile progenitor.

pub mod corrections;
pub mod openapi;
pub mod printable;
pub use printable::{printable, Printable};
#[cfg(feature = "generate")]
pub mod generate;
pub mod requirements;
