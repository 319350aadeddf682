# What Concord writes to people rather than on pages: notification headlines and emails, in the
# recipient's language (their account setting; English otherwise).

notification-mention = { $name } mentioned you in “{ $title }”
notification-meeting-invited = You are invited to a meeting: “{ $title }”
notification-meeting-changed = Meeting changed: “{ $title }”
notification-meeting-cancelled = Meeting cancelled: “{ $title }”
notification-decision = Decision recorded: “{ $title }”
notification-action-item-assigned = Action item for you: “{ $title }”
notification-action-item-due = Due today: “{ $title }”
notification-due-on = Due { $date }
notification-invitation = Your organisation is invited to join “{ $title }”
notification-invitation-role = Proposed role: { $role }
notification-added = You were added to “{ $title }”
notification-added-role = Your role: { $role }
notification-meeting-at-place = { $when }, { $place }
notification-meeting-online = { $when }, online

email-subject = [Concord] { $title }
email-greeting = Hello { $name },
email-digest-subject = [Concord] Your daily digest for { $date }
email-digest-intro = Your Concord digest for { $date }: { $count ->
    [one] one notification.
   *[other] { $count } notifications.
}
email-footer = You receive this because of your notification settings: { $link }
