// Finds the database and cache endpoints a task talks to, from its containers'
// environment, so their ports can bypass Envoy (EgressIgnoredPorts).
import type { ContainerDefinition, TaskDefinition } from './estate.js';

export interface DbEndpoint {
  container: string;
  variable: string;
  engine: string;
  host?: string;
  port: number;
  /** How the port was worked out: written in the value, a sibling *_PORT variable, or the engine's default. */
  portFrom: 'explicit' | 'sibling' | 'default';
}

export interface UnresolvedDbEndpoint {
  container: string;
  variable: string;
  engine: string;
  host?: string;
  reason: string;
}

export interface DbEndpointScan {
  endpoints: DbEndpoint[];
  unresolved: UnresolvedDbEndpoint[];
  /** Sorted, distinct ports: what EgressIgnoredPorts gets. */
  ports: number[];
}

const SCHEME_PORTS: Record<string, [string, number]> = {
  postgres: ['PostgreSQL', 5432],
  postgresql: ['PostgreSQL', 5432],
  mysql: ['MySQL', 3306],
  mariadb: ['MariaDB', 3306],
  redis: ['Redis', 6379],
  rediss: ['Redis', 6379],
  valkey: ['Valkey', 6379],
  memcached: ['Memcached', 11211],
  mongodb: ['MongoDB', 27017],
  'mongodb+srv': ['MongoDB', 27017],
  amqp: ['RabbitMQ', 5672],
  amqps: ['RabbitMQ', 5671],
  kafka: ['Kafka', 9092],
  cassandra: ['Cassandra', 9042],
  sqlserver: ['SQL Server', 1433],
  mssql: ['SQL Server', 1433],
  oracle: ['Oracle', 1521],
  redshift: ['Redshift', 5439],
};

// Managed-service hostnames and their default ports. RDS/Aurora hostnames do
// not say the engine, so their port comes from the value, a sibling or a hint.
const AWS_HOSTS: { pattern: RegExp; engine: string; port?: number }[] = [
  { pattern: /\.rds\.amazonaws\.com$/i, engine: 'RDS/Aurora' },
  { pattern: /\.cache\.amazonaws\.com$/i, engine: 'ElastiCache', port: 6379 },
  { pattern: /\.docdb\.amazonaws\.com$/i, engine: 'DocumentDB', port: 27017 },
  // MSK brokers: 9094 is the TLS listener, MSK's default client encryption.
  { pattern: /\.kafka\.[a-z0-9-]+\.amazonaws\.com$/i, engine: 'MSK', port: 9094 },
  { pattern: /\.(es|aoss)\.amazonaws\.com$/i, engine: 'OpenSearch', port: 443 },
  { pattern: /\.redshift(-serverless)?\.amazonaws\.com$/i, engine: 'Redshift', port: 5439 },
  { pattern: /\.neptune\.amazonaws\.com$/i, engine: 'Neptune', port: 8182 },
];

const NAME_HINTS: { pattern: RegExp; engine: string; port: number }[] = [
  { pattern: /POSTGRES|PGSQL|(^|_)PG(_|$)/i, engine: 'PostgreSQL', port: 5432 },
  { pattern: /MYSQL|MARIA/i, engine: 'MySQL', port: 3306 },
  { pattern: /MEMCACHE/i, engine: 'Memcached', port: 11211 },
  { pattern: /REDIS|VALKEY|ELASTICACHE/i, engine: 'Redis', port: 6379 },
  { pattern: /MONGO|DOCDB|DOCUMENTDB/i, engine: 'MongoDB', port: 27017 },
  { pattern: /RABBIT|AMQP/i, engine: 'RabbitMQ', port: 5672 },
  { pattern: /MSSQL|SQLSERVER/i, engine: 'SQL Server', port: 1433 },
  { pattern: /ORACLE/i, engine: 'Oracle', port: 1521 },
];

const DB_NAME = /(DB|DATABASE|SQL|POSTGRES|(^|_)PG(_|$)|MYSQL|MARIA|REDIS|VALKEY|CACHE|MEMCACHE|MONGO|DOCDB|KAFKA|BROKER|AMQP|RABBIT|ELASTIC|OPENSEARCH|CASSANDRA|ORACLE)/i;
const HOST_NAME = /(HOST|HOSTNAME|ENDPOINT|ADDRESS|ADDR|SERVER|SERVERS|URL|URI|DSN)$/i;
const PORT_NAME = /_?PORT$/i;

