//! Decisions and action items. A decision records what was decided, why, the options weighed, who
//! decided (a meeting of the collaboration and/or people named on it) and when; its visibility may
//! be narrower than the collaboration's (members only, some organisations) or wider (`public`: for
//! transparency, readable by anyone even on a partners-only collaboration, never on a confidential
//! one). Action items have an owner named on the collaboration, a due date and a status, and may
//! point at a decision, a meeting and an objective of the same collaboration; an item linked to a
//! decision is visible exactly where the decision is, otherwise where the collaboration is.
//!
//! The read rule is [`ReadScope::allows`]; the store applies the same rule inside SQL.

use chrono::{DateTime, NaiveDate, Utc};

use crate::collaboration::{MembershipStatus, Visibility};
use crate::policy::{self, Actor, CollaborationAction, CollaborationFacts};
use crate::thread::AudienceOrganisation;
use crate::validation::{self, FieldErrors};
use crate::{
    ActionItemId, CollaborationId, DecisionId, MeetingId, ObjectiveId, OrganisationId, UserId,
};

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 20_000;
pub const OPTION_MAX: usize = 300;
pub const OPTIONS_MAX: usize = 20;
pub const AUDIENCE_MAX: usize = 50;
pub const PEOPLE_MAX: usize = 50;

text_enum!(
    /// Who may read a decision.
    DecisionVisibility {
        Collaboration => "collaboration",
        Members => "members",
        Organisations => "organisations",
        Public => "public",
    }
);

text_enum!(
    /// Where an action item stands.
    ActionItemStatus {
        Open => "open",
        Done => "done",
        Cancelled => "cancelled",
    }
);

/// What the read rule needs to know about one reader and one collaboration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadScope {
    /// The reader may read the collaboration.
    pub can_read: bool,
    /// The reader is a member: their organisation is an active member, or they are named on it.
    pub member: bool,
    /// The reader's home organisation (none for anonymous).
    pub organisation: Option<OrganisationId>,
}

impl ReadScope {
    pub fn of(actor: &Actor, facts: &CollaborationFacts) -> ReadScope {
        let can_read = policy::collaboration_allows(actor, facts, CollaborationAction::Read);
        let member = actor.user().is_some()
            && (facts.person.is_some()
                || matches!(facts.organisation, Some((_, MembershipStatus::Active))));
        ReadScope {
            can_read,
            member: can_read && member,
            organisation: actor.user().map(|u| u.organisation_id),
        }
    }

    /// May this reader read a decision with this visibility and audience?
    pub fn allows(&self, visibility: DecisionVisibility, audience: &[OrganisationId]) -> bool {
        match visibility {
            DecisionVisibility::Public => true,
            DecisionVisibility::Collaboration => self.can_read,
            DecisionVisibility::Members => self.member,
            DecisionVisibility::Organisations => {
                self.can_read && self.organisation.is_some_and(|o| audience.contains(&o))
            }
        }
    }

    /// May this reader read an action item (linked to a decision with this visibility and
    /// audience, or to none)?
    pub fn allows_item(&self, decision: Option<(DecisionVisibility, &[OrganisationId])>) -> bool {
        match decision {
            Some((visibility, audience)) => self.allows(visibility, audience),
            None => self.can_read,
        }
    }
}

/// `public` is refused on a confidential collaboration: its very existence is not public.
pub fn visibility_fits(collaboration: Visibility, decision: DecisionVisibility) -> bool {
    !(collaboration == Visibility::Confidential && decision == DecisionVisibility::Public)
}

/// Whether a person named on the collaboration, of organisation `org`, may read a decision.
/// Everyone named reads the collaboration and counts as a member, so only a decision for chosen
/// organisations leaves anyone out.
pub fn named_person_may_read(
    visibility: DecisionVisibility,
    audience: &[OrganisationId],
    org: Option<OrganisationId>,
) -> bool {
    visibility != DecisionVisibility::Organisations || org.is_some_and(|o| audience.contains(&o))
}

