//! `concord`: the one binary. Serves the web application and API, migrates the database, loads
//! demo data, manages accounts and tokens, and verifies the audit chain.
//!
//! Errors: `anyhow` here only (the CLI is the edge); each command exits non-zero with a message.

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use concord_app::audit::Verification;
use concord_app::{App, AppError, SystemClock, accounts, auth, demo, outbox, webhooks};
use concord_web::{AppState, WebConfig};

#[derive(Parser)]
#[command(
    name = "concord",
    version,
    about = "Concord: where public bodies collaborate"
)]
struct Cli {
    /// Database: sqlite://PATH (the default, a single file) or postgres://USER@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "CONCORD_DATABASE_URL",
        default_value = "sqlite://concord-data/concord.db"
    )]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and the API.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo organisations, accounts and collaborations into an empty database.
    Demo,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CONCORD_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Load the demo data first when the database is empty, and print the demo accounts.
    #[arg(long, env = "CONCORD_DEMO")]
    demo: bool,
    /// Mark cookies Secure: set this when Concord is reached over https.
    #[arg(long, env = "CONCORD_SECURE_COOKIES")]
    secure_cookies: bool,
    /// The address readers reach Concord at; links in emails start with it.
    #[arg(
        long,
        env = "CONCORD_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    public_url: String,
    #[command(flatten)]
    smtp: SmtpArgs,
    /// Networks webhooks MAY reach although they are loopback, private or otherwise reserved,
    /// as comma-separated CIDRs (e.g. 127.0.0.1/32,10.1.0.0/16): for tests and on-premise
    /// receivers. Plain http:// endpoints are accepted only for hosts inside these networks.
    #[arg(long, env = "CONCORD_WEBHOOK_ALLOW", default_value = "")]
    webhook_allow: String,
    /// A PEM file of extra root certificates webhook receivers' certificates may chain to (a
    /// private CA), trusted in addition to the system's.
    #[arg(long, env = "CONCORD_WEBHOOK_CA_FILE")]
    webhook_ca_file: Option<std::path::PathBuf>,
    /// Do not run the webhook delivery worker in this process.
    #[arg(long, env = "CONCORD_NO_WEBHOOK_WORKER")]
    no_webhook_worker: bool,
}

/// Email delivery. Without --smtp-host nothing is sent: emails wait in the outbox.
#[derive(Args)]
struct SmtpArgs {
    /// SMTP server to send notification emails through.
    #[arg(long, env = "CONCORD_SMTP_HOST")]
    smtp_host: Option<String>,
    /// SMTP port (25, 587 for STARTTLS, 465 for TLS...).
    #[arg(long, env = "CONCORD_SMTP_PORT", default_value_t = 587)]
    smtp_port: u16,
    /// How the SMTP connection is secured: none, starttls or tls.
    #[arg(long, env = "CONCORD_SMTP_TLS", default_value = "starttls", value_parser = ["none", "starttls", "tls"])]
    smtp_tls: String,
    /// SMTP user name, when the server wants one.
    #[arg(long, env = "CONCORD_SMTP_USERNAME")]
    smtp_username: Option<String>,
    /// SMTP password: prefer the CONCORD_SMTP_PASSWORD environment variable (command lines are
    /// visible to other users of the machine).
    #[arg(long, env = "CONCORD_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// The From address of notification emails.
    #[arg(
        long,
        env = "CONCORD_SMTP_FROM",
        default_value = "Concord <concord@localhost>"
    )]
    smtp_from: String,
}

