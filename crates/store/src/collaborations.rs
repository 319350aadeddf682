//! Collaborations, their member organisations and people, and invitations.
//!
//! Reads that list collaborations apply the policy's read rule inside the query
//! ([`VISIBLE_TO_ACTOR`]), so an invisible row is never loaded, counted or paginated over.

use chrono::{DateTime, NaiveDate, Utc};
use concord_domain::collaboration::{
    Collaboration, CollaborationFields, CollaborationStatus, Invitation, MembershipStatus,
    OrganisationMember, OrganisationRole, PersonMember, PersonRole, PolicyArea, Visibility,
};
use concord_domain::policy::CollaborationFacts;
use concord_domain::{CollaborationId, OrganisationId, UserId};
use uuid::Uuid;

use crate::{Handle, StoreResult, on_engine, on_engine_exec, parse_stored};

/// The SQL form of `policy::collaboration_allows(.., Read)` for collaboration `c`, with `$1` the
/// actor's user id and `$2` their home organisation (both NULL for anonymous). The policy tests
/// check this against the Rust rule over every combination.
macro_rules! visible_to_actor {
    () => {
        "(c.visibility = 'public' \
          OR EXISTS (SELECT 1 FROM collaboration_people vp WHERE vp.collaboration_id = c.id AND vp.user_id = $1) \
          OR (c.visibility = 'partners' AND EXISTS (SELECT 1 FROM collaboration_organisations vo \
              WHERE vo.collaboration_id = c.id AND vo.organisation_id = $2 AND vo.status = 'active')))"
    };
}
pub const VISIBLE_TO_ACTOR: &str = visible_to_actor!();

macro_rules! collaboration_columns {
    () => {
        "c.id, c.title, c.summary, c.problem_statement, c.geography, c.start_date, c.end_date, c.status, c.visibility, \
         c.created_at, c.updated_at, lead.organisation_id AS lead_id, lo.name AS lead_name, pa.area AS area"
    };
}

macro_rules! collaboration_joins {
    () => {
        " LEFT JOIN collaboration_organisations lead ON lead.collaboration_id = c.id AND lead.role = 'lead' \
          LEFT JOIN organisations lo ON lo.id = lead.organisation_id \
          LEFT JOIN collaboration_policy_areas pa ON pa.collaboration_id = c.id "
    };
}

/// visibility, the actor's organisation's role and status, the actor's own role.
type FactsRow = (String, Option<String>, Option<String>, Option<String>);
/// organisation id, name, role, status, invited at, responded at.
type OrganisationMemberRow = (
    Uuid,
    String,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);
/// Two ids with their names, a role, and a time (people and invitations).
type PersonOrInvitationRow = (Uuid, String, Uuid, String, String, DateTime<Utc>);

/// One row per (collaboration, policy area); folded into collaborations in order.
#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    title: String,
    summary: String,
    problem_statement: Option<String>,
    geography: Option<String>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    status: String,
    visibility: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    lead_id: Option<Uuid>,
    lead_name: Option<String>,
    area: Option<String>,
}

fn fold(rows: Vec<Row>) -> StoreResult<Vec<Collaboration>> {
    let mut out: Vec<Collaboration> = Vec::new();
    for row in rows {
        let area = row
            .area
            .as_deref()
            .map(|a| parse_stored(a, PolicyArea::parse))
            .transpose()?;
        if let Some(last) = out.last_mut().filter(|c| c.id.0 == row.id) {
            last.policy_areas.extend(area);
            continue;
        }
        out.push(Collaboration {
            id: row.id.into(),
            title: row.title,
            summary: row.summary,
            problem_statement: row.problem_statement,
            policy_areas: area.into_iter().collect(),
            geography: row.geography,
            start_date: row.start_date,
            end_date: row.end_date,
            status: parse_stored(&row.status, CollaborationStatus::parse)?,
            visibility: parse_stored(&row.visibility, Visibility::parse)?,
            lead_organisation_id: row.lead_id.map(Into::into),
            lead_organisation_name: row.lead_name,
            created_at: row.created_at,
            updated_at: row.updated_at,
        });
    }
    Ok(out)
}

pub async fn insert(
    h: &mut Handle,
    id: CollaborationId,
    f: &CollaborationFields,
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO collaborations (id, title, summary, problem_statement, geography, start_date, end_date, status, \
         visibility, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(id.0)
    .bind(&f.title)
    .bind(&f.summary)
    .bind(&f.problem_statement)
    .bind(&f.geography)
    .bind(f.start_date)
    .bind(f.end_date)
    .bind(f.status.as_str())
    .bind(f.visibility.as_str())
    .bind(by.0)
    .bind(now)
    .execute(c)
    .await)?;
    set_policy_areas(h, id, &f.policy_areas).await
}

