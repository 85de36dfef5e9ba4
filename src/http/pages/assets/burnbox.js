// burnbox pages: encryption in the browser and the calls to the API.
//
// The end-to-end format (the README has it in full, with a worked example):
// the key is 32 random bytes, base64url without padding, carried only in the link's
// fragment; the secret the server stores is "e2e1." + base64url(nonce ‖ AES-256-GCM
// ciphertext ‖ tag), a fresh 12-byte nonce, no associated data.

const PREFIX = "e2e1.";
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function encode(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new Error("not base64url");
  }
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

/** The length in characters of an envelope holding `bytes` bytes of text. */
function envelopeLength(bytes) {
  const sealed = NONCE_BYTES + bytes + TAG_BYTES;
  return PREFIX.length + Math.floor(sealed / 3) * 4 + [0, 2, 3][sealed % 3];
}

async function aesKey(raw, usage) {
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, [usage]);
}

/** Encrypts `text` under a fresh key: the envelope for the server, the key for the link. */
export async function seal(text) {
  const raw = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const key = await aesKey(raw, "encrypt");
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce }, key, new TextEncoder().encode(text)),
  );
  const bytes = new Uint8Array(NONCE_BYTES + sealed.length);
  bytes.set(nonce);
  bytes.set(sealed, NONCE_BYTES);
  return { envelope: PREFIX + encode(bytes), key: encode(raw) };
}

/** Whether a link's fragment can be a key: 32 bytes of base64url. */
export function isKey(text) {
  try {
    return decode(text).length === KEY_BYTES;
  } catch {
    return false;
  }
}

/** Decrypts an envelope with the key from the link; throws when it does not open. */
export async function open(envelope, keyText) {
  if (!envelope.startsWith(PREFIX)) throw new Error("not an e2e1 envelope");
  const bytes = decode(envelope.slice(PREFIX.length));
  if (bytes.length <= NONCE_BYTES + TAG_BYTES) throw new Error("envelope too short");
  const key = await aesKey(decode(keyText), "decrypt");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.subarray(0, NONCE_BYTES) },
    key,
    bytes.subarray(NONCE_BYTES),
  );
  return new TextDecoder("utf-8", { fatal: true }).decode(plain);
}

// Answers to requests (the README has the format): sealed to the requester's X25519
// public key with an ephemeral key, HKDF-SHA256 (salt: ephemeral then recipient public
// key), AES-256-GCM; "sb1." + base64url(ephemeral ‖ nonce ‖ ciphertext ‖ tag).
const SEALED_PREFIX = "sb1.";
const SEALED_INFO = new TextEncoder().encode("burnbox request answer v1");
// PKCS #8 of an X25519 private key, before its 32 bytes (RFC 8410).
const X25519_PKCS8 = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20];

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function boxKey(privateKey, peerRaw, ephemeralRaw, recipientRaw, usage) {
  const peer = await crypto.subtle.importKey("raw", peerRaw, { name: "X25519" }, false, []);
  const shared = await crypto.subtle.deriveBits({ name: "X25519", public: peer }, privateKey, 256);
  const ikm = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: concat(ephemeralRaw, recipientRaw), info: SEALED_INFO },
    ikm,
    { name: "AES-GCM", length: 256 },
    false,
    [usage],
  );
}

/** A fresh key pair for a request: the public half for the server, the private for the link. */
async function requestKeys() {
  const pair = await crypto.subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]);
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  return { publicKey: jwk.x, privateKey: jwk.d };
}

/** Seals `text` to a requester's public key (base64url). */
async function sealTo(publicText, text) {
  const recipient = decode(publicText);
  const ephemeral = await crypto.subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]);
  const ephemeralRaw = new Uint8Array(await crypto.subtle.exportKey("raw", ephemeral.publicKey));
  const key = await boxKey(ephemeral.privateKey, recipient, ephemeralRaw, recipient, "encrypt");
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce }, key, new TextEncoder().encode(text)),
  );
  return SEALED_PREFIX + encode(concat(ephemeralRaw, nonce, sealed));
}

