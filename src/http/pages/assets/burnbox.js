// burnbox pages: encryption in the browser and the calls to the API.
//
// The end-to-end format (docs/security.md has it in full, with a worked example): the key
// is 32 random bytes, base64url without padding, carried only in the link's fragment.
// HKDF-SHA256 (no salt) derives from it the text key (info "burnbox e2e2 text") and the
// reveal proof (info "burnbox reveal"); the verifier is SHA-256 of the proof. The secret
// the server stores is "e2e2." + base64url(verifier ‖ nonce ‖ AES-256-GCM ciphertext ‖
// tag) under the text key, a fresh 12-byte nonce, the verifier as associated data; a
// reveal presents the proof. Older links hold "e2e1." + base64url(nonce ‖ ciphertext ‖
// tag) under the key itself, with no associated data: they still open.

const PREFIX = "e2e2.";
const PREFIX_V1 = "e2e1.";
const KEY_BYTES = 32;
const VERIFIER_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const TEXT_KEY_INFO = new TextEncoder().encode("burnbox e2e2 text");
const PROOF_INFO = new TextEncoder().encode("burnbox reveal");

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
  const sealed = VERIFIER_BYTES + NONCE_BYTES + bytes + TAG_BYTES;
  return PREFIX.length + Math.floor(sealed / 3) * 4 + [0, 2, 3][sealed % 3];
}

/** HKDF-SHA256 with no salt: 32 bytes for `info` from the key's raw bytes. */
async function hkdf(raw, info) {
  const ikm = await crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info },
    ikm,
    256,
  );
  return new Uint8Array(bits);
}

/** What a link's key stands for (base64url each): its reveal proof, the proof's verifier,
 * and the text key of its e2e2 envelope. */
export async function derive(keyText) {
  const raw = decode(keyText);
  const proof = await hkdf(raw, PROOF_INFO);
  const verifier = new Uint8Array(await crypto.subtle.digest("SHA-256", proof));
  const textKey = await hkdf(raw, TEXT_KEY_INFO);
  return { proof: encode(proof), verifier: encode(verifier), textKey: encode(textKey) };
}

/** The reveal proof an e2e2 secret's reveal (and a viewer's burn) presents. */
export async function revealProof(keyText) {
  return encode(await hkdf(decode(keyText), PROOF_INFO));
}

async function aesKey(raw, usage) {
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, [usage]);
}

/** Encrypts `text` under a fresh key: the envelope for the server, the key for the link. */
export async function seal(text) {
  const key = encode(crypto.getRandomValues(new Uint8Array(KEY_BYTES)));
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  return { envelope: await sealWithNonce(key, nonce, text), key };
}

/** Encrypts `text` as e2e2 under the key (base64url) and `nonce`. A nonce must never be
 * used twice with a key: only `seal` and the worked example call this. */
export async function sealWithNonce(keyText, nonce, text) {
  const derived = await derive(keyText);
  const verifier = decode(derived.verifier);
  const key = await aesKey(decode(derived.textKey), "encrypt");
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce, additionalData: verifier },
      key,
      new TextEncoder().encode(text),
    ),
  );
  return PREFIX + encode(concat(verifier, nonce, sealed));
}

/** Whether a link's fragment can be a key: 32 bytes of base64url. */
export function isKey(text) {
  try {
    return decode(text).length === KEY_BYTES;
  } catch {
    return false;
  }
}

/** Decrypts an envelope (e2e2 or e2e1) with the key from the link; throws when it does not
 * open. */
export async function open(envelope, keyText) {
  let bytes;
  let textKey;
  let additionalData = new Uint8Array(0);
  if (envelope.startsWith(PREFIX)) {
    bytes = decode(envelope.slice(PREFIX.length));
    if (bytes.length <= VERIFIER_BYTES + NONCE_BYTES + TAG_BYTES) throw new Error("envelope too short");
    additionalData = bytes.subarray(0, VERIFIER_BYTES);
    bytes = bytes.subarray(VERIFIER_BYTES);
    textKey = decode((await derive(keyText)).textKey);
  } else if (envelope.startsWith(PREFIX_V1)) {
    bytes = decode(envelope.slice(PREFIX_V1.length));
    if (bytes.length <= NONCE_BYTES + TAG_BYTES) throw new Error("envelope too short");
    textKey = decode(keyText);
  } else {
    throw new Error("not an e2e2 or e2e1 envelope");
  }
  const key = await aesKey(textKey, "decrypt");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.subarray(0, NONCE_BYTES), additionalData },
    key,
    bytes.subarray(NONCE_BYTES),
  );
  return new TextDecoder("utf-8", { fatal: true }).decode(plain);
}

