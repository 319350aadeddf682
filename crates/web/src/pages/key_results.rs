//! Key result pages: the form to add or edit one, its own page (status with the reasons, progress,
//! chart and data table, target history, SMART findings, the form to record a measurement), and
//! the CSV upload of measurements for a whole collaboration. The objective page lists key results
//! through [`cards_for_objective`]; the home page lists what is due through [`KeyResultCard`].

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use chrono::NaiveDate;
use concord_app::AppError;
use concord_app::collaborations;
use concord_app::key_results::{self as service, KeyResultSummary, KeyResultView};
use concord_app::objectives::{self, ObjectiveView};
use concord_domain::collaboration::PersonMember;
use concord_domain::evaluation::{Cadence, Direction, Finding, Status};
use concord_domain::key_result::{
    KeyResult, KeyResultInput, MeasurementInput, MeasurementRecord, TargetVersion,
};
use concord_domain::{CollaborationId, FieldErrors, KeyResultId, ObjectiveId};

use super::{PageCtx, PagePath, ok, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::charts::{self, ChartLabels, ChartPoint, LineChart};
use crate::context::Ctx;
use crate::i18n::Lang;

/// Largest CSV upload accepted (the CSRF guard reads bodies up to the same size).
const UPLOAD_LIMIT: usize = 8 * 1024 * 1024;
/// Bad rows listed on the page after a failed upload; the rest are counted.
const ROW_ERRORS_SHOWN: usize = 500;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/objectives/{id}/key-results/new", get(new_form)),
        ("/objectives/{id}/key-results", post(create)),
        ("/key-results/{id}", get(show).post(update)),
        ("/key-results/{id}/edit", get(edit_form)),
        ("/key-results/{id}/measurements", post(record)),
        (
            "/collaborations/{id}/measurements/import",
            get(import_form)
                .post(import)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
    ]
}

// ---- formatting -------------------------------------------------------------------------------

/// A number as people read it: at most two decimals, no trailing zeros, a decimal comma in French.
pub(crate) fn number(lang: Lang, value: f64) -> String {
    number_with(lang, value, 2)
}

/// [`number`] with at most `decimals` decimals.
fn number_with(lang: Lang, value: f64, decimals: usize) -> String {
    let mut text = format!("{value:.decimals$}");
    while text.contains('.') && (text.ends_with('0') || text.ends_with('.')) {
        text.pop();
    }
    if text == "-0" {
        text = "0".to_owned();
    }
    match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    }
}

/// `28 schools`, `35,8 %`.
pub(crate) fn with_unit(lang: Lang, value: f64, unit: &str) -> String {
    format!("{} {unit}", number(lang, value))
}

/// Progress as a whole percentage, rounded down so that "100" only ever means the target is met.
fn percent(progress: f64) -> u32 {
    (progress * 100.0).floor().clamp(0.0, 100.0) as u32
}

/// What a key result aims for, in words: `45 schools by 30 Jun 2027`, `between 60 and 85 %`.
fn target_words(lang: Lang, kr: &KeyResult) -> String {
    let value = match (kr.direction, kr.target_value, kr.target_high) {
        (Direction::Range, Some(low), Some(high)) => lang.ta(
            "kr-target-range",
            &[
                ("low", &number(lang, low)),
                ("high", &with_unit(lang, high, &kr.unit)),
            ],
        ),
        (_, Some(value), _) => with_unit(lang, value, &kr.unit),
        _ => return lang.t("kr-no-target"),
    };
    match kr.target_date {
        Some(date) => lang.ta(
            "kr-target-by",
            &[("target", &value), ("date", &crate::i18n::date(lang, date))],
        ),
        None => value,
    }
}

// ---- cards for lists --------------------------------------------------------------------------

/// A key result as one row of a list: the objective page, the home page.
#[derive(Clone, Debug)]
pub struct KeyResultCard {
    pub id: KeyResultId,
    pub name: String,
    pub status: Status,
    /// Whole percent, when progress is defined.
    pub progress: Option<u32>,
    /// The latest value with its unit, and its date.
    pub latest: Option<(String, NaiveDate)>,
    pub next_due: Option<NaiveDate>,
    pub overdue: bool,
    pub owner_name: Option<String>,
    /// An inline SVG (empty where lists have no room for it).
    pub sparkline: String,
    pub findings: Vec<Finding>,
}

