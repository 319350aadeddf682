//! Discussion threads: a title, an optional narrower audience (only the people of some member
//! organisations), and messages in Markdown whose edits are kept as numbered versions.
//!
//! Messages are stored as the author wrote them; the web layer renders them to sanitised HTML
//! (pulldown-cmark + ammonia) on the way out, so a rendering fix applies to every old message.

use chrono::{DateTime, Utc};

use crate::validation::{self, FieldErrors};
use crate::{CollaborationId, MessageId, OrganisationId, ThreadId, UserId};

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 20_000;
/// Organisations a narrower audience may name.
pub const AUDIENCE_MAX: usize = 50;

/// A thread as submitted, before validation.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ThreadInput {
    #[serde(default)]
    pub title: String,
    /// Ids of active member organisations whose people alone may read the thread. Empty: everyone
    /// who may read the collaboration.
    #[serde(default)]
    pub audience: Vec<String>,
    /// The first message (Markdown).
    #[serde(default)]
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadFields {
    pub title: String,
    pub audience: Vec<OrganisationId>,
    pub body: String,
}

impl ThreadInput {
    pub fn validate(&self) -> Result<ThreadFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = validation::required_text(&mut errors, "title", &self.title, TITLE_MAX);
        let body = validate_body(&mut errors, &self.body);
        let mut audience = Vec::new();
        for raw in self
            .audience
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            match raw.parse::<OrganisationId>() {
                Ok(id) if !audience.contains(&id) => audience.push(id),
                Ok(_) => {}
                Err(_) => errors.add("audience", "invalid_choice"),
            }
        }
        if audience.len() > AUDIENCE_MAX {
            errors.add("audience", "too_many");
        }
        errors.into_result(ThreadFields {
            title,
            audience,
            body,
        })
    }
}

/// A message as submitted (a new one, or a new version of one).
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct MessageInput {
    /// Markdown.
    #[serde(default)]
    pub body: String,
}

impl MessageInput {
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::new();
        let body = validate_body(&mut errors, &self.body);
        errors.into_result(body)
    }
}

/// A message body: required, at most [`BODY_MAX`] characters. Trailing whitespace is trimmed,
/// leading whitespace kept (it is meaningful in Markdown).
fn validate_body(errors: &mut FieldErrors, raw: &str) -> String {
    let body = raw.trim_end();
    if body.trim().is_empty() {
        errors.add("body", "required");
    } else if body.chars().count() > BODY_MAX {
        errors.add("body", "too_long");
    }
    body.to_owned()
}

/// May someone of organisation `org` (none for anonymous) read a thread with this audience?
/// An empty audience is the whole collaboration; the collaboration's own rule is checked first.
pub fn audience_allows(audience: &[OrganisationId], org: Option<OrganisationId>) -> bool {
    audience.is_empty() || org.is_some_and(|o| audience.contains(&o))
}

/// An organisation of a narrower audience, with its name.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AudienceOrganisation {
    pub id: OrganisationId,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Thread {
    pub id: ThreadId,
    pub collaboration_id: CollaborationId,
    pub title: String,
    /// Empty: everyone who may read the collaboration.
    pub audience: Vec<AudienceOrganisation>,
    pub created_by: Option<UserId>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
    pub message_count: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: MessageId,
    pub thread_id: ThreadId,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    /// Markdown as written (the latest version).
    pub body: String,
    /// 1 for an unedited message; each edit adds one.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An earlier (or the current) text of a message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MessageVersion {
    pub version: i64,
    pub body: String,
    pub written_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_needs_a_title_and_a_first_message() {
        let errors = ThreadInput::default().validate().unwrap_err();
        assert_eq!(errors.for_field("title"), Some("required"));
        assert_eq!(errors.for_field("body"), Some("required"));
        let ok = ThreadInput {
            title: " Winter gritting ".into(),
            body: "    indented code\n\n".into(),
            audience: vec![],
        }
        .validate()
        .unwrap();
        assert_eq!(ok.title, "Winter gritting");
        assert_eq!(
            ok.body, "    indented code",
            "leading space is Markdown; trailing goes"
        );
    }

    #[test]
    fn audiences_are_organisation_ids_without_repeats() {
        let org = OrganisationId::new();
        let ok = ThreadInput {
            title: "T".into(),
            body: "B".into(),
            audience: vec![org.to_string(), org.to_string(), " ".into()],
        }
        .validate()
        .unwrap();
        assert_eq!(ok.audience, vec![org]);
        let bad = ThreadInput {
            title: "T".into(),
            body: "B".into(),
            audience: vec!["not-an-id".into()],
        }
        .validate()
        .unwrap_err();
        assert_eq!(bad.for_field("audience"), Some("invalid_choice"));
    }

    #[test]
    fn bodies_are_bounded() {
        let long = "x".repeat(BODY_MAX + 1);
        assert_eq!(
            MessageInput { body: long }
                .validate()
                .unwrap_err()
                .for_field("body"),
            Some("too_long")
        );
        assert_eq!(
            MessageInput {
                body: " \n ".into()
            }
            .validate()
            .unwrap_err()
            .for_field("body"),
            Some("required")
        );
    }

    #[test]
    fn a_narrower_audience_admits_only_its_organisations() {
        let (a, b) = (OrganisationId::new(), OrganisationId::new());
        assert!(audience_allows(&[], None));
        assert!(audience_allows(&[], Some(a)));
        assert!(audience_allows(&[a], Some(a)));
        assert!(!audience_allows(&[a], Some(b)));
        assert!(!audience_allows(&[a], None));
    }
}
