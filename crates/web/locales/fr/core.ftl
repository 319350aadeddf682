# Mise en page et navigation
skip-to-content = Aller au contenu principal
nav-label = Menu principal
nav-home = Accueil
nav-collaborations = Collaborations
nav-organisations = Organisations
nav-admin = Comptes
sign-in = Se connecter
sign-out = Se déconnecter
footer-text = Concord est un logiciel libre au service des organismes publics qui travaillent ensemble.
footer-api = API (OpenAPI)
back-home = Revenir à la page d'accueil
back-to = Retour à { $title }
optional = (facultatif)
not-set = Non renseigné
cancel = Annuler
save-changes = Enregistrer les modifications
actions = Actions
remove = Retirer
change-role = Modifier le rôle
role-for = Rôle de { $name }
pagination-label = Pages
pagination-next = Page suivante
list-empty = Aucun élément à afficher pour le moment.
filters-label = Filtrer les collaborations

# Mois (abrégés)
month-01 = janv.
month-02 = févr.
month-03 = mars
month-04 = avr.
month-05 = mai
month-06 = juin
month-07 = juil.
month-08 = août
month-09 = sept.
month-10 = oct.
month-11 = nov.
month-12 = déc.

# Connexion
sign-in-title = Se connecter à Concord
sign-in-failed = La connexion n'a pas abouti

# Accueil
home-title = Votre activité
home-welcome = Bienvenue sur Concord
home-intro = Ministères, agences, collectivités et leurs partenaires y préparent et conduisent des initiatives communes. Les citoyens peuvent consulter tout ce que leurs administrations ont choisi de rendre public.
home-public = Collaborations publiques
home-invitations = Invitations adressées à votre organisation
home-invited-as = invitation en tant que { $role }
home-my-collaborations = Les collaborations de votre organisation
home-none = Votre organisation ne participe encore à aucune collaboration.

# Pages d'erreur
page-error-not_found = Page introuvable
page-error-body-not_found = La page demandée n'existe pas, ou vous n'y avez pas accès.
page-error-forbidden = Action non autorisée
page-error-body-forbidden = Votre rôle ne permet pas cette action. Si vous en avez besoin, adressez-vous à un coordinateur de la collaboration ou à un administrateur de votre organisation.
page-error-unauthenticated = Veuillez vous connecter
page-error-body-unauthenticated = Vous devez vous connecter pour effectuer cette action.
page-error-form_expired = Ce formulaire a expiré
page-error-body-form_expired = Pour votre sécurité, le formulaire n'a pas pu être accepté. Revenez en arrière, rechargez la page et recommencez ; aucune modification n'a été enregistrée.
page-error-payload_too_large = Le contenu envoyé est trop volumineux
page-error-body-payload_too_large = Veuillez raccourcir votre saisie et recommencer.
page-error-internal_error = Une erreur est survenue
page-error-body-internal_error = Nous vous prions de nous excuser : le service rencontre un problème. Aucune donnée saisie n'a été perdue de notre côté ; veuillez réessayer ultérieurement.
page-error-invalid_input = La demande n'a pas pu être comprise
page-error-body-invalid_input = Certaines informations transmises ne sont pas valides. Revenez en arrière et vérifiez-les.
page-error-conflict = Cette modification n'est pas possible
page-error-body-conflict = La modification est incompatible avec l'état actuel. Rechargez la page et recommencez.
error-status = Erreur { $status }

# Messages d'erreur des champs (par code stable)
error-prefix = Erreur :
error-summary-title = Un problème est survenu
error-summary-item = { $field } : { $message }
error-required = Veuillez renseigner ce champ.
error-too_long = Ce texte est trop long.
error-invalid_choice = Choisissez l'une des options proposées.
error-invalid_date = Saisissez une date valide, par exemple 2027-03-31.
error-end_before_start = La date de fin doit être identique ou postérieure à la date de début.
error-invalid_email = Saisissez une adresse électronique de la forme nom@exemple.fr.
error-invalid_url = Saisissez une adresse internet commençant par https://.
error-password_too_short = Utilisez au moins 10 caractères.
error-wrong_password = Ce n'est pas votre mot de passe actuel.
error-already_taken = Cette valeur est déjà utilisée.
error-parent_cycle = Une organisation ne peut être rattachée ni à elle-même ni à l'une des organisations qui lui sont rattachées.
error-invalid_transition = Ce changement de statut n'est pas possible à partir du statut actuel.
error-invalid_cursor = Ce lien de page n'est plus valide ; reprenez à partir de la première page.
error-not_allowed = Vous ne disposez pas des droits nécessaires pour définir ce paramètre.
error-not_from_member_organisation = Cette personne n'appartient pas à une organisation membre active.
error-not_an_active_member = Seule une organisation membre active peut devenir chef de file.
error-invalid_credentials = L'adresse électronique ou le mot de passe est incorrect.
error-too_many_attempts = Trop de tentatives infructueuses. Réessayez dans { $minutes } minutes.
error-collaboration_already_has_lead = Une collaboration n'a qu'un seul chef de file. Utilisez plutôt « Transmettre le rôle de chef de file ».
error-already_member = Cette organisation est déjà membre.
error-already_invited = Cette organisation a déjà été invitée.
error-already_named = Cette personne est déjà désignée dans cette collaboration.
error-last_coordinator = Une collaboration doit compter au moins un coordinateur ; désignez d'abord un autre coordinateur.
error-cannot_remove_lead = Le chef de file ne peut pas être retiré ; transmettez d'abord ce rôle à une autre organisation.
error-lead_must_be_transferred = Le rôle du chef de file ne change que par la transmission de ce rôle.
error-cannot_deactivate_self = Vous ne pouvez pas désactiver votre propre compte.
error-forbidden = Vous ne pouvez pas effectuer cette action.
error-not_found = Introuvable.

