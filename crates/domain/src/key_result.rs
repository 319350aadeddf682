//! Key results: the measurable indicators under an objective. A target is never changed silently:
//! a new target needs a reason and is kept as a numbered version.

use chrono::NaiveDate;

use crate::evaluation::{Cadence, Direction, KeyResultPlan, parse_date, parse_value};
use crate::validation::{self, FieldErrors};
use crate::{CollaborationId, KeyResultId, ObjectiveId, UserId};

pub const NAME_MAX: usize = 200;
pub const UNIT_MAX: usize = 40;
pub const REASON_MAX: usize = 1000;
pub const SOURCE_MAX: usize = 500;

/// A key result as submitted, before validation: strings, so a bad value is reported on its field.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct KeyResultInput {
    #[serde(default)]
    pub name: String,
    /// What is counted, e.g. `%`, `minutes`, `schools`.
    #[serde(default)]
    pub unit: String,
    /// increase, decrease or range.
    #[serde(default)]
    pub direction: String,
    #[serde(default)]
    pub baseline_value: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub baseline_date: String,
    /// For a range: its low bound.
    #[serde(default)]
    pub target_value: Option<String>,
    /// For a range only: its high bound.
    #[serde(default)]
    pub target_high: Option<String>,
    #[serde(default)]
    pub target_date: Option<String>,
    /// weekly, monthly, quarterly or yearly.
    #[serde(default)]
    pub cadence: Option<String>,
    /// A person named on the collaboration.
    #[serde(default)]
    pub owner_id: Option<String>,
    /// Required when an existing target (value, high bound or date) changes.
    #[serde(default)]
    pub target_change_reason: Option<String>,
}

/// The target part of a key result, versioned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    pub value: Option<f64>,
    pub high: Option<f64>,
    pub date: Option<NaiveDate>,
}

/// A validated key result.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyResultFields {
    pub name: String,
    pub unit: String,
    pub direction: Direction,
    pub baseline_value: f64,
    pub baseline_date: NaiveDate,
    pub target: Target,
    pub cadence: Option<Cadence>,
    pub owner_id: Option<UserId>,
    pub target_change_reason: Option<String>,
}

fn optional_number(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<f64> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match parse_value(raw) {
        Ok(value) => Some(value),
        Err(code) => {
            errors.add(field, code);
            None
        }
    }
}

