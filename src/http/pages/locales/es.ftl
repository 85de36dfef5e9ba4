# Páginas de burnbox: español (internacional neutro, con tuteo), traducido del catálogo
# de referencia en inglés (en.ftl). Tiene exactamente los mismos mensajes, conserva cada
# variable y escribe cada plural con las categorías CLDR del español (one, many, other).
#
# Las variables que rellena el script las formatea el navegador en el idioma del lector:
# $when ("dentro de 5 minutos (7 dic 2026, 18:00)"), $time, $size ("2,5 MB"), $limit, $done
# y $total son texto; $count, $seconds y $percent son números que eligen un plural.

## Todas las páginas

site-tagline = secretos que se leen una sola vez
nav-share = Compartir un secreto
nav-request = Pedir un secreto
nav-api = API
language-label = Idioma
language-browser = El idioma del navegador
language-change = Cambiar
copy = Copiar
copied = Copiado
optional = (opcional)
checking = Comprobando el enlace…
retrying = Conexión perdida — reintentando…
# "dentro de 5 minutos (7 dic 2026, 18:00)": cuándo expira algo.
when = { $relative } ({ $date })
progress = { $percent } % — { $done } de { $total }
error-unreachable = No se pudo conectar con el servidor. Comprueba tu conexión y vuelve a cargar la página.
error-rate-limited =
    Demasiadas peticiones. Vuelve a intentarlo dentro de { $seconds ->
        [one] { $seconds } segundo
        [many] { $seconds } de segundos
       *[other] { $seconds } segundos
    }.
error-unavailable = El servicio no está disponible por un momento. Vuelve a intentarlo en breve.
error-too-large = Es más de lo que acepta este servidor.
# $code es el código de error de la API, como "ttl_out_of_range".
error-refused = El servidor rechazó la operación ({ $code }).
error-insecure-encrypt = Este navegador no puede cifrar aquí: la página necesita HTTPS (o localhost).
error-insecure-decrypt = Este navegador no puede descifrar aquí: la página necesita HTTPS (o localhost).
gone-title = Aquí no hay nada

## Duraciones: cuánto tiempo puede esperar un secreto

duration-seconds =
    { $count ->
        [one] { $count } segundo
        [many] { $count } de segundos
       *[other] { $count } segundos
    }
duration-minutes =
    { $count ->
        [one] { $count } minuto
        [many] { $count } de minutos
       *[other] { $count } minutos
    }
duration-hours =
    { $count ->
        [one] { $count } hora
        [many] { $count } de horas
       *[other] { $count } horas
    }
duration-days =
    { $count ->
        [one] { $count } día
        [many] { $count } de días
       *[other] { $count } días
    }

## La página para compartir, /

share-title = Compartir un secreto
share-lede = Tu navegador lo cifra antes de que salga de esta página; la clave se queda en el enlace. El enlace se abre una vez (o tantas veces como elijas) y después el secreto desaparece.
share-noscript = Para compartir se necesita JavaScript: el secreto se cifra en tu navegador y el servidor nunca lo ve. Activa JavaScript para compartir.
share-unsupported = Este navegador no puede cifrar aquí: la página necesita una conexión segura (HTTPS o localhost).
share-kind = Qué compartir
share-kind-text = Texto
share-kind-file = Un archivo
share-secret = Secreto
share-secret-hint = Contraseñas, claves, cualquier cosa que deba leerse una sola vez.
share-file = Archivo
share-file-hint = Elige un archivo de hasta { $limit } o suéltalo en esta página. Su nombre y su contenido también se cifran en tu navegador.
share-ttl = Expira después de
share-views = Se puede abrir
share-views-option =
    { $count ->
        [one] una vez
        [many] { $count } de veces
       *[other] { $count } veces
    }
share-passphrase = Frase de contraseña
share-passphrase-hint = Quien lo lea también la necesita: envíasela por otra vía.
share-submit = Crear enlace
share-progress = Cifrando y subiendo
share-result-title = Tu enlace está listo
share-link =
    Envía este enlace. Se puede abrir { $count ->
        [one] una vez
        [many] { $count } de veces
       *[other] { $count } veces
    }.
