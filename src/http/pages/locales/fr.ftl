# burnbox pages: French (fr), translated from en.ftl. Same messages, each variable kept,
# plurals written out for French's CLDR categories (one, many, other).
#
# Variables the script fills in are formatted by the browser in the reader's language:
# $when ("dans 5 minutes (7 déc. 2026, 18:00)"), $time, $size ("2,5 Mo"), $limit, $done
# and $total are text; $count, $seconds and $percent are numbers that choose a plural.
# Terms: burn = détruire, reveal = révéler, receipt = accusé de réception,
# passphrase = phrase secrète, reader = destinataire, sender = expéditeur, request = demande.

## Every page

site-tagline = des secrets qui ne se lisent qu'une fois
nav-share = Partager un secret
nav-request = Demander un secret
nav-api = API
language-label = Langue
language-browser = Langue du navigateur
language-change = Changer
copy = Copier
copied = Copié
optional = (facultatif)
checking = Vérification du lien…
retrying = Connexion perdue — nouvelle tentative…
# "dans 5 minutes (7 déc. 2026, 18:00)" : when something expires.
when = { $relative } ({ $date })
progress = { $percent } % — { $done } sur { $total }
error-unreachable = Impossible de joindre le serveur. Vérifiez votre connexion et rechargez la page.
error-rate-limited =
    Trop de requêtes. Réessayez dans { $seconds ->
        [one] { $seconds } seconde
        [many] { $seconds } de secondes
       *[other] { $seconds } secondes
    }.
error-unavailable = Le service est momentanément indisponible. Réessayez dans un instant.
error-too-large = Cela dépasse ce que ce serveur accepte.
# $code is the API's error code, such as "ttl_out_of_range".
error-refused = Le serveur a refusé cette opération ({ $code }).
error-insecure-encrypt = Ce navigateur ne peut pas chiffrer ici : la page doit être servie en HTTPS (ou depuis localhost).
error-insecure-decrypt = Ce navigateur ne peut pas déchiffrer ici : la page doit être servie en HTTPS (ou depuis localhost).
gone-title = Il n'y a rien ici

## Durations, for how long a secret may wait

duration-seconds =
    { $count ->
        [one] { $count } seconde
        [many] { $count } de secondes
       *[other] { $count } secondes
    }
duration-minutes =
    { $count ->
        [one] { $count } minute
        [many] { $count } de minutes
       *[other] { $count } minutes
    }
duration-hours =
    { $count ->
        [one] { $count } heure
        [many] { $count } d'heures
       *[other] { $count } heures
    }
duration-days =
    { $count ->
        [one] { $count } jour
        [many] { $count } de jours
       *[other] { $count } jours
    }

## The share page, /

share-title = Partager un secret
share-lede = Votre navigateur le chiffre avant qu'il ne quitte cette page ; la clé reste dans le lien. Le lien s'ouvre une fois (ou autant de fois que vous le choisissez), puis le secret disparaît.
share-noscript = Le partage nécessite JavaScript : le secret est chiffré dans votre navigateur et le serveur ne le voit jamais. Activez JavaScript pour partager.
share-unsupported = Ce navigateur ne peut pas chiffrer ici : la page nécessite une connexion sécurisée (HTTPS, ou localhost).
share-kind = Contenu à partager
share-kind-text = Texte
share-kind-file = Un fichier
share-secret = Secret à partager
share-secret-hint = Mots de passe, clés, tout ce qui ne doit être lu qu'une fois.
share-file = Fichier
share-file-hint = Choisissez un fichier de { $limit } au maximum, ou déposez-en un sur cette page. Son nom et son contenu sont eux aussi chiffrés dans votre navigateur.
share-ttl = Expire au bout de
share-views = Peut être ouvert
share-views-option =
    { $count ->
        [one] une fois
        [many] { $count } de fois
       *[other] { $count } fois
    }
share-passphrase = Phrase secrète
share-passphrase-hint = Le destinataire en aura besoin aussi : transmettez-la-lui par un autre moyen.
share-submit = Créer le lien
share-progress = Chiffrement et envoi
share-result-title = Votre lien est prêt
share-link =
    Envoyez ce lien. Il peut être ouvert { $count ->
        [one] une fois
        [many] { $count } de fois
       *[other] { $count } fois
    }.
