//! Stakeholder register pages: the power/interest grid with the filtered, sortable list; the form
//! to add or edit a stakeholder; a stakeholder's own page (flags, recent engagements, a person's
//! data export and erasure); the flagged list; CSV import and CSV/JSON export; and the help page
//! that explains the rules. Every handler calls `concord_app::stakeholders`, the API's services.
//!
//! Persons' names and contact details arrive already withheld for readers who may not see them;
//! a withheld name is shown as "A person (name withheld)".

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use concord_app::AppError;
use concord_app::collaborations;
use concord_app::stakeholders::{
    self as service, FlaggedStakeholder, GridCell, Register, RegisterQuery, StakeholderDetail,
};
use concord_domain::collaboration::PersonMember;
use concord_domain::organisation::Organisation;
use concord_domain::stakeholder::{
    Attitude, EngagementFrequency, Flag, IntOrText, Quadrant, RegisterSort, Stakeholder,
    StakeholderInput, StakeholderKind,
};
use concord_domain::{CollaborationId, FieldErrors, StakeholderId};

use super::{PageCtx, PagePath, ok, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::context::Ctx;

/// Largest CSV upload accepted (the CSRF guard reads bodies up to the same size).
const UPLOAD_LIMIT: usize = 8 * 1024 * 1024;
/// Bad rows listed on the page after a failed upload; the rest are counted.
const ROW_ERRORS_SHOWN: usize = 500;
/// Scores offered for influence and interest.
const SCORES: [u8; 5] = [1, 2, 3, 4, 5];

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/collaborations/{id}/stakeholders", get(register_page)),
        ("/collaborations/{id}/stakeholders/settings", post(settings)),
        (
            "/collaborations/{id}/stakeholders/new",
            get(new_form).post(create),
        ),
        ("/collaborations/{id}/stakeholders/flags", get(flags_page)),
        (
            "/collaborations/{id}/stakeholders/import",
            get(import_form)
                .post(import)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        (
            "/collaborations/{id}/stakeholders/export/{file}",
            get(export),
        ),
        ("/stakeholders/{id}", get(show)),
        ("/stakeholders/{id}/edit", get(edit_form).post(update)),
        ("/stakeholders/{id}/delete", post(delete)),
        ("/stakeholders/{id}/personal-data", get(personal_data)),
        ("/stakeholders/{id}/erase", get(erase_form).post(erase)),
        ("/help/stakeholders", get(help)),
    ]
}

/// A stakeholder's name as the reader may see it.
fn display_name(c: &PageCtx, s: &Stakeholder) -> String {
    s.name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| c.t("stakeholder-name-withheld"))
}

/// "Not engaged in time (due 31 Jan 2026)".
fn flag_text(c: &PageCtx, f: &Flag) -> String {
    c.t1(
        &format!("stakeholder-flag-{}-due", f.kind.as_str()),
        "date",
        &c.date(&f.due),
    )
}

/// Makes the page's messages precise where a code is shared: an out-of-range score says its
/// range (the codes stay the API's; only the words differ).
fn refine(mut errors: FieldErrors) -> FieldErrors {
    for e in &mut errors.0 {
        if e.code == "out_of_range" {
            if e.field.ends_with("influence") || e.field.ends_with("interest") {
                e.code = "score_out_of_range".to_owned();
            } else if e.field == "early_window_days" {
                e.code = "window_out_of_range".to_owned();
            }
        }
    }
    errors
}

// ---- the register -----------------------------------------------------------------------------

/// The register's address parameters as typed (an unparsable page is page 1).
#[derive(Clone, Debug, Default, serde::Deserialize)]
struct RegisterParams {
    #[serde(default)]
    quadrant: String,
    #[serde(default)]
    attitude: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    order: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    done: String,
    #[serde(default)]
    count: String,
}

impl RegisterParams {
    fn query(&self) -> RegisterQuery {
        let some = |s: &String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        RegisterQuery {
            quadrant: some(&self.quadrant),
            attitude: some(&self.attitude),
            kind: some(&self.kind),
            sort: some(&self.sort),
            order: some(&self.order),
            page: self.page.trim().parse().ok(),
        }
    }
}