// Files ("e2e2 file", docs/security.md): the name, type and size go as an e2e2 envelope
// of JSON, the content in chunks of 1 MiB − 128 bytes (a sealed chunk then stays within
// 1 MiB, which Redis stores without rounding up). Chunk i is AES-256-GCM under the file
// key (HKDF-SHA256 of the link's key, info "burnbox e2e2 file"), with the nonce 000000 ‖
// u64be(i) ‖ 01 on the last chunk, 00 before, and the verifier as associated data: a
// chunk dropped, cut short or moved does not decrypt.
const FILE_KEY_INFO = new TextEncoder().encode("burnbox e2e2 file");
const CHUNK_BYTES = 1048448;
const SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES;

/** What encrypts or decrypts the chunks of a link's file: the file key and the verifier. */
export async function fileCipher(keyText, usage) {
  const derived = await derive(keyText);
  return {
    key: await aesKey(await hkdf(decode(keyText), FILE_KEY_INFO), usage),
    verifier: decode(derived.verifier),
  };
}

function chunkParameters(cipher, index, last) {
  const iv = new Uint8Array(NONCE_BYTES);
  new DataView(iv.buffer).setBigUint64(3, BigInt(index));
  iv[NONCE_BYTES - 1] = last ? 1 : 0;
  return { name: "AES-GCM", iv, additionalData: cipher.verifier };
}

/** Chunk `index` of a file, encrypted: ciphertext ‖ tag. */
export async function sealChunk(cipher, index, last, plain) {
  const params = chunkParameters(cipher, index, last);
  return new Uint8Array(await crypto.subtle.encrypt(params, cipher.key, plain));
}

/** A chunk that was altered, or is not where its nonce says. */
class Unauthentic extends Error {}

/** Chunk `index` decrypted; throws `Unauthentic` when it does not authenticate. */
export async function openChunk(cipher, index, last, sealed) {
  try {
    const params = chunkParameters(cipher, index, last);
    return new Uint8Array(await crypto.subtle.decrypt(params, cipher.key, sealed));
  } catch {
    throw new Unauthentic(`chunk ${index} does not decrypt`);
  }
}

/** The bytes of a response body in pieces of `size`, as they arrive: `{ bytes, last }`.
 * A full piece is handed on only once more bytes follow it, so the piece that ends the
 * body is the one flagged last. */
async function* pieces(body, size) {
  const reader = body.getReader();
  let piece = new Uint8Array(size);
  let filled = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (let at = 0; at < value.length; ) {
      if (filled === size) {
        yield { bytes: piece, last: false };
        piece = new Uint8Array(size);
        filled = 0;
      }
      const taken = Math.min(size - filled, value.length - at);
      piece.set(value.subarray(at, at + taken), filled);
      filled += taken;
      at += taken;
    }
  }
  yield { bytes: piece.subarray(0, filled), last: true };
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

