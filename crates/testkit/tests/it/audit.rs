//! The audit chain: every change writes its event in the same transaction, a refused change writes
//! nothing, the chain stays whole under many concurrent writers, and direct tampering with the
//! stored rows is caught at the event it touched.

use anyhow::{Context, Result, bail, ensure};
use concord_app::audit::{Verification, verify};
use concord_domain::audit::{ChainError, digest_changes};
use concord_testkit::{
    Api, TestApp, audit_head, execute_sql, query_i64s, query_strings, status_json,
};
use serde_json::{Value, json};

/// Verifies the chain and insists it is intact; returns its head hash.
async fn intact(app: &TestApp) -> Result<String> {
    match verify(&app.server.app)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
    {
        Verification::Intact { head_hash, events } => {
            let (seq, hash) = audit_head(app).await?;
            ensure!(
                events == seq && head_hash == hash,
                "verify disagrees with the head"
            );
            Ok(head_hash)
        }
        Verification::Broken(error) => bail!("chain broken: {error}"),
    }
}

/// Verifies the chain and insists it is broken; returns the error.
async fn broken(app: &TestApp) -> Result<ChainError> {
    match verify(&app.server.app)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
    {
        Verification::Intact { .. } => bail!("tampering went unnoticed"),
        Verification::Broken(error) => Ok(error),
    }
}

/// (action, actor id) of every event after `after`, in order.
async fn events_after(app: &TestApp, after: i64) -> Result<Vec<(String, String)>> {
    let mut h = app.server.app.db.read().await?;
    Ok(concord_store::audit::events_after(&mut h, after, 1000)
        .await?
        .into_iter()
        .map(|e| (e.action, e.actor_id))
        .collect())
}

async fn me(api: &Api) -> Result<String> {
    Ok(api.get_json("/api/v1/me").await?["id"]
        .as_str()
        .context("id")?
        .to_owned())
}

async fn ok_json(response: reqwest::Response, expected: u16, what: &str) -> Result<Value> {
    let (status, body) = status_json(response).await?;
    ensure!(status == expected, "{what}: {status} {body}");
    Ok(body)
}

async fn id_of(api: &Api, title: &str) -> Result<String> {
    let body = api.get_json("/api/v1/collaborations?limit=100").await?;
    body["items"]
        .as_array()
        .context("items")?
        .iter()
        .find(|c| c["title"] == title)
        .and_then(|c| c["id"].as_str())
        .map(str::to_owned)
        .with_context(|| format!("no collaboration {title}"))
}

fn collaboration_body(title: &str, visibility: &str) -> Value {
    json!({"title": title, "summary": "Written while testing the audit log.",
           "visibility": visibility, "status": "proposed", "policy_areas": ["07"]})
}

