//! Notifications (issue 5, item 6), end to end on the engine under test, with a REAL SMTP server
//! on loopback (Python's aiosmtpd, `smtp_sink.py`, started per test on a free port): an
//! invitation reaches the inbox and exactly one email; a preference of `off` keeps the inbox but
//! sends nothing; a digest carries several notifications in one email, once however often it
//! runs; an unreachable server leaves the email waiting with its attempt counted and a retry
//! scheduled, then delivers it exactly once when the server is back; a dead worker's lease
//! expires; two workers racing send each email once. The worker is driven by `run_once` and the
//! test clock, never by sleeping.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::support::{audit_count, count, expect, has_code, intact, token_api};
use anyhow::{Context, Result, ensure};
use chrono::Duration;
use concord_app::App;
use concord_app::notifications::{Notice, notify};
use concord_app::outbox::{self, Mailer, OutboxConfig, SmtpSettings, SmtpTls};
use concord_app::texts::Text;
use concord_domain::UserId;
use concord_domain::notification::NotificationKind;
use concord_store::db::PendingEvent;
use concord_testkit::{Api, Browser, TestApp, execute_sql, query_strings};
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;

const PUBLIC_URL: &str = "https://concord.test.example";
const PASSWORD: &str = "a long enough password";

// ---------------------------------------------------------------------------------------------
// The SMTP server

/// aiosmtpd on 127.0.0.1, writing each message it receives as a JSON line to a file.
struct SmtpSink {
    child: tokio::process::Child,
    port: u16,
    out: PathBuf,
}

impl SmtpSink {
    /// Starts on `port` (0: any free port) and waits until it accepts connections.
    async fn start(port: u16, out: &Path) -> Result<SmtpSink> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/smtp_sink.py");
        let mut child = tokio::process::Command::new("python3")
            .arg(script)
            .arg("--port")
            .arg(port.to_string())
            .arg("--out")
            .arg(out)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting python3 smtp_sink.py (pip install aiosmtpd)")?;
        let stdout = child.stdout.take().context("sink stdout")?;
        let mut line = String::new();
        tokio::time::timeout(
            std::time::Duration::from_secs(20),
            tokio::io::BufReader::new(stdout).read_line(&mut line),
        )
        .await
        .context("the SMTP sink did not start in 20 s")??;
        let port = line.trim().parse().context("port from the sink")?;
        Ok(SmtpSink {
            child,
            port,
            out: out.to_owned(),
        })
    }

    /// Every message received so far.
    fn messages(&self) -> Result<Vec<Value>> {
        messages_in(&self.out)
    }

    async fn stop(mut self) -> Result<()> {
        self.child.kill().await?;
        Ok(())
    }
}

fn messages_in(out: &Path) -> Result<Vec<Value>> {
    let text = std::fs::read_to_string(out).unwrap_or_default();
    text.lines()
        .map(|l| {
            let mut m: Value = serde_json::from_str(l).context("sink line")?;
            // SMTP carries CRLF line ends; compare text as written.
            if let Some(body) = m["body"].as_str() {
                m["body"] = Value::String(body.replace("\r\n", "\n"));
            }
            Ok(m)
        })
        .collect()
}

/// A file for the sink, removed with its directory at the end of the test.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("concord-smtp-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }

    fn file(&self) -> PathBuf {
        self.0.join("messages.jsonl")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn mailer(port: u16) -> Result<Mailer> {
    Mailer::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        username: None,
        password: None,
        from: "Concord <concord@test.example>".into(),
    })
    .map_err(|e| anyhow::anyhow!("{e:?}"))
}

fn config() -> OutboxConfig {
    OutboxConfig {
        public_url: PUBLIC_URL.into(),
        max_attempts: 3,
        ..OutboxConfig::default()
    }
}

