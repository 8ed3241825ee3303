declare module 'proxy-addr' {
  import type { IncomingMessage } from 'node:http';
  /** The client address of a request, trusting forwarding proxies as `trust` says (Express's own logic). */
  export default function proxyaddr(req: IncomingMessage, trust: (addr: string, hop: number) => boolean): string;
}
