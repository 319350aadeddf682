//! Stakeholders: who matters to a collaboration, how much, what they think of it, and whether they
//! have been engaged. The rules here are pure: the power/interest quadrant, the early-involvement
//! and overdue-engagement flags, the RACI rule, and validation of what a form or the API submits.
//!
//! Personal data: a stakeholder of kind `person` carries a name and optional contact details that
//! only the collaboration's members may read; the services enforce that, and erasure removes them.

use chrono::{DateTime, Days, Months, NaiveDate, Utc};

use crate::validation::{self, FieldErrors};
use crate::{CollaborationId, EngagementId, ObjectiveId, OrganisationId, StakeholderId, UserId};

text_enum!(
    /// What a stakeholder is. Only a `person` carries personal data.
    StakeholderKind {
        PlatformOrganisation => "platform_organisation",
        ExternalOrganisation => "external_organisation",
        Group => "group",
        Person => "person",
    }
);

text_enum!(
    /// Where a stakeholder stands on the collaboration.
    Attitude {
        Champion => "champion",
        Supporter => "supporter",
        Neutral => "neutral",
        Sceptic => "sceptic",
        Opponent => "opponent",
    }
);

text_enum!(
    /// How often the relationship's owner means to engage the stakeholder.
    EngagementFrequency {
        Weekly => "weekly",
        Fortnightly => "fortnightly",
        Monthly => "monthly",
        Quarterly => "quarterly",
        HalfYearly => "half_yearly",
        Yearly => "yearly",
        AsNeeded => "as_needed",
    }
);

impl EngagementFrequency {
    /// When the next engagement is due after one on `last`, on the calendar (a month after
    /// 31 January is the last day of February). `None` for "as needed": never overdue.
    pub fn next_due(self, last: NaiveDate) -> Option<NaiveDate> {
        match self {
            EngagementFrequency::Weekly => last.checked_add_days(Days::new(7)),
            EngagementFrequency::Fortnightly => last.checked_add_days(Days::new(14)),
            EngagementFrequency::Monthly => last.checked_add_months(Months::new(1)),
            EngagementFrequency::Quarterly => last.checked_add_months(Months::new(3)),
            EngagementFrequency::HalfYearly => last.checked_add_months(Months::new(6)),
            EngagementFrequency::Yearly => last.checked_add_months(Months::new(12)),
            EngagementFrequency::AsNeeded => None,
        }
    }
}

text_enum!(
    /// The power/interest grid's four quadrants.
    Quadrant {
        ManageClosely => "manage_closely",
        KeepSatisfied => "keep_satisfied",
        KeepInformed => "keep_informed",
        Monitor => "monitor",
    }
);

/// Scores from this value up count as high. The midpoint counts as high on purpose: a stakeholder
/// of middling influence is better engaged early than discovered late.
pub const HIGH_SCORE_FROM: u8 = 3;
pub const SCORE_MIN: u8 = 1;
pub const SCORE_MAX: u8 = 5;

impl Quadrant {
    pub fn of(influence: u8, interest: u8) -> Quadrant {
        match (influence >= HIGH_SCORE_FROM, interest >= HIGH_SCORE_FROM) {
            (true, true) => Quadrant::ManageClosely,
            (true, false) => Quadrant::KeepSatisfied,
            (false, true) => Quadrant::KeepInformed,
            (false, false) => Quadrant::Monitor,
        }
    }

    /// Key stakeholders: those whose influence is high. They must be engaged from the start.
    pub fn is_key(self) -> bool {
        matches!(self, Quadrant::ManageClosely | Quadrant::KeepSatisfied)
    }
}

text_enum!(
    /// How a stakeholder was engaged.
    EngagementChannel {
        Meeting => "meeting",
        Workshop => "workshop",
        Consultation => "consultation",
        Email => "email",
        Call => "call",
        SiteVisit => "site_visit",
        Survey => "survey",
    }
);

text_enum!(
    /// A RACI role: Responsible, Accountable, Consulted, Informed.
    RaciRole {
        Responsible => "R",
        Accountable => "A",
        Consulted => "C",
        Informed => "I",
    }
);

pub const NAME_MAX: usize = 200;
pub const STAKE_MAX: usize = 2000;
pub const SUMMARY_MAX: usize = 5000;
pub const OUTCOME_MAX: usize = 2000;
pub const FOLLOW_UP_MAX: usize = 1000;
pub const PHONE_MAX: usize = 40;
/// The early-involvement window when a collaboration has not set its own.
pub const DEFAULT_EARLY_WINDOW_DAYS: i64 = 30;
pub const EARLY_WINDOW_MAX_DAYS: i64 = 365;

/// A whole number from JSON or a string from a form.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum IntOrText {
    Int(i64),
    Text(String),
}

impl Default for IntOrText {
    fn default() -> Self {
        IntOrText::Text(String::new())
    }
}