/// A port nothing listens on (bound and released at once).
fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Runs rounds until one finds nothing to do; returns the emails sent.
async fn drain(app: &App, mailer: &Mailer, config: &OutboxConfig) -> Result<usize> {
    let mut sent = 0;
    loop {
        let report = outbox::run_once(app, mailer, config)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        sent += report.sent;
        if report.sent + report.retrying + report.failed == 0 {
            return Ok(sent);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The world

/// An organisation outside every collaboration with its admin (Otto) and a member (Mia), both
/// signed up through the API. Returns (org id, otto's api, otto's id, mia's api).
async fn outside_organisation(app: &TestApp) -> Result<(String, Api, String, Api)> {
    let admin = token_api(app, "admin@concord.example").await?;
    let org = expect(
        admin
            .post(
                "/api/v1/organisations",
                &json!({"name": "Riverside Housing Association", "kind": "ngo",
                        "description": "Social landlord for 4,000 homes along the river."}),
            )
            .await?,
        201,
        "creating an organisation",
    )
    .await?;
    let org = org["id"].as_str().context("org id")?.to_owned();
    for (email, name, role) in [
        ("otto@housing.example", "Otto Reyes", "org_admin"),
        ("mia@housing.example", "Mia Farouk", "member"),
    ] {
        expect(
            admin
                .post(
                    "/api/v1/accounts",
                    &json!({"email": email, "display_name": name, "password": PASSWORD,
                            "organisation_id": org, "org_role": role}),
                )
                .await?,
            201,
            "creating an account",
        )
        .await?;
    }
    let otto = token_api(app, "otto@housing.example").await?;
    let otto_id = otto.get_json("/api/v1/me").await?["id"]
        .as_str()
        .context("id")?
        .to_owned();
    let mia = token_api(app, "mia@housing.example").await?;
    Ok((org, otto, otto_id, mia))
}

/// (id, title) of every collaboration whose members Carol manages.
async fn carols_collaborations(carol: &Api) -> Result<Vec<(String, String)>> {
    let list = carol.get_json("/api/v1/collaborations?limit=100").await?;
    let mut out = Vec::new();
    for c in list["items"].as_array().context("items")? {
        let id = c["id"].as_str().context("id")?;
        let view = carol
            .get_json(&format!("/api/v1/collaborations/{id}"))
            .await?;
        if view["permissions"]["manage_members"] == true {
            out.push((id.to_owned(), c["title"].as_str().unwrap_or("").to_owned()));
        }
    }
    ensure!(!out.is_empty(), "Carol manages no collaboration");
    Ok(out)
}

async fn invite(carol: &Api, collaboration: &str, org: &str) -> Result<()> {
    let response = carol
        .post(
            &format!("/api/v1/collaborations/{collaboration}/organisations"),
            &json!({"organisation_id": org, "role": "partner"}),
        )
        .await?;
    ensure!(
        response.status() == 204,
        "invite: {}",
        response.text().await?
    );
    Ok(())
}

/// Sends whatever the demo queued (its invitations notified the demo's admins), so each test
/// starts from an outbox with nothing due; returns how many went.
async fn flush_demo(app: &TestApp, sink: &SmtpSink, mailer: &Mailer) -> Result<usize> {
    let queued = count(app, "SELECT count(*) FROM emails WHERE status = 'waiting'").await?;
    let sent = drain(&app.server.app, mailer, &config()).await?;
    ensure!(
        i64::try_from(sent)? == queued,
        "demo: {sent} sent of {queued}"
    );
    ensure!(
        sink.messages()?.len() == sent,
        "the sink got every demo email"
    );
    std::fs::write(&sink.out, "")?;
    Ok(sent)
}

/// Records notifications the way a producer does: in a write transaction with its audit event.
async fn produce(
    app: &App,
    actor: Option<UserId>,
    recipients: &[UserId],
    kind: NotificationKind,
    title: &str,
) -> Result<()> {
    let mut tx = app.db.write().await?;
    notify(
        &mut tx,
        actor,
        app.now(),
        recipients,
        kind,
        &Notice {
            collaboration: None,
            title: Text::plain(title),
            link: "/collaborations#test".into(),
            excerpt: Some(Text::plain(format!("About: {title}"))),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    tx.record(PendingEvent {
        actor_id: actor.map(|a| a.0),
        action: "test.produced".into(),
        object_type: "test".into(),
        object_id: title.into(),
        collaboration_id: None,
        changed_fields: vec![],
        details: json!({}),
    });
    tx.commit(app.now(), || "00".repeat(16)).await?;
    Ok(())
}

async fn signed_in(app: &TestApp, email: &str) -> Result<Browser> {
    let browser = app.browser();
    browser.sign_in(email, PASSWORD).await?;
    Ok(browser)
}

fn user_id(raw: &str) -> Result<UserId> {
    raw.parse().context("user id")
}

// ---------------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn an_invitation_reaches_the_inbox_and_exactly_one_email() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let scratch = Scratch::new()?;
    let sink = SmtpSink::start(0, &scratch.file()).await?;
    let mailer = mailer(sink.port)?;
    let demo_sent = flush_demo(&app, &sink, &mailer).await?;
    ensure!(demo_sent > 0, "the demo's invitations queued emails");

    let (org, otto, _, mia) = outside_organisation(&app).await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let (collab, title) = carols_collaborations(&carol).await?.remove(0);

    let audit_before = audit_count(&app).await?;
    invite(&carol, &collab, &org).await?;
    assert_eq!(
        audit_count(&app).await?,
        audit_before + 1,
        "the invitation is one audited change; its notification rides in it"
    );

    // The admin's inbox has it, unread; the member (who does not answer invitations) has nothing.
    let inbox = otto.get_json("/api/v1/notifications").await?;
    assert_eq!(inbox["unread"], 1);
    let items = inbox["items"].as_array().context("items")?;
    assert_eq!(items.len(), 1);
    let n = &items[0];
    assert_eq!(n["kind"], "invitation");
    assert_eq!(
        n["title"],
        format!("Your organisation is invited to join \u{201c}{title}\u{201d}")
    );
    assert_eq!(n["link"], "/#invitations-heading");
    assert!(n["read_at"].is_null());
    let notification = n["id"].as_str().context("id")?.to_owned();
    assert_eq!(mia.get_json("/api/v1/notifications").await?["unread"], 0);
    assert_eq!(
        otto.get_json("/api/v1/notifications/unread-count").await?,
        json!({"unread": 1})
    );

    // One outbox row, written with the notification.
    let waiting = count(&app, "SELECT count(*) FROM emails WHERE status = 'waiting'").await?;
    assert_eq!(waiting, 1);

    let report = outbox::run_once(&app.server.app, &mailer, &config())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(report.sent, 1);
    let messages = sink.messages()?;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert_eq!(m["rcpt_tos"], json!(["otto@housing.example"]));
    assert!(
        m["to"]
            .as_str()
            .unwrap_or("")
            .contains("otto@housing.example")
    );
    assert_eq!(
        m["subject"],
        format!("[Concord] Your organisation is invited to join \u{201c}{title}\u{201d}")
    );
    let body = m["body"].as_str().unwrap_or("");
    assert!(
        body.contains(&format!("{PUBLIC_URL}/#invitations-heading")),
        "{body}"
    );
    let sent_rows = query_strings(
        &app.db.url,
        "SELECT CAST(status AS TEXT) FROM emails WHERE status = 'sent' AND sent_at IS NOT NULL",
    )
    .await?;
    assert_eq!(sent_rows.len(), demo_sent + 1);
    assert!(
        m["message_id"]
            .as_str()
            .unwrap_or("")
            .ends_with("@concord.test.example>")
    );

    // Nothing more to send, however often the worker runs.
    assert_eq!(drain(&app.server.app, &mailer, &config()).await?, 0);
    assert_eq!(sink.messages()?.len(), 1);

    // The header shows the unread count; opening the notification marks it read (audited,
    // without its content) and goes to its link.
    let browser = signed_in(&app, "otto@housing.example").await?;
    let (status, page) = browser.page("/notifications").await?;
    assert_eq!(status, 200);
    assert!(page.contains("1 unread"), "header count");
    assert!(page.contains("class=\"tag unread-tag\""));
    let audit_before = audit_count(&app).await?;
    let response = browser
        .get(&format!("/notifications/{notification}/open"))
        .await?;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"].to_str()?,
        "/#invitations-heading"
    );
    assert_eq!(audit_count(&app).await?, audit_before + 1);
    let actions = query_strings(
        &app.db.url,
        "SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1",
    )
    .await?;
    assert_eq!(actions, vec!["notification.read".to_owned()]);
    assert_eq!(otto.get_json("/api/v1/notifications").await?["unread"], 0);
    let (_, page) = browser.page("/").await?;
    assert!(!page.contains("unread-badge"), "no count when all is read");
    // Opening it again changes nothing and records nothing.
    browser
        .get(&format!("/notifications/{notification}/open"))
        .await?;
    assert_eq!(audit_count(&app).await?, audit_before + 1);

    // Someone else's notification does not exist for them.
    assert_eq!(
        mia.post(
            &format!("/api/v1/notifications/{notification}/read"),
            &json!({})
        )
        .await?
        .status(),
        404
    );
    // A stored link that is not a path of this site is never followed (no open redirect).
    execute_sql(
        &app.db.url,
        "UPDATE notifications SET link = '//evil.example/x', read_at = NULL",
    )
    .await?;
    let response = browser
        .get(&format!("/notifications/{notification}/open"))
        .await?;
    assert_eq!(response.headers()["location"].to_str()?, "/notifications");
    sink.stop().await?;
    intact(&app).await
}

#[tokio::test]
async fn preferences_choose_the_email_and_the_inbox_always_gets_it() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let scratch = Scratch::new()?;
    let sink = SmtpSink::start(0, &scratch.file()).await?;
    let mailer = mailer(sink.port)?;
    flush_demo(&app, &sink, &mailer).await?;
    let (org, otto, _, _) = outside_organisation(&app).await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let collabs = carols_collaborations(&carol).await?;

    // Defaults: at once for mentions, assignments and invitations, a digest for the rest.
    let prefs = otto.get_json("/api/v1/notification-preferences").await?;
    assert_eq!(
        prefs,
        json!([
            {"kind": "mention", "email": "immediate"},
            {"kind": "meeting", "email": "daily_digest"},
            {"kind": "decision", "email": "daily_digest"},
            {"kind": "action_item_assigned", "email": "immediate"},
            {"kind": "action_item_due", "email": "daily_digest"},
            {"kind": "invitation", "email": "immediate"},
        ])
    );

    // Bad input: a field error per bad entry, nothing stored, nothing audited.
    let audit_before = audit_count(&app).await?;
    let problem = expect(
        otto.put(
            "/api/v1/notification-preferences",
            &json!({"email": {"invitation": "hourly", "gossip": "off", "mention": "off"}}),
        )
        .await?,
        422,
        "bad preferences",
    )
    .await?;
    assert!(has_code(&problem, "email.invitation", "invalid_choice"));
    assert!(has_code(&problem, "email.gossip", "invalid_choice"));
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM notification_preferences WHERE user_id IN \
             (SELECT id FROM users WHERE email = 'otto@housing.example')"
        )
        .await?,
        0
    );
    assert_eq!(audit_count(&app).await?, audit_before);

    // Off for invitations: one audited change.
    let saved = otto
        .put(
            "/api/v1/notification-preferences",
            &json!({"email": {"invitation": "off"}}),
        )
        .await?;
    assert_eq!(saved.status(), 200);
    assert_eq!(audit_count(&app).await?, audit_before + 1);
    let fields = query_strings(
        &app.db.url,
        "SELECT changed_fields FROM audit_events ORDER BY seq DESC LIMIT 1",
    )
    .await?;
    assert_eq!(fields, vec!["email_invitation".to_owned()]);
    // Saving the same again changes nothing and records nothing.
    otto.put(
        "/api/v1/notification-preferences",
        &json!({"email": {"invitation": "off"}}),
    )
    .await?;
    assert_eq!(audit_count(&app).await?, audit_before + 1);

    invite(&carol, &collabs[0].0, &org).await?;
    assert_eq!(otto.get_json("/api/v1/notifications").await?["unread"], 1);
    assert_eq!(
        count(&app, "SELECT count(*) FROM emails WHERE status = 'waiting'").await?,
        0,
        "no email for a kind switched off"
    );
    assert_eq!(drain(&app.server.app, &mailer, &config()).await?, 0);
    assert!(sink.messages()?.is_empty());

    // The page form: radio groups per kind; a tampered value is shown beside its group, a good
    // one is saved and announced.
    let browser = signed_in(&app, "otto@housing.example").await?;
    // (Signing in is audited too.)
    let audit_before = audit_count(&app).await? - 1;
    let (status, page) = browser.page("/account/notifications").await?;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"pref-invitation-off\" name=\"invitation\" value=\"off\" checked"));
    let response = browser
        .submit(
            "/account/notifications",
            "/account/notifications",
            &[("mention", "sometimes"), ("decision", "off")],
        )
        .await?;
    assert_eq!(response.status(), 422);
    let page = response.text().await?;
    assert!(page.contains("id=\"pref-mention-error\""));
    assert!(
        page.contains("id=\"pref-decision-off\" name=\"decision\" value=\"off\" checked"),
        "the valid choice typed is kept"
    );
    assert_eq!(audit_count(&app).await?, audit_before + 1);
    let response = browser
        .submit(
            "/account/notifications",
            "/account/notifications",
            &[("mention", "daily_digest"), ("invitation", "immediate")],
        )
        .await?;
    assert_eq!(response.status(), 303);
    let prefs = otto.get_json("/api/v1/notification-preferences").await?;
    assert_eq!(
        prefs[0],
        json!({"kind": "mention", "email": "daily_digest"})
    );
    assert_eq!(
        prefs[5],
        json!({"kind": "invitation", "email": "immediate"})
    );
    assert_eq!(audit_count(&app).await?, audit_before + 2);
    sink.stop().await?;
    intact(&app).await
}

