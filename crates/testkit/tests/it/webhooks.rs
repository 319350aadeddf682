//! Signed webhooks (issue 5, item 7), end to end on the engine under test, with a real receiver
//! on loopback (allow-listed, plain http; see docs/webhooks.md): coordinators only; forbidden
//! and malformed URLs refused with nothing stored; a subscribed event delivered once, signed
//! (verified with `concord_domain::webhook::verify`), an unsubscribed one never; 500 then 200
//! retried with back-off on the test clock and every attempt logged; redirects not followed;
//! without the allow-list, loopback refused at connect time.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::support::{audit_count, codes, collab_id, count, expect, has_code, intact, token_api};
use anyhow::{Context, Result, ensure};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use concord_app::webhooks::{Senders, WebhookSettings, run_once};
use concord_domain::webhook::{REPLAY_WINDOW_SECONDS, parse_allow_list, verify};
use concord_testkit::{Api, TestApp, query_strings};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// A receiver on loopback

#[derive(Clone, Debug)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: String,
}

#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    /// Statuses to answer, in order; 200 once empty. 3xx answers carry `Location: /elsewhere`.
    script: Arc<Mutex<VecDeque<u16>>>,
    port: u16,
}

impl Receiver {
    async fn start(script: &[u16]) -> Result<Receiver> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let mut receiver = Receiver {
            script: Arc::new(Mutex::new(script.iter().copied().collect())),
            port: listener.local_addr()?.port(),
            ..Receiver::default()
        };
        let state = receiver.clone();
        let app =
            axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: String| {
                let state = state.clone();
                async move {
                    state.received.lock().unwrap().push(Received {
                        path: uri.path().to_owned(),
                        headers,
                        body,
                    });
                    let status = state.script.lock().unwrap().pop_front().unwrap_or(200);
                    let status = StatusCode::from_u16(status).unwrap();
                    let response: Response = if status.is_redirection() {
                        (status, [("location", "/elsewhere")], "moved").into_response()
                    } else {
                        (status, "ok").into_response()
                    };
                    response
                }
            });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        receiver.port = receiver.port.max(1);
        Ok(receiver)
    }

    /// Named by host name, as registration requires; `localhost` resolves to loopback.
    fn url(&self) -> String {
        format!("http://localhost:{}/hook", self.port)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn allow_loopback(app: &TestApp) {
    app.server.app.webhooks.set(WebhookSettings {
        allow: parse_allow_list("127.0.0.1/32").unwrap(),
        extra_roots_pem: None,
    });
}

async fn deliver(app: &TestApp) -> Result<usize> {
    let senders =
        Senders::new(&app.server.app.webhooks.get()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    run_once(&app.server.app, &senders)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))
}

/// (endpoints, deliveries, attempts) stored in the whole database (the demo has some).
async fn stored(app: &TestApp) -> Result<[i64; 3]> {
    Ok([
        count(app, "SELECT count(*) FROM webhook_endpoints").await?,
        count(app, "SELECT count(*) FROM webhook_deliveries").await?,
        count(app, "SELECT count(*) FROM webhook_attempts").await?,
    ])
}

async fn register(api: &Api, collab: &str, url: &str, kinds: &[&str]) -> Result<Value> {
    expect(
        api.post(
            &format!("/api/v1/collaborations/{collab}/webhooks"),
            &json!({"url": url, "description": "Partners' chat room", "event_kinds": kinds}),
        )
        .await?,
        201,
        "registering a webhook",
    )
    .await
}

async fn start_thread(api: &Api, collab: &str) -> Result<Value> {
    expect(
        api.post(
            &format!("/api/v1/collaborations/{collab}/threads"),
            &json!({"title": "Crossing patrols", "body": "Who staffs the Elm Street crossing?"}),
        )
        .await?,
        201,
        "starting a thread",
    )
    .await
}

async fn post_message(api: &Api, thread: &str) -> Result<Value> {
    expect(
        api.post(
            &format!("/api/v1/threads/{thread}/messages"),
            &json!({"body": "The city will, from March."}),
        )
        .await?,
        201,
        "posting",
    )
    .await
}

