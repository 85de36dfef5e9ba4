# burnbox pages: English, the reference catalogue. Every other language has exactly
# these messages (a test checks), each variable kept and each plural written out for
# the language's own CLDR categories.
#
# Variables the script fills in are formatted by the browser in the reader's language:
# $when ("in 5 minutes (7 Dec 2026, 18:00)"), $time, $size ("2.5 MB"), $limit, $done
# and $total are text; $count, $seconds and $percent are numbers that choose a plural.

## Every page

site-tagline = secrets that are read once
nav-share = Share a secret
nav-request = Ask for a secret
nav-api = API
language-label = Language
language-browser = The browser's language
language-change = Change
copy = Copy
copied = Copied
optional = (optional)
checking = Checking the link…
retrying = Connection lost — retrying…
# "in 5 minutes (7 Dec 2026, 18:00)": when something expires.
when = { $relative } ({ $date })
progress = { $percent }% — { $done } of { $total }
error-unreachable = Could not reach the server. Check your connection and reload.
error-rate-limited =
    Too many requests. Try again in { $seconds ->
        [one] { $seconds } second
       *[other] { $seconds } seconds
    }.
error-unavailable = The service is briefly unavailable. Try again shortly.
error-too-large = That is more than this server accepts.
# $code is the API's error code, such as "ttl_out_of_range".
error-refused = The server refused this ({ $code }).
error-insecure-encrypt = This browser cannot encrypt here: the page needs HTTPS (or localhost).
error-insecure-decrypt = This browser cannot decrypt here: the page needs HTTPS (or localhost).
gone-title = Nothing here

## Durations, for how long a secret may wait

duration-seconds =
    { $count ->
        [one] { $count } second
       *[other] { $count } seconds
    }
