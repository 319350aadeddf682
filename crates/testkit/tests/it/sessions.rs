//! Signing in and out through the pages, sign-in throttling, CSRF, deactivation and API tokens,
//! and two servers over one database behaving as one.

use anyhow::{Context, Result, ensure};
use chrono::Duration;
use concord_testkit::{Browser, TestApp, TestServer, audit_head, reqwest, status_json};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

const DEMO_PASSWORD: &str = concord_app::demo::DEMO_PASSWORD;
const TOO_MANY: &str = "Too many failed attempts";
const WRONG_CREDENTIALS: &str = "The email address or password is not right.";
const FORM_EXPIRED: &str = "This form has expired";

/// The `concord_session` Set-Cookie header of a response, if it sets one.
fn session_set_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("concord_session="))
        .map(str::to_owned)
}

/// The cookie's value from a Set-Cookie header.
fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

/// GETs `path` on `base_url` presenting only the session cookie `session` (no cookie jar), and
/// returns (status, Location).
async fn get_with_session(base_url: &str, path: &str, session: &str) -> Result<(u16, String)> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let response = client
        .get(format!("{base_url}{path}"))
        .header(COOKIE, format!("concord_session={session}"))
        .send()
        .await?;
    let location = location(&response);
    Ok((response.status().as_u16(), location))
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// True when the session cookie `session` signs its bearer in on `base_url`: a page that needs a
/// signed-in user answers 200 rather than sending to the sign-in page.
async fn session_works(base_url: &str, session: &str) -> Result<bool> {
    let (status, location) = get_with_session(base_url, "/collaborations/new", session).await?;
    match status {
        200 => Ok(true),
        303 if location.starts_with("/sign-in") => Ok(false),
        other => anyhow::bail!("unexpected answer {other} (Location {location:?})"),
    }
}

/// Posts the sign-in form from a not-signed-in browser; returns (status, body, session cookie).
async fn attempt(
    browser: &Browser,
    email: &str,
    password: &str,
) -> Result<(u16, String, Option<String>)> {
    let response = browser
        .submit(
            "/sign-in",
            "/sign-in",
            &[("email", email), ("password", password)],
        )
        .await?;
    let cookie = session_set_cookie(&response);
    let status = response.status().as_u16();
    Ok((status, response.text().await?, cookie))
}

