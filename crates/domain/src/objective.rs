//! Objectives: what a collaboration's partners agree to achieve, with an owner, an owning
//! organisation and a due date. Key results under them make them measurable.

use chrono::NaiveDate;

use crate::validation::{self, FieldErrors};
use crate::{CollaborationId, ObjectiveId, OrganisationId, UserId};

text_enum!(
    /// Where an objective stands. Dropping one needs a reason, kept for the record.
    ObjectiveStatus {
        Draft => "draft",
        Active => "active",
        Achieved => "achieved",
        Dropped => "dropped",
    }
);

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 5000;
pub const REASON_MAX: usize = 1000;

/// An objective as submitted by a form or the API, before validation.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ObjectiveInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// A person named on the collaboration.
    #[serde(default)]
    pub owner_id: Option<String>,
    /// An active member organisation of the collaboration.
    #[serde(default)]
    pub organisation_id: Option<String>,
    /// ISO date, `YYYY-MM-DD`.
    #[serde(default)]
    pub due_date: Option<String>,
    /// draft (default), active, achieved or dropped.
    #[serde(default)]
    pub status: Option<String>,
    /// Required when the status is dropped.
    #[serde(default)]
    pub drop_reason: Option<String>,
}

/// A validated objective. Whether the owner and organisation belong to the collaboration is
/// checked by the service, which knows its members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectiveFields {
    pub title: String,
    pub description: Option<String>,
    pub owner_id: Option<UserId>,
    pub organisation_id: Option<OrganisationId>,
    pub due_date: Option<NaiveDate>,
    pub status: ObjectiveStatus,
    pub drop_reason: Option<String>,
}

fn optional_id<T: std::str::FromStr>(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
) -> Option<T> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match raw.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.add(field, "invalid_choice");
            None
        }
    }
}

impl ObjectiveInput {
    pub fn validate(&self) -> Result<ObjectiveFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = validation::required_text(&mut errors, "title", &self.title, TITLE_MAX);
        let description = validation::optional_text(
            &mut errors,
            "description",
            self.description.as_deref(),
            DESCRIPTION_MAX,
        );
        let owner_id = optional_id(&mut errors, "owner_id", self.owner_id.as_deref());
        let organisation_id = optional_id(
            &mut errors,
            "organisation_id",
            self.organisation_id.as_deref(),
        );
        let due_date = match self
            .due_date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(date) => Some(date),
                Err(_) => {
                    errors.add("due_date", "invalid_date");
                    None
                }
            },
        };
        let status = match self.status.as_deref().map(str::trim) {
            None | Some("") => Some(ObjectiveStatus::Draft),
            Some(raw) => ObjectiveStatus::parse(raw),
        };
        if status.is_none() {
            errors.add("status", "invalid_choice");
        }
        let reason = validation::optional_text(
            &mut errors,
            "drop_reason",
            self.drop_reason.as_deref(),
            REASON_MAX,
        );
        let drop_reason = match status {
            Some(ObjectiveStatus::Dropped) => {
                if reason.is_none() {
                    errors.add("drop_reason", "required");
                }
                reason
            }
            // A reason only means something for a dropped objective.
            _ => None,
        };
        match status {
            Some(status) if errors.is_empty() => Ok(ObjectiveFields {
                title,
                description,
                owner_id,
                organisation_id,
                due_date,
                status,
                drop_reason,
            }),
            _ => Err(errors),
        }
    }
}

/// The names of the fields that differ, for the audit log.
pub fn changed_fields(before: &ObjectiveFields, after: &ObjectiveFields) -> Vec<&'static str> {
    crate::audit::changed_fields([
        ("title", before.title != after.title),
        ("description", before.description != after.description),
        ("owner_id", before.owner_id != after.owner_id),
        (
            "organisation_id",
            before.organisation_id != after.organisation_id,
        ),
        ("due_date", before.due_date != after.due_date),
        ("status", before.status != after.status),
        ("drop_reason", before.drop_reason != after.drop_reason),
    ])
}

/// An objective as read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Objective {
    pub id: ObjectiveId,
    pub collaboration_id: CollaborationId,
    pub title: String,
    pub description: Option<String>,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub organisation_id: Option<OrganisationId>,
    pub organisation_name: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub status: ObjectiveStatus,
    pub drop_reason: Option<String>,
    /// Order within the collaboration, from 1.
    pub position: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Objective {
    pub fn fields(&self) -> ObjectiveFields {
        ObjectiveFields {
            title: self.title.clone(),
            description: self.description.clone(),
            owner_id: self.owner_id,
            organisation_id: self.organisation_id,
            due_date: self.due_date,
            status: self.status,
            drop_reason: self.drop_reason.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ObjectiveInput {
        ObjectiveInput {
            title: "Halve car trips to school".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_title_is_enough_for_a_draft() {
        let fields = input().validate().unwrap();
        assert_eq!(fields.status, ObjectiveStatus::Draft);
        assert_eq!(fields.owner_id, None);
    }

    #[test]
    fn dropping_needs_a_reason_and_only_dropping_keeps_one() {
        let mut dropped = input();
        dropped.status = Some("dropped".into());
        assert_eq!(
            dropped.validate().unwrap_err().for_field("drop_reason"),
            Some("required")
        );
        dropped.drop_reason = Some("  Budget withdrawn by the ministry ".into());
        assert_eq!(
            dropped.validate().unwrap().drop_reason.as_deref(),
            Some("Budget withdrawn by the ministry")
        );
        let mut active = input();
        active.status = Some("active".into());
        active.drop_reason = Some("left over from an edit".into());
        assert_eq!(active.validate().unwrap().drop_reason, None);
    }

    #[test]
    fn bad_values_are_reported_per_field() {
        let bad = ObjectiveInput {
            title: " ".into(),
            description: Some("x".repeat(DESCRIPTION_MAX + 1)),
            owner_id: Some("someone".into()),
            organisation_id: Some("nope".into()),
            due_date: Some("2027-13-01".into()),
            status: Some("paused".into()),
            drop_reason: None,
        };
        let errors = bad.validate().unwrap_err();
        for (field, code) in [
            ("title", "required"),
            ("description", "too_long"),
            ("owner_id", "invalid_choice"),
            ("organisation_id", "invalid_choice"),
            ("due_date", "invalid_date"),
            ("status", "invalid_choice"),
        ] {
            assert_eq!(errors.for_field(field), Some(code), "{field}");
        }
    }

    #[test]
    fn changed_fields_are_named() {
        let before = input().validate().unwrap();
        let mut after = before.clone();
        after.status = ObjectiveStatus::Active;
        after.due_date = NaiveDate::from_ymd_opt(2027, 6, 30);
        assert_eq!(changed_fields(&before, &after), vec!["due_date", "status"]);
    }
}
