//! Evaluating key results: how far a measured indicator has come from its baseline towards its
//! target, where its recent trend leads, and the red/amber/green status that follows. The rules
//! live here, once, so that dashboards, the API, the public portal and the help page agree.
//!
//! # Progress
//!
//! Progress is the share of the way from the baseline to the target: 0% at the baseline, 100% at
//! the target, whichever way the indicator should move (baseline 100, target 60, now 80: 50%).
//! It is shown between 0% and 100%; [`progress_unclamped`] also tells how far a value went the
//! wrong way (below 0%) or beyond the target (above 100%). For an indicator that should stay
//! within a range, progress is 100% inside the range (bounds included); outside it, it is the share
//! of the way from the baseline to the nearest bound, that is one minus the value's distance
//! outside the range divided by the baseline's. A range the baseline was already inside has no way
//! to travel: 100% inside, 0% outside. Progress is undefined when the target equals the baseline.
//!
//! # Status
//!
//! A key result's status is decided by the first of these rules that applies. Measurements whose
//! value is not a finite number are ignored.
//!
//! 1. **Not started** (grey): no measurement has been recorded yet.
//! 2. **Achieved** (blue): the latest measurement meets or beats the target: at or above it for
//!    an indicator that should increase, at or below it for one that should decrease, inside the
//!    range (bounds included) for one that should stay within a range.
//! 3. **Stale** (grey): the key result has a measurement cadence, and its latest measurement is
//!    older than one period plus half a period (weekly: more than 10½ days old; monthly: 46½;
//!    quarterly: 138; yearly: 549). A stale key result is always overdue.
//! 4. **Off track** (red): the target date has passed and the latest measurement does not meet
//!    the target.
//! 5. With measurements on at least two different dates, a straight line is fitted through the
//!    six most recent ones (least squares) and extended to the target date. If it meets the
//!    target there: **on track** (green). If it gets at least 80% of the way from the baseline to
//!    the target: **at risk** (amber). Otherwise: **off track** (red).
//! 6. With measurements on one date only, progress so far is compared with the share of the time
//!    between the baseline date and the target date that had passed when it was measured. Progress
//!    at least that share: **on track**; at least 80% of it: **at risk**; less: **off track**.
//!    (This is the same as drawing the line from the baseline to the measurement.)
//! 7. If progress is undefined (the target equals the baseline) and the target is not met:
//!    **off track**.
//!
//! With a cadence, the next measurement is due one period after the latest measurement, or after
//! the baseline date while there is none: 7 days, 1 calendar month, 3 calendar months or 1
//! calendar year later, landing on the last day of a shorter month (31 January + 1 month = 28 or
//! 29 February). It is overdue once that date is before today; due today is not yet overdue.

use chrono::{Days, Months, NaiveDate};

use crate::validation::FieldErrors;

/// How far, as a share of the way from baseline to target, a projection must get to be "at risk"
/// rather than "off track"; also the share of the expected progress a single measurement must
/// reach.
pub const AMBER_THRESHOLD: f64 = 0.8;

/// How many of the most recent measurements the trend line is fitted to, so that the status
/// follows the current pace rather than the whole history.
pub const RECENT_POINTS: usize = 6;

text_enum!(
    /// Which way a key result's indicator should move: `increase`, `decrease`, or `range`, to stay
    /// within a range whose low bound is [`KeyResultSpec::target`] and whose high bound is
    /// [`KeyResultSpec::target_high`].
    Direction {
        Increase => "increase",
        Decrease => "decrease",
        Range => "range",
    }
);

text_enum!(
    /// How often a key result is to be measured.
    Cadence {
        Weekly => "weekly",
        Monthly => "monthly",
        Quarterly => "quarterly",
        Yearly => "yearly",
    }
);

impl Cadence {
    /// The longest one period can last, in days (a month is at most 31 days, a quarter 92, a year
    /// 366). Staleness is measured in these days, so a short February never makes a key result
    /// stale early.
    pub fn period_days(self) -> i64 {
        match self {
            Cadence::Weekly => 7,
            Cadence::Monthly => 31,
            Cadence::Quarterly => 92,
            Cadence::Yearly => 366,
        }
    }

    /// The date one period after `last`, on the calendar: 7 days, or 1, 3 or 12 months later on
    /// the same day of the month, or the month's last day when it is shorter (31 January + 1
    /// month = 28 or 29 February; 29 February + 1 year = 28 February).
    pub fn next_due(self, last: NaiveDate) -> NaiveDate {
        let next = match self {
            Cadence::Weekly => last.checked_add_days(Days::new(7)),
            Cadence::Monthly => last.checked_add_months(Months::new(1)),
            Cadence::Quarterly => last.checked_add_months(Months::new(3)),
            Cadence::Yearly => last.checked_add_months(Months::new(12)),
        };
        // Only a date at the very end of chrono's calendar has no successor.
        next.unwrap_or(NaiveDate::MAX)
    }
}

text_enum!(
    /// The verdict on a key result; see the module documentation for the rules.
    Status {
        OnTrack => "on_track",
        AtRisk => "at_risk",
        OffTrack => "off_track",
        Stale => "stale",
        NotStarted => "not_started",
        Achieved => "achieved",
    }
);

impl Status {
    /// The colour a page shows the status in (always next to its name, never alone).
    pub fn colour(self) -> &'static str {
        match self {
            Status::OnTrack => "green",
            Status::AtRisk => "amber",
            Status::OffTrack => "red",
            Status::Stale | Status::NotStarted => "grey",
            Status::Achieved => "blue",
        }
    }
}

/// One observed value of a key result's indicator.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Measurement {
    pub date: NaiveDate,
    pub value: f64,
}

/// What a key result aims for: the numbers the evaluation needs, without owner or wording.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct KeyResultSpec {
    pub direction: Direction,
    /// The indicator's value when the key result was set.
    pub baseline: f64,
    pub baseline_date: NaiveDate,
    /// The value to reach; for a range, its low bound.
    pub target: f64,
    /// Only for a range: its high bound. A range without one is the single value `target`; bounds
    /// given the wrong way round are read swapped (and reported as
    /// [`Finding::RangeBoundsInverted`]).
    pub target_high: Option<f64>,
    pub target_date: NaiveDate,
    /// How often it is to be measured; none means it is never stale nor overdue.
    pub cadence: Option<Cadence>,
}

impl KeyResultSpec {
    /// Whether `value` meets or beats the target: at or above it (increase), at or below it
    /// (decrease), inside the range with its bounds (range). False for a NaN value, or when the
    /// spec's own numbers are not finite.
    pub fn target_met_by(&self, value: f64) -> bool {
        if !self.numbers_are_finite() {
            return false;
        }
        match self.direction {
            Direction::Increase => value >= self.target,
            Direction::Decrease => value <= self.target,
            Direction::Range => {
                let (low, high) = self.range_bounds();
                low <= value && value <= high
            }
        }
    }

    /// The range as (low, high), whichever way round the bounds were given.
    fn range_bounds(&self) -> (f64, f64) {
        let high = self.target_high.unwrap_or(self.target);
        (self.target.min(high), self.target.max(high))
    }

    fn numbers_are_finite(&self) -> bool {
        self.baseline.is_finite()
            && self.target.is_finite()
            && (self.direction != Direction::Range
                || self.target_high.is_none_or(|high| high.is_finite()))
    }
}

/// Progress of `latest` from the baseline to the target, between 0 and 1, for display. `None`
/// when there is no value, when progress is undefined (target equal to the baseline) or when a
/// number involved is not finite. See the module documentation for ranges.
pub fn progress(spec: &KeyResultSpec, latest: Option<f64>) -> Option<f64> {
    progress_unclamped(spec, latest).map(|share| share.clamp(0.0, 1.0))
}

