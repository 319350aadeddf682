# Notifications (pages/notifications.rs) : la boîte de réception, les préférences d’e-mail, la page d’envoi des administrateurs.

notifications-nav = Notifications
notifications-nav-unread = { $count } non lues
notifications-title = Notifications
notifications-settings-link = Réglages des e-mails
notifications-unread-summary = { $count ->
    [0] Vous n’avez aucune notification non lue.
    [one] Vous avez 1 notification non lue.
   *[other] Vous avez { $count } notifications non lues.
}
notifications-filter-label = Quelles notifications
notifications-filter-all = Toutes
notifications-filter-unread = Non lues seulement
notifications-mark-all-read = Tout marquer comme lu
notifications-mark-read = Marquer comme lue
notifications-unread = Non lue
notifications-by = Par { $name }
notifications-none = Vous n’avez encore aucune notification.
notifications-none-unread = Vous n’avez aucune notification non lue.
notifications-pages-label = Pages de notifications
notifications-newest = Notifications les plus récentes
notifications-older = Notifications plus anciennes
notifications-done-read = La notification a été marquée comme lue.
notifications-done-all_read = Toutes les notifications ont été marquées comme lues.

notifications-kind-mention = Mention
notifications-kind-meeting = Réunion
notifications-kind-decision = Décision
notifications-kind-action_item_assigned = Action qui vous est confiée
notifications-kind-action_item_due = Action arrivant à échéance
notifications-kind-invitation = Invitation ou adhésion

notifications-preferences-title = E-mails de notification
notifications-preferences-intro = Chaque notification apparaît dans votre boîte de réception Concord. Choisissez, pour chaque type, si vous recevez aussi un e-mail immédiatement, un récapitulatif quotidien, ou aucun e-mail.
notifications-back-to-account = Retour à votre compte
notifications-email-immediate = E-mail immédiat
notifications-email-daily_digest = Dans le récapitulatif quotidien
notifications-email-off = Aucun e-mail
notifications-preferences-submit = Enregistrer les réglages des e-mails
notifications-done-preferences_saved = Vos réglages des e-mails ont été enregistrés.
notifications-account-link = E-mails de notification : choisissez quelles notifications vous parviennent aussi par e-mail

outbox-title = File d’envoi des e-mails
outbox-intro = Les e-mails de notification en attente, envoyés, ou abandonnés après des échecs répétés. Les e-mails attendent tant qu’aucun serveur SMTP n’est configuré, et sont réessayés à intervalles croissants quand le serveur refuse ou est injoignable.
outbox-counts-caption = E-mails par état
outbox-status = État
outbox-count = E-mails
outbox-status-waiting = En attente
outbox-status-sent = Envoyé
outbox-status-failed = Échec
outbox-failures-heading = Derniers échecs
outbox-failures-none = Aucun e-mail n’a échoué.
outbox-recipient = Destinataire
outbox-attempts = Tentatives
outbox-next-attempt = Prochaine tentative
outbox-error = Dernière erreur

action-notification-read = Notification marquée comme lue
action-notification-all_read = Toutes les notifications marquées comme lues
action-notification-preferences_changed = Réglages des e-mails de notification modifiés
action-notification-due_reminders_queued = Rappels d’échéance mis en file d’envoi
action-notification-digests_queued = Récapitulatifs quotidiens mis en file d’envoi
field-read_at = Lue
field-email_mention = E-mail pour les mentions
field-email_meeting = E-mail pour les réunions
field-email_decision = E-mail pour les décisions
field-email_action_item_assigned = E-mail pour les actions confiées
field-email_action_item_due = E-mail pour les actions à échéance
field-email_invitation = E-mail pour les invitations
