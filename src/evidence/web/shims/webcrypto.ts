/** fhirclient falls back to `isomorphic-webcrypto` only where `globalThis.crypto` is missing: never in a browser. */
export default globalThis.crypto;
