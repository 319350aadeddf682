//! Newtype identifiers, so an organisation id can never be passed where a collaboration id is due.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered (v7) id: keyset pagination by id is then creation order.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }
    };
}

id_type!(
    /// A public body or partner.
    OrganisationId
);
id_type!(
    /// A person with an account.
    UserId
);
id_type!(
    /// A cross-organisation collaboration.
    CollaborationId
);
id_type!(
    /// A personal API token (its id, never its secret).
    TokenId
);
id_type!(
    /// An objective of a collaboration.
    ObjectiveId
);
id_type!(
    /// A key result under an objective.
    KeyResultId
);
id_type!(
    /// A review of a collaboration's objectives.
    ReviewId
);
id_type!(
    /// Someone who matters to a collaboration: an organisation, a group or a person.
    StakeholderId
);
id_type!(
    /// One recorded contact with stakeholders.
    EngagementId
);
id_type!(
    /// A discussion thread of a collaboration.
    ThreadId
);
id_type!(
    /// One message in a thread.
    MessageId
);

id_type!(
    /// A meeting of a collaboration.
    MeetingId
);
id_type!(
    /// One item of a meeting's agenda.
    AgendaItemId
);
id_type!(
    /// An entry of a collaboration's decision register.
    DecisionId
);
id_type!(
    /// Something someone has to do, with an owner and a due date.
    ActionItemId
);
id_type!(
    /// One entry of a person's in-app inbox.
    NotificationId
);
id_type!(
    /// One email waiting in (or delivered from) the outbox.
    EmailId
);
id_type!(
    /// An HTTPS endpoint a collaboration's events are posted to.
    WebhookId
);
id_type!(
    /// One attempt series to deliver one event to one webhook.
    WebhookDeliveryId
);
