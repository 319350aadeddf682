//! Review cycles: coordinators set the cadence, coordinators and contributors record reviews with
//! per-objective assessments (an override needs a reason) and adjustments, the next review's due
//! date follows the cadence, an overdue review is flagged to coordinators, and each change is in the
//! audit log. Nobody else records reviews.

use anyhow::Result;
use chrono::{Days, Months, NaiveDate};
use concord_app::Clock;
use concord_domain::evaluation::Status;
use concord_domain::review::objective_status;
use concord_testkit::{Api, TestApp, audit_head, query_i64s, status_json};
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

fn codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap().to_owned(),
                        e["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn today(app: &TestApp) -> NaiveDate {
    app.clock.now().date_naive()
}

async fn objective_ids(api: &Api, collaboration: &str) -> Result<Vec<String>> {
    let objectives = api
        .get_json(&format!(
            "/api/v1/collaborations/{collaboration}/objectives"
        ))
        .await?;
    Ok(objectives
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect())
}

async fn count(app: &TestApp, table: &str) -> Result<i64> {
    Ok(query_i64s(&app.db.url, &format!("SELECT COUNT(*) FROM {table}")).await?[0])
}

#[tokio::test]
async fn a_recorded_review_keeps_overrides_and_adjustments_and_moves_the_next_due_date()
-> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    // Safe Routes: Carol coordinates, Bob contributes.
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let safe_routes = collaboration_id(&carol, "Safe Routes to School").await?;
    let objectives = objective_ids(&bob, &safe_routes).await?;
    assert!(objectives.len() >= 2, "the demo has objectives to review");
    let today = today(&app);
    // A dropped objective is not assessed any more.
    let dropped = carol
        .post(
            &format!("/api/v1/collaborations/{safe_routes}/objectives"),
            &json!({"title": "Park and stride sites", "status": "dropped", "drop_reason": "No land available"}),
        )
        .await?;
    assert_eq!(dropped.status(), 201);

    let schedule = carol
        .put(
            &format!("/api/v1/collaborations/{safe_routes}/review-schedule"),
            &json!({"cadence": "quarterly", "next_due": today.to_string()}),
        )
        .await?;
    let (status, schedule) = status_json(schedule).await?;
    assert_eq!(status, 200, "{schedule}");
    assert_eq!(schedule["cadence"], "quarterly");
    let read_back = bob
        .get_json(&format!(
            "/api/v1/collaborations/{safe_routes}/review-schedule"
        ))
        .await?;
    assert_eq!(read_back["schedule"]["cadence"], "quarterly");
    assert_eq!(read_back["overdue"], false, "due today is not yet overdue");

    let held_on = today - Days::new(2);
    let key_results = bob
        .get_json(&format!("/api/v1/objectives/{}/key-results", objectives[0]))
        .await?;
    let link = format!(
        "/key-results/{}",
        key_results[0]["key_result"]["id"].as_str().unwrap()
    );
    let response = bob
        .post(
            &format!("/api/v1/collaborations/{safe_routes}/reviews"),
            &json!({
                "held_on": held_on.to_string(),
                "summary": "Crossings are late; walking numbers hold.",
                "assessments": [{"objective_id": objectives[0], "override_status": "at_risk",
                                 "override_reason": "The contractor has gone into administration."}],
                "adjustments": [
                    {"kind": "changed_target", "description": "Crossing target moved to July", "link": link},
                    {"kind": "other", "description": "Ask schools for walking counts each term"}
                ]
            }),
        )
        .await?;
    let (status, review) = status_json(response).await?;
    assert_eq!(status, 201, "{review}");
    assert_eq!(review["held_on"], held_on.to_string());
    assert_eq!(review["recorded_by_name"], "Bob Lindqvist");
    let assessments = review["assessments"].as_array().unwrap();
    assert_eq!(
        assessments.len(),
        objectives.len(),
        "every objective is assessed"
    );
    let first = assessments
        .iter()
        .find(|a| a["objective_id"] == objectives[0].as_str())
        .unwrap();
    assert_eq!(first["override_status"], "at_risk");
    assert_eq!(
        first["override_reason"],
        "The contractor has gone into administration."
    );
    // The computed status is the worst of the objective's key results (not started without any).
    for assessment in assessments {
        let key_results = bob
            .get_json(&format!(
                "/api/v1/objectives/{}/key-results",
                assessment["objective_id"].as_str().unwrap()
            ))
            .await?;
        let statuses: Vec<Status> = key_results
            .as_array()
            .unwrap()
            .iter()
            .map(|k| Status::parse(k["assessment"]["status"].as_str().unwrap()).unwrap())
            .collect();
        assert_eq!(
            assessment["computed_status"],
            objective_status(&statuses).as_str()
        );
    }
    let others = assessments
        .iter()
        .filter(|a| a["objective_id"] != objectives[0].as_str());
    for other in others {
        assert_eq!(other["override_status"], Value::Null);
        assert_eq!(other["override_reason"], Value::Null);
    }
    assert_eq!(
        review["adjustments"],
        json!([
            {"position": 1, "kind": "changed_target", "description": "Crossing target moved to July", "link": link},
            {"position": 2, "kind": "other", "description": "Ask schools for walking counts each term", "link": null}
        ])
    );
    let id = review["id"].as_str().unwrap();
    assert_eq!(
        carol.get_json(&format!("/api/v1/reviews/{id}")).await?["summary"],
        "Crossings are late; walking numbers hold."
    );

    // The next review is due one quarter after the review was held, not after today.
    let expected_due = held_on.checked_add_months(Months::new(3)).unwrap();
    let coordinator = app.signed_in("carol@riverton.example").await?;
    let (status, page) = coordinator
        .page(&format!("/collaborations/{safe_routes}/reviews"))
        .await?;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("value=\"{expected_due}\"")),
        "next due {expected_due} on the schedule form"
    );
    assert!(page.contains("Crossings are late; walking numbers hold."));

    // An older review recorded later lists after the newer one.
    let older = bob
        .post(
            &format!("/api/v1/collaborations/{safe_routes}/reviews"),
            &json!({"held_on": (held_on - Days::new(90)).to_string(), "summary": "Kick-off review"}),
        )
        .await?;
    assert_eq!(older.status(), 201);
    let list = carol
        .get_json(&format!("/api/v1/collaborations/{safe_routes}/reviews"))
        .await?;
    let summaries: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        [
            "Crossings are late; walking numbers hold.",
            "Kick-off review"
        ]
    );
    // Recording the older one moved the due date from its own day.
    let (_, page) = coordinator
        .page(&format!("/collaborations/{safe_routes}/reviews"))
        .await?;
    let older_due = (held_on - Days::new(90))
        .checked_add_months(Months::new(3))
        .unwrap();
    assert!(page.contains(&format!("value=\"{older_due}\"")));

    // Both reviews and the schedule are in the audit log, with the collaboration.
    let history = carol
        .get_json(&format!("/api/v1/collaborations/{safe_routes}/history"))
        .await?;
    let items = history["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        &actions[..3],
        ["review.recorded", "review.recorded", "review.schedule_set"]
    );
    assert_eq!(items[1]["object_id"], id);
    Ok(())
}

