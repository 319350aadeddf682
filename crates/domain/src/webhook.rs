//! Signed webhooks: the event kinds a collaboration's endpoints may subscribe to, validation of an
//! endpoint, the address rules that keep outbound requests away from this network (SSRF), the
//! Stripe-style signature and its verification, and the retry schedule.
//!
//! Signature header (documented for receivers in docs/webhooks.md):
//! `Concord-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The key is
//! the endpoint's secret exactly as shown once at creation (`whsec_` + 64 hex digits).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use ipnet::IpNet;
use sha2::Sha256;

use crate::policy::{self, Actor, CollaborationAction, CollaborationFacts};
use crate::validation::{self, FieldErrors};
use crate::{CollaborationId, UserId, WebhookDeliveryId, WebhookId};

/// The event families an endpoint may subscribe to: an audit action `family.verb` (e.g.
/// `message.posted`) is delivered to endpoints subscribed to `family`. The one list of kinds.
/// Webhook management itself (`webhook.*`) is never delivered (it would carry secrets' lifecycle
/// and could loop).
pub const EVENT_FAMILIES: &[&str] = &[
    "collaboration",
    "objective",
    "key_result",
    "measurement",
    "review",
    "charter",
    "stakeholder",
    "engagement",
    "thread",
    "message",
    "meeting",
    "agenda_item",
    "decision",
    "action_item",
];

/// Who sees and manages a collaboration's endpoints: its coordinators (the policy's
/// coordinator-only `ManageMembers`). To everyone else, endpoints do not exist (404).
pub fn may_manage(actor: &Actor, facts: &CollaborationFacts) -> bool {
    policy::collaboration_allows(actor, facts, CollaborationAction::ManageMembers)
}

/// The kind of the test event sent by "send test event" (to that endpoint only).
pub const TEST_EVENT_KIND: &str = "webhook.test";

pub const URL_MAX: usize = 2000;
pub const DESCRIPTION_MAX: usize = 500;
/// Attempts before a delivery is marked failed.
pub const MAX_ATTEMPTS: i64 = 6;
/// Receivers should reject signatures older than this (and tests' receiver does).
pub const REPLAY_WINDOW_SECONDS: i64 = 300;
/// A claimed delivery is someone else's to retry only after this lease runs out.
pub const LEASE_SECONDS: i64 = 60;
/// Each request's overall time limit.
pub const TIMEOUT_SECONDS: u64 = 10;

/// The family of an audit action: the text before its first dot.
pub fn family_of(action: &str) -> &str {
    action.split('.').next().unwrap_or(action)
}

/// Whether an endpoint subscribed to `families` receives `action`.
pub fn subscribed<S: AsRef<str>>(families: &[S], action: &str) -> bool {
    let family = family_of(action);
    family != "webhook" && families.iter().any(|f| f.as_ref() == family)
}

text_enum!(
    /// Where a delivery stands.
    DeliveryStatus {
        Pending => "pending",
        Succeeded => "succeeded",
        Failed => "failed",
    }
);

/// An endpoint as submitted, before validation.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct EndpointInput {
    /// `https://` (or `http://` only for a host inside the server's allow-list). A host name, not
    /// an IP address.
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub description: String,
    /// Event families (see `EVENT_FAMILIES`): `message`, `thread`, `meeting`...
    #[serde(default)]
    pub event_kinds: Vec<String>,
    #[serde(default = "default_true")]
    pub active: bool,
}

fn default_true() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointFields {
    pub url: url::Url,
    pub description: String,
    pub event_kinds: Vec<String>,
    pub active: bool,
}

impl EndpointFields {
    /// Plain http is allowed only to allow-listed addresses; the caller checks that after
    /// resolving the host.
    pub fn is_http(&self) -> bool {
        self.url.scheme() == "http"
    }

    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or("")
    }

    pub fn port(&self) -> u16 {
        self.url.port_or_known_default().unwrap_or(443)
    }
}

