//! Stakeholders (issue 4), end to end on the engine under test: the register and its grid,
//! filters, sorting and paging; persons' data withheld from non-members; bad input refused with
//! nothing stored; the engagement log; the early-involvement and frequency flags as the clock
//! moves; the RACI rule; CSV import and export; and a person's data export and erasure, after
//! which no byte of the planted markers remains in the database.

use crate::support::{
    audit_count, codes, collab_id, count, expect, has_code, intact, outsider, token_api,
};
use anyhow::{Context, Result, ensure};
use chrono::{Duration, NaiveDate};
use concord_app::Clock;
use concord_testkit::{Api, Engine, TestApp, engine, execute_sql, query_strings, status_json};
use serde_json::{Value, json};

/// Stakeholders whose stored last-engaged date or engagement count disagree with the log (the
/// store keeps them up to date on every engagement recorded or deleted).
const STALE_ENGAGEMENT_STATS: &str = "SELECT count(*) FROM stakeholders s WHERE \
     s.engagement_count <> (SELECT count(*) FROM engagement_stakeholders es WHERE es.stakeholder_id = s.id) \
     OR COALESCE(CAST(s.last_engaged_on AS TEXT), '-') <> \
        COALESCE(CAST((SELECT max(es.engaged_on) FROM engagement_stakeholders es WHERE es.stakeholder_id = s.id) AS TEXT), '-')";

// ---------------------------------------------------------------------------------------------
// Helpers

async fn me(api: &Api) -> Result<String> {
    Ok(api.get_json("/api/v1/me").await?["id"]
        .as_str()
        .context("id")?
        .to_owned())
}

fn quote(text: &str) -> String {
    text.replace('\'', "''")
}

fn today(app: &TestApp) -> NaiveDate {
    app.clock.now().date_naive()
}

fn body(kind: &str, name: &str, influence: Value, interest: Value) -> Value {
    json!({"kind": kind, "name": name, "influence": influence, "interest": interest})
}

async fn create(api: &Api, collab: &str, input: &Value) -> Result<Value> {
    let created = expect(
        api.post(
            &format!("/api/v1/collaborations/{collab}/stakeholders"),
            input,
        )
        .await?,
        201,
        "creating a stakeholder",
    )
    .await?;
    Ok(created)
}

fn sid(detail: &Value) -> String {
    detail["stakeholder"]["id"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

async fn record(api: &Api, collab: &str, input: &Value) -> Result<Value> {
    expect(
        api.post(
            &format!("/api/v1/collaborations/{collab}/engagements"),
            input,
        )
        .await?,
        201,
        "recording an engagement",
    )
    .await
}

fn items(register: &Value) -> Vec<Value> {
    register["items"].as_array().cloned().unwrap_or_default()
}

fn find<'a>(list: &'a [Value], id: &str) -> Option<&'a Value> {
    list.iter().find(|e| e["stakeholder"]["id"] == id)
}

async fn new_objective(api: &Api, collab: &str, title: &str) -> Result<String> {
    let created = expect(
        api.post(
            &format!("/api/v1/collaborations/{collab}/objectives"),
            &json!({"title": title}),
        )
        .await?,
        201,
        "creating an objective",
    )
    .await?;
    Ok(created["objective"]["id"]
        .as_str()
        .context("objective id")?
        .to_owned())
}

async fn post_csv(api: &Api, collab: &str, csv: &str) -> Result<reqwest::Response> {
    Ok(api
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/collaborations/{collab}/stakeholders/import"),
        )
        .header(reqwest::header::CONTENT_TYPE, "text/csv")
        .body(csv.to_owned())
        .send()
        .await?)
}

async fn text_of(api: &Api, path: &str) -> Result<(u16, String)> {
    let response = api.get(path).await?;
    Ok((response.status().as_u16(), response.text().await?))
}

/// Splits CSV text into records (quoted fields with doubled quotes and embedded newlines).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => record.push(std::mem::take(&mut field)),
                '\r' => {}
                '\n' => {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                _ => field.push(c),
            }
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

// ---------------------------------------------------------------------------------------------
// 1. Register, grid, filters, sorting, paging, and what readers see

