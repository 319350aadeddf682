//! Dashboards, portfolios and exports: read-only views over a collaboration's objectives, key
//! results and measurements, for whoever may read the collaboration (everything else answers
//! `NotFound`, as everywhere).
//!
//! # Fixed cost
//!
//! A collaboration's dashboard and its exports take five queries whatever the number of objectives,
//! key results and measurements: the policy facts, the collaboration, its objectives, its key
//! results, its measurements (the `for_collaboration` reads of the store). Grouping and evaluation
//! happen here, in memory. An organisation's portfolio takes the same three content queries per
//! collaboration listed, after the visibility-scoped list itself.
//!
//! # An objective's status
//!
//! An objective has no measurement of its own: its status on a dashboard is the **worst** of its
//! key results' statuses, in this order from worst to best: off track, at risk, stale, not started,
//! on track, achieved ([`SEVERITY`]). So one key result off track makes the objective off track;
//! an objective is achieved only when every key result is; one without key results is **not
//! started**. The objective's own lifecycle status (draft, active, achieved, dropped) is kept and
//! shown beside it, unchanged.
//!
//! # Personal data
//!
//! Names of civil servants are shown to signed-in readers only: for anonymous readers of a public
//! collaboration, owners' names and ids and the names of who recorded a measurement are left out.
//!
//! # Exports
//!
//! Objectives, key results and measurements as CSV (UTF-8, comma-separated, a header row) or JSON
//! (an array of objects with the same fields). Every text cell of a CSV file that starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single quote
//! ([`escape_cell`]), so that a spreadsheet shows it as text instead of running it as a formula.
//! Numbers and dates written by Concord itself are not text cells and are written as they are (a
//! negative value such as `-3.5` stays a number).
//!
//! Errors: [`AppError`], like every use case.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;
use concord_domain::collaboration::Collaboration;
use concord_domain::evaluation::Status;
use concord_domain::key_result::{KeyResult, MeasurementRecord};
use concord_domain::objective::Objective;
use concord_domain::organisation::Organisation;
use concord_domain::policy::{Actor, CollaborationAction};
use concord_domain::{CollaborationId, KeyResultId, ObjectiveId, OrganisationId};
use concord_store::{
    Handle, collaborations as collab_store, key_results as kr_store, objectives as objective_store,
};

use crate::collaborations::{Filter, authorize, facts};
use crate::key_results::{KeyResultSummary, summarise};
use crate::{App, AppError, PAGE_MAX};

/// Statuses from worst to best: an objective takes the first that any of its key results has.
pub const SEVERITY: [Status; 6] = [
    Status::OffTrack,
    Status::AtRisk,
    Status::Stale,
    Status::NotStarted,
    Status::OnTrack,
    Status::Achieved,
];

fn severity(status: Status) -> usize {
    SEVERITY
        .iter()
        .position(|s| *s == status)
        .unwrap_or(SEVERITY.len())
}

/// An objective's status from its key results' statuses: the worst of them, or not started when
/// there is none (see the module documentation).
pub fn objective_status(statuses: impl IntoIterator<Item = Status>) -> Status {
    statuses
        .into_iter()
        .min_by_key(|s| severity(*s))
        .unwrap_or(Status::NotStarted)
}

/// How many things have each status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct StatusCounts {
    pub on_track: usize,
    pub at_risk: usize,
    pub off_track: usize,
    pub stale: usize,
    pub not_started: usize,
    pub achieved: usize,
    /// The sum of the others.
    pub total: usize,
}

