//! Charters: coordinators edit the Markdown charter, each edit is a new version that starts with no
//! sign-offs; the admin of each active member organisation signs off the current version (once);
//! nobody else can; the page renders sanitised Markdown, shows who signed, older versions and the
//! diff; an empty body is refused beside the field; every change is in the audit log.

use anyhow::Result;
use concord_testkit::{Api, TestApp, audit_head, status_json};
use serde_json::{Value, json};

async fn collaboration_id(api: &Api, title: &str) -> Result<String> {
    let list = api.get_json("/api/v1/collaborations?limit=100").await?;
    Ok(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == title)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned())
}

/// (organisation name, signed) for each line of the charter's sign-offs.
fn signed(charter: &Value) -> Vec<(String, bool)> {
    charter["sign_offs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["organisation_name"].as_str().unwrap().to_owned(),
                s["signed"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn signed_names(charter: &Value) -> Vec<String> {
    signed(charter)
        .into_iter()
        .filter_map(|(name, signed)| signed.then_some(name))
        .collect()
}

#[tokio::test]
async fn editing_creates_versions_and_clears_sign_offs() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    let safe_routes = collaboration_id(&carol, "Safe Routes to School").await?;
    let path = format!("/api/v1/collaborations/{safe_routes}/charter");

    let none = carol.get_json(&path).await?;
    assert!(none["current"].is_null());
    // Nothing to sign yet.
    let (status, problem) =
        status_json(bob.post(&format!("{path}/sign-off"), &json!({})).await?).await?;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("charter_missing"))
    );

    let (status, charter) = status_json(
        carol
            .put(&path, &json!({"body": "# Purpose\n\nSafer streets."}))
            .await?,
    )
    .await?;
    assert_eq!(status, 200, "{charter}");
    assert_eq!(charter["current"]["version"], 1);
    assert_eq!(charter["current"]["edited_by_name"], "Carol Nguyen");
    let lines = signed(&charter);
    assert_eq!(
        lines.len(),
        4,
        "one line per active member organisation: {lines:?}"
    );
    assert!(lines.iter().all(|(_, signed)| !signed));

    // The same text again saves nothing.
    let head = audit_head(&app).await?;
    let (status, same) = status_json(
        carol
            .put(&path, &json!({"body": "# Purpose\n\nSafer streets.\n"}))
            .await?,
    )
    .await?;
    assert_eq!(status, 200);
    assert_eq!(same["current"]["version"], 1);
    assert_eq!(audit_head(&app).await?, head);

    // Bob (Transport's admin) and Alice (Health's) sign off; signing again changes nothing.
    let (status, after) =
        status_json(bob.post(&format!("{path}/sign-off"), &json!({})).await?).await?;
    assert_eq!(status, 200, "{after}");
    assert_eq!(signed_names(&after), ["National Transport Agency"]);
    let head = audit_head(&app).await?;
    let (status, again) =
        status_json(bob.post(&format!("{path}/sign-off"), &json!({})).await?).await?;
    assert_eq!(status, 200);
    assert_eq!(signed_names(&again), ["National Transport Agency"]);
    assert_eq!(
        audit_head(&app).await?,
        head,
        "a second sign-off is a no-op"
    );
    assert_eq!(
        alice
            .post(&format!("{path}/sign-off"), &json!({}))
            .await?
            .status(),
        200
    );
    let charter = carol.get_json(&path).await?;
    assert_eq!(signed_names(&charter).len(), 2);

    // A new version starts with no sign-offs.
    let (status, v2) = status_json(
        carol
            .put(
                &path,
                &json!({"body": "# Purpose\n\nSafer streets for children."}),
            )
            .await?,
    )
    .await?;
    assert_eq!(status, 200, "{v2}");
    assert_eq!(v2["current"]["version"], 2);
    assert!(signed_names(&v2).is_empty(), "{v2}");
    let versions = carol.get_json(&format!("{path}/versions")).await?;
    let numbers: Vec<i64> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 1]);

    // Anonymous readers of the public collaboration see the charter but no names.
    let anonymous = app.api(None);
    let public = anonymous.get_json(&path).await?;
    assert_eq!(public["current"]["version"], 2);
    assert!(public["current"]["edited_by_name"].is_null());

    // Every change is in the audit log.
    let history = carol
        .get_json(&format!("/api/v1/collaborations/{safe_routes}/history"))
        .await?;
    let items = history["items"].as_array().unwrap();
    let charter_events: Vec<&Value> = items
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("charter."))
        .collect();
    let actions: Vec<&str> = charter_events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "charter.edited",
            "charter.signed_off",
            "charter.signed_off",
            "charter.edited"
        ]
    );
    assert_eq!(charter_events[0]["changed_fields"], json!(["body"]));
    Ok(())
}

