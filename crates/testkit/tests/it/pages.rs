//! The HTML pages: forms keep input and show errors beside fields, success redirects, language
//! and time zone follow the reader, security headers everywhere.

use anyhow::Result;
use concord_testkit::TestApp;
use concord_testkit::reqwest::StatusCode;

#[tokio::test]
async fn collaboration_form_shows_errors_beside_fields_and_keeps_input() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.signed_in("carol@riverton.example").await?;
    let response = carol
        .submit(
            "/collaborations/new",
            "/collaborations",
            &[
                ("title", ""),
                ("summary", "Keep me <b>safe</b>"),
                ("start_date", "2027-05-01"),
                ("end_date", "2027-04-01"),
                ("visibility", "partners"),
                ("status", "proposed"),
                ("policy_areas", "07"),
                ("policy_areas", "09"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(html.contains("There is a problem"), "error summary");
    assert!(
        html.contains(r##"href="#title""##),
        "summary links to the field"
    );
    assert!(
        html.contains(r#"id="title-error""#) && html.contains(r#"aria-describedby="title-error""#),
        "error tied to the field"
    );
    assert!(html.contains("The end date must be on or after the start date."));
    assert!(
        html.contains("Keep me &#60;b&#62;safe&#60;/b&#62;") && !html.contains("<b>safe"),
        "input kept and escaped"
    );
    assert!(
        html.contains(r#"value="07" checked"#) && html.contains(r#"value="09" checked"#),
        "ticked areas kept"
    );
    let list = app
        .api(Some(&app.token_for("carol@riverton.example").await?))
        .get_json("/api/v1/collaborations?limit=100")
        .await?;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "nothing was created"
    );

    let response = carol
        .submit(
            "/collaborations/new",
            "/collaborations",
            &[
                ("title", "Flood sirens"),
                ("summary", "Warn residents early"),
                ("visibility", "public"),
                ("status", "active"),
                ("policy_areas", "03"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str()?.to_owned();
    assert!(
        location.starts_with("/collaborations/") && location.ends_with("?done=created"),
        "{location}"
    );
    let (status, html) = carol.page(&location).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<h1>Flood sirens</h1>") && html.contains("The collaboration was created.")
    );
    assert!(html.contains("Public order and safety"));
    Ok(())
}

#[tokio::test]
async fn pages_hide_what_the_reader_may_not_see() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    let list = alice.get_json("/api/v1/collaborations").await?;
    let transfer = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Hospital Transfer Logistics")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hannah = app.signed_in("hannah@health.example").await?;
    let (status, html) = hannah.page(&format!("/collaborations/{transfer}")).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found") && !html.contains("Hospital Transfer"));
    let (missing_status, missing_html) = hannah
        .page(&format!("/collaborations/{}", uuid::Uuid::now_v7()))
        .await?;
    assert_eq!(
        (missing_status, missing_html),
        (status, html),
        "invisible and missing look the same"
    );
    let (status, _) = hannah.page("/collaborations/not-a-uuid").await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A viewer-level reader gets no edit button and cannot open the edit form.
    let safe_routes = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Safe Routes to School")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, html) = hannah
        .page(&format!("/collaborations/{safe_routes}"))
        .await?;
    assert!(!html.contains(&format!("/collaborations/{safe_routes}/edit")));
    let (status, _) = hannah
        .page(&format!("/collaborations/{safe_routes}/edit"))
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Anonymous visitors are sent to sign in, and come back afterwards.
    let visitor = app.browser();
    let response = visitor.get("/collaborations/new").await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        "/sign-in?next=%2Fcollaborations%2Fnew"
    );
    Ok(())
}

#[tokio::test]
async fn history_page_lists_who_changed_what() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.signed_in("carol@riverton.example").await?;
    let api = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let list = api.get_json("/api/v1/collaborations").await?;
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Safe Routes to School")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The demo's history is longer than one page: follow the "Older" links to its beginning.
    let (status, first) = carol.page(&format!("/collaborations/{id}/history")).await?;
    assert_eq!(status, StatusCode::OK);
    let mut html = first.clone();
    let mut page = first;
    while let Some(start) = page
        .find("rel=\"next\"")
        .and_then(|end| page[..end].rfind("href=\""))
    {
        let href = page[start + 6..]
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&");
        let (status, next) = carol.page(&href).await?;
        assert_eq!(status, StatusCode::OK);
        html.push_str(&next);
        page = next;
    }
    assert!(
        html.contains("Collaboration created")
            && html.contains("Invitation accepted")
            && html.contains("Carol Nguyen")
    );
    assert!(html.contains("Status"), "changed field names are shown");
    assert!(
        html.contains("Stakeholder added") && html.contains("Engagement recorded"),
        "stakeholder events are named in words"
    );
    assert!(
        !html.contains("action-") && !html.contains("field-"),
        "no untranslated message key on the history pages"
    );
    // Public collaboration, but history names civil servants: members only.
    let (status, html) = app
        .browser()
        .page(&format!("/collaborations/{id}/history"))
        .await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("Please sign in") && !html.contains("Carol Nguyen"));
    Ok(())
}

#[tokio::test]
async fn language_and_time_zone_follow_the_reader() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let visitor = app.browser();
    let response = visitor
        .client
        .get(app.url("/"))
        .header("accept-language", "fr-FR,fr;q=0.9,en;q=0.5")
        .send()
        .await?;
    let html = response.text().await?;
    assert!(
        html.contains(r#"<html lang="fr">"#),
        "French chosen from Accept-Language"
    );
    assert!(
        html.contains("Connexion") || html.contains("Se connecter"),
        "French text: {}",
        &html[..html.len().min(2000)]
    );
    let response = visitor
        .client
        .get(app.url("/"))
        .header("accept-language", "de-DE")
        .send()
        .await?;
    assert!(
        response.text().await?.contains(r#"<html lang="en">"#),
        "unsupported languages fall back to English"
    );

    // Times are stored in UTC and shown in the reader's zone.
    let carol = app.signed_in("carol@riverton.example").await?;
    let api = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let list = api.get_json("/api/v1/collaborations").await?;
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Winter Resilience Plan")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, html) = carol.page(&format!("/collaborations/{id}/history")).await?;
    assert!(html.contains(" UTC<"), "UTC by default");
    let actor = concord_app::accounts::actor_for_email(&app.server.app, "carol@riverton.example")
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let preferences = concord_app::accounts::PreferencesInput {
        locale: Some("fr".into()),
        time_zone: "Asia/Tokyo".into(),
    };
    concord_app::accounts::set_preferences(&app.server.app, &actor, &preferences, |tz| {
        tz == "Asia/Tokyo"
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let (_, html) = carol.page(&format!("/collaborations/{id}/history")).await?;
    assert!(
        html.contains(" JST<") && !html.contains(" UTC<"),
        "shown in Tokyo time"
    );
    assert!(
        html.contains(r#"<html lang="fr">"#),
        "the account's language wins over the browser's"
    );
    Ok(())
}

#[tokio::test]
async fn every_response_carries_security_headers() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    for path in [
        "/",
        "/sign-in",
        "/collaborations",
        "/api/v1/collaborations",
        "/static/concord.css",
        "/nope",
    ] {
        let response = app.browser().get(path).await?;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str()?;
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert!(headers.contains_key("referrer-policy"), "{path}");
    }
    Ok(())
}

#[tokio::test]
async fn the_only_coordinator_is_offered_no_remove_button() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let api = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let carol_id = api.get_json("/api/v1/me").await?["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = api.get_json("/api/v1/collaborations").await?;
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Safe Routes to School")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let carol = app.signed_in("carol@riverton.example").await?;
    let (_, html) = carol.page(&format!("/collaborations/{id}")).await?;
    assert!(
        !html.contains(&format!("/people/{carol_id}/remove")),
        "last coordinator has no remove button"
    );
    let bob_id = app
        .api(Some(&app.token_for("bob@transport.example").await?))
        .get_json("/api/v1/me")
        .await?["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        html.contains(&format!("/people/{bob_id}/remove")),
        "other people can be removed"
    );
    Ok(())
}
