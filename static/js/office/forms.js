/**
 * One click, one post, on every server page (base.html): a form sent by POST is not sent again
 * while its answer is on the way. A double click on "Receive" would otherwise reach the server
 * twice and receive the parts twice (the browser drops the first page, not the first request).
 *
 * The form is held, not its buttons: a disabled button would leave its own name and value out
 * of what the form sends. A form whose sending was cancelled (a confirmation declined) is not
 * held; a form whose answer is a download (the page stays) is sendable again after a moment,
 * and so is every form of a page the browser brings back from its history.
 */

const HOLD_MS = 4000;

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
  if (form.method.toLowerCase() !== 'post') return;
  const sentAt = Number(form.dataset.sentAt || 0);
  if (sentAt && performance.now() - sentAt < HOLD_MS) {
    event.preventDefault();
    return;
  }
  form.dataset.sentAt = String(performance.now());
});

addEventListener('pageshow', (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll('form[data-sent-at]')) delete form.dataset.sentAt;
});
