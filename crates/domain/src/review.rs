//! Review cycles: a collaboration reviews its objectives at a regular cadence. A review records,
//! per objective, the status computed from its key results (and the reviewers' override with a
//! reason when they disagree), a summary, and the adjustments decided. Recording a review moves the
//! next review's due date one cadence after the day it was held.
//!
//! # An objective's computed status
//!
//! The worst status among its key results, from worst to best: off track, stale, at risk, not
//! started, on track, achieved. An objective without key results is not started.

use chrono::{Months, NaiveDate};

use crate::evaluation::Status;
use crate::validation::{self, FieldErrors};
use crate::{CollaborationId, ObjectiveId, ReviewId};

text_enum!(
    /// How often a collaboration reviews its objectives.
    ReviewCadence {
        Monthly => "monthly",
        Quarterly => "quarterly",
        HalfYearly => "half_yearly",
        Yearly => "yearly",
    }
);

impl ReviewCadence {
    /// The day one period after `held_on` on the calendar (1, 3, 6 or 12 months later), or the
    /// month's last day when it is shorter (31 August + 6 months = 28 or 29 February).
    pub fn next_due(self, held_on: NaiveDate) -> NaiveDate {
        let months = match self {
            ReviewCadence::Monthly => 1,
            ReviewCadence::Quarterly => 3,
            ReviewCadence::HalfYearly => 6,
            ReviewCadence::Yearly => 12,
        };
        held_on
            .checked_add_months(Months::new(months))
            .unwrap_or(NaiveDate::MAX)
    }
}

text_enum!(
    /// What a review decided to change.
    AdjustmentKind {
        NewObjective => "new_objective",
        DroppedObjective => "dropped_objective",
        ChangedTarget => "changed_target",
        Other => "other",
    }
);

/// How bad a status is, for [`objective_status`]: higher is worse.
fn severity(status: Status) -> u8 {
    match status {
        Status::OffTrack => 5,
        Status::Stale => 4,
        Status::AtRisk => 3,
        Status::NotStarted => 2,
        Status::OnTrack => 1,
        Status::Achieved => 0,
    }
}

/// An objective's status: the worst of its key results' statuses, or not started without any.
pub fn objective_status(key_results: &[Status]) -> Status {
    key_results
        .iter()
        .copied()
        .max_by_key(|s| severity(*s))
        .unwrap_or(Status::NotStarted)
}

/// A review is overdue once its due date has passed; due today is not yet overdue.
pub fn is_overdue(next_due: NaiveDate, today: NaiveDate) -> bool {
    next_due < today
}

pub const SUMMARY_MAX: usize = 10_000;
pub const REASON_MAX: usize = 1000;
pub const DESCRIPTION_MAX: usize = 1000;
pub const LINK_MAX: usize = 300;
/// The most adjustments one review records.
pub const ADJUSTMENTS_MAX: usize = 50;

/// A collaboration's review schedule as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ScheduleInput {
    /// monthly, quarterly, half_yearly or yearly.
    #[serde(default)]
    pub cadence: String,
    /// The next review's due date, `YYYY-MM-DD`.
    #[serde(default)]
    pub next_due: String,
}

/// A collaboration's review schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewSchedule {
    pub collaboration_id: CollaborationId,
    pub cadence: ReviewCadence,
    pub next_due: NaiveDate,
}

fn date(errors: &mut FieldErrors, field: &str, raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        errors.add(field, "required");
        return None;
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(day) => Some(day),
        Err(_) => {
            errors.add(field, "invalid_date");
            None
        }
    }
}

impl ScheduleInput {
    pub fn validate(&self) -> Result<(ReviewCadence, NaiveDate), FieldErrors> {
        let mut errors = FieldErrors::new();
        let cadence = ReviewCadence::parse(self.cadence.trim());
        if cadence.is_none() {
            errors.add("cadence", "invalid_choice");
        }
        let next_due = date(&mut errors, "next_due", &self.next_due);
        match (cadence, next_due) {
            (Some(cadence), Some(next_due)) if errors.is_empty() => Ok((cadence, next_due)),
            _ => Err(errors),
        }
    }
}