/// [`progress`] before clamping: below 0 when the value moved away from the target, above 1 when
/// it went beyond it. A range never exceeds 1: a value past its far bound is again outside it.
pub fn progress_unclamped(spec: &KeyResultSpec, latest: Option<f64>) -> Option<f64> {
    let value = latest.filter(|value| value.is_finite())?;
    if !spec.numbers_are_finite() {
        return None;
    }
    let share = match spec.direction {
        Direction::Increase | Direction::Decrease => {
            if spec.target == spec.baseline {
                return None;
            }
            // Halved first so that the differences of huge values stay finite.
            (value / 2.0 - spec.baseline / 2.0) / (spec.target / 2.0 - spec.baseline / 2.0)
        }
        Direction::Range => {
            let (low, high) = spec.range_bounds();
            let value_outside = distance_outside(value, low, high);
            if value_outside == 0.0 {
                return Some(1.0);
            }
            let baseline_outside = distance_outside(spec.baseline, low, high);
            if baseline_outside == 0.0 {
                return Some(0.0);
            }
            1.0 - value_outside / baseline_outside
        }
    };
    Some(share).filter(|share| share.is_finite())
}

/// Half the distance from `value` to the range [low, high]; 0 inside it. Halved so that it stays
/// finite for huge values; only ratios of it are used.
fn distance_outside(value: f64, low: f64, high: f64) -> f64 {
    if value < low {
        low / 2.0 - value / 2.0
    } else if value > high {
        value / 2.0 - high / 2.0
    } else {
        0.0
    }
}

/// A straight line through measurements: value = intercept + slope_per_day × days since origin.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Trend {
    /// The date where the line's x is 0: the earliest of the measurements it was fitted to.
    pub origin: NaiveDate,
    pub slope_per_day: f64,
    /// The line's value on `origin`.
    pub intercept: f64,
}

impl Trend {
    /// The line's value on `date` (infinite if the line runs beyond what an f64 holds).
    pub fn projected(&self, date: NaiveDate) -> f64 {
        let days = (date - self.origin).num_days() as f64;
        // Fused, so that a large slope times many days does not overflow on the way to a
        // representable result.
        self.slope_per_day.mul_add(days, self.intercept)
    }
}

/// The ordinary least-squares line through the [`RECENT_POINTS`] most recent measurements (by
/// date; x is days since the earliest of them). Measurements that are not finite are ignored.
/// `None` with fewer than two distinct dates, or when the line's numbers are too large for an f64.
pub fn trend(measurements: &[Measurement]) -> Option<Trend> {
    let mut recent: Vec<Measurement> = measurements
        .iter()
        .filter(|m| m.value.is_finite())
        .copied()
        .collect();
    recent.sort_by_key(|m| m.date);
    let recent = &recent[recent.len().saturating_sub(RECENT_POINTS)..];
    let origin = recent.first()?.date;
    if recent.last()?.date == origin {
        return None;
    }
    // Values are divided by a power of two (exactly) so that their sums cannot overflow.
    let largest = recent.iter().map(|m| m.value.abs()).fold(0.0, f64::max);
    let scale = if largest > 1.0 {
        // At most 2^1023: log2 of the largest f64 rounds up to 1024, and 2^1024 is infinite.
        2f64.powi((largest.log2().floor() as i32).min(1023))
    } else {
        1.0
    };
    let points: Vec<(f64, f64)> = recent
        .iter()
        .map(|m| ((m.date - origin).num_days() as f64, m.value / scale))
        .collect();
    let count = points.len() as f64;
    let mean_x = points.iter().map(|(x, _)| x).sum::<f64>() / count;
    let mean_y = points.iter().map(|(_, y)| y).sum::<f64>() / count;
    let (mut sum_xy, mut sum_xx) = (0.0, 0.0);
    for (x, y) in &points {
        sum_xy += (x - mean_x) * (y - mean_y);
        sum_xx += (x - mean_x) * (x - mean_x);
    }
    let slope = sum_xy / sum_xx;
    let line = Trend {
        origin,
        slope_per_day: slope * scale,
        intercept: (mean_y - slope * mean_x) * scale,
    };
    (line.slope_per_day.is_finite() && line.intercept.is_finite()).then_some(line)
}

/// Stable snake_case codes explaining an [`Assessment`]'s status; the UI translates them.
pub mod reason {
    /// No measurement recorded (not started).
    pub const NO_MEASUREMENTS: &str = "no_measurements";
    /// The latest measurement meets or beats the target (achieved).
    pub const TARGET_REACHED: &str = "target_reached";
    /// The latest measurement is older than the cadence allows (stale).
    pub const NO_MEASUREMENT_WITHIN_CADENCE: &str = "no_measurement_within_cadence";
    /// The target date has passed without the target being met (off track).
    pub const TARGET_DATE_PASSED: &str = "target_date_passed";
    /// The trend line meets the target on the target date (on track).
    pub const PROJECTION_MEETS_TARGET: &str = "projection_meets_target";
    /// The trend line gets at least 80% of the way by the target date (at risk).
    pub const PROJECTION_SHORT_OF_TARGET: &str = "projection_short_of_target";
    /// The trend line gets less than 80% of the way by the target date (off track).
    pub const PROJECTION_FAR_SHORT: &str = "projection_far_short";
    /// One measurement date only, and progress keeps pace with the time elapsed (on track).
    pub const PROGRESS_KEEPS_PACE: &str = "progress_keeps_pace";
    /// One measurement date only, and progress is behind but at least 80% of the pace (at risk).
    pub const PROGRESS_BEHIND_PACE: &str = "progress_behind_pace";
    /// One measurement date only, and progress is below 80% of the pace (off track).
    pub const PROGRESS_FAR_BEHIND_PACE: &str = "progress_far_behind_pace";
    /// Progress cannot be measured (target equals baseline) and the target is not met (off track).
    pub const PROGRESS_UNDEFINED: &str = "progress_undefined";

    /// Every code, for message catalogues and their tests.
    pub const ALL: &[&str] = &[
        NO_MEASUREMENTS,
        TARGET_REACHED,
        NO_MEASUREMENT_WITHIN_CADENCE,
        TARGET_DATE_PASSED,
        PROJECTION_MEETS_TARGET,
        PROJECTION_SHORT_OF_TARGET,
        PROJECTION_FAR_SHORT,
        PROGRESS_KEEPS_PACE,
        PROGRESS_BEHIND_PACE,
        PROGRESS_FAR_BEHIND_PACE,
        PROGRESS_UNDEFINED,
    ];
}

/// A key result's status together with the facts behind it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Assessment {
    pub status: Status,
    /// Progress of the latest measurement, 0 to 1 ([`progress`]).
    pub progress: Option<f64>,
    /// The trend line's value on the target date; `None` with fewer than two measurement dates.
    pub projected_at_target_date: Option<f64>,
    /// The most recent measurement by date (of several on that date, the last one given).
    pub latest: Option<Measurement>,
    /// When the next measurement is due; `None` without a cadence.
    pub next_due: Option<NaiveDate>,
    /// The next measurement was due before today.
    pub overdue: bool,
    /// Codes from [`reason`] explaining the status.
    pub reasons: Vec<&'static str>,
}

/// Assesses a key result on `today` by the rules in the module documentation.
pub fn status(spec: &KeyResultSpec, measurements: &[Measurement], today: NaiveDate) -> Assessment {
    let latest = latest_measurement(measurements);
    let next_due = spec
        .cadence
        .map(|cadence| cadence.next_due(latest.map_or(spec.baseline_date, |m| m.date)));
    let projection = trend(measurements).map(|line| line.projected(spec.target_date));
    let (status, reason) = verdict(spec, latest, projection, today);
    Assessment {
        status,
        progress: progress(spec, latest.map(|m| m.value)),
        projected_at_target_date: projection.filter(|value| value.is_finite()),
        latest,
        next_due,
        overdue: status == Status::Stale || next_due.is_some_and(|due| due < today),
        reasons: vec![reason],
    }
}

/// The most recent finite measurement by date; of several on that date, the last one given.
fn latest_measurement(measurements: &[Measurement]) -> Option<Measurement> {
    let finite = measurements.iter().filter(|m| m.value.is_finite());
    finite.fold(None, |best, m| match best {
        Some(best) if best.date > m.date => Some(best),
        _ => Some(*m),
    })
}

