# burnbox-Seiten: Deutsch (Anrede „Sie“). Übersetzt aus en.ftl, dem Referenzkatalog:
# dieselben Nachrichten, jede Variable beibehalten und jede Pluralform nach den
# CLDR-Kategorien des Deutschen ausgeschrieben (one, other).
#
# Die Variablen füllt das Skript aus, der Browser formatiert sie in der Sprache der
# lesenden Person: $when („in 5 Minuten (7. Dez. 2026, 18:00)“), $time, $size („2,5 MB“),
# $limit, $done und $total sind Text; $count, $seconds und $percent sind Zahlen, die eine
# Pluralform wählen.

## Jede Seite

site-tagline = Geheimnisse, die nur einmal gelesen werden
nav-share = Geheimnis teilen
nav-request = Um ein Geheimnis bitten
nav-api = API
language-label = Sprache
language-browser = Sprache des Browsers
language-change = Ändern
copy = Kopieren
copied = Kopiert
optional = (freiwillig)
checking = Link wird geprüft…
retrying = Verbindung unterbrochen — neuer Versuch…
# „in 5 Minuten (7. Dez. 2026, 18:00)“: wann etwas abläuft.
when = { $relative } ({ $date })
progress = { $percent } % — { $done } von { $total }
error-unreachable = Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und laden Sie die Seite neu.
error-rate-limited =
    Zu viele Zugriffe. Versuchen Sie es in { $seconds ->
        [one] { $seconds } Sekunde
       *[other] { $seconds } Sekunden
    } erneut.
error-unavailable = Der Dienst ist kurzzeitig nicht verfügbar. Versuchen Sie es gleich noch einmal.
error-too-large = Das ist mehr, als dieser Server annimmt.
# $code ist der Fehlercode der API, etwa „ttl_out_of_range“.
error-refused = Der Server hat dies abgelehnt ({ $code }).
error-insecure-encrypt = Dieser Browser kann hier nicht verschlüsseln: Die Seite braucht HTTPS (oder localhost).
error-insecure-decrypt = Dieser Browser kann hier nicht entschlüsseln: Die Seite braucht HTTPS (oder localhost).
gone-title = Hier ist nichts

## Zeitspannen: wie lange ein Geheimnis warten darf

duration-seconds =
    { $count ->
        [one] { $count } Sekunde
       *[other] { $count } Sekunden
    }
duration-minutes =
    { $count ->
        [one] { $count } Minute
       *[other] { $count } Minuten
    }
duration-hours =
    { $count ->
        [one] { $count } Stunde
       *[other] { $count } Stunden
    }
duration-days =
    { $count ->
        [one] { $count } Tag
       *[other] { $count } Tage
    }

## Die Seite zum Teilen, /

share-title = Geheimnis teilen
share-lede = Ihr Browser verschlüsselt es, bevor es diese Seite verlässt; der Schlüssel bleibt im Link. Der Link lässt sich einmal öffnen (oder so oft, wie Sie festlegen), danach ist das Geheimnis weg.
share-noscript = Zum Teilen wird JavaScript benötigt: Das Geheimnis wird in Ihrem Browser verschlüsselt, und der Server bekommt es nie zu sehen. Aktivieren Sie JavaScript, um etwas zu teilen.
share-unsupported = Dieser Browser kann hier nicht verschlüsseln: Die Seite braucht eine sichere Verbindung (HTTPS oder localhost).
share-kind = Was möchten Sie teilen?
share-kind-text = Einen Text
share-kind-file = Eine Datei
share-secret = Geheimnis
share-secret-hint = Zugangsdaten, Schlüssel – alles, was nur einmal gelesen werden soll.
share-file = Datei
share-file-hint = Wählen Sie eine Datei bis { $limit } aus oder ziehen Sie eine auf diese Seite. Auch ihr Name und ihr Inhalt werden in Ihrem Browser verschlüsselt.
share-ttl = Gültigkeitsdauer
share-views = Kann geöffnet werden
share-views-option =
    { $count ->
        [one] einmal
       *[other] { $count }-mal
    }
share-passphrase = Kennwort
share-passphrase-hint = Die empfangende Person braucht es ebenfalls: Übermitteln Sie es auf einem anderen Weg.
share-submit = Link erstellen
share-progress = Wird verschlüsselt und hochgeladen
share-result-title = Ihr Link ist bereit
share-link =
    Senden Sie diesen Link. Er lässt sich { $count ->
        [one] einmal
       *[other] { $count }-mal
    } öffnen.