/// A stakeholder as submitted by a form, the API or a CSV row, before validation.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct StakeholderInput {
    /// Required, except for a platform organisation, which takes its directory name.
    #[serde(default)]
    pub name: String,
    /// platform_organisation, external_organisation, group or person.
    #[serde(default)]
    pub kind: String,
    /// What they have at stake.
    #[serde(default)]
    pub stake: Option<String>,
    /// 1 (none) to 5 (decisive).
    #[serde(default)]
    #[schema(value_type = i64)]
    pub influence: Option<IntOrText>,
    /// 1 (none) to 5 (very high).
    #[serde(default)]
    #[schema(value_type = i64)]
    pub interest: Option<IntOrText>,
    /// champion, supporter, neutral (default), sceptic or opponent.
    #[serde(default)]
    pub attitude: Option<String>,
    /// weekly, fortnightly, monthly (default), quarterly, half_yearly, yearly or as_needed.
    #[serde(default)]
    pub frequency: Option<String>,
    /// The member person who keeps the relationship.
    #[serde(default)]
    pub owner_id: Option<String>,
    /// For a platform organisation: its id in the directory.
    #[serde(default)]
    pub organisation_id: Option<String>,
    /// Persons only: personal data.
    #[serde(default)]
    pub email: Option<String>,
    /// Persons only: personal data.
    #[serde(default)]
    pub phone: Option<String>,
}

/// A validated stakeholder. Whether the owner is named on the collaboration and the organisation
/// exists is checked by the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StakeholderFields {
    pub name: String,
    pub kind: StakeholderKind,
    pub stake: Option<String>,
    pub influence: u8,
    pub interest: u8,
    pub attitude: Attitude,
    pub frequency: EngagementFrequency,
    pub owner_id: Option<UserId>,
    pub organisation_id: Option<OrganisationId>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl StakeholderFields {
    pub fn quadrant(&self) -> Quadrant {
        Quadrant::of(self.influence, self.interest)
    }
}

fn score(errors: &mut FieldErrors, field: &str, raw: Option<&IntOrText>) -> u8 {
    let value = match raw {
        None => None,
        Some(IntOrText::Int(n)) => Some(*n),
        Some(IntOrText::Text(text)) if text.trim().is_empty() => None,
        Some(IntOrText::Text(text)) => match text.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add(field, "not_a_whole_number");
                return 0;
            }
        },
    };
    match value {
        None => {
            errors.add(field, "required");
            0
        }
        Some(n) if (i64::from(SCORE_MIN)..=i64::from(SCORE_MAX)).contains(&n) => {
            u8::try_from(n).unwrap_or(0)
        }
        Some(_) => {
            errors.add(field, "out_of_range");
            0
        }
    }
}

fn choice<T: Copy>(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    default: Option<T>,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            if default.is_none() {
                errors.add(field, "required");
            }
            default
        }
        Some(text) => {
            let parsed = parse(text);
            if parsed.is_none() {
                errors.add(field, "invalid_choice");
            }
            parsed
        }
    }
}