async function importPrivate(privateText) {
  const der = concat(Uint8Array.from(X25519_PKCS8), decode(privateText));
  return crypto.subtle.importKey("pkcs8", der, { name: "X25519" }, true, ["deriveBits"]);
}

/** Whether this browser can use the private key from an answer link (X25519). */
async function canOpenSealed(privateText) {
  try {
    await importPrivate(privateText);
    return true;
  } catch {
    return false;
  }
}

/** Opens an answer with the private key from the requester's link. */
async function openSealed(envelope, privateText) {
  const bytes = decode(envelope.slice(SEALED_PREFIX.length));
  if (bytes.length <= KEY_BYTES + NONCE_BYTES + TAG_BYTES) throw new Error("answer too short");
  const privateKey = await importPrivate(privateText);
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  const ephemeral = bytes.subarray(0, KEY_BYTES);
  const key = await boxKey(privateKey, ephemeral, ephemeral, decode(jwk.x), "decrypt");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.subarray(KEY_BYTES, KEY_BYTES + NONCE_BYTES) },
    key,
    bytes.subarray(KEY_BYTES + NONCE_BYTES),
  );
  return new TextDecoder("utf-8", { fatal: true }).decode(plain);
}

async function api(method, path, body) {
  const init = { method, cache: "no-store", credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { status: response.status, data, retryAfter: response.headers.get("Retry-After") };
}

function show(element, visible) {
  element.hidden = !visible;
}

function say(element, text) {
  element.textContent = text;
  show(element, Boolean(text));
}

function when(rfc3339) {
  const at = new Date(rfc3339);
  const minutes = Math.round((at.getTime() - Date.now()) / 60000);
  let relative;
  if (minutes < 60) relative = `in ${Math.max(minutes, 1)} minute${minutes === 1 ? "" : "s"}`;
  else if (minutes < 48 * 60) relative = `in ${Math.round(minutes / 60)} hours`;
  else relative = `in ${Math.round(minutes / 1440)} days`;
  return `${relative} (${at.toLocaleString()})`;
}

function problem(reply) {
  const message = reply.data && reply.data.message;
  if (reply.status === 429) {
    return `Too many requests. Try again in ${reply.retryAfter || "a few"} seconds.`;
  }
  if (reply.status === 503) return "The service is briefly unavailable. Try again shortly.";
  return message ? `${message[0].toUpperCase()}${message.slice(1)}.` : `Failed (HTTP ${reply.status}).`;
}

function copyButtons() {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
      } catch {
        document.execCommand("copy");
      }
      const label = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => {
        button.textContent = label;
      }, 2000);
    });
  }
}

function sharePage(root) {
  const form = document.getElementById("share-form");
  const submit = document.getElementById("share-submit");
  const error = document.getElementById("share-error");
  if (!window.isSecureContext || !crypto.subtle) {
    show(document.getElementById("share-unsupported"), true);
    return;
  }
  const maxBytes = Number(root.dataset.maxBytes);
  submit.disabled = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, "");
    const text = document.getElementById("secret").value;
    const passphrase = document.getElementById("passphrase").value;
    if (!text) {
      say(error, "Write the secret first.");
      return;
    }
    const bytes = new TextEncoder().encode(text).length;
    if (envelopeLength(bytes) > maxBytes) {
      const room = Math.floor(((maxBytes - PREFIX.length) * 3) / 4) - NONCE_BYTES - TAG_BYTES;
      say(error, `The secret is too long: ${bytes} bytes, and at most ${room} fit.`);
      return;
    }
    submit.disabled = true;
    try {
      const { envelope, key } = await seal(text);
      const views = Number(document.getElementById("views").value);
      const body = { secret: envelope, ttl: Number(document.getElementById("ttl").value), e2e: true };
      if (views > 1) body.max_views = views;
      if (passphrase) body.passphrase = passphrase;
      const reply = await api("POST", "/api/secrets", body);
      if (reply.status !== 201) {
        say(error, problem(reply));
        return;
      }
      const created = reply.data;
      const shareBase = created.share_url || `${location.origin}/s/${created.secret_key}`;
      const receipt = created.receipt_url || `${location.origin}/r/${created.receipt_key}`;
      document.getElementById("share-link").value = `${shareBase}#${key}`;
      document.getElementById("receipt-link").value = receipt;
      document.getElementById("share-expires").textContent = when(created.expires_at);
      document.getElementById("share-views").textContent =
        views > 1 ? `${views} times` : "once";
      form.reset();
      show(form, false);
      show(document.getElementById("share-result"), true);
      document.getElementById("share-result-title").focus();
    } catch (failure) {
      say(error, `Could not create the link: ${failure.message}`);
    } finally {
      submit.disabled = false;
    }
  });
}

