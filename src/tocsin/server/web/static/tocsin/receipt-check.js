// The transparency page's receipt checker (docs/receipts.md): checks a C2SP tlog-proof receipt
// in the reader's browser, with nothing sent anywhere. The same steps as the Python script in
// docs/receipts.md: the log's Ed25519 signature on the receipt's checkpoint, each witness's
// cosignature/v1, and the RFC 9162 inclusion proof from the entry to the signed root. Our own
// code, no third party: hashing and Ed25519 come from the browser's Web Crypto.

const HEADER = "c2sp.org/tlog-proof@v1";
const KEY_ED25519 = 0x01;
const KEY_COSIGNATURE = 0x04;
const encoder = new TextEncoder();

export class ReceiptProblem extends Error {}

function fromBase64(text, what) {
  try {
    const binary = atob(text.trim());
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    throw new ReceiptProblem(`${what} is not valid base64`);
  }
}

function toBase64(bytes) {
  return btoa(String.fromCharCode(...bytes));
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function equal(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

// A vkey: name+hexkeyid+base64(type || public key).
export function parseVkey(vkey, what) {
  const text = vkey.trim();
  const first = text.indexOf("+");
  const second = text.indexOf("+", first + 1);
  if (first < 1 || second < 0) {
    throw new ReceiptProblem(`${what} is not a verifier key (name+id+key)`);
  }
  const key = fromBase64(text.slice(second + 1), what);
  if (key.length !== 33) {
    throw new ReceiptProblem(`${what} does not hold a 32-byte key after its type`);
  }
  return { name: text.slice(0, first), keyId: text.slice(first + 1, second), type: key[0], key: key.slice(1) };
}

// The receipt's parts: the entry (leaf data), its index, the proof hashes and the signed note.
export function parseReceipt(text) {
  const normal = text.replace(/\r\n/g, "\n");
  const split = normal.indexOf("\n\n");
  if (!normal.startsWith(HEADER + "\n") || split < 0) {
    throw new ReceiptProblem(`This is not a receipt: its first line must be ${HEADER}`);
  }
  const lines = normal.slice(0, split).split("\n").slice(1);
  if (!lines.length || !lines[0].startsWith("extra ")) {
    throw new ReceiptProblem("The receipt does not carry the entry it is for");
  }
  const leaf = fromBase64(lines[0].slice("extra ".length), "The entry");
  const indexLine = lines[1] || "";
  if (!/^index (0|[1-9][0-9]*)$/.test(indexLine)) {
    throw new ReceiptProblem("The receipt has no valid index line");
  }
  const index = Number(indexLine.slice("index ".length));
  const hashes = lines.slice(2).map((line, i) => {
    const hash = fromBase64(line, `Proof hash ${i + 1}`);
    if (hash.length !== 32) throw new ReceiptProblem(`Proof hash ${i + 1} is not 32 bytes`);
    return hash;
  });
  const note = normal.slice(split + 2);
  const end = note.indexOf("\n\n");
  if (end < 0) throw new ReceiptProblem("The receipt's checkpoint carries no signatures");
  const body = note.slice(0, end + 1); // the signed text, with its final newline
  const [origin, sizeText, rootText] = body.split("\n");
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText || "")) {
    throw new ReceiptProblem("The receipt's checkpoint has no valid size");
  }
  const root = fromBase64(rootText || "", "The checkpoint's root");
  const signatures = note.slice(end + 2).split("\n").filter((line) => line);
  return { leaf, index, hashes, body, origin, size: Number(sizeText), root, signatures };
}

// The signature bytes (after the 4-byte key ID) a key made, or null if the note has none.
function signatureBy(key, signatures) {
  for (const line of signatures) {
    if (!line.startsWith(`\u2014 ${key.name} `)) continue;
    const raw = fromBase64(line.slice(line.lastIndexOf(" ") + 1), `The signature by ${key.name}`);
    if (raw.length > 4 && hex(raw.slice(0, 4)) === key.keyId) return raw.slice(4);
  }
  return null;
}

async function ed25519Verify(publicKey, signature, message) {
  let key;
  try {
    key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  } catch {
    throw new ReceiptProblem(
      "This browser cannot check Ed25519 signatures; use a current browser, or the Python script in docs/receipts.md",
    );
  }
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
}