pub(crate) fn optional_id<T: std::str::FromStr>(
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

/// Digits with the usual separators and an optional leading `+`; at least five digits.
fn valid_phone(phone: &str) -> bool {
    let body = phone.strip_prefix('+').unwrap_or(phone);
    body.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
        && body.chars().filter(char::is_ascii_digit).count() >= 5
}

impl StakeholderInput {
    pub fn validate(&self) -> Result<StakeholderFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = choice(
            &mut errors,
            "kind",
            Some(self.kind.as_str()),
            None,
            StakeholderKind::parse,
        );
        let name = if kind == Some(StakeholderKind::PlatformOrganisation) {
            validation::optional_text(&mut errors, "name", Some(&self.name), NAME_MAX)
                .unwrap_or_default()
        } else {
            validation::required_text(&mut errors, "name", &self.name, NAME_MAX)
        };
        let stake =
            validation::optional_text(&mut errors, "stake", self.stake.as_deref(), STAKE_MAX);
        let influence = score(&mut errors, "influence", self.influence.as_ref());
        let interest = score(&mut errors, "interest", self.interest.as_ref());
        let attitude = choice(
            &mut errors,
            "attitude",
            self.attitude.as_deref(),
            Some(Attitude::Neutral),
            Attitude::parse,
        );
        let frequency = choice(
            &mut errors,
            "frequency",
            self.frequency.as_deref(),
            Some(EngagementFrequency::Monthly),
            EngagementFrequency::parse,
        );
        let owner_id = optional_id(&mut errors, "owner_id", self.owner_id.as_deref());
        let organisation_id: Option<OrganisationId> = optional_id(
            &mut errors,
            "organisation_id",
            self.organisation_id.as_deref(),
        );
        match kind {
            Some(StakeholderKind::PlatformOrganisation) if organisation_id.is_none() => {
                if self
                    .organisation_id
                    .as_deref()
                    .is_none_or(|s| s.trim().is_empty())
                {
                    errors.add("organisation_id", "required");
                }
            }
            Some(StakeholderKind::PlatformOrganisation) | None => {}
            Some(_) if organisation_id.is_some() => {
                errors.add("organisation_id", "only_for_platform_organisations");
            }
            Some(_) => {}
        }
        let email = self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|raw| validation::normalise_email(&mut errors, "email", raw));
        let phone =
            validation::optional_text(&mut errors, "phone", self.phone.as_deref(), PHONE_MAX);
        if phone.as_deref().is_some_and(|p| !valid_phone(p)) {
            errors.add("phone", "invalid_phone");
        }
        if kind.is_some_and(|k| k != StakeholderKind::Person) {
            if email.is_some() {
                errors.add("email", "only_for_persons");
            }
            if phone.is_some() {
                errors.add("phone", "only_for_persons");
            }
        }
        match (kind, attitude, frequency) {
            (Some(kind), Some(attitude), Some(frequency)) if errors.is_empty() => {
                Ok(StakeholderFields {
                    name,
                    kind,
                    stake,
                    influence,
                    interest,
                    attitude,
                    frequency,
                    owner_id,
                    organisation_id: if kind == StakeholderKind::PlatformOrganisation {
                        organisation_id
                    } else {
                        None
                    },
                    email,
                    phone,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The names of the fields that differ, for the audit log.
pub fn changed_fields(before: &StakeholderFields, after: &StakeholderFields) -> Vec<&'static str> {
    crate::audit::changed_fields([
        ("name", before.name != after.name),
        ("kind", before.kind != after.kind),
        ("stake", before.stake != after.stake),
        ("influence", before.influence != after.influence),
        ("interest", before.interest != after.interest),
        ("attitude", before.attitude != after.attitude),
        ("frequency", before.frequency != after.frequency),
        ("owner_id", before.owner_id != after.owner_id),
        (
            "organisation_id",
            before.organisation_id != after.organisation_id,
        ),
        ("email", before.email != after.email),
        ("phone", before.phone != after.phone),
    ])
}

/// A stakeholder as read. `name`, `email` and `phone` of a person are `None` for a reader who may
/// not see personal data (`personal_data_withheld` then says so).
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Stakeholder {
    pub id: StakeholderId,
    pub collaboration_id: CollaborationId,
    pub name: Option<String>,
    pub kind: StakeholderKind,
    pub stake: Option<String>,
    pub influence: u8,
    pub interest: u8,
    pub quadrant: Quadrant,
    pub attitude: Attitude,
    pub frequency: EngagementFrequency,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub organisation_id: Option<OrganisationId>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub personal_data_withheld: bool,
    /// The most recent engagement's date, if any.
    pub last_engaged_on: Option<NaiveDate>,
    pub engagement_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Stakeholder {
    pub fn fields(&self) -> StakeholderFields {
        StakeholderFields {
            name: self.name.clone().unwrap_or_default(),
            kind: self.kind,
            stake: self.stake.clone(),
            influence: self.influence,
            interest: self.interest,
            attitude: self.attitude,
            frequency: self.frequency,
            owner_id: self.owner_id,
            organisation_id: self.organisation_id,
            email: self.email.clone(),
            phone: self.phone.clone(),
        }
    }

    /// Hides what only members may read: a person's name, contact details and the description
    /// of their stake (which tends to say who they are).
    pub fn withhold_personal_data(&mut self) {
        if self.kind == StakeholderKind::Person {
            self.name = None;
            self.stake = None;
            self.email = None;
            self.phone = None;
            self.personal_data_withheld = true;
        }
    }
}

text_enum!(
    /// How the register list can be sorted.
    RegisterSort {
        Name => "name",
        Kind => "kind",
        Influence => "influence",
        Interest => "interest",
        Quadrant => "quadrant",
        Attitude => "attitude",
        LastEngaged => "last_engaged",
    }
);

text_enum!(
    /// Why a stakeholder needs attention: a key stakeholder not engaged within the
    /// early-involvement window, or a last engagement older than the intended frequency allows.
    FlagKind {
        NotEngagedEarly => "not_engaged_early",
        EngagementOverdue => "engagement_overdue",
    }
);

/// One reason a stakeholder needs attention, and the date it became due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Flag {
    pub kind: FlagKind,
    /// The deadline that passed.
    pub due: NaiveDate,
}

/// What the flag rules need to know about one stakeholder.
#[derive(Clone, Copy, Debug)]
pub struct FlagFacts {
    pub quadrant: Quadrant,
    pub frequency: EngagementFrequency,
    /// The day the stakeholder entered the register.
    pub added_on: NaiveDate,
    pub last_engaged_on: Option<NaiveDate>,
}

/// The flags raised for a stakeholder on `today`.
///
/// Early involvement: a key stakeholder (manage closely or keep satisfied) must be engaged within
/// `window_days` of the collaboration's start, or of the day they were added when that was later
/// (someone added in month six cannot have been engaged in month one). The flag stands while they
/// have never been engaged once the window has closed; after a first, late engagement the
/// frequency rule takes over.
///
/// Frequency: the next engagement is due one period after the last (or after the start of the
/// relationship, when there has been none); past that date the stakeholder is overdue. A
/// stakeholder already flagged for early involvement is not flagged twice.
pub fn flags(facts: &FlagFacts, start: NaiveDate, window_days: i64, today: NaiveDate) -> Vec<Flag> {
    let mut flags = Vec::new();
    let since = start.max(facts.added_on);
    if facts.quadrant.is_key() && facts.last_engaged_on.is_none() {
        let deadline = since
            .checked_add_days(Days::new(u64::try_from(window_days.max(0)).unwrap_or(0)))
            .unwrap_or(NaiveDate::MAX);
        if today > deadline {
            flags.push(Flag {
                kind: FlagKind::NotEngagedEarly,
                due: deadline,
            });
            return flags;
        }
    }
    let reference = facts.last_engaged_on.unwrap_or(since);
    if let Some(due) = facts.frequency.next_due(reference)
        && today > due
    {
        flags.push(Flag {
            kind: FlagKind::EngagementOverdue,
            due,
        });
    }
    flags
}

/// What an erasure removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Erased {
    /// Engagements that involved only this person, deleted with their summaries.
    pub engagements_deleted: u64,
    /// Engagements with others, from which the person was unlinked.
    pub engagements_unlinked: u64,
    pub raci_cells: u64,
}

/// A recorded contact with one or more stakeholders.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct EngagementInput {
    /// ISO date, `YYYY-MM-DD`; not in the future.
    #[serde(default)]
    pub engaged_on: String,
    /// meeting, workshop, consultation, email, call, site_visit or survey.
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub summary: String,
    /// The stakeholders involved (at least one, all of this collaboration).
    #[serde(default)]
    pub stakeholder_ids: Vec<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    /// What is to happen next; needs an owner and a due date.
    #[serde(default)]
    pub follow_up: Option<String>,
    #[serde(default)]
    pub follow_up_owner_id: Option<String>,
    /// ISO date, `YYYY-MM-DD`.
    #[serde(default)]
    pub follow_up_due: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngagementFields {
    pub engaged_on: NaiveDate,
    pub channel: EngagementChannel,
    pub summary: String,
    pub stakeholder_ids: Vec<StakeholderId>,
    pub outcome: Option<String>,
    pub follow_up: Option<String>,
    pub follow_up_owner_id: Option<UserId>,
    pub follow_up_due: Option<NaiveDate>,
}

fn date(errors: &mut FieldErrors, field: &str, raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            errors.add(field, "invalid_date");
            None
        }
    }
}

impl EngagementInput {
    /// Checks the input against `today` (an engagement cannot have happened in the future).
    pub fn validate(&self, today: NaiveDate) -> Result<EngagementFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let engaged_on = date(&mut errors, "engaged_on", &self.engaged_on);
        if self.engaged_on.trim().is_empty() {
            errors.add("engaged_on", "required");
        }
        if engaged_on.is_some_and(|d| d > today) {
            errors.add("engaged_on", "in_future");
        }
        let channel = choice(
            &mut errors,
            "channel",
            Some(self.channel.as_str()),
            None,
            EngagementChannel::parse,
        );
        let summary = validation::required_text(&mut errors, "summary", &self.summary, SUMMARY_MAX);
        let mut stakeholder_ids = Vec::new();
        for raw in self
            .stakeholder_ids
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            match raw.parse::<StakeholderId>() {
                Ok(id) if !stakeholder_ids.contains(&id) => stakeholder_ids.push(id),
                Ok(_) => {}
                Err(_) => errors.add("stakeholder_ids", "invalid_choice"),
            }
        }
        if stakeholder_ids.is_empty() && errors.for_field("stakeholder_ids").is_none() {
            errors.add("stakeholder_ids", "required");
        }
        let outcome =
            validation::optional_text(&mut errors, "outcome", self.outcome.as_deref(), OUTCOME_MAX);
        let follow_up = validation::optional_text(
            &mut errors,
            "follow_up",
            self.follow_up.as_deref(),
            FOLLOW_UP_MAX,
        );
        let follow_up_owner_id = optional_id(
            &mut errors,
            "follow_up_owner_id",
            self.follow_up_owner_id.as_deref(),
        );
        let follow_up_due = date(
            &mut errors,
            "follow_up_due",
            self.follow_up_due.as_deref().unwrap_or(""),
        );
        if follow_up.is_some() {
            if follow_up_owner_id.is_none() && errors.for_field("follow_up_owner_id").is_none() {
                errors.add("follow_up_owner_id", "required");
            }
            if follow_up_due.is_none() && errors.for_field("follow_up_due").is_none() {
                errors.add("follow_up_due", "required");
            }
        } else if follow_up_owner_id.is_some() || follow_up_due.is_some() {
            errors.add("follow_up", "required");
        }
        if let (Some(due), Some(on)) = (follow_up_due, engaged_on)
            && due < on
        {
            errors.add("follow_up_due", "before_engagement");
        }
        match (engaged_on, channel) {
            (Some(engaged_on), Some(channel)) if errors.is_empty() => Ok(EngagementFields {
                engaged_on,
                channel,
                summary,
                stakeholder_ids,
                outcome,
                follow_up,
                follow_up_owner_id,
                follow_up_due,
            }),
            _ => Err(errors),
        }
    }
}

