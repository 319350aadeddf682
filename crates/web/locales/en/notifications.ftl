# Notifications (pages/notifications.rs): the inbox, email preferences, the admins' outbox page.

notifications-nav = Notifications
notifications-nav-unread = { $count } unread
notifications-title = Notifications
notifications-settings-link = Email settings
notifications-unread-summary = { $count ->
    [0] You have no unread notifications.
    [one] You have 1 unread notification.
   *[other] You have { $count } unread notifications.
}
notifications-filter-label = Which notifications
notifications-filter-all = All
notifications-filter-unread = Unread only
notifications-mark-all-read = Mark all as read
notifications-mark-read = Mark as read
notifications-unread = Unread
notifications-by = By { $name }
notifications-none = You have no notifications yet.
notifications-none-unread = You have no unread notifications.
notifications-pages-label = Pages of notifications
notifications-newest = Newest notifications
notifications-older = Older notifications
notifications-done-read = The notification was marked as read.
notifications-done-all_read = All notifications were marked as read.

notifications-kind-mention = Mention
notifications-kind-meeting = Meeting
notifications-kind-decision = Decision
notifications-kind-action_item_assigned = Action item assigned to you
notifications-kind-action_item_due = Action item due
notifications-kind-invitation = Invitation or membership

notifications-preferences-title = Notification emails
notifications-preferences-intro = Every notification appears in your Concord inbox. Choose, for each kind, whether you also get an email at once, one daily digest email, or no email.
notifications-back-to-account = Back to your account
notifications-email-immediate = Email at once
notifications-email-daily_digest = In the daily digest
notifications-email-off = No email
notifications-preferences-submit = Save email settings
notifications-done-preferences_saved = Your email settings were saved.
notifications-account-link = Notification emails: choose which notifications also reach you by email

outbox-title = Email outbox
outbox-intro = Notification emails waiting to be sent, sent, and given up after repeated failures. Emails wait while no SMTP server is configured, and are retried with growing pauses when the server refuses or cannot be reached.
outbox-counts-caption = Emails by status
outbox-status = Status
outbox-count = Emails
outbox-status-waiting = Waiting
outbox-status-sent = Sent
outbox-status-failed = Failed
outbox-failures-heading = Latest failures
outbox-failures-none = No email has failed.
outbox-recipient = Recipient
outbox-attempts = Attempts
outbox-next-attempt = Next attempt
outbox-error = Last error

action-notification-read = Notification marked as read
action-notification-all_read = All notifications marked as read
action-notification-preferences_changed = Notification email settings changed
action-notification-due_reminders_queued = Due-date reminders queued
action-notification-digests_queued = Daily digest emails queued
field-read_at = Read
field-email_mention = Email for mentions
field-email_meeting = Email for meetings
field-email_decision = Email for decisions
field-email_action_item_assigned = Email for action items assigned
field-email_action_item_due = Email for action items due
field-email_invitation = Email for invitations
