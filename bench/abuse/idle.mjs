// The reference: no attack, the probe alone for IDLE_SECONDS.

/** Waits `seconds` (the probe runs meanwhile). */
export async function run(_ctx, { seconds }) {
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return { answer: 'no attack', ms: seconds * 1000 };
}
