const COLORS = [36, 32, 35, 33, 34, 96, 92, 95, 93, 94];
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const assigned = new Map<string, number>();
const tty = process.stdout.isTTY;

function color(name: string, text: string): string {
  if (!tty) return text;
  if (!assigned.has(name)) assigned.set(name, COLORS[assigned.size % COLORS.length]!);
  return `\x1b[${assigned.get(name)}m${text}\x1b[0m`;
}

/** Turns a pino JSON line into `HH:MM:SS LEVEL [service] message key=value…`; other lines pass through prefixed. */
export function formatLogLine(name: string, line: string): string {
  const prefix = color(name, `[${name.padEnd(9)}]`);
  if (!line.startsWith('{')) return `${prefix} ${line}`;
  try {
    const { time, level, msg, service: _service, pid: _pid, hostname: _host, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const clock = typeof time === 'string' ? time.slice(11, 19) : new Date().toISOString().slice(11, 19);
    const extra = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${clock} ${LEVELS[Number(level)] ?? level} ${prefix} ${msg ?? ''}${extra ? `  ${extra}` : ''}`;
  } catch {
    return `${prefix} ${line}`;
  }
}
