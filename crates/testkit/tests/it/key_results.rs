//! Key results and measurements: targets change only with a reason and keep their history,
//! measurements are checked, CSV imports are all or nothing, and status follows the trajectory.

use anyhow::Result;
use concord_testkit::reqwest::StatusCode;
use concord_testkit::{Api, TestApp};
use serde_json::{Value, json};

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

/// The first objective of Safe Routes, for Bob (a contributor there).
async fn objective(app: &TestApp) -> Result<(Api, String, String)> {
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let list = bob.get_json("/api/v1/collaborations?limit=100").await?;
    let safe_routes = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Safe Routes to School")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let objectives = bob
        .get_json(&format!("/api/v1/collaborations/{safe_routes}/objectives"))
        .await?;
    let objective = objectives[0]["id"].as_str().unwrap().to_owned();
    Ok((bob, safe_routes, objective))
}

fn key_result_body(baseline_date: &str, target_date: &str) -> Value {
    json!({
        "name": "Schools with a safe crossing",
        "unit": "schools",
        "direction": "increase",
        "baseline_value": "12",
        "baseline_date": baseline_date,
        "target_value": "42",
        "target_date": target_date,
        "cadence": "monthly"
    })
}

#[tokio::test]
async fn targets_change_only_with_a_reason_and_keep_their_history() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (bob, _, objective) = objective(&app).await?;
    let created = bob
        .post(
            &format!("/api/v1/objectives/{objective}/key-results"),
            &key_result_body("2026-01-01", "2027-06-30"),
        )
        .await?;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await?;
    let id = created["key_result"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["assessment"]["status"], "not_started");
    assert_eq!(
        created["findings"],
        json!(["no_owner"]),
        "only the owner is missing"
    );

    let mut raised = key_result_body("2026-01-01", "2027-06-30");
    raised["target_value"] = json!("45");
    let refused = bob
        .put(&format!("/api/v1/key-results/{id}"), &raised)
        .await?;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&refused.json().await?),
        vec![("target_change_reason".into(), "required".into())]
    );
    assert_eq!(
        bob.get_json(&format!("/api/v1/key-results/{id}")).await?["key_result"]["target_value"],
        42.0,
        "nothing changed"
    );

    raised["target_change_reason"] = json!("Three new schools open in September");
    let changed: Value = bob
        .put(&format!("/api/v1/key-results/{id}"), &raised)
        .await?
        .json()
        .await?;
    assert_eq!(changed["key_result"]["target_value"], 45.0);
    assert_eq!(changed["key_result"]["target_version"], 2);
    let targets = changed["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    assert_eq!(
        (
            targets[0]["version"].as_i64(),
            targets[0]["target_value"].as_f64()
        ),
        (Some(2), Some(45.0))
    );
    assert_eq!(targets[0]["reason"], "Three new schools open in September");
    assert_eq!(
        (
            targets[1]["version"].as_i64(),
            targets[1]["target_value"].as_f64()
        ),
        (Some(1), Some(42.0))
    );
    assert_eq!(targets[0]["changed_by_name"], "Bob Lindqvist");

    // Other edits need no reason and add no version.
    let mut renamed = raised.clone();
    renamed["name"] = json!("Primary schools with a safe crossing");
    renamed["target_change_reason"] = Value::Null;
    let renamed: Value = bob
        .put(&format!("/api/v1/key-results/{id}"), &renamed)
        .await?
        .json()
        .await?;
    assert_eq!(renamed["key_result"]["target_version"], 2);
    Ok(())
}

