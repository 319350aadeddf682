# Webhooks signés (pages/webhooks.rs, api/webhooks.rs) et leur page d'aide.

webhook-list-title = Webhooks : { $title }
webhook-list-intro = Concord envoie les événements de cette collaboration, signés, aux adresses ci-dessous, pour que la messagerie ou les systèmes d'une équipe en soient informés. Seuls les coordinateurs les voient et les modifient.
webhook-list-none = Aucun webhook n'a encore été ajouté.
webhook-list-caption = Points de réception des événements de cette collaboration
webhook-add = Ajouter un point de réception
webhook-section-link = Webhooks : envoyer les événements de cette collaboration à d'autres systèmes
webhook-help-link = Comment les destinataires vérifient les envois
webhook-actions = Actions
webhook-active-yes = Actif
webhook-active-no = En pause
webhook-deliveries-of = Envois vers { $url }
webhook-edit-of = Modifier { $url }

webhook-field-url = Adresse (URL)
webhook-field-description = Description
webhook-field-event_kinds = Événements à envoyer
webhook-field-active = État
webhook-field-active-label = Envoyer les événements à ce point (décocher pour suspendre)
webhook-field-secret = Secret de signature

webhook-new-title = Ajouter un point de réception
webhook-edit-title = Modifier un point de réception
webhook-form-intro = Concord envoie un POST JSON pour chaque événement choisi, signé avec un secret qu'il génère pour ce point.
webhook-hint-url = Une adresse https:// avec un nom d'hôte, par exemple https://hooks.example.org/concord. Les adresses de réseaux privés, de bouclage ou de lien local sont refusées.
webhook-hint-event_kinds = Cochez les types de changement à envoyer. Chacun couvre tous les événements de ce type, par ex. « Messages » envoie message.posted et message.edited.
webhook-create-button = Ajouter le point de réception
webhook-save-button = Enregistrer
webhook-cancel = Annuler

webhook-kind-collaboration = La collaboration et ses membres
webhook-kind-objective = Objectifs
webhook-kind-key_result = Résultats clés
webhook-kind-measurement = Mesures
webhook-kind-review = Revues
webhook-kind-charter = Charte
webhook-kind-stakeholder = Parties prenantes (identifiants seulement)
webhook-kind-engagement = Échanges (identifiants seulement)
webhook-kind-thread = Fils de discussion
webhook-kind-message = Messages
webhook-kind-meeting = Réunions
webhook-kind-agenda_item = Points de l'ordre du jour
webhook-kind-decision = Décisions
webhook-kind-action_item = Actions

webhook-error-url-required = Saisissez l'adresse à laquelle envoyer les événements.
webhook-error-url-too_long = L'adresse peut compter au plus 2 000 caractères.
webhook-error-url-invalid_url = Saisissez une adresse web complète, par exemple https://hooks.example.org/concord.
webhook-error-url-invalid_scheme = L'adresse doit commencer par https://.
webhook-error-url-credentials_not_allowed = Retirez l'identifiant et le mot de passe de l'adresse ; les envois sont authentifiés par leur signature.
webhook-error-url-host_name_required = Utilisez un nom d'hôte plutôt qu'une adresse IP.
webhook-error-url-address_not_allowed = Cette adresse mène à un réseau privé, de bouclage, de lien local ou réservé, que les webhooks ne peuvent pas atteindre.
webhook-error-url-unresolvable = Le nom d'hôte est introuvable. Vérifiez l'orthographe.
webhook-error-url-https_required = Le http:// simple n'est permis que pour les destinataires de la liste autorisée du serveur. Utilisez https://.
webhook-error-description-too_long = La description peut compter au plus 500 caractères.
webhook-error-event_kinds-required = Cochez au moins un type d'événement.
webhook-error-event_kinds-invalid_choice = Cochez uniquement les types proposés.

webhook-secret-title = Le secret de signature du point de réception
webhook-secret-intro = Copiez ce secret dans le destinataire maintenant. Il n'est affiché qu'une fois ; s'il est perdu, générez-en un nouveau.
webhook-secret-verify = Le destinataire s'en sert pour vérifier l'en-tête Concord-Signature de chaque envoi.
webhook-secret-done = Retour aux webhooks
webhook-secret-heading = Secret de signature
webhook-rotate-intro = Générez un nouveau secret si l'actuel a pu fuiter. L'ancien cesse aussitôt de fonctionner.
webhook-rotate-button = Générer un nouveau secret
webhook-delete-heading = Supprimer le point de réception
webhook-delete-intro = Les événements ne lui sont plus envoyés, et son journal d'envois est supprimé avec lui.
webhook-delete-button = Supprimer le point de réception

