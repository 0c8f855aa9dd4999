// Item 6: GUESSES concurrent wrong logins for one account, then its right password: how many
// guesses the server checked (answered "invalid username or password") and how many it refused
// before checking (RATE_LIMITED), and whether the right password was then accepted.
import { errorsOf, jsonOf, medianMax, ms, postGraphql } from './http-client.mjs';

const LOGIN = 'mutation($u: String!, $p: String!){login(username:$u, password:$p){token}}';

/** The attack; counts of the guesses' answers and the right password's. */
export async function run(ctx, { guesses }) {
  const { username, password } = ctx.setup.victim;
  const t0 = performance.now();
  const answers = await Promise.all(Array.from({ length: guesses }, (_, i) =>
    postGraphql(ctx.base, { query: LOGIN, variables: { u: username, p: `wrong-guess-${i}` } }, { timeoutMs: ctx.timeoutMs })));
  const count = new Map();
  for (const r of answers) {
    const code = r.error ? (r.error === 'timeout' ? 'timed out' : `reset ${r.error}`) : (errorsOf(r)[0]?.extensions?.code ?? (jsonOf(r)?.data?.login ? 'ACCEPTED?!' : `HTTP ${r.status}`));
    count.set(code, (count.get(code) ?? 0) + 1);
  }
  const guessesMs = performance.now() - t0;
  const right = await postGraphql(ctx.base, { query: LOGIN, variables: { u: username, p: password } }, { timeoutMs: ctx.timeoutMs });
  const rightCode = right.error ?? (jsonOf(right)?.data?.login?.token ? 'accepted' : `refused ${errorsOf(right)[0]?.extensions?.code ?? right.status}`);
  const checked = count.get('UNAUTHENTICATED') ?? 0, refused = count.get('RATE_LIMITED') ?? 0;
  const other = [...count].filter(([c]) => c !== 'UNAUTHENTICATED' && c !== 'RATE_LIMITED').map(([c, n]) => `${n} ${c}`).join(', ');
  const { median, max } = medianMax(answers.map((r) => r.ms));
  return {
    answer: `${guesses} wrong: ${checked} checked, ${refused} refused${other ? `, ${other}` : ''}; right password ${rightCode}`,
    ms: performance.now() - t0,
    details: `guesses answered within ${ms(guessesMs)} (each ${ms(median)} median, ${ms(max)} max); right password answered in ${ms(right.ms)}`,
  };
}
