//! The `concord` binary, run for real against a database of its own: a temporary SQLite file, or a
//! fresh PostgreSQL schema when `CONCORD_TEST_ENGINE=postgres`.

use std::process::Stdio;

use anyhow::{Context, Result, ensure};
use concord_testkit::{TestDatabase, TestServer, execute_sql, query_strings, reqwest};
use tokio::io::AsyncWriteExt;

const BIN: &str = env!("CARGO_BIN_EXE_concord");

/// What a run of the binary produced.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `concord ARGS` with a clean environment (no inherited database URL or password), feeding
/// `stdin` and setting `env`.
async fn concord(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Result<Run> {
    let mut command = tokio::process::Command::new(BIN);
    command
        .args(args)
        .env_remove("CONCORD_DATABASE_URL")
        .env_remove("CONCORD_PASSWORD")
        .env("CONCORD_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().context("starting concord")?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).await?;
    }
    let output = child.wait_with_output().await?;
    Ok(Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout)?,
        stderr: String::from_utf8(output.stderr)?,
    })
}

/// `concord --database-url URL ARGS`.
async fn on(db: &TestDatabase, args: &[&str]) -> Result<Run> {
    let mut all = vec!["--database-url", db.url.as_str()];
    all.extend_from_slice(args);
    concord(&all, &[], "").await
}

