//! Discussion threads (issue 5, step 1), end to end on the engine under test: who reads and who
//! posts; narrower audiences hidden like missing threads; messages edited by their author only,
//! every version kept and audited; Markdown rendered to safe HTML while the raw text is stored
//! as written; paging back through 10,000 messages; bad input refused with nothing stored.

use crate::support::{
    audit_count, codes, collab_id, count, expect, has_code, intact, outsider, token_api,
};
use anyhow::{Context, Result, bail, ensure};
use chrono::SecondsFormat;
use concord_testkit::{
    Api, Engine, TestApp, audit_head, engine, execute_sql, query_i64s, query_strings, status_json,
};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers

/// (user id, organisation id) of the token's account.
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

async fn actions_since(app: &TestApp, seq: i64) -> Result<Vec<String>> {
    query_strings(
        &app.db.url,
        &format!("SELECT action FROM audit_events WHERE seq > {seq} ORDER BY seq"),
    )
    .await
}

/// (threads, audience rows, messages, versions) stored in the whole database.
async fn stored(app: &TestApp) -> Result<[i64; 4]> {
    Ok([
        count(app, "SELECT count(*) FROM threads").await?,
        count(app, "SELECT count(*) FROM thread_audience").await?,
        count(app, "SELECT count(*) FROM messages").await?,
        count(app, "SELECT count(*) FROM message_versions").await?,
    ])
}

/// A UUID as an SQL literal of the engine's column type.
fn id_literal(id: &str) -> String {
    match engine() {
        Engine::Sqlite => format!("X'{}'", id.replace('-', "")),
        Engine::Postgres => format!("'{id}'"),
    }
}

async fn start(
    api: &Api,
    collab: &str,
    title: &str,
    audience: &[&str],
    body: &str,
) -> Result<Value> {
    expect(
        api.post(
            &format!("/api/v1/collaborations/{collab}/threads"),
            &json!({"title": title, "audience": audience, "body": body}),
        )
        .await?,
        201,
        "starting a thread",
    )
    .await
}

fn thread_id(view: &Value) -> String {
    view["thread"]["id"].as_str().unwrap_or("").to_owned()
}

fn message_id(view: &Value) -> String {
    view["message"]["id"].as_str().unwrap_or("").to_owned()
}

async fn post(api: &Api, thread: &str, body: &str) -> Result<Value> {
    expect(
        api.post(
            &format!("/api/v1/threads/{thread}/messages"),
            &json!({"body": body}),
        )
        .await?,
        201,
        "posting a message",
    )
    .await
}

fn items(list: &Value) -> Vec<Value> {
    list["items"].as_array().cloned().unwrap_or_default()
}

fn lists(list: &Value, thread: &str) -> bool {
    items(list).iter().any(|t| t["id"] == thread)
}

fn messages(view: &Value) -> Vec<Value> {
    view["messages"].as_array().cloned().unwrap_or_default()
}

fn bodies(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["message"]["body"].as_str().unwrap_or("").to_owned())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 1. Policy