#[tokio::test]
async fn register_places_filters_sorts_pages_and_withholds_persons_from_non_members() -> Result<()>
{
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let alice = token_api(&app, "alice@health.example").await?;
    let anon = app.api(None);
    let olga = outsider(&app).await?.0;
    let safe = collab_id(&carol, "Safe Routes to School").await?;
    let hospital = collab_id(&alice, "Hospital Transfer Logistics").await?;
    let trust = dave_org(&app).await?;
    let trust_name = carol
        .get_json(&format!("/api/v1/organisations/{trust}"))
        .await?["name"]
        .as_str()
        .context("org name")?
        .to_owned();
    let marker = format!("ZQXREGPERSON{}", uuid::Uuid::new_v4().simple());
    let marker_email = format!("{}@example.org", marker.to_lowercase());

    let before = count(&app, "SELECT count(*) FROM stakeholders").await?;
    let audit_before = audit_count(&app).await?;
    let mut person_in = body("person", &marker, json!(5), json!(4));
    person_in["email"] = json!(marker_email);
    person_in["phone"] = json!("+44 20 7946 0999");
    person_in["attitude"] = json!("sceptic");
    person_in["stake"] = json!("Lives on the school route");
    let person = create(&carol, &safe, &person_in).await?;
    assert_eq!(person["stakeholder"]["quadrant"], "manage_closely");
    assert_eq!(person["stakeholder"]["email"], json!(marker_email));
    assert_eq!(person["stakeholder"]["personal_data_withheld"], false);
    assert_eq!(person["can_manage_personal_data"], true);
    let person_id = sid(&person);
    let mut group_in = body(
        "group",
        "Parents of pupils at Riverton schools",
        json!(2),
        json!(5),
    );
    group_in["attitude"] = json!("supporter");
    let group = create(&carol, &safe, &group_in).await?;
    assert_eq!(group["stakeholder"]["quadrant"], "keep_informed");
    let group_id = sid(&group);
    let platform = create(
        &bob,
        &safe,
        &json!({"kind": "platform_organisation", "organisation_id": trust,
                "influence": 4, "interest": 1, "attitude": "opponent"}),
    )
    .await?;
    assert_eq!(
        platform["stakeholder"]["name"],
        json!(trust_name),
        "a platform organisation takes its directory name"
    );
    assert_eq!(platform["stakeholder"]["quadrant"], "keep_satisfied");
    let platform_id = sid(&platform);
    let external = create(
        &carol,
        &safe,
        &json!({"kind": "external_organisation", "name": "Riverton Cycling Club",
                "influence": "1", "interest": "2", "attitude": "champion", "frequency": "quarterly"}),
    )
    .await?;
    assert_eq!(external["stakeholder"]["quadrant"], "monitor");
    assert_eq!(external["stakeholder"]["frequency"], "quarterly");
    let external_id = sid(&external);
    assert_eq!(
        count(&app, "SELECT count(*) FROM stakeholders").await?,
        before + 4
    );
    assert_eq!(
        audit_count(&app).await?,
        audit_before + 4,
        "each creation audited"
    );
    // Stored as submitted.
    assert_eq!(
        query_strings(
            &app.db.url,
            &format!(
                "SELECT quadrant || '/' || email || '/' || attitude FROM stakeholders WHERE name = '{marker}'"
            )
        )
        .await?,
        vec![format!("manage_closely/{marker_email}/sceptic")]
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) FROM stakeholders WHERE name = '{}' AND kind = 'platform_organisation' AND influence = 4",
                quote(&trust_name)
            )
        )
        .await?,
        1
    );

    // The register: grid cells, filters, sort and order.
    let base = format!("/api/v1/collaborations/{safe}/stakeholders");
    let register = carol.get_json(&base).await?;
    let total = register["total"].as_u64().context("total")?;
    assert_eq!(register["matching"].as_u64(), Some(total));
    let grid = register["grid"].as_array().context("grid")?;
    assert_eq!(
        grid.iter()
            .map(|c| c["quadrant"].as_str().unwrap_or(""))
            .collect::<Vec<_>>(),
        vec![
            "manage_closely",
            "keep_satisfied",
            "keep_informed",
            "monitor"
        ]
    );
    assert_eq!(
        grid.iter()
            .map(|c| c["count"].as_u64().unwrap_or(0))
            .sum::<u64>(),
        total
    );
    for (quadrant, id) in [
        ("manage_closely", &person_id),
        ("keep_satisfied", &platform_id),
        ("keep_informed", &group_id),
        ("monitor", &external_id),
    ] {
        let cell = grid
            .iter()
            .find(|c| c["quadrant"] == quadrant)
            .context("cell")?;
        let in_cell = cell["stakeholders"].as_array().context("cell list")?;
        assert!(find(in_cell, id).is_some(), "{id} in {quadrant}");
        let filtered = carol
            .get_json(&format!("{base}?quadrant={quadrant}"))
            .await?;
        let list = items(&filtered);
        assert!(find(&list, id).is_some(), "{id} listed under {quadrant}");
        assert!(
            list.iter()
                .all(|e| e["stakeholder"]["quadrant"] == quadrant)
        );
        assert_eq!(filtered["matching"], cell["count"]);
    }
    let opponents = items(&carol.get_json(&format!("{base}?attitude=opponent")).await?);
    assert!(find(&opponents, &platform_id).is_some());
    assert!(
        opponents
            .iter()
            .all(|e| e["stakeholder"]["attitude"] == "opponent")
    );
    let groups = items(&carol.get_json(&format!("{base}?kind=group")).await?);
    assert!(find(&groups, &group_id).is_some());
    assert!(groups.iter().all(|e| e["stakeholder"]["kind"] == "group"));
    let both = items(
        &carol
            .get_json(&format!("{base}?kind=person&attitude=sceptic"))
            .await?,
    );
    assert!(find(&both, &person_id).is_some());
    assert!(find(&both, &group_id).is_none());
    let by_influence = items(
        &carol
            .get_json(&format!("{base}?sort=influence&order=desc"))
            .await?,
    );
    let influences: Vec<u64> = by_influence
        .iter()
        .map(|e| e["stakeholder"]["influence"].as_u64().unwrap_or(0))
        .collect();
    assert!(
        influences.windows(2).all(|w| w[0] >= w[1]),
        "{influences:?}"
    );
    let by_name = items(
        &carol
            .get_json(&format!("{base}?sort=name&order=asc"))
            .await?,
    );
    let names: Vec<String> = by_name
        .iter()
        .map(|e| {
            e["stakeholder"]["name"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
        })
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
    let by_name_desc = items(
        &carol
            .get_json(&format!("{base}?sort=name&order=desc"))
            .await?,
    );
    assert_eq!(
        by_name_desc.first().map(|e| &e["stakeholder"]["id"]),
        by_name.last().map(|e| &e["stakeholder"]["id"])
    );
    let problem = expect(
        carol.get(&format!("{base}?quadrant=everywhere")).await?,
        422,
        "unknown quadrant",
    )
    .await?;
    assert!(
        has_code(&problem, "quadrant", "invalid_choice"),
        "{problem}"
    );

    // Update moves a stakeholder between quadrants; delete removes it.
    let mut moved = group_in.clone();
    moved["influence"] = json!(4);
    let updated = expect(
        carol
            .put(&format!("/api/v1/stakeholders/{group_id}"), &moved)
            .await?,
        200,
        "update",
    )
    .await?;
    assert_eq!(updated["stakeholder"]["quadrant"], "manage_closely");
    assert_eq!(
        query_strings(
            &app.db.url,
            "SELECT quadrant FROM stakeholders WHERE name = 'Parents of pupils at Riverton schools'"
        )
        .await?,
        vec!["manage_closely".to_owned()]
    );
    let audit_before = audit_count(&app).await?;
    expect(
        carol
            .delete(&format!("/api/v1/stakeholders/{external_id}"))
            .await?,
        204,
        "delete",
    )
    .await?;
    expect(
        carol
            .get(&format!("/api/v1/stakeholders/{external_id}"))
            .await?,
        404,
        "deleted",
    )
    .await?;
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM stakeholders WHERE name = 'Riverton Cycling Club'"
        )
        .await?,
        0
    );
    assert_eq!(audit_count(&app).await?, audit_before + 1);

    // Paging: 120 more via CSV; page 2 holds the rest, no overlap.
    let mut csv = String::from("name,kind,influence,interest\n");
    for i in 0..120 {
        csv.push_str(&format!("Residents' association {i:03},group,2,2\n"));
    }
    let imported = expect(post_csv(&carol, &safe, &csv).await?, 200, "import").await?;
    assert_eq!(imported["imported"], 120);
    let page1 = carol.get_json(&format!("{base}?sort=name")).await?;
    let matching = page1["matching"].as_u64().context("matching")?;
    assert!(matching > 120);
    assert_eq!(page1["pages"].as_u64(), Some(matching.div_ceil(100)));
    assert_eq!(items(&page1).len(), 100);
    let page2 = carol.get_json(&format!("{base}?sort=name&page=2")).await?;
    assert_eq!(page2["page"], 2);
    let page2_items = items(&page2);
    assert_eq!(page2_items.len() as u64, matching.min(200) - 100);
    let first_ids: std::collections::HashSet<String> = items(&page1)
        .iter()
        .map(|e| e["stakeholder"]["id"].to_string())
        .collect();
    assert!(
        page2_items
            .iter()
            .all(|e| !first_ids.contains(&e["stakeholder"]["id"].to_string()))
    );
    let monitor = carol
        .get_json(&format!("{base}?quadrant=monitor&page=2"))
        .await?;
    assert!(
        items(&monitor)
            .iter()
            .all(|e| e["stakeholder"]["quadrant"] == "monitor")
    );

    // Members see the person; anonymous readers and signed-in non-members do not.
    let as_bob = items(&bob.get_json(&format!("{base}?kind=person")).await?);
    let seen = find(&as_bob, &person_id).context("bob sees the person")?;
    assert_eq!(seen["stakeholder"]["name"], json!(marker));
    assert_eq!(seen["stakeholder"]["email"], json!(marker_email));
    for (who, api) in [("anonymous", &anon), ("outsider", &olga)] {
        let register = expect(api.get(&format!("{base}?kind=person")).await?, 200, who).await?;
        assert_eq!(register["personal_data_visible"], false, "{who}");
        let listed = items(&register);
        let p = find(&listed, &person_id).with_context(|| format!("{who} lists the person"))?;
        assert_eq!(p["stakeholder"]["name"], Value::Null, "{who}");
        assert_eq!(p["stakeholder"]["email"], Value::Null, "{who}");
        assert_eq!(p["stakeholder"]["phone"], Value::Null, "{who}");
        assert_eq!(p["stakeholder"]["stake"], Value::Null, "{who}");
        assert_eq!(p["stakeholder"]["personal_data_withheld"], true, "{who}");
        let whole = api.get(&base).await?.text().await?;
        assert!(!whole.contains(&marker), "{who}: marker in the register");
        let groups = items(&api.get_json(&format!("{base}?kind=group")).await?);
        let g = find(&groups, &group_id).context("group")?;
        assert_eq!(
            g["stakeholder"]["name"],
            "Parents of pupils at Riverton schools"
        );
        assert_eq!(g["stakeholder"]["personal_data_withheld"], false);
        let detail = expect(
            api.get(&format!("/api/v1/stakeholders/{person_id}"))
                .await?,
            200,
            who,
        )
        .await?;
        assert_eq!(detail["stakeholder"]["name"], Value::Null);
        assert_eq!(detail["stakeholder"]["personal_data_withheld"], true);
        assert!(!detail.to_string().contains(&marker));
        assert!(!detail.to_string().contains(&marker_email));
        for file in ["stakeholders.json", "stakeholders.csv"] {
            let (status, text) = text_of(
                api,
                &format!("/api/v1/collaborations/{safe}/stakeholders/export/{file}"),
            )
            .await?;
            assert_eq!(status, 200, "{who} {file}");
            assert!(!text.contains(&marker), "{who}: marker in {file}");
            assert!(!text.contains(&marker_email), "{who}: email in {file}");
            assert!(text.contains("Parents of pupils at Riverton schools"));
        }
        let raci = api
            .get(&format!("/api/v1/collaborations/{safe}/raci"))
            .await?;
        assert_eq!(raci.status(), 200);
        assert!(!raci.text().await?.contains(&marker));
    }
    let (_, mine) = text_of(
        &carol,
        &format!("/api/v1/collaborations/{safe}/stakeholders/export/stakeholders.json"),
    )
    .await?;
    assert!(mine.contains(&marker), "members' export names the person");

    // The HTML pages and downloads say no more than the API to anonymous and non-member readers.
    let olga_browser = app.browser();
    olga_browser
        .sign_in("olga@outside.example", "a long enough password")
        .await?;
    for (who, browser) in [("anonymous", app.browser()), ("outsider", olga_browser)] {
        for path in [
            format!("/collaborations/{safe}"),
            format!("/collaborations/{safe}/stakeholders"),
            format!("/collaborations/{safe}/stakeholders?kind=person"),
            format!("/collaborations/{safe}/stakeholders/export/stakeholders.csv"),
            format!("/collaborations/{safe}/stakeholders/export/stakeholders.json"),
            format!("/collaborations/{safe}/stakeholders/flags"),
            format!("/collaborations/{safe}/engagements"),
            format!("/collaborations/{safe}/raci"),
            format!("/stakeholders/{person_id}"),
            format!("/stakeholders/{person_id}/personal-data"),
            format!("/stakeholders/{person_id}/erase"),
            format!("/api/v1/collaborations/{safe}/dashboard"),
            "/".to_owned(),
        ] {
            let (status, text) = browser.page(&path).await?;
            assert!(status.as_u16() < 500, "{who} {path}: {status}");
            assert!(!text.contains(&marker), "{who}: the name on {path}");
            assert!(!text.contains(&marker_email), "{who}: the email on {path}");
        }
        let (status, _) = browser
            .page(&format!("/stakeholders/{person_id}/personal-data"))
            .await?;
        assert_ne!(status.as_u16(), 200, "{who} downloads personal data");
    }

    // The confidential collaboration does not exist for outsiders.
    let secret = create(
        &alice,
        &hospital,
        &json!({"kind": "person", "name": "Confidential Person", "influence": 3, "interest": 3,
                "email": "confidential@example.org"}),
    )
    .await?;
    let secret_id = sid(&secret);
    let secret_engagement = record(
        &alice,
        &hospital,
        &json!({"engaged_on": today(&app).to_string(), "channel": "call",
                "summary": "Confidential call", "stakeholder_ids": [secret_id]}),
    )
    .await?;
    let secret_engagement_id = secret_engagement["id"].as_str().context("id")?;
    for (who, api) in [("anonymous", &anon), ("carol", &carol), ("olga", &olga)] {
        for path in [
            format!("/api/v1/collaborations/{hospital}/stakeholders"),
            format!("/api/v1/collaborations/{hospital}/stakeholders/flags"),
            format!("/api/v1/stakeholders/{secret_id}"),
            format!("/api/v1/collaborations/{hospital}/engagements"),
            format!("/api/v1/engagements/{secret_engagement_id}"),
            format!("/api/v1/collaborations/{hospital}/raci"),
            format!("/api/v1/collaborations/{hospital}/stakeholders/export/stakeholders.csv"),
            format!("/api/v1/collaborations/{hospital}/stakeholders/export/stakeholders.json"),
            format!("/api/v1/stakeholders/{secret_id}/personal-data"),
        ] {
            let (status, text) = text_of(api, &path).await?;
            assert_eq!(status, 404, "{who} GET {path}");
            assert!(!text.contains("Confidential Person"));
        }
        expect(
            api.post(
                &format!("/api/v1/stakeholders/{secret_id}/erase"),
                &json!({}),
            )
            .await?,
            404,
            "erase by outsider",
        )
        .await?;
        expect(
            api.put(
                &format!("/api/v1/stakeholders/{secret_id}"),
                &json!({"kind": "person", "name": "Renamed", "influence": 1, "interest": 1}),
            )
            .await?,
            404,
            "update by outsider",
        )
        .await?;
        expect(
            api.delete(&format!("/api/v1/stakeholders/{secret_id}"))
                .await?,
            404,
            "delete by outsider",
        )
        .await?;
    }
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM stakeholders WHERE name = 'Confidential Person'"
        )
        .await?,
        1,
        "outsiders changed nothing"
    );
    intact(&app).await?;
    Ok(())
}

