//! Meetings of a collaboration: a time (kept in UTC, planned in an IANA time zone), a place and/or
//! an online link, an ordered agenda whose items get minutes, and invited attendees who answer
//! yes, no or maybe. [`ical`] writes them as RFC 5545 iCalendar text.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use crate::validation::{self, FieldErrors};
use crate::{AgendaItemId, CollaborationId, MeetingId, UserId};

pub const TITLE_MAX: usize = 200;
pub const PLACE_MAX: usize = 300;
pub const NOTES_MAX: usize = 5_000;
pub const MINUTES_MAX: usize = 50_000;
/// Bounds of an agenda item's time box, in minutes.
pub const DURATION_MIN: i64 = 1;
pub const DURATION_MAX: i64 = 480;

text_enum!(
    /// Whether a meeting will take place.
    MeetingStatus {
        Scheduled => "scheduled",
        Cancelled => "cancelled",
    }
);

text_enum!(
    /// An attendee's answer to the invitation (`pending` until they answer).
    Rsvp {
        Pending => "pending",
        Yes => "yes",
        No => "no",
        Maybe => "maybe",
    }
);

impl Rsvp {
    /// The iCalendar PARTSTAT of this answer.
    pub fn partstat(self) -> &'static str {
        match self {
            Rsvp::Pending => "NEEDS-ACTION",
            Rsvp::Yes => "ACCEPTED",
            Rsvp::No => "DECLINED",
            Rsvp::Maybe => "TENTATIVE",
        }
    }
}

/// A meeting as submitted. Times are local wall-clock times (`YYYY-MM-DDTHH:MM`, what an HTML
/// `datetime-local` input sends) in `time_zone`, an IANA name such as `Europe/Paris`.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct MeetingInput {
    #[serde(default)]
    pub title: String,
    /// Local start, `YYYY-MM-DDTHH:MM` in `time_zone`.
    #[serde(default)]
    pub starts_at: String,
    /// Local end, `YYYY-MM-DDTHH:MM` in `time_zone`; after the start.
    #[serde(default)]
    pub ends_at: String,
    /// IANA time zone name, e.g. `Europe/Paris`.
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub place: Option<String>,
    /// An http(s) link to join online.
    #[serde(default)]
    pub online_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingFields {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub place: Option<String>,
    pub online_url: Option<String>,
}

/// Parses a local `datetime-local` value (`YYYY-MM-DDTHH:MM`, seconds optional).
fn parse_local(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M"))
        .ok()
}

/// A local time in `tz` as UTC; a time skipped by a daylight-saving change is an error, a
/// repeated one takes its first occurrence.
fn local_to_utc(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    tz: Option<chrono_tz::Tz>,
) -> Option<DateTime<Utc>> {
    if raw.trim().is_empty() {
        errors.add(field, "required");
        return None;
    }
    let Some(local) = parse_local(raw) else {
        errors.add(field, "invalid_datetime");
        return None;
    };
    let tz = tz?;
    match tz.from_local_datetime(&local).earliest() {
        Some(at) => Some(at.with_timezone(&Utc)),
        None => {
            errors.add(field, "nonexistent_local_time");
            None
        }
    }
}

/// A valid IANA time zone name.
pub fn parse_time_zone(raw: &str) -> Option<chrono_tz::Tz> {
    raw.trim().parse::<chrono_tz::Tz>().ok()
}

/// `at` as the `datetime-local` value in zone `tz` (for edit forms).
pub fn local_input_value(at: DateTime<Utc>, time_zone: &str) -> String {
    match parse_time_zone(time_zone) {
        Some(tz) => at.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string(),
        None => at.format("%Y-%m-%dT%H:%M").to_string(),
    }
}

