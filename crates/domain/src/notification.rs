//! Notifications: an entry in a person's in-app inbox (always), and by email either at once, in
//! a daily digest, or not at all, as each person chooses per kind. The producer (a mention, a
//! meeting, an invitation...) decides who may be told; nothing here widens that.
//!
//! Links are site-relative paths only (`/threads/…#m-…`): the inbox redirects to them, so a link
//! that could leave the site would be an open redirect. [`is_site_relative`] is the one rule.

use chrono::{DateTime, Duration, Utc};

use crate::validation::FieldErrors;
use crate::{CollaborationId, NotificationId, UserId};

text_enum!(
    /// What a notification is about.
    NotificationKind {
        Mention => "mention",
        Meeting => "meeting",
        Decision => "decision",
        ActionItemAssigned => "action_item_assigned",
        ActionItemDue => "action_item_due",
        Invitation => "invitation",
    }
);

text_enum!(
    /// How a person wants to hear of one kind of notification by email (the inbox always has it).
    EmailDelivery {
        Immediate => "immediate",
        DailyDigest => "daily_digest",
        Off => "off",
    }
);

text_enum!(
    /// Where an email of the outbox stands.
    EmailStatus {
        Waiting => "waiting",
        Sent => "sent",
        Failed => "failed",
    }
);

impl NotificationKind {
    /// Email delivery for a kind nobody has chosen for: at once for what asks something of the
    /// person (a mention, an assignment, an invitation), a daily digest for the rest.
    pub fn default_delivery(self) -> EmailDelivery {
        match self {
            NotificationKind::Mention
            | NotificationKind::ActionItemAssigned
            | NotificationKind::Invitation => EmailDelivery::Immediate,
            NotificationKind::Meeting
            | NotificationKind::Decision
            | NotificationKind::ActionItemDue => EmailDelivery::DailyDigest,
        }
    }
}

pub const TITLE_MAX: usize = 200;
pub const EXCERPT_MAX: usize = 500;
pub const LINK_MAX: usize = 1000;

/// What the producer says: plain text only (the inbox escapes it, emails are plain text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationContent {
    pub collaboration: Option<CollaborationId>,
    /// Short, plain text.
    pub title: String,
    /// A site-relative path, e.g. `/threads/{id}#m-{id}`.
    pub link: String,
    /// Plain text, cut to [`EXCERPT_MAX`] characters.
    pub excerpt: Option<String>,
}

impl NotificationContent {
    /// Checks and tidies the content: a title, a site-relative link; over-long text is cut (a
    /// producer's long message must not fail the change that notifies about it).
    pub fn normalised(&self) -> Result<NotificationContent, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = cut(self.title.trim(), TITLE_MAX);
        if title.is_empty() {
            errors.add("title", "required");
        }
        let link = self.link.trim().to_owned();
        if !is_site_relative(&link) || link.chars().count() > LINK_MAX {
            errors.add("link", "not_site_relative");
        }
        let excerpt = self
            .excerpt
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| cut(e, EXCERPT_MAX));
        errors.into_result(NotificationContent {
            collaboration: self.collaboration,
            title,
            link,
            excerpt,
        })
    }
}

/// Cuts to at most `max` characters, marking the cut with an ellipsis.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A path on this site: starts with one `/`, not `//` or `/\` (which browsers treat as another
/// host), and holds no control characters or backslashes.
pub fn is_site_relative(link: &str) -> bool {
    let bytes = link.as_bytes();
    bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/') | Some(b'\\'))
        && !link.chars().any(|c| c.is_control() || c == '\\')
}

/// Back-off before attempt `attempts + 1` after `attempts` failures: 1 min, 2, 4… capped at 1 h.
pub fn retry_delay(attempts: i64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 7) - 1).unwrap_or(0);
    Duration::minutes((1i64 << exponent).min(60))
}