#[tokio::test]
async fn only_admins_of_active_members_sign_off_and_only_coordinators_edit() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let hannah = app.api(Some(&app.token_for("hannah@health.example").await?));
    let safe_routes = collaboration_id(&carol, "Safe Routes to School").await?;
    let winter = collaboration_id(&carol, "Winter Resilience Plan").await?;
    let hospital = collaboration_id(&bob, "Hospital Transfer Logistics").await?;
    for id in [&safe_routes, &winter] {
        let response = carol
            .put(
                &format!("/api/v1/collaborations/{id}/charter"),
                &json!({"body": "Terms"}),
            )
            .await?;
        assert_eq!(response.status(), 200);
    }
    let head = audit_head(&app).await?;
    let sign = |id: &str| format!("/api/v1/collaborations/{id}/charter/sign-off");

    // Hannah is a member of Health, not its admin: she reads the charter but cannot sign.
    assert_eq!(
        hannah.post(&sign(&safe_routes), &json!({})).await?.status(),
        403
    );
    // Bob's Transport is no member of the partners-only Winter plan: it does not exist for him.
    assert_eq!(bob.post(&sign(&winter), &json!({})).await?.status(), 404);
    assert_eq!(
        bob.get(&format!("/api/v1/collaborations/{winter}/charter"))
            .await?
            .status(),
        404
    );
    // Carol is not on the confidential hospital collaboration.
    assert_eq!(
        carol.post(&sign(&hospital), &json!({})).await?.status(),
        404
    );
    // Anonymous visitors must sign in.
    assert_eq!(
        app.api(None)
            .post(&sign(&safe_routes), &json!({}))
            .await?
            .status(),
        401
    );
    // Bob contributes to Safe Routes but does not coordinate it: he cannot edit the charter.
    let response = bob
        .put(
            &format!("/api/v1/collaborations/{safe_routes}/charter"),
            &json!({"body": "Mine"}),
        )
        .await?;
    assert_eq!(response.status(), 403);
    // An empty body is refused.
    let (status, problem) = status_json(
        carol
            .put(
                &format!("/api/v1/collaborations/{safe_routes}/charter"),
                &json!({"body": "  "}),
            )
            .await?,
    )
    .await?;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "body");
    assert_eq!(problem["errors"][0]["code"], "required");
    assert_eq!(audit_head(&app).await?, head, "nothing refused was audited");

    // Hannah's page has no sign-off button; Bob's has one.
    let hannah_page = app.signed_in("hannah@health.example").await?;
    let (status, page) = hannah_page
        .page(&format!("/collaborations/{safe_routes}/charter"))
        .await?;
    assert_eq!(status, 200);
    assert!(!page.contains("/charter/sign-off"));
    let (status, _) = hannah_page
        .page(&format!("/collaborations/{safe_routes}/charter/edit"))
        .await?;
    assert_eq!(status, 403);
    let bob_page = app.signed_in("bob@transport.example").await?;
    let (_, page) = bob_page
        .page(&format!("/collaborations/{safe_routes}/charter"))
        .await?;
    assert!(page.contains("/charter/sign-off"));
    Ok(())
}