async fn dave_org(app: &TestApp) -> Result<String> {
    let dave = token_api(app, "dave@trust.example").await?;
    Ok(dave.get_json("/api/v1/me").await?["organisation_id"]
        .as_str()
        .context("org")?
        .to_owned())
}

// ---------------------------------------------------------------------------------------------
// 2. Bad input

async fn table_counts(app: &TestApp) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for table in [
        "stakeholders",
        "engagements",
        "engagement_stakeholders",
        "raci_assignments",
        "audit_events",
    ] {
        out.push(count(app, &format!("SELECT count(*) FROM {table}")).await?);
    }
    Ok(out)
}

#[tokio::test]
async fn bad_input_is_refused_with_field_errors_and_nothing_is_stored() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let safe = collab_id(&carol, "Safe Routes to School").await?;
    let winter = collab_id(&carol, "Winter Resilience Plan").await?;
    let group = create(
        &carol,
        &safe,
        &body("group", "Lollipop crossing patrols", json!(3), json!(3)),
    )
    .await?;
    let group_id = sid(&group);
    let elsewhere = create(
        &carol,
        &winter,
        &body("group", "Warm space volunteers", json!(3), json!(3)),
    )
    .await?;
    let elsewhere_id = sid(&elsewhere);
    let objective = new_objective(&carol, &safe, "Every crossing has a patrol").await?;
    let bob_id = me(&bob).await?;
    let carol_id = me(&carol).await?;
    expect(
        carol
            .put(
                &format!("/api/v1/collaborations/{safe}/raci"),
                &json!({"objective_id": objective, "party": format!("user:{carol_id}"), "role": "A"}),
            )
            .await?,
        200,
        "first accountable",
    )
    .await?;

    let before = table_counts(&app).await?;
    let path = format!("/api/v1/collaborations/{safe}/stakeholders");
    for (influence, code) in [
        (json!(0), "out_of_range"),
        (json!(6), "out_of_range"),
        (json!("high"), "not_a_whole_number"),
    ] {
        let problem = expect(
            carol
                .post(
                    &path,
                    &body("group", "Bad scores", influence.clone(), json!(3)),
                )
                .await?,
            422,
            "bad influence",
        )
        .await?;
        assert!(
            has_code(&problem, "influence", code),
            "{influence}: {problem}"
        );
        let problem = expect(
            carol
                .post(
                    &path,
                    &body("group", "Bad scores", json!(3), influence.clone()),
                )
                .await?,
            422,
            "bad interest",
        )
        .await?;
        assert!(
            has_code(&problem, "interest", code),
            "{influence}: {problem}"
        );
        // An update with the same bad value changes nothing either.
        expect(
            carol
                .put(
                    &format!("/api/v1/stakeholders/{group_id}"),
                    &body("group", "Renamed by a bad update", influence, json!(3)),
                )
                .await?,
            422,
            "bad update",
        )
        .await?;
    }
    let problem = expect(
        carol
            .post(&path, &body("group", "", json!(9), json!(3)))
            .await?,
        422,
        "several errors",
    )
    .await?;
    assert!(
        has_code(&problem, "name", "required") && has_code(&problem, "influence", "out_of_range")
    );
    let problem = expect(
        carol
            .post(
                &path,
                &json!({"kind": "group", "name": "With email", "influence": 3, "interest": 3,
                        "email": "someone@example.org"}),
            )
            .await?,
        422,
        "email on a group",
    )
    .await?;
    assert!(has_code(&problem, "email", "only_for_persons"), "{problem}");

    let engagements = format!("/api/v1/collaborations/{safe}/engagements");
    let tomorrow = today(&app) + Duration::days(1);
    let problem = expect(
        carol
            .post(
                &engagements,
                &json!({"engaged_on": tomorrow.to_string(), "channel": "meeting",
                        "summary": "Not yet", "stakeholder_ids": [group_id]}),
            )
            .await?,
        422,
        "future engagement",
    )
    .await?;
    assert!(has_code(&problem, "engaged_on", "in_future"), "{problem}");
    let problem = expect(
        carol
            .post(
                &engagements,
                &json!({"engaged_on": today(&app).to_string(), "channel": "meeting",
                        "summary": "Wrong register", "stakeholder_ids": [group_id, elsewhere_id]}),
            )
            .await?,
        422,
        "foreign stakeholder",
    )
    .await?;
    assert!(
        has_code(&problem, "stakeholder_ids", "not_in_collaboration"),
        "{problem}"
    );
    let problem = expect(
        carol
            .post(
                &engagements,
                &json!({"engaged_on": today(&app).to_string(), "channel": "carrier pigeon",
                        "summary": "", "stakeholder_ids": []}),
            )
            .await?,
        422,
        "empty engagement",
    )
    .await?;
    assert!(has_code(&problem, "channel", "invalid_choice"));
    assert!(has_code(&problem, "summary", "required"));
    assert!(has_code(&problem, "stakeholder_ids", "required"));

    let problem = expect(
        carol
            .put(
                &format!("/api/v1/collaborations/{safe}/raci"),
                &json!({"objective_id": objective, "party": format!("user:{bob_id}"), "role": "A"}),
            )
            .await?,
        422,
        "second accountable",
    )
    .await?;
    assert!(
        has_code(&problem, "role", "accountable_already_set"),
        "{problem}"
    );

    let problem = expect(
        post_csv(
            &carol,
            &safe,
            "name,kind,influence,interest,colour\nA,group,3,3,blue\n",
        )
        .await?,
        422,
        "unknown column",
    )
    .await?;
    assert!(
        has_code(&problem, "columns.colour", "unknown_column"),
        "{problem}"
    );
    let problem = expect(
        post_csv(
            &carol,
            &safe,
            "name,kind,influence,interest\nGood one,group,3,3\nGood two,external_organisation,1,5\nBad three,group,9,3\nGood four,group,2,2\n",
        )
        .await?,
        422,
        "bad row",
    )
    .await?;
    assert_eq!(
        codes(&problem),
        vec![("rows[3].influence".to_owned(), "out_of_range".to_owned())]
    );
    let problem = expect(
        post_csv(&carol, &safe, "name,kind,interest\nA,group,3\n").await?,
        422,
        "missing column",
    )
    .await?;
    assert!(
        has_code(&problem, "columns.influence", "missing_column"),
        "{problem}"
    );

    assert_eq!(
        table_counts(&app).await?,
        before,
        "refused input stored nothing and audited nothing"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM stakeholders WHERE name IN ('Good one', 'Good two', 'Good four', 'Bad scores', 'Renamed by a bad update')"
        )
        .await?,
        0
    );
    intact(&app).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. Engagement log

