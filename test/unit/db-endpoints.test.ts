import { describe, expect, it } from 'vitest';
import { scanDbEndpoints } from '../../src/core/db-endpoints.js';
import { container, taskDefinition } from '../support/estate-builder.js';

const scan = (environment: Record<string, string>, secrets: { name: string; valueFrom: string }[] = []) =>
  scanDbEndpoints(taskDefinition({
    containerDefinitions: [container({ environment: Object.entries(environment).map(([name, value]) => ({ name, value })), secrets })],
  }));

describe('scanDbEndpoints', () => {
  it('reads ports from database URLs, with and without credentials', () => {
    expect(scan({ A: 'postgres://u:p@db:6432/x', B: 'mysql://db2/x', C: 'rediss://:tok@cache:6380' }).ports).toEqual([3306, 6380, 6432]);
  });

  it('reads JDBC strings, Oracle thin included', () => {
    expect(scan({
      A: 'jdbc:postgresql://db.example.com/app',
      B: 'jdbc:sqlserver://sql.example.com:1444;databaseName=x',
      C: 'jdbc:oracle:thin:@ora.example.com:1522:ORCL',
    }).ports).toEqual([1444, 1522, 5432]);
  });

  it('uses default ports of managed AWS hostnames', () => {
    const result = scan({
      CACHE_HOST: 'c.abc.0001.use1.cache.amazonaws.com',
      DOCS: 'mongodb://docs.cluster-x.us-east-1.docdb.amazonaws.com',
      SEARCH: 'https://search-x.us-east-1.es.amazonaws.com',
      KAFKA_BROKERS: 'b-1.k.abc.c2.kafka.us-east-1.amazonaws.com:9098,b-2.k.abc.c2.kafka.us-east-1.amazonaws.com:9098',
    });
    expect(result.ports).toEqual([443, 6379, 9098, 27017]);
    expect(result.unresolved).toEqual([]);
  });

  it('pairs a DB host with its sibling *_PORT variable', () => {
    const result = scan({ ORDERS_DB_HOST: 'orders.cluster-x.us-east-1.rds.amazonaws.com', ORDERS_DB_PORT: '5433' });
    expect(result.ports).toEqual([5433]);
    expect(result.unresolved).toEqual([]);
  });

  it('infers the engine port from the variable name for RDS hosts', () => {
    expect(scan({ PG_HOST: 'x.cluster-y.us-east-1.rds.amazonaws.com' }).ports).toEqual([5432]);
  });

  it('leaves RDS hosts without any port clue unresolved', () => {
    const result = scan({ LEDGER_DB_HOST: 'ledger.cluster-y.us-east-1.rds.amazonaws.com' });
    expect(result.ports).toEqual([]);
    expect(result.unresolved[0]).toMatchObject({ variable: 'LEDGER_DB_HOST', engine: 'RDS/Aurora' });
  });

  it('reports DB settings that come from secrets as unresolved', () => {
    const result = scan({}, [{ name: 'DATABASE_URL', valueFrom: 'arn:aws:secretsmanager:us-east-1:1:secret:db' }]);
    expect(result.unresolved[0]!.reason).toContain('secret');
  });

  it('ignores ordinary HTTP backends and non-database ports', () => {
    expect(scan({ ORDERS_URL: 'http://orders.shop.local:8080', PORT: '8080', HTTP_PORT: '80' }).ports).toEqual([]);
  });
});
