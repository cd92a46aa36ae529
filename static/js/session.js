/**
 * Who is using the app. The user is remembered on the device, so the app opens and edits
 * offline without a live session; the server session (cookie + CSRF token) is needed only to
 * send and receive, and a 401 merely pauses sync until the user signs in again.
 */

import { NetworkError } from './api.js';
import { getPasskey } from './passkeys.js';

/** The user, the device's memory of them, and the server session. */
export class Session extends EventTarget {
  /**
   * @param {import('./db.js').Database} db
   * @param {import('./api.js').Api} api
   */
  constructor(db, api) {
    super();
    this.db = db;
    this.api = api;
    /** @type {{id:string, username:string, display_name:string, role:string, locale:string|null}|null} */
    this.user = null;
    /** true when the server said 401 and the user has not signed in again yet */
    this.expired = false;
  }

  /** Load the user remembered on this device. @returns {Promise<object|null>} */
  async restore() {
    this.user = (await this.db.getMeta('session')) || null;
    return this.user;
  }

  /**
   * Ask the server who is signed in. Switches user if someone else signed in meanwhile.
   * @returns {Promise<'ok'|'signed_out'|'offline'>}
   */
  async check() {
    let answer;
    try {
      if (!this.user) {
        // Nobody remembered on the device: a first start, or someone who signed in on the
        // server's page. The token's answer says which, so nobody's first start asks /me for a
        // 401 (which the browser logs as an error).
        const csrf = await this.api.get('/api/auth/csrf', { timeout: 10_000 });
        if (csrf.ok && csrf.data && csrf.data.signed_in === false) {
          if (typeof csrf.data.csrf_token === 'string') this.api.csrfToken = csrf.data.csrf_token;
          return 'signed_out';
        }
      }
      answer = await this.api.get('/api/auth/me', { timeout: 10_000 });
    } catch (error) {
      if (error instanceof NetworkError) return 'offline';
      throw error;
    }
    if (answer.status === 401) {
      if (this.user) this.markExpired(); // someone to sign in again; else simply nobody yet
      return 'signed_out';
    }
    if (!answer.ok || !isUser(answer.data)) return 'offline';
    await this.adopt(answer.data);
    return 'ok';
  }

  /**
   * Sign in with a password (JSON), then carry on where the user was.
   * @param {string} username
   * @param {string} password
   * @returns {Promise<{ok:boolean, message?:string, offline?:boolean}>}
   */
  async signIn(username, password) {
    try {
      const csrf = await this.api.get('/api/auth/csrf', { timeout: 15_000 });
      if (csrf.ok && csrf.data && typeof csrf.data.csrf_token === 'string') {
        this.api.csrfToken = csrf.data.csrf_token;
      }
      const answer = await this.api.post('/api/auth/sign-in', { username, password }, { timeout: 15_000 });
      if (answer.ok && isUser(answer.data)) {
        await this.adopt(answer.data);
        return { ok: true };
      }
      const error = answer.data && answer.data.error;
      return { ok: false, message: error && typeof error.message === 'string' ? error.message : null };
    } catch (error) {
      if (error instanceof NetworkError) return { ok: false, offline: true };
      throw error;
    }
  }

  /**
   * Sign in with a passkey the browser offers (no username), then carry on where the user was.
   * `conditional` waits for the person to pick one in the username field's autofill. Browser
   * failures reject with a PasskeyError; the server's refusals resolve with its message.
   * @param {{conditional?: boolean, signal?: AbortSignal}} [how]
   * @returns {Promise<{ok:boolean, message?:string, offline?:boolean}>}
   */
  async signInWithPasskey(how = {}) {
    try {
      await this.fetchCsrf();
      const started = await this.api.post('/api/passkeys/sign-in/options', {}, { timeout: 15_000 });
      if (!started.ok || !started.data || !started.data.options) {
        const error = started.data && started.data.error;
        return { ok: false, message: error && typeof error.message === 'string' ? error.message : null };
      }
      const credential = await getPasskey(started.data.options, how);
      const answer = await this.api.post('/api/passkeys/sign-in',
        { ceremony: started.data.ceremony, credential }, { timeout: 15_000 });
      if (answer.ok && isUser(answer.data)) {
        await this.adopt(answer.data);
        return { ok: true };
      }
      const error = answer.data && answer.data.error;
      return { ok: false, message: error && typeof error.message === 'string' ? error.message : null };
    } catch (error) {
      if (error instanceof NetworkError) return { ok: false, offline: true };
      throw error;
    }
  }

  /** A CSRF token for this browser's (maybe signed-out) session. */
  async fetchCsrf() {
    const csrf = await this.api.get('/api/auth/csrf', { timeout: 15_000 });
    if (csrf.ok && csrf.data && typeof csrf.data.csrf_token === 'string') {
      this.api.csrfToken = csrf.data.csrf_token;
    }
  }

  /** Take the server's word for who is signed in. */
  async adopt(me) {
    const user = {
      id: String(me.id), username: me.username, display_name: me.display_name || '',
      role: me.role, locale: me.locale || null,
    };
    const switched = !this.user || this.user.id !== user.id;
    const changed = switched || this.user.locale !== user.locale || this.user.role !== user.role;
    this.api.csrfToken = me.csrf_token || this.api.csrfToken;
    this.user = user;
    this.expired = false;
    await this.db.setMeta('session', user);
    await this.db.ensureUser(user.id);
    this.dispatchEvent(new CustomEvent('change', { detail: { switched, changed } }));
  }

  markExpired() {
    if (this.expired) return;
    this.expired = true;
    this.api.csrfToken = null;
    this.dispatchEvent(new CustomEvent('change', { detail: { switched: false, changed: false } }));
  }

  /** Whether the user works in the office (dispatcher, admin). @returns {boolean} */
  get isOffice() {
    return Boolean(this.user) && ['dispatcher', 'admin'].includes(this.user.role);
  }

  /**
   * End the server session (best effort: offline it is simply forgotten on the device).
   * @returns {Promise<void>}
   */
  async signOutOnServer() {
    try {
      await this.api.post('/api/auth/sign-out', {}, { timeout: 10_000 });
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
    }
    this.api.csrfToken = null;
  }
}

function isUser(data) {
  return Boolean(data) && typeof data === 'object' && data.id && typeof data.username === 'string';
}
