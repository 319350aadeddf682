//! Server-rendered, accessible SVG charts for key results: a measured indicator over time, drawn
//! against its planned path (a dashed target line) or a target range (a shaded band).
//!
//! The functions here return complete `<svg>` elements that templates embed inline with `|safe`,
//! so this module is the one place that escapes every piece of text it puts into the markup
//! ([`escape_xml`]). No JavaScript, and no `style` element or attribute (the Content-Security-Policy
//! has `style-src 'self'`): only SVG presentation attributes and `class` names that the site's
//! stylesheet may refine (`chart-line`, `chart-point`, `chart-target`, `chart-band`, ...).
//!
//! Output is deterministic: the same input always yields the same string, so pages can be
//! snapshot-tested. Values that are NaN, infinite or beyond ±1e200 are skipped, never drawn.
//!
//! These are plain functions of their input: no errors, no I/O.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

/// The measured line and its points (contrast 8.9:1 against white).
pub const LINE_COLOUR: &str = "#1d4e89";
/// The dashed target line (contrast 6.6:1 against white).
pub const TARGET_COLOUR: &str = "#b42318";
/// The shaded "stay within" band.
pub const BAND_COLOUR: &str = "#e6eefb";
/// Light grid lines (decorative).
pub const GRID_COLOUR: &str = "#d0d5dc";
/// Text and axes (contrast 16:1 against white).
pub const TEXT_COLOUR: &str = "#1b1f24";

/// One measurement (or one end of a target line).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChartPoint {
    pub date: NaiveDate,
    pub value: f64,
}

/// The visible words of a chart, so pages can pass translated strings. [`Default`] is English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChartLabels<'a> {
    /// Shown in the plot area when there is no measurement.
    pub no_data: &'a str,
    /// Legend entry for the measured line.
    pub measured: &'a str,
    /// Legend entry for the dashed target line.
    pub target: &'a str,
    /// Legend entry for the shaded band.
    pub band: &'a str,
}

impl Default for ChartLabels<'_> {
    fn default() -> Self {
        ChartLabels {
            no_data: "No measurements yet",
            measured: "Measured",
            target: "Target",
            band: "Target range",
        }
    }
}

/// A key result's measurements over time. Build it with `..Default::default()` for the parts
/// you do not need.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineChart<'a> {
    /// The chart's accessible name (e.g. the key result's name); becomes `<title>`.
    pub title: &'a str,
    /// A one-sentence text alternative; becomes `<desc>` (omitted when empty).
    pub description: &'a str,
    /// The unit of the values, e.g. `"%"` or `"minutes"`; labels the y axis and each point.
    pub unit: &'a str,
    /// In any order; sorted by date before drawing. Non-finite values are skipped.
    pub measurements: &'a [ChartPoint],
    /// The planned path, from (baseline date, baseline) to (target date, target); dashed.
    pub target_line: Option<(ChartPoint, ChartPoint)>,
    /// For "stay within a range" key results: the band `[low, high]`, shaded.
    pub band: Option<(f64, f64)>,
    /// In pixels; clamped to 120..=4000.
    pub width: u32,
    /// In pixels; clamped to 100..=4000.
    pub height: u32,
    pub labels: ChartLabels<'a>,
}

impl Default for LineChart<'_> {
    fn default() -> Self {
        LineChart {
            title: "",
            description: "",
            unit: "",
            measurements: &[],
            target_line: None,
            band: None,
            width: 640,
            height: 280,
            labels: ChartLabels::default(),
        }
    }
}

/// Escapes text for XML/HTML content and attribute values: `& < > " '`. Characters that XML 1.0
/// does not allow (control characters other than tab, line feed and carriage return) are dropped.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

const MIN_WIDTH: u32 = 120;
const MIN_HEIGHT: u32 = 100;
const MAX_SIZE: u32 = 4000;
/// Larger magnitudes cannot be placed on a scale without overflowing arithmetic.
const MAX_ABS_VALUE: f64 = 1e200;
const FONT_SIZE: f64 = 11.0;
/// A generous estimate of the width of one character of tick labels (digits, `-`, `.`).
const CHAR_WIDTH: f64 = FONT_SIZE * 0.6;
const MAX_X_TICKS: usize = 6;
const MAX_Y_TICKS: usize = 6;
/// A single date gets this many days of context, so the x range is never zero.
const MIN_X_SPAN_DAYS: i64 = 14;
const LEGEND_ROW: f64 = 16.0;

#[derive(Clone, Copy)]
enum Swatch {
    Line,
    Target,
    Band,
}

fn plottable(v: f64) -> bool {
    v.is_finite() && v.abs() <= MAX_ABS_VALUE
}

/// `v` with at most `decimals` decimals, trailing zeros removed, never exponent notation.
fn fmt_fixed(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "0".to_owned();
    }
    let mut s = format!("{v:.decimals$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_owned();
    }
    s
}

/// A value as people read it: at most two decimals.
fn fmt_value(v: f64) -> String {
    fmt_fixed(v, 2)
}

/// A coordinate: two decimals are far below a pixel.
fn coord(v: f64) -> String {
    fmt_fixed(v, 2)
}

fn value_with_unit(v: f64, unit: &str) -> String {
    if unit.is_empty() {
        fmt_value(v)
    } else {
        format!("{} {}", fmt_value(v), unit)
    }
}

fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