fn verdict(
    spec: &KeyResultSpec,
    latest: Option<Measurement>,
    projection: Option<f64>,
    today: NaiveDate,
) -> (Status, &'static str) {
    let Some(latest) = latest else {
        return (Status::NotStarted, reason::NO_MEASUREMENTS);
    };
    if spec.target_met_by(latest.value) {
        return (Status::Achieved, reason::TARGET_REACHED);
    }
    if let Some(cadence) = spec.cadence {
        let age_days = (today - latest.date).num_days();
        // Older than one and a half periods, in whole days without rounding.
        if 2 * age_days > 3 * cadence.period_days() {
            return (Status::Stale, reason::NO_MEASUREMENT_WITHIN_CADENCE);
        }
    }
    if today > spec.target_date {
        return (Status::OffTrack, reason::TARGET_DATE_PASSED);
    }
    if let Some(projected) = projection {
        if spec.target_met_by(projected) {
            return (Status::OnTrack, reason::PROJECTION_MEETS_TARGET);
        }
        return match progress_unclamped(spec, Some(projected)) {
            Some(share) if share >= AMBER_THRESHOLD => {
                (Status::AtRisk, reason::PROJECTION_SHORT_OF_TARGET)
            }
            Some(_) => (Status::OffTrack, reason::PROJECTION_FAR_SHORT),
            None => (Status::OffTrack, reason::PROGRESS_UNDEFINED),
        };
    }
    let Some(share) = progress_unclamped(spec, Some(latest.value)) else {
        return (Status::OffTrack, reason::PROGRESS_UNDEFINED);
    };
    let expected = elapsed_share(spec, latest.date);
    if share >= expected {
        (Status::OnTrack, reason::PROGRESS_KEEPS_PACE)
    } else if share >= AMBER_THRESHOLD * expected {
        (Status::AtRisk, reason::PROGRESS_BEHIND_PACE)
    } else {
        (Status::OffTrack, reason::PROGRESS_FAR_BEHIND_PACE)
    }
}

/// The share of the time from baseline date to target date that had passed on `on`, 0 to 1; all
/// of it when the target date is not after the baseline date.
fn elapsed_share(spec: &KeyResultSpec, on: NaiveDate) -> f64 {
    let total = (spec.target_date - spec.baseline_date).num_days();
    if total <= 0 {
        return 1.0;
    }
    let elapsed = (on - spec.baseline_date).num_days();
    (elapsed as f64 / total as f64).clamp(0.0, 1.0)
}

text_enum!(
    /// Something that keeps an objective or key result from being specific, measurable and
    /// time-bound (the SMART check). Each is advice to its authors, not a validation error.
    ///
    /// - `no_owner`: nobody is named as responsible.
    /// - `no_target`: a key result has no target value (for a range: a bound is missing).
    /// - `no_due_date`: no due date (an objective's due date, a key result's target date).
    /// - `target_equals_baseline`: a key result that should increase or decrease aims for its
    ///   baseline, so there is nothing to achieve. (A range may hold its baseline: keeping a value
    ///   within bounds is a goal.)
    /// - `due_date_passed_while_active`: the due date is before today and the objective or key
    ///   result is still open.
    /// - `no_measurement_cadence`: a key result has no measurement cadence, so it is never
    ///   reported stale or overdue and nobody is reminded to measure it.
    /// - `target_date_before_baseline_date`: a key result's target date is on or before its
    ///   baseline date, leaving no time to make progress.
    /// - `range_bounds_inverted`: a range's high bound is below its low bound.
    /// - `no_key_results`: an objective has no key results, so nothing measures it.
    Finding {
        NoOwner => "no_owner",
        NoTarget => "no_target",
        NoDueDate => "no_due_date",
        TargetEqualsBaseline => "target_equals_baseline",
        DueDatePassedWhileActive => "due_date_passed_while_active",
        NoMeasurementCadence => "no_measurement_cadence",
        TargetDateBeforeBaselineDate => "target_date_before_baseline_date",
        RangeBoundsInverted => "range_bounds_inverted",
        NoKeyResults => "no_key_results",
    }
);

/// A key result as written down, any part of which may still be missing: what the SMART check
/// reads. Named fields rather than arguments, because several numbers in a row are easily swapped.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyResultPlan {
    /// Someone is named as responsible.
    pub has_owner: bool,
    pub direction: Direction,
    pub baseline: f64,
    pub baseline_date: NaiveDate,
    pub target: Option<f64>,
    /// Only for a range: its high bound.
    pub target_high: Option<f64>,
    pub target_date: Option<NaiveDate>,
    pub cadence: Option<Cadence>,
}

impl KeyResultPlan {
    /// The spec to evaluate, once the target and the target date are set.
    pub fn spec(&self) -> Option<KeyResultSpec> {
        Some(KeyResultSpec {
            direction: self.direction,
            baseline: self.baseline,
            baseline_date: self.baseline_date,
            target: self.target?,
            target_high: self.target_high,
            target_date: self.target_date?,
            cadence: self.cadence,
        })
    }
}

/// The SMART findings for a key result, in [`Finding::ALL`] order. `active`: the key result is
/// still open (not achieved, dropped or archived).
pub fn smart_findings_for_key_result(
    plan: &KeyResultPlan,
    active: bool,
    today: NaiveDate,
) -> Vec<Finding> {
    let present = |value: Option<f64>| value.filter(|v| v.is_finite());
    let target = present(plan.target);
    let high = present(plan.target_high);
    let is_range = plan.direction == Direction::Range;
    [
        (Finding::NoOwner, !plan.has_owner),
        (
            Finding::NoTarget,
            target.is_none() || (is_range && high.is_none()),
        ),
        (Finding::NoDueDate, plan.target_date.is_none()),
        (
            Finding::TargetEqualsBaseline,
            !is_range && target == Some(plan.baseline),
        ),
        (
            Finding::DueDatePassedWhileActive,
            active && plan.target_date.is_some_and(|due| due < today),
        ),
        (Finding::NoMeasurementCadence, plan.cadence.is_none()),
        (
            Finding::TargetDateBeforeBaselineDate,
            plan.target_date
                .is_some_and(|due| due <= plan.baseline_date),
        ),
        (
            Finding::RangeBoundsInverted,
            is_range && matches!((target, high), (Some(low), Some(high)) if high < low),
        ),
    ]
    .into_iter()
    .filter_map(|(finding, applies)| applies.then_some(finding))
    .collect()
}

/// The SMART findings for an objective, in [`Finding::ALL`] order. `active`: the objective is
/// still open (not achieved or dropped).
pub fn smart_findings_for_objective(
    has_owner: bool,
    due_date: Option<NaiveDate>,
    key_result_count: usize,
    active: bool,
    today: NaiveDate,
) -> Vec<Finding> {
    [
        (Finding::NoOwner, !has_owner),
        (Finding::NoDueDate, due_date.is_none()),
        (
            Finding::DueDatePassedWhileActive,
            active && due_date.is_some_and(|due| due < today),
        ),
        (Finding::NoKeyResults, key_result_count == 0),
    ]
    .into_iter()
    .filter_map(|(finding, applies)| applies.then_some(finding))
    .collect()
}

/// Checks a measurement as typed into a form: fields `value` and `date`.
///
/// The value must be a finite number, with a decimal point or a decimal comma ("12,5" is 12.5);
/// numbers with thousands separators ("1.234,5", "1,234.5") are refused rather than guessed.
/// Codes: `required`, `not_a_number`.
/// The date is `YYYY-MM-DD`, neither before the key result's baseline date nor after today.
/// Codes: `required`, `invalid_date`, `before_baseline`, `in_the_future`.
pub fn validate_measurement(
    spec_baseline_date: NaiveDate,
    today: NaiveDate,
    raw_value: &str,
    raw_date: &str,
) -> Result<Measurement, FieldErrors> {
    let mut errors = FieldErrors::new();
    let value = parse_value(raw_value);
    if let Err(code) = value {
        errors.add("value", code);
    }
    let date = parse_date(raw_date).and_then(|date| {
        if date < spec_baseline_date {
            Err("before_baseline")
        } else if date > today {
            Err("in_the_future")
        } else {
            Ok(date)
        }
    });
    if let Err(code) = date {
        errors.add("date", code);
    }
    match (value, date) {
        (Ok(value), Ok(date)) => Ok(Measurement { date, value }),
        _ => Err(errors),
    }
}