/// Whom to tell of a new decision: the people named on the collaboration (given with their
/// organisation) who may read it.
pub fn people_to_tell(
    visibility: DecisionVisibility,
    audience: &[OrganisationId],
    named: &[(UserId, OrganisationId)],
) -> Vec<UserId> {
    named
        .iter()
        .filter(|(_, org)| named_person_may_read(visibility, audience, Some(*org)))
        .map(|(user, _)| *user)
        .collect()
}

/// Whom to tell when an edit changes who may read a decision: the named people who may read it
/// now and could not before. The others were told when it was recorded, or may not read it.
pub fn people_newly_able_to_read(
    before: (DecisionVisibility, &[OrganisationId]),
    after: (DecisionVisibility, &[OrganisationId]),
    named: &[(UserId, OrganisationId)],
) -> Vec<UserId> {
    named
        .iter()
        .filter(|(_, org)| {
            named_person_may_read(after.0, after.1, Some(*org))
                && !named_person_may_read(before.0, before.1, Some(*org))
        })
        .map(|(user, _)| *user)
        .collect()
}

/// Whom to tell about an assignment: the new owner, when the owner changed (or the item is new)
/// and the owner is not the person who made the change.
pub fn newly_assigned(before: Option<UserId>, after: UserId, by: Option<UserId>) -> Option<UserId> {
    (before != Some(after) && by != Some(after)).then_some(after)
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

fn optional_id<T: std::str::FromStr>(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
) -> Option<T> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match raw.parse::<T>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.add(field, "invalid_choice");
            None
        }
    }
}

fn id_list<T: std::str::FromStr + PartialEq>(
    errors: &mut FieldErrors,
    field: &str,
    raw: &[String],
    max: usize,
) -> Vec<T> {
    let mut out = Vec::new();
    for item in raw.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match item.parse::<T>() {
            Ok(id) if !out.contains(&id) => out.push(id),
            Ok(_) => {}
            Err(_) => {
                errors.add(field, "invalid_choice");
                return out;
            }
        }
    }
    if out.len() > max {
        errors.add(field, "too_many");
    }
    out
}

/// A decision as submitted, before validation.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    #[serde(default)]
    pub title: String,
    /// What was decided (Markdown).
    #[serde(default)]
    pub decided: String,
    /// Why (Markdown); optional.
    #[serde(default)]
    pub rationale: String,
    /// The options considered, in order (short texts; blank ones are dropped).
    #[serde(default)]
    pub options: Vec<String>,
    /// The meeting that decided (a meeting of the same collaboration); optional if people are
    /// named.
    #[serde(default)]
    pub meeting_id: Option<String>,
    /// Ids of the people (named on the collaboration) who decided; optional if a meeting is given.
    #[serde(default)]
    pub decided_by: Vec<String>,
    /// ISO date, `YYYY-MM-DD`; not in the future.
    #[serde(default)]
    pub decided_on: String,
    /// collaboration (default), members, organisations or public.
    #[serde(default)]
    pub visibility: Option<String>,
    /// With `organisations`: ids of active member organisations, including the author's own.
    #[serde(default)]
    pub audience: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionFields {
    pub title: String,
    pub decided: String,
    pub rationale: Option<String>,
    pub options: Vec<String>,
    pub meeting_id: Option<MeetingId>,
    pub decided_by: Vec<UserId>,
    pub decided_on: NaiveDate,
    pub visibility: DecisionVisibility,
    pub audience: Vec<OrganisationId>,
}

