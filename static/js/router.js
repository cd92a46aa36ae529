/**
 * Hash routes: #/, #/sites/<id>, #/sites/<id>/new, #/equipment/<id>, #/equipment/<id>/edit,
 * #/rounds/<id>, #/rounds/<id>/handover, #/rounds/<id>/correct, #/start/<schedule id>/<period>,
 * #/new/<template id>/<site|equipment|fault>:<id> (a round no schedule asks for),
 * #/faults/<id>, #/parts/<site id> (a site's spare parts), #/outbox, #/settings, #/scan,
 * #/t/<token> (a tag's link), #/leave (leave and
 * absence explanations), #/leave/new, #/explanations/new, #/checkin/<site id> and
 * #/checkin/t/<token> (checking in at a site, or at a room by its label). Hash routing keeps every
 * screen inside the one cached shell (/app/).
 */

const ROUTES = [
  ['home', /^\/?$/],
  ['site', /^\/sites\/([^/]+)$/],
  ['equipment-new', /^\/sites\/([^/]+)\/new$/],
  ['equipment', /^\/equipment\/([^/]+)$/],
  ['equipment-edit', /^\/equipment\/([^/]+)\/edit$/],
  ['outbox', /^\/outbox$/],
  ['settings', /^\/settings$/],
  ['round', /^\/rounds\/([^/]+)$/],
  ['round-handover', /^\/rounds\/([^/]+)\/handover$/],
  ['round-correct', /^\/rounds\/([^/]+)\/correct$/],
  ['round-start', /^\/start\/([^/]+)\/([^/]+)$/],
  ['round-new', /^\/new\/([^/]+)\/([^/]+)$/], // a template, and "site:", "equipment:" or "fault:" an id
  ['fault', /^\/faults\/([^/]+)$/],
  ['parts', /^\/parts\/([^/]+)$/],
  ['scan', /^\/scan$/],
  ['leave', /^\/leave$/],
  ['leave-new', /^\/leave\/new$/],
  ['explanation-new', /^\/explanations\/new$/],
  ['explanation-for', /^\/explanations\/new\/([^/]+)\/(\d{4}-\d{2})$/],
  ['checkin-tag', /^\/checkin\/t\/(.*)$/], // a room's label: check in there
  ['checkin', /^\/checkin\/([^/]+)$/],
  ['tag', /^\/t\/(.*)$/], // any token: the tag screen says what is wrong with it
];

/**
 * The route named by a hash.
 * @param {string} hash e.g. "#/equipment/1234/edit"
 * @returns {{name:string, id:string|null, part:string|null}}
 */
export function parseRoute(hash) {
  let path;
  try {
    path = decodeURIComponent(hash.replace(/^#/, '')) || '/';
  } catch {
    return { name: 'not-found', id: null, part: null }; // a broken % escape: "Nothing here"
  }
  for (const [name, pattern] of ROUTES) {
    const match = path.match(pattern);
    if (match) return { name, id: match[1] || null, part: match[2] || null };
  }
  return { name: 'not-found', id: null, part: null };
}

/**
 * Go somewhere inside the app.
 * @param {string} path e.g. "/sites/123"
 * @param {{replace?: boolean}} [options]
 */
export function go(path, { replace = false } = {}) {
  const hash = `#${path}`;
  if (!replace && location.hash !== hash) {
    location.hash = hash; // the browser fires hashchange
    return;
  }
  if (replace) history.replaceState(null, '', hash);
  dispatchEvent(new HashChangeEvent('hashchange'));
}