#[tokio::test]
async fn every_kind_of_change_appends_its_event_and_keeps_the_chain_intact() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let dave = app.api(Some(&app.token_for("dave@trust.example").await?));
    let admin = app.api(Some(&app.token_for("admin@concord.example").await?));
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    let (carol_id, dave_id, admin_id, alice_id) = (
        me(&carol).await?,
        me(&dave).await?,
        me(&admin).await?,
        me(&alice).await?,
    );
    let trust_org = dave.get_json("/api/v1/me").await?["organisation_id"]
        .as_str()
        .context("org")?
        .to_owned();
    intact(&app).await?;

    // Each step: the request, then exactly the events it must have appended, by whom.
    let mut seq = audit_head(&app).await?.0;
    let mut check = async |what: &str, expected: &[(&str, &str)]| -> Result<()> {
        let events = events_after(&app, seq).await?;
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        ensure!(
            events == expected,
            "{what}: events {events:?}, expected {expected:?}"
        );
        intact(&app).await?;
        seq = audit_head(&app).await?.0;
        Ok(())
    };

    let body = ok_json(
        carol
            .post(
                "/api/v1/collaborations",
                &collaboration_body("Audited", "partners"),
            )
            .await?,
        201,
        "create",
    )
    .await?;
    let id = body["collaboration"]["id"]
        .as_str()
        .context("id")?
        .to_owned();
    check(
        "create collaboration",
        &[
            ("collaboration.created", &carol_id),
            ("collaboration.organisation_added", &carol_id),
            ("collaboration.person_added", &carol_id),
        ],
    )
    .await?;

    ok_json(
        carol
            .put(
                &format!("/api/v1/collaborations/{id}"),
                &collaboration_body("Audited and renamed", "partners"),
            )
            .await?,
        200,
        "update",
    )
    .await?;
    check(
        "update collaboration",
        &[("collaboration.updated", &carol_id)],
    )
    .await?;

    ok_json(
        carol
            .post(
                &format!("/api/v1/collaborations/{id}/organisations"),
                &json!({"organisation_id": trust_org, "role": "partner"}),
            )
            .await?,
        204,
        "invite",
    )
    .await?;
    check(
        "invite",
        &[("collaboration.organisation_invited", &carol_id)],
    )
    .await?;

    ok_json(
        dave.post(
            &format!("/api/v1/collaborations/{id}/invitation/accept"),
            &json!({}),
        )
        .await?,
        204,
        "accept",
    )
    .await?;
    check("accept", &[("collaboration.invitation_accepted", &dave_id)]).await?;

    ok_json(
        carol
            .post(
                &format!("/api/v1/collaborations/{id}/people"),
                &json!({"user_id": dave_id, "role": "contributor"}),
            )
            .await?,
        204,
        "add person",
    )
    .await?;
    check("add person", &[("collaboration.person_added", &carol_id)]).await?;

    let token = ok_json(
        carol
            .post("/api/v1/tokens", &json!({"name": "audit"}))
            .await?,
        201,
        "token",
    )
    .await?;
    check("create token", &[("api_token.created", &carol_id)]).await?;
    let token_id = token["token"]["id"].as_str().context("token id")?;
    ok_json(
        carol.delete(&format!("/api/v1/tokens/{token_id}")).await?,
        204,
        "revoke",
    )
    .await?;
    check("revoke token", &[("api_token.revoked", &carol_id)]).await?;

    let browser = app.browser();
    let response = browser
        .submit(
            "/sign-in",
            "/sign-in",
            &[
                ("email", "alice@health.example"),
                ("password", "not-the-password"),
            ],
        )
        .await?;
    ensure!(response.status() == 401);
    check("failed sign-in", &[("session.sign_in_failed", "")]).await?;
    browser
        .sign_in("alice@health.example", concord_app::demo::DEMO_PASSWORD)
        .await?;
    check("sign-in", &[("session.signed_in", &alice_id)]).await?;
    ensure!(browser.submit("/", "/sign-out", &[]).await?.status() == 303);
    check("sign-out", &[("session.signed_out", &alice_id)]).await?;

    let org = ok_json(
        admin
            .post(
                "/api/v1/organisations",
                &json!({"name": "Audit Office", "kind": "agency"}),
            )
            .await?,
        201,
        "org create",
    )
    .await?;
    check(
        "create organisation",
        &[("organisation.created", &admin_id)],
    )
    .await?;
    let org_id = org["id"].as_str().context("org id")?;
    ok_json(
        admin
            .put(
                &format!("/api/v1/organisations/{org_id}"),
                &json!({"name": "National Audit Office", "kind": "agency"}),
            )
            .await?,
        200,
        "org update",
    )
    .await?;
    check(
        "update organisation",
        &[("organisation.updated", &admin_id)],
    )
    .await?;

    let account = ok_json(
        admin
            .post(
                "/api/v1/accounts",
                &json!({"email": "auditor@audit.example", "display_name": "Ann Auditor",
                        "password": "a long enough password", "organisation_id": org_id}),
            )
            .await?,
        201,
        "account create",
    )
    .await?;
    check("create account", &[("user.created", &admin_id)]).await?;
    let account_id = account["id"].as_str().context("account id")?;
    ok_json(
        admin
            .post(
                &format!("/api/v1/accounts/{account_id}/deactivate"),
                &json!({}),
            )
            .await?,
        200,
        "deactivate",
    )
    .await?;
    check("deactivate account", &[("user.deactivated", &admin_id)]).await?;
    Ok(())
}

