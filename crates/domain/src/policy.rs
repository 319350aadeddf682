//! The one access policy. Every service asks it before reading or writing; list queries apply the
//! same read rule inside SQL (see `concord_store::collaborations::VISIBLE_TO_ACTOR`), and the
//! policy tests run both against the same table of cases.
//!
//! Least privilege: platform admins administer organisations and accounts but read partners-only or
//! confidential collaborations only when their organisation is a member or they are named on them.

use crate::collaboration::{MembershipStatus, OrganisationRole, PersonRole, Visibility};
use crate::user::OrgRole;
use crate::{OrganisationId, UserId};

/// Who is asking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    User(UserActor),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserActor {
    pub id: UserId,
    pub organisation_id: OrganisationId,
    pub org_role: OrgRole,
    pub platform_admin: bool,
}

impl Actor {
    pub fn user(&self) -> Option<&UserActor> {
        match self {
            Actor::Anonymous => None,
            Actor::User(user) => Some(user),
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.user().map(|u| u.id)
    }

    pub fn is_platform_admin(&self) -> bool {
        self.user().is_some_and(|u| u.platform_admin)
    }

    /// True when the actor administers organisation `org` (its org admin, or a platform admin).
    pub fn administers(&self, org: OrganisationId) -> bool {
        self.user().is_some_and(|u| {
            u.platform_admin || (u.org_role == OrgRole::OrgAdmin && u.organisation_id == org)
        })
    }
}

/// What is known about the actor's relation to one collaboration, loaded in one query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CollaborationFacts {
    pub visibility: Visibility,
    /// The actor's home organisation's membership, if any (invited, active or declined).
    pub organisation: Option<(OrganisationRole, MembershipStatus)>,
    /// The actor's own role when named on the collaboration.
    pub person: Option<PersonRole>,
}

impl CollaborationFacts {
    fn member_organisation(&self) -> bool {
        matches!(self.organisation, Some((_, MembershipStatus::Active)))
    }
}

/// Things one can do to a collaboration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CollaborationAction {
    Read,
    /// The "who changed what, when" page: members only, even on public collaborations, because it
    /// names civil servants.
    ReadHistory,
    /// Stakeholders' personal data (a person's name and contact details) and the engagement log,
    /// whose summaries name people: members only, like the history.
    ReadPersonalData,
    /// Start threads and post messages: members, whatever their role (a viewer may still speak).
    Discuss,
    Edit,
    ManageMembers,
    AddContent,
    /// Accept or decline an invitation addressed to the actor's organisation.
    RespondToInvitation,
}

impl CollaborationAction {
    pub const ALL: &'static [CollaborationAction] = &[
        CollaborationAction::Read,
        CollaborationAction::ReadHistory,
        CollaborationAction::ReadPersonalData,
        CollaborationAction::Discuss,
        CollaborationAction::Edit,
        CollaborationAction::ManageMembers,
        CollaborationAction::AddContent,
        CollaborationAction::RespondToInvitation,
    ];
}

/// May `actor` do `action` to a collaboration described by `facts`?
pub fn collaboration_allows(
    actor: &Actor,
    facts: &CollaborationFacts,
    action: CollaborationAction,
) -> bool {
    let Some(user) = actor.user() else {
        return action == CollaborationAction::Read && facts.visibility == Visibility::Public;
    };
    let named = facts.person.is_some();
    let member = facts.member_organisation() || named;
    let can_read = match facts.visibility {
        Visibility::Public => true,
        Visibility::Partners => member,
        Visibility::Confidential => named,
    };
    match action {
        CollaborationAction::Read => can_read,
        CollaborationAction::ReadHistory
        | CollaborationAction::ReadPersonalData
        | CollaborationAction::Discuss => can_read && member,
        CollaborationAction::Edit | CollaborationAction::ManageMembers => {
            facts.person == Some(PersonRole::Coordinator)
        }
        CollaborationAction::AddContent => {
            matches!(
                facts.person,
                Some(PersonRole::Coordinator | PersonRole::Contributor)
            )
        }
        CollaborationAction::RespondToInvitation => {
            user.org_role == OrgRole::OrgAdmin
                && matches!(facts.organisation, Some((_, MembershipStatus::Invited)))
        }
    }
}