#[tokio::test]
async fn readers_read_members_post_and_confidential_threads_do_not_exist_for_outsiders()
-> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let alice = token_api(&app, "alice@health.example").await?;
    let anonymous = app.api(None);
    let (olga, _) = outsider(&app).await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let hospital = collab_id(&alice, "Hospital Transfer Logistics").await?;

    let head = audit_count(&app).await?;
    let before = stored(&app).await?;
    let started = start(
        &carol,
        &safe_routes,
        "Crossing patrols",
        &[],
        "Who staffs them?",
    )
    .await?;
    let thread = thread_id(&started);
    assert_eq!(
        actions_since(&app, head).await?,
        ["thread.started", "message.posted"]
    );
    let after_start = stored(&app).await?;
    assert_eq!(
        after_start,
        [before[0] + 1, before[1], before[2] + 1, before[3] + 1]
    );
    assert_eq!(messages(&started).len(), 1);
    assert_eq!(started["can_post"], true);

    let list_path = format!("/api/v1/collaborations/{safe_routes}/threads");
    let thread_path = format!("/api/v1/threads/{thread}");
    let post_path = format!("/api/v1/threads/{thread}/messages");
    let reply = json!({"body": "May I?"});

    // Anonymous reads the public collaboration's threads but cannot post.
    let list = anonymous.get_json(&list_path).await?;
    assert!(lists(&list, &thread), "{list}");
    assert_eq!(list["can_start"], false);
    let view = anonymous.get_json(&thread_path).await?;
    assert_eq!(bodies(&messages(&view)), ["Who staffs them?"]);
    assert_eq!(view["can_post"], false);
    assert_eq!(messages(&view)[0]["can_edit"], false);
    expect(
        anonymous.post(&post_path, &reply).await?,
        401,
        "anonymous post",
    )
    .await?;
    expect(
        anonymous
            .post(
                &list_path,
                &json!({"title": "Anon", "audience": [], "body": "x"}),
            )
            .await?,
        401,
        "anonymous start",
    )
    .await?;

    // A signed-in non-member reads but may not speak.
    let list = olga.get_json(&list_path).await?;
    assert!(lists(&list, &thread));
    assert_eq!(list["can_start"], false);
    let view = olga.get_json(&thread_path).await?;
    assert_eq!(view["can_post"], false);
    expect(olga.post(&post_path, &reply).await?, 403, "non-member post").await?;
    expect(
        olga.post(
            &list_path,
            &json!({"title": "Outsider", "audience": [], "body": "x"}),
        )
        .await?,
        403,
        "non-member start",
    )
    .await?;
    assert_eq!(stored(&app).await?, after_start, "refusals store nothing");
    assert_eq!(audit_count(&app).await?, head + 2);

    // A member named as a mere viewer still discusses.
    let (alice_id, _) = me(&alice).await?;
    expect(
        carol
            .post(
                &format!("/api/v1/collaborations/{safe_routes}/people"),
                &json!({"user_id": alice_id, "role": "viewer"}),
            )
            .await?,
        204,
        "naming a viewer",
    )
    .await?;
    let head = audit_count(&app).await?;
    let view = alice.get_json(&thread_path).await?;
    assert_eq!(view["can_post"], true);
    let posted = post(&alice, &thread, "Parents from two schools volunteered.").await?;
    assert_eq!(posted["can_edit"], true);
    assert_eq!(posted["message"]["author_id"], alice_id.as_str());
    assert_eq!(actions_since(&app, head).await?, ["message.posted"]);
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) FROM messages WHERE thread_id = {} AND body = 'Parents from two schools volunteered.'",
                id_literal(&thread)
            )
        )
        .await?,
        1
    );
    let view = carol.get_json(&thread_path).await?;
    assert_eq!(view["thread"]["message_count"], 2);
    assert_eq!(
        bodies(&messages(&view)),
        ["Who staffs them?", "Parents from two schools volunteered."]
    );

    // The confidential hospital collaboration: its threads do not exist for outsiders.
    let started = start(&alice, &hospital, "Weekend crews", &[], "Two more crews?").await?;
    let secret = thread_id(&started);
    let secret_message = message_id(&messages(&started)[0]);
    let head = audit_count(&app).await?;
    let before = stored(&app).await?;
    for (who, api) in [
        ("carol", &carol),
        ("olga", &olga),
        ("anonymous", &anonymous),
    ] {
        let paths = [
            format!("/api/v1/collaborations/{hospital}/threads"),
            format!("/api/v1/threads/{secret}"),
            format!("/api/v1/threads/{secret}/messages?after={secret_message}"),
            format!("/api/v1/messages/{secret_message}/versions"),
        ];
        for path in &paths {
            expect(api.get(path).await?, 404, &format!("{who} GET {path}")).await?;
        }
        expect(
            api.post(&format!("/api/v1/threads/{secret}/messages"), &reply)
                .await?,
            404,
            &format!("{who} posting"),
        )
        .await?;
        expect(
            api.post(
                &format!("/api/v1/collaborations/{hospital}/threads"),
                &json!({"title": "Leak", "audience": [], "body": "x"}),
            )
            .await?,
            404,
            &format!("{who} starting"),
        )
        .await?;
        expect(
            api.put(
                &format!("/api/v1/messages/{secret_message}"),
                &json!({"body": "Edited by an outsider"}),
            )
            .await?,
            404,
            &format!("{who} editing"),
        )
        .await?;
    }
    assert_eq!(stored(&app).await?, before);
    assert_eq!(audit_count(&app).await?, head);
    // Bob, a named contributor, is inside.
    let bob = token_api(&app, "bob@transport.example").await?;
    assert_eq!(
        bodies(&messages(
            &bob.get_json(&format!("/api/v1/threads/{secret}")).await?
        )),
        ["Two more crews?"]
    );
    intact(&app).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 2. Narrower audience