impl StatusCounts {
    pub fn of(statuses: impl IntoIterator<Item = Status>) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for status in statuses {
            counts.add(status);
        }
        counts
    }

    pub fn add(&mut self, status: Status) {
        *self.slot(status) += 1;
        self.total += 1;
    }

    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::OnTrack => self.on_track,
            Status::AtRisk => self.at_risk,
            Status::OffTrack => self.off_track,
            Status::Stale => self.stale,
            Status::NotStarted => self.not_started,
            Status::Achieved => self.achieved,
        }
    }

    fn slot(&mut self, status: Status) -> &mut usize {
        match status {
            Status::OnTrack => &mut self.on_track,
            Status::AtRisk => &mut self.at_risk,
            Status::OffTrack => &mut self.off_track,
            Status::Stale => &mut self.stale,
            Status::NotStarted => &mut self.not_started,
            Status::Achieved => &mut self.achieved,
        }
    }

    /// (status, count) for every status, in the order pages show them.
    pub fn entries(&self) -> Vec<(Status, usize)> {
        Status::ALL.iter().map(|s| (*s, self.get(*s))).collect()
    }

    /// Only the statuses that occur.
    pub fn present(&self) -> Vec<(Status, usize)> {
        self.entries().into_iter().filter(|(_, n)| *n > 0).collect()
    }
}

/// One measurement as a dashboard shows it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct MeasurementPoint {
    pub date: NaiveDate,
    pub value: f64,
    pub source: Option<String>,
}

/// A key result with its evaluation and every measurement, oldest first.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct KeyResultCard {
    #[serde(flatten)]
    pub summary: KeyResultSummary,
    pub measurements: Vec<MeasurementPoint>,
}

/// An objective with its key results.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ObjectiveDashboard {
    pub objective: Objective,
    /// The worst of its key results' statuses, or not started (see the dashboard rules).
    pub status: Status,
    /// Its key results by status.
    pub key_result_counts: StatusCounts,
    pub key_results: Vec<KeyResultCard>,
}

/// Every objective and key result of a collaboration, evaluated on `as_of`.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CollaborationDashboard {
    pub collaboration: Collaboration,
    /// The day the statuses were computed for.
    pub as_of: NaiveDate,
    /// Objectives by their status.
    pub objective_counts: StatusCounts,
    /// Every key result of the collaboration by status.
    pub key_result_counts: StatusCounts,
    pub objectives: Vec<ObjectiveDashboard>,
}

/// What one reader may see of a collaboration's content, read in a fixed number of queries.
struct Content {
    objectives: Vec<Objective>,
    key_results: Vec<KeyResult>,
    measurements: Vec<MeasurementRecord>,
}

/// Reads a collaboration's objectives, key results and measurements (three queries); the caller
/// has checked the policy.
async fn content(
    h: &mut Handle,
    id: CollaborationId,
    signed_in: bool,
) -> Result<Content, AppError> {
    let mut objectives = objective_store::for_collaboration(h, id).await?;
    let mut key_results = kr_store::for_collaboration(h, id).await?;
    let mut measurements = kr_store::measurements_for_collaboration(h, id).await?;
    if !signed_in {
        for o in &mut objectives {
            o.owner_id = None;
            o.owner_name = None;
        }
        for k in &mut key_results {
            k.owner_id = None;
            k.owner_name = None;
        }
        for m in &mut measurements {
            m.recorded_by_name = None;
        }
    }
    Ok(Content {
        objectives,
        key_results,
        measurements,
    })
}

/// A collaboration the actor may read, with its content.
async fn load(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
) -> Result<(Collaboration, Content), AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, id).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let collaboration = collab_store::get(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let content = content(&mut h, id, actor.user().is_some()).await?;
    Ok((collaboration, content))
}

/// Groups and evaluates: objectives in order, each with its key results in order.
fn evaluate(content: Content, today: NaiveDate) -> Vec<ObjectiveDashboard> {
    let mut measurements: HashMap<KeyResultId, Vec<MeasurementRecord>> = HashMap::new();
    for m in content.measurements {
        measurements.entry(m.key_result_id).or_default().push(m);
    }
    let mut key_results: HashMap<ObjectiveId, Vec<KeyResult>> = HashMap::new();
    for k in content.key_results {
        key_results.entry(k.objective_id).or_default().push(k);
    }
    content
        .objectives
        .into_iter()
        .map(|objective| {
            let cards: Vec<KeyResultCard> = key_results
                .remove(&objective.id)
                .unwrap_or_default()
                .into_iter()
                .map(|k| {
                    let records = measurements.remove(&k.id).unwrap_or_default();
                    let summary = summarise(k, &records, today);
                    KeyResultCard {
                        summary,
                        measurements: records
                            .into_iter()
                            .map(|m| MeasurementPoint {
                                date: m.measured_on,
                                value: m.value,
                                source: m.source,
                            })
                            .collect(),
                    }
                })
                .collect();
            let statuses = || cards.iter().map(|c| c.summary.assessment.status);
            ObjectiveDashboard {
                status: objective_status(statuses()),
                key_result_counts: StatusCounts::of(statuses()),
                objective,
                key_results: cards,
            }
        })
        .collect()
}