#[tokio::test]
async fn an_override_without_a_reason_is_refused_and_nothing_is_stored() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let safe_routes = collaboration_id(&carol, "Safe Routes to School").await?;
    let winter = collaboration_id(&carol, "Winter Resilience Plan").await?;
    let objectives = objective_ids(&carol, &safe_routes).await?;
    let due = today(&app) + Days::new(10);
    carol
        .put(
            &format!("/api/v1/collaborations/{safe_routes}/review-schedule"),
            &json!({"cadence": "monthly", "next_due": due.to_string()}),
        )
        .await?;
    let head = audit_head(&app).await?;
    let path = format!("/api/v1/collaborations/{safe_routes}/reviews");

    let response = carol
        .post(
            &path,
            &json!({"held_on": today(&app).to_string(), "summary": "Fine",
                    "assessments": [{"objective_id": objectives[0], "override_status": "off_track"}],
                    "adjustments": [{"kind": "other", "description": "Something"}]}),
        )
        .await?;
    let (status, problem) = status_json(response).await?;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&problem),
        vec![("assessments[0].override_reason".into(), "required".into())]
    );

    // Adjustments are linked to the change they made, in this collaboration.
    let elsewhere = objective_ids(&carol, &winter).await?[0].clone();
    let response = carol
        .post(
            &path,
            &json!({"held_on": today(&app).to_string(), "summary": "Fine",
                    "adjustments": [
                        {"kind": "changed_target", "description": "Target moved"},
                        {"kind": "dropped_objective", "description": "Dropped", "link": format!("/objectives/{elsewhere}")},
                        {"kind": "changed_target", "description": "Wrong kind of link", "link": format!("/objectives/{elsewhere}")}
                    ]}),
        )
        .await?;
    let (status, problem) = status_json(response).await?;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&problem),
        vec![
            ("adjustments[0].link".into(), "required".into()),
            ("adjustments[1].link".into(), "not_in_collaboration".into()),
            ("adjustments[2].link".into(), "not_in_collaboration".into())
        ]
    );

    // A future date, an unknown objective and a bad link are refused the same way.
    let response = carol
        .post(
            &path,
            &json!({"held_on": (today(&app) + Days::new(1)).to_string(), "summary": "Fine",
                    "adjustments": [{"kind": "other", "description": "x", "link": "javascript:alert(1)"}]}),
        )
        .await?;
    let (status, problem) = status_json(response).await?;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&problem),
        vec![
            ("held_on".into(), "in_the_future".into()),
            ("adjustments[0].link".into(), "invalid_link".into())
        ]
    );
    let response = carol
        .post(
            &path,
            &json!({"held_on": today(&app).to_string(), "summary": "Fine",
                    "assessments": [{"objective_id": elsewhere}]}),
        )
        .await?;
    let (status, problem) = status_json(response).await?;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&problem),
        vec![(
            "assessments[0].objective_id".into(),
            "unknown_objective".into()
        )]
    );

    for table in ["reviews", "review_assessments", "review_adjustments"] {
        assert_eq!(count(&app, table).await?, 0, "{table}");
    }
    assert_eq!(audit_head(&app).await?, head, "nothing was audited");
    let (_, page) = app
        .signed_in("carol@riverton.example")
        .await?
        .page(&format!("/collaborations/{safe_routes}/reviews"))
        .await?;
    assert!(
        page.contains(&format!("value=\"{due}\"")),
        "the due date did not move"
    );

    // The form says the same, beside the field, and keeps what was typed.
    let browser = app.signed_in("carol@riverton.example").await?;
    let form = format!("/collaborations/{safe_routes}/reviews/new");
    let response = browser
        .submit(
            &form,
            &format!("/collaborations/{safe_routes}/reviews"),
            &[
                ("held_on", &today(&app).to_string()),
                ("summary", "Typed summary"),
                ("assessments[0].objective_id", &objectives[0]),
                ("assessments[0].override_status", "off_track"),
                ("assessments[0].override_reason", ""),
            ],
        )
        .await?;
    assert_eq!(response.status(), 422);
    let body = response.text().await?;
    assert!(body.contains("id=\"assessments[0].override_reason-error\""));
    assert!(body.contains("Typed summary"));
    assert_eq!(count(&app, "reviews").await?, 0);
    Ok(())
}

