//! Decisions and action items (issue 5, items 3 and 4), end to end on the engine under test: the
//! visibility matrix (anonymous, outsider, member of another organisation, member) for the four
//! levels, as 404s and in lists; bad input refused with nothing stored; edits and status changes
//! audited; the owner's open items on the home page with an overdue flag as the clock moves; links
//! validated; the per-meeting service functions the meeting page will call.

use crate::support::{
    audit_count, codes, collab_id, count, expect, has_code, intact, outsider, token_api,
};
use anyhow::{Context, Result, ensure};
use chrono::Duration;
use concord_app::accounts::actor_for_email;
use concord_app::{AppError, Clock, action_items, decisions};
use concord_domain::MeetingId;
use concord_testkit::{Api, Engine, TestApp, engine, execute_sql, query_strings};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers

const WINTER: &str = "Winter Resilience Plan";
const SAFE: &str = "Safe Routes to School";
const HOSPITAL: &str = "Hospital Transfer Logistics";

fn id_literal(id: &str) -> String {
    match engine() {
        Engine::Sqlite => format!("X'{}'", id.replace('-', "")),
        Engine::Postgres => format!("'{id}'"),
    }
}

async fn me(api: &Api) -> Result<(String, String)> {
    let me = api.get_json("/api/v1/me").await?;
    Ok((
        me["id"].as_str().context("id")?.to_owned(),
        me["organisation_id"]
            .as_str()
            .context("organisation_id")?
            .to_owned(),
    ))
}

/// Adds a meeting row directly (the meetings feature is built elsewhere; only its table is read).
async fn meeting(app: &TestApp, id: &str, collaboration: &str, title: &str) -> Result<()> {
    execute_sql(
        &app.db.url,
        &format!(
            "INSERT INTO meetings (id, collaboration_id, title, starts_at, ends_at, time_zone, created_at, updated_at) \
             VALUES ({}, {}, '{title}', '2026-11-20T10:00:00Z', '2026-11-20T11:00:00Z', 'Europe/London', \
             '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
            id_literal(id),
            id_literal(collaboration)
        ),
    )
    .await?;
    Ok(())
}

fn today(app: &TestApp) -> String {
    app.server.clock.now().date_naive().to_string()
}

fn decision_body(title: &str, by: &str, on: &str, visibility: &str, audience: &[&str]) -> Value {
    json!({"title": title, "decided": format!("We **agreed**: {title}."), "rationale": "Because.",
           "options": ["Do it", "Wait"], "decided_by": [by], "decided_on": on,
           "visibility": visibility, "audience": audience})
}

async fn record(api: &Api, collab: &str, body: &Value) -> Result<String> {
    let created = expect(
        api.post(&format!("/api/v1/collaborations/{collab}/decisions"), body)
            .await?,
        201,
        "recording a decision",
    )
    .await?;
    Ok(created["decision"]["id"]
        .as_str()
        .context("decision id")?
        .to_owned())
}

async fn create_item(api: &Api, collab: &str, body: &Value) -> Result<String> {
    let created = expect(
        api.post(
            &format!("/api/v1/collaborations/{collab}/action-items"),
            body,
        )
        .await?,
        201,
        "creating an action item",
    )
    .await?;
    Ok(created["item"]["id"]
        .as_str()
        .context("item id")?
        .to_owned())
}

async fn listed(api: &Api, path: &str) -> Result<Vec<String>> {
    let list = api.get_json(path).await?;
    Ok(list["items"]
        .as_array()
        .context("items")?
        .iter()
        .filter_map(|d| d["id"].as_str().map(str::to_owned))
        .collect())
}

async fn status(api: &Api, path: &str) -> Result<u16> {
    Ok(api.get(path).await?.status().as_u16())
}

/// (decisions, options, people, audience, action items, audit events) in the whole database.
async fn stored(app: &TestApp) -> Result<[i64; 6]> {
    Ok([
        count(app, "SELECT count(*) FROM decisions").await?,
        count(app, "SELECT count(*) FROM decision_options").await?,
        count(app, "SELECT count(*) FROM decision_people").await?,
        count(app, "SELECT count(*) FROM decision_audience").await?,
        count(app, "SELECT count(*) FROM action_items").await?,
        audit_count(app).await?,
    ])
}

// ---------------------------------------------------------------------------------------------
// 1. Visibility