#[tokio::test]
async fn a_refused_or_failed_change_writes_nothing_and_changes_nothing() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let admin = app.api(Some(&app.token_for("admin@concord.example").await?));
    let dave = app.api(Some(&app.token_for("dave@trust.example").await?));
    let carol_id = me(&carol).await?;
    let safe = id_of(&carol, "Safe Routes to School").await?;
    let hospital = id_of(&bob, "Hospital Transfer Logistics").await?;
    let city = carol.get_json("/api/v1/me").await?["organisation_id"]
        .as_str()
        .context("org")?
        .to_owned();
    let health = id_of_org(&admin, "Ministry of Health").await?;
    let transport = id_of_org(&admin, "National Transport Agency").await?;
    let base = format!("/api/v1/collaborations/{safe}");
    let current = carol.get_json(&base).await?;
    let c = &current["collaboration"];
    let same = json!({"title": c["title"], "summary": c["summary"], "visibility": c["visibility"],
        "status": c["status"], "problem_statement": c["problem_statement"],
        "geography": c["geography"], "start_date": c["start_date"], "end_date": c["end_date"],
        "policy_areas": c["policy_areas"]});
    let mut blank_title = same.clone();
    blank_title["title"] = json!("   ");
    let mut back_to_proposed = same.clone();
    back_to_proposed["status"] = json!("proposed");
    let mut renamed = same.clone();
    renamed["title"] = json!("Renamed without the right");

    let head = audit_head(&app).await?;
    let attempts: Vec<(&str, reqwest::Response, u16, &str)> = vec![
        (
            "blank title",
            carol.put(&base, &blank_title).await?,
            422,
            "invalid_input",
        ),
        (
            "active back to proposed",
            carol.put(&base, &back_to_proposed).await?,
            422,
            "invalid_input",
        ),
        (
            "contributor edits",
            bob.put(&base, &renamed).await?,
            403,
            "forbidden",
        ),
        (
            "outsider edits the invisible",
            dave.put(&format!("/api/v1/collaborations/{hospital}"), &renamed)
                .await?,
            404,
            "not_found",
        ),
        (
            "removing the last coordinator",
            carol.delete(&format!("{base}/people/{carol_id}")).await?,
            409,
            "last_coordinator",
        ),
        (
            "demoting the last coordinator",
            carol
                .put(
                    &format!("{base}/people/{carol_id}"),
                    &json!({"role": "viewer"}),
                )
                .await?,
            409,
            "last_coordinator",
        ),
        (
            "removing the lead",
            carol
                .delete(&format!("{base}/organisations/{city}"))
                .await?,
            409,
            "cannot_remove_lead",
        ),
        (
            "inviting a member again",
            carol
                .post(
                    &format!("{base}/organisations"),
                    &json!({"organisation_id": transport, "role": "partner"}),
                )
                .await?,
            409,
            "already_member",
        ),
        (
            "a second organisation with the same name",
            admin
                .post(
                    "/api/v1/organisations",
                    &json!({"name": "ministry of health", "kind": "ministry"}),
                )
                .await?,
            422,
            "invalid_input",
        ),
        (
            "renaming onto another organisation's name",
            admin
                .put(
                    &format!("/api/v1/organisations/{health}"),
                    &json!({"name": "National Transport Agency", "kind": "ministry"}),
                )
                .await?,
            422,
            "invalid_input",
        ),
        (
            "an account with a taken email",
            admin
                .post(
                    "/api/v1/accounts",
                    &json!({"email": "Bob@Transport.example", "display_name": "Bob Again",
                            "password": "a long enough password", "organisation_id": health}),
                )
                .await?,
            422,
            "invalid_input",
        ),
        (
            "revoking a token that is not there",
            carol
                .delete(&format!("/api/v1/tokens/{}", uuid::Uuid::now_v7()))
                .await?,
            404,
            "not_found",
        ),
        // Saving without a change is not a change.
        ("saving unchanged", carol.put(&base, &same).await?, 200, ""),
    ];
    let mut failures = Vec::new();
    for (what, response, status, code) in attempts {
        let (got, body) = status_json(response).await?;
        if got != status || (!code.is_empty() && body["code"] != code) {
            failures.push(format!("{what}: {got} {body}, expected {status} {code}"));
        }
    }
    ensure!(failures.is_empty(), "{}", failures.join("\n"));
    ensure!(
        carol.get_json(&base).await? == current,
        "the collaboration changed"
    );
    ensure!(
        admin
            .get_json(&format!("/api/v1/organisations/{health}"))
            .await?["name"]
            == "Ministry of Health"
    );
    ensure!(audit_head(&app).await? == head);
    intact(&app).await?;
    Ok(())
}

