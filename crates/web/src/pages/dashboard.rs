//! The collaboration dashboard and the organisation portfolio pages. They call the same
//! `concord_app::dashboard` services as their API twins; this module only turns the results into
//! words, numbers and server-rendered SVG charts (each followed by its data as a table, so screen
//! readers and people without JavaScript get every number).

use askama::Template;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use concord_app::dashboard::{
    self as service, CollaborationDashboard, Dataset, Format, KeyResultCard, ObjectiveDashboard,
    Portfolio, StatusCounts,
};
use concord_domain::evaluation::{Direction, Status};
use concord_domain::{CollaborationId, OrganisationId};

use super::{PageCtx, PagePath, ok, page_error};
use crate::AppState;
use crate::charts::{ChartLabels, ChartPoint, LineChart, line_chart};
use crate::context::Ctx;
use crate::i18n::Lang;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/collaborations/{id}/dashboard", get(collaboration)),
        ("/organisations/{id}/portfolio", get(portfolio)),
    ]
}

/// Chart size in pixels (the stylesheet scales it to the card's width).
const CHART_WIDTH: u32 = 480;
const CHART_HEIGHT: u32 = 250;

/// A number as people read it: at most two decimals, no trailing zeros, the language's decimal
/// mark.
pub fn number(lang: Lang, value: f64) -> String {
    let mut text = format!("{value:.2}");
    if text.contains('.') {
        text = text.trim_end_matches('0').trim_end_matches('.').to_owned();
    }
    if text == "-0" {
        text = "0".to_owned();
    }
    match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    }
}

/// A value with its unit: `42%` and `42 %` in French; `12 schools`.
pub fn with_unit(lang: Lang, value: f64, unit: &str) -> String {
    let n = number(lang, value);
    match (unit, lang) {
        ("", _) => n,
        ("%", Lang::En) => format!("{n}%"),
        ("%", Lang::Fr) => format!("{n}\u{a0}%"),
        (unit, _) => format!("{n} {unit}"),
    }
}

/// A status with its count, for the summary strips.
pub struct Chip {
    pub code: &'static str,
    pub label: String,
    pub count: usize,
}

fn chips(c: &PageCtx, counts: &StatusCounts, only_present: bool) -> Vec<Chip> {
    let entries = if only_present {
        counts.present()
    } else {
        counts.entries()
    };
    entries
        .into_iter()
        .map(|(status, count)| Chip {
            code: status.as_str(),
            label: status_label(c, status),
            count,
        })
        .collect()
}

fn status_label(c: &PageCtx, status: Status) -> String {
    c.label("dashboard-status", status.as_str())
}

/// One measurement row of a card's data table.
pub struct Row {
    pub date: NaiveDate,
    pub value: String,
    pub source: String,
}

/// A key result as its card shows it.
pub struct Card {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub status_label: String,
    pub reason: String,
    /// Progress in whole percent, and as text in the reader's language.
    pub progress: Option<(u32, String)>,
    pub latest: Option<String>,
    pub target: String,
    pub next_due: Option<NaiveDate>,
    pub overdue: bool,
    pub owner: Option<String>,
    /// A complete `<svg>` element from [`crate::charts`], safe to embed.
    pub chart: String,
    pub rows: Vec<Row>,
}

/// The sentence that says what the key result aims for.
fn target_sentence(c: &PageCtx, card: &KeyResultCard) -> String {
    let k = &card.summary.key_result;
    let lang = c.lang;
    let Some(target) = k.target_value else {
        return c.t("dashboard-target-none");
    };
    let date = k
        .target_date
        .map(|d| c.date(&d))
        .unwrap_or_else(|| c.t("not-set"));
    let baseline = with_unit(lang, k.baseline_value, &k.unit);
    match k.direction {
        Direction::Range => {
            let high = k.target_high.unwrap_or(target);
            let (low, high) = (target.min(high), target.max(high));
            lang.ta(
                "dashboard-target-range",
                &[
                    ("low", &with_unit(lang, low, &k.unit)),
                    ("high", &with_unit(lang, high, &k.unit)),
                    ("baseline", &baseline),
                    ("date", &date),
                ],
            )
        }
        direction => lang.ta(
            if direction == Direction::Decrease {
                "dashboard-target-decrease"
            } else {
                "dashboard-target-increase"
            },
            &[
                ("value", &with_unit(lang, target, &k.unit)),
                ("baseline", &baseline),
                ("date", &date),
            ],
        ),
    }
}