impl DecisionInput {
    /// Checks the input against `today` (a decision cannot be taken in the future).
    pub fn validate(&self, today: NaiveDate) -> Result<DecisionFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = validation::required_text(&mut errors, "title", &self.title, TITLE_MAX);
        let decided = self.decided.trim_end().to_owned();
        if decided.trim().is_empty() {
            errors.add("decided", "required");
        } else if decided.chars().count() > TEXT_MAX {
            errors.add("decided", "too_long");
        }
        let rationale = self.rationale.trim_end();
        let rationale = if rationale.trim().is_empty() {
            None
        } else {
            if rationale.chars().count() > TEXT_MAX {
                errors.add("rationale", "too_long");
            }
            Some(rationale.to_owned())
        };
        let options: Vec<String> = self
            .options
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect();
        if options.len() > OPTIONS_MAX {
            errors.add("options", "too_many");
        } else if options.iter().any(|o| o.chars().count() > OPTION_MAX) {
            errors.add("options", "too_long");
        }
        let meeting_id = optional_id(&mut errors, "meeting_id", self.meeting_id.as_deref());
        let decided_by = id_list(&mut errors, "decided_by", &self.decided_by, PEOPLE_MAX);
        if meeting_id.is_none()
            && decided_by.is_empty()
            && errors.for_field("meeting_id").is_none()
            && errors.for_field("decided_by").is_none()
        {
            errors.add("decided_by", "meeting_or_people_required");
        }
        let decided_on = date(&mut errors, "decided_on", &self.decided_on);
        if decided_on.is_some_and(|d| d > today) {
            errors.add("decided_on", "in_future");
        }
        let visibility = match self
            .visibility
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => Some(DecisionVisibility::Collaboration),
            Some(v) => {
                let parsed = DecisionVisibility::parse(v);
                if parsed.is_none() {
                    errors.add("visibility", "invalid_choice");
                }
                parsed
            }
        };
        let mut audience = id_list(&mut errors, "audience", &self.audience, AUDIENCE_MAX);
        match visibility {
            Some(DecisionVisibility::Organisations) => {
                if audience.is_empty() && errors.for_field("audience").is_none() {
                    errors.add("audience", "required");
                }
            }
            // Organisations ticked for another visibility mean nothing: dropped.
            _ => audience.clear(),
        }
        match (decided_on, visibility) {
            (Some(decided_on), Some(visibility)) if errors.is_empty() => Ok(DecisionFields {
                title,
                decided,
                rationale,
                options,
                meeting_id,
                decided_by,
                decided_on,
                visibility,
                audience,
            }),
            _ => Err(errors),
        }
    }
}

/// A person named on a decision.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DecisionPerson {
    pub id: UserId,
    pub name: String,
}

/// A meeting as decisions and action items point at it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MeetingRef {
    pub id: MeetingId,
    pub title: String,
    pub starts_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Decision {
    pub id: DecisionId,
    pub collaboration_id: CollaborationId,
    pub collaboration_title: String,
    pub title: String,
    /// What was decided (Markdown as written).
    pub decided: String,
    /// Why (Markdown as written).
    pub rationale: Option<String>,
    /// The options considered, in order.
    pub options: Vec<String>,
    pub meeting: Option<MeetingRef>,
    pub decided_by: Vec<DecisionPerson>,
    pub decided_on: NaiveDate,
    pub visibility: DecisionVisibility,
    /// With `organisations`: whose people may read it.
    pub audience: Vec<AudienceOrganisation>,
    pub action_item_count: i64,
    pub created_by: Option<UserId>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An action item as submitted (created or replaced), before validation.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ActionItemInput {
    #[serde(default)]
    pub title: String,
    /// A person named on the collaboration.
    #[serde(default)]
    pub owner_id: String,
    /// ISO date, `YYYY-MM-DD`.
    #[serde(default)]
    pub due_on: String,
    /// A decision of the same collaboration (optional).
    #[serde(default)]
    pub decision_id: Option<String>,
    /// A meeting of the same collaboration (optional).
    #[serde(default)]
    pub meeting_id: Option<String>,
    /// An objective of the same collaboration (optional).
    #[serde(default)]
    pub objective_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionItemFields {
    pub title: String,
    pub owner_id: UserId,
    pub due_on: NaiveDate,
    pub decision_id: Option<DecisionId>,
    pub meeting_id: Option<MeetingId>,
    pub objective_id: Option<ObjectiveId>,
}

impl ActionItemInput {
    pub fn validate(&self) -> Result<ActionItemFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = validation::required_text(&mut errors, "title", &self.title, TITLE_MAX);
        let owner_id = if self.owner_id.trim().is_empty() {
            errors.add("owner_id", "required");
            None
        } else {
            optional_id(&mut errors, "owner_id", Some(&self.owner_id))
        };
        let due_on = date(&mut errors, "due_on", &self.due_on);
        let decision_id = optional_id(&mut errors, "decision_id", self.decision_id.as_deref());
        let meeting_id = optional_id(&mut errors, "meeting_id", self.meeting_id.as_deref());
        let objective_id = optional_id(&mut errors, "objective_id", self.objective_id.as_deref());
        match (owner_id, due_on) {
            (Some(owner_id), Some(due_on)) if errors.is_empty() => Ok(ActionItemFields {
                title,
                owner_id,
                due_on,
                decision_id,
                meeting_id,
                objective_id,
            }),
            _ => Err(errors),
        }
    }
}

/// A new status for an action item.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ActionItemStatusInput {
    /// open, done or cancelled.
    #[serde(default)]
    pub status: String,
}

