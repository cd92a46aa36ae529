/**
 * Talking to the server: JSON requests with the session's CSRF token and a timeout.
 *
 * Connectivity is judged by requests succeeding, not by navigator.onLine: a phone on a
 * captive Wi-Fi or one bar of signal says "online" and still gets nowhere. The latest request
 * to end decides, unless an older one ends after a newer one: a request that hung while the
 * network was away and fails late does not undo what a later success showed.
 */

const DEFAULT_TIMEOUT_MS = 30_000;

/** A request that got no HTTP answer at all (offline, timeout, connection reset). */
export class NetworkError extends Error {
  constructor(cause) {
    super('network unreachable');
    this.name = 'NetworkError';
    this.cause = cause;
  }
}

/** The server's own connection state as this page has seen it. */
export class Api extends EventTarget {
  constructor() {
    super();
    /** @type {boolean|null} null until the first request ends */
    this.reachable = null;
    /** @type {string|null} */
    this.csrfToken = null;
    this.started = 0; // requests started on this page, numbered
    this.decided = 0; // the number of the newest request whose end set `reachable`
    // The browser knowing it has no network at all is a sure "no"; its "online" is only a
    // maybe, settled by the next request.
    addEventListener('offline', () => { this.decided = this.started; this.setReachable(false); });
  }

  /**
   * What request number `n` found out, unless a newer request has already said.
   * @param {number} n
   * @param {boolean} value
   */
  settle(n, value) {
    if (n < this.decided) return;
    this.decided = n;
    this.setReachable(value);
  }

  setReachable(value) {
    if (this.reachable === value) return;
    this.reachable = value;
    this.dispatchEvent(new Event('connectivity'));
  }

  /**
   * Send a request. Resolves with any HTTP answer (check `status`); rejects with NetworkError
   * when there is none. `data` is the parsed JSON body, or null when the body is not JSON
   * (a captive portal's HTML page, for instance).
   * @param {string} method
   * @param {string} url
   * @param {{json?: any, body?: BodyInit, headers?: Record<string,string>, timeout?: number}} [options]
   * @returns {Promise<{status:number, ok:boolean, data:any, isJson:boolean}>}
   */
  async request(method, url, { json, body, headers = {}, timeout = DEFAULT_TIMEOUT_MS } = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    const sendHeaders = { Accept: 'application/json', ...headers };
    if (json !== undefined) sendHeaders['Content-Type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD' && this.csrfToken) sendHeaders['X-CSRF-Token'] = this.csrfToken;
    const n = ++this.started;
    let response;
    try {
      response = await fetch(url, {
        method,
        headers: sendHeaders,
        body: json !== undefined ? JSON.stringify(json) : body,
        credentials: 'same-origin',
        cache: 'no-store',
        redirect: 'manual',
        signal: controller.signal,
      });
    } catch (error) {
      this.settle(n, false);
      throw new NetworkError(error);
    } finally {
      clearTimeout(timer);
    }
    const type = response.headers.get('Content-Type') || '';
    const isJson = type.split(';')[0].trim() === 'application/json';
    let data = null;
    if (isJson) {
      try {
        data = await response.json();
      } catch {
        data = null;
      }
    }
    // Our server answers every /api/ request with JSON; anything else (a captive portal's page,
    // a proxy's error, a redirect elsewhere) means we are not really talking to it.
    this.settle(n, isJson && response.status < 500);
    return { status: response.status, ok: response.ok, data: isJson ? data : null, isJson };
  }

  /** @returns {Promise<{status:number, ok:boolean, data:any, isJson:boolean}>} */
  get(url, options) { return this.request('GET', url, options); }

  /** @returns {Promise<{status:number, ok:boolean, data:any, isJson:boolean}>} */
  post(url, json, options) { return this.request('POST', url, { ...options, json }); }

  /** @returns {Promise<{status:number, ok:boolean, data:any, isJson:boolean}>} */
  patch(url, json, options) { return this.request('PATCH', url, { ...options, json }); }
}

/**
 * The server's message from an error envelope, if it sent one (already in the user's language).
 * @param {{data:any}} answer
 * @returns {string|null}
 */
export function errorMessage(answer) {
  const error = answer && answer.data && answer.data.error;
  return error && typeof error.message === 'string' ? error.message : null;
}