share-qr = O escanea este código con un teléfono para abrir el enlace en él.
share-qr-alt = Código QR del enlace que hay que enviar
share-receipt = Guarda este: te indica si el secreto se leyó y permite destruirlo.
share-expires = Expira { $when }.
share-another = Compartir otro secreto
share-error-empty = Primero escribe el secreto.
share-error-too-long = El secreto es demasiado largo: { $size }, y caben como máximo { $limit }.
share-error-drop-one = Suelta un solo archivo. Para compartir varios, ponlos antes en un archivo comprimido.
share-error-no-file = Primero elige un archivo.
share-error-too-large = El archivo es demasiado grande: { $size }, y se pueden compartir como máximo { $limit }.
share-error-name-too-long = El nombre del archivo es demasiado largo para compartirlo.
share-error-failed = No se pudo crear el enlace. Comprueba tu conexión y vuelve a intentarlo.

## La página para revelar, /s/…

reveal-title = Un secreto para ti
reveal-noscript = Para abrir un secreto se necesita JavaScript: se descifra en tu navegador. Activa JavaScript y vuelve a cargar la página; no se ha revelado nada.
reveal-waiting = Un secreto te está esperando
reveal-waiting-file = Un archivo te está esperando
reveal-file-note = Es un archivo. Al revelarlo, se descarga, se descifra en este navegador y se te ofrece para guardarlo.
reveal-once = Se puede leer una sola vez. Cuando lo reveles, desaparecerá del servidor.
reveal-several =
    Todavía se puede leer { $count ->
        [one] { $count } vez
        [many] { $count } de veces
       *[other] { $count } veces
    }. Después de la última, desaparecerá del servidor.
reveal-expires = Expira { $when }.
reveal-passphrase = Frase de contraseña
reveal-submit = Revelar
reveal-secret-title = Tu secreto
reveal-secret = El secreto
reveal-gone-now = Ya no está en el servidor. Cópialo antes de salir de esta página.
reveal-left =
    El enlace se puede abrir { $count ->
        [one] { $count } vez más
        [many] { $count } de veces más
       *[other] { $count } veces más
    }; después, desaparecerá del servidor.
reveal-file-title = Tu archivo
reveal-file-name = Nombre
reveal-file-size = Tamaño
reveal-file-progress = Descargando y descifrando
reveal-file-retry = Reintentar la descarga
reveal-file-save = Guardar el archivo
reveal-file-save-named = Guardar “{ $name }”
reveal-file-gone-now = Ya no está en el servidor. Guárdalo antes de salir de esta página.
reveal-file-decrypted = Archivo descifrado ({ $size }): listo para guardar.
reveal-file-expired = El archivo ya no está en el servidor: el plazo para descargarlo expiró.
reveal-file-broke = La descarga se interrumpió. Vuelve a intentarlo: se puede hasta las { $time }.
reveal-file-failed-title = No se pudo descifrar el archivo
reveal-file-failed = El servidor lo entregó, pero lo que llegó no se puede descifrar con la clave de este enlace: fue alterado, recortado o reordenado. No se guardó nada. Pide a quien lo envió que vuelva a compartirlo.
reveal-gone = Este secreto no existe: ya se leyó, se destruyó o expiró, o el enlace es incorrecto. Si es el enlace a una respuesta que pediste, se abrirá cuando respondan a tu solicitud.
reveal-incomplete-title = Este enlace está incompleto
reveal-incomplete = El secreto se cifró en el navegador de quien lo envió, y su clave es la parte del enlace que va después de “#”. Esa parte falta o está dañada, así que el secreto no se puede abrir aquí. No se reveló nada: sigue esperando. Pide a quien lo envió el enlace completo.
reveal-failed-title = No se pudo abrir el secreto
reveal-failed = El servidor lo entregó, pero la clave de este enlace no lo abre, así que se ha perdido. Pide a quien lo envió que vuelva a compartirlo.
reveal-error-no-x25519 = Este navegador no puede abrir respuestas (no admite X25519). No se reveló nada: abre el enlace en un navegador actualizado o con burnbox open.
reveal-error-lost = Se perdió la conexión con el servidor y el secreto no se mostró. Pulsa Revelar de nuevo en breve, sin recargar esta página: si el servidor ya lo entregó, se lo volverá a entregar a esta página.
reveal-error-burned = Frase de contraseña incorrecta. No quedan intentos: el secreto se ha destruido.
reveal-error-passphrase =
    Frase de contraseña incorrecta. { $count ->
        [one] Queda { $count } intento.
        [many] Quedan { $count } de intentos.
       *[other] Quedan { $count } intentos.
    }