impl KeyResultCard {
    pub fn from_summary(lang: Lang, summary: &KeyResultSummary) -> Self {
        let kr = &summary.key_result;
        let a = &summary.assessment;
        KeyResultCard {
            id: kr.id,
            name: kr.name.clone(),
            status: a.status,
            progress: a.progress.map(percent),
            latest: a
                .latest
                .map(|m| (with_unit(lang, m.value, &kr.unit), m.date)),
            next_due: a.next_due,
            overdue: a.overdue,
            owner_name: kr.owner_name.clone(),
            sparkline: String::new(),
            findings: summary.findings.clone(),
        }
    }

    fn from_view(lang: Lang, view: &KeyResultView) -> Self {
        let mut card = Self::from_summary(lang, &view.summary);
        let points = chart_points(&view.measurements);
        let label = match &card.latest {
            Some((value, date)) => lang.ta(
                "kr-sparkline-label",
                &[
                    ("name", &card.name),
                    ("value", value),
                    ("date", &crate::i18n::date(lang, *date)),
                ],
            ),
            None => lang.ta("kr-sparkline-empty", &[("name", &card.name)]),
        };
        card.sparkline = charts::sparkline(&points, 120, 32, &label);
        card
    }

    /// The CSS class of the progress bar's filled part: its width in steps of 5 %.
    pub fn bar_class(&self) -> String {
        format!("fill-{}", self.progress.unwrap_or(0) / 5 * 5)
    }
}

fn chart_points(measurements: &[MeasurementRecord]) -> Vec<ChartPoint> {
    measurements
        .iter()
        .map(|m| ChartPoint {
            date: m.measured_on,
            value: m.value,
        })
        .collect()
}

/// An objective's key results as cards, each with its sparkline.
pub(crate) async fn cards_for_objective(
    ctx: &Ctx,
    objective: ObjectiveId,
) -> Result<Vec<KeyResultCard>, AppError> {
    let rows = service::with_measurements_for_objective(&ctx.app, &ctx.actor, objective).await?;
    Ok(rows
        .into_iter()
        .map(|(summary, measurements)| {
            let view = service::KeyResultView {
                summary,
                targets: Vec::new(),
                measurements,
                can_edit: false,
            };
            KeyResultCard::from_view(ctx.lang, &view)
        })
        .collect())
}

// ---- the add / edit form ----------------------------------------------------------------------

/// The form's values as typed, so a rejected submission comes back intact.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct KeyResultForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    baseline_value: String,
    #[serde(default)]
    baseline_date: String,
    #[serde(default)]
    target_value: String,
    #[serde(default)]
    target_high: String,
    #[serde(default)]
    target_date: String,
    #[serde(default)]
    cadence: String,
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    target_change_reason: String,
}