async fn deliveries(api: &Api, webhook: &str) -> Result<Vec<Value>> {
    let page = api
        .get_json(&format!("/api/v1/webhooks/{webhook}/deliveries"))
        .await?;
    Ok(page["items"].as_array().context("items")?.clone())
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn registration_refuses_forbidden_and_malformed_urls_and_non_coordinators() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let head = audit_count(&app).await?;
    let base = stored(&app).await?;

    for (url, code) in [
        ("https://127.0.0.1/hook", "address_not_allowed"),
        ("https://10.0.0.1/hook", "address_not_allowed"),
        ("https://[::1]/hook", "address_not_allowed"),
        (
            "https://169.254.169.254/latest/meta-data",
            "address_not_allowed",
        ),
        ("https://localhost/hook", "address_not_allowed"),
        ("https://localhost:8443/hook", "address_not_allowed"),
        ("ftp://files.example.org/drop", "invalid_scheme"),
        ("http://localhost/hook", "address_not_allowed"),
        ("https://no-such-host.invalid/hook", "unresolvable"),
        ("", "required"),
    ] {
        let problem = expect(
            carol
                .post(
                    &format!("/api/v1/collaborations/{safe_routes}/webhooks"),
                    &json!({"url": url, "event_kinds": ["message"]}),
                )
                .await?,
            422,
            url,
        )
        .await?;
        ensure!(problem["code"] == "invalid_input", "{url}: {problem}");
        ensure!(
            has_code(&problem, "url", code),
            "{url}: {:?}",
            codes(&problem)
        );
    }
    // Kinds must come from the list.
    let problem = expect(
        carol
            .post(
                &format!("/api/v1/collaborations/{safe_routes}/webhooks"),
                &json!({"url": "https://hooks.example.org/x", "event_kinds": ["webhook"]}),
            )
            .await?,
        422,
        "a kind not on the list",
    )
    .await?;
    ensure!(has_code(&problem, "event_kinds", "invalid_choice"));

    // A partner who is not a coordinator, and anonymous callers, see no endpoints at all.
    for api in [&bob, &app.api(None)] {
        expect(
            api.get(&format!("/api/v1/collaborations/{safe_routes}/webhooks"))
                .await?,
            404,
            "listing as a non-coordinator",
        )
        .await?;
        expect(
            api.post(
                &format!("/api/v1/collaborations/{safe_routes}/webhooks"),
                &json!({"url": "https://localhost/x", "event_kinds": ["message"]}),
            )
            .await?,
            404,
            "registering as a non-coordinator",
        )
        .await?;
    }
    ensure!(stored(&app).await? == base, "nothing stored");
    ensure!(audit_count(&app).await? == head, "nothing audited");

    // With loopback allow-listed, plain http to localhost is accepted; ::1 (not listed) is not.
    allow_loopback(&app);
    let created = register(
        &carol,
        &safe_routes,
        "http://localhost:9/hook",
        &["message"],
    )
    .await?;
    let id = created["endpoint"]["id"].as_str().context("id")?;
    ensure!(
        created["secret"]
            .as_str()
            .unwrap_or("")
            .starts_with("whsec_")
    );
    ensure!(created["secret"].as_str().unwrap().len() == 6 + 64);
    let problem = expect(
        carol
            .post(
                &format!("/api/v1/collaborations/{safe_routes}/webhooks"),
                &json!({"url": "https://[::1]/hook", "event_kinds": ["message"]}),
            )
            .await?,
        422,
        "::1 outside the allow-list",
    )
    .await?;
    ensure!(has_code(&problem, "url", "address_not_allowed"));
    // Bob cannot see it by id either.
    expect(
        bob.get(&format!("/api/v1/webhooks/{id}")).await?,
        404,
        "bob",
    )
    .await?;
    ensure!(stored(&app).await?[0] == base[0] + 1);
    ensure!(audit_count(&app).await? == head + 1);
    intact(&app).await
}