#[tokio::test]
async fn the_engagement_log_pages_filters_follows_up_and_is_audited() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let dave = token_api(&app, "dave@trust.example").await?;
    let olga = outsider(&app).await?.0;
    let safe = collab_id(&carol, "Safe Routes to School").await?;
    let hospital = collab_id(&bob, "Hospital Transfer Logistics").await?;
    let bob_id = me(&bob).await?;
    let a = sid(&create(
        &carol,
        &safe,
        &body("group", "Crossing wardens", json!(3), json!(4)),
    )
    .await?);
    let b = sid(&create(
        &carol,
        &safe,
        &body("external_organisation", "Bus company", json!(4), json!(2)),
    )
    .await?);
    let day = today(&app);
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let mut mine = Vec::new();
    for offset in 0..6i64 {
        let with = if offset % 2 == 0 {
            json!([a])
        } else {
            json!([a, b])
        };
        let audit_before = audit_count(&app).await?;
        let e = record(
            &carol,
            &safe,
            &json!({"engaged_on": (day - Duration::days(offset)).to_string(),
                    "channel": "meeting", "summary": format!("Log {tag} {offset}"),
                    "stakeholder_ids": with, "outcome": "Agreed next steps"}),
        )
        .await?;
        assert_eq!(audit_count(&app).await?, audit_before + 1);
        mine.push(e["id"].as_str().context("id")?.to_owned());
    }
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM engagements WHERE summary LIKE 'Log {tag} %'")
        )
        .await?,
        6
    );

    // Paged newest first with a cursor, no repeats, nothing lost.
    let log = format!("/api/v1/collaborations/{safe}/engagements");
    let mut seen: Vec<Value> = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let path = match &cursor {
            None => format!("{log}?limit=4"),
            Some(c) => format!("{log}?limit=4&cursor={}", urlencode(c)),
        };
        let page = bob.get_json(&path).await?;
        let page_items = page["items"].as_array().context("items")?;
        assert!(page_items.len() <= 4);
        seen.extend(page_items.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let dates: Vec<&str> = seen
        .iter()
        .map(|e| e["engaged_on"].as_str().unwrap_or(""))
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {dates:?}"
    );
    let ids: Vec<String> = seen.iter().map(|e| e["id"].to_string()).collect();
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no engagement twice");
    let total = count(&app, "SELECT count(*) FROM engagements").await?;
    let in_safe = seen.len();
    assert!(in_safe >= 6 && (in_safe as i64) <= total);
    for id in &mine {
        assert!(seen.iter().any(|e| e["id"] == json!(id)), "{id} listed");
    }
    let mine_in_order: Vec<String> = seen
        .iter()
        .filter(|e| mine.iter().any(|m| e["id"] == json!(m)))
        .map(|e| e["summary"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        mine_in_order,
        (0..6).map(|o| format!("Log {tag} {o}")).collect::<Vec<_>>()
    );
    let only_b = bob
        .get_json(&format!("{log}?stakeholder={b}&limit=100"))
        .await?;
    let only_b = only_b["items"].as_array().context("items")?;
    assert_eq!(only_b.len(), 3);
    assert!(only_b.iter().all(|e| {
        e["stakeholders"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["id"] == json!(b)))
    }));
    let detail = carol.get_json(&format!("/api/v1/stakeholders/{b}")).await?;
    assert_eq!(detail["stakeholder"]["engagement_count"], 3);
    assert_eq!(
        detail["stakeholder"]["last_engaged_on"],
        json!((day - Duration::days(1)).to_string())
    );

    // Follow-up: done, reopened; each audited and stored.
    let with_follow_up = record(
        &carol,
        &safe,
        &json!({"engaged_on": day.to_string(), "channel": "call", "summary": format!("Follow {tag}"),
                "stakeholder_ids": [b], "follow_up": "Send the map", "follow_up_owner_id": bob_id,
                "follow_up_due": (day + Duration::days(3)).to_string()}),
    )
    .await?;
    let fid = with_follow_up["id"].as_str().context("id")?.to_owned();
    assert_eq!(with_follow_up["follow_up_done"], false);
    assert_eq!(with_follow_up["follow_up_owner_id"], json!(bob_id));
    let done_sql = format!(
        "SELECT count(*) FROM engagements WHERE summary = 'Follow {tag}' AND follow_up_done = TRUE"
    );
    for done in [true, false] {
        let audit_before = audit_count(&app).await?;
        let e = expect(
            bob.put(
                &format!("/api/v1/engagements/{fid}/follow-up"),
                &json!({"done": done}),
            )
            .await?,
            200,
            "follow-up",
        )
        .await?;
        assert_eq!(e["follow_up_done"], done);
        assert_eq!(count(&app, &done_sql).await?, i64::from(done));
        assert_eq!(audit_count(&app).await?, audit_before + 1);
    }
    let no_follow_up = &mine[0];
    expect(
        carol
            .put(
                &format!("/api/v1/engagements/{no_follow_up}/follow-up"),
                &json!({"done": true}),
            )
            .await?,
        409,
        "no follow-up",
    )
    .await?;

    // Delete.
    let audit_before = audit_count(&app).await?;
    let links_before = count(&app, "SELECT count(*) FROM engagement_stakeholders").await?;
    expect(
        carol
            .delete(&format!("/api/v1/engagements/{}", mine[1]))
            .await?,
        204,
        "delete",
    )
    .await?;
    expect(
        carol
            .get(&format!("/api/v1/engagements/{}", mine[1]))
            .await?,
        404,
        "deleted",
    )
    .await?;
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM engagements WHERE summary = 'Log {tag} 1'")
        )
        .await?,
        0
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM engagement_stakeholders").await?,
        links_before - 2
    );
    assert_eq!(audit_count(&app).await?, audit_before + 1);
    assert_eq!(
        count(&app, STALE_ENGAGEMENT_STATS).await?,
        0,
        "every stakeholder's stored last-engaged date and count match the log after a delete"
    );

    // Who may read and write the log.
    let before = table_counts(&app).await?;
    expect(
        olga.get(&log).await?,
        403,
        "signed-in non-member reads the log",
    )
    .await?;
    expect(
        olga.get(&format!("/api/v1/engagements/{}", mine[0]))
            .await?,
        403,
        "non-member",
    )
    .await?;
    let anon_status = app.api(None).get(&log).await?.status().as_u16();
    assert!(matches!(anon_status, 401 | 403), "anonymous: {anon_status}");
    // Dave's organisation observes: he reads the log but is not named, so he cannot write it.
    expect(dave.get(&log).await?, 200, "observer reads the log").await?;
    expect(
        dave.post(
            &log,
            &json!({"engaged_on": day.to_string(), "channel": "call", "summary": "Observer",
                    "stakeholder_ids": [a]}),
        )
        .await?,
        403,
        "observer writes",
    )
    .await?;
    expect(
        olga.delete(&format!("/api/v1/engagements/{}", mine[0]))
            .await?,
        403,
        "non-member deletes",
    )
    .await?;
    let carol_h = format!("/api/v1/collaborations/{hospital}/engagements");
    expect(
        carol.get(&carol_h).await?,
        404,
        "confidential log for an outsider",
    )
    .await?;
    expect(
        carol
            .post(
                &carol_h,
                &json!({"engaged_on": day.to_string(), "channel": "call", "summary": "x",
                        "stakeholder_ids": [a]}),
            )
            .await?,
        404,
        "confidential write by an outsider",
    )
    .await?;
    assert_eq!(table_counts(&app).await?, before);
    intact(&app).await?;
    Ok(())
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

// ---------------------------------------------------------------------------------------------
// 4. Flags as time passes