impl MeetingFields {
    /// When, as one line for a notification: `2026-12-08 10:00–11:00 (Europe/Brussels)` in the
    /// zone the meeting was planned in; the end carries its date only when the meeting runs past
    /// midnight.
    pub fn when(&self) -> String {
        let (start, end) = match parse_time_zone(&self.time_zone) {
            Some(tz) => (
                self.starts_at.with_timezone(&tz).naive_local(),
                self.ends_at.with_timezone(&tz).naive_local(),
            ),
            None => (self.starts_at.naive_utc(), self.ends_at.naive_utc()),
        };
        let end = if end.date() == start.date() {
            end.format("%H:%M").to_string()
        } else {
            end.format("%Y-%m-%d %H:%M").to_string()
        };
        format!(
            "{}\u{2013}{end} ({})",
            start.format("%Y-%m-%d %H:%M"),
            self.time_zone
        )
    }
}

impl MeetingInput {
    pub fn validate(&self) -> Result<MeetingFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = validation::required_text(&mut errors, "title", &self.title, TITLE_MAX);
        let tz = if self.time_zone.trim().is_empty() {
            errors.add("time_zone", "required");
            None
        } else {
            let tz = parse_time_zone(&self.time_zone);
            if tz.is_none() {
                errors.add("time_zone", "unknown_time_zone");
            }
            tz
        };
        let starts_at = local_to_utc(&mut errors, "starts_at", &self.starts_at, tz);
        let ends_at = local_to_utc(&mut errors, "ends_at", &self.ends_at, tz);
        if let (Some(start), Some(end)) = (starts_at, ends_at)
            && end <= start
        {
            errors.add("ends_at", "must_be_after_start");
        }
        let place =
            validation::optional_text(&mut errors, "place", self.place.as_deref(), PLACE_MAX);
        let online_url =
            validation::optional_url(&mut errors, "online_url", self.online_url.as_deref());
        let (Some(starts_at), Some(ends_at), Some(tz)) = (starts_at, ends_at, tz) else {
            return Err(errors);
        };
        errors.into_result(MeetingFields {
            title,
            starts_at,
            ends_at,
            time_zone: tz.name().to_owned(),
            place,
            online_url,
        })
    }
}

/// An agenda item as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AgendaItemInput {
    #[serde(default)]
    pub title: String,
    /// User id of the presenter: a person of an active member organisation. Empty: nobody named.
    #[serde(default)]
    pub presenter_id: Option<String>,
    /// Time box in minutes, 1 to 480.
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgendaItemFields {
    pub title: String,
    pub presenter_id: Option<UserId>,
    pub duration_minutes: i64,
    pub notes: Option<String>,
}

impl AgendaItemInput {
    /// Checks the fields; whether the presenter is a member is the caller's to check.
    pub fn validate(&self) -> Result<AgendaItemFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = validation::required_text(&mut errors, "title", &self.title, TITLE_MAX);
        let presenter_id = match self.presenter_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match raw.parse::<UserId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add("presenter_id", "invalid_choice");
                    None
                }
            },
        };
        let duration_minutes = match self.duration_minutes {
            None => {
                errors.add("duration_minutes", "required");
                0
            }
            Some(m) if !(DURATION_MIN..=DURATION_MAX).contains(&m) => {
                errors.add("duration_minutes", "out_of_range");
                m
            }
            Some(m) => m,
        };
        let notes =
            validation::optional_text(&mut errors, "notes", self.notes.as_deref(), NOTES_MAX);
        errors.into_result(AgendaItemFields {
            title,
            presenter_id,
            duration_minutes,
            notes,
        })
    }
}

/// The minutes of one agenda item (Markdown; empty clears them).
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct MinutesInput {
    #[serde(default)]
    pub minutes: String,
}

impl MinutesInput {
    pub fn validate(&self) -> Result<Option<String>, FieldErrors> {
        let text = self.minutes.trim_end();
        if text.chars().count() > MINUTES_MAX {
            return Err(FieldErrors::single("minutes", "too_long"));
        }
        Ok((!text.trim().is_empty()).then(|| text.to_owned()))
    }
}