/** A call to the API: JSON out and back, or raw bytes out when `body` is a Uint8Array. */
async function api(method, path, body, headers = {}) {
  const init = { method, cache: "no-store", credentials: "same-origin", headers: { ...headers } };
  if (body instanceof Uint8Array) {
    init.headers["Content-Type"] = "application/octet-stream";
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let data = null;
  try {
    data = await response.json();
  } catch (failure) {
    // A success whose body broke off is a lost answer, not an empty one.
    if (response.ok) throw failure;
    data = null;
  }
  return { status: response.status, data, retryAfter: response.headers.get("Retry-After") };
}

// A reveal whose answer is lost (the connection dropped, a proxy gave up, the server
// could not answer) is sent again with the same Idempotency-Key: if the server took the
// secret the first time, it hands the same answer out again and counts no second view.
const RETRY_FOR_MS = 30000;
const FIRST_WAIT_MS = 500;
const LONGEST_WAIT_MS = 4000;

/** A fresh Idempotency-Key: 24 random bytes, base64url (32 characters). */
function idempotencyKey() {
  return encode(crypto.getRandomValues(new Uint8Array(24)));
}

/** `api(...)`, sent again on a network error or a 5xx, waiting 0.5 s, then twice as long
 * each time (at most 4 s), for up to 30 s; `retrying()` is told before each wait. A 4xx
 * is an answer and is never sent again. Gives the last reply, or throws the last error. */
async function withRetries(send, retrying) {
  const started = Date.now();
  let wait = FIRST_WAIT_MS;
  for (;;) {
    let reply;
    let failure;
    try {
      reply = await send();
    } catch (error) {
      failure = error;
    }
    if (reply && reply.status < 500) return reply;
    if (Date.now() - started + wait > RETRY_FOR_MS) {
      if (reply) return reply;
      throw failure;
    }
    retrying();
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, LONGEST_WAIT_MS);
  }
}

function show(element, visible) {
  element.hidden = !visible;
}

function say(element, text) {
  element.textContent = text;
  show(element, Boolean(text));
}

// The page's language: its messages come with the page (the server's catalogue for it,
// each compiled to a string, a list of parts, or a select on a number); the browser's
// Intl formats numbers, sizes and times, and Intl.PluralRules (CLDR) picks plurals.
// Digits stay Latin in every language, as the server writes them.
const LANG = document.documentElement.lang || "en";
const LOCALE = `${LANG}-u-nu-latn`;
const MESSAGES = JSON.parse(document.getElementById("messages")?.textContent || "{}");
const PLURALS = new Intl.PluralRules(LOCALE);
// No grouping: "3600 seconds", as the server's Fluent writes a number.
const NUMBERS = new Intl.NumberFormat(LOCALE, { useGrouping: false });

function resolve(pattern, args) {
  if (typeof pattern === "string") return pattern;
  if (Array.isArray(pattern)) return pattern.map((part) => resolve(part, args)).join("");
  if (pattern.v !== undefined) {
    const value = args[pattern.v];
    if (typeof value === "number") return NUMBERS.format(value);
    // Text from elsewhere (a file's name, a time) is isolated, as Fluent does, so that it
    // cannot reorder the sentence around it (a right-to-left override in a name).
    return `\u2068${String(value ?? "")}\u2069`;
  }
  const value = Number(args[pattern.s]);
  const category = PLURALS.select(value);
  const variant =
    pattern.k.find(([key]) => key === value) ||
    pattern.k.find(([key]) => key === category) ||
    pattern.k[pattern.d];
  return resolve(variant[1], args);
}

/** The message `id` in the page's language, with `args` (numbers choose plurals). */
export function t(id, args = {}) {
  return id in MESSAGES ? resolve(MESSAGES[id], args) : id;
}

const DATES = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short" });

/** A time as the reader writes it, in their zone. */
function dateTime(at) {
  return DATES.format(at);
}

/** When something happens: "in 5 minutes (7 Dec 2026, 18:00)", in the page's language. */
function when(rfc3339) {
  const at = new Date(rfc3339);
  const minutes = Math.max(1, Math.round((at.getTime() - Date.now()) / 60000));
  const relative = new Intl.RelativeTimeFormat(LOCALE, { numeric: "always" });
  let text;
  if (minutes < 60) text = relative.format(minutes, "minute");
  else if (minutes < 48 * 60) text = relative.format(Math.round(minutes / 60), "hour");
  else text = relative.format(Math.round(minutes / 1440), "day");
  return t("when", { relative: text, date: dateTime(at) });
}

/** A number of bytes, to the byte: "3,145,729 bytes". */
function exactBytes(bytes) {
  return new Intl.NumberFormat(LOCALE, { style: "unit", unit: "byte", unitDisplay: "long" }).format(bytes);
}