impl KeyResultInput {
    pub fn validate(&self) -> Result<KeyResultFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = validation::required_text(&mut errors, "name", &self.name, NAME_MAX);
        let unit = validation::required_text(&mut errors, "unit", &self.unit, UNIT_MAX);
        let direction = Direction::parse(self.direction.trim());
        if direction.is_none() {
            errors.add(
                "direction",
                if self.direction.trim().is_empty() {
                    "required"
                } else {
                    "invalid_choice"
                },
            );
        }
        let baseline_value = parse_value(&self.baseline_value)
            .map_err(|code| errors.add("baseline_value", code))
            .ok();
        let baseline_date = parse_date(&self.baseline_date)
            .map_err(|code| errors.add("baseline_date", code))
            .ok();
        let value = optional_number(&mut errors, "target_value", self.target_value.as_deref());
        let high = optional_number(&mut errors, "target_high", self.target_high.as_deref());
        let date = match self
            .target_date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => parse_date(raw)
                .map_err(|code| errors.add("target_date", code))
                .ok(),
        };
        if let (Some(baseline), Some(target)) = (baseline_date, date)
            && target <= baseline
        {
            errors.add("target_date", "not_after_baseline");
        }
        match direction {
            Some(Direction::Range) => {
                if let (Some(low), Some(high)) = (value, high)
                    && high < low
                {
                    errors.add("target_high", "below_low_bound");
                }
            }
            Some(_) if high.is_some() => errors.add("target_high", "only_for_range"),
            _ => {}
        }
        let cadence = match self
            .cadence
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => {
                let parsed = Cadence::parse(raw);
                if parsed.is_none() {
                    errors.add("cadence", "invalid_choice");
                }
                parsed
            }
        };
        let owner_id = match self
            .owner_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => raw
                .parse()
                .map_err(|_| errors.add("owner_id", "invalid_choice"))
                .ok(),
        };
        let target_change_reason = validation::optional_text(
            &mut errors,
            "target_change_reason",
            self.target_change_reason.as_deref(),
            REASON_MAX,
        );
        match (direction, baseline_value, baseline_date) {
            (Some(direction), Some(baseline_value), Some(baseline_date)) if errors.is_empty() => {
                Ok(KeyResultFields {
                    name,
                    unit,
                    direction,
                    baseline_value,
                    baseline_date,
                    target: Target { value, high, date },
                    cadence,
                    owner_id,
                    target_change_reason,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A key result as read.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct KeyResult {
    pub id: KeyResultId,
    pub objective_id: ObjectiveId,
    pub collaboration_id: CollaborationId,
    pub name: String,
    pub unit: String,
    pub direction: Direction,
    pub baseline_value: f64,
    pub baseline_date: NaiveDate,
    pub target_value: Option<f64>,
    pub target_high: Option<f64>,
    pub target_date: Option<NaiveDate>,
    pub cadence: Option<Cadence>,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    /// Which target version is current (1 for the original).
    pub target_version: i64,
    pub position: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl KeyResult {
    pub fn target(&self) -> Target {
        Target {
            value: self.target_value,
            high: self.target_high,
            date: self.target_date,
        }
    }

    /// What the SMART check and the status rules read.
    pub fn plan(&self) -> KeyResultPlan {
        KeyResultPlan {
            has_owner: self.owner_id.is_some(),
            direction: self.direction,
            baseline: self.baseline_value,
            baseline_date: self.baseline_date,
            target: self.target_value,
            target_high: self.target_high,
            target_date: self.target_date,
            cadence: self.cadence,
        }
    }
}

/// One version of a key result's target, with why it changed.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct TargetVersion {
    pub version: i64,
    pub target_value: Option<f64>,
    pub target_high: Option<f64>,
    pub target_date: Option<NaiveDate>,
    /// Absent on the first version.
    pub reason: Option<String>,
    pub changed_by_name: Option<String>,
    pub changed_at: chrono::DateTime<chrono::Utc>,
}

/// A recorded measurement of a key result.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct MeasurementRecord {
    pub id: uuid::Uuid,
    pub key_result_id: KeyResultId,
    pub value: f64,
    pub measured_on: NaiveDate,
    /// Where the number comes from (a survey, a system, a report).
    pub source: Option<String>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// A measurement as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct MeasurementInput {
    #[serde(default)]
    pub value: String,
    /// `YYYY-MM-DD`, not before the baseline date and not in the future.
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub source: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> KeyResultInput {
        KeyResultInput {
            name: "Pupils walking or cycling".into(),
            unit: "%".into(),
            direction: "increase".into(),
            baseline_value: "31".into(),
            baseline_date: "2026-09-01".into(),
            target_value: Some("50".into()),
            target_date: Some("2027-07-31".into()),
            cadence: Some("quarterly".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_key_result_validates() {
        let fields = input().validate().unwrap();
        assert_eq!(fields.direction, Direction::Increase);
        assert_eq!(fields.target.value, Some(50.0));
        assert_eq!(fields.cadence, Some(Cadence::Quarterly));
    }

    #[test]
    fn numbers_dates_and_choices_are_checked_per_field() {
        let bad = KeyResultInput {
            name: "".into(),
            unit: "x".repeat(UNIT_MAX + 1),
            direction: "sideways".into(),
            baseline_value: "abc".into(),
            baseline_date: "2026-9-1".into(),
            target_value: Some("NaN".into()),
            target_high: Some("3".into()),
            target_date: Some("soon".into()),
            cadence: Some("daily".into()),
            owner_id: Some("me".into()),
            target_change_reason: None,
        };
        let errors = bad.validate().unwrap_err();
        for (field, code) in [
            ("name", "required"),
            ("unit", "too_long"),
            ("direction", "invalid_choice"),
            ("baseline_value", "not_a_number"),
            ("baseline_date", "invalid_date"),
            ("target_value", "not_a_number"),
            ("target_date", "invalid_date"),
            ("cadence", "invalid_choice"),
            ("owner_id", "invalid_choice"),
        ] {
            assert_eq!(errors.for_field(field), Some(code), "{field}");
        }
    }

    #[test]
    fn target_rules() {
        let mut early = input();
        early.target_date = Some("2026-09-01".into());
        assert_eq!(
            early.validate().unwrap_err().for_field("target_date"),
            Some("not_after_baseline")
        );
        let mut high_without_range = input();
        high_without_range.target_high = Some("60".into());
        assert_eq!(
            high_without_range
                .validate()
                .unwrap_err()
                .for_field("target_high"),
            Some("only_for_range")
        );
        let mut inverted = input();
        inverted.direction = "range".into();
        inverted.target_value = Some("40".into());
        inverted.target_high = Some("30".into());
        assert_eq!(
            inverted.validate().unwrap_err().for_field("target_high"),
            Some("below_low_bound")
        );
        inverted.target_high = Some("45,5".into());
        assert_eq!(
            inverted.validate().unwrap().target.high,
            Some(45.5),
            "a decimal comma is accepted"
        );
    }
}