async fn id_of_org(api: &Api, name: &str) -> Result<String> {
    let body = api.get_json("/api/v1/organisations?limit=100").await?;
    body["items"]
        .as_array()
        .context("items")?
        .iter()
        .find(|o| o["name"] == name)
        .and_then(|o| o["id"].as_str())
        .map(str::to_owned)
        .with_context(|| format!("no organisation {name}"))
}

#[tokio::test]
async fn history_names_who_and_what_while_the_chain_holds_no_personal_data() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let hannah = app.api(Some(&app.token_for("hannah@health.example").await?));
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    let carol_id = me(&carol).await?;
    let safe = id_of(&carol, "Safe Routes to School").await?;
    let base = format!("/api/v1/collaborations/{safe}");
    let view = carol.get_json(&base).await?;
    let c = &view["collaboration"];
    let titled = |title: &str| {
        json!({"title": title, "summary": c["summary"], "visibility": c["visibility"],
            "status": c["status"], "problem_statement": c["problem_statement"],
            "geography": c["geography"], "start_date": c["start_date"], "end_date": c["end_date"],
            "policy_areas": c["policy_areas"]})
    };
    // The same change twice (A, B, A): the two identical changes must not hash alike.
    for title in [
        "Walk to School Riverton",
        "Safe Routes to School",
        "Walk to School Riverton",
    ] {
        ok_json(carol.put(&base, &titled(title)).await?, 200, "rename").await?;
    }

    // History, read by a contributor: who did what, newest first, with field names only.
    let history = hannah.get_json(&format!("{base}/history?limit=3")).await?;
    let items = history["items"].as_array().context("items")?;
    ensure!(
        items.len() == 3 && history["next_cursor"].is_string(),
        "{history}"
    );
    for item in items {
        ensure!(item["action"] == "collaboration.updated", "{item}");
        ensure!(item["actor_name"] == "Carol Nguyen" && item["actor_id"] == carol_id.as_str());
        ensure!(item["changed_fields"] == json!(["title"]), "{item}");
        ensure!(!item.to_string().contains("Walk to School"), "{item}");
    }
    let seqs: Vec<i64> = items.iter().filter_map(|i| i["seq"].as_i64()).collect();
    ensure!(seqs.windows(2).all(|w| w[0] > w[1]), "{seqs:?}");
    // Follow the cursor to the beginning (the demo history is longer than one page).
    let mut older_items = Vec::new();
    let mut cursor = history["next_cursor"].as_str().map(str::to_owned);
    while let Some(next) = cursor {
        let older = hannah
            .get_json(&format!("{base}/history?limit=100&cursor={next}"))
            .await?;
        older_items.extend(older["items"].as_array().context("older")?.iter().cloned());
        cursor = older["next_cursor"].as_str().map(str::to_owned);
    }
    ensure!(
        older_items
            .iter()
            .all(|i| i["seq"].as_i64() < seqs.last().copied())
    );
    ensure!(
        older_items
            .iter()
            .any(|i| i["action"] == "collaboration.created"),
        "no collaboration.created in {} older events",
        older_items.len()
    );

    // In the stored rows: the salted digest of the change, never its words.
    let last = seqs[0];
    let row = query_strings(
        &app.db.url,
        &format!("SELECT salt || '|' || changes_digest || '|' || changed_fields FROM audit_events WHERE seq IN ({}, {}) ORDER BY seq", last - 2, last),
    )
    .await?;
    ensure!(row.len() == 2);
    let mut digests = Vec::new();
    for line in &row {
        let parts: Vec<&str> = line.split('|').collect();
        let (salt, digest, fields) = (parts[0], parts[1], parts[2]);
        ensure!(fields == "title");
        ensure!(salt.len() >= 16 && digest.len() == 64, "{line}");
        let details = json!({"title": "Walk to School Riverton"});
        ensure!(
            digest == digest_changes(salt, &details),
            "the digest is not of the change"
        );
        ensure!(
            digest != digest_changes("", &details),
            "the digest is not salted"
        );
        digests.push(digest.to_owned());
    }
    ensure!(digests[0] != digests[1], "two identical changes hash alike");

    // Personal data entered by people never reaches the chain in clear.
    let health = alice.get_json("/api/v1/me").await?["organisation_id"]
        .as_str()
        .context("org")?
        .to_owned();
    ok_json(
        alice
            .post(
                "/api/v1/accounts",
                &json!({"email": "priya.private@health.example", "display_name": "Priya Private",
                        "password": "a long enough password", "organisation_id": health}),
            )
            .await?,
        201,
        "account",
    )
    .await?;
    let browser = app.browser();
    let response = browser
        .submit(
            "/sign-in",
            "/sign-in",
            &[
                ("email", "someone.unknown@elsewhere.example"),
                ("password", "a guess at it"),
            ],
        )
        .await?;
    ensure!(response.status() == 401);
    let rows = query_strings(
        &app.db.url,
        "SELECT action || '|' || object_type || '|' || object_id || '|' || changed_fields || '|' || salt || '|' \
         || changes_digest || '|' || prev_hash || '|' || hash FROM audit_events ORDER BY seq",
    )
    .await?;
    ensure!(rows.len() as i64 == audit_head(&app).await?.0);
    for secret in [
        "priya",
        "Priya Private",
        "someone.unknown",
        "elsewhere.example",
        "Walk to School",
        "a guess at it",
        "127.0.0.1",
    ] {
        let leaks: Vec<&String> = rows
            .iter()
            .filter(|r| r.to_lowercase().contains(&secret.to_lowercase()))
            .collect();
        ensure!(leaks.is_empty(), "{secret:?} stored in clear: {leaks:?}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_concurrent_writers_leave_one_contiguous_unforked_chain() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let emails = [
        "carol@riverton.example",
        "alice@health.example",
        "bob@transport.example",
        "dave@trust.example",
        "hannah@health.example",
    ];
    let mut apis = Vec::new();
    for email in emails {
        apis.push(app.api(Some(&app.token_for(email).await?)));
    }
    let carol = apis[0].clone();
    let safe = id_of(&carol, "Safe Routes to School").await?;
    let view = carol
        .get_json(&format!("/api/v1/collaborations/{safe}"))
        .await?;
    let c = view["collaboration"].clone();
    let (before, _) = audit_head(&app).await?;

    let mut tasks = Vec::new();
    for i in 0..40usize {
        let api = apis[i % apis.len()].clone();
        let carol = carol.clone();
        let c = c.clone();
        let safe = safe.clone();
        tasks.push(tokio::spawn(async move {
            let response = if i % 2 == 0 {
                // A creation: three events (collaboration, lead organisation, coordinator).
                api.post(
                    "/api/v1/collaborations",
                    &collaboration_body(&format!("Concurrent {i}"), "partners"),
                )
                .await?
            } else {
                // A rename of the same collaboration: one event each, all contending for one row.
                carol
                    .put(
                        &format!("/api/v1/collaborations/{safe}"),
                        &json!({"title": format!("Safe Routes, take {i}"), "summary": c["summary"],
                            "visibility": c["visibility"], "status": c["status"],
                            "problem_statement": c["problem_statement"],
                            "geography": c["geography"], "start_date": c["start_date"],
                            "end_date": c["end_date"], "policy_areas": c["policy_areas"]}),
                    )
                    .await?
            };
            let status = response.status().as_u16();
            let body = response.text().await?;
            Ok::<_, anyhow::Error>((i, status, body))
        }));
    }
    for task in tasks {
        let (i, status, body) = task.await??;
        let expected = if i % 2 == 0 { 201 } else { 200 };
        ensure!(status == expected, "writer {i}: {status} {body}");
    }

    let (head, _) = audit_head(&app).await?;
    ensure!(
        head == before + 20 * 3 + 20,
        "expected {} events, head moved by {}",
        20 * 3 + 20,
        head - before
    );
    intact(&app).await?;
    let seqs = query_i64s(&app.db.url, "SELECT seq FROM audit_events ORDER BY seq").await?;
    ensure!(
        seqs == (1..=head).collect::<Vec<i64>>(),
        "sequence numbers are not contiguous"
    );
    let forks = query_i64s(
        &app.db.url,
        "SELECT COUNT(*) - COUNT(DISTINCT prev_hash) FROM audit_events",
    )
    .await?;
    ensure!(forks == vec![0], "two events claim the same predecessor");
    Ok(())
}

