/**
 * The months in which the engineer's attendance asks for a written absence explanation
 * (《缺勤情况说明》): computed on the server (webapp/checkins/attendance.py, flags_of), fetched
 * after each sync and kept on the phone, so the home screen asks for the explanation offline too.
 */

const FLAGS_META = (userId) => `attendanceFlags:${userId}`;

/**
 * Fetch the signed-in user's flagged months and keep them; a failure keeps what was held.
 * @param {{get: Function}} api
 * @param {{setMeta: Function}} db
 * @param {string} userId
 */
export async function keepFlags(api, db, userId) {
  const answer = await api.get('/api/attendance/flags', { timeout: 30_000 });
  if (!answer.ok || !answer.isJson || !Array.isArray(answer.data)) return;
  await db.setMeta(FLAGS_META(userId), answer.data);
}

/** @returns {Promise<Array<{site_id:string, site_name:string, month:string, absences:number,
 *   late_minutes:number, explanation:string}>>} */
export async function heldFlags(db, userId) {
  return (await db.getMeta(FLAGS_META(userId))) || [];
}

/**
 * The flagged months still waiting for the engineer: the server knows of no explanation, or
 * returned it, and none written on this phone since stands for it.
 * @param {Array<object>} flags
 * @param {Array<{site_id:string, month:string, status?:string}>} explanations on this phone
 */
export function monthsToExplain(flags, explanations) {
  const standing = new Set(explanations
    .filter((e) => !e.status || e.status === 'waiting' || e.status === 'accepted')
    .map((e) => `${e.site_id}|${e.month}`));
  return flags.filter((f) => (f.explanation === 'missing' || f.explanation === 'returned')
    && !standing.has(`${f.site_id}|${f.month}`));
}