/// A collaboration's dashboard: every objective with its key results, each evaluated today, with
/// its measurements, and the status counts per objective and overall. Five queries, whatever the
/// size of the collaboration.
pub async fn collaboration(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
) -> Result<CollaborationDashboard, AppError> {
    let (collaboration, content) = load(app, actor, id).await?;
    let as_of = app.now().date_naive();
    let objectives = evaluate(content, as_of);
    let objective_counts = StatusCounts::of(objectives.iter().map(|o| o.status));
    let key_result_counts = StatusCounts::of(
        objectives
            .iter()
            .flat_map(|o| o.key_results.iter().map(|k| k.summary.assessment.status)),
    );
    Ok(CollaborationDashboard {
        collaboration,
        as_of,
        objective_counts,
        key_result_counts,
        objectives,
    })
}

/// One collaboration in an organisation's portfolio.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PortfolioEntry {
    pub collaboration: Collaboration,
    /// Its objectives by status (the worst of each objective's key results, or not started).
    pub objective_counts: StatusCounts,
    /// Its key results by status.
    pub key_result_counts: StatusCounts,
}

/// The collaborations an organisation is an active member of, as far as the reader may see them.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Portfolio {
    pub organisation: Organisation,
    pub as_of: NaiveDate,
    /// Objectives across every collaboration listed, by status.
    pub objective_counts: StatusCounts,
    /// Newest first.
    pub collaborations: Vec<PortfolioEntry>,
}

/// An organisation's portfolio: every collaboration it is an active member of that the actor may
/// read (the visibility rule is applied by the list query itself), with its objectives' status
/// counts. `NotFound` for an unknown organisation.
pub async fn portfolio(
    app: &App,
    actor: &Actor,
    organisation: OrganisationId,
) -> Result<Portfolio, AppError> {
    let organisation = crate::organisations::get(app, actor, organisation).await?;
    let filter = Filter {
        organisation: Some(organisation.id),
        ..Filter::default()
    };
    let mut listed = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page =
            crate::collaborations::list(app, actor, &filter, cursor.as_deref(), Some(PAGE_MAX))
                .await?;
        listed.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let as_of = app.now().date_naive();
    let signed_in = actor.user().is_some();
    let mut h = app.db.read().await?;
    let mut collaborations = Vec::with_capacity(listed.len());
    let mut objective_counts = StatusCounts::default();
    for collaboration in listed {
        let content = content(&mut h, collaboration.id, signed_in).await?;
        let objectives = evaluate(content, as_of);
        let counts = StatusCounts::of(objectives.iter().map(|o| o.status));
        for (status, n) in counts.entries() {
            for _ in 0..n {
                objective_counts.add(status);
            }
        }
        collaborations.push(PortfolioEntry {
            collaboration,
            objective_counts: counts,
            key_result_counts: StatusCounts::of(
                objectives
                    .iter()
                    .flat_map(|o| o.key_results.iter().map(|k| k.summary.assessment.status)),
            ),
        });
    }
    Ok(Portfolio {
        organisation,
        as_of,
        objective_counts,
        collaborations,
    })
}

// ---- Exports -----------------------------------------------------------------------------------

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    Objectives,
    KeyResults,
    Measurements,
}

