# burnbox pages: Arabic (ar, Modern Standard Arabic, right-to-left), translated from en.ftl.
# Same messages, each variable kept, plurals written out for Arabic's CLDR categories
# (zero, one, two, few, many, other); "one" and "two" use the word forms (مرة واحدة، مرتان)
# as Arabic does, so they need not show the number.
#
# Variables the script fills in are formatted by the browser in the reader's language:
# $when ("خلال 5 دقائق (7 ديسمبر 2026، 18:00)"), $time, $size ("2.5 ميغابايت"), $limit, $done
# and $total are text; $count, $seconds and $percent are numbers that choose a plural.
# Terms: burn = إتلاف, reveal = كشف, receipt = إيصال, passphrase = عبارة المرور,
# reader = المستلم, sender = المرسل, request = طلب, answer = إجابة.

## Every page

site-tagline = أسرار تُقرأ مرة واحدة
nav-share = مشاركة سرّ
nav-request = طلب سرّ
nav-api = API
language-label = اللغة
language-browser = لغة المتصفح
language-change = تغيير
copy = نسخ
copied = تم النسخ
optional = (اختياري)
checking = جارٍ التحقق من الرابط…
retrying = انقطع الاتصال — جارٍ إعادة المحاولة…
# "خلال 5 دقائق (7 ديسمبر 2026، 18:00)": when something expires.
when = { $relative } ({ $date })
progress = { $percent }٪ — { $done } من { $total }
error-unreachable = تعذّر الوصول إلى الخادم. تحقّق من اتصالك وأعد تحميل الصفحة.
error-rate-limited =
    طلبات كثيرة جدًا. حاول مرة أخرى بعد { $seconds ->
        [zero] { $seconds } ثانية
        [one] ثانية واحدة
        [two] ثانيتين
        [few] { $seconds } ثوانٍ
        [many] { $seconds } ثانية
       *[other] { $seconds } ثانية
    }.
error-unavailable = الخدمة غير متاحة مؤقتًا. حاول مرة أخرى بعد قليل.
error-too-large = هذا يتجاوز ما يقبله هذا الخادم.
# $code is the API's error code, such as "ttl_out_of_range".
error-refused = رفض الخادم هذه العملية ({ $code }).
error-insecure-encrypt = لا يستطيع هذا المتصفح التشفير هنا: تحتاج الصفحة إلى HTTPS (أو localhost).
error-insecure-decrypt = لا يستطيع هذا المتصفح فكّ التشفير هنا: تحتاج الصفحة إلى HTTPS (أو localhost).
gone-title = لا يوجد شيء هنا

## Durations, for how long a secret may wait

duration-seconds =
    { $count ->
        [zero] { $count } ثانية
        [one] ثانية واحدة
        [two] ثانيتان
        [few] { $count } ثوانٍ
        [many] { $count } ثانية
       *[other] { $count } ثانية
    }
duration-minutes =
    { $count ->
        [zero] { $count } دقيقة
        [one] دقيقة واحدة
        [two] دقيقتان
        [few] { $count } دقائق
        [many] { $count } دقيقة
       *[other] { $count } دقيقة
    }
duration-hours =
    { $count ->
        [zero] { $count } ساعة
        [one] ساعة واحدة
        [two] ساعتان
        [few] { $count } ساعات
        [many] { $count } ساعة
       *[other] { $count } ساعة
    }
duration-days =
    { $count ->
        [zero] { $count } يوم
        [one] يوم واحد
        [two] يومان
        [few] { $count } أيام
        [many] { $count } يومًا
       *[other] { $count } يوم
    }

## The share page, /

