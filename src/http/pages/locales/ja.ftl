# burnbox のページ: 日本語（ja）の翻訳カタログ。メッセージは英語（en.ftl）と同じで、
# 変数はすべて保ち、複数形は日本語の CLDR カテゴリ（other のみ）で書いています。
#
# スクリプトが埋め込む変数は、ブラウザーが読み手の言語で整形します:
# $when（「5分後（2026/12/7 18:00）」）、$time、$size（「2.5 MB」）、$limit、$done、
# $total は文字列です。$count、$seconds、$percent は数値です。

## すべてのページ

site-tagline = 一度だけ読めるシークレット
nav-share = シークレットを共有
nav-request = シークレットを依頼
nav-api = API
language-label = 言語
language-browser = ブラウザーの言語
language-change = 変更
copy = コピー
copied = コピーしました
optional = （任意）
checking = リンクを確認しています…
retrying = 接続が切れました — 再試行しています…
# 「5分後（2026/12/7 18:00）」: 期限が切れる日時。
when = { $relative }（{ $date }）
progress = { $percent }% — { $done } / { $total }
error-unreachable = サーバーに接続できませんでした。接続を確認して、再読み込みしてください。
error-rate-limited = リクエストが多すぎます。{ $seconds } 秒後にもう一度お試しください。
error-unavailable = サービスが一時的に利用できません。しばらくしてからもう一度お試しください。
error-too-large = このサーバーが受け付ける上限を超えています。
# $code は API のエラーコードです（例: 「ttl_out_of_range」）。
error-refused = サーバーに拒否されました（{ $code }）。
error-insecure-encrypt = このブラウザーはここでは暗号化できません。このページには HTTPS（または localhost）が必要です。
error-insecure-decrypt = このブラウザーはここでは復号できません。このページには HTTPS（または localhost）が必要です。
gone-title = 何もありません

## 期間（シークレットを保管できる長さ）

duration-seconds = { $count } 秒
duration-minutes = { $count } 分
duration-hours = { $count } 時間
duration-days = { $count } 日

## 共有ページ（/）

share-title = シークレットを共有
share-lede = シークレットは、このページから送信される前にブラウザーで暗号化され、鍵はリンクの中に残ります。リンクを開けるのは 1 回（または指定した回数）だけで、その後シークレットは消えます。
share-noscript = 共有には JavaScript が必要です。シークレットはブラウザーで暗号化され、サーバーがその内容を見ることはありません。共有するには JavaScript を有効にしてください。
share-unsupported = このブラウザーはここでは暗号化できません。このページには安全な接続（HTTPS または localhost）が必要です。
share-kind = 共有するもの
share-kind-text = テキスト
share-kind-file = ファイル
share-secret = シークレット
share-secret-hint = パスワードや鍵など、一度だけ読まれるべきもの。
share-file = ファイル
share-file-hint = { $limit } までのファイルを選ぶか、このページにドロップしてください。ファイル名と内容もブラウザーで暗号化されます。
share-ttl = 有効期間
share-views = 開ける回数
share-views-option = { $count } 回
share-passphrase = パスフレーズ
share-passphrase-hint = 受け取る人にも必要です。別の方法で伝えてください。
share-submit = リンクを作成
share-progress = 暗号化してアップロードしています
share-result-title = リンクの準備ができました
share-link = このリンクを送ってください。開けるのは { $count } 回までです。
share-qr = または、このコードをスマートフォンで読み取ると、そこでリンクを開けます。
share-qr-alt = 送信するリンクの QR コード
share-receipt = こちらは手元に保管してください。シークレットが読まれたかどうかを確認でき、焼却することもできます。
share-expires = { $when }に期限が切れます。
share-another = 別のシークレットを共有
share-error-empty = 先にシークレットを入力してください。
share-error-too-long = シークレットが長すぎます（{ $size }）。上限は { $limit } です。
share-error-drop-one = ファイルは 1 つだけドロップしてください。複数を共有するには、先にアーカイブにまとめてください。
share-error-no-file = 先にファイルを選んでください。
share-error-too-large = ファイルが大きすぎます（{ $size }）。共有できるのは { $limit } までです。
share-error-name-too-long = ファイル名が長すぎるため共有できません。
share-error-failed = リンクを作成できませんでした。接続を確認して、もう一度お試しください。

## 表示ページ（/s/…）