/// Flips the first character of a text value.
fn altered(value: &str) -> String {
    let mut chars = value.chars();
    let first = chars.next().unwrap_or('x');
    let replacement = if first == 'a' { 'b' } else { 'a' };
    std::iter::once(replacement).chain(chars).collect()
}

#[tokio::test]
async fn altering_any_stored_field_is_caught_at_that_event() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let url = app.db.url.clone();
    intact(&app).await?;
    for field in [
        "action",
        "object_type",
        "object_id",
        "changed_fields",
        "salt",
        "changes_digest",
        "prev_hash",
        "hash",
    ] {
        let original = query_strings(
            &url,
            &format!("SELECT {field} FROM audit_events WHERE seq = 5"),
        )
        .await?
        .pop()
        .context("seq 5")?;
        let changed = altered(&original);
        ensure!(
            execute_sql(
                &url,
                &format!("UPDATE audit_events SET {field} = '{changed}' WHERE seq = 5")
            )
            .await?
                == 1
        );
        let error = broken(&app).await?;
        ensure!(error.seq() == 5, "{field}: {error}");
        execute_sql(
            &url,
            &format!("UPDATE audit_events SET {field} = '{original}' WHERE seq = 5"),
        )
        .await?;
        intact(&app).await?;
    }
    // Who did it, and when: erasing the actor of a later event, then moving an earlier one in time.
    let actor_seq = query_i64s(
        &url,
        "SELECT MIN(seq) FROM audit_events WHERE actor_id IS NOT NULL AND seq > 5",
    )
    .await?
    .pop()
    .context("an event with an actor")?;
    execute_sql(
        &url,
        &format!("UPDATE audit_events SET actor_id = NULL WHERE seq = {actor_seq}"),
    )
    .await?;
    ensure!(broken(&app).await?.seq() == actor_seq);
    execute_sql(
        &url,
        "UPDATE audit_events SET occurred_at = (SELECT occurred_at FROM audit_events WHERE seq = \
         (SELECT MAX(seq) FROM audit_events)) WHERE seq = 5",
    )
    .await?;
    ensure!(broken(&app).await?.seq() == 5);
    Ok(())
}