share-title = مشاركة سرّ
share-lede = يشفّره متصفحك قبل أن يغادر هذه الصفحة، ويبقى المفتاح في الرابط. يُفتح الرابط مرة واحدة (أو بعدد المرات الذي تختاره)، ثم يُحذف السر.
share-noscript = تتطلب المشاركة JavaScript: إذ يُشفَّر السر في متصفحك، ولا يراه الخادم أبدًا. فعّل JavaScript لتتمكن من المشاركة.
share-unsupported = لا يستطيع هذا المتصفح التشفير هنا: تحتاج الصفحة إلى اتصال آمن (HTTPS، أو localhost).
share-kind = ما تريد مشاركته
share-kind-text = نص
share-kind-file = ملف
share-secret = السر
share-secret-hint = كلمات المرور، والمفاتيح، وكل ما ينبغي ألا يُقرأ إلا مرة واحدة.
share-file = الملف
share-file-hint = اختر ملفًا لا يتجاوز حجمه { $limit }، أو أفلته على هذه الصفحة. يُشفَّر اسمه ومحتواه في متصفحك أيضًا.
share-ttl = مدة الصلاحية
share-views = عدد مرات الفتح
share-views-option =
    { $count ->
        [zero] { $count } مرة
        [one] مرة واحدة
        [two] مرتان
        [few] { $count } مرات
        [many] { $count } مرة
       *[other] { $count } مرة
    }
share-passphrase = عبارة المرور
share-passphrase-hint = سيحتاج إليها المستلم أيضًا: أرسلها إليه بطريقة أخرى.
share-submit = إنشاء الرابط
share-progress = جارٍ التشفير والرفع
share-result-title = رابطك جاهز
share-link =
    أرسل هذا الرابط. يمكن فتحه { $count ->
        [zero] { $count } مرة
        [one] مرة واحدة
        [two] مرتين
        [few] { $count } مرات
        [many] { $count } مرة
       *[other] { $count } مرة
    }.
share-qr = أو امسح هذا الرمز بهاتف لفتح الرابط عليه.
share-qr-alt = رمز QR للرابط المراد إرساله
share-receipt = احتفظ بهذا الرابط: يخبرك إن كان السر قد قُرئ، ويتيح لك إتلافه.
share-expires = تنتهي صلاحيته { $when }.
share-another = مشاركة سرّ آخر
share-error-empty = اكتب السر أولًا.
share-error-too-long = السر طويل جدًا: { $size }، والحد الأقصى { $limit }.
share-error-drop-one = أفلت ملفًا واحدًا. لمشاركة عدة ملفات، ضعها في أرشيف أولًا.
share-error-no-file = اختر ملفًا أولًا.
share-error-too-large = الملف كبير جدًا: { $size }، والحد الأقصى لما يمكن مشاركته { $limit }.
share-error-name-too-long = اسم الملف أطول من أن تمكن مشاركته.
share-error-failed = تعذّر إنشاء الرابط. تحقّق من اتصالك وحاول مرة أخرى.

## The reveal page, /s/…

reveal-title = سرّ لك
reveal-noscript = يتطلب فتح السر JavaScript: إذ يُفك تشفيره في متصفحك. فعّل JavaScript وأعد تحميل الصفحة؛ لم يُكشف أي شيء.
reveal-waiting = سرّ في انتظارك
reveal-waiting-file = ملف في انتظارك
reveal-file-note = إنه ملف. عند كشفه يُنزَّل ويُفك تشفيره في هذا المتصفح، ثم يُعرض عليك حفظه.
reveal-once = يمكن قراءته مرة واحدة. عندما تكشفه، يُحذف من الخادم.
reveal-several =
    لا يزال بالإمكان قراءته { $count ->
        [zero] { $count } مرة
        [one] مرة واحدة
        [two] مرتين
        [few] { $count } مرات
        [many] { $count } مرة
       *[other] { $count } مرة
    }. بعد المرة الأخيرة، يُحذف من الخادم.
