//! Accounts: who a person is, where they work, and the password rules.

use crate::validation::{self, FieldErrors};

text_enum!(
    /// A user's role in their home organisation.
    OrgRole {
        OrgAdmin => "org_admin",
        Member => "member",
    }
);

pub const DISPLAY_NAME_MAX: usize = 120;
/// NIST SP 800-63B: at least 8; we ask a little more, and cap the length so hashing stays bounded.
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 256;

/// Supported interface languages; the first is the fallback.
pub const LOCALES: &[&str] = &["en", "fr"];

/// A new account as submitted, before validation.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AccountInput {
    pub email: String,
    pub display_name: String,
    pub password: String,
    /// The home organisation; an organisation admin may only name their own.
    pub organisation_id: String,
    #[serde(default)]
    pub org_role: Option<String>,
    #[serde(default)]
    pub platform_admin: bool,
}

/// A validated new account (the password is still in clear: the app layer hashes it).
#[derive(Clone, Debug)]
pub struct AccountFields {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub organisation_id: crate::OrganisationId,
    pub org_role: OrgRole,
    pub platform_admin: bool,
}

pub fn check_password(errors: &mut FieldErrors, field: &str, password: &str) {
    let length = password.chars().count();
    if length == 0 {
        errors.add(field, "required");
    } else if length < PASSWORD_MIN {
        errors.add(field, "password_too_short");
    } else if length > PASSWORD_MAX {
        errors.add(field, "too_long");
    }
}

impl AccountInput {
    pub fn validate(&self) -> Result<AccountFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = validation::normalise_email(&mut errors, "email", &self.email);
        let display_name = validation::required_text(
            &mut errors,
            "display_name",
            &self.display_name,
            DISPLAY_NAME_MAX,
        );
        check_password(&mut errors, "password", &self.password);
        let organisation_id = self.organisation_id.trim().parse().ok();
        if organisation_id.is_none() {
            errors.add(
                "organisation_id",
                if self.organisation_id.trim().is_empty() {
                    "required"
                } else {
                    "invalid_choice"
                },
            );
        }
        let org_role = match self.org_role.as_deref().map(str::trim) {
            None | Some("") => Some(OrgRole::Member),
            Some(raw) => OrgRole::parse(raw),
        };
        if org_role.is_none() {
            errors.add("org_role", "invalid_choice");
        }
        match (organisation_id, org_role) {
            (Some(organisation_id), Some(org_role)) if errors.is_empty() => Ok(AccountFields {
                email,
                display_name,
                password: self.password.clone(),
                organisation_id,
                org_role,
                platform_admin: self.platform_admin,
            }),
            _ => Err(errors),
        }
    }
}

/// An IANA time-zone name such as `Europe/Paris`; validated against the tz database by the web layer.
pub const DEFAULT_TIME_ZONE: &str = "UTC";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_rejected() {
        let mut errors = FieldErrors::new();
        check_password(&mut errors, "password", "short");
        assert_eq!(errors.for_field("password"), Some("password_too_short"));
        let mut errors = FieldErrors::new();
        check_password(&mut errors, "password", "concord-demo");
        assert!(errors.is_empty());
    }

    #[test]
    fn account_defaults_to_member() {
        let input = AccountInput {
            email: "Hannah@Health.example".into(),
            display_name: "Hannah".into(),
            password: "long enough password".into(),
            organisation_id: crate::OrganisationId::new().to_string(),
            ..Default::default()
        };
        let fields = input.validate().unwrap();
        assert_eq!(fields.org_role, OrgRole::Member);
        assert_eq!(fields.email, "hannah@health.example");
    }
}

/// An account as read (never with its password hash).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: crate::UserId,
    pub email: String,
    pub display_name: String,
    pub organisation_id: crate::OrganisationId,
    pub organisation_name: String,
    pub org_role: OrgRole,
    pub platform_admin: bool,
    pub active: bool,
    pub locale: Option<String>,
    pub time_zone: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A personal API token's public face: its secret is shown once, at creation, and never stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: crate::TokenId,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}