pub async fn update(
    h: &mut Handle,
    id: CollaborationId,
    f: &CollaborationFields,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE collaborations SET title = $2, summary = $3, problem_statement = $4, geography = $5, start_date = $6, \
         end_date = $7, status = $8, visibility = $9, updated_at = $10 WHERE id = $1",
    )
    .bind(id.0)
    .bind(&f.title)
    .bind(&f.summary)
    .bind(&f.problem_statement)
    .bind(&f.geography)
    .bind(f.start_date)
    .bind(f.end_date)
    .bind(f.status.as_str())
    .bind(f.visibility.as_str())
    .bind(now)
    .execute(c)
    .await)?;
    set_policy_areas(h, id, &f.policy_areas).await
}

async fn set_policy_areas(
    h: &mut Handle,
    id: CollaborationId,
    areas: &[PolicyArea],
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("DELETE FROM collaboration_policy_areas WHERE collaboration_id = $1").bind(id.0).execute(c).await)?;
    for area in areas {
        on_engine_exec!(h, c => sqlx::query("INSERT INTO collaboration_policy_areas (collaboration_id, area) VALUES ($1, $2)")
            .bind(id.0)
            .bind(area.as_str())
            .execute(c)
            .await)?;
    }
    Ok(())
}

/// Makes the changes that number what a collaboration owns take turns (see [`crate::hold_row`]):
/// the next charter version, the order of its objectives and key results, a key result's next
/// target version. Each reads the numbers and writes the next before another reads.
pub async fn hold(h: &mut Handle, id: CollaborationId) -> StoreResult<()> {
    crate::hold_row(
        h,
        "SELECT id FROM collaborations WHERE id = $1 FOR UPDATE",
        id.0,
    )
    .await
}

/// The collaboration, unconditionally (callers ask the policy first, using [`facts`]).
pub async fn get(h: &mut Handle, id: CollaborationId) -> StoreResult<Option<Collaboration>> {
    let rows: Vec<Row> = on_engine!(h, c => sqlx::query_as(concat!(
        "SELECT ", collaboration_columns!(), " FROM collaborations c ", collaboration_joins!(),
        " WHERE c.id = $1 ORDER BY pa.area"
    ))
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    Ok(fold(rows)?.pop())
}

/// What the policy needs to know about `actor`'s relation to a collaboration, in one query.
/// `None` when the collaboration does not exist.
pub async fn facts(
    h: &mut Handle,
    id: CollaborationId,
    user: Option<UserId>,
    org: Option<OrganisationId>,
) -> StoreResult<Option<CollaborationFacts>> {
    let row: Option<FactsRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT c.visibility, \
           (SELECT co.role FROM collaboration_organisations co WHERE co.collaboration_id = c.id AND co.organisation_id = $2), \
           (SELECT co.status FROM collaboration_organisations co WHERE co.collaboration_id = c.id AND co.organisation_id = $2), \
           (SELECT cp.role FROM collaboration_people cp WHERE cp.collaboration_id = c.id AND cp.user_id = $3) \
         FROM collaborations c WHERE c.id = $1",
    )
    .bind(id.0)
    .bind(org.map(|o| o.0))
    .bind(user.map(|u| u.0))
    .fetch_optional(c)
    .await)?;
    let Some((visibility, org_role, org_status, person)) = row else {
        return Ok(None);
    };
    let organisation = match (org_role, org_status) {
        (Some(role), Some(status)) => Some((
            parse_stored(&role, OrganisationRole::parse)?,
            parse_stored(&status, MembershipStatus::parse)?,
        )),
        _ => None,
    };
    Ok(Some(CollaborationFacts {
        visibility: parse_stored(&visibility, Visibility::parse)?,
        organisation,
        person: person
            .as_deref()
            .map(|p| parse_stored(p, PersonRole::parse))
            .transpose()?,
    }))
}

/// Filters for the collaboration list; every one optional.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub status: Option<CollaborationStatus>,
    /// Only collaborations this organisation is an active member of.
    pub organisation: Option<OrganisationId>,
    pub policy_area: Option<PolicyArea>,
    /// Words to find in the title or summary (case-insensitive substring).
    pub text: Option<String>,
}

