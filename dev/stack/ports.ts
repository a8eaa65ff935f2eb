/** The local stack's ports: defaults that stay clear of the usual 3000/8000/8080, each overridable. */
import { createServer } from 'node:net';

export interface StackPorts {
  /** serverless-offline: the functions' routes. */
  http: number;
  /** serverless-offline's Lambda invoke endpoint. */
  lambda: number;
  sandbox: number;
  secretsManager: number;
  dynamoDb: number;
}

export const DEFAULT_PORTS: StackPorts = { http: 4100, lambda: 4101, sandbox: 4102, secretsManager: 4103, dynamoDb: 4104 };

/** Environment variables that move each port. */
export const PORT_VARIABLES: Record<keyof StackPorts, string> = {
  http: 'HTTP_PORT',
  lambda: 'LAMBDA_PORT',
  sandbox: 'SANDBOX_PORT',
  secretsManager: 'SECRETS_MANAGER_PORT',
  dynamoDb: 'DYNAMODB_PORT',
};

export class PortInUseError extends Error {
  constructor(readonly service: keyof StackPorts, readonly port: number) {
    super(`port ${port} (${service}) is taken: stop whatever holds it, or set ${PORT_VARIABLES[service]} to another port`);
  }
}

export function portsFromEnvironment(env: Readonly<Record<string, string | undefined>>): StackPorts {
  const ports = { ...DEFAULT_PORTS };
  for (const [name, variable] of Object.entries(PORT_VARIABLES) as Array<[keyof StackPorts, string]>) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    const port = Number(value);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${variable}=${value} is not a port number`);
    ports[name] = port;
  }
  return ports;
}

/** Whether 127.0.0.1:port can be listened on now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A port that was free a moment ago: for tests, which must not collide with a running `npm start`. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export async function freePorts(): Promise<StackPorts> {
  const [http, lambda, sandbox, secretsManager, dynamoDb] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  return { http, lambda, sandbox, secretsManager, dynamoDb };
}
