//! The email outbox: daily digests and the background worker that delivers by SMTP.
//!
//! How delivery holds up:
//! - A row is claimed with a lease (`claimed_until`) by one atomic statement that also counts the
//!   attempt; any number of workers (on any number of servers) may run, and a row held by a
//!   worker that died is taken again once its lease has expired.
//! - Sent: `status = sent`. Failed: the error is kept and the row waits for its next attempt
//!   after an exponential back-off (1 min, 2, 4… capped at 1 h); after `max_attempts` it is
//!   `failed`, listed on the admins' outbox page.
//! - Honest limit: SMTP acceptance and marking the row sent cannot be one transaction. A crash
//!   (or a lost connection) after the server accepted the message and before the row was marked
//!   leaves the row to be sent again when the lease expires. Every send of one row carries the
//!   same `Message-ID` (`<email id@host>`), so a mail system or reader can recognise the repeat.
//! - Without an SMTP host configured, nothing is sent: rows stay `waiting`, nothing is lost.
//!
//! Errors: `AppError` from each step; the worker loop logs them and carries on (`anyhow` is for
//! the CLI; a background task has nobody to return to).

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use concord_domain::EmailId;
use concord_domain::notification::retry_delay;
use concord_store::notifications::{self as store, OutboxEmail};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::json;
use tokio::sync::watch;

use crate::texts;
use crate::{App, AppError, event};

/// How the connection to the SMTP server is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same host or network, or tests).
    None,
    /// Plain connection upgraded with STARTTLS (usually port 587); refused if the server can't.
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl SmtpTls {
    pub fn parse(text: &str) -> Option<SmtpTls> {
        match text {
            "none" => Some(SmtpTls::None),
            "starttls" => Some(SmtpTls::Starttls),
            "tls" => Some(SmtpTls::Tls),
            _ => None,
        }
    }
}

/// A secret whose `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where and how to send.
#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The From address, e.g. `Concord <concord@example.org>`.
    pub from: String,
}

/// How the worker paces itself. Tests shorten everything and call [`run_once`] directly.
#[derive(Clone, Debug)]
pub struct OutboxConfig {
    /// The site's address as readers reach it; links in emails start with it.
    pub public_url: String,
    /// Pause between rounds when there was nothing to do.
    pub poll_interval: StdDuration,
    /// How long a claimed row is this worker's before others may take it.
    pub lease: Duration,
    /// Rows claimed per round.
    pub batch: i64,
    /// Attempts before a row is given up as `failed`.
    pub max_attempts: i64,
    /// Digests are queued from this hour (UTC) each day.
    pub digest_hour_utc: u32,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            public_url: "http://127.0.0.1:8080".to_owned(),
            poll_interval: StdDuration::from_secs(10),
            lease: Duration::minutes(5),
            batch: 20,
            max_attempts: 10,
            digest_hour_utc: 7,
        }
    }
}

/// An SMTP client ready to send.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// Builds the client; fails on a From address or TLS host name that cannot work.
    pub fn new(settings: &SmtpSettings) -> Result<Mailer, AppError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| AppError::Internal(format!("--smtp-from {:?}: {e}", settings.from)))?;
        let builder = match settings.tls {
            SmtpTls::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(
                &settings.host,
            )
            .map_err(|e| AppError::Internal(format!("SMTP TLS for {}: {e}", settings.host)))?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)
                .map_err(|e| AppError::Internal(format!("SMTP TLS for {}: {e}", settings.host)))?,
        };
        let mut builder = builder
            .port(settings.port)
            .timeout(Some(StdDuration::from_secs(30)));
        if let Some(username) = &settings.username {
            let password = settings
                .password
                .as_ref()
                .map(|p| p.0.clone())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(username.clone(), password));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    async fn send(&self, message: Message) -> Result<(), String> {
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub sent: usize,
    /// Failed and scheduled for another attempt.
    pub retrying: usize,
    /// Failed for the last time.
    pub failed: usize,
}