impl EndpointInput {
    /// Checks the shape of the URL (scheme, host name, no credentials), the description and the
    /// kinds. Where the host resolves is checked by the caller (it needs the network).
    pub fn validate(&self, allow: &[IpNet]) -> Result<EndpointFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let raw = validation::required_text(&mut errors, "url", &self.url, URL_MAX);
        let url = if raw.is_empty() || raw.chars().count() > URL_MAX {
            None
        } else {
            check_url(&mut errors, &raw, allow)
        };
        let description = self.description.trim().to_owned();
        if description.chars().count() > DESCRIPTION_MAX {
            errors.add("description", "too_long");
        }
        let mut event_kinds: Vec<String> = Vec::new();
        for kind in self
            .event_kinds
            .iter()
            .map(|k| k.trim())
            .filter(|k| !k.is_empty())
        {
            let kind = kind.trim_end_matches(".*");
            if !EVENT_FAMILIES.contains(&kind) {
                errors.add("event_kinds", "invalid_choice");
                break;
            }
            if !event_kinds.iter().any(|k| k == kind) {
                event_kinds.push(kind.to_owned());
            }
        }
        if event_kinds.is_empty() && errors.for_field("event_kinds").is_none() {
            errors.add("event_kinds", "required");
        }
        // Keep the canonical order of the list, whatever order they came in.
        event_kinds.sort_by_key(|k| EVENT_FAMILIES.iter().position(|f| f == k));
        match url {
            Some(url) => errors.into_result(EndpointFields {
                url,
                description,
                event_kinds,
                active: self.active,
            }),
            None => Err(errors),
        }
    }
}

fn check_url(errors: &mut FieldErrors, raw: &str, allow: &[IpNet]) -> Option<url::Url> {
    let Ok(mut url) = url::Url::parse(raw) else {
        errors.add("url", "invalid_url");
        return None;
    };
    if !matches!(url.scheme(), "https" | "http") {
        errors.add("url", "invalid_scheme");
        return None;
    }
    if !url.username().is_empty() || url.password().is_some() {
        errors.add("url", "credentials_not_allowed");
        return None;
    }
    match url.host() {
        None => {
            errors.add("url", "invalid_url");
            return None;
        }
        Some(url::Host::Ipv4(ip)) => {
            literal_ip(errors, IpAddr::V4(ip), allow);
            return None;
        }
        Some(url::Host::Ipv6(ip)) => {
            literal_ip(errors, IpAddr::V6(ip), allow);
            return None;
        }
        Some(url::Host::Domain(_)) => {}
    }
    url.set_fragment(None);
    Some(url)
}

/// IP-literal URLs are refused: a forbidden one as such, any other because an endpoint is named
/// by a host name (the name is what a certificate vouches for).
fn literal_ip(errors: &mut FieldErrors, ip: IpAddr, allow: &[IpNet]) {
    if address_allowed(ip, allow) {
        errors.add("url", "host_name_required");
    } else {
        errors.add("url", "address_not_allowed");
    }
}