fn date_of(day: i64) -> Option<NaiveDate> {
    i32::try_from(day)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

fn iso_date(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

fn iso_month(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// FNV-1a: a stable hash (unlike `DefaultHasher`, guaranteed not to change between releases).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn str(&mut self, s: &str) {
        self.bytes(&(s.len() as u64).to_le_bytes());
        self.bytes(s.as_bytes());
    }
    fn point(&mut self, p: &ChartPoint) {
        self.bytes(&p.date.num_days_from_ce().to_le_bytes());
        self.bytes(&p.value.to_bits().to_le_bytes());
    }
}

/// The id prefix of a chart's `<title>` and `<desc>`: a hash of everything the chart shows, so
/// two different charts on a page never share ids (the same chart rendered twice would).
fn chart_id(chart: &LineChart<'_>) -> String {
    let mut h = Fnv::new();
    for s in [
        chart.title,
        chart.description,
        chart.unit,
        chart.labels.no_data,
        chart.labels.measured,
        chart.labels.target,
        chart.labels.band,
    ] {
        h.str(s);
    }
    h.bytes(&(chart.measurements.len() as u64).to_le_bytes());
    for p in chart.measurements {
        h.point(p);
    }
    match &chart.target_line {
        Some((a, b)) => {
            h.bytes(&[1]);
            h.point(a);
            h.point(b);
        }
        None => h.bytes(&[0]),
    }
    match chart.band {
        Some((low, high)) => {
            h.bytes(&[1]);
            h.bytes(&low.to_bits().to_le_bytes());
            h.bytes(&high.to_bits().to_le_bytes());
        }
        None => h.bytes(&[0]),
    }
    h.bytes(&chart.width.to_le_bytes());
    h.bytes(&chart.height.to_le_bytes());
    format!("chart-{:016x}", h.0)
}

/// Evenly spaced tick values at a "nice" step (1, 2, 2.5 or 5 × 10^n) covering `[lo, hi]`.
#[derive(Clone, Debug, PartialEq)]
struct YTicks {
    values: Vec<f64>,
    step: f64,
    /// Decimals needed to tell the ticks apart.
    decimals: usize,
}

/// The ticks with the smallest nice step that needs at most `max_count` ticks to cover
/// `[lo, hi]`. For `max_count` 6 that yields 4 to 6 ticks. Expects `lo < hi`, both finite.
fn nice_ticks(lo: f64, hi: f64, max_count: usize) -> YTicks {
    const MANTISSAS: [(f64, usize); 4] = [(1.0, 0), (2.0, 0), (2.5, 1), (5.0, 0)];
    const EPS: f64 = 1e-9;
    let max_count = max_count.max(2);
    let range = hi - lo;
    if range.is_finite() && range > 0.0 {
        let start = range.log10().floor() as i32 - 2;
        for exp in start..start + 64 {
            let pow = 10f64.powi(exp);
            for (mantissa, extra) in MANTISSAS {
                let step = mantissa * pow;
                let first = (lo / step + EPS).floor();
                let last = (hi / step - EPS).ceil();
                let count = last - first + 1.0;
                if count.is_finite() && count >= 2.0 && count <= max_count as f64 {
                    let count = count as usize;
                    let decimals = (usize::try_from(-exp).unwrap_or(0) + extra).min(20);
                    let values = (0..count).map(|i| (first + i as f64) * step).collect();
                    return YTicks {
                        values,
                        step,
                        decimals,
                    };
                }
            }
        }
    }
    YTicks {
        values: vec![lo, hi],
        step: range,
        decimals: 2,
    }
}

/// `[lo, hi]` widened so that the scale never has a zero (or numerically meaningless) range.
fn widen_value_range(lo: f64, hi: f64) -> (f64, f64) {
    let mid = lo / 2.0 + hi / 2.0;
    if hi - lo <= (mid.abs() * 1e-9).max(1e-12) {
        let pad = (mid.abs() * 0.1).max(1e-9);
        (mid - pad, mid + pad)
    } else {
        (lo, hi)
    }
}

#[derive(Clone, Debug, PartialEq)]
struct XTick {
    day: i64,
    label: String,
}

#[derive(Clone, Copy)]
enum DateStep {
    Days(i64),
    Months(i64),
}

/// Date ticks for the day range `[x0, x1]` over `plot_width` pixels: the finest step (days for
/// short ranges, else months) that gives at most six ticks whose labels do not overlap. Month
/// ticks fall on the first of a month and read `2026-03`; day ticks read `2026-03-05`.
fn date_ticks(x0: i64, x1: i64, plot_width: f64) -> Vec<XTick> {
    const GAP: f64 = 10.0;
    let span = (x1 - x0) as f64;
    if span <= 0.0 || plot_width <= 0.0 {
        return Vec::new();
    }
    let px_per_day = plot_width / span;
    let mut steps = vec![
        DateStep::Days(1),
        DateStep::Days(2),
        DateStep::Days(7),
        DateStep::Days(14),
        DateStep::Months(1),
        DateStep::Months(2),
        DateStep::Months(3),
        DateStep::Months(6),
    ];
    let mut years = 1;
    while years <= 1_000_000 {
        for m in [1, 2, 5] {
            steps.push(DateStep::Months(12 * years * m));
        }
        years *= 10;
    }
    for step in steps {
        let (days, label_chars): (Vec<i64>, usize) = match step {
            DateStep::Days(n) => {
                let r = (x0 - 1).rem_euclid(n);
                let first = if r == 0 { x0 } else { x0 + n - r };
                if first > x1 || (x1 - first) / n + 1 > MAX_X_TICKS as i64 {
                    continue;
                }
                ((first..=x1).step_by(n as usize).collect(), 10)
            }
            DateStep::Months(n) => {
                let (Some(start), Some(end)) = (date_of(x0), date_of(x1)) else {
                    continue;
                };
                let index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
                let from = index(start) + i64::from(start.day() != 1);
                let to = index(end);
                let r = from.rem_euclid(n);
                let first = if r == 0 { from } else { from + n - r };
                if first > to || (to - first) / n + 1 > MAX_X_TICKS as i64 {
                    continue;
                }
                let days = (first..=to)
                    .step_by(n as usize)
                    .filter_map(|i| {
                        let year = i32::try_from(i.div_euclid(12)).ok()?;
                        let month = u32::try_from(i.rem_euclid(12)).ok()? + 1;
                        NaiveDate::from_ymd_opt(year, month, 1).map(day_number)
                    })
                    .collect();
                (days, 7)
            }
        };
        let label_width = label_chars as f64 * CHAR_WIDTH;
        let fits = days
            .windows(2)
            .all(|w| (w[1] - w[0]) as f64 * px_per_day >= label_width + GAP);
        if !days.is_empty() && fits {
            return days
                .into_iter()
                .filter_map(|day| {
                    let date = date_of(day)?;
                    let label = match step {
                        DateStep::Days(_) => iso_date(date),
                        DateStep::Months(_) => iso_month(date),
                    };
                    Some(XTick { day, label })
                })
                .collect();
        }
    }
    Vec::new()
}

/// Appends formatted text to a `String` (writing to a `String` cannot fail).
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// The plot area and the scales mapping days and values onto it.
struct Frame {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
    x_domain: Option<(i64, i64)>,
    y_domain: Option<(f64, f64)>,
}

impl Frame {
    fn x(&self, day: i64) -> f64 {
        match self.x_domain {
            Some((x0, x1)) if x1 > x0 => {
                self.left + (day - x0) as f64 / (x1 - x0) as f64 * (self.right - self.left)
            }
            _ => (self.left + self.right) / 2.0,
        }
    }
    fn y(&self, value: f64) -> f64 {
        match self.y_domain {
            Some((y0, y1)) if y1 > y0 => {
                self.bottom - (value - y0) / (y1 - y0) * (self.bottom - self.top)
            }
            _ => (self.top + self.bottom) / 2.0,
        }
    }
}

/// A complete, self-contained `<svg>` element charting `chart`. Safe to embed with `|safe`.
pub fn line_chart(chart: &LineChart<'_>) -> String {
    let width = f64::from(chart.width.clamp(MIN_WIDTH, MAX_SIZE));
    let height = f64::from(chart.height.clamp(MIN_HEIGHT, MAX_SIZE));
    let id = chart_id(chart);
    let labels = &chart.labels;

    let mut points: Vec<ChartPoint> = chart
        .measurements
        .iter()
        .copied()
        .filter(|p| plottable(p.value))
        .collect();
    points.sort_by_key(|p| p.date);
    let target = chart
        .target_line
        .filter(|(a, b)| plottable(a.value) && plottable(b.value));
    let band = chart
        .band
        .filter(|(low, high)| plottable(*low) && plottable(*high))
        .map(|(low, high)| {
            if low <= high {
                (low, high)
            } else {
                (high, low)
            }
        });

    // The x domain: every date drawn, widened when it is (nearly) a single day.
    let mut days: Vec<i64> = points.iter().map(|p| day_number(p.date)).collect();
    if let Some((a, b)) = &target {
        days.extend([day_number(a.date), day_number(b.date)]);
    }
    let x_domain = match (days.iter().min(), days.iter().max()) {
        (Some(&x0), Some(&x1)) if x1 - x0 < MIN_X_SPAN_DAYS => {
            let x0 = x0 - (MIN_X_SPAN_DAYS - (x1 - x0)) / 2;
            Some((x0, x0 + MIN_X_SPAN_DAYS))
        }
        (Some(&x0), Some(&x1)) => Some((x0, x1)),
        _ => None,
    };

    // The legend, wrapped into rows; the target is told apart by its dashes, not only by colour.
    // Left out when it would leave too little room for the plot (the desc still tells all).
    let top = 26.0;
    let mut legend: Vec<(Swatch, &str)> = Vec::new();
    if !points.is_empty() {
        legend.push((Swatch::Line, labels.measured));
    }
    if target.is_some() {
        legend.push((Swatch::Target, labels.target));
    }
    if band.is_some() {
        legend.push((Swatch::Band, labels.band));
    }
    let mut placed: Vec<(f64, usize)> = Vec::with_capacity(legend.len());
    let mut cursor = 4.0;
    let mut row = 0;
    for (_, text) in &legend {
        let entry_width = 24.0 + text.chars().count() as f64 * CHAR_WIDTH;
        if cursor > 4.0 && cursor + entry_width > width - 4.0 {
            row += 1;
            cursor = 4.0;
        }
        placed.push((cursor, row));
        cursor += entry_width + 16.0;
    }
    let mut legend_height = if legend.is_empty() {
        0.0
    } else {
        (row + 1) as f64 * LEGEND_ROW + 6.0
    };
    if height - 24.0 - legend_height - top < 40.0 {
        legend.clear();
        legend_height = 0.0;
    }
    let bottom = height - 24.0 - legend_height;

    // The y domain: every value drawn, widened when flat, then rounded out to nice ticks.
    let mut values: Vec<f64> = points.iter().map(|p| p.value).collect();
    if let Some((a, b)) = &target {
        values.extend([a.value, b.value]);
    }
    if let Some((low, high)) = band {
        values.extend([low, high]);
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let y_ticks = if values.is_empty() {
        None
    } else {
        let (lo, hi) = widen_value_range(lo, hi);
        let max_ticks = (((bottom - top) / 16.0).floor() as usize + 1).clamp(2, MAX_Y_TICKS);
        Some(nice_ticks(lo, hi, max_ticks))
    };
    let y_labels: Vec<(f64, String)> = y_ticks
        .as_ref()
        .map(|t| {
            t.values
                .iter()
                .map(|v| (*v, fmt_fixed(*v, t.decimals)))
                .collect()
        })
        .unwrap_or_default();
    let widest_y_label = y_labels.iter().map(|(_, l)| l.len()).max().unwrap_or(1);
    let left = (widest_y_label as f64 * CHAR_WIDTH + 12.0).clamp(32.0, width * 0.4);
    let right = width - 36.0;
    let y_domain = y_ticks.as_ref().and_then(|t| {
        let (first, last) = (t.values.first()?, t.values.last()?);
        Some((*first, *last))
    });
    let frame = Frame {
        left,
        top,
        right,
        bottom,
        x_domain,
        y_domain,
    };
    let x_ticks = x_domain
        .map(|(x0, x1)| date_ticks(x0, x1, right - left))
        .unwrap_or_default();

    let mut svg = String::with_capacity(4096 + points.len() * 160);
    let labelled_by = if chart.description.is_empty() {
        format!("{id}-title")
    } else {
        format!("{id}-title {id}-desc")
    };
    put!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{labelled_by}" viewBox="0 0 {w} {h}" width="{w}" height="{h}">"#,
        w = coord(width),
        h = coord(height),
    );
    put!(
        svg,
        r#"<title id="{id}-title">{}</title>"#,
        escape_xml(chart.title)
    );
    if !chart.description.is_empty() {
        put!(
            svg,
            r#"<desc id="{id}-desc">{}</desc>"#,
            escape_xml(chart.description)
        );
    }

    // Band, grid and axes.
    if let Some((low, high)) = band {
        let y_high = frame.y(high);
        let y_low = frame.y(low);
        put!(
            svg,
            r#"<rect class="chart-band" x="{}" y="{}" width="{}" height="{}" fill="{BAND_COLOUR}"/>"#,
            coord(left),
            coord(y_high),
            coord(right - left),
            coord((y_low - y_high).max(1.0)),
        );
    }
    svg.push_str(r#"<g class="chart-grid" stroke="#);
    put!(svg, r#""{GRID_COLOUR}" stroke-width="1">"#);
    for (v, _) in &y_labels {
        let y = coord(frame.y(*v));
        put!(
            svg,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}"/>"#,
            coord(left),
            coord(right)
        );
    }
    for tick in &x_ticks {
        let x = coord(frame.x(tick.day));
        put!(
            svg,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}"/>"#,
            coord(top),
            coord(bottom)
        );
    }
    svg.push_str("</g>");
    put!(
        svg,
        r#"<g class="chart-axis" stroke="{TEXT_COLOUR}" stroke-width="1"><line x1="{l}" y1="{t}" x2="{l}" y2="{b}"/><line x1="{l}" y1="{b}" x2="{r}" y2="{b}"/>"#,
        l = coord(left),
        t = coord(top),
        b = coord(bottom),
        r = coord(right),
    );
    for tick in &x_ticks {
        let x = coord(frame.x(tick.day));
        put!(
            svg,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}"/>"#,
            coord(bottom),
            coord(bottom + 4.0)
        );
    }
    svg.push_str("</g>");

    // Tick labels and the unit.
    put!(
        svg,
        r#"<g class="chart-labels" fill="{TEXT_COLOUR}" font-size="{}">"#,
        coord(FONT_SIZE)
    );
    for (v, label) in &y_labels {
        put!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            coord(left - 6.0),
            coord(frame.y(*v) + 4.0),
            escape_xml(label)
        );
    }
    for tick in &x_ticks {
        put!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            coord(frame.x(tick.day)),
            coord(bottom + 16.0),
            escape_xml(&tick.label)
        );
    }
    if !chart.unit.is_empty() {
        put!(
            svg,
            r#"<text class="chart-unit" x="4" y="{}" text-anchor="start">{}</text>"#,
            coord(top - 12.0),
            escape_xml(chart.unit)
        );
    }
    svg.push_str("</g>");

    // The planned path.
    if let Some((a, b)) = &target {
        put!(
            svg,
            r#"<line class="chart-target" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>"#,
            coord(frame.x(day_number(a.date))),
            coord(frame.y(a.value)),
            coord(frame.x(day_number(b.date))),
            coord(frame.y(b.value)),
        );
    }

    // The measurements.
    if points.len() >= 2 {
        let path: Vec<String> = points
            .iter()
            .map(|p| {
                format!(
                    "{},{}",
                    coord(frame.x(day_number(p.date))),
                    coord(frame.y(p.value))
                )
            })
            .collect();
        put!(
            svg,
            r#"<polyline class="chart-line" points="{}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2" stroke-linejoin="round"/>"#,
            path.join(" ")
        );
    }
    if !points.is_empty() {
        put!(
            svg,
            r##"<g class="chart-points" fill="{LINE_COLOUR}" stroke="#ffffff" stroke-width="1">"##
        );
        for p in &points {
            put!(
                svg,
                r#"<circle class="chart-point" cx="{}" cy="{}" r="4"><title>{}: {}</title></circle>"#,
                coord(frame.x(day_number(p.date))),
                coord(frame.y(p.value)),
                iso_date(p.date),
                escape_xml(&value_with_unit(p.value, chart.unit)),
            );
        }
        svg.push_str("</g>");
    } else {
        // On a white patch, so a target line crossing the middle does not run through the words.
        let (cx, cy) = ((left + right) / 2.0, (top + bottom) / 2.0);
        let text_width =
            (labels.no_data.chars().count() as f64 * 13.0 * 0.6 + 12.0).min(right - left);
        put!(
            svg,
            r##"<rect class="chart-empty-background" x="{}" y="{}" width="{}" height="22" fill="#ffffff"/>"##,
            coord(cx - text_width / 2.0),
            coord(cy - 11.0),
            coord(text_width),
        );
        put!(
            svg,
            r#"<text class="chart-empty" x="{}" y="{}" text-anchor="middle" fill="{TEXT_COLOUR}" font-size="13">{}</text>"#,
            coord(cx),
            coord(cy + 4.5),
            escape_xml(labels.no_data)
        );
    }

    // The legend.
    if !legend.is_empty() {
        put!(
            svg,
            r#"<g class="chart-legend" fill="{TEXT_COLOUR}" font-size="{}">"#,
            coord(FONT_SIZE)
        );
        for ((swatch, text), (x, row)) in legend.iter().zip(&placed) {
            let y = height - legend_height + (*row as f64 + 0.5) * LEGEND_ROW + 2.0;
            let (x0, x1, cy) = (coord(*x), coord(x + 18.0), coord(y));
            match swatch {
                Swatch::Line => put!(
                    svg,
                    r#"<line x1="{x0}" y1="{cy}" x2="{x1}" y2="{cy}" stroke="{LINE_COLOUR}" stroke-width="2"/>"#
                ),
                Swatch::Target => put!(
                    svg,
                    r#"<line x1="{x0}" y1="{cy}" x2="{x1}" y2="{cy}" stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>"#
                ),
                Swatch::Band => put!(
                    svg,
                    r#"<rect x="{x0}" y="{}" width="18" height="10" fill="{BAND_COLOUR}" stroke="{GRID_COLOUR}" stroke-width="1"/>"#,
                    coord(y - 5.0)
                ),
            }
            put!(
                svg,
                r#"<text x="{}" y="{}">{}</text>"#,
                coord(x + 24.0),
                coord(y + 4.0),
                escape_xml(text)
            );
        }
        svg.push_str("</g>");
    }

    svg.push_str("</svg>");
    svg
}