#[tokio::test]
async fn a_narrower_audience_hides_the_thread_from_everyone_else() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let dave = token_api(&app, "dave@trust.example").await?;
    let alice = token_api(&app, "alice@health.example").await?;
    let hannah = token_api(&app, "hannah@health.example").await?;
    let anonymous = app.api(None);
    let (_, outside_org) = outsider(&app).await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let (_, city) = me(&carol).await?;
    let (_, transport) = me(&bob).await?;
    let (_, health) = me(&alice).await?;

    let head = audit_count(&app).await?;
    let started = start(
        &carol,
        &safe_routes,
        "Speed camera budget",
        &[&city, &transport],
        "Between the City and the Agency for now.",
    )
    .await?;
    let thread = thread_id(&started);
    let first = message_id(&messages(&started)[0]);
    let audience: Vec<&str> = started["thread"]["audience"]
        .as_array()
        .context("audience")?
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert_eq!(audience.len(), 2);
    assert!(audience.contains(&city.as_str()) && audience.contains(&transport.as_str()));
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) FROM thread_audience WHERE thread_id = {}",
                id_literal(&thread)
            )
        )
        .await?,
        2
    );
    // An open thread beside it, seen by all.
    let open = thread_id(&start(&carol, &safe_routes, "Open thread", &[], "For everyone.").await?);
    assert_eq!(audit_count(&app).await?, head + 4);

    let list_path = format!("/api/v1/collaborations/{safe_routes}/threads");
    let thread_path = format!("/api/v1/threads/{thread}");
    let head = audit_count(&app).await?;
    let before = stored(&app).await?;
    for (who, api) in [
        ("dave (observer)", &dave),
        ("alice (partner)", &alice),
        ("hannah (named contributor)", &hannah),
        ("anonymous", &anonymous),
    ] {
        let list = api.get_json(&list_path).await?;
        assert!(!lists(&list, &thread), "{who} sees it listed: {list}");
        assert!(lists(&list, &open), "{who} misses the open thread");
        for path in [
            thread_path.clone(),
            format!("/api/v1/threads/{thread}/messages?after={first}"),
            format!("/api/v1/messages/{first}/versions"),
        ] {
            expect(api.get(&path).await?, 404, &format!("{who} GET {path}")).await?;
        }
        expect(
            api.post(
                &format!("/api/v1/threads/{thread}/messages"),
                &json!({"body": "Let me in"}),
            )
            .await?,
            404,
            &format!("{who} posting"),
        )
        .await?;
        expect(
            api.put(
                &format!("/api/v1/messages/{first}"),
                &json!({"body": "Mine now"}),
            )
            .await?,
            404,
            &format!("{who} editing"),
        )
        .await?;
    }
    assert_eq!(stored(&app).await?, before);
    assert_eq!(audit_count(&app).await?, head);

    // The pages keep it from them too: not on the collaboration page, not in the list, 404 itself.
    let dave_browser = app.signed_in("dave@trust.example").await?;
    for (who, browser) in [("dave", &dave_browser), ("anonymous", &app.browser())] {
        for path in [
            format!("/collaborations/{safe_routes}"),
            format!("/collaborations/{safe_routes}/threads"),
        ] {
            let (status, page) = browser.page(&path).await?;
            assert_eq!(status, 200, "{who} {path}");
            assert!(
                page.contains("Open thread"),
                "{who} {path} lacks the open thread"
            );
            assert!(
                !page.contains("Speed camera budget") && !page.contains(&thread),
                "{who} {path} shows the narrowed thread"
            );
        }
        let (status, page) = browser.page(&format!("/threads/{thread}")).await?;
        assert_eq!(status, 404, "{who}");
        assert!(!page.contains("Between the City and the Agency"));
    }
    let bob_browser = app.signed_in("bob@transport.example").await?;
    let (status, page) = bob_browser
        .page(&format!("/collaborations/{safe_routes}/threads"))
        .await?;
    assert_eq!(status, 200);
    assert!(page.contains("Speed camera budget"));
    let (status, page) = bob_browser.page(&format!("/threads/{thread}")).await?;
    assert_eq!(status, 200);
    assert!(page.contains("Between the City and the Agency"));

    // The people of the audience see and use it.
    assert!(lists(&carol.get_json(&list_path).await?, &thread));
    assert!(lists(&bob.get_json(&list_path).await?, &thread));
    let view = bob.get_json(&thread_path).await?;
    assert_eq!(view["can_post"], true);
    let head = audit_count(&app).await?;
    post(&bob, &thread, "Agreed, the Agency funds two.").await?;
    assert_eq!(actions_since(&app, head).await?, ["message.posted"]);

    // Refusals: a non-member organisation, or an audience leaving the author's own out.
    let head = audit_count(&app).await?;
    let before = stored(&app).await?;
    let refused = expect(
        carol
            .post(
                &list_path,
                &json!({"title": "With strangers", "audience": [city, outside_org], "body": "Hi"}),
            )
            .await?,
        422,
        "audience with a non-member",
    )
    .await?;
    assert!(
        has_code(&refused, "audience", "not_an_active_member"),
        "{refused}"
    );
    let refused = expect(
        carol
            .post(
                &list_path,
                &json!({"title": "Not us", "audience": [transport, health], "body": "Hi"}),
            )
            .await?,
        422,
        "audience without the author's organisation",
    )
    .await?;
    assert!(
        has_code(&refused, "audience", "must_include_own_organisation"),
        "{refused}"
    );
    let refused = expect(
        carol
            .post(
                &list_path,
                &json!({"title": "Garbled", "audience": ["not-an-id"], "body": "Hi"}),
            )
            .await?,
        422,
        "audience with a malformed id",
    )
    .await?;
    assert!(
        has_code(&refused, "audience", "invalid_choice"),
        "{refused}"
    );
    assert_eq!(stored(&app).await?, before, "nothing stored on refusal");
    assert_eq!(audit_count(&app).await?, head);
    intact(&app).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. Messages, edits and versions