/// A stakeholder named on an engagement, as the reader may see them.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct EngagedStakeholder {
    pub id: StakeholderId,
    pub name: Option<String>,
    pub kind: StakeholderKind,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Engagement {
    pub id: EngagementId,
    pub collaboration_id: CollaborationId,
    pub engaged_on: NaiveDate,
    pub channel: EngagementChannel,
    pub summary: String,
    pub outcome: Option<String>,
    pub stakeholders: Vec<EngagedStakeholder>,
    pub follow_up: Option<String>,
    pub follow_up_owner_id: Option<UserId>,
    pub follow_up_owner_name: Option<String>,
    pub follow_up_due: Option<NaiveDate>,
    pub follow_up_done: bool,
    pub recorded_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// Who a RACI cell is about: a person named on the collaboration, or a stakeholder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RaciParty {
    User(UserId),
    Stakeholder(StakeholderId),
}

impl RaciParty {
    /// `user:<uuid>` or `stakeholder:<uuid>`: one form value names either kind.
    pub fn parse(text: &str) -> Option<RaciParty> {
        let (kind, id) = text.trim().split_once(':')?;
        match kind {
            "user" => id.parse().ok().map(RaciParty::User),
            "stakeholder" => id.parse().ok().map(RaciParty::Stakeholder),
            _ => None,
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            RaciParty::User(_) => "user",
            RaciParty::Stakeholder(_) => "stakeholder",
        }
    }

