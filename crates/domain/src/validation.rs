//! Field-level validation errors with stable codes that the UI translates and the API reports.

use serde::Serialize;

/// One problem with one input field. `code` is a stable snake_case identifier
/// (`required`, `too_long`, `invalid_choice`, ...); the UI looks up its message by it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
}

/// Everything wrong with one submission, so a form can show all messages at once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, code: &str) {
        self.0.push(FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
        });
    }

    pub fn single(field: &str, code: &str) -> Self {
        let mut errors = Self::new();
        errors.add(field, code);
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first code recorded for `field`, if any.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.code.as_str())
    }

    /// `Ok(value)` when nothing was recorded, else the errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// Trims `raw` and checks it is present and at most `max` characters long.
pub fn required_text(errors: &mut FieldErrors, field: &str, raw: &str, max: usize) -> String {
    let value = raw.trim();
    if value.is_empty() {
        errors.add(field, "required");
    } else if value.chars().count() > max {
        errors.add(field, "too_long");
    }
    value.to_owned()
}

/// Trims `raw`; empty becomes `None`; longer than `max` characters is an error.
pub fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Option<String> {
    let value = raw.map(str::trim).unwrap_or("");
    if value.is_empty() {
        return None;
    }
    if value.chars().count() > max {
        errors.add(field, "too_long");
    }
    Some(value.to_owned())
}

/// A very small sanity check for email addresses: one `@`, something on each side, a dot in the
/// domain, no spaces. Deliverability is proven by use, not by a regular expression.
pub fn normalise_email(errors: &mut FieldErrors, field: &str, raw: &str) -> String {
    let value = raw.trim().to_lowercase();
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if value.is_empty() {
        errors.add(field, "required");
    } else if value.len() > 254 {
        errors.add(field, "too_long");
    } else if !valid {
        errors.add(field, "invalid_email");
    }
    value
}

/// An optional http(s) URL.
pub fn optional_url(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<String> {
    let value = optional_text(errors, field, raw, 300)?;
    let lower = value.to_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://"))
        || value.contains(char::is_whitespace)
    {
        errors.add(field, "invalid_url");
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_trims_and_checks_length() {
        let mut errors = FieldErrors::new();
        assert_eq!(required_text(&mut errors, "title", "  Hello ", 10), "Hello");
        assert!(errors.is_empty());
        required_text(&mut errors, "title", "   ", 10);
        required_text(&mut errors, "summary", "abcdefghijk", 10);
        assert_eq!(errors.for_field("title"), Some("required"));
        assert_eq!(errors.for_field("summary"), Some("too_long"));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let mut errors = FieldErrors::new();
        required_text(&mut errors, "title", "ééééé", 5);
        assert!(errors.is_empty());
    }

    #[test]
    fn emails_are_lowercased_and_checked() {
        let mut errors = FieldErrors::new();
        assert_eq!(
            normalise_email(&mut errors, "email", " Alice@Health.Example "),
            "alice@health.example"
        );
        assert!(errors.is_empty());
        for bad in [
            "alice",
            "alice@",
            "@x.org",
            "a b@x.org",
            "a@x",
            "a@@x.org",
            "a@x.org.",
        ] {
            let mut errors = FieldErrors::new();
            normalise_email(&mut errors, "email", bad);
            assert_eq!(errors.for_field("email"), Some("invalid_email"), "{bad}");
        }
    }

    #[test]
    fn urls_must_be_http() {
        let mut errors = FieldErrors::new();
        assert_eq!(optional_url(&mut errors, "website", Some("")), None);
        optional_url(&mut errors, "website", Some("https://gov.example"));
        assert!(errors.is_empty());
        optional_url(&mut errors, "website", Some("javascript:alert(1)"));
        assert_eq!(errors.for_field("website"), Some("invalid_url"));
    }
}