/// A stored number as it goes back into a form: exact, so an unchanged target stays unchanged.
fn plain(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

impl KeyResultForm {
    fn from_key_result(kr: &KeyResult) -> Self {
        KeyResultForm {
            name: kr.name.clone(),
            unit: kr.unit.clone(),
            direction: kr.direction.as_str().to_owned(),
            baseline_value: plain(Some(kr.baseline_value)),
            baseline_date: kr.baseline_date.to_string(),
            target_value: plain(kr.target_value),
            target_high: plain(kr.target_high),
            target_date: kr.target_date.map(|d| d.to_string()).unwrap_or_default(),
            cadence: kr
                .cadence
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            owner_id: kr.owner_id.map(|u| u.to_string()).unwrap_or_default(),
            target_change_reason: String::new(),
        }
    }

    fn input(&self) -> KeyResultInput {
        let some = |s: &String| Some(s.clone());
        KeyResultInput {
            name: self.name.clone(),
            unit: self.unit.clone(),
            direction: self.direction.clone(),
            baseline_value: self.baseline_value.clone(),
            baseline_date: self.baseline_date.clone(),
            target_value: some(&self.target_value),
            target_high: some(&self.target_high),
            target_date: some(&self.target_date),
            cadence: some(&self.cadence),
            owner_id: some(&self.owner_id),
            target_change_reason: some(&self.target_change_reason),
        }
    }
}

#[derive(Template)]
#[template(path = "key_results/form.html")]
struct FormPage {
    c: PageCtx,
    objective_id: ObjectiveId,
    objective_title: String,
    /// `None` when adding.
    id: Option<KeyResultId>,
    people: Vec<PersonMember>,
    directions: &'static [Direction],
    cadences: &'static [Cadence],
    form: KeyResultForm,
    errors: FieldErrors,
}

impl FormPage {
    async fn load(
        ctx: &Ctx,
        objective: ObjectiveView,
        id: Option<KeyResultId>,
        form: KeyResultForm,
        errors: FieldErrors,
    ) -> Result<Self, AppError> {
        let collaboration =
            collaborations::get(&ctx.app, &ctx.actor, objective.objective.collaboration_id).await?;
        Ok(FormPage {
            c: PageCtx::new(ctx, "collaborations"),
            objective_id: objective.objective.id,
            objective_title: objective.objective.title,
            id,
            people: collaboration.people,
            directions: Direction::ALL,
            cadences: Cadence::ALL,
            form,
            errors,
        })
    }

    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/key-results/{id}"),
            None => format!("/objectives/{}/key-results", self.objective_id),
        }
    }

    fn cancel_href(&self) -> String {
        match self.id {
            Some(id) => format!("/key-results/{id}"),
            None => format!("/objectives/{}", self.objective_id),
        }
    }
}

