//! Message catalogues (Fluent, `locales/<lang>/main.ftl`), language negotiation, and the
//! formatting of dates in the reader's time zone. English is complete and the fallback.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Unicode isolation marks around arguments confuse assertions and copy-paste; our
        // arguments are short names and numbers in the page's own direction.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en");
static FR: LanguageIdentifier = langid!("fr");

/// A supported interface language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    pub const ALL: &'static [Lang] = &[Lang::En, Lang::Fr];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &EN,
            Lang::Fr => &FR,
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().split(['-', '_']).next() {
            Some("en") => Some(Lang::En),
            Some("fr") => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The user's setting wins; then the browser's `Accept-Language` by quality; then English.
    pub fn negotiate(setting: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = setting.and_then(Lang::parse) {
            return lang;
        }
        let mut best: Option<(f32, Lang)> = None;
        for part in accept_language.unwrap_or("").split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let quality = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            if let Some(lang) = Lang::parse(tag)
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or(Lang::En)
    }

    /// The message for `key`; a missing key shows itself, so gaps are visible rather than blank.
    pub fn t(self, key: &str) -> String {
        LOCALES
            .try_lookup(self.id(), key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The message for `key` with named arguments.
    pub fn ta(self, key: &str, args: &[(&str, &str)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| {
                (
                    Cow::Owned((*k).to_owned()),
                    FluentValue::from((*v).to_owned()),
                )
            })
            .collect();
        LOCALES
            .try_lookup_with_args(self.id(), key, &map)
            .unwrap_or_else(|| key.to_owned())
    }
}

/// Formats a moment in the reader's time zone, e.g. `3 Mar 2026, 14:05 CET`.
pub fn datetime(lang: Lang, tz: chrono_tz::Tz, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&tz);
    let month = lang.t(&format!("month-{}", local.format("%m")));
    format!(
        "{} {} {}, {} {}",
        local.format("%-d"),
        month,
        local.format("%Y"),
        local.format("%H:%M"),
        local.format("%Z")
    )
}

/// Formats a calendar date, e.g. `3 Mar 2026`.
pub fn date(lang: Lang, day: NaiveDate) -> String {
    let month = lang.t(&format!("month-{}", day.format("%m")));
    format!("{} {} {}", day.format("%-d"), month, day.format("%Y"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_setting_then_quality() {
        assert_eq!(Lang::negotiate(Some("fr"), Some("en")), Lang::Fr);
        assert_eq!(
            Lang::negotiate(None, Some("de-DE,fr;q=0.8,en;q=0.5")),
            Lang::Fr
        );
        assert_eq!(
            Lang::negotiate(None, Some("en-GB,en;q=0.9,fr;q=0.8")),
            Lang::En
        );
        assert_eq!(Lang::negotiate(None, Some("de")), Lang::En);
        assert_eq!(Lang::negotiate(None, None), Lang::En);
    }

    #[test]
    fn dates_follow_the_readers_time_zone() {
        let at = DateTime::parse_from_rfc3339("2026-03-03T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            datetime(Lang::En, chrono_tz::Europe::Paris, at),
            "4 Mar 2026, 00:30 CET"
        );
        assert_eq!(
            datetime(Lang::Fr, chrono_tz::UTC, at),
            "3 mars 2026, 23:30 UTC"
        );
    }

    /// Every message key in every `.ftl` file of one language.
    fn keys(lang: &str) -> std::collections::BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut keys = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in source.lines().filter(|l| !l.starts_with([' ', '#', '\t'])) {
                if let Some((key, _)) = line.split_once('=') {
                    assert!(
                        keys.insert(key.trim().to_owned()),
                        "{lang}: duplicate key {key}"
                    );
                }
            }
        }
        keys
    }

    #[test]
    fn french_catalogue_has_every_english_message() {
        let english = keys("en");
        let french = keys("fr");
        assert!(english.len() > 100, "the English catalogue looks truncated");
        let missing: Vec<_> = english.difference(&french).collect();
        assert!(missing.is_empty(), "French lacks: {missing:?}");
        let stray: Vec<_> = french.difference(&english).collect();
        assert!(stray.is_empty(), "French has keys English lacks: {stray:?}");
    }
}
