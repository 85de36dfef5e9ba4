# burnbox pages: Dutch (nl), translated from en.ftl. Same messages, each variable kept,
# plurals written out for Dutch's CLDR categories (one, other).
#
# Variables the script fills in are formatted by the browser in the reader's language:
# $when ("over 5 minuten (7 dec 2026, 18:00)"), $time, $size ("2,5 MB"), $limit, $done
# and $total are text; $count, $seconds and $percent are numbers that choose a plural.
# Terms: burn = vernietigen, reveal = onthullen, receipt = leesbevestiging,
# passphrase = wachtwoordzin, reader = ontvanger, sender = afzender, request = verzoek.
# The reader is addressed informally ("je"), as Signal does.

## Every page

site-tagline = geheimen die één keer gelezen worden
nav-share = Een geheim delen
nav-request = Om een geheim vragen
nav-api = API
language-label = Taal
language-browser = Taal van de browser
language-change = Wijzigen
copy = Kopiëren
copied = Gekopieerd
optional = (optioneel)
checking = Link controleren…
retrying = Verbinding verbroken — opnieuw proberen…
# "over 5 minuten (7 dec 2026, 18:00)": when something expires.
when = { $relative } ({ $date })
progress = { $percent }% — { $done } van { $total }
error-unreachable = Kan de server niet bereiken. Controleer je verbinding en laad de pagina opnieuw.
error-rate-limited =
    Te veel aanvragen. Probeer het over { $seconds ->
        [one] { $seconds } seconde
       *[other] { $seconds } seconden
    } opnieuw.
error-unavailable = De dienst is even niet beschikbaar. Probeer het zo opnieuw.
error-too-large = Dat is meer dan deze server accepteert.
# $code is the API's error code, such as "ttl_out_of_range".
error-refused = De server heeft dit geweigerd ({ $code }).
error-insecure-encrypt = Deze browser kan hier niet versleutelen: de pagina heeft HTTPS (of localhost) nodig.
error-insecure-decrypt = Deze browser kan hier niet ontsleutelen: de pagina heeft HTTPS (of localhost) nodig.
gone-title = Hier is niets

## Durations, for how long a secret may wait

duration-seconds =
    { $count ->
        [one] { $count } seconde
       *[other] { $count } seconden
    }
duration-minutes =
    { $count ->
        [one] { $count } minuut
       *[other] { $count } minuten
    }
duration-hours =
    { $count ->
        [one] { $count } uur
       *[other] { $count } uur
    }
duration-days =
    { $count ->
        [one] { $count } dag
       *[other] { $count } dagen
    }

## The share page, /

share-title = Een geheim delen
share-lede = Je browser versleutelt het voordat het deze pagina verlaat; de sleutel blijft in de link. De link gaat één keer open (of zo vaak als je kiest), daarna is het geheim weg.
share-noscript = Delen vereist JavaScript: het geheim wordt in je browser versleuteld en de server ziet het nooit. Zet JavaScript aan om te delen.
share-unsupported = Deze browser kan hier niet versleutelen: de pagina heeft een beveiligde verbinding nodig (HTTPS, of localhost).
share-kind = Wat wil je delen
share-kind-text = Tekst
share-kind-file = Een bestand
share-secret = Geheim
share-secret-hint = Wachtwoorden, sleutels, alles wat maar één keer gelezen mag worden.
share-file = Bestand
share-file-hint = Kies een bestand van maximaal { $limit }, of sleep er een naar deze pagina. Ook de naam en de inhoud worden in je browser versleuteld.
share-ttl = Verloopt na
share-views = Kan worden geopend
share-views-option =
    { $count ->
        [one] één keer
       *[other] { $count } keer
    }
share-passphrase = Wachtwoordzin
share-passphrase-hint = De ontvanger heeft die ook nodig: stuur hem via een ander kanaal.
share-submit = Link maken
share-progress = Versleutelen en uploaden
share-result-title = Je link is klaar
share-link =
    Stuur deze link. Hij kan { $count ->
        [one] één keer
       *[other] { $count } keer
    } worden geopend.