#[tokio::test]
async fn authors_edit_their_messages_and_every_version_is_kept_and_audited() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let thread = thread_id(&start(&carol, &safe_routes, "Cycle racks", &[], "How many?").await?);

    let head = audit_count(&app).await?;
    let posted = post(&bob, &thread, "Forty racks.").await?;
    let id = message_id(&posted);
    assert_eq!(posted["message"]["version"], 1);
    assert_eq!(actions_since(&app, head).await?, ["message.posted"]);
    let message_sql = |column: &str| {
        format!(
            "SELECT {column} FROM messages WHERE id = {}",
            id_literal(&id)
        )
    };
    let versions_sql = format!(
        "SELECT count(*) FROM message_versions WHERE message_id = {}",
        id_literal(&id)
    );
    assert_eq!(count(&app, &versions_sql).await?, 1);

    // The author edits: version 2, both texts kept in order, one audit event.
    let head = audit_count(&app).await?;
    let edited = expect(
        bob.put(
            &format!("/api/v1/messages/{id}"),
            &json!({"body": "Sixty racks, **covered**."}),
        )
        .await?,
        200,
        "editing",
    )
    .await?;
    assert_eq!(edited["message"]["version"], 2);
    assert_eq!(edited["message"]["body"], "Sixty racks, **covered**.");
    assert!(
        edited["body_html"]
            .as_str()
            .unwrap_or("")
            .contains("<strong>covered</strong>"),
        "{edited}"
    );
    assert_eq!(actions_since(&app, head).await?, ["message.edited"]);
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM audit_events WHERE seq > {head} AND object_id = '{id}'")
        )
        .await?,
        1
    );
    assert_eq!(count(&app, &versions_sql).await?, 2);
    assert_eq!(count(&app, &message_sql("version")).await?, 2);
    assert_eq!(
        query_strings(&app.db.url, &message_sql("body")).await?,
        ["Sixty racks, **covered**."]
    );
    let versions = carol
        .get_json(&format!("/api/v1/messages/{id}/versions"))
        .await?;
    let versions = versions.as_array().context("versions")?;
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 1);
    assert_eq!(versions[0]["body"], "Forty racks.");
    assert_eq!(versions[1]["version"], 2);
    assert_eq!(versions[1]["body"], "Sixty racks, **covered**.");
    assert!(
        versions[1]["body_html"]
            .as_str()
            .unwrap_or("")
            .contains("<strong>covered</strong>")
    );

    // Someone else — even the coordinator — may not; anonymous must sign in. Nothing changes.
    let head = audit_head(&app).await?;
    expect(
        carol
            .put(
                &format!("/api/v1/messages/{id}"),
                &json!({"body": "Carol rewrote this"}),
            )
            .await?,
        403,
        "editing someone else's message",
    )
    .await?;
    expect(
        app.api(None)
            .put(&format!("/api/v1/messages/{id}"), &json!({"body": "Anon"}))
            .await?,
        401,
        "anonymous edit",
    )
    .await?;
    assert_eq!(audit_head(&app).await?, head);
    assert_eq!(count(&app, &versions_sql).await?, 2);
    assert_eq!(
        query_strings(&app.db.url, &message_sql("body")).await?,
        ["Sixty racks, **covered**."]
    );
    // Only the author is offered the edit.
    let carol_view = carol.get_json(&format!("/api/v1/threads/{thread}")).await?;
    let bob_view = bob.get_json(&format!("/api/v1/threads/{thread}")).await?;
    let can_edit = |view: &Value| {
        messages(view)
            .iter()
            .find(|m| m["message"]["id"] == id.as_str())
            .map(|m| m["can_edit"].clone())
    };
    assert_eq!(can_edit(&carol_view), Some(json!(false)));
    assert_eq!(can_edit(&bob_view), Some(json!(true)));

    // An unchanged body (trailing whitespace aside) is no edit: no version, no audit event.
    let unchanged = expect(
        bob.put(
            &format!("/api/v1/messages/{id}"),
            &json!({"body": "Sixty racks, **covered**.  \n"}),
        )
        .await?,
        200,
        "unchanged edit",
    )
    .await?;
    assert_eq!(unchanged["message"]["version"], 2);
    assert_eq!(audit_head(&app).await?, head);
    assert_eq!(count(&app, &versions_sql).await?, 2);
    assert_eq!(count(&app, &message_sql("version")).await?, 2);

    // A third text: version 3, one more event.
    let before = audit_count(&app).await?;
    let third = expect(
        bob.put(
            &format!("/api/v1/messages/{id}"),
            &json!({"body": "Sixty-two racks."}),
        )
        .await?,
        200,
        "editing again",
    )
    .await?;
    assert_eq!(third["message"]["version"], 3);
    assert_eq!(audit_count(&app).await?, before + 1);
    let versions = bob
        .get_json(&format!("/api/v1/messages/{id}/versions"))
        .await?;
    let texts: Vec<&str> = versions
        .as_array()
        .context("versions")?
        .iter()
        .filter_map(|v| v["body"].as_str())
        .collect();
    assert_eq!(
        texts,
        [
            "Forty racks.",
            "Sixty racks, **covered**.",
            "Sixty-two racks."
        ]
    );
    intact(&app).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 4. Safe HTML