/// Any signed-in person may propose a collaboration; their organisation becomes its lead.
pub fn may_create_collaboration(actor: &Actor) -> bool {
    actor.user().is_some()
}

/// Only platform admins create organisations.
pub fn may_create_organisation(actor: &Actor) -> bool {
    actor.is_platform_admin()
}

/// Platform admins, and an organisation's own admins, edit it.
pub fn may_edit_organisation(actor: &Actor, organisation: OrganisationId) -> bool {
    actor.administers(organisation)
}

/// Creating, listing and deactivating accounts of `organisation`. Making someone a platform admin
/// takes a platform admin.
pub fn may_manage_accounts(
    actor: &Actor,
    organisation: OrganisationId,
    grants_platform_admin: bool,
) -> bool {
    actor.administers(organisation) && (!grants_platform_admin || actor.is_platform_admin())
}

/// Organisations are public bodies: their directory entry is readable by everyone.
pub fn may_read_organisation(_actor: &Actor) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use CollaborationAction::*;

    fn user(role: OrgRole, platform_admin: bool) -> Actor {
        Actor::User(UserActor {
            id: UserId::new(),
            organisation_id: OrganisationId::new(),
            org_role: role,
            platform_admin,
        })
    }

    fn facts(
        visibility: Visibility,
        organisation: Option<MembershipStatus>,
        person: Option<PersonRole>,
    ) -> CollaborationFacts {
        CollaborationFacts {
            visibility,
            organisation: organisation.map(|s| (OrganisationRole::Partner, s)),
            person,
        }
    }

    #[test]
    fn anonymous_reads_only_public() {
        for visibility in Visibility::ALL {
            let f = facts(*visibility, None, None);
            assert_eq!(
                collaboration_allows(&Actor::Anonymous, &f, Read),
                *visibility == Visibility::Public
            );
            for action in CollaborationAction::ALL.iter().filter(|a| **a != Read) {
                assert!(!collaboration_allows(&Actor::Anonymous, &f, *action));
            }
        }
    }

    #[test]
    fn platform_admin_gets_no_reading_privilege() {
        let admin = user(OrgRole::OrgAdmin, true);
        assert!(!collaboration_allows(
            &admin,
            &facts(Visibility::Partners, None, None),
            Read
        ));
        assert!(!collaboration_allows(
            &admin,
            &facts(
                Visibility::Confidential,
                Some(MembershipStatus::Active),
                None
            ),
            Read
        ));
        assert!(collaboration_allows(
            &admin,
            &facts(Visibility::Public, None, None),
            Read
        ));
        assert!(!collaboration_allows(
            &admin,
            &facts(Visibility::Public, None, None),
            Edit
        ));
    }

    #[test]
    fn partners_visibility_follows_active_membership() {
        let member = user(OrgRole::Member, false);
        assert!(collaboration_allows(
            &member,
            &facts(Visibility::Partners, Some(MembershipStatus::Active), None),
            Read
        ));
        assert!(!collaboration_allows(
            &member,
            &facts(Visibility::Partners, Some(MembershipStatus::Invited), None),
            Read
        ));
        assert!(!collaboration_allows(
            &member,
            &facts(Visibility::Partners, Some(MembershipStatus::Declined), None),
            Read
        ));
        assert!(!collaboration_allows(
            &member,
            &facts(
                Visibility::Confidential,
                Some(MembershipStatus::Active),
                None
            ),
            Read
        ));
        assert!(collaboration_allows(
            &member,
            &facts(
                Visibility::Confidential,
                Some(MembershipStatus::Active),
                Some(PersonRole::Viewer)
            ),
            Read
        ));
    }

    #[test]
    fn roles_grade_what_people_may_change() {
        let member = user(OrgRole::Member, false);
        let with = |role| {
            facts(
                Visibility::Public,
                Some(MembershipStatus::Active),
                Some(role),
            )
        };
        assert!(collaboration_allows(
            &member,
            &with(PersonRole::Coordinator),
            Edit
        ));
        assert!(collaboration_allows(
            &member,
            &with(PersonRole::Coordinator),
            ManageMembers
        ));
        assert!(!collaboration_allows(
            &member,
            &with(PersonRole::Contributor),
            Edit
        ));
        assert!(collaboration_allows(
            &member,
            &with(PersonRole::Contributor),
            AddContent
        ));
        assert!(!collaboration_allows(
            &member,
            &with(PersonRole::Viewer),
            AddContent
        ));
        assert!(collaboration_allows(
            &member,
            &with(PersonRole::Viewer),
            ReadHistory
        ));
    }

    #[test]
    fn history_is_for_members_even_when_public() {
        let outsider = user(OrgRole::Member, false);
        assert!(!collaboration_allows(
            &outsider,
            &facts(Visibility::Public, None, None),
            ReadHistory
        ));
        assert!(collaboration_allows(
            &outsider,
            &facts(Visibility::Public, Some(MembershipStatus::Active), None),
            ReadHistory
        ));
    }

    #[test]
    fn personal_data_is_for_members_even_when_public() {
        let outsider = user(OrgRole::Member, false);
        let public = facts(Visibility::Public, None, None);
        assert!(collaboration_allows(&outsider, &public, Read));
        assert!(!collaboration_allows(&outsider, &public, ReadPersonalData));
        assert!(!collaboration_allows(
            &Actor::Anonymous,
            &public,
            ReadPersonalData
        ));
        for member in [
            facts(Visibility::Public, Some(MembershipStatus::Active), None),
            facts(Visibility::Partners, None, Some(PersonRole::Viewer)),
        ] {
            assert!(collaboration_allows(&outsider, &member, ReadPersonalData));
        }
        let invited = facts(Visibility::Public, Some(MembershipStatus::Invited), None);
        assert!(!collaboration_allows(&outsider, &invited, ReadPersonalData));
    }

    #[test]
    fn members_discuss_whatever_their_role() {
        let someone = user(OrgRole::Member, false);
        let public = facts(Visibility::Public, None, None);
        assert!(!collaboration_allows(&someone, &public, Discuss));
        assert!(!collaboration_allows(&Actor::Anonymous, &public, Discuss));
        let viewer = facts(Visibility::Confidential, None, Some(PersonRole::Viewer));
        assert!(collaboration_allows(&someone, &viewer, Discuss));
        assert!(!collaboration_allows(&someone, &viewer, AddContent));
        let member_org = facts(Visibility::Partners, Some(MembershipStatus::Active), None);
        assert!(collaboration_allows(&someone, &member_org, Discuss));
    }

    #[test]
    fn only_the_invited_organisations_admin_responds() {
        let invited = facts(
            Visibility::Confidential,
            Some(MembershipStatus::Invited),
            None,
        );
        assert!(collaboration_allows(
            &user(OrgRole::OrgAdmin, false),
            &invited,
            RespondToInvitation
        ));
        assert!(!collaboration_allows(
            &user(OrgRole::Member, false),
            &invited,
            RespondToInvitation
        ));
        let active = facts(Visibility::Public, Some(MembershipStatus::Active), None);
        assert!(!collaboration_allows(
            &user(OrgRole::OrgAdmin, false),
            &active,
            RespondToInvitation
        ));
    }

    #[test]
    fn organisation_administration() {
        let org = OrganisationId::new();
        let own_admin = Actor::User(UserActor {
            id: UserId::new(),
            organisation_id: org,
            org_role: OrgRole::OrgAdmin,
            platform_admin: false,
        });
        let own_member = Actor::User(UserActor {
            id: UserId::new(),
            organisation_id: org,
            org_role: OrgRole::Member,
            platform_admin: false,
        });
        let platform = user(OrgRole::Member, true);
        assert!(may_edit_organisation(&own_admin, org));
        assert!(!may_edit_organisation(&own_member, org));
        assert!(!may_edit_organisation(&own_admin, OrganisationId::new()));
        assert!(may_edit_organisation(&platform, org));
        assert!(!may_create_organisation(&own_admin));
        assert!(may_create_organisation(&platform));
        assert!(may_manage_accounts(&own_admin, org, false));
        assert!(!may_manage_accounts(&own_admin, org, true));
        assert!(may_manage_accounts(&platform, org, true));
        assert!(!may_create_collaboration(&Actor::Anonymous));
    }
}