fn like_pattern(text: &str) -> String {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A page of the collaborations the actor may read, newest first, strictly before the cursor id.
pub async fn list_visible(
    h: &mut Handle,
    user: Option<UserId>,
    org: Option<OrganisationId>,
    filter: &ListFilter,
    before: Option<CollaborationId>,
    limit: i64,
) -> StoreResult<Vec<Collaboration>> {
    let text = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(like_pattern);
    let rows: Vec<Row> = on_engine!(h, c => sqlx::query_as(concat!(
        "WITH page AS (SELECT c.id FROM collaborations c WHERE ", visible_to_actor!(),
        " AND ($3 IS NULL OR c.status = $3) \
          AND ($4 IS NULL OR EXISTS (SELECT 1 FROM collaboration_organisations fo \
               WHERE fo.collaboration_id = c.id AND fo.organisation_id = $4 AND fo.status = 'active')) \
          AND ($5 IS NULL OR EXISTS (SELECT 1 FROM collaboration_policy_areas fa \
               WHERE fa.collaboration_id = c.id AND fa.area = $5)) \
          AND ($6 IS NULL OR lower(c.title) LIKE $6 ESCAPE '\\' OR lower(c.summary) LIKE $6 ESCAPE '\\') \
          AND ($7 IS NULL OR c.id < $7) \
          ORDER BY c.id DESC LIMIT $8) \
         SELECT ", collaboration_columns!(), " FROM page p JOIN collaborations c ON c.id = p.id ", collaboration_joins!(),
        " ORDER BY c.id DESC, pa.area"
    ))
    .bind(user.map(|u| u.0))
    .bind(org.map(|o| o.0))
    .bind(filter.status.map(|s| s.as_str()))
    .bind(filter.organisation.map(|o| o.0))
    .bind(filter.policy_area.map(|a| a.as_str()))
    .bind(text)
    .bind(before.map(|b| b.0))
    .bind(limit)
    .fetch_all(c)
    .await)?;
    fold(rows)
}

pub async fn organisation_members(
    h: &mut Handle,
    id: CollaborationId,
) -> StoreResult<Vec<OrganisationMember>> {
    let rows: Vec<OrganisationMemberRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT co.organisation_id, o.name, co.role, co.status, co.invited_at, co.responded_at \
         FROM collaboration_organisations co JOIN organisations o ON o.id = co.organisation_id \
         WHERE co.collaboration_id = $1 \
         ORDER BY CASE co.role WHEN 'lead' THEN 0 WHEN 'partner' THEN 1 ELSE 2 END, o.name_key",
    )
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(org, name, role, status, invited_at, responded_at)| {
            Ok(OrganisationMember {
                organisation_id: org.into(),
                name,
                role: parse_stored(&role, OrganisationRole::parse)?,
                status: parse_stored(&status, MembershipStatus::parse)?,
                invited_at,
                responded_at,
            })
        })
        .collect()
}

pub async fn people(h: &mut Handle, id: CollaborationId) -> StoreResult<Vec<PersonMember>> {
    let rows: Vec<PersonOrInvitationRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT cp.user_id, u.display_name, u.organisation_id, o.name, cp.role, cp.added_at \
         FROM collaboration_people cp JOIN users u ON u.id = cp.user_id JOIN organisations o ON o.id = u.organisation_id \
         WHERE cp.collaboration_id = $1 \
         ORDER BY CASE cp.role WHEN 'coordinator' THEN 0 WHEN 'contributor' THEN 1 ELSE 2 END, u.display_name",
    )
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(user, display_name, org, org_name, role, added_at)| {
            Ok(PersonMember {
                user_id: user.into(),
                display_name,
                organisation_id: org.into(),
                organisation_name: org_name,
                role: parse_stored(&role, PersonRole::parse)?,
                added_at,
            })
        })
        .collect()
}

pub async fn organisation_membership(
    h: &mut Handle,
    id: CollaborationId,
    org: OrganisationId,
) -> StoreResult<Option<(OrganisationRole, MembershipStatus)>> {
    let row: Option<(String, String)> = on_engine!(h, c => sqlx::query_as(
        "SELECT role, status FROM collaboration_organisations WHERE collaboration_id = $1 AND organisation_id = $2",
    )
    .bind(id.0)
    .bind(org.0)
    .fetch_optional(c)
    .await)?;
    row.map(|(role, status)| {
        Ok((
            parse_stored(&role, OrganisationRole::parse)?,
            parse_stored(&status, MembershipStatus::parse)?,
        ))
    })
    .transpose()
}

/// Invites (or re-invites after a decline) an organisation; the lead is inserted as active directly.
pub async fn put_organisation(
    h: &mut Handle,
    id: CollaborationId,
    org: OrganisationId,
    role: OrganisationRole,
    status: MembershipStatus,
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO collaboration_organisations (collaboration_id, organisation_id, role, status, invited_by, invited_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (collaboration_id, organisation_id) DO UPDATE SET role = excluded.role, status = excluded.status, \
         invited_by = excluded.invited_by, invited_at = excluded.invited_at, responded_at = NULL",
    )
    .bind(id.0)
    .bind(org.0)
    .bind(role.as_str())
    .bind(status.as_str())
    .bind(by.0)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn set_organisation_status(
    h: &mut Handle,
    id: CollaborationId,
    org: OrganisationId,
    status: MembershipStatus,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE collaboration_organisations SET status = $3, responded_at = $4 WHERE collaboration_id = $1 AND organisation_id = $2",
    )
    .bind(id.0).bind(org.0).bind(status.as_str()).bind(now).execute(c).await)?;
    Ok(())
}