#[tokio::test]
async fn message_bodies_are_rendered_to_safe_html_and_stored_as_written() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let thread = thread_id(
        &start(
            &carol,
            &safe_routes,
            "Hostile input",
            &[],
            "A [safe link](https://example.org/racks) and *emphasis*.",
        )
        .await?,
    );
    let payloads = [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<a href=\"data:text/html,x\">data link</a>",
        "<div style=\"position:fixed\">fixed</div>",
        "Inline <script>alert(2)</script> and <img src=x onerror=alert(3)> mixed",
    ];
    const FORBIDDEN: [&str; 7] = [
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "data:text",
        "style=",
        "<svg",
    ];
    let dangerous = |html: &str| -> Vec<&str> {
        let lower = html.to_lowercase();
        FORBIDDEN
            .iter()
            .copied()
            .filter(|f| lower.contains(f))
            .collect()
    };
    let mut ids = Vec::new();
    for (n, payload) in payloads.iter().enumerate() {
        let body = format!("Sample {n}\n\n{payload}");
        let posted = post(&carol, &thread, &body).await?;
        let html = posted["body_html"].as_str().context("body_html")?;
        assert!(dangerous(html).is_empty(), "{payload} -> {html}");
        assert!(html.contains(&format!("Sample {n}")), "{html}");
        let id = message_id(&posted);
        // Stored and versioned as written.
        assert_eq!(
            query_strings(
                &app.db.url,
                &format!("SELECT body FROM messages WHERE id = {}", id_literal(&id))
            )
            .await?,
            std::slice::from_ref(&body)
        );
        let versions = carol
            .get_json(&format!("/api/v1/messages/{id}/versions"))
            .await?;
        assert_eq!(versions[0]["body"], body.as_str());
        let html = versions[0]["body_html"].as_str().unwrap_or("");
        assert!(dangerous(html).is_empty(), "versions: {payload} -> {html}");
        ids.push(id);
    }

    // The thread as JSON and as a page.
    let view = carol.get_json(&format!("/api/v1/threads/{thread}")).await?;
    let shown = messages(&view);
    assert_eq!(shown.len(), payloads.len() + 1);
    assert!(
        shown[0]["body_html"]
            .as_str()
            .unwrap_or("")
            .contains("href=\"https://example.org/racks\""),
        "a safe link survives: {}",
        shown[0]
    );
    for message in &shown {
        let html = message["body_html"].as_str().unwrap_or("");
        assert!(dangerous(html).is_empty(), "{html}");
    }
    let browser = app.signed_in("carol@riverton.example").await?;
    let (status, page) = browser.page(&format!("/threads/{thread}")).await?;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Hostile input"));
    for n in 0..payloads.len() {
        assert!(page.contains(&format!("Sample {n}")), "message {n} missing");
    }
    assert!(page.contains("https://example.org/racks"));
    // The page's own live-update script is the one script allowed; no payload may add another.
    let live_script = r#"<script src="/static/thread-live.js" defer></script>"#;
    assert_eq!(page.matches(live_script).count(), 1);
    let page = page.replace(live_script, "");
    assert!(
        dangerous(&page).is_empty(),
        "{:?} in the page",
        dangerous(&page)
    );
    // Anonymous readers of the public collaboration get the same safe page.
    let (status, page) = app.browser().page(&format!("/threads/{thread}")).await?;
    assert_eq!(status, 200);
    let page = page.replacen(live_script, "", 1);
    assert!(
        dangerous(&page).is_empty(),
        "{:?} in the anonymous page",
        dangerous(&page)
    );
    assert_eq!(ids.len(), payloads.len());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 5. Pagination over 10,000 messages

const GENERATED: i64 = 10_000;

/// Adds `GENERATED` messages ("Message 1" … "Message 10000") to a thread straight in SQL, with
/// valid v7 UUIDs later than every message so far (the millisecond after `now`, with the
/// 12-bit counter field taking the sequence), their first versions, and the thread's count.
async fn generate_messages(app: &TestApp, thread: &str) -> Result<()> {
    // Real time, not the test clock: v7 ids carry the system time.
    let now =
        concord_app::Clock::now(&concord_app::SystemClock) + chrono::Duration::milliseconds(2);
    let base_ms = now.timestamp_millis();
    let at = now.to_rfc3339_opts(SecondsFormat::Micros, false);
    let thread = id_literal(thread);
    let insert = match engine() {
        Engine::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {GENERATED}) \
             INSERT INTO messages (id, thread_id, author_id, body, seq, version, created_at, updated_at) \
             SELECT unhex(printf('%012x7%03x8%015x', {base_ms} + i / 4096, i % 4096, i)), t.id, t.created_by, \
                    'Message ' || i, t.message_count + i, 1, '{at}', '{at}' \
             FROM n, threads t WHERE t.id = {thread}"
        ),
        Engine::Postgres => format!(
            "INSERT INTO messages (id, thread_id, author_id, body, seq, version, created_at, updated_at) \
             SELECT (lpad(to_hex({base_ms}::bigint + i / 4096), 12, '0') || '7' || lpad(to_hex(i % 4096), 3, '0') \
                     || '8' || lpad(to_hex(i), 15, '0'))::uuid, t.id, t.created_by, \
                    'Message ' || i, t.message_count + i, 1, '{at}'::timestamptz, '{at}'::timestamptz \
             FROM generate_series(1, {GENERATED}) AS i, threads t WHERE t.id = {thread}"
        ),
    };
    let inserted = execute_sql(&app.db.url, &insert).await?;
    ensure!(inserted == GENERATED as u64, "inserted {inserted}");
    execute_sql(
        &app.db.url,
        &format!(
            "INSERT INTO message_versions (message_id, version, body, written_at) \
             SELECT m.id, 1, m.body, m.created_at FROM messages m WHERE m.thread_id = {thread} \
             AND NOT EXISTS (SELECT 1 FROM message_versions v WHERE v.message_id = m.id)"
        ),
    )
    .await?;
    execute_sql(
        &app.db.url,
        &format!(
            "UPDATE threads SET message_count = (SELECT count(*) FROM messages m WHERE m.thread_id = threads.id), \
             last_message_at = '{at}' WHERE id = {thread}"
        ),
    )
    .await?;
    // The next message posted through the application must sort after these.
    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    Ok(())
}