#[derive(Template)]
#[template(path = "stakeholders/register.html")]
struct RegisterPage {
    c: PageCtx,
    collaboration_title: String,
    reg: Register,
    /// The grid's cells in reading order of the 2×2 layout: high influence on top, high interest
    /// on the right.
    cells: Vec<GridCell>,
    /// The filters as applied (empty: any).
    quadrant: String,
    attitude: String,
    kind: String,
    /// Problems with the filters in the address (then no filter is applied).
    errors: FieldErrors,
    /// The early-involvement setting as typed, and its problem.
    window_value: String,
    window_errors: FieldErrors,
    /// A confirmation after a change.
    done: Option<String>,
}

impl RegisterPage {
    fn base(&self) -> String {
        format!("/collaborations/{}/stakeholders", self.reg.collaboration_id)
    }

    /// The register's address with these parameters (empty ones left out).
    fn href(&self, quadrant: &str, sort: &str, order: &str, page: usize) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("quadrant", quadrant),
            ("attitude", self.attitude.as_str()),
            ("kind", self.kind.as_str()),
            ("sort", sort),
            ("order", order),
        ] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            self.base()
        } else {
            format!("{}?{query}", self.base())
        }
    }

    fn current_order(&self) -> &'static str {
        if self.reg.descending { "desc" } else { "asc" }
    }

    /// A column header's link: sorts by the column, or reverses the order when it already does.
    fn sort_href(&self, column: &str) -> String {
        let order = if self.reg.sort.as_str() == column && !self.reg.descending {
            "desc"
        } else {
            "asc"
        };
        format!(
            "{}#list-heading",
            self.href(&self.quadrant, column, order, 1)
        )
    }

    /// `aria-sort` for a column header: empty when the list is not sorted by it.
    fn aria_sort(&self, column: &str) -> &'static str {
        match (self.reg.sort.as_str() == column, self.reg.descending) {
            (false, _) => "",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }

    fn page_href(&self, page: &usize) -> String {
        format!(
            "{}#list-heading",
            self.href(
                &self.quadrant,
                self.reg.sort.as_str(),
                self.current_order(),
                *page
            )
        )
    }

    fn pages(&self) -> Vec<usize> {
        (1..=self.reg.pages).collect()
    }

    fn show_all_href(&self, quadrant: &Quadrant) -> String {
        format!(
            "{}#list-heading",
            self.href(
                quadrant.as_str(),
                self.reg.sort.as_str(),
                self.current_order(),
                1
            )
        )
    }

    fn name(&self, s: &Stakeholder) -> String {
        display_name(&self.c, s)
    }

    fn sort_columns(&self) -> &'static [RegisterSort] {
        RegisterSort::ALL
    }

    fn quadrants(&self) -> &'static [Quadrant] {
        Quadrant::ALL
    }

    fn attitudes(&self) -> &'static [Attitude] {
        Attitude::ALL
    }

    fn kinds(&self) -> &'static [StakeholderKind] {
        StakeholderKind::ALL
    }

    fn filtered(&self) -> bool {
        !self.quadrant.is_empty() || !self.attitude.is_empty() || !self.kind.is_empty()
    }
}

/// The 2×2 layout's reading order: top row high influence (keep satisfied, manage closely),
/// bottom row low influence (monitor, keep informed); interest grows to the right.
fn layout_order(grid: &[GridCell]) -> Vec<GridCell> {
    [
        Quadrant::KeepSatisfied,
        Quadrant::ManageClosely,
        Quadrant::Monitor,
        Quadrant::KeepInformed,
    ]
    .iter()
    .filter_map(|q| grid.iter().find(|cell| cell.quadrant == *q).cloned())
    .collect()
}