#[tokio::test]
async fn a_subscribed_event_is_delivered_signed_and_an_unsubscribed_one_is_not() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    allow_loopback(&app);
    let receiver = Receiver::start(&[]).await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let created = register(&carol, &safe_routes, &receiver.url(), &["message"]).await?;
    let webhook = created["endpoint"]["id"].as_str().context("id")?.to_owned();
    let secret = created["secret"].as_str().context("secret")?.to_owned();
    let base = stored(&app).await?;
    // The secret is never in the API afterwards, nor in the audit trail's stored columns.
    let shown = carol
        .get_json(&format!("/api/v1/webhooks/{webhook}"))
        .await?;
    ensure!(!shown.to_string().contains(&secret));
    let audit_text = query_strings(
        &app.db.url,
        "SELECT action || changed_fields || changes_digest FROM audit_events",
    )
    .await?
    .join("\n");
    ensure!(!audit_text.contains(&secret));

    // thread.started is not subscribed; the first message is.
    let thread = start_thread(&carol, &safe_routes).await?;
    let thread_id = thread["thread"]["id"].as_str().context("thread id")?;
    let first_message = thread["messages"][0]["message"]["id"]
        .as_str()
        .context("message id")?;
    ensure!(
        stored(&app).await?[1] == base[1] + 1,
        "one delivery queued, in the write"
    );
    ensure!(deliver(&app).await? == 1);
    let got = receiver.received();
    ensure!(got.len() == 1, "{got:?}");
    let request = &got[0];
    ensure!(request.path == "/hook");
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    ensure!(header("concord-event") == "message.posted");
    ensure!(header("content-type") == "application/json");
    let signature = header("concord-signature");
    ensure!(
        signature.starts_with("t=") && signature.contains(",v1="),
        "{signature}"
    );
    let now = app.server.app.now();
    let window = chrono::Duration::seconds(REPLAY_WINDOW_SECONDS);
    verify(&secret, &signature, request.body.as_bytes(), now, window)
        .map_err(|e| anyhow::anyhow!("signature refused: {e}"))?;
    ensure!(
        verify(
            "whsec_wrong",
            &signature,
            request.body.as_bytes(),
            now,
            window
        )
        .is_err()
    );
    ensure!(
        verify(
            &secret,
            &signature,
            request.body.as_bytes(),
            now + window + window,
            window
        )
        .is_err(),
        "an old signature is a replay"
    );
    let payload: Value = serde_json::from_str(&request.body)?;
    ensure!(payload["kind"] == "message.posted");
    ensure!(payload["id"] == header("concord-delivery"));
    ensure!(payload["collaboration"]["id"] == safe_routes);
    ensure!(payload["object"]["type"] == "message" && payload["object"]["id"] == first_message);
    ensure!(payload["data"]["thread_id"] == thread_id);
    ensure!(payload["actor"]["id"].is_string());
    // Ids only: neither the author's name nor the message text leaves.
    ensure!(!request.body.contains("Carol") && !request.body.contains("Elm Street"));

    let log = deliveries(&carol, &webhook).await?;
    ensure!(log.len() == 1);
    ensure!(log[0]["status"] == "succeeded" && log[0]["attempts"] == 1);
    ensure!(log[0]["last_status_code"] == 200);
    ensure!(log[0]["last_latency_ms"].as_i64().is_some());
    ensure!(deliver(&app).await? == 0, "nothing sent twice");

    // A test event goes to this endpoint; rotation changes the key the next one is signed with.
    let head = audit_count(&app).await?;
    let rotated = expect(
        carol
            .post(
                &format!("/api/v1/webhooks/{webhook}/rotate-secret"),
                &json!({}),
            )
            .await?,
        200,
        "rotating",
    )
    .await?;
    let new_secret = rotated["secret"].as_str().context("secret")?;
    ensure!(new_secret != secret);
    expect(
        carol
            .post(&format!("/api/v1/webhooks/{webhook}/test"), &json!({}))
            .await?,
        202,
        "test event",
    )
    .await?;
    ensure!(audit_count(&app).await? == head + 2);
    ensure!(deliver(&app).await? == 1);
    let test = receiver.received().pop().context("test event")?;
    let signature = test
        .headers
        .get("concord-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    ensure!(test.headers.get("concord-event").unwrap() == "webhook.test");
    ensure!(verify(new_secret, signature, test.body.as_bytes(), now, window).is_ok());
    ensure!(verify(&secret, signature, test.body.as_bytes(), now, window).is_err());

    // Unsubscribed after an edit: a new message queues nothing; inactive endpoints get nothing.
    expect(
        carol
            .put(
                &format!("/api/v1/webhooks/{webhook}"),
                &json!({"url": receiver.url(), "event_kinds": ["thread"], "active": true}),
            )
            .await?,
        200,
        "editing",
    )
    .await?;
    post_message(&carol, thread_id).await?;
    ensure!(
        stored(&app).await?[1] == base[1] + 2,
        "no delivery for an unsubscribed kind"
    );

    // Deleting removes the endpoint with its log.
    let head = audit_count(&app).await?;
    expect(
        carol.delete(&format!("/api/v1/webhooks/{webhook}")).await?,
        204,
        "deleting",
    )
    .await?;
    ensure!(stored(&app).await? == [base[0] - 1, base[1], base[2]]);
    ensure!(audit_count(&app).await? == head + 1);
    let actions = query_strings(
        &app.db.url,
        &format!("SELECT action FROM audit_events WHERE object_id = '{webhook}' ORDER BY seq"),
    )
    .await?;
    ensure!(
        actions
            == [
                "webhook.created",
                "webhook.secret_rotated",
                "webhook.test_sent",
                "webhook.updated",
                "webhook.deleted"
            ],
        "{actions:?}"
    );
    intact(&app).await
}

