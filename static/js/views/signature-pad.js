/**
 * A signature drawn with a finger, a stylus or a mouse on a canvas (pointer events), kept as
 * strokes and written out as a PNG with a white background.
 */

const HEIGHT = 200;

/**
 * @returns {{el: HTMLElement, isEmpty: () => boolean, clear: () => void,
 *   toPng: () => Promise<ArrayBuffer>}}
 */
export function signaturePad() {
  const canvas = document.createElement('canvas');
  canvas.className = 'signature-pad';
  canvas.dataset.testid = 'signature-pad';
  const strokes = [];
  let current = null;
  let width = 0;

  function size() {
    const ratio = window.devicePixelRatio || 1;
    width = canvas.clientWidth || 320;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(HEIGHT * ratio);
    draw();
  }

  function draw() {
    const ratio = canvas.width / (width || 1);
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.fillStyle = '#fff';
    g.fillRect(0, 0, width, HEIGHT);
    g.strokeStyle = '#111';
    g.lineWidth = 2.5;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    for (const stroke of strokes) {
      g.beginPath();
      stroke.forEach(([x, y], i) => (i ? g.lineTo(x, y) : g.moveTo(x, y)));
      if (stroke.length === 1) g.lineTo(stroke[0][0] + 0.1, stroke[0][1]);
      g.stroke();
    }
  }

  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  };
  canvas.addEventListener('pointerdown', (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    current = [point(event)];
    strokes.push(current);
    draw();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!current) return;
    current.push(point(event));
    draw();
  });
  const end = () => { current = null; };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  new ResizeObserver(() => size()).observe(canvas);

  return {
    el: canvas,
    isEmpty: () => !strokes.some((s) => s.length > 1),
    clear: () => { strokes.length = 0; draw(); },
    toPng: () => new Promise((resolve, reject) => {
      canvas.toBlob((blob) => (blob ? blob.arrayBuffer().then(resolve, reject)
        : reject(new Error('the signature could not be drawn'))), 'image/png');
    }),
  };
}