share-qr = Ou scannez ce code avec un téléphone pour y ouvrir le lien.
share-qr-alt = Code QR du lien à envoyer
share-receipt = Conservez celui-ci : il vous indique si le secret a été lu, et permet de le détruire.
share-expires = Expire { $when }.
share-another = Partager un autre secret
share-error-empty = Saisissez d'abord le secret.
share-error-too-long = Le secret est trop long : { $size }, pour { $limit } au maximum.
share-error-drop-one = Déposez un seul fichier. Pour en partager plusieurs, placez-les d'abord dans une archive.
share-error-no-file = Choisissez d'abord un fichier.
share-error-too-large = Le fichier est trop volumineux : { $size }, alors qu'on peut partager { $limit } au maximum.
share-error-name-too-long = Le nom du fichier est trop long pour être partagé.
share-error-failed = Impossible de créer le lien. Vérifiez votre connexion et réessayez.

## The reveal page, /s/…

reveal-title = Un secret pour vous
reveal-noscript = L'ouverture d'un secret nécessite JavaScript : il est déchiffré dans votre navigateur. Activez JavaScript et rechargez la page ; rien n'a été révélé.
reveal-waiting = Un secret vous attend
reveal-waiting-file = Un fichier vous attend
reveal-file-note = Il s'agit d'un fichier. Le révéler le télécharge, le déchiffre dans ce navigateur et vous propose de l'enregistrer.
reveal-once = Il ne peut être lu qu'une fois. Dès que vous le révélez, il disparaît du serveur.
reveal-several =
    Il peut encore être lu { $count ->
        [one] { $count } fois
        [many] { $count } de fois
       *[other] { $count } fois
    }. Après la dernière lecture, il disparaît du serveur.
reveal-expires = Il expire { $when }.
reveal-passphrase = Phrase secrète
reveal-submit = Révéler
reveal-secret-title = Votre secret
reveal-secret = Le secret
reveal-gone-now = Il a maintenant disparu du serveur. Copiez-le avant de quitter cette page.
reveal-left =
    Le lien peut encore être ouvert { $count ->
        [one] { $count } fois
        [many] { $count } de fois
       *[other] { $count } fois
    } ; ensuite, le secret disparaît du serveur.
reveal-file-title = Votre fichier
reveal-file-name = Nom
reveal-file-size = Taille
reveal-file-progress = Téléchargement et déchiffrement
reveal-file-retry = Relancer le téléchargement
reveal-file-save = Enregistrer le fichier
reveal-file-save-named = Enregistrer « { $name } »
reveal-file-gone-now = Il a maintenant disparu du serveur. Enregistrez-le avant de quitter cette page.
reveal-file-decrypted = Fichier déchiffré ({ $size }) : prêt à être enregistré.
reveal-file-expired = Le fichier n'est plus sur le serveur : son téléchargement a expiré.
reveal-file-broke = Le téléchargement s'est interrompu. Réessayez : c'est possible jusqu'à { $time }.
reveal-file-failed-title = Le fichier n'a pas pu être déchiffré
reveal-file-failed = Le serveur l'a bien transmis, mais ce qui est arrivé ne se déchiffre pas avec la clé de ce lien : il a été modifié, tronqué ou remis dans le désordre. Rien n'a été enregistré. Demandez à l'expéditeur de le partager à nouveau.
reveal-gone = Ce secret n'existe pas : il a déjà été lu, détruit ou a expiré, ou le lien est erroné. S'il s'agit du lien vers une réponse que vous avez demandée, il s'ouvrira dès que votre demande aura reçu une réponse.
reveal-incomplete-title = Ce lien est incomplet
reveal-incomplete = Le secret a été chiffré dans le navigateur de l'expéditeur, et sa clé est la partie du lien qui suit « # ». Cette partie manque ou est endommagée : le secret ne peut donc pas être ouvert ici. Rien n'a été révélé : il vous attend toujours. Demandez le lien complet à l'expéditeur.
reveal-failed-title = Le secret n'a pas pu être ouvert
reveal-failed = Le serveur l'a bien transmis, mais la clé de ce lien ne l'ouvre pas : il est donc perdu. Demandez à l'expéditeur de le partager à nouveau.
reveal-error-no-x25519 = Ce navigateur ne peut pas ouvrir les réponses (il ne prend pas en charge X25519). Rien n'a été révélé : ouvrez le lien dans un navigateur récent, ou avec burnbox open.
reveal-error-lost = La connexion au serveur a été perdue et le secret n'a pas été affiché. Appuyez de nouveau sur « Révéler » sans tarder, sans recharger cette page : si le serveur l'a déjà transmis, il le transmettra de nouveau à cette page.
reveal-error-burned = Phrase secrète incorrecte. Il ne reste aucune tentative : le secret a été détruit.
reveal-error-passphrase =
    Phrase secrète incorrecte. { $count ->
        [one] Il reste { $count } tentative.
        [many] Il reste { $count } de tentatives.
       *[other] Il reste { $count } tentatives.
    }