/// One round: claims the due rows and sends each. Safe to run from many workers at once.
pub async fn run_once(
    app: &App,
    mailer: &Mailer,
    config: &OutboxConfig,
) -> Result<RoundReport, AppError> {
    let now = app.now();
    let claimed = {
        let mut h = app.db.read().await?;
        store::claim_due(&mut h, now, now + config.lease, config.batch).await?
    };
    let mut report = RoundReport::default();
    for id in claimed {
        let email = {
            let mut h = app.db.read().await?;
            store::outbox_email(&mut h, id).await?
        };
        let Some(email) = email else { continue };
        let result = match compose(&email, &mailer.from, config) {
            Ok(message) => mailer.send(message).await,
            Err(error) => Err(error),
        };
        let mut h = app.db.read().await?;
        match result {
            Ok(()) => {
                store::mark_sent(&mut h, id, app.now()).await?;
                report.sent += 1;
            }
            Err(error) => {
                let retry_at = (email.attempts < config.max_attempts)
                    .then(|| app.now() + retry_delay(email.attempts));
                tracing::warn!(email = %id, attempts = email.attempts, %error, "email not delivered");
                store::mark_failed(&mut h, id, &cut(&error, 500), retry_at).await?;
                if retry_at.is_some() {
                    report.retrying += 1;
                } else {
                    report.failed += 1;
                }
            }
        }
    }
    Ok(report)
}

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// The host part of the public URL, for Message-IDs.
fn message_id_host(public_url: &str) -> &str {
    let rest = public_url.split_once("://").map_or(public_url, |(_, r)| r);
    let host = rest.split(['/', ':', '?', '#']).next().unwrap_or("");
    if host.is_empty() {
        "concord.invalid"
    } else {
        host
    }
}

/// The stable Message-ID of an outbox row: the same on every attempt.
pub fn message_id(id: EmailId, public_url: &str) -> String {
    format!("<{id}@{}>", message_id_host(public_url))
}

/// Subject and plain-text body of an outbox row, in the recipient's language.
pub fn render(email: &OutboxEmail, public_url: &str) -> Result<(String, String), String> {
    let base = public_url.trim_end_matches('/');
    let locale = email.locale.as_deref();
    let entry = |n: &concord_domain::notification::Notification| {
        let mut text = format!("{}\n", n.title);
        if let Some(excerpt) = &n.excerpt {
            text.push_str(&format!("{excerpt}\n"));
        }
        text.push_str(&format!("{base}{}\n", n.link));
        text
    };
    let greeting = texts::text(
        locale,
        "email-greeting",
        &[("name", email.to_name.clone().into())],
    );
    let footer = texts::text(
        locale,
        "email-footer",
        &[("link", format!("{base}/account/notifications").into())],
    );
    let footer = format!("\n--\n{footer}\n");
    match (email.digest_date, email.notifications.as_slice()) {
        (_, []) => Err("nothing left to send (the notifications were removed)".to_owned()),
        (None, [n, ..]) => Ok((
            texts::text(
                locale,
                "email-subject",
                &[("title", n.title.clone().into())],
            ),
            format!("{greeting}\n\n{}{footer}", entry(n)),
        )),
        (Some(day), all) => {
            let date = day.to_string();
            let intro = texts::text(
                locale,
                "email-digest-intro",
                &[("date", date.clone().into()), ("count", all.len().into())],
            );
            let mut body = format!("{greeting}\n\n{intro}\n");
            for n in all {
                body.push('\n');
                body.push_str(&entry(n));
            }
            body.push_str(&footer);
            Ok((
                texts::text(locale, "email-digest-subject", &[("date", date.into())]),
                body,
            ))
        }
    }
}

fn compose(email: &OutboxEmail, from: &Mailbox, config: &OutboxConfig) -> Result<Message, String> {
    let (subject, body) = render(email, &config.public_url)?;
    let to = Mailbox::new(
        Some(email.to_name.clone()),
        email
            .to_address
            .parse()
            .map_err(|e| format!("recipient address: {e}"))?,
    );
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(message_id(email.id, &config.public_url)))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| e.to_string())
}

