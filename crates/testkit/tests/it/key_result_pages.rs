//! Key result pages as a person uses them: the add and edit forms keep what was typed and put each
//! error beside its field, a target changes only with a reason, measurements are recorded from the
//! page or uploaded as a CSV file (all or nothing), the status rules have a help page, and the home
//! page tells owners what is due.

use anyhow::Result;
use concord_testkit::reqwest::{self, StatusCode, multipart};
use concord_testkit::{Api, Browser, TestApp};

/// Safe Routes and its first objective ("Safe crossings at every primary school"), for Bob.
async fn safe_routes(app: &TestApp) -> Result<(Api, String, String)> {
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let list = bob.get_json("/api/v1/collaborations?limit=100").await?;
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Safe Routes to School")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let objectives = bob
        .get_json(&format!("/api/v1/collaborations/{id}/objectives"))
        .await?;
    let objective = objectives[0]["id"].as_str().unwrap().to_owned();
    Ok((bob, id, objective))
}

/// The id of the demo key result called `name` under `objective`.
async fn key_result_named(api: &Api, objective: &str, name: &str) -> Result<String> {
    let list = api
        .get_json(&format!("/api/v1/objectives/{objective}/key-results"))
        .await?;
    Ok(list
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key_result"]["name"] == name)
        .unwrap_or_else(|| panic!("no key result {name}: {list}"))["key_result"]["id"]
        .as_str()
        .unwrap()
        .to_owned())
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The text of the element with `id` up to its closing `</p>` (an error message), or "".
fn message_with_id<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\"");
    match html.find(&marker) {
        Some(start) => {
            let rest = &html[start..];
            &rest[..rest.find("</p>").unwrap_or(rest.len())]
        }
        None => "",
    }
}

#[tokio::test]
async fn the_demo_key_results_read_the_same_whenever_it_is_loaded() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (bob, _, objective) = safe_routes(&app).await?;
    let list = bob
        .get_json(&format!("/api/v1/objectives/{objective}/key-results"))
        .await?;
    let status = |name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|k| k["key_result"]["name"] == name)
            .map(|k| {
                (
                    k["assessment"]["status"].as_str().unwrap().to_owned(),
                    k["assessment"]["overdue"].as_bool().unwrap(),
                )
            })
            .unwrap()
    };
    assert_eq!(
        status("Schools with a safe crossing"),
        ("on_track".into(), false)
    );
    assert_eq!(
        status("Average traffic speed outside school gates"),
        ("at_risk".into(), true)
    );
    assert_eq!(
        status("Child pedestrians injured near schools"),
        ("not_started".into(), false)
    );
    let crossings = key_result_named(&bob, &objective, "Schools with a safe crossing").await?;
    let view = bob
        .get_json(&format!("/api/v1/key-results/{crossings}"))
        .await?;
    assert_eq!(view["measurements"].as_array().unwrap().len(), 8);
    assert_eq!(view["targets"].as_array().unwrap().len(), 2, "raised once");
    Ok(())
}

#[tokio::test]
async fn the_objective_page_lists_key_results_with_status_progress_and_what_is_missing()
-> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (_, _, objective) = safe_routes(&app).await?;
    let bob = app.signed_in("bob@transport.example").await?;
    let (status, html) = bob.page(&format!("/objectives/{objective}")).await?;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "Schools with a safe crossing",
        "class=\"tag status-on_track\">On track</span>",
        "class=\"tag status-at_risk\">At risk</span>",
        "class=\"tag overdue-flag\">Overdue</span>",
        // (29 - 12) / (45 - 12) = 51.5 %, rounded down.
        "51 %",
        "29 schools",
        "class=\"sparkline\"",
        "What is missing",
        "No owner: nobody is named as responsible.",
        "No measurement cadence",
        "Add a key result",
    ] {
        assert!(html.contains(expected), "{expected} missing");
    }
    // Anonymous readers of the public collaboration see the same, without the button.
    let (status, html) = app
        .browser()
        .page(&format!("/objectives/{objective}"))
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Schools with a safe crossing"));
    assert!(!html.contains("Add a key result"));
    Ok(())
}

