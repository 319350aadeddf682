//! The JSON API: collaborations, membership, organisations, tokens; bad input answers
//! problem+json naming the field and changes nothing.

use anyhow::Result;
use concord_testkit::TestApp;
use concord_testkit::reqwest::StatusCode;
use serde_json::{Value, json};

fn collaboration(title: &str) -> Value {
    json!({
        "title": title,
        "summary": "Shared work between agencies",
        "problem_statement": "Several bodies own parts of the problem.",
        "policy_areas": ["04", "07"],
        "geography": "Riverton",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "visibility": "partners"
    })
}

async fn problem(response: concord_testkit::reqwest::Response) -> Result<(StatusCode, Value)> {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(content_type, "application/problem+json", "status {status}");
    Ok((status, response.json().await?))
}

fn field_codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or("").to_owned(),
                        e["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn create_read_update_a_collaboration() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let hannah = app.api(Some(&app.token_for("hannah@health.example").await?));
    let response = hannah
        .post(
            "/api/v1/collaborations",
            &collaboration("Vaccination outreach"),
        )
        .await?;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await?;
    let id = created["collaboration"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["collaboration"]["status"], "proposed");
    assert_eq!(
        created["collaboration"]["lead_organisation_name"],
        "Ministry of Health"
    );
    assert_eq!(
        created["collaboration"]["policy_areas"],
        json!(["04", "07"])
    );
    assert_eq!(created["people"][0]["role"], "coordinator");
    assert_eq!(created["permissions"]["edit"], true);

    let mut changed = collaboration("Vaccination outreach 2027");
    changed["status"] = json!("active");
    let updated = hannah
        .put(&format!("/api/v1/collaborations/{id}"), &changed)
        .await?;
    assert_eq!(updated.status(), StatusCode::OK);
    let fetched = hannah
        .get_json(&format!("/api/v1/collaborations/{id}"))
        .await?;
    assert_eq!(
        fetched["collaboration"]["title"],
        "Vaccination outreach 2027"
    );
    assert_eq!(fetched["collaboration"]["status"], "active");

    // A colleague of the same ministry reads it (partners visibility), a stranger does not.
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    assert_eq!(
        alice
            .get(&format!("/api/v1/collaborations/{id}"))
            .await?
            .status(),
        StatusCode::OK
    );
    let dave = app.api(Some(&app.token_for("dave@trust.example").await?));
    let (status, body) = problem(dave.get(&format!("/api/v1/collaborations/{id}")).await?).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
    // Exactly as for an id that does not exist.
    let (status, missing) = problem(
        dave.get(&format!("/api/v1/collaborations/{}", uuid::Uuid::now_v7()))
            .await?,
    )
    .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, missing);
    Ok(())
}

#[tokio::test]
async fn list_filters_and_paginates() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    for i in 0..23 {
        let mut body = collaboration(&format!("Bridge inspection {i:02}"));
        body["policy_areas"] = json!(["04"]);
        assert_eq!(
            bob.post("/api/v1/collaborations", &body).await?.status(),
            StatusCode::CREATED
        );
    }
    // Page through everything bob may read, ten at a time: no duplicates, nothing missed.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/collaborations?limit=10&cursor={c}"),
            None => "/api/v1/collaborations?limit=10".to_owned(),
        };
        let page = bob.get_json(&path).await?;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 10);
        seen.extend(
            items
                .iter()
                .map(|i| i["title"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "duplicates across pages");
    // 23 new + Safe Routes (public) + Hospital Transfer (bob is named); not Winter Resilience.
    assert_eq!(seen.len(), 25, "{seen:?}");
    assert!(!seen.iter().any(|t| t == "Winter Resilience Plan"));

    let found = bob
        .get_json("/api/v1/collaborations?q=BRIDGE%20inspection%2007")
        .await?;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let none = bob.get_json("/api/v1/collaborations?q=100%25").await?;
    assert_eq!(
        none["items"].as_array().unwrap().len(),
        0,
        "LIKE wildcards in the search are literal"
    );
    let active = bob
        .get_json("/api/v1/collaborations?status=active&limit=100")
        .await?;
    let titles: Vec<&str> = active["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        vec!["Hospital Transfer Logistics", "Safe Routes to School"]
    );
    let health = bob
        .get_json("/api/v1/collaborations?policy_area=07&limit=100")
        .await?;
    assert_eq!(health["items"].as_array().unwrap().len(), 2);
    let organisations = bob.get_json("/api/v1/organisations").await?;
    let trust = organisations["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "Riverton Community Trust")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let of_trust = bob
        .get_json(&format!("/api/v1/collaborations?organisation_id={trust}"))
        .await?;
    let titles: Vec<&str> = of_trust["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        vec!["Safe Routes to School"],
        "bob may not see Winter Resilience even when filtering by its member"
    );

    let (status, body) = problem(bob.get("/api/v1/collaborations?status=dormant").await?).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&body),
        vec![("status".to_owned(), "invalid_choice".to_owned())]
    );
    let (status, body) = problem(bob.get("/api/v1/collaborations?cursor=%%%").await?).await?;
    assert!(
        status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
        "{status} {body}"
    );
    Ok(())
}

