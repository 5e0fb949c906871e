import { runValidateCommand } from '../command';

/** The command run in-process: its exit code and the lines it wrote to each stream. */
export function runCommand(args: readonly string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runValidateCommand(args, { out: (line) => out.push(line), err: (line) => err.push(line) }, { cwd });
  return { code, out, err };
}
