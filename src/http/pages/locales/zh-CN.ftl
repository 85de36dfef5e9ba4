# burnbox 页面：简体中文（zh-CN）翻译目录。消息与英文（en.ftl）完全相同，
# 保留每个变量，复数按简体中文的 CLDR 类别（仅 other）书写。
#
# 脚本填入的变量由浏览器按读者的语言格式化：
# $when（“5 分钟后（2026/12/7 18:00）”）、$time、$size（“2.5 MB”）、$limit、$done
# 和 $total 是文本；$count、$seconds 和 $percent 是数字。

## 所有页面

site-tagline = 只能读一次的秘密
nav-share = 分享秘密
nav-request = 索取秘密
nav-api = API
language-label = 语言
language-browser = 浏览器的语言
language-change = 更改
copy = 复制
copied = 已复制
optional = （可选）
checking = 正在检查链接…
retrying = 连接已断开 — 正在重试…
# “5 分钟后（2026/12/7 18:00）”：何时过期。
when = { $relative }（{ $date }）
progress = { $percent }% — { $done } / { $total }
error-unreachable = 无法连接服务器。请检查网络连接并重新加载。
error-rate-limited = 请求过多。请在 { $seconds } 秒后重试。
error-unavailable = 服务暂时不可用。请稍后重试。
error-too-large = 超出了此服务器接受的上限。
# $code 是 API 的错误代码，例如“ttl_out_of_range”。
error-refused = 服务器拒绝了此操作（{ $code }）。
error-insecure-encrypt = 此浏览器无法在这里加密：该页面需要 HTTPS（或 localhost）。
error-insecure-decrypt = 此浏览器无法在这里解密：该页面需要 HTTPS（或 localhost）。
gone-title = 这里什么都没有

## 时长：秘密可以等待多久

duration-seconds = { $count } 秒
duration-minutes = { $count } 分钟
duration-hours = { $count } 小时
duration-days = { $count } 天

## 分享页面，/

share-title = 分享秘密
share-lede = 秘密在离开此页面之前就由您的浏览器加密，密钥保留在链接中。链接只能打开一次（或您选择的次数），之后秘密便不复存在。
share-noscript = 分享需要 JavaScript：秘密在您的浏览器中加密，服务器永远看不到它。请启用 JavaScript 后再分享。
share-unsupported = 此浏览器无法在这里加密：该页面需要安全连接（HTTPS 或 localhost）。
share-kind = 分享内容
share-kind-text = 文本
share-kind-file = 文件
share-secret = 秘密
share-secret-hint = 密码、密钥，以及任何只应被读一次的内容。
share-file = 文件
share-file-hint = 选择一个不超过 { $limit } 的文件，或将文件拖放到此页面。文件名和内容同样会在您的浏览器中加密。
share-ttl = 有效期
share-views = 可打开次数
share-views-option = { $count } 次
share-passphrase = 口令
share-passphrase-hint = 读者也需要口令：请通过其他途径发送给对方。
share-submit = 创建链接
share-progress = 正在加密并上传
share-result-title = 您的链接已准备好
share-link = 请发送此链接。它最多可以打开 { $count } 次。
share-qr = 也可以用手机扫描此二维码，在手机上打开链接。
share-qr-alt = 待发送链接的二维码
share-receipt = 请保留此链接：它会告诉您秘密是否已被读取，也可以用它销毁秘密。
share-expires = 将在 { $when }过期。
share-another = 再分享一个秘密
share-error-empty = 请先填写秘密。
share-error-too-long = 秘密太长：{ $size }，最多只能容纳 { $limit }。
share-error-drop-one = 请只拖放一个文件。如需分享多个文件，请先将它们打包成压缩文件。
share-error-no-file = 请先选择文件。
share-error-too-large = 文件太大：{ $size }，最多只能分享 { $limit }。
share-error-name-too-long = 文件名太长，无法分享。
share-error-failed = 无法创建链接。请检查网络连接后重试。

## 显示页面，/s/…