## The request pages, /q and /q/…

request-title = Demander un secret
request-lede = Envoyez à quelqu'un un lien lui permettant de saisir un secret, une seule fois. Votre navigateur crée la clé qui ouvre la réponse ; elle reste dans votre lien, et vous êtes la seule personne à pouvoir lire ce qui vous est envoyé.
request-noscript = La demande nécessite JavaScript : la clé est créée dans votre navigateur. Activez JavaScript pour faire une demande.
request-unsupported = Ce navigateur ne peut pas créer la clé ici : la page nécessite une connexion sécurisée (HTTPS, ou localhost) et la prise en charge de X25519.
request-note = Ce que vous demandez
request-note-hint = (facultatif, visible par votre interlocuteur)
request-submit = Créer le lien de demande
request-result-title = Votre demande est prête
request-link = Envoyez ce lien. Il ne peut être rempli qu'une fois.
request-answer-link = Conservez celui-ci : il ouvre la réponse une seule fois, et il contient l'unique clé permettant de la lire.
request-receipt = Et celui-ci vous indique si la demande a reçu une réponse, et permet de l'annuler.
request-expires = La demande expire { $when }. Votre lien de réponse affiche « Il n'y a rien ici » tant que la demande n'a pas reçu de réponse.
request-error-failed = Impossible de créer la demande. Vérifiez votre connexion et réessayez.
fill-title = Une demande de secret
fill-noscript = Pour répondre, JavaScript est nécessaire : votre réponse est chiffrée dans votre navigateur pour la personne qui l'a demandée. Activez JavaScript et rechargez la page.
fill-waiting = Quelqu'un vous demande un secret
fill-note = Ce qui est demandé :
fill-lede = Votre navigateur chiffre la réponse pour cette personne seulement ; le lien ne peut être rempli qu'une fois. Il expire { $when }.
fill-answer = Votre réponse
fill-submit = Envoyer
fill-done-title = Envoyé
fill-done = Seule la personne qui l'a demandée peut la lire, une seule fois. Ce lien ne peut plus servir.
fill-gone = Cette demande n'existe pas : elle a déjà reçu une réponse ou a expiré, ou le lien est erroné.
fill-error-empty = Saisissez d'abord la réponse.
fill-error-failed = Impossible d'envoyer la réponse. Vérifiez votre connexion et réessayez.

## The receipt page, /r/…

receipt-title = Accusé de réception
receipt-pending = En attente de lecture
receipt-pending-detail = Personne ne l'a encore ouvert. Il expire le { $time }.
receipt-revealed = Lu
receipt-revealed-detail = Il a été révélé le { $time } et a disparu du serveur.
receipt-burned = Détruit
receipt-burned-detail = Il a été détruit sans avoir été lu, le { $time }.
receipt-expired = Expiré
receipt-expired-detail = Personne ne l'a lu avant son expiration, le { $time }.
receipt-created = Créé le { $time }.
receipt-burn = Détruire maintenant
receipt-burn-hint = Plus personne ne pourra le lire ensuite.

## Error pages

error-receipt-not-found = Cet accusé de réception n'existe pas : le lien est erroné, ou l'accusé de réception a expiré.
error-slow-down-title = Ralentissez
error-slow-down = Trop de requêtes depuis votre adresse. Patientez une minute, puis rechargez la page.
error-unavailable-title = Réessayez dans un instant
error-unavailable-page = Le service ne parvient pas à joindre son stockage pour le moment. Rechargez la page dans un instant.
error-title = Un problème est survenu
error-page = Le serveur n'a pas pu répondre. Rechargez la page pour réessayer.