impl Dataset {
    pub const ALL: [Dataset; 3] = [
        Dataset::Objectives,
        Dataset::KeyResults,
        Dataset::Measurements,
    ];

    /// The name used in addresses and file names: `objectives`, `key-results`, `measurements`.
    pub fn as_str(self) -> &'static str {
        match self {
            Dataset::Objectives => "objectives",
            Dataset::KeyResults => "key-results",
            Dataset::Measurements => "measurements",
        }
    }

    pub fn parse(text: &str) -> Option<Dataset> {
        Dataset::ALL.into_iter().find(|d| d.as_str() == text)
    }
}

/// How to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Csv, Format::Json];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::Json => "application/json",
        }
    }

    pub fn parse(text: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.extension() == text)
    }
}

/// Parses an export file name such as `key-results.csv`.
pub fn parse_file_name(name: &str) -> Option<(Dataset, Format)> {
    let (dataset, format) = name.rsplit_once('.')?;
    Some((Dataset::parse(dataset)?, Format::parse(format)?))
}

/// A file ready to download.
#[derive(Clone, Debug)]
pub struct Export {
    /// ASCII only, safe in a `Content-Disposition` header.
    pub filename: String,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

/// Makes a CSV text cell safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading single quote, so it is shown as text, never run as a
/// formula. Other cells are returned unchanged.
pub fn escape_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A file-name-safe version of a title: lower-case ASCII letters and digits joined by hyphens.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "collaboration".to_owned()
    } else {
        out.to_owned()
    }
}

/// One cell of an export row: free text (escaped in CSV) or a value Concord wrote itself.
enum Cell {
    Text(Option<String>),
    Number(Option<f64>),
    Plain(Option<String>),
}

fn text(value: impl Into<Option<String>>) -> Cell {
    Cell::Text(value.into())
}

fn number(value: impl Into<Option<f64>>) -> Cell {
    Cell::Number(value.into())
}

fn plain(value: Option<impl ToString>) -> Cell {
    Cell::Plain(value.map(|v| v.to_string()))
}

impl Cell {
    fn csv(&self) -> String {
        match self {
            Cell::Text(Some(t)) => escape_cell(t).into_owned(),
            Cell::Number(Some(n)) => n.to_string(),
            Cell::Plain(Some(p)) => p.clone(),
            Cell::Text(None) | Cell::Number(None) | Cell::Plain(None) => String::new(),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Cell::Text(Some(t)) | Cell::Plain(Some(t)) => serde_json::Value::from(t.as_str()),
            Cell::Number(Some(n)) => serde_json::Number::from_f64(*n)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Cell::Text(None) | Cell::Number(None) | Cell::Plain(None) => serde_json::Value::Null,
        }
    }
}

/// Column names of each dataset, in order. The measurements file starts with the columns the
/// CSV import reads (`key_result_id,date,value,source`).
pub fn columns(dataset: Dataset) -> &'static [&'static str] {
    match dataset {
        Dataset::Objectives => &[
            "id",
            "position",
            "title",
            "status",
            "assessed_status",
            "key_results",
            "owner",
            "organisation",
            "due_date",
            "drop_reason",
            "description",
        ],
        Dataset::KeyResults => &[
            "id",
            "objective_id",
            "objective_title",
            "name",
            "unit",
            "direction",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_high",
            "target_date",
            "cadence",
            "owner",
            "status",
            "progress",
            "latest_value",
            "latest_date",
            "next_due",
            "overdue",
            "target_version",
        ],
        Dataset::Measurements => &[
            "key_result_id",
            "date",
            "value",
            "source",
            "key_result_name",
            "recorded_by",
            "recorded_at",
        ],
    }
}

fn objective_rows(objectives: Vec<ObjectiveDashboard>) -> Vec<Vec<Cell>> {
    objectives
        .into_iter()
        .map(|o| {
            let ob = o.objective;
            vec![
                plain(Some(ob.id)),
                plain(Some(ob.position)),
                text(ob.title),
                plain(Some(ob.status)),
                plain(Some(o.status)),
                plain(Some(o.key_results.len())),
                text(ob.owner_name),
                text(ob.organisation_name),
                plain(ob.due_date),
                text(ob.drop_reason),
                text(ob.description),
            ]
        })
        .collect()
}