#[tokio::test]
async fn a_daily_digest_is_one_email_for_many_notifications_and_is_sent_once() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let scratch = Scratch::new()?;
    let sink = SmtpSink::start(0, &scratch.file()).await?;
    let mailer = mailer(sink.port)?;
    flush_demo(&app, &sink, &mailer).await?;
    let (_, otto, otto_id, _) = outside_organisation(&app).await?;
    let otto_id = user_id(&otto_id)?;
    let core = &app.server.app;
    // The demo's people wait for digests of their own (its decisions and meetings): they go out
    // as yesterday's, so today's round is Otto's alone.
    let yesterday = core.now().date_naive() - Duration::days(1);
    outbox::queue_digests(core, yesterday)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    drain(core, &mailer, &config()).await?;
    std::fs::write(&sink.out, "")?;

    // Three decisions (digest by default), one mention (at once); the actor is never told of
    // their own doing, and a repeated recipient counts once.
    for title in [
        "Gritting routes agreed",
        "Budget for sandbags",
        "Shelter rota adopted",
    ] {
        produce(
            core,
            None,
            &[otto_id, otto_id],
            NotificationKind::Decision,
            title,
        )
        .await?;
    }
    produce(
        core,
        Some(otto_id),
        &[otto_id],
        NotificationKind::Mention,
        "Self-mention",
    )
    .await?;
    produce(
        core,
        None,
        &[otto_id],
        NotificationKind::Mention,
        "Mentioned by Carol",
    )
    .await?;
    assert_eq!(otto.get_json("/api/v1/notifications").await?["unread"], 4);

    let day = core.now().date_naive();
    assert_eq!(
        outbox::queue_digests(core, day)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        1
    );
    // Again, and from a second server on the same database: nothing more.
    assert_eq!(
        outbox::queue_digests(core, day)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        0
    );
    let second = App::open(&app.db.url, app.clock.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(
        outbox::queue_digests(&second, day)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        0
    );
    assert_eq!(drain(core, &mailer, &config()).await?, 2);
    assert_eq!(drain(&second, &mailer, &config()).await?, 0);
    let messages = sink.messages()?;
    assert_eq!(messages.len(), 2, "one mention, one digest");
    let digest = messages
        .iter()
        .find(|m| m["subject"] == format!("[Concord] Your daily digest for {day}"))
        .context("digest")?;
    let body = digest["body"].as_str().unwrap_or("");
    for title in [
        "Gritting routes agreed",
        "Budget for sandbags",
        "Shelter rota adopted",
    ] {
        assert_eq!(
            body.matches(&format!("\n{title}\n")).count(),
            1,
            "{title} once in {body}"
        );
    }
    assert!(body.contains("3 notifications"));
    assert!(!body.contains("Mentioned by Carol"));
    assert!(
        messages
            .iter()
            .any(|m| m["subject"] == "[Concord] Mentioned by Carol")
    );

    // A decision later the same day waits for tomorrow's digest.
    produce(
        core,
        None,
        &[otto_id],
        NotificationKind::Decision,
        "Late decision",
    )
    .await?;
    assert_eq!(
        outbox::queue_digests(core, day)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        0
    );
    app.clock.advance(Duration::days(1));
    let tomorrow = core.now().date_naive();
    assert_eq!(
        outbox::queue_digests(core, tomorrow)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        1
    );
    assert_eq!(drain(core, &mailer, &config()).await?, 1);
    let messages = sink.messages()?;
    assert_eq!(messages.len(), 3);
    assert!(
        messages[2]["body"]
            .as_str()
            .unwrap_or("")
            .contains("Late decision")
    );
    assert!(
        !messages[2]["body"]
            .as_str()
            .unwrap_or("")
            .contains("Gritting")
    );

    // The worker's daily round: once per day per worker, from the digest hour.
    let from_midnight = OutboxConfig {
        digest_hour_utc: 0,
        ..config()
    };
    produce(
        core,
        None,
        &[otto_id],
        NotificationKind::Meeting,
        "Next meeting",
    )
    .await?;
    let emails = count(&app, "SELECT count(*) FROM emails").await?;
    let done = outbox::daily(core, &from_midnight, Some(tomorrow))
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(done, Some(tomorrow));
    assert_eq!(
        count(&app, "SELECT count(*) FROM emails").await?,
        emails,
        "done today"
    );
    app.clock.advance(Duration::days(1));
    let day_after = core.now().date_naive();
    let done = outbox::daily(core, &from_midnight, Some(tomorrow))
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(done, Some(day_after));
    assert_eq!(
        count(&app, "SELECT count(*) FROM emails").await?,
        emails + 1
    );
    second.db.close().await;
    sink.stop().await?;
    intact(&app).await
}

