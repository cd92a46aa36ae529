/**
 * Passkeys in the browser: the two WebAuthn ceremonies over the server's JSON options, and what
 * went wrong in words a caller can translate. No IndexedDB, no view: the PWA's Settings and
 * sign-in, and the server's sign-in and account pages, all use these.
 */

/** @param {string} text base64url @returns {ArrayBuffer} */
export function fromBase64url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** @param {ArrayBuffer|Uint8Array} buffer @returns {string} base64url */
export function toBase64url(buffer) {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Whether this browser can make and use passkeys at all. @returns {boolean} */
export function passkeysSupported() {
  return typeof window.PublicKeyCredential === 'function' && Boolean(navigator.credentials);
}

/** Whether the browser offers passkeys in the username field's autofill. @returns {Promise<boolean>} */
export async function autofillSupported() {
  if (!passkeysSupported() || typeof PublicKeyCredential.isConditionalMediationAvailable !== 'function') return false;
  try {
    return await PublicKeyCredential.isConditionalMediationAvailable();
  } catch {
    return false;
  }
}

function creationOptions(json) {
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: fromBase64url(c.id) })),
  };
}

function requestOptions(json) {
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: fromBase64url(c.id) })),
  };
}

function credentialJson(credential) {
  const response = credential.response;
  const common = {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || null,
    clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
  };
  if (response.attestationObject) {
    return {
      ...common,
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        attestationObject: toBase64url(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : [],
      },
    };
  }
  return {
    ...common,
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
    },
  };
}

/** Why the browser's part of a ceremony failed. */
export class PasskeyError extends Error {
  /** @param {'cancelled'|'exists'|'insecure'|'unsupported'|'failed'} reason */
  constructor(reason, cause) {
    super(reason);
    this.name = 'PasskeyError';
    this.reason = reason;
    this.cause = cause;
  }
}

function browserError(error) {
  if (!error || typeof error !== 'object') return new PasskeyError('failed', error);
  if (error.name === 'AbortError' || error.name === 'NotAllowedError') return new PasskeyError('cancelled', error);
  if (error.name === 'InvalidStateError') return new PasskeyError('exists', error);
  if (error.name === 'SecurityError') return new PasskeyError('insecure', error);
  if (error.name === 'NotSupportedError') return new PasskeyError('unsupported', error);
  return new PasskeyError('failed', error);
}

/**
 * Make a passkey with the server's creation options; resolves with the answer as JSON.
 * @param {object} options PublicKeyCredentialCreationOptionsJSON
 */
export async function createPasskey(options) {
  if (!passkeysSupported()) throw new PasskeyError('unsupported');
  try {
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    if (!credential) throw new PasskeyError('cancelled');
    return credentialJson(credential);
  } catch (error) {
    throw error instanceof PasskeyError ? error : browserError(error);
  }
}

/**
 * Sign a challenge with a passkey the browser offers (discoverable: no username needed).
 * `conditional` waits for the person to pick a passkey in the username field's autofill.
 * @param {object} options PublicKeyCredentialRequestOptionsJSON
 * @param {{conditional?: boolean, signal?: AbortSignal}} [how]
 */
export async function getPasskey(options, { conditional = false, signal } = {}) {
  if (!passkeysSupported()) throw new PasskeyError('unsupported');
  try {
    const request = { publicKey: requestOptions(options), signal };
    if (conditional) request.mediation = 'conditional';
    const credential = await navigator.credentials.get(request);
    if (!credential) throw new PasskeyError('cancelled');
    return credentialJson(credential);
  } catch (error) {
    throw error instanceof PasskeyError ? error : browserError(error);
  }
}