/// The form page, with `status` (200, or 422 after a rejected submission).
async fn form_page(
    ctx: &Ctx,
    objective: ObjectiveId,
    id: Option<KeyResultId>,
    form: KeyResultForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let result = async {
        let objective = objectives::get(&ctx.app, &ctx.actor, objective).await?;
        if !objective.can_edit {
            return Err(AppError::Forbidden);
        }
        FormPage::load(ctx, objective, id, form, errors).await
    }
    .await;
    match result {
        Ok(page) => render(status, &page),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn new_form(ctx: Ctx, PagePath(id): PagePath<ObjectiveId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/objectives/{id}/key-results/new")) {
        return redirect;
    }
    let form = KeyResultForm {
        direction: Direction::Increase.as_str().to_owned(),
        baseline_date: ctx.app.now().date_naive().to_string(),
        ..Default::default()
    };
    form_page(&ctx, id, None, form, FieldErrors::new(), StatusCode::OK).await
}

async fn create(
    ctx: Ctx,
    PagePath(id): PagePath<ObjectiveId>,
    Form(form): Form<KeyResultForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/objectives/{id}/key-results/new")) {
        return redirect;
    }
    match service::create(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(view) => see_other(&format!(
            "/key-results/{}?done=created",
            view.summary.key_result.id
        )),
        Err(AppError::Invalid(errors)) => {
            form_page(
                &ctx,
                id,
                None,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn edit_form(ctx: Ctx, PagePath(id): PagePath<KeyResultId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/key-results/{id}/edit")) {
        return redirect;
    }
    match service::get(&ctx.app, &ctx.actor, id).await {
        Ok(view) if view.can_edit => {
            let kr = &view.summary.key_result;
            let form = KeyResultForm::from_key_result(kr);
            form_page(
                &ctx,
                kr.objective_id,
                Some(id),
                form,
                FieldErrors::new(),
                StatusCode::OK,
            )
            .await
        }
        Ok(_) => page_error(&ctx)(AppError::Forbidden).into_response(),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn update(
    ctx: Ctx,
    PagePath(id): PagePath<KeyResultId>,
    Form(form): Form<KeyResultForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/key-results/{id}/edit")) {
        return redirect;
    }
    match service::update(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(_) => see_other(&format!("/key-results/{id}?done=updated")),
        Err(AppError::Invalid(errors)) => match service::get(&ctx.app, &ctx.actor, id).await {
            Ok(current) => {
                form_page(
                    &ctx,
                    current.summary.key_result.objective_id,
                    Some(id),
                    form,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(error) => page_error(&ctx)(error).into_response(),
        },
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---- the key result's page --------------------------------------------------------------------

/// The measurement form's values as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct MeasurementForm {
    #[serde(default)]
    value: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    source: String,
}

/// One measurement as the data table shows it.
struct MeasurementRow {
    date: NaiveDate,
    value: String,
    source: Option<String>,
    recorded_by: Option<String>,
}

#[derive(Template)]
#[template(path = "key_results/show.html")]
struct ShowPage {
    c: PageCtx,
    kr: KeyResult,
    card: KeyResultCard,
    can_edit: bool,
    objective_title: String,
    reasons: Vec<String>,
    /// Where the recent trend leads by the target date, in words.
    projected: Option<String>,
    baseline: String,
    target: String,
    chart: String,
    /// Explains the lines of this chart: a planned path, a band, or the measurements only.
    chart_caption: &'static str,
    /// Newest first.
    measurements: Vec<MeasurementRow>,
    /// Target changes as sentences, newest first; the original target last.
    history: Vec<String>,
    form: MeasurementForm,
    errors: FieldErrors,
    done: Option<String>,
}

/// "Target raised from 42 to 45 schools on 3 Mar 2027 by Bob Lindqvist: reason", one per change
/// between consecutive versions (given newest first), then the original target.
fn target_history(lang: Lang, kr: &KeyResult, versions: &[TargetVersion]) -> Vec<String> {
    let date = |d: NaiveDate| crate::i18n::date(lang, d);
    let value_text = |v: Option<f64>, high: Option<f64>| match (kr.direction, v, high) {
        (Direction::Range, Some(low), Some(high)) => lang.ta(
            "kr-target-range",
            &[
                ("low", &number(lang, low)),
                ("high", &with_unit(lang, high, &kr.unit)),
            ],
        ),
        (_, Some(v), _) => with_unit(lang, v, &kr.unit),
        _ => lang.t("kr-no-target"),
    };
    let mut out = Vec::new();
    for pair in versions.windows(2) {
        let (new, old) = (&pair[0], &pair[1]);
        let who = new
            .changed_by_name
            .clone()
            .unwrap_or_else(|| lang.t("kr-someone"));
        let when = crate::i18n::date(lang, new.changed_at.date_naive());
        let is_range = kr.direction == Direction::Range;
        let value_change = (old.target_value != new.target_value
            || (is_range && old.target_high != new.target_high))
            .then(|| {
                let key = match (old.target_value, new.target_value) {
                    (Some(a), Some(b)) if !is_range && b > a => "kr-history-raised",
                    (Some(a), Some(b)) if !is_range && b < a => "kr-history-lowered",
                    _ => "kr-history-changed",
                };
                let from = match (is_range, old.target_value) {
                    (false, Some(a)) => number(lang, a),
                    _ => value_text(old.target_value, old.target_high),
                };
                lang.ta(
                    key,
                    &[
                        ("from", &from),
                        ("to", &value_text(new.target_value, new.target_high)),
                    ],
                )
            });
        let text = |d: Option<NaiveDate>| d.map(date).unwrap_or_else(|| lang.t("not-set"));
        let dates = [
            ("from", text(old.target_date)),
            ("to", text(new.target_date)),
        ];
        let date_moved = old.target_date != new.target_date;
        let what = match (value_change, date_moved) {
            (Some(change), true) => lang.ta(
                "kr-history-value-and-date",
                &[
                    ("change", change.as_str()),
                    ("from", &dates[0].1),
                    ("to", &dates[1].1),
                ],
            ),
            (Some(change), false) => change,
            (None, true) => lang.ta(
                "kr-history-date-moved",
                &[("from", &dates[0].1), ("to", &dates[1].1)],
            ),
            (None, false) => lang.t("kr-history-unchanged"),
        };
        let sentence = lang.ta(
            "kr-history-sentence",
            &[("what", &what), ("date", &when), ("who", &who)],
        );
        out.push(match &new.reason {
            Some(reason) => lang.ta(
                "kr-history-with-reason",
                &[("sentence", &sentence), ("reason", reason)],
            ),
            None => sentence,
        });
    }
    if let Some(first) = versions.last() {
        let target = match first.target_date {
            Some(d) if first.target_value.is_some() => lang.ta(
                "kr-target-by",
                &[
                    ("target", &value_text(first.target_value, first.target_high)),
                    ("date", &date(d)),
                ],
            ),
            _ => value_text(first.target_value, first.target_high),
        };
        out.push(lang.ta(
            "kr-history-original",
            &[
                ("target", &target),
                (
                    "date",
                    &crate::i18n::date(lang, first.changed_at.date_naive()),
                ),
            ],
        ));
    }
    out
}

impl ShowPage {
    fn new(
        ctx: &Ctx,
        view: KeyResultView,
        objective_title: String,
        form: MeasurementForm,
        errors: FieldErrors,
        done: Option<String>,
    ) -> Self {
        let lang = ctx.lang;
        let card = KeyResultCard::from_view(lang, &view);
        let kr = view.summary.key_result;
        let a = &view.summary.assessment;
        let reasons = a
            .reasons
            .iter()
            .map(|code| lang.t(&format!("reason-{code}")))
            .collect();
        let projected = match (a.projected_at_target_date, kr.target_date) {
            (Some(value), Some(date)) if a.status != Status::Achieved => Some(lang.ta(
                "kr-projected",
                &[
                    (
                        "value",
                        &format!("{} {}", number_with(lang, value, 1), kr.unit),
                    ),
                    ("date", &crate::i18n::date(lang, date)),
                ],
            )),
            _ => None,
        };
        let baseline = lang.ta(
            "kr-baseline-on",
            &[
                ("value", &with_unit(lang, kr.baseline_value, &kr.unit)),
                ("date", &crate::i18n::date(lang, kr.baseline_date)),
            ],
        );
        let target = target_words(lang, &kr);
        let points = chart_points(&view.measurements);
        let target_line = match (kr.direction, kr.target_value, kr.target_date) {
            (Direction::Increase | Direction::Decrease, Some(value), Some(date)) => Some((
                ChartPoint {
                    date: kr.baseline_date,
                    value: kr.baseline_value,
                },
                ChartPoint { date, value },
            )),
            _ => None,
        };
        let band = match (kr.direction, kr.target_value, kr.target_high) {
            (Direction::Range, Some(low), Some(high)) => Some((low, high)),
            _ => None,
        };
        let description = match (points.first(), &card.latest) {
            (Some(first), Some((latest, latest_date))) => lang.ta(
                "kr-chart-description",
                &[
                    ("count", &points.len().to_string()),
                    ("first", &crate::i18n::date(lang, first.date)),
                    ("latest", latest),
                    ("date", &crate::i18n::date(lang, *latest_date)),
                    ("target", &target),
                ],
            ),
            _ => lang.ta("kr-chart-description-empty", &[("target", &target)]),
        };
        let labels = [
            lang.t("chart-no-data"),
            lang.t("chart-measured"),
            lang.t("chart-target"),
            lang.t("chart-band"),
        ];
        let chart = charts::line_chart(&LineChart {
            title: &lang.ta("kr-chart-title", &[("name", &kr.name)]),
            description: &description,
            unit: &kr.unit,
            measurements: &points,
            target_line,
            band,
            width: 720,
            height: 320,
            labels: ChartLabels {
                no_data: &labels[0],
                measured: &labels[1],
                target: &labels[2],
                band: &labels[3],
            },
        });
        let chart_caption = match (target_line.is_some(), band.is_some()) {
            (true, _) => "kr-chart-caption-path",
            (false, true) => "kr-chart-caption-band",
            (false, false) => "kr-chart-caption",
        };
        let history = target_history(lang, &kr, &view.targets);
        let measurements = view
            .measurements
            .iter()
            .rev()
            .map(|m| MeasurementRow {
                date: m.measured_on,
                value: with_unit(lang, m.value, &kr.unit),
                source: m.source.clone(),
                recorded_by: m.recorded_by_name.clone(),
            })
            .collect();
        ShowPage {
            c: PageCtx::new(ctx, "collaborations"),
            kr,
            card,
            can_edit: view.can_edit,
            objective_title,
            reasons,
            projected,
            baseline,
            target,
            chart,
            chart_caption,
            measurements,
            history,
            form,
            errors,
            done,
        }
    }

    fn cadence_label(&self) -> String {
        match self.kr.cadence {
            Some(cadence) => self.c.label("cadence", cadence.as_str()),
            None => self.c.t("not-set"),
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

/// The key result's page; `form` and `errors` belong to the measurement form.
async fn show_page(
    ctx: &Ctx,
    id: KeyResultId,
    form: MeasurementForm,
    errors: FieldErrors,
    done: Option<String>,
    status: StatusCode,
) -> Response {
    let result = async {
        let view = service::get(&ctx.app, &ctx.actor, id).await?;
        let objective =
            objectives::get(&ctx.app, &ctx.actor, view.summary.key_result.objective_id).await?;
        Ok::<_, AppError>((view, objective.objective.title))
    }
    .await;
    match result {
        Ok((view, objective_title)) => render(
            status,
            &ShowPage::new(ctx, view, objective_title, form, errors, done),
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn show(
    ctx: Ctx,
    PagePath(id): PagePath<KeyResultId>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let done = query
        .done
        .filter(|d| ["created", "updated", "recorded"].contains(&d.as_str()));
    let form = MeasurementForm {
        date: ctx.app.now().date_naive().to_string(),
        ..Default::default()
    };
    show_page(&ctx, id, form, FieldErrors::new(), done, StatusCode::OK).await
}

async fn record(
    ctx: Ctx,
    PagePath(id): PagePath<KeyResultId>,
    Form(form): Form<MeasurementForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/key-results/{id}")) {
        return redirect;
    }
    let input = MeasurementInput {
        value: form.value.clone(),
        date: form.date.clone(),
        source: Some(form.source.clone()),
    };
    match service::record_measurement(&ctx.app, &ctx.actor, id, &input).await {
        Ok(_) => see_other(&format!(
            "/key-results/{id}?done=recorded#measurements-heading"
        )),
        Err(AppError::Invalid(errors)) => {
            show_page(
                &ctx,
                id,
                form,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---- CSV upload -------------------------------------------------------------------------------

/// A key result offered on the upload page, with the id to copy into the file.
struct ImportKeyResult {
    id: KeyResultId,
    name: String,
    unit: String,
}

/// One bad row of a rejected file.
struct RowError {
    row: usize,
    column: String,
    message: String,
}

#[derive(Template)]
#[template(path = "key_results/import.html")]
struct ImportPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    /// (objective title, its key results).
    objectives: Vec<(String, Vec<ImportKeyResult>)>,
    /// Problems with the file as a whole.
    file_errors: Vec<String>,
    /// Problems of single rows, by row number (at most [`ROW_ERRORS_SHOWN`]).
    row_errors: Vec<RowError>,
    /// How many rows have problems in all.
    bad_rows: usize,
    /// How many row problems are not listed.
    more_row_errors: usize,
    example: String,
}

impl ImportPage {
    fn has_errors(&self) -> bool {
        !self.file_errors.is_empty() || !self.row_errors.is_empty()
    }
}

/// Splits `rows[12].value` into (12, "value"); `rows[3]` into (3, "").
fn row_field(field: &str) -> Option<(usize, &str)> {
    let rest = field.strip_prefix("rows[")?;
    let (number, rest) = rest.split_once(']')?;
    let row = number.parse().ok()?;
    Some((row, rest.strip_prefix('.').unwrap_or(rest)))
}

async fn import_page(
    ctx: &Ctx,
    id: CollaborationId,
    errors: Option<FieldErrors>,
) -> Result<ImportPage, AppError> {
    let view = collaborations::get(&ctx.app, &ctx.actor, id).await?;
    if !view.permissions.add_content {
        return Err(AppError::Forbidden);
    }
    let mut groups = Vec::new();
    for objective in objectives::list(&ctx.app, &ctx.actor, id).await? {
        let key_results: Vec<ImportKeyResult> =
            service::for_objective(&ctx.app, &ctx.actor, objective.id)
                .await?
                .into_iter()
                .map(|s| ImportKeyResult {
                    id: s.key_result.id,
                    name: s.key_result.name,
                    unit: s.key_result.unit,
                })
                .collect();
        if !key_results.is_empty() {
            groups.push((objective.title, key_results));
        }
    }
    let lang = ctx.lang;
    let mut file_errors = Vec::new();
    let mut row_errors = Vec::new();
    for e in errors.map(|e| e.0).unwrap_or_default() {
        if let Some((row, column)) = row_field(&e.field) {
            row_errors.push(RowError {
                row,
                column: column.to_owned(),
                message: lang.t(&format!("error-{}", e.code)),
            });
        } else if let Some(column) = e.field.strip_prefix("columns.") {
            file_errors.push(lang.ta("import-missing-column", &[("column", column)]));
        } else {
            file_errors.push(lang.t(&format!("error-{}", e.code)));
        }
    }
    row_errors.sort_by_key(|e| e.row);
    let mut rows: Vec<usize> = row_errors.iter().map(|e| e.row).collect();
    rows.dedup();
    let more_row_errors = row_errors.len().saturating_sub(ROW_ERRORS_SHOWN);
    row_errors.truncate(ROW_ERRORS_SHOWN);
    let today = ctx.app.now().date_naive();
    let example_id = groups
        .first()
        .and_then(|(_, krs)| krs.first())
        .map(|kr| kr.id.to_string())
        .unwrap_or_else(|| "…".to_owned());
    let example = format!(
        "key_result_id,date,value,source\n{example_id},{today},28,City highways crossing audit\n"
    );
    Ok(ImportPage {
        c: PageCtx::new(ctx, "collaborations"),
        collaboration_id: id,
        collaboration_title: view.collaboration.title,
        objectives: groups,
        file_errors,
        row_errors,
        bad_rows: rows.len(),
        more_row_errors,
        example,
    })
}

async fn import_form(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    if let Err(redirect) =
        require_sign_in(&ctx, &format!("/collaborations/{id}/measurements/import"))
    {
        return redirect;
    }
    match import_page(&ctx, id, None).await {
        Ok(page) => ok(&page),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn import(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let back = format!("/collaborations/{id}/measurements/import");
    if let Err(redirect) = require_sign_in(&ctx, &back) {
        return redirect;
    }
    // Who may not upload here learns nothing from the file: the page is checked first.
    if let Err(error) = import_page(&ctx, id, None).await {
        return page_error(&ctx)(error).into_response();
    }
    let result = match super::uploaded_file(multipart).await {
        Some(bytes) => service::import_csv(&ctx.app, &ctx.actor, id, &bytes).await,
        None => Err(AppError::invalid("file", "no_file")),
    };
    match result {
        Ok(count) => see_other(&format!(
            "/collaborations/{id}?done=measurements_imported&count={count}"
        )),
        Err(AppError::Invalid(errors)) => match import_page(&ctx, id, Some(errors)).await {
            Ok(page) => render(StatusCode::UNPROCESSABLE_ENTITY, &page),
            Err(error) => page_error(&ctx)(error).into_response(),
        },
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally_in_each_language() {
        assert_eq!(number(Lang::En, 28.0), "28");
        assert_eq!(number(Lang::En, 35.8), "35.8");
        assert_eq!(number(Lang::Fr, 35.8), "35,8");
        assert_eq!(number(Lang::En, 1.0 / 3.0), "0.33");
        assert_eq!(number(Lang::En, -0.001), "0");
        assert_eq!(number_with(Lang::En, 46.52, 1), "46.5");
        assert_eq!(with_unit(Lang::En, 45.0, "schools"), "45 schools");
    }

    #[test]
    fn percent_never_rounds_up_to_the_target() {
        assert_eq!(percent(0.533), 53);
        assert_eq!(percent(0.999), 99);
        assert_eq!(percent(1.0), 100);
        assert_eq!(percent(-0.2), 0);
    }

    #[test]
    fn import_field_names_give_row_and_column() {
        assert_eq!(row_field("rows[12].value"), Some((12, "value")));
        assert_eq!(row_field("rows[3]"), Some((3, "")));
        assert_eq!(row_field("columns.date"), None);
        assert_eq!(row_field("file"), None);
    }
}