fn is_hash(text: &str) -> bool {
    text.len() == 64
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

#[tokio::test]
async fn migrate_demo_and_audit_verify_detects_tampering() -> Result<()> {
    let db = TestDatabase::new().await?;
    let run = on(&db, &["migrate"]).await?;
    ensure!(run.ok(), "{run}");
    ensure!(run.stderr.contains("up to date"), "{run}");
    let run = on(&db, &["migrate"]).await?;
    ensure!(run.ok(), "migrating twice: {run}");

    let run = on(&db, &["demo"]).await?;
    ensure!(run.ok() && run.stderr.contains("demo data loaded"), "{run}");
    ensure!(run.stderr.contains("alice@health.example"), "{run}");
    let run = on(&db, &["demo"]).await?;
    ensure!(run.ok() && run.stderr.contains("already has data"), "{run}");

    let run = on(&db, &["audit", "verify"]).await?;
    ensure!(run.ok(), "{run}");
    let printed = run.stdout.trim();
    ensure!(is_hash(printed), "not a head hash: {run}");
    ensure!(run.stdout.lines().count() == 1, "{run}");
    let head = query_strings(&db.url, "SELECT hash FROM audit_chain_head WHERE id = 1").await?;
    ensure!(
        head == vec![printed.to_owned()],
        "printed {printed}, head {head:?}"
    );

    // One altered byte in event 5.
    ensure!(
        execute_sql(
            &db.url,
            "UPDATE audit_events SET action = 'collaboration.deleted' WHERE seq = 5"
        )
        .await?
            == 1
    );
    let run = on(&db, &["audit", "verify"]).await?;
    ensure!(run.code == Some(1), "{run}");
    ensure!(run.stdout.trim() == "broken at sequence number 5", "{run}");
    ensure!(run.stderr.contains("event 5"), "{run}");
    Ok(())
}

#[tokio::test]
async fn audit_verify_reports_a_deleted_event() -> Result<()> {
    let db = TestDatabase::new().await?;
    ensure!(on(&db, &["demo"]).await?.ok());
    ensure!(execute_sql(&db.url, "DELETE FROM audit_events WHERE seq = 7").await? == 1);
    let run = on(&db, &["audit", "verify"]).await?;
    ensure!(run.code == Some(1), "{run}");
    ensure!(run.stdout.trim() == "broken at sequence number 7", "{run}");
    ensure!(run.stderr.contains("expected sequence number 7"), "{run}");
    Ok(())
}

#[tokio::test]
async fn token_create_prints_only_a_working_token() -> Result<()> {
    let db = TestDatabase::new().await?;
    ensure!(on(&db, &["demo"]).await?.ok());
    let run = on(
        &db,
        &[
            "token",
            "create",
            "--email",
            "bob@transport.example",
            "--name",
            "ci",
        ],
    )
    .await?;
    ensure!(run.ok(), "{run}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    ensure!(lines.len() == 1, "stdout must hold the token alone: {run}");
    let token = lines[0];
    ensure!(token.starts_with("concord_") && token.len() > 40, "{run}");

    let server = TestServer::start(&db.url).await?;
    let response = reqwest::Client::new()
        .get(server.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await?;
    ensure!(response.status() == 200, "{}", response.status());
    let me: serde_json::Value = response.json().await?;
    ensure!(me["email"] == "bob@transport.example", "{me}");
    let tokens: serde_json::Value = reqwest::Client::new()
        .get(server.url("/api/v1/tokens"))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    ensure!(
        tokens
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["name"] == "ci")),
        "{tokens}"
    );
    server.stop().await;

    let run = on(&db, &["token", "create", "--email", "nobody@example.org"]).await?;
    ensure!(!run.ok() && run.stdout.is_empty(), "{run}");
    ensure!(run.stderr.contains("no active account"), "{run}");
    Ok(())
}

#[tokio::test]
async fn user_create_makes_the_account_and_its_organisation() -> Result<()> {
    let db = TestDatabase::new().await?;
    ensure!(on(&db, &["migrate"]).await?.ok());
    let password = "rivers and reservoirs";
    let args = [
        "--database-url",
        db.url.as_str(),
        "user",
        "create",
        "--email",
        "Wendy@Water.example",
        "--name",
        "Wendy Waters",
        "--organisation",
        "Regional Water Board",
        "--kind",
        "agency",
        "--org-admin",
    ];
    let run = concord(&args, &[("CONCORD_PASSWORD", password)], "").await?;
    ensure!(run.ok(), "{run}");
    let id = run.stdout.trim();
    ensure!(
        id.len() == 36 && id.chars().filter(|c| *c == '-').count() == 4,
        "{run}"
    );

    // The account signs in with that password and belongs to the new organisation.
    let server = TestServer::start(&db.url).await?;
    let browser = concord_testkit::Browser::new(&server.base_url);
    browser.sign_in("wendy@water.example", password).await?;
    let token = on(&db, &["token", "create", "--email", "wendy@water.example"]).await?;
    ensure!(token.ok(), "{token}");
    let me: serde_json::Value = reqwest::Client::new()
        .get(server.url("/api/v1/me"))
        .bearer_auth(token.stdout.trim())
        .send()
        .await?
        .json()
        .await?;
    ensure!(me["id"] == id, "{me}");
    ensure!(me["organisation_name"] == "Regional Water Board", "{me}");
    ensure!(
        me["org_role"] == "org_admin" && me["platform_admin"] == false,
        "{me}"
    );
    server.stop().await;

    // A second account joins the existing organisation; the password may come on stdin.
    let run = concord(
        &[
            "--database-url",
            &db.url,
            "user",
            "create",
            "--email",
            "walter@water.example",
            "--name",
            "Walter",
            "--organisation",
            "regional water board",
        ],
        &[],
        "another long password\n",
    )
    .await?;
    ensure!(run.ok(), "{run}");
    let organisations = query_strings(&db.url, "SELECT name FROM organisations").await?;
    ensure!(
        organisations == vec!["Regional Water Board".to_owned()],
        "{organisations:?}"
    );

    // No password, a short one, a taken email: refused, with the reason.
    for (env, stdin, expected) in [
        (vec![], "", "no password"),
        (
            vec![("CONCORD_PASSWORD", "short")],
            "",
            "password_too_short",
        ),
        (vec![("CONCORD_PASSWORD", password)], "", "already_taken"),
    ] {
        let mut args = args.to_vec();
        if expected != "already_taken" {
            args[5] = "someone.else@water.example";
        }
        let run = concord(&args, &env, stdin).await?;
        ensure!(
            !run.ok() && run.stderr.contains(expected),
            "{expected}: {run}"
        );
    }
    let count = concord_testkit::query_i64s(&db.url, "SELECT COUNT(*) FROM users").await?;
    ensure!(count == vec![2], "{count:?}");
    Ok(())
}

#[tokio::test]
async fn an_unknown_database_scheme_is_refused_by_name() -> Result<()> {
    for url in ["mysql://root@localhost/concord", "redis://localhost"] {
        let run = concord(&["--database-url", url, "migrate"], &[], "").await?;
        let scheme = url.split(':').next().unwrap_or_default();
        ensure!(!run.ok(), "{url}: {run}");
        ensure!(
            run.stderr.contains(&format!("\"{scheme}\"")),
            "the message should name the scheme {scheme}: {run}"
        );
        ensure!(
            run.stderr.contains("sqlite://"),
            "the message should say what works: {run}"
        );
    }
    Ok(())
}

/// The subcommands listed under "Commands:" in a help text (without `help` itself).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn help_works_for_every_command() -> Result<()> {
    let mut pending = vec![Vec::<String>::new()];
    let mut seen = Vec::new();
    while let Some(path) = pending.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let run = concord(&args, &[], "").await?;
        ensure!(run.ok(), "concord {}: {run}", args.join(" "));
        ensure!(run.stdout.contains("Usage: concord"), "{run}");
        for sub in subcommands(&run.stdout) {
            let mut next = path.clone();
            next.push(sub);
            pending.push(next);
        }
        seen.push(path.join(" "));
    }
    for expected in [
        "",
        "serve",
        "migrate",
        "demo",
        "user create",
        "token create",
        "audit verify",
    ] {
        ensure!(
            seen.iter().any(|s| s == expected),
            "no help reached for {expected:?}: {seen:?}"
        );
    }
    Ok(())
}
