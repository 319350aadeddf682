//! Stakeholders: the register, the power/interest grid, the engagement log, the early-involvement
//! and frequency flags, the RACI matrix, CSV import and export, and a person's data rights.
//!
//! Who may do what (all through the one policy):
//! - readers of the collaboration see the register and the RACI matrix, with persons' names,
//!   contact details and stakes withheld unless they are members (`ReadPersonalData`);
//! - members read the engagement log and the flags (summaries name people);
//! - coordinators and contributors add and edit (`AddContent`);
//! - coordinators set the early-involvement window, export a person's data and erase it (`Edit`).
//!
//! Audit details never carry a person's name or contact details: for persons only the kind and
//! scores are recorded (and the log keeps only a salted digest of details anyway).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use concord_domain::audit::HistoryEntry;
use concord_domain::policy::{self, Actor, CollaborationAction, CollaborationFacts};
use concord_domain::stakeholder::{
    self as domain, Attitude, CSV_COLUMNS, CSV_REQUIRED_COLUMNS, EARLY_WINDOW_MAX_DAYS, Engagement,
    EngagementInput, Erased, Flag, FlagFacts, IntOrText, Quadrant, RaciInput, RaciParty,
    RaciProblem, RaciRole, RegisterSort, Stakeholder, StakeholderFields, StakeholderInput,
    StakeholderKind,
};
use concord_domain::{
    CollaborationId, EngagementId, FieldErrors, ObjectiveId, StakeholderId, UserId,
};
use concord_store::stakeholders::{self as store};
use concord_store::{Handle, collaborations as collab_store};
use serde_json::json;

use crate::collaborations::{authorize, facts, write_as};
use crate::{App, AppError, Page, clamp_limit, decode_cursor, event, paginate, require_user};

/// Rows a CSV import may hold.
pub const IMPORT_MAX_ROWS: usize = 5000;
/// Names shown inside each quadrant of the grid; the rest are a link away.
pub const GRID_NAMES_MAX: usize = 30;
/// Rows per page of the register list.
pub const LIST_PAGE_SIZE: usize = 100;

fn allows(actor: &Actor, f: &CollaborationFacts, action: CollaborationAction) -> bool {
    policy::collaboration_allows(actor, f, action)
}

/// The collaboration's start for the flag rules: its start date, or the day it was created.
async fn start_and_window(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> Result<(NaiveDate, i64), AppError> {
    let c = collab_store::get(h, collaboration)
        .await?
        .ok_or(AppError::NotFound)?;
    let start = c.start_date.unwrap_or_else(|| c.created_at.date_naive());
    let window = store::early_window_days(h, collaboration).await?;
    Ok((start, window))
}

fn flags_of(s: &Stakeholder, start: NaiveDate, window: i64, today: NaiveDate) -> Vec<Flag> {
    domain::flags(
        &FlagFacts {
            quadrant: s.quadrant,
            frequency: s.frequency,
            added_on: s.created_at.date_naive(),
            last_engaged_on: s.last_engaged_on,
        },
        start,
        window,
        today,
    )
}

/// What a reader may see of a stakeholder: persons' data for members only, civil servants'
/// names for signed-in readers only.
fn for_reader(actor: &Actor, personal: bool, mut s: Stakeholder) -> Stakeholder {
    if !personal {
        s.withhold_personal_data();
    }
    if actor.user().is_none() {
        s.owner_id = None;
        s.owner_name = None;
    }
    s
}

/// A stakeholder with the flags it raises today (empty for readers who may not see flags).
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct StakeholderEntry {
    pub stakeholder: Stakeholder,
    pub flags: Vec<Flag>,
}

/// Narrowing and ordering of the register.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterQuery {
    /// manage_closely, keep_satisfied, keep_informed or monitor.
    pub quadrant: Option<String>,
    /// champion, supporter, neutral, sceptic or opponent.
    pub attitude: Option<String>,
    /// platform_organisation, external_organisation, group or person.
    pub kind: Option<String>,
    /// name (default), kind, influence, interest, quadrant, attitude or last_engaged.
    pub sort: Option<String>,
    /// asc (default) or desc.
    pub order: Option<String>,
    /// Page of the list, from 1.
    pub page: Option<usize>,
}

/// One quadrant of the power/interest grid.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct GridCell {
    pub quadrant: Quadrant,
    /// Stakeholders in this quadrant after the filters.
    pub count: usize,
    /// The first of them by influence then interest, at most [`GRID_NAMES_MAX`].
    pub stakeholders: Vec<StakeholderEntry>,
}

/// The register: the grid and one page of the sortable list, both after the filters.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Register {
    pub collaboration_id: CollaborationId,
    /// Four cells: manage closely, keep satisfied, keep informed, monitor.
    pub grid: Vec<GridCell>,
    pub items: Vec<StakeholderEntry>,
    /// Stakeholders in the register.
    pub total: usize,
    /// Stakeholders matching the filters.
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    pub sort: RegisterSort,
    pub descending: bool,
    /// Flagged stakeholders in the whole register (0 for readers who may not see flags).
    pub flagged: usize,
    pub early_window_days: i64,
    pub can_add: bool,
    pub can_configure: bool,
    pub personal_data_visible: bool,
}

/// The filters, parsed; an unknown value is a field error rather than "no filter".
#[derive(Clone, Copy, Debug, Default)]
struct Filters {
    quadrant: Option<Quadrant>,
    attitude: Option<Attitude>,
    kind: Option<StakeholderKind>,
    sort: Option<RegisterSort>,
    descending: bool,
}