/// Renders the register; filters the address names wrongly are reported and dropped.
async fn register_response(
    ctx: &Ctx,
    id: CollaborationId,
    params: RegisterParams,
    window: Option<(String, FieldErrors)>,
) -> Response {
    let result = async {
        let view = collaborations::get(&ctx.app, &ctx.actor, id).await?;
        let (reg, params, errors) =
            match service::register(&ctx.app, &ctx.actor, id, &params.query()).await {
                Ok(reg) => (reg, params, FieldErrors::new()),
                Err(AppError::Invalid(errors)) => {
                    let plain = RegisterParams {
                        done: params.done.clone(),
                        count: params.count.clone(),
                        ..Default::default()
                    };
                    let reg = service::register(&ctx.app, &ctx.actor, id, &plain.query()).await?;
                    (reg, plain, errors)
                }
                Err(error) => return Err(error),
            };
        Ok((view.collaboration.title, reg, params, errors))
    }
    .await;
    let (collaboration_title, reg, params, errors) = match result {
        Ok(parts) => parts,
        Err(error) => return page_error(ctx)(error).into_response(),
    };
    let c = PageCtx::new(ctx, "collaborations");
    let done = match params.done.as_str() {
        "imported" => Some(
            c.t1(
                "stakeholder-done-imported",
                "count",
                params
                    .count
                    .parse::<u32>()
                    .map(|n| n.to_string())
                    .as_deref()
                    .unwrap_or("0"),
            ),
        ),
        "deleted" | "erased" | "settings" => {
            Some(c.t(&format!("stakeholder-done-{}", params.done)))
        }
        _ => None,
    };
    let invalid = window.is_some();
    let (window_value, window_errors) =
        window.unwrap_or_else(|| (reg.early_window_days.to_string(), FieldErrors::new()));
    let page = RegisterPage {
        cells: layout_order(&reg.grid),
        c,
        collaboration_title,
        quadrant: params.quadrant.trim().to_owned(),
        attitude: params.attitude.trim().to_owned(),
        kind: params.kind.trim().to_owned(),
        reg,
        errors,
        window_value,
        window_errors,
        done,
    };
    render(
        if invalid {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &page,
    )
}

async fn register_page(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(params): Query<RegisterParams>,
) -> Response {
    register_response(&ctx, id, params, None).await
}

#[derive(Debug, Default, serde::Deserialize)]
struct WindowForm {
    #[serde(default)]
    early_window_days: String,
}

async fn settings(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<WindowForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/stakeholders")) {
        return redirect;
    }
    let days = IntOrText::Text(form.early_window_days.clone());
    match service::set_early_window(&ctx.app, &ctx.actor, id, &days).await {
        Ok(_) => see_other(&format!(
            "/collaborations/{id}/stakeholders?done=settings#settings-heading"
        )),
        Err(AppError::Invalid(errors)) => {
            register_response(
                &ctx,
                id,
                RegisterParams::default(),
                Some((form.early_window_days, refine(errors))),
            )
            .await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---- the form ---------------------------------------------------------------------------------

/// The form's values as typed, so a rejected submission comes back intact.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct StakeholderForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    stake: String,
    #[serde(default)]
    influence: String,
    #[serde(default)]
    interest: String,
    #[serde(default)]
    attitude: String,
    #[serde(default)]
    frequency: String,
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
}

impl StakeholderForm {
    fn from_stakeholder(s: &Stakeholder) -> Self {
        StakeholderForm {
            name: s.name.clone().unwrap_or_default(),
            kind: s.kind.as_str().to_owned(),
            stake: s.stake.clone().unwrap_or_default(),
            influence: s.influence.to_string(),
            interest: s.interest.to_string(),
            attitude: s.attitude.as_str().to_owned(),
            frequency: s.frequency.as_str().to_owned(),
            owner_id: s.owner_id.map(|u| u.to_string()).unwrap_or_default(),
            organisation_id: s.organisation_id.map(|o| o.to_string()).unwrap_or_default(),
            email: s.email.clone().unwrap_or_default(),
            phone: s.phone.clone().unwrap_or_default(),
        }
    }

    fn input(&self) -> StakeholderInput {
        let some = |s: &String| Some(s.clone());
        StakeholderInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            stake: some(&self.stake),
            influence: Some(IntOrText::Text(self.influence.clone())),
            interest: Some(IntOrText::Text(self.interest.clone())),
            attitude: some(&self.attitude),
            frequency: some(&self.frequency),
            owner_id: some(&self.owner_id),
            organisation_id: some(&self.organisation_id),
            email: some(&self.email),
            phone: some(&self.phone),
        }
    }
}

#[derive(Template)]
#[template(path = "stakeholders/form.html")]
struct FormPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    /// `None` when adding.
    id: Option<StakeholderId>,
    people: Vec<PersonMember>,
    organisations: Vec<Organisation>,
    form: StakeholderForm,
    errors: FieldErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/stakeholders/{id}/edit"),
            None => format!("/collaborations/{}/stakeholders/new", self.collaboration_id),
        }
    }

    fn cancel_href(&self) -> String {
        match self.id {
            Some(id) => format!("/stakeholders/{id}"),
            None => format!("/collaborations/{}/stakeholders", self.collaboration_id),
        }
    }

    fn kinds(&self) -> &'static [StakeholderKind] {
        StakeholderKind::ALL
    }

    fn attitudes(&self) -> &'static [Attitude] {
        Attitude::ALL
    }

    fn frequencies(&self) -> &'static [EngagementFrequency] {
        EngagementFrequency::ALL
    }

    fn scores(&self) -> &'static [u8] {
        &SCORES
    }

    /// The two score fields with their values as typed.
    fn score_fields(&self) -> [(&'static str, &str); 2] {
        [
            ("influence", self.form.influence.as_str()),
            ("interest", self.form.interest.as_str()),
        ]
    }
}