const URL_PATTERN = /(?:jdbc:)?([a-z][a-z0-9+]*):\/\/(?:[^@/\s]*@)?([^/?#;,\s]+)/gi;
const ORACLE_THIN = /jdbc:oracle:thin:@(?:\/\/)?([^:/\s]+)(?::(\d+))?/i;

function splitHostPort(hostPort: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : undefined };
  const [host, port] = hostPort.split(':');
  return { host: host!, port: port && /^\d+$/.test(port) ? Number(port) : undefined };
}

function variablePrefix(name: string): string {
  return name.replace(/_?(HOST|HOSTNAME|ENDPOINT|ADDRESS|ADDR|SERVER|SERVERS|URL|URI|DSN|PORT)$/i, '');
}

function scanContainer(container: ContainerDefinition): { endpoints: DbEndpoint[]; unresolved: UnresolvedDbEndpoint[] } {
  const env = container.environment ?? [];
  const endpoints: DbEndpoint[] = [];
  const unresolved: UnresolvedDbEndpoint[] = [];
  const siblingPorts = new Map<string, number>();
  for (const { name, value } of env) {
    if (PORT_NAME.test(name) && /^\d+$/.test(value)) siblingPorts.set(variablePrefix(name).toUpperCase(), Number(value));
  }
  const hint = (name: string) => NAME_HINTS.find((h) => h.pattern.test(name));
  const base = (variable: string) => ({ container: container.name, variable });

  for (const { name, value } of env) {
    let matchedUrl = false;
    for (const match of value.matchAll(URL_PATTERN)) {
      const scheme = match[1]!.toLowerCase();
      const known = SCHEME_PORTS[scheme];
      const { host, port } = splitHostPort(match[2]!);
      const aws = AWS_HOSTS.find((h) => h.pattern.test(host));
      if (!known && !aws) continue;
      matchedUrl = true;
      const engine = known?.[0] ?? aws!.engine;
      const fallback = known?.[1] ?? aws?.port;
      if (port !== undefined) endpoints.push({ ...base(name), engine, host, port, portFrom: 'explicit' });
      else if (fallback !== undefined) endpoints.push({ ...base(name), engine, host, port: fallback, portFrom: 'default' });
    }
    const oracle = ORACLE_THIN.exec(value);
    if (oracle) {
      matchedUrl = true;
      endpoints.push({ ...base(name), engine: 'Oracle', host: oracle[1], port: oracle[2] ? Number(oracle[2]) : 1521, portFrom: oracle[2] ? 'explicit' : 'default' });
    }
    if (matchedUrl) continue;

    if (PORT_NAME.test(name)) {
      if (DB_NAME.test(name) && /^\d+$/.test(value)) {
        endpoints.push({ ...base(name), engine: hint(name)?.engine ?? 'database', port: Number(value), portFrom: 'explicit' });
      }
      continue;
    }

    // Bare host lists: DB_HOST=db.example.com, KAFKA_BROKERS=b-1...:9094,b-2...:9094
    for (const item of value.split(/[\s,;]+/).filter(Boolean)) {
      if (!/^[a-z0-9.-]+(:\d+)?$/i.test(item) || !item.includes('.')) continue;
      const { host, port } = splitHostPort(item);
      const aws = AWS_HOSTS.find((h) => h.pattern.test(host));
      const looksDb = aws !== undefined || (DB_NAME.test(name) && HOST_NAME.test(name));
      if (!looksDb) continue;
      const engine = aws?.engine ?? hint(name)?.engine ?? 'database';
      const sibling = siblingPorts.get(variablePrefix(name).toUpperCase());
      if (port !== undefined) endpoints.push({ ...base(name), engine, host, port, portFrom: 'explicit' });
      // A sibling *_PORT is reported as its own endpoint already.
      else if (sibling !== undefined) continue;
      else {
        const defaultPort = aws?.port ?? hint(name)?.port;
        if (defaultPort !== undefined) endpoints.push({ ...base(name), engine, host, port: defaultPort, portFrom: 'default' });
        else unresolved.push({ ...base(name), engine, host, reason: 'no port in the value, no sibling *_PORT variable and no engine default' });
      }
    }
  }

  for (const secret of container.secrets ?? []) {
    if (DB_NAME.test(secret.name) && (HOST_NAME.test(secret.name) || PORT_NAME.test(secret.name))) {
      if (siblingPorts.has(variablePrefix(secret.name).toUpperCase())) continue;
      unresolved.push({ ...base(secret.name), engine: hint(secret.name)?.engine ?? 'database', reason: 'its value comes from a secret, which meshctl never reads' });
    }
  }
  return { endpoints, unresolved };
}

export function scanDbEndpoints(taskDefinition: TaskDefinition, skipContainers: string[] = []): DbEndpointScan {
  const endpoints: DbEndpoint[] = [];
  const unresolved: UnresolvedDbEndpoint[] = [];
  for (const container of taskDefinition.containerDefinitions) {
    if (skipContainers.includes(container.name)) continue;
    const scan = scanContainer(container);
    endpoints.push(...scan.endpoints);
    unresolved.push(...scan.unresolved);
  }
  const ports = [...new Set(endpoints.map((e) => e.port))].sort((a, b) => a - b);
  return { endpoints, unresolved, ports };
}
