//! Integration tests: a real server on port 0 with its own database, on the engine named by
//! `CONCORD_TEST_ENGINE` (the test script runs this binary once per engine).

// Tests report by panicking: unwrapping in helpers is how they fail loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod audit;
mod charter;
mod dashboard;
mod decisions;
mod key_result_pages;
mod key_results;
mod live;
mod meetings;
mod notifications;
mod objectives;
mod pages;
mod policy;
mod producers;
mod reviews;
mod routes;
mod sessions;
mod smoke;
mod stakeholders;
mod support;
mod threads;
mod webhooks;
