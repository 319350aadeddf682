# Discussion threads (pages/threads.rs) and the Discussion section of the collaboration page.

thread-list-title = Discussion: { $title }
thread-list-intro = Threads of this collaboration, most recently active first. A thread marked “Only:” can be read by the people of the organisations it names, and by nobody else.
thread-list-none = No thread has been started yet.
thread-list-no-more = There are no older threads.
thread-list-pages-label = Pages of threads
thread-list-newest = Most recently active threads
thread-list-older = Older threads
thread-start = Start a thread
thread-only = Only: { $names }
thread-only-long = Only the people of these organisations can read this thread: { $names }
thread-message-count = Messages: { $count }
thread-last-activity = Last message:
thread-started-by = Started by { $name }
thread-started-on = Started:

thread-new-title = Start a thread
thread-new-intro = A new discussion in { $title }. The first message opens the thread; members of the collaboration can reply.
thread-field-title = Title
thread-field-audience = Who can read it
thread-hint-audience = Leave all unticked for everyone who can read the collaboration. To keep the thread to some organisations, tick them, including your own.
thread-own-organisation = (your organisation)
thread-field-body = First message
thread-start-button = Start the thread
thread-cancel = Cancel

thread-error-title-required = Enter a title for the thread.
thread-error-title-too_long = The title can have at most 200 characters.
thread-error-audience-not_an_active_member = Tick only organisations that are active members of the collaboration.
thread-error-audience-must_include_own_organisation = Tick your own organisation too, or leave all unticked so that everyone who can read the collaboration sees the thread.
thread-error-audience-too_many = Tick at most 50 organisations.
thread-error-body-required = Write a message.
thread-error-body-too_long = A message can have at most 20,000 characters.

thread-done-started = The thread was started.
thread-done-edited = Your message was saved; the earlier text is kept among its versions.
thread-messages-heading = Latest messages
thread-messages-earlier-heading = Earlier messages
thread-pages-label = Pages of messages
thread-pages-label-bottom = Pages of messages (bottom)
thread-earlier = Earlier messages
thread-latest = Latest messages
thread-no-messages = No message here.
thread-reply-heading = Reply
thread-members-only = Only members of the collaboration can reply.
thread-sign-in-to-reply = Sign in to reply

message-field-reply = Your reply
message-field-body = Message
message-hint-markdown = You can use Markdown: **bold**, *italic*, [a link](https://example.org), lists starting with “- ”, and a blank line between paragraphs.
message-post-button = Post the reply
message-author-unknown = A former user
message-edited = edited
message-edit = Edit
message-your-message-of = your message of { $date }
message-edit-title = Edit your message
message-edit-intro = Every earlier text of the message stays readable among its versions.
message-save-button = Save the message
message-versions-link = Earlier versions of this message
message-versions-of = versions of the message by { $name }
message-versions-title = Versions of a message by { $name }
message-versions-intro = Written on { $date }. Newest version first.
message-version-n = Version { $version }
message-version-current = current

# The Discussion section of the collaboration page.
thread-section-heading = Discussion
thread-section-none = No thread yet.
thread-section-recent = Most recently active threads:
thread-section-all = All threads

# History (the collaboration's audit trail).
action-thread-started = Thread started
action-message-posted = Message posted
action-message-edited = Message edited
field-audience = Audience
field-body = Message text

thread-live-new-message = New message from { $name }
thread-live-edited-message = Message from { $name } edited
message-hint-mentions = Mention someone named on this collaboration with @ and their name (for example @Alice Martin): they are notified.
message-mentionable-summary = People you can mention ({ $count })