## Las páginas de solicitud, /q y /q/…

request-title = Pedir un secreto
request-lede = Envía a alguien un enlace donde escriba un secreto, una sola vez. Tu navegador crea la clave que abre la respuesta; se queda en tu enlace, y solo tú puedes leer lo que te envíen.
request-noscript = Para pedir un secreto se necesita JavaScript: la clave se crea en tu navegador. Activa JavaScript para hacer la solicitud.
request-unsupported = Este navegador no puede crear la clave aquí: la página necesita una conexión segura (HTTPS o localhost) y compatibilidad con X25519.
request-note = Qué pides
request-note-hint = (opcional, la otra persona lo verá)
request-submit = Crear enlace de solicitud
request-result-title = Tu solicitud está lista
request-link = Envía este enlace. Se puede completar una sola vez.
request-answer-link = Guarda este: abre la respuesta una sola vez y contiene la única clave para leerla.
request-receipt = Y este te indica si se respondió y permite cancelar la solicitud.
request-expires = La solicitud expira { $when }. Tu enlace de respuesta muestra “Aquí no hay nada” hasta que se responda a la solicitud.
request-error-failed = No se pudo crear la solicitud. Comprueba tu conexión y vuelve a intentarlo.
fill-title = Una solicitud de secreto
fill-noscript = Para responder se necesita JavaScript: tu respuesta se cifra en tu navegador para la persona que la pidió. Activa JavaScript y vuelve a cargar la página.
fill-waiting = Alguien te pide un secreto
fill-note = Te pide:
fill-lede = Tu navegador cifra la respuesta solo para esa persona; el enlace se puede completar una sola vez. Expira { $when }.
fill-answer = Tu respuesta
fill-submit = Enviar
fill-done-title = Respuesta enviada
fill-done = Solo la persona que la pidió puede leerla, una sola vez. Este enlace ya se ha usado.
fill-gone = Esta solicitud no existe: ya se respondió o expiró, o el enlace es incorrecto.
fill-error-empty = Primero escribe la respuesta.
fill-error-failed = No se pudo enviar la respuesta. Comprueba tu conexión y vuelve a intentarlo.

## La página del comprobante, /r/…

receipt-title = Comprobante
receipt-pending = Pendiente de lectura
receipt-pending-detail = Nadie lo ha abierto todavía. Expira el { $time }.
receipt-revealed = Leído
receipt-revealed-detail = Se reveló el { $time } y ya no está en el servidor.
receipt-burned = Destruido
receipt-burned-detail = Se destruyó el { $time }, sin haberse leído.
receipt-expired = Expirado
receipt-expired-detail = Nadie lo leyó antes de que expirara el { $time }.
receipt-created = Creado el { $time }.
receipt-burn = Destruirlo ahora
receipt-burn-hint = Después nadie podrá leerlo.

## Páginas de error

error-receipt-not-found = Este comprobante no existe: el enlace es incorrecto o el comprobante expiró.
error-slow-down-title = Más despacio
error-slow-down = Demasiadas peticiones desde tu dirección. Espera un minuto y vuelve a cargar la página.
error-unavailable-title = Vuelve a intentarlo en breve
error-unavailable-page = El servicio no puede acceder a su almacenamiento en este momento. Vuelve a cargar la página dentro de un momento.
error-title = Algo salió mal
error-page = El servidor no pudo responder. Vuelve a cargar la página para intentarlo de nuevo.