#[tokio::test]
async fn failures_are_retried_with_back_off_and_every_attempt_is_logged() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    allow_loopback(&app);
    let receiver = Receiver::start(&[500]).await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let created = register(&carol, &safe_routes, &receiver.url(), &["thread"]).await?;
    let webhook = created["endpoint"]["id"].as_str().context("id")?.to_owned();
    let base = stored(&app).await?;
    start_thread(&carol, &safe_routes).await?;

    let first_try = app.server.app.now();
    ensure!(deliver(&app).await? == 1);
    let log = deliveries(&carol, &webhook).await?;
    ensure!(
        log[0]["status"] == "pending" && log[0]["attempts"] == 1,
        "{log:?}"
    );
    ensure!(log[0]["last_status_code"] == 500);
    let next: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(log[0]["next_attempt_at"].clone())?;
    let wait = (next - first_try).num_seconds();
    ensure!(
        (29..=31).contains(&wait),
        "first retry after 30 s, not {wait}"
    );

    // Not yet due: nothing is sent.
    ensure!(deliver(&app).await? == 0);
    ensure!(receiver.received().len() == 1);
    app.clock.advance(chrono::Duration::seconds(31));
    ensure!(deliver(&app).await? == 1);
    let got = receiver.received();
    ensure!(got.len() == 2);
    ensure!(
        got[0].headers.get("concord-delivery") == got[1].headers.get("concord-delivery"),
        "a retry is the same delivery"
    );
    let log = deliveries(&carol, &webhook).await?;
    ensure!(log[0]["status"] == "succeeded" && log[0]["attempts"] == 2);
    let delivery_id = log[0]["id"].as_str().context("delivery id")?;
    let detail = carol
        .get_json(&format!(
            "/api/v1/webhooks/{webhook}/deliveries/{delivery_id}"
        ))
        .await?;
    let attempts = detail["attempts"].as_array().context("attempts")?;
    ensure!(attempts.len() == 2);
    ensure!(attempts[0]["status_code"] == 500 && attempts[0]["error"] == "HTTP 500");
    ensure!(attempts[1]["status_code"] == 200 && attempts[1]["error"].is_null());
    ensure!(attempts.iter().all(|a| a["latency_ms"].as_i64().is_some()));
    ensure!(detail["payload"]["kind"] == "thread.started");
    ensure!(stored(&app).await? == [base[0], base[1] + 1, base[2] + 2]);
    Ok(())
}

#[tokio::test]
async fn a_receiver_that_keeps_failing_ends_failed_after_the_last_attempt() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    allow_loopback(&app);
    let receiver = Receiver::start(&[503; 10]).await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let created = register(&carol, &safe_routes, &receiver.url(), &["thread"]).await?;
    let webhook = created["endpoint"]["id"].as_str().context("id")?.to_owned();
    start_thread(&carol, &safe_routes).await?;
    for _ in 0..concord_domain::webhook::MAX_ATTEMPTS {
        ensure!(deliver(&app).await? == 1);
        app.clock.advance(chrono::Duration::hours(3));
    }
    ensure!(deliver(&app).await? == 0);
    let log = deliveries(&carol, &webhook).await?;
    ensure!(log[0]["status"] == "failed", "{log:?}");
    ensure!(log[0]["attempts"] == concord_domain::webhook::MAX_ATTEMPTS);
    ensure!(log[0]["next_attempt_at"].is_null());
    Ok(())
}