reveal-expires = تنتهي صلاحيته { $when }.
reveal-passphrase = عبارة المرور
reveal-submit = اكشف
reveal-secret-title = سرّك
reveal-secret = السر
reveal-gone-now = لقد حُذف الآن من الخادم. انسخه قبل مغادرة هذه الصفحة.
reveal-left =
    يمكن فتح الرابط { $count ->
        [zero] { $count } مرة أخرى
        [one] مرة واحدة أخرى
        [two] مرتين أخريين
        [few] { $count } مرات أخرى
        [many] { $count } مرة أخرى
       *[other] { $count } مرة أخرى
    }؛ بعد ذلك يُحذف من الخادم.
reveal-file-title = ملفك
reveal-file-name = الاسم
reveal-file-size = الحجم
reveal-file-progress = جارٍ التنزيل وفك التشفير
reveal-file-retry = أعد محاولة التنزيل
reveal-file-save = احفظ الملف
reveal-file-save-named = احفظ «{ $name }»
reveal-file-gone-now = لقد حُذف الآن من الخادم. احفظه قبل مغادرة هذه الصفحة.
reveal-file-decrypted = فُكّ تشفير الملف ({ $size }): إنه جاهز للحفظ.
reveal-file-expired = لم يعد الملف موجودًا على الخادم: انتهت صلاحية تنزيله.
reveal-file-broke = انقطع التنزيل. حاول مرة أخرى: يظل ذلك ممكنًا حتى { $time }.
reveal-file-failed-title = تعذّر فك تشفير الملف
reveal-file-failed = سلّمه الخادم، لكن ما وصل لا يُفك تشفيره بالمفتاح الموجود في هذا الرابط: فقد عُدِّل أو اقتُطع أو تغيّر ترتيبه. لم يُحفظ أي شيء. اطلب من المرسل أن يشاركه مرة أخرى.
reveal-gone = هذا السر غير موجود: إما أنه قُرئ أو أُتلف أو انتهت صلاحيته، أو أن الرابط خاطئ. إن كان هذا رابط إجابة طلبتها، فسيُفتح بمجرد الإجابة عن طلبك.
reveal-incomplete-title = هذا الرابط غير مكتمل
reveal-incomplete = شُفِّر السر في متصفح المرسل، ومفتاحه هو جزء الرابط الذي يلي «#». هذا الجزء مفقود أو تالف، لذا لا يمكن فتح السر هنا. لم يُكشف أي شيء: السر لا يزال في انتظارك. اطلب من المرسل الرابط كاملًا.
reveal-failed-title = تعذّر فتح السر
reveal-failed = سلّمه الخادم، لكن المفتاح الموجود في هذا الرابط لا يفتحه، لذا فقد ضاع. اطلب من المرسل أن يشاركه مرة أخرى.
reveal-error-no-x25519 = لا يستطيع هذا المتصفح فتح الإجابات (فهو لا يدعم X25519). لم يُكشف أي شيء: افتح الرابط في متصفح حديث، أو باستخدام burnbox open.
reveal-error-lost = انقطع الاتصال بالخادم ولم يُعرض السر. اضغط «اكشف» مجددًا في أقرب وقت، دون إعادة تحميل هذه الصفحة: إن كان الخادم قد سلّمه بالفعل، فسيسلّمه إلى هذه الصفحة مرة أخرى.
reveal-error-burned = عبارة المرور خاطئة. لم تتبقَّ أي محاولة: لقد أُتلف السر.
reveal-error-passphrase =
    عبارة المرور خاطئة. { $count ->
        [zero] لم تتبقَّ أي محاولة.
        [one] تبقّت محاولة واحدة.
        [two] تبقّت محاولتان.
        [few] تبقّت { $count } محاولات.
        [many] تبقّت { $count } محاولة.
       *[other] تبقّت { $count } محاولة.
    }

## The request pages, /q and /q/…