#[tokio::test]
async fn the_visibility_matrix_holds_for_reads_and_lists() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let dave = token_api(&app, "dave@trust.example").await?;
    let alice = token_api(&app, "alice@health.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let anonymous = app.api(None);
    let (olga, _) = outsider(&app).await?;
    let winter = collab_id(&carol, WINTER).await?;
    let safe = collab_id(&carol, SAFE).await?;
    let hospital = collab_id(&alice, HOSPITAL).await?;
    let (carol_id, city) = me(&carol).await?;
    let (_, transport) = me(&bob).await?;
    let on = today(&app);

    // Winter (partners only): carol of the City, dave of the Trust (member of another organisation).
    let w_public = record(
        &carol,
        &winter,
        &decision_body("Open warm spaces at 0°C", &carol_id, &on, "public", &[]),
    )
    .await?;
    let w_collab = record(
        &carol,
        &winter,
        &decision_body(
            "Share the visit lists",
            &carol_id,
            &on,
            "collaboration",
            &[],
        ),
    )
    .await?;
    let w_members = record(
        &carol,
        &winter,
        &decision_body("Volunteer rota by street", &carol_id, &on, "members", &[]),
    )
    .await?;
    let w_orgs = record(
        &carol,
        &winter,
        &decision_body(
            "City grit budget",
            &carol_id,
            &on,
            "organisations",
            &[&city],
        ),
    )
    .await?;
    // Safe Routes (public): alice's Health is a partner but alice is not named; bob of Transport is.
    let s_collab = record(
        &carol,
        &safe,
        &decision_body(
            "Crossing survey first",
            &carol_id,
            &on,
            "collaboration",
            &[],
        ),
    )
    .await?;
    let s_members = record(
        &carol,
        &safe,
        &decision_body("Draft budget split", &carol_id, &on, "members", &[]),
    )
    .await?;
    let s_orgs = record(
        &carol,
        &safe,
        &decision_body(
            "Procurement shortlist",
            &carol_id,
            &on,
            "organisations",
            &[&city, &transport],
        ),
    )
    .await?;

    let readers: [(&str, &Api); 6] = [
        ("anonymous", &anonymous),
        ("outsider", &olga),
        ("dave", &dave),
        ("alice", &alice),
        ("bob", &bob),
        ("carol", &carol),
    ];
    // Who sees what: (decision, readers who see it).
    let expected: [(&str, &[&str]); 7] = [
        (
            &w_public,
            &["anonymous", "outsider", "dave", "alice", "bob", "carol"],
        ),
        (&w_collab, &["dave", "carol"]),
        (&w_members, &["dave", "carol"]),
        (&w_orgs, &["carol"]),
        (
            &s_collab,
            &["anonymous", "outsider", "dave", "alice", "bob", "carol"],
        ),
        // The Trust is an (observer) member organisation; alice's Health a partner.
        (&s_members, &["dave", "alice", "bob", "carol"]),
        (&s_orgs, &["bob", "carol"]),
    ];
    let mut failures = Vec::new();
    for (name, api) in readers {
        let winter_list =
            match status(api, &format!("/api/v1/collaborations/{winter}/decisions")).await? {
                200 => {
                    listed(
                        api,
                        &format!("/api/v1/collaborations/{winter}/decisions?limit=100"),
                    )
                    .await?
                }
                _ => Vec::new(),
            };
        let safe_list = listed(
            api,
            &format!("/api/v1/collaborations/{safe}/decisions?limit=100"),
        )
        .await?;
        for (decision, who) in &expected {
            let sees = who.contains(&name);
            let got = status(api, &format!("/api/v1/decisions/{decision}")).await?;
            if got != if sees { 200 } else { 404 } {
                failures.push(format!("{name} GET {decision}: {got}"));
            }
            let in_list = winter_list.contains(&(*decision).to_owned())
                || safe_list.contains(&(*decision).to_owned());
            if in_list != sees {
                failures.push(format!("{name} list {decision}: listed={in_list}"));
            }
        }
    }
    ensure!(failures.is_empty(), "{failures:#?}");

    // Lists neither show nor count hidden decisions: anonymous pages through Winter one at a time
    // and meets only public ones (the demo's and this test's), never an empty page.
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let page = anonymous
            .get_json(&format!(
                "/api/v1/collaborations/{winter}/decisions?limit=1&cursor={cursor}"
            ))
            .await?;
        let items = page["items"].as_array().context("items")?;
        ensure!(
            items.len() == 1 && items[0]["visibility"] == "public",
            "{page}"
        );
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    let public_in_winter = count(
        &app,
        &format!(
            "SELECT count(*) FROM decisions WHERE visibility = 'public' AND collaboration_id = {}",
            id_literal(&winter)
        ),
    )
    .await?;
    ensure!(pages == public_in_winter && pages >= 2, "{pages} pages");
    // The register of a collaboration one may not read exists only through its public decisions.
    ensure!(
        status(
            &anonymous,
            &format!("/api/v1/collaborations/{hospital}/decisions")
        )
        .await?
            == 404
    );
    ensure!(
        status(
            &olga,
            &format!("/api/v1/collaborations/{hospital}/action-items")
        )
        .await?
            == 404
    );
    // The public register lists every public decision and nothing else.
    let public = listed(&anonymous, "/api/v1/decisions?limit=100").await?;
    let all_public = count(
        &app,
        "SELECT count(*) FROM decisions WHERE visibility = 'public'",
    )
    .await?;
    ensure!(
        public.contains(&w_public) && i64::try_from(public.len())? == all_public,
        "{public:?}"
    );
    for hidden in [
        &w_collab, &w_members, &w_orgs, &s_collab, &s_members, &s_orgs,
    ] {
        ensure!(!public.contains(hidden));
    }
    let (code, html) = app.browser().page("/decisions").await?;
    ensure!(
        code == 200
            && html.contains("Open warm spaces at 0°C")
            && !html.contains("Share the visit lists")
    );
    let (code, html) = app
        .browser()
        .page(&format!("/collaborations/{winter}/decisions"))
        .await?;
    ensure!(
        code == 200 && html.contains("Open warm spaces") && !html.contains("Volunteer rota"),
        "{code}"
    );
    let (code, html) = app
        .browser()
        .page(&format!("/decisions/{w_public}"))
        .await?;
    ensure!(
        code == 200 && html.contains("We <strong>agreed</strong>"),
        "{code}"
    );
    let (code, _) = app
        .browser()
        .page(&format!("/decisions/{w_members}"))
        .await?;
    ensure!(code == 404);

    // Action items follow their decision, else the collaboration.
    let (dave_id, _) = me(&dave).await?;
    let due = (app.server.clock.now().date_naive() + Duration::days(7)).to_string();
    let of_public = create_item(&carol, &winter, &json!({"title": "Publish the warm space map", "owner_id": dave_id, "due_on": due, "decision_id": w_public})).await?;
    let of_members = create_item(&carol, &winter, &json!({"title": "Draw the rota", "owner_id": dave_id, "due_on": due, "decision_id": w_members})).await?;
    let plain = create_item(
        &carol,
        &safe,
        &json!({"title": "Count pupils at gate", "owner_id": carol_id, "due_on": due}),
    )
    .await?;
    ensure!(status(&anonymous, &format!("/api/v1/action-items/{of_public}")).await? == 200);
    ensure!(status(&anonymous, &format!("/api/v1/action-items/{of_members}")).await? == 404);
    ensure!(status(&olga, &format!("/api/v1/action-items/{of_members}")).await? == 404);
    ensure!(status(&dave, &format!("/api/v1/action-items/{of_members}")).await? == 200);
    ensure!(status(&anonymous, &format!("/api/v1/action-items/{plain}")).await? == 200);
    let anon_items = listed(
        &anonymous,
        &format!("/api/v1/collaborations/{winter}/action-items"),
    )
    .await?;
    ensure!(
        anon_items.contains(&of_public) && !anon_items.contains(&of_members),
        "{anon_items:?}"
    );
    let dave_items = listed(
        &dave,
        &format!("/api/v1/collaborations/{winter}/action-items?limit=100"),
    )
    .await?;
    ensure!(
        dave_items.contains(&of_public) && dave_items.contains(&of_members),
        "{dave_items:?}"
    );
    let detail = anonymous
        .get_json(&format!("/api/v1/decisions/{w_public}"))
        .await?;
    ensure!(
        detail["decision"]["action_item_count"] == 1
            && detail["action_items"][0]["id"] == json!(of_public),
        "{detail}"
    );
    // Hidden action items are no more counted on the register than hidden decisions.
    intact(&app).await
}

