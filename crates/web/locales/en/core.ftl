# Layout and navigation
skip-to-content = Skip to main content
nav-label = Main
nav-home = Home
nav-collaborations = Collaborations
nav-organisations = Organisations
nav-admin = Accounts
sign-in = Sign in
sign-out = Sign out
footer-text = Concord is open-source software for public bodies working together.
footer-api = API (OpenAPI)
back-home = Go to the home page
back-to = Back to { $title }
optional = (optional)
not-set = Not set
cancel = Cancel
save-changes = Save changes
actions = Actions
remove = Remove
change-role = Change role
role-for = Role for { $name }
pagination-label = Pages
pagination-next = Next page
list-empty = Nothing to show yet.
filters-label = Filter collaborations

# Months (short)
month-01 = Jan
month-02 = Feb
month-03 = Mar
month-04 = Apr
month-05 = May
month-06 = Jun
month-07 = Jul
month-08 = Aug
month-09 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec

# Sign in
sign-in-title = Sign in to Concord
sign-in-failed = You could not be signed in

# Home
home-title = Your work
home-welcome = Welcome to Concord
home-intro = Ministries, agencies, municipalities and their partners plan and run shared initiatives here. Citizens can read everything their government has chosen to publish.
home-public = Public collaborations
home-invitations = Invitations for your organisation
home-invited-as = invited as { $role }
home-my-collaborations = Your organisation's collaborations
home-none = Your organisation is not part of any collaboration yet.

# Error pages
page-error-not_found = Page not found
page-error-body-not_found = The page you asked for does not exist, or you do not have access to it.
page-error-forbidden = You cannot do that
page-error-body-forbidden = Your role does not allow this action. If you need it, ask a coordinator of the collaboration or an administrator of your organisation.
page-error-unauthenticated = Please sign in
page-error-body-unauthenticated = You need to sign in to do that.
page-error-form_expired = This form has expired
page-error-body-form_expired = For your security the form could not be accepted. Go back, reload the page and try again; nothing was changed.
page-error-payload_too_large = The submission is too large
page-error-body-payload_too_large = Please shorten what you entered and try again.
page-error-internal_error = Something went wrong
page-error-body-internal_error = Sorry, there is a problem with the service. Nothing you entered has been lost on our side; please try again later.
page-error-invalid_input = The request could not be understood
page-error-body-invalid_input = Some of what was sent is not valid. Go back and check it.
page-error-conflict = That change is not possible
page-error-body-conflict = The change conflicts with the current state. Reload the page and try again.
error-status = Error { $status }

# Field error messages (by stable code)
error-prefix = Error:
error-summary-title = There is a problem
error-summary-item = { $field }: { $message }
error-required = Enter a value.
error-too_long = This is too long.
error-invalid_choice = Choose one of the options offered.
error-invalid_date = Enter a real date, for example 2027-03-31.
error-end_before_start = The end date must be on or after the start date.
error-invalid_email = Enter an email address like name@example.org.
error-invalid_url = Enter a web address starting with https://.
error-password_too_short = Use at least 10 characters.
error-wrong_password = That is not your current password.
error-already_taken = This is already in use.
error-parent_cycle = An organisation cannot sit under itself or one of its own children.
error-invalid_transition = The status cannot change like that from its current value.
error-invalid_cursor = That page link is no longer valid; start again from the first page.
error-not_allowed = You are not allowed to set this.
error-not_from_member_organisation = This person's organisation is not an active member.
error-not_an_active_member = Only an active member organisation can take the lead.
error-invalid_credentials = The email address or password is not right.
error-too_many_attempts = Too many failed attempts. Try again in { $minutes } minutes.
error-collaboration_already_has_lead = A collaboration has exactly one lead organisation. Use "Hand over the lead" instead.
error-already_member = That organisation is already a member.
error-already_invited = That organisation has already been invited.
error-already_named = That person is already named on this collaboration.
error-last_coordinator = A collaboration needs at least one coordinator; name another coordinator first.
error-cannot_remove_lead = The lead organisation cannot be removed; hand over the lead first.
error-lead_must_be_transferred = The lead's role changes only by handing over the lead.
error-cannot_deactivate_self = You cannot deactivate your own account.
error-forbidden = You cannot do that.
error-not_found = Not found.

# Problem details (API)
problem-not_found = The resource does not exist or is not visible to you.
problem-unauthenticated = Authentication is required: send a valid bearer token.
problem-forbidden = Your role does not allow this action.
problem-invalid_input = Some fields are not valid; see errors.
problem-invalid_credentials = Wrong email or password.
problem-too_many_attempts = Too many attempts; retry later.
problem-internal_error = An internal error occurred.
problem-collaboration_already_has_lead = A collaboration has exactly one lead organisation.
problem-already_member = The organisation is already a member.
problem-already_invited = The organisation has already been invited.
problem-already_named = The person is already named on the collaboration.
problem-last_coordinator = The last coordinator cannot be removed or demoted.
problem-cannot_remove_lead = The lead organisation cannot be removed.
problem-lead_must_be_transferred = The lead's role changes only through a lead transfer.
problem-cannot_deactivate_self = You cannot deactivate your own account.

# Field names (error summary, history)
field-email = Email address
field-password = Password
field-name = Name
field-title = Title
field-summary = Summary
field-problem_statement = Problem statement
field-policy_areas = Policy areas
field-policy_area = Policy area
field-geography = Geography
field-start_date = Start date
field-end_date = End date
field-status = Status
field-visibility = Visibility
field-updated_at = Last updated
field-organisation = Organisation
field-organisation_id = Organisation
field-role = Role
field-membership = Membership
field-person = Person
field-user_id = Person
field-kind = Kind
field-parent_id = Parent organisation
field-description = Description
field-website = Website
field-display_name = Name
field-org_role = Role in organisation
field-platform_admin = Platform administrator
field-active = Active
field-current_password = Current password
field-new_password = New password
field-locale = Language
field-time_zone = Time zone
field-cursor = Page
field-q = Search
field-answer = Answer
field-revoked_at = Revoked

# Enumerations
status-proposed = Proposed
status-active = Active
status-paused = Paused
status-completed = Completed
status-cancelled = Cancelled
visibility-public = Public
visibility-partners = Partners
visibility-confidential = Confidential
visibility-hint-public = Anyone can read it, including citizens who are not signed in.
visibility-hint-partners = Everyone in the member organisations can read it.
visibility-hint-confidential = Only the people named on it can read it.
org-role-lead = Lead
org-role-partner = Partner
org-role-observer = Observer
person-role-coordinator = Coordinator
person-role-contributor = Contributor
person-role-viewer = Viewer
membership-invited = Invited
membership-active = Active
membership-declined = Declined
cofog-01 = General public services
cofog-02 = Defence
cofog-03 = Public order and safety
cofog-04 = Economic affairs
cofog-05 = Environmental protection
cofog-06 = Housing and community amenities
cofog-07 = Health
cofog-08 = Recreation, culture and religion
cofog-09 = Education
cofog-10 = Social protection

# Added for organisation/account/admin pages
field-created_at = Created
pagination-first = Go to the first page

# Added for review validation in the API
error-unknown_objective = This objective is not part of the collaboration.
error-duplicate = This appears twice.
error-invalid_link = Give an address on this site starting with / or a web address starting with https://.
error-too_many = There are too many of these.
error-not_in_collaboration = Link to an objective or key result of this collaboration (for example /key-results/… for a changed target).
