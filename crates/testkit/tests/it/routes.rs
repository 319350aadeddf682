//! Route coverage: every API operation (from the generated OpenAPI document) and every page route
//! (from `concord_web::pages::routes()`) must have a probe in [`table`], the one place that says what
//! an outsider and an anonymous visitor get when they aim it at a confidential collaboration or at
//! someone else's account, token or organisation. The test fails for a route with no probe and for
//! a probe whose route is gone, and checks every probe's answer: 404, 401, 403 or a redirect to
//! sign in; where 200 is right (public directory, the caller's own things) nothing confidential
//! may be in the body; and no refused request may write to the audit log.

use std::collections::BTreeSet;

use anyhow::{Context, Result, ensure};
use concord_testkit::{Browser, TestApp, audit_head, reqwest};
use serde_json::{Value, json};

/// What a probe must answer.
#[derive(Clone, Copy, Debug)]
enum Outcome {
    /// Exactly this status.
    Status(u16),
    /// 303 to the sign-in page.
    SignIn,
    /// 303 to exactly this location.
    SeeOther(&'static str),
    /// 200: public information or the caller's own (and, like every answer, nothing confidential).
    Open,
}

use Outcome::{Open, SeeOther, SignIn, Status};

/// Ids of the demo things the probes aim at.
struct World {
    /// "Hospital Transfer Logistics": confidential; Health leads, Transport is a partner.
    hospital: String,
    health: String,
    transport: String,
    alice: String,
    bob: String,
    /// A token of Alice's.
    alice_token: String,
    /// An objective of the hospital collaboration.
    objective: String,
    /// A key result under that objective.
    key_result: String,
    /// A review of the hospital collaboration.
    review: String,
    /// A stakeholder (a person) in the hospital collaboration's register.
    stakeholder: String,
    /// An engagement with that stakeholder.
    engagement: String,
    /// A discussion thread Alice started in the hospital collaboration (through the API).
    thread: String,
    /// The first message of that thread.
    message: String,
    /// A meeting Alice scheduled in the hospital collaboration, and an item of its agenda.
    meeting: String,
    agenda_item: String,
    /// A decision Alice recorded in the hospital collaboration (visibility: the collaboration's).
    decision: String,
    /// An action item of that decision.
    action_item: String,
    /// One of Alice's notifications (the demo invites her organisation).
    notification: String,
    /// A webhook endpoint of the hospital collaboration (Alice coordinates it).
    webhook: String,
    /// A (test) delivery to that endpoint.
    delivery: String,
}

type Make<T> = fn(&World) -> T;

struct Probe {
    method: &'static str,
    /// The route as the router declares it.
    route: &'static str,
    /// The concrete address to request (may add a query string).
    path: Make<String>,
    /// A JSON object: sent as JSON to the API and as a form (with the CSRF token) to pages.
    body: Make<Value>,
    anonymous: Outcome,
    outsider: Outcome,
}

fn none(_: &World) -> Value {
    Value::Null
}

fn key_result_body(_: &World) -> Value {
    json!({"name": "Taken over", "unit": "h", "direction": "increase", "baseline_value": "1", "baseline_date": "2026-01-01"})
}

fn objective_body(_: &World) -> Value {
    json!({"title": "Taken over", "status": "active"})
}

fn review_body(_: &World) -> Value {
    json!({"held_on": "2026-01-20", "summary": "Taken over"})
}

fn charter_body(_: &World) -> Value {
    json!({"body": "# Taken over"})
}

fn schedule_body(_: &World) -> Value {
    json!({"cadence": "monthly", "next_due": "2027-01-01"})
}

fn collaboration_body(_: &World) -> Value {
    json!({"title": "Taken over", "summary": "Not yours to change.", "visibility": "public",
           "status": "active"})
}

fn organisation_body(_: &World) -> Value {
    json!({"name": "Ministry of Nothing", "kind": "ministry"})
}

fn account_body(w: &World) -> Value {
    json!({"email": "mole@health.example", "display_name": "Mole", "password": "a long enough password",
           "organisation_id": w.health, "org_role": "member"})
}

fn stakeholder_body(_: &World) -> Value {
    json!({"name": "Taken over", "kind": "group", "influence": 5, "interest": 5})
}

fn engagement_body(w: &World) -> Value {
    json!({"engaged_on": "2026-01-20", "channel": "call", "summary": "Taken over",
           "stakeholder_ids": [w.stakeholder]})
}

fn thread_body(w: &World) -> Value {
    json!({"title": "Taken over", "audience": [w.health], "body": "Not yours to start."})
}

fn decision_body(w: &World) -> Value {
    json!({"title": "Taken over", "decided": "Taken over", "decided_by": [w.alice], "decided_on": "2026-01-20",
           "visibility": "public"})
}

fn action_item_body(w: &World) -> Value {
    json!({"title": "Taken over", "owner_id": w.alice, "due_on": "2027-01-20"})
}

fn webhook_body(_: &World) -> Value {
    json!({"url": "https://localhost/taken-over", "event_kinds": ["message"]})
}

fn message_body(_: &World) -> Value {
    json!({"body": "Taken over"})
}

fn meeting_body(_: &World) -> Value {
    json!({"title": "Taken over", "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00",
           "time_zone": "UTC"})
}

fn agenda_item_body(_: &World) -> Value {
    json!({"title": "Taken over", "duration_minutes": 10})
}

const fn probe(
    method: &'static str,
    route: &'static str,
    path: Make<String>,
    body: Make<Value>,
    anonymous: Outcome,
    outsider: Outcome,
) -> Probe {
    Probe {
        method,
        route,
        path,
        body,
        anonymous,
        outsider,
    }
}

/// THE table: one probe per (method, route). The outsider is Carol, admin of the City of Riverton,
/// which is no member of the hospital collaboration. (Kept as a table, one probe per entry.)
#[rustfmt::skip]
fn table() -> Vec<Probe> {
    vec![
        // ---- API: objectives
        probe("GET", "/api/v1/collaborations/{id}/objectives",
            |w| format!("/api/v1/collaborations/{}/objectives", w.hospital), none, Status(404), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/objectives",
            |w| format!("/api/v1/collaborations/{}/objectives", w.hospital), objective_body, Status(404), Status(404)),
        probe("GET", "/api/v1/objectives/{id}", |w| format!("/api/v1/objectives/{}", w.objective), none,
            Status(404), Status(404)),
        probe("PUT", "/api/v1/objectives/{id}", |w| format!("/api/v1/objectives/{}", w.objective), objective_body,
            Status(404), Status(404)),
        probe("POST", "/api/v1/objectives/{id}/move", |w| format!("/api/v1/objectives/{}/move", w.objective),
            |_| json!({"direction": "up"}), Status(404), Status(404)),
        // ---- API: key results and measurements
        probe("GET", "/api/v1/objectives/{id}/key-results",
            |w| format!("/api/v1/objectives/{}/key-results", w.objective), none, Status(404), Status(404)),
        probe("POST", "/api/v1/objectives/{id}/key-results",
            |w| format!("/api/v1/objectives/{}/key-results", w.objective), key_result_body, Status(404), Status(404)),
        probe("GET", "/api/v1/key-results/{id}", |w| format!("/api/v1/key-results/{}", w.key_result), none,
            Status(404), Status(404)),
        probe("PUT", "/api/v1/key-results/{id}", |w| format!("/api/v1/key-results/{}", w.key_result), key_result_body,
            Status(404), Status(404)),
        probe("POST", "/api/v1/key-results/{id}/measurements",
            |w| format!("/api/v1/key-results/{}/measurements", w.key_result),
            |_| json!({"value": "3", "date": "2026-02-01"}), Status(404), Status(404)),
        // A JSON body is the wrong media type: refused before anything is looked up.
        probe("POST", "/api/v1/collaborations/{id}/measurements/import",
            |w| format!("/api/v1/collaborations/{}/measurements/import", w.hospital), none, Status(415), Status(415)),
        // ---- API: dashboards, portfolios and exports (the portfolio lists only what the caller may read)
        probe("GET", "/api/v1/collaborations/{id}/dashboard",
            |w| format!("/api/v1/collaborations/{}/dashboard", w.hospital), none, Status(404), Status(404)),
        probe("GET", "/api/v1/collaborations/{id}/export/{file}",
            |w| format!("/api/v1/collaborations/{}/export/measurements.csv", w.hospital), none, Status(404), Status(404)),
        probe("GET", "/api/v1/organisations/{id}/portfolio",
            |w| format!("/api/v1/organisations/{}/portfolio", w.health), none, Open, Open),
        // ---- API: stakeholders, engagements, RACI and personal data
        probe("GET", "/api/v1/collaborations/{id}/stakeholders",
            |w| format!("/api/v1/collaborations/{}/stakeholders?kind=person&sort=influence&order=desc", w.hospital),
            none, Status(404), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/stakeholders",
            |w| format!("/api/v1/collaborations/{}/stakeholders", w.hospital), stakeholder_body,
            Status(404), Status(404)),
        probe("GET", "/api/v1/stakeholders/{id}", |w| format!("/api/v1/stakeholders/{}", w.stakeholder), none,
            Status(404), Status(404)),
        probe("PUT", "/api/v1/stakeholders/{id}", |w| format!("/api/v1/stakeholders/{}", w.stakeholder),
            stakeholder_body, Status(404), Status(404)),
        probe("DELETE", "/api/v1/stakeholders/{id}", |w| format!("/api/v1/stakeholders/{}", w.stakeholder), none,
            Status(404), Status(404)),
        probe("GET", "/api/v1/collaborations/{id}/stakeholders/flags",
            |w| format!("/api/v1/collaborations/{}/stakeholders/flags", w.hospital), none, Status(404), Status(404)),
        probe("GET", "/api/v1/collaborations/{id}/stakeholders/export/{file}",
            |w| format!("/api/v1/collaborations/{}/stakeholders/export/stakeholders.csv", w.hospital), none,
            Status(404), Status(404)),
        // A JSON body is the wrong media type: refused before anything is looked up.
        probe("POST", "/api/v1/collaborations/{id}/stakeholders/import",
            |w| format!("/api/v1/collaborations/{}/stakeholders/import", w.hospital), none, Status(415), Status(415)),
        probe("PUT", "/api/v1/collaborations/{id}/stakeholder-settings",
            |w| format!("/api/v1/collaborations/{}/stakeholder-settings", w.hospital),
            |_| json!({"early_window_days": 7}), Status(404), Status(404)),
        probe("GET", "/api/v1/collaborations/{id}/engagements",
            |w| format!("/api/v1/collaborations/{}/engagements?stakeholder={}", w.hospital, w.stakeholder), none,
            Status(404), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/engagements",
            |w| format!("/api/v1/collaborations/{}/engagements", w.hospital), engagement_body,
            Status(404), Status(404)),
        probe("GET", "/api/v1/engagements/{id}", |w| format!("/api/v1/engagements/{}", w.engagement), none,
            Status(404), Status(404)),
        probe("DELETE", "/api/v1/engagements/{id}", |w| format!("/api/v1/engagements/{}", w.engagement), none,
            Status(404), Status(404)),
        probe("PUT", "/api/v1/engagements/{id}/follow-up",
            |w| format!("/api/v1/engagements/{}/follow-up", w.engagement), |_| json!({"done": true}),
            Status(404), Status(404)),
        probe("GET", "/api/v1/collaborations/{id}/raci",
            |w| format!("/api/v1/collaborations/{}/raci", w.hospital), none, Status(404), Status(404)),
        probe("PUT", "/api/v1/collaborations/{id}/raci",
            |w| format!("/api/v1/collaborations/{}/raci", w.hospital),
            |w| json!({"objective_id": w.objective, "party": format!("stakeholder:{}", w.stakeholder), "role": "A"}),
            Status(404), Status(404)),
        probe("GET", "/api/v1/stakeholders/{id}/personal-data",
            |w| format!("/api/v1/stakeholders/{}/personal-data", w.stakeholder), none, Status(404), Status(404)),
        probe("POST", "/api/v1/stakeholders/{id}/erase",
            |w| format!("/api/v1/stakeholders/{}/erase", w.stakeholder), none, Status(404), Status(404)),
        // The caller's own flags and follow-ups (none for the City's admin).
        probe("GET", "/api/v1/me/stakeholder-flags", |_| "/api/v1/me/stakeholder-flags".into(), none,
            Status(401), Open),
        probe("GET", "/api/v1/me/follow-ups", |_| "/api/v1/me/follow-ups".into(), none, Status(401), Open),
        // ---- API: meetings
        probe("GET", "/api/v1/collaborations/{id}/meetings",
            |w| format!("/api/v1/collaborations/{}/meetings", w.hospital), none, Status(404), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/meetings",
            |w| format!("/api/v1/collaborations/{}/meetings", w.hospital), meeting_body, Status(404), Status(404)),
        probe("GET", "/api/v1/meetings/{id}", |w| format!("/api/v1/meetings/{}", w.meeting), none,
            Status(404), Status(404)),
        probe("GET", "/api/v1/meetings/{id}/outcomes", |w| format!("/api/v1/meetings/{}/outcomes", w.meeting),
            none, Status(404), Status(404)),
        probe("PUT", "/api/v1/meetings/{id}", |w| format!("/api/v1/meetings/{}", w.meeting), meeting_body,
            Status(404), Status(404)),
        probe("POST", "/api/v1/meetings/{id}/cancel", |w| format!("/api/v1/meetings/{}/cancel", w.meeting),
            none, Status(404), Status(404)),
        probe("POST", "/api/v1/meetings/{id}/agenda-items",
            |w| format!("/api/v1/meetings/{}/agenda-items", w.meeting), agenda_item_body, Status(404), Status(404)),
        probe("PUT", "/api/v1/agenda-items/{id}", |w| format!("/api/v1/agenda-items/{}", w.agenda_item),
            agenda_item_body, Status(404), Status(404)),
        probe("DELETE", "/api/v1/agenda-items/{id}", |w| format!("/api/v1/agenda-items/{}", w.agenda_item),
            none, Status(404), Status(404)),
        probe("POST", "/api/v1/agenda-items/{id}/move",
            |w| format!("/api/v1/agenda-items/{}/move", w.agenda_item), |_| json!({"direction": "down"}),
            Status(404), Status(404)),
        probe("PUT", "/api/v1/agenda-items/{id}/minutes",
            |w| format!("/api/v1/agenda-items/{}/minutes", w.agenda_item), |_| json!({"minutes": "Taken over"}),
            Status(404), Status(404)),
        probe("POST", "/api/v1/meetings/{id}/attendees",
            |w| format!("/api/v1/meetings/{}/attendees", w.meeting), |w| json!({"user_id": w.bob}),
            Status(404), Status(404)),
        probe("DELETE", "/api/v1/meetings/{id}/attendees/{user_id}",
            |w| format!("/api/v1/meetings/{}/attendees/{}", w.meeting, w.alice), none, Status(404), Status(404)),
        probe("PUT", "/api/v1/meetings/{id}/rsvp", |w| format!("/api/v1/meetings/{}/rsvp", w.meeting),
            |_| json!({"response": "yes"}), Status(404), Status(404)),
        // ---- API: decisions and action items
        probe("GET", "/api/v1/collaborations/{id}/decisions",
            |w| format!("/api/v1/collaborations/{}/decisions?limit=100", w.hospital), none, Status(404), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/decisions",
            |w| format!("/api/v1/collaborations/{}/decisions", w.hospital), decision_body, Status(404), Status(404)),
        probe("GET", "/api/v1/decisions", |_| "/api/v1/decisions?limit=100".into(), none, Open, Open),
        probe("GET", "/api/v1/decisions/{id}", |w| format!("/api/v1/decisions/{}", w.decision), none,
            Status(404), Status(404)),
        probe("PUT", "/api/v1/decisions/{id}", |w| format!("/api/v1/decisions/{}", w.decision), decision_body,
            Status(404), Status(404)),
        probe("GET", "/api/v1/collaborations/{id}/action-items",
            |w| format!("/api/v1/collaborations/{}/action-items?limit=100", w.hospital), none, Status(404), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/action-items",
            |w| format!("/api/v1/collaborations/{}/action-items", w.hospital), action_item_body, Status(404), Status(404)),
        probe("GET", "/api/v1/me/action-items", |_| "/api/v1/me/action-items".into(), none, Status(401), Open),
        probe("GET", "/api/v1/action-items/{id}", |w| format!("/api/v1/action-items/{}", w.action_item), none,
            Status(404), Status(404)),
        probe("PUT", "/api/v1/action-items/{id}", |w| format!("/api/v1/action-items/{}", w.action_item),
            action_item_body, Status(404), Status(404)),
        probe("POST", "/api/v1/action-items/{id}/status", |w| format!("/api/v1/action-items/{}/status", w.action_item),
            |_| json!({"status": "cancelled"}), Status(404), Status(404)),
        // ---- API: webhooks (coordinators only; 404 to everyone else)
        probe("GET", "/api/v1/collaborations/{id}/webhooks",
            |w| format!("/api/v1/collaborations/{}/webhooks", w.hospital), none, Status(404), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/webhooks",
            |w| format!("/api/v1/collaborations/{}/webhooks", w.hospital), webhook_body, Status(404), Status(404)),
        probe("GET", "/api/v1/webhooks/{id}", |w| format!("/api/v1/webhooks/{}", w.webhook), none,
            Status(404), Status(404)),
        probe("PUT", "/api/v1/webhooks/{id}", |w| format!("/api/v1/webhooks/{}", w.webhook), webhook_body,
            Status(404), Status(404)),
        probe("DELETE", "/api/v1/webhooks/{id}", |w| format!("/api/v1/webhooks/{}", w.webhook), none,
            Status(404), Status(404)),
        probe("POST", "/api/v1/webhooks/{id}/rotate-secret",
            |w| format!("/api/v1/webhooks/{}/rotate-secret", w.webhook), none, Status(404), Status(404)),
        probe("POST", "/api/v1/webhooks/{id}/test", |w| format!("/api/v1/webhooks/{}/test", w.webhook),
            none, Status(404), Status(404)),
        probe("GET", "/api/v1/webhooks/{id}/deliveries",
            |w| format!("/api/v1/webhooks/{}/deliveries", w.webhook), none, Status(404), Status(404)),
        probe("GET", "/api/v1/webhooks/{id}/deliveries/{delivery_id}",
            |w| format!("/api/v1/webhooks/{}/deliveries/{}", w.webhook, w.delivery), none,
            Status(404), Status(404)),
        // ---- API: discussion threads and messages
        probe("GET", "/api/v1/collaborations/{id}/threads",
            |w| format!("/api/v1/collaborations/{}/threads?limit=100", w.hospital), none, Status(404), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/threads",
            |w| format!("/api/v1/collaborations/{}/threads", w.hospital), thread_body, Status(404), Status(404)),
        probe("GET", "/api/v1/threads/{id}", |w| format!("/api/v1/threads/{}", w.thread), none,
            Status(404), Status(404)),
        probe("GET", "/api/v1/threads/{id}/messages",
            |w| format!("/api/v1/threads/{}/messages", w.thread), none, Status(404), Status(404)),
        probe("POST", "/api/v1/threads/{id}/messages",
            |w| format!("/api/v1/threads/{}/messages", w.thread), message_body, Status(404), Status(404)),
        probe("PUT", "/api/v1/messages/{id}", |w| format!("/api/v1/messages/{}", w.message), message_body,
            Status(404), Status(404)),
        probe("GET", "/api/v1/messages/{id}/versions",
            |w| format!("/api/v1/messages/{}/versions", w.message), none, Status(404), Status(404)),
        probe("GET", "/api/v1/threads/{id}/events",
            |w| format!("/api/v1/threads/{}/events", w.thread), none, Status(404), Status(404)),
        // ---- Pages: dashboards and portfolios
        probe("GET", "/collaborations/{id}/dashboard", |w| format!("/collaborations/{}/dashboard", w.hospital),
            none, Status(404), Status(404)),
        probe("GET", "/organisations/{id}/portfolio", |w| format!("/organisations/{}/portfolio", w.health),
            none, Open, Open),
        // ---- API: reviews
        probe("GET", "/api/v1/collaborations/{id}/reviews",
            |w| format!("/api/v1/collaborations/{}/reviews", w.hospital), none, Status(404), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/reviews",
            |w| format!("/api/v1/collaborations/{}/reviews", w.hospital), review_body, Status(404), Status(404)),
        probe("GET", "/api/v1/reviews/{id}", |w| format!("/api/v1/reviews/{}", w.review), none,
            Status(404), Status(404)),
        probe("GET", "/api/v1/collaborations/{id}/review-schedule",
            |w| format!("/api/v1/collaborations/{}/review-schedule", w.hospital), none, Status(404), Status(404)),
        probe("PUT", "/api/v1/collaborations/{id}/review-schedule",
            |w| format!("/api/v1/collaborations/{}/review-schedule", w.hospital), schedule_body,
            Status(404), Status(404)),
        // ---- Pages: reviews
        probe("GET", "/collaborations/{id}/reviews", |w| format!("/collaborations/{}/reviews", w.hospital),
            none, Status(404), Status(404)),
        probe("POST", "/collaborations/{id}/reviews", |w| format!("/collaborations/{}/reviews", w.hospital),
            review_body, SignIn, Status(404)),
        probe("GET", "/collaborations/{id}/reviews/new",
            |w| format!("/collaborations/{}/reviews/new", w.hospital), none, SignIn, Status(404)),
        probe("POST", "/collaborations/{id}/review-schedule",
            |w| format!("/collaborations/{}/review-schedule", w.hospital), schedule_body, SignIn, Status(404)),
        probe("GET", "/reviews/{id}", |w| format!("/reviews/{}", w.review), none, Status(404), Status(404)),
        // ---- API: charter
        probe("GET", "/api/v1/collaborations/{id}/charter",
            |w| format!("/api/v1/collaborations/{}/charter", w.hospital), none, Status(404), Status(404)),
        probe("PUT", "/api/v1/collaborations/{id}/charter",
            |w| format!("/api/v1/collaborations/{}/charter", w.hospital), charter_body, Status(404), Status(404)),
        probe("GET", "/api/v1/collaborations/{id}/charter/versions",
            |w| format!("/api/v1/collaborations/{}/charter/versions", w.hospital), none, Status(404), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/charter/sign-off",
            |w| format!("/api/v1/collaborations/{}/charter/sign-off", w.hospital), none, Status(404), Status(404)),
        // ---- Pages: charter
        probe("GET", "/collaborations/{id}/charter", |w| format!("/collaborations/{}/charter", w.hospital),
            none, Status(404), Status(404)),
        probe("POST", "/collaborations/{id}/charter", |w| format!("/collaborations/{}/charter", w.hospital),
            charter_body, SignIn, Status(404)),
        probe("GET", "/collaborations/{id}/charter/edit",
            |w| format!("/collaborations/{}/charter/edit", w.hospital), none, SignIn, Status(404)),
        probe("POST", "/collaborations/{id}/charter/sign-off",
            |w| format!("/collaborations/{}/charter/sign-off", w.hospital), none, SignIn, Status(404)),
        probe("GET", "/collaborations/{id}/charter/versions/{version}",
            |w| format!("/collaborations/{}/charter/versions/1", w.hospital), none, Status(404), Status(404)),
        probe("GET", "/collaborations/{id}/charter/diff",
            |w| format!("/collaborations/{}/charter/diff?from=1&to=2", w.hospital), none, Status(404), Status(404)),
        // ---- API: collaborations
        // Filters aimed at the confidential collaboration still find nothing of it.
        probe("GET", "/api/v1/collaborations",
            |w| format!("/api/v1/collaborations?organisation_id={}&q=Hospital&limit=100", w.health),
            none, Open, Open),
        probe("POST", "/api/v1/collaborations", |_| "/api/v1/collaborations".into(),
            |_| json!({"title": "", "visibility": ""}), Status(401), Status(422)),
        probe("GET", "/api/v1/collaborations/{id}", |w| format!("/api/v1/collaborations/{}", w.hospital),
            none, Status(404), Status(404)),
        probe("PUT", "/api/v1/collaborations/{id}", |w| format!("/api/v1/collaborations/{}", w.hospital),
            collaboration_body, Status(404), Status(404)),
        probe("GET", "/api/v1/collaborations/{id}/history",
            |w| format!("/api/v1/collaborations/{}/history", w.hospital), none, Status(404), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/organisations",
            |w| format!("/api/v1/collaborations/{}/organisations", w.hospital),
            |w| json!({"organisation_id": w.health, "role": "partner"}), Status(404), Status(404)),
        probe("PUT", "/api/v1/collaborations/{id}/organisations/{organisation_id}",
            |w| format!("/api/v1/collaborations/{}/organisations/{}", w.hospital, w.transport),
            |_| json!({"role": "observer"}), Status(404), Status(404)),
        probe("DELETE", "/api/v1/collaborations/{id}/organisations/{organisation_id}",
            |w| format!("/api/v1/collaborations/{}/organisations/{}", w.hospital, w.transport),
            none, Status(404), Status(404)),
        // Answering an invitation needs a signed-in organisation admin before anything else.
        probe("POST", "/api/v1/collaborations/{id}/invitation/accept",
            |w| format!("/api/v1/collaborations/{}/invitation/accept", w.hospital), none,
            Status(401), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/invitation/decline",
            |w| format!("/api/v1/collaborations/{}/invitation/decline", w.hospital), none,
            Status(401), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/lead",
            |w| format!("/api/v1/collaborations/{}/lead", w.hospital),
            |w| json!({"organisation_id": w.transport}), Status(404), Status(404)),
        probe("POST", "/api/v1/collaborations/{id}/people",
            |w| format!("/api/v1/collaborations/{}/people", w.hospital),
            |w| json!({"user_id": w.bob, "role": "coordinator"}), Status(404), Status(404)),
        probe("PUT", "/api/v1/collaborations/{id}/people/{user_id}",
            |w| format!("/api/v1/collaborations/{}/people/{}", w.hospital, w.alice),
            |_| json!({"role": "viewer"}), Status(404), Status(404)),
        probe("DELETE", "/api/v1/collaborations/{id}/people/{user_id}",
            |w| format!("/api/v1/collaborations/{}/people/{}", w.hospital, w.bob),
            none, Status(404), Status(404)),
        // The caller's own organisation's invitations (none for the City).
        probe("GET", "/api/v1/invitations", |_| "/api/v1/invitations".into(), none, Status(401), Open),
        // ---- API: organisations (a public directory; only their admins edit them)
        probe("GET", "/api/v1/organisations", |_| "/api/v1/organisations".into(), none, Open, Open),
        probe("POST", "/api/v1/organisations", |_| "/api/v1/organisations".into(), organisation_body,
            Status(401), Status(403)),
        probe("GET", "/api/v1/organisations/{id}", |w| format!("/api/v1/organisations/{}", w.health),
            none, Open, Open),
        probe("PUT", "/api/v1/organisations/{id}", |w| format!("/api/v1/organisations/{}", w.health),
            organisation_body, Status(401), Status(403)),
        // ---- API: notifications (only ever the caller's own)
        probe("GET", "/api/v1/notifications", |_| "/api/v1/notifications?unread=true".into(), none,
            Status(401), Open),
        probe("GET", "/api/v1/notifications/unread-count", |_| "/api/v1/notifications/unread-count".into(),
            none, Status(401), Open),
        probe("POST", "/api/v1/notifications/{id}/read",
            |w| format!("/api/v1/notifications/{}/read", w.notification), none, Status(401), Status(404)),
        probe("POST", "/api/v1/notifications/read-all", |_| "/api/v1/notifications/read-all".into(),
            none, Status(401), Open),
        probe("GET", "/api/v1/notification-preferences", |_| "/api/v1/notification-preferences".into(),
            none, Status(401), Open),
        probe("PUT", "/api/v1/notification-preferences", |_| "/api/v1/notification-preferences".into(),
            |_| json!({"email": {}}), Status(401), Open),
        probe("GET", "/api/v1/organisations/{id}/accounts",
            |w| format!("/api/v1/organisations/{}/accounts", w.health), none, Status(401), Status(404)),
        // ---- API: accounts
        // Naming another organisation is a bad field value for an organisation admin.
        probe("POST", "/api/v1/accounts", |_| "/api/v1/accounts".into(), account_body,
            Status(401), Status(422)),
        probe("GET", "/api/v1/accounts/{id}", |w| format!("/api/v1/accounts/{}", w.alice), none,
            Status(401), Status(404)),
        probe("POST", "/api/v1/accounts/{id}/deactivate",
            |w| format!("/api/v1/accounts/{}/deactivate", w.alice), none, Status(401), Status(404)),
        probe("POST", "/api/v1/accounts/{id}/reactivate",
            |w| format!("/api/v1/accounts/{}/reactivate", w.alice), none, Status(401), Status(404)),
        probe("GET", "/api/v1/me", |_| "/api/v1/me".into(), none, Status(401), Open),
        // ---- API: tokens (only one's own)
        probe("GET", "/api/v1/tokens", |_| "/api/v1/tokens".into(), none, Status(401), Open),
        probe("POST", "/api/v1/tokens", |_| "/api/v1/tokens".into(), |_| json!({"name": ""}),
            Status(401), Status(422)),
        probe("DELETE", "/api/v1/tokens/{id}", |w| format!("/api/v1/tokens/{}", w.alice_token), none,
            Status(401), Status(404)),
        // ---- Pages: home and session
        probe("GET", "/", |_| "/".into(), none, Open, Open),
        probe("GET", "/sign-in", |_| "/sign-in".into(), none, Open, SeeOther("/")),
        probe("POST", "/sign-in", |_| "/sign-in".into(), |_| json!({"email": "", "password": ""}),
            Status(422), Status(422)),
        // Signing out ends only the caller's own session (the outsider uses a session of its own).
        probe("POST", "/sign-out", |_| "/sign-out".into(), none, SeeOther("/"), SeeOther("/")),
        // ---- Pages: collaborations
        probe("GET", "/collaborations", |_| "/collaborations?q=Hospital".into(), none, Open, Open),
        probe("POST", "/collaborations", |_| "/collaborations".into(), |_| json!({"title": ""}),
            SignIn, Status(422)),
        probe("GET", "/collaborations/new", |_| "/collaborations/new".into(), none, SignIn, Open),
        probe("GET", "/collaborations/{id}", |w| format!("/collaborations/{}", w.hospital), none,
            Status(404), Status(404)),
        probe("POST", "/collaborations/{id}", |w| format!("/collaborations/{}", w.hospital),
            collaboration_body, SignIn, Status(404)),
        probe("GET", "/collaborations/{id}/edit", |w| format!("/collaborations/{}/edit", w.hospital),
            none, SignIn, Status(404)),
        probe("GET", "/collaborations/{id}/history",
            |w| format!("/collaborations/{}/history", w.hospital), none, Status(404), Status(404)),
        // ---- pages: objectives
        probe("GET", "/collaborations/{id}/objectives/new",
            |w| format!("/collaborations/{}/objectives/new", w.hospital), none, SignIn, Status(404)),
        probe("POST", "/collaborations/{id}/objectives",
            |w| format!("/collaborations/{}/objectives", w.hospital), objective_body, SignIn, Status(404)),
        probe("GET", "/objectives/{id}", |w| format!("/objectives/{}", w.objective), none, Status(404), Status(404)),
        probe("POST", "/objectives/{id}", |w| format!("/objectives/{}", w.objective), objective_body, SignIn, Status(404)),
        probe("GET", "/objectives/{id}/edit", |w| format!("/objectives/{}/edit", w.objective), none, SignIn, Status(404)),
        probe("POST", "/objectives/{id}/move", |w| format!("/objectives/{}/move", w.objective),
            |_| json!({"direction": "up"}), SignIn, Status(404)),
        // ---- Pages: key results, measurements, CSV upload, help
        probe("GET", "/objectives/{id}/key-results/new",
            |w| format!("/objectives/{}/key-results/new", w.objective), none, SignIn, Status(404)),
        probe("POST", "/objectives/{id}/key-results",
            |w| format!("/objectives/{}/key-results", w.objective), key_result_body, SignIn, Status(404)),
        probe("GET", "/key-results/{id}", |w| format!("/key-results/{}", w.key_result), none,
            Status(404), Status(404)),
        probe("POST", "/key-results/{id}", |w| format!("/key-results/{}", w.key_result), key_result_body,
            SignIn, Status(404)),
        probe("GET", "/key-results/{id}/edit", |w| format!("/key-results/{}/edit", w.key_result), none,
            SignIn, Status(404)),
        probe("POST", "/key-results/{id}/measurements",
            |w| format!("/key-results/{}/measurements", w.key_result),
            |_| json!({"value": "3", "date": "2026-02-01"}), SignIn, Status(404)),
        probe("GET", "/collaborations/{id}/measurements/import",
            |w| format!("/collaborations/{}/measurements/import", w.hospital), none, SignIn, Status(404)),
        // A form body, not a file: still refused for who may not see the collaboration.
        probe("POST", "/collaborations/{id}/measurements/import",
            |w| format!("/collaborations/{}/measurements/import", w.hospital), none, SignIn, Status(404)),
        probe("GET", "/help/status", |_| "/help/status".into(), none, Open, Open),
        probe("POST", "/collaborations/{id}/organisations",
            |w| format!("/collaborations/{}/organisations", w.hospital),
            |w| json!({"organisation_id": w.health, "role": "partner"}), Status(404), Status(404)),
        probe("POST", "/collaborations/{id}/organisations/{organisation_id}/role",
            |w| format!("/collaborations/{}/organisations/{}/role", w.hospital, w.transport),
            |_| json!({"role": "observer"}), Status(404), Status(404)),
        probe("POST", "/collaborations/{id}/organisations/{organisation_id}/remove",
            |w| format!("/collaborations/{}/organisations/{}/remove", w.hospital, w.transport),
            none, Status(404), Status(404)),
        probe("POST", "/collaborations/{id}/invitation",
            |w| format!("/collaborations/{}/invitation", w.hospital), |_| json!({"answer": "accept"}),
            Status(401), Status(404)),
        probe("POST", "/collaborations/{id}/lead", |w| format!("/collaborations/{}/lead", w.hospital),
            |w| json!({"organisation_id": w.transport}), Status(404), Status(404)),
        probe("POST", "/collaborations/{id}/people", |w| format!("/collaborations/{}/people", w.hospital),
            |w| json!({"user_id": w.bob, "role": "coordinator"}), Status(404), Status(404)),
        probe("POST", "/collaborations/{id}/people/{user_id}/role",
            |w| format!("/collaborations/{}/people/{}/role", w.hospital, w.alice),
            |_| json!({"role": "viewer"}), Status(404), Status(404)),
        probe("POST", "/collaborations/{id}/people/{user_id}/remove",
            |w| format!("/collaborations/{}/people/{}/remove", w.hospital, w.bob), none,
            Status(404), Status(404)),
        // ---- Pages: stakeholder register
        probe("GET", "/collaborations/{id}/stakeholders",
            |w| format!("/collaborations/{}/stakeholders?kind=person&sort=influence&order=desc", w.hospital),
            none, Status(404), Status(404)),
        probe("POST", "/collaborations/{id}/stakeholders/settings",
            |w| format!("/collaborations/{}/stakeholders/settings", w.hospital),
            |_| json!({"early_window_days": "40"}), SignIn, Status(404)),
        probe("GET", "/collaborations/{id}/stakeholders/new",
            |w| format!("/collaborations/{}/stakeholders/new", w.hospital), none, SignIn, Status(404)),
        probe("POST", "/collaborations/{id}/stakeholders/new",
            |w| format!("/collaborations/{}/stakeholders/new", w.hospital),
            |_| json!({"name": "Taken over", "kind": "group", "influence": "5", "interest": "5"}), SignIn, Status(404)),
        probe("GET", "/collaborations/{id}/stakeholders/flags",
            |w| format!("/collaborations/{}/stakeholders/flags", w.hospital), none, Status(404), Status(404)),
        probe("GET", "/collaborations/{id}/stakeholders/import",
            |w| format!("/collaborations/{}/stakeholders/import", w.hospital), none, SignIn, Status(404)),
        // A form body, not a file: still refused for who may not see the collaboration.
        probe("POST", "/collaborations/{id}/stakeholders/import",
            |w| format!("/collaborations/{}/stakeholders/import", w.hospital), none, SignIn, Status(404)),
        probe("GET", "/collaborations/{id}/stakeholders/export/{file}",
            |w| format!("/collaborations/{}/stakeholders/export/stakeholders.csv", w.hospital), none,
            Status(404), Status(404)),
        probe("GET", "/stakeholders/{id}", |w| format!("/stakeholders/{}", w.stakeholder), none,
            Status(404), Status(404)),
        probe("GET", "/stakeholders/{id}/edit", |w| format!("/stakeholders/{}/edit", w.stakeholder), none,
            SignIn, Status(404)),
        probe("POST", "/stakeholders/{id}/edit", |w| format!("/stakeholders/{}/edit", w.stakeholder),
            |_| json!({"name": "Taken over", "kind": "group", "influence": "5", "interest": "5"}), SignIn, Status(404)),
        probe("POST", "/stakeholders/{id}/delete", |w| format!("/stakeholders/{}/delete", w.stakeholder), none,
            SignIn, Status(404)),
        probe("GET", "/stakeholders/{id}/personal-data",
            |w| format!("/stakeholders/{}/personal-data", w.stakeholder), none, SignIn, Status(404)),
        probe("GET", "/stakeholders/{id}/erase", |w| format!("/stakeholders/{}/erase", w.stakeholder), none,
            SignIn, Status(404)),
        probe("POST", "/stakeholders/{id}/erase", |w| format!("/stakeholders/{}/erase", w.stakeholder), none,
            SignIn, Status(404)),
        probe("GET", "/help/stakeholders", |_| "/help/stakeholders".into(), none, Open, Open),
        // ---- Pages: engagement log and RACI matrix
        probe("GET", "/collaborations/{id}/engagements",
            |w| format!("/collaborations/{}/engagements?stakeholder={}", w.hospital, w.stakeholder), none,
            Status(404), Status(404)),
        probe("POST", "/collaborations/{id}/engagements",
            |w| format!("/collaborations/{}/engagements", w.hospital), engagement_body, SignIn, Status(404)),
        probe("POST", "/engagements/{id}/delete", |w| format!("/engagements/{}/delete", w.engagement), none,
            SignIn, Status(404)),
        probe("POST", "/engagements/{id}/follow-up", |w| format!("/engagements/{}/follow-up", w.engagement),
            |_| json!({"done": "true"}), SignIn, Status(404)),
        probe("GET", "/collaborations/{id}/raci", |w| format!("/collaborations/{}/raci", w.hospital), none,
            Status(404), Status(404)),
        probe("POST", "/collaborations/{id}/raci", |w| format!("/collaborations/{}/raci", w.hospital),
            |w| json!({"objective_id": w.objective, "party": format!("stakeholder:{}", w.stakeholder), "role": "A"}),
            SignIn, Status(404)),
        // ---- Pages: meetings
        probe("GET", "/collaborations/{id}/meetings",
            |w| format!("/collaborations/{}/meetings", w.hospital), none, Status(404), Status(404)),
        probe("GET", "/collaborations/{id}/meetings/new",
            |w| format!("/collaborations/{}/meetings/new", w.hospital), none, SignIn, Status(404)),
        probe("POST", "/collaborations/{id}/meetings/new",
            |w| format!("/collaborations/{}/meetings/new", w.hospital), meeting_body, SignIn, Status(404)),
        probe("GET", "/meetings/{id}", |w| format!("/meetings/{}", w.meeting), none, Status(404), Status(404)),
        probe("GET", "/meetings/{id}/edit", |w| format!("/meetings/{}/edit", w.meeting), none, SignIn,
            Status(404)),
        probe("POST", "/meetings/{id}/edit", |w| format!("/meetings/{}/edit", w.meeting), meeting_body,
            SignIn, Status(404)),
        probe("POST", "/meetings/{id}/cancel", |w| format!("/meetings/{}/cancel", w.meeting), none, SignIn,
            Status(404)),
        probe("POST", "/meetings/{id}/agenda", |w| format!("/meetings/{}/agenda", w.meeting),
            |_| json!({"title": "Taken over", "duration_minutes": "10"}), SignIn, Status(404)),
        probe("POST", "/meetings/{id}/attendees", |w| format!("/meetings/{}/attendees", w.meeting),
            |w| json!({"user_id": w.bob}), SignIn, Status(404)),
        probe("POST", "/meetings/{id}/attendees/{user_id}/remove",
            |w| format!("/meetings/{}/attendees/{}/remove", w.meeting, w.alice), none, SignIn, Status(404)),
        probe("POST", "/meetings/{id}/rsvp", |w| format!("/meetings/{}/rsvp", w.meeting),
            |_| json!({"response": "yes"}), SignIn, Status(404)),
        probe("GET", "/meetings/{id}/print", |w| format!("/meetings/{}/print", w.meeting), none,
            Status(404), Status(404)),
        probe("GET", "/meetings/{id}/calendar.ics", |w| format!("/meetings/{}/calendar.ics", w.meeting),
            none, Status(404), Status(404)),
        probe("GET", "/agenda-items/{id}/edit", |w| format!("/agenda-items/{}/edit", w.agenda_item), none,
            SignIn, Status(404)),
        probe("POST", "/agenda-items/{id}/edit", |w| format!("/agenda-items/{}/edit", w.agenda_item),
            |_| json!({"title": "Taken over", "duration_minutes": "10"}), SignIn, Status(404)),
        probe("GET", "/agenda-items/{id}/minutes", |w| format!("/agenda-items/{}/minutes", w.agenda_item),
            none, SignIn, Status(404)),
        probe("POST", "/agenda-items/{id}/minutes", |w| format!("/agenda-items/{}/minutes", w.agenda_item),
            |_| json!({"minutes": "Taken over"}), SignIn, Status(404)),
        probe("POST", "/agenda-items/{id}/move", |w| format!("/agenda-items/{}/move", w.agenda_item),
            |_| json!({"direction": "down"}), SignIn, Status(404)),
        probe("POST", "/agenda-items/{id}/delete", |w| format!("/agenda-items/{}/delete", w.agenda_item),
            none, SignIn, Status(404)),
        // The feed answers to its secret alone: a guessed one is missing.
        probe("GET", "/calendar/{file}", |_| format!("/calendar/{}.ics", "0".repeat(64)), none,
            Status(404), Status(404)),
        // The caller's own feed settings: no form field, no feed made.
        probe("GET", "/account/calendar", |_| "/account/calendar".into(), none, SignIn, Open),
        probe("POST", "/account/calendar", |_| "/account/calendar".into(), none, SignIn, Status(422)),
        probe("POST", "/account/calendar/revoke", |_| "/account/calendar/revoke".into(), none, SignIn,
            SeeOther("/account/calendar?done=revoked")),
        // ---- Pages: discussion threads
        probe("GET", "/collaborations/{id}/threads",
            |w| format!("/collaborations/{}/threads", w.hospital), none, Status(404), Status(404)),
        probe("GET", "/collaborations/{id}/threads/new",
            |w| format!("/collaborations/{}/threads/new", w.hospital), none, SignIn, Status(404)),
        probe("POST", "/collaborations/{id}/threads/new",
            |w| format!("/collaborations/{}/threads/new", w.hospital),
            |_| json!({"title": "Taken over", "body": "Taken over"}), SignIn, Status(404)),
        probe("GET", "/threads/{id}", |w| format!("/threads/{}", w.thread), none, Status(404), Status(404)),
        probe("GET", "/threads/{id}/live", |w| format!("/threads/{}/live", w.thread), none, Status(404), Status(404)),
        probe("POST", "/threads/{id}/messages", |w| format!("/threads/{}/messages", w.thread),
            |_| json!({"body": "Taken over"}), SignIn, Status(404)),
        probe("GET", "/messages/{id}/edit", |w| format!("/messages/{}/edit", w.message), none,
            SignIn, Status(404)),
        probe("POST", "/messages/{id}/edit", |w| format!("/messages/{}/edit", w.message),
            |_| json!({"body": "Taken over"}), SignIn, Status(404)),
        probe("GET", "/messages/{id}/versions", |w| format!("/messages/{}/versions", w.message), none,
            Status(404), Status(404)),
        // ---- Pages: decisions and action items
        probe("GET", "/collaborations/{id}/decisions",
            |w| format!("/collaborations/{}/decisions", w.hospital), none, Status(404), Status(404)),
        probe("GET", "/collaborations/{id}/decisions/new",
            |w| format!("/collaborations/{}/decisions/new", w.hospital), none, SignIn, Status(404)),
        probe("POST", "/collaborations/{id}/decisions/new",
            |w| format!("/collaborations/{}/decisions/new", w.hospital), decision_body, SignIn, Status(404)),
        probe("GET", "/decisions", |_| "/decisions".into(), none, Open, Open),
        probe("GET", "/decisions/{id}", |w| format!("/decisions/{}", w.decision), none, Status(404), Status(404)),
        probe("GET", "/decisions/{id}/edit", |w| format!("/decisions/{}/edit", w.decision), none,
            SignIn, Status(404)),
        probe("POST", "/decisions/{id}/edit", |w| format!("/decisions/{}/edit", w.decision), decision_body,
            SignIn, Status(404)),
        probe("GET", "/collaborations/{id}/action-items",
            |w| format!("/collaborations/{}/action-items", w.hospital), none, Status(404), Status(404)),
        probe("GET", "/collaborations/{id}/action-items/new",
            |w| format!("/collaborations/{}/action-items/new", w.hospital), none, SignIn, Status(404)),
        probe("POST", "/collaborations/{id}/action-items/new",
            |w| format!("/collaborations/{}/action-items/new", w.hospital), action_item_body, SignIn, Status(404)),
        probe("POST", "/action-items/{id}/status", |w| format!("/action-items/{}/status", w.action_item),
            |_| json!({"status": "cancelled"}), SignIn, Status(404)),
        // ---- Pages: notifications (only ever the caller's own)
        probe("GET", "/notifications", |_| "/notifications".into(), none, SignIn, Open),
        probe("POST", "/notifications/read-all", |_| "/notifications/read-all".into(), none, SignIn,
            SeeOther("/notifications?done=all_read")),
        probe("POST", "/notifications/{id}/read", |w| format!("/notifications/{}/read", w.notification),
            none, SignIn, Status(404)),
        probe("GET", "/notifications/{id}/open", |w| format!("/notifications/{}/open", w.notification),
            none, SignIn, Status(404)),
        probe("GET", "/account/notifications", |_| "/account/notifications".into(), none, SignIn, Open),
        probe("POST", "/account/notifications", |_| "/account/notifications".into(), none, SignIn,
            SeeOther("/account/notifications?done=saved")),
        probe("GET", "/admin/outbox", |_| "/admin/outbox".into(), none, SignIn, Status(404)),
        // ---- Pages: webhooks (coordinators only; 404 to everyone else)
        probe("GET", "/collaborations/{id}/webhooks",
            |w| format!("/collaborations/{}/webhooks", w.hospital), none, SignIn, Status(404)),
        probe("GET", "/collaborations/{id}/webhooks/new",
            |w| format!("/collaborations/{}/webhooks/new", w.hospital), none, SignIn, Status(404)),
        probe("POST", "/collaborations/{id}/webhooks/new",
            |w| format!("/collaborations/{}/webhooks/new", w.hospital), webhook_body, SignIn, Status(404)),
        probe("GET", "/webhooks/{id}/edit", |w| format!("/webhooks/{}/edit", w.webhook), none,
            SignIn, Status(404)),
        probe("POST", "/webhooks/{id}/edit", |w| format!("/webhooks/{}/edit", w.webhook),
            webhook_body, SignIn, Status(404)),
        probe("POST", "/webhooks/{id}/delete", |w| format!("/webhooks/{}/delete", w.webhook), none,
            SignIn, Status(404)),
        probe("POST", "/webhooks/{id}/rotate-secret", |w| format!("/webhooks/{}/rotate-secret", w.webhook),
            none, SignIn, Status(404)),
        probe("POST", "/webhooks/{id}/test", |w| format!("/webhooks/{}/test", w.webhook), none,
            SignIn, Status(404)),
        probe("GET", "/webhooks/{id}/deliveries", |w| format!("/webhooks/{}/deliveries", w.webhook),
            none, SignIn, Status(404)),
        probe("GET", "/help/webhooks", |_| "/help/webhooks".into(), none, Open, Open),
        // ---- Pages: organisations
        probe("GET", "/organisations", |_| "/organisations".into(), none, Open, Open),
        probe("POST", "/organisations", |_| "/organisations".into(), organisation_body, SignIn,
            Status(403)),
        probe("GET", "/organisations/new", |_| "/organisations/new".into(), none, SignIn, Status(403)),
        probe("GET", "/organisations/{id}", |w| format!("/organisations/{}", w.health), none, Open, Open),
        probe("POST", "/organisations/{id}", |w| format!("/organisations/{}", w.health),
            organisation_body, SignIn, Status(403)),
        probe("GET", "/organisations/{id}/edit", |w| format!("/organisations/{}/edit", w.health), none,
            SignIn, Status(403)),
        // ---- Pages: the caller's own account
        probe("GET", "/account", |_| "/account".into(), none, SignIn, Open),
        probe("POST", "/account/password", |_| "/account/password".into(),
            |_| json!({"current_password": "not the password", "new_password": "another long password"}),
            SignIn, Status(422)),
        probe("POST", "/account/preferences", |_| "/account/preferences".into(),
            |_| json!({"locale": "xx", "time_zone": "Mars/Olympus"}), SignIn, Status(422)),
        probe("POST", "/account/tokens", |_| "/account/tokens".into(), |_| json!({"name": ""}),
            SignIn, Status(422)),
        probe("POST", "/account/tokens/{id}/revoke",
            |w| format!("/account/tokens/{}/revoke", w.alice_token), none, SignIn, Status(404)),
        // ---- Pages: account administration (another organisation's accounts are not found)
        probe("GET", "/admin/accounts", |w| format!("/admin/accounts?organisation={}", w.health), none,
            SignIn, Status(404)),
        probe("POST", "/admin/accounts", |_| "/admin/accounts".into(), account_body, SignIn,
            Status(422)),
        // The new-account form offers only the caller's own organisation whatever the address
        // names (creating in another one is refused on submission, probed just above).
        probe("GET", "/admin/accounts/new", |w| format!("/admin/accounts/new?organisation={}", w.health),
            none, SignIn, Open),
        probe("POST", "/admin/accounts/{id}/deactivate",
            |w| format!("/admin/accounts/{}/deactivate", w.alice), none, SignIn, Status(404)),
        probe("POST", "/admin/accounts/{id}/reactivate",
            |w| format!("/admin/accounts/{}/reactivate", w.alice), none, SignIn, Status(404)),
    ]
}

/// What must never reach an outsider or an anonymous visitor.
const SECRETS: &[&str] = &[
    "Hospital Transfer Logistics",
    "Inter-hospital transfers",
    "alice@health.example",
    "hannah@health.example",
    "Hannah Confidential",
    "alice-private-token",
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// (method, route) of every API operation in the OpenAPI document.
fn api_routes() -> Result<BTreeSet<(String, String)>> {
    let doc: Value = serde_json::from_str(concord_web::api::openapi_document())?;
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().context("paths")? {
        for method in item.as_object().context("path item")?.keys() {
            let method = method.to_ascii_uppercase();
            if METHODS.contains(&method.as_str()) {
                routes.insert((method, path.clone()));
            }
        }
    }
    Ok(routes)
}

/// (method, route) of every page route. The page list gives the paths; the methods are learnt from
/// the server itself: a request with a method no route has answers 405 with an `Allow` header.
async fn page_routes(app: &TestApp) -> Result<BTreeSet<(String, String)>> {
    let browser = app.browser();
    let token = browser.csrf_token("/sign-in").await?;
    let placeholder = uuid::Uuid::now_v7().to_string();
    let mut routes = BTreeSet::new();
    for (route, _) in concord_web::pages::routes() {
        let path: String = route
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    placeholder.as_str()
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let response = browser
            .client
            .request(reqwest::Method::from_bytes(b"PROBE")?, app.url(&path))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(format!("csrf_token={token}"))
            .send()
            .await?;
        ensure!(
            response.status() == 405,
            "{route}: a PROBE request answered {}",
            response.status()
        );
        let allow = response
            .headers()
            .get(reqwest::header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .with_context(|| format!("{route}: no Allow header"))?
            .to_owned();
        for method in allow.split(',').map(str::trim) {
            if METHODS.contains(&method) {
                routes.insert((method.to_owned(), route.to_owned()));
            }
        }
    }
    Ok(routes)
}

/// Someone to make requests as: an API client and a browser with its CSRF token.
struct Caller {
    api: concord_testkit::Api,
    browser: Browser,
    csrf: String,
}

fn form_pairs(body: &Value) -> Vec<(String, String)> {
    body.as_object()
        .map(|fields| {
            fields
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned).unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

/// Makes the probe's request as `caller`: (status, Location, body).
async fn send(
    app: &TestApp,
    caller: &Caller,
    probe: &Probe,
    world: &World,
) -> Result<(u16, String, String)> {
    let path = (probe.path)(world);
    let body = (probe.body)(world);
    let method = reqwest::Method::from_bytes(probe.method.as_bytes())?;
    let request = if path.starts_with("/api/") {
        let request = caller.api.request(method, &path);
        if body.is_null() {
            request
        } else {
            request.json(&body)
        }
    } else {
        let request = caller
            .browser
            .client
            .request(method.clone(), app.url(&path));
        if method == reqwest::Method::GET {
            request
        } else {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("csrf_token", &caller.csrf);
            for (k, v) in form_pairs(&body) {
                form.append_pair(&k, &v);
            }
            request
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(form.finish())
        }
    };
    let response = request.send().await?;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Ok((status, location, response.text().await?))
}

fn matches(outcome: Outcome, status: u16, location: &str) -> bool {
    match outcome {
        Status(expected) => status == expected,
        SignIn => status == 303 && location.starts_with("/sign-in"),
        SeeOther(expected) => status == 303 && location == expected,
        Open => status == 200,
    }
}

async fn world(app: &TestApp) -> Result<World> {
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let id_of = |v: &Value| v["id"].as_str().map(str::to_owned).context("id");
    let collaborations = bob.get_json("/api/v1/collaborations").await?;
    let hospital = collaborations["items"]
        .as_array()
        .context("items")?
        .iter()
        .find(|c| c["title"] == "Hospital Transfer Logistics")
        .context("hospital collaboration")?;
    let organisations = bob.get_json("/api/v1/organisations").await?;
    let org = |name: &str| {
        organisations["items"]
            .as_array()
            .and_then(|items| items.iter().find(|o| o["name"] == name))
            .context("organisation")
            .and_then(id_of)
    };
    let token = alice
        .post("/api/v1/tokens", &json!({"name": "alice-private-token"}))
        .await?
        .json::<Value>()
        .await?;
    let objective = alice
        .post(
            &format!("/api/v1/collaborations/{}/objectives", id_of(hospital)?),
            &json!({"title": "Confidential objective"}),
        )
        .await?
        .json::<Value>()
        .await?;
    let key_result = alice
        .post(
            &format!(
                "/api/v1/objectives/{}/key-results",
                id_of(&objective["objective"])?
            ),
            &json!({"name": "Confidential indicator", "unit": "hours", "direction": "decrease",
                    "baseline_value": "5.5", "baseline_date": "2026-01-01"}),
        )
        .await?
        .json::<Value>()
        .await?;
    let review = alice
        .post(
            &format!("/api/v1/collaborations/{}/reviews", id_of(hospital)?),
            &json!({"held_on": "2026-01-15", "summary": "Inter-hospital transfers review"}),
        )
        .await?
        .json::<Value>()
        .await?;
    // A charter with two versions, so the charter probes aim at something that exists.
    for body in [
        "# Confidential charter",
        "# Confidential charter\n\nVersion two",
    ] {
        let response = alice
            .put(
                &format!("/api/v1/collaborations/{}/charter", id_of(hospital)?),
                &json!({ "body": body }),
            )
            .await?;
        ensure!(response.status() == 200, "charter: {}", response.status());
    }
    // A person in the register and an engagement with them (names are confidential too).
    let stakeholder = alice
        .post(
            &format!("/api/v1/collaborations/{}/stakeholders", id_of(hospital)?),
            &json!({"name": "Hannah Confidential", "kind": "person", "influence": 4, "interest": 4,
                    "email": "hannah@health.example"}),
        )
        .await?;
    ensure!(
        stakeholder.status() == 201,
        "stakeholder: {}",
        stakeholder.status()
    );
    let stakeholder = id_of(&stakeholder.json::<Value>().await?["stakeholder"])?;
    let engagement = alice
        .post(
            &format!("/api/v1/collaborations/{}/engagements", id_of(hospital)?),
            &json!({"engaged_on": "2026-01-10", "channel": "meeting",
                    "summary": "Inter-hospital transfers briefing", "stakeholder_ids": [stakeholder]}),
        )
        .await?;
    ensure!(
        engagement.status() == 201,
        "engagement: {}",
        engagement.status()
    );
    let engagement = id_of(&engagement.json::<Value>().await?)?;
    // A discussion thread and its first message (the title and body are confidential too).
    let thread = alice
        .post(
            &format!("/api/v1/collaborations/{}/threads", id_of(hospital)?),
            &json!({"title": "Inter-hospital transfers: winter plan",
                    "body": "Inter-hospital transfers need **two** crews."}),
        )
        .await?;
    ensure!(thread.status() == 201, "thread: {}", thread.status());
    let thread = thread.json::<Value>().await?;
    let message = id_of(&thread["messages"][0]["message"])?;
    let thread = id_of(&thread["thread"])?;
    // A meeting with an agenda item (its title is confidential too).
    let meeting = alice
        .post(
            &format!("/api/v1/collaborations/{}/meetings", id_of(hospital)?),
            &json!({"title": "Inter-hospital transfers steering", "starts_at": "2030-01-10T10:00",
                    "ends_at": "2030-01-10T11:00", "time_zone": "Europe/Paris"}),
        )
        .await?;
    ensure!(meeting.status() == 201, "meeting: {}", meeting.status());
    let meeting = id_of(&meeting.json::<Value>().await?["meeting"])?;
    let item = alice
        .post(
            &format!("/api/v1/meetings/{meeting}/agenda-items"),
            &json!({"title": "Inter-hospital transfers: crews", "duration_minutes": 20}),
        )
        .await?;
    ensure!(item.status() == 201, "agenda item: {}", item.status());
    let agenda_item = id_of(&item.json::<Value>().await?["item"])?;
    // A decision and its action item (titles are confidential too).
    let alice_id = id_of(&alice.get_json("/api/v1/me").await?)?;
    let decision = alice
        .post(
            &format!("/api/v1/collaborations/{}/decisions", id_of(hospital)?),
            &json!({"title": "Inter-hospital transfers: second crew", "decided": "Two crews at night.",
                    "decided_by": [alice_id], "decided_on": "2026-01-12"}),
        )
        .await?;
    ensure!(decision.status() == 201, "decision: {}", decision.status());
    let decision = id_of(&decision.json::<Value>().await?["decision"])?;
    let action_item = alice
        .post(
            &format!("/api/v1/collaborations/{}/action-items", id_of(hospital)?),
            &json!({"title": "Inter-hospital transfers: roster", "owner_id": alice_id,
                    "due_on": "2027-01-15", "decision_id": decision}),
        )
        .await?;
    ensure!(
        action_item.status() == 201,
        "action item: {}",
        action_item.status()
    );
    let action_item = id_of(&action_item.json::<Value>().await?["item"])?;
    let notifications = alice.get_json("/api/v1/notifications").await?;
    let notification = id_of(&notifications["items"][0])?;
    // A webhook endpoint (loopback allowed for the registration only) and a test delivery.
    app.server
        .app
        .webhooks
        .set(concord_app::webhooks::WebhookSettings {
            allow: concord_domain::webhook::parse_allow_list("127.0.0.1/32").unwrap(),
            extra_roots_pem: None,
        });
    let webhook = alice
        .post(
            &format!("/api/v1/collaborations/{}/webhooks", id_of(hospital)?),
            &json!({"url": "https://localhost/hospital-hook", "event_kinds": ["message"]}),
        )
        .await?;
    ensure!(webhook.status() == 201, "webhook: {}", webhook.status());
    let webhook = id_of(&webhook.json::<Value>().await?["endpoint"])?;
    let delivery = alice
        .post(&format!("/api/v1/webhooks/{webhook}/test"), &json!({}))
        .await?;
    ensure!(
        delivery.status() == 202,
        "test delivery: {}",
        delivery.status()
    );
    let delivery = delivery.json::<Value>().await?["delivery_id"]
        .as_str()
        .context("delivery id")?
        .to_owned();
    app.server
        .app
        .webhooks
        .set(concord_app::webhooks::WebhookSettings::default());
    Ok(World {
        meeting,
        agenda_item,
        decision,
        action_item,
        notification,
        webhook,
        delivery,
        stakeholder,
        engagement,
        thread,
        message,
        key_result: id_of(&key_result["key_result"])?,
        review: id_of(&review)?,
        objective: id_of(&objective["objective"])?,
        hospital: id_of(hospital)?,
        health: org("Ministry of Health")?,
        transport: org("National Transport Agency")?,
        alice: id_of(&alice.get_json("/api/v1/me").await?)?,
        bob: id_of(&bob.get_json("/api/v1/me").await?)?,
        alice_token: id_of(&token["token"])?,
    })
}

#[tokio::test]
async fn every_route_is_in_the_table_and_refuses_outsiders_and_anonymous() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let world = world(&app).await?;
    let table = table();

    // Coverage, both ways.
    let mut present = api_routes()?;
    present.extend(page_routes(&app).await?);
    let mut listed = BTreeSet::new();
    let mut failures = Vec::new();
    for probe in &table {
        if !listed.insert((probe.method.to_owned(), probe.route.to_owned())) {
            failures.push(format!(
                "{} {} is in the table twice",
                probe.method, probe.route
            ));
        }
    }
    for (method, route) in present.difference(&listed) {
        failures.push(format!(
            "{method} {route} has no probe: add it to routes::table() with what an outsider and \
             an anonymous visitor must get"
        ));
    }
    for (method, route) in listed.difference(&present) {
        failures.push(format!(
            "{method} {route} is in the table but no longer routed"
        ));
    }

    let anonymous_browser = app.browser();
    let anonymous = Caller {
        api: app.api(None),
        csrf: anonymous_browser.csrf_token("/sign-in").await?,
        browser: anonymous_browser,
    };
    let outsider_browser = app.signed_in("carol@riverton.example").await?;
    let outsider = Caller {
        api: app.api(Some(&app.token_for("carol@riverton.example").await?)),
        csrf: outsider_browser.csrf_token("/").await?,
        browser: outsider_browser,
    };
    // The demo's decisions and meetings told Carol things: her inbox starts all read, so the
    // probes of "mark all read" change nothing and write nothing.
    let read_all = outsider
        .api
        .post("/api/v1/notifications/read-all", &json!({}))
        .await?;
    ensure!(
        read_all.status().is_success(),
        "read-all: {}",
        read_all.status()
    );

    for probe in table
        .iter()
        .filter(|p| present.contains(&(p.method.to_owned(), p.route.to_owned())))
    {
        for (who, expected) in [("anonymous", probe.anonymous), ("outsider", probe.outsider)] {
            // Signing out would end the outsider's session for the probes after it: give that
            // probe a session of its own (made before the audit head is read).
            let own;
            let caller = if who == "anonymous" {
                &anonymous
            } else if probe.route == "/sign-out" {
                let browser = app.signed_in("carol@riverton.example").await?;
                own = Caller {
                    api: outsider.api.clone(),
                    csrf: browser.csrf_token("/").await?,
                    browser,
                };
                &own
            } else {
                &outsider
            };
            let head = audit_head(&app).await?;
            let (status, location, body) = send(&app, caller, probe, &world).await?;
            let label = format!("{} {} as {who}", probe.method, probe.route);
            if !matches(expected, status, &location) {
                failures.push(format!(
                    "{label}: expected {expected:?}, got {status} {location}"
                ));
            }
            for secret in SECRETS {
                if body.contains(secret) {
                    failures.push(format!("{label}: the answer contains {secret:?}"));
                }
            }
            let signs_out = probe.route == "/sign-out" && who == "outsider";
            if !signs_out && audit_head(&app).await? != head {
                failures.push(format!("{label}: a refused request wrote to the audit log"));
            }
        }
    }

    // Nothing about the confidential collaboration changed.
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let view = bob
        .get_json(&format!("/api/v1/collaborations/{}", world.hospital))
        .await?;
    if view["collaboration"]["title"] != "Hospital Transfer Logistics"
        || view["collaboration"]["visibility"] != "confidential"
        || view["people"].as_array().map(Vec::len) != Some(2)
        || view["organisations"].as_array().map(Vec::len) != Some(2)
    {
        failures.push(format!("the confidential collaboration changed: {view}"));
    }
    ensure!(
        failures.is_empty(),
        "{} route problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    Ok(())
}