fn flag_kinds(list: &Value, id: &str) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["stakeholder"]["id"] == id)
        .flat_map(|f| f["flags"].as_array().cloned().unwrap_or_default())
        .map(|f| f["kind"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn key_stakeholders_not_engaged_early_and_overdue_relationships_are_flagged() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let olga = outsider(&app).await?.0;
    let safe = collab_id(&carol, "Safe Routes to School").await?;
    let bob_id = me(&bob).await?;
    let start = today(&app);

    // The collaboration starts today; the window is set (to its default, then changed below).
    let current = carol
        .get_json(&format!("/api/v1/collaborations/{safe}"))
        .await?;
    let c = &current["collaboration"];
    let update = json!({"title": c["title"], "summary": c["summary"], "visibility": c["visibility"],
        "status": c["status"], "problem_statement": c["problem_statement"],
        "geography": c["geography"], "start_date": start.to_string(), "end_date": c["end_date"],
        "policy_areas": c["policy_areas"]});
    expect(
        carol
            .put(&format!("/api/v1/collaborations/{safe}"), &update)
            .await?,
        200,
        "start date",
    )
    .await?;
    let settings = format!("/api/v1/collaborations/{safe}/stakeholder-settings");
    let set = expect(
        carol
            .put(&settings, &json!({"early_window_days": 30}))
            .await?,
        200,
        "window",
    )
    .await?;
    assert_eq!(set["early_window_days"], 30);
    let before = table_counts(&app).await?;
    for bad in [json!(0), json!(366), json!("soon")] {
        expect(
            carol
                .put(&settings, &json!({"early_window_days": bad}))
                .await?,
            422,
            "bad window",
        )
        .await?;
    }
    expect(
        bob.put(&settings, &json!({"early_window_days": 10}))
            .await?,
        403,
        "contributor sets window",
    )
    .await?;
    assert_eq!(table_counts(&app).await?, before);

    let mut key_in = body(
        "external_organisation",
        "Riverton Schools Trust",
        json!(5),
        json!(5),
    );
    key_in["owner_id"] = json!(bob_id);
    key_in["frequency"] = json!("quarterly");
    let key = sid(&create(&carol, &safe, &key_in).await?);
    let mut monthly_in = body("group", "School crossing volunteers", json!(1), json!(2));
    monthly_in["owner_id"] = json!(bob_id);
    monthly_in["frequency"] = json!("monthly");
    let monthly = sid(&create(&carol, &safe, &monthly_in).await?);
    let mut recent_in = body("group", "Cycle train parents", json!(1), json!(2));
    recent_in["owner_id"] = json!(bob_id);
    let recent = sid(&create(&carol, &safe, &recent_in).await?);
    let flags_path = format!("/api/v1/collaborations/{safe}/stakeholders/flags");
    assert!(flag_kinds(&carol.get_json(&flags_path).await?, &key).is_empty());

    app.clock.advance(Duration::days(30));
    let flags = carol.get_json(&flags_path).await?;
    assert!(
        flag_kinds(&flags, &key).is_empty(),
        "day 30: still within the window"
    );
    let detail = carol
        .get_json(&format!("/api/v1/stakeholders/{key}"))
        .await?;
    assert_eq!(detail["flags"], json!([]));

    app.clock.advance(Duration::days(1));
    let flags = carol.get_json(&flags_path).await?;
    assert_eq!(
        flag_kinds(&flags, &key),
        vec!["not_engaged_early"],
        "day 31"
    );
    let flag = flags
        .as_array()
        .context("flags")?
        .iter()
        .find(|f| f["stakeholder"]["id"] == json!(key))
        .context("flag")?;
    assert_eq!(
        flag["flags"][0]["due"],
        json!((start + Duration::days(30)).to_string())
    );
    let detail = carol
        .get_json(&format!("/api/v1/stakeholders/{key}"))
        .await?;
    assert_eq!(detail["flags"][0]["kind"], "not_engaged_early");
    let register = carol
        .get_json(&format!("/api/v1/collaborations/{safe}/stakeholders"))
        .await?;
    assert!(register["flagged"].as_u64().unwrap_or(0) >= 1);
    // The owner sees it on their home page; others do not.
    assert_eq!(
        flag_kinds(&bob.get_json("/api/v1/me/stakeholder-flags").await?, &key),
        vec!["not_engaged_early"]
    );
    assert!(flag_kinds(&carol.get_json("/api/v1/me/stakeholder-flags").await?, &key).is_empty());
    assert!(flag_kinds(&olga.get_json("/api/v1/me/stakeholder-flags").await?, &key).is_empty());
    expect(olga.get(&flags_path).await?, 403, "flags for a non-member").await?;
    let anon = app
        .api(None)
        .get("/api/v1/me/stakeholder-flags")
        .await?
        .status()
        .as_u16();
    assert_eq!(anon, 401);

    // A longer window lifts the flag; back to 30 raises it again.
    expect(
        carol
            .put(&settings, &json!({"early_window_days": 45}))
            .await?,
        200,
        "window 45",
    )
    .await?;
    assert_eq!(
        count(
            &app,
            "SELECT CAST(early_window_days AS BIGINT) FROM collaborations WHERE title = 'Safe Routes to School'"
        )
        .await?,
        45
    );
    assert!(flag_kinds(&carol.get_json(&flags_path).await?, &key).is_empty());
    expect(
        carol
            .put(&settings, &json!({"early_window_days": "30"}))
            .await?,
        200,
        "window 30",
    )
    .await?;
    assert_eq!(
        flag_kinds(&carol.get_json(&flags_path).await?, &key),
        vec!["not_engaged_early"]
    );

    // Frequency: a monthly relationship last engaged 40 days ago is overdue; 5 days ago is not.
    let now = today(&app);
    record(
        &carol,
        &safe,
        &json!({"engaged_on": (now - Duration::days(40)).to_string(), "channel": "email",
                "summary": "Long ago", "stakeholder_ids": [monthly]}),
    )
    .await?;
    record(
        &carol,
        &safe,
        &json!({"engaged_on": (now - Duration::days(5)).to_string(), "channel": "email",
                "summary": "Recently", "stakeholder_ids": [recent],
                "follow_up": "Send the rota", "follow_up_owner_id": bob_id,
                "follow_up_due": (now - Duration::days(1)).to_string()}),
    )
    .await?;
    let later = record(
        &carol,
        &safe,
        &json!({"engaged_on": (now - Duration::days(5)).to_string(), "channel": "email",
                "summary": "Recently again", "stakeholder_ids": [recent],
                "follow_up": "Book the hall", "follow_up_owner_id": bob_id,
                "follow_up_due": (now + Duration::days(5)).to_string()}),
    )
    .await?;
    let flags = carol.get_json(&flags_path).await?;
    assert_eq!(flag_kinds(&flags, &monthly), vec!["engagement_overdue"]);
    assert!(flag_kinds(&flags, &recent).is_empty());
    assert_eq!(
        flag_kinds(
            &bob.get_json("/api/v1/me/stakeholder-flags").await?,
            &monthly
        ),
        vec!["engagement_overdue"]
    );

    // Engaging clears the flags.
    record(
        &carol,
        &safe,
        &json!({"engaged_on": now.to_string(), "channel": "meeting", "summary": "At last",
                "stakeholder_ids": [key, monthly]}),
    )
    .await?;
    let flags = carol.get_json(&flags_path).await?;
    assert!(
        flag_kinds(&flags, &key).is_empty(),
        "engaged: no longer flagged"
    );
    assert!(flag_kinds(&flags, &monthly).is_empty());
    assert!(flag_kinds(&bob.get_json("/api/v1/me/stakeholder-flags").await?, &key).is_empty());

    // Follow-ups on the owner's home page, the overdue one marked.
    let follow_ups = bob.get_json("/api/v1/me/follow-ups").await?;
    let list = follow_ups.as_array().context("follow-ups")?;
    let overdue: Vec<(String, bool)> = list
        .iter()
        .filter(|f| {
            matches!(
                f["engagement"]["summary"].as_str(),
                Some("Recently" | "Recently again")
            )
        })
        .map(|f| {
            (
                f["engagement"]["follow_up"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
                f["overdue"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(overdue.len(), 2, "{follow_ups}");
    assert!(overdue.contains(&("Send the rota".to_owned(), true)));
    assert!(overdue.contains(&("Book the hall".to_owned(), false)));
    let carols = carol.get_json("/api/v1/me/follow-ups").await?;
    assert!(!carols.to_string().contains("Send the rota"));
    let later_id = later["id"].as_str().context("id")?;
    expect(
        bob.put(
            &format!("/api/v1/engagements/{later_id}/follow-up"),
            &json!({"done": true}),
        )
        .await?,
        200,
        "done",
    )
    .await?;
    let follow_ups = bob.get_json("/api/v1/me/follow-ups").await?;
    assert!(
        !follow_ups.to_string().contains("Book the hall"),
        "done follow-ups leave the list"
    );
    assert!(follow_ups.to_string().contains("Send the rota"));
    intact(&app).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 5. RACI

fn row<'a>(matrix: &'a Value, objective: &str) -> Result<&'a Value> {
    matrix["rows"]
        .as_array()
        .context("rows")?
        .iter()
        .find(|r| r["objective_id"] == objective)
        .context("row")
}

fn role_of(matrix: &Value, objective: &str, party: &str) -> Result<Value> {
    let columns = matrix["columns"].as_array().context("columns")?;
    let Some(index) = columns.iter().position(|c| c["party"] == party) else {
        return Ok(Value::Null);
    };
    Ok(row(matrix, objective)?["roles"][index].clone())
}

#[tokio::test]
async fn raci_rows_report_and_clear_their_problems_and_refuse_foreign_parties() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let alice = token_api(&app, "alice@health.example").await?;
    let dave = token_api(&app, "dave@trust.example").await?;
    let safe = collab_id(&carol, "Safe Routes to School").await?;
    let winter = collab_id(&carol, "Winter Resilience Plan").await?;
    let carol_user = format!("user:{}", me(&carol).await?);
    let bob_user = format!("user:{}", me(&bob).await?);
    let alice_user = format!("user:{}", me(&alice).await?);
    let objective = new_objective(&carol, &safe, "Crossing patrol at every school").await?;
    let foreign_objective = new_objective(&carol, &winter, "Warm buses").await?;
    let group = format!(
        "stakeholder:{}",
        sid(&create(
            &carol,
            &safe,
            &body("group", "Head teachers", json!(4), json!(4))
        )
        .await?)
    );
    let foreign = format!(
        "stakeholder:{}",
        sid(&create(
            &carol,
            &winter,
            &body("group", "Bus drivers", json!(4), json!(4))
        )
        .await?)
    );
    let path = format!("/api/v1/collaborations/{safe}/raci");
    let matrix = carol.get_json(&path).await?;
    assert_eq!(
        row(&matrix, &objective)?["problems"],
        json!(["no_accountable", "no_responsible"])
    );
    assert!(
        matrix["candidates"]
            .as_array()
            .context("candidates")?
            .iter()
            .any(|c| c["party"] == json!(group))
    );
    let cells = "SELECT count(*) FROM raci_assignments";
    let start = count(&app, cells).await?;

    let set =
        |party: &str, role: Value| json!({"objective_id": objective, "party": party, "role": role});
    let matrix = expect(
        carol.put(&path, &set(&carol_user, json!("A"))).await?,
        200,
        "A",
    )
    .await?;
    assert_eq!(
        row(&matrix, &objective)?["problems"],
        json!(["no_responsible"])
    );
    assert_eq!(role_of(&matrix, &objective, &carol_user)?, json!("A"));
    let matrix = expect(
        bob.put(&path, &set(&group, json!("r"))).await?,
        200,
        "R by a contributor",
    )
    .await?;
    assert_eq!(row(&matrix, &objective)?["problems"], json!([]));
    assert_eq!(role_of(&matrix, &objective, &group)?, json!("R"));
    let matrix = expect(
        carol.put(&path, &set(&bob_user, json!("C"))).await?,
        200,
        "C",
    )
    .await?;
    assert_eq!(role_of(&matrix, &objective, &bob_user)?, json!("C"));
    assert_eq!(count(&app, cells).await?, start + 3);
    assert!(
        count(
            &app,
            "SELECT count(*) FROM raci_assignments WHERE role = 'R' AND party_kind = 'stakeholder'"
        )
        .await?
            >= 1
    );
    // A fresh read agrees.
    let matrix = carol.get_json(&path).await?;
    assert_eq!(row(&matrix, &objective)?["problems"], json!([]));

    // Clearing the Accountable brings the problem back; the cell is gone from the database.
    let audit_before = audit_count(&app).await?;
    let matrix = expect(
        carol.put(&path, &set(&carol_user, Value::Null)).await?,
        200,
        "clear",
    )
    .await?;
    assert_eq!(
        row(&matrix, &objective)?["problems"],
        json!(["no_accountable"])
    );
    assert_eq!(count(&app, cells).await?, start + 2);
    assert_eq!(audit_count(&app).await?, audit_before + 1);
    // Moving R to C leaves no Responsible.
    let matrix = expect(
        carol.put(&path, &set(&group, json!("C"))).await?,
        200,
        "R to C",
    )
    .await?;
    assert_eq!(
        row(&matrix, &objective)?["problems"],
        json!(["no_accountable", "no_responsible"])
    );

    // Parties and objectives of other collaborations, and people not named, are refused.
    let before = table_counts(&app).await?;
    for (party, what) in [
        (&foreign, "foreign stakeholder"),
        (&alice_user, "person not named"),
    ] {
        let problem = expect(carol.put(&path, &set(party, json!("R"))).await?, 422, what).await?;
        assert!(
            has_code(&problem, "party", "not_in_collaboration"),
            "{what}: {problem}"
        );
    }
    let problem = expect(
        carol
            .put(
                &path,
                &json!({"objective_id": foreign_objective, "party": carol_user, "role": "R"}),
            )
            .await?,
        422,
        "foreign objective",
    )
    .await?;
    assert!(
        has_code(&problem, "objective_id", "not_in_collaboration"),
        "{problem}"
    );
    let problem = expect(
        carol.put(&path, &set(&carol_user, json!("X"))).await?,
        422,
        "bad role",
    )
    .await?;
    assert!(has_code(&problem, "role", "invalid_choice"));
    let problem = expect(
        carol.put(&path, &set("nobody:1", json!("R"))).await?,
        422,
        "bad party",
    )
    .await?;
    assert!(has_code(&problem, "party", "invalid_choice"));
    expect(
        dave.put(&path, &set(&carol_user, json!("R"))).await?,
        403,
        "observer",
    )
    .await?;
    expect(
        app.api(None)
            .put(&path, &set(&carol_user, json!("R")))
            .await?,
        401,
        "anonymous",
    )
    .await?;
    assert_eq!(table_counts(&app).await?, before);

    // Anonymous readers of the public collaboration see the matrix without people's names.
    let public = app.api(None).get_json(&path).await?;
    for column in public["columns"].as_array().context("columns")? {
        if column["party"]
            .as_str()
            .is_some_and(|p| p.starts_with("user:"))
        {
            assert_eq!(column["label"], Value::Null, "{column}");
        }
    }
    intact(&app).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 6. CSV import and export

#[tokio::test]
async fn csv_import_is_all_or_nothing_and_export_leads_with_its_columns_and_escapes_formulas()
-> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let dave = token_api(&app, "dave@trust.example").await?;
    let safe = collab_id(&carol, "Safe Routes to School").await?;
    let trust = dave_org(&app).await?;
    let audit_before = audit_count(&app).await?;
    let before = count(&app, "SELECT count(*) FROM stakeholders").await?;
    let csv = format!(
        "\u{feff}Name,kind,influence,interest,attitude,frequency,owner_email,organisation_id,email,phone,stake\n\
         =cmd,group,2,2,,,,,,,\n\
         \"Doe, Jane\",person,4,4,supporter,weekly,carol@riverton.example,,jane.doe@example.org,+44 20 7946 0001,\"Parent, governor\"\n\
         ,platform_organisation,3,1,,,,{trust},,,\n\
         \n"
    );
    let imported = expect(post_csv(&carol, &safe, &csv).await?, 200, "import").await?;
    assert_eq!(imported["imported"], 3);
    assert_eq!(
        count(&app, "SELECT count(*) FROM stakeholders").await?,
        before + 3
    );
    assert_eq!(audit_count(&app).await?, audit_before + 3);
    assert_eq!(
        query_strings(
            &app.db.url,
            "SELECT email || '|' || phone || '|' || frequency || '|' || stake FROM stakeholders WHERE name = 'Doe, Jane'"
        )
        .await?,
        vec!["jane.doe@example.org|+44 20 7946 0001|weekly|Parent, governor".to_owned()]
    );
    let owner = carol
        .get_json(&format!(
            "/api/v1/collaborations/{safe}/stakeholders?kind=person"
        ))
        .await?;
    let jane = items(&owner)
        .into_iter()
        .find(|e| e["stakeholder"]["name"] == "Doe, Jane")
        .context("jane")?;
    assert_eq!(jane["stakeholder"]["owner_name"], "Carol Nguyen");

    // All or nothing: a bad owner in the last row stores none of the others.
    let before = table_counts(&app).await?;
    let problem = expect(
        post_csv(
            &carol,
            &safe,
            "name,kind,influence,interest,owner_email\nFine,group,1,1,\nAlso fine,group,5,5,\nWrong,group,2,2,dave@trust.example\n",
        )
        .await?,
        422,
        "owner not named",
    )
    .await?;
    assert_eq!(
        codes(&problem),
        vec![(
            "rows[3].owner_email".to_owned(),
            "not_named_on_collaboration".to_owned()
        )]
    );
    expect(
        post_csv(&dave, &safe, "name,kind,influence,interest\nX,group,1,1\n").await?,
        403,
        "observer imports",
    )
    .await?;
    let wrong_type = carol
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/collaborations/{safe}/stakeholders/import"),
        )
        .json(&json!({"name": "x"}))
        .send()
        .await?;
    assert_eq!(wrong_type.status().as_u16(), 415);
    assert_eq!(table_counts(&app).await?, before);

    // Export: the import's columns first, formula-like cells escaped.
    let export_path = format!("/api/v1/collaborations/{safe}/stakeholders/export/stakeholders.csv");
    let response = carol.get(&export_path).await?;
    assert_eq!(response.status(), 200);
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let text = response.text().await?;
    let records = parse_csv(&text);
    let header = records.first().context("header")?;
    let import_columns = concord_domain::stakeholder::CSV_COLUMNS;
    // Everything the import reads except the owner's email (the export names the owner instead).
    let leading: Vec<&str> = import_columns
        .iter()
        .copied()
        .filter(|c| *c != "owner_email")
        .collect();
    assert_eq!(
        header
            .iter()
            .take(leading.len())
            .map(String::as_str)
            .collect::<Vec<_>>(),
        leading,
        "the export leads with the import's columns"
    );
    let name_col = 0;
    assert!(
        records.iter().any(|r| r[name_col] == "'=cmd"),
        "formula escaped"
    );
    assert!(!records.iter().any(|r| r[name_col] == "=cmd"));
    assert!(records.iter().any(|r| r[name_col] == "Doe, Jane"));
    let (_, json_text) = text_of(
        &carol,
        &format!("/api/v1/collaborations/{safe}/stakeholders/export/stakeholders.json"),
    )
    .await?;
    let json_rows: Value = serde_json::from_str(&json_text)?;
    assert_eq!(json_rows.as_array().map(Vec::len), Some(records.len() - 1));
    expect(
        carol
            .get(&format!(
                "/api/v1/collaborations/{safe}/stakeholders/export/stakeholders.xlsx"
            ))
            .await?,
        404,
        "unknown export",
    )
    .await?;

    Ok(())
}

/// The export of a whole register (demo persons with phone numbers included), as it was
/// downloaded, imports into another collaboration: the export-only columns are ignored and the
/// formula escape is undone.
#[tokio::test]
async fn an_exported_register_imports_into_another_collaboration() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe = collab_id(&carol, "Safe Routes to School").await?;
    expect(
        post_csv(&carol, &safe, "name,kind,influence,interest,phone\n=cmd,group,2,2,\nPat Lee,person,3,3,+44 20 7946 0002\n").await?,
        200,
        "import",
    )
    .await?;
    let text = carol
        .get(&format!(
            "/api/v1/collaborations/{safe}/stakeholders/export/stakeholders.csv"
        ))
        .await?
        .text()
        .await?;
    let records = parse_csv(&text);
    let name_col = 0;
    // Round trip: the export, untouched, imports into another collaboration.
    let created = expect(
        carol
            .post(
                "/api/v1/collaborations",
                &json!({"title": "Round trip target", "summary": "Where an export is imported.",
                        "visibility": "partners", "status": "proposed", "policy_areas": ["07"]}),
            )
            .await?,
        201,
        "target collaboration",
    )
    .await?;
    let target = created["collaboration"]["id"]
        .as_str()
        .context("id")?
        .to_owned();
    let response = post_csv(&carol, &target, &text).await?;
    let (status, result) = status_json(response).await?;
    assert_eq!(status, 200, "round trip import: {result}");
    assert_eq!(
        result["imported"].as_u64(),
        Some((records.len() - 1) as u64)
    );
    let source_names: std::collections::BTreeSet<String> =
        records[1..].iter().map(|r| r[name_col].clone()).collect();
    let target_export = carol
        .get(&format!(
            "/api/v1/collaborations/{target}/stakeholders/export/stakeholders.csv"
        ))
        .await?
        .text()
        .await?;
    let target_names: std::collections::BTreeSet<String> = parse_csv(&target_export)[1..]
        .iter()
        .map(|r| r[name_col].clone())
        .collect();
    assert!(source_names.contains("'=cmd"), "{source_names:?}");
    assert_eq!(source_names, target_names);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 7. A person's data: export, erasure, and no byte left behind

struct Markers {
    name: String,
    email: String,
    phone: String,
    stake: String,
    summary: String,
    outcome: String,
}

impl Markers {
    fn new() -> Markers {
        let u = uuid::Uuid::new_v4();
        let s = u.simple().to_string();
        let digits = u.as_u128() % 1_000_000;
        Markers {
            name: format!("ZQXMARKERNAME{s}"),
            email: format!("zqxmarker{s}@example.org"),
            phone: format!("+44 7700 9{digits:06}"),
            stake: format!("ZQXMARKERSTAKE{s}"),
            summary: format!("ZQXMARKERSUMMARY{s}"),
            outcome: format!("ZQXMARKEROUTCOME{s}"),
        }
    }

    fn all(&self) -> [&str; 6] {
        [
            &self.name,
            &self.email,
            &self.phone,
            &self.stake,
            &self.summary,
            &self.outcome,
        ]
    }
}

/// Markers found in the audit log's stored text.
async fn markers_in_audit(app: &TestApp, markers: &Markers) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for m in markers.all() {
        let n = count(
            app,
            &format!(
                "SELECT count(*) FROM audit_events WHERE (action || object_type || object_id || changed_fields || salt || changes_digest || prev_hash || hash) LIKE '%{}%'",
                quote(m)
            ),
        )
        .await?;
        if n > 0 {
            found.push(m.to_owned());
        }
    }
    Ok(found)
}

/// Markers still present anywhere in the database: the raw files on SQLite, every row of every
/// table on PostgreSQL.
async fn markers_in_database(app: &TestApp, markers: &Markers) -> Result<Vec<String>> {
    let mut found = Vec::new();
    match engine() {
        Engine::Sqlite => {
            let path = app
                .db
                .url
                .strip_prefix("sqlite://")
                .context("sqlite url")?
                .split('?')
                .next()
                .context("path")?
                .to_owned();
            let mut files = 0;
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let file = format!("{path}{suffix}");
                let Ok(bytes) = std::fs::read(&file) else {
                    continue;
                };
                files += 1;
                for m in markers.all() {
                    if bytes.windows(m.len()).any(|w| w == m.as_bytes()) {
                        found.push(format!("{m} in {file}"));
                    }
                }
            }
            ensure!(files >= 1, "no database file at {path}");
        }
        Engine::Postgres => {
            let tables = query_strings(
                &app.db.url,
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            )
            .await?;
            ensure!(tables.iter().any(|t| t == "stakeholders"), "{tables:?}");
            for table in tables {
                for m in markers.all() {
                    let n = count(
                        app,
                        &format!(
                            "SELECT count(*) FROM \"{table}\" t WHERE t::text LIKE '%{}%'",
                            quote(m)
                        ),
                    )
                    .await?;
                    if n > 0 {
                        found.push(format!("{m} in {table}"));
                    }
                }
            }
        }
    }
    Ok(found)
}

#[tokio::test]
async fn a_persons_data_is_exported_then_erased_leaving_no_byte_and_a_verifiable_chain()
-> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let bob = token_api(&app, "bob@transport.example").await?;
    let alice = token_api(&app, "alice@health.example").await?;
    let olga = outsider(&app).await?.0;
    let safe = collab_id(&carol, "Safe Routes to School").await?;
    let hospital = collab_id(&alice, "Hospital Transfer Logistics").await?;
    let m = Markers::new();
    let day = today(&app);

    let person = create(
        &carol,
        &safe,
        &json!({"kind": "person", "name": m.name, "email": m.email, "phone": m.phone,
                "stake": m.stake, "influence": 4, "interest": 5, "attitude": "opponent"}),
    )
    .await?;
    let pid = sid(&person);
    // An update too, so the audit log has seen the person change.
    expect(
        carol
            .put(
                &format!("/api/v1/stakeholders/{pid}"),
                &json!({"kind": "person", "name": m.name, "email": m.email, "phone": m.phone,
                        "stake": m.stake, "influence": 5, "interest": 5, "attitude": "sceptic"}),
            )
            .await?,
        200,
        "update",
    )
    .await?;
    let group = sid(&create(
        &carol,
        &safe,
        &body("group", "Residents of Mill Lane", json!(3), json!(3)),
    )
    .await?);
    let only = record(
        &carol,
        &safe,
        &json!({"engaged_on": day.to_string(), "channel": "call", "summary": m.summary,
                "outcome": m.outcome, "stakeholder_ids": [pid]}),
    )
    .await?;
    let only_id = only["id"].as_str().context("id")?.to_owned();
    let shared_summary = format!("Street meeting {}", uuid::Uuid::new_v4().simple());
    let shared = record(
        &carol,
        &safe,
        &json!({"engaged_on": (day - Duration::days(2)).to_string(), "channel": "meeting",
                "summary": shared_summary, "stakeholder_ids": [pid, group]}),
    )
    .await?;
    let shared_id = shared["id"].as_str().context("id")?.to_owned();
    let objective = new_objective(&carol, &safe, "Quiet streets near schools").await?;
    expect(
        carol
            .put(
                &format!("/api/v1/collaborations/{safe}/raci"),
                &json!({"objective_id": objective, "party": format!("stakeholder:{pid}"), "role": "C"}),
            )
            .await?,
        200,
        "raci",
    )
    .await?;
    // The audit log never held the person's data in clear.
    assert_eq!(markers_in_audit(&app, &m).await?, Vec::<String>::new());
    let history = carol
        .get(&format!("/api/v1/collaborations/{safe}/history"))
        .await?
        .text()
        .await?;
    for marker in m.all() {
        assert!(!history.contains(marker), "{marker} in the history");
    }

    // The subject-access export: coordinators only.
    let audit_before = audit_count(&app).await?;
    let export_path = format!("/api/v1/stakeholders/{pid}/personal-data");
    let response = carol.get(&export_path).await?;
    assert_eq!(response.status(), 200);
    let export_text = response.text().await?;
    let export: Value = serde_json::from_str(&export_text)?;
    for marker in m.all() {
        assert!(export_text.contains(marker), "{marker} in the export");
    }
    assert_eq!(export["stakeholder"]["name"], json!(m.name));
    assert_eq!(export["stakeholder"]["email"], json!(m.email));
    assert_eq!(export["stakeholder"]["phone"], json!(m.phone));
    assert_eq!(export["engagements"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        export["raci"],
        json!([{"objective_id": objective, "role": "C"}])
    );
    assert!(
        export["audit_events"]
            .as_array()
            .is_some_and(|a| a.len() >= 2)
    );
    assert_eq!(
        audit_count(&app).await?,
        audit_before + 1,
        "the export is recorded"
    );
    expect(bob.get(&export_path).await?, 403, "contributor exports").await?;
    expect(
        olga.get(&export_path).await?,
        403,
        "signed-in non-member of a public collaboration",
    )
    .await?;
    expect(app.api(None).get(&export_path).await?, 401, "anonymous").await?;
    expect(
        carol
            .get(&format!(
                "/api/v1/stakeholders/{}/personal-data",
                uuid::Uuid::now_v7()
            ))
            .await?,
        404,
        "unknown",
    )
    .await?;
    let secret = sid(&create(
        &alice,
        &hospital,
        &json!({"kind": "person", "name": "Hidden", "influence": 1, "interest": 1}),
    )
    .await?);
    expect(
        carol
            .get(&format!("/api/v1/stakeholders/{secret}/personal-data"))
            .await?,
        404,
        "outsider of the confidential one",
    )
    .await?;
    expect(
        carol
            .post(&format!("/api/v1/stakeholders/{secret}/erase"), &json!({}))
            .await?,
        404,
        "outsider erases",
    )
    .await?;

    // Only coordinators erase, only persons.
    let before = table_counts(&app).await?;
    expect(
        bob.post(&format!("/api/v1/stakeholders/{pid}/erase"), &json!({}))
            .await?,
        403,
        "contributor erases",
    )
    .await?;
    expect(
        olga.post(&format!("/api/v1/stakeholders/{pid}/erase"), &json!({}))
            .await?,
        403,
        "non-member erases",
    )
    .await?;
    let problem = expect(
        carol
            .post(&format!("/api/v1/stakeholders/{group}/erase"), &json!({}))
            .await?,
        409,
        "erasing a group",
    )
    .await?;
    assert_eq!(problem["code"], "only_persons_are_erased");
    assert_eq!(table_counts(&app).await?, before);

    // The scan finds what is there (so an empty result after erasure means something).
    let present = markers_in_database(&app, &m).await?;
    for marker in m.all() {
        assert!(
            present.iter().any(|p| p.starts_with(marker)),
            "{marker} not found before erasure: {present:?}"
        );
    }

    // Erase.
    let audit_before = audit_count(&app).await?;
    let erased = expect(
        carol
            .post(&format!("/api/v1/stakeholders/{pid}/erase"), &json!({}))
            .await?,
        200,
        "erase",
    )
    .await?;
    assert_eq!(
        erased,
        json!({"engagements_deleted": 1, "engagements_unlinked": 1, "raci_cells": 1})
    );
    assert_eq!(audit_count(&app).await?, audit_before + 1);
    assert_eq!(
        query_strings(
            &app.db.url,
            "SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1"
        )
        .await?,
        vec!["stakeholder.erased".to_owned()]
    );
    // (a) gone
    expect(
        carol.get(&format!("/api/v1/stakeholders/{pid}")).await?,
        404,
        "erased person",
    )
    .await?;
    expect(carol.get(&export_path).await?, 404, "erased person's data").await?;
    // (b) the shared engagement stays without them; the one about them alone is gone.
    let shared_now = carol
        .get_json(&format!("/api/v1/engagements/{shared_id}"))
        .await?;
    assert_eq!(shared_now["summary"], json!(shared_summary));
    let ids: Vec<&Value> = shared_now["stakeholders"]
        .as_array()
        .context("stakeholders")?
        .iter()
        .map(|s| &s["id"])
        .collect();
    assert_eq!(ids, vec![&json!(group)]);
    expect(
        carol.get(&format!("/api/v1/engagements/{only_id}")).await?,
        404,
        "only-person engagement",
    )
    .await?;
    let raci = carol
        .get_json(&format!("/api/v1/collaborations/{safe}/raci"))
        .await?;
    assert!(!raci.to_string().contains(&pid));
    // (c) the chain verifies.
    intact(&app).await?;
    // (d) no byte of it left.
    assert_eq!(markers_in_audit(&app, &m).await?, Vec::<String>::new());
    let left = markers_in_database(&app, &m).await?;
    assert!(
        left.is_empty(),
        "personal data left after erasure: {left:?}"
    );
    // And the server still works after the scrub.
    let register = carol
        .get_json(&format!("/api/v1/collaborations/{safe}/stakeholders"))
        .await?;
    assert!(
        find(&items(&register), &group).is_some() || register["total"].as_u64().unwrap_or(0) > 0
    );
    assert_eq!(
        count(&app, STALE_ENGAGEMENT_STATS).await?,
        0,
        "the stored engagement figures of the others still match the log after an erasure"
    );
    Ok(())
}

/// Erasure while others keep reading: the scrub must still leave no byte behind.
#[tokio::test]
async fn erasure_under_concurrent_reads_leaves_no_byte() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe = collab_id(&carol, "Safe Routes to School").await?;
    let m = Markers::new();
    let pid = sid(&create(
        &carol,
        &safe,
        &json!({"kind": "person", "name": m.name, "email": m.email, "phone": m.phone,
                "stake": m.stake, "influence": 4, "interest": 5}),
    )
    .await?);
    record(
        &carol,
        &safe,
        &json!({"engaged_on": today(&app).to_string(), "channel": "call", "summary": m.summary,
                "outcome": m.outcome, "stakeholder_ids": [pid]}),
    )
    .await?;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..4 {
        let api = carol.clone();
        let stop = stop.clone();
        let path = format!("/api/v1/collaborations/{safe}/engagements?limit=100");
        readers.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let _ = api.get(&path).await;
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    expect(
        carol
            .post(&format!("/api/v1/stakeholders/{pid}/erase"), &json!({}))
            .await?,
        200,
        "erase",
    )
    .await?;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for r in readers {
        let _ = r.await;
    }
    intact(&app).await?;
    let left = markers_in_database(&app, &m).await?;
    assert!(
        left.is_empty(),
        "personal data left after erasure: {left:?}"
    );
    Ok(())
}

/// Markers readable in the PostgreSQL heap files of the stakeholder tables (after a checkpoint
/// has written the buffers out) or in the planner's statistics. Needs a superuser connection
/// (`pg_read_binary_file`), as the test server's is.
async fn markers_in_postgres_files(app: &TestApp, markers: &Markers) -> Result<Vec<String>> {
    execute_sql(&app.db.url, "CHECKPOINT").await?;
    let mut found = Vec::new();
    for table in [
        "stakeholders",
        "engagements",
        "engagement_stakeholders",
        "raci_assignments",
    ] {
        let path = query_strings(
            &app.db.url,
            &format!("SELECT pg_relation_filepath('{table}')::text"),
        )
        .await?;
        let path = path.first().context("relation path")?;
        for m in markers.all() {
            let n = count(
                app,
                &format!(
                    "SELECT count(*) FROM (SELECT position(convert_to('{}', 'UTF8') in pg_read_binary_file('{path}')) AS p) x WHERE p > 0",
                    quote(m)
                ),
            )
            .await?;
            if n > 0 {
                found.push(format!("{m} in the {table} heap file"));
            }
        }
    }
    for m in markers.all() {
        let n = count(
            app,
            &format!(
                "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND (coalesce(histogram_bounds::text, '') || coalesce(most_common_vals::text, '')) LIKE '%{}%'",
                quote(m)
            ),
        )
        .await?;
        if n > 0 {
            found.push(format!("{m} in pg_stats"));
        }
    }
    Ok(found)
}

/// On PostgreSQL the rows are gone from every table after erasure, but the bytes must not stay
/// readable either: not in the tables' files on disk (plain VACUUM leaves dead tuples' bytes in
/// the page) and not in the planner statistics an earlier (auto)ANALYZE sampled.
#[tokio::test]
async fn erasure_on_postgresql_leaves_no_byte_in_heap_files_or_statistics() -> Result<()> {
    if engine() != Engine::Postgres {
        // On SQLite the raw-file scan of the erasure test covers this.
        return Ok(());
    }
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe = collab_id(&carol, "Safe Routes to School").await?;
    let m = Markers::new();
    let pid = sid(&create(
        &carol,
        &safe,
        &json!({"kind": "person", "name": m.name, "email": m.email, "phone": m.phone,
                "stake": m.stake, "influence": 4, "interest": 5}),
    )
    .await?);
    record(
        &carol,
        &safe,
        &json!({"engaged_on": today(&app).to_string(), "channel": "call", "summary": m.summary,
                "outcome": m.outcome, "stakeholder_ids": [pid]}),
    )
    .await?;
    // What autovacuum's ANALYZE does on its own schedule.
    execute_sql(&app.db.url, "ANALYZE stakeholders").await?;
    execute_sql(&app.db.url, "ANALYZE engagements").await?;
    let before = markers_in_postgres_files(&app, &m).await?;
    ensure!(
        before.iter().any(|f| f.contains("heap file"))
            && before.iter().any(|f| f.contains("pg_stats")),
        "the scan sees the markers before erasure: {before:?}"
    );
    expect(
        carol
            .post(&format!("/api/v1/stakeholders/{pid}/erase"), &json!({}))
            .await?,
        200,
        "erase",
    )
    .await?;
    let left = markers_in_postgres_files(&app, &m).await?;
    assert!(
        left.is_empty(),
        "personal data left after erasure: {left:?}"
    );
    intact(&app).await?;
    Ok(())
}