#[tokio::test]
async fn deleting_an_event_is_caught_naming_it() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    intact(&app).await?;
    ensure!(execute_sql(&app.db.url, "DELETE FROM audit_events WHERE seq = 5").await? == 1);
    let error = broken(&app).await?;
    ensure!(
        matches!(error, ChainError::Gap { expected: 5, .. }),
        "deleting event 5 was reported as {error:?}"
    );
    ensure!(error.seq() == 5, "the missing event is the one named");
    ensure!(
        error.to_string().contains("expected sequence number 5"),
        "{error}"
    );
    Ok(())
}

#[tokio::test]
async fn swapping_two_events_is_caught_at_the_first() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    intact(&app).await?;
    let url = app.db.url.clone();
    // Swap the contents of events 5 and 6 while keeping their sequence numbers.
    for sql in [
        "UPDATE audit_events SET seq = -5 WHERE seq = 5",
        "UPDATE audit_events SET seq = 5 WHERE seq = 6",
        "UPDATE audit_events SET seq = 6 WHERE seq = -5",
    ] {
        ensure!(execute_sql(&url, sql).await? == 1, "{sql}");
    }
    let error = broken(&app).await?;
    ensure!(error.seq() == 5, "{error:?}");
    Ok(())
}

#[tokio::test]
async fn truncating_the_tail_is_caught() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    intact(&app).await?;
    let (head, _) = audit_head(&app).await?;
    ensure!(head > 10);
    let removed = execute_sql(
        &app.db.url,
        &format!("DELETE FROM audit_events WHERE seq > {}", head - 3),
    )
    .await?;
    ensure!(removed == 3);
    let error = broken(&app).await?;
    ensure!(error.seq() == head - 2, "{error:?}");
    Ok(())
}