#[tokio::test]
async fn sign_in_sets_a_hardened_cookie_with_a_new_id_each_time_and_sign_out_ends_it() -> Result<()>
{
    let app = TestApp::spawn_with_demo().await?;
    let browser = app.browser();
    let (status, _, cookie) = attempt(&browser, "carol@riverton.example", DEMO_PASSWORD).await?;
    ensure!(status == 303, "sign-in answered {status}");
    let cookie = cookie.context("no session cookie set")?;
    let lower = cookie.to_ascii_lowercase();
    ensure!(lower.contains("; httponly"), "{cookie}");
    ensure!(lower.contains("; samesite=lax"), "{cookie}");
    ensure!(lower.contains("; path=/"), "{cookie}");
    ensure!(
        !lower.contains("; secure"),
        "Secure by default breaks plain-http installs: {cookie}"
    );
    let first = cookie_value(&cookie);
    ensure!(first.len() >= 40, "session id too short: {first}");
    ensure!(session_works(&app.base_url, &first).await?);
    ensure!(!session_works(&app.base_url, "forged-session-id-0123456789abcdef").await?);

    // Signing in again (already signed in) issues a new id and ends the old one.
    let response = browser
        .submit(
            "/",
            "/sign-in",
            &[
                ("email", "carol@riverton.example"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await?;
    ensure!(response.status() == 303, "{}", response.status());
    let second = cookie_value(&session_set_cookie(&response).context("no new cookie")?);
    ensure!(second != first, "the session id did not change at sign-in");
    ensure!(session_works(&app.base_url, &second).await?);
    ensure!(
        !session_works(&app.base_url, &first).await?,
        "the previous session still works"
    );
    // Another sign-in elsewhere gets its own id.
    let (_, _, other) = attempt(&app.browser(), "carol@riverton.example", DEMO_PASSWORD).await?;
    let third = cookie_value(&other.context("no cookie")?);
    ensure!(third != first && third != second);

    // Signing out ends the session on the server, not only in the browser.
    let response = browser.submit("/", "/sign-out", &[]).await?;
    ensure!(response.status() == 303 && location(&response) == "/");
    let removal = session_set_cookie(&response).context("sign-out left the cookie")?;
    ensure!(cookie_value(&removal).is_empty(), "{removal}");
    ensure!(!session_works(&app.base_url, &second).await?);
    ensure!(
        session_works(&app.base_url, &third).await?,
        "signing out one browser ended another"
    );
    let (status, _) = browser.page("/collaborations/new").await?;
    ensure!(status == 303);
    Ok(())
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let browser = app.browser();
    let (status_known, body_known, cookie) =
        attempt(&browser, "carol@riverton.example", "not-her-password").await?;
    ensure!(cookie.is_none());
    let (status_unknown, body_unknown, cookie) =
        attempt(&browser, "nobody@riverton.example", "not-her-password").await?;
    ensure!(cookie.is_none());
    ensure!(status_known == 401 && status_unknown == 401);
    ensure!(body_known.contains(WRONG_CREDENTIALS), "{body_known}");
    // Apart from the email address echoed in the form, the pages are identical.
    let known = body_known.replace("carol@riverton.example", "EMAIL");
    let unknown = body_unknown.replace("nobody@riverton.example", "EMAIL");
    ensure!(
        known == unknown,
        "the answers differ:\n{known}\n----\n{unknown}"
    );
    // So is a deactivated account's answer with its right password.
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    let hannah = app.api(Some(&app.token_for("hannah@health.example").await?));
    let hannah_id = hannah.get_json("/api/v1/me").await?["id"]
        .as_str()
        .context("id")?
        .to_owned();
    let (status, _) = status_json(
        alice
            .post(
                &format!("/api/v1/accounts/{hannah_id}/deactivate"),
                &json!({}),
            )
            .await?,
    )
    .await?;
    ensure!(status == 200);
    let (status, body, cookie) = attempt(&browser, "hannah@health.example", DEMO_PASSWORD).await?;
    ensure!(status == 401 && cookie.is_none());
    ensure!(body.replace("hannah@health.example", "EMAIL") == known);
    Ok(())
}

#[tokio::test]
async fn five_failures_lock_the_account_until_the_window_passes() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let browser = app.browser();
    for i in 1..=5 {
        let (status, body, _) = attempt(&browser, "carol@riverton.example", "guess-guess").await?;
        ensure!(status == 401, "failure {i} answered {status}");
        ensure!(!body.contains(TOO_MANY), "locked after only {i} failures");
    }
    // The sixth attempt is refused even with the right password.
    let (status, body, cookie) = attempt(&browser, "carol@riverton.example", DEMO_PASSWORD).await?;
    ensure!(status == 429, "sixth attempt answered {status}");
    ensure!(body.contains(TOO_MANY), "{body}");
    ensure!(cookie.is_none(), "a locked account got a session");
    // The lock is on the account: someone else signs in from the same address.
    let (status, _, _) = attempt(&app.browser(), "dave@trust.example", DEMO_PASSWORD).await?;
    ensure!(status == 303, "another account was locked too: {status}");
    // Still locked a little later, open after the window.
    app.clock.advance(Duration::minutes(10));
    let (status, _, _) = attempt(&browser, "carol@riverton.example", DEMO_PASSWORD).await?;
    ensure!(status == 429, "unlocked too early: {status}");
    app.clock.advance(Duration::minutes(6));
    let (status, _, cookie) = attempt(&browser, "carol@riverton.example", DEMO_PASSWORD).await?;
    ensure!(status == 303 && cookie.is_some(), "still locked: {status}");
    Ok(())
}

#[tokio::test]
async fn twenty_failures_from_one_address_lock_the_address() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let browser = app.browser();
    for i in 1..=20 {
        let email = format!("guess{i}@riverton.example");
        let (status, _, _) = attempt(&browser, &email, "whatever-password").await?;
        ensure!(status == 401, "failure {i} answered {status}");
    }
    // Every account is now refused from this address, whatever the password.
    for email in ["carol@riverton.example", "dave@trust.example"] {
        let (status, body, cookie) = attempt(&app.browser(), email, DEMO_PASSWORD).await?;
        ensure!(
            status == 429 && body.contains(TOO_MANY),
            "{email}: {status}"
        );
        ensure!(cookie.is_none());
    }
    app.clock.advance(Duration::minutes(16));
    let (status, _, _) = attempt(&browser, "carol@riverton.example", DEMO_PASSWORD).await?;
    ensure!(
        status == 303,
        "address still locked after the window: {status}"
    );
    Ok(())
}

/// How many collaborations carol can see with `title` (what a forged form would have created).
async fn count_titled(app: &TestApp, token: &str, title: &str) -> Result<usize> {
    let body = app
        .api(Some(token))
        .get_json(&format!(
            "/api/v1/collaborations?q={}",
            title.replace(' ', "+")
        ))
        .await?;
    Ok(body["items"]
        .as_array()
        .context("items")?
        .iter()
        .filter(|c| c["title"] == title)
        .count())
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused_and_change_nothing() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol_token = app.token_for("carol@riverton.example").await?;
    let carol = app.signed_in("carol@riverton.example").await?;
    let dave = app.signed_in("dave@trust.example").await?;
    let form = [
        ("title", "Forged collaboration"),
        ("summary", "Made by someone else's page."),
        ("visibility", "public"),
        ("status", "proposed"),
    ];

    let refused = |what: &'static str, response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let body = response.text().await?;
        ensure!(status == 403, "{what}: answered {status}");
        ensure!(body.contains(FORM_EXPIRED), "{what}: {body}");
        Ok::<_, anyhow::Error>(())
    };
    let head = audit_head(&app).await?;

    // No token at all.
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in form {
        body.append_pair(k, v);
    }
    let response = carol
        .client
        .post(app.url("/collaborations"))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body.finish())
        .send()
        .await?;
    refused("no token", response).await?;

    // A token from another person's session.
    let daves = dave.csrf_token("/").await?;
    refused(
        "another session's token",
        carol.post_form("/collaborations", &daves, &form).await?,
    )
    .await?;

    // A valid token, but the request comes from another site.
    let carols = carol.csrf_token("/").await?;
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    body.append_pair("csrf_token", &carols);
    for (k, v) in form {
        body.append_pair(k, v);
    }
    let response = carol
        .client
        .post(app.url("/collaborations"))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(reqwest::header::ORIGIN, "https://evil.example")
        .body(body.finish())
        .send()
        .await?;
    refused("cross-site origin", response).await?;
    ensure!(
        audit_head(&app).await? == head,
        "a refused form wrote to the audit log"
    );

    // A token from before signing out: stale once signed out, and stale in the next session.
    let stale = carols;
    let response = carol.submit("/", "/sign-out", &[]).await?;
    ensure!(response.status() == 303);
    let head = audit_head(&app).await?;
    refused(
        "stale token after sign-out",
        carol.post_form("/collaborations", &stale, &form).await?,
    )
    .await?;
    carol
        .sign_in("carol@riverton.example", DEMO_PASSWORD)
        .await?;
    let head_after_sign_in = audit_head(&app).await?;
    ensure!(head_after_sign_in.0 > head.0);
    refused(
        "stale token in a new session",
        carol.post_form("/collaborations", &stale, &form).await?,
    )
    .await?;
    ensure!(audit_head(&app).await? == head_after_sign_in);
    ensure!(count_titled(&app, &carol_token, "Forged collaboration").await? == 0);

    // The API does not take the session cookie at all (it needs no CSRF defence because of it).
    let response = carol
        .client
        .post(app.url("/api/v1/collaborations"))
        .json(
            &json!({"title": "Forged collaboration", "summary": "Via the API with a cookie.",
                      "visibility": "public"}),
        )
        .send()
        .await?;
    ensure!(response.status() == 401, "{}", response.status());
    ensure!(count_titled(&app, &carol_token, "Forged collaboration").await? == 0);

    // The same form with the session's own token goes through (so the refusals above were the
    // token's doing).
    let response = carol.submit("/", "/collaborations", &form).await?;
    ensure!(response.status() == 303, "{}", response.status());
    ensure!(count_titled(&app, &carol_token, "Forged collaboration").await? == 1);
    Ok(())
}