reveal-title = あなたへのシークレット
reveal-noscript = シークレットを開くには JavaScript が必要です。シークレットはブラウザーで復号されます。JavaScript を有効にして再読み込みしてください。まだ何も表示されていません。
reveal-waiting = シークレットが届いています
reveal-waiting-file = ファイルが届いています
reveal-file-note = これはファイルです。表示すると、ファイルをダウンロードしてこのブラウザーで復号し、保存できるようにします。
reveal-once = 読めるのは 1 回だけです。表示すると、サーバーから消去されます。
reveal-several = あと { $count } 回読めます。最後に読まれると、サーバーから消去されます。
reveal-expires = { $when }に期限が切れます。
reveal-passphrase = パスフレーズ
reveal-submit = 表示
reveal-secret-title = あなたのシークレット
reveal-secret = シークレット
reveal-gone-now = シークレットはサーバーから消去されました。このページを離れる前にコピーしてください。
reveal-left = このリンクはあと { $count } 回開けます。その後はサーバーから消去されます。
reveal-file-title = あなたのファイル
reveal-file-name = 名前
reveal-file-size = サイズ
reveal-file-progress = ダウンロードして復号しています
reveal-file-retry = もう一度ダウンロード
reveal-file-save = ファイルを保存
reveal-file-save-named = 「{ $name }」を保存
reveal-file-gone-now = ファイルはサーバーから消去されました。このページを離れる前に保存してください。
reveal-file-decrypted = { $size } を復号しました。保存できます。
reveal-file-expired = ファイルはもうサーバーにありません。ダウンロードの期限が切れました。
reveal-file-broke = ダウンロードが中断されました。もう一度お試しください。{ $time } までは再試行できます。
reveal-file-failed-title = ファイルを復号できませんでした
reveal-file-failed = サーバーからは受け取りましたが、届いたデータはこのリンクの鍵で復号できません。改ざんされたか、途中で切れたか、順序が入れ替わっています。何も保存されていません。送信者にもう一度共有してもらってください。
reveal-gone = このシークレットは存在しません。すでに読まれたか、焼却されたか、期限が切れたか、リンクが間違っています。あなたが依頼した回答のリンクであれば、依頼に回答があると開けるようになります。
reveal-incomplete-title = このリンクは不完全です
reveal-incomplete = シークレットは送信者のブラウザーで暗号化されており、その鍵はリンクの「#」より後ろの部分です。その部分が欠けているか壊れているため、ここではシークレットを開けません。何も表示されておらず、シークレットはまだ残っています。送信者にリンク全体を送ってもらってください。
reveal-failed-title = シークレットを開けませんでした
reveal-failed = サーバーからは受け取りましたが、このリンクの鍵では開けないため、シークレットは失われました。送信者にもう一度共有してもらってください。
reveal-error-no-x25519 = このブラウザーは回答を開けません（X25519 に対応していません）。何も表示されていません。最新のブラウザーか burnbox open でリンクを開いてください。
reveal-error-lost = サーバーとの接続が切れたため、シークレットは表示されませんでした。このページを再読み込みせずに、すぐにもう一度「表示」を押してください。サーバーがすでにシークレットを渡していた場合は、このページにもう一度渡します。
reveal-error-burned = パスフレーズが違います。試行回数が残っていないため、シークレットは焼却されました。
reveal-error-passphrase = パスフレーズが違います。残りの試行回数は { $count } 回です。

## 依頼ページ（/q と /q/…）

request-title = シークレットを依頼
request-lede = 相手にリンクを送り、シークレットを 1 回だけ入力してもらいます。回答を開く鍵はあなたのブラウザーが作成し、あなたのリンクの中に残ります。相手が送った内容を読めるのはあなただけです。
request-noscript = 依頼には JavaScript が必要です。鍵はブラウザーで作成されます。依頼するには JavaScript を有効にしてください。
request-unsupported = このブラウザーはここでは鍵を作成できません。このページには安全な接続（HTTPS または localhost）と X25519 への対応が必要です。
request-note = 依頼する内容
request-note-hint = （任意、相手に表示されます）
request-submit = 依頼リンクを作成
request-result-title = 依頼の準備ができました
request-link = このリンクを送ってください。入力できるのは 1 回だけです。
request-answer-link = こちらは手元に保管してください。回答を 1 回だけ開けるリンクで、回答を開く唯一の鍵が含まれています。
request-receipt = こちらでは、回答があったかどうかを確認でき、依頼を取り消すこともできます。
request-expires = 依頼は { $when }に期限が切れます。依頼に回答があるまで、回答リンクには「何もありません」と表示されます。
request-error-failed = 依頼を作成できませんでした。接続を確認して、もう一度お試しください。
fill-title = シークレットの依頼
fill-noscript = 回答には JavaScript が必要です。回答は依頼した人のために、あなたのブラウザーで暗号化されます。JavaScript を有効にして再読み込みしてください。
fill-waiting = シークレットの依頼が届いています
fill-note = 依頼内容:
fill-lede = 回答はブラウザーで依頼者だけが読めるように暗号化されます。このリンクで入力できるのは 1 回だけです。{ $when }に期限が切れます。
fill-answer = 回答
fill-submit = 送信
fill-done-title = 送信しました
fill-done = 読めるのは依頼した人だけで、1 回限りです。このリンクはもう使えません。
fill-gone = この依頼は存在しません。すでに回答されたか、期限が切れたか、リンクが間違っています。
fill-error-empty = 先に回答を入力してください。
fill-error-failed = 回答を送信できませんでした。接続を確認して、もう一度お試しください。

## 控えのページ（/r/…）

receipt-title = 控え
receipt-pending = 未読
receipt-pending-detail = まだ誰も開いていません。{ $time } に期限が切れます。
receipt-revealed = 既読
receipt-revealed-detail = { $time } に表示され、サーバーから消去されました。
receipt-burned = 焼却済み
receipt-burned-detail = { $time } に未読のまま焼却されました。
receipt-expired = 期限切れ
receipt-expired-detail = 誰にも読まれないまま、{ $time } に期限が切れました。
receipt-created = 作成日時: { $time }
receipt-burn = 今すぐ焼却
receipt-burn-hint = 焼却すると、誰も読めなくなります。

## エラーページ

error-receipt-not-found = この控えは存在しません。リンクが間違っているか、控えの期限が切れています。
error-slow-down-title = 少し待ってください
error-slow-down = お使いのアドレスからのリクエストが多すぎます。1 分待ってから再読み込みしてください。
error-unavailable-title = しばらくしてからお試しください
error-unavailable-page = サービスが現在ストレージに接続できません。少し待ってから再読み込みしてください。
error-title = 問題が発生しました
error-page = サーバーが応答できませんでした。再読み込みしてもう一度お試しください。