/// The same events, at the same time and with the same salts, hash to the same chain on SQLite and
/// on PostgreSQL: the canonical encoding does not depend on the engine that stored the values.
/// (Runs against both engines whatever CONCORD_TEST_ENGINE says.)
#[tokio::test]
async fn both_engines_produce_the_same_chain_byte_for_byte() -> Result<()> {
    use concord_store::db::PendingEvent;
    let sqlite_dir = std::env::temp_dir().join(format!("concord-cross-{}", uuid::Uuid::new_v4()));
    let sqlite_url = format!("sqlite://{}", sqlite_dir.join("concord.db").display());
    let schema = format!("x_{}", uuid::Uuid::new_v4().simple());
    let admin_url = concord_testkit::postgres_url();
    execute_on_postgres(&admin_url, &format!("CREATE SCHEMA {schema}")).await?;
    let separator = if admin_url.contains('?') { '&' } else { '?' };
    let postgres_url = format!("{admin_url}{separator}options[search_path]={schema}");
    // A time with sub-microsecond digits, which PostgreSQL cannot store: hashing must not see them.
    let at = chrono::DateTime::parse_from_rfc3339("2026-03-04T05:06:07.123456789Z")?
        .with_timezone(&chrono::Utc);
    let actor = uuid::Uuid::parse_str("0190a0b0-c0d0-7e0f-8a0b-0c0d0e0f1011")?;
    let collaboration = uuid::Uuid::parse_str("0190a0b0-c0d0-7e0f-8a0b-0c0d0e0f1012")?;
    let mut heads = Vec::new();
    let mut encodings = Vec::new();
    for url in [&sqlite_url, &postgres_url] {
        let db = concord_store::Db::connect(url).await?;
        db.migrate().await?;
        for round in 0..3 {
            let mut tx = db.write().await?;
            tx.record(PendingEvent {
                actor_id: Some(actor),
                action: "collaboration.updated".into(),
                object_type: "collaboration".into(),
                object_id: collaboration.to_string(),
                collaboration_id: Some(collaboration),
                changed_fields: vec!["title".into(), "summary".into()],
                details: json!({ "title": format!("Ünïcode title {round}"), "n": round }),
            });
            tx.record(PendingEvent {
                actor_id: None,
                action: "session.sign_in_failed".into(),
                object_type: "user".into(),
                object_id: "digest".into(),
                collaboration_id: None,
                changed_fields: vec![],
                details: json!({}),
            });
            tx.commit(at + chrono::Duration::seconds(round), || {
                "00112233445566778899aabbccddeeff".to_owned()
            })
            .await?;
        }
        let mut h = db.read().await?;
        heads.push(concord_store::audit::head(&mut h).await?);
        // What is read back, re-encoded, is what both engines must agree on byte for byte.
        let stored = concord_store::audit::events_after(&mut h, 0, 100).await?;
        encodings.push(
            stored
                .iter()
                .map(concord_domain::audit::canonical_bytes)
                .collect::<Vec<_>>(),
        );
        let mut verifier = concord_domain::audit::ChainVerifier::default();
        for event in &stored {
            verifier.check(event)?;
        }
        drop(h);
        db.close().await;
    }
    let _ = std::fs::remove_dir_all(&sqlite_dir);
    execute_on_postgres(&admin_url, &format!("DROP SCHEMA {schema} CASCADE")).await?;
    ensure!(heads[0].0 == 6, "six events: {heads:?}");
    ensure!(
        heads[0] == heads[1],
        "SQLite and PostgreSQL chains differ: {heads:?}"
    );
    ensure!(
        encodings[0] == encodings[1],
        "stored events encode differently on the two engines"
    );
    Ok(())
}

async fn execute_on_postgres(url: &str, sql: &str) -> Result<()> {
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(url).await?;
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut connection)
        .await?;
    Ok(())
}
