# Strony burnbox: polski. Przetłumaczone z en.ftl, katalogu wzorcowego: te same
# komunikaty, każda zmienna zachowana, a każda liczba mnoga rozpisana według kategorii
# CLDR języka polskiego (one, few, many, other).
#
# Zmienne uzupełnia skrypt, a przeglądarka formatuje je w języku czytającego:
# $when („za 5 minut (7 gru 2026, 18:00)”), $time, $size („2,5 MB”), $limit, $done
# i $total to tekst; $count, $seconds i $percent to liczby, które wybierają formę mnogą.

## Każda strona

site-tagline = sekrety, które czyta się tylko raz
nav-share = Udostępnij sekret
nav-request = Poproś o sekret
nav-api = API
language-label = Język
language-browser = Język przeglądarki
language-change = Zmień
copy = Kopiuj
copied = Skopiowano
optional = (opcjonalnie)
checking = Sprawdzanie linku…
retrying = Utracono połączenie — ponawianie…
# „za 5 minut (7 gru 2026, 18:00)”: kiedy coś wygasa.
when = { $relative } ({ $date })
progress = { $percent }% — { $done } z { $total }
error-unreachable = Nie udało się połączyć z serwerem. Sprawdź połączenie i odśwież stronę.
error-rate-limited =
    Zbyt wiele żądań. Spróbuj ponownie za { $seconds ->
        [one] { $seconds } sekundę
        [few] { $seconds } sekundy
        [many] { $seconds } sekund
       *[other] { $seconds } sekundy
    }.
error-unavailable = Usługa jest chwilowo niedostępna. Spróbuj ponownie za moment.
error-too-large = To więcej, niż przyjmuje ten serwer.
# $code to kod błędu API, na przykład „ttl_out_of_range”.
error-refused = Serwer odrzucił tę operację ({ $code }).
error-insecure-encrypt = Ta przeglądarka nie może tu szyfrować: strona wymaga HTTPS (lub localhost).
error-insecure-decrypt = Ta przeglądarka nie może tu odszyfrowywać: strona wymaga HTTPS (lub localhost).
gone-title = Nic tu nie ma

## Czas, przez który sekret może czekać

duration-seconds =
    { $count ->
        [one] { $count } sekunda
        [few] { $count } sekundy
        [many] { $count } sekund
       *[other] { $count } sekundy
    }
duration-minutes =
    { $count ->
        [one] { $count } minuta
        [few] { $count } minuty
        [many] { $count } minut
       *[other] { $count } minuty
    }
duration-hours =
    { $count ->
        [one] { $count } godzina
        [few] { $count } godziny
        [many] { $count } godzin
       *[other] { $count } godziny
    }
duration-days =
    { $count ->
        [one] { $count } dzień
        [few] { $count } dni
        [many] { $count } dni
       *[other] { $count } dnia
    }

## Strona udostępniania, /

share-title = Udostępnij sekret
share-lede = Przeglądarka szyfruje go, zanim opuści tę stronę; klucz zostaje w linku. Link można otworzyć raz (albo tyle razy, ile wybierzesz), potem sekret znika.
share-noscript = Do udostępniania potrzebny jest JavaScript: sekret jest szyfrowany w przeglądarce, a serwer nigdy go nie widzi. Włącz JavaScript, aby coś udostępnić.
share-unsupported = Ta przeglądarka nie może tu szyfrować: strona wymaga bezpiecznego połączenia (HTTPS lub localhost).
share-kind = Co chcesz udostępnić
share-kind-text = Tekst
share-kind-file = Plik
share-secret = Sekret
share-secret-hint = Dane logowania, klucze — wszystko, co ma zostać przeczytane tylko raz.
share-file = Plik
share-file-hint = Wybierz plik o rozmiarze do { $limit } albo upuść go na tę stronę. Jego nazwa i zawartość również są szyfrowane w przeglądarce.
share-ttl = Czas ważności
share-views = Można otworzyć
share-views-option =
    { $count ->
        [one] raz
        [few] { $count } razy
        [many] { $count } razy
       *[other] { $count } razy
    }
share-passphrase = Hasło
share-passphrase-hint = Odbiorca też będzie go potrzebować: przekaż je inną drogą.
share-submit = Utwórz link
share-progress = Szyfrowanie i wysyłanie
share-result-title = Link jest gotowy
share-link =
    Wyślij ten link. Można go otworzyć { $count ->
        [one] raz
        [few] { $count } razy
        [many] { $count } razy
       *[other] { $count } razy
    }.
