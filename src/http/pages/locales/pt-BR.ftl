# Páginas do burnbox: português do Brasil (tratamento por "você"), traduzido do catálogo
# de referência em inglês (en.ftl). Tem exatamente as mesmas mensagens, mantém cada
# variável e escreve cada plural com as categorias CLDR do português (one, many, other).
#
# As variáveis preenchidas pelo script são formatadas pelo navegador no idioma do leitor:
# $when ("em 5 minutos (7 de dez. de 2026, 18:00)"), $time, $size ("2,5 MB"), $limit, $done
# e $total são texto; $count, $seconds e $percent são números que escolhem um plural.

## Todas as páginas

site-tagline = segredos que são lidos uma única vez
nav-share = Compartilhar um segredo
nav-request = Pedir um segredo
nav-api = API
language-label = Idioma
language-browser = O idioma do navegador
language-change = Alterar
copy = Copiar
copied = Copiado
optional = (opcional)
checking = Verificando o link…
retrying = Conexão perdida — tentando novamente…
# "em 5 minutos (7 de dez. de 2026, 18:00)": quando algo expira.
when = { $relative } ({ $date })
progress = { $percent }% — { $done } de { $total }
error-unreachable = Não foi possível acessar o servidor. Verifique sua conexão e recarregue a página.
error-rate-limited =
    Muitas solicitações. Tente novamente em { $seconds ->
        [one] { $seconds } segundo
        [many] { $seconds } de segundos
       *[other] { $seconds } segundos
    }.
error-unavailable = O serviço está temporariamente indisponível. Tente novamente em instantes.
error-too-large = Isso é mais do que este servidor aceita.
# $code é o código de erro da API, como "ttl_out_of_range".
error-refused = O servidor recusou a operação ({ $code }).
error-insecure-encrypt = Este navegador não consegue criptografar aqui: a página precisa de HTTPS (ou localhost).
error-insecure-decrypt = Este navegador não consegue descriptografar aqui: a página precisa de HTTPS (ou localhost).
gone-title = Nada por aqui

## Durações: por quanto tempo um segredo pode esperar

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
        [one] { $count } dia
        [many] { $count } de dias
       *[other] { $count } dias
    }

## A página de compartilhar, /

share-title = Compartilhar um segredo
share-lede = Seu navegador o criptografa antes que ele saia desta página; a chave fica no link. O link abre uma vez (ou quantas vezes você escolher) e depois o segredo desaparece.
share-noscript = Para compartilhar, é preciso JavaScript: o segredo é criptografado no seu navegador e o servidor nunca o vê. Ative o JavaScript para compartilhar.
share-unsupported = Este navegador não consegue criptografar aqui: a página precisa de uma conexão segura (HTTPS ou localhost).
share-kind = O que compartilhar
share-kind-text = Texto
share-kind-file = Um arquivo
share-secret = Segredo
share-secret-hint = Senhas, chaves, qualquer coisa que deva ser lida uma única vez.
share-file = Arquivo
share-file-hint = Escolha um arquivo de até { $limit } ou solte um nesta página. O nome e o conteúdo dele também são criptografados no seu navegador.
share-ttl = Expira após
share-views = Pode ser aberto
share-views-option =
    { $count ->
        [one] uma vez
        [many] { $count } de vezes
       *[other] { $count } vezes
    }
share-passphrase = Frase secreta
share-passphrase-hint = Quem for ler também vai precisar dela: envie-a por outro meio.
share-submit = Criar link
share-progress = Criptografando e enviando
share-result-title = Seu link está pronto
share-link =
    Envie este link. Ele pode ser aberto { $count ->
        [one] uma vez
        [many] { $count } de vezes
       *[other] { $count } vezes
    }.