#[tokio::test]
async fn deactivating_an_account_stops_its_session_and_token_on_the_next_request() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    let hannah_token = app.token_for("hannah@health.example").await?;
    let hannah_api = app.api(Some(&hannah_token));
    let hannah = app.signed_in("hannah@health.example").await?;
    let hannah_id = hannah_api.get_json("/api/v1/me").await?["id"]
        .as_str()
        .context("id")?
        .to_owned();
    let (status, _) = hannah.page("/collaborations/new").await?;
    ensure!(status == 200);

    let (status, body) = status_json(
        alice
            .post(
                &format!("/api/v1/accounts/{hannah_id}/deactivate"),
                &json!({}),
            )
            .await?,
    )
    .await?;
    ensure!(status == 200 && body["active"] == false, "{status} {body}");

    let response = hannah.get("/collaborations/new").await?;
    ensure!(
        response.status() == 303 && location(&response).starts_with("/sign-in"),
        "the session still works: {}",
        response.status()
    );
    let (status, _) = status_json(hannah_api.get("/api/v1/me").await?).await?;
    ensure!(status == 401, "the token still works: {status}");
    // Not even as anonymous: a dead token is refused, never downgraded.
    let (status, _) = status_json(hannah_api.get("/api/v1/collaborations").await?).await?;
    ensure!(status == 401, "{status}");

    // Reactivation does not bring the ended session back.
    let (status, _) = status_json(
        alice
            .post(
                &format!("/api/v1/accounts/{hannah_id}/reactivate"),
                &json!({}),
            )
            .await?,
    )
    .await?;
    ensure!(status == 200);
    let (status, _) = hannah.page("/collaborations/new").await?;
    ensure!(status == 303, "a deactivated session came back: {status}");
    Ok(())
}