#[tokio::test]
async fn ten_thousand_messages_page_back_without_repeats_or_gaps() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let thread = thread_id(
        &start(
            &carol,
            &safe_routes,
            "Long thread",
            &[],
            "The very first message",
        )
        .await?,
    );
    generate_messages(&app, &thread).await?;
    let total = GENERATED + 1;
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) FROM messages WHERE thread_id = {}",
                id_literal(&thread)
            )
        )
        .await?,
        total
    );

    // The thread opens on its newest 50, oldest first within the page.
    let path = format!("/api/v1/threads/{thread}");
    let view = bob.get_json(&path).await?;
    assert_eq!(view["thread"]["message_count"], total);
    let page = messages(&view);
    let expected: Vec<String> = (GENERATED - 49..=GENERATED)
        .map(|i| format!("Message {i}"))
        .collect();
    assert_eq!(bodies(&page), expected);

    // Walking back with earlier_cursor reaches the very first message, each exactly once.
    let mut all: Vec<Value> = page;
    let mut cursor = view["earlier_cursor"].as_str().map(str::to_owned);
    let mut pages = 1;
    while let Some(c) = cursor {
        let view = bob.get_json(&format!("{path}?before={c}")).await?;
        let page = messages(&view);
        ensure!(
            !page.is_empty() && page.len() <= 50,
            "page {pages}: {} messages",
            page.len()
        );
        all.splice(0..0, page);
        cursor = view["earlier_cursor"].as_str().map(str::to_owned);
        pages += 1;
        ensure!(pages <= 300, "the cursor does not end");
    }
    assert_eq!(pages, (total + 49) / 50);
    let mut expected = vec!["The very first message".to_owned()];
    expected.extend((1..=GENERATED).map(|i| format!("Message {i}")));
    let walked = bodies(&all);
    assert_eq!(walked.len(), expected.len());
    assert!(walked == expected, "the walk has repeats, gaps or disorder");
    let ids: Vec<String> = all.iter().map(message_id).collect();
    let distinct: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len());

    // The page opens on the same newest 50 and links to the earlier ones, without JavaScript.
    let browser = app.signed_in("bob@transport.example").await?;
    let (status, html) = browser.page(&format!("/threads/{thread}")).await?;
    assert_eq!(status, 200);
    let shows = |html: &str, i: i64| html.contains(&format!(">Message {i}<"));
    assert!((GENERATED - 49..=GENERATED).all(|i| shows(&html, i)));
    assert!(!shows(&html, GENERATED - 50));
    let earlier = html
        .split("?before=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .context("no link to earlier messages")?;
    let (status, html) = browser
        .page(&format!("/threads/{thread}?before={earlier}"))
        .await?;
    assert_eq!(status, 200);
    assert!((GENERATED - 99..=GENERATED - 50).all(|i| shows(&html, i)));
    assert!(!shows(&html, GENERATED - 100) && !shows(&html, GENERATED - 49));

    // Catching up after a message: exactly what follows it, at most 50.
    let after = |i: usize| format!("/api/v1/threads/{thread}/messages?after={}", ids[i]);
    let caught = bob.get_json(&after(5000)).await?;
    let caught = caught.as_array().context("array")?.clone();
    assert_eq!(bodies(&caught), walked[5001..5051].to_vec());
    let caught = bob.get_json(&after(ids.len() - 11)).await?;
    let caught = caught.as_array().context("array")?.clone();
    assert_eq!(bodies(&caught), walked[ids.len() - 10..].to_vec());
    let caught = bob.get_json(&after(ids.len() - 1)).await?;
    assert_eq!(caught.as_array().map(Vec::len), Some(0));
    let caught = bob.get_json(&after(0)).await?;
    let caught = caught.as_array().context("array")?.clone();
    assert_eq!(bodies(&caught), walked[1..51].to_vec());

    // A new message lands at the end of the newest page and after the last one seen.
    let newest = ids.last().cloned().context("newest")?;
    post(&carol, &thread, "Message after the flood").await?;
    let view = bob.get_json(&path).await?;
    let page = bodies(&messages(&view));
    assert_eq!(page.len(), 50);
    assert_eq!(
        page.last().map(String::as_str),
        Some("Message after the flood")
    );
    let caught = bob
        .get_json(&format!("/api/v1/threads/{thread}/messages?after={newest}"))
        .await?;
    assert_eq!(
        bodies(caught.as_array().context("array")?),
        ["Message after the flood"]
    );
    // A garbled cursor is refused, not ignored.
    let (status, _) = status_json(bob.get(&format!("{path}?before=%%%")).await?).await?;
    assert!(status == 400 || status == 422, "garbled cursor: {status}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 6. Bad input

#[tokio::test]
async fn bad_input_is_refused_with_field_errors_and_nothing_stored() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let started = start(&carol, &safe_routes, "Valid thread", &[], "Fine.").await?;
    let thread = thread_id(&started);
    let first = message_id(&messages(&started)[0]);
    let list_path = format!("/api/v1/collaborations/{safe_routes}/threads");
    let too_long = "x".repeat(20_001);

    let head = audit_head(&app).await?;
    let before = stored(&app).await?;
    let refused = expect(
        carol
            .post(
                &list_path,
                &json!({"title": "  ", "audience": [], "body": " \n "}),
            )
            .await?,
        422,
        "empty title and body",
    )
    .await?;
    assert!(has_code(&refused, "title", "required"), "{refused}");
    assert!(has_code(&refused, "body", "required"), "{refused}");
    let refused = expect(
        carol.post(&list_path, &json!({})).await?,
        422,
        "no fields at all",
    )
    .await?;
    assert!(has_code(&refused, "title", "required"), "{refused}");
    let refused = expect(
        carol
            .post(
                &list_path,
                &json!({"title": "Long", "audience": [], "body": too_long}),
            )
            .await?,
        422,
        "thread body too long",
    )
    .await?;
    assert!(has_code(&refused, "body", "too_long"), "{refused}");
    let refused = expect(
        carol
            .post(
                &list_path,
                &json!({"title": "t".repeat(201), "audience": [], "body": "x"}),
            )
            .await?,
        422,
        "title too long",
    )
    .await?;
    assert!(has_code(&refused, "title", "too_long"), "{refused}");

    let messages_path = format!("/api/v1/threads/{thread}/messages");
    let refused = expect(
        carol.post(&messages_path, &json!({"body": ""})).await?,
        422,
        "empty message",
    )
    .await?;
    assert!(has_code(&refused, "body", "required"), "{refused}");
    let refused = expect(
        carol
            .post(&messages_path, &json!({"body": too_long}))
            .await?,
        422,
        "message too long",
    )
    .await?;
    assert!(has_code(&refused, "body", "too_long"), "{refused}");
    for body in [json!({"body": "   "}), json!({"body": too_long})] {
        let refused = expect(
            carol
                .put(&format!("/api/v1/messages/{first}"), &body)
                .await?,
            422,
            "bad edit",
        )
        .await?;
        assert!(!codes(&refused).is_empty(), "{refused}");
    }
    assert_eq!(stored(&app).await?, before, "nothing stored");
    assert_eq!(audit_head(&app).await?, head, "nothing audited");
    assert_eq!(
        query_strings(
            &app.db.url,
            &format!(
                "SELECT body FROM messages WHERE id = {}",
                id_literal(&first)
            )
        )
        .await?,
        ["Fine."]
    );
    // Exactly 20,000 characters (multi-byte ones included) is allowed.
    let longest = "é".repeat(20_000);
    let posted = post(&carol, &thread, &longest).await?;
    assert_eq!(
        posted["message"]["body"]
            .as_str()
            .map(|b| b.chars().count()),
        Some(20_000)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 7. Concurrent writers

#[tokio::test]
async fn concurrent_posts_and_edits_keep_counts_and_versions_consistent() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let thread = thread_id(&start(&carol, &safe_routes, "Busy thread", &[], "Go.").await?);
    let id = message_id(&post(&bob, &thread, "Draft 0").await?);
    let head = audit_count(&app).await?;

    // Posts from two people and edits of one message, all at once.
    let mut tasks = Vec::new();
    for n in 0..12 {
        let (api, path, body, edit) = if n % 2 == 0 {
            (
                if n % 4 == 0 {
                    carol.clone()
                } else {
                    bob.clone()
                },
                format!("/api/v1/threads/{thread}/messages"),
                format!("Reply {n}"),
                false,
            )
        } else {
            (
                bob.clone(),
                format!("/api/v1/messages/{id}"),
                format!("Draft {n}"),
                true,
            )
        };
        tasks.push(tokio::spawn(async move {
            let response = if edit {
                api.put(&path, &json!({"body": body})).await?
            } else {
                api.post(&path, &json!({"body": body})).await?
            };
            status_json(response).await
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await??.0);
    }
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 201),
        "every write succeeds: {statuses:?}"
    );
    let thread_sql = id_literal(&thread);
    assert_eq!(
        count(
            &app,
            &format!("SELECT message_count FROM threads WHERE id = {thread_sql}")
        )
        .await?,
        count(
            &app,
            &format!("SELECT count(*) FROM messages WHERE thread_id = {thread_sql}")
        )
        .await?,
        "the stored count matches the messages"
    );
    // Every message has its own place in commit order: 1, 2, 3... with no gap or repeat.
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(DISTINCT seq) * 1000000 + max(seq) * 1000 + min(seq) FROM messages \
                 WHERE thread_id = {thread_sql}"
            )
        )
        .await?,
        {
            let n = count(
                &app,
                &format!("SELECT count(*) FROM messages WHERE thread_id = {thread_sql}"),
            )
            .await?;
            n * 1_000_000 + n * 1000 + 1
        },
        "message sequence numbers run from 1 to the count without gaps"
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM messages WHERE thread_id = {thread_sql}")
        )
        .await?,
        2 + 6
    );
    let versions: Vec<i64> = query_i64s(
        &app.db.url,
        &format!(
            "SELECT version FROM message_versions WHERE message_id = {} ORDER BY version",
            id_literal(&id)
        ),
    )
    .await?;
    assert_eq!(
        versions,
        (1..=7).collect::<Vec<i64>>(),
        "one version per edit"
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT version FROM messages WHERE id = {}",
                id_literal(&id)
            )
        )
        .await?,
        7
    );
    // The message shows its latest version's text.
    let latest = query_strings(
        &app.db.url,
        &format!(
            "SELECT body FROM message_versions WHERE message_id = {} AND version = 7",
            id_literal(&id)
        ),
    )
    .await?;
    assert_eq!(
        query_strings(
            &app.db.url,
            &format!("SELECT body FROM messages WHERE id = {}", id_literal(&id))
        )
        .await?,
        latest
    );
    assert_eq!(audit_count(&app).await?, head + 12);
    intact(&app).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 8. The thread list

