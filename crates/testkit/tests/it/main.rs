//! Integration tests: a real server on port 0 with its own database, on the engine named by
//! `CONCORD_TEST_ENGINE` (the test script runs this binary once per engine).

mod api;
mod pages;
mod smoke;