#[tokio::test]
async fn a_revoked_token_answers_401_and_only_its_owner_can_revoke_it() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    let (status, created) = status_json(
        bob.post("/api/v1/tokens", &json!({"name": "laptop"}))
            .await?,
    )
    .await?;
    ensure!(status == 201, "{status} {created}");
    let laptop = app.api(Some(created["secret"].as_str().context("secret")?));
    let laptop_id = created["token"]["id"].as_str().context("id")?;
    ensure!(laptop.get_json("/api/v1/me").await?["email"] == "bob@transport.example");

    // Alice cannot revoke Bob's token: it is not hers to see.
    let (status, _) =
        status_json(alice.delete(&format!("/api/v1/tokens/{laptop_id}")).await?).await?;
    ensure!(status == 404, "{status}");
    ensure!(laptop.get_json("/api/v1/me").await?["email"] == "bob@transport.example");

    let (status, _) =
        status_json(bob.delete(&format!("/api/v1/tokens/{laptop_id}")).await?).await?;
    ensure!(status == 204, "{status}");
    for path in ["/api/v1/me", "/api/v1/collaborations"] {
        let response = laptop.get(path).await?;
        let challenge = response
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .cloned();
        let (status, body) = status_json(response).await?;
        ensure!(
            status == 401 && body["code"] == "unauthenticated",
            "{path}: {status} {body}"
        );
        ensure!(challenge.is_some_and(|c| c == "Bearer"));
    }
    // The token it was made with still works, and a made-up token does not.
    ensure!(bob.get_json("/api/v1/me").await?["email"] == "bob@transport.example");
    let (status, _) = status_json(
        app.api(Some("concord_made-up-token"))
            .get("/api/v1/me")
            .await?,
    )
    .await?;
    ensure!(status == 401);
    Ok(())
}

