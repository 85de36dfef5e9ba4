# Pagine di burnbox: italiano (dando del tu), tradotto dal catalogo di riferimento in
# inglese (en.ftl). Ha esattamente gli stessi messaggi, conserva ogni variabile e scrive
# ogni plurale con le categorie CLDR dell’italiano (one, many, other).
#
# Le variabili che lo script compila sono formattate dal browser nella lingua del lettore:
# $when ("tra 5 minuti (7 dic 2026, 18:00)"), $time, $size ("2,5 MB"), $limit, $done
# e $total sono testo; $count, $seconds e $percent sono numeri che scelgono un plurale.

## Tutte le pagine

site-tagline = segreti che si leggono una volta sola
nav-share = Condividi un segreto
nav-request = Chiedi un segreto
nav-api = API
language-label = Lingua
language-browser = La lingua del browser
language-change = Cambia
copy = Copia
copied = Copiato
optional = (facoltativo)
checking = Verifica del link in corso…
retrying = Connessione persa — nuovo tentativo in corso…
# "tra 5 minuti (7 dic 2026, 18:00)": quando qualcosa scade.
when = { $relative } ({ $date })
progress = { $percent }% — { $done } di { $total }
error-unreachable = Impossibile raggiungere il server. Controlla la connessione e ricarica la pagina.
error-rate-limited =
    Troppe richieste. Riprova tra { $seconds ->
        [one] { $seconds } secondo
        [many] { $seconds } di secondi
       *[other] { $seconds } secondi
    }.
error-unavailable = Il servizio è momentaneamente non disponibile. Riprova tra poco.
error-too-large = È più di quanto questo server accetti.
# $code è il codice di errore dell’API, come "ttl_out_of_range".
error-refused = Il server ha rifiutato l’operazione ({ $code }).
error-insecure-encrypt = Questo browser non può cifrare qui: la pagina richiede HTTPS (o localhost).
error-insecure-decrypt = Questo browser non può decifrare qui: la pagina richiede HTTPS (o localhost).
gone-title = Qui non c’è niente

## Durate: per quanto tempo un segreto può restare in attesa

duration-seconds =
    { $count ->
        [one] { $count } secondo
        [many] { $count } di secondi
       *[other] { $count } secondi
    }
duration-minutes =
    { $count ->
        [one] { $count } minuto
        [many] { $count } di minuti
       *[other] { $count } minuti
    }
duration-hours =
    { $count ->
        [one] { $count } ora
        [many] { $count } di ore
       *[other] { $count } ore
    }
duration-days =
    { $count ->
        [one] { $count } giorno
        [many] { $count } di giorni
       *[other] { $count } giorni
    }

## La pagina di condivisione, /

share-title = Condividi un segreto
share-lede = Il tuo browser lo cifra prima che lasci questa pagina; la chiave resta nel link. Il link si apre una volta (o quante volte scegli tu), poi il segreto scompare.
share-noscript = Per condividere serve JavaScript: il segreto viene cifrato nel tuo browser e il server non lo vede mai. Attiva JavaScript per condividere.
share-unsupported = Questo browser non può cifrare qui: la pagina richiede una connessione sicura (HTTPS o localhost).
share-kind = Cosa condividere
share-kind-text = Testo
share-kind-file = Un file
share-secret = Segreto
share-secret-hint = Password, chiavi, qualsiasi cosa vada letta una volta sola.
share-file = File da condividere
share-file-hint = Scegli un file fino a { $limit }, oppure trascinalo su questa pagina. Anche il nome e il contenuto vengono cifrati nel tuo browser.
share-ttl = Scade dopo
share-views = Si può aprire
share-views-option =
    { $count ->
        [one] una volta
        [many] { $count } di volte
       *[other] { $count } volte
    }
share-passphrase = Frase segreta
share-passphrase-hint = Servirà anche a chi lo legge: mandagliela per un’altra via.
share-submit = Crea link
share-progress = Cifratura e caricamento in corso
share-result-title = Il tuo link è pronto
share-link =
    Invia questo link. Si può aprire { $count ->
        [one] una volta
        [many] { $count } di volte
       *[other] { $count } volte
    }.
