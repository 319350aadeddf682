//! A collaboration's charter: purpose, scope, roles, decision making and data-sharing terms in
//! Markdown, kept as numbered versions. Each active member organisation's admin signs off a version;
//! a new version starts with no sign-offs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::collaboration::MembershipStatus;
use crate::policy::{Actor, CollaborationFacts};
use crate::user::OrgRole;
use crate::validation::FieldErrors;
use crate::{CollaborationId, OrganisationId};

/// The longest charter body, in characters.
pub const BODY_MAX: usize = 50_000;

/// A new version of the charter.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CharterInput {
    /// Markdown; required, at most 50,000 characters.
    #[serde(default)]
    pub body: String,
}

impl CharterInput {
    /// The body to store: line endings normalised, trailing blank space removed.
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::new();
        let body = self.body.replace("\r\n", "\n").trim_end().to_owned();
        if body.trim().is_empty() {
            errors.add("body", "required");
        } else if body.chars().count() > BODY_MAX {
            errors.add("body", "too_long");
        }
        errors.into_result(body)
    }
}

/// One version of a charter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CharterVersion {
    pub collaboration_id: CollaborationId,
    pub version: i64,
    /// Markdown.
    pub body: String,
    /// Shown to signed-in readers only.
    pub edited_by_name: Option<String>,
    pub edited_at: DateTime<Utc>,
}

/// A version in the list of versions (without its body).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CharterVersionSummary {
    pub version: i64,
    pub edited_by_name: Option<String>,
    pub edited_at: DateTime<Utc>,
}

/// Whether an active member organisation has signed off the current version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SignOff {
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub signed: bool,
    /// Shown to signed-in readers only.
    pub signed_by_name: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
}

/// May `actor` sign off the charter for their organisation? Its admin, when the organisation is an
/// active member and the actor can read the collaboration.
pub fn may_sign_off(actor: &Actor, facts: &CollaborationFacts, can_read: bool) -> bool {
    actor.user().is_some_and(|u| {
        can_read
            && u.org_role == OrgRole::OrgAdmin
            && matches!(facts.organisation, Some((_, MembershipStatus::Active)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_required_and_bounded() {
        let check = |body: &str| CharterInput { body: body.into() }.validate();
        assert_eq!(
            check("  \n ").unwrap_err().for_field("body"),
            Some("required")
        );
        assert_eq!(
            check(&"x".repeat(BODY_MAX + 1))
                .unwrap_err()
                .for_field("body"),
            Some("too_long")
        );
        assert!(check(&"é".repeat(BODY_MAX)).is_ok());
        assert_eq!(check("# A\r\nb\n\n").unwrap(), "# A\nb");
    }
}
