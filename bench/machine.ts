import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * One line naming the hardware and runtime, because the absolute numbers only
 * mean something next to them. The CPU model comes from /proc/cpuinfo (Linux);
 * elsewhere os.cpus() gives a model name too.
 */
export function describeMachine(): string {
  let model = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    model = match?.[1].trim() ?? model;
  } catch {
    // not Linux: keep os.cpus()'s name
  }
  const memoryGiB = (os.totalmem() / 2 ** 30).toFixed(1);
  return (
    `${model}, ${os.cpus().length} cores, ${memoryGiB} GiB memory, ` +
    `node ${process.version}, ${os.type()} ${os.release()} ${os.arch()}`
  );
}
