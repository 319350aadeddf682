//! Meetings and iCalendar (issue 5, items 2 and 5), end to end on the engine under test: who
//! schedules, changes and cancels (each audited, SEQUENCE bumped); confidential meetings invisible
//! to outsiders; bad input refused with nothing stored; agenda order; RSVPs only from invited
//! people; `.ics` files checked by the independent Python `icalendar` parser; the personal feed
//! acting as its owner and gone once revoked.

use crate::support::{
    audit_count, collab_id, count, expect, has_code, intact, outsider, token_api,
};
use anyhow::{Context, Result, ensure};
use concord_testkit::{Api, TestApp};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers

async fn me(api: &Api) -> Result<String> {
    Ok(api.get_json("/api/v1/me").await?["id"]
        .as_str()
        .context("id")?
        .to_owned())
}

/// (meetings, agenda items, attendees) stored.
async fn stored(app: &TestApp) -> Result<[i64; 3]> {
    Ok([
        count(app, "SELECT count(*) FROM meetings").await?,
        count(app, "SELECT count(*) FROM agenda_items").await?,
        count(app, "SELECT count(*) FROM meeting_attendees").await?,
    ])
}

fn meeting(title: &str, start: &str, end: &str) -> Value {
    json!({"title": title, "starts_at": start, "ends_at": end, "time_zone": "Europe/Paris",
           "place": "City Hall, room 4", "online_url": "https://meet.example/steering"})
}

async fn create(api: &Api, collab: &str, body: &Value) -> Result<Value> {
    expect(
        api.post(&format!("/api/v1/collaborations/{collab}/meetings"), body)
            .await?,
        201,
        "scheduling a meeting",
    )
    .await
}

fn id(view: &Value) -> String {
    view["meeting"]["id"].as_str().unwrap_or("").to_owned()
}