#[tokio::test]
async fn only_coordinators_and_contributors_record_and_only_coordinators_schedule() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    let dave = app.api(Some(&app.token_for("dave@trust.example").await?));
    let safe_routes = collaboration_id(&carol, "Safe Routes to School").await?;
    let hospital = collaboration_id(&bob, "Hospital Transfer Logistics").await?;
    // Alice is named on Safe Routes as a viewer; Dave's organisation observes it.
    let alice_id = alice.get_json("/api/v1/me").await?["id"].clone();
    let added = carol
        .post(
            &format!("/api/v1/collaborations/{safe_routes}/people"),
            &json!({"user_id": alice_id, "role": "viewer"}),
        )
        .await?;
    assert!(added.status().is_success());
    let head = audit_head(&app).await?;
    let review = json!({"held_on": today(&app).to_string(), "summary": "Not mine to record"});
    let schedule = json!({"cadence": "yearly", "next_due": today(&app).to_string()});
    let reviews = format!("/api/v1/collaborations/{safe_routes}/reviews");
    let schedule_path = format!("/api/v1/collaborations/{safe_routes}/review-schedule");

    for (who, api) in [("viewer", &alice), ("observer", &dave)] {
        assert_eq!(api.post(&reviews, &review).await?.status(), 403, "{who}");
        assert_eq!(
            api.put(&schedule_path, &schedule).await?.status(),
            403,
            "{who}"
        );
        // Reading is allowed: the collaboration is public.
        assert!(api.get(&reviews).await?.status().is_success(), "{who}");
    }
    assert_eq!(
        bob.put(&schedule_path, &schedule).await?.status(),
        403,
        "contributors do not set the schedule"
    );
    assert_eq!(app.api(None).post(&reviews, &review).await?.status(), 401);
    // Carol is no member of the confidential collaboration: it does not exist for her.
    let hospital_reviews = format!("/api/v1/collaborations/{hospital}/reviews");
    assert_eq!(carol.post(&hospital_reviews, &review).await?.status(), 404);
    assert_eq!(carol.get(&hospital_reviews).await?.status(), 404);
    assert_eq!(audit_head(&app).await?, head);
    assert_eq!(count(&app, "reviews").await?, 0);

    // The viewer sees no "Record a review" button and gets 403 on the form.
    let viewer = app.signed_in("alice@health.example").await?;
    let (status, page) = viewer
        .page(&format!("/collaborations/{safe_routes}/reviews"))
        .await?;
    assert_eq!(status, 200);
    assert!(!page.contains("reviews/new"));
    let (status, _) = viewer
        .page(&format!("/collaborations/{safe_routes}/reviews/new"))
        .await?;
    assert_eq!(status, 403);

    // A contributor records one.
    assert_eq!(bob.post(&reviews, &review).await?.status(), 201);
    Ok(())
}