#[tokio::test]
async fn an_unreachable_server_keeps_the_email_waiting_then_it_is_delivered_once() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let core = &app.server.app;
    let scratch = Scratch::new()?;
    // Nothing listens on this port yet.
    let port = free_port()?;
    let down = mailer(port)?;
    let (_, _, otto_id, _) = outside_organisation(&app).await?;
    let otto_id = user_id(&otto_id)?;
    execute_sql(&app.db.url, "UPDATE emails SET status = 'sent'").await?;
    produce(
        core,
        None,
        &[otto_id],
        NotificationKind::Mention,
        "Are you free Tuesday?",
    )
    .await?;

    let report = outbox::run_once(core, &down, &config())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!((report.sent, report.retrying), (0, 1));
    let row = query_strings(
        &app.db.url,
        "SELECT status || ' ' || CAST(attempts AS TEXT) || ' ' || \
         CASE WHEN claimed_until IS NULL THEN 'free' ELSE 'claimed' END || ' ' || \
         CASE WHEN last_error IS NULL THEN 'no-error' ELSE 'error' END FROM emails WHERE status <> 'sent'",
    )
    .await?;
    assert_eq!(row, vec!["waiting 1 free error".to_owned()]);
    // The retry is scheduled a minute on: not due yet, so another round does not touch it.
    let report = outbox::run_once(core, &down, &config())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(report, outbox::RoundReport::default());
    assert_eq!(
        count(
            &app,
            "SELECT max(attempts) FROM emails WHERE status = 'waiting'"
        )
        .await?,
        1
    );

    // The server comes back on that port; a minute later the email goes, once.
    let sink = SmtpSink::start(port, &scratch.file()).await?;
    let up = mailer(sink.port)?;
    app.clock.advance(Duration::seconds(61));
    assert_eq!(drain(core, &up, &config()).await?, 1);
    assert_eq!(drain(core, &up, &config()).await?, 0);
    let messages = sink.messages()?;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["subject"], "[Concord] Are you free Tuesday?");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM emails WHERE status = 'sent' AND attempts = 2"
        )
        .await?,
        1
    );

    // A worker that claimed a row and died: the row is taken again once the lease expires.
    produce(
        core,
        None,
        &[otto_id],
        NotificationKind::Mention,
        "Lease test",
    )
    .await?;
    {
        let mut h = core.db.read().await?;
        let now = core.now();
        let claimed =
            concord_store::notifications::claim_due(&mut h, now, now + Duration::minutes(5), 10)
                .await?;
        assert_eq!(claimed.len(), 1);
    }
    assert_eq!(drain(core, &up, &config()).await?, 0, "still leased");
    app.clock
        .advance(Duration::minutes(5) + Duration::seconds(1));
    assert_eq!(drain(core, &up, &config()).await?, 1, "lease expired");
    assert_eq!(sink.messages()?.len(), 2);

    // A server that stays away: after max_attempts the email is given up, visible to admins.
    sink.stop().await?;
    produce(
        core,
        None,
        &[otto_id],
        NotificationKind::Mention,
        "Never arrives",
    )
    .await?;
    for _ in 0..3 {
        outbox::run_once(core, &down, &config())
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        app.clock.advance(Duration::minutes(61));
    }
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM emails WHERE status = 'failed' AND attempts = 3"
        )
        .await?,
        1
    );
    let admin = app.signed_in("admin@concord.example").await?;
    let (status, page) = admin.page("/admin/outbox").await?;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"outbox-failed\">1<"), "failed count");
    assert!(page.contains("otto@housing.example"));
    let carol = app.signed_in("carol@riverton.example").await?;
    assert_eq!(carol.page("/admin/outbox").await?.0, 404);
    intact(&app).await
}