/// A meeting of Safe Routes in 2030 scheduled by Carol (its coordinator): her client and its id.
async fn carols_meeting(app: &TestApp, title: &str) -> Result<(Api, String)> {
    let carol = token_api(app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let created = create(
        &carol,
        &safe_routes,
        &meeting(title, "2030-07-01T09:00", "2030-07-01T11:00"),
    )
    .await?;
    Ok((carol, id(&created)))
}

async fn add_item(api: &Api, meeting: &str, title: &str, minutes: i64) -> Result<String> {
    let item = expect(
        api.post(
            &format!("/api/v1/meetings/{meeting}/agenda-items"),
            &json!({"title": title, "duration_minutes": minutes}),
        )
        .await?,
        201,
        "adding an agenda item",
    )
    .await?;
    Ok(item["item"]["id"].as_str().context("item id")?.to_owned())
}

fn agenda_titles(view: &Value) -> Vec<(i64, String)> {
    view["agenda"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| {
                    (
                        i["item"]["position"].as_i64().unwrap_or(0),
                        i["item"]["title"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Runs the Python `icalendar` checker on `text` with `expectations`.
fn check_ics(text: &str, expectations: &Value) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("concord-ics-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("meeting.ics");
    std::fs::write(&file, text)?;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ical_check.py");
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(&file)
        .arg(expectations.to_string())
        .output()
        .context("running python3 (pip install icalendar)")?;
    let _ = std::fs::remove_dir_all(&dir);
    ensure!(
        output.status.success(),
        "icalendar check failed: {}\n{}\n--- file:\n{text}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    Ok(())
}

async fn ics(app: &TestApp, api: &Api, path: &str) -> Result<(u16, String, String)> {
    let _ = app;
    let response = api.get(path).await?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    Ok((status, content_type, response.text().await?))
}

// ---------------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn meetings_are_scheduled_changed_and_cancelled_with_audit_and_sequence() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let anonymous = app.api(None);
    let (olga, _) = outsider(&app).await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;

    let audit = audit_count(&app).await?;
    let before = stored(&app).await?;
    let created = create(
        &carol,
        &safe_routes,
        &meeting("Steering group", "2030-03-04T10:00", "2030-03-04T11:30"),
    )
    .await?;
    let meeting_id = id(&created);
    assert_eq!(audit_count(&app).await?, audit + 1);
    assert_eq!(stored(&app).await?[0], before[0] + 1);
    assert_eq!(created["meeting"]["starts_at"], "2030-03-04T09:00:00Z");
    assert_eq!(created["meeting"]["ends_at"], "2030-03-04T10:30:00Z");
    assert_eq!(created["meeting"]["time_zone"], "Europe/Paris");
    assert_eq!(created["meeting"]["sequence"], 0);
    assert_eq!(created["meeting"]["status"], "scheduled");
    assert_eq!(created["can_edit"], true);

    // Anonymous reads the public collaboration's meetings, but changes nothing.
    let path = format!("/api/v1/meetings/{meeting_id}");
    let seen = anonymous.get_json(&path).await?;
    assert_eq!(seen["meeting"]["title"], "Steering group");
    assert_eq!(seen["can_edit"], false);
    let list = anonymous
        .get_json(&format!("/api/v1/collaborations/{safe_routes}/meetings"))
        .await?;
    assert!(
        list["upcoming"]
            .as_array()
            .is_some_and(|u| u.iter().any(|m| m["id"] == meeting_id.as_str())),
        "{list}"
    );
    let body = meeting("Changed", "2030-03-04T10:00", "2030-03-04T12:00");
    expect(anonymous.put(&path, &body).await?, 401, "anonymous update").await?;
    expect(olga.put(&path, &body).await?, 403, "outsider update").await?;
    expect(
        olga.post(
            &format!("/api/v1/collaborations/{safe_routes}/meetings"),
            &body,
        )
        .await?,
        403,
        "outsider schedules",
    )
    .await?;
    assert_eq!(audit_count(&app).await?, audit + 1);

    // An update bumps SEQUENCE and records the changed fields.
    let updated = expect(carol.put(&path, &body).await?, 200, "update").await?;
    assert_eq!(updated["meeting"]["sequence"], 1);
    assert_eq!(updated["meeting"]["title"], "Changed");
    assert_eq!(updated["meeting"]["ends_at"], "2030-03-04T11:00:00Z");
    assert_eq!(audit_count(&app).await?, audit + 2);
    let fields = crate::support::count(
        &app,
        "SELECT count(*) FROM audit_events WHERE action = 'meeting.updated'",
    )
    .await?;
    assert_eq!(fields, 1);
    // The same values again change nothing.
    let same = expect(carol.put(&path, &body).await?, 200, "same update").await?;
    assert_eq!(same["meeting"]["sequence"], 1);
    assert_eq!(audit_count(&app).await?, audit + 2);

    // Cancelling bumps it again; a second cancellation is a conflict.
    let cancel = format!("/api/v1/meetings/{meeting_id}/cancel");
    let cancelled = expect(carol.post(&cancel, &json!({})).await?, 200, "cancel").await?;
    assert_eq!(cancelled["meeting"]["status"], "cancelled");
    assert_eq!(cancelled["meeting"]["sequence"], 2);
    assert_eq!(audit_count(&app).await?, audit + 3);
    expect(carol.post(&cancel, &json!({})).await?, 409, "cancel twice").await?;
    expect(carol.put(&path, &body).await?, 409, "edit cancelled").await?;
    assert_eq!(audit_count(&app).await?, audit + 3);
    assert_eq!(
        crate::support::count(
            &app,
            "SELECT count(*) FROM meetings WHERE status = 'cancelled' AND sequence = 2"
        )
        .await?,
        1
    );
    intact(&app).await
}

#[tokio::test]
async fn confidential_meetings_do_not_exist_for_outsiders() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let alice = token_api(&app, "alice@health.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let (olga, _) = outsider(&app).await?;
    let anonymous = app.api(None);
    let hospital = collab_id(&alice, "Hospital Transfer Logistics").await?;
    let created = create(
        &alice,
        &hospital,
        &meeting("Contract review", "2030-05-01T09:00", "2030-05-01T10:00"),
    )
    .await?;
    let meeting_id = id(&created);
    let item = add_item(&alice, &meeting_id, "Tender scores", 30).await?;
    let audit = audit_count(&app).await?;
    let path = format!("/api/v1/meetings/{meeting_id}");
    expect(bob.get(&path).await?, 200, "partner reads").await?;
    for (who, api) in [("outsider", &olga), ("anonymous", &anonymous)] {
        expect(api.get(&path).await?, 404, who).await?;
        expect(
            api.get(&format!("/api/v1/collaborations/{hospital}/meetings"))
                .await?,
            404,
            who,
        )
        .await?;
        expect(
            api.post(&format!("{path}/cancel"), &json!({})).await?,
            404,
            who,
        )
        .await?;
        expect(
            api.put(
                &format!("/api/v1/agenda-items/{item}/minutes"),
                &json!({"minutes": "x"}),
            )
            .await?,
            404,
            who,
        )
        .await?;
        expect(
            api.get(&format!("/meetings/{meeting_id}/calendar.ics"))
                .await?,
            404,
            who,
        )
        .await?;
        expect(api.get(&format!("/meetings/{meeting_id}")).await?, 404, who).await?;
    }
    assert_eq!(audit_count(&app).await?, audit);
    Ok(())
}

#[tokio::test]
async fn bad_input_is_refused_beside_the_field_and_nothing_is_stored() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let alice = token_api(&app, "alice@health.example").await?;
    let (olga, _) = outsider(&app).await?;
    let olga_id = me(&olga).await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let created = create(
        &carol,
        &safe_routes,
        &meeting("Walkability audit", "2030-06-01T14:00", "2030-06-01T15:00"),
    )
    .await?;
    let meeting_id = id(&created);
    let audit = audit_count(&app).await?;
    let before = stored(&app).await?;
    let collection = format!("/api/v1/collaborations/{safe_routes}/meetings");

    let cases = [
        (
            meeting("x", "2030-06-01T14:00", "2030-06-01T13:00"),
            "ends_at",
            "must_be_after_start",
        ),
        (
            meeting("x", "2030-06-01T14:00", "2030-06-01T14:00"),
            "ends_at",
            "must_be_after_start",
        ),
        (
            json!({"title": "x", "starts_at": "2030-06-01T14:00", "ends_at": "2030-06-01T15:00",
                   "time_zone": "Europe/Atlantis"}),
            "time_zone",
            "unknown_time_zone",
        ),
        (
            json!({"title": "x", "starts_at": "2030-06-01T14:00", "ends_at": "2030-06-01T15:00",
                   "time_zone": "UTC", "online_url": "javascript:alert(1)"}),
            "online_url",
            "invalid_url",
        ),
        (
            json!({"title": "x", "starts_at": "2030-06-01T14:00", "ends_at": "2030-06-01T15:00",
                   "time_zone": "UTC", "online_url": "ftp://files.example/x"}),
            "online_url",
            "invalid_url",
        ),
    ];
    for (body, field, code) in &cases {
        let problem = expect(carol.post(&collection, body).await?, 422, code).await?;
        assert_eq!(problem["code"], "invalid_input");
        assert!(has_code(&problem, field, code), "{problem}");
        let problem = expect(
            carol
                .put(&format!("/api/v1/meetings/{meeting_id}"), body)
                .await?,
            422,
            code,
        )
        .await?;
        assert!(has_code(&problem, field, code), "{problem}");
    }

    // A presenter, or an attendee, from outside the member organisations.
    let problem = expect(
        carol
            .post(
                &format!("/api/v1/meetings/{meeting_id}/agenda-items"),
                &json!({"title": "Intro", "duration_minutes": 10, "presenter_id": olga_id}),
            )
            .await?,
        422,
        "presenter outside",
    )
    .await?;
    assert!(
        has_code(&problem, "presenter_id", "not_a_member_person"),
        "{problem}"
    );
    let problem = expect(
        carol
            .post(
                &format!("/api/v1/meetings/{meeting_id}/agenda-items"),
                &json!({"title": "Intro", "duration_minutes": 481}),
            )
            .await?,
        422,
        "time box",
    )
    .await?;
    assert!(
        has_code(&problem, "duration_minutes", "out_of_range"),
        "{problem}"
    );
    let problem = expect(
        carol
            .post(
                &format!("/api/v1/meetings/{meeting_id}/attendees"),
                &json!({"user_id": olga_id}),
            )
            .await?,
        422,
        "attendee outside",
    )
    .await?;
    assert!(
        has_code(&problem, "user_id", "not_a_member_person"),
        "{problem}"
    );

    // Alice (a member, not invited) cannot answer.
    let problem = expect(
        alice
            .put(
                &format!("/api/v1/meetings/{meeting_id}/rsvp"),
                &json!({"response": "yes"}),
            )
            .await?,
        422,
        "rsvp not invited",
    )
    .await?;
    assert!(has_code(&problem, "response", "not_invited"), "{problem}");

    assert_eq!(stored(&app).await?, before);
    assert_eq!(audit_count(&app).await?, audit);
    let row = crate::support::count(
        &app,
        "SELECT count(*) FROM meetings WHERE title = 'Walkability audit' AND sequence = 0",
    )
    .await?;
    assert_eq!(row, 1, "the meeting is unchanged");

    // The page shows the message beside the field and keeps the values typed.
    let browser = app.signed_in("carol@riverton.example").await?;
    let form = format!("/collaborations/{safe_routes}/meetings/new");
    let response = browser
        .submit(
            &form,
            &form,
            &[
                ("title", "Typed title"),
                ("starts_at", "2030-06-01T14:00"),
                ("ends_at", "2030-06-01T13:00"),
                ("time_zone", "Europe/Paris"),
                ("place", ""),
                ("online_url", ""),
            ],
        )
        .await?;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await?;
    assert!(html.contains("id=\"ends_at-error\""), "{html}");
    assert!(html.contains("The end must be after the start."));
    assert!(html.contains("value=\"Typed title\""));
    assert!(html.contains("value=\"2030-06-01T13:00\""));
    assert_eq!(stored(&app).await?, before);
    Ok(())
}

#[tokio::test]
async fn the_agenda_keeps_its_order_and_minutes_are_rendered_safely() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (carol, meeting_id) = carols_meeting(&app, "Quarterly review").await?;
    let first = add_item(&carol, &meeting_id, "Welcome", 5).await?;
    let _second = add_item(&carol, &meeting_id, "Crossing patrols", 30).await?;
    let third = add_item(&carol, &meeting_id, "Budget", 20).await?;
    let path = format!("/api/v1/meetings/{meeting_id}");
    let view = carol.get_json(&path).await?;
    assert_eq!(
        agenda_titles(&view),
        [
            (1, "Welcome".to_owned()),
            (2, "Crossing patrols".to_owned()),
            (3, "Budget".to_owned())
        ]
    );
    let audit = audit_count(&app).await?;
    expect(
        carol
            .post(
                &format!("/api/v1/agenda-items/{third}/move"),
                &json!({"direction": "up"}),
            )
            .await?,
        200,
        "move up",
    )
    .await?;
    // Moving the first item up changes nothing and records nothing.
    expect(
        carol
            .post(
                &format!("/api/v1/agenda-items/{first}/move"),
                &json!({"direction": "up"}),
            )
            .await?,
        200,
        "first up",
    )
    .await?;
    assert_eq!(audit_count(&app).await?, audit + 1);
    let view = carol.get_json(&path).await?;
    assert_eq!(
        agenda_titles(&view),
        [
            (1, "Welcome".to_owned()),
            (2, "Budget".to_owned()),
            (3, "Crossing patrols".to_owned())
        ]
    );
    expect(
        carol
            .delete(&format!("/api/v1/agenda-items/{first}"))
            .await?,
        204,
        "delete",
    )
    .await?;
    let view = carol.get_json(&path).await?;
    assert_eq!(
        agenda_titles(&view),
        [(1, "Budget".to_owned()), (2, "Crossing patrols".to_owned())]
    );

    let minutes = expect(
        carol
            .put(
                &format!("/api/v1/agenda-items/{third}/minutes"),
                &json!({"minutes": "Agreed **€40k**.\n\n<script>alert(1)</script>"}),
            )
            .await?,
        200,
        "minutes",
    )
    .await?;
    let html = minutes["minutes_html"].as_str().context("minutes_html")?;
    assert!(html.contains("<strong>€40k</strong>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert_eq!(
        crate::support::count(
            &app,
            "SELECT count(*) FROM agenda_items WHERE minutes LIKE '%<script>%'"
        )
        .await?,
        1,
        "stored as written"
    );
    // The printable page has the agenda, attendees and the minutes.
    let (status, page) = app
        .browser()
        .page(&format!("/meetings/{meeting_id}/print"))
        .await?;
    assert_eq!(status.as_u16(), 200);
    assert!(page.contains("Budget") && page.contains("<strong>€40k</strong>"));
    assert!(!page.contains("<script>alert"));
    Ok(())
}

#[tokio::test]
async fn attendees_answer_for_themselves_and_ics_files_parse() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let hannah = token_api(&app, "hannah@health.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let anonymous = app.api(None);
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let created = create(
        &carol,
        &safe_routes,
        &meeting(
            "Patrols; pilot, phase 2",
            "2030-03-04T10:00",
            "2030-03-04T11:30",
        ),
    )
    .await?;
    let meeting_id = id(&created);
    add_item(&carol, &meeting_id, "Pilot results, by school", 25).await?;
    for who in [&hannah, &bob] {
        let user = me(who).await?;
        expect(
            carol
                .post(
                    &format!("/api/v1/meetings/{meeting_id}/attendees"),
                    &json!({"user_id": user}),
                )
                .await?,
            200,
            "invite",
        )
        .await?;
    }
    let audit = audit_count(&app).await?;
    let answered_sql =
        "SELECT count(*) FROM meeting_attendees WHERE rsvp = 'yes' AND responded_at IS NOT NULL";
    let answered_before = crate::support::count(&app, answered_sql).await?;
    let rsvp = format!("/api/v1/meetings/{meeting_id}/rsvp");
    let answered = expect(
        hannah.put(&rsvp, &json!({"response": "yes"})).await?,
        200,
        "hannah answers",
    )
    .await?;
    assert_eq!(answered["my_rsvp"], "yes");
    expect(
        hannah.put(&rsvp, &json!({"response": "pending"})).await?,
        422,
        "pending is no answer",
    )
    .await?;
    assert_eq!(audit_count(&app).await?, audit + 1);
    assert_eq!(
        crate::support::count(&app, answered_sql).await?,
        answered_before + 1
    );

    let uid = format!("{meeting_id}@concord");
    let ics_path = format!("/meetings/{meeting_id}/calendar.ics");
    let (status, content_type, text) = ics(&app, &anonymous, &ics_path).await?;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    // Anonymous readers get no email addresses.
    assert!(!text.contains("mailto:"), "{text}");
    check_ics(
        &text,
        &json!({"method": "PUBLISH", "count": 1, "uid": uid, "sequence": 0, "status": "CONFIRMED",
                "dtstart": "2030-03-04T09:00:00+00:00", "dtend": "2030-03-04T10:30:00+00:00",
                "summary": "Patrols; pilot, phase 2", "description_contains": "Pilot results, by school",
                "partstats": ["ACCEPTED", "NEEDS-ACTION"]}),
    )?;

    expect(
        bob.put(&rsvp, &json!({"response": "maybe"})).await?,
        200,
        "bob answers",
    )
    .await?;
    expect(
        carol
            .put(
                &format!("/api/v1/meetings/{meeting_id}"),
                &meeting(
                    "Patrols; pilot, phase 2",
                    "2030-03-04T10:30",
                    "2030-03-04T12:00",
                ),
            )
            .await?,
        200,
        "update",
    )
    .await?;
    let (_, _, text) = ics(&app, &anonymous, &ics_path).await?;
    check_ics(
        &text,
        &json!({"method": "PUBLISH", "uid": uid, "sequence": 1, "status": "CONFIRMED",
                "dtstart": "2030-03-04T09:30:00+00:00", "dtend": "2030-03-04T11:00:00+00:00",
                "partstats": ["ACCEPTED", "TENTATIVE"]}),
    )?;
    expect(
        carol
            .post(&format!("/api/v1/meetings/{meeting_id}/cancel"), &json!({}))
            .await?,
        200,
        "cancel",
    )
    .await?;
    let (_, _, text) = ics(&app, &anonymous, &ics_path).await?;
    check_ics(
        &text,
        &json!({"method": "CANCEL", "uid": uid, "sequence": 2, "status": "CANCELLED"}),
    )?;
    Ok(())
}

#[tokio::test]
async fn the_personal_feed_acts_as_its_owner_and_is_gone_once_revoked() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let hannah_api = token_api(&app, "hannah@health.example").await?;
    let hannah_id = me(&hannah_api).await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let created = create(
        &carol,
        &safe_routes,
        &meeting("Feed test", "2030-09-01T10:00", "2030-09-01T11:00"),
    )
    .await?;
    let meeting_id = id(&created);
    expect(
        carol
            .post(
                &format!("/api/v1/meetings/{meeting_id}/attendees"),
                &json!({"user_id": hannah_id}),
            )
            .await?,
        200,
        "invite",
    )
    .await?;

    let browser = app.signed_in("hannah@health.example").await?;
    let audit = audit_count(&app).await?;
    let response = browser
        .submit("/account/calendar", "/account/calendar", &[("feed", "new")])
        .await?;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await?;
    let start = html.find("/calendar/").context("feed URL on the page")?;
    let rest = &html[start..];
    let end = rest.find(".ics").context(".ics")? + 4;
    let feed_path = rest[..end].to_owned();
    let token = feed_path
        .trim_start_matches("/calendar/")
        .trim_end_matches(".ics");
    assert_eq!(token.len(), 64, "256 bits, hex");
    assert_eq!(audit_count(&app).await?, audit + 1);
    // Only the hash is stored.
    assert_eq!(
        crate::support::count(
            &app,
            &format!("SELECT count(*) FROM calendar_feeds WHERE token_hash = '{token}'")
        )
        .await?,
        0
    );
    assert_eq!(
        crate::support::count(&app, "SELECT count(*) FROM calendar_feeds").await?,
        1
    );

    // Fetched without any session, as a calendar application would.
    let anonymous = app.api(None);
    let (status, _, text) = ics(&app, &anonymous, &feed_path).await?;
    assert_eq!(status, 200, "{text}");
    check_ics(
        &text,
        &json!({"method": "PUBLISH", "count": 1, "uid": format!("{meeting_id}@concord"),
                "status": "CONFIRMED", "partstats": ["NEEDS-ACTION"]}),
    )?;
    // Cancelled meetings stay in the feed, marked so calendars remove them.
    expect(
        carol
            .post(&format!("/api/v1/meetings/{meeting_id}/cancel"), &json!({}))
            .await?,
        200,
        "cancel",
    )
    .await?;
    let (_, _, text) = ics(&app, &anonymous, &feed_path).await?;
    check_ics(
        &text,
        &json!({"count": 1, "uid": format!("{meeting_id}@concord"), "status": "CANCELLED", "sequence": 1}),
    )?;

    // Regenerating replaces the URL; revoking makes it 404.
    let response = browser
        .submit("/account/calendar", "/account/calendar", &[("feed", "new")])
        .await?;
    assert_eq!(response.status().as_u16(), 200);
    let (status, _, _) = ics(&app, &anonymous, &feed_path).await?;
    assert_eq!(status, 404, "the old URL stops working");
    let html = response.text().await?;
    let start = html.find("/calendar/").context("new feed URL")?;
    let rest = &html[start..];
    let new_path = rest[..rest.find(".ics").context(".ics")? + 4].to_owned();
    assert_ne!(new_path, feed_path);
    expect(anonymous.get(&new_path).await?, 200, "new feed").await?;
    let response = browser
        .submit("/account/calendar", "/account/calendar/revoke", &[])
        .await?;
    assert_eq!(response.status().as_u16(), 303);
    expect(anonymous.get(&new_path).await?, 404, "revoked feed").await?;
    expect(
        anonymous.get("/calendar/not-a-token.ics").await?,
        404,
        "unknown feed",
    )
    .await?;
    assert_eq!(
        crate::support::count(&app, "SELECT count(*) FROM calendar_feeds").await?,
        0
    );
    intact(&app).await
}

/// The demo meeting of `collaboration` held `title`'s day: found through the API's list.
async fn past_meeting(api: &Api, collaboration: &str, title: &str) -> Result<String> {
    let list = api
        .get_json(&format!("/api/v1/collaborations/{collaboration}/meetings"))
        .await?;
    let found = list["past"]
        .as_array()
        .context("past")?
        .iter()
        .find(|m| m["title"] == title)
        .with_context(|| format!("no past meeting {title:?}: {list}"))?;
    Ok(found["id"].as_str().context("id")?.to_owned())
}

#[tokio::test]
async fn a_meeting_page_shows_its_decisions_and_action_items_as_far_as_the_reader_may_see()
-> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;

    // Safe Routes' first meeting took the (public) pilot decision, which caused two action items.
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let kick_off = past_meeting(&carol, &safe_routes, "Safe Routes steering group").await?;
    let carols = app.signed_in("carol@riverton.example").await?;
    for path in [
        format!("/meetings/{kick_off}"),
        format!("/meetings/{kick_off}/print"),
    ] {
        let (status, page) = carols.page(&path).await?;
        assert_eq!(status, 200, "{path}");
        for expected in [
            "id=\"outcomes-heading\"",
            ">Pilot 20 mph zones around the first six schools</a>",
            "Publish the list of pilot schools",
            "Order the 20 mph signs for the pilot",
        ] {
            ensure!(page.contains(expected), "{path} lacks {expected:?}");
        }
    }
    let (_, page) = carols.page(&format!("/meetings/{kick_off}")).await?;
    ensure!(
        page.contains(&format!(
            "/collaborations/{safe_routes}/decisions/new?meeting={kick_off}"
        )),
        "an editor can record a decision of this meeting"
    );

    // Winter's third meeting took a decision for the City only: Carol (City) sees it on the
    // meeting page; Dave (the Trust), who may read the meeting, does not.
    let winter = collab_id(&carol, "Winter Resilience Plan").await?;
    let list = carol
        .get_json(&format!("/api/v1/collaborations/{winter}/meetings"))
        .await?;
    let third = list["past"]
        .as_array()
        .context("past")?
        .first()
        .context("the latest past meeting")?["id"]
        .as_str()
        .context("id")?
        .to_owned();
    let gritting = "Fund gritting overtime from the winter reserve";
    let (_, page) = carols.page(&format!("/meetings/{third}")).await?;
    ensure!(page.contains(gritting), "Carol sees the City's decision");
    let daves = app.signed_in("dave@trust.example").await?;
    let (status, page) = daves.page(&format!("/meetings/{third}")).await?;
    assert_eq!(status, 200);
    ensure!(
        !page.contains(gritting),
        "Dave does not see the City's decision"
    );
    let (_, print) = daves.page(&format!("/meetings/{third}/print")).await?;
    ensure!(!print.contains(gritting), "nor on the print page");
    Ok(())
}

#[tokio::test]
async fn the_api_gives_a_meetings_outcomes_as_far_as_the_caller_may_see() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let dave = token_api(&app, "dave@trust.example").await?;
    let winter = collab_id(&carol, "Winter Resilience Plan").await?;
    let list = carol
        .get_json(&format!("/api/v1/collaborations/{winter}/meetings"))
        .await?;
    let latest_past = list["past"][0]["id"].as_str().context("id")?.to_owned();
    let path = format!("/api/v1/meetings/{latest_past}/outcomes");
    let titles = |v: &Value, key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|d| d["title"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let gritting = "Fund gritting overtime from the winter reserve".to_owned();
    let carols = carol.get_json(&path).await?;
    ensure!(titles(&carols, "decisions").contains(&gritting), "{carols}");
    let daves = dave.get_json(&path).await?;
    ensure!(!titles(&daves, "decisions").contains(&gritting), "{daves}");
    // Anonymous visitors and outsiders do not learn the partners-only meeting exists.
    let (outsider, _) = outsider(&app).await?;
    assert_eq!(outsider.get(&path).await?.status(), 404);
    assert_eq!(app.api(None).get(&path).await?.status(), 404);
    Ok(())
}

#[tokio::test]
async fn items_added_at_once_each_take_their_own_place_on_the_agenda() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (carol, meeting_id) = carols_meeting(&app, "Open floor").await?;
    // Eight items added at once (on PostgreSQL each reads the last place in its own
    // transaction): the places are 1..8, none shared.
    let mut adds = tokio::task::JoinSet::new();
    for n in 1..=8 {
        let (carol, meeting_id) = (carol.clone(), meeting_id.clone());
        adds.spawn(async move { add_item(&carol, &meeting_id, &format!("Point {n}"), 5).await });
    }
    while let Some(added) = adds.join_next().await {
        added??;
    }
    let view = carol
        .get_json(&format!("/api/v1/meetings/{meeting_id}"))
        .await?;
    let places: Vec<i64> = agenda_titles(&view).iter().map(|(p, _)| *p).collect();
    assert_eq!(places, (1..=8).collect::<Vec<_>>());
    Ok(())
}

#[tokio::test]
async fn a_reader_in_another_time_zone_also_sees_the_meeting_on_their_own_clock() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    // 09:00–11:00 in Paris (`carols_meeting`'s zone) is 10:00–12:00 in Helsinki.
    let (_, meeting_id) = carols_meeting(&app, "Cross-border call").await?;
    let browser = app.signed_in("carol@riverton.example").await?;
    let page = format!("/meetings/{meeting_id}");
    let set_zone = |zone: &'static str| {
        let browser = &browser;
        async move {
            let response = browser
                .submit(
                    "/account",
                    "/account/preferences",
                    &[("locale", ""), ("time_zone", zone)],
                )
                .await?;
            ensure!(
                response.status() == 303,
                "preferences answered {}",
                response.status()
            );
            Ok::<_, anyhow::Error>(())
        }
    };

    set_zone("Europe/Helsinki").await?;
    let (status, html) = browser.page(&page).await?;
    assert_eq!(status, 200);
    assert!(
        html.contains("1 Jul 2030, 09:00 CEST"),
        "the meeting's own time"
    );
    let yours = html
        .split("<dd class=\"your-time\">")
        .nth(1)
        .and_then(|rest| rest.split("</dd>").next())
        .context("the reader's own time is shown")?;
    assert!(
        yours.starts_with("In your time zone (Europe/Helsinki):"),
        "{yours}"
    );
    assert!(
        yours.contains("1 Jul 2030, 10:00 EEST") && yours.contains("1 Jul 2030, 12:00 EEST"),
        "{yours}"
    );

    // Berlin keeps Paris's clock: nothing more to show.
    set_zone("Europe/Berlin").await?;
    let (_, html) = browser.page(&page).await?;
    assert!(!html.contains("your-time"));
    Ok(())
}