/// Queues each person's digest of `day`: one email carrying every notification waiting for a
/// digest. Idempotent: a second run the same day (here or on another server) queues nothing,
/// because each (person, day) has at most one digest row. Returns the digests queued.
pub async fn queue_digests(app: &App, day: NaiveDate) -> Result<u64, AppError> {
    let recipients = {
        let mut h = app.db.read().await?;
        store::digest_recipients(&mut h).await?
    };
    if recipients.is_empty() {
        return Ok(0);
    }
    let now = app.now();
    let mut tx = app.db.write().await?;
    let mut queued = 0u64;
    let mut carried = 0u64;
    for user in recipients {
        let n = store::queue_digest(tx.handle(), EmailId::new(), user, day, now).await?;
        if n > 0 {
            queued += 1;
            carried += n;
        }
    }
    if queued == 0 {
        return Ok(0);
    }
    tx.record(event(
        None,
        "notification.digests_queued",
        "outbox",
        day,
        None,
        &["status"],
        json!({ "digests": queued, "notifications": carried }),
    ));
    app.commit(tx).await?;
    Ok(queued)
}

/// Once-a-day work, run by each worker once a day from `digest_hour_utc` (`done_for` is the day
/// this worker last finished it; returns the day it is now done for). Jobs that produce
/// notifications for the day (e.g. `action_item_due`) go first, so today's digest carries them.
/// Several servers may each run it: the digest's unique (person, day) key keeps it to one email.
pub async fn daily(
    app: &App,
    config: &OutboxConfig,
    done_for: Option<NaiveDate>,
) -> Result<Option<NaiveDate>, AppError> {
    let now = app.now();
    let day = now.date_naive();
    if now.hour() < config.digest_hour_utc || done_for == Some(day) {
        return Ok(done_for);
    }
    crate::action_items::notify_due(app, day).await?;
    queue_digests(app, day).await?;
    Ok(Some(day))
}

/// Counts by status and the latest failures, for the admins' outbox page.
#[derive(Clone, Debug, Default)]
pub struct OutboxStatus {
    pub waiting: i64,
    pub sent: i64,
    pub failed: i64,
    pub failures: Vec<Failure>,
}

#[derive(Clone, Debug)]
pub struct Failure {
    pub id: EmailId,
    pub to_address: String,
    /// `waiting` (will retry) or `failed` (given up).
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: String,
}

/// Platform admins only; everyone else gets `NotFound` (the page does not exist for them).
pub async fn status(
    app: &App,
    actor: &concord_domain::policy::Actor,
) -> Result<OutboxStatus, AppError> {
    if !actor.is_platform_admin() {
        return Err(if actor.user().is_some() {
            AppError::NotFound
        } else {
            AppError::Unauthenticated
        });
    }
    let mut h = app.db.read().await?;
    let mut out = OutboxStatus::default();
    for (status, n) in store::outbox_counts(&mut h).await? {
        match status {
            concord_domain::notification::EmailStatus::Waiting => out.waiting = n,
            concord_domain::notification::EmailStatus::Sent => out.sent = n,
            concord_domain::notification::EmailStatus::Failed => out.failed = n,
        }
    }
    out.failures = store::recent_failures(&mut h, 20)
        .await?
        .into_iter()
        .map(|r| Failure {
            id: r.id.into(),
            to_address: r.to_address,
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_error: r.last_error,
        })
        .collect();
    Ok(out)
}

async fn round(
    app: &App,
    mailer: Option<&Mailer>,
    config: &OutboxConfig,
    done_for: &mut Option<NaiveDate>,
) -> bool {
    match daily(app, config, *done_for).await {
        Ok(day) => *done_for = day,
        // Tried again next round.
        Err(error) => tracing::error!(%error, "daily notification jobs failed"),
    }
    let Some(mailer) = mailer else { return false };
    match run_once(app, mailer, config).await {
        // A full batch: more may be due, go again without waiting.
        Ok(report) => {
            usize::try_from(config.batch).unwrap_or(0)
                <= report.sent + report.retrying + report.failed
        }
        Err(error) => {
            tracing::error!(%error, "outbox round failed");
            false
        }
    }
}