webhook-done-created = Le point de réception a été ajouté.
webhook-done-rotated = Un nouveau secret a été généré.
webhook-done-updated = Le point de réception a été enregistré.
webhook-done-deleted = Le point de réception a été supprimé.
webhook-done-test = Un événement de test a été mis en file ; il apparaît ci-dessous une fois envoyé.

webhook-deliveries-title = Envois
webhook-deliveries-intro = Les plus récents d'abord. Une tentative échouée est reprise après 30 secondes, 2 minutes, 8 minutes, 32 minutes et environ 2 heures, puis l'envoi est marqué en échec.
webhook-deliveries-none = Rien n'a encore été envoyé à ce point de réception.
webhook-deliveries-no-more = Il n'y a pas d'envois plus anciens.
webhook-deliveries-caption = Envois vers ce point de réception, les plus récents d'abord
webhook-deliveries-pages-label = Pages d'envois
webhook-deliveries-newest = Envois les plus récents
webhook-deliveries-older = Envois plus anciens
webhook-test-button = Envoyer un événement de test
webhook-col-created = Date de l'événement
webhook-col-kind = Événement
webhook-col-status = État
webhook-col-attempts = Tentatives
webhook-col-code = Dernier statut HTTP
webhook-col-latency = Dernière latence
webhook-col-next = Prochaine tentative
webhook-status-pending = En attente
webhook-status-succeeded = Remis
webhook-status-failed = En échec
webhook-latency-ms = { $ms } ms

webhook-help-title = Webhooks : recevoir et vérifier les envois
webhook-help-intro = Les coordinateurs d'une collaboration peuvent faire envoyer ses événements par Concord à une adresse https. Cette page s'adresse à qui construit le destinataire.
webhook-help-request-heading = Ce qui est envoyé
webhook-help-request = Chaque envoi est un POST JSON avec trois en-têtes : Concord-Event (le type d'événement), Concord-Delivery (l'identifiant de l'envoi, le même à chaque reprise) et Concord-Signature.
webhook-help-payload = Le corps désigne tout par identifiant : aucun nom, adresse e-mail ni texte ne sort de Concord. Obtenez les détails par l'API avec un jeton si besoin. Répondez par un statut 2xx en moins de 10 secondes ; les redirections ne sont pas suivies.
webhook-help-verify-heading = Vérifier un envoi
webhook-help-verify-1 = Lisez l'en-tête Concord-Signature : t=<secondes unix>,v1=<signature hexadécimale>.
webhook-help-verify-2 = Refusez l'envoi si t s'écarte de plus de { $seconds } secondes de votre horloge (un rejeu).
webhook-help-verify-3 = Calculez un HMAC-SHA256 avec le secret du point (tout le texte whsec_…) comme clé, sur t, un point, puis le corps brut tel que reçu.
webhook-help-verify-4 = Comparez-le en temps constant à chaque valeur v1 ; acceptez si l'une correspond. Ignorez un identifiant Concord-Delivery déjà traité.
webhook-help-retries-heading = Reprises
webhook-help-retries = Un envoi sans réponse 2xx est retenté après 30 secondes, 2 minutes, 8 minutes, 32 minutes et environ 2 heures : six tentatives en tout. Chaque tentative figure sur la page des envois du point de réception.
webhook-help-kinds-heading = Types d'événements
webhook-help-addresses-heading = Adresses
webhook-help-addresses = Concord ne se connecte jamais à des adresses de bouclage, privées, de lien local (dont les métadonnées cloud), partagées ou réservées, contrôlées sur l'adresse réellement jointe. Un exploitant peut autoriser des réseaux choisis pour des destinataires internes (concord serve --webhook-allow).

problem-too_many_webhooks = Une collaboration peut avoir au plus 20 points de réception de webhooks.

# Historique (piste d'audit de la collaboration).
action-webhook-created = Webhook ajouté
action-webhook-updated = Webhook modifié
action-webhook-secret_rotated = Secret de webhook renouvelé
action-webhook-deleted = Webhook supprimé
action-webhook-test_sent = Événement de test de webhook envoyé
field-url = Adresse
field-event_kinds = Événements
field-secret = Secret