duration-minutes =
    { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
duration-hours =
    { $count ->
        [one] { $count } hour
       *[other] { $count } hours
    }
duration-days =
    { $count ->
        [one] { $count } day
       *[other] { $count } days
    }

## The share page, /

share-title = Share a secret
share-lede = Your browser encrypts it before it leaves this page; the key stays in the link. The link opens once (or as many times as you choose), then the secret is gone.
share-noscript = Sharing needs JavaScript: the secret is encrypted in your browser, and the server never sees it. Turn JavaScript on to share.
share-unsupported = This browser cannot encrypt here: the page needs a secure connection (HTTPS, or localhost).
share-kind = What to share
share-kind-text = Text
share-kind-file = A file
share-secret = Secret
share-secret-hint = Passwords, keys, anything that should be read once.
share-file = File
share-file-hint = Choose a file of up to { $limit }, or drop one on this page. Its name and content are encrypted in your browser too.
share-ttl = Expires after
share-views = Can be opened
share-views-option =
    { $count ->
        [one] once
       *[other] { $count } times
    }
share-passphrase = Passphrase
share-passphrase-hint = The reader needs it too: send it another way.
share-submit = Create link
share-progress = Encrypting and uploading
share-result-title = Your link is ready
share-link =
    Send this link. It can be opened { $count ->
        [one] once
       *[other] { $count } times
    }.
share-qr = Or scan this code with a phone to open the link there.
share-qr-alt = QR code of the link to send
share-receipt = Keep this one: it tells you whether the secret was read, and can burn it.
share-expires = Expires { $when }.
share-another = Share another secret
share-error-empty = Write the secret first.
share-error-too-long = The secret is too long: { $size }, and at most { $limit } fit.
share-error-drop-one = Drop one file. To share several, put them in an archive first.
share-error-no-file = Choose a file first.
share-error-too-large = The file is too large: { $size }, and at most { $limit } can be shared.
share-error-name-too-long = The file's name is too long to share.
share-error-failed = Could not create the link. Check your connection and try again.

## The reveal page, /s/…

reveal-title = A secret for you
reveal-noscript = Opening a secret needs JavaScript: it is decrypted in your browser. Turn JavaScript on and reload; nothing has been revealed.
reveal-waiting = A secret is waiting for you
reveal-waiting-file = A file is waiting for you
reveal-file-note = It is a file. Revealing it downloads it, decrypts it in this browser and offers it to save.
reveal-once = It can be read once. When you reveal it, it is gone from the server.
reveal-several =
    It can still be read { $count ->
        [one] { $count } time
       *[other] { $count } times
    }. After the last, it is gone from the server.
reveal-expires = It expires { $when }.
reveal-passphrase = Passphrase
reveal-submit = Reveal
reveal-secret-title = Your secret
reveal-secret = The secret
reveal-gone-now = It is now gone from the server. Copy it before you leave this page.
reveal-left =
    The link can be opened { $count ->
        [one] { $count } more time
       *[other] { $count } more times
    }; after that it is gone from the server.
reveal-file-title = Your file
reveal-file-name = Name
reveal-file-size = Size
reveal-file-progress = Downloading and decrypting
reveal-file-retry = Try the download again
reveal-file-save = Save the file
reveal-file-save-named = Save “{ $name }”
reveal-file-gone-now = It is now gone from the server. Save it before you leave this page.
reveal-file-decrypted = Decrypted { $size }: ready to save.
reveal-file-expired = The file is no longer on the server: its download expired.
reveal-file-broke = The download broke off. Try it again: it stays possible until { $time }.
reveal-file-failed-title = The file could not be decrypted
reveal-file-failed = The server handed it out, but what arrived does not decrypt with the key in this link: it was altered, cut short or reordered. Nothing was saved. Ask the sender to share it again.
reveal-gone = This secret does not exist: it was already read, burned or expired, or the link is wrong. If it is the link to an answer you asked for, it opens once your request is answered.
reveal-incomplete-title = This link is incomplete
reveal-incomplete = The secret was encrypted in the sender's browser, and its key is the part of the link after “#”. That part is missing or damaged, so the secret cannot be opened here. Nothing was revealed: it is still waiting. Ask the sender for the whole link.
reveal-failed-title = The secret could not be opened
reveal-failed = The server handed it out, but the key in this link does not open it, so it is lost. Ask the sender to share it again.
reveal-error-no-x25519 = This browser cannot open answers (it lacks X25519). Nothing was revealed: open the link in a current browser, or with burnbox open.
reveal-error-lost = The connection to the server was lost and the secret was not shown. Press Reveal again soon, without reloading this page: if the server already handed it out, it hands it to this page again.
reveal-error-burned = Wrong passphrase. No attempts are left: the secret is burned.
reveal-error-passphrase =
    Wrong passphrase. { $count ->
        [one] { $count } attempt left.
       *[other] { $count } attempts left.
    }

## The request pages, /q and /q/…

request-title = Ask for a secret
request-lede = Send someone a link where they fill in a secret, once. Your browser makes the key that opens the answer; it stays in your link, and only you can read what they send.
request-noscript = Asking needs JavaScript: the key is made in your browser. Turn JavaScript on to ask.
request-unsupported = This browser cannot make the key here: the page needs a secure connection (HTTPS, or localhost) and X25519 support.
request-note = What you ask for
request-note-hint = (optional, shown to them)
request-submit = Create request link
request-result-title = Your request is ready
request-link = Send this link. It can be filled in once.
request-answer-link = Keep this one: it opens the answer once, and it holds the only key to it.
request-receipt = And this one tells you whether it was answered, and can cancel it.
request-expires = The request expires { $when }. Your answer link shows “Nothing here” until the request is answered.
request-error-failed = Could not create the request. Check your connection and try again.
fill-title = A request for a secret
fill-noscript = Answering needs JavaScript: your answer is encrypted in your browser for the person who asked. Turn JavaScript on and reload.
fill-waiting = Someone asks you for a secret
fill-note = They ask for:
fill-lede = Your browser encrypts the answer for them alone; the link can be filled in once. It expires { $when }.
fill-answer = Your answer
fill-submit = Send
fill-done-title = Sent
fill-done = Only the person who asked can read it, once. This link is used up.
fill-gone = This request does not exist: it was already answered or expired, or the link is wrong.
fill-error-empty = Write the answer first.
fill-error-failed = Could not send the answer. Check your connection and try again.

## The receipt page, /r/…

receipt-title = Receipt
receipt-pending = Waiting to be read
receipt-pending-detail = Nobody has opened it yet. It expires at { $time }.
receipt-revealed = Read
receipt-revealed-detail = It was revealed at { $time } and is gone from the server.
receipt-burned = Burned
receipt-burned-detail = It was burned unread at { $time }.
receipt-expired = Expired
receipt-expired-detail = Nobody read it before it expired at { $time }.
receipt-created = Created at { $time }.
receipt-burn = Burn it now
receipt-burn-hint = Nobody will be able to read it afterwards.

## Error pages

error-receipt-not-found = This receipt does not exist: the link is wrong, or the receipt has expired.
error-slow-down-title = Slow down
error-slow-down = Too many requests from your address. Wait a minute and reload.
error-unavailable-title = Try again shortly
error-unavailable-page = The service cannot reach its storage right now. Reload in a moment.
error-title = Something went wrong
error-page = The server could not answer. Reload to try again.