/// True for every address an outbound webhook must never reach: loopback, private, unique-local,
/// link-local (cloud metadata 169.254.169.254 included), unspecified, broadcast, multicast,
/// shared (CGNAT), documentation, benchmarking and reserved ranges, and IPv6 forms that embed such
/// an IPv4 address (mapped, compatible, NAT64, 6to4) or tunnel to one (Teredo).
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || a == 0 // "this network"
        || ip.is_loopback() // 127/8
        || ip.is_private() // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local() // 169.254/16, metadata services
        || ip.is_broadcast()
        || ip.is_multicast() // 224/4
        || a >= 240 // reserved 240/4
        || (a == 100 && (64..128).contains(&b)) // shared address space 100.64/10 (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments 192.0.0/24
        || (a == 192 && b == 0 && c == 2) // TEST-NET-1
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // TEST-NET-3
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18/15
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    if s[0..6] == [0, 0, 0, 0, 0, 0] {
        // ::/96: unspecified, loopback and the deprecated IPv4-compatible form.
        return ip.is_unspecified() || ip.is_loopback() || forbidden_v4(embedded_v4(s[6], s[7]));
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        // NAT64 64:ff9b::/96 reaches the embedded IPv4 address.
        return forbidden_v4(embedded_v4(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        // 6to4 2002::/16 embeds an IPv4 address in bits 16..48.
        return forbidden_v4(embedded_v4(s[1], s[2]));
    }
    (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // deprecated site-local fec0::/10
        || (s[0] & 0xff00) == 0xff00 // multicast
        || (s[0] == 0x2001 && s[1] == 0) // Teredo 2001::/32
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only 100::/64
}

fn embedded_v4(high: u16, low: u16) -> Ipv4Addr {
    let [a, b] = high.to_be_bytes();
    let [c, d] = low.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// May an outbound request connect to `ip`? Yes when it is inside the allow-list (tests,
/// on-premise receivers), else only when it is not forbidden. IPv4-mapped IPv6 addresses are
/// judged as the IPv4 address they are.
pub fn address_allowed(ip: IpAddr, allow: &[IpNet]) -> bool {
    let ip = ip.to_canonical();
    allow_listed(ip, allow) || !is_forbidden(ip)
}

/// Is `ip` inside one of the allow-listed networks?
pub fn allow_listed(ip: IpAddr, allow: &[IpNet]) -> bool {
    let ip = ip.to_canonical();
    allow.iter().any(|net| net.contains(&ip))
}

/// Parses the allow-list setting: comma-separated CIDRs (`127.0.0.1/32,10.1.0.0/16`); a bare
/// address means that one address.
pub fn parse_allow_list(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map(|net| net.trunc())
                .map_err(|_| format!("{item:?} is not a CIDR such as 10.1.0.0/16"))
        })
        .collect()
}

type HmacSha256 = Hmac<Sha256>;

/// Hex HMAC-SHA256 of `"<t>.<body>"` under `secret`.
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    hex::encode(mac(secret, t, body).finalize().into_bytes())
}

fn mac(secret: &str, t: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut mac = match HmacSha256::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `Concord-Signature` header value for `body` sent at unix time `t`.
pub fn signature_header(secret: &str, t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", signature(secret, t, body))
}

/// Why a signature was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the header is not t=<seconds>,v1=<hex>")]
    Malformed,
    #[error("the timestamp is outside the replay window")]
    Expired,
    #[error("no v1 signature matches")]
    Mismatch,
}

