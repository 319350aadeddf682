# Signed webhooks (pages/webhooks.rs, api/webhooks.rs) and their help page.

webhook-list-title = Webhooks: { $title }
webhook-list-intro = Concord posts this collaboration's events, signed, to the web addresses below, so a team's chat or systems hear about them. Only coordinators see and change them.
webhook-list-none = No webhook has been added yet.
webhook-list-caption = Endpoints receiving this collaboration's events
webhook-add = Add an endpoint
webhook-section-link = Webhooks: send this collaboration's events to other systems
webhook-help-link = How receivers verify deliveries
webhook-actions = Actions
webhook-active-yes = Active
webhook-active-no = Paused
webhook-deliveries-of = Deliveries to { $url }
webhook-edit-of = Edit { $url }

webhook-field-url = Address (URL)
webhook-field-description = Description
webhook-field-event_kinds = Events to send
webhook-field-active = Status
webhook-field-active-label = Send events to this endpoint (untick to pause)
webhook-field-secret = Signing secret

webhook-new-title = Add a webhook endpoint
webhook-edit-title = Edit a webhook endpoint
webhook-form-intro = Concord sends a JSON POST for each chosen event, signed with a secret it generates for the endpoint.
webhook-hint-url = An https:// address with a host name, such as https://hooks.example.org/concord. Addresses in private, loopback or link-local networks are refused.
webhook-hint-event_kinds = Tick the kinds of change to send. Each covers every event of its kind, e.g. “Messages” sends message.posted and message.edited.
webhook-create-button = Add the endpoint
webhook-save-button = Save the endpoint
webhook-cancel = Cancel

webhook-kind-collaboration = The collaboration and its members
webhook-kind-objective = Objectives
webhook-kind-key_result = Key results
webhook-kind-measurement = Measurements
webhook-kind-review = Reviews
webhook-kind-charter = Charter
webhook-kind-stakeholder = Stakeholders (ids only)
webhook-kind-engagement = Engagements (ids only)
webhook-kind-thread = Threads
webhook-kind-message = Messages
webhook-kind-meeting = Meetings
webhook-kind-agenda_item = Agenda items
webhook-kind-decision = Decisions
webhook-kind-action_item = Action items

webhook-error-url-required = Enter the address to send events to.
webhook-error-url-too_long = The address can have at most 2,000 characters.
webhook-error-url-invalid_url = Enter a full web address, such as https://hooks.example.org/concord.
webhook-error-url-invalid_scheme = The address must start with https://.
webhook-error-url-credentials_not_allowed = Remove the user name and password from the address; deliveries are authenticated by their signature.
webhook-error-url-host_name_required = Use a host name rather than an IP address.
webhook-error-url-address_not_allowed = This address leads to a private, loopback, link-local or otherwise reserved network, which webhooks may not reach.
webhook-error-url-unresolvable = The host name could not be found. Check the spelling.
webhook-error-url-https_required = Plain http:// is only allowed for receivers on the server's allow-list. Use https://.
webhook-error-description-too_long = The description can have at most 500 characters.
webhook-error-event_kinds-required = Tick at least one kind of event.
webhook-error-event_kinds-invalid_choice = Tick only the kinds offered.

webhook-secret-title = The endpoint's signing secret
webhook-secret-intro = Copy this secret into the receiver now. It is shown only this once; if it is lost, generate a new one.
webhook-secret-verify = The receiver uses it to check the Concord-Signature header of every delivery.
webhook-secret-done = Back to the webhooks
webhook-secret-heading = Signing secret
webhook-rotate-intro = Generate a new secret if the current one may have leaked. The old one stops working at once.
webhook-rotate-button = Generate a new secret
webhook-delete-heading = Delete the endpoint
webhook-delete-intro = Events stop being sent to it, and its delivery log is deleted with it.
webhook-delete-button = Delete the endpoint

webhook-done-created = The endpoint was added.
webhook-done-rotated = A new secret was generated.
webhook-done-updated = The endpoint was saved.
webhook-done-deleted = The endpoint was deleted.
webhook-done-test = A test event was queued; it appears below once sent.

webhook-deliveries-title = Deliveries
webhook-deliveries-intro = Newest first. A failed attempt is retried after 30 seconds, 2 minutes, 8 minutes, 32 minutes and about 2 hours, then the delivery is marked failed.
webhook-deliveries-none = Nothing has been sent to this endpoint yet.
webhook-deliveries-no-more = There are no older deliveries.
webhook-deliveries-caption = Deliveries to this endpoint, newest first
webhook-deliveries-pages-label = Pages of deliveries
webhook-deliveries-newest = Newest deliveries
webhook-deliveries-older = Older deliveries
webhook-test-button = Send a test event
webhook-col-created = Event time
webhook-col-kind = Event
webhook-col-status = Status
webhook-col-attempts = Attempts
webhook-col-code = Last HTTP status
webhook-col-latency = Last latency
webhook-col-next = Next attempt
webhook-status-pending = Pending
webhook-status-succeeded = Delivered
webhook-status-failed = Failed
webhook-latency-ms = { $ms } ms

webhook-help-title = Webhooks: receiving and verifying deliveries
webhook-help-intro = A collaboration's coordinators can have Concord post its events to an https address. This page is for whoever builds the receiver.
webhook-help-request-heading = What is sent
webhook-help-request = Each delivery is one JSON POST with three headers: Concord-Event (the event kind), Concord-Delivery (the delivery id, the same on every retry) and Concord-Signature.
webhook-help-payload = The body names things by id only: no names, email addresses or texts leave Concord. Fetch details through the API with a token if you need them. Answer with any 2xx status within 10 seconds; redirects are not followed.
webhook-help-verify-heading = Verifying a delivery
webhook-help-verify-1 = Read the Concord-Signature header: t=<unix seconds>,v1=<hex signature>.
webhook-help-verify-2 = Refuse the delivery if t is more than { $seconds } seconds from your clock (a replay).
webhook-help-verify-3 = Compute HMAC-SHA256 with the endpoint's secret (the whole whsec_… text) as key over t, a full stop, and the raw body exactly as received.
webhook-help-verify-4 = Compare it in constant time with each v1 value; accept if one matches. Ignore a Concord-Delivery id you have already processed.
webhook-help-retries-heading = Retries
webhook-help-retries = A delivery that does not get a 2xx answer is tried again after 30 seconds, 2 minutes, 8 minutes, 32 minutes and about 2 hours: six attempts in all. Each attempt is logged on the endpoint's deliveries page.
webhook-help-kinds-heading = Event kinds
webhook-help-addresses-heading = Addresses
webhook-help-addresses = Concord never connects to loopback, private, link-local (including cloud metadata), shared or reserved addresses, checked on the address it actually connects to. An operator can allow chosen networks for receivers inside the organisation (concord serve --webhook-allow).

problem-too_many_webhooks = A collaboration can have at most 20 webhook endpoints.

# History (the collaboration's audit trail).
action-webhook-created = Webhook added
action-webhook-updated = Webhook changed
action-webhook-secret_rotated = Webhook secret renewed
action-webhook-deleted = Webhook deleted
action-webhook-test_sent = Webhook test event sent
field-url = Address
field-event_kinds = Events
field-secret = Secret
