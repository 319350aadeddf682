//! Concord's domain: identifiers, value types, validation, the access policy and the audit-chain
//! hashing. Pure code: no I/O, no async, no web or database types, so every rule here is unit-tested
//! directly and shared by the JSON API, the HTML pages and the CLI.

#[macro_use]
mod text_enum;

pub mod audit;
pub mod charter;
pub mod collaboration;
pub mod decision;
pub mod evaluation;
pub mod ids;
pub mod key_result;
pub mod meeting;
pub mod notification;
pub mod objective;
pub mod organisation;
pub mod policy;
pub mod review;
pub mod stakeholder;
pub mod thread;
pub mod user;
pub mod validation;
pub mod webhook;

pub use ids::*;
pub use validation::{FieldError, FieldErrors};