#[tokio::test]
async fn the_charter_pages_render_safely_sign_off_and_show_the_diff() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let api = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let safe_routes = collaboration_id(&api, "Safe Routes to School").await?;
    let carol = app.signed_in("carol@riverton.example").await?;
    let base = format!("/collaborations/{safe_routes}/charter");
    let edit = format!("{base}/edit");

    // The collaboration page links to the charter.
    let (_, page) = carol
        .page(&format!("/collaborations/{safe_routes}"))
        .await?;
    assert!(page.contains(&format!("href=\"{base}\"")));

    // An empty body is refused beside the field.
    let response = carol.submit(&edit, &base, &[("body", "   ")]).await?;
    assert_eq!(response.status(), 422);
    let page = response.text().await?;
    assert!(page.contains("id=\"body-error\""), "{page}");
    assert!(page.contains("Enter the charter text."));
    assert!(page.contains("aria-invalid=\"true\""));

    let v1 = "# Purpose\n\nSafer streets.\n\n<script>alert('x')</script>\n\n<img src=\"x.png\" onerror=\"alert(1)\">\n\n[click me](javascript:alert(1))\n\nData are shared monthly.";
    let response = carol.submit(&edit, &base, &[("body", v1)]).await?;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        format!("{base}?done=saved").as_str()
    );
    let (status, page) = carol.page(&base).await?;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Purpose</h1>"), "{page}");
    assert!(
        !page.contains("<script>alert"),
        "the script tag is not rendered as a tag"
    );
    assert!(!page.contains("onerror"));
    assert!(!page.contains("javascript:"));
    assert!(page.contains("click me"));
    assert!(page.contains("Version 1, edited by Carol Nguyen"), "{page}");
    assert_eq!(page.matches("Not signed").count(), 4);

    // The edit form starts with the current text.
    let (_, form) = carol.page(&edit).await?;
    assert!(form.contains("Data are shared monthly."));

    // Bob signs off for Transport through the page.
    let bob = app.signed_in("bob@transport.example").await?;
    let response = bob.submit(&base, &format!("{base}/sign-off"), &[]).await?;
    assert_eq!(response.status(), 303);
    let (_, page) = bob.page(&base).await?;
    assert!(page.contains("Your organisation signed off the charter.") || page.contains("Signed"));
    assert!(page.contains("by Bob Lindqvist"), "{page}");
    assert_eq!(page.matches("Not signed").count(), 3);
    assert!(!page.contains("/charter/sign-off"), "no button once signed");

    // A second version: the diff shows what was added and removed.
    let v2 = "# Purpose\n\nSafer streets for every child.\n\nData are shared monthly.";
    let response = carol.submit(&edit, &base, &[("body", v2)]).await?;
    assert_eq!(response.status(), 303);
    let (_, page) = carol.page(&base).await?;
    assert_eq!(
        page.matches("Not signed").count(),
        4,
        "editing clears the sign-offs"
    );
    assert!(page.contains(&format!("{base}/versions/1")));
    assert!(page.contains(&format!("{base}/diff?from=1&amp;to=2")));

    let (status, diff) = carol.page(&format!("{base}/diff?from=1&to=2")).await?;
    assert_eq!(status, 200);
    assert!(
        diff.contains("<ins>Safer streets for every child.</ins>"),
        "{diff}"
    );
    assert!(diff.contains("<del>Safer streets.</del>"), "{diff}");
    assert!(diff.contains("<span class=\"visually-hidden\">added</span>"));
    assert!(diff.contains("<span class=\"visually-hidden\">removed</span>"));
    assert!(
        diff.contains("&lt;script&gt;") || diff.contains("&#60;script&#62;"),
        "removed lines are escaped text: {diff}"
    );
    assert!(!diff.contains("<script>alert"));
    let (status, _) = carol.page(&format!("{base}/diff?from=1&to=9")).await?;
    assert_eq!(status, 404);
    let (status, _) = carol.page(&format!("{base}/diff?from=x")).await?;
    assert_eq!(status, 404);

    // Version 1 is still there.
    let (status, old) = carol.page(&format!("{base}/versions/1")).await?;
    assert_eq!(status, 200);
    assert!(old.contains("<p>Safer streets.</p>"), "{old}");
    Ok(())
}

#[tokio::test]
async fn simultaneous_edits_each_save_their_own_version() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let safe_routes = collaboration_id(&carol, "Safe Routes to School").await?;
    let path = format!("/api/v1/collaborations/{safe_routes}/charter");
    // Eight coordinators' saves at once (on PostgreSQL each reads the current version in its own
    // transaction): none may be lost or refused, and no two may take the same number.
    let mut saves = tokio::task::JoinSet::new();
    for n in 1..=8 {
        let (carol, path) = (carol.clone(), path.clone());
        saves.spawn(async move {
            let body = json!({"body": format!("# Purpose\n\nDraft {n}.")});
            status_json(carol.put(&path, &body).await?).await
        });
    }
    while let Some(done) = saves.join_next().await {
        let (status, answer) = done??;
        assert_eq!(status, 200, "{answer}");
    }
    let versions = carol.get_json(&format!("{path}/versions")).await?;
    let mut numbers: Vec<i64> = versions
        .as_array()
        .or(versions["items"].as_array())
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=8).collect::<Vec<_>>());
    Ok(())
}