share-qr = Oder scannen Sie diesen Code mit einem Smartphone, um den Link dort zu öffnen.
share-qr-alt = QR-Code des Links, den Sie senden
share-receipt = Diesen Link behalten Sie selbst: Er zeigt, ob das Geheimnis gelesen wurde, und damit können Sie es vernichten.
share-expires = Läuft { $when } ab.
share-another = Weiteres Geheimnis teilen
share-error-empty = Geben Sie zuerst das Geheimnis ein.
share-error-too-long = Das Geheimnis ist zu lang: { $size }, möglich sind höchstens { $limit }.
share-error-drop-one = Ziehen Sie nur eine Datei hierher. Um mehrere zu teilen, packen Sie sie zuerst in ein Archiv.
share-error-no-file = Wählen Sie zuerst eine Datei aus.
share-error-too-large = Die Datei ist zu groß: { $size }, teilen lassen sich höchstens { $limit }.
share-error-name-too-long = Der Dateiname ist zu lang, um die Datei zu teilen.
share-error-failed = Der Link konnte nicht erstellt werden. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.

## Die Seite zum Aufdecken, /s/…

reveal-title = Ein Geheimnis für Sie
reveal-noscript = Zum Öffnen eines Geheimnisses wird JavaScript benötigt: Es wird in Ihrem Browser entschlüsselt. Aktivieren Sie JavaScript und laden Sie die Seite neu; es wurde nichts aufgedeckt.
reveal-waiting = Ein Geheimnis wartet auf Sie
reveal-waiting-file = Eine Datei wartet auf Sie
reveal-file-note = Es ist eine Datei. Beim Aufdecken wird sie heruntergeladen, in diesem Browser entschlüsselt und Ihnen zum Speichern angeboten.
reveal-once = Es kann einmal gelesen werden. Sobald Sie es aufdecken, ist es nicht mehr auf dem Server.
reveal-several =
    Es kann noch { $count ->
        [one] { $count }-mal
       *[other] { $count }-mal
    } gelesen werden. Nach dem letzten Mal ist es nicht mehr auf dem Server.
reveal-expires = Es läuft { $when } ab.
reveal-passphrase = Kennwort
reveal-submit = Aufdecken
reveal-secret-title = Ihr Geheimnis
reveal-secret = Das Geheimnis
reveal-gone-now = Es ist jetzt nicht mehr auf dem Server. Kopieren Sie es, bevor Sie diese Seite verlassen.
reveal-left =
    Der Link kann noch { $count ->
        [one] { $count }-mal
       *[other] { $count }-mal
    } geöffnet werden; danach ist das Geheimnis nicht mehr auf dem Server.
reveal-file-title = Ihre Datei
reveal-file-name = Dateiname
reveal-file-size = Größe
reveal-file-progress = Wird heruntergeladen und entschlüsselt
reveal-file-retry = Erneut herunterladen
reveal-file-save = Datei speichern
reveal-file-save-named = „{ $name }“ speichern
reveal-file-gone-now = Die Datei ist jetzt nicht mehr auf dem Server. Speichern Sie sie, bevor Sie diese Seite verlassen.
reveal-file-decrypted = { $size } entschlüsselt: bereit zum Speichern.
reveal-file-expired = Die Datei ist nicht mehr auf dem Server: Die Frist zum Herunterladen ist abgelaufen.
reveal-file-broke = Der Download wurde unterbrochen. Versuchen Sie es erneut: Das ist bis { $time } möglich.
reveal-file-failed-title = Die Datei konnte nicht entschlüsselt werden
reveal-file-failed = Der Server hat sie herausgegeben, aber was angekommen ist, lässt sich mit dem Schlüssel in diesem Link nicht entschlüsseln: Es wurde verändert, gekürzt oder umgeordnet. Es wurde nichts gespeichert. Bitten Sie die absendende Person, die Datei erneut zu teilen.
reveal-gone = Dieses Geheimnis existiert nicht: Es wurde bereits gelesen, vernichtet oder ist abgelaufen, oder der Link ist falsch. Falls es der Link zu einer Antwort ist, um die Sie gebeten haben, lässt er sich öffnen, sobald Ihre Anfrage beantwortet ist.
reveal-incomplete-title = Dieser Link ist unvollständig
reveal-incomplete = Das Geheimnis wurde im Browser der absendenden Person verschlüsselt, und sein Schlüssel ist der Teil des Links nach „#“. Dieser Teil fehlt oder ist beschädigt, daher lässt sich das Geheimnis hier nicht öffnen. Es wurde nichts aufgedeckt: Das Geheimnis wartet weiterhin. Bitten Sie die absendende Person um den vollständigen Link.
reveal-failed-title = Das Geheimnis konnte nicht geöffnet werden
reveal-failed = Der Server hat es herausgegeben, aber der Schlüssel in diesem Link öffnet es nicht, daher ist es verloren. Bitten Sie die absendende Person, es erneut zu teilen.
reveal-error-no-x25519 = Dieser Browser kann keine Antworten öffnen (ihm fehlt X25519). Es wurde nichts aufgedeckt: Öffnen Sie den Link in einem aktuellen Browser oder mit burnbox open.
reveal-error-lost = Die Verbindung zum Server ist abgebrochen, und das Geheimnis wurde nicht angezeigt. Klicken Sie bald erneut auf „Aufdecken“, ohne diese Seite neu zu laden: Falls der Server es bereits herausgegeben hat, gibt er es dieser Seite noch einmal.
reveal-error-burned = Falsches Kennwort. Es sind keine Versuche mehr übrig: Das Geheimnis ist vernichtet.
reveal-error-passphrase =
    Falsches Kennwort. { $count ->
        [one] Noch { $count } Versuch übrig.
       *[other] Noch { $count } Versuche übrig.
    }