#[tokio::test]
async fn two_workers_on_two_servers_send_each_email_once() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let core = app.server.app.clone();
    let scratch = Scratch::new()?;
    let sink = SmtpSink::start(0, &scratch.file()).await?;
    let (_, _, otto_id, _) = outside_organisation(&app).await?;
    let otto_id = user_id(&otto_id)?;
    execute_sql(&app.db.url, "UPDATE emails SET status = 'sent'").await?;
    for i in 0..24 {
        produce(
            &core,
            None,
            &[otto_id],
            NotificationKind::Mention,
            &format!("Mention number {i}"),
        )
        .await?;
    }
    let second = App::open(&app.db.url, app.clock.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let small = OutboxConfig {
        batch: 3,
        ..config()
    };
    let (m1, m2) = (mailer(sink.port)?, mailer(sink.port)?);
    let (a, b) = tokio::join!(drain(&core, &m1, &small), drain(&second, &m2, &small));
    let (a, b) = (a?, b?);
    assert_eq!(a + b, 24, "{a} + {b}");
    let messages = sink.messages()?;
    assert_eq!(messages.len(), 24);
    let ids: std::collections::BTreeSet<_> = messages
        .iter()
        .map(|m| m["message_id"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(ids.len(), 24, "each email once");
    assert_eq!(
        count(&app, "SELECT count(*) FROM emails WHERE status = 'sent' AND attempts = 1 AND notification_id IS NOT NULL AND user_id IN (SELECT id FROM users WHERE email = 'otto@housing.example')").await?,
        24
    );
    second.db.close().await;
    sink.stop().await?;
    Ok(())
}

#[tokio::test]
async fn the_inbox_pages_mark_read_and_mark_all_read() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let core = &app.server.app;
    let (_, otto, otto_id, _) = outside_organisation(&app).await?;
    let otto_id = user_id(&otto_id)?;
    for i in 0..30 {
        produce(
            core,
            None,
            &[otto_id],
            NotificationKind::Meeting,
            &format!("Meeting {i:02} scheduled"),
        )
        .await?;
        app.clock.advance(Duration::seconds(1));
    }
    // Newest first, paged.
    let first = otto.get_json("/api/v1/notifications?limit=25").await?;
    assert_eq!(first["items"][0]["title"], "Meeting 29 scheduled");
    assert_eq!(first["items"].as_array().map(Vec::len), Some(25));
    let cursor = first["next_cursor"].as_str().context("cursor")?;
    let rest = otto
        .get_json(&format!("/api/v1/notifications?limit=25&cursor={cursor}"))
        .await?;
    assert_eq!(rest["items"].as_array().map(Vec::len), Some(5));
    assert_eq!(rest["items"][4]["title"], "Meeting 00 scheduled");
    assert!(rest["next_cursor"].is_null());

    let browser = signed_in(&app, "otto@housing.example").await?;
    let (_, page) = browser.page("/notifications").await?;
    assert!(page.contains("30 unread"));
    assert!(page.contains("rel=\"next\""));
    let newest = first["items"][0]["id"].as_str().context("id")?;
    let audit_before = audit_count(&app).await?;
    let response = browser
        .submit(
            "/notifications",
            &format!("/notifications/{newest}/read"),
            &[],
        )
        .await?;
    assert_eq!(response.status(), 303);
    assert_eq!(otto.get_json("/api/v1/notifications").await?["unread"], 29);
    let unread = otto
        .get_json("/api/v1/notifications?unread=true&limit=100")
        .await?;
    assert_eq!(unread["items"].as_array().map(Vec::len), Some(29));
    let response = browser
        .submit("/notifications", "/notifications/read-all", &[])
        .await?;
    assert_eq!(response.status(), 303);
    assert_eq!(otto.get_json("/api/v1/notifications").await?["unread"], 0);
    assert_eq!(
        count(&app, "SELECT count(*) FROM notifications WHERE read_at IS NULL AND user_id IN (SELECT id FROM users WHERE email = 'otto@housing.example')").await?,
        0
    );
    assert_eq!(audit_count(&app).await?, audit_before + 2, "one event each");
    // Nothing left: mark all read records nothing.
    let marked = otto
        .post("/api/v1/notifications/read-all", &json!({}))
        .await?
        .json::<Value>()
        .await?;
    assert_eq!(marked, json!({"marked": 0}));
    assert_eq!(audit_count(&app).await?, audit_before + 2);
    let (_, page) = browser.page("/notifications?unread=1").await?;
    assert!(page.contains("You have no unread notifications."));

    // The header counts at most 100 (every page pays for it); the inbox says the exact number.
    for i in 0..101 {
        produce(
            core,
            None,
            &[otto_id],
            NotificationKind::Decision,
            &format!("Decision {i}"),
        )
        .await?;
    }
    let (_, page) = browser.page("/").await?;
    assert!(page.contains("99+ unread"), "capped in the header");
    let (_, page) = browser.page("/notifications").await?;
    assert!(page.contains("You have 101 unread notifications."));
    intact(&app).await
}