/// The reviewers' view of one objective, as submitted. Objectives not named keep their computed
/// status.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AssessmentInput {
    #[serde(default)]
    pub objective_id: String,
    /// A status the reviewers set instead of the computed one; needs `override_reason`.
    #[serde(default)]
    pub override_status: Option<String>,
    #[serde(default)]
    pub override_reason: Option<String>,
}

/// An adjustment decided by a review, as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AdjustmentInput {
    /// new_objective, dropped_objective, changed_target or other.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub description: String,
    /// Where the change is: a path on this site (`/objectives/{id}`, `/key-results/{id}`) or an
    /// http(s) address.
    #[serde(default)]
    pub link: Option<String>,
}

/// A review as submitted by a form or the API.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    /// The day the review was held, `YYYY-MM-DD`; not in the future.
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub assessments: Vec<AssessmentInput>,
    #[serde(default)]
    pub adjustments: Vec<AdjustmentInput>,
}

/// A validated override of one objective's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverrideFields {
    pub objective_id: ObjectiveId,
    pub status: Option<Status>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdjustmentFields {
    pub kind: AdjustmentKind,
    pub description: String,
    pub link: Option<String>,
}

/// A validated review. Whether each objective belongs to the collaboration is checked by the
/// service, which reports `assessments[N].objective_id` `unknown_objective` otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewFields {
    pub held_on: NaiveDate,
    pub summary: String,
    /// In the order submitted (index N is `assessments[N]`).
    pub overrides: Vec<OverrideFields>,
    pub adjustments: Vec<AdjustmentFields>,
}

/// A link must stay on this site (a path) or be an http(s) address: never `javascript:`.
fn valid_link(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    let local = link.starts_with('/') && !link.starts_with("//");
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    (local || web) && !link.contains(char::is_whitespace) && !link.contains('\\')
}

impl ReviewInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ReviewFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let held_on = date(&mut errors, "held_on", &self.held_on);
        if held_on.is_some_and(|d| d > today) {
            errors.add("held_on", "in_the_future");
        }
        let summary = validation::required_text(&mut errors, "summary", &self.summary, SUMMARY_MAX);
        let mut overrides = Vec::with_capacity(self.assessments.len());
        for (i, a) in self.assessments.iter().enumerate() {
            let field = |name: &str| format!("assessments[{i}].{name}");
            let objective_id = match a.objective_id.trim().parse::<ObjectiveId>() {
                Ok(id) => id,
                Err(_) => {
                    errors.add(&field("objective_id"), "unknown_objective");
                    continue;
                }
            };
            if overrides
                .iter()
                .any(|o: &OverrideFields| o.objective_id == objective_id)
            {
                errors.add(&field("objective_id"), "duplicate");
            }
            let status = match a.override_status.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(raw) => {
                    let parsed = Status::parse(raw);
                    if parsed.is_none() {
                        errors.add(&field("override_status"), "invalid_choice");
                    }
                    parsed
                }
            };
            let reason = validation::optional_text(
                &mut errors,
                &field("override_reason"),
                a.override_reason.as_deref(),
                REASON_MAX,
            );
            if status.is_some() && reason.is_none() {
                errors.add(&field("override_reason"), "required");
            }
            overrides.push(OverrideFields {
                objective_id,
                // A reason without an override means nothing.
                reason: status.and(reason),
                status,
            });
        }
        if self.adjustments.len() > ADJUSTMENTS_MAX {
            errors.add("adjustments", "too_many");
        }
        let mut adjustments = Vec::with_capacity(self.adjustments.len());
        for (i, a) in self.adjustments.iter().enumerate() {
            let field = |name: &str| format!("adjustments[{i}].{name}");
            let kind = AdjustmentKind::parse(a.kind.trim());
            if kind.is_none() {
                errors.add(&field("kind"), "invalid_choice");
            }
            let description = validation::required_text(
                &mut errors,
                &field("description"),
                &a.description,
                DESCRIPTION_MAX,
            );
            let link =
                validation::optional_text(&mut errors, &field("link"), a.link.as_deref(), LINK_MAX);
            if link.as_deref().is_some_and(|l| !valid_link(l)) {
                errors.add(&field("link"), "invalid_link");
            }
            if let Some(kind) = kind {
                adjustments.push(AdjustmentFields {
                    kind,
                    description,
                    link,
                });
            }
        }
        match held_on {
            Some(held_on) if errors.is_empty() => Ok(ReviewFields {
                held_on,
                summary,
                overrides,
                adjustments,
            }),
            _ => Err(errors),
        }
    }
}