    pub fn uuid(self) -> uuid::Uuid {
        match self {
            RaciParty::User(id) => id.0,
            RaciParty::Stakeholder(id) => id.0,
        }
    }
}

impl std::fmt::Display for RaciParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind(), self.uuid())
    }
}

/// One cell of the matrix as submitted: set `role`, or clear the cell when it is empty.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct RaciInput {
    pub objective_id: String,
    /// `user:<uuid>` or `stakeholder:<uuid>`.
    pub party: String,
    /// R, A, C or I; empty or absent clears the cell.
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RaciCell {
    pub objective_id: ObjectiveId,
    pub party: RaciParty,
    pub role: Option<RaciRole>,
}

impl RaciInput {
    pub fn validate(&self) -> Result<RaciCell, FieldErrors> {
        let mut errors = FieldErrors::new();
        let objective_id = optional_id(&mut errors, "objective_id", Some(&self.objective_id));
        if self.objective_id.trim().is_empty() {
            errors.add("objective_id", "required");
        }
        let party = RaciParty::parse(&self.party);
        if party.is_none() {
            errors.add(
                "party",
                if self.party.trim().is_empty() {
                    "required"
                } else {
                    "invalid_choice"
                },
            );
        }
        let role = match self
            .role
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => {
                let role = RaciRole::parse(&raw.to_ascii_uppercase());
                if role.is_none() {
                    errors.add("role", "invalid_choice");
                }
                role
            }
        };
        match (objective_id, party) {
            (Some(objective_id), Some(party)) if errors.is_empty() => Ok(RaciCell {
                objective_id,
                party,
                role,
            }),
            _ => Err(errors),
        }
    }
}

text_enum!(
    /// How an objective's row breaks the RACI rule.
    RaciProblem {
        NoAccountable => "no_accountable",
        SeveralAccountable => "several_accountable",
        NoResponsible => "no_responsible",
    }
);

/// The rule: exactly one Accountable and at least one Responsible per objective.
pub fn raci_problems(roles: &[RaciRole]) -> Vec<RaciProblem> {
    let accountable = roles
        .iter()
        .filter(|r| **r == RaciRole::Accountable)
        .count();
    let mut problems = Vec::new();
    match accountable {
        0 => problems.push(RaciProblem::NoAccountable),
        1 => {}
        _ => problems.push(RaciProblem::SeveralAccountable),
    }
    if !roles.contains(&RaciRole::Responsible) {
        problems.push(RaciProblem::NoResponsible);
    }
    problems
}