/// Inviting someone.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AttendeeInput {
    /// A person of an active member organisation of the collaboration.
    #[serde(default)]
    pub user_id: String,
}

/// An attendee's answer.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct RsvpInput {
    /// `yes`, `no` or `maybe`.
    #[serde(default)]
    pub response: String,
}

impl RsvpInput {
    pub fn validate(&self) -> Result<Rsvp, FieldErrors> {
        match Rsvp::parse(self.response.trim()) {
            Some(r) if r != Rsvp::Pending => Ok(r),
            _ => Err(FieldErrors::single("response", "invalid_choice")),
        }
    }
}

text_enum!(
    /// Which way an agenda item moves.
    Direction {
        Up => "up",
        Down => "down",
    }
);

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Meeting {
    pub id: MeetingId,
    pub collaboration_id: CollaborationId,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The IANA zone the meeting was planned in.
    pub time_zone: String,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub status: MeetingStatus,
    /// iCalendar SEQUENCE: bumped by every change and by the cancellation.
    pub sequence: i64,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AgendaItem {
    pub id: AgendaItemId,
    pub meeting_id: MeetingId,
    /// 1 for the first item.
    pub position: i64,
    pub title: String,
    pub presenter_id: Option<UserId>,
    pub presenter_name: Option<String>,
    pub duration_minutes: i64,
    pub notes: Option<String>,
    /// Markdown as written.
    pub minutes: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Attendee {
    pub user_id: UserId,
    pub display_name: String,
    pub organisation_name: String,
    pub rsvp: Rsvp,
    pub responded_at: Option<DateTime<Utc>>,
}

/// RFC 5545 text output: escaping, 75-octet folding and the VCALENDAR/VEVENT layout.
pub mod ical {
    use chrono::{DateTime, Utc};

    /// One VEVENT.
    #[derive(Clone, Debug)]
    pub struct Event {
        pub uid: String,
        pub dtstamp: DateTime<Utc>,
        pub starts_at: DateTime<Utc>,
        pub ends_at: DateTime<Utc>,
        pub summary: String,
        pub location: Option<String>,
        pub url: Option<String>,
        pub description: String,
        pub sequence: i64,
        pub cancelled: bool,
        /// (common name, calendar address such as `mailto:...` or `urn:uuid:...`, PARTSTAT).
        pub attendees: Vec<(String, String, &'static str)>,
    }

    /// Escapes a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 3.3.11).
    pub fn escape_text(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        for ch in text.chars() {
            match ch {
                '\\' => out.push_str("\\\\"),
                ';' => out.push_str("\\;"),
                ',' => out.push_str("\\,"),
                '\n' => out.push_str("\\n"),
                c if c.is_control() => {}
                c => out.push(c),
            }
        }
        out
    }

    /// A parameter value: quoted, without the characters a quoted value may not hold.
    pub fn param_value(text: &str) -> String {
        let clean: String = text
            .chars()
            .filter(|c| *c != '"' && !c.is_control())
            .collect();
        format!("\"{clean}\"")
    }

    /// Folds a content line to at most 75 octets per line (continuations start with a space),
    /// never splitting a UTF-8 character, and ends it with CRLF.
    pub fn fold(line: &str) -> String {
        let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
        let mut width = 0;
        for ch in line.chars() {
            let len = ch.len_utf8();
            if width + len > 75 {
                out.push_str("\r\n ");
                width = 1;
            }
            out.push(ch);
            width += len;
        }
        out.push_str("\r\n");
        out
    }

    fn utc(at: DateTime<Utc>) -> String {
        at.format("%Y%m%dT%H%M%SZ").to_string()
    }

    /// A whole calendar. `METHOD:CANCEL` when `cancel` (a single cancelled meeting), else PUBLISH.
    pub fn calendar(name: &str, cancel: bool, events: &[Event]) -> String {
        let mut out = String::new();
        let mut line = |l: String| out.push_str(&fold(&l));
        line("BEGIN:VCALENDAR".into());
        line("VERSION:2.0".into());
        line("PRODID:-//Concord//Meetings//EN".into());
        line("CALSCALE:GREGORIAN".into());
        line(format!(
            "METHOD:{}",
            if cancel { "CANCEL" } else { "PUBLISH" }
        ));
        line(format!("X-WR-CALNAME:{}", escape_text(name)));
        for e in events {
            line("BEGIN:VEVENT".into());
            line(format!("UID:{}", escape_text(&e.uid)));
            line(format!("DTSTAMP:{}", utc(e.dtstamp)));
            line(format!("DTSTART:{}", utc(e.starts_at)));
            line(format!("DTEND:{}", utc(e.ends_at)));
            line(format!("SUMMARY:{}", escape_text(&e.summary)));
            if let Some(location) = &e.location {
                line(format!("LOCATION:{}", escape_text(location)));
            }
            if let Some(url) = &e.url {
                line(format!("URL:{url}"));
            }
            if !e.description.is_empty() {
                line(format!("DESCRIPTION:{}", escape_text(&e.description)));
            }
            line(format!("SEQUENCE:{}", e.sequence));
            line(format!(
                "STATUS:{}",
                if e.cancelled {
                    "CANCELLED"
                } else {
                    "CONFIRMED"
                }
            ));
            for (name, address, partstat) in &e.attendees {
                line(format!(
                    "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT={partstat}:{address}",
                    param_value(name)
                ));
            }
            line("END:VEVENT".into());
        }
        line("END:VCALENDAR".into());
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn when_is_in_the_planning_zone() {
        let fields = fields_input().validate().unwrap();
        assert_eq!(fields.starts_at.to_rfc3339(), "2026-07-01T08:00:00+00:00");
        assert_eq!(
            fields.when(),
            "2026-07-01 10:00\u{2013}11:30 (Europe/Paris)"
        );
        let overnight = MeetingInput {
            ends_at: "2026-07-02T01:00".into(),
            place: None,
            online_url: Some("https://meet.example/x".into()),
            ..fields_input()
        }
        .validate()
        .unwrap();
        assert_eq!(
            overnight.when(),
            "2026-07-01 10:00\u{2013}2026-07-02 01:00 (Europe/Paris)"
        );
    }

    fn fields_input() -> MeetingInput {
        MeetingInput {
            title: "Steering".into(),
            starts_at: "2026-07-01T10:00".into(),
            ends_at: "2026-07-01T11:30".into(),
            time_zone: "Europe/Paris".into(),
            place: Some("City Hall".into()),
            online_url: None,
        }
    }

    use super::*;

    fn input() -> MeetingInput {
        MeetingInput {
            title: " Steering group ".into(),
            starts_at: "2026-12-03T14:00".into(),
            ends_at: "2026-12-03T15:30".into(),
            time_zone: "Europe/Paris".into(),
            place: Some("  ".into()),
            online_url: Some("https://meet.example/abc".into()),
        }
    }

    #[test]
    fn local_times_are_stored_in_utc() {
        let ok = input().validate().unwrap();
        assert_eq!(ok.title, "Steering group");
        assert_eq!(ok.starts_at.to_rfc3339(), "2026-12-03T13:00:00+00:00");
        assert_eq!(ok.ends_at.to_rfc3339(), "2026-12-03T14:30:00+00:00");
        assert_eq!(ok.place, None);
        assert_eq!(
            local_input_value(ok.starts_at, "Europe/Paris"),
            "2026-12-03T14:00"
        );
    }

    #[test]
    fn the_end_must_follow_the_start() {
        for end in ["2026-12-03T14:00", "2026-12-03T13:59"] {
            let errors = MeetingInput {
                ends_at: end.into(),
                ..input()
            }
            .validate()
            .unwrap_err();
            assert_eq!(errors.for_field("ends_at"), Some("must_be_after_start"));
        }
    }

    #[test]
    fn zones_urls_and_times_are_checked() {
        let errors = MeetingInput {
            time_zone: "Mars/Olympus".into(),
            online_url: Some("javascript:alert(1)".into()),
            starts_at: "tomorrow".into(),
            ..input()
        }
        .validate()
        .unwrap_err();
        assert_eq!(errors.for_field("time_zone"), Some("unknown_time_zone"));
        assert_eq!(errors.for_field("online_url"), Some("invalid_url"));
        assert_eq!(errors.for_field("starts_at"), Some("invalid_datetime"));
        // 02:30 does not exist in Paris on the last Sunday of March.
        let errors = MeetingInput {
            starts_at: "2027-03-28T02:30".into(),
            ends_at: "2027-03-28T04:00".into(),
            ..input()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            errors.for_field("starts_at"),
            Some("nonexistent_local_time")
        );
    }

    #[test]
    fn agenda_items_have_bounded_time_boxes() {
        let item = |m| AgendaItemInput {
            title: "Budget".into(),
            duration_minutes: m,
            ..Default::default()
        };
        assert_eq!(item(Some(30)).validate().unwrap().duration_minutes, 30);
        for bad in [Some(0), Some(481), None] {
            assert!(
                item(bad)
                    .validate()
                    .unwrap_err()
                    .for_field("duration_minutes")
                    .is_some()
            );
        }
        let bad = AgendaItemInput {
            presenter_id: Some("nobody".into()),
            ..item(Some(5))
        };
        assert_eq!(
            bad.validate().unwrap_err().for_field("presenter_id"),
            Some("invalid_choice")
        );
    }

    #[test]
    fn an_rsvp_is_yes_no_or_maybe() {
        let r = |s: &str| RsvpInput { response: s.into() }.validate();
        assert_eq!(r("maybe"), Ok(Rsvp::Maybe));
        assert!(r("pending").is_err());
        assert!(r("sure").is_err());
        assert_eq!(Rsvp::Yes.partstat(), "ACCEPTED");
        assert_eq!(Rsvp::Pending.partstat(), "NEEDS-ACTION");
    }

    #[test]
    fn ical_text_is_escaped() {
        assert_eq!(ical::escape_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        assert_eq!(ical::param_value("Dr \"Who\""), "\"Dr Who\"");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "é".repeat(100));
        let folded = ical::fold(&line);
        assert!(folded.ends_with("\r\n"));
        for (i, part) in folded.trim_end_matches("\r\n").split("\r\n").enumerate() {
            assert!(part.len() <= 75, "line {i} has {} octets", part.len());
            if i > 0 {
                assert!(part.starts_with(' '));
            }
        }
        let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
    }

    #[test]
    fn a_calendar_has_the_required_properties() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 13, 0, 0).unwrap();
        let text = ical::calendar(
            "Test",
            true,
            &[ical::Event {
                uid: "x@concord".into(),
                dtstamp: at,
                starts_at: at,
                ends_at: at + chrono::Duration::hours(1),
                summary: "Budget, review".into(),
                location: None,
                url: None,
                description: String::new(),
                sequence: 2,
                cancelled: true,
                attendees: vec![("Ann".into(), "mailto:ann@example.org".into(), "ACCEPTED")],
            }],
        );
        let text = text.replace("\r\n ", "");
        for expected in [
            "METHOD:CANCEL\r\n",
            "UID:x@concord\r\n",
            "DTSTART:20261203T130000Z\r\n",
            "DTEND:20261203T140000Z\r\n",
            "SUMMARY:Budget\\, review\r\n",
            "SEQUENCE:2\r\n",
            "STATUS:CANCELLED\r\n",
            "ATTENDEE;CN=\"Ann\";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:ann@example.org\r\n",
        ] {
            assert!(text.contains(expected), "{expected:?} missing in {text}");
        }
    }
}
