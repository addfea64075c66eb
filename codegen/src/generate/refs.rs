//! `$ref`s of the corrected document, followed where the generator reads it:
//! [`crate::openapi::resolve`], the one rule the corrections and xtask use too.

pub(crate) use crate::openapi::resolve;