share-qr = Możesz też zeskanować ten kod telefonem, aby otworzyć link na nim.
share-qr-alt = Kod QR linku do wysłania
share-receipt = Ten zachowaj dla siebie: informuje, czy sekret został przeczytany, i pozwala go zniszczyć.
share-expires = Wygasa { $when }.
share-another = Udostępnij kolejny sekret
share-error-empty = Najpierw wpisz sekret.
share-error-too-long = Sekret jest za długi: { $size }, a zmieści się najwyżej { $limit }.
share-error-drop-one = Upuść jeden plik. Aby udostępnić kilka, najpierw spakuj je do archiwum.
share-error-no-file = Najpierw wybierz plik.
share-error-too-large = Plik jest za duży: { $size }, a udostępnić można najwyżej { $limit }.
share-error-name-too-long = Nazwa pliku jest za długa, aby go udostępnić.
share-error-failed = Nie udało się utworzyć linku. Sprawdź połączenie i spróbuj ponownie.

## Strona odsłaniania, /s/…

reveal-title = Sekret dla Ciebie
reveal-noscript = Do otwarcia sekretu potrzebny jest JavaScript: sekret jest odszyfrowywany w przeglądarce. Włącz JavaScript i odśwież stronę; nic nie zostało odsłonięte.
reveal-waiting = Czeka na Ciebie sekret
reveal-waiting-file = Czeka na Ciebie plik
reveal-file-note = To jest plik. Gdy go odsłonisz, zostanie pobrany i odszyfrowany w tej przeglądarce, a potem będzie można go zapisać.
reveal-once = Można go przeczytać raz. Gdy go odsłonisz, zniknie z serwera.
reveal-several =
    Można go przeczytać jeszcze { $count ->
        [one] { $count } raz
        [few] { $count } razy
        [many] { $count } razy
       *[other] { $count } razy
    }. Po ostatnim razie zniknie z serwera.
reveal-expires = Wygasa { $when }.
reveal-passphrase = Hasło
reveal-submit = Odsłoń
reveal-secret-title = Twój sekret
reveal-secret = Sekret
reveal-gone-now = Sekretu nie ma już na serwerze. Skopiuj go, zanim opuścisz tę stronę.
reveal-left =
    Link można otworzyć jeszcze { $count ->
        [one] { $count } raz
        [few] { $count } razy
        [many] { $count } razy
       *[other] { $count } razy
    }; potem sekret zniknie z serwera.
reveal-file-title = Twój plik
reveal-file-name = Nazwa
reveal-file-size = Rozmiar
reveal-file-progress = Pobieranie i odszyfrowywanie
reveal-file-retry = Pobierz ponownie
reveal-file-save = Zapisz plik
reveal-file-save-named = Zapisz „{ $name }”
reveal-file-gone-now = Pliku nie ma już na serwerze. Zapisz go, zanim opuścisz tę stronę.
reveal-file-decrypted = Odszyfrowano { $size }: plik jest gotowy do zapisania.
reveal-file-expired = Pliku nie ma już na serwerze: czas na jego pobranie minął.
reveal-file-broke = Pobieranie zostało przerwane. Spróbuj ponownie: jest to możliwe do { $time }.
reveal-file-failed-title = Nie udało się odszyfrować pliku
reveal-file-failed = Serwer go wydał, ale tego, co dotarło, nie da się odszyfrować kluczem z tego linku: dane zostały zmienione, ucięte lub przestawione. Nic nie zostało zapisane. Poproś nadawcę, aby udostępnił plik ponownie.
reveal-gone = Ten sekret nie istnieje: został już przeczytany, zniszczony lub wygasł albo link jest błędny. Jeśli to link do odpowiedzi na Twoją prośbę, otworzy się, gdy ktoś na nią odpowie.
reveal-incomplete-title = Ten link jest niekompletny
reveal-incomplete = Sekret został zaszyfrowany w przeglądarce nadawcy, a jego kluczem jest część linku po „#”. Tej części brakuje lub jest uszkodzona, więc nie da się tu otworzyć sekretu. Nic nie zostało odsłonięte: sekret wciąż czeka. Poproś nadawcę o pełny link.
reveal-failed-title = Nie udało się otworzyć sekretu
reveal-failed = Serwer go wydał, ale klucz z tego linku go nie otwiera, więc sekret przepadł. Poproś nadawcę, aby udostępnił go ponownie.
reveal-error-no-x25519 = Ta przeglądarka nie może otwierać odpowiedzi (nie obsługuje X25519). Nic nie zostało odsłonięte: otwórz link w aktualnej przeglądarce lub za pomocą burnbox open.
reveal-error-lost = Połączenie z serwerem zostało przerwane i sekret nie został wyświetlony. Wkrótce ponownie naciśnij „Odsłoń”, nie odświeżając tej strony: jeśli serwer już go wydał, przekaże go tej stronie jeszcze raz.
reveal-error-burned = Błędne hasło. Nie zostało już żadnych prób: sekret został zniszczony.
reveal-error-passphrase =
    Błędne hasło. { $count ->
        [one] Została { $count } próba.
        [few] Zostały { $count } próby.
        [many] Zostało { $count } prób.
       *[other] Zostało { $count } próby.
    }

