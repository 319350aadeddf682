# Fils de discussion (pages/threads.rs) et la section Discussion de la page d'une collaboration.

thread-list-title = Discussion : { $title }
thread-list-intro = Les fils de cette collaboration, les plus récemment actifs d'abord. Un fil marqué « Réservé à : » ne peut être lu que par les personnes des organisations qu'il nomme.
thread-list-none = Aucun fil n'a encore été ouvert.
thread-list-no-more = Il n'y a pas de fil plus ancien.
thread-list-pages-label = Pages des fils
thread-list-newest = Fils les plus récemment actifs
thread-list-older = Fils plus anciens
thread-start = Ouvrir un fil
thread-only = Réservé à : { $names }
thread-only-long = Seules les personnes de ces organisations peuvent lire ce fil : { $names }
thread-message-count = Messages : { $count }
thread-last-activity = Dernier message :
thread-started-by = Ouvert par { $name }
thread-started-on = Ouvert le :

thread-new-title = Ouvrir un fil
thread-new-intro = Une nouvelle discussion dans { $title }. Le premier message ouvre le fil ; les membres de la collaboration peuvent y répondre.
thread-field-title = Titre
thread-field-audience = Qui peut le lire
thread-hint-audience = Ne cochez rien pour que toutes les personnes qui peuvent lire la collaboration le voient. Pour réserver le fil à certaines organisations, cochez-les, y compris la vôtre.
thread-own-organisation = (votre organisation)
thread-field-body = Premier message
thread-start-button = Ouvrir le fil
thread-cancel = Annuler

thread-error-title-required = Saisissez un titre pour le fil.
thread-error-title-too_long = Le titre compte au plus 200 caractères.
thread-error-audience-not_an_active_member = Cochez uniquement des organisations membres actives de la collaboration.
thread-error-audience-must_include_own_organisation = Cochez aussi votre organisation, ou ne cochez rien pour que toutes les personnes qui peuvent lire la collaboration voient le fil.
thread-error-audience-too_many = Cochez au plus 50 organisations.
thread-error-body-required = Rédigez un message.
thread-error-body-too_long = Un message compte au plus 20 000 caractères.

thread-done-started = Le fil a été ouvert.
thread-done-edited = Votre message a été enregistré ; le texte précédent reste consultable parmi ses versions.
thread-messages-heading = Derniers messages
thread-messages-earlier-heading = Messages précédents
thread-pages-label = Pages des messages
thread-pages-label-bottom = Pages des messages (bas de page)
thread-earlier = Messages précédents
thread-latest = Derniers messages
thread-no-messages = Aucun message ici.
thread-reply-heading = Répondre
thread-members-only = Seuls les membres de la collaboration peuvent répondre.
thread-sign-in-to-reply = Connectez-vous pour répondre

message-field-reply = Votre réponse
message-field-body = Message
message-hint-markdown = Vous pouvez utiliser Markdown : **gras**, *italique*, [un lien](https://example.org), des listes commençant par « - » et une ligne vide entre les paragraphes.
message-post-button = Publier la réponse
message-author-unknown = Un ancien utilisateur
message-edited = modifié
message-edit = Modifier
message-your-message-of = votre message du { $date }
message-edit-title = Modifier votre message
message-edit-intro = Chaque texte précédent du message reste consultable parmi ses versions.
message-save-button = Enregistrer le message
message-versions-link = Versions précédentes de ce message
message-versions-of = versions du message de { $name }
message-versions-title = Versions d'un message de { $name }
message-versions-intro = Écrit le { $date }. La version la plus récente d'abord.
message-version-n = Version { $version }
message-version-current = actuelle

# La section Discussion de la page d'une collaboration.
thread-section-heading = Discussion
thread-section-none = Aucun fil pour l'instant.
thread-section-recent = Les fils les plus récemment actifs :
thread-section-all = Tous les fils

# Historique (le journal de la collaboration).
action-thread-started = Fil ouvert
action-message-posted = Message publié
action-message-edited = Message modifié
field-audience = Public
field-body = Texte du message

thread-live-new-message = Nouveau message de { $name }
thread-live-edited-message = Message de { $name } modifié
message-hint-mentions = Mentionnez une personne nommée dans cette collaboration avec @ suivi de son nom (par exemple @Alice Martin) : elle est notifiée.
message-mentionable-summary = Personnes que vous pouvez mentionner ({ $count })
