import { describe, expect, it } from 'vitest';
import { integerFlag, normalizeShortEquals, parseCommandArgs, UsageError } from './args.js';
import { bufferIO } from './io.js';
import { runCli } from './cli.js';

const FLAGS = {
  output: { type: 'string', short: 'o' },
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  filename: { type: 'string', short: 'f', multiple: true },
} as const;

function usageMessage(argv: string[]): string {
  try {
    parseCommandArgs('get', argv, FLAGS);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as UsageError).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('parseCommandArgs', () => {
  it('reads flags the ways pflag accepts them', () => {
    for (const argv of [['-o', 'yaml'], ['-oyaml'], ['-o=yaml'], ['--output', 'yaml'], ['--output=yaml']]) {
      expect(parseCommandArgs('get', argv, FLAGS).values.output, argv.join(' ')).toBe('yaml');
    }
    const p = parseCommandArgs('get', ['svc', 'a', '-An', 'x', '-f', 'a.yaml', '-f', 'b.yaml', '--state-dir', '/s'], FLAGS);
    expect(p.positionals).toEqual(['svc', 'a']);
    expect(p.values).toMatchObject({ 'all-namespaces': true, namespace: 'x', filename: ['a.yaml', 'b.yaml'], 'state-dir': '/s' });
  });

  it('leaves what follows -- alone', () => {
    expect(normalizeShortEquals(['-o=x', '--', '-n=y'])).toEqual(['-o', 'x', '--', '-n=y']);
  });

  it("words errors as kubectl's flag library does", () => {
    expect(usageMessage(['--foo'])).toBe('unknown flag: --foo');
    expect(usageMessage(['--foo=bar'])).toBe('unknown flag: --foo');
    expect(usageMessage(['-x'])).toBe("unknown shorthand flag: 'x' in -x");
    expect(usageMessage(['--output'])).toBe('flag needs an argument: --output');
  });

  it('checks integer flags', () => {
    const args = parseCommandArgs('up', ['--nodes', '3x'], { nodes: { type: 'string' } });
    expect(() => integerFlag(args, 'up', 'nodes', 1, 64)).toThrow('invalid argument "3x" for "--nodes" flag: must be an integer between 1 and 64');
    expect(integerFlag(parseCommandArgs('up', ['--nodes', '3'], { nodes: { type: 'string' } }), 'up', 'nodes', 1, 64)).toBe(3);
  });
});

describe('runCli usage errors', () => {
  it('exits 2 with the command to ask for help', async () => {
    const io = bufferIO();
    expect(await runCli(['get', 'svc', '--bogus'], io)).toBe(2);
    expect(io.stderr()).toBe("error: unknown flag: --bogus\nSee 'kubemu get --help' for usage.\n");
    expect(io.stdout()).toBe('');
  });

  it('exits 2 on an unknown command, 0 with help', async () => {
    const io = bufferIO();
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(io.stderr()).toBe('error: unknown command "frobnicate" for "kubemu"\nRun \'kubemu --help\' for usage.\n');
    const help = bufferIO();
    expect(await runCli(['--help'], help)).toBe(0);
    expect(help.stdout()).toMatch(/^kubemu emulates Kubernetes Service networking/);
    for (const command of ['up', 'down', 'status', 'kubeconfig', 'apply', 'get', 'describe', 'delete', 'validate']) {
      expect(help.stdout()).toContain(`\n  ${command} `);
      const one = bufferIO();
      expect(await runCli([command, '--help'], one), command).toBe(0);
      expect(one.stdout(), command).toContain(`kubemu ${command}`);
    }
  });

  it('refuses arguments a command does not take', async () => {
    const io = bufferIO();
    expect(await runCli(['down', 'now'], io)).toBe(2);
    expect(io.stderr()).toBe("error: unexpected argument: now\nSee 'kubemu down --help' for usage.\n");
  });
});