share-qr = Ou escaneie este código com um celular para abrir o link nele.
share-qr-alt = Código QR do link a ser enviado
share-receipt = Guarde este: ele informa se o segredo foi lido e permite destruí-lo.
share-expires = Expira { $when }.
share-another = Compartilhar outro segredo
share-error-empty = Escreva o segredo primeiro.
share-error-too-long = O segredo é longo demais: { $size }, e cabem no máximo { $limit }.
share-error-drop-one = Solte um único arquivo. Para compartilhar vários, coloque-os antes em um arquivo compactado.
share-error-no-file = Escolha um arquivo primeiro.
share-error-too-large = O arquivo é grande demais: { $size }, e é possível compartilhar no máximo { $limit }.
share-error-name-too-long = O nome do arquivo é longo demais para ser compartilhado.
share-error-failed = Não foi possível criar o link. Verifique sua conexão e tente novamente.

## A página de revelar, /s/…

reveal-title = Um segredo para você
reveal-noscript = Para abrir um segredo, é preciso JavaScript: ele é descriptografado no seu navegador. Ative o JavaScript e recarregue a página; nada foi revelado.
reveal-waiting = Um segredo está esperando por você
reveal-waiting-file = Um arquivo está esperando por você
reveal-file-note = É um arquivo. Ao revelá-lo, ele é baixado, descriptografado neste navegador e oferecido para você salvar.
reveal-once = Ele pode ser lido uma única vez. Quando você o revelar, ele desaparecerá do servidor.
reveal-several =
    Ele ainda pode ser lido { $count ->
        [one] { $count } vez
        [many] { $count } de vezes
       *[other] { $count } vezes
    }. Depois da última, ele desaparecerá do servidor.
reveal-expires = Ele expira { $when }.
reveal-passphrase = Frase secreta
reveal-submit = Revelar
reveal-secret-title = Seu segredo
reveal-secret = O segredo
reveal-gone-now = Ele não está mais no servidor. Copie-o antes de sair desta página.
reveal-left =
    O link pode ser aberto mais { $count ->
        [one] { $count } vez
        [many] { $count } de vezes
       *[other] { $count } vezes
    }; depois disso, ele desaparecerá do servidor.
reveal-file-title = Seu arquivo
reveal-file-name = Nome
reveal-file-size = Tamanho
reveal-file-progress = Baixando e descriptografando
reveal-file-retry = Tentar baixar novamente
reveal-file-save = Salvar o arquivo
reveal-file-save-named = Salvar “{ $name }”
reveal-file-gone-now = Ele não está mais no servidor. Salve-o antes de sair desta página.
reveal-file-decrypted = Arquivo descriptografado ({ $size }): pronto para salvar.
reveal-file-expired = O arquivo não está mais no servidor: o prazo para baixá-lo expirou.
reveal-file-broke = O download foi interrompido. Tente novamente: é possível até as { $time }.
reveal-file-failed-title = Não foi possível descriptografar o arquivo
reveal-file-failed = O servidor o entregou, mas o que chegou não pode ser descriptografado com a chave deste link: foi alterado, cortado ou reordenado. Nada foi salvo. Peça a quem o enviou que o compartilhe de novo.
reveal-gone = Este segredo não existe: ele já foi lido, destruído ou expirou, ou o link está errado. Se for o link para uma resposta que você pediu, ele abrirá quando seu pedido for respondido.
reveal-incomplete-title = Este link está incompleto
reveal-incomplete = O segredo foi criptografado no navegador de quem o enviou, e a chave dele é a parte do link depois de “#”. Essa parte está faltando ou danificada, então o segredo não pode ser aberto aqui. Nada foi revelado: ele continua esperando. Peça o link completo a quem o enviou.
reveal-failed-title = Não foi possível abrir o segredo
reveal-failed = O servidor o entregou, mas a chave deste link não o abre, então ele foi perdido. Peça a quem o enviou que o compartilhe de novo.
reveal-error-no-x25519 = Este navegador não consegue abrir respostas (não tem suporte a X25519). Nada foi revelado: abra o link em um navegador atualizado ou com burnbox open.
reveal-error-lost = A conexão com o servidor foi perdida e o segredo não foi exibido. Pressione Revelar de novo em breve, sem recarregar esta página: se o servidor já o entregou, ele o entregará de novo a esta página.
reveal-error-burned = Frase secreta incorreta. Não restam tentativas: o segredo foi destruído.
reveal-error-passphrase =
    Frase secreta incorreta. { $count ->
        [one] Resta { $count } tentativa.
        [many] Restam { $count } de tentativas.
       *[other] Restam { $count } tentativas.
    }