share-qr = Oppure inquadra questo codice con un telefono per aprire lì il link.
share-qr-alt = Codice QR del link da inviare
share-receipt = Conserva questo: ti dice se il segreto è stato letto e permette di distruggerlo.
share-expires = Scade { $when }.
share-another = Condividi un altro segreto
share-error-empty = Prima scrivi il segreto.
share-error-too-long = Il segreto è troppo lungo: { $size }, e al massimo ne entrano { $limit }.
share-error-drop-one = Trascina un solo file. Per condividerne diversi, mettili prima in un archivio.
share-error-no-file = Prima scegli un file.
share-error-too-large = Il file è troppo grande: { $size }, e si possono condividere al massimo { $limit }.
share-error-name-too-long = Il nome del file è troppo lungo per poterlo condividere.
share-error-failed = Impossibile creare il link. Controlla la connessione e riprova.

## La pagina di rivelazione, /s/…

reveal-title = Un segreto per te
reveal-noscript = Per aprire un segreto serve JavaScript: viene decifrato nel tuo browser. Attiva JavaScript e ricarica la pagina; non è stato rivelato nulla.
reveal-waiting = C’è un segreto che ti aspetta
reveal-waiting-file = C’è un file che ti aspetta
reveal-file-note = È un file. Rivelandolo, viene scaricato, decifrato in questo browser e proposto per il salvataggio.
reveal-once = Si può leggere una volta sola. Quando lo riveli, scompare dal server.
reveal-several =
    Si può leggere ancora { $count ->
        [one] { $count } volta
        [many] { $count } di volte
       *[other] { $count } volte
    }. Dopo l’ultima, scompare dal server.
reveal-expires = Scade { $when }.
reveal-passphrase = Frase segreta
reveal-submit = Rivela
reveal-secret-title = Il tuo segreto
reveal-secret = Il segreto
reveal-gone-now = Ora non è più sul server. Copialo prima di lasciare questa pagina.
reveal-left =
    Il link si può aprire ancora { $count ->
        [one] { $count } volta
        [many] { $count } di volte
       *[other] { $count } volte
    }; dopodiché scompare dal server.
reveal-file-title = Il tuo file
reveal-file-name = Nome
reveal-file-size = Dimensione
reveal-file-progress = Download e decifratura in corso
reveal-file-retry = Riprova il download
reveal-file-save = Salva il file
reveal-file-save-named = Salva “{ $name }”
reveal-file-gone-now = Ora non è più sul server. Salvalo prima di lasciare questa pagina.
reveal-file-decrypted = File decifrato ({ $size }): pronto da salvare.
reveal-file-expired = Il file non è più sul server: il tempo per scaricarlo è scaduto.
reveal-file-broke = Il download si è interrotto. Riprova: è possibile fino alle { $time }.
reveal-file-failed-title = Impossibile decifrare il file
reveal-file-failed = Il server l’ha consegnato, ma ciò che è arrivato non si può decifrare con la chiave di questo link: è stato alterato, troncato o riordinato. Non è stato salvato nulla. Chiedi al mittente di condividerlo di nuovo.
reveal-gone = Questo segreto non esiste: è già stato letto, distrutto o è scaduto, oppure il link è sbagliato. Se è il link a una risposta che hai chiesto, si aprirà quando la tua richiesta avrà ricevuto risposta.
reveal-incomplete-title = Questo link è incompleto
reveal-incomplete = Il segreto è stato cifrato nel browser del mittente, e la sua chiave è la parte del link dopo “#”. Quella parte manca o è danneggiata, quindi qui il segreto non si può aprire. Non è stato rivelato nulla: è ancora in attesa. Chiedi al mittente il link completo.
reveal-failed-title = Impossibile aprire il segreto
reveal-failed = Il server l’ha consegnato, ma la chiave di questo link non lo apre, quindi è perso. Chiedi al mittente di condividerlo di nuovo.
reveal-error-no-x25519 = Questo browser non può aprire le risposte (non supporta X25519). Non è stato rivelato nulla: apri il link in un browser aggiornato, oppure con burnbox open.
reveal-error-lost = La connessione al server si è interrotta e il segreto non è stato mostrato. Premi di nuovo Rivela a breve, senza ricaricare questa pagina: se il server l’ha già consegnato, lo consegnerà di nuovo a questa pagina.
reveal-error-burned = Frase segreta errata. Non restano tentativi: il segreto è stato distrutto.
reveal-error-passphrase =
    Frase segreta errata. { $count ->
        [one] Resta { $count } tentativo.
        [many] Restano { $count } di tentativi.
       *[other] Restano { $count } tentativi.
    }