// RFC 9162 section 2.1.3.2: the root the proof leads to from the leaf at index in a tree of size.
async function rootFromProof(leaf, index, size, hashes) {
  if (!(index >= 0 && index < size)) {
    throw new ReceiptProblem("The entry's index is not inside the signed tree");
  }
  let node = await sha256(concat(Uint8Array.of(0), leaf));
  let fn = index;
  let sn = size - 1;
  for (const sibling of hashes) {
    if (sn === 0) throw new ReceiptProblem("The inclusion proof is too long");
    if (fn % 2 === 1 || fn === sn) {
      node = await sha256(concat(Uint8Array.of(1), sibling, node));
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      node = await sha256(concat(Uint8Array.of(1), node, sibling));
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new ReceiptProblem("The inclusion proof is too short");
  return node;
}

// Check a receipt against the log's key and the witnesses' keys. Returns what it proves; throws
// ReceiptProblem saying what does not hold.
export async function checkReceipt(text, logVkey, witnessVkeys) {
  const receipt = parseReceipt(text);
  const log = parseVkey(logVkey, "The ledger's verifier key");
  if (log.type !== KEY_ED25519) throw new ReceiptProblem("The ledger's key is not an Ed25519 key");
  if (receipt.origin !== log.name) {
    throw new ReceiptProblem(`The receipt's checkpoint is from "${receipt.origin}", not from "${log.name}"`);
  }
  const signed = encoder.encode(receipt.body);
  const signature = signatureBy(log, receipt.signatures);
  if (signature === null) throw new ReceiptProblem("The checkpoint carries no signature by the ledger's key");
  if (!(await ed25519Verify(log.key, signature, signed))) {
    throw new ReceiptProblem("The ledger's signature on the checkpoint does not verify: the receipt was altered");
  }
  const witnesses = [];
  for (const [n, vkey] of witnessVkeys.entries()) {
    const witness = parseVkey(vkey, `Witness key ${n + 1}`);
    if (witness.type !== KEY_COSIGNATURE) {
      throw new ReceiptProblem(`Witness key ${n + 1} is not a cosignature/v1 key`);
    }
    const cosignature = signatureBy(witness, receipt.signatures);
    if (cosignature === null || cosignature.length !== 72) {
      throw new ReceiptProblem(`The checkpoint is not cosigned by the witness ${witness.name}`);
    }
    const time = new DataView(cosignature.buffer, cosignature.byteOffset, 8).getBigUint64(0);
    const message = concat(encoder.encode(`cosignature/v1\ntime ${time}\n`), signed);
    if (!(await ed25519Verify(witness.key, cosignature.slice(8), message))) {
      throw new ReceiptProblem(`The cosignature by the witness ${witness.name} does not verify`);
    }
    witnesses.push({ name: witness.name, time: new Date(Number(time) * 1000) });
  }
  const root = await rootFromProof(receipt.leaf, receipt.index, receipt.size, receipt.hashes);
  if (!equal(root, receipt.root)) {
    throw new ReceiptProblem("The inclusion proof does not lead to the signed root: the receipt was altered");
  }
  let entry;
  try {
    entry = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(receipt.leaf));
  } catch {
    throw new ReceiptProblem("The entry in the receipt is not readable");
  }
  if (entry.seq !== receipt.index) throw new ReceiptProblem("The entry is not the one the proof is for");
  return { index: receipt.index, kind: entry.kind, time: entry.time, size: receipt.size, root: toBase64(root), origin: receipt.origin, witnesses };
}

// --- the page -----------------------------------------------------------------------------

// A panel's text is white on green: a plain paragraph keeps it so (govuk-body would darken it).
function paragraph(text, className) {
  const p = document.createElement("p");
  if (className) p.className = className;
  p.textContent = text;
  return p;
}

function show(result, ok, heading, lines) {
  result.replaceChildren();
  const box = document.createElement("div");
  box.className = ok ? "govuk-panel govuk-panel--confirmation tocsin-receipt-ok" : "govuk-error-summary tocsin-receipt-failed";
  box.id = ok ? "receipt-ok" : "receipt-failed";
  const title = document.createElement("h2");
  title.className = ok ? "govuk-panel__title" : "govuk-error-summary__title";
  title.textContent = heading;
  box.append(title);
  const body = document.createElement("div");
  body.className = ok ? "govuk-panel__body" : "govuk-error-summary__body";
  for (const line of lines) body.append(paragraph(line, ok ? "" : "govuk-body"));
  box.append(body);
  result.append(box);
}

function start() {
  const form = document.getElementById("receipt-checker");
  if (!form) return;
  form.hidden = false; // hidden without the script, so that a receipt is never sent anywhere
  const result = document.getElementById("receipt-result");
  const receipt = document.getElementById("receipt");
  document.getElementById("receipt-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (file) receipt.value = await file.text();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const witnesses = document.getElementById("witness-keys").value.split("\n").map((l) => l.trim()).filter((l) => l);
    try {
      if (!receipt.value.trim()) throw new ReceiptProblem("Choose a receipt file, or paste the receipt");
      const proved = await checkReceipt(receipt.value, document.getElementById("log-key").value, witnesses);
      const cosigned = proved.witnesses.length
        ? `Cosigned by ${proved.witnesses.map((w) => w.name).join(", ")}.`
        : "No witness key was given, so no cosignature was checked.";
      show(result, true, "The receipt holds", [
        `Entry ${proved.index} (${proved.kind}, recorded ${proved.time}) is in the ledger ${proved.origin}, in the checkpoint of ${proved.size} entries that the ledger signed.`,
        cosigned,
      ]);
    } catch (problem) {
      if (!(problem instanceof ReceiptProblem)) throw problem;
      show(result, false, "The receipt does not hold", [problem.message]);
    }
    result.querySelector("h2").setAttribute("tabindex", "-1");
    result.querySelector("h2").focus();
  });
}

start();