/** A size as people read it: 512 bytes, 3.4 kB, 25.0 MB (in the page's language). */
function size(bytes) {
  if (bytes < 1024) return exactBytes(bytes);
  const units = ["kilobyte", "megabyte", "gigabyte"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(LOCALE, {
    style: "unit",
    unit: units[unit],
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(value);
}

/** Says `text` to screen readers (the page's polite live region). */
function announce(text) {
  const region = document.getElementById("announce");
  if (!region) return;
  region.textContent = "";
  // A change a moment later is announced even when the text is the same as before.
  setTimeout(() => {
    region.textContent = text;
  }, 100);
}

/** Shows `done` of `total` bytes on a <progress> and in its text. The text is a polite
 * live region: it changes every tenth of the way only, so a screen reader hears ten
 * steps, not every chunk. */
function progressOf(bar, text) {
  let tenth = -1;
  return (done, total) => {
    const percent = total ? Math.floor((done * 100) / total) : 100;
    bar.value = percent;
    if (Math.floor(percent / 10) !== tenth) {
      tenth = Math.floor(percent / 10);
      text.textContent = t("progress", { percent, done: size(done), total: size(total) });
    }
  };
}

/** Starts the upload of `file` (`body`: its metadata envelope and the options), sends its
 * chunks encrypted under the link's key, one at a time, each sent again on a network error
 * or a 5xx (the same index replaces), then finishes it. Gives the first reply that is not
 * a success, or the finish's. */
async function uploadFile(file, key, body, report, retrying) {
  const count = Math.max(1, Math.ceil(file.size / CHUNK_BYTES));
  const started = await api("POST", "/api/files", { ...body, bytes: file.size + count * TAG_BYTES });
  if (started.status !== 201) return started;
  const cipher = await fileCipher(key, "encrypt");
  for (let index = 0; index < count; index += 1) {
    const slice = file.slice(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES);
    const sealed = await sealChunk(cipher, index, index === count - 1, await slice.arrayBuffer());
    const path = `${started.data.chunks_url}${index}`;
    const sent = await withRetries(() => api("PUT", path, sealed), retrying);
    if (sent.status !== 200) return sent;
    report(Math.min(file.size, (index + 1) * CHUNK_BYTES), file.size);
  }
  const finish = `/api/files/uploads/${encodeURIComponent(started.data.upload)}/finish`;
  return withRetries(() => api("POST", finish), retrying);
}

/** Below a revealed secret or file: whether the link opens again, and how often. */
function viewsLeft(prefix, left) {
  show(document.getElementById(`${prefix}-gone`), left === 0);
  show(document.getElementById(`${prefix}-left`), left > 0);
  document.getElementById(`${prefix}-left`).textContent = t("reveal-left", { count: left });
}

/** What a refusal from the API means, for the reader: its cause where the page knows
 * it, else the API's error code (the API's own message is English). */
function problem(reply) {
  if (reply.status === 429) return t("error-rate-limited", { seconds: Number(reply.retryAfter) || 60 });
  if (reply.status === 503) return t("error-unavailable");
  if (reply.status === 413) return t("error-too-large");
  const code = (reply.data && reply.data.error) || `HTTP ${reply.status}`;
  return t("error-refused", { code });
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
      button.textContent = t("copied");
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
  const maxFileBytes = Number(root.dataset.maxFileBytes);
  document.getElementById("file-limit").textContent = size(maxFileBytes);
  const secretInput = document.getElementById("secret");
  const fileInput = document.getElementById("file");
  const isFile = () => form.elements.kind.value === "file";
  const showKind = () => {
    show(document.getElementById("text-field"), !isFile());
    show(document.getElementById("file-field"), isFile());
    secretInput.required = !isFile();
    fileInput.required = isFile();
  };
  for (const radio of form.elements.kind) radio.addEventListener("change", showKind);
  showKind();
  submit.disabled = false;

  // A file dropped anywhere on the page is the file to share (the picker does the same).
  const dragsFiles = (event) => event.dataTransfer && event.dataTransfer.types.includes("Files");
  document.addEventListener("dragover", (event) => {
    if (!dragsFiles(event) || form.hidden) return;
    event.preventDefault();
    form.classList.add("dropping");
  });
  document.addEventListener("dragleave", (event) => {
    if (!event.relatedTarget) form.classList.remove("dropping");
  });
  document.addEventListener("drop", (event) => {
    if (!dragsFiles(event) || form.hidden) return;
    event.preventDefault();
    form.classList.remove("dropping");
    const files = event.dataTransfer.files;
    if (files.length !== 1) {
      say(error, t("share-error-drop-one"));
      return;
    }
    say(error, "");
    fileInput.files = files;
    form.elements.kind.value = "file";
    showKind();
    fileInput.focus();
  });

  /** What every secret's creation carries: its expiry, views and passphrase. */
  function options() {
    const body = { ttl: Number(document.getElementById("ttl").value), e2e: true };
    const views = Number(document.getElementById("views").value);
    if (views > 1) body.max_views = views;
    const passphrase = document.getElementById("passphrase").value;
    if (passphrase) body.passphrase = passphrase;
    return body;
  }

  async function shareText() {
    const text = secretInput.value;
    if (!text) {
      say(error, t("share-error-empty"));
      return null;
    }
    const bytes = new TextEncoder().encode(text).length;
    if (envelopeLength(bytes) > maxBytes) {
      const room =
        Math.floor(((maxBytes - PREFIX.length) * 3) / 4) - VERIFIER_BYTES - NONCE_BYTES - TAG_BYTES;
      say(error, t("share-error-too-long", { size: size(bytes), limit: size(room) }));
      return null;
    }
    const { envelope, key } = await seal(text);
    return { reply: await api("POST", "/api/secrets", { ...options(), secret: envelope }), key };
  }

  async function shareFile() {
    const file = fileInput.files[0];
    if (!file) {
      say(error, t("share-error-no-file"));
      return null;
    }
    if (file.size > maxFileBytes) {
      // Just over the limit, the rounded sizes would read alike: the bytes tell them apart.
      const over = size(file.size) === size(maxFileBytes) ? exactBytes(file.size) : size(file.size);
      say(error, t("share-error-too-large", { size: over, limit: size(maxFileBytes) }));
      return null;
    }
    const { envelope, key } = await seal(JSON.stringify({ name: file.name, type: file.type, size: file.size }));
    if (envelope.length > maxBytes) {
      say(error, t("share-error-name-too-long"));
      return null;
    }
    const progress = document.getElementById("share-progress");
    const text = document.getElementById("share-progress-text");
    const report = progressOf(document.getElementById("share-progress-bar"), text);
    report(0, file.size);
    holding();
    // Only an upload that takes more than a moment shows its progress.
    const slow = setTimeout(() => show(progress, true), 400);
    try {
      const retrying = () => {
        text.textContent = t("retrying");
      };
      const body = { ...options(), secret: envelope };
      return { reply: await uploadFile(file, key, body, report, retrying), key };
    } finally {
      clearTimeout(slow);
      show(progress, false);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, "");
    submit.disabled = true;
    try {
      const shared = isFile() ? await shareFile() : await shareText();
      if (!shared) return;
      if (shared.reply.status !== 201) {
        say(error, problem(shared.reply));
        return;
      }
      const created = shared.reply.data;
      const shareBase = created.share_url || `${location.origin}/s/${created.secret_key}`;
      const receipt = created.receipt_url || `${location.origin}/r/${created.receipt_key}`;
      const views = Number(document.getElementById("views").value);
      document.getElementById("share-link").value = `${shareBase}#${shared.key}`;
      document.getElementById("receipt-link").value = receipt;
      document.getElementById("share-expires").textContent = t("share-expires", { when: when(created.expires_at) });
      document.getElementById("share-link-label").textContent = t("share-link", { count: views });
      form.reset();
      show(form, false);
      show(document.getElementById("share-result"), true);
      holding();
      drawQr(document.getElementById("share-qr"), `${shareBase}#${shared.key}`);
      // Focus on the link, selected to copy; the live region says the link is ready.
      const link = document.getElementById("share-link");
      link.focus();
      link.select();
      announce(t("share-result-title"));
    } catch {
      say(error, t("share-error-failed"));
    } finally {
      submit.disabled = false;
    }
  });
}

function revealPage() {
  // /s/{key}, /secret/{key}, /p/{key} and /p/{key}/r: the key is the second segment.
  const secretKey = location.pathname.split("/").filter(Boolean)[1] || "";
  const fragment = location.hash.slice(1);
  const sections = ["checking", "waiting", "secret", "file", "file-failed", "gone", "incomplete", "failed"];
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
      say(error, t("error-insecure-decrypt"));
      return;
    }
    // An answer to a request opens only with X25519: find out before it is handed out.
    if (status.answer && !(await canOpenSealed(fragment))) {
      view("waiting");
      say(error, t("reveal-error-no-x25519"));
      return;
    }
    if (status.file) {
      document.getElementById("reveal-waiting-title").textContent = t("reveal-waiting-file");
      show(document.getElementById("reveal-file-note"), true);
    }
    document.getElementById("reveal-expires").textContent = t("reveal-expires", { when: when(status.expires_at) });
    const several = status.views_left > 1;
    show(document.getElementById("reveal-once"), !several);
    show(document.getElementById("reveal-several"), several);
    document.getElementById("reveal-several").textContent = t("reveal-several", { count: status.views_left });
    show(document.getElementById("reveal-passphrase-field"), status.passphrase_required);
    passphraseInput.required = status.passphrase_required;
    submit.disabled = false;
    view("waiting");
  }

  const progress = document.getElementById("reveal-progress");
  const lost = t("reveal-error-lost");
  // The Idempotency-Key of a reveal whose outcome is unknown (its retries ran out):
  // pressing Reveal again continues that reveal, so an answer the server gave but that
  // was lost on the way is given again rather than burned. Any answer clears it.
  let unfinished = null;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, "");
    submit.disabled = true;
    const body = status.passphrase_required ? { passphrase: passphraseInput.value } : {};
    // The page downloads files: the server hands a file's view only to a client that says so.
    const headers = { "Idempotency-Key": unfinished || idempotencyKey(), "Burnbox-Accept-Files": "1" };
    unfinished = null;
    try {
      // An answer's fragment is a private key, not an e2e key: it proves nothing.
      if (status.e2e && !status.answer) {
        headers["Burnbox-Reveal-Proof"] = await revealProof(fragment);
      }
      const path = `/api/secrets/${encodeURIComponent(secretKey)}/reveal`;
      let reply;
      try {
        reply = await withRetries(
          () => api("POST", path, body, headers),
          () => {
            progress.textContent = t("retrying");
          },
        );
      } finally {
        progress.textContent = "";
      }
      if (reply.status >= 500) {
        unfinished = headers["Idempotency-Key"];
        holding();
        say(error, lost);
        submit.disabled = false;
        return;
      }
      if (reply.status === 404) return view("gone");
      if (reply.status === 403 && reply.data && reply.data.attempts_left === 0) {
        say(error, t("reveal-error-burned"));
        return;
      }
      if (reply.status === 403 && reply.data && reply.data.attempts_left !== undefined) {
        const left = reply.data.attempts_left;
        say(error, t("reveal-error-passphrase", { count: left }));
        submit.disabled = false;
        passphraseInput.select();
        return;
      }
      if (reply.status !== 200) {
        say(error, problem(reply));
        submit.disabled = false;
        return;
      }
      if (reply.data.file) return await revealFile(reply.data);
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
      holding();
      const revealed = document.getElementById("revealed");
      revealed.value = text;
      viewsLeft("revealed", reply.data.views_left || 0);
      view("secret");
      // Focus on the secret itself; the live region says what it is.
      revealed.focus();
      announce(t("reveal-secret-title"));
    } catch {
      unfinished = headers["Idempotency-Key"];
      holding();
      say(error, lost);
      submit.disabled = false;
    }
  });

  /** A revealed file: its name and size from the metadata envelope (or the server, for a
   * file sent in the clear), then its content. */
  async function revealFile(revealed) {
    let meta = { name: revealed.file.name, size: revealed.file.bytes };
    let cipher = null;
    if (revealed.e2e) {
      try {
        meta = JSON.parse(await open(revealed.secret, fragment));
        cipher = await fileCipher(fragment, "decrypt");
      } catch {
        return view("failed");
      }
    }
    history.replaceState(null, "", location.pathname);
    holding();
    const name = typeof meta.name === "string" && meta.name ? meta.name : "file";
    document.getElementById("file-name").textContent = name;
    document.getElementById("file-size").textContent = size(Number(meta.size) || 0);
    viewsLeft("file", revealed.views_left || 0);
    view("file");
    const retry = document.getElementById("file-retry");
    retry.addEventListener("click", () => download(revealed.file, cipher, name, meta.size));
    await download(revealed.file, cipher, name, meta.size);
  }

  /** Fetches a revealed file's content, decrypts it piece by piece as it arrives and
   * offers it to save; a broken download may be tried again until its ticket expires. */
  async function download(file, cipher, name, expected) {
    const progress = document.getElementById("file-progress");
    const text = document.getElementById("file-progress-text");
    const retry = document.getElementById("file-retry");
    const fileError = document.getElementById("file-error");
    show(retry, false);
    say(fileError, "");
    show(progress, true);
    const report = progressOf(document.getElementById("file-progress-bar"), text);
    report(0, file.bytes);
    const parts = [];
    let plainBytes = 0;
    let status = 0;
    try {
      // From this page's origin, whatever origin the server names (BURNBOX_PUBLIC_URL
      // may not be the address this page was opened at, and the CSP allows only this one).
      const url = new URL(file.download, location.href);
      const init = { cache: "no-store", credentials: "same-origin" };
      const response = await fetch(`${url.pathname}${url.search}`, init);
      status = response.status;
      if (!response.ok) throw new Error(`HTTP ${status}`);
      let received = 0;
      let index = 0;
      const pieceBytes = cipher ? SEALED_CHUNK_BYTES : CHUNK_BYTES;
      for await (const piece of pieces(response.body, pieceBytes)) {
        received += piece.bytes.length;
        const plain = cipher ? await openChunk(cipher, index, piece.last, piece.bytes) : piece.bytes;
        parts.push(plain);
        plainBytes += plain.length;
        index += 1;
        report(received, file.bytes);
      }
      if (received !== file.bytes) throw new Error("the download was cut short");
      if (cipher && typeof expected === "number" && plainBytes !== expected) {
        throw new Unauthentic("not the size its sender gave");
      }
    } catch (failure) {
      if (failure instanceof Unauthentic) return view("file-failed");
      show(progress, false);
      if (status === 404) {
        say(fileError, t("reveal-file-expired"));
        return;
      }
      const until = new Intl.DateTimeFormat(LOCALE, { timeStyle: "short" }).format(new Date(file.download_expires_at));
      say(fileError, t("reveal-file-broke", { time: until }));
      show(retry, true);
      return;
    }
    text.textContent = t("reveal-file-decrypted", { size: size(plainBytes) });
    // Saved, never shown: the page hands it over as bytes of no particular type, and the
    // name only ever names the download.
    const save = document.getElementById("file-save");
    save.href = URL.createObjectURL(new Blob(parts, { type: "application/octet-stream" }));
    save.download = name;
    save.textContent = t("reveal-file-save-named", { name });
    show(document.getElementById("file-save-line"), true);
    save.click();
  }

  check().catch(() => {
    view("waiting");
    say(error, t("error-unreachable"));
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
      holding();
      document.getElementById("request-link").value =
        made.request_url || `${location.origin}/q/${made.request_key}`;
      document.getElementById("answer-link").value =
        `${location.origin}/s/${made.answer_key}#${keys.privateKey}`;
      document.getElementById("request-receipt-link").value = `${location.origin}/r/${made.receipt_key}`;
      document.getElementById("request-expires").textContent = t("request-expires", { when: when(made.expires_at) });
      form.reset();
      show(form, false);
      show(document.getElementById("request-result"), true);
      document.getElementById("request-result-title").focus();
    } catch {
      say(error, t("request-error-failed"));
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
      return say(error, t("error-insecure-encrypt"));
    }
    publicKey = reply.data.public_key;
    if (reply.data.note) {
      document.getElementById("fill-note").textContent = reply.data.note;
      show(document.getElementById("fill-note-line"), true);
    }
    document.getElementById("fill-lede").textContent = t("fill-lede", { when: when(reply.data.expires_at) });
    submit.disabled = false;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(error, "");
    const text = document.getElementById("fill-secret").value;
    if (!text) return say(error, t("fill-error-empty"));
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
    } catch {
      say(error, t("fill-error-failed"));
      submit.disabled = false;
    }
  });
  check().catch(() => {
    view("waiting");
    say(error, t("error-unreachable"));
  });
}