share-qr = Of scan deze code met een telefoon om de link daar te openen.
share-qr-alt = QR-code van de link die je verstuurt
share-receipt = Bewaar deze: hiermee zie je of het geheim gelezen is, en kun je het vernietigen.
share-expires = Verloopt { $when }.
share-another = Nog een geheim delen
share-error-empty = Vul eerst het geheim in.
share-error-too-long = Het geheim is te lang: { $size }, en er past maximaal { $limit } in.
share-error-drop-one = Sleep één bestand hierheen. Wil je er meerdere delen, zet ze dan eerst in een archief.
share-error-no-file = Kies eerst een bestand.
share-error-too-large = Het bestand is te groot: { $size }, en je kunt maximaal { $limit } delen.
share-error-name-too-long = De naam van het bestand is te lang om te delen.
share-error-failed = Kan de link niet maken. Controleer je verbinding en probeer het opnieuw.

## The reveal page, /s/…

reveal-title = Een geheim voor jou
reveal-noscript = Een geheim openen vereist JavaScript: het wordt in je browser ontsleuteld. Zet JavaScript aan en laad de pagina opnieuw; er is niets onthuld.
reveal-waiting = Er wacht een geheim op je
reveal-waiting-file = Er wacht een bestand op je
reveal-file-note = Het is een bestand. Als je het onthult, wordt het gedownload, in deze browser ontsleuteld en aangeboden om op te slaan.
reveal-once = Het kan één keer worden gelezen. Zodra je het onthult, is het weg van de server.
reveal-several =
    Het kan nog { $count ->
        [one] { $count } keer
       *[other] { $count } keer
    } worden gelezen. Na de laatste keer is het weg van de server.
reveal-expires = Het verloopt { $when }.
reveal-passphrase = Wachtwoordzin
reveal-submit = Onthullen
reveal-secret-title = Je geheim
reveal-secret = Het geheim
reveal-gone-now = Het is nu weg van de server. Kopieer het voordat je deze pagina verlaat.
reveal-left =
    De link kan nog { $count ->
        [one] { $count } keer
       *[other] { $count } keer
    } worden geopend; daarna is het weg van de server.
reveal-file-title = Je bestand
reveal-file-name = Naam
reveal-file-size = Grootte
reveal-file-progress = Downloaden en ontsleutelen
reveal-file-retry = Download opnieuw proberen
reveal-file-save = Bestand opslaan
reveal-file-save-named = “{ $name }” opslaan
reveal-file-gone-now = Het is nu weg van de server. Sla het op voordat je deze pagina verlaat.
reveal-file-decrypted = { $size } ontsleuteld: klaar om op te slaan.
reveal-file-expired = Het bestand staat niet meer op de server: de download is verlopen.
reveal-file-broke = De download is afgebroken. Probeer het opnieuw: dat kan nog tot { $time }.
reveal-file-failed-title = Het bestand kon niet worden ontsleuteld
reveal-file-failed = De server heeft het verstrekt, maar wat er aankwam, is niet te ontsleutelen met de sleutel in deze link: het is gewijzigd, ingekort of door elkaar gehaald. Er is niets opgeslagen. Vraag de afzender om het opnieuw te delen.
reveal-gone = Dit geheim bestaat niet: het is al gelezen, vernietigd of verlopen, of de link klopt niet. Is dit de link naar een antwoord waar je om hebt gevraagd, dan gaat hij open zodra je verzoek is beantwoord.
reveal-incomplete-title = Deze link is onvolledig
reveal-incomplete = Het geheim is versleuteld in de browser van de afzender, en de sleutel is het deel van de link na “#”. Dat deel ontbreekt of is beschadigd, dus het geheim kan hier niet worden geopend. Er is niets onthuld: het wacht nog steeds op je. Vraag de afzender om de volledige link.
reveal-failed-title = Het geheim kon niet worden geopend
reveal-failed = De server heeft het verstrekt, maar de sleutel in deze link opent het niet, dus het is verloren. Vraag de afzender om het opnieuw te delen.
reveal-error-no-x25519 = Deze browser kan geen antwoorden openen (X25519 ontbreekt). Er is niets onthuld: open de link in een recente browser, of met burnbox open.
reveal-error-lost = De verbinding met de server is verbroken en het geheim is niet getoond. Druk snel opnieuw op Onthullen, zonder deze pagina opnieuw te laden: als de server het al had verstrekt, geeft hij het nog een keer aan deze pagina.
reveal-error-burned = Verkeerde wachtwoordzin. Er zijn geen pogingen meer over: het geheim is vernietigd.
reveal-error-passphrase =
    Verkeerde wachtwoordzin. { $count ->
        [one] Nog { $count } poging over.
       *[other] Nog { $count } pogingen over.
    }