reveal-title = 给您的秘密
reveal-noscript = 打开秘密需要 JavaScript：秘密会在您的浏览器中解密。请启用 JavaScript 并重新加载；目前尚未显示任何内容。
reveal-waiting = 有一条秘密在等您
reveal-waiting-file = 有一个文件在等您
reveal-file-note = 这是一个文件。显示它会下载文件，在此浏览器中解密，然后供您保存。
reveal-once = 它只能被读取一次。显示后，它就会从服务器上删除。
reveal-several = 它还能被读取 { $count } 次。最后一次读取后，它就会从服务器上删除。
reveal-expires = 它将在 { $when }过期。
reveal-passphrase = 口令
reveal-submit = 显示
reveal-secret-title = 您的秘密
reveal-secret = 秘密内容
reveal-gone-now = 它现已从服务器上删除。离开此页面前请先复制。
reveal-left = 此链接还能再打开 { $count } 次，之后它就会从服务器上删除。
reveal-file-title = 您的文件
reveal-file-name = 名称
reveal-file-size = 大小
reveal-file-progress = 正在下载并解密
reveal-file-retry = 重新下载
reveal-file-save = 保存文件
reveal-file-save-named = 保存“{ $name }”
reveal-file-gone-now = 它现已从服务器上删除。离开此页面前请先保存。
reveal-file-decrypted = 已解密 { $size }：可以保存了。
reveal-file-expired = 该文件已不在服务器上：下载已过期。
reveal-file-broke = 下载中断了。请重试：在 { $time } 之前仍可下载。
reveal-file-failed-title = 无法解密该文件
reveal-file-failed = 服务器已交出该文件，但收到的内容无法用此链接中的密钥解密：它被篡改、截断或打乱了顺序。没有保存任何内容。请让发送者重新分享。
reveal-gone = 此秘密不存在：它已被读取、销毁或已过期，或者链接有误。如果这是您索取的回复的链接，那么在您的请求得到回复后它才能打开。
reveal-incomplete-title = 此链接不完整
reveal-incomplete = 秘密是在发送者的浏览器中加密的，其密钥就是链接中“#”之后的部分。这部分缺失或已损坏，因此无法在这里打开秘密。尚未显示任何内容：秘密仍在等待。请向发送者索要完整的链接。
reveal-failed-title = 无法打开该秘密
reveal-failed = 服务器已交出该秘密，但此链接中的密钥无法打开它，因此它已丢失。请让发送者重新分享。
reveal-error-no-x25519 = 此浏览器无法打开回复（不支持 X25519）。尚未显示任何内容：请在新版浏览器中打开链接，或使用 burnbox open。
reveal-error-lost = 与服务器的连接已断开，秘密未显示。请尽快再次点击“显示”，不要重新加载此页面：如果服务器已经交出秘密，它会再次交给此页面。
reveal-error-burned = 口令错误。已没有剩余尝试次数：秘密已被销毁。
reveal-error-passphrase = 口令错误。还剩 { $count } 次尝试机会。

## 请求页面，/q 和 /q/…

request-title = 索取秘密
request-lede = 给对方发送一个链接，让对方填写一次秘密。打开回复的密钥由您的浏览器生成，保留在您的链接中，只有您能读取对方发送的内容。
request-noscript = 索取秘密需要 JavaScript：密钥在您的浏览器中生成。请启用 JavaScript 后再索取。
request-unsupported = 此浏览器无法在这里生成密钥：该页面需要安全连接（HTTPS 或 localhost）并支持 X25519。
request-note = 您要索取的内容
request-note-hint = （可选，对方可见）
request-submit = 创建请求链接
request-result-title = 您的请求已准备好
request-link = 请发送此链接。它只能填写一次。
request-answer-link = 请保留此链接：它只能打开回复一次，并且持有回复的唯一密钥。
request-receipt = 而此链接会告诉您请求是否已得到回复，也可以用它取消请求。
request-expires = 请求将在 { $when }过期。在请求得到回复之前，您的回复链接会显示“这里什么都没有”。
request-error-failed = 无法创建请求。请检查网络连接后重试。
fill-title = 秘密请求
fill-noscript = 回复需要 JavaScript：您的回复会在您的浏览器中为索取者加密。请启用 JavaScript 并重新加载。
fill-waiting = 有人向您索取秘密
fill-note = 对方索取的内容：
fill-lede = 您的浏览器会加密回复，只有对方能读取；此链接只能填写一次。它将在 { $when }过期。
fill-answer = 您的回复
fill-submit = 发送
fill-done-title = 已发送
fill-done = 只有索取者能读取它，且只能读取一次。此链接已失效。
fill-gone = 此请求不存在：它已得到回复或已过期，或者链接有误。
fill-error-empty = 请先填写回复。
fill-error-failed = 无法发送回复。请检查网络连接后重试。

## 回执页面，/r/…

receipt-title = 回执
receipt-pending = 等待读取
receipt-pending-detail = 还没有人打开过它。它将于 { $time } 过期。
receipt-revealed = 已读取
receipt-revealed-detail = 它已于 { $time } 被显示，并已从服务器上删除。
receipt-burned = 已销毁
receipt-burned-detail = 它已于 { $time } 在未读状态下被销毁。
receipt-expired = 已过期
receipt-expired-detail = 在 { $time } 过期之前，没有人读取过它。
receipt-created = 创建于 { $time }。
receipt-burn = 立即销毁
receipt-burn-hint = 销毁后，任何人都无法再读取它。

## 错误页面

error-receipt-not-found = 此回执不存在：链接有误，或回执已过期。
error-slow-down-title = 请放慢速度
error-slow-down = 来自您的地址的请求过多。请等待一分钟后重新加载。
error-unavailable-title = 请稍后重试
error-unavailable-page = 服务目前无法访问其存储。请稍后重新加载。
error-title = 出错了
error-page = 服务器无法响应。请重新加载以重试。
