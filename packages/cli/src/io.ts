// What a command may touch of the outside world; tests pass their own.
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** All of standard input, for `-f -`. */
  readStdin(): Promise<string>;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export function processIO(): CliIO {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Collects output in memory, for tests and for commands that call other commands. */
export function bufferIO(options: { stdin?: string; env?: Record<string, string | undefined>; cwd?: string } = {}): CliIO & {
  stdout: () => string;
  stderr: () => string;
} {
  let stdout = '';
  let stderr = '';
  return {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    readStdin: async () => options.stdin ?? '',
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
