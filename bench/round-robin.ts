/**
 * The simplest load balancer, for measuring several nodes in the bench: each
 * new TCP connection goes to the next backend in turn and is piped through
 * unchanged (as an L4 balancer does; keep-alive requests stay on their node).
 */
import net from 'node:net';

export interface RoundRobin {
  port: number;
  close(): Promise<void>;
}

export async function roundRobin(backendPorts: readonly number[]): Promise<RoundRobin> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (client) => {
    const backend = net.connect({ port: backendPorts[next++ % backendPorts.length], host: '127.0.0.1', noDelay: true });
    for (const socket of [client, backend]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.once('error', () => (socket === client ? backend : client).destroy());
    }
    client.pipe(backend).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