/// What a receiver does with a delivery: parse `Concord-Signature`, refuse a timestamp more than
/// `window` away from `now` (replays), and compare every `v1` against HMAC-SHA256 of
/// `"<t>.<body>"` in constant time.
pub fn verify(
    secret: &str,
    header: &str,
    body: &[u8],
    now: DateTime<Utc>,
    window: Duration,
) -> Result<(), VerifyError> {
    let mut t = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => {
                if let Ok(bytes) = hex::decode(value) {
                    candidates.push(bytes);
                }
            }
            _ => {}
        }
    }
    let t = t.ok_or(VerifyError::Malformed)?;
    if candidates.is_empty() {
        return Err(VerifyError::Malformed);
    }
    if (now.timestamp() - t).abs() > window.num_seconds() {
        return Err(VerifyError::Expired);
    }
    if candidates
        .iter()
        .any(|c| mac(secret, t, body).verify_slice(c).is_ok())
    {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

/// A new secret from 32 random bytes (256 bits).
pub fn secret_from_bytes(bytes: &[u8; 32]) -> String {
    format!("whsec_{}", hex::encode(bytes))
}

/// How long to wait after failed attempt number `attempt` (1-based) before the next: 30 s, 2 min,
/// 8 min, 32 min, ~2 h; `None` once [`MAX_ATTEMPTS`] have been made.
pub fn retry_delay(attempt: i64) -> Option<Duration> {
    if !(1..MAX_ATTEMPTS).contains(&attempt) {
        return None;
    }
    let factor = 4_i64.checked_pow(u32::try_from(attempt - 1).ok()?)?;
    Some(Duration::seconds(30 * factor))
}

/// What a delivery says about the change. Ids only: no names, emails or audit details, so no
/// stakeholder's personal data can leave through a webhook.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Payload {
    /// The delivery's id (also in the `Concord-Delivery` header): receivers use it to ignore
    /// repeats.
    pub id: WebhookDeliveryId,
    /// The audit action, e.g. `message.posted`.
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub collaboration: PayloadRef,
    pub object: PayloadObject,
    /// Who made the change, by id; absent for system changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<PayloadRef>,
    /// Minimal facts: the fields that changed, and ids of related objects.
    pub data: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PayloadRef {
    pub id: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PayloadObject {
    #[serde(rename = "type")]
    pub object_type: String,
    pub id: String,
}

/// An endpoint as coordinators see it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Endpoint {
    pub id: WebhookId,
    pub collaboration_id: CollaborationId,
    pub url: String,
    pub description: String,
    /// Subscribed event families.
    pub event_kinds: Vec<String>,
    pub active: bool,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the secret was last generated (creation or rotation).
    pub secret_rotated_at: DateTime<Utc>,
}

/// One event to one endpoint, with its latest attempt.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: WebhookDeliveryId,
    pub webhook_id: WebhookId,
    pub event_kind: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i64>,
    pub last_attempt_at: Option<DateTime<Utc>>,
}

