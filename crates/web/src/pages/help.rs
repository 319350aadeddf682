//! Help pages: the rules behind what Concord shows, in plain words. The words live in the message
//! catalogues (`help-*`), kept in step with the rules in `concord_domain::evaluation`.

use askama::Template;
use axum::response::Response;
use axum::routing::get;
use concord_domain::evaluation::Finding;

use super::{PageCtx, ok};
use crate::AppState;
use crate::context::Ctx;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![("/help/status", get(status))]
}

#[derive(Template)]
#[template(path = "help/status.html")]
struct StatusHelpPage {
    c: PageCtx,
    /// The status rules' message keys, in the order the rules are tried.
    rules: &'static [&'static str],
}

impl StatusHelpPage {
    fn findings(&self) -> &'static [Finding] {
        Finding::ALL
    }
}

/// How progress, status and due dates are worked out.
async fn status(ctx: Ctx) -> Response {
    ok(&StatusHelpPage {
        c: PageCtx::new(&ctx, ""),
        rules: &[
            "help-rule-not_started",
            "help-rule-achieved",
            "help-rule-stale",
            "help-rule-target_date_passed",
            "help-rule-trend",
            "help-rule-one-date",
            "help-rule-undefined",
        ],
    })
}