## As páginas de pedido, /q e /q/…

request-title = Pedir um segredo
request-lede = Envie a alguém um link onde a pessoa preenche um segredo, uma única vez. Seu navegador cria a chave que abre a resposta; ela fica no seu link, e só você pode ler o que a pessoa enviar.
request-noscript = Para pedir um segredo, é preciso JavaScript: a chave é criada no seu navegador. Ative o JavaScript para fazer o pedido.
request-unsupported = Este navegador não consegue criar a chave aqui: a página precisa de uma conexão segura (HTTPS ou localhost) e de suporte a X25519.
request-note = O que você está pedindo
request-note-hint = (opcional, a outra pessoa verá)
request-submit = Criar link de pedido
request-result-title = Seu pedido está pronto
request-link = Envie este link. Ele pode ser preenchido uma única vez.
request-answer-link = Guarde este: ele abre a resposta uma única vez e contém a única chave para lê-la.
request-receipt = E este informa se o pedido foi respondido e permite cancelá-lo.
request-expires = O pedido expira { $when }. Seu link de resposta mostra “Nada por aqui” até que o pedido seja respondido.
request-error-failed = Não foi possível criar o pedido. Verifique sua conexão e tente novamente.
fill-title = Um pedido de segredo
fill-noscript = Para responder, é preciso JavaScript: sua resposta é criptografada no seu navegador para a pessoa que fez o pedido. Ative o JavaScript e recarregue a página.
fill-waiting = Alguém está pedindo um segredo a você
fill-note = A pessoa pede:
fill-lede = Seu navegador criptografa a resposta só para essa pessoa; o link pode ser preenchido uma única vez. Ele expira { $when }.
fill-answer = Sua resposta
fill-submit = Enviar
fill-done-title = Resposta enviada
fill-done = Só a pessoa que fez o pedido pode lê-la, uma única vez. Este link já foi usado.
fill-gone = Este pedido não existe: ele já foi respondido ou expirou, ou o link está errado.
fill-error-empty = Escreva a resposta primeiro.
fill-error-failed = Não foi possível enviar a resposta. Verifique sua conexão e tente novamente.

## A página do comprovante, /r/…

receipt-title = Comprovante
receipt-pending = Aguardando leitura
receipt-pending-detail = Ninguém o abriu ainda. Ele expira em { $time }.
receipt-revealed = Lido
receipt-revealed-detail = Ele foi revelado em { $time } e não está mais no servidor.
receipt-burned = Destruído
receipt-burned-detail = Ele foi destruído em { $time }, sem ter sido lido.
receipt-expired = Expirado
receipt-expired-detail = Ninguém o leu antes que ele expirasse em { $time }.
receipt-created = Criado em { $time }.
receipt-burn = Destruir agora
receipt-burn-hint = Depois disso, ninguém poderá lê-lo.

## Páginas de erro

error-receipt-not-found = Este comprovante não existe: o link está errado ou o comprovante expirou.
error-slow-down-title = Mais devagar
error-slow-down = Muitas solicitações vindas do seu endereço. Aguarde um minuto e recarregue a página.
error-unavailable-title = Tente novamente em instantes
error-unavailable-page = O serviço não consegue acessar o armazenamento no momento. Recarregue a página daqui a pouco.
error-title = Algo deu errado
error-page = O servidor não conseguiu responder. Recarregue a página para tentar novamente.