fn parse_filters(q: &RegisterQuery) -> Result<Filters, AppError> {
    fn one<T>(
        errors: &mut FieldErrors,
        field: &str,
        raw: Option<&str>,
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
        let parsed = parse(raw);
        if parsed.is_none() {
            errors.add(field, "invalid_choice");
        }
        parsed
    }
    let mut errors = FieldErrors::new();
    let filters = Filters {
        quadrant: one(
            &mut errors,
            "quadrant",
            q.quadrant.as_deref(),
            Quadrant::parse,
        ),
        attitude: one(
            &mut errors,
            "attitude",
            q.attitude.as_deref(),
            Attitude::parse,
        ),
        kind: one(
            &mut errors,
            "kind",
            q.kind.as_deref(),
            StakeholderKind::parse,
        ),
        sort: one(&mut errors, "sort", q.sort.as_deref(), RegisterSort::parse),
        descending: match q.order.as_deref().map(str::trim) {
            None | Some("") | Some("asc") => false,
            Some("desc") => true,
            Some(_) => {
                errors.add("order", "invalid_choice");
                false
            }
        },
    };
    Ok(errors.into_result(filters)?)
}

fn quadrant_rank(q: Quadrant) -> usize {
    Quadrant::ALL.iter().position(|x| *x == q).unwrap_or(0)
}

fn attitude_rank(a: Attitude) -> usize {
    Attitude::ALL.iter().position(|x| *x == a).unwrap_or(0)
}

fn sort_key_name(s: &Stakeholder) -> String {
    s.name.as_deref().unwrap_or("").to_lowercase()
}

/// An entry with its name's sort key, computed once rather than in every comparison.
type Keyed = (String, StakeholderEntry);