// ---------------------------------------------------------------------------------------------
// 2. Bad input

#[tokio::test]
async fn bad_input_gets_field_errors_and_nothing_is_stored() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let alice = token_api(&app, "alice@health.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let winter = collab_id(&carol, WINTER).await?;
    let safe = collab_id(&carol, SAFE).await?;
    let hospital = collab_id(&alice, HOSPITAL).await?;
    let (carol_id, _) = me(&carol).await?;
    let (alice_id, _) = me(&alice).await?;
    let (bob_id, _) = me(&bob).await?;
    let (_, trust) = me(&token_api(&app, "dave@trust.example").await?).await?;
    let (olga, _) = outsider(&app).await?;
    let safe_meeting = "0190a000-0000-7000-8000-000000000001";
    meeting(&app, safe_meeting, &safe, "Safe Routes steering group").await?;
    let safe_objective = carol
        .get_json(&format!("/api/v1/collaborations/{safe}/objectives"))
        .await?[0]["id"]
        .as_str()
        .context("objective")?
        .to_owned();
    let safe_decision = record(
        &carol,
        &safe,
        &decision_body(
            "Survey first",
            &carol_id,
            &today(&app),
            "collaboration",
            &[],
        ),
    )
    .await?;
    let tomorrow = (app.server.clock.now().date_naive() + Duration::days(1)).to_string();
    let on = today(&app);
    let before = stored(&app).await?;

    let mut bad = Vec::new();
    let body = |f: &dyn Fn(&mut Value)| {
        let mut b = decision_body("Grit the bridges", &carol_id, &on, "collaboration", &[]);
        f(&mut b);
        b
    };
    bad.push((
        &carol,
        winter.clone(),
        body(&|b| b["decided_on"] = json!(tomorrow)),
        "decided_on",
        "in_future",
    ));
    bad.push((
        &carol,
        winter.clone(),
        body(&|b| b["meeting_id"] = json!("0190a000-0000-7000-8000-0000000000ff")),
        "meeting_id",
        "not_in_collaboration",
    ));
    bad.push((
        &carol,
        winter.clone(),
        body(&|b| b["meeting_id"] = json!(safe_meeting)),
        "meeting_id",
        "not_in_collaboration",
    ));
    bad.push((
        &carol,
        winter.clone(),
        body(&|b| b["decided_by"] = json!([bob_id])),
        "decided_by",
        "not_named_on_collaboration",
    ));
    bad.push((
        &carol,
        winter.clone(),
        body(&|b| b["decided_by"] = json!([])),
        "decided_by",
        "meeting_or_people_required",
    ));
    bad.push((
        &carol,
        winter.clone(),
        body(&|b| b["title"] = json!("  ")),
        "title",
        "required",
    ));
    bad.push((
        &carol,
        winter.clone(),
        body(&|b| {
            b["visibility"] = json!("organisations");
            b["audience"] = json!([trust]);
        }),
        "audience",
        "must_include_own_organisation",
    ));
    bad.push((
        &alice,
        hospital.clone(),
        body(&|b| {
            b["visibility"] = json!("public");
            b["decided_by"] = json!([alice_id]);
        }),
        "visibility",
        "public_on_confidential",
    ));
    let mut failures = Vec::new();
    for (api, collab, body, field, code) in &bad {
        let problem = expect(
            api.post(&format!("/api/v1/collaborations/{collab}/decisions"), body)
                .await?,
            422,
            field,
        )
        .await?;
        if !has_code(&problem, field, code) {
            failures.push(format!("{field}/{code}: {:?}", codes(&problem)));
        }
    }
    let item = |f: &dyn Fn(&mut Value)| {
        let mut b = json!({"title": "Order grit", "owner_id": carol_id, "due_on": tomorrow});
        f(&mut b);
        b
    };
    let bad_items = [
        (
            item(&|b| b["owner_id"] = json!(bob_id)),
            "owner_id",
            "not_named_on_collaboration",
        ),
        (
            item(&|b| b["objective_id"] = json!(safe_objective)),
            "objective_id",
            "not_in_collaboration",
        ),
        (
            item(&|b| b["decision_id"] = json!(safe_decision)),
            "decision_id",
            "not_in_collaboration",
        ),
        (
            item(&|b| b["meeting_id"] = json!(safe_meeting)),
            "meeting_id",
            "not_in_collaboration",
        ),
        (item(&|b| b["title"] = json!("")), "title", "required"),
        (
            item(&|b| b["due_on"] = json!("soon")),
            "due_on",
            "invalid_date",
        ),
    ];
    for (body, field, code) in &bad_items {
        let problem = expect(
            carol
                .post(
                    &format!("/api/v1/collaborations/{winter}/action-items"),
                    body,
                )
                .await?,
            422,
            field,
        )
        .await?;
        if !has_code(&problem, field, code) {
            failures.push(format!("item {field}/{code}: {:?}", codes(&problem)));
        }
    }
    ensure!(failures.is_empty(), "{failures:#?}");
    ensure!(stored(&app).await? == before, "something was stored");

    // The page form: the error beside the field, the typed values kept, nothing stored.
    let browser = app.signed_in("carol@riverton.example").await?;
    let before = stored(&app).await?;
    let form = format!("/collaborations/{winter}/decisions/new");
    let response = browser
        .submit(
            &form,
            &form,
            &[
                ("title", "Grit the bridges"),
                ("decided", "Grit at dusk"),
                ("decided_by", &carol_id),
                ("decided_on", &tomorrow),
                ("visibility", "collaboration"),
            ],
        )
        .await?;
    ensure!(response.status() == 422, "{}", response.status());
    let html = response.text().await?;
    ensure!(
        html.contains("The decision date cannot be in the future.")
            && html.contains("id=\"decided_on-error\"")
    );
    ensure!(
        html.contains("value=\"Grit the bridges\"")
            && html.contains(&format!("value=\"{tomorrow}\""))
    );
    ensure!(stored(&app).await? == before, "the page stored something");
    // An outsider cannot record at all (404 on a collaboration they cannot read).
    let refused = olga
        .post(
            &format!("/api/v1/collaborations/{winter}/decisions"),
            &decision_body("X", &carol_id, &on, "public", &[]),
        )
        .await?;
    ensure!(refused.status() == 404);
    // A partner's person who is not named may read but not record (403).
    let refused = alice
        .post(
            &format!("/api/v1/collaborations/{safe}/decisions"),
            &decision_body("X", &carol_id, &on, "collaboration", &[]),
        )
        .await?;
    ensure!(refused.status() == 403);
    ensure!(stored(&app).await? == before);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. Audit

async fn last_event(app: &TestApp) -> Result<(String, String)> {
    let rows = query_strings(
        &app.db.url,
        "SELECT action || ' ' || changed_fields FROM audit_events ORDER BY seq DESC LIMIT 1",
    )
    .await?;
    let row = rows.first().context("no event")?;
    let (action, fields) = row.split_once(' ').context("row")?;
    Ok((action.to_owned(), fields.to_owned()))
}

#[tokio::test]
async fn edits_and_status_changes_are_audited_by_who_may_make_them() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let alice = token_api(&app, "alice@health.example").await?;
    let dave = token_api(&app, "dave@trust.example").await?;
    let hannah = token_api(&app, "hannah@health.example").await?;
    let safe = collab_id(&carol, SAFE).await?;
    let (carol_id, _) = me(&carol).await?;
    let (alice_id, _) = me(&alice).await?;
    let on = today(&app);
    // alice becomes a viewer: named (so she may own items), without AddContent.
    let named = carol
        .post(
            &format!("/api/v1/collaborations/{safe}/people"),
            &json!({"user_id": alice_id, "role": "viewer"}),
        )
        .await?;
    ensure!(
        named.status().is_success(),
        "naming alice: {}",
        named.status()
    );

    let n = audit_count(&app).await?;
    let body = decision_body(
        "Pilot two school streets",
        &carol_id,
        &on,
        "collaboration",
        &[],
    );
    let decision = record(&carol, &safe, &body).await?;
    ensure!(audit_count(&app).await? == n + 1);
    ensure!(last_event(&app).await?.0 == "decision.recorded");
    // Unchanged: nothing recorded.
    expect(
        carol
            .put(&format!("/api/v1/decisions/{decision}"), &body)
            .await?,
        200,
        "same",
    )
    .await?;
    ensure!(audit_count(&app).await? == n + 1);
    let mut changed = body.clone();
    changed["title"] = json!("Pilot three school streets");
    changed["visibility"] = json!("members");
    changed["options"] = json!(["Two", "Three"]);
    let view = expect(
        carol
            .put(&format!("/api/v1/decisions/{decision}"), &changed)
            .await?,
        200,
        "edit",
    )
    .await?;
    ensure!(
        view["decision"]["title"] == "Pilot three school streets"
            && view["decision"]["options"] == json!(["Two", "Three"])
    );
    ensure!(audit_count(&app).await? == n + 2);
    let (action, fields) = last_event(&app).await?;
    ensure!(
        action == "decision.updated"
            && fields.contains("title")
            && fields.contains("visibility")
            && fields.contains("options")
            && !fields.contains("decided_on"),
        "{action} {fields}"
    );
    // A viewer may not edit.
    ensure!(
        alice
            .put(&format!("/api/v1/decisions/{decision}"), &body)
            .await?
            .status()
            == 403
    );

    let due = (app.server.clock.now().date_naive() + Duration::days(3)).to_string();
    let item = create_item(&carol, &safe, &json!({"title": "Measure traffic at Elm Street", "owner_id": alice_id, "due_on": due, "decision_id": decision})).await?;
    ensure!(
        audit_count(&app).await? == n + 3 && last_event(&app).await?.0 == "action_item.created"
    );
    // The owner (a viewer) changes the status; a reader who is neither owner nor contributor may not.
    let path = format!("/api/v1/action-items/{item}/status");
    ensure!(dave.post(&path, &json!({"status": "done"})).await?.status() == 403);
    let done = expect(
        alice.post(&path, &json!({"status": "done"})).await?,
        200,
        "owner",
    )
    .await?;
    ensure!(done["item"]["status"] == "done");
    ensure!(
        audit_count(&app).await? == n + 4
            && last_event(&app).await?.0 == "action_item.status_changed"
    );
    expect(
        alice.post(&path, &json!({"status": "done"})).await?,
        200,
        "again",
    )
    .await?;
    ensure!(
        audit_count(&app).await? == n + 4,
        "an unchanged status records nothing"
    );
    expect(
        hannah.post(&path, &json!({"status": "cancelled"})).await?,
        200,
        "contributor",
    )
    .await?;
    ensure!(audit_count(&app).await? == n + 5);
    let problem = expect(
        hannah.post(&path, &json!({"status": "maybe"})).await?,
        422,
        "bad status",
    )
    .await?;
    ensure!(has_code(&problem, "status", "invalid_choice"));
    let stored = query_strings(
        &app.db.url,
        "SELECT status FROM action_items WHERE title = 'Measure traffic at Elm Street'",
    )
    .await?;
    ensure!(stored == vec!["cancelled".to_owned()], "{stored:?}");
    // Editing the item: audited with the changed fields.
    let edited = json!({"title": "Measure traffic at Elm and Oak", "owner_id": alice_id, "due_on": due, "decision_id": decision});
    expect(
        carol
            .put(&format!("/api/v1/action-items/{item}"), &edited)
            .await?,
        200,
        "edit item",
    )
    .await?;
    let (action, fields) = last_event(&app).await?;
    ensure!(
        action == "action_item.updated" && fields.contains("title") && !fields.contains("owner_id"),
        "{fields}"
    );
    ensure!(audit_count(&app).await? == n + 6);
    // The history page translates the new actions and fields.
    let browser = app.signed_in("carol@riverton.example").await?;
    let (code, html) = browser
        .page(&format!("/collaborations/{safe}/history"))
        .await?;
    ensure!(
        code == 200
            && html.contains("Decision edited")
            && html.contains("Action item status changed")
            && !html.contains("field-"),
        "{code}"
    );
    intact(&app).await
}

