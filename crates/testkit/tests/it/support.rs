//! Helpers shared by the integration tests that drive the API with tokens: demo look-ups, problem
//! codes, row and audit counts, the chain check, and an account outside every collaboration.

use anyhow::{Context, Result, bail, ensure};
use concord_app::audit::{Verification, verify};
use concord_testkit::{Api, TestApp, audit_head, query_i64s, status_json};
use serde_json::{Value, json};

pub async fn collab_id(api: &Api, title: &str) -> Result<String> {
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

pub fn codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
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

pub fn has_code(problem: &Value, field: &str, code: &str) -> bool {
    codes(problem).iter().any(|(f, c)| f == field && c == code)
}

pub async fn expect(response: reqwest::Response, expected: u16, what: &str) -> Result<Value> {
    let (status, body) = status_json(response).await?;
    ensure!(
        status == expected,
        "{what}: expected {expected}, got {status} {body}"
    );
    Ok(body)
}

pub async fn count(app: &TestApp, sql: &str) -> Result<i64> {
    query_i64s(&app.db.url, sql)
        .await?
        .first()
        .copied()
        .context("no row")
}

pub async fn audit_count(app: &TestApp) -> Result<i64> {
    count(app, "SELECT count(*) FROM audit_events").await
}

/// Verifies the audit chain (what `concord audit verify` runs) and insists it is intact.
pub async fn intact(app: &TestApp) -> Result<()> {
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
            Ok(())
        }
        Verification::Broken(error) => bail!("chain broken: {error}"),
    }
}

pub async fn token_api(app: &TestApp, email: &str) -> Result<Api> {
    Ok(app.api(Some(&app.token_for(email).await?)))
}

/// A signed-in account whose organisation belongs to no demo collaboration: (api, org id).
pub async fn outsider(app: &TestApp) -> Result<(Api, String)> {
    let admin = token_api(app, "admin@concord.example").await?;
    let org = expect(
        admin
            .post(
                "/api/v1/organisations",
                &json!({"name": "Outside Observers Ltd", "kind": "agency",
                        "description": "Not part of any collaboration."}),
            )
            .await?,
        201,
        "creating an organisation",
    )
    .await?;
    let org = org["id"].as_str().context("org id")?.to_owned();
    expect(
        admin
            .post(
                "/api/v1/accounts",
                &json!({"email": "olga@outside.example", "display_name": "Olga Outside",
                        "password": "a long enough password", "organisation_id": org,
                        "org_role": "member"}),
            )
            .await?,
        201,
        "creating an account",
    )
    .await?;
    Ok((token_api(app, "olga@outside.example").await?, org))
}