/** Draws `text` as a QR code (SVG, dark on light in either scheme, with its quiet zone)
 * into `container`: made here, from the link with its key, which the server never sees.
 * The library loads only now; if it cannot, or the link is too long for a QR code, the
 * code is left out and the link stands alone. */
async function drawQr(container, text) {
  const figure = container.closest("figure");
  try {
    const { default: qrcodegen } = await import("./vendor/qrcodegen.js");
    const code = qrcodegen.QrCode.encodeText(text, qrcodegen.QrCode.Ecc.MEDIUM);
    const border = 4;
    const side = code.size + border * 2;
    let path = "";
    for (let y = 0; y < code.size; y += 1) {
      for (let x = 0; x < code.size; x += 1) {
        if (code.getModule(x, y)) path += `M${x + border},${y + border}h1v1h-1z`;
      }
    }
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", `0 0 ${side} ${side}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", t("share-qr-alt"));
    svg.setAttribute("shape-rendering", "crispEdges");
    const paper = document.createElementNS(svg.namespaceURI, "rect");
    paper.setAttribute("width", "100%");
    paper.setAttribute("height", "100%");
    paper.setAttribute("fill", "#ffffff");
    const modules = document.createElementNS(svg.namespaceURI, "path");
    modules.setAttribute("d", path);
    modules.setAttribute("fill", "#000000");
    svg.append(paper, modules);
    container.replaceChildren(svg);
  } catch {
    if (figure) show(figure, false);
  }
}