/// Starts the worker: rounds every `poll_interval` until `shutdown` turns true. Without a
/// mailer it still queues digests, and emails wait in the outbox.
pub fn spawn(
    app: App,
    mailer: Option<Mailer>,
    config: OutboxConfig,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if mailer.is_none() {
            tracing::info!("no SMTP host set: emails wait in the outbox");
        }
        let mut done_for = None;
        loop {
            if *shutdown.borrow() {
                break;
            }
            let busy = round(&app, mailer.as_ref(), &config, &mut done_for).await;
            if busy {
                continue;
            }
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = tokio::time::sleep(config.poll_interval) => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_domain::notification::{Notification, NotificationKind};
    use concord_domain::{NotificationId, UserId};

    fn notification(title: &str, link: &str) -> Notification {
        Notification {
            id: NotificationId::new(),
            kind: NotificationKind::Invitation,
            collaboration_id: None,
            title: title.into(),
            link: link.into(),
            excerpt: Some("An excerpt".into()),
            actor_id: Some(UserId::new()),
            actor_name: None,
            created_at: DateTime::UNIX_EPOCH,
            read_at: None,
        }
    }

    fn email(digest: Option<NaiveDate>, notifications: Vec<Notification>) -> OutboxEmail {
        OutboxEmail {
            id: EmailId::new(),
            to_address: "ana@example.org".into(),
            to_name: "Ana".into(),
            locale: None,
            attempts: 1,
            digest_date: digest,
            notifications,
        }
    }

    #[test]
    fn an_immediate_email_names_its_title_and_absolute_link() {
        let e = email(
            None,
            vec![notification("You are invited", "/collaborations/1")],
        );
        let (subject, body) = render(&e, "https://concord.example.org/").unwrap();
        assert_eq!(subject, "[Concord] You are invited");
        assert!(body.contains("https://concord.example.org/collaborations/1\n"));
        assert!(body.contains("An excerpt"));
    }

    #[test]
    fn a_digest_lists_every_notification() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let e = email(
            Some(day),
            vec![notification("One", "/a"), notification("Two", "/b")],
        );
        let (subject, body) = render(&e, "http://h:8080").unwrap();
        assert_eq!(subject, "[Concord] Your daily digest for 2026-12-01");
        assert!(body.contains("2 notifications"));
        assert!(body.contains("http://h:8080/a") && body.contains("http://h:8080/b"));
        assert!(render(&email(Some(day), vec![]), "http://h").is_err());
    }

    #[test]
    fn an_email_is_written_in_the_recipients_language() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let mut e = email(Some(day), vec![notification("Une", "/a")]);
        e.locale = Some("fr".into());
        let (subject, body) = render(&e, "http://h").unwrap();
        assert_eq!(
            subject,
            "[Concord] Votre récapitulatif quotidien du 2026-12-01"
        );
        assert!(body.starts_with("Bonjour Ana,\n\n"), "{body}");
        assert!(body.contains("du 2026-12-01 : une notification."), "{body}");
        assert!(body.contains("réglages de notification : http://h/account/notifications"));
        let (_, english) =
            render(&email(None, vec![notification("One", "/a")]), "http://h").unwrap();
        assert!(english.starts_with("Hello Ana,\n\n"), "{english}");
    }

    #[test]
    fn message_ids_are_stable_per_row() {
        let id = EmailId::new();
        assert_eq!(
            message_id(id, "https://concord.example.org:8443/x"),
            format!("<{id}@concord.example.org>")
        );
        assert_eq!(message_id(id, ""), format!("<{id}@concord.invalid>"));
        assert_eq!(message_id(id, "http://a"), message_id(id, "http://a"));
    }

    #[test]
    fn tls_modes_parse() {
        assert_eq!(SmtpTls::parse("starttls"), Some(SmtpTls::Starttls));
        assert_eq!(SmtpTls::parse("ssl"), None);
        assert_eq!(format!("{:?}", Secret("hunter2".into())), "Secret(***)");
    }
}