## Strony próśb, /q i /q/…

request-title = Poproś o sekret
request-lede = Wyślij komuś link, pod którym jednorazowo wpisze sekret. Twoja przeglądarka tworzy klucz, który otwiera odpowiedź; zostaje on w Twoim linku i tylko Ty możesz przeczytać to, co ta osoba wyśle.
request-noscript = Do wysłania prośby potrzebny jest JavaScript: klucz jest tworzony w przeglądarce. Włącz JavaScript, aby poprosić o sekret.
request-unsupported = Ta przeglądarka nie może tu utworzyć klucza: strona wymaga bezpiecznego połączenia (HTTPS lub localhost) i obsługi X25519.
request-note = O co prosisz
request-note-hint = (opcjonalnie, ta osoba to zobaczy)
request-submit = Utwórz link z prośbą
request-result-title = Prośba jest gotowa
request-link = Wyślij ten link. Można go wypełnić raz.
request-answer-link = Ten zachowaj dla siebie: otwiera odpowiedź jeden raz i zawiera jedyny klucz do niej.
request-receipt = A ten informuje, czy ktoś odpowiedział na prośbę, i pozwala ją anulować.
request-expires = Prośba wygasa { $when }. Link do odpowiedzi pokazuje „Nic tu nie ma”, dopóki ktoś nie odpowie na prośbę.
request-error-failed = Nie udało się utworzyć prośby. Sprawdź połączenie i spróbuj ponownie.
fill-title = Prośba o sekret
fill-noscript = Do udzielenia odpowiedzi potrzebny jest JavaScript: odpowiedź jest szyfrowana w przeglądarce dla osoby, która o nią prosi. Włącz JavaScript i odśwież stronę.
fill-waiting = Ktoś prosi Cię o sekret
fill-note = Ta osoba prosi o:
fill-lede = Przeglądarka szyfruje odpowiedź tylko dla tej osoby; link można wypełnić raz. Wygasa { $when }.
fill-answer = Twoja odpowiedź
fill-submit = Wyślij
fill-done-title = Wysłano
fill-done = Tylko osoba, która o nią prosiła, może ją przeczytać, i to tylko raz. Ten link został już wykorzystany.
fill-gone = Ta prośba nie istnieje: ktoś już na nią odpowiedział lub wygasła albo link jest błędny.
fill-error-empty = Najpierw wpisz odpowiedź.
fill-error-failed = Nie udało się wysłać odpowiedzi. Sprawdź połączenie i spróbuj ponownie.

## Strona potwierdzenia, /r/…

receipt-title = Potwierdzenie
receipt-pending = Czeka na odczytanie
receipt-pending-detail = Nikt go jeszcze nie otworzył. Wygasa o { $time }.
receipt-revealed = Przeczytany
receipt-revealed-detail = Został odsłonięty o { $time } i nie ma go już na serwerze.
receipt-burned = Zniszczony
receipt-burned-detail = Został zniszczony o { $time }, zanim ktokolwiek go przeczytał.
receipt-expired = Wygasł
receipt-expired-detail = Nikt go nie przeczytał, zanim wygasł o { $time }.
receipt-created = Utworzono o { $time }.
receipt-burn = Zniszcz teraz
receipt-burn-hint = Potem nikt nie będzie mógł go przeczytać.

## Strony błędów

error-receipt-not-found = To potwierdzenie nie istnieje: link jest błędny albo potwierdzenie wygasło.
error-slow-down-title = Zwolnij
error-slow-down = Zbyt wiele żądań z Twojego adresu. Odczekaj minutę i odśwież stronę.
error-unavailable-title = Spróbuj za chwilę
error-unavailable-page = Usługa nie ma teraz dostępu do swojego magazynu danych. Odśwież stronę za moment.
error-title = Coś poszło nie tak
error-page = Serwer nie mógł odpowiedzieć. Odśwież stronę, aby spróbować ponownie.