impl SmtpArgs {
    fn mailer(&self) -> Result<Option<outbox::Mailer>> {
        let Some(host) = self.smtp_host.clone().filter(|h| !h.trim().is_empty()) else {
            return Ok(None);
        };
        let tls = outbox::SmtpTls::parse(&self.smtp_tls).with_context(|| {
            format!("--smtp-tls {:?}: use none, starttls or tls", self.smtp_tls)
        })?;
        let settings = outbox::SmtpSettings {
            host,
            port: self.smtp_port,
            tls,
            username: self.smtp_username.clone(),
            password: self.smtp_password.clone().map(outbox::Secret),
            from: self.smtp_from.clone(),
        };
        Ok(Some(outbox::Mailer::new(&settings).map_err(describe)?))
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account (and its organisation, if it does not exist yet). The password is read
    /// from CONCORD_PASSWORD or, failing that, from the first line of standard input.
    Create(UserCreateArgs),
}

#[derive(Args)]
struct UserCreateArgs {
    #[arg(long)]
    email: String,
    /// The person's name as others will see it.
    #[arg(long)]
    name: String,
    /// Home organisation's name.
    #[arg(long)]
    organisation: String,
    /// The organisation's kind, when it has to be created (ministry, agency, department,
    /// municipality, region, ngo, academic, company, citizen_group).
    #[arg(long)]
    kind: Option<String>,
    /// Make the person an admin of their organisation.
    #[arg(long)]
    org_admin: bool,
    /// Make the person a platform admin.
    #[arg(long)]
    platform_admin: bool,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a personal API token for an account; prints only the token.
    Create {
        #[arg(long)]
        email: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the whole hash chain: exit 0 and print the head hash when intact; exit 1 naming
    /// the first broken sequence number otherwise.
    Verify,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CONCORD_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn open(url: &str) -> Result<App> {
    App::open(url, Arc::new(SystemClock))
        .await
        .map_err(describe)
        .with_context(|| format!("opening {}", redact(url)))
}

/// Hides a password in a database URL before printing it.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn describe(error: AppError) -> anyhow::Error {
    match error {
        AppError::Invalid(fields) => {
            let list: Vec<String> = fields
                .0
                .iter()
                .map(|f| format!("{}: {}", f.field, f.code))
                .collect();
            anyhow::anyhow!("invalid input: {}", list.join(", "))
        }
        other => anyhow::anyhow!(other),
    }
}

async fn run(cli: Cli) -> Result<std::process::ExitCode> {
    match cli.command {
        Command::Migrate => {
            open(&cli.database_url).await?;
            eprintln!("database is up to date");
        }
        Command::Demo => {
            let app = open(&cli.database_url).await?;
            load_demo(&app).await?;
        }
        Command::Serve(args) => {
            let app = open(&cli.database_url).await?;
            let allow = concord_domain::webhook::parse_allow_list(&args.webhook_allow)
                .map_err(|e| anyhow::anyhow!("--webhook-allow: {e}"))?;
            let extra_roots_pem = match &args.webhook_ca_file {
                Some(path) => Some(
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
                ),
                None => None,
            };
            app.webhooks.set(webhooks::WebhookSettings {
                allow,
                extra_roots_pem,
            });
            // Fail at start-up, not at the first delivery, on an unusable CA file.
            webhooks::Senders::new(&app.webhooks.get()).map_err(describe)?;
            if !args.no_webhook_worker {
                tokio::spawn(webhooks::worker(app.clone()));
            }
            if args.demo {
                load_demo(&app).await?;
            }
            let listener = tokio::net::TcpListener::bind(args.bind)
                .await
                .with_context(|| format!("binding {}", args.bind))?;
            let address = listener.local_addr()?;
            eprintln!("Concord is listening on http://{address}/");
            let mailer = args.smtp.mailer()?;
            let (stop, stopped) = tokio::sync::watch::channel(false);
            // The outbox worker: delivers notification emails and queues the daily digests.
            let worker = outbox::spawn(
                app.clone(),
                mailer,
                outbox::OutboxConfig {
                    public_url: args.public_url.clone(),
                    ..outbox::OutboxConfig::default()
                },
                stopped.clone(),
            );
            let state = AppState {
                app,
                config: Arc::new(WebConfig {
                    secure_cookies: args.secure_cookies,
                }),
            };
            let mut server_stopped = stopped;
            tokio::spawn(async move {
                shutdown_signal().await;
                let _ = stop.send(true);
            });
            concord_web::serve(listener, state, async move {
                let _ = server_stopped.wait_for(|stop| *stop).await;
            })
            .await?;
            // Let a send in progress finish (its row is leased; if cut short, it is retried).
            let _ = tokio::time::timeout(std::time::Duration::from_secs(30), worker).await;
        }
        Command::User(UserCommand::Create(args)) => {
            let password = read_password()?;
            let app = open(&cli.database_url).await?;
            let user = accounts::operator_create(
                &app,
                &accounts::OperatorAccount {
                    email: args.email,
                    display_name: args.name,
                    password,
                    organisation_name: args.organisation,
                    organisation_kind: args.kind,
                    org_admin: args.org_admin,
                    platform_admin: args.platform_admin,
                },
            )
            .await
            .map_err(describe)?;
            println!("{}", user.id);
            eprintln!("created {} in {}", user.email, user.organisation_name);
        }
        Command::Token(TokenCommand::Create { email, name }) => {
            let app = open(&cli.database_url).await?;
            let created = auth::operator_create_token(&app, &email, &name)
                .await
                .map_err(|e| match e {
                    AppError::NotFound => anyhow::anyhow!("no active account with email {email}"),
                    other => describe(other),
                })?;
            println!("{}", created.secret);
        }
        Command::Audit(AuditCommand::Verify) => {
            let app = open(&cli.database_url).await?;
            match concord_app::audit::verify(&app).await.map_err(describe)? {
                Verification::Intact { events, head_hash } => {
                    println!("{head_hash}");
                    eprintln!("audit chain intact: {events} events");
                }
                Verification::Broken(error) => {
                    println!("broken at sequence number {}", error.seq());
                    eprintln!("audit chain BROKEN: {error}");
                    return Ok(std::process::ExitCode::from(1));
                }
            }
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

fn read_password() -> Result<String> {
    if let Ok(password) = std::env::var("CONCORD_PASSWORD") {
        return Ok(password);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password: ");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        bail!("no password given: set CONCORD_PASSWORD or pass it on standard input");
    }
    Ok(password)
}

async fn load_demo(app: &App) -> Result<()> {
    match demo::load(app).await.map_err(describe)? {
        demo::DemoOutcome::Loaded => {
            eprintln!(
                "demo data loaded. Accounts (password \"{}\"):",
                demo::DEMO_PASSWORD
            );
            for (email, name, _, org_admin, platform_admin) in demo::DEMO_ACCOUNTS {
                let role = if *platform_admin {
                    "platform admin"
                } else if *org_admin {
                    "organisation admin"
                } else {
                    "member"
                };
                eprintln!("  {email:<26} {name} ({role})");
            }
        }
        demo::DemoOutcome::SkippedNotEmpty => {
            eprintln!("the database already has data; demo not loaded")
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