#[tokio::test]
async fn redirects_are_not_followed() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    allow_loopback(&app);
    let receiver = Receiver::start(&[302]).await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let created = register(&carol, &safe_routes, &receiver.url(), &["thread"]).await?;
    let webhook = created["endpoint"]["id"].as_str().context("id")?.to_owned();
    start_thread(&carol, &safe_routes).await?;
    ensure!(deliver(&app).await? == 1);
    let got = receiver.received();
    ensure!(
        got.len() == 1 && got[0].path == "/hook",
        "only the endpoint was asked: {got:?}"
    );
    let log = deliveries(&carol, &webhook).await?;
    ensure!(log[0]["status"] == "pending" && log[0]["last_status_code"] == 302);
    ensure!(
        log[0]["last_error"]
            .as_str()
            .unwrap_or("")
            .contains("redirect not followed"),
        "{log:?}"
    );
    Ok(())
}

#[tokio::test]
async fn without_the_allow_list_loopback_is_refused_at_connect_time() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    allow_loopback(&app);
    // Registered while allowed, over https so only the connect-time check stands in the way.
    let receiver = Receiver::start(&[]).await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let url = format!("https://localhost:{}/hook", receiver.port);
    let created = register(&carol, &safe_routes, &url, &["thread"]).await?;
    let webhook = created["endpoint"]["id"].as_str().context("id")?.to_owned();
    // The name now leads only to forbidden addresses (as if its DNS record changed).
    app.server.app.webhooks.set(WebhookSettings::default());
    start_thread(&carol, &safe_routes).await?;
    ensure!(deliver(&app).await? == 1);
    ensure!(receiver.received().is_empty(), "no byte reached loopback");
    let log = deliveries(&carol, &webhook).await?;
    let error = log[0]["last_error"].as_str().unwrap_or("");
    ensure!(
        error.contains("address not allowed") && error.contains("127.0.0.1"),
        "{error}"
    );
    ensure!(log[0]["last_status_code"].is_null());
    Ok(())
}