/// Builds the form page: the collaboration's named people for the owner, the directory's
/// organisations for a platform organisation.
async fn form_page(
    ctx: &Ctx,
    collaboration: CollaborationId,
    id: Option<StakeholderId>,
    form: StakeholderForm,
    errors: FieldErrors,
) -> Result<FormPage, AppError> {
    let view = collaborations::get(&ctx.app, &ctx.actor, collaboration).await?;
    if !view.permissions.add_content {
        return Err(AppError::Forbidden);
    }
    let organisations = concord_app::organisations::all(&ctx.app, &ctx.actor).await?;
    Ok(FormPage {
        c: PageCtx::new(ctx, "collaborations"),
        collaboration_id: collaboration,
        collaboration_title: view.collaboration.title,
        id,
        people: view.people,
        organisations,
        form,
        errors,
    })
}

async fn new_form(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/stakeholders/new"))
    {
        return redirect;
    }
    let form = StakeholderForm {
        attitude: Attitude::Neutral.as_str().to_owned(),
        frequency: EngagementFrequency::Monthly.as_str().to_owned(),
        ..Default::default()
    };
    match form_page(&ctx, id, None, form, FieldErrors::new()).await {
        Ok(page) => ok(&page),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn form_again(
    ctx: &Ctx,
    collaboration: CollaborationId,
    id: Option<StakeholderId>,
    form: StakeholderForm,
    errors: FieldErrors,
) -> Response {
    match form_page(ctx, collaboration, id, form, errors).await {
        Ok(page) => render(StatusCode::UNPROCESSABLE_ENTITY, &page),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn create(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<StakeholderForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/stakeholders/new"))
    {
        return redirect;
    }
    match service::create(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(detail) => see_other(&format!(
            "/stakeholders/{}?done=created",
            detail.stakeholder.id
        )),
        Err(AppError::Invalid(errors)) => form_again(&ctx, id, None, form, refine(errors)).await,
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn edit_form(ctx: Ctx, PagePath(id): PagePath<StakeholderId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/stakeholders/{id}/edit")) {
        return redirect;
    }
    let result = async {
        let detail = service::get(&ctx.app, &ctx.actor, id).await?;
        if !detail.can_edit {
            return Err(AppError::Forbidden);
        }
        let s = &detail.stakeholder;
        form_page(
            &ctx,
            s.collaboration_id,
            Some(id),
            StakeholderForm::from_stakeholder(s),
            FieldErrors::new(),
        )
        .await
    }
    .await;
    match result {
        Ok(page) => ok(&page),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn update(
    ctx: Ctx,
    PagePath(id): PagePath<StakeholderId>,
    Form(form): Form<StakeholderForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/stakeholders/{id}/edit")) {
        return redirect;
    }
    match service::update(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(_) => see_other(&format!("/stakeholders/{id}?done=updated")),
        Err(AppError::Invalid(errors)) => match service::get(&ctx.app, &ctx.actor, id).await {
            Ok(current) => {
                form_again(
                    &ctx,
                    current.stakeholder.collaboration_id,
                    Some(id),
                    form,
                    refine(errors),
                )
                .await
            }
            Err(error) => page_error(&ctx)(error).into_response(),
        },
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---- a stakeholder's page ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "stakeholders/show.html")]
struct ShowPage {
    c: PageCtx,
    d: StakeholderDetail,
    collaboration_title: String,
    /// Whether the reader may read the engagement log and flags (a member).
    member: bool,
    done: Option<String>,
}

impl ShowPage {
    fn name(&self) -> String {
        display_name(&self.c, &self.d.stakeholder)
    }

    fn flag(&self, f: &Flag) -> String {
        flag_text(&self.c, f)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn show(
    ctx: Ctx,
    PagePath(id): PagePath<StakeholderId>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let result = async {
        let d = service::get(&ctx.app, &ctx.actor, id).await?;
        let view =
            collaborations::get(&ctx.app, &ctx.actor, d.stakeholder.collaboration_id).await?;
        Ok::<_, AppError>((d, view))
    }
    .await;
    match result {
        Ok((d, view)) => {
            let c = PageCtx::new(&ctx, "collaborations");
            let done = matches!(query.done.as_str(), "created" | "updated")
                .then(|| c.t(&format!("stakeholder-done-{}", query.done)));
            // Members read persons' data; the service says so by not withholding it.
            let member = view.permissions.read_history;
            ok(&ShowPage {
                c,
                d,
                collaboration_title: view.collaboration.title,
                member,
                done,
            })
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn delete(ctx: Ctx, PagePath(id): PagePath<StakeholderId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/stakeholders/{id}")) {
        return redirect;
    }
    let result = async {
        let d = service::get(&ctx.app, &ctx.actor, id).await?;
        service::delete(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>(d.stakeholder.collaboration_id)
    }
    .await;
    match result {
        Ok(collaboration) => see_other(&format!(
            "/collaborations/{collaboration}/stakeholders?done=deleted"
        )),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---- a person's data --------------------------------------------------------------------------

/// Everything held about a person, as a JSON download (coordinators only; the service records
/// that it was exported).
async fn personal_data(ctx: Ctx, PagePath(id): PagePath<StakeholderId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/stakeholders/{id}")) {
        return redirect;
    }
    let export = match service::export_personal_data(&ctx.app, &ctx.actor, id).await {
        Ok(export) => export,
        Err(error) => return page_error(&ctx)(error).into_response(),
    };
    let body = match serde_json::to_vec_pretty(&export) {
        Ok(body) => body,
        Err(e) => {
            return page_error(&ctx)(AppError::Internal(format!("writing JSON: {e}")))
                .into_response();
        }
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    // The id is a UUID: safe inside quotes.
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"stakeholder-{id}-personal-data.json\""
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Template)]
#[template(path = "stakeholders/erase.html")]
struct ErasePage {
    c: PageCtx,
    d: StakeholderDetail,
}

impl ErasePage {
    fn name(&self) -> String {
        display_name(&self.c, &self.d.stakeholder)
    }
}

/// Only coordinators may erase, and only persons: anyone else is refused before the page shows.
async fn erasable(ctx: &Ctx, id: StakeholderId) -> Result<StakeholderDetail, AppError> {
    let d = service::get(&ctx.app, &ctx.actor, id).await?;
    if d.stakeholder.kind != StakeholderKind::Person {
        return Err(AppError::Conflict("only_persons_are_erased"));
    }
    if !d.can_manage_personal_data {
        return Err(AppError::Forbidden);
    }
    Ok(d)
}

async fn erase_form(ctx: Ctx, PagePath(id): PagePath<StakeholderId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/stakeholders/{id}/erase")) {
        return redirect;
    }
    match erasable(&ctx, id).await {
        Ok(d) => ok(&ErasePage {
            c: PageCtx::new(&ctx, "collaborations"),
            d,
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn erase(ctx: Ctx, PagePath(id): PagePath<StakeholderId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/stakeholders/{id}/erase")) {
        return redirect;
    }
    let result = async {
        let d = service::get(&ctx.app, &ctx.actor, id).await?;
        service::erase(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>(d.stakeholder.collaboration_id)
    }
    .await;
    match result {
        Ok(collaboration) => see_other(&format!(
            "/collaborations/{collaboration}/stakeholders?done=erased"
        )),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---- flags ------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "stakeholders/flags.html")]
struct FlagsPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    flagged: Vec<FlaggedStakeholder>,
}

impl FlagsPage {
    fn name(&self, s: &Stakeholder) -> String {
        display_name(&self.c, s)
    }
}

async fn flags_page(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    let result = async {
        let view = collaborations::get(&ctx.app, &ctx.actor, id).await?;
        let flagged = service::flagged(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>((view.collaboration.title, flagged))
    }
    .await;
    match result {
        Ok((collaboration_title, flagged)) => ok(&FlagsPage {
            c: PageCtx::new(&ctx, "collaborations"),
            collaboration_id: id,
            collaboration_title,
            flagged,
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---- import and export ------------------------------------------------------------------------

/// One bad row of a rejected file.
struct RowError {
    row: usize,
    column: String,
    message: String,
}

#[derive(Template)]
#[template(path = "stakeholders/import.html")]
struct ImportPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    /// Problems with the file as a whole (including its columns).
    file_errors: Vec<String>,
    /// Problems of single rows, in row order (at most [`ROW_ERRORS_SHOWN`]).
    row_errors: Vec<RowError>,
    /// How many rows have problems in all.
    bad_rows: usize,
    /// How many row problems are not listed.
    more_row_errors: usize,
    example: &'static str,
}

impl ImportPage {
    fn has_errors(&self) -> bool {
        !self.file_errors.is_empty() || !self.row_errors.is_empty()
    }

    fn columns(&self) -> &'static [&'static str] {
        concord_domain::stakeholder::CSV_COLUMNS
    }

    fn required(&self, column: &&str) -> bool {
        concord_domain::stakeholder::CSV_REQUIRED_COLUMNS.contains(column)
    }

    /// "Row 3, influence: must be between 1 and 5".
    fn row_message(&self, e: &RowError) -> String {
        if e.column.is_empty() {
            self.c.t2(
                "stakeholder-import-row-error-whole",
                "row",
                &e.row.to_string(),
                "message",
                &e.message,
            )
        } else {
            self.c.lang.ta(
                "stakeholder-import-row-error",
                &[
                    ("row", &e.row.to_string()),
                    ("column", &e.column),
                    ("message", &e.message),
                ],
            )
        }
    }
}

/// Splits `rows[12].influence` into (12, "influence"); `rows[3]` into (3, "").
fn row_field(field: &str) -> Option<(usize, &str)> {
    let rest = field.strip_prefix("rows[")?;
    let (number, rest) = rest.split_once(']')?;
    let row = number.parse().ok()?;
    Some((row, rest.strip_prefix('.').unwrap_or(rest)))
}

const IMPORT_EXAMPLE: &str = "name,kind,influence,interest,attitude,frequency,owner_email,stake\n\
Riverton Nurses' Union,external_organisation,4,5,sceptic,monthly,,Shift patterns change\n\
Parents of pupils at Riverton schools,group,2,4,supporter,quarterly,,\n";

async fn import_page(
    ctx: &Ctx,
    id: CollaborationId,
    errors: Option<FieldErrors>,
) -> Result<ImportPage, AppError> {
    let view = collaborations::get(&ctx.app, &ctx.actor, id).await?;
    if !view.permissions.add_content {
        return Err(AppError::Forbidden);
    }
    let lang = ctx.lang;
    let mut file_errors = Vec::new();
    let mut row_errors = Vec::new();
    for e in errors.map(|e| refine(e).0).unwrap_or_default() {
        let message = if e.code == "no_rows" {
            lang.t("stakeholder-import-no-rows")
        } else {
            lang.t(&format!("error-{}", e.code))
        };
        if let Some((row, column)) = row_field(&e.field) {
            row_errors.push(RowError {
                row,
                column: column.to_owned(),
                message,
            });
        } else if let Some(column) = e.field.strip_prefix("columns.") {
            file_errors.push(lang.ta(
                "stakeholder-import-column-error",
                &[("column", column), ("message", &message)],
            ));
        } else {
            file_errors.push(message);
        }
    }
    row_errors.sort_by_key(|e| e.row);
    let mut rows: Vec<usize> = row_errors.iter().map(|e| e.row).collect();
    rows.dedup();
    let more_row_errors = row_errors.len().saturating_sub(ROW_ERRORS_SHOWN);
    row_errors.truncate(ROW_ERRORS_SHOWN);
    Ok(ImportPage {
        c: PageCtx::new(ctx, "collaborations"),
        collaboration_id: id,
        collaboration_title: view.collaboration.title,
        file_errors,
        row_errors,
        bad_rows: rows.len(),
        more_row_errors,
        example: IMPORT_EXAMPLE,
    })
}

async fn import_form(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    if let Err(redirect) =
        require_sign_in(&ctx, &format!("/collaborations/{id}/stakeholders/import"))
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
    if let Err(redirect) =
        require_sign_in(&ctx, &format!("/collaborations/{id}/stakeholders/import"))
    {
        return redirect;
    }
    // Who may not import here learns nothing from the file: the page is checked first.
    if let Err(error) = import_page(&ctx, id, None).await {
        return page_error(&ctx)(error).into_response();
    }
    let result = match super::uploaded_file(multipart).await {
        Some(bytes) => service::import_csv(&ctx.app, &ctx.actor, id, &bytes).await,
        None => Err(AppError::invalid("file", "no_file")),
    };
    match result {
        Ok(count) => see_other(&format!(
            "/collaborations/{id}/stakeholders?done=imported&count={count}"
        )),
        Err(AppError::Invalid(errors)) => match import_page(&ctx, id, Some(errors)).await {
            Ok(page) => render(StatusCode::UNPROCESSABLE_ENTITY, &page),
            Err(error) => page_error(&ctx)(error).into_response(),
        },
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

/// The register as `stakeholders.csv` or `stakeholders.json`: the same bytes as the API's export.
async fn export(ctx: Ctx, PagePath((id, file)): PagePath<(CollaborationId, String)>) -> Response {
    match service::export_file(&ctx.app, &ctx.actor, id, &file).await {
        Ok(export) => crate::api::dashboard::attachment(export),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---- help -------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "help/stakeholders.html")]
struct HelpPage {
    c: PageCtx,
    high_from: u8,
    default_window: i64,
}

impl HelpPage {
    fn quadrants(&self) -> &'static [Quadrant] {
        Quadrant::ALL
    }

    fn frequencies(&self) -> &'static [EngagementFrequency] {
        EngagementFrequency::ALL
    }
}

/// The quadrant rule, the flag rules, the RACI rule and who sees persons' data.
async fn help(ctx: Ctx) -> Response {
    ok(&HelpPage {
        c: PageCtx::new(&ctx, ""),
        high_from: concord_domain::stakeholder::HIGH_SCORE_FROM,
        default_window: concord_domain::stakeholder::DEFAULT_EARLY_WINDOW_DAYS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_field_names_give_row_and_column() {
        assert_eq!(row_field("rows[12].influence"), Some((12, "influence")));
        assert_eq!(row_field("rows[3]"), Some((3, "")));
        assert_eq!(row_field("columns.colour"), None);
    }

    #[test]
    fn every_choice_has_words_in_both_languages() {
        use crate::i18n::Lang;
        let mut keys: Vec<String> = Vec::new();
        keys.extend(
            Quadrant::ALL
                .iter()
                .map(|q| format!("stakeholder-quadrant-{q}")),
        );
        keys.extend(
            Attitude::ALL
                .iter()
                .map(|a| format!("stakeholder-attitude-{a}")),
        );
        keys.extend(
            StakeholderKind::ALL
                .iter()
                .map(|k| format!("stakeholder-kind-{k}")),
        );
        keys.extend(
            EngagementFrequency::ALL
                .iter()
                .map(|f| format!("stakeholder-frequency-{f}")),
        );
        keys.extend(
            RegisterSort::ALL
                .iter()
                .map(|s| format!("stakeholder-sort-{s}")),
        );
        keys.extend(
            concord_domain::stakeholder::FlagKind::ALL
                .iter()
                .map(|f| format!("stakeholder-flag-{f}")),
        );
        keys.extend(
            concord_domain::stakeholder::EngagementChannel::ALL
                .iter()
                .map(|c| format!("stakeholder-channel-{c}")),
        );
        for lang in Lang::ALL {
            for key in &keys {
                assert_ne!(&lang.t(key), key, "{lang:?} lacks {key}");
            }
        }
    }
}
