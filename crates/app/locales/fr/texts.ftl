# Ce que Concord écrit aux personnes plutôt que sur les pages : titres des notifications et
# courriels, dans la langue du destinataire (réglage de son compte ; l’anglais sinon).

notification-mention = { $name } vous a mentionné·e dans « { $title } »
notification-meeting-invited = Vous êtes invité·e à une réunion : « { $title } »
notification-meeting-changed = Réunion modifiée : « { $title } »
notification-meeting-cancelled = Réunion annulée : « { $title } »
notification-decision = Décision enregistrée : « { $title } »
notification-action-item-assigned = Action pour vous : « { $title } »
notification-action-item-due = Échéance aujourd’hui : « { $title } »
notification-due-on = Échéance le { $date }
notification-invitation = Votre organisation est invitée à rejoindre « { $title } »
notification-invitation-role = Rôle proposé : { $role }
notification-added = Vous avez été ajouté·e à « { $title } »
notification-added-role = Votre rôle : { $role }
notification-meeting-at-place = { $when }, { $place }
notification-meeting-online = { $when }, en ligne

email-subject = [Concord] { $title }
email-greeting = Bonjour { $name },
email-digest-subject = [Concord] Votre récapitulatif quotidien du { $date }
email-digest-intro = Votre récapitulatif Concord du { $date } : { $count ->
    [one] une notification.
   *[other] { $count } notifications.
}
email-footer = Vous recevez ce message en raison de vos réglages de notification : { $link }