// ---------------------------------------------------------------------------------------------
// 4. Home page

fn item_fragment<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let start = html.find(&format!("id=\"item-{id}\""))?;
    let rest = &html[start..];
    Some(&rest[..rest.find("</li>")?])
}

#[tokio::test]
async fn open_items_show_on_the_owners_home_page_flagged_when_overdue() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let alice = token_api(&app, "alice@health.example").await?;
    let hospital = collab_id(&alice, HOSPITAL).await?;
    let (alice_id, _) = me(&alice).await?;
    let tomorrow = (app.server.clock.now().date_naive() + Duration::days(1)).to_string();
    let item = create_item(
        &alice,
        &hospital,
        &json!({"title": "Call the ambulance trust", "owner_id": alice_id, "due_on": tomorrow}),
    )
    .await?;
    let browser = app.signed_in("alice@health.example").await?;
    let (_, html) = browser.page("/").await?;
    let fragment =
        item_fragment(&html, &item).with_context(|| format!("item on the home page: {html}"))?;
    ensure!(
        fragment.contains("Call the ambulance trust") && !fragment.contains("Overdue"),
        "{fragment}"
    );
    let mine = alice.get_json("/api/v1/me/action-items").await?;
    let entry = |mine: &Value| {
        mine.as_array()
            .and_then(|m| m.iter().find(|i| i["id"] == json!(item)).cloned())
    };
    ensure!(entry(&mine).context("mine")?["overdue"] == false);

    app.server.clock.advance(Duration::days(2));
    // Sessions expire when idle; sign in again on the later day.
    let browser = app.signed_in("alice@health.example").await?;
    let (_, html) = browser.page("/").await?;
    let fragment = item_fragment(&html, &item).context("item on the home page")?;
    ensure!(
        fragment.contains("Overdue") && fragment.contains("Was due"),
        "{fragment}"
    );
    let mine = alice.get_json("/api/v1/me/action-items").await?;
    ensure!(entry(&mine).context("mine")?["overdue"] == true);
    // Someone else's home page does not show it.
    let (_, bob_home) = app
        .signed_in("bob@transport.example")
        .await?
        .page("/")
        .await?;
    ensure!(!bob_home.contains("Call the ambulance trust"));
    // Marked done from the home page, it leaves it.
    let response = browser
        .submit(
            "/",
            &format!("/action-items/{item}/status"),
            &[("status", "done"), ("back", "/")],
        )
        .await?;
    ensure!(response.status() == 303, "{}", response.status());
    let (_, html) = browser.page("/").await?;
    ensure!(item_fragment(&html, &item).is_none());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 5. Meetings, links and filters

