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

/// Someone who may be mentioned in a thread: a person named on the collaboration who may read it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Mentionable {
    pub user_id: UserId,
    pub display_name: String,
}

/// The people a message mentions, in the order first mentioned: `@` followed by a person's
/// display name (case-insensitive), at the start of the text or after a character that cannot be
/// part of a word or an email address, and not followed by a letter or digit. Where names overlap
/// ("@Ann" and "@Ann Lee") the longest wins. Text that names nobody stays plain text.
pub fn find_mentions(body: &str, people: &[Mentionable]) -> Vec<UserId> {
    let mut found = Vec::new();
    for (_, _, id) in mention_spans(body, people) {
        if !found.contains(&id) {
            found.push(id);
        }
    }
    found
}

/// Where `text` mentions one of `people`: (start of the `@`, end of the name, who), in byte
/// offsets, following the rules of [`find_mentions`]. The web layer uses it to highlight mentions.
pub fn mention_spans(text: &str, people: &[Mentionable]) -> Vec<(usize, usize, UserId)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find('@') {
        let at = from + found;
        from = at + 1;
        let preceded_by_word = text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '_' || c == '-');
        if preceded_by_word {
            continue;
        }
        let rest = &text[at + 1..];
        let best = people
            .iter()
            .filter_map(|p| name_length(rest, p.display_name.trim()).map(|len| (len, p.user_id)))
            .max_by_key(|(len, _)| *len);
        if let Some((len, id)) = best {
            spans.push((at, at + 1 + len, id));
            from = at + 1 + len;
        }
    }
    spans
}

/// The byte length of `name` at the start of `text`, compared case-insensitively, when it is
/// followed by something other than a letter or digit.
fn name_length(text: &str, name: &str) -> Option<usize> {
    if name.is_empty() {
        return None;
    }
    let mut consumed = 0;
    let mut chars = text.chars();
    for wanted in name.chars() {
        let got = chars.next()?;
        if !got.to_lowercase().eq(wanted.to_lowercase()) {
            return None;
        }
        consumed += got.len_utf8();
    }
    if text[consumed..]
        .chars()
        .next()
        .is_some_and(char::is_alphanumeric)
    {
        return None;
    }
    Some(consumed)
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
    /// Its place in the thread: 1, 2, 3… in commit order.
    pub seq: i64,
    /// The people it mentions (as of its latest version).
    pub mentions: Vec<Mentionable>,
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

    fn person(name: &str) -> Mentionable {
        Mentionable {
            user_id: UserId::new(),
            display_name: name.into(),
        }
    }

    #[test]
    fn mentions_name_people_by_their_display_name() {
        let ann = person("Ann");
        let ann_lee = person("Ann Lee");
        let bob = person("Bob Martin");
        let people = [ann.clone(), ann_lee.clone(), bob.clone()];
        assert_eq!(
            find_mentions("@ann lee and @BOB MARTIN, then @Ann again", &people),
            vec![ann_lee.user_id, bob.user_id, ann.user_id],
            "longest name wins, case-insensitive, first-mention order"
        );
        assert_eq!(
            find_mentions("@Bob Martin @Bob Martin", &people),
            vec![bob.user_id],
            "each person once"
        );
        assert!(find_mentions("mail ann@Ann.example or @Annabel", &people).is_empty());
        assert!(find_mentions("@Nobody here", &people).is_empty());
        assert_eq!(
            find_mentions("(@Ann)", &people),
            vec![ann.user_id],
            "punctuation around a mention"
        );
        assert_eq!(
            find_mentions("héllo @Ann Lee", &people),
            vec![ann_lee.user_id]
        );
        let text = "Hi @ann lee!";
        assert_eq!(
            mention_spans(text, &people),
            vec![(3, 11, ann_lee.user_id)],
            "spans cover the @ and the name as typed"
        );
        assert_eq!(&text[3..11], "@ann lee");
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