#[tokio::test]
async fn measurements_are_checked_and_drive_the_status() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (bob, _, objective) = objective(&app).await?;
    let today = app.server.app.now().date_naive();
    let day = |offset: i64| {
        (today + chrono::Duration::days(offset))
            .format("%Y-%m-%d")
            .to_string()
    };
    let created: Value = bob
        .post(
            &format!("/api/v1/objectives/{objective}/key-results"),
            &key_result_body(&day(-120), &day(120)),
        )
        .await?
        .json()
        .await?;
    let id = created["key_result"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/key-results/{id}/measurements");
    for (value, date, field, code) in [
        ("twelve", day(-10), "value", "not_a_number"),
        ("", day(-10), "value", "required"),
        ("20", day(-200), "date", "before_baseline"),
        ("20", day(5), "date", "in_the_future"),
        ("20", "2026-02-30".to_owned(), "date", "invalid_date"),
    ] {
        let response = bob
            .post(&path, &json!({"value": value, "date": date}))
            .await?;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{value} {date}"
        );
        assert_eq!(
            codes(&response.json().await?),
            vec![(field.to_owned(), code.to_owned())],
            "{value} {date}"
        );
    }
    // Halfway in time, well on the way: on track.
    for (value, offset) in [("15", -90), ("20", -60), ("24,5", -30), ("28", -1)] {
        let response = bob
            .post(
                &path,
                &json!({"value": value, "date": day(offset), "source": "Highways survey"}),
            )
            .await?;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let view = bob.get_json(&format!("/api/v1/key-results/{id}")).await?;
    assert_eq!(view["measurements"].as_array().unwrap().len(), 4);
    assert_eq!(
        view["measurements"][2]["value"], 24.5,
        "decimal comma accepted"
    );
    assert_eq!(
        view["assessment"]["status"], "on_track",
        "{}",
        view["assessment"]
    );
    let progress = view["assessment"]["progress"].as_f64().unwrap();
    assert!((progress - 16.0 / 30.0).abs() < 1e-9, "progress {progress}");
    // The public reads the numbers but not who recorded them or who owns the key result.
    let public = app
        .api(None)
        .get_json(&format!("/api/v1/key-results/{id}"))
        .await?;
    assert_eq!(public["measurements"].as_array().unwrap().len(), 4);
    assert!(
        public["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["recorded_by_name"].is_null())
    );
    assert!(view["measurements"][0]["recorded_by_name"] == "Bob Lindqvist");
    // Observers read but do not record.
    let dave = app.api(Some(&app.token_for("dave@trust.example").await?));
    assert_eq!(
        dave.get(&format!("/api/v1/key-results/{id}"))
            .await?
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        dave.post(&path, &json!({"value": "30", "date": day(-1)}))
            .await?
            .status(),
        StatusCode::FORBIDDEN
    );
    Ok(())
}

#[tokio::test]
async fn csv_imports_are_all_or_nothing_and_name_every_bad_row() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (bob, safe_routes, objective) = objective(&app).await?;
    let today = app.server.app.now().date_naive();
    let created: Value = bob
        .post(
            &format!("/api/v1/objectives/{objective}/key-results"),
            &key_result_body(
                &(today - chrono::Duration::days(400)).to_string(),
                &(today + chrono::Duration::days(100)).to_string(),
            ),
        )
        .await?
        .json()
        .await?;
    let id = created["key_result"]["id"].as_str().unwrap().to_owned();
    let import = |body: Vec<u8>, content_type: &'static str| {
        let bob = bob.clone();
        let path = format!("/api/v1/collaborations/{safe_routes}/measurements/import");
        async move {
            bob.request(concord_testkit::reqwest::Method::POST, &path)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
        }
    };
    // 10,000 good rows and one bad one: nothing stored, the bad row named.
    let mut csv = String::from("key_result_id,date,value,source\n");
    for i in 0..10_000 {
        let date = today - chrono::Duration::days(1 + (i % 300));
        let value = if i == 7_345 {
            "n/a".to_owned()
        } else {
            format!("{}", 12 + i % 30)
        };
        csv.push_str(&format!("{id},{date},{value},survey =cmd\n"));
    }
    let response = import(csv.clone().into_bytes(), "text/csv").await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&response.json().await?),
        vec![("rows[7346].value".into(), "not_a_number".into())]
    );
    assert_eq!(
        bob.get_json(&format!("/api/v1/key-results/{id}")).await?["measurements"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let fixed = csv.replace(",n/a,", ",30,");
    let response = import(fixed.into_bytes(), "text/csv; charset=utf-8").await?;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.json::<Value>().await?["imported"], 10_000);

    // A missing column, an unknown key result, the wrong encoding and the wrong media type.
    let response = import(
        format!("key_result_id,value\n{id},3\n").into_bytes(),
        "text/csv",
    )
    .await?;
    assert_eq!(
        codes(&response.json().await?),
        vec![("columns.date".into(), "missing_column".into())]
    );
    let other = uuid::Uuid::now_v7();
    let response = import(
        format!("key_result_id,date,value\n{other},{},3\n", today).into_bytes(),
        "text/csv",
    )
    .await?;
    assert_eq!(
        codes(&response.json().await?),
        vec![("rows[1].key_result_id".into(), "unknown_key_result".into())]
    );
    let response = import(
        b"key_result_id,date,value\n\xff\xfe,2026-01-01,3\n".to_vec(),
        "text/csv",
    )
    .await?;
    assert_eq!(
        codes(&response.json().await?),
        vec![("file".into(), "not_utf8".into())]
    );
    let response = import(b"{}".to_vec(), "application/json").await?;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    Ok(())
}

#[tokio::test]
async fn simultaneous_target_changes_each_become_their_own_version() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (bob, _, objective) = objective(&app).await?;
    let created: Value = bob
        .post(
            &format!("/api/v1/objectives/{objective}/key-results"),
            &key_result_body("2026-01-01", "2027-06-30"),
        )
        .await?
        .json()
        .await?;
    let id = created["key_result"]["id"].as_str().unwrap().to_owned();
    // Six changes of target at once (on PostgreSQL each reads the key result in its own
    // transaction): none may be refused, and no two may take the same version.
    let mut changes = tokio::task::JoinSet::new();
    for n in 0..6 {
        let (bob, path) = (bob.clone(), format!("/api/v1/key-results/{id}"));
        changes.spawn(async move {
            let mut body = key_result_body("2026-01-01", "2027-06-30");
            body["target_value"] = json!((50 + n).to_string());
            body["target_change_reason"] = json!(format!("Revision {n}"));
            bob.put(&path, &body).await.map(|r| r.status())
        });
    }
    while let Some(status) = changes.join_next().await {
        assert_eq!(status??, StatusCode::OK);
    }
    let view = bob.get_json(&format!("/api/v1/key-results/{id}")).await?;
    let mut versions: Vec<i64> = view["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["version"].as_i64().unwrap())
        .collect();
    versions.sort_unstable();
    assert_eq!(versions, (1..=7).collect::<Vec<_>>());
    assert_eq!(view["key_result"]["target_version"], 7);
    Ok(())
}