/// One objective's assessment in a recorded review.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewAssessment {
    pub objective_id: ObjectiveId,
    pub objective_title: String,
    /// The status computed from the key results when the review was recorded.
    pub computed_status: Status,
    pub override_status: Option<Status>,
    pub override_reason: Option<String>,
}

impl ReviewAssessment {
    /// The status the review settled on: the override, else the computed one.
    pub fn status(&self) -> Status {
        self.override_status.unwrap_or(self.computed_status)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewAdjustment {
    pub position: i64,
    pub kind: AdjustmentKind,
    pub description: String,
    pub link: Option<String>,
}

/// A review as listed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewSummary {
    pub id: ReviewId,
    pub collaboration_id: CollaborationId,
    pub held_on: NaiveDate,
    pub summary: String,
    /// Shown to signed-in readers only.
    pub recorded_by_name: Option<String>,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// A review with its assessments and adjustments.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Review {
    #[serde(flatten)]
    pub review: ReviewSummary,
    pub assessments: Vec<ReviewAssessment>,
    pub adjustments: Vec<ReviewAdjustment>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_objective_takes_its_worst_key_result_status() {
        use Status::*;
        assert_eq!(objective_status(&[]), NotStarted);
        assert_eq!(objective_status(&[Achieved]), Achieved);
        assert_eq!(objective_status(&[Achieved, OnTrack]), OnTrack);
        assert_eq!(objective_status(&[OnTrack, NotStarted]), NotStarted);
        assert_eq!(objective_status(&[OnTrack, AtRisk, NotStarted]), AtRisk);
        assert_eq!(objective_status(&[AtRisk, Stale, OnTrack]), Stale);
        assert_eq!(objective_status(&[Stale, OffTrack, Achieved]), OffTrack);
        // The order of the key results does not matter.
        assert_eq!(objective_status(&[OffTrack, OnTrack]), OffTrack);
    }

    #[test]
    fn the_next_review_follows_the_cadence_on_the_calendar() {
        let held = day("2026-08-31");
        assert_eq!(ReviewCadence::Monthly.next_due(held), day("2026-09-30"));
        assert_eq!(ReviewCadence::Quarterly.next_due(held), day("2026-11-30"));
        assert_eq!(ReviewCadence::HalfYearly.next_due(held), day("2027-02-28"));
        assert_eq!(ReviewCadence::Yearly.next_due(held), day("2027-08-31"));
        assert_eq!(
            ReviewCadence::Yearly.next_due(day("2028-02-29")),
            day("2029-02-28")
        );
    }

    #[test]
    fn overdue_starts_the_day_after_the_due_date() {
        let due = day("2026-10-01");
        assert!(!is_overdue(due, day("2026-09-30")));
        assert!(!is_overdue(due, day("2026-10-01")));
        assert!(is_overdue(due, day("2026-10-02")));
    }

    fn input() -> ReviewInput {
        ReviewInput {
            held_on: "2026-10-01".into(),
            summary: "Crossings on track; walking numbers lag.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_override_needs_a_reason() {
        let objective = ObjectiveId::new();
        let mut review = input();
        review.assessments.push(AssessmentInput {
            objective_id: objective.to_string(),
            override_status: Some("at_risk".into()),
            override_reason: Some("  ".into()),
        });
        let errors = review.validate(day("2026-10-02")).unwrap_err();
        assert_eq!(
            errors.for_field("assessments[0].override_reason"),
            Some("required")
        );
        review.assessments[0].override_reason = Some(" Contractor went bankrupt ".into());
        let fields = review.validate(day("2026-10-02")).unwrap();
        assert_eq!(
            fields.overrides,
            vec![OverrideFields {
                objective_id: objective,
                status: Some(Status::AtRisk),
                reason: Some("Contractor went bankrupt".into()),
            }]
        );
    }

    #[test]
    fn a_reason_without_an_override_is_dropped() {
        let mut review = input();
        review.assessments.push(AssessmentInput {
            objective_id: ObjectiveId::new().to_string(),
            override_status: Some("".into()),
            override_reason: Some("left over".into()),
        });
        let fields = review.validate(day("2026-10-01")).unwrap();
        assert_eq!(fields.overrides[0].status, None);
        assert_eq!(fields.overrides[0].reason, None);
    }

    #[test]
    fn bad_values_are_reported_per_field() {
        let objective = ObjectiveId::new().to_string();
        let review = ReviewInput {
            held_on: "2026-10-03".into(),
            summary: " ".into(),
            assessments: vec![
                AssessmentInput {
                    objective_id: "nope".into(),
                    ..Default::default()
                },
                AssessmentInput {
                    objective_id: objective.clone(),
                    override_status: Some("fine".into()),
                    override_reason: Some("because".into()),
                },
                AssessmentInput {
                    objective_id: objective,
                    ..Default::default()
                },
            ],
            adjustments: vec![
                AdjustmentInput {
                    kind: "renamed".into(),
                    description: "x".into(),
                    link: None,
                },
                AdjustmentInput {
                    kind: "other".into(),
                    description: "".into(),
                    link: Some("javascript:alert(1)".into()),
                },
            ],
        };
        let errors = review.validate(day("2026-10-02")).unwrap_err();
        for (field, code) in [
            ("held_on", "in_the_future"),
            ("summary", "required"),
            ("assessments[0].objective_id", "unknown_objective"),
            ("assessments[1].override_status", "invalid_choice"),
            ("assessments[2].objective_id", "duplicate"),
            ("adjustments[0].kind", "invalid_choice"),
            ("adjustments[1].description", "required"),
            ("adjustments[1].link", "invalid_link"),
        ] {
            assert_eq!(errors.for_field(field), Some(code), "{field}");
        }
    }

    #[test]
    fn links_stay_on_the_site_or_on_the_web() {
        for good in [
            "/objectives/1",
            "/key-results/2",
            "https://gov.example/plan",
        ] {
            assert!(valid_link(good), "{good}");
        }
        for bad in [
            "//evil.example",
            "javascript:alert(1)",
            "objectives/1",
            "/a b",
            "/\\evil",
        ] {
            assert!(!valid_link(bad), "{bad}");
        }
    }

    #[test]
    fn schedules_need_a_cadence_and_a_date() {
        let ok = ScheduleInput {
            cadence: "half_yearly".into(),
            next_due: "2027-01-15".into(),
        };
        assert_eq!(
            ok.validate().unwrap(),
            (ReviewCadence::HalfYearly, day("2027-01-15"))
        );
        let bad = ScheduleInput {
            cadence: "weekly".into(),
            next_due: "soon".into(),
        };
        let errors = bad.validate().unwrap_err();
        assert_eq!(errors.for_field("cadence"), Some("invalid_choice"));
        assert_eq!(errors.for_field("next_due"), Some("invalid_date"));
    }
}