fn key_result_rows(objectives: Vec<ObjectiveDashboard>) -> Vec<Vec<Cell>> {
    objectives
        .into_iter()
        .flat_map(|o| {
            let title = o.objective.title;
            o.key_results.into_iter().map(move |card| {
                let k = card.summary.key_result;
                let a = card.summary.assessment;
                vec![
                    plain(Some(k.id)),
                    plain(Some(k.objective_id)),
                    text(title.clone()),
                    text(k.name),
                    text(k.unit),
                    plain(Some(k.direction)),
                    number(k.baseline_value),
                    plain(Some(k.baseline_date)),
                    number(k.target_value),
                    number(k.target_high),
                    plain(k.target_date),
                    plain(k.cadence),
                    text(k.owner_name),
                    plain(Some(a.status)),
                    number(a.progress),
                    number(a.latest.map(|m| m.value)),
                    plain(a.latest.map(|m| m.date)),
                    plain(a.next_due),
                    plain(Some(a.overdue)),
                    plain(Some(k.target_version)),
                ]
            })
        })
        .collect()
}

/// Measurements by key result (in the collaboration's order) then date.
fn measurement_rows(content: Content) -> Vec<Vec<Cell>> {
    let mut by_key_result: HashMap<KeyResultId, Vec<MeasurementRecord>> = HashMap::new();
    for m in content.measurements {
        by_key_result.entry(m.key_result_id).or_default().push(m);
    }
    let known: std::collections::HashSet<ObjectiveId> =
        content.objectives.iter().map(|o| o.id).collect();
    let mut rows = Vec::new();
    for k in content
        .key_results
        .into_iter()
        .filter(|k| known.contains(&k.objective_id))
    {
        for m in by_key_result.remove(&k.id).unwrap_or_default() {
            rows.push(vec![
                plain(Some(m.key_result_id)),
                plain(Some(m.measured_on)),
                number(m.value),
                text(m.source),
                text(k.name.clone()),
                text(m.recorded_by_name),
                plain(Some(
                    m.recorded_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                )),
            ]);
        }
    }
    rows
}

fn to_csv(dataset: Dataset, rows: &[Vec<Cell>]) -> Result<Vec<u8>, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| AppError::Internal(format!("writing CSV: {e}"));
    writer.write_record(columns(dataset)).map_err(failed)?;
    for row in rows {
        writer
            .write_record(row.iter().map(Cell::csv))
            .map_err(failed)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::Internal(format!("writing CSV: {e}")))
}

fn to_json(dataset: Dataset, rows: &[Vec<Cell>]) -> Result<Vec<u8>, AppError> {
    let items: Vec<serde_json::Map<String, serde_json::Value>> = rows
        .iter()
        .map(|row| {
            columns(dataset)
                .iter()
                .zip(row)
                .map(|(name, cell)| ((*name).to_owned(), cell.json()))
                .collect()
        })
        .collect();
    serde_json::to_vec(&items).map_err(|e| AppError::Internal(format!("writing JSON: {e}")))
}

