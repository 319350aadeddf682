//! Objectives: contributors add them, owners come from the people named, dropping needs a reason,
//! every change is in the collaboration's history, and readers of the collaboration read them.

use anyhow::Result;
use concord_testkit::reqwest::StatusCode;
use concord_testkit::{Api, TestApp};
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

#[tokio::test]
async fn contributors_add_and_edit_objectives_with_owners_from_the_collaboration() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    // Bob contributes to Safe Routes; Hannah too; Carol coordinates; Dave's organisation observes.
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let dave = app.api(Some(&app.token_for("dave@trust.example").await?));
    let safe_routes = collaboration_id(&bob, "Safe Routes to School").await?;
    let view = bob
        .get_json(&format!("/api/v1/collaborations/{safe_routes}"))
        .await?;
    let hannah = view["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["display_name"] == "Hannah Okafor")
        .unwrap()["user_id"]
        .clone();
    let city = view["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "City of Riverton")
        .unwrap()["organisation_id"]
        .clone();
    let dave_id = dave.get_json("/api/v1/me").await?["id"].clone();

    let path = format!("/api/v1/collaborations/{safe_routes}/objectives");
    let existing = bob.get_json(&path).await?.as_array().unwrap().len() as i64;
    let first = bob
        .post(&path, &json!({"title": "Safer crossings at every school", "owner_id": hannah, "organisation_id": city, "due_date": "2027-06-30", "status": "active"}))
        .await?;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await?;
    assert_eq!(first["objective"]["owner_name"], "Hannah Okafor");
    assert_eq!(first["objective"]["organisation_name"], "City of Riverton");
    assert_eq!(
        first["objective"]["position"],
        existing + 1,
        "added at the end"
    );
    assert_eq!(first["can_edit"], true);
    let second: Value = bob
        .post(&path, &json!({"title": "More children walking"}))
        .await?
        .json()
        .await?;
    assert_eq!(second["objective"]["position"], existing + 2);
    assert_eq!(second["objective"]["status"], "draft");
    assert_eq!(
        second["findings"],
        json!(["no_owner", "no_due_date", "no_key_results"]),
        "the SMART check names what is missing"
    );
    assert_eq!(first["findings"], json!(["no_key_results"]));

    // Owners must be named on the collaboration; owning organisations must be active members.
    let response = bob
        .post(
            &path,
            &json!({"title": "x", "owner_id": dave_id, "organisation_id": uuid::Uuid::now_v7()}),
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await?;
    assert_eq!(
        codes(&problem),
        vec![
            ("owner_id".into(), "not_named_on_collaboration".into()),
            ("organisation_id".into(), "not_an_active_member".into())
        ]
    );

    // Dropping needs a reason; with one, the reason is kept and the history says so.
    let id = first["objective"]["id"].as_str().unwrap();
    let response = bob
        .put(
            &format!("/api/v1/objectives/{id}"),
            &json!({"title": "Safer crossings at every school", "status": "dropped"}),
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&response.json().await?),
        vec![("drop_reason".into(), "required".into())]
    );
    let unchanged = bob.get_json(&format!("/api/v1/objectives/{id}")).await?;
    assert_eq!(
        unchanged["objective"]["status"], "active",
        "a refused change changes nothing"
    );
    let dropped = bob
        .put(&format!("/api/v1/objectives/{id}"), &json!({"title": "Safer crossings at every school", "status": "dropped", "drop_reason": "Merged into the city's road plan"}))
        .await?;
    assert_eq!(dropped.status(), StatusCode::OK);
    let dropped: Value = dropped.json().await?;
    assert_eq!(
        dropped["objective"]["drop_reason"],
        "Merged into the city's road plan"
    );
    assert_eq!(
        dropped["objective"]["owner_id"],
        Value::Null,
        "fields left out are cleared, as with PUT"
    );

    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let history = carol
        .get_json(&format!("/api/v1/collaborations/{safe_routes}/history"))
        .await?;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        &actions[..3],
        [
            "objective.dropped",
            "objective.created",
            "objective.created"
        ]
    );

    // Observers (Dave's organisation) read the objectives but cannot add any; anonymous readers of a
    // public collaboration read them too.
    let listed = dave.get_json(&path).await?;
    assert_eq!(listed.as_array().unwrap().len() as i64, existing + 2);
    assert_eq!(
        dave.post(&path, &json!({"title": "Observer's idea"}))
            .await?
            .status(),
        StatusCode::FORBIDDEN
    );
    let public = app.api(None).get_json(&path).await?;
    // The public sees the objectives, not the names of the civil servants who own them.
    assert!(
        public
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["owner_name"].is_null() && o["owner_id"].is_null()),
        "{public}"
    );
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["owner_name"] == "Hannah Okafor"),
        "signed-in readers see owners"
    );
    assert_eq!(
        public.as_array().unwrap().last().unwrap()["title"],
        "More children walking"
    );
    Ok(())
}

