/**
 * The camera and the QR decode loop.
 *
 * - Camera: getUserMedia, the back camera when there is one, no sound.
 * - Decoder: the browser's own BarcodeDetector when it exists and knows `qr_code` (Android
 *   Chrome); otherwise the vendored jsQR (static/vendor/jsqr/jsQR.js, pinned in
 *   static/vendor/versions.json), loaded on first use as a classic <script> (it is a UMD file
 *   that sets `self.jsQR`; the CSP allows same-origin scripts, and the service worker precaches
 *   it, so it loads offline). jsQR reads frames drawn to a canvas at most 640 px on their long
 *   side, every other one through a slight blur (see jsqrDecoder).
 * - Pace: about 9 decodes a second; the next one is due ~110 ms after the previous one started,
 *   and never before it ended, so a slow phone decodes less often instead of falling behind.
 * - Torch: offered when the camera track says it has one (getCapabilities().torch).
 * - stop() ends the tracks, so the camera light goes off when the screen is left.
 */

const JSQR_URL = '/static/vendor/jsqr/jsQR.js';
const MAX_SIDE = 640;
const INTERVAL_MS = 110;

let jsqrLoading = null;

/** Load the vendored decoder once. @returns {Promise<Function>} jsQR(data, width, height, options) */
export function loadJsQR() {
  if (globalThis.jsQR) return Promise.resolve(globalThis.jsQR);
  if (!jsqrLoading) {
    jsqrLoading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = JSQR_URL;
      script.async = true;
      script.onload = () => (globalThis.jsQR ? resolve(globalThis.jsQR) : reject(new Error('jsQR did not load')));
      script.onerror = () => reject(new Error(`could not load ${JSQR_URL}`));
      document.head.append(script);
    }).catch((error) => {
      jsqrLoading = null; // try again next time
      throw error;
    });
  }
  return jsqrLoading;
}

/**
 * The decoder to use here: the native one if it reads QR codes, else jsQR on a canvas.
 * @returns {Promise<{name: 'native'|'jsqr', decode: (source: HTMLVideoElement) => Promise<string|null>}>}
 */
export async function pickDecoder() {
  if (typeof globalThis.BarcodeDetector === 'function') {
    try {
      const formats = await globalThis.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) {
        const detector = new globalThis.BarcodeDetector({ formats: ['qr_code'] });
        return {
          name: 'native',
          async decode(source) {
            const found = await detector.detect(source);
            return found.length ? found[0].rawValue : null;
          },
        };
      }
    } catch (error) {
      console.warn('BarcodeDetector unusable, using jsQR', error);
    }
  }
  return jsqrDecoder(await loadJsQR());
}

/**
 * jsQR over frames drawn to a canvas at most 640 px wide. Every other frame is drawn through a
 * 1 px blur: jsQR's thresholding sees a dim or grainy picture's noise as modules and finds no
 * code, and the blur removes that (on noisy frames it also decodes several times faster); the
 * sharp frames in between keep small, far-away codes readable. Where canvas filters are not
 * supported both passes are simply sharp.
 * @param {Function} jsQR
 * @returns {{name: 'jsqr', decode: (source: CanvasImageSource & {videoWidth?: number,
 *   videoHeight?: number, width?: number, height?: number}) => Promise<string|null>}}
 */
export function jsqrDecoder(jsQR) {
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let turn = 0;
  return {
    name: 'jsqr',
    async decode(source) {
      const width = source.videoWidth || source.width;
      const height = source.videoHeight || source.height;
      if (!width || !height) return null;
      const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      const w = Math.round(width * scale);
      const h = Math.round(height * scale);
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      context.filter = turn++ % 2 === 0 ? 'blur(1px)' : 'none';
      context.drawImage(source, 0, 0, w, h);
      const image = context.getImageData(0, 0, w, h);
      // Labels are printed dark on light: skipping the inverted pass halves the work.
      const code = jsQR(image.data, w, h, { inversionAttempts: 'dontInvert' });
      return code ? code.data : null;
    },
  };
}

/** Why the camera could not start, in words the screen turns into advice. */
export function cameraProblem(error) {
  const name = error && error.name;
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'no-camera';
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') return 'busy';
  return 'unavailable';
}

/** The camera on a <video> element and the decode loop over its frames. */
export class Scanner {
  /**
   * @param {HTMLVideoElement} video
   * @param {{onCode: (text: string) => void, onFrame?: (frames: number) => void}} handlers
   */
  constructor(video, { onCode, onFrame = () => {} }) {
    this.video = video;
    this.onCode = onCode;
    this.onFrame = onFrame;
    this.stream = null;
    this.track = null;
    this.decoder = null;
    this.timer = null;
    this.running = false;
    this.frames = 0;
    this.torchOn = false;
  }

  /**
   * Ask for the camera and start decoding.
   * @returns {Promise<{ok: true, decoder: string, torch: boolean}|{ok: false, problem: string}>}
   */
  async start() {
    if (this.running) return { ok: true, decoder: this.decoder ? this.decoder.name : null, torch: this.hasTorch() };
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return { ok: false, problem: 'unsupported' };
    this.running = true;
    try {
      this.decoder = this.decoder || await pickDecoder();
    } catch (error) {
      this.running = false;
      console.warn('no QR decoder', error);
      return { ok: false, problem: 'unavailable' };
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (error) {
      this.running = false;
      console.warn('camera not started', error);
      return { ok: false, problem: cameraProblem(error) };
    }
    if (!this.running) { // stopped while the camera was being opened
      stream.getTracks().forEach((track) => track.stop());
      return { ok: false, problem: 'stopped' };
    }
    this.stream = stream;
    [this.track] = stream.getVideoTracks();
    this.video.muted = true;
    this.video.setAttribute('playsinline', '');
    this.video.srcObject = stream;
    await this.video.play().catch(() => {}); // a muted stream may autoplay
    if (!this.running) return { ok: false, problem: 'stopped' };
    this.schedule(0);
    return { ok: true, decoder: this.decoder.name, torch: this.hasTorch() };
  }

  schedule(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delay);
  }

  async tick() {
    if (!this.running) return;
    const started = performance.now();
    let text = null;
    if (this.video.readyState >= 2 && !document.hidden) {
      try {
        text = await this.decoder.decode(this.video);
      } catch (error) {
        console.warn('decode failed', error); // one bad frame; keep going
      }
      this.frames += 1;
      this.onFrame(this.frames);
    }
    if (!this.running) return;
    if (text) this.onCode(text);
    if (this.running) this.schedule(Math.max(0, INTERVAL_MS - (performance.now() - started)));
  }

  /** @returns {boolean} whether the camera has a torch this page may switch */
  hasTorch() {
    const track = this.track;
    if (!track || typeof track.getCapabilities !== 'function') return false;
    try {
      return Boolean(track.getCapabilities().torch);
    } catch {
      return false;
    }
  }

  /**
   * Switch the torch.
   * @param {boolean} on
   * @returns {Promise<boolean>} the torch's state afterwards
   */
  async setTorch(on) {
    if (!this.hasTorch()) return false;
    try {
      await this.track.applyConstraints({ advanced: [{ torch: Boolean(on) }] });
      this.torchOn = Boolean(on);
    } catch (error) {
      console.warn('torch not switched', error);
    }
    return this.torchOn;
  }

  /** Stop decoding and release the camera. */
  stop() {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.track = null;
    this.torchOn = false;
    if (this.video) this.video.srcObject = null;
  }
}