#[tokio::test]
async fn the_add_form_keeps_what_was_typed_and_puts_errors_beside_the_fields() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (bob_api, _, objective) = safe_routes(&app).await?;
    let bob = app.signed_in("bob@transport.example").await?;
    let form = format!("/objectives/{objective}/key-results/new");
    let (status, html) = bob.page(&form).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"target_date\""));
    assert!(
        !html.contains("name=\"target_change_reason\""),
        "no reason when adding"
    );
    let before = bob_api
        .get_json(&format!("/api/v1/objectives/{objective}/key-results"))
        .await?
        .as_array()
        .unwrap()
        .len();

    let action = format!("/objectives/{objective}/key-results");
    let mut fields = vec![
        ("name", "Crossing patrols in place"),
        ("unit", ""),
        ("direction", "decrease"),
        ("baseline_value", "twelve"),
        ("baseline_date", "2026-09-01"),
        ("target_value", "30"),
        ("target_high", ""),
        ("target_date", "2026-08-01"),
        ("cadence", "quarterly"),
        ("owner_id", ""),
    ];
    let response = bob.submit(&form, &action, &fields).await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(html.contains("There is a problem"), "error summary");
    assert!(message_with_id(&html, "unit-error").contains("Enter a value."));
    assert!(message_with_id(&html, "baseline_value-error").contains("Enter a number"));
    assert!(
        message_with_id(&html, "target_date-error")
            .contains("The target date must be after the baseline date.")
    );
    assert!(html.contains("value=\"Crossing patrols in place\""));
    assert!(html.contains("value=\"twelve\""));
    assert!(html.contains("value=\"decrease\" checked"));
    assert!(html.contains("value=\"quarterly\" selected"));
    assert!(html.contains("aria-describedby=\"unit-hint unit-error\""));
    assert_eq!(
        bob_api
            .get_json(&format!("/api/v1/objectives/{objective}/key-results"))
            .await?
            .as_array()
            .unwrap()
            .len(),
        before,
        "nothing stored"
    );

    fields[1] = ("unit", "patrols");
    fields[3] = ("baseline_value", "12,5");
    fields[7] = ("target_date", "2027-06-30");
    let response = bob.submit(&form, &action, &fields).await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = location(&response);
    assert!(page.ends_with("?done=created"), "{page}");
    let (status, html) = bob.page(&page).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("The key result was added."));
    assert!(html.contains("<h1>Crossing patrols in place</h1>"));
    assert!(html.contains("12.5 patrols on 1 Sep 2026"));
    assert!(html.contains("Not started"));

    // An observer may read but gets no form.
    let dave = app.signed_in("dave@trust.example").await?;
    assert_eq!(dave.page(&form).await?.0, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn a_target_change_without_a_reason_is_refused_beside_the_reason_field() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (bob_api, _, objective) = safe_routes(&app).await?;
    let id = key_result_named(&bob_api, &objective, "Schools with a safe crossing").await?;
    let bob = app.signed_in("bob@transport.example").await?;
    let edit = format!("/key-results/{id}/edit");
    let (status, html) = bob.page(&edit).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"target_change_reason\""));
    assert!(html.contains("value=\"45\""), "the current target");
    let current = bob_api
        .get_json(&format!("/api/v1/key-results/{id}"))
        .await?;
    let kr = &current["key_result"];
    let text = |key: &str| kr[key].as_str().unwrap().to_owned();
    let number = |key: &str| kr[key].as_f64().unwrap().to_string();
    let (owner, baseline_date, target_date) =
        (text("owner_id"), text("baseline_date"), text("target_date"));
    let (baseline, name) = (number("baseline_value"), text("name"));
    let fields = |target: &'static str, reason: &'static str| {
        vec![
            ("name", name.clone()),
            ("unit", "schools".to_owned()),
            ("direction", "increase".to_owned()),
            ("baseline_value", baseline.clone()),
            ("baseline_date", baseline_date.clone()),
            ("target_value", target.to_owned()),
            ("target_high", String::new()),
            ("target_date", target_date.clone()),
            ("cadence", "monthly".to_owned()),
            ("owner_id", owner.clone()),
            ("target_change_reason", reason.to_owned()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let bob = bob.clone();
        let (edit, action) = (edit.clone(), format!("/key-results/{id}"));
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            bob.submit(&edit, &action, &pairs).await
        }
    };

    let response = post(fields("48", "")).await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(
        message_with_id(&html, "target_change_reason-error").contains("Enter a value."),
        "the error is beside the reason field"
    );
    assert!(
        html.contains("aria-describedby=\"target_change_reason-hint target_change_reason-error\"")
    );
    assert!(html.contains("value=\"48\""), "the new target is kept");
    let after = bob_api
        .get_json(&format!("/api/v1/key-results/{id}"))
        .await?;
    assert_eq!(after["key_result"]["target_value"], 45.0, "nothing changed");
    assert_eq!(after["targets"].as_array().unwrap().len(), 2);

    // Saving unchanged needs no reason.
    let response = post(fields("45", "")).await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let response = post(fields("48", "Three more schools join the scheme")).await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!("/key-results/{id}?done=updated")
    );
    let (_, html) = bob.page(&format!("/key-results/{id}")).await?;
    let today = app.server.app.now().date_naive();
    let on = format!(
        "{} {} {}",
        today.format("%-d"),
        [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
        ][today.format("%m").to_string().parse::<usize>()? - 1],
        today.format("%Y")
    );
    let expected = format!(
        "Target raised from 45 to 48 schools on {on} by Bob Lindqvist: Three more schools join the scheme"
    );
    assert!(html.contains(&expected), "{expected}");
    assert!(
        html.contains("Target raised from 42 to 45 schools"),
        "the demo's own change"
    );
    assert!(html.contains("Original target: 42 schools by"));
    Ok(())
}

