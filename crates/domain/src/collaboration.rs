//! Collaborations between organisations: their fields, lifecycle and membership roles.

use chrono::NaiveDate;

use crate::validation::{self, FieldErrors};

text_enum!(
    /// Where a collaboration is in its life.
    CollaborationStatus {
        Proposed => "proposed",
        Active => "active",
        Paused => "paused",
        Completed => "completed",
        Cancelled => "cancelled",
    }
);

impl CollaborationStatus {
    /// The statuses one may move to from this one. Completed and cancelled are final: a new
    /// collaboration is started rather than an old record rewritten.
    pub fn next(self) -> &'static [CollaborationStatus] {
        use CollaborationStatus::*;
        match self {
            Proposed => &[Active, Cancelled],
            Active => &[Paused, Completed, Cancelled],
            Paused => &[Active, Completed, Cancelled],
            Completed | Cancelled => &[],
        }
    }

    pub fn can_become(self, to: CollaborationStatus) -> bool {
        self == to || self.next().contains(&to)
    }
}

text_enum!(
    /// Who may read a collaboration and what hangs off it.
    Visibility {
        Public => "public",
        Partners => "partners",
        Confidential => "confidential",
    }
);

text_enum!(
    /// An organisation's part in a collaboration. Exactly one lead.
    OrganisationRole {
        Lead => "lead",
        Partner => "partner",
        Observer => "observer",
    }
);

text_enum!(
    /// A person's part in a collaboration.
    PersonRole {
        Coordinator => "coordinator",
        Contributor => "contributor",
        Viewer => "viewer",
    }
);

text_enum!(
    /// Where an organisation's membership stands: invited by the lead, then accepted or declined by
    /// the organisation's admin.
    MembershipStatus {
        Invited => "invited",
        Active => "active",
        Declined => "declined",
    }
);

text_enum!(
    /// The ten top-level divisions of the UN Classification of the Functions of Government (COFOG).
    PolicyArea {
        GeneralPublicServices => "01",
        Defence => "02",
        PublicOrderAndSafety => "03",
        EconomicAffairs => "04",
        EnvironmentalProtection => "05",
        HousingAndCommunityAmenities => "06",
        Health => "07",
        RecreationCultureAndReligion => "08",
        Education => "09",
        SocialProtection => "10",
    }
);

impl PolicyArea {
    /// Message-catalogue key for the division's name.
    pub fn message_key(self) -> &'static str {
        use PolicyArea::*;
        match self {
            GeneralPublicServices => "cofog-01",
            Defence => "cofog-02",
            PublicOrderAndSafety => "cofog-03",
            EconomicAffairs => "cofog-04",
            EnvironmentalProtection => "cofog-05",
            HousingAndCommunityAmenities => "cofog-06",
            Health => "cofog-07",
            RecreationCultureAndReligion => "cofog-08",
            Education => "cofog-09",
            SocialProtection => "cofog-10",
        }
    }
}

pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 1000;
pub const PROBLEM_MAX: usize = 10_000;
pub const GEOGRAPHY_MAX: usize = 200;

/// A collaboration as submitted by a form or the API, before validation. Strings throughout so
/// that a bad value is reported against its field rather than rejected by the deserialiser.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CollaborationInput {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub problem_statement: Option<String>,
    #[serde(default)]
    pub policy_areas: Vec<String>,
    #[serde(default)]
    pub geography: Option<String>,
    /// ISO date, `YYYY-MM-DD`.
    #[serde(default)]
    pub start_date: Option<String>,
    /// ISO date, `YYYY-MM-DD`; not before the start date.
    #[serde(default)]
    pub end_date: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    pub visibility: String,
}

/// A validated collaboration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollaborationFields {
    pub title: String,
    pub summary: String,
    pub problem_statement: Option<String>,
    pub policy_areas: Vec<PolicyArea>,
    pub geography: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub status: CollaborationStatus,
    pub visibility: Visibility,
}

fn parse_date(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<NaiveDate> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            errors.add(field, "invalid_date");
            None
        }
    }
}

impl CollaborationInput {
    pub fn validate(&self) -> Result<CollaborationFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = validation::required_text(&mut errors, "title", &self.title, TITLE_MAX);
        let summary = validation::required_text(&mut errors, "summary", &self.summary, SUMMARY_MAX);
        let problem_statement = validation::optional_text(
            &mut errors,
            "problem_statement",
            self.problem_statement.as_deref(),
            PROBLEM_MAX,
        );
        let geography = validation::optional_text(
            &mut errors,
            "geography",
            self.geography.as_deref(),
            GEOGRAPHY_MAX,
        );
        let mut policy_areas = Vec::new();
        for raw in &self.policy_areas {
            match PolicyArea::parse(raw.trim()) {
                Some(area) if !policy_areas.contains(&area) => policy_areas.push(area),
                Some(_) => {}
                None => errors.add("policy_areas", "invalid_choice"),
            }
        }
        policy_areas.sort_by_key(|a| a.as_str());
        let start_date = parse_date(&mut errors, "start_date", self.start_date.as_deref());
        let end_date = parse_date(&mut errors, "end_date", self.end_date.as_deref());
        if let (Some(start), Some(end)) = (start_date, end_date)
            && end < start
        {
            errors.add("end_date", "end_before_start");
        }
        let status = match self.status.as_deref().map(str::trim) {
            None | Some("") => Some(CollaborationStatus::Proposed),
            Some(raw) => CollaborationStatus::parse(raw),
        };
        if status.is_none() {
            errors.add("status", "invalid_choice");
        }
        let visibility = Visibility::parse(self.visibility.trim());
        if visibility.is_none() {
            errors.add(
                "visibility",
                if self.visibility.trim().is_empty() {
                    "required"
                } else {
                    "invalid_choice"
                },
            );
        }
        match (status, visibility) {
            (Some(status), Some(visibility)) if errors.is_empty() => Ok(CollaborationFields {
                title,
                summary,
                problem_statement,
                policy_areas,
                geography,
                start_date,
                end_date,
                status,
                visibility,
            }),
            _ => Err(errors),
        }
    }
}