/// One attempt at a delivery.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Attempt {
    pub attempt: i64,
    pub attempted_at: DateTime<Utc>,
    /// The HTTP status the receiver answered, if it answered.
    pub status_code: Option<i32>,
    /// Why the attempt failed (connection refused, address not allowed, timeout, a 3xx...).
    pub error: Option<String>,
    pub latency_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forbidden_addresses_are_classified() {
        for bad in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "100.64.0.1",
            "100.127.255.254",
            "224.0.0.1",
            "240.0.0.1",
            "192.0.2.10",
            "198.18.0.1",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001::1",
            "2001:db8::1",
        ] {
            assert!(is_forbidden(ip(bad)), "{bad} should be forbidden");
            assert!(!address_allowed(ip(bad), &[]), "{bad}");
        }
        for good in [
            "93.184.216.34",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:93.184.216.34",
            "2002:5db8:d822::",
        ] {
            assert!(!is_forbidden(ip(good)), "{good} should be allowed");
        }
    }

    #[test]
    fn the_allow_list_opens_exactly_its_networks() {
        let allow = parse_allow_list("127.0.0.1/32, 10.1.0.0/16").unwrap();
        assert!(address_allowed(ip("127.0.0.1"), &allow));
        assert!(address_allowed(ip("::ffff:127.0.0.1"), &allow), "mapped");
        assert!(!address_allowed(ip("127.0.0.2"), &allow));
        assert!(!address_allowed(ip("::1"), &allow));
        assert!(address_allowed(ip("10.1.200.3"), &allow));
        assert!(!address_allowed(ip("10.2.0.1"), &allow));
        assert!(address_allowed(ip("8.8.8.8"), &allow));
        assert_eq!(parse_allow_list("::1").unwrap().len(), 1);
        assert!(parse_allow_list("localhost").is_err());
        assert!(parse_allow_list("").unwrap().is_empty());
    }

    fn input(url: &str) -> EndpointInput {
        EndpointInput {
            url: url.into(),
            description: "Team chat".into(),
            event_kinds: vec!["message".into(), "thread.*".into(), "message".into()],
            active: true,
        }
    }

    #[test]
    fn endpoint_urls_are_checked() {
        let ok = input("https://hooks.example.org/concord#frag")
            .validate(&[])
            .unwrap();
        assert_eq!(ok.url.as_str(), "https://hooks.example.org/concord");
        assert_eq!(ok.event_kinds, vec!["thread", "message"]);
        for (url, code) in [
            ("", "required"),
            ("not a url", "invalid_url"),
            ("ftp://files.example.org/x", "invalid_scheme"),
            ("javascript:alert(1)", "invalid_scheme"),
            ("https://127.0.0.1/hook", "address_not_allowed"),
            ("https://10.0.0.1/hook", "address_not_allowed"),
            ("https://[::1]/hook", "address_not_allowed"),
            ("https://169.254.169.254/latest", "address_not_allowed"),
            ("https://[::ffff:127.0.0.1]/", "address_not_allowed"),
            ("https://2130706433/", "address_not_allowed"),
            ("https://93.184.216.34/hook", "host_name_required"),
            (
                "https://user:pw@hooks.example.org/",
                "credentials_not_allowed",
            ),
        ] {
            let errors = input(url).validate(&[]).unwrap_err();
            assert_eq!(errors.for_field("url"), Some(code), "{url}");
        }
        let allow = parse_allow_list("127.0.0.1/32").unwrap();
        assert_eq!(
            input("http://127.0.0.1:8080/")
                .validate(&allow)
                .unwrap_err()
                .for_field("url"),
            Some("host_name_required")
        );
    }

    #[test]
    fn kinds_come_from_the_list() {
        let mut bad = input("https://hooks.example.org/");
        bad.event_kinds = vec!["webhook".into()];
        assert_eq!(
            bad.validate(&[]).unwrap_err().for_field("event_kinds"),
            Some("invalid_choice")
        );
        bad.event_kinds = vec![];
        assert_eq!(
            bad.validate(&[]).unwrap_err().for_field("event_kinds"),
            Some("required")
        );
        assert!(subscribed(&["message"], "message.posted"));
        assert!(!subscribed(&["message"], "thread.started"));
        assert!(!subscribed(&["webhook"], "webhook.created"));
    }

    /// Known vector, computed independently:
    /// `printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test`.
    #[test]
    fn signatures_match_a_known_vector() {
        let header = signature_header("whsec_test", 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(header, format!("t=1700000000,v1={KNOWN}"));
    }

    const KNOWN: &str = "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789";

    #[test]
    fn verification_checks_secret_body_and_window() {
        let now = DateTime::from_timestamp(1_700_000_100, 0).unwrap();
        let window = Duration::seconds(REPLAY_WINDOW_SECONDS);
        let body = br#"{"a":1}"#;
        let header = signature_header("whsec_test", 1_700_000_000, body);
        assert_eq!(verify("whsec_test", &header, body, now, window), Ok(()));
        assert_eq!(
            verify("whsec_other", &header, body, now, window),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify("whsec_test", &header, br#"{"a":2}"#, now, window),
            Err(VerifyError::Mismatch)
        );
        let late = now + Duration::seconds(REPLAY_WINDOW_SECONDS);
        assert_eq!(
            verify("whsec_test", &header, body, late, window),
            Err(VerifyError::Expired)
        );
        assert_eq!(
            verify("whsec_test", "v1=abcd", body, now, window),
            Err(VerifyError::Malformed)
        );
        // Several v1 values (e.g. during a rotation): one match is enough.
        let two = format!(
            "t=1700000000,v1=00ff,v1={}",
            signature("whsec_test", 1_700_000_000, body)
        );
        assert_eq!(verify("whsec_test", &two, body, now, window), Ok(()));
    }

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(retry_delay(1), Some(Duration::seconds(30)));
        assert_eq!(retry_delay(2), Some(Duration::minutes(2)));
        assert_eq!(retry_delay(3), Some(Duration::minutes(8)));
        assert_eq!(retry_delay(5), Some(Duration::seconds(30 * 256)));
        assert_eq!(retry_delay(MAX_ATTEMPTS), None);
    }
}