fn card(c: &PageCtx, card: &KeyResultCard) -> Card {
    let lang = c.lang;
    let k = &card.summary.key_result;
    let a = &card.summary.assessment;
    let target = target_sentence(c, card);
    let latest = a.latest.map(|m| {
        lang.ta(
            "dashboard-value-on",
            &[
                ("value", &with_unit(lang, m.value, &k.unit)),
                ("date", &c.date(&m.date)),
            ],
        )
    });
    let points: Vec<ChartPoint> = card
        .measurements
        .iter()
        .map(|m| ChartPoint {
            date: m.date,
            value: m.value,
        })
        .collect();
    let target_line = match (k.direction, k.target_value, k.target_date) {
        (Direction::Increase | Direction::Decrease, Some(value), Some(date)) => Some((
            ChartPoint {
                date: k.baseline_date,
                value: k.baseline_value,
            },
            ChartPoint { date, value },
        )),
        _ => None,
    };
    let band = match (k.direction, k.target_value) {
        (Direction::Range, Some(low)) => Some((low, k.target_high.unwrap_or(low))),
        _ => None,
    };
    let description = match (card.measurements.first(), card.measurements.last()) {
        (Some(first), Some(last)) if card.measurements.len() > 1 => lang.ta(
            "dashboard-chart-desc",
            &[
                ("count", &card.measurements.len().to_string()),
                ("first", &c.date(&first.date)),
                ("last", &c.date(&last.date)),
                ("latest", latest.as_deref().unwrap_or_default()),
                ("target", &target),
            ],
        ),
        (Some(_), _) => lang.ta(
            "dashboard-chart-desc-one",
            &[
                ("latest", latest.as_deref().unwrap_or_default()),
                ("target", &target),
            ],
        ),
        _ => lang.ta("dashboard-chart-desc-none", &[("target", &target)]),
    };
    let (no_data, measured, target_label, band_label) = (
        c.t("dashboard-chart-no-data"),
        c.t("dashboard-chart-measured"),
        c.t("dashboard-chart-target"),
        c.t("dashboard-chart-band"),
    );
    let chart = line_chart(&LineChart {
        title: &k.name,
        description: &description,
        unit: &k.unit,
        measurements: &points,
        target_line,
        band,
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        labels: ChartLabels {
            no_data: &no_data,
            measured: &measured,
            target: &target_label,
            band: &band_label,
        },
    });
    Card {
        id: k.id.to_string(),
        name: k.name.clone(),
        status: a.status.as_str(),
        status_label: status_label(c, a.status),
        reason: a
            .reasons
            .first()
            .map(|code| c.label("dashboard-reason", code))
            .unwrap_or_default(),
        progress: a.progress.map(|p| {
            let percent = (p * 100.0).round() as u32;
            (percent, with_unit(lang, f64::from(percent), "%"))
        }),
        latest,
        target,
        next_due: a.next_due,
        overdue: a.overdue,
        owner: k.owner_name.clone(),
        chart,
        rows: card
            .measurements
            .iter()
            .map(|m| Row {
                date: m.date,
                value: with_unit(lang, m.value, &k.unit),
                source: m.source.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

/// An objective's section.
pub struct Section {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub status_label: String,
    pub lifecycle: &'static str,
    pub lifecycle_label: String,
    pub owner: Option<String>,
    pub organisation: Option<String>,
    pub due: Option<NaiveDate>,
    /// "Key results (3): 1 on track, 1 at risk, 1 not started".
    pub summary: String,
    pub cards: Vec<Card>,
}

fn section(c: &PageCtx, o: &ObjectiveDashboard) -> Section {
    Section {
        id: o.objective.id.to_string(),
        title: o.objective.title.clone(),
        status: o.status.as_str(),
        status_label: status_label(c, o.status),
        lifecycle: o.objective.status.as_str(),
        lifecycle_label: c.label("objective-status", o.objective.status.as_str()),
        owner: o.objective.owner_name.clone(),
        organisation: o.objective.organisation_name.clone(),
        due: o.objective.due_date,
        summary: c.t2(
            "dashboard-key-results-summary",
            "count",
            &o.key_results.len().to_string(),
            "list",
            &chips(c, &o.key_result_counts, true)
                .iter()
                .map(|chip| format!("{} {}", chip.count, chip.label.to_lowercase()))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        cards: o.key_results.iter().map(|k| card(c, k)).collect(),
    }
}

/// A download link.
pub struct Download {
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "dashboard/collaboration.html")]
struct DashboardPage {
    c: PageCtx,
    id: CollaborationId,
    title: String,
    as_of: NaiveDate,
    objective_total: usize,
    key_result_total: usize,
    objective_chips: Vec<Chip>,
    key_result_chips: Vec<Chip>,
    sections: Vec<Section>,
    downloads: Vec<Download>,
}

impl DashboardPage {
    fn new(c: PageCtx, d: &CollaborationDashboard) -> Self {
        let id = d.collaboration.id;
        let downloads = Dataset::ALL
            .into_iter()
            .flat_map(|dataset| {
                let c = &c;
                Format::ALL.into_iter().map(move |format| Download {
                    href: format!(
                        "/api/v1/collaborations/{id}/export/{}.{}",
                        dataset.as_str(),
                        format.extension()
                    ),
                    label: c.t2(
                        "dashboard-download",
                        "dataset",
                        &c.t(&format!("dashboard-dataset-{}", dataset.as_str())),
                        "format",
                        &format.extension().to_uppercase(),
                    ),
                })
            })
            .collect();
        DashboardPage {
            id,
            title: d.collaboration.title.clone(),
            as_of: d.as_of,
            objective_total: d.objective_counts.total,
            key_result_total: d.key_result_counts.total,
            objective_chips: chips(&c, &d.objective_counts, false),
            key_result_chips: chips(&c, &d.key_result_counts, false),
            sections: d.objectives.iter().map(|o| section(&c, o)).collect(),
            downloads,
            c,
        }
    }
}

async fn collaboration(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    match service::collaboration(&ctx.app, &ctx.actor, id).await {
        Ok(dashboard) => ok(&DashboardPage::new(
            PageCtx::new(&ctx, "collaborations"),
            &dashboard,
        )),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

/// One collaboration's row on the portfolio page.
pub struct PortfolioRow {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub status_label: String,
    pub objectives: usize,
    pub chips: Vec<Chip>,
}

#[derive(Template)]
#[template(path = "dashboard/portfolio.html")]
struct PortfolioPage {
    c: PageCtx,
    organisation_id: OrganisationId,
    name: String,
    as_of: NaiveDate,
    objective_total: usize,
    chips: Vec<Chip>,
    rows: Vec<PortfolioRow>,
}

impl PortfolioPage {
    fn new(c: PageCtx, p: &Portfolio) -> Self {
        let rows = p
            .collaborations
            .iter()
            .map(|entry| PortfolioRow {
                id: entry.collaboration.id.to_string(),
                title: entry.collaboration.title.clone(),
                status: entry.collaboration.status.as_str(),
                status_label: c.label("status", entry.collaboration.status.as_str()),
                objectives: entry.objective_counts.total,
                chips: chips(&c, &entry.objective_counts, true),
            })
            .collect();
        PortfolioPage {
            organisation_id: p.organisation.id,
            name: p.organisation.name.clone(),
            as_of: p.as_of,
            objective_total: p.objective_counts.total,
            chips: chips(&c, &p.objective_counts, false),
            rows,
            c,
        }
    }
}

async fn portfolio(ctx: Ctx, PagePath(id): PagePath<OrganisationId>) -> Response {
    match service::portfolio(&ctx.app, &ctx.actor, id).await {
        Ok(portfolio) => ok(&PortfolioPage::new(
            PageCtx::new(&ctx, "organisations"),
            &portfolio,
        )),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally_in_each_language() {
        assert_eq!(number(Lang::En, 42.0), "42");
        assert_eq!(number(Lang::En, 42.5), "42.5");
        assert_eq!(number(Lang::En, 1.0 / 3.0), "0.33");
        assert_eq!(number(Lang::En, -0.001), "0");
        assert_eq!(number(Lang::Fr, 5.25), "5,25");
        assert_eq!(with_unit(Lang::En, 31.0, "%"), "31%");
        assert_eq!(with_unit(Lang::Fr, 31.0, "%"), "31\u{a0}%");
        assert_eq!(with_unit(Lang::En, 12.0, "schools"), "12 schools");
        assert_eq!(with_unit(Lang::En, 7.0, ""), "7");
    }
}