#[tokio::test]
async fn meeting_links_filters_and_the_per_meeting_service_functions() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let winter = collab_id(&carol, WINTER).await?;
    let (carol_id, city) = me(&carol).await?;
    let (dave_id, _) = me(&token_api(&app, "dave@trust.example").await?).await?;
    let meeting_id = "0190a000-0000-7000-8000-000000000002";
    meeting(&app, meeting_id, &winter, "Cold weather cell").await?;
    let on = today(&app);
    let mut at_meeting = decision_body("Open the civic centre", &carol_id, &on, "members", &[]);
    at_meeting["meeting_id"] = json!(meeting_id);
    at_meeting["decided_by"] = json!([]);
    let d1 = record(&carol, &winter, &at_meeting).await?;
    let mut narrow = at_meeting.clone();
    narrow["title"] = json!("Overtime for gritters");
    narrow["visibility"] = json!("organisations");
    narrow["audience"] = json!([city]);
    let d2 = record(&carol, &winter, &narrow).await?;
    let earlier = (app.server.clock.now().date_naive() - Duration::days(20)).to_string();
    let d3 = record(
        &carol,
        &winter,
        &decision_body("Buy salt early", &carol_id, &earlier, "public", &[]),
    )
    .await?;
    let detail = carol.get_json(&format!("/api/v1/decisions/{d1}")).await?;
    ensure!(detail["decision"]["meeting"]["title"] == "Cold weather cell");
    let (_, html) = app
        .signed_in("carol@riverton.example")
        .await?
        .page(&format!("/decisions/{d1}"))
        .await?;
    ensure!(html.contains(&format!("href=\"/meetings/{meeting_id}\"")));
    // An owner who could not read an organisations-only decision is refused.
    let problem = expect(
        carol
            .post(
                &format!("/api/v1/collaborations/{winter}/action-items"),
                &json!({"title": "Roster", "owner_id": dave_id, "due_on": on, "decision_id": d2}),
            )
            .await?,
        422,
        "owner",
    )
    .await?;
    ensure!(
        has_code(&problem, "owner_id", "cannot_see_decision"),
        "{problem}"
    );
    let i1 = create_item(&carol, &winter, &json!({"title": "Book the hall", "owner_id": dave_id, "due_on": on, "decision_id": d1, "meeting_id": meeting_id})).await?;

    // Filters: meeting, visibility, date range, words; paging by cursor.
    let base = format!("/api/v1/collaborations/{winter}/decisions");
    ensure!(
        listed(&carol, &format!("{base}?meeting={meeting_id}"))
            .await?
            .len()
            == 2
    );
    let public = carol
        .get_json(&format!("{base}?visibility=public&limit=100"))
        .await?;
    let public = public["items"].as_array().context("items")?;
    ensure!(
        public.iter().any(|d| d["id"] == json!(d3))
            && public.iter().all(|d| d["visibility"] == "public")
    );
    ensure!(listed(&carol, &format!("{base}?to={earlier}&q=salt")).await? == vec![d3.clone()]);
    let later = (app.server.clock.now().date_naive() - Duration::days(19)).to_string();
    ensure!(
        listed(&carol, &format!("{base}?from={later}&q=salt"))
            .await?
            .is_empty()
    );
    ensure!(listed(&carol, &format!("{base}?from={on}&q=GRITTERS")).await? == vec![d2.clone()]);
    let problem = expect(
        carol.get(&format!("{base}?from=yesterday")).await?,
        422,
        "bad filter",
    )
    .await?;
    ensure!(has_code(&problem, "from", "invalid_date"));
    // Paging two at a time meets every decision once, in the order of the whole list.
    let whole = listed(&carol, &format!("{base}?limit=100")).await?;
    let mut paged = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = carol
            .get_json(&format!("{base}?limit=2&cursor={cursor}"))
            .await?;
        for d in page["items"].as_array().context("items")? {
            paged.push(d["id"].as_str().context("id")?.to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    ensure!(paged == whole && whole.len() >= 3, "{paged:?} vs {whole:?}");
    let items = listed(
        &carol,
        &format!("/api/v1/collaborations/{winter}/action-items?status=open&owner={dave_id}"),
    )
    .await?;
    ensure!(items.contains(&i1));
    for item in carol
        .get_json(&format!(
            "/api/v1/collaborations/{winter}/action-items?status=open&owner={dave_id}"
        ))
        .await?["items"]
        .as_array()
        .context("items")?
    {
        ensure!(item["status"] == "open" && item["owner_id"] == json!(dave_id));
    }
    ensure!(
        !listed(
            &carol,
            &format!("/api/v1/collaborations/{winter}/action-items?status=done")
        )
        .await?
        .contains(&i1)
    );

    // The service functions for the meeting page: what each reader may see.
    let core = &app.server.app;
    let meeting = meeting_id
        .parse::<MeetingId>()
        .map_err(|_| anyhow::anyhow!("id"))?;
    let as_carol = actor_for_email(core, "carol@riverton.example")
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let as_dave = actor_for_email(core, "dave@trust.example")
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let anonymous = concord_domain::policy::Actor::Anonymous;
    let seen = |d: Vec<concord_domain::decision::Decision>| {
        d.into_iter().map(|d| d.id.to_string()).collect::<Vec<_>>()
    };
    let carol_sees = seen(
        decisions::for_meeting(core, &as_carol, meeting)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?,
    );
    ensure!(carol_sees.len() == 2 && carol_sees.contains(&d2));
    let dave_sees = seen(
        decisions::for_meeting(core, &as_dave, meeting)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?,
    );
    ensure!(dave_sees == vec![d1.clone()], "{dave_sees:?}");
    ensure!(matches!(
        decisions::for_meeting(core, &anonymous, meeting).await,
        Err(AppError::NotFound)
    ));
    let dave_items = action_items::for_meeting(core, &as_dave, meeting)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    ensure!(dave_items.len() == 1 && dave_items[0].id.to_string() == i1);
    // The record form takes the meeting from the link.
    let (code, html) = app
        .signed_in("carol@riverton.example")
        .await?
        .page(&format!(
            "/collaborations/{winter}/decisions/new?meeting={meeting_id}"
        ))
        .await?;
    ensure!(
        code == 200 && html.contains(&format!("<option value=\"{meeting_id}\" selected>")),
        "{code}"
    );
    Ok(())
}

#[tokio::test]
async fn each_decision_of_a_register_page_carries_its_own_options_people_and_audience() -> Result<()>
{
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let mut compared = 0;
    let mut with_audience = 0;
    for title in ["Safe Routes to School", "Winter Resilience Plan"] {
        let collab = collab_id(&carol, title).await?;
        let page = carol
            .get_json(&format!(
                "/api/v1/collaborations/{collab}/decisions?limit=100"
            ))
            .await?;
        let items = page["items"].as_array().context("items")?;
        ensure!(items.len() >= 3, "{title}: {page}");
        // The page's details (read for all its decisions at once) match each decision's own.
        for item in items {
            let id = item["id"].as_str().context("id")?;
            let own = carol.get_json(&format!("/api/v1/decisions/{id}")).await?;
            for field in ["options", "decided_by", "audience", "meeting"] {
                assert_eq!(
                    item[field], own["decision"][field],
                    "{title}, {id}: {field}"
                );
            }
            if item["audience"].as_array().is_some_and(|a| !a.is_empty()) {
                with_audience += 1;
            }
            compared += 1;
        }
    }
    ensure!(
        compared >= 6 && with_audience >= 1,
        "{compared} compared, {with_audience} with an audience"
    );
    Ok(())
}
