//! The home page: for a signed-in person, the measurements due on the key results they own, the
//! stakeholders they keep who need attention, the follow-ups they own, their collaborations and
//! the invitations waiting for their organisation; for a visitor, what Concord is and the latest public collaborations.

use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use concord_app::action_items;
use concord_app::collaborations::{self, Filter};
use concord_app::key_results;
use concord_app::stakeholders::{self as stakeholders, FlaggedStakeholder, FollowUp};
use concord_domain::collaboration::{Collaboration, Invitation};
use concord_domain::decision::ActionItem;

use super::key_results::KeyResultCard;
use super::{PageCtx, ok, page_error};
use crate::AppState;
use crate::context::Ctx;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![("/", get(home))]
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: PageCtx,
    collaborations: Vec<Collaboration>,
    invitations: Vec<Invitation>,
    /// Key results the signed-in person owns, overdue first.
    due: Vec<KeyResultCard>,
    /// Flags on the stakeholders the signed-in person keeps.
    flags: Vec<FlaggedStakeholder>,
    /// Open follow-ups the signed-in person owns, earliest due first.
    follow_ups: Vec<FollowUp>,
    /// Open action items the signed-in person owns, earliest due first.
    action_items: Vec<ActionItem>,
    /// Success message key after a redirect here (e.g. an invitation declined).
    done: Option<String>,
}

impl HomePage {
    fn stakeholder_name(&self, s: &concord_domain::stakeholder::Stakeholder) -> String {
        s.name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| self.c.t("stakeholder-name-withheld"))
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn home(ctx: Ctx, Query(query): Query<DoneQuery>) -> Response {
    let done = query.done.filter(|d| d == "declined");
    let filter = Filter {
        organisation: ctx.user.as_ref().map(|u| u.actor.organisation_id),
        ..Default::default()
    };
    let result = async {
        let collaborations = collaborations::list(&ctx.app, &ctx.actor, &filter, None, Some(20))
            .await?
            .items;
        let (invitations, flags, follow_ups, action_items) = match ctx.user {
            Some(_) => (
                collaborations::pending_invitations(&ctx.app, &ctx.actor).await?,
                stakeholders::my_flags(&ctx.app, &ctx.actor).await?,
                stakeholders::my_follow_ups(&ctx.app, &ctx.actor).await?,
                action_items::mine(&ctx.app, &ctx.actor).await?,
            ),
            None => (Vec::new(), Vec::new(), Vec::new(), Vec::new()),
        };
        let due = key_results::due_for(&ctx.app, &ctx.actor)
            .await?
            .iter()
            .map(|summary| KeyResultCard::from_summary(ctx.lang, summary))
            .collect();
        Ok::<_, concord_app::AppError>((
            collaborations,
            invitations,
            due,
            flags,
            follow_ups,
            action_items,
        ))
    }
    .await;
    match result {
        Ok((collaborations, invitations, due, flags, follow_ups, action_items)) => ok(&HomePage {
            c: PageCtx::new(&ctx, "home"),
            collaborations,
            invitations,
            due,
            flags,
            follow_ups,
            action_items,
            done,
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}