#[tokio::test]
async fn coordinators_manage_webhooks_on_pages_that_work_without_javascript() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol_api = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol_api, "Safe Routes to School").await?;
    let list_path = format!("/collaborations/{safe_routes}/webhooks");
    let carol = app.signed_in("carol@riverton.example").await?;
    let bob = app.signed_in("bob@transport.example").await?;

    // The demo endpoint, paused, with three months of deliveries (one retried).
    let (status, html) = carol.page(&list_path).await?;
    ensure!(status == 200, "{status}");
    ensure!(html.contains("https://chat.riverton.example/hooks/safe-routes"));
    ensure!(html.contains("Paused"));
    let (status, collab) = carol
        .page(&format!("/collaborations/{safe_routes}"))
        .await?;
    ensure!(
        status == 200 && collab.contains(&list_path),
        "coordinators get a link"
    );
    let (_, collab) = bob.page(&format!("/collaborations/{safe_routes}")).await?;
    ensure!(!collab.contains(&list_path), "others do not");
    let (status, _) = bob.page(&list_path).await?;
    ensure!(
        status == 404,
        "a partner who is not a coordinator: {status}"
    );
    let demo = carol_api
        .get_json(&format!("/api/v1/collaborations/{safe_routes}/webhooks"))
        .await?;
    let demo_id = demo["items"][0]["id"].as_str().context("demo webhook")?;
    let (status, html) = carol
        .page(&format!("/webhooks/{demo_id}/deliveries"))
        .await?;
    ensure!(status == 200);
    ensure!(html.contains("<caption") && html.contains("Delivered"));
    ensure!(html.contains("measurement.recorded") || html.contains("engagement.recorded"));
    let demo_attempts = count(&app, "SELECT count(*) FROM webhook_attempts").await?;
    let demo_deliveries = count(&app, "SELECT count(*) FROM webhook_deliveries").await?;
    ensure!(demo_deliveries >= 3 && demo_attempts == demo_deliveries + 1);

    // A refused URL comes back beside the field, typed values kept, nothing stored.
    let new_path = format!("/collaborations/{safe_routes}/webhooks/new");
    let head = audit_count(&app).await?;
    let response = carol
        .submit(
            &new_path,
            &new_path,
            &[
                ("url", "https://169.254.169.254/latest/meta-data"),
                ("description", "Metadata grab"),
                ("event_kinds", "message"),
                ("event_kinds", "thread"),
                ("active", "on"),
            ],
        )
        .await?;
    ensure!(response.status() == 422, "{}", response.status());
    let html = response.text().await?;
    ensure!(html.contains("id=\"url-error\""));
    ensure!(html.contains("private, loopback, link-local"));
    ensure!(html.contains("Metadata grab"));
    ensure!(html.contains("value=\"thread\" checked"));
    ensure!(audit_count(&app).await? == head);

    // Accepted: the secret is shown once, on the answer to the form.
    allow_loopback(&app);
    let response = carol
        .submit(
            &new_path,
            &new_path,
            &[
                ("url", "http://localhost:9/hook"),
                ("description", "Local relay"),
                ("event_kinds", "message"),
                ("active", "on"),
            ],
        )
        .await?;
    ensure!(response.status() == 201, "{}", response.status());
    ensure!(response.headers().get("cache-control").unwrap() == "no-store");
    let html = response.text().await?;
    let secret_at = html.find("whsec_").context("the secret is shown")?;
    let secret = &html[secret_at..secret_at + 70];
    let (_, list) = carol.page(&list_path).await?;
    ensure!(list.contains("http://localhost:9/hook") && !list.contains(secret));
    let id = query_strings(
        &app.db.url,
        "SELECT url FROM webhook_endpoints WHERE description = 'Local relay'",
    )
    .await?;
    ensure!(id == ["http://localhost:9/hook"]);

    // Test event and delete, by their buttons.
    let created = carol_api
        .get_json(&format!("/api/v1/collaborations/{safe_routes}/webhooks"))
        .await?;
    let new_id = created["items"]
        .as_array()
        .context("items")?
        .iter()
        .find(|e| e["description"] == "Local relay")
        .and_then(|e| e["id"].as_str())
        .context("new endpoint")?
        .to_owned();
    let deliveries_path = format!("/webhooks/{new_id}/deliveries");
    let response = carol
        .submit(&deliveries_path, &format!("/webhooks/{new_id}/test"), &[])
        .await?;
    ensure!(response.status() == 303);
    let (_, html) = carol.page(&format!("{deliveries_path}?done=test")).await?;
    ensure!(html.contains("webhook.test") && html.contains("Pending"));
    let edit_path = format!("/webhooks/{new_id}/edit");
    let response = carol
        .submit(&edit_path, &format!("/webhooks/{new_id}/delete"), &[])
        .await?;
    ensure!(response.status() == 303);
    ensure!(
        count(&app, "SELECT count(*) FROM webhook_deliveries").await? == demo_deliveries,
        "the endpoint's deliveries went with it"
    );
    let (_, history) = carol
        .page(&format!("/collaborations/{safe_routes}/history"))
        .await?;
    ensure!(history.contains("Webhook added") && history.contains("Webhook deleted"));
    intact(&app).await
}

/// Measurement, not a check (run with `--ignored --nocapture`): what the enqueue hook adds to a
/// write. Times messages posted through the API (each an audited write in a collaboration whose
/// only endpoint is paused, so the hook's query answers no rows), the hook's query alone, and
/// posts while an active endpoint subscribes (one delivery row inserted per write).
#[tokio::test]
#[ignore = "a measurement; run explicitly"]
async fn measure_the_enqueue_hook() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let thread = start_thread(&carol, &safe_routes).await?;
    let thread_id = thread["thread"]["id"]
        .as_str()
        .context("thread")?
        .to_owned();
    let n = 300;
    let post_many = |label: &'static str| {
        let carol = &carol;
        let thread_id = &thread_id;
        async move {
            let started = std::time::Instant::now();
            for _ in 0..n {
                post_message(carol, thread_id).await?;
            }
            let per = started.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
            println!("{label}: {per:.2} ms per posted message ({n} posts, one client)");
            Ok::<f64, anyhow::Error>(per)
        }
    };
    post_many("no active endpoint").await?;
    let collaboration: uuid::Uuid = safe_routes.parse()?;
    let started = std::time::Instant::now();
    for _ in 0..n {
        let mut h = app
            .server
            .app
            .db
            .read()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let rows: Vec<(uuid::Uuid, String)> = concord_store::on_engine!(h, c => sqlx::query_as(
            "SELECT id, event_kinds FROM webhook_endpoints WHERE collaboration_id = $1 AND active = TRUE",
        )
        .bind(collaboration)
        .fetch_all(c)
        .await)?;
        ensure!(rows.is_empty());
    }
    let per = started.elapsed().as_secs_f64() * 1_000_000.0 / f64::from(n);
    println!("the hook's query alone (pooled connection, no rows): {per:.0} µs");
    allow_loopback(&app);
    register(
        &carol,
        &safe_routes,
        "http://localhost:9/hook",
        &["message"],
    )
    .await?;
    post_many("one active subscribed endpoint").await?;
    Ok(())
}

