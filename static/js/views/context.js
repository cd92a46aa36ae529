/**
 * What every view gets from the composition root (app.js). Types only.
 *
 * @typedef {object} Context
 * @property {import('../db.js').Database} db
 * @property {import('../api.js').Api} api
 * @property {import('../session.js').Session} session
 * @property {import('../outbox.js').Outbox} outbox
 * @property {import('../sync.js').Sync} sync
 * @property {{version: () => Promise<string|null>}} worker
 * @property {() => string} userId the signed-in user's id
 * @property {() => string} locale the catalogue in use
 * @property {{get: (k: string) => any, set: (k: string, v: any) => void, take: (k: string) => any}} memory
 *   screen state kept while the page lives (search text, "edit again" payloads)
 * @property {string[]} urls object URLs to revoke when the screen changes
 * @property {(message: string) => void} flash a message for the next screen
 * @property {() => void} rerender draw the current screen again
 * @property {() => Promise<void>} signedIn after a successful sign-in
 * @property {(how: {keep?: boolean, discard?: boolean}) => Promise<void>} signOut
 * @property {(locale: string) => Promise<{note: string, redrawn: boolean}>} chooseLanguage
 *   save a language choice ('' follows the browser); `note` says where it was saved
 * @property {() => Promise<string>} languageChoice the language the person chose, '' when the
 *   browser decides
 * @property {() => any} installPrompt the deferred beforeinstallprompt event, if any
 */

export {};