# Détails des problèmes (API)
problem-not_found = La ressource n'existe pas ou ne vous est pas accessible.
problem-unauthenticated = Une authentification est requise : transmettez un jeton d'accès (bearer) valide.
problem-forbidden = Votre rôle ne permet pas cette action.
problem-invalid_input = Certains champs ne sont pas valides ; voir errors.
problem-invalid_credentials = Adresse électronique ou mot de passe incorrect.
problem-too_many_attempts = Trop de tentatives ; réessayez plus tard.
problem-internal_error = Une erreur interne est survenue.
problem-collaboration_already_has_lead = Une collaboration a exactement un chef de file.
problem-already_member = L'organisation est déjà membre.
problem-already_invited = L'organisation a déjà été invitée.
problem-already_named = La personne est déjà désignée dans la collaboration.
problem-last_coordinator = Le dernier coordinateur ne peut être ni retiré ni rétrogradé.
problem-cannot_remove_lead = Le chef de file ne peut pas être retiré.
problem-lead_must_be_transferred = Le rôle du chef de file ne change que par une transmission de ce rôle.
problem-cannot_deactivate_self = Vous ne pouvez pas désactiver votre propre compte.

# Noms des champs (récapitulatif des erreurs, historique)
field-email = Adresse électronique
field-password = Mot de passe
field-name = Nom
field-title = Titre
field-summary = Résumé
field-problem_statement = Problème à résoudre
field-policy_areas = Domaines d'action publique
field-policy_area = Domaine d'action publique
field-geography = Territoire
field-start_date = Date de début
field-end_date = Date de fin
field-status = Statut
field-visibility = Visibilité
field-updated_at = Dernière mise à jour
field-organisation = Organisation
field-organisation_id = Organisation
field-role = Rôle
field-membership = Participation
field-person = Personne
field-user_id = Personne
field-kind = Type
field-parent_id = Organisation de rattachement
field-description = Description
field-website = Site internet
field-display_name = Nom
field-org_role = Rôle dans l'organisation
field-platform_admin = Administrateur de la plateforme
field-active = Actif
field-current_password = Mot de passe actuel
field-new_password = Nouveau mot de passe
field-locale = Langue
field-time_zone = Fuseau horaire
field-cursor = Page
field-q = Recherche
field-answer = Réponse
field-revoked_at = Date de révocation

# Énumérations
status-proposed = Proposée
status-active = Active
status-paused = Suspendue
status-completed = Terminée
status-cancelled = Annulée
visibility-public = Publique
visibility-partners = Partenaires
visibility-confidential = Confidentielle
visibility-hint-public = Tout le monde peut la consulter, y compris les citoyens non connectés.
visibility-hint-partners = Toutes les personnes des organisations membres peuvent la consulter.
visibility-hint-confidential = Seules les personnes qui y sont désignées peuvent la consulter.
org-role-lead = Chef de file
org-role-partner = Partenaire
org-role-observer = Observateur
person-role-coordinator = Coordinateur
person-role-contributor = Contributeur
person-role-viewer = Lecteur
membership-invited = Invitée
membership-active = Active
membership-declined = Refusée
cofog-01 = Services généraux des administrations publiques
cofog-02 = Défense
cofog-03 = Ordre et sécurité publics
cofog-04 = Affaires économiques
cofog-05 = Protection de l'environnement
cofog-06 = Logements et équipements collectifs
cofog-07 = Santé
cofog-08 = Loisirs, culture et culte
cofog-09 = Enseignement
cofog-10 = Protection sociale

# Ajouté pour les pages organisations, compte et administration
field-created_at = Date de création
pagination-first = Revenir à la première page

# Added for review validation in the API
error-unknown_objective = Cet objectif ne fait pas partie de la collaboration.
error-duplicate = Cet élément apparaît deux fois.
error-invalid_link = Indiquez une adresse de ce site commençant par / ou une adresse web commençant par https://.
error-too_many = Il y en a trop.
error-not_in_collaboration = Indiquez le lien d'un objectif ou d'un résultat clé de cette collaboration (par exemple /key-results/… pour une cible modifiée).