#[tokio::test]
async fn objectives_of_a_confidential_collaboration_stay_invisible() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    let hospital = collaboration_id(&alice, "Hospital Transfer Logistics").await?;
    let created: Value = alice
        .post(
            &format!("/api/v1/collaborations/{hospital}/objectives"),
            &json!({"title": "Transfers within 2 hours"}),
        )
        .await?
        .json()
        .await?;
    let id = created["objective"]["id"].as_str().unwrap();
    // Hannah works at the lead ministry but is not named: confidential means named people only.
    let hannah = app.api(Some(&app.token_for("hannah@health.example").await?));
    assert_eq!(
        hannah
            .get(&format!("/api/v1/objectives/{id}"))
            .await?
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        hannah
            .get(&format!("/api/v1/collaborations/{hospital}/objectives"))
            .await?
            .status(),
        StatusCode::NOT_FOUND
    );
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    assert_eq!(
        bob.get_json(&format!("/api/v1/objectives/{id}")).await?["objective"]["title"],
        "Transfers within 2 hours"
    );
    Ok(())
}

#[tokio::test]
async fn the_objective_form_keeps_input_and_lists_objectives_on_the_collaboration_page()
-> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let api = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let winter = collaboration_id(&api, "Winter Resilience Plan").await?;
    let carol = app.signed_in("carol@riverton.example").await?;
    let form = format!("/collaborations/{winter}/objectives/new");
    let response = carol
        .submit(
            &form,
            &format!("/collaborations/{winter}/objectives"),
            &[
                ("title", ""),
                ("description", "Warm spaces in every ward"),
                ("status", "dropped"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(html.contains(r#"id="title-error""#) && html.contains(r#"id="drop_reason-error""#));
    assert!(html.contains("Warm spaces in every ward"), "input kept");
    let response = carol
        .submit(
            &form,
            &format!("/collaborations/{winter}/objectives"),
            &[
                ("title", "Warm spaces open within 24 hours of a cold alert"),
                ("status", "active"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str()?.to_owned();
    let (status, html) = carol.page(&location).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("The objective was added.")
            && html.contains("Warm spaces open within 24 hours")
    );
    let (_, html) = carol.page(&format!("/collaborations/{winter}")).await?;
    assert!(
        html.contains("Warm spaces open within 24 hours of a cold alert"),
        "listed on the collaboration page"
    );
    // In French too.
    let response = carol
        .client
        .get(app.url(&location))
        .header("accept-language", "fr")
        .send()
        .await?;
    assert!(response.text().await?.contains("En cours"));
    Ok(())
}

#[tokio::test]
async fn objectives_are_reordered_one_place_at_a_time() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let safe_routes = collaboration_id(&bob, "Safe Routes to School").await?;
    let path = format!("/api/v1/collaborations/{safe_routes}/objectives");
    let titles = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .map(|o| o["title"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let before = titles(&bob.get_json(&path).await?);
    assert!(before.len() >= 2);
    let second = bob.get_json(&path).await?[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = bob
        .post(
            &format!("/api/v1/objectives/{second}/move"),
            &json!({"direction": "up"}),
        )
        .await?;
    assert_eq!(moved.status(), StatusCode::OK);
    let after = titles(&moved.json().await?);
    assert_eq!(
        (&after[0], &after[1]),
        (&before[1], &before[0]),
        "the two swapped"
    );
    assert_eq!(
        titles(&bob.get_json(&path).await?),
        after,
        "and stay swapped"
    );
    // At the top, "up" changes nothing; an unknown direction is refused.
    let unchanged = bob
        .post(
            &format!("/api/v1/objectives/{second}/move"),
            &json!({"direction": "up"}),
        )
        .await?;
    assert_eq!(titles(&unchanged.json().await?), after);
    let bad = bob
        .post(
            &format!("/api/v1/objectives/{second}/move"),
            &json!({"direction": "sideways"}),
        )
        .await?;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Observers may not reorder.
    let dave = app.api(Some(&app.token_for("dave@trust.example").await?));
    assert_eq!(
        dave.post(
            &format!("/api/v1/objectives/{second}/move"),
            &json!({"direction": "down"})
        )
        .await?
        .status(),
        StatusCode::FORBIDDEN
    );
    // The page buttons do the same.
    let carol = app.signed_in("carol@riverton.example").await?;
    let response = carol
        .submit(
            &format!("/collaborations/{safe_routes}"),
            &format!("/objectives/{second}/move"),
            &[("direction", "down")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        titles(&bob.get_json(&path).await?),
        before,
        "moved back down through the page"
    );
    Ok(())
}

#[tokio::test]
async fn objectives_added_at_once_each_take_their_own_place() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let safe_routes = collaboration_id(&bob, "Safe Routes to School").await?;
    let path = format!("/api/v1/collaborations/{safe_routes}/objectives");
    // Six objectives added at once (on PostgreSQL each reads the last place in its own
    // transaction): with the demo's, the places are 1..n, none shared.
    let mut adds = tokio::task::JoinSet::new();
    for n in 1..=6 {
        let (bob, path) = (bob.clone(), path.clone());
        adds.spawn(async move {
            let body = json!({"title": format!("Objective {n} of a busy morning")});
            bob.post(&path, &body).await.map(|r| r.status())
        });
    }
    while let Some(status) = adds.join_next().await {
        assert_eq!(status??, StatusCode::CREATED);
    }
    let mut places: Vec<i64> = bob
        .get_json(&path)
        .await?
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["position"].as_i64().unwrap())
        .collect();
    places.sort_unstable();
    let n = places.len() as i64;
    assert!(n >= 6);
    assert_eq!(places, (1..=n).collect::<Vec<_>>());
    Ok(())
}