## The request pages, /q and /q/…

request-title = Om een geheim vragen
request-lede = Stuur iemand een link waarin diegene één keer een geheim kan invullen. Je browser maakt de sleutel die het antwoord opent; die blijft in jouw link, en alleen jij kunt lezen wat er wordt gestuurd.
request-noscript = Vragen vereist JavaScript: de sleutel wordt in je browser gemaakt. Zet JavaScript aan om te vragen.
request-unsupported = Deze browser kan hier de sleutel niet maken: de pagina heeft een beveiligde verbinding nodig (HTTPS, of localhost) en ondersteuning voor X25519.
request-note = Waar je om vraagt
request-note-hint = (optioneel, de ander ziet dit)
request-submit = Verzoeklink maken
request-result-title = Je verzoek is klaar
request-link = Stuur deze link. Hij kan één keer worden ingevuld.
request-answer-link = Bewaar deze: hiermee open je het antwoord één keer, en hij bevat de enige sleutel ervoor.
request-receipt = En hiermee zie je of het verzoek is beantwoord, en kun je het annuleren.
request-expires = Het verzoek verloopt { $when }. Je antwoordlink toont “Hier is niets” totdat het verzoek is beantwoord.
request-error-failed = Kan het verzoek niet maken. Controleer je verbinding en probeer het opnieuw.
fill-title = Een verzoek om een geheim
fill-noscript = Antwoorden vereist JavaScript: je antwoord wordt in je browser versleuteld voor degene die erom vroeg. Zet JavaScript aan en laad de pagina opnieuw.
fill-waiting = Iemand vraagt je om een geheim
fill-note = De vraag:
fill-lede = Je browser versleutelt het antwoord voor die persoon alleen; de link kan één keer worden ingevuld. Hij verloopt { $when }.
fill-answer = Je antwoord
fill-submit = Versturen
fill-done-title = Verstuurd
fill-done = Alleen degene die erom vroeg kan het lezen, één keer. Deze link is opgebruikt.
fill-gone = Dit verzoek bestaat niet: het is al beantwoord of verlopen, of de link klopt niet.
fill-error-empty = Vul eerst het antwoord in.
fill-error-failed = Kan het antwoord niet versturen. Controleer je verbinding en probeer het opnieuw.

## The receipt page, /r/…

receipt-title = Leesbevestiging
receipt-pending = Nog niet gelezen
receipt-pending-detail = Niemand heeft het nog geopend. Het verloopt op { $time }.
receipt-revealed = Gelezen
receipt-revealed-detail = Het is op { $time } onthuld en is weg van de server.
receipt-burned = Vernietigd
receipt-burned-detail = Het is op { $time } ongelezen vernietigd.
receipt-expired = Verlopen
receipt-expired-detail = Niemand heeft het gelezen voordat het op { $time } verliep.
receipt-created = Aangemaakt op { $time }.
receipt-burn = Nu vernietigen
receipt-burn-hint = Daarna kan niemand het meer lezen.

## Error pages

error-receipt-not-found = Deze leesbevestiging bestaat niet: de link klopt niet, of de leesbevestiging is verlopen.
error-slow-down-title = Rustig aan
error-slow-down = Te veel aanvragen vanaf je adres. Wacht een minuut en laad de pagina opnieuw.
error-unavailable-title = Probeer het zo opnieuw
error-unavailable-page = De dienst kan zijn opslag op dit moment niet bereiken. Laad de pagina zo opnieuw.
error-title = Er is iets misgegaan
error-page = De server kon geen antwoord geven. Laad de pagina opnieuw om het nog eens te proberen.