/// A tiny inline chart for list rows: the measurements as a line, the latest one as a dot. Its
/// accessible name is `label` (say what it shows and the latest value; the line alone tells a
/// screen-reader user nothing).
pub fn sparkline(points: &[ChartPoint], width: u32, height: u32, label: &str) -> String {
    const PAD: f64 = 3.0;
    let width = f64::from(width.clamp(16, MAX_SIZE));
    let height = f64::from(height.clamp(8, MAX_SIZE));
    let mut points: Vec<ChartPoint> = points
        .iter()
        .copied()
        .filter(|p| plottable(p.value))
        .collect();
    points.sort_by_key(|p| p.date);
    let mut svg = String::with_capacity(512 + points.len() * 16);
    put!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" role="img" aria-label="{}" viewBox="0 0 {w} {h}" width="{w}" height="{h}">"#,
        escape_xml(label),
        w = coord(width),
        h = coord(height),
    );
    let first_day = points.first().map(|p| day_number(p.date));
    let last_day = points.last().map(|p| day_number(p.date));
    let lo = points.iter().map(|p| p.value).fold(f64::INFINITY, f64::min);
    let hi = points
        .iter()
        .map(|p| p.value)
        .fold(f64::NEG_INFINITY, f64::max);
    let frame = Frame {
        left: PAD,
        top: PAD,
        right: width - PAD,
        bottom: height - PAD,
        x_domain: first_day.zip(last_day),
        y_domain: (hi > lo).then_some((lo, hi)),
    };
    let xy = |p: &ChartPoint| (coord(frame.x(day_number(p.date))), coord(frame.y(p.value)));
    if points.len() >= 2 {
        let path: Vec<String> = points
            .iter()
            .map(|p| {
                let (x, y) = xy(p);
                format!("{x},{y}")
            })
            .collect();
        put!(
            svg,
            r#"<polyline class="sparkline-line" points="{}" fill="none" stroke="{LINE_COLOUR}" stroke-width="1.5" stroke-linejoin="round"/>"#,
            path.join(" ")
        );
    }
    if let Some(last) = points.last() {
        let (x, y) = xy(last);
        put!(
            svg,
            r#"<circle class="sparkline-point" cx="{x}" cy="{y}" r="2.5" fill="{LINE_COLOUR}"/>"#
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(y: i32, m: u32, day: u32, value: f64) -> ChartPoint {
        ChartPoint {
            date: d(y, m, day),
            value,
        }
    }

    /// One element of the checked markup.
    #[derive(Debug)]
    struct Element {
        name: String,
        attrs: Vec<(String, String)>,
        /// Text directly inside the element (entities left as written).
        text: String,
    }

    impl Element {
        fn attr(&self, name: &str) -> Option<&str> {
            self.attrs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        }
        fn num(&self, name: &str) -> f64 {
            self.attr(name).unwrap().parse().unwrap()
        }
    }

    const NUMERIC_ATTRS: &[&str] = &[
        "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "points", "viewBox",
    ];

    fn entity_ok(rest: &str) -> bool {
        ["amp;", "lt;", "gt;", "quot;", "#39;"]
            .iter()
            .any(|e| rest.starts_with(e))
    }

    /// A tiny well-formedness check: one `<svg>` root, balanced tags, quoted attributes, only
    /// known entities, no `style`, no NaN/inf, every numeric attribute finite and inside the
    /// view box. Returns the elements in document order.
    fn check_svg(svg: &str) -> Vec<Element> {
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.ends_with("</svg>"), "{svg}");
        assert_eq!(svg.matches("<svg").count(), 1, "{svg}");
        assert!(!svg.contains("style"), "style in {svg}");
        assert!(!svg.contains("NaN"), "NaN in {svg}");
        assert!(!svg.contains("inf"), "inf in {svg}");
        let bytes = svg.as_bytes();
        let mut elements: Vec<Element> = Vec::new();
        let mut stack: Vec<(String, usize)> = Vec::new();
        let mut i = 0;
        let mut view = (0.0, 0.0);
        while i < bytes.len() {
            match bytes[i] {
                b'<' if bytes.get(i + 1) == Some(&b'/') => {
                    let end = i + svg[i..].find('>').unwrap();
                    let name = &svg[i + 2..end];
                    let (open, _) = stack.pop().unwrap_or_else(|| panic!("stray </{name}>"));
                    assert_eq!(open, name, "mismatched tags in {svg}");
                    i = end + 1;
                    if stack.is_empty() {
                        assert_eq!(i, svg.len(), "content after the root");
                    }
                }
                b'<' => {
                    i += 1;
                    let start = i;
                    while bytes[i].is_ascii_alphanumeric() {
                        i += 1;
                    }
                    let name = svg[start..i].to_owned();
                    assert!(!name.is_empty(), "bad tag at {start} in {svg}");
                    let mut attrs = Vec::new();
                    let self_closing = loop {
                        while bytes[i] == b' ' {
                            i += 1;
                        }
                        if svg[i..].starts_with("/>") {
                            i += 2;
                            break true;
                        }
                        if bytes[i] == b'>' {
                            i += 1;
                            break false;
                        }
                        let a = i;
                        while bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-' {
                            i += 1;
                        }
                        let attr = svg[a..i].to_owned();
                        assert!(!attr.is_empty(), "bad attribute at {a} in {svg}");
                        assert_eq!(&svg[i..i + 2], "=\"", "unquoted {attr} in {svg}");
                        i += 2;
                        let v = i;
                        while bytes[i] != b'"' {
                            assert_ne!(bytes[i], b'<', "< in attribute {attr}");
                            if bytes[i] == b'&' {
                                assert!(entity_ok(&svg[i + 1..]), "bad entity in {attr}");
                            }
                            i += 1;
                        }
                        let value = svg[v..i].to_owned();
                        i += 1;
                        if NUMERIC_ATTRS.contains(&attr.as_str()) {
                            assert!(
                                value.chars().all(|c| "0123456789.-, ".contains(c)),
                                "{attr}={value:?} in {svg}"
                            );
                            for n in value.split([' ', ',']) {
                                let n: f64 = n.parse().unwrap_or_else(|_| {
                                    panic!("{attr}={value:?} is not numeric in {svg}")
                                });
                                assert!(n.is_finite());
                            }
                        }
                        if attr == "viewBox" {
                            let n: Vec<f64> =
                                value.split(' ').map(|n| n.parse().unwrap()).collect();
                            view = (n[2], n[3]);
                        }
                        attrs.push((attr, value));
                    };
                    elements.push(Element {
                        name: name.clone(),
                        attrs,
                        text: String::new(),
                    });
                    if !self_closing {
                        stack.push((name, elements.len() - 1));
                    }
                }
                b'>' => panic!("unescaped > at {i} in {svg}"),
                _ => {
                    let c = svg[i..].chars().next().unwrap();
                    if c == '&' {
                        assert!(entity_ok(&svg[i + 1..]), "bad entity at {i} in {svg}");
                    }
                    let (_, open) = stack.last().unwrap_or_else(|| panic!("text outside root"));
                    elements[*open].text.push(c);
                    i += c.len_utf8();
                }
            }
        }
        assert!(stack.is_empty(), "unclosed {stack:?}");
        // Everything drawn lies inside the view box (text anchors included).
        for e in &elements {
            for (x, y) in [("x", "y"), ("x1", "y1"), ("x2", "y2"), ("cx", "cy")] {
                if let (Some(_), Some(_)) = (e.attr(x), e.attr(y)) {
                    let (x, y) = (e.num(x), e.num(y));
                    assert!((0.0..=view.0).contains(&x), "{e:?} outside {view:?}");
                    assert!((0.0..=view.1).contains(&y), "{e:?} outside {view:?}");
                }
            }
        }
        elements
    }

    fn all<'e>(elements: &'e [Element], name: &str) -> Vec<&'e Element> {
        elements.iter().filter(|e| e.name == name).collect()
    }

    fn with_class<'e>(elements: &'e [Element], class: &str) -> Vec<&'e Element> {
        elements
            .iter()
            .filter(|e| e.attr("class") == Some(class))
            .collect()
    }

    fn monthly(values: &[f64]) -> Vec<ChartPoint> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| p(2026, i as u32 + 1, 1, *v))
            .collect()
    }

    #[test]
    fn escape_xml_escapes_markup_and_quotes() {
        assert_eq!(
            escape_xml(r#"<b>"Tom" & 'Jerry'</b>"#),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(escape_xml("plain é ✓"), "plain é ✓");
        assert_eq!(escape_xml("a\u{0}b\u{1b}c\td"), "abc\td");
        assert_eq!(escape_xml("&amp;"), "&amp;amp;");
    }

    #[test]
    fn text_is_escaped_everywhere_it_appears() {
        let evil = r#"</title><script>alert("x")</script>' onload='x"#;
        let points = monthly(&[1.0, 2.0]);
        let svg = line_chart(&LineChart {
            title: evil,
            description: evil,
            unit: evil,
            measurements: &points,
            target_line: Some((p(2026, 1, 1, 0.0), p(2026, 6, 1, 5.0))),
            band: Some((0.0, 3.0)),
            labels: ChartLabels {
                no_data: evil,
                measured: evil,
                target: evil,
                band: evil,
            },
            ..Default::default()
        });
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("' onload"), "{svg}");
        let elements = check_svg(&svg);
        assert_eq!(
            all(&elements, "title")[0].text,
            "&lt;/title&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#39;x"
        );
        let spark = sparkline(&points, 80, 20, evil);
        check_svg(&spark);
        assert!(spark.contains(r#"aria-label="&lt;/title&gt;"#));
    }

    #[test]
    fn svg_is_labelled_by_its_title_and_desc() {
        let points = monthly(&[40.0, 42.0, 45.0]);
        let svg = line_chart(&LineChart {
            title: "Online applications",
            description: "Rising from 40 % to 45 % since January.",
            unit: "%",
            measurements: &points,
            ..Default::default()
        });
        let elements = check_svg(&svg);
        let root = &elements[0];
        assert_eq!(root.attr("role"), Some("img"));
        assert_eq!(root.attr("xmlns"), Some("http://www.w3.org/2000/svg"));
        assert_eq!(root.attr("viewBox"), Some("0 0 640 280"));
        assert_eq!(root.attr("width"), Some("640"));
        assert_eq!(root.attr("height"), Some("280"));
        let ids: Vec<&str> = root.attr("aria-labelledby").unwrap().split(' ').collect();
        assert_eq!(ids.len(), 2);
        // The title comes first, then the desc, with the referenced ids.
        assert_eq!(elements[1].name, "title");
        assert_eq!(elements[1].attr("id"), Some(ids[0]));
        assert_eq!(elements[1].text, "Online applications");
        assert_eq!(elements[2].name, "desc");
        assert_eq!(elements[2].attr("id"), Some(ids[1]));
        assert_eq!(elements[2].text, "Rising from 40 % to 45 % since January.");
        assert!(ids[0].starts_with("chart-"));
    }

    #[test]
    fn without_description_there_is_no_desc_to_reference() {
        let svg = line_chart(&LineChart {
            title: "T",
            ..Default::default()
        });
        let elements = check_svg(&svg);
        assert!(all(&elements, "desc").is_empty());
        let labelled_by = elements[0].attr("aria-labelledby").unwrap();
        assert_eq!(labelled_by, elements[1].attr("id").unwrap());
    }

    #[test]
    fn ids_differ_between_charts_and_are_stable() {
        let a = monthly(&[1.0, 2.0]);
        let b = monthly(&[1.0, 3.0]);
        fn chart<'a>(title: &'a str, points: &'a [ChartPoint]) -> LineChart<'a> {
            LineChart {
                title,
                description: "d",
                measurements: points,
                ..Default::default()
            }
        }
        let id = |svg: &str| check_svg(svg)[1].attr("id").unwrap().to_owned();
        let one = line_chart(&chart("A", &a));
        let ids = [
            id(&one),
            id(&line_chart(&chart("B", &a))),
            id(&line_chart(&chart("A", &b))),
            id(&line_chart(&chart("A", &[]))),
        ];
        for (i, x) in ids.iter().enumerate() {
            for y in &ids[i + 1..] {
                assert_ne!(x, y);
            }
        }
        // Deterministic: the same chart renders to the same string.
        assert_eq!(one, line_chart(&chart("A", &a)));
    }

    #[test]
    fn empty_chart_draws_axes_and_says_so() {
        let svg = line_chart(&LineChart {
            title: "Waiting time",
            unit: "minutes",
            ..Default::default()
        });
        let elements = check_svg(&svg);
        let empty = with_class(&elements, "chart-empty");
        assert_eq!(empty.len(), 1);
        assert_eq!(empty[0].text, "No measurements yet");
        assert_eq!(with_class(&elements, "chart-axis").len(), 1);
        assert!(with_class(&elements, "chart-legend").is_empty());
        assert!(all(&elements, "circle").is_empty());
        assert!(all(&elements, "polyline").is_empty());
    }

    #[test]
    fn empty_chart_still_draws_the_target_line_with_date_ticks() {
        let svg = line_chart(&LineChart {
            title: "Waiting time",
            unit: "minutes",
            target_line: Some((p(2026, 1, 1, 30.0), p(2026, 12, 31, 10.0))),
            labels: ChartLabels {
                no_data: "Noch keine Messungen",
                ..Default::default()
            },
            ..Default::default()
        });
        let elements = check_svg(&svg);
        assert_eq!(
            with_class(&elements, "chart-empty")[0].text,
            "Noch keine Messungen"
        );
        let target = with_class(&elements, "chart-target");
        assert_eq!(target.len(), 1);
        assert_eq!(target[0].attr("stroke-dasharray"), Some("6 4"));
        assert_eq!(target[0].attr("stroke"), Some(TARGET_COLOUR));
        // Starts high on the left, ends low on the right.
        assert!(target[0].num("x1") < target[0].num("x2"));
        assert!(target[0].num("y1") < target[0].num("y2"));
        let texts: Vec<&str> = all(&elements, "text")
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        assert!(texts.contains(&"2026-01"), "{texts:?}");
        assert!(texts.contains(&"minutes"), "{texts:?}");
    }

    #[test]
    fn single_point_has_a_nonzero_x_range_and_one_circle() {
        let points = [p(2026, 3, 1, 42.0)];
        let svg = line_chart(&LineChart {
            title: "One",
            unit: "%",
            measurements: &points,
            ..Default::default()
        });
        let elements = check_svg(&svg);
        let circles = all(&elements, "circle");
        assert_eq!(circles.len(), 1);
        assert_eq!(circles[0].text, "");
        assert!(svg.contains("<title>2026-03-01: 42 %</title>"), "{svg}");
        assert!(all(&elements, "polyline").is_empty());
        // The point sits inside the plot, not on an edge.
        let cx = circles[0].num("cx");
        assert!(cx > 100.0 && cx < 540.0, "{cx}");
        // Date ticks are still drawn around it.
        let dates = all(&elements, "text")
            .iter()
            .filter(|t| t.attr("text-anchor") == Some("middle"))
            .count();
        assert!(dates >= 2, "{svg}");
    }

    #[test]
    fn flat_values_get_a_nonzero_y_range() {
        let points = monthly(&[42.0, 42.0, 42.0]);
        let svg = line_chart(&LineChart {
            title: "Flat",
            measurements: &points,
            ..Default::default()
        });
        let elements = check_svg(&svg);
        let circles = all(&elements, "circle");
        let cy: Vec<f64> = circles.iter().map(|c| c.num("cy")).collect();
        assert!(cy.iter().all(|y| *y == cy[0]));
        // Strictly between the top and bottom y ticks.
        let grid_y: Vec<f64> = all(&elements, "text")
            .iter()
            .filter(|t| t.attr("text-anchor") == Some("end"))
            .map(|t| t.num("y") - 4.0)
            .collect();
        assert!(grid_y.len() >= 4, "{svg}");
        let (min, max) = grid_y
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(*y), b.max(*y)));
        assert!(cy[0] > min && cy[0] < max, "{cy:?} {grid_y:?}");
        // And all-zero values too.
        check_svg(&line_chart(&LineChart {
            title: "Zero",
            measurements: &monthly(&[0.0, 0.0]),
            ..Default::default()
        }));
    }

    #[test]
    fn negative_values_are_plotted_below_zero() {
        let points = monthly(&[-12.5, 3.0, -0.25]);
        let svg = line_chart(&LineChart {
            title: "Balance",
            unit: "EUR",
            measurements: &points,
            ..Default::default()
        });
        let elements = check_svg(&svg);
        let labels: Vec<&str> = all(&elements, "text")
            .iter()
            .filter(|t| t.attr("text-anchor") == Some("end"))
            .map(|t| t.text.as_str())
            .collect();
        assert!(labels.contains(&"0"), "{labels:?}");
        assert!(labels.iter().any(|l| l.starts_with('-')), "{labels:?}");
        assert!(svg.contains("<title>2026-01-01: -12.5 EUR</title>"));
        assert!(svg.contains("<title>2026-03-01: -0.25 EUR</title>"));
        let cy: Vec<f64> = all(&elements, "circle")
            .iter()
            .map(|c| c.num("cy"))
            .collect();
        assert!(cy[0] > cy[2] && cy[2] > cy[1], "{cy:?}");
    }

    #[test]
    fn huge_and_non_finite_values_are_handled() {
        let points = [
            p(2026, 1, 1, 1.5e12),
            p(2026, 2, 1, f64::NAN),
            p(2026, 3, 1, f64::INFINITY),
            p(2026, 4, 1, f64::NEG_INFINITY),
            p(2026, 5, 1, 2.5e12),
            p(2026, 6, 1, f64::MAX),
        ];
        let svg = line_chart(&LineChart {
            title: "Budget",
            measurements: &points,
            target_line: Some((p(2026, 1, 1, f64::NAN), p(2026, 6, 1, 1.0))),
            band: Some((f64::NEG_INFINITY, 1.0)),
            ..Default::default()
        });
        let elements = check_svg(&svg);
        assert_eq!(all(&elements, "circle").len(), 2);
        assert!(with_class(&elements, "chart-target").is_empty());
        assert!(with_class(&elements, "chart-band").is_empty());
        assert!(svg.contains(">2500000000000<"), "{svg}"); // a y tick, no exponent
        assert!(svg.contains("<title>2026-01-01: 1500000000000</title>"));
        // Only non-finite values: treated as no measurements.
        let svg = line_chart(&LineChart {
            title: "Nothing",
            measurements: &[p(2026, 1, 1, f64::NAN)],
            ..Default::default()
        });
        assert_eq!(with_class(&check_svg(&svg), "chart-empty").len(), 1);
    }

    #[test]
    fn tiny_sizes_and_wide_date_ranges_stay_valid() {
        let points = [p(1900, 1, 1, 1.0), p(2100, 6, 1, 2.0), p(2000, 1, 1, 0.001)];
        for (width, height) in [(0, 0), (120, 100), (300, 150), (4000, 4000), (u32::MAX, 1)] {
            let svg = line_chart(&LineChart {
                title: "Long",
                measurements: &points,
                band: Some((0.5, 1.5)),
                width,
                height,
                ..Default::default()
            });
            check_svg(&svg);
        }
    }

    #[test]
    fn points_are_drawn_in_date_order() {
        let points = [
            p(2026, 3, 1, 3.0),
            p(2026, 1, 1, 1.0),
            p(2026, 4, 1, 4.0),
            p(2026, 2, 1, 2.0),
        ];
        let svg = line_chart(&LineChart {
            title: "Order",
            measurements: &points,
            ..Default::default()
        });
        let elements = check_svg(&svg);
        let cx: Vec<f64> = all(&elements, "circle")
            .iter()
            .map(|c| c.num("cx"))
            .collect();
        assert!(cx.windows(2).all(|w| w[0] < w[1]), "{cx:?}");
        let hover: Vec<usize> = [
            "2026-01-01: 1",
            "2026-02-01: 2",
            "2026-03-01: 3",
            "2026-04-01: 4",
        ]
        .iter()
        .map(|t| svg.find(&format!("<title>{t}</title>")).unwrap())
        .collect();
        assert!(hover.windows(2).all(|w| w[0] < w[1]));
        // The line rises monotonically from left to right (y grows downwards).
        let line = with_class(&elements, "chart-line")[0]
            .attr("points")
            .unwrap();
        let xy: Vec<(f64, f64)> = line
            .split(' ')
            .map(|pair| {
                let (x, y) = pair.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        assert_eq!(xy.len(), 4);
        assert!(
            xy.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 > w[1].1),
            "{xy:?}"
        );
    }

    #[test]
    fn target_line_and_band_appear_when_given_with_legend() {
        let points = monthly(&[20.0, 25.0]);
        let without = line_chart(&LineChart {
            title: "K",
            measurements: &points,
            ..Default::default()
        });
        let elements = check_svg(&without);
        assert!(with_class(&elements, "chart-target").is_empty());
        assert!(with_class(&elements, "chart-band").is_empty());

        let with = line_chart(&LineChart {
            title: "K",
            measurements: &points,
            target_line: Some((p(2026, 1, 1, 20.0), p(2026, 12, 1, 50.0))),
            band: Some((40.0, 30.0)),
            ..Default::default()
        });
        let elements = check_svg(&with);
        assert_eq!(with_class(&elements, "chart-target").len(), 1);
        let band = with_class(&elements, "chart-band");
        assert_eq!(band.len(), 1);
        assert_eq!(band[0].attr("fill"), Some(BAND_COLOUR));
        assert!(band[0].num("height") > 10.0);
        // The band is drawn first, under everything else.
        let band_at = with.find("chart-band").unwrap();
        assert!(band_at < with.find("chart-line").unwrap());
        assert!(band_at < with.find("chart-grid").unwrap());
        // The band [30, 40] (given reversed) lies between the 20 and 50 ticks.
        let tick_y = |label: &str| {
            all(&elements, "text")
                .iter()
                .find(|t| t.text == label && t.attr("text-anchor") == Some("end"))
                .map(|t| t.num("y") - 4.0)
                .unwrap()
        };
        let (top, bottom) = (band[0].num("y"), band[0].num("y") + band[0].num("height"));
        assert!((top - tick_y("40")).abs() < 0.02, "{with}");
        assert!((bottom - tick_y("30")).abs() < 0.02, "{with}");
        let legend: Vec<&str> = all(&elements, "text")
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        for entry in ["Measured", "Target", "Target range"] {
            assert!(legend.contains(&entry), "{legend:?}");
        }
    }

    #[test]
    fn legend_wraps_on_narrow_charts_and_stays_inside() {
        let points = monthly(&[1.0, 2.0]);
        let chart = LineChart {
            title: "Narrow",
            measurements: &points,
            target_line: Some((p(2026, 1, 1, 1.0), p(2026, 3, 1, 4.0))),
            band: Some((1.0, 2.0)),
            width: 200,
            height: 240,
            ..Default::default()
        };
        let elements = check_svg(&line_chart(&chart));
        let legend: Vec<&Element> = all(&elements, "text")
            .into_iter()
            .filter(|t| ["Measured", "Target", "Target range"].contains(&t.text.as_str()))
            .collect();
        assert_eq!(legend.len(), 3);
        let mut rows: Vec<f64> = legend.iter().map(|t| t.num("y")).collect();
        rows.dedup();
        assert!(rows.len() >= 2, "{legend:?}");
        for t in &legend {
            let right = t.num("x") + t.text.len() as f64 * CHAR_WIDTH;
            assert!(right <= 200.0, "{t:?}");
        }
        // Below the x tick labels.
        let x_labels = all(&elements, "text")
            .into_iter()
            .filter(|t| t.attr("text-anchor") == Some("middle"))
            .map(|t| t.num("y"))
            .fold(0.0, f64::max);
        assert!(legend.iter().all(|t| t.num("y") > x_labels + 8.0));
        // Too low for a legend at all: the plot keeps its room.
        let low = check_svg(&line_chart(&LineChart {
            height: 100,
            ..chart
        }));
        assert!(with_class(&low, "chart-legend").is_empty());
        assert_eq!(all(&low, "circle").len(), 2);
    }

    #[test]
    fn uses_the_palette_and_never_a_style_attribute() {
        let points = monthly(&[1.0, 2.0, 3.0]);
        let svg = line_chart(&LineChart {
            title: "Colours",
            measurements: &points,
            target_line: Some((p(2026, 1, 1, 1.0), p(2026, 3, 1, 4.0))),
            band: Some((1.0, 2.0)),
            ..Default::default()
        });
        check_svg(&svg); // Asserts there is no `style`.
        for colour in [
            LINE_COLOUR,
            TARGET_COLOUR,
            BAND_COLOUR,
            GRID_COLOUR,
            TEXT_COLOUR,
        ] {
            assert!(svg.contains(colour), "{colour}");
        }
        assert!(!sparkline(&points, 80, 20, "x").contains("style"));
    }

    #[test]
    fn nice_ticks_use_nice_steps_and_four_to_six_ticks() {
        let nice = |step: f64| {
            let mantissa = step / 10f64.powf(step.log10().floor());
            [1.0, 2.0, 2.5, 5.0, 10.0]
                .iter()
                .any(|m| (mantissa - m).abs() < 1e-9)
        };
        let mut ranges = vec![
            (0.0, 1.0),
            (0.0, 100.0),
            (-7.3, 12.9),
            (40.0, 45.0),
            (0.001, 0.0017),
        ];
        ranges.extend([
            (1.0e12, 3.7e12),
            (-5.0e9, -1.0e9),
            (99.0, 101.0),
            (0.0, 7.0),
        ]);
        // And a sweep over many magnitudes and offsets.
        for e in -6..=15 {
            for k in 1..=37 {
                let lo = f64::from(k) * 0.37 * 10f64.powi(e) - 10f64.powi(e);
                let hi = lo + f64::from(k) * 0.29 * 10f64.powi(e);
                ranges.push((lo, hi));
            }
        }
        for (lo, hi) in ranges {
            let t = nice_ticks(lo, hi, 6);
            let n = t.values.len();
            assert!((4..=6).contains(&n), "{lo}..{hi}: {t:?}");
            assert!(nice(t.step), "{lo}..{hi}: {t:?}");
            assert!(t.values[0] <= lo + t.step * 1e-6, "{lo}..{hi}: {t:?}");
            assert!(t.values[n - 1] >= hi - t.step * 1e-6, "{lo}..{hi}: {t:?}");
            // Evenly spaced, and the labels tell them apart.
            let labels: Vec<String> = t.values.iter().map(|v| fmt_fixed(*v, t.decimals)).collect();
            for w in labels.windows(2) {
                assert_ne!(w[0], w[1], "{lo}..{hi}: {labels:?}");
            }
            for w in t.values.windows(2) {
                assert!(((w[1] - w[0]) - t.step).abs() <= t.step * 1e-6);
            }
        }
        assert_eq!(
            nice_ticks(0.0, 100.0, 6).values,
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(nice_ticks(0.0, 10.0, 6).step, 2.0);
        assert_eq!(nice_ticks(0.0, 1.0, 6).decimals, 1);
        let quarter = nice_ticks(0.0, 7.0, 4);
        assert_eq!(quarter.values, vec![0.0, 2.5, 5.0, 7.5]);
        assert_eq!(fmt_fixed(quarter.values[1], quarter.decimals), "2.5");
        // Fewer when the plot is short.
        assert!(nice_ticks(0.0, 100.0, 3).values.len() <= 3);
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(fmt_value(42.0), "42");
        assert_eq!(fmt_value(42.5), "42.5");
        assert_eq!(fmt_value(1.0 / 3.0), "0.33");
        assert_eq!(fmt_value(-0.001), "0");
        assert_eq!(fmt_value(12500.0), "12500");
        assert_eq!(fmt_value(1e21), "1000000000000000000000");
        assert_eq!(fmt_value(f64::NAN), "0");
        assert_eq!(fmt_fixed(0.30000000000000004, 1), "0.3");
        assert_eq!(value_with_unit(42.0, "%"), "42 %");
        assert_eq!(value_with_unit(7.25, ""), "7.25");
    }

    #[test]
    fn date_ticks_are_months_and_do_not_overlap() {
        let x0 = day_number(d(2026, 1, 1));
        let x1 = day_number(d(2026, 12, 31));
        let ticks = date_ticks(x0, x1, 560.0);
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert!((3..=6).contains(&ticks.len()), "{labels:?}");
        assert!(
            labels
                .iter()
                .all(|l| l.len() == 7 && l.starts_with("2026-")),
            "{labels:?}"
        );
        assert_eq!(labels[0], "2026-01");
        // Narrow: fewer ticks, still at least 46 px of label plus a gap apart.
        let narrow = date_ticks(x0, x1, 150.0);
        assert!(
            !narrow.is_empty() && narrow.len() < ticks.len(),
            "{narrow:?}"
        );
        let px = 150.0 / (x1 - x0) as f64;
        for w in narrow.windows(2) {
            assert!((w[1].day - w[0].day) as f64 * px >= 7.0 * CHAR_WIDTH + 10.0);
        }
        // Many years: yearly (or coarser) January ticks.
        let long = date_ticks(day_number(d(2000, 3, 1)), day_number(d(2030, 3, 1)), 560.0);
        assert!((3..=6).contains(&long.len()), "{long:?}");
        assert!(long.iter().all(|t| t.label.ends_with("-01")), "{long:?}");
        // A fortnight: day ticks with full dates.
        let short = date_ticks(day_number(d(2026, 3, 1)), day_number(d(2026, 3, 15)), 560.0);
        assert!((2..=6).contains(&short.len()), "{short:?}");
        assert!(short.iter().all(|t| t.label.len() == 10), "{short:?}");
    }

    #[test]
    fn sparkline_is_labelled_and_robust() {
        let points = [
            p(2026, 2, 1, 5.0),
            p(2026, 1, 1, 1.0),
            p(2026, 3, 1, f64::NAN),
        ];
        let svg = sparkline(&points, 80, 20, "Online applications: 5 % (latest)");
        let elements = check_svg(&svg);
        assert_eq!(elements[0].attr("role"), Some("img"));
        assert_eq!(
            elements[0].attr("aria-label"),
            Some("Online applications: 5 % (latest)")
        );
        let line = all(&elements, "polyline")[0].attr("points").unwrap();
        assert_eq!(line, "3,17 77,3");
        // The dot marks the latest measurement, not the last one given.
        let dot = all(&elements, "circle")[0];
        assert_eq!((dot.num("cx"), dot.num("cy")), (77.0, 3.0));
        for points in [
            &[][..],
            &[p(2026, 1, 1, 3.0)][..],
            &monthly(&[2.0, 2.0])[..],
        ] {
            let elements = check_svg(&sparkline(points, 0, 0, "x"));
            assert_eq!(all(&elements, "circle").len(), points.len().min(1));
        }
        assert_eq!(
            sparkline(&points, 80, 20, "a"),
            sparkline(&points, 80, 20, "a")
        );
    }
}
