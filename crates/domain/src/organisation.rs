//! Organisations: public bodies and their partners.

use crate::OrganisationId;
use crate::validation::{self, FieldErrors};

text_enum!(
    /// What sort of body an organisation is.
    OrganisationKind {
        Ministry => "ministry",
        Agency => "agency",
        Department => "department",
        Municipality => "municipality",
        Region => "region",
        Ngo => "ngo",
        Academic => "academic",
        Company => "company",
        CitizenGroup => "citizen_group",
    }
);

pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;

/// An organisation as submitted by a form or the API, before validation.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct OrganisationInput {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
}

/// A validated organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganisationFields {
    pub name: String,
    pub kind: OrganisationKind,
    pub parent_id: Option<OrganisationId>,
    pub description: Option<String>,
    pub website: Option<String>,
}

impl OrganisationInput {
    pub fn validate(&self) -> Result<OrganisationFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = validation::required_text(&mut errors, "name", &self.name, NAME_MAX);
        let kind = OrganisationKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add(
                "kind",
                if self.kind.trim().is_empty() {
                    "required"
                } else {
                    "invalid_choice"
                },
            );
        }
        let parent_id = match self.parent_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match raw.parse() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add("parent_id", "invalid_choice");
                    None
                }
            },
        };
        let description = validation::optional_text(
            &mut errors,
            "description",
            self.description.as_deref(),
            DESCRIPTION_MAX,
        );
        let website = validation::optional_url(&mut errors, "website", self.website.as_deref());
        match kind {
            Some(kind) if errors.is_empty() => Ok(OrganisationFields {
                name,
                kind,
                parent_id,
                description,
                website,
            }),
            _ => Err(errors),
        }
    }
}

/// True when making `parent` the parent of `child` would close a loop. `ancestors_of_parent` is the
/// chain upward from `parent` (parent's parent, and so on), as stored.
pub fn would_create_cycle(
    child: OrganisationId,
    parent: OrganisationId,
    ancestors_of_parent: &[OrganisationId],
) -> bool {
    child == parent || ancestors_of_parent.contains(&child)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(OrganisationKind::parse("Ministry"), None);
    }

    #[test]
    fn validation_reports_every_field() {
        let input = OrganisationInput {
            name: " ".into(),
            kind: "castle".into(),
            parent_id: Some("nope".into()),
            description: None,
            website: Some("ftp://x".into()),
        };
        let errors = input.validate().unwrap_err();
        assert_eq!(errors.for_field("name"), Some("required"));
        assert_eq!(errors.for_field("kind"), Some("invalid_choice"));
        assert_eq!(errors.for_field("parent_id"), Some("invalid_choice"));
        assert_eq!(errors.for_field("website"), Some("invalid_url"));
    }

    #[test]
    fn cycles_are_detected() {
        let (a, b, c) = (
            OrganisationId::new(),
            OrganisationId::new(),
            OrganisationId::new(),
        );
        assert!(would_create_cycle(a, a, &[]));
        // c's ancestors are b then a: making c the parent of a closes a -> c -> b -> a.
        assert!(would_create_cycle(a, c, &[b, a]));
        assert!(!would_create_cycle(c, a, &[]));
    }
}

/// An organisation as read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    pub parent_id: Option<OrganisationId>,
    pub description: Option<String>,
    pub website: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}