function revealPage() {
  // /s/{key}, /secret/{key}, /p/{key} and /p/{key}/r: the key is the second segment.
  const secretKey = location.pathname.split("/").filter(Boolean)[1] || "";
  const fragment = location.hash.slice(1);
  const sections = ["checking", "waiting", "secret", "gone", "incomplete", "failed"];
  const view = (name) => {
    for (const section of sections) {
      show(document.getElementById(`reveal-${section}`), section === name);
    }
    const heading = document.querySelector(`#reveal-${name} h1`);
    if (heading && name !== "waiting") heading.focus();
  };
  const form = document.getElementById("reveal-form");
  const submit = document.getElementById("reveal-submit");
  const error = document.getElementById("reveal-error");
  const passphraseInput = document.getElementById("reveal-passphrase");
  let status;

  async function check() {
    const reply = await api("GET", `/api/secrets/${encodeURIComponent(secretKey)}`);
    if (reply.status === 404) return view("gone");
    if (reply.status !== 200) {
      view("waiting");
      say(error, problem(reply));
      return;
    }
    status = reply.data;
    if (status.e2e && !isKey(fragment)) return view("incomplete");
    if (status.e2e && (!window.isSecureContext || !crypto.subtle)) {
      view("waiting");
      say(error, "This browser cannot decrypt here: the page needs HTTPS (or localhost).");
      return;
    }
    // An answer to a request opens only with X25519: find out before it is handed out.
    if (status.answer && !(await canOpenSealed(fragment))) {
      view("waiting");
      say(
        error,
        "This browser cannot open answers (it lacks X25519). Nothing was revealed: open the link in a current browser, or with burnbox open.",
      );
      return;
    }
    document.getElementById("reveal-expires").textContent = when(status.expires_at);
    const several = status.views_left > 1;
    show(document.getElementById("reveal-once"), !several);
    show(document.getElementById("reveal-several"), several);
    document.getElementById("reveal-views-left").textContent = String(status.views_left);
    show(document.getElementById("reveal-passphrase-field"), status.passphrase_required);
    passphraseInput.required = status.passphrase_required;
    submit.disabled = false;
    view("waiting");
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, "");
    submit.disabled = true;
    const body = status.passphrase_required ? { passphrase: passphraseInput.value } : {};
    try {
      const reply = await api("POST", `/api/secrets/${encodeURIComponent(secretKey)}/reveal`, body);
      if (reply.status === 404) return view("gone");
      if (reply.status === 403 && reply.data && reply.data.attempts_left === 0) {
        say(error, "Wrong passphrase. No attempts are left: the secret is burned.");
        return;
      }
      if (reply.status === 403 && reply.data && reply.data.attempts_left !== undefined) {
        const left = reply.data.attempts_left;
        say(error, `Wrong passphrase. ${left} attempt${left === 1 ? "" : "s"} left.`);
        submit.disabled = false;
        passphraseInput.select();
        return;
      }
      if (reply.status !== 200) {
        say(error, problem(reply));
        submit.disabled = false;
        return;
      }
      let text = reply.data.secret;
      if (reply.data.e2e) {
        try {
          text = text.startsWith(SEALED_PREFIX)
            ? await openSealed(text, fragment)
            : await open(text, fragment);
        } catch {
          return view("failed");
        }
      }
      // The key has done its work: keep it out of the history and the address bar.
      history.replaceState(null, "", location.pathname);
      document.getElementById("revealed").value = text;
      const left = reply.data.views_left || 0;
      show(document.getElementById("revealed-gone"), left === 0);
      show(document.getElementById("revealed-left"), left > 0);
      document.getElementById("revealed-views-left").textContent =
        `${left} more time${left === 1 ? "" : "s"}`;
      view("secret");
    } catch (failure) {
      say(error, `Could not reach the server: ${failure.message}`);
      submit.disabled = false;
    }
  });

  check().catch((failure) => {
    view("waiting");
    say(error, `Could not reach the server: ${failure.message}`);
  });
}