#[tokio::test]
async fn a_token_acts_exactly_as_its_user() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    // Every demo collaboration, seen by someone named on it.
    let mut all = std::collections::BTreeMap::new();
    for email in ["carol@riverton.example", "alice@health.example"] {
        let body = app
            .api(Some(&app.token_for(email).await?))
            .get_json("/api/v1/collaborations")
            .await?;
        for c in body["items"].as_array().context("items")? {
            // The collaboration as it is: saving it unchanged is an edit that changes nothing.
            let unchanged = json!({"title": c["title"], "summary": c["summary"],
                "visibility": c["visibility"], "status": c["status"],
                "problem_statement": c["problem_statement"], "geography": c["geography"],
                "start_date": c["start_date"], "end_date": c["end_date"],
                "policy_areas": c["policy_areas"]});
            all.insert(
                c["title"].as_str().context("title")?.to_owned(),
                (c["id"].as_str().context("id")?.to_owned(), unchanged),
            );
        }
    }
    ensure!(all.len() == 3, "{all:?}");
    // For every demo user and collaboration, the token and the signed-in browser get the same
    // answers: reading, reading the history, and editing (the edit form versus an edit that
    // changes nothing).
    let mut differences = Vec::new();
    for (email, ..) in concord_app::demo::DEMO_ACCOUNTS {
        let api = app.api(Some(&app.token_for(email).await?));
        let browser = app.signed_in(email).await?;
        for (title, (id, unchanged)) in &all {
            for suffix in ["", "/history"] {
                let (api_status, _) = status_json(
                    api.get(&format!("/api/v1/collaborations/{id}{suffix}"))
                        .await?,
                )
                .await?;
                let (page_status, _) = browser
                    .page(&format!("/collaborations/{id}{suffix}"))
                    .await?;
                if api_status != page_status.as_u16() {
                    differences.push(format!(
                        "{email} {title}{suffix}: token {api_status}, session {page_status}"
                    ));
                }
            }
            let view_status = api
                .get(&format!("/api/v1/collaborations/{id}"))
                .await?
                .status();
            let (edit_status, body) = status_json(
                api.put(&format!("/api/v1/collaborations/{id}"), unchanged)
                    .await?,
            )
            .await?;
            let (form_status, _) = browser.page(&format!("/collaborations/{id}/edit")).await?;
            let consistent = match view_status.as_u16() {
                200 => edit_status == form_status.as_u16(),
                // What the user cannot read, neither credential may touch.
                _ => edit_status == 404 && form_status == 404,
            };
            if !consistent {
                differences.push(format!(
                    "{email} {title}: edit by token {edit_status} {body}, edit form {form_status}"
                ));
            }
        }
    }
    ensure!(differences.is_empty(), "{}", differences.join("\n"));
    // And concretely: the confidential collaboration is Bob's to read and not Carol's.
    let (hospital, _) = all.get("Hospital Transfer Logistics").context("hospital")?;
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    ensure!(
        bob.get(&format!("/api/v1/collaborations/{hospital}"))
            .await?
            .status()
            == 200
    );
    ensure!(
        carol
            .get(&format!("/api/v1/collaborations/{hospital}"))
            .await?
            .status()
            == 404
    );
    ensure!(
        !carol
            .get_json("/api/v1/collaborations")
            .await?
            .to_string()
            .contains("Hospital Transfer Logistics")
    );
    Ok(())
}