#[tokio::test]
async fn a_measurement_recorded_on_the_page_shows_on_the_page() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (bob_api, _, objective) = safe_routes(&app).await?;
    let id = key_result_named(&bob_api, &objective, "Schools with a safe crossing").await?;
    let bob = app.signed_in("bob@transport.example").await?;
    let page = format!("/key-results/{id}");
    let action = format!("/key-results/{id}/measurements");
    let today = app.server.app.now().date_naive().to_string();
    let (status, html) = bob.page(&page).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("name=\"date\" type=\"date\" value=\"{today}\"")),
        "today is the default date"
    );
    assert!(html.contains("role=\"img\""), "the chart");
    assert!(html.contains("<caption id=\"measurements-caption\""));
    assert!(html.contains("href=\"/help/status\""));

    let response = bob
        .submit(
            &page,
            &action,
            &[
                ("value", "lots"),
                ("date", "2999-01-01"),
                ("source", "Guess"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(message_with_id(&html, "value-error").contains("Enter a number"));
    assert!(message_with_id(&html, "date-error").contains("The date cannot be in the future."));
    assert!(html.contains("value=\"lots\"") && html.contains("value=\"Guess\""));

    let response = bob
        .submit(
            &page,
            &action,
            &[
                ("value", "30,5"),
                ("date", &today),
                ("source", "Walk-round by the road safety team"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with(&format!("/key-results/{id}?done=recorded")));
    let (_, html) = bob.page(&format!("{page}?done=recorded")).await?;
    assert!(html.contains("The measurement was recorded."));
    assert!(html.contains("30.5 schools"));
    assert!(html.contains("Walk-round by the road safety team"));
    assert!(html.contains("Bob Lindqvist"));
    let view = bob_api
        .get_json(&format!("/api/v1/key-results/{id}"))
        .await?;
    assert_eq!(view["measurements"].as_array().unwrap().len(), 9);

    // Anonymous readers of a public collaboration see the page, without the form.
    let (status, html) = app.browser().page(&page).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("30.5 schools"));
    assert!(!html.contains(&format!("action=\"{action}\"")));
    // And posting anonymously asks to sign in.
    let anonymous = app.browser();
    let response = anonymous
        .submit("/sign-in", &action, &[("value", "1"), ("date", &today)])
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/sign-in"));
    Ok(())
}

/// Posts `csv` to the upload form as a browser does: multipart, the token first.
async fn upload(
    browser: &Browser,
    path: &str,
    token: Option<&str>,
    csv: &str,
) -> Result<reqwest::Response> {
    let mut form = multipart::Form::new();
    if let Some(token) = token {
        form = form.text("csrf_token", token.to_owned());
    }
    let file = multipart::Part::bytes(csv.as_bytes().to_vec())
        .file_name("measurements.csv")
        .mime_str("text/csv")?;
    form = form.part("file", file);
    Ok(browser
        .client
        .post(format!("{}{}", browser.base_url, path))
        .multipart(form)
        .send()
        .await?)
}

#[tokio::test]
async fn a_csv_upload_stores_every_row_or_lists_every_bad_one() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let (bob_api, collaboration, objective) = safe_routes(&app).await?;
    let crossings = key_result_named(&bob_api, &objective, "Schools with a safe crossing").await?;
    let speed = key_result_named(
        &bob_api,
        &objective,
        "Average traffic speed outside school gates",
    )
    .await?;
    let count = |id: String| {
        let api = bob_api.clone();
        async move {
            Ok::<_, anyhow::Error>(
                api.get_json(&format!("/api/v1/key-results/{id}")).await?["measurements"]
                    .as_array()
                    .unwrap()
                    .len(),
            )
        }
    };
    let (crossings_before, speed_before) =
        (count(crossings.clone()).await?, count(speed.clone()).await?);
    let bob = app.signed_in("bob@transport.example").await?;
    let path = format!("/collaborations/{collaboration}/measurements/import");
    let (status, html) = bob.page(&path).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(
        html.contains(&format!("<code>{crossings}</code>")),
        "ids to copy"
    );
    let token = bob.csrf_token(&path).await?;
    let today = app.server.app.now().date_naive();
    let day = |ago: i64| (today - chrono::Duration::days(ago)).to_string();

    // Two bad rows among good ones: nothing stored, both listed with row, column and problem.
    let unknown = uuid::Uuid::now_v7();
    let bad = format!(
        "key_result_id,date,value,source\n{crossings},{},30,Audit\n{speed},{},n/a,Sensors\n{unknown},{},3,\n{speed},{},24.9,Sensors\n",
        day(3),
        day(2),
        day(2),
        day(1)
    );
    let response = upload(&bob, &path, Some(&token), &bad).await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(html.contains("Nothing was imported."));
    assert!(html.contains("Rows with problems: 2"));
    let flat = html.split_whitespace().collect::<Vec<_>>().join(" ");
    for row in [
        "<td class=\"num\">2</td> <td><code>value</code></td> <td>Enter a number, such as 12 or 12.5.</td>",
        "<td class=\"num\">3</td> <td><code>key_result_id</code></td> <td>This is not the id of a key result of this collaboration.</td>",
    ] {
        assert!(flat.contains(row), "{row}");
    }
    assert_eq!(
        flat.matches("<td class=\"num\">").count(),
        2,
        "only the bad rows"
    );
    assert_eq!(count(crossings.clone()).await?, crossings_before);
    assert_eq!(count(speed.clone()).await?, speed_before);

    // A missing column is a problem of the file, shown beside the file field.
    let response = upload(&bob, &path, Some(&token), "key_result_id,value\n1,2\n").await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await?;
    assert!(message_with_id(&html, "file-error-1").contains("The file has no “date” column."));

    // Without the token the guard refuses the upload before it is read.
    let good = format!(
        "key_result_id,date,value,source\n{crossings},{},30,Audit\n{speed},{},24.9,Sensors\n",
        day(3),
        day(1)
    );
    let response = upload(&bob, &path, None, &good).await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(crossings.clone()).await?, crossings_before);

    let response = upload(&bob, &path, Some(&token), &good).await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with(&format!(
        "/collaborations/{collaboration}?done=measurements_imported&count=2"
    )));
    let (_, html) = bob.page(&location(&response)).await?;
    assert!(
        html.contains("2 measurements were imported."),
        "the notice says how many"
    );
    assert_eq!(count(crossings).await?, crossings_before + 1);
    assert_eq!(count(speed).await?, speed_before + 1);

    // The collaboration page links to the upload for those who may add content, and only them.
    let (_, html) = bob
        .page(&format!("/collaborations/{collaboration}"))
        .await?;
    assert!(html.contains(&format!("href=\"{path}\"")));
    let dave = app.signed_in("dave@trust.example").await?;
    let (_, html) = dave
        .page(&format!("/collaborations/{collaboration}"))
        .await?;
    assert!(!html.contains(&format!("href=\"{path}\"")));
    assert_eq!(dave.page(&path).await?.0, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn the_status_help_page_reads_in_french() -> Result<()> {
    let app = TestApp::spawn().await?;
    let browser = app.browser();
    let response = browser
        .client
        .get(app.url("/help/status"))
        .header(reqwest::header::ACCEPT_LANGUAGE, "fr-FR,fr;q=0.9")
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await?;
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("Comment la progression et le statut sont calculés"));
    assert!(html.contains("six plus récentes"));
    assert!(html.contains("class=\"tag status-at_risk\">À risque</span>"));
    let (_, english) = browser.page("/help/status").await?;
    assert!(english.contains("the six most recent ones"));
    for key in [
        "help-status-",
        "help-rule-",
        "help-legend-",
        "help-progress-",
        "finding-",
    ] {
        assert!(!english.contains(key), "a message is missing: {key}");
    }
    Ok(())
}

#[tokio::test]
async fn the_home_page_lists_due_measurements_for_their_owner_overdue_first() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let bob = app.signed_in("bob@transport.example").await?;
    let (status, html) = bob.page("/").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Measurements due"));
    let speed = html
        .find("Average traffic speed outside school gates")
        .expect("the overdue one");
    let crossings = html
        .find("Schools with a safe crossing")
        .expect("the one due later");
    assert!(speed < crossings, "overdue first");
    assert!(html[speed..crossings].contains("Was due"));
    assert!(
        !html.contains("Pupils walking, cycling or scooting"),
        "Hannah's"
    );

    let hannah = app.signed_in("hannah@health.example").await?;
    let (_, html) = hannah.page("/").await?;
    assert!(html.contains("Pupils walking, cycling or scooting to school"));
    assert!(html.contains("Due "));

    // Someone who owns no key result sees no such section.
    let carol = app.signed_in("carol@riverton.example").await?;
    let (_, html) = carol.page("/").await?;
    assert!(!html.contains("Measurements due"));
    Ok(())
}