#[tokio::test]
async fn the_thread_list_pages_by_activity_and_never_counts_hidden_threads() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let dave = token_api(&app, "dave@trust.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let (_, city) = me(&carol).await?;
    let (_, transport) = me(&bob).await?;
    // The demo's own discussions here are open to everyone who may read Safe Routes.
    let demo = app
        .api(None)
        .get_json(&format!(
            "/api/v1/collaborations/{safe_routes}/threads?limit=100"
        ))
        .await?;
    let demo = items(&demo).len();
    // Seven threads: some started in the same second (ties broken by id), some later; two narrowed.
    let mut open = Vec::new();
    let mut narrowed = Vec::new();
    for n in 0..7 {
        if n % 3 == 2 {
            app.clock.advance(chrono::Duration::seconds(90));
        }
        let audience: Vec<&str> = if n == 1 || n == 4 {
            vec![city.as_str(), transport.as_str()]
        } else {
            vec![]
        };
        let id = thread_id(
            &start(
                &carol,
                &safe_routes,
                &format!("Thread {n}"),
                &audience,
                "Opening.",
            )
            .await?,
        );
        if audience.is_empty() {
            open.push(id);
        } else {
            narrowed.push(id);
        }
    }
    // The oldest open thread comes back to the top once someone posts in it.
    app.clock.advance(chrono::Duration::seconds(90));
    post(&bob, &open[0], "Reviving this one.").await?;

    let walk = |api: Api| {
        let collab = safe_routes.clone();
        async move {
            let mut seen: Vec<(String, String)> = Vec::new();
            let mut cursor: Option<String> = None;
            for _ in 0..20 {
                let path = match &cursor {
                    Some(c) => {
                        format!("/api/v1/collaborations/{collab}/threads?limit=2&cursor={c}")
                    }
                    None => format!("/api/v1/collaborations/{collab}/threads?limit=2"),
                };
                let page = api.get_json(&path).await?;
                let page_items = items(&page);
                ensure!(page_items.len() <= 2, "limit ignored");
                for t in &page_items {
                    seen.push((
                        t["id"].as_str().unwrap_or("").to_owned(),
                        t["last_message_at"].as_str().unwrap_or("").to_owned(),
                    ));
                }
                cursor = page["next_cursor"].as_str().map(str::to_owned);
                if cursor.is_none() {
                    return Ok::<_, anyhow::Error>(seen);
                }
            }
            bail!("the list cursor does not end")
        }
    };
    for (who, api, sees_narrowed) in [
        ("carol", carol.clone(), true),
        ("bob", bob.clone(), true),
        ("dave", dave.clone(), false),
        ("anonymous", app.api(None), false),
    ] {
        let seen = walk(api).await?;
        let ids: Vec<&String> = seen.iter().map(|(id, _)| id).collect();
        let expected = demo + open.len() + if sees_narrowed { narrowed.len() } else { 0 };
        assert_eq!(ids.len(), expected, "{who}: {seen:?}");
        let distinct: std::collections::HashSet<&&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len(), "{who}: repeats");
        for id in &narrowed {
            assert_eq!(ids.contains(&id), sees_narrowed, "{who} and {id}");
        }
        assert_eq!(ids[0], &open[0], "{who}: the revived thread leads");
        let times: Vec<chrono::DateTime<chrono::Utc>> =
            seen.iter().map(|(_, at)| at.parse().unwrap()).collect();
        assert!(
            times.windows(2).all(|w| w[0] >= w[1]),
            "{who}: not most recently active first: {seen:?}"
        );
    }
    Ok(())
}
