/**
 * A conflict seen from this phone: which of its two values is the viewer's own.
 *
 * The server names the sides, never "mine" (webapp/sync/conflicts.py): `server` is the value it
 * kept, written earlier by someone; `client` is the value the device that raised the conflict
 * proposed. Who "I" am decides which is mine: the phone that raised it (its own change), or the
 * person whose value the server kept. The buttons send the side, with the value shown, so the
 * server refuses a choice that would write another value than the one the person picked.
 */

/**
 * @typedef {{value: any, by_id: string|null, by_name: string, at: string|null}} ConflictSide
 * @typedef {{key: 'server'|'client', value: any, byId: string|null, byName: string,
 *   at: string|null, mine: boolean}} Side
 */

/**
 * Both sides of a conflict, and which one is the viewer's own (null: neither, or both — the
 * same person on two other devices, or someone who only looks).
 * @param {object} conflict a synced conflict record
 * @param {{userId: string, userName?: string, sentHere?: Set<string>}} viewer `sentHere`: the
 *   mutation ids this phone sent
 * @returns {{mine: 'server'|'client'|null, server: Side, client: Side}}
 */
export function sidesOf(conflict, { userId, userName = '', sentHere = new Set() }) {
  const server = side('server', conflict.server, conflict.server_value, null);
  const client = side('client', conflict.client, conflict.client_value, conflict.raised_by_id,
    conflict.raised_by_name);
  let mine = null;
  if (conflict.mutation_id && sentHere.has(String(conflict.mutation_id))) mine = 'client';
  else if (server.byId || client.byId) {
    const serverMine = server.byId === String(userId);
    const clientMine = client.byId === String(userId);
    if (serverMine !== clientMine) mine = serverMine ? 'server' : 'client';
  } else if (client.byName && client.byName === userName) {
    mine = 'client'; // a record pulled before the server named both writers
  }
  server.mine = mine === 'server';
  client.mine = mine === 'client';
  return { mine, server, client };
}

function side(key, given, value, byId, byName = '') {
  const from = given && typeof given === 'object' ? given : {};
  return {
    key,
    value: 'value' in from ? from.value : value,
    byId: from.by_id ? String(from.by_id) : (byId ? String(byId) : null),
    byName: from.by_name || byName || '',
    at: from.at || null,
    mine: false,
  };
}

/**
 * The value a resolution kept and the one it did not use, or null while the conflict is open.
 * @param {{mine: string|null, server: Side, client: Side}} sides from `sidesOf`
 * @param {object} conflict
 * @returns {{kept: Side, notUsed: Side}|null}
 */
export function outcomeOf(sides, conflict) {
  if (conflict.status !== 'resolved') return null;
  return conflict.resolution === 'client'
    ? { kept: sides.client, notUsed: sides.server }
    : { kept: sides.server, notUsed: sides.client };
}
