// The public form's light challenge under attack (docs/web.md, "Rate limits"): find a number n
// such that SHA-256(token + ":" + n) begins with `bits` zero bits, in small slices so the page
// stays responsive while the reporter types, and send n with the form. Our own code, no third
// party: the server checks the answer with one hash (tocsin/server/web/_challenge.py). Without
// JavaScript the form still works: the server accepts the token alone after a short wait.

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const W = new Uint32Array(64);

const rotr = (x, n) => (x >>> n) | (x << (32 - n));

// SHA-256 of an ASCII string; returns the eight words of the digest.
export function sha256Words(text) {
  const length = text.length;
  const blocks = ((length + 9 + 63) >> 6) << 4; // 32-bit words, whole 64-byte blocks
  const words = new Uint32Array(blocks);
  for (let i = 0; i < length; i++) {
    words[i >> 2] |= (text.charCodeAt(i) & 0xff) << (24 - (i & 3) * 8);
  }
  words[length >> 2] |= 0x80 << (24 - (length & 3) * 8);
  words[blocks - 1] = length * 8;
  const h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  for (let block = 0; block < blocks; block += 16) {
    for (let t = 0; t < 16; t++) W[t] = words[block + t];
    for (let t = 16; t < 64; t++) {
      const s0 = rotr(W[t - 15], 7) ^ rotr(W[t - 15], 18) ^ (W[t - 15] >>> 3);
      const s1 = rotr(W[t - 2], 17) ^ rotr(W[t - 2], 19) ^ (W[t - 2] >>> 10);
      W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let t = 0; t < 64; t++) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[t] + W[t]) | 0;
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  return h;
}

export function leadingZeroBits(words) {
  let bits = 0;
  for (const word of words) {
    if (word !== 0) return bits + Math.clz32(word);
    bits += 32;
  }
  return bits;
}

function start(panel) {
  const form = panel.closest("form");
  const token = form.querySelector('input[name="tocsin_challenge"]').value;
  const answer = form.querySelector('input[name="tocsin_answer"]');
  const bits = Number(panel.dataset.tocsinBits);
  const status = panel.querySelector("[data-tocsin-status]");
  let counter = 0;
  let solved = false;
  let waiting = false;

  function step() {
    const end = counter + 4000;
    for (; counter < end; counter++) {
      if (leadingZeroBits(sha256Words(`${token}:${counter}`)) >= bits) {
        answer.value = String(counter);
        solved = true;
        status.textContent = status.dataset.done;
        if (waiting) form.requestSubmit();
        return;
      }
    }
    setTimeout(step, 0);
  }

  form.addEventListener("submit", (event) => {
    if (solved) return;
    event.preventDefault();
    waiting = true;
    status.textContent = status.dataset.working;
  });
  setTimeout(step, 0);
}

for (const panel of document.querySelectorAll("[data-tocsin-bits]")) {
  start(panel);
}