/// Parses a number as people type it (see [`validate_measurement`]); the error is a field code.
pub fn parse_value(raw: &str) -> Result<f64, &'static str> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("required");
    }
    // A comma is read as a decimal point. Thousands separators are refused, not guessed: "1,234.5"
    // and "1,2,3" then hold two points and fail to parse.
    match text.replace(',', ".").parse::<f64>() {
        // Also matches -0 (float patterns compare by value), which is stored and shown as 0.
        Ok(0.0) => Ok(0.0),
        // Rust also reads "inf", "NaN" and overflowing exponents such as "1e400" (infinity).
        Ok(value) if value.is_finite() => Ok(value),
        _ => Err("not_a_number"),
    }
}

/// Parses an exact `YYYY-MM-DD` date; the error is a field code.
pub fn parse_date(raw: &str) -> Result<NaiveDate, &'static str> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("required");
    }
    // chrono alone would also take "2026-2-3" or "+2026-02-03".
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, byte)| match i {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shaped {
        return Err("invalid_date");
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "invalid_date")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// Day `n` of the plan: 2026-01-01 plus `n` days.
    fn day(n: i64) -> NaiveDate {
        date("2026-01-01") + chrono::Duration::days(n)
    }

    fn at(n: i64, value: f64) -> Measurement {
        Measurement {
            date: day(n),
            value,
        }
    }

    /// From `baseline` on day 0 to `target` on day 100, without a cadence.
    fn spec(direction: Direction, baseline: f64, target: f64) -> KeyResultSpec {
        KeyResultSpec {
            direction,
            baseline,
            baseline_date: day(0),
            target,
            target_high: None,
            target_date: day(100),
            cadence: None,
        }
    }

    fn range(baseline: f64, low: f64, high: f64) -> KeyResultSpec {
        KeyResultSpec {
            target_high: Some(high),
            ..spec(Direction::Range, baseline, low)
        }
    }

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
    }

    // --- enums ---

    #[test]
    fn enums_serialize_as_stable_snake_case_strings() {
        assert_eq!(
            serde_json::to_string(&Status::OnTrack).unwrap(),
            "\"on_track\""
        );
        assert_eq!(
            serde_json::to_string(&Direction::Decrease).unwrap(),
            "\"decrease\""
        );
        assert_eq!(
            serde_json::to_string(&Cadence::Quarterly).unwrap(),
            "\"quarterly\""
        );
        let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            statuses,
            [
                "on_track",
                "at_risk",
                "off_track",
                "stale",
                "not_started",
                "achieved"
            ]
        );
        let findings: Vec<&str> = Finding::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(
            findings,
            [
                "no_owner",
                "no_target",
                "no_due_date",
                "target_equals_baseline",
                "due_date_passed_while_active",
                "no_measurement_cadence",
                "target_date_before_baseline_date",
                "range_bounds_inverted",
                "no_key_results"
            ]
        );
        for direction in Direction::ALL {
            assert_eq!(Direction::parse(direction.as_str()), Some(*direction));
        }
        for cadence in Cadence::ALL {
            assert_eq!(Cadence::parse(cadence.as_str()), Some(*cadence));
        }
        assert_eq!(Cadence::parse("daily"), None);
    }

    #[test]
    fn each_status_has_its_colour() {
        for (status, colour) in [
            (Status::OnTrack, "green"),
            (Status::AtRisk, "amber"),
            (Status::OffTrack, "red"),
            (Status::Stale, "grey"),
            (Status::NotStarted, "grey"),
            (Status::Achieved, "blue"),
        ] {
            assert_eq!(status.colour(), colour, "{status}");
        }
    }

    #[test]
    fn reason_codes_are_distinct_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in reason::ALL {
            assert!(seen.insert(code), "duplicate {code}");
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
        }
    }

    // --- cadence ---

    #[test]
    fn period_days_per_cadence() {
        for (cadence, days) in [
            (Cadence::Weekly, 7),
            (Cadence::Monthly, 31),
            (Cadence::Quarterly, 92),
            (Cadence::Yearly, 366),
        ] {
            assert_eq!(cadence.period_days(), days, "{cadence}");
        }
    }

    #[test]
    fn next_due_follows_the_calendar_and_clamps_the_day_of_month() {
        use Cadence::*;
        for (cadence, last, due) in [
            (Weekly, "2026-01-28", "2026-02-04"),
            (Weekly, "2024-02-26", "2024-03-04"),
            (Weekly, "2026-12-29", "2027-01-05"),
            (Monthly, "2026-01-15", "2026-02-15"),
            (Monthly, "2024-01-31", "2024-02-29"),
            (Monthly, "2025-01-31", "2025-02-28"),
            (Monthly, "2026-03-31", "2026-04-30"),
            (Monthly, "2026-12-31", "2027-01-31"),
            (Quarterly, "2023-11-30", "2024-02-29"),
            (Quarterly, "2026-08-31", "2026-11-30"),
            (Quarterly, "2026-10-01", "2027-01-01"),
            (Yearly, "2024-02-29", "2025-02-28"),
            (Yearly, "2023-03-01", "2024-03-01"),
            (Yearly, "2026-12-31", "2027-12-31"),
        ] {
            assert_eq!(cadence.next_due(date(last)), date(due), "{cadence} {last}");
        }
    }

    #[test]
    fn period_days_is_the_longest_a_calendar_period_lasts() {
        // The stale rule counts in period_days; it must never be shorter than a real period.
        for cadence in Cadence::ALL {
            let mut longest = 0;
            let mut last = date("2023-01-01");
            while last < date("2029-01-01") {
                let days = (cadence.next_due(last) - last).num_days();
                assert!(days > 0, "{cadence} {last}");
                longest = longest.max(days);
                last = last.succ_opt().unwrap();
            }
            assert_eq!(longest, cadence.period_days(), "{cadence}");
        }
    }

    #[test]
    fn next_due_at_the_end_of_the_calendar_does_not_panic() {
        for cadence in Cadence::ALL {
            assert_eq!(cadence.next_due(NaiveDate::MAX), NaiveDate::MAX);
        }
    }

    // --- progress ---

    #[test]
    fn progress_of_an_increase() {
        let kr = spec(Direction::Increase, 20.0, 70.0);
        for (value, shown, raw) in [
            (20.0, 0.0, 0.0),
            (45.0, 0.5, 0.5),
            (70.0, 1.0, 1.0),
            (95.0, 1.0, 1.5),
            (10.0, 0.0, -0.2),
        ] {
            assert!(close(progress(&kr, Some(value)).unwrap(), shown), "{value}");
            assert!(
                close(progress_unclamped(&kr, Some(value)).unwrap(), raw),
                "{value}"
            );
        }
    }

    #[test]
    fn progress_of_a_decrease_counts_the_way_down() {
        let kr = spec(Direction::Decrease, 100.0, 60.0);
        for (value, shown, raw) in [
            (100.0, 0.0, 0.0),
            (80.0, 0.5, 0.5),
            (60.0, 1.0, 1.0),
            (50.0, 1.0, 1.25),
            (110.0, 0.0, -0.25),
        ] {
            assert!(close(progress(&kr, Some(value)).unwrap(), shown), "{value}");
            assert!(
                close(progress_unclamped(&kr, Some(value)).unwrap(), raw),
                "{value}"
            );
        }
    }

    #[test]
    fn progress_within_a_range() {
        // Waiting times of 30 days, to be brought within 10 to 20 days.
        let kr = range(30.0, 10.0, 20.0);
        for (value, raw) in [
            (30.0, 0.0),
            (25.0, 0.5),
            (20.0, 1.0),
            (15.0, 1.0),
            (10.0, 1.0),
            (40.0, -1.0),
            // Overshooting below the range is again outside it: 5 below the low bound.
            (5.0, 0.5),
        ] {
            assert!(
                close(progress_unclamped(&kr, Some(value)).unwrap(), raw),
                "{value}"
            );
        }
        // From below the range, towards its low bound.
        let kr = range(0.0, 10.0, 20.0);
        assert!(close(progress(&kr, Some(5.0)).unwrap(), 0.5));
        assert!(close(progress(&kr, Some(25.0)).unwrap(), 0.5));
    }

    #[test]
    fn range_the_baseline_was_already_inside_is_all_or_nothing() {
        let kr = range(15.0, 10.0, 20.0);
        assert_eq!(progress(&kr, Some(12.0)), Some(1.0));
        assert_eq!(progress(&kr, Some(21.0)), Some(0.0));
        assert_eq!(progress_unclamped(&kr, Some(100.0)), Some(0.0));
    }

    #[test]
    fn range_bounds_given_the_wrong_way_round_or_missing() {
        let inverted = range(30.0, 20.0, 10.0);
        assert!(close(progress(&inverted, Some(25.0)).unwrap(), 0.5));
        assert!(inverted.target_met_by(15.0));
        let single = KeyResultSpec {
            target_high: None,
            ..range(30.0, 20.0, 0.0)
        };
        assert!(single.target_met_by(20.0));
        assert!(!single.target_met_by(19.0));
        assert!(close(progress(&single, Some(25.0)).unwrap(), 0.5));
    }

    #[test]
    fn progress_is_undefined_when_target_equals_baseline() {
        for direction in [Direction::Increase, Direction::Decrease] {
            let kr = spec(direction, 50.0, 50.0);
            for value in [50.0, 40.0, 60.0] {
                assert_eq!(progress(&kr, Some(value)), None, "{direction} {value}");
                assert_eq!(progress_unclamped(&kr, Some(value)), None);
            }
        }
    }

    #[test]
    fn progress_without_a_value_is_none() {
        assert_eq!(progress(&spec(Direction::Increase, 0.0, 10.0), None), None);
    }

    #[test]
    fn progress_of_non_finite_numbers_is_none() {
        let kr = spec(Direction::Increase, 0.0, 10.0);
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(progress(&kr, Some(value)), None, "{value}");
        }
        let within = range(30.0, 10.0, 20.0);
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(progress(&within, Some(value)), None, "range {value}");
        }
        for broken in [
            spec(Direction::Increase, f64::NAN, 10.0),
            spec(Direction::Increase, 0.0, f64::INFINITY),
            range(30.0, 10.0, f64::NAN),
        ] {
            assert_eq!(progress(&broken, Some(5.0)), None, "{broken:?}");
            assert!(!broken.target_met_by(5.0));
        }
    }

    #[test]
    fn progress_of_huge_values_does_not_overflow() {
        let kr = spec(Direction::Increase, -1e308, 1e308);
        assert!(close(progress(&kr, Some(0.0)).unwrap(), 0.5));
        assert!(close(progress_unclamped(&kr, Some(1.5e308)).unwrap(), 1.25));
        let kr = range(f64::MAX, -f64::MAX, 0.0);
        assert!(close(progress(&kr, Some(f64::MAX / 2.0)).unwrap(), 0.5));
    }

    #[test]
    fn tiny_differences_still_give_progress() {
        let kr = spec(Direction::Increase, 1.0, 1.0 + 4.0 * f64::EPSILON);
        assert!(close(
            progress(&kr, Some(1.0 + 2.0 * f64::EPSILON)).unwrap(),
            0.5
        ));
    }

    // --- trend ---

    #[test]
    fn trend_recovers_a_straight_line() {
        let line = trend(&[at(10, 5.0), at(20, 7.0), at(30, 9.0)]).unwrap();
        assert_eq!(line.origin, day(10));
        assert!(close(line.slope_per_day, 0.2));
        assert!(close(line.intercept, 5.0));
        assert!(close(line.projected(day(100)), 23.0));
        assert!(close(line.projected(day(0)), 3.0));
    }

    #[test]
    fn trend_is_least_squares_through_scattered_points() {
        // Points (0,1), (1,3), (2,2): slope 0.5, intercept 1.5.
        let line = trend(&[at(0, 1.0), at(1, 3.0), at(2, 2.0)]).unwrap();
        assert!(close(line.slope_per_day, 0.5));
        assert!(close(line.intercept, 1.5));
    }

    #[test]
    fn trend_needs_two_distinct_dates() {
        assert_eq!(trend(&[]), None);
        assert_eq!(trend(&[at(5, 1.0)]), None);
        assert_eq!(trend(&[at(5, 1.0), at(5, 9.0)]), None);
        assert_eq!(trend(&[at(5, 1.0), at(5, 9.0), at(5, 4.0)]), None);
        let line = trend(&[at(5, 1.0), at(5, 3.0), at(6, 4.0)]).unwrap();
        // Mean of day 5 is 2, then 4 a day later: through (5, 1), (5, 3), (6, 4).
        assert!(close(line.slope_per_day, 2.0));
    }

    #[test]
    fn trend_uses_only_the_most_recent_points() {
        // Two old points far off the line, then six on value = day.
        let mut points = vec![at(0, 1000.0), at(1, -1000.0)];
        points.extend((10..16).map(|n| at(n, n as f64)));
        let line = trend(&points).unwrap();
        assert_eq!(line.origin, day(10));
        assert!(close(line.slope_per_day, 1.0));
        assert!(close(line.intercept, 10.0));
        assert_eq!(RECENT_POINTS, 6);
    }

    #[test]
    fn trend_sorts_by_date_first() {
        let mut points: Vec<Measurement> = (10..16).map(|n| at(n, n as f64)).collect();
        points.push(at(0, 1000.0));
        points.reverse();
        let line = trend(&points).unwrap();
        assert!(close(line.slope_per_day, 1.0));
        assert_eq!(line.origin, day(10));
    }

    #[test]
    fn trend_ignores_values_that_are_not_finite() {
        let line = trend(&[
            at(0, 0.0),
            at(1, f64::NAN),
            at(2, 2.0),
            at(3, f64::INFINITY),
        ])
        .unwrap();
        assert!(close(line.slope_per_day, 1.0));
        assert_eq!(trend(&[at(0, 1.0), at(1, f64::NAN)]), None);
    }

    #[test]
    fn trend_of_huge_values_stays_finite() {
        let line = trend(&[at(0, 1.0e308), at(2, 1.2e308), at(4, 1.4e308)]).unwrap();
        assert!(close(line.slope_per_day, 1e307));
        assert!(close(line.intercept, 1e308));
        let flat = trend(&[at(0, f64::MAX), at(1, f64::MAX)]).unwrap();
        assert_eq!(flat.slope_per_day, 0.0);
        assert_eq!(flat.intercept, f64::MAX);
        // A line no f64 can hold is no line.
        assert_eq!(trend(&[at(0, -f64::MAX), at(1, f64::MAX)]), None);
    }

    // --- status ---

    #[test]
    fn without_measurements_it_has_not_started() {
        let kr = spec(Direction::Increase, 0.0, 100.0);
        let assessment = status(&kr, &[], day(500));
        assert_eq!(assessment.status, Status::NotStarted);
        assert_eq!(assessment.reasons, [reason::NO_MEASUREMENTS]);
        assert_eq!(assessment.progress, None);
        assert_eq!(assessment.latest, None);
        assert_eq!(assessment.next_due, None);
        assert!(!assessment.overdue, "no cadence, never overdue");
    }

    #[test]
    fn first_measurement_is_overdue_after_one_period_from_the_baseline_date() {
        let kr = KeyResultSpec {
            baseline_date: date("2026-01-31"),
            cadence: Some(Cadence::Monthly),
            ..spec(Direction::Increase, 0.0, 100.0)
        };
        let due_day = status(&kr, &[], date("2026-02-28"));
        assert_eq!(due_day.next_due, Some(date("2026-02-28")));
        assert!(!due_day.overdue);
        let day_after = status(&kr, &[], date("2026-03-01"));
        assert_eq!(day_after.status, Status::NotStarted);
        assert!(day_after.overdue);
    }

    #[test]
    fn reaching_the_target_is_achieved_in_every_direction() {
        for (kr, value) in [
            (spec(Direction::Increase, 0.0, 100.0), 100.0),
            (spec(Direction::Increase, 0.0, 100.0), 130.0),
            (spec(Direction::Decrease, 100.0, 60.0), 60.0),
            (spec(Direction::Decrease, 100.0, 60.0), 10.0),
            (range(30.0, 10.0, 20.0), 10.0),
            (range(30.0, 10.0, 20.0), 20.0),
        ] {
            let assessment = status(&kr, &[at(10, 0.5 * value), at(20, value)], day(21));
            assert_eq!(assessment.status, Status::Achieved, "{kr:?} {value}");
            assert_eq!(assessment.reasons, [reason::TARGET_REACHED]);
            assert_eq!(assessment.progress, Some(1.0));
        }
        for (kr, value) in [
            (spec(Direction::Increase, 0.0, 100.0), 99.0),
            (spec(Direction::Decrease, 100.0, 60.0), 61.0),
            (range(30.0, 10.0, 20.0), 21.0),
            (range(30.0, 10.0, 20.0), 9.0),
        ] {
            let assessment = status(&kr, &[at(20, value)], day(21));
            assert_ne!(assessment.status, Status::Achieved, "{kr:?} {value}");
        }
    }

    #[test]
    fn achieved_wins_over_stale_and_a_passed_target_date() {
        let kr = KeyResultSpec {
            cadence: Some(Cadence::Weekly),
            ..spec(Direction::Increase, 0.0, 100.0)
        };
        let assessment = status(&kr, &[at(50, 100.0)], day(800));
        assert_eq!(assessment.status, Status::Achieved);
        assert!(assessment.overdue, "still expected to be measured");
    }

    #[test]
    fn stale_after_one_and_a_half_periods_without_a_measurement() {
        for (cadence, last_fresh_age, first_stale_age) in [
            (Cadence::Weekly, 10, 11),
            (Cadence::Monthly, 46, 47),
            (Cadence::Quarterly, 138, 139),
            (Cadence::Yearly, 549, 550),
        ] {
            let kr = KeyResultSpec {
                cadence: Some(cadence),
                target_date: day(5000),
                ..spec(Direction::Increase, 0.0, 100.0)
            };
            let measurements = [at(5, 1.0), at(10, 2.0)];
            let fresh = status(&kr, &measurements, day(10 + last_fresh_age));
            assert_ne!(fresh.status, Status::Stale, "{cadence}");
            let stale = status(&kr, &measurements, day(10 + first_stale_age));
            assert_eq!(stale.status, Status::Stale, "{cadence}");
            assert_eq!(stale.reasons, [reason::NO_MEASUREMENT_WITHIN_CADENCE]);
            assert!(stale.overdue, "{cadence}");
            assert_eq!(stale.latest, Some(at(10, 2.0)));
        }
    }

    #[test]
    fn without_a_cadence_nothing_goes_stale() {
        let kr = KeyResultSpec {
            target_date: day(5000),
            ..spec(Direction::Increase, 0.0, 100.0)
        };
        let assessment = status(&kr, &[at(1, 1.0), at(2, 2.0)], day(4000));
        assert_ne!(assessment.status, Status::Stale);
        assert!(!assessment.overdue);
    }

    #[test]
    fn overdue_comes_before_stale() {
        let kr = KeyResultSpec {
            baseline_date: date("2026-01-01"),
            target_date: date("2026-12-31"),
            cadence: Some(Cadence::Monthly),
            ..spec(Direction::Increase, 0.0, 100.0)
        };
        let measured = [Measurement {
            date: date("2026-01-31"),
            value: 10.0,
        }];
        let due_day = status(&kr, &measured, date("2026-02-28"));
        assert_eq!(due_day.next_due, Some(date("2026-02-28")));
        assert!(!due_day.overdue);
        let day_after = status(&kr, &measured, date("2026-03-01"));
        assert!(day_after.overdue);
        assert_ne!(day_after.status, Status::Stale);
    }

    #[test]
    fn projection_decides_between_green_amber_and_red() {
        // From 0 to 10 between day 0 and day 64; the line through the two points reaches:
        let kr = KeyResultSpec {
            target_date: day(64),
            ..spec(Direction::Increase, 0.0, 10.0)
        };
        for (second_value, projected, expected, why) in [
            (7.0, 10.0, Status::OnTrack, reason::PROJECTION_MEETS_TARGET),
            (9.0, 14.0, Status::OnTrack, reason::PROJECTION_MEETS_TARGET),
            (6.1, 8.2, Status::AtRisk, reason::PROJECTION_SHORT_OF_TARGET),
            (6.0, 8.0, Status::AtRisk, reason::PROJECTION_SHORT_OF_TARGET),
            (5.9, 7.8, Status::OffTrack, reason::PROJECTION_FAR_SHORT),
            (2.0, 0.0, Status::OffTrack, reason::PROJECTION_FAR_SHORT),
        ] {
            let assessment = status(&kr, &[at(32, 4.0), at(48, second_value)], day(50));
            assert!(
                close(assessment.projected_at_target_date.unwrap(), projected),
                "{second_value}"
            );
            assert_eq!(assessment.status, expected, "{second_value}");
            assert_eq!(assessment.reasons, [why], "{second_value}");
        }
    }

    #[test]
    fn projection_of_a_decrease() {
        let kr = spec(Direction::Decrease, 100.0, 60.0);
        for (first, second, expected) in [
            (95.0, 90.0, Status::OnTrack),
            (96.5, 93.0, Status::AtRisk),
            (97.0, 94.0, Status::OffTrack),
            (99.0, 101.0, Status::OffTrack),
        ] {
            let assessment = status(&kr, &[at(10, first), at(20, second)], day(21));
            assert_eq!(assessment.status, expected, "{first} {second}");
        }
    }

    #[test]
    fn projection_into_a_range() {
        let kr = range(30.0, 10.0, 20.0);
        for (first, second, expected) in [
            // Reaches 15.5 on the target date.
            (29.0, 27.5, Status::OnTrack),
            (30.0, 30.0, Status::OffTrack),
            // Falls fast enough to overshoot the range, to -7: not on track either.
            (29.0, 25.0, Status::OffTrack),
        ] {
            let assessment = status(&kr, &[at(10, first), at(20, second)], day(21));
            assert_eq!(assessment.status, expected, "{first} {second}");
        }
    }

    #[test]
    fn a_passed_target_date_without_the_target_is_off_track() {
        let kr = spec(Direction::Increase, 0.0, 100.0);
        // The line reaches 100 exactly on day 100.
        let measurements = [at(90, 50.0), at(95, 75.0)];
        let on_the_day = status(&kr, &measurements, day(100));
        assert_eq!(on_the_day.status, Status::OnTrack);
        let day_after = status(&kr, &measurements, day(101));
        assert_eq!(day_after.status, Status::OffTrack);
        assert_eq!(day_after.reasons, [reason::TARGET_DATE_PASSED]);
    }

    #[test]
    fn stale_is_decided_before_a_passed_target_date() {
        let kr = KeyResultSpec {
            cadence: Some(Cadence::Monthly),
            ..spec(Direction::Increase, 0.0, 100.0)
        };
        let assessment = status(&kr, &[at(90, 50.0)], day(200));
        assert_eq!(assessment.status, Status::Stale);
    }

    #[test]
    fn one_measurement_is_compared_with_the_time_elapsed() {
        // Half of the 100 days had passed on day 50.
        let kr = spec(Direction::Increase, 0.0, 100.0);
        for (value, expected, why) in [
            (50.0, Status::OnTrack, reason::PROGRESS_KEEPS_PACE),
            (70.0, Status::OnTrack, reason::PROGRESS_KEEPS_PACE),
            (40.0, Status::AtRisk, reason::PROGRESS_BEHIND_PACE),
            (45.0, Status::AtRisk, reason::PROGRESS_BEHIND_PACE),
            (39.0, Status::OffTrack, reason::PROGRESS_FAR_BEHIND_PACE),
            (-5.0, Status::OffTrack, reason::PROGRESS_FAR_BEHIND_PACE),
        ] {
            let assessment = status(&kr, &[at(50, value)], day(60));
            assert_eq!(assessment.status, expected, "{value}");
            assert_eq!(assessment.reasons, [why], "{value}");
            assert_eq!(assessment.projected_at_target_date, None);
        }
    }

    #[test]
    fn one_measurement_on_the_baseline_date_is_not_yet_behind() {
        let kr = spec(Direction::Decrease, 100.0, 60.0);
        assert_eq!(status(&kr, &[at(0, 100.0)], day(3)).status, Status::OnTrack);
        assert_eq!(
            status(&kr, &[at(0, 101.0)], day(3)).status,
            Status::OffTrack
        );
    }

    #[test]
    fn a_measurement_before_the_baseline_date_expects_no_progress_yet() {
        let kr = spec(Direction::Increase, 0.0, 100.0);
        let before = status(&kr, &[at(-50, -10.0)], day(1));
        assert_eq!(before.status, Status::OffTrack, "it went the wrong way");
        let level = status(&kr, &[at(-50, 0.0)], day(1));
        assert_eq!(level.status, Status::OnTrack);
    }

    #[test]
    fn with_no_time_between_baseline_and_target_date_all_progress_is_expected_at_once() {
        let kr = KeyResultSpec {
            target_date: day(0),
            ..spec(Direction::Increase, 0.0, 100.0)
        };
        let assessment = status(&kr, &[at(0, 50.0)], day(0));
        assert_eq!(assessment.status, Status::OffTrack);
        assert_eq!(assessment.reasons, [reason::PROGRESS_FAR_BEHIND_PACE]);
        assert_eq!(status(&kr, &[at(0, 90.0)], day(0)).status, Status::AtRisk);
    }

    #[test]
    fn two_measurements_on_the_same_date_count_as_one_point() {
        let kr = spec(Direction::Increase, 0.0, 100.0);
        let assessment = status(&kr, &[at(50, 30.0), at(50, 45.0)], day(60));
        assert_eq!(assessment.latest, Some(at(50, 45.0)), "the later one given");
        assert_eq!(assessment.projected_at_target_date, None);
        assert_eq!(assessment.status, Status::AtRisk);
        assert_eq!(assessment.reasons, [reason::PROGRESS_BEHIND_PACE]);
    }

    #[test]
    fn target_equal_to_baseline_is_off_track_until_met() {
        let kr = spec(Direction::Increase, 50.0, 50.0);
        let below = status(&kr, &[at(10, 40.0)], day(20));
        assert_eq!(below.status, Status::OffTrack);
        assert_eq!(below.reasons, [reason::PROGRESS_UNDEFINED]);
        assert_eq!(below.progress, None);
        let with_trend = status(&kr, &[at(10, 40.0), at(20, 45.0)], day(20));
        assert_eq!(with_trend.status, Status::OnTrack, "the line reaches 50");
        let falling = status(&kr, &[at(10, 45.0), at(20, 40.0)], day(20));
        assert_eq!(falling.status, Status::OffTrack);
        assert_eq!(falling.reasons, [reason::PROGRESS_UNDEFINED]);
        assert_eq!(
            status(&kr, &[at(10, 50.0)], day(20)).status,
            Status::Achieved
        );
    }

    #[test]
    fn latest_is_the_most_recent_by_date_not_by_position() {
        let kr = KeyResultSpec {
            cadence: Some(Cadence::Weekly),
            ..spec(Direction::Increase, 0.0, 100.0)
        };
        let assessment = status(&kr, &[at(20, 20.0), at(10, 90.0)], day(21));
        assert_eq!(assessment.latest, Some(at(20, 20.0)));
        assert!(close(assessment.progress.unwrap(), 0.2));
        assert_eq!(assessment.next_due, Some(day(27)));
    }

    #[test]
    fn measurements_that_are_not_numbers_are_ignored() {
        let kr = spec(Direction::Increase, 0.0, 100.0);
        assert_eq!(
            status(&kr, &[at(10, f64::NAN)], day(20)).status,
            Status::NotStarted
        );
        let assessment = status(&kr, &[at(10, 20.0), at(30, f64::INFINITY)], day(40));
        assert_eq!(assessment.latest, Some(at(10, 20.0)));
        assert_eq!(assessment.status, Status::OnTrack, "20% on day 10");
    }

    #[test]
    fn huge_values_are_assessed() {
        let kr = spec(Direction::Increase, -1e308, 1e308);
        let assessment = status(&kr, &[at(50, 0.0)], day(60));
        assert_eq!(assessment.status, Status::OnTrack);
        assert!(close(assessment.progress.unwrap(), 0.5));
        let rising = status(&kr, &[at(40, -0.3e308), at(50, 0.0)], day(60));
        assert_eq!(rising.status, Status::OnTrack);
        assert!(close(rising.projected_at_target_date.unwrap(), 1.5e308));
    }

    #[test]
    fn assessment_serializes_with_stable_codes() {
        let kr = KeyResultSpec {
            cadence: Some(Cadence::Monthly),
            ..spec(Direction::Increase, 0.0, 100.0)
        };
        let json = serde_json::to_value(status(&kr, &[at(50, 40.0)], day(60))).unwrap();
        assert_eq!(json["status"], "at_risk");
        assert_eq!(json["reasons"], serde_json::json!(["progress_behind_pace"]));
        assert_eq!(json["latest"]["date"], "2026-02-20");
        assert_eq!(json["next_due"], "2026-03-20");
        assert_eq!(json["overdue"], false);
        assert_eq!(json["projected_at_target_date"], serde_json::Value::Null);
    }

    #[test]
    fn every_reason_given_is_a_listed_code() {
        let kr = KeyResultSpec {
            cadence: Some(Cadence::Weekly),
            ..spec(Direction::Increase, 0.0, 100.0)
        };
        for (measurements, today) in [
            (vec![], day(1)),
            (vec![at(10, 100.0)], day(11)),
            (vec![at(10, 10.0)], day(90)),
            (vec![at(95, 10.0)], day(101)),
            (vec![at(10, 10.0), at(20, 20.0)], day(21)),
            (vec![at(10, 10.0)], day(11)),
        ] {
            for code in status(&kr, &measurements, today).reasons {
                assert!(reason::ALL.contains(&code), "{code}");
            }
        }
    }

    // --- SMART findings ---

    fn plan() -> KeyResultPlan {
        KeyResultPlan {
            has_owner: true,
            direction: Direction::Increase,
            baseline: 10.0,
            baseline_date: day(0),
            target: Some(50.0),
            target_high: None,
            target_date: Some(day(100)),
            cadence: Some(Cadence::Monthly),
        }
    }

    #[test]
    fn a_complete_key_result_has_no_findings() {
        assert_eq!(smart_findings_for_key_result(&plan(), true, day(50)), []);
        let within = KeyResultPlan {
            direction: Direction::Range,
            target: Some(20.0),
            target_high: Some(30.0),
            ..plan()
        };
        assert_eq!(smart_findings_for_key_result(&within, true, day(50)), []);
    }

    #[test]
    fn each_key_result_finding_is_raised_by_its_gap() {
        type Change = fn(&mut KeyResultPlan);
        let cases: [(Change, Finding); 10] = [
            (|p| p.has_owner = false, Finding::NoOwner),
            (|p| p.target = None, Finding::NoTarget),
            (|p| p.target = Some(f64::NAN), Finding::NoTarget),
            (
                |p| {
                    p.direction = Direction::Range;
                    p.target_high = None;
                },
                Finding::NoTarget,
            ),
            (|p| p.target = Some(10.0), Finding::TargetEqualsBaseline),
            (
                |p| p.target_date = Some(day(49)),
                Finding::DueDatePassedWhileActive,
            ),
            (|p| p.cadence = None, Finding::NoMeasurementCadence),
            (
                |p| p.baseline_date = day(100),
                Finding::TargetDateBeforeBaselineDate,
            ),
            (
                |p| {
                    p.direction = Direction::Range;
                    p.target = Some(30.0);
                    p.target_high = Some(20.0);
                },
                Finding::RangeBoundsInverted,
            ),
            (
                |p| {
                    p.direction = Direction::Decrease;
                    p.target = Some(10.0);
                },
                Finding::TargetEqualsBaseline,
            ),
        ];
        for (change, finding) in cases {
            let mut gap = plan();
            change(&mut gap);
            assert_eq!(
                smart_findings_for_key_result(&gap, true, day(50)),
                [finding],
                "{gap:?}"
            );
        }
    }

    #[test]
    fn a_missing_due_date_is_one_finding_not_three() {
        let mut gap = plan();
        gap.target_date = None;
        assert_eq!(
            smart_findings_for_key_result(&gap, true, day(500)),
            [Finding::NoDueDate]
        );
    }

    #[test]
    fn due_date_passed_only_counts_while_active_and_after_the_day() {
        let kr = plan();
        assert_eq!(smart_findings_for_key_result(&kr, true, day(100)), []);
        assert_eq!(
            smart_findings_for_key_result(&kr, true, day(101)),
            [Finding::DueDatePassedWhileActive]
        );
        assert_eq!(smart_findings_for_key_result(&kr, false, day(101)), []);
    }

    #[test]
    fn range_findings_do_not_apply_to_other_directions() {
        // A high bound on an increase is ignored; a baseline inside a range is a goal to keep.
        let increase = KeyResultPlan {
            target_high: Some(0.0),
            ..plan()
        };
        assert_eq!(smart_findings_for_key_result(&increase, true, day(50)), []);
        let keep = KeyResultPlan {
            direction: Direction::Range,
            target: Some(10.0),
            target_high: Some(10.0),
            ..plan()
        };
        assert_eq!(smart_findings_for_key_result(&keep, true, day(50)), []);
    }

    #[test]
    fn findings_come_in_a_stable_order() {
        let empty = KeyResultPlan {
            has_owner: false,
            direction: Direction::Range,
            baseline: 0.0,
            baseline_date: day(10),
            target: Some(5.0),
            target_high: Some(1.0),
            target_date: Some(day(5)),
            cadence: None,
        };
        assert_eq!(
            smart_findings_for_key_result(&empty, true, day(20)),
            [
                Finding::NoOwner,
                Finding::DueDatePassedWhileActive,
                Finding::NoMeasurementCadence,
                Finding::TargetDateBeforeBaselineDate,
                Finding::RangeBoundsInverted,
            ]
        );
    }

    #[test]
    fn a_plan_becomes_a_spec_once_target_and_date_are_set() {
        let spec = plan().spec().unwrap();
        assert_eq!(spec.target, 50.0);
        assert_eq!(spec.target_date, day(100));
        assert_eq!(spec.cadence, Some(Cadence::Monthly));
        let no_target = KeyResultPlan {
            target: None,
            ..plan()
        };
        assert_eq!(no_target.spec(), None);
        let no_date = KeyResultPlan {
            target_date: None,
            ..plan()
        };
        assert_eq!(no_date.spec(), None);
    }

    #[test]
    fn objective_findings() {
        let today = day(50);
        for (has_owner, due, key_results, active, expected) in [
            (true, Some(day(60)), 2, true, vec![]),
            (false, Some(day(60)), 2, true, vec![Finding::NoOwner]),
            (true, None, 2, true, vec![Finding::NoDueDate]),
            (
                true,
                Some(day(49)),
                2,
                true,
                vec![Finding::DueDatePassedWhileActive],
            ),
            (true, Some(day(49)), 2, false, vec![]),
            (true, Some(day(50)), 2, true, vec![]),
            (true, Some(day(60)), 0, true, vec![Finding::NoKeyResults]),
            (
                false,
                None,
                0,
                true,
                vec![Finding::NoOwner, Finding::NoDueDate, Finding::NoKeyResults],
            ),
        ] {
            assert_eq!(
                smart_findings_for_objective(has_owner, due, key_results, active, today),
                expected,
                "{has_owner} {due:?} {key_results} {active}"
            );
        }
    }

    // --- measurement input ---

    #[test]
    fn measurement_values_accept_points_and_decimal_commas() {
        for (raw, value) in [
            ("12.5", 12.5),
            ("12,5", 12.5),
            ("  7 ", 7.0),
            ("-3", -3.0),
            ("+2", 2.0),
            ("0", 0.0),
            (",5", 0.5),
            ("1e3", 1000.0),
            ("1e308", 1e308),
        ] {
            let measurement = validate_measurement(day(0), day(30), raw, "2026-01-10").unwrap();
            assert_eq!(measurement.value, value, "{raw}");
            assert_eq!(measurement.date, day(9));
        }
    }

    #[test]
    fn negative_zero_is_stored_as_zero() {
        let measurement = validate_measurement(day(0), day(30), "-0", "2026-01-10").unwrap();
        assert!(measurement.value.is_sign_positive());
    }

    #[test]
    fn measurement_values_that_are_not_finite_numbers_are_refused() {
        for (raw, code) in [
            ("", "required"),
            ("   ", "required"),
            ("abc", "not_a_number"),
            ("NaN", "not_a_number"),
            ("nan", "not_a_number"),
            ("inf", "not_a_number"),
            ("-infinity", "not_a_number"),
            ("1e400", "not_a_number"),
            ("-1e400", "not_a_number"),
            ("1,2,3", "not_a_number"),
            ("1,234.5", "not_a_number"),
            ("1.234,5", "not_a_number"),
            ("12,5.0", "not_a_number"),
            ("0x10", "not_a_number"),
            ("1_000", "not_a_number"),
            ("12 5", "not_a_number"),
            ("12%", "not_a_number"),
        ] {
            let errors = validate_measurement(day(0), day(30), raw, "2026-01-10").unwrap_err();
            assert_eq!(errors.for_field("value"), Some(code), "{raw:?}");
            assert_eq!(errors.for_field("date"), None, "{raw:?}");
        }
    }

    #[test]
    fn measurement_dates_are_iso_between_baseline_and_today() {
        let baseline = date("2026-01-05");
        let today = date("2026-03-01");
        for (raw, expected) in [
            ("2026-01-05", Ok(date("2026-01-05"))),
            (" 2026-03-01 ", Ok(date("2026-03-01"))),
            ("", Err("required")),
            ("2026-02-30", Err("invalid_date")),
            ("2026-2-3", Err("invalid_date")),
            ("26-02-03", Err("invalid_date")),
            ("2026/02/03", Err("invalid_date")),
            ("03-02-2026", Err("invalid_date")),
            ("2026-02-03T00:00", Err("invalid_date")),
            ("+2026-02-03", Err("invalid_date")),
            ("2026-01-04", Err("before_baseline")),
            ("2026-03-02", Err("in_the_future")),
        ] {
            let result = validate_measurement(baseline, today, "1", raw);
            match expected {
                Ok(date) => assert_eq!(result.unwrap().date, date, "{raw:?}"),
                Err(code) => {
                    assert_eq!(result.unwrap_err().for_field("date"), Some(code), "{raw:?}")
                }
            }
        }
    }

    #[test]
    fn leap_day_is_a_valid_measurement_date_only_in_leap_years() {
        let baseline = date("2023-01-01");
        let today = date("2025-01-01");
        assert!(validate_measurement(baseline, today, "1", "2024-02-29").is_ok());
        assert_eq!(
            validate_measurement(baseline, today, "1", "2023-02-29")
                .unwrap_err()
                .for_field("date"),
            Some("invalid_date")
        );
    }

    #[test]
    fn value_and_date_errors_are_reported_together() {
        let errors = validate_measurement(day(0), day(30), "abc", "").unwrap_err();
        assert_eq!(errors.for_field("value"), Some("not_a_number"));
        assert_eq!(errors.for_field("date"), Some("required"));
        assert_eq!(errors.0.len(), 2);
    }
}