#[tokio::test]
async fn an_overdue_review_is_flagged_to_coordinators_until_one_is_recorded() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.signed_in("carol@riverton.example").await?;
    let bob = app.signed_in("bob@transport.example").await?;
    let api = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let safe_routes = collaboration_id(&api, "Safe Routes to School").await?;
    let page = format!("/collaborations/{safe_routes}");
    let reviews_page = format!("/collaborations/{safe_routes}/reviews");
    let due = today(&app);

    // Set by the form on the reviews page.
    let response = carol
        .submit(
            &reviews_page,
            &format!("/collaborations/{safe_routes}/review-schedule"),
            &[("cadence", "half_yearly"), ("next_due", &due.to_string())],
        )
        .await?;
    assert_eq!(response.status(), 303);
    let (_, body) = carol.page(&page).await?;
    assert!(
        body.contains(&format!("href=\"{reviews_page}\"")),
        "a Reviews link"
    );
    assert!(!body.contains("is overdue"), "due today is not overdue");

    // Due yesterday: overdue, for the coordinator only.
    let response = carol
        .submit(
            &reviews_page,
            &format!("/collaborations/{safe_routes}/review-schedule"),
            &[
                ("cadence", "half_yearly"),
                ("next_due", &(due - Days::new(1)).to_string()),
            ],
        )
        .await?;
    assert_eq!(response.status(), 303);
    let (_, body) = carol.page(&page).await?;
    assert!(body.contains("is overdue"), "the coordinator is told");
    let (_, body) = bob.page(&page).await?;
    assert!(!body.contains("is overdue"), "a contributor is not");
    let (_, body) = carol.page(&reviews_page).await?;
    assert!(body.contains("Overdue"));

    // Recording a review through the form clears it and sets the next one six months on.
    let today = today(&app);
    let new_objective_link = format!(
        "/objectives/{}",
        objective_ids(&api, &safe_routes).await?[0]
    );
    let response = carol
        .submit(
            &format!("{reviews_page}/new"),
            &reviews_page,
            &[
                ("held_on", &today.to_string()),
                ("summary", "Half-year review"),
                ("adjustments[0].kind", ""),
                ("adjustments[1].kind", "new_objective"),
                ("adjustments[1].description", "Add a cycling objective"),
                ("adjustments[1].link", &new_objective_link),
            ],
        )
        .await?;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str()?.to_owned();
    assert!(location.starts_with("/reviews/"), "{location}");
    let (status, body) = carol.page(&location).await?;
    assert_eq!(status, 200);
    assert!(body.contains("Half-year review"));
    assert!(body.contains("Add a cycling objective"));
    let (_, body) = carol.page(&page).await?;
    assert!(!body.contains("is overdue"));
    let (_, body) = carol.page(&reviews_page).await?;
    let next = today.checked_add_months(Months::new(6)).unwrap();
    assert!(body.contains(&format!("value=\"{next}\"")));
    assert!(!body.contains("Overdue"));
    Ok(())
}