function requestPage() {
  const form = document.getElementById("request-form");
  const submit = document.getElementById("request-submit");
  const error = document.getElementById("request-error");
  if (!window.isSecureContext || !crypto.subtle) {
    show(document.getElementById("request-unsupported"), true);
    return;
  }
  submit.disabled = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, "");
    submit.disabled = true;
    try {
      const keys = await requestKeys();
      const body = { public_key: keys.publicKey };
      const note = document.getElementById("request-note").value;
      if (note) body.note = note;
      const reply = await api("POST", "/api/requests", body);
      if (reply.status !== 201) {
        say(error, problem(reply));
        return;
      }
      const made = reply.data;
      document.getElementById("request-link").value =
        made.request_url || `${location.origin}/q/${made.request_key}`;
      document.getElementById("answer-link").value =
        `${location.origin}/s/${made.answer_key}#${keys.privateKey}`;
      document.getElementById("request-receipt-link").value = `${location.origin}/r/${made.receipt_key}`;
      document.getElementById("request-expires").textContent = when(made.expires_at);
      form.reset();
      show(form, false);
      show(document.getElementById("request-result"), true);
      document.getElementById("request-result-title").focus();
    } catch (failure) {
      say(error, `Could not create the request: ${failure.message}`);
    } finally {
      submit.disabled = false;
    }
  });
}

function fillPage() {
  const requestKey = location.pathname.split("/").filter(Boolean)[1] || "";
  const view = (name) => {
    for (const section of ["checking", "waiting", "done", "gone"]) {
      show(document.getElementById(`fill-${section}`), section === name);
    }
    const heading = document.querySelector(`#fill-${name} h1`);
    if (heading && name !== "waiting") heading.focus();
  };
  const form = document.getElementById("fill-form");
  const submit = document.getElementById("fill-submit");
  const error = document.getElementById("fill-error");
  let publicKey;
  async function check() {
    const reply = await api("GET", `/api/requests/${encodeURIComponent(requestKey)}`);
    if (reply.status === 404) return view("gone");
    view("waiting");
    if (reply.status !== 200) return say(error, problem(reply));
    if (!window.isSecureContext || !crypto.subtle) {
      return say(error, "This browser cannot encrypt here: the page needs HTTPS (or localhost).");
    }
    publicKey = reply.data.public_key;
    if (reply.data.note) {
      document.getElementById("fill-note").textContent = reply.data.note;
      show(document.getElementById("fill-note-line"), true);
    }
    document.getElementById("fill-expires").textContent = when(reply.data.expires_at);
    submit.disabled = false;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, "");
    const text = document.getElementById("fill-secret").value;
    if (!text) return say(error, "Write the answer first.");
    submit.disabled = true;
    try {
      const sealed = await sealTo(publicKey, text);
      const reply = await api("POST", `/api/requests/${encodeURIComponent(requestKey)}/answer`, { sealed });
      if (reply.status === 404) return view("gone");
      if (reply.status !== 201) {
        say(error, problem(reply));
        submit.disabled = false;
        return;
      }
      form.reset();
      view("done");
    } catch (failure) {
      say(error, `Could not send the answer: ${failure.message}`);
      submit.disabled = false;
    }
  });
  check().catch((failure) => {
    view("waiting");
    say(error, `Could not reach the server: ${failure.message}`);
  });
}

if (document.getElementById("request")) requestPage();
if (document.getElementById("fill")) fillPage();
const share = document.getElementById("share");
if (share) sharePage(share);
if (document.getElementById("reveal")) revealPage();
copyButtons();