/// Whether setting `new` for one party keeps the row lawful, given the other parties' roles. Only
/// a second Accountable is refused: a row still missing roles is work in progress and is shown as
/// such, but two Accountables is never a state worth saving.
pub fn raci_change_allowed(others: &[RaciRole], new: Option<RaciRole>) -> Result<(), &'static str> {
    if new == Some(RaciRole::Accountable) && others.contains(&RaciRole::Accountable) {
        return Err("accountable_already_set");
    }
    Ok(())
}

/// The CSV columns a stakeholder import understands. Any other header is refused, so a typo never
/// silently drops a column.
pub const CSV_COLUMNS: &[&str] = &[
    "name",
    "kind",
    "stake",
    "influence",
    "interest",
    "attitude",
    "frequency",
    "owner_email",
    "organisation_id",
    "email",
    "phone",
];
pub const CSV_REQUIRED_COLUMNS: &[&str] = &["name", "kind", "influence", "interest"];

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn input(kind: &str, name: &str, influence: i64, interest: i64) -> StakeholderInput {
        StakeholderInput {
            name: name.into(),
            kind: kind.into(),
            influence: Some(IntOrText::Int(influence)),
            interest: Some(IntOrText::Int(interest)),
            ..Default::default()
        }
    }

    #[test]
    fn quadrants_split_at_the_midpoint() {
        assert_eq!(Quadrant::of(5, 5), Quadrant::ManageClosely);
        assert_eq!(Quadrant::of(3, 3), Quadrant::ManageClosely);
        assert_eq!(Quadrant::of(3, 2), Quadrant::KeepSatisfied);
        assert_eq!(Quadrant::of(2, 3), Quadrant::KeepInformed);
        assert_eq!(Quadrant::of(1, 2), Quadrant::Monitor);
        assert!(Quadrant::ManageClosely.is_key() && Quadrant::KeepSatisfied.is_key());
        assert!(!Quadrant::KeepInformed.is_key() && !Quadrant::Monitor.is_key());
    }

    #[test]
    fn a_valid_group_gets_defaults() {
        let f = input("group", " Parents of pupils ", 2, 5)
            .validate()
            .unwrap();
        assert_eq!(f.name, "Parents of pupils");
        assert_eq!(f.attitude, Attitude::Neutral);
        assert_eq!(f.frequency, EngagementFrequency::Monthly);
        assert_eq!(f.quadrant(), Quadrant::KeepInformed);
    }

    #[test]
    fn scores_outside_one_to_five_are_refused() {
        for (influence, interest) in [(0, 3), (6, 3), (3, -1), (3, 10)] {
            let errors = input("group", "G", influence, interest)
                .validate()
                .unwrap_err();
            assert!(
                errors.0.iter().any(|e| e.code == "out_of_range"),
                "{influence},{interest}"
            );
        }
        let mut text = input("group", "G", 1, 1);
        text.influence = Some(IntOrText::Text("high".into()));
        text.interest = Some(IntOrText::Text(" 4 ".into()));
        let errors = text.validate().unwrap_err();
        assert_eq!(errors.for_field("influence"), Some("not_a_whole_number"));
        assert_eq!(errors.for_field("interest"), None);
        let mut missing = input("group", "G", 1, 1);
        missing.influence = None;
        assert_eq!(
            missing.validate().unwrap_err().for_field("influence"),
            Some("required")
        );
    }

    #[test]
    fn contact_details_belong_to_persons_only() {
        let mut group = input("group", "G", 1, 1);
        group.email = Some("g@example.org".into());
        group.phone = Some("+44 20 7946 0000".into());
        let errors = group.validate().unwrap_err();
        assert_eq!(errors.for_field("email"), Some("only_for_persons"));
        assert_eq!(errors.for_field("phone"), Some("only_for_persons"));

        let mut person = input("person", "Pat Doe", 4, 4);
        person.email = Some(" Pat@Example.org ".into());
        person.phone = Some("+44 (20) 7946-0000".into());
        let f = person.validate().unwrap();
        assert_eq!(f.email.as_deref(), Some("pat@example.org"));
        person.phone = Some("call me".into());
        assert_eq!(
            person.validate().unwrap_err().for_field("phone"),
            Some("invalid_phone")
        );
    }

    #[test]
    fn a_platform_organisation_needs_its_directory_id_and_no_name() {
        let mut org = input("platform_organisation", "", 4, 2);
        assert_eq!(
            org.validate().unwrap_err().for_field("organisation_id"),
            Some("required")
        );
        org.organisation_id = Some(OrganisationId::new().to_string());
        assert!(org.validate().is_ok());
        let mut group = input("group", "G", 1, 1);
        group.organisation_id = Some(OrganisationId::new().to_string());
        assert_eq!(
            group.validate().unwrap_err().for_field("organisation_id"),
            Some("only_for_platform_organisations")
        );
    }

    #[test]
    fn unknown_choices_are_named() {
        let mut bad = input("union", "U", 1, 1);
        bad.attitude = Some("hostile".into());
        bad.frequency = Some("daily".into());
        let errors = bad.validate().unwrap_err();
        assert_eq!(errors.for_field("kind"), Some("invalid_choice"));
        assert_eq!(errors.for_field("attitude"), Some("invalid_choice"));
        assert_eq!(errors.for_field("frequency"), Some("invalid_choice"));
        assert_eq!(
            input("", "U", 1, 1)
                .validate()
                .unwrap_err()
                .for_field("kind"),
            Some("required")
        );
    }

    #[test]
    fn frequencies_follow_the_calendar() {
        assert_eq!(
            EngagementFrequency::Monthly.next_due(day("2026-01-31")),
            Some(day("2026-02-28"))
        );
        assert_eq!(
            EngagementFrequency::Fortnightly.next_due(day("2026-01-01")),
            Some(day("2026-01-15"))
        );
        assert_eq!(
            EngagementFrequency::HalfYearly.next_due(day("2026-01-01")),
            Some(day("2026-07-01"))
        );
        assert_eq!(
            EngagementFrequency::AsNeeded.next_due(day("2026-01-01")),
            None
        );
    }

    fn facts(
        quadrant: Quadrant,
        frequency: EngagementFrequency,
        added: &str,
        last: Option<&str>,
    ) -> FlagFacts {
        FlagFacts {
            quadrant,
            frequency,
            added_on: day(added),
            last_engaged_on: last.map(day),
        }
    }

    #[test]
    fn key_stakeholders_not_engaged_in_the_window_are_flagged() {
        let start = day("2026-01-01");
        let f = facts(
            Quadrant::ManageClosely,
            EngagementFrequency::AsNeeded,
            "2025-12-01",
            None,
        );
        assert!(
            flags(&f, start, 30, day("2026-01-31")).is_empty(),
            "the window's last day"
        );
        assert_eq!(
            flags(&f, start, 30, day("2026-02-01")),
            vec![Flag {
                kind: FlagKind::NotEngagedEarly,
                due: day("2026-01-31")
            }]
        );
        // Not key: no early flag.
        let low = facts(
            Quadrant::KeepInformed,
            EngagementFrequency::AsNeeded,
            "2025-12-01",
            None,
        );
        assert!(flags(&low, start, 30, day("2026-06-01")).is_empty());
        // Added late: the window runs from the day they were added.
        let late = facts(
            Quadrant::KeepSatisfied,
            EngagementFrequency::AsNeeded,
            "2026-05-01",
            None,
        );
        assert!(flags(&late, start, 30, day("2026-05-20")).is_empty());
        assert_eq!(
            flags(&late, start, 30, day("2026-06-01"))[0].due,
            day("2026-05-31")
        );
        // A per-collaboration window.
        assert!(flags(&f, start, 60, day("2026-02-15")).is_empty());
    }

    #[test]
    fn overdue_engagement_follows_the_frequency() {
        let start = day("2026-01-01");
        let f = facts(
            Quadrant::Monitor,
            EngagementFrequency::Monthly,
            "2026-01-01",
            Some("2026-03-10"),
        );
        assert!(flags(&f, start, 30, day("2026-04-10")).is_empty());
        assert_eq!(
            flags(&f, start, 30, day("2026-04-11")),
            vec![Flag {
                kind: FlagKind::EngagementOverdue,
                due: day("2026-04-10")
            }]
        );
        // Never engaged: counted from the start of the relationship.
        let never = facts(
            Quadrant::Monitor,
            EngagementFrequency::Quarterly,
            "2026-02-01",
            None,
        );
        assert_eq!(
            flags(&never, start, 30, day("2026-05-02"))[0].due,
            day("2026-05-01")
        );
        // A key stakeholder never engaged gets the early flag only, not both.
        let key = facts(
            Quadrant::ManageClosely,
            EngagementFrequency::Weekly,
            "2026-01-01",
            None,
        );
        let raised = flags(&key, start, 30, day("2026-03-01"));
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].kind, FlagKind::NotEngagedEarly);
        // Engaged late, once: now only the frequency matters.
        let late = facts(
            Quadrant::ManageClosely,
            EngagementFrequency::Monthly,
            "2026-01-01",
            Some("2026-03-01"),
        );
        assert!(flags(&late, start, 30, day("2026-03-15")).is_empty());
    }

    #[test]
    fn engagements_cannot_be_in_the_future_and_need_a_stakeholder() {
        let today = day("2026-06-01");
        let good = EngagementInput {
            engaged_on: "2026-06-01".into(),
            channel: "site_visit".into(),
            summary: "Walked the route".into(),
            stakeholder_ids: vec![StakeholderId::new().to_string()],
            ..Default::default()
        };
        assert!(good.validate(today).is_ok());
        let mut future = good.clone();
        future.engaged_on = "2026-06-02".into();
        assert_eq!(
            future.validate(today).unwrap_err().for_field("engaged_on"),
            Some("in_future")
        );
        let mut none = good.clone();
        none.stakeholder_ids = vec![];
        assert_eq!(
            none.validate(today)
                .unwrap_err()
                .for_field("stakeholder_ids"),
            Some("required")
        );
        let mut bad = good.clone();
        bad.channel = "pigeon".into();
        bad.stakeholder_ids = vec!["x".into()];
        let errors = bad.validate(today).unwrap_err();
        assert_eq!(errors.for_field("channel"), Some("invalid_choice"));
        assert_eq!(errors.for_field("stakeholder_ids"), Some("invalid_choice"));
    }

    #[test]
    fn a_follow_up_needs_an_owner_and_a_due_date() {
        let today = day("2026-06-01");
        let mut e = EngagementInput {
            engaged_on: "2026-05-01".into(),
            channel: "call".into(),
            summary: "Talked".into(),
            stakeholder_ids: vec![StakeholderId::new().to_string()],
            follow_up: Some("Send the draft".into()),
            ..Default::default()
        };
        let errors = e.validate(today).unwrap_err();
        assert_eq!(errors.for_field("follow_up_owner_id"), Some("required"));
        assert_eq!(errors.for_field("follow_up_due"), Some("required"));
        e.follow_up_owner_id = Some(UserId::new().to_string());
        e.follow_up_due = Some("2026-04-01".into());
        assert_eq!(
            e.validate(today).unwrap_err().for_field("follow_up_due"),
            Some("before_engagement")
        );
        e.follow_up_due = Some("2026-07-01".into());
        assert!(
            e.validate(today).is_ok(),
            "a follow-up may be due in the future"
        );
        e.follow_up = None;
        assert_eq!(
            e.validate(today).unwrap_err().for_field("follow_up"),
            Some("required")
        );
    }

    #[test]
    fn the_raci_rule() {
        use RaciRole::*;
        assert_eq!(raci_problems(&[Accountable, Responsible, Informed]), vec![]);
        assert_eq!(
            raci_problems(&[]),
            vec![RaciProblem::NoAccountable, RaciProblem::NoResponsible]
        );
        assert_eq!(
            raci_problems(&[Responsible]),
            vec![RaciProblem::NoAccountable]
        );
        assert_eq!(
            raci_problems(&[Accountable, Accountable, Responsible]),
            vec![RaciProblem::SeveralAccountable]
        );
        assert_eq!(
            raci_change_allowed(&[Accountable], Some(Accountable)),
            Err("accountable_already_set")
        );
        assert_eq!(
            raci_change_allowed(&[Accountable], Some(Responsible)),
            Ok(())
        );
        assert_eq!(
            raci_change_allowed(&[Responsible], Some(Accountable)),
            Ok(())
        );
    }

    #[test]
    fn raci_cells_parse_parties_and_roles() {
        let user = UserId::new();
        let objective = ObjectiveId::new();
        let cell = RaciInput {
            objective_id: objective.to_string(),
            party: format!("user:{user}"),
            role: Some("a".into()),
        }
        .validate()
        .unwrap();
        assert_eq!(cell.party, RaciParty::User(user));
        assert_eq!(cell.role, Some(RaciRole::Accountable));
        assert_eq!(RaciParty::parse(&cell.party.to_string()), Some(cell.party));
        let clear = RaciInput {
            objective_id: objective.to_string(),
            party: format!("stakeholder:{}", StakeholderId::new()),
            role: Some(String::new()),
        }
        .validate()
        .unwrap();
        assert_eq!(clear.role, None);
        let bad = RaciInput {
            objective_id: "nope".into(),
            party: "team:1".into(),
            role: Some("X".into()),
        }
        .validate()
        .unwrap_err();
        assert_eq!(bad.for_field("objective_id"), Some("invalid_choice"));
        assert_eq!(bad.for_field("party"), Some("invalid_choice"));
        assert_eq!(bad.for_field("role"), Some("invalid_choice"));
    }

    #[test]
    fn withholding_hides_only_persons() {
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let mut s = Stakeholder {
            id: StakeholderId::new(),
            collaboration_id: CollaborationId::new(),
            name: Some("Pat".into()),
            kind: StakeholderKind::Person,
            stake: None,
            influence: 1,
            interest: 1,
            quadrant: Quadrant::Monitor,
            attitude: Attitude::Neutral,
            frequency: EngagementFrequency::Monthly,
            owner_id: None,
            owner_name: None,
            organisation_id: None,
            email: Some("p@example.org".into()),
            phone: None,
            personal_data_withheld: false,
            last_engaged_on: None,
            engagement_count: 0,
            created_at: now,
            updated_at: now,
        };
        let mut group = s.clone();
        group.kind = StakeholderKind::Group;
        group.email = None;
        s.withhold_personal_data();
        group.withhold_personal_data();
        assert_eq!(
            (s.name, s.email, s.personal_data_withheld),
            (None, None, true)
        );
        assert_eq!(group.name.as_deref(), Some("Pat"));
    }
}
