import { describe, expect, it } from 'vitest';
import { REDACTED, redactDeep, redactEnvironmentValue } from '../../src/core/redact.js';

describe('redaction', () => {
  it('masks values of secret-named variables', () => {
    for (const name of ['DB_PASSWORD', 'STRIPE_API_KEY', 'SESSION_SECRET', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'PGPASSWORD', 'PRIVATE_KEY']) {
      expect(redactEnvironmentValue(name, 'plain-value')).toBe(REDACTED);
    }
  });

  it('masks URL passwords but keeps scheme, host and port', () => {
    expect(redactEnvironmentValue('DATABASE_URL', 'postgres://orders:s3cr3t@db.example.com:5432/orders'))
      .toBe(`postgres://orders:${REDACTED}@db.example.com:5432/orders`);
    expect(redactEnvironmentValue('JDBC', 'jdbc:mysql://u:pw@h:3306/x?password=abc&user=u'))
      .toBe(`jdbc:mysql://u:${REDACTED}@h:3306/x?password=${REDACTED}&user=u`);
  });

  it('masks credential-looking values whatever the name', () => {
    expect(redactEnvironmentValue('X', 'AKIAIOSFODNN7EXAMPLE')).toBe(REDACTED);
    expect(redactEnvironmentValue('X', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe(REDACTED);
    expect(redactEnvironmentValue('X', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig')).toBe(`Bearer ${REDACTED}`);
  });

  it('keeps ordinary values', () => {
    expect(redactEnvironmentValue('ORDERS_URL', 'http://orders.shop.local:8080')).toBe('http://orders.shop.local:8080');
    expect(redactEnvironmentValue('LOG_LEVEL', 'info')).toBe('info');
  });

  it('walks whole API responses: environments, credential fields, ARNs untouched', () => {
    const out = redactDeep({
      taskDefinition: {
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/orders:1',
        containerDefinitions: [{
          environment: [{ name: 'DB_PASSWORD', value: 'hunter2' }, { name: 'URL', value: 'redis://:pw@cache:6379' }],
          secrets: [{ name: 'API_KEY', valueFrom: 'arn:aws:secretsmanager:us-east-1:1:secret:api' }],
        }],
      },
      Credentials: { AccessKeyId: 'ASIAIOSFODNN7EXAMPLE', SecretAccessKey: 'abc', SessionToken: 'def' },
      containerInstanceArn: 'arn:aws:ecs:us-east-1:1:container-instance/c/e7155fc0-4752-46ca-a2a8-6351b293f679',
    });
    const text = JSON.stringify(out);
    expect(text).not.toMatch(/hunter2|:pw@|ASIAIOSFODNN7EXAMPLE|"abc"|"def"/);
    expect(text).toContain('arn:aws:secretsmanager:us-east-1:1:secret:api');
    expect(text).toContain('e7155fc0-4752-46ca-a2a8-6351b293f679');
  });

  it('masks secrets in JVM flags, JSON documents and command lines, and keeps what is not a secret', () => {
    expect(redactEnvironmentValue('JAVA_OPTS', '-Xmx512m -Dspring.datasource.password=ledger-Pa55 -Dfile.encoding=UTF-8'))
      .toBe(`-Xmx512m -Dspring.datasource.password=${REDACTED} -Dfile.encoding=UTF-8`);
    expect(JSON.parse(redactEnvironmentValue('APP_CONFIG', '{"db":{"user":"payments","password":"json-s3cret"},"region":"us-east-1"}')))
      .toEqual({ db: { user: 'payments', password: REDACTED }, region: 'us-east-1' });
    expect(redactEnvironmentValue('SETTINGS', '{"region":"us-east-1"}')).toBe('{"region":"us-east-1"}');
    const out = redactDeep({
      command: ['java', '-jar', 'app.jar', '--api-token', 'cmd-t0ken', '--port=8080', '--client-secret=abc123'],
      entryPoint: ['sh', '-c', 'exec app --password hunter2 --verbose'],
    });
    expect(out.command).toEqual(['java', '-jar', 'app.jar', '--api-token', REDACTED, '--port=8080', `--client-secret=${REDACTED}`]);
    expect(out.entryPoint).toEqual(['sh', '-c', `exec app --password ${REDACTED} --verbose`]);
    expect(redactDeep({ image: 'repo/token-service:1.2', environment: [{ name: 'URL', value: 'http://auth.shop.local:8080/token?x=1' }] }))
      .toEqual({ image: 'repo/token-service:1.2', environment: [{ name: 'URL', value: 'http://auth.shop.local:8080/token?x=1' }] });
  });
});
