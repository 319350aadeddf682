//! What Concord writes to people rather than on pages (notification headlines, emails), in the
//! recipient's language: their account's setting, English otherwise. The catalogues are
//! `crates/app/locales/<lang>/texts.ftl`; the pages have their own in the web crate.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static TEXTS = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: these texts go into plain-text emails.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en");
static FR: LanguageIdentifier = langid!("fr");

/// The catalogue language for a stored locale setting (`fr`, `fr-BE`…); English otherwise.
fn language(locale: Option<&str>) -> &'static LanguageIdentifier {
    match locale
        .map(|l| l.trim().to_ascii_lowercase())
        .as_deref()
        .and_then(|l| l.split(['-', '_']).next().map(str::to_owned))
        .as_deref()
    {
        Some("fr") => &FR,
        _ => &EN,
    }
}

/// The text for `key` in the language of `locale`, with named arguments. A missing key shows
/// itself, so a gap is visible rather than blank (a unit test keeps the catalogues complete).
pub fn text(locale: Option<&str>, key: &str, args: &[(&str, FluentValue<'static>)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| (Cow::Owned((*k).to_owned()), v.clone()))
        .collect();
    TEXTS
        .try_lookup_with_args(language(locale), key, &map)
        .unwrap_or_else(|| key.to_owned())
}

/// A text to write in each recipient's language: a catalogue key and its arguments.
#[derive(Clone, Debug, Default)]
pub struct Text {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Text {
    pub fn new(key: &'static str) -> Text {
        Text {
            key,
            args: Vec::new(),
        }
    }

    /// A text that is the same in every language (a person's words, a title).
    pub fn plain(text: impl Into<String>) -> Text {
        Text {
            key: "",
            args: vec![("text", text.into())],
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Text {
        self.args.push((name, value.into()));
        self
    }

    /// The text in the language of `locale`.
    pub fn render(&self, locale: Option<&str>) -> String {
        if self.key.is_empty() {
            return self
                .args
                .first()
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
        }
        let args: Vec<(&str, FluentValue<'static>)> = self
            .args
            .iter()
            .map(|(k, v)| (*k, FluentValue::from(v.clone())))
            .collect();
        text(locale, self.key, &args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(lang: &str) -> Vec<String> {
        let path = format!("{}/locales/{lang}/texts.ftl", env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(path).unwrap();
        let mut keys: Vec<String> = source
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn both_catalogues_have_the_same_keys_and_every_text_renders() {
        let en = keys("en");
        assert!(en.len() > 10);
        assert_eq!(en, keys("fr"));
        for key in &en {
            for locale in [None, Some("fr")] {
                let out = text(
                    locale,
                    key,
                    &[
                        ("title", "T".into()),
                        ("name", "N".into()),
                        ("date", "D".into()),
                        ("role", "R".into()),
                        ("link", "L".into()),
                        ("count", 2.into()),
                        ("when", "W".into()),
                        ("place", "P".into()),
                    ],
                );
                assert_ne!(&out, key, "{key} in {locale:?}");
            }
        }
    }

    #[test]
    fn the_recipients_language_is_used_and_english_is_the_fallback() {
        let t = Text::new("notification-decision").with("title", "Budget");
        assert_eq!(t.render(None), "Decision recorded: “Budget”");
        assert_eq!(t.render(Some("de")), "Decision recorded: “Budget”");
        assert_eq!(t.render(Some("fr-BE")), "Décision enregistrée : « Budget »");
        assert_eq!(Text::plain("As said").render(Some("fr")), "As said");
        let one = text(
            Some("fr"),
            "email-digest-intro",
            &[("date", "2026-12-01".into()), ("count", 1.into())],
        );
        assert_eq!(
            one,
            "Votre récapitulatif Concord du 2026-12-01 : une notification."
        );
        let many = text(
            None,
            "email-digest-intro",
            &[("date", "2026-12-01".into()), ("count", 3.into())],
        );
        assert_eq!(many, "Your Concord digest for 2026-12-01: 3 notifications.");
    }
}