pub async fn set_organisation_role(
    h: &mut Handle,
    id: CollaborationId,
    org: OrganisationId,
    role: OrganisationRole,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("UPDATE collaboration_organisations SET role = $3 WHERE collaboration_id = $1 AND organisation_id = $2")
        .bind(id.0).bind(org.0).bind(role.as_str()).execute(c).await)?;
    Ok(())
}

/// Removes an organisation and every person it had on the collaboration; returns how many people.
pub async fn remove_organisation(
    h: &mut Handle,
    id: CollaborationId,
    org: OrganisationId,
) -> StoreResult<u64> {
    let people = on_engine_exec!(h, c => sqlx::query(
        "DELETE FROM collaboration_people WHERE collaboration_id = $1 AND user_id IN (SELECT id FROM users WHERE organisation_id = $2)",
    )
    .bind(id.0).bind(org.0).execute(c).await)?;
    on_engine_exec!(h, c => sqlx::query("DELETE FROM collaboration_organisations WHERE collaboration_id = $1 AND organisation_id = $2")
        .bind(id.0).bind(org.0).execute(c).await)?;
    Ok(people)
}

pub async fn person_role(
    h: &mut Handle,
    id: CollaborationId,
    user: UserId,
) -> StoreResult<Option<PersonRole>> {
    let role: Option<String> = on_engine!(h, c => sqlx::query_scalar(
        "SELECT role FROM collaboration_people WHERE collaboration_id = $1 AND user_id = $2",
    )
    .bind(id.0).bind(user.0).fetch_optional(c).await)?;
    role.map(|r| parse_stored(&r, PersonRole::parse))
        .transpose()
}

pub async fn put_person(
    h: &mut Handle,
    id: CollaborationId,
    user: UserId,
    role: PersonRole,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO collaboration_people (collaboration_id, user_id, role, added_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (collaboration_id, user_id) DO UPDATE SET role = excluded.role",
    )
    .bind(id.0).bind(user.0).bind(role.as_str()).bind(now).execute(c).await)?;
    Ok(())
}

pub async fn remove_person(h: &mut Handle, id: CollaborationId, user: UserId) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("DELETE FROM collaboration_people WHERE collaboration_id = $1 AND user_id = $2")
        .bind(id.0).bind(user.0).execute(c).await)?;
    Ok(())
}

/// Coordinators other than `except` (to refuse removing or demoting the last one).
pub async fn other_coordinators(
    h: &mut Handle,
    id: CollaborationId,
    except: UserId,
) -> StoreResult<i64> {
    Ok(on_engine!(h, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM collaboration_people WHERE collaboration_id = $1 AND role = 'coordinator' AND user_id <> $2",
    )
    .bind(id.0).bind(except.0).fetch_one(c).await)?)
}

/// Coordinators among the people of organisation `org` versus everyone else's.
pub async fn coordinators_outside(
    h: &mut Handle,
    id: CollaborationId,
    org: OrganisationId,
) -> StoreResult<i64> {
    Ok(on_engine!(h, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM collaboration_people cp JOIN users u ON u.id = cp.user_id \
         WHERE cp.collaboration_id = $1 AND cp.role = 'coordinator' AND u.organisation_id <> $2",
    )
    .bind(id.0).bind(org.0).fetch_one(c).await)?)
}

/// Open invitations addressed to organisation `org`.
pub async fn invitations_for(h: &mut Handle, org: OrganisationId) -> StoreResult<Vec<Invitation>> {
    let rows: Vec<PersonOrInvitationRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT c.id, c.title, co.organisation_id, o.name, co.role, co.invited_at \
         FROM collaboration_organisations co JOIN collaborations c ON c.id = co.collaboration_id \
         JOIN organisations o ON o.id = co.organisation_id \
         WHERE co.organisation_id = $1 AND co.status = 'invited' ORDER BY co.invited_at DESC LIMIT 100",
    )
    .bind(org.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(cid, title, oid, name, role, invited_at)| {
            Ok(Invitation {
                collaboration_id: cid.into(),
                collaboration_title: title,
                organisation_id: oid.into(),
                organisation_name: name,
                role: parse_stored(&role, OrganisationRole::parse)?,
                invited_at,
            })
        })
        .collect()
}