/// The names of the fields that differ between two versions; what the audit log records in clear.
pub fn changed_fields(
    before: &CollaborationFields,
    after: &CollaborationFields,
) -> Vec<&'static str> {
    crate::audit::changed_fields([
        ("title", before.title != after.title),
        ("summary", before.summary != after.summary),
        (
            "problem_statement",
            before.problem_statement != after.problem_statement,
        ),
        ("policy_areas", before.policy_areas != after.policy_areas),
        ("geography", before.geography != after.geography),
        ("start_date", before.start_date != after.start_date),
        ("end_date", before.end_date != after.end_date),
        ("status", before.status != after.status),
        ("visibility", before.visibility != after.visibility),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CollaborationInput {
        CollaborationInput {
            title: "Safe Routes".into(),
            summary: "Walking to school".into(),
            visibility: "public".into(),
            ..Default::default()
        }
    }

    #[test]
    fn minimal_input_is_a_proposal() {
        let fields = input().validate().unwrap();
        assert_eq!(fields.status, CollaborationStatus::Proposed);
        assert_eq!(fields.visibility, Visibility::Public);
    }

    #[test]
    fn end_before_start_is_rejected() {
        let mut bad = input();
        bad.start_date = Some("2026-05-01".into());
        bad.end_date = Some("2026-04-30".into());
        assert_eq!(
            bad.validate().unwrap_err().for_field("end_date"),
            Some("end_before_start")
        );
        bad.end_date = Some("2026-02-30".into());
        assert_eq!(
            bad.validate().unwrap_err().for_field("end_date"),
            Some("invalid_date")
        );
    }

    #[test]
    fn unknown_enum_values_are_field_errors() {
        let mut bad = input();
        bad.visibility = "secret".into();
        bad.status = Some("dormant".into());
        bad.policy_areas = vec!["07".into(), "11".into()];
        let errors = bad.validate().unwrap_err();
        assert_eq!(errors.for_field("visibility"), Some("invalid_choice"));
        assert_eq!(errors.for_field("status"), Some("invalid_choice"));
        assert_eq!(errors.for_field("policy_areas"), Some("invalid_choice"));
    }

    #[test]
    fn policy_areas_are_deduplicated_and_sorted() {
        let mut ok = input();
        ok.policy_areas = vec!["07".into(), "04".into(), "07".into()];
        assert_eq!(
            ok.validate().unwrap().policy_areas,
            vec![PolicyArea::EconomicAffairs, PolicyArea::Health]
        );
    }

    #[test]
    fn lifecycle_allows_only_sensible_moves() {
        use CollaborationStatus::*;
        assert!(Proposed.can_become(Active));
        assert!(!Proposed.can_become(Completed));
        assert!(Paused.can_become(Active));
        assert!(!Completed.can_become(Active));
        assert!(!Cancelled.can_become(Proposed));
        assert!(
            Completed.can_become(Completed),
            "saving without a change is not a transition"
        );
    }

    #[test]
    fn changed_fields_names_only_what_differs() {
        let before = input().validate().unwrap();
        let mut after = before.clone();
        after.title = "Safer Routes".into();
        after.status = CollaborationStatus::Active;
        assert_eq!(changed_fields(&before, &after), vec!["title", "status"]);
    }
}

/// A collaboration as read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Collaboration {
    pub id: crate::CollaborationId,
    pub title: String,
    pub summary: String,
    pub problem_statement: Option<String>,
    pub policy_areas: Vec<PolicyArea>,
    pub geography: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub status: CollaborationStatus,
    pub visibility: Visibility,
    pub lead_organisation_id: Option<crate::OrganisationId>,
    pub lead_organisation_name: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Collaboration {
    pub fn fields(&self) -> CollaborationFields {
        CollaborationFields {
            title: self.title.clone(),
            summary: self.summary.clone(),
            problem_statement: self.problem_statement.clone(),
            policy_areas: self.policy_areas.clone(),
            geography: self.geography.clone(),
            start_date: self.start_date,
            end_date: self.end_date,
            status: self.status,
            visibility: self.visibility,
        }
    }
}

/// An organisation's membership of a collaboration.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct OrganisationMember {
    pub organisation_id: crate::OrganisationId,
    pub name: String,
    pub role: OrganisationRole,
    pub status: MembershipStatus,
    pub invited_at: chrono::DateTime<chrono::Utc>,
    pub responded_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A person named on a collaboration.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PersonMember {
    pub user_id: crate::UserId,
    pub display_name: String,
    pub organisation_id: crate::OrganisationId,
    pub organisation_name: String,
    pub role: PersonRole,
    pub added_at: chrono::DateTime<chrono::Utc>,
}

/// An invitation awaiting an organisation's answer, as its admin sees it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub collaboration_id: crate::CollaborationId,
    pub collaboration_title: String,
    pub organisation_id: crate::OrganisationId,
    pub organisation_name: String,
    pub role: OrganisationRole,
    pub invited_at: chrono::DateTime<chrono::Utc>,
}