## Die Anfrageseiten, /q und /q/…

request-title = Um ein Geheimnis bitten
request-lede = Senden Sie jemandem einen Link, unter dem diese Person einmal ein Geheimnis eintragen kann. Ihr Browser erzeugt den Schlüssel, der die Antwort öffnet; er bleibt in Ihrem Link, und nur Sie können lesen, was gesendet wird.
request-noscript = Für eine Anfrage wird JavaScript benötigt: Der Schlüssel wird in Ihrem Browser erzeugt. Aktivieren Sie JavaScript, um eine Anfrage zu stellen.
request-unsupported = Dieser Browser kann hier den Schlüssel nicht erzeugen: Die Seite braucht eine sichere Verbindung (HTTPS oder localhost) und Unterstützung für X25519.
request-note = Worum Sie bitten
request-note-hint = (freiwillig, für die andere Person sichtbar)
request-submit = Anfragelink erstellen
request-result-title = Ihre Anfrage ist bereit
request-link = Senden Sie diesen Link. Er kann einmal ausgefüllt werden.
request-answer-link = Diesen Link behalten Sie selbst: Er öffnet die Antwort einmal und enthält den einzigen Schlüssel dazu.
request-receipt = Und dieser zeigt, ob die Anfrage beantwortet wurde, und damit können Sie sie zurückziehen.
request-expires = Die Anfrage läuft { $when } ab. Ihr Antwortlink zeigt „Hier ist nichts“, bis die Anfrage beantwortet ist.
request-error-failed = Die Anfrage konnte nicht erstellt werden. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.
fill-title = Eine Anfrage nach einem Geheimnis
fill-noscript = Zum Antworten wird JavaScript benötigt: Ihre Antwort wird in Ihrem Browser für die Person verschlüsselt, die gefragt hat. Aktivieren Sie JavaScript und laden Sie die Seite neu.
fill-waiting = Jemand bittet Sie um ein Geheimnis
fill-note = Gewünscht wird:
fill-lede = Ihr Browser verschlüsselt die Antwort nur für diese Person; der Link kann einmal ausgefüllt werden. Er läuft { $when } ab.
fill-answer = Ihre Antwort
fill-submit = Senden
fill-done-title = Gesendet
fill-done = Nur die Person, die gefragt hat, kann sie lesen, und zwar einmal. Dieser Link ist verbraucht.
fill-gone = Diese Anfrage existiert nicht: Sie wurde bereits beantwortet oder ist abgelaufen, oder der Link ist falsch.
fill-error-empty = Geben Sie zuerst die Antwort ein.
fill-error-failed = Die Antwort konnte nicht gesendet werden. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.

## Die Belegseite, /r/…

receipt-title = Beleg
receipt-pending = Noch nicht gelesen
receipt-pending-detail = Noch niemand hat es geöffnet. Es läuft um { $time } ab.
receipt-revealed = Gelesen
receipt-revealed-detail = Es wurde um { $time } aufgedeckt und ist nicht mehr auf dem Server.
receipt-burned = Vernichtet
receipt-burned-detail = Es wurde um { $time } ungelesen vernichtet.
receipt-expired = Abgelaufen
receipt-expired-detail = Niemand hat es gelesen, bevor es um { $time } abgelaufen ist.
receipt-created = Erstellt um { $time }.
receipt-burn = Jetzt vernichten
receipt-burn-hint = Danach kann es niemand mehr lesen.

## Fehlerseiten

error-receipt-not-found = Dieser Beleg existiert nicht: Der Link ist falsch, oder der Beleg ist abgelaufen.
error-slow-down-title = Bitte etwas langsamer
error-slow-down = Zu viele Zugriffe von Ihrer Adresse. Warten Sie eine Minute und laden Sie die Seite neu.
error-unavailable-title = Bitte gleich noch einmal versuchen
error-unavailable-page = Der Dienst erreicht seinen Speicher gerade nicht. Laden Sie die Seite gleich neu.
error-title = Etwas ist schiefgelaufen
error-page = Der Server konnte nicht antworten. Laden Sie die Seite neu, um es noch einmal zu versuchen.