/// Exports a collaboration's objectives, key results or measurements as CSV or JSON, for a reader
/// of the collaboration (five queries, like the dashboard).
pub async fn export(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
    dataset: Dataset,
    format: Format,
) -> Result<Export, AppError> {
    let (collaboration, content) = load(app, actor, id).await?;
    let today = app.now().date_naive();
    let rows = match dataset {
        Dataset::Objectives => objective_rows(evaluate(content, today)),
        Dataset::KeyResults => key_result_rows(evaluate(content, today)),
        Dataset::Measurements => measurement_rows(content),
    };
    let body = match format {
        Format::Csv => to_csv(dataset, &rows)?,
        Format::Json => to_json(dataset, &rows)?,
    };
    Ok(Export {
        filename: format!(
            "{}-{}-{}.{}",
            slug(&collaboration.title),
            dataset.as_str(),
            today.format("%Y-%m-%d"),
            format.extension()
        ),
        content_type: format.content_type(),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_escaped_and_others_kept() {
        for (cell, expected) in [
            (
                "=HYPERLINK(\"http://evil\")",
                "'=HYPERLINK(\"http://evil\")",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("Pupils walking", "Pupils walking"),
            ("", ""),
            ("a=b", "a=b"),
            ("'quoted", "'quoted"),
            ("42", "42"),
        ] {
            assert_eq!(escape_cell(cell), expected, "{cell:?}");
        }
        assert!(matches!(escape_cell("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn csv_escapes_text_cells_only() {
        let rows = vec![vec![
            plain(Some("k1")),
            plain(Some("2026-01-01")),
            number(-3.5),
            text(Some("+cmd".to_owned())),
            text(Some("=HYPERLINK(\"x\")".to_owned())),
            text(None),
            plain(Some("2026-01-02T00:00:00Z")),
        ]];
        let body = String::from_utf8(to_csv(Dataset::Measurements, &rows).unwrap()).unwrap();
        let mut lines = body.lines();
        assert_eq!(
            lines.next(),
            Some("key_result_id,date,value,source,key_result_name,recorded_by,recorded_at")
        );
        assert_eq!(
            lines.next(),
            Some("k1,2026-01-01,-3.5,'+cmd,\"'=HYPERLINK(\"\"x\"\")\",,2026-01-02T00:00:00Z")
        );
        let json: serde_json::Value =
            serde_json::from_slice(&to_json(Dataset::Measurements, &rows).unwrap()).unwrap();
        assert_eq!(json[0]["source"], "+cmd", "JSON is data, not a spreadsheet");
        assert_eq!(json[0]["value"], -3.5);
        assert_eq!(json[0]["recorded_by"], serde_json::Value::Null);
    }

    #[test]
    fn objective_status_is_the_worst_of_its_key_results() {
        use Status::*;
        assert_eq!(objective_status([]), NotStarted);
        assert_eq!(objective_status([Achieved, Achieved]), Achieved);
        assert_eq!(objective_status([Achieved, OnTrack]), OnTrack);
        assert_eq!(objective_status([OnTrack, NotStarted]), NotStarted);
        assert_eq!(objective_status([NotStarted, Stale, OnTrack]), Stale);
        assert_eq!(objective_status([Stale, AtRisk, Achieved]), AtRisk);
        assert_eq!(objective_status([AtRisk, OffTrack, OnTrack]), OffTrack);
        assert_eq!(SEVERITY.len(), Status::ALL.len());
        for status in Status::ALL {
            assert!(SEVERITY.contains(status), "{status} has no rank");
        }
    }

    #[test]
    fn counts_add_up() {
        let counts = StatusCounts::of([Status::OnTrack, Status::OnTrack, Status::OffTrack]);
        assert_eq!((counts.on_track, counts.off_track, counts.total), (2, 1, 3));
        assert_eq!(
            counts.present(),
            vec![(Status::OnTrack, 2), (Status::OffTrack, 1)]
        );
        assert_eq!(counts.entries().len(), 6);
    }

    #[test]
    fn file_names() {
        assert_eq!(
            parse_file_name("key-results.csv"),
            Some((Dataset::KeyResults, Format::Csv))
        );
        assert_eq!(
            parse_file_name("measurements.json"),
            Some((Dataset::Measurements, Format::Json))
        );
        for bad in [
            "key_results.csv",
            "objectives.xlsx",
            "objectives",
            ".csv",
            "",
        ] {
            assert_eq!(parse_file_name(bad), None, "{bad}");
        }
        assert_eq!(slug("Safe Routes to School"), "safe-routes-to-school");
        assert_eq!(slug("Écoles: 2026/27 — plan!"), "coles-2026-27-plan");
        assert_eq!(slug("«»"), "collaboration");
        assert!(slug(&"a b ".repeat(100)).len() <= 60);
    }
}