#[tokio::test]
async fn bad_collaboration_input_names_the_fields_and_changes_nothing() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let before = carol.get_json("/api/v1/collaborations?limit=100").await?["items"]
        .as_array()
        .unwrap()
        .len();

    let mut bad = collaboration("");
    bad["summary"] = json!("x".repeat(1001));
    bad["end_date"] = json!("2026-12-31");
    bad["visibility"] = json!("secret");
    bad["policy_areas"] = json!(["07", "99"]);
    let (status, body) = problem(carol.post("/api/v1/collaborations", &bad).await?).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "invalid_input");
    let codes = field_codes(&body);
    for expected in [
        ("title", "required"),
        ("summary", "too_long"),
        ("end_date", "end_before_start"),
        ("visibility", "invalid_choice"),
        ("policy_areas", "invalid_choice"),
    ] {
        assert!(
            codes.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} not in {codes:?}"
        );
    }
    let mut bad_date = collaboration("Dates");
    bad_date["start_date"] = json!("2027-02-30");
    let (_, body) = problem(carol.post("/api/v1/collaborations", &bad_date).await?).await?;
    assert_eq!(
        field_codes(&body),
        vec![("start_date".to_owned(), "invalid_date".to_owned())]
    );

    let malformed = carol
        .request(reqwest_method("POST"), "/api/v1/collaborations")
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await?;
    let (status, body) = problem(malformed).await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );
    let wrong_type = carol
        .request(reqwest_method("POST"), "/api/v1/collaborations")
        .header("content-type", "text/plain")
        .body("title=x")
        .send()
        .await?;
    let (status, body) = problem(wrong_type).await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_media_type")
        )
    );
    let wrong_shape = carol
        .post(
            "/api/v1/collaborations",
            &json!({"title": 5, "visibility": "public"}),
        )
        .await?;
    let (status, body) = problem(wrong_shape).await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body"))
    );

    // An impossible status move on an existing collaboration is refused and nothing changes.
    let safe_routes = find(&carol, "Safe Routes to School").await?;
    let mut moved = collaboration("Renamed while going back");
    moved["status"] = json!("proposed");
    let (status, body) = problem(
        carol
            .put(&format!("/api/v1/collaborations/{safe_routes}"), &moved)
            .await?,
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&body),
        vec![("status".to_owned(), "invalid_transition".to_owned())]
    );
    let unchanged = carol
        .get_json(&format!("/api/v1/collaborations/{safe_routes}"))
        .await?;
    assert_eq!(unchanged["collaboration"]["title"], "Safe Routes to School");

    let after = carol.get_json("/api/v1/collaborations?limit=100").await?["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after, "a rejected create must not create anything");
    // Anonymous creation needs a token.
    let (status, _) = problem(
        app.api(None)
            .post("/api/v1/collaborations", &collaboration("Anon"))
            .await?,
    )
    .await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = problem(
        app.api(Some("concord_not-a-real-token"))
            .get("/api/v1/collaborations")
            .await?,
    )
    .await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    Ok(())
}

fn reqwest_method(name: &str) -> concord_testkit::reqwest::Method {
    concord_testkit::reqwest::Method::from_bytes(name.as_bytes()).unwrap()
}

async fn find(api: &concord_testkit::Api, title: &str) -> Result<String> {
    let list = api.get_json("/api/v1/collaborations?limit=100").await?;
    let item = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == title)
        .ok_or_else(|| anyhow::anyhow!("{title} not visible"))?;
    Ok(item["id"].as_str().unwrap().to_owned())
}