impl ActionItemStatusInput {
    pub fn validate(&self) -> Result<ActionItemStatus, FieldErrors> {
        ActionItemStatus::parse(self.status.trim())
            .ok_or_else(|| FieldErrors::single("status", "invalid_choice"))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ActionItem {
    pub id: ActionItemId,
    pub collaboration_id: CollaborationId,
    pub collaboration_title: String,
    pub title: String,
    pub owner_id: UserId,
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub status: ActionItemStatus,
    /// Open and due before today.
    pub overdue: bool,
    pub decision_id: Option<DecisionId>,
    pub decision_title: Option<String>,
    pub meeting: Option<MeetingRef>,
    pub objective_id: Option<ObjectiveId>,
    pub objective_title: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ActionItem {
    /// Open and due before `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == ActionItemStatus::Open && self.due_on < today
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_decision_is_told_to_the_named_people_who_may_read_it() {
        let (a, b) = (UserId::new(), UserId::new());
        let (city, trust) = (OrganisationId::new(), OrganisationId::new());
        let named = [(a, city), (b, trust)];
        for v in [
            DecisionVisibility::Public,
            DecisionVisibility::Collaboration,
            DecisionVisibility::Members,
        ] {
            assert_eq!(people_to_tell(v, &[], &named), vec![a, b]);
        }
        let only_city = people_to_tell(DecisionVisibility::Organisations, &[city], &named);
        assert_eq!(only_city, vec![a]);
    }

    #[test]
    fn widening_a_decision_tells_only_those_who_could_not_read_it_before() {
        let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
        let (city, trust, uni) = (
            OrganisationId::new(),
            OrganisationId::new(),
            OrganisationId::new(),
        );
        let named = [(a, city), (b, trust), (c, uni)];
        let orgs = DecisionVisibility::Organisations;
        let city_only = (orgs, &[city][..]);
        assert_eq!(
            people_newly_able_to_read(city_only, (orgs, &[city, trust]), &named),
            vec![b]
        );
        assert_eq!(
            people_newly_able_to_read(city_only, (DecisionVisibility::Public, &[]), &named),
            vec![b, c]
        );
        // Narrowing, or changing between levels every named person reads, tells nobody.
        assert!(
            people_newly_able_to_read((DecisionVisibility::Members, &[]), city_only, &named)
                .is_empty()
        );
        assert!(
            people_newly_able_to_read(
                (DecisionVisibility::Members, &[]),
                (DecisionVisibility::Public, &[]),
                &named
            )
            .is_empty()
        );
        assert!(people_newly_able_to_read(city_only, city_only, &named).is_empty());
    }

    use super::*;
    use crate::collaboration::{OrganisationRole, PersonRole};
    use crate::policy::UserActor;
    use crate::user::OrgRole;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn input() -> DecisionInput {
        DecisionInput {
            title: " Adopt the shared rota ".into(),
            decided: "We adopt **the rota**.\n".into(),
            decided_by: vec![UserId::new().to_string()],
            decided_on: "2026-11-30".into(),
            options: vec!["Rota".into(), " ".into(), "Status quo".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_decision_is_validated_and_defaults_to_the_collaborations_visibility() {
        let ok = input().validate(day("2026-12-01")).unwrap();
        assert_eq!(ok.title, "Adopt the shared rota");
        assert_eq!(ok.decided, "We adopt **the rota**.");
        assert_eq!(ok.options, vec!["Rota", "Status quo"]);
        assert_eq!(ok.visibility, DecisionVisibility::Collaboration);
        assert_eq!(ok.rationale, None);
    }

    #[test]
    fn bad_decisions_get_field_errors() {
        let errors = DecisionInput::default()
            .validate(day("2026-12-01"))
            .unwrap_err();
        assert_eq!(errors.for_field("title"), Some("required"));
        assert_eq!(errors.for_field("decided"), Some("required"));
        assert_eq!(
            errors.for_field("decided_by"),
            Some("meeting_or_people_required")
        );
        assert_eq!(errors.for_field("decided_on"), Some("required"));
        let future = DecisionInput {
            decided_on: "2026-12-02".into(),
            ..input()
        };
        assert_eq!(
            future
                .validate(day("2026-12-01"))
                .unwrap_err()
                .for_field("decided_on"),
            Some("in_future")
        );
        let narrow = DecisionInput {
            visibility: Some("organisations".into()),
            ..input()
        };
        assert_eq!(
            narrow
                .validate(day("2026-12-01"))
                .unwrap_err()
                .for_field("audience"),
            Some("required")
        );
        let odd = DecisionInput {
            visibility: Some("everyone".into()),
            meeting_id: Some("nope".into()),
            ..input()
        };
        let errors = odd.validate(day("2026-12-01")).unwrap_err();
        assert_eq!(errors.for_field("visibility"), Some("invalid_choice"));
        assert_eq!(errors.for_field("meeting_id"), Some("invalid_choice"));
    }

    #[test]
    fn an_audience_is_kept_only_for_organisations() {
        let org = OrganisationId::new();
        let members = DecisionInput {
            visibility: Some("members".into()),
            audience: vec![org.to_string()],
            ..input()
        }
        .validate(day("2026-12-01"))
        .unwrap();
        assert!(members.audience.is_empty());
        let orgs = DecisionInput {
            visibility: Some("organisations".into()),
            audience: vec![org.to_string(), org.to_string()],
            ..input()
        }
        .validate(day("2026-12-01"))
        .unwrap();
        assert_eq!(orgs.audience, vec![org]);
    }

    fn facts(
        visibility: Visibility,
        organisation: Option<MembershipStatus>,
        person: Option<PersonRole>,
    ) -> CollaborationFacts {
        CollaborationFacts {
            visibility,
            organisation: organisation.map(|s| (OrganisationRole::Partner, s)),
            person,
        }
    }

    fn user(org: OrganisationId) -> Actor {
        Actor::User(UserActor {
            id: UserId::new(),
            organisation_id: org,
            org_role: OrgRole::Member,
            platform_admin: false,
        })
    }

    /// The four readers of the brief against the four levels, on each collaboration visibility.
    #[test]
    fn the_visibility_matrix() {
        use DecisionVisibility as D;
        let (mine, other) = (OrganisationId::new(), OrganisationId::new());
        let audience = [mine];
        for collab in Visibility::ALL {
            let anonymous = ReadScope::of(&Actor::Anonymous, &facts(*collab, None, None));
            let outsider = ReadScope::of(&user(OrganisationId::new()), &facts(*collab, None, None));
            // A member whose organisation is not in the decision's audience.
            let other_member = ReadScope::of(
                &user(other),
                &facts(*collab, None, Some(PersonRole::Contributor)),
            );
            let member = ReadScope::of(
                &user(mine),
                &facts(*collab, Some(MembershipStatus::Active), None),
            );
            let public_collab = *collab == Visibility::Public;
            let named_reads = *collab != Visibility::Confidential;
            // public: everyone.
            for scope in [anonymous, outsider, other_member, member] {
                assert!(scope.allows(D::Public, &[]));
            }
            // collaboration: whoever reads the collaboration.
            assert_eq!(anonymous.allows(D::Collaboration, &[]), public_collab);
            assert_eq!(outsider.allows(D::Collaboration, &[]), public_collab);
            assert!(other_member.allows(D::Collaboration, &[]));
            assert_eq!(member.allows(D::Collaboration, &[]), named_reads);
            // members: never anonymous or outsiders, even on a public collaboration.
            assert!(!anonymous.allows(D::Members, &[]));
            assert!(!outsider.allows(D::Members, &[]));
            assert!(other_member.allows(D::Members, &[]));
            assert_eq!(member.allows(D::Members, &[]), named_reads);
            // organisations: only people of the audience's organisations.
            assert!(!anonymous.allows(D::Organisations, &audience));
            assert!(!outsider.allows(D::Organisations, &audience));
            assert!(!other_member.allows(D::Organisations, &audience));
            assert_eq!(member.allows(D::Organisations, &audience), named_reads);
        }
    }

    #[test]
    fn action_items_follow_their_decision_or_the_collaboration() {
        let partners = facts(Visibility::Partners, None, None);
        let anonymous = ReadScope::of(&Actor::Anonymous, &partners);
        assert!(!anonymous.allows_item(None));
        assert!(anonymous.allows_item(Some((DecisionVisibility::Public, &[]))));
        assert!(!anonymous.allows_item(Some((DecisionVisibility::Collaboration, &[]))));
    }

    #[test]
    fn public_is_refused_on_confidential_collaborations_only() {
        for v in DecisionVisibility::ALL {
            assert!(visibility_fits(Visibility::Public, *v));
            assert!(visibility_fits(Visibility::Partners, *v));
            assert_eq!(
                visibility_fits(Visibility::Confidential, *v),
                *v != DecisionVisibility::Public
            );
        }
    }

    #[test]
    fn action_items_are_validated() {
        let errors = ActionItemInput::default().validate().unwrap_err();
        assert_eq!(errors.for_field("title"), Some("required"));
        assert_eq!(errors.for_field("owner_id"), Some("required"));
        assert_eq!(errors.for_field("due_on"), Some("required"));
        let bad = ActionItemInput {
            title: "Call the depot".into(),
            owner_id: "x".into(),
            due_on: "31/12/2026".into(),
            objective_id: Some("y".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(bad.for_field("owner_id"), Some("invalid_choice"));
        assert_eq!(bad.for_field("due_on"), Some("invalid_date"));
        assert_eq!(bad.for_field("objective_id"), Some("invalid_choice"));
        assert_eq!(
            ActionItemStatusInput {
                status: "done".into()
            }
            .validate(),
            Ok(ActionItemStatus::Done)
        );
        assert!(ActionItemStatusInput::default().validate().is_err());
    }

    #[test]
    fn the_owner_is_told_of_a_new_assignment_unless_they_made_it() {
        let (a, b) = (UserId::new(), UserId::new());
        assert_eq!(newly_assigned(None, a, Some(b)), Some(a));
        assert_eq!(newly_assigned(None, a, Some(a)), None);
        assert_eq!(newly_assigned(Some(a), a, Some(b)), None);
        assert_eq!(newly_assigned(Some(a), b, Some(a)), Some(b));
    }

    #[test]
    fn overdue_means_open_and_past_due() {
        let item = ActionItem {
            id: ActionItemId::new(),
            collaboration_id: CollaborationId::new(),
            collaboration_title: "C".into(),
            title: "T".into(),
            owner_id: UserId::new(),
            owner_name: "O".into(),
            due_on: day("2026-11-30"),
            status: ActionItemStatus::Open,
            overdue: false,
            decision_id: None,
            decision_title: None,
            meeting: None,
            objective_id: None,
            objective_title: None,
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
        };
        assert!(item.is_overdue(day("2026-12-01")));
        assert!(!item.is_overdue(day("2026-11-30")));
        let done = ActionItem {
            status: ActionItemStatus::Done,
            ..item
        };
        assert!(!done.is_overdue(day("2026-12-01")));
    }
}