request-title = طلب سرّ
request-lede = أرسل إلى شخص ما رابطًا يكتب فيه سرًّا، مرة واحدة. ينشئ متصفحك المفتاح الذي يفتح الإجابة؛ ويبقى هذا المفتاح في رابطك، فلا يستطيع أحد غيرك قراءة ما يرسله.
request-noscript = يتطلب الطلب JavaScript: إذ يُنشأ المفتاح في متصفحك. فعّل JavaScript لتتمكن من تقديم الطلب.
request-unsupported = لا يستطيع هذا المتصفح إنشاء المفتاح هنا: تحتاج الصفحة إلى اتصال آمن (HTTPS، أو localhost) وإلى دعم X25519.
request-note = ما تطلبه
request-note-hint = (اختياري، يظهر للطرف الآخر)
request-submit = إنشاء رابط الطلب
request-result-title = طلبك جاهز
request-link = أرسل هذا الرابط. يمكن ملؤه مرة واحدة.
request-answer-link = احتفظ بهذا الرابط: يفتح الإجابة مرة واحدة، ويحمل المفتاح الوحيد لها.
request-receipt = وهذا الرابط يخبرك إن كانت قد وصلت إجابة عن الطلب، ويتيح لك إلغاءه.
request-expires = تنتهي صلاحية الطلب { $when }. يعرض رابط الإجابة «لا يوجد شيء هنا» إلى أن تصل الإجابة عن الطلب.
request-error-failed = تعذّر إنشاء الطلب. تحقّق من اتصالك وحاول مرة أخرى.
fill-title = طلب للحصول على سرّ
fill-noscript = تتطلب الإجابة JavaScript: إذ تُشفَّر إجابتك في متصفحك لصاحب الطلب. فعّل JavaScript وأعد تحميل الصفحة.
fill-waiting = يطلب منك أحدهم سرًّا
fill-note = المطلوب:
fill-lede = يشفّر متصفحك الإجابة لصاحب الطلب وحده، ويمكن ملء الرابط مرة واحدة. تنتهي صلاحيته { $when }.
fill-answer = إجابتك
fill-submit = إرسال
fill-done-title = تم الإرسال
fill-done = لا يستطيع قراءتها إلا صاحب الطلب، ومرة واحدة فقط. لقد استُخدم هذا الرابط ولم يعد صالحًا.
fill-gone = هذا الطلب غير موجود: إما أنه أُجيب عنه أو انتهت صلاحيته، أو أن الرابط خاطئ.
fill-error-empty = اكتب الإجابة أولًا.
fill-error-failed = تعذّر إرسال الإجابة. تحقّق من اتصالك وحاول مرة أخرى.

## The receipt page, /r/…

receipt-title = الإيصال
receipt-pending = في انتظار القراءة
receipt-pending-detail = لم يفتحه أحد بعد. تنتهي صلاحيته في { $time }.
receipt-revealed = قُرئ
receipt-revealed-detail = كُشف في { $time } وحُذف من الخادم.
receipt-burned = أُتلف
receipt-burned-detail = أُتلف دون أن يُقرأ في { $time }.
receipt-expired = انتهت صلاحيته
receipt-expired-detail = لم يقرأه أحد قبل انتهاء صلاحيته في { $time }.
receipt-created = أُنشئ في { $time }.
receipt-burn = أتلفه الآن
receipt-burn-hint = لن يتمكن أحد من قراءته بعد ذلك.

## Error pages

error-receipt-not-found = هذا الإيصال غير موجود: الرابط خاطئ، أو انتهت صلاحية الإيصال.
error-slow-down-title = تمهّل
error-slow-down = طلبات كثيرة جدًا من عنوانك. انتظر دقيقة ثم أعد تحميل الصفحة.
error-unavailable-title = حاول مرة أخرى بعد قليل
error-unavailable-page = لا تستطيع الخدمة الوصول إلى وحدة التخزين الخاصة بها حاليًا. أعد تحميل الصفحة بعد لحظات.
error-title = حدث خطأ ما
error-page = تعذّر على الخادم الرد. أعد تحميل الصفحة للمحاولة مرة أخرى.