/// One entry of a person's inbox.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub collaboration_id: Option<CollaborationId>,
    pub title: String,
    /// A site-relative path.
    pub link: String,
    pub excerpt: Option<String>,
    /// Who caused it, when a person did.
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Absent while unread.
    pub read_at: Option<DateTime<Utc>>,
}

/// A person's email choice for one kind.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Preference {
    pub kind: NotificationKind,
    pub email: EmailDelivery,
}

/// Preferences as submitted: kind → delivery, as strings (checked here, not by serde, so a bad
/// value is a field error and not a rejected body).
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PreferencesInput {
    /// e.g. `{"mention": "immediate", "decision": "off"}`; kinds left out keep their setting.
    #[serde(default)]
    pub email: std::collections::BTreeMap<String, String>,
}

impl PreferencesInput {
    pub fn validate(&self) -> Result<Vec<Preference>, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut out = Vec::new();
        for (kind, email) in &self.email {
            match (
                NotificationKind::parse(kind.trim()),
                EmailDelivery::parse(email.trim()),
            ) {
                (Some(kind), Some(email)) => out.push(Preference { kind, email }),
                (None, _) => errors.add(&format!("email.{kind}"), "invalid_choice"),
                (_, None) => errors.add(&format!("email.{kind}"), "invalid_choice"),
            }
        }
        errors.into_result(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_links() {
        for ok in ["/threads/1#m-2", "/", "/notifications?x=1"] {
            assert!(is_site_relative(ok), "{ok}");
        }
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
            "threads/1",
            "/a\nb",
            "/a\\b",
        ] {
            assert!(!is_site_relative(bad), "{bad:?}");
        }
    }

    #[test]
    fn content_is_tidied_and_checked() {
        let content = NotificationContent {
            collaboration: None,
            title: format!("  {}  ", "t".repeat(TITLE_MAX + 10)),
            link: " /x ".into(),
            excerpt: Some("   ".into()),
        };
        let ok = content.normalised().unwrap();
        assert_eq!(ok.title.chars().count(), TITLE_MAX);
        assert!(ok.title.ends_with('…'));
        assert_eq!(ok.link, "/x");
        assert_eq!(ok.excerpt, None);
        let bad = NotificationContent {
            collaboration: None,
            title: " ".into(),
            link: "https://evil.example".into(),
            excerpt: None,
        }
        .normalised()
        .unwrap_err();
        assert_eq!(bad.for_field("title"), Some("required"));
        assert_eq!(bad.for_field("link"), Some("not_site_relative"));
    }

    #[test]
    fn defaults_follow_the_brief() {
        use EmailDelivery::*;
        use NotificationKind::*;
        let defaults: Vec<_> = NotificationKind::ALL
            .iter()
            .map(|k| (*k, k.default_delivery()))
            .collect();
        assert_eq!(
            defaults,
            vec![
                (Mention, Immediate),
                (Meeting, DailyDigest),
                (Decision, DailyDigest),
                (ActionItemAssigned, Immediate),
                (ActionItemDue, DailyDigest),
                (Invitation, Immediate),
            ]
        );
    }

    #[test]
    fn retries_back_off_exponentially_to_an_hour() {
        let minutes: Vec<i64> = (1..=9).map(|a| retry_delay(a).num_minutes()).collect();
        assert_eq!(minutes, vec![1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(retry_delay(0).num_minutes(), 1);
    }

    #[test]
    fn preferences_are_checked_per_kind() {
        let mut input = PreferencesInput::default();
        input.email.insert("mention".into(), "off".into());
        input.email.insert("decision".into(), "daily_digest".into());
        let ok = input.validate().unwrap();
        assert_eq!(ok.len(), 2);
        input.email.insert("mention".into(), "hourly".into());
        input.email.insert("gossip".into(), "off".into());
        let bad = input.validate().unwrap_err();
        assert_eq!(bad.for_field("email.mention"), Some("invalid_choice"));
        assert_eq!(bad.for_field("email.gossip"), Some("invalid_choice"));
    }
}