/** From now on the page holds something that is shown once (a link and its key, a
 * revealed secret, an upload under way): the language picker, which reloads the page,
 * goes away rather than lose it. */
function holding() {
  const picker = document.getElementById("language-form");
  if (picker) show(picker, false);
}

const STORED_LANGUAGE = "burnbox-language";

/** The language picker: the choice is kept in this browser (no cookie reaches the server)
 * and goes in the address as `?lang=`, with the fragment (a reveal link's key) kept. */
function languagePicker() {
  const form = document.getElementById("language-form");
  if (!form) return;
  const address = (code) => {
    // The form's address: this page's, or the one the server names (a failed burn's
    // error page points at its receipt). The fragment stays in the browser.
    const url = new URL(form.action || location.href);
    url.hash = location.hash;
    if (code) url.searchParams.set("lang", code);
    else url.searchParams.delete("lang");
    return url.href;
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = form.elements.lang.value;
    try {
      if (code) localStorage.setItem(STORED_LANGUAGE, code);
      else localStorage.removeItem(STORED_LANGUAGE);
    } catch {
      // Storage may be off: the choice still holds for this address.
    }
    // Replaced, not added: a reveal link's key must not stay behind in the history.
    location.replace(address(code));
  });
  // A choice made earlier, on a page opened without one (a link someone sent).
  let stored = null;
  try {
    stored = localStorage.getItem(STORED_LANGUAGE);
  } catch {
    stored = null;
  }
  const asked = new URL(location.href).searchParams.get("lang");
  const offered = [...form.elements.lang.options].some((option) => option.value === stored);
  if (stored && !asked && stored !== LANG && offered) {
    location.replace(address(stored));
    return true;
  }
  return false;
}

/** Times the server wrote in UTC, shown in the reader's language and zone. */
function localTimes() {
  for (const element of document.querySelectorAll("time[datetime]")) {
    const at = new Date(element.dateTime);
    if (!Number.isNaN(at.getTime())) element.textContent = dateTime(at);
  }
}

const moving = languagePicker();
localTimes();
if (moving) {
  // The page is about to load again in the reader's language: start nothing here.
} else if (document.getElementById("request")) requestPage();
else if (document.getElementById("fill")) fillPage();
else if (document.getElementById("share")) sharePage(document.getElementById("share"));
else if (document.getElementById("reveal")) revealPage();
if (!moving) copyButtons();