/// Orders the list; ties fall back to name then id, so pages are stable.
fn sort_entries(entries: &mut [Keyed], sort: RegisterSort, descending: bool) {
    use std::cmp::Ordering;
    entries.sort_by(|(name_a, a), (name_b, b)| {
        let (x, y) = (&a.stakeholder, &b.stakeholder);
        let primary = match sort {
            RegisterSort::Name => Ordering::Equal,
            RegisterSort::Kind => x.kind.as_str().cmp(y.kind.as_str()),
            RegisterSort::Influence => x.influence.cmp(&y.influence),
            RegisterSort::Interest => x.interest.cmp(&y.interest),
            RegisterSort::Quadrant => quadrant_rank(x.quadrant).cmp(&quadrant_rank(y.quadrant)),
            RegisterSort::Attitude => attitude_rank(x.attitude).cmp(&attitude_rank(y.attitude)),
            // Never engaged sorts first: it is the most urgent.
            RegisterSort::LastEngaged => x.last_engaged_on.cmp(&y.last_engaged_on),
        };
        let ordering = primary
            .then_with(|| name_a.cmp(name_b))
            .then_with(|| x.id.cmp(&y.id));
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
}

/// The register with its grid, filtered, sorted and paged.
pub async fn register(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    query: &RegisterQuery,
) -> Result<Register, AppError> {
    let filters = parse_filters(query)?;
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let personal = allows(actor, &f, CollaborationAction::ReadPersonalData);
    let (start, window) = start_and_window(&mut h, collaboration).await?;
    let today = app.now().date_naive();
    let all = store::for_collaboration(&mut h, collaboration).await?;
    let total = all.len();
    let mut flagged = 0;
    let mut entries: Vec<Keyed> = Vec::with_capacity(all.len());
    for s in all {
        let flags = if personal {
            flags_of(&s, start, window, today)
        } else {
            Vec::new()
        };
        if !flags.is_empty() {
            flagged += 1;
        }
        if filters.quadrant.is_some_and(|q| q != s.quadrant)
            || filters.attitude.is_some_and(|a| a != s.attitude)
            || filters.kind.is_some_and(|k| k != s.kind)
        {
            continue;
        }
        let stakeholder = for_reader(actor, personal, s);
        entries.push((
            sort_key_name(&stakeholder),
            StakeholderEntry { stakeholder, flags },
        ));
    }
    let sort = filters.sort.unwrap_or(RegisterSort::Name);
    // The grid lists the weightiest first (then by name); only what it shows is copied.
    let mut by_weight: Vec<&Keyed> = entries.iter().collect();
    by_weight.sort_by(|(name_a, a), (name_b, b)| {
        let (x, y) = (&a.stakeholder, &b.stakeholder);
        (y.influence, y.interest)
            .cmp(&(x.influence, x.interest))
            .then_with(|| name_a.cmp(name_b))
            .then_with(|| x.id.cmp(&y.id))
    });
    let grid = Quadrant::ALL
        .iter()
        .map(|q| {
            let in_cell = by_weight
                .iter()
                .map(|(_, e)| e)
                .filter(|e| e.stakeholder.quadrant == *q);
            GridCell {
                quadrant: *q,
                count: in_cell.clone().count(),
                stakeholders: in_cell.take(GRID_NAMES_MAX).cloned().collect(),
            }
        })
        .collect();
    sort_entries(&mut entries, sort, filters.descending);
    let matching = entries.len();
    let pages = matching.div_ceil(LIST_PAGE_SIZE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let items = entries
        .into_iter()
        .skip((page - 1) * LIST_PAGE_SIZE)
        .take(LIST_PAGE_SIZE)
        .map(|(_, e)| e)
        .collect();
    Ok(Register {
        collaboration_id: collaboration,
        grid,
        items,
        total,
        matching,
        page,
        pages,
        sort,
        descending: filters.descending,
        flagged,
        early_window_days: window,
        can_add: allows(actor, &f, CollaborationAction::AddContent),
        can_configure: allows(actor, &f, CollaborationAction::Edit),
        personal_data_visible: personal,
    })
}

/// A stakeholder with their flags, their recent engagements (members only) and what the reader
/// may do.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct StakeholderDetail {
    pub stakeholder: Stakeholder,
    pub flags: Vec<Flag>,
    /// The 20 most recent engagements involving them (members only; empty otherwise).
    pub engagements: Vec<Engagement>,
    pub can_edit: bool,
    /// Coordinators export and erase a person's data.
    pub can_manage_personal_data: bool,
}

async fn collaboration_of(app: &App, id: StakeholderId) -> Result<CollaborationId, AppError> {
    let mut h = app.db.read().await?;
    store::collaboration_of(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn get(
    app: &App,
    actor: &Actor,
    id: StakeholderId,
) -> Result<StakeholderDetail, AppError> {
    let mut h = app.db.read().await?;
    let collaboration = store::collaboration_of(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let personal = allows(actor, &f, CollaborationAction::ReadPersonalData);
    let s = store::get(&mut h, id).await?.ok_or(AppError::NotFound)?;
    let (flags, engagements) = if personal {
        let (start, window) = start_and_window(&mut h, collaboration).await?;
        (
            flags_of(&s, start, window, app.now().date_naive()),
            store::engagements(&mut h, collaboration, Some(id), None, 20).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(StakeholderDetail {
        can_manage_personal_data: allows(actor, &f, CollaborationAction::Edit)
            && s.kind == StakeholderKind::Person,
        stakeholder: for_reader(actor, personal, s),
        flags,
        engagements: engagements
            .into_iter()
            .map(|e| engagement_for_reader(personal, e))
            .collect(),
        can_edit: allows(actor, &f, CollaborationAction::AddContent),
    })
}

/// Checks what validation alone cannot: the owner is named on the collaboration and a platform
/// organisation exists (whose directory name the stakeholder then takes).
async fn check_references(
    h: &mut Handle,
    collaboration: CollaborationId,
    fields: &mut StakeholderFields,
    prefix: &str,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if let Some(owner) = fields.owner_id {
        match collab_store::person_role(h, collaboration, owner).await {
            Ok(Some(_)) => {}
            Ok(None) => errors.add(&format!("{prefix}owner_id"), "not_named_on_collaboration"),
            Err(_) => errors.add(&format!("{prefix}owner_id"), "unavailable"),
        }
    }
    if let Some(org) = fields.organisation_id {
        match concord_store::organisations::get(h, org).await {
            Ok(Some(o)) => fields.name = o.name,
            Ok(None) => errors.add(&format!("{prefix}organisation_id"), "unknown_organisation"),
            Err(_) => errors.add(&format!("{prefix}organisation_id"), "unavailable"),
        }
    }
    errors.into_result(())
}

/// What the audit log is told about a stakeholder: never a person's name or contact details.
fn audit_details(fields: &StakeholderFields) -> serde_json::Value {
    if fields.kind == StakeholderKind::Person {
        json!({ "kind": "person", "influence": fields.influence, "interest": fields.interest })
    } else {
        json!({ "kind": fields.kind, "name": fields.name, "influence": fields.influence, "interest": fields.interest })
    }
}

/// Field names for the audit log; for persons, the personal ones are named without values.
const ALL_FIELDS: [&str; 11] = [
    "name",
    "kind",
    "stake",
    "influence",
    "interest",
    "attitude",
    "frequency",
    "owner_id",
    "organisation_id",
    "email",
    "phone",
];

pub async fn create(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    input: &StakeholderInput,
) -> Result<StakeholderDetail, AppError> {
    let mut fields = input.validate()?;
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    check_references(tx.handle(), collaboration, &mut fields, "").await?;
    let id = StakeholderId::new();
    store::insert(tx.handle(), id, collaboration, &fields, app.now()).await?;
    tx.record(event(
        actor.user_id(),
        "stakeholder.created",
        "stakeholder",
        id,
        Some(collaboration),
        &ALL_FIELDS,
        audit_details(&fields),
    ));
    app.commit(tx).await?;
    get(app, actor, id).await
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: StakeholderId,
    input: &StakeholderInput,
) -> Result<StakeholderDetail, AppError> {
    let mut fields = input.validate()?;
    let collaboration = collaboration_of(app, id).await?;
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    let before = store::get(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_references(tx.handle(), collaboration, &mut fields, "").await?;
    let changed = domain::changed_fields(&before.fields(), &fields);
    if !changed.is_empty() {
        store::update(tx.handle(), id, &fields, app.now()).await?;
        tx.record(event(
            actor.user_id(),
            "stakeholder.updated",
            "stakeholder",
            id,
            Some(collaboration),
            &changed,
            audit_details(&fields),
        ));
        app.commit(tx).await?;
    }
    get(app, actor, id).await
}

/// Removes a stakeholder from the register. Engagements they shared with others stay; their RACI
/// cells go. (For a person, [`erase`] also removes engagements that were only about them.)
pub async fn delete(app: &App, actor: &Actor, id: StakeholderId) -> Result<(), AppError> {
    let collaboration = collaboration_of(app, id).await?;
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    let before = store::get(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::delete(tx.handle(), id).await?;
    tx.record(event(
        actor.user_id(),
        "stakeholder.deleted",
        "stakeholder",
        id,
        Some(collaboration),
        &[],
        audit_details(&before.fields()),
    ));
    app.commit(tx).await?;
    Ok(())
}

/// Sets how many days after the start key stakeholders must have been engaged.
pub async fn set_early_window(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    days: &IntOrText,
) -> Result<i64, AppError> {
    let days = match days {
        IntOrText::Int(n) => Some(*n),
        IntOrText::Text(t) => t.trim().parse::<i64>().ok(),
    };
    let days = match days {
        Some(d) if (1..=EARLY_WINDOW_MAX_DAYS).contains(&d) => d,
        Some(_) => return Err(AppError::invalid("early_window_days", "out_of_range")),
        None => return Err(AppError::invalid("early_window_days", "not_a_whole_number")),
    };
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::Edit).await?;
    let before = store::early_window_days(tx.handle(), collaboration).await?;
    if before != days {
        store::set_early_window_days(tx.handle(), collaboration, days).await?;
        tx.record(event(
            actor.user_id(),
            "collaboration.early_window_changed",
            "collaboration",
            collaboration,
            Some(collaboration),
            &["early_window_days"],
            json!({ "from": before, "to": days }),
        ));
        app.commit(tx).await?;
    }
    Ok(days)
}

// ---------------------------------------------------------------------------------------------
// Flags

/// A flagged stakeholder.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FlaggedStakeholder {
    pub collaboration_id: CollaborationId,
    /// Set on the home page, where flags from several collaborations meet.
    pub collaboration_title: Option<String>,
    pub stakeholder: Stakeholder,
    pub flags: Vec<Flag>,
}

fn earliest_due(flags: &[Flag]) -> NaiveDate {
    flags.iter().map(|f| f.due).min().unwrap_or(NaiveDate::MAX)
}

/// Stakeholders needing attention in a collaboration, longest overdue first (members only).
pub async fn flagged(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<Vec<FlaggedStakeholder>, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::ReadPersonalData)?;
    let all = store::for_collaboration(&mut h, collaboration).await?;
    flag_register(app, &mut h, collaboration, all).await
}

/// The flagged stakeholders of one register, longest overdue first.
async fn flag_register(
    app: &App,
    h: &mut Handle,
    collaboration: CollaborationId,
    register: Vec<Stakeholder>,
) -> Result<Vec<FlaggedStakeholder>, AppError> {
    let (start, window) = start_and_window(h, collaboration).await?;
    let today = app.now().date_naive();
    let mut out: Vec<FlaggedStakeholder> = register
        .into_iter()
        .filter_map(|s| {
            let flags = flags_of(&s, start, window, today);
            (!flags.is_empty()).then_some(FlaggedStakeholder {
                collaboration_id: collaboration,
                collaboration_title: None,
                stakeholder: s,
                flags,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        earliest_due(&a.flags)
            .cmp(&earliest_due(&b.flags))
            .then_with(|| sort_key_name(&a.stakeholder).cmp(&sort_key_name(&b.stakeholder)))
    });
    Ok(out)
}

/// Whether the actor may read personal data in `collaboration`, asked of the policy once per
/// collaboration however many of its rows the home page lists.
async fn reads_personal_data(
    h: &mut Handle,
    actor: &Actor,
    known: &mut HashMap<CollaborationId, bool>,
    collaboration: CollaborationId,
) -> Result<bool, AppError> {
    if let Some(allowed) = known.get(&collaboration) {
        return Ok(*allowed);
    }
    let f = facts(h, actor, collaboration).await?;
    let allowed = allows(actor, &f, CollaborationAction::ReadPersonalData);
    known.insert(collaboration, allowed);
    Ok(allowed)
}

/// Flags on the stakeholders the actor keeps, across their collaborations (home page).
pub async fn my_flags(app: &App, actor: &Actor) -> Result<Vec<FlaggedStakeholder>, AppError> {
    let user = require_user(actor)?;
    let mut h = app.db.read().await?;
    let today = app.now().date_naive();
    let mut out = Vec::new();
    let mut members_of = HashMap::new();
    for owned in store::owned_by(&mut h, user.id).await? {
        let collaboration = owned.stakeholder.collaboration_id;
        if !reads_personal_data(&mut h, actor, &mut members_of, collaboration).await? {
            continue;
        }
        let flags = flags_of(
            &owned.stakeholder,
            owned.collaboration_start,
            owned.early_window_days,
            today,
        );
        if !flags.is_empty() {
            out.push(FlaggedStakeholder {
                collaboration_id: collaboration,
                collaboration_title: Some(owned.collaboration_title),
                stakeholder: owned.stakeholder,
                flags,
            });
        }
    }
    out.sort_by_key(|f| earliest_due(&f.flags));
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Engagements

fn engagement_for_reader(personal: bool, mut e: Engagement) -> Engagement {
    if !personal {
        for s in &mut e.stakeholders {
            if s.kind == StakeholderKind::Person {
                s.name = None;
            }
        }
    }
    e
}

fn engagement_cursor(e: &Engagement) -> String {
    format!("{}|{}", e.engaged_on, e.id)
}

/// A page of the engagement log, newest first (members only).
pub async fn engagements(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    stakeholder: Option<StakeholderId>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<Page<Engagement>, AppError> {
    let limit = clamp_limit(limit);
    let before = match decode_cursor(cursor)? {
        None => None,
        Some(text) => {
            let parsed = text.split_once('|').and_then(|(d, id)| {
                Some((
                    NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?,
                    id.parse::<EngagementId>().ok()?,
                ))
            });
            Some(parsed.ok_or_else(|| AppError::invalid("cursor", "invalid_cursor"))?)
        }
    };
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::ReadPersonalData)?;
    if let Some(s) = stakeholder
        && store::collaboration_of(&mut h, s).await? != Some(collaboration)
    {
        return Err(AppError::invalid("stakeholder", "not_in_collaboration"));
    }
    let rows = store::engagements(&mut h, collaboration, stakeholder, before, limit + 1).await?;
    Ok(paginate(rows, limit, engagement_cursor))
}

pub async fn get_engagement(
    app: &App,
    actor: &Actor,
    id: EngagementId,
) -> Result<Engagement, AppError> {
    let mut h = app.db.read().await?;
    let collaboration = store::collaboration_of_engagement(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::ReadPersonalData)?;
    store::get_engagement(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Records an engagement. Every stakeholder must belong to this collaboration, and a follow-up's
/// owner must be named on it.
pub async fn record_engagement(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    input: &EngagementInput,
) -> Result<Engagement, AppError> {
    let fields = input.validate(app.now().date_naive())?;
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    let mut errors = FieldErrors::new();
    let found = store::existing_in(tx.handle(), collaboration, &fields.stakeholder_ids).await?;
    if found.len() != fields.stakeholder_ids.len() {
        errors.add("stakeholder_ids", "not_in_collaboration");
    }
    if let Some(owner) = fields.follow_up_owner_id
        && collab_store::person_role(tx.handle(), collaboration, owner)
            .await?
            .is_none()
    {
        errors.add("follow_up_owner_id", "not_named_on_collaboration");
    }
    errors.into_result(())?;
    let id = EngagementId::new();
    store::insert_engagement(
        tx.handle(),
        id,
        collaboration,
        &fields,
        actor.user_id(),
        app.now(),
    )
    .await?;
    tx.record(event(
        actor.user_id(),
        "engagement.recorded",
        "engagement",
        id,
        Some(collaboration),
        &[
            "engaged_on",
            "channel",
            "summary",
            "stakeholder_ids",
            "outcome",
            "follow_up",
        ],
        // The summary may name people: only its presence is recorded, never its text.
        json!({
            "engaged_on": fields.engaged_on,
            "channel": fields.channel,
            "stakeholder_ids": fields.stakeholder_ids,
        }),
    ));
    app.commit(tx).await?;
    get_engagement(app, actor, id).await
}

async fn engagement_collaboration(
    app: &App,
    id: EngagementId,
) -> Result<CollaborationId, AppError> {
    let mut h = app.db.read().await?;
    store::collaboration_of_engagement(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn delete_engagement(app: &App, actor: &Actor, id: EngagementId) -> Result<(), AppError> {
    let collaboration = engagement_collaboration(app, id).await?;
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    let before = store::get_engagement(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::delete_engagement(tx.handle(), id).await?;
    tx.record(event(
        actor.user_id(),
        "engagement.deleted",
        "engagement",
        id,
        Some(collaboration),
        &[],
        json!({ "engaged_on": before.engaged_on, "channel": before.channel }),
    ));
    app.commit(tx).await?;
    Ok(())
}

/// Marks an engagement's follow-up done (or open again).
pub async fn set_follow_up_done(
    app: &App,
    actor: &Actor,
    id: EngagementId,
    done: bool,
) -> Result<Engagement, AppError> {
    let collaboration = engagement_collaboration(app, id).await?;
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    let before = store::get_engagement(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if before.follow_up.is_none() {
        return Err(AppError::Conflict("no_follow_up"));
    }
    if before.follow_up_done != done {
        store::set_follow_up_done(tx.handle(), id, done).await?;
        tx.record(event(
            actor.user_id(),
            if done {
                "engagement.follow_up_done"
            } else {
                "engagement.follow_up_reopened"
            },
            "engagement",
            id,
            Some(collaboration),
            &["follow_up_done"],
            json!({ "done": done }),
        ));
        app.commit(tx).await?;
    }
    get_engagement(app, actor, id).await
}

/// An open follow-up the actor owns (home page).
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FollowUp {
    pub collaboration_title: String,
    pub engagement: Engagement,
    pub overdue: bool,
}

pub async fn my_follow_ups(app: &App, actor: &Actor) -> Result<Vec<FollowUp>, AppError> {
    let user = require_user(actor)?;
    let mut h = app.db.read().await?;
    let today = app.now().date_naive();
    let mut out = Vec::new();
    let mut members_of = HashMap::new();
    for owned in store::open_follow_ups_for(&mut h, user.id).await? {
        let collaboration = owned.engagement.collaboration_id;
        if !reads_personal_data(&mut h, actor, &mut members_of, collaboration).await? {
            continue;
        }
        out.push(FollowUp {
            overdue: owned.engagement.follow_up_due.is_some_and(|d| d < today),
            collaboration_title: owned.collaboration_title,
            engagement: owned.engagement,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// RACI

/// A column of the matrix: a person named on the collaboration or a stakeholder.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RaciColumn {
    /// `user:<uuid>` or `stakeholder:<uuid>`.
    pub party: String,
    /// Withheld (None) for a person the reader may not see.
    pub label: Option<String>,
    /// `person` for someone named on the collaboration, else the stakeholder's kind.
    pub kind: String,
}

/// One objective's row: the role in each column (aligned with `RaciMatrix::columns`, `None` when
/// the cell is empty) and the rule it breaks.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RaciRow {
    pub objective_id: ObjectiveId,
    pub title: String,
    pub roles: Vec<Option<RaciRole>>,
    pub problems: Vec<RaciProblem>,
}

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RaciMatrix {
    pub collaboration_id: CollaborationId,
    /// Parties with at least one role, people first.
    pub columns: Vec<RaciColumn>,
    pub rows: Vec<RaciRow>,
    /// Every party that could be given a role (for the form).
    pub candidates: Vec<RaciColumn>,
    pub can_edit: bool,
}

pub async fn raci(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<RaciMatrix, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let personal = allows(actor, &f, CollaborationAction::ReadPersonalData);
    let signed_in = actor.user().is_some();
    let objectives = concord_store::objectives::for_collaboration(&mut h, collaboration).await?;
    let people = collab_store::people(&mut h, collaboration).await?;
    let stakeholders = store::for_collaboration(&mut h, collaboration).await?;
    let cells = store::raci_for_collaboration(&mut h, collaboration).await?;

    let mut candidates: Vec<(RaciParty, RaciColumn)> = Vec::new();
    for p in &people {
        candidates.push((
            RaciParty::User(p.user_id),
            RaciColumn {
                party: RaciParty::User(p.user_id).to_string(),
                label: signed_in.then(|| format!("{} ({})", p.display_name, p.organisation_name)),
                kind: "person".into(),
            },
        ));
    }
    let mut sorted: Vec<Stakeholder> = stakeholders;
    sorted.sort_by_key(sort_key_name);
    for s in sorted {
        let s = for_reader(actor, personal, s);
        candidates.push((
            RaciParty::Stakeholder(s.id),
            RaciColumn {
                party: RaciParty::Stakeholder(s.id).to_string(),
                label: s.name.clone(),
                kind: s.kind.as_str().into(),
            },
        ));
    }
    let used: HashSet<RaciParty> = cells.iter().map(|c| c.party).collect();
    let columns: Vec<(RaciParty, RaciColumn)> = candidates
        .iter()
        .filter(|(p, _)| used.contains(p))
        .cloned()
        .collect();
    let by_cell: HashMap<(ObjectiveId, RaciParty), RaciRole> = cells
        .iter()
        .map(|c| ((c.objective_id, c.party), c.role))
        .collect();
    let rows = objectives
        .iter()
        .map(|o| {
            let roles: Vec<Option<RaciRole>> = columns
                .iter()
                .map(|(p, _)| by_cell.get(&(o.id, *p)).copied())
                .collect();
            // The rule counts every cell of the row, including parties no longer listed.
            let all_roles: Vec<RaciRole> = cells
                .iter()
                .filter(|c| c.objective_id == o.id)
                .map(|c| c.role)
                .collect();
            RaciRow {
                objective_id: o.id,
                title: o.title.clone(),
                roles,
                problems: domain::raci_problems(&all_roles),
            }
        })
        .collect();
    Ok(RaciMatrix {
        collaboration_id: collaboration,
        columns: columns.into_iter().map(|(_, c)| c).collect(),
        rows,
        candidates: candidates.into_iter().map(|(_, c)| c).collect(),
        can_edit: allows(actor, &f, CollaborationAction::AddContent),
    })
}

/// Sets or clears one cell. A second Accountable on an objective is refused; a row still missing
/// its Accountable or Responsible is allowed and shown as breaking the rule.
pub async fn set_raci(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    input: &RaciInput,
) -> Result<RaciMatrix, AppError> {
    let cell = input.validate()?;
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    let mut errors = FieldErrors::new();
    if concord_store::objectives::collaboration_of(tx.handle(), cell.objective_id).await?
        != Some(collaboration)
    {
        errors.add("objective_id", "not_in_collaboration");
    }
    let party_known = match cell.party {
        RaciParty::User(user) => collab_store::person_role(tx.handle(), collaboration, user)
            .await?
            .is_some(),
        RaciParty::Stakeholder(s) => {
            store::collaboration_of(tx.handle(), s).await? == Some(collaboration)
        }
    };
    if !party_known {
        errors.add("party", "not_in_collaboration");
    }
    errors.into_result(())?;
    let existing = store::raci_for_objective(tx.handle(), cell.objective_id).await?;
    let before = existing
        .iter()
        .find(|c| c.party == cell.party)
        .map(|c| c.role);
    let others: Vec<RaciRole> = existing
        .iter()
        .filter(|c| c.party != cell.party)
        .map(|c| c.role)
        .collect();
    domain::raci_change_allowed(&others, cell.role)
        .map_err(|code| AppError::invalid("role", code))?;
    if before != cell.role {
        store::set_raci(
            tx.handle(),
            collaboration,
            cell.objective_id,
            cell.party,
            cell.role,
        )
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                AppError::invalid("role", "accountable_already_set")
            } else {
                AppError::Store(e)
            }
        })?;
        tx.record(event(
            actor.user_id(),
            if cell.role.is_some() {
                "raci.assigned"
            } else {
                "raci.cleared"
            },
            "objective",
            cell.objective_id,
            Some(collaboration),
            &["raci"],
            json!({ "party": cell.party.to_string(), "from": before, "to": cell.role }),
        ));
        app.commit(tx).await?;
    }
    raci(app, actor, collaboration).await
}

// ---------------------------------------------------------------------------------------------
// Import and export

/// The register as the reader may see it, sorted by name (persons' data withheld per policy).
pub async fn export(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<Vec<Stakeholder>, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let personal = allows(actor, &f, CollaborationAction::ReadPersonalData);
    let mut all = store::for_collaboration(&mut h, collaboration).await?;
    all.sort_by(|a, b| {
        sort_key_name(a)
            .cmp(&sort_key_name(b))
            .then(a.id.cmp(&b.id))
    });
    Ok(all
        .into_iter()
        .map(|s| for_reader(actor, personal, s))
        .collect())
}

/// Columns of the export, in order. The first ones are those the CSV import reads, so an export
/// edited in a spreadsheet can be imported into another collaboration.
pub const EXPORT_COLUMNS: &[&str] = &[
    "name",
    "kind",
    "stake",
    "influence",
    "interest",
    "attitude",
    "frequency",
    "organisation_id",
    "email",
    "phone",
    "id",
    "quadrant",
    "owner",
    "last_engaged_on",
    "engagement_count",
    "personal_data_withheld",
];

fn export_row(s: &Stakeholder) -> Vec<serde_json::Value> {
    use serde_json::Value;
    let text = |v: Option<&str>| v.map_or(Value::Null, Value::from);
    vec![
        text(s.name.as_deref()),
        Value::from(s.kind.as_str()),
        text(s.stake.as_deref()),
        Value::from(s.influence),
        Value::from(s.interest),
        Value::from(s.attitude.as_str()),
        Value::from(s.frequency.as_str()),
        s.organisation_id
            .map_or(Value::Null, |o| Value::from(o.to_string())),
        text(s.email.as_deref()),
        text(s.phone.as_deref()),
        Value::from(s.id.to_string()),
        Value::from(s.quadrant.as_str()),
        text(s.owner_name.as_deref()),
        s.last_engaged_on
            .map_or(Value::Null, |d| Value::from(d.to_string())),
        Value::from(s.engagement_count),
        Value::from(s.personal_data_withheld),
    ]
}

/// The register as a file: `stakeholders.csv` or `stakeholders.json` (anything else is not found).
/// CSV text cells that a spreadsheet would run as a formula are escaped.
pub async fn export_file(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    file: &str,
) -> Result<crate::dashboard::Export, AppError> {
    let format = match file {
        "stakeholders.csv" => "csv",
        "stakeholders.json" => "json",
        _ => return Err(AppError::NotFound),
    };
    let stakeholders = export(app, actor, collaboration).await?;
    let title = {
        let mut h = app.db.read().await?;
        collab_store::get(&mut h, collaboration)
            .await?
            .map(|c| c.title)
            .unwrap_or_default()
    };
    let rows: Vec<Vec<serde_json::Value>> = stakeholders.iter().map(export_row).collect();
    let body = if format == "csv" {
        let failed = |e: csv::Error| AppError::Internal(format!("writing CSV: {e}"));
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(EXPORT_COLUMNS).map_err(failed)?;
        for row in &rows {
            writer
                .write_record(row.iter().map(|v| match v {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(t) => crate::dashboard::escape_cell(t).into_owned(),
                    other => other.to_string(),
                }))
                .map_err(failed)?;
        }
        writer
            .into_inner()
            .map_err(|e| AppError::Internal(format!("writing CSV: {e}")))?
    } else {
        let items: Vec<serde_json::Map<String, serde_json::Value>> = rows
            .into_iter()
            .map(|row| {
                EXPORT_COLUMNS
                    .iter()
                    .map(|c| (*c).to_owned())
                    .zip(row)
                    .collect()
            })
            .collect();
        serde_json::to_vec(&items).map_err(|e| AppError::Internal(format!("writing JSON: {e}")))?
    };
    Ok(crate::dashboard::Export {
        filename: format!(
            "{}-stakeholders-{}.{format}",
            crate::dashboard::slug(&title),
            app.now().date_naive().format("%Y-%m-%d"),
        ),
        content_type: if format == "csv" {
            "text/csv; charset=utf-8"
        } else {
            "application/json"
        },
        body,
    })
}

/// Undoes the export's protection of formula-like cells (`'=x` → `=x`, `'+44 …` → `+44 …`), so an
/// exported register imports again.
fn unescape_cell(text: &str) -> String {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_owned(),
        _ => text.to_owned(),
    }
}

/// Imports a stakeholder list from CSV (columns: see [`CSV_COLUMNS`]; `owner_email` names a
/// person on the collaboration). The columns an export adds (id, quadrant, owner, ...) are
/// accepted and ignored, so an exported register can be imported elsewhere; any other column is
/// refused. All or nothing: every bad row is reported as `rows[N].column`
/// (N counts from 1 after the header), an unknown or missing column as `columns.NAME`.
pub async fn import_csv(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    bytes: &[u8],
) -> Result<usize, AppError> {
    // Nothing is parsed for a reader who may not write here.
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    let text = std::str::from_utf8(bytes).map_err(|_| AppError::invalid("file", "not_utf8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| AppError::invalid("file", "not_csv"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let mut errors = FieldErrors::new();
    for header in &headers {
        if !CSV_COLUMNS.contains(&header.as_str()) && !EXPORT_COLUMNS.contains(&header.as_str()) {
            errors.add(&format!("columns.{header}"), "unknown_column");
        }
    }
    let mut seen = HashSet::new();
    for header in &headers {
        if !seen.insert(header.as_str()) {
            errors.add(&format!("columns.{header}"), "duplicate_column");
        }
    }
    for required in CSV_REQUIRED_COLUMNS {
        if !headers.iter().any(|h| h == required) {
            errors.add(&format!("columns.{required}"), "missing_column");
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let column = |name: &str| headers.iter().position(|h| h == name);
    // Owners are named by email; only people named on the collaboration qualify.
    let mut owners: HashMap<String, UserId> = HashMap::new();
    for person in collab_store::people(tx.handle(), collaboration).await? {
        if let Some(user) = concord_store::users::get(tx.handle(), person.user_id).await? {
            owners.insert(user.email.to_lowercase(), user.id);
        }
    }
    let mut rows: Vec<StakeholderFields> = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 1;
        if row > IMPORT_MAX_ROWS {
            return Err(AppError::invalid("file", "too_many_rows"));
        }
        let Ok(record) = record else {
            errors.add(&format!("rows[{row}]"), "not_csv");
            continue;
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |name: &str| -> Option<String> {
            column(name)
                .and_then(|i| record.get(i))
                .map(unescape_cell)
                .filter(|s| !s.trim().is_empty())
        };
        let owner_id = match cell("owner_email") {
            None => None,
            Some(email) => match owners.get(&email.trim().to_lowercase()) {
                Some(id) => Some(id.to_string()),
                None => {
                    errors.add(
                        &format!("rows[{row}].owner_email"),
                        "not_named_on_collaboration",
                    );
                    None
                }
            },
        };
        let input = StakeholderInput {
            name: cell("name").unwrap_or_default(),
            kind: cell("kind").unwrap_or_default(),
            stake: cell("stake"),
            influence: cell("influence").map(IntOrText::Text),
            interest: cell("interest").map(IntOrText::Text),
            attitude: cell("attitude"),
            frequency: cell("frequency"),
            owner_id,
            organisation_id: cell("organisation_id"),
            email: cell("email"),
            phone: cell("phone"),
        };
        match input.validate() {
            Ok(mut fields) => {
                match check_references(
                    tx.handle(),
                    collaboration,
                    &mut fields,
                    &format!("rows[{row}]."),
                )
                .await
                {
                    Ok(()) => rows.push(fields),
                    Err(row_errors) => errors.0.extend(row_errors.0),
                }
            }
            Err(row_errors) => {
                for e in row_errors.0 {
                    errors.add(&format!("rows[{row}].{}", e.field), &e.code);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if rows.is_empty() {
        return Err(AppError::invalid("file", "no_rows"));
    }
    let now = app.now();
    for fields in &rows {
        let id = StakeholderId::new();
        store::insert(tx.handle(), id, collaboration, fields, now).await?;
        tx.record(event(
            actor.user_id(),
            "stakeholder.imported",
            "stakeholder",
            id,
            Some(collaboration),
            &ALL_FIELDS,
            audit_details(fields),
        ));
    }
    app.commit(tx).await?;
    Ok(rows.len())
}

// ---------------------------------------------------------------------------------------------
// A person's data rights

/// Everything Concord holds about one stakeholder, for a subject-access request.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PersonalDataExport {
    pub exported_at: DateTime<Utc>,
    pub stakeholder: Stakeholder,
    /// Every engagement that involved them.
    pub engagements: Vec<Engagement>,
    /// Their RACI cells: objective and role.
    pub raci: Vec<PersonalRaciCell>,
    /// The audit log's record of changes to their entry (what and when; the log never holds
    /// the values).
    pub audit_events: Vec<HistoryEntry>,
}

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PersonalRaciCell {
    pub objective_id: ObjectiveId,
    pub role: RaciRole,
}

async fn coordinator_write(
    app: &App,
    actor: &Actor,
    id: StakeholderId,
) -> Result<(CollaborationId, concord_store::WriteTx, Stakeholder), AppError> {
    let collaboration = collaboration_of(app, id).await?;
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::Edit).await?;
    let s = store::get(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((collaboration, tx, s))
}

/// Exports everything held about a stakeholder (coordinators only). The export itself is
/// recorded in the audit log: who looked at a person's data is part of the record.
pub async fn export_personal_data(
    app: &App,
    actor: &Actor,
    id: StakeholderId,
) -> Result<PersonalDataExport, AppError> {
    let (collaboration, mut tx, stakeholder) = coordinator_write(app, actor, id).await?;
    let mut engagements = Vec::new();
    let mut cursor = None;
    loop {
        let page = store::engagements(tx.handle(), collaboration, Some(id), cursor, 500).await?;
        let done = page.len() < 500;
        cursor = page.last().map(|e| (e.engaged_on, e.id));
        engagements.extend(page);
        if done {
            break;
        }
    }
    let raci = store::raci_for_party(tx.handle(), RaciParty::Stakeholder(id))
        .await?
        .into_iter()
        .map(|c| PersonalRaciCell {
            objective_id: c.objective_id,
            role: c.role,
        })
        .collect();
    let audit_events =
        concord_store::audit::for_object(tx.handle(), "stakeholder", &id.to_string()).await?;
    tx.record(event(
        actor.user_id(),
        "stakeholder.personal_data_exported",
        "stakeholder",
        id,
        Some(collaboration),
        &[],
        json!({ "engagements": engagements.len() }),
    ));
    app.commit(tx).await?;
    Ok(PersonalDataExport {
        exported_at: app.now(),
        stakeholder,
        engagements,
        raci,
        audit_events,
    })
}

/// Erases a person: their entry, engagements only about them, their links to shared ones and
/// their RACI cells (coordinators only). The audit event records that an erasure happened and
/// what it removed, never what the data was; earlier events keep only salted digests, so the
/// chain still verifies. After commit the freed bytes are scrubbed from the database files.
pub async fn erase(app: &App, actor: &Actor, id: StakeholderId) -> Result<Erased, AppError> {
    let (collaboration, mut tx, stakeholder) = coordinator_write(app, actor, id).await?;
    if stakeholder.kind != StakeholderKind::Person {
        return Err(AppError::Conflict("only_persons_are_erased"));
    }
    let erased = store::erase(tx.handle(), id).await?;
    tx.record(event(
        actor.user_id(),
        "stakeholder.erased",
        "stakeholder",
        id,
        Some(collaboration),
        &["name", "stake", "email", "phone"],
        json!(erased),
    ));
    app.commit(tx).await?;
    // A reader holding an old snapshot can delay the checkpoint; try a few times.
    for attempt in 0..5u64 {
        let mut h = app.db.read().await?;
        if store::scrub_after_erasure(&mut h).await? {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
    }
    Ok(erased)
}

// ---------------------------------------------------------------------------------------------
// The collaboration page's summary

/// What the collaboration page shows of the register: how many stakeholders it holds and, for
/// members, which of them need attention (longest overdue first).
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct StakeholderOverview {
    pub total: usize,
    /// `None` for readers who may not see flags (they are not members).
    pub flagged: Option<Vec<FlaggedStakeholder>>,
}

/// The register's size and, for members, its flagged stakeholders: one read of the register for
/// members, a count for everyone else.
pub async fn overview(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<StakeholderOverview, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    if !allows(actor, &f, CollaborationAction::ReadPersonalData) {
        let total = store::count(&mut h, collaboration).await?;
        return Ok(StakeholderOverview {
            total: usize::try_from(total).unwrap_or(0),
            flagged: None,
        });
    }
    let all = store::for_collaboration(&mut h, collaboration).await?;
    let total = all.len();
    let flagged = flag_register(app, &mut h, collaboration, all).await?;
    Ok(StakeholderOverview {
        total,
        flagged: Some(flagged),
    })
}