#[tokio::test]
async fn two_workers_at_once_send_each_delivery_once() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    allow_loopback(&app);
    let receiver = Receiver::start(&[]).await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    register(&carol, &safe_routes, &receiver.url(), &["message"]).await?;
    let thread = start_thread(&carol, &safe_routes).await?;
    let thread_id = thread["thread"]["id"].as_str().context("thread")?;
    for _ in 0..5 {
        post_message(&carol, thread_id).await?;
    }
    // Six deliveries (the first message and five more), two workers claiming at the same time.
    let (a, b) = tokio::join!(deliver(&app), deliver(&app));
    let (a, b) = (a?, b?);
    ensure!(a + b == 6, "claimed {a} + {b}");
    let got = receiver.received();
    let mut ids: Vec<String> = got
        .iter()
        .filter_map(|r| {
            r.headers
                .get("concord-delivery")?
                .to_str()
                .ok()
                .map(str::to_owned)
        })
        .collect();
    ids.sort();
    ids.dedup();
    ensure!(
        got.len() == 6 && ids.len() == 6,
        "each sent once: {}",
        got.len()
    );
    ensure!(deliver(&app).await? == 0);
    Ok(())
}

/// An https receiver on loopback whose certificate (for `localhost`) no public CA vouches for.
/// Answers every request 200 and keeps the raw requests. Returns (port, certificate PEM, requests).
async fn tls_receiver() -> Result<(u16, String, Arc<Mutex<Vec<String>>>)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
    let cert_pem = certified.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::try_from(certified.signing_key.serialize_der())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                // Headers, then as many body bytes as Content-Length says.
                loop {
                    let Ok(n) = tls.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buffer).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if buffer.len() >= end + 4 + length {
                            seen.lock().unwrap().push(text);
                            break;
                        }
                    }
                }
                let _ = tls
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    )
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    Ok((port, cert_pem, requests))
}

#[tokio::test]
async fn https_receivers_with_a_private_ca_are_trusted_only_through_the_ca_setting() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (port, ca_pem, requests) = tls_receiver().await?;
    let allow = parse_allow_list("127.0.0.1/32").unwrap();
    app.server.app.webhooks.set(WebhookSettings {
        allow: allow.clone(),
        extra_roots_pem: None,
    });
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let url = format!("https://localhost:{port}/hook");
    let created = register(&carol, &safe_routes, &url, &["thread"]).await?;
    let webhook = created["endpoint"]["id"].as_str().context("id")?.to_owned();
    let secret = created["secret"].as_str().context("secret")?.to_owned();
    start_thread(&carol, &safe_routes).await?;

    // Without the CA the certificate is refused: the attempt fails, nothing is read.
    ensure!(deliver(&app).await? == 1);
    ensure!(requests.lock().unwrap().is_empty());
    let log = deliveries(&carol, &webhook).await?;
    ensure!(log[0]["status"] == "pending" && log[0]["last_status_code"].is_null());

    // With --webhook-ca-file's PEM, the retry goes through, signed.
    app.server.app.webhooks.set(WebhookSettings {
        allow,
        extra_roots_pem: Some(ca_pem.into_bytes()),
    });
    app.clock.advance(chrono::Duration::seconds(31));
    ensure!(deliver(&app).await? == 1);
    let got = requests.lock().unwrap().clone();
    ensure!(got.len() == 1, "{got:?}");
    let (head, body) = got[0].split_once("\r\n\r\n").context("request")?;
    let signature = head
        .lines()
        .find_map(|l| l.strip_prefix("concord-signature: "))
        .context("signature header")?;
    verify(
        &secret,
        signature,
        body.as_bytes(),
        app.server.app.now(),
        chrono::Duration::seconds(REPLAY_WINDOW_SECONDS),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let log = deliveries(&carol, &webhook).await?;
    ensure!(
        log[0]["status"] == "succeeded" && log[0]["attempts"] == 2,
        "{log:?}"
    );
    Ok(())
}