## Le pagine di richiesta, /q e /q/…

request-title = Chiedi un segreto
request-lede = Invia a qualcuno un link in cui inserire un segreto, una volta sola. Il tuo browser crea la chiave che apre la risposta; resta nel tuo link, e solo tu puoi leggere ciò che ti viene inviato.
request-noscript = Per chiedere un segreto serve JavaScript: la chiave viene creata nel tuo browser. Attiva JavaScript per fare la richiesta.
request-unsupported = Questo browser non può creare la chiave qui: la pagina richiede una connessione sicura (HTTPS o localhost) e il supporto di X25519.
request-note = Cosa chiedi
request-note-hint = (facoltativo, verrà mostrato all’altra persona)
request-submit = Crea link di richiesta
request-result-title = La tua richiesta è pronta
request-link = Invia questo link. Si può compilare una volta sola.
request-answer-link = Conserva questo: apre la risposta una volta sola e contiene l’unica chiave per leggerla.
request-receipt = E questo ti dice se la richiesta ha ricevuto risposta e permette di annullarla.
request-expires = La richiesta scade { $when }. Il tuo link alla risposta mostra “Qui non c’è niente” finché la richiesta non riceve risposta.
request-error-failed = Impossibile creare la richiesta. Controlla la connessione e riprova.
fill-title = Una richiesta di segreto
fill-noscript = Per rispondere serve JavaScript: la tua risposta viene cifrata nel tuo browser per la persona che l’ha chiesta. Attiva JavaScript e ricarica la pagina.
fill-waiting = Qualcuno ti chiede un segreto
fill-note = Ti chiede:
fill-lede = Il tuo browser cifra la risposta solo per quella persona; il link si può compilare una volta sola. Scade { $when }.
fill-answer = La tua risposta
fill-submit = Invia
fill-done-title = Risposta inviata
fill-done = Solo la persona che l’ha chiesta può leggerla, una volta sola. Questo link è stato usato e non vale più.
fill-gone = Questa richiesta non esiste: ha già ricevuto risposta o è scaduta, oppure il link è sbagliato.
fill-error-empty = Prima scrivi la risposta.
fill-error-failed = Impossibile inviare la risposta. Controlla la connessione e riprova.

## La pagina della ricevuta, /r/…

receipt-title = Ricevuta
receipt-pending = In attesa di lettura
receipt-pending-detail = Nessuno l’ha ancora aperto. Scade il { $time }.
receipt-revealed = Letto
receipt-revealed-detail = È stato rivelato il { $time } e non è più sul server.
receipt-burned = Distrutto
receipt-burned-detail = È stato distrutto il { $time }, senza essere letto.
receipt-expired = Scaduto
receipt-expired-detail = Nessuno l’ha letto prima che scadesse, il { $time }.
receipt-created = Creato il { $time }.
receipt-burn = Distruggilo ora
receipt-burn-hint = Dopo, nessuno potrà più leggerlo.

## Pagine di errore

error-receipt-not-found = Questa ricevuta non esiste: il link è sbagliato oppure la ricevuta è scaduta.
error-slow-down-title = Rallenta
error-slow-down = Troppe richieste dal tuo indirizzo. Attendi un minuto e ricarica la pagina.
error-unavailable-title = Riprova tra poco
error-unavailable-page = Al momento il servizio non riesce ad accedere al proprio archivio dati. Ricarica tra qualche istante.
error-title = Si è verificato un problema
error-page = Il server non è riuscito a rispondere. Ricarica la pagina per riprovare.