async fn organisation_id(api: &concord_testkit::Api, name: &str) -> Result<String> {
    let list = api.get_json("/api/v1/organisations").await?;
    let item = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .ok_or_else(|| anyhow::anyhow!("{name} missing"))?;
    Ok(item["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn membership_invitation_lead_and_coordinator_rules() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    let hannah = app.api(Some(&app.token_for("hannah@health.example").await?));
    let winter = find(&carol, "Winter Resilience Plan").await?;
    let health = organisation_id(&carol, "Ministry of Health").await?;
    let base = format!("/api/v1/collaborations/{winter}");

    // A second lead is refused.
    let (status, body) = problem(
        carol
            .post(
                &format!("{base}/organisations"),
                &json!({"organisation_id": health, "role": "lead"}),
            )
            .await?,
    )
    .await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("collaboration_already_has_lead"))
    );
    // An organisation id that does not exist is a field error.
    let (status, body) = problem(
        carol
            .post(
                &format!("{base}/organisations"),
                &json!({"organisation_id": uuid::Uuid::now_v7(), "role": "partner"}),
            )
            .await?,
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&body),
        vec![("organisation_id".to_owned(), "invalid_choice".to_owned())]
    );

    // Invite Health; until it accepts, its people cannot read this partners-only collaboration.
    assert_eq!(
        carol
            .post(
                &format!("{base}/organisations"),
                &json!({"organisation_id": health, "role": "partner"})
            )
            .await?
            .status(),
        StatusCode::NO_CONTENT
    );
    let (status, body) = problem(
        carol
            .post(
                &format!("{base}/organisations"),
                &json!({"organisation_id": health, "role": "observer"}),
            )
            .await?,
    )
    .await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_invited"))
    );
    assert_eq!(alice.get(&base).await?.status(), StatusCode::NOT_FOUND);
    let invitations = alice.get_json("/api/v1/invitations").await?;
    assert_eq!(
        invitations[0]["collaboration_title"],
        "Winter Resilience Plan"
    );
    assert_eq!(
        hannah.get_json("/api/v1/invitations").await?,
        json!([]),
        "only org admins answer invitations"
    );
    assert_eq!(
        hannah
            .post(&format!("{base}/invitation/accept"), &json!({}))
            .await?
            .status(),
        StatusCode::NOT_FOUND
    );
    // Decline, then a fresh invitation, then accept.
    assert_eq!(
        alice
            .post(&format!("{base}/invitation/decline"), &json!({}))
            .await?
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(alice.get(&base).await?.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        carol
            .post(
                &format!("{base}/organisations"),
                &json!({"organisation_id": health, "role": "partner"})
            )
            .await?
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        alice
            .post(&format!("{base}/invitation/accept"), &json!({}))
            .await?
            .status(),
        StatusCode::NO_CONTENT
    );
    let view = hannah.get_json(&base).await?;
    let health_member = view["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Ministry of Health")
        .unwrap()
        .clone();
    assert_eq!(
        (
            health_member["role"].as_str(),
            health_member["status"].as_str()
        ),
        (Some("partner"), Some("active"))
    );

    // People: only from active member organisations; the last coordinator stays.
    let bob_id = app
        .api(Some(&app.token_for("bob@transport.example").await?))
        .get_json("/api/v1/me")
        .await?["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = problem(
        carol
            .post(
                &format!("{base}/people"),
                &json!({"user_id": bob_id, "role": "viewer"}),
            )
            .await?,
    )
    .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&body),
        vec![(
            "user_id".to_owned(),
            "not_from_member_organisation".to_owned()
        )]
    );
    let hannah_id = hannah.get_json("/api/v1/me").await?["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        carol
            .post(
                &format!("{base}/people"),
                &json!({"user_id": hannah_id, "role": "viewer"})
            )
            .await?
            .status(),
        StatusCode::NO_CONTENT
    );
    let carol_id = carol.get_json("/api/v1/me").await?["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let dave_id = view["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["display_name"] == "Dave Castillo")
        .unwrap()["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        carol
            .delete(&format!("{base}/people/{dave_id}"))
            .await?
            .status(),
        StatusCode::NO_CONTENT
    );
    let (status, body) = problem(
        carol
            .put(
                &format!("{base}/people/{carol_id}"),
                &json!({"role": "viewer"}),
            )
            .await?,
    )
    .await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_coordinator"))
    );
    let (status, body) = problem(carol.delete(&format!("{base}/people/{carol_id}")).await?).await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_coordinator"))
    );
    // The lead cannot be removed; handing over the lead keeps exactly one.
    let city = organisation_id(&carol, "City of Riverton").await?;
    let (status, body) = problem(
        carol
            .delete(&format!("{base}/organisations/{city}"))
            .await?,
    )
    .await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("cannot_remove_lead"))
    );
    assert_eq!(
        carol
            .post(&format!("{base}/lead"), &json!({"organisation_id": health}))
            .await?
            .status(),
        StatusCode::NO_CONTENT
    );
    let view = carol.get_json(&base).await?;
    let leads: Vec<&str> = view["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "lead")
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(leads, vec!["Ministry of Health"]);
    assert_eq!(
        view["collaboration"]["lead_organisation_name"],
        "Ministry of Health"
    );
    // A viewer can read but not manage.
    let (status, _) = problem(
        hannah
            .post(
                &format!("{base}/people"),
                &json!({"user_id": carol_id, "role": "viewer"}),
            )
            .await?,
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn organisations_and_tokens() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let admin = app.api(Some(&app.token_for("admin@concord.example").await?));
    let created = admin.post("/api/v1/organisations", &json!({"name": "Riverton Water Board", "kind": "agency", "website": "https://water.example"})).await?;
    assert_eq!(created.status(), StatusCode::CREATED);
    let water: Value = created.json().await?;
    let water_id = water["id"].as_str().unwrap();
    let child = admin
        .post(
            "/api/v1/organisations",
            &json!({"name": "Water Quality Lab", "kind": "department", "parent_id": water_id}),
        )
        .await?;
    assert_eq!(child.status(), StatusCode::CREATED);
    let child: Value = child.json().await?;
    // A parent may not close a cycle; names are unique regardless of case.
    let (status, body) = problem(admin.put(&format!("/api/v1/organisations/{water_id}"), &json!({"name": "Riverton Water Board", "kind": "agency", "parent_id": child["id"]})).await?).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&body),
        vec![("parent_id".to_owned(), "parent_cycle".to_owned())]
    );
    let (_, body) = problem(
        admin
            .post(
                "/api/v1/organisations",
                &json!({"name": "riverton water board", "kind": "agency"}),
            )
            .await?,
    )
    .await?;
    assert_eq!(
        field_codes(&body),
        vec![("name".to_owned(), "already_taken".to_owned())]
    );
    let (_, body) = problem(
        admin
            .post(
                "/api/v1/organisations",
                &json!({"name": "X", "kind": "castle", "website": "javascript:alert(1)"}),
            )
            .await?,
    )
    .await?;
    assert_eq!(
        field_codes(&body),
        vec![
            ("kind".to_owned(), "invalid_choice".to_owned()),
            ("website".to_owned(), "invalid_url".to_owned())
        ]
    );
    // Members do not create organisations.
    let hannah = app.api(Some(&app.token_for("hannah@health.example").await?));
    let (status, _) = problem(
        hannah
            .post(
                "/api/v1/organisations",
                &json!({"name": "Rogue", "kind": "ngo"}),
            )
            .await?,
    )
    .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Tokens: created, listed without their secret, revoked; a revoked token stops working.
    let created = hannah
        .post("/api/v1/tokens", &json!({"name": "reporting script"}))
        .await?;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await?;
    let secret = created["secret"].as_str().unwrap().to_owned();
    let script = app.api(Some(&secret));
    assert_eq!(
        script.get_json("/api/v1/me").await?["email"],
        "hannah@health.example"
    );
    let listed = hannah.get_json("/api/v1/tokens").await?;
    assert!(
        !listed.to_string().contains(&secret),
        "the secret is shown once only"
    );
    let token_id = created["token"]["id"].as_str().unwrap();
    assert_eq!(
        app.api(Some(&app.token_for("alice@health.example").await?))
            .delete(&format!("/api/v1/tokens/{token_id}"))
            .await?
            .status(),
        StatusCode::NOT_FOUND,
        "nobody revokes another's token"
    );
    assert_eq!(
        hannah
            .delete(&format!("/api/v1/tokens/{token_id}"))
            .await?
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        script.get("/api/v1/me").await?.status(),
        StatusCode::UNAUTHORIZED
    );
    let (_, body) = problem(
        hannah
            .post("/api/v1/tokens", &json!({"name": "  "}))
            .await?,
    )
    .await?;
    assert_eq!(
        field_codes(&body),
        vec![("name".to_owned(), "required".to_owned())]
    );
    Ok(())
}

#[tokio::test]
async fn the_openapi_document_is_served() -> Result<()> {
    let app = TestApp::spawn().await?;
    let response = app.api(None).get("/api/openapi.json").await?;
    assert_eq!(response.status(), StatusCode::OK);
    let document: Value = response.json().await?;
    assert_eq!(document["info"]["title"], "Concord API");
    let (status, body) = problem(app.api(None).get("/api/v1/nothing-here").await?).await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    Ok(())
}
