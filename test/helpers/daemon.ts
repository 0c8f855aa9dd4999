// A long-running child process for e2e tests (a BitTorrent client daemon, a helper script): its
// output kept for failure messages, its JSON lines readable, its exit awaitable with a bound.
import { spawn, type ChildProcess } from 'node:child_process';

export class Daemon {
  stdout = '';
  stderr = '';
  /** Set once the process exited and its output streams are drained. */
  closed = false;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(readonly name: string, cmd: string, args: string[], opts: { env?: Record<string, string>; stdin?: boolean } = {}) {
    this.child = spawn(cmd, args, { stdio: [opts.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    this.child.stdout?.setEncoding('utf8').on('data', (s: string) => { this.stdout += s; });
    this.child.stderr?.setEncoding('utf8').on('data', (s: string) => { this.stderr += s; });
    this.exited = new Promise((resolve) => this.child.on('close', (code) => {
      this.closed = true;
      resolve(code);
    }));
  }

  /** The `{"event": name}` lines printed so far (helper scripts speak one JSON object per line). */
  events(name: string): Record<string, unknown>[] {
    return this.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === name);
  }

  /** Resolves with the first `{"event": name}` line; rejects when the process exits or `ms` pass first. */
  async event(name: string, ms: number): Promise<Record<string, unknown>> {
    const end = Date.now() + ms;
    for (;;) {
      const e = this.events(name)[0];
      if (e !== undefined) return e;
      if (this.closed) throw new Error(`${this.name} exited before '${name}'\n${this.output()}`);
      if (Date.now() > end) throw new Error(`${this.name}: no '${name}' within ${ms} ms\n${this.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Retries `probe` (e.g. an API call) until it resolves; rejects when the process exits or `ms` pass first. */
  async ready(what: string, ms: number, probe: () => Promise<unknown>): Promise<void> {
    for (const end = Date.now() + ms; ;) {
      if (this.closed) throw new Error(`${this.name} exited at start\n${this.output()}`);
      try {
        await probe();
        return;
      } catch (e) {
        if (Date.now() > end) throw new Error(`${this.name}: ${what} did not answer within ${ms} ms: ${String(e)}\n${this.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Waits for the exit; after `ms` kills the process and rejects with its output. */
  async exit(ms: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`${this.name} still running after ${ms} ms (killed)\n${this.output()}`));
      }, ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process if it still runs, and waits for it. */
  async kill(): Promise<void> {
    if (!this.closed) this.child.kill('SIGKILL');
    await this.exited;
  }

  output(): string {
    const status = this.closed ? `exited with ${this.child.exitCode ?? this.child.signalCode}` : 'still running';
    return `--- ${this.name} (${status}) stdout ---\n${this.stdout.slice(-6000)}\n--- ${this.name} stderr ---\n${this.stderr.slice(-8000)}`;
  }
}