#[tokio::test]
async fn two_servers_on_one_database_share_sessions_tokens_and_throttles() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let second = TestServer::start(&app.db.url).await?;

    // A session made on server 1 works on server 2, and so does its CSRF token.
    let (status, _, cookie) =
        attempt(&app.browser(), "carol@riverton.example", DEMO_PASSWORD).await?;
    ensure!(status == 303);
    let session = cookie_value(&cookie.context("cookie")?);
    ensure!(session_works(&second.base_url, &session).await?);
    let on_first = app.signed_in("dave@trust.example").await?;
    let token = on_first.csrf_token("/").await?;
    let on_second = Browser {
        base_url: second.base_url.clone(),
        client: on_first.client.clone(),
    };
    let response = on_second
        .post_form(
            "/collaborations",
            &token,
            &[
                ("title", "Made across servers"),
                ("summary", "Form from one server, posted to the other."),
                ("visibility", "partners"),
            ],
        )
        .await?;
    ensure!(response.status() == 303, "{}", response.status());

    // A token made on server 2 works on server 1.
    let first_token = app.token_for("bob@transport.example").await?;
    let via_second = concord_testkit::Api {
        base_url: second.base_url.clone(),
        token: Some(first_token),
        client: reqwest::Client::new(),
    };
    let (status, created) = status_json(
        via_second
            .post("/api/v1/tokens", &json!({"name": "second"}))
            .await?,
    )
    .await?;
    ensure!(status == 201, "{status} {created}");
    let made_on_second = app.api(Some(created["secret"].as_str().context("secret")?));
    ensure!(made_on_second.get_json("/api/v1/me").await?["email"] == "bob@transport.example");

    // Failures on both servers count toward one throttle.
    let browser_one = app.browser();
    let browser_two = Browser::new(&second.base_url);
    for (i, browser) in [
        &browser_one,
        &browser_two,
        &browser_one,
        &browser_two,
        &browser_one,
    ]
    .into_iter()
    .enumerate()
    {
        let (status, _, _) = attempt(browser, "alice@health.example", "wrong-wrong").await?;
        ensure!(status == 401, "failure {} answered {status}", i + 1);
    }
    for browser in [&browser_two, &browser_one] {
        let (status, body, _) = attempt(browser, "alice@health.example", DEMO_PASSWORD).await?;
        ensure!(status == 429 && body.contains(TOO_MANY), "{status}");
    }
    second.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_failures_all_count_toward_the_lock() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let second = TestServer::start(&app.db.url).await?;
    let mut failures = Vec::new();
    for email in [
        "carol@riverton.example",
        "dave@trust.example",
        "bob@transport.example",
    ] {
        let browsers = [app.browser(), Browser::new(&second.base_url)];
        let mut tokens = Vec::new();
        for browser in &browsers {
            tokens.push(browser.csrf_token("/sign-in").await?);
        }
        // Four wrong guesses at once, on two servers, then a fifth: the account must be locked.
        let mut tasks = Vec::new();
        for i in 0..4usize {
            let browser = browsers[i % 2].clone();
            let body = format!(
                "csrf_token={}&email={}&password=burst-guess",
                tokens[i % 2],
                email.replace('@', "%40")
            );
            tasks.push(tokio::spawn(async move {
                let response = browser
                    .client
                    .post(format!("{}/sign-in", browser.base_url))
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(body)
                    .send()
                    .await?;
                Ok::<_, anyhow::Error>(response.status().as_u16())
            }));
        }
        for task in tasks {
            let status = task.await??;
            ensure!(status == 401, "{email}: {status}");
        }
        let (status, _, _) = attempt(&browsers[0], email, "one-more-guess").await?;
        ensure!(status == 401, "{email}: {status}");
        let (status, _, cookie) = attempt(&browsers[1], email, DEMO_PASSWORD).await?;
        if status != 429 || cookie.is_some() {
            let counted = concord_testkit::query_i64s(
                &app.db.url,
                &format!("SELECT failures FROM sign_in_throttle WHERE key = 'account:{email}'"),
            )
            .await?;
            failures.push(format!(
                "{email}: after 5 failures (4 of them concurrent) the right password got {status}; \
                 failures counted: {counted:?}"
            ));
        }
    }
    ensure!(failures.is_empty(), "{}", failures.join("\n"));
    second.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_session_ends_after_twelve_hours() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (status, _, cookie) = attempt(&app.browser(), "dave@trust.example", DEMO_PASSWORD).await?;
    ensure!(status == 303);
    let session = cookie_value(&cookie.context("cookie")?);
    app.clock.advance(Duration::hours(11));
    ensure!(session_works(&app.base_url, &session).await?, "ended early");
    app.clock.advance(Duration::hours(1) + Duration::minutes(1));
    ensure!(
        !session_works(&app.base_url, &session).await?,
        "still signed in after 12 hours"
    );
    Ok(())
}

#[tokio::test]
async fn sign_in_returns_only_to_pages_of_this_site() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    for (next, expected) in [
        (
            "/collaborations?status=active",
            "/collaborations?status=active",
        ),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
    ] {
        let browser = app.browser();
        let response = browser
            .submit(
                "/sign-in",
                "/sign-in",
                &[
                    ("email", "dave@trust.example"),
                    ("password", DEMO_PASSWORD),
                    ("next", next),
                ],
            )
            .await?;
        ensure!(response.status() == 303);
        ensure!(
            location(&response) == expected,
            "{next} → {}",
            location(&response)
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_guesses_gets_no_more_than_five_answers() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let second = TestServer::start(&app.db.url).await?;
    let browsers = [app.browser(), Browser::new(&second.base_url)];
    let mut tokens = Vec::new();
    for browser in &browsers {
        tokens.push(browser.csrf_token("/sign-in").await?);
    }
    // Sixteen guesses fired at once: only five may be checked against the password; the rest
    // must find the account locked, however they interleave.
    let mut tasks = Vec::new();
    for i in 0..16usize {
        let browser = browsers[i % 2].clone();
        let body = format!(
            "csrf_token={}&email=alice%40health.example&password=guess-number-{i}",
            tokens[i % 2]
        );
        tasks.push(tokio::spawn(async move {
            let response = browser
                .client
                .post(format!("{}/sign-in", browser.base_url))
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(body)
                .send()
                .await?;
            Ok::<_, anyhow::Error>(response.status().as_u16())
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await??);
    }
    statuses.sort_unstable();
    let answered = statuses.iter().filter(|s| **s == 401).count();
    let locked = statuses.iter().filter(|s| **s == 429).count();
    ensure!(
        answered == 5 && locked == 11,
        "{answered} guesses were checked, {locked} refused as locked: {statuses:?}"
    );
    second.stop().await;
    Ok(())
}
